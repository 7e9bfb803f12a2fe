import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records the exam results of students.
 */
public class Gradebook {

    private final HashMap<String, Integer> sums = new HashMap<>();
    private final HashMap<String, Integer> counts = new HashMap<>();

    /** Records one exam result for a student. */
    public void add(String student, int points) {
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException(points + " is not a valid number of points");
        }
        sums.merge(student, points, Integer::sum);
        counts.merge(student, 1, Integer::sum);
    }

    /** Computes the average of all results of one student. */
    public double average(String student) {
        Integer s = sums.get(student);
        Integer c = counts.get(student);
        if (s == null || c == null) {
            throw new IllegalArgumentException(student + " has no results");
        }
        return s.doubleValue() / c.doubleValue();
    }

    private List<String> names() {
        var list = new ArrayList<String>(sums.keySet());
        Collections.sort(list);
        return list;
    }

    /** Student with the highest average, ties by name, null if empty. */
    public String best() {
        var all = names();
        if (all.isEmpty()) return null;
        String top = all.get(0);
        for (String n : all) {
            if (Double.compare(average(n), average(top)) > 0) {
                top = n;
            }
        }
        return top;
    }

    /** Students below the threshold, sorted by name. */
    public List<String> failing(int threshold) {
        var out = new ArrayList<String>();
        for (String n : names()) {
            if (average(n) < threshold) out.add(n);
        }
        return out;
    }

    private static final char[] LETTERS = {'A', 'B', 'C', 'D', 'F'};

    private static int gradeIndex(double avg) {
        if (avg >= 90) return 0;
        if (avg >= 80) return 1;
        if (avg >= 70) return 2;
        if (avg >= 60) return 3;
        return 4;
    }

    /** Number of students per grade letter (all five letters are always present). */
    public Map<Character, Integer> gradeDistribution() {
        int[] hist = new int[LETTERS.length];
        for (String n : sums.keySet()) {
            hist[gradeIndex(average(n))]++;
        }
        var map = new TreeMap<Character, Integer>();
        for (int i = 0; i < LETTERS.length; i++) {
            map.put(LETTERS[i], hist[i]);
        }
        return map;
    }

    /** One line per student: {@code name: avg=xx.x grade=X n=count}. */
    public String report() {
        var sb = new StringBuilder();
        for (String n : names()) {
            double avg = average(n);
            sb.append(n);
            sb.append(": avg=");
            sb.append(String.format(java.util.Locale.US, "%.1f", avg));
            sb.append(" grade=");
            sb.append(LETTERS[gradeIndex(avg)]);
            sb.append(" n=");
            sb.append(counts.get(n));
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Parses lines of the form {@code name,points}. Empty lines and # comments
     * are skipped. Throws IllegalArgumentException with the line number if a
     * line can not be read.
     */
    public static Gradebook parse(String csv) {
        var result = new Gradebook();
        String[] lines = csv.split("\\r?\\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!line.matches("[^,]+,\\s*\\d+")) {
                throw new IllegalArgumentException("Cannot parse line " + (i + 1) + ": " + line);
            }
            int comma = line.indexOf(',');
            String name = line.substring(0, comma).trim();
            int points = Integer.parseInt(line.substring(comma + 1).trim());
            if (name.isEmpty() || points > 100) {
                throw new IllegalArgumentException("Cannot parse line " + (i + 1) + ": " + line);
            }
            result.add(name, points);
        }
        return result;
    }
}
