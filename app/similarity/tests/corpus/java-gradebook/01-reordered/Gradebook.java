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
            String[] parts = line.split(",");
            if (parts.length != 2 || parts[0].trim().isEmpty()) {
                throw new IllegalArgumentException("malformed line " + (i + 1) + ": " + line);
            }
            int points;
            try {
                points = Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed line " + (i + 1) + ": " + line);
            }
            if (points < 0 || points > 100) {
                throw new IllegalArgumentException("points out of range in line " + (i + 1));
            }
            book.add(parts[0].trim(), points);
        }
        return book;
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

    /** Returns the names of all students in alphabetical order. */
    private List<String> sortedNames() {
        List<String> names = new ArrayList<>(results.keySet());
        Collections.sort(names);
        return names;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (String name : sortedNames()) {
            double avg = average(name);
            sb.append(name)
              .append(": avg=").append(String.format("%.1f", avg))
              .append(" grade=").append(gradeFor(avg))
              .append(" n=").append(results.get(name).size())
              .append("\n");
        }
        return sb.toString();
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

    /** All results, stored per student. */
    private final Map<String, List<Integer>> results = new HashMap<>();

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        List<String> result = new ArrayList<>();
        for (String name : sortedNames()) {
            if (average(name) < threshold) {
                result.add(name);
            }
        }
        return result;
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
        // names are sorted, so with ">" the first one wins a tie
        for (String name : sortedNames()) {
            double avg = average(name);
            if (avg > bestAvg) {
                bestAvg = avg;
                bestName = name;
            }
        }
        return bestName;
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
        int sum = 0;
        for (int p : list) {
            sum += p;
        }
        return (double) sum / list.size();
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
            throw new IllegalArgumentException("points must be between 0 and 100, got " + points);
        }
        List<Integer> list = results.get(student);
        if (list == null) {
            list = new ArrayList<>();
            results.put(student, list);
        }
        list.add(points);
    }
}
