import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 *
 * Implementation: a list of entries that is kept sorted by name, so lookups
 * can use binary search and the report does not need sorting.
 */
public class Gradebook {

    private static final Pattern LINE = Pattern.compile("^\\s*([^,]*?)\\s*,\\s*(\\d{1,3})\\s*$");

    private static final class Entry implements Comparable<Entry> {
        private final String name;
        private int total;
        private int n;

        private Entry(String name) {
            this.name = name;
        }

        private double avg() {
            return (double) total / n;
        }

        @Override
        public int compareTo(Entry other) {
            return name.compareTo(other.name);
        }
    }

    private final ArrayList<Entry> entries = new ArrayList<>();

    private int search(String name) {
        return Collections.binarySearch(entries, new Entry(name));
    }

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException("expected 0 <= points <= 100 but got " + points);
        }
        int pos = search(student);
        Entry e;
        if (pos >= 0) {
            e = entries.get(pos);
        } else {
            e = new Entry(student);
            entries.add(-pos - 1, e);   // insertion point
        }
        e.total += points;
        e.n++;
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        int pos = search(student);
        if (pos < 0) {
            throw new IllegalArgumentException("unknown: " + student);
        }
        return entries.get(pos).avg();
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        if (entries.isEmpty()) {
            return null;
        }
        List<Entry> copy = new ArrayList<>(entries);
        copy.sort((x, y) -> {
            int c = Double.compare(y.avg(), x.avg());
            return c != 0 ? c : x.compareTo(y);
        });
        return copy.get(0).name;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        List<String> list = new ArrayList<>();
        entries.stream().filter(e -> e.avg() < threshold).forEach(e -> list.add(e.name));
        return list;
    }

    private static char gradeLetter(double avg) {
        return switch ((int) avg / 10) {
            case 10, 9 -> 'A';
            case 8 -> 'B';
            case 7 -> 'C';
            case 6 -> 'D';
            default -> 'F';
        };
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> dist = new TreeMap<>();
        for (Entry e : entries) {
            dist.put(gradeLetter(e.avg()), dist.getOrDefault(gradeLetter(e.avg()), 0) + 1);
        }
        return dist;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append("%s: avg=%.1f grade=%c n=%d%n".formatted(e.name, e.avg(), gradeLetter(e.avg()), e.n));
        }
        return sb.toString();
    }

    /**
     * Reads a gradebook from CSV text. Every line has the form
     * {@code name,points}. Blank lines and lines starting with # are ignored.
     *
     * @param csv the CSV text
     * @return the gradebook with all results from the text
     * @throws IllegalArgumentException if a line is malformed; the message
     *                                  names the line number
     */
    public static Gradebook parse(String csv) {
        Gradebook gradebook = new Gradebook();
        String[] lines = csv.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank() || lines[i].trim().startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(lines[i]);
            if (!m.matches() || m.group(1).isEmpty() || Integer.parseInt(m.group(2)) > 100) {
                throw new IllegalArgumentException("invalid line " + (i + 1) + ": '" + lines[i] + "'");
            }
            gradebook.add(m.group(1), Integer.parseInt(m.group(2)));
        }
        return gradebook;
    }
}
