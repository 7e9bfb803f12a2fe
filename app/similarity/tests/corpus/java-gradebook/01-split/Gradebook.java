import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    /** All results, stored per student. */
    private final Map<String, List<Integer>> results = new HashMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        checkPoints(points);
        listFor(student).add(points);
    }

    /** Throws if the points are not between 0 and 100. */
    private static void checkPoints(int points) {
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException("points must be between 0 and 100, got " + points);
        }
    }

    /** Returns the list of results of a student, creating it if necessary. */
    private List<Integer> listFor(String student) {
        List<Integer> list = results.get(student);
        if (list == null) {
            list = new ArrayList<>();
            results.put(student, list);
        }
        return list;
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        List<Integer> list = results.get(student);
        if (list == null) {
            throw new IllegalArgumentException("unknown student: " + student);
        }
        return (double) sumOf(list) / list.size();
    }

    /** Adds up all points in the list. */
    private static int sumOf(List<Integer> list) {
        int sum = 0;
        for (int p : list) {
            sum += p;
        }
        return sum;
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        String bestName = null;
        double bestAvg = -1;
        List<String> names = new ArrayList<>(results.keySet());
        Collections.sort(names);
        // names are sorted, so with ">" the first one wins a tie
        for (String name : names) {
            double avg = average(name);
            if (avg > bestAvg) {
                bestAvg = avg;
                bestName = name;
            }
        }
        return bestName;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        List<String> result = new ArrayList<>();
        List<String> names = new ArrayList<>(results.keySet());
        Collections.sort(names);
        for (String name : names) {
            if (average(name) < threshold) {
                result.add(name);
            }
        }
        return result;
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
        for (String name : results.keySet()) {
            char g = gradeFor(average(name));
            if (dist.containsKey(g)) {
                dist.put(g, dist.get(g) + 1);
            } else {
                dist.put(g, 1);
            }
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
        List<String> names = new ArrayList<>(results.keySet());
        Collections.sort(names);
        for (String name : names) {
            appendLine(sb, name);
        }
        return sb.toString();
    }

    /** Appends the report line of one student. */
    private void appendLine(StringBuilder sb, String name) {
        double avg = average(name);
        sb.append(name)
          .append(": avg=").append(String.format("%.1f", avg))
          .append(" grade=").append(gradeFor(avg))
          .append(" n=").append(results.get(name).size())
          .append("\n");
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
        Gradebook book = new Gradebook();
        String[] lines = csv.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            parseLine(book, line, i + 1);
        }
        return book;
    }

    /** Parses one non-empty line and adds its result to the book. */
    private static void parseLine(Gradebook book, String line, int lineNo) {
        String[] parts = line.split(",");
        if (parts.length != 2 || parts[0].trim().isEmpty()) {
            throw new IllegalArgumentException("malformed line " + lineNo + ": " + line);
        }
        int points;
        try {
            points = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed line " + lineNo + ": " + line);
        }
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException("points out of range in line " + lineNo);
        }
        book.add(parts[0].trim(), points);
    }

    /** Converts an average into a grade letter. */
    private static char gradeFor(double avg) {
        if (avg >= 90) {
            return 'A';
        } else if (avg >= 80) {
            return 'B';
        } else if (avg >= 70) {
            return 'C';
        } else if (avg >= 60) {
            return 'D';
        } else {
            return 'F';
        }
    }
}
