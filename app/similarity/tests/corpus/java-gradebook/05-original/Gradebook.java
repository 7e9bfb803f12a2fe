import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    private static final int MIN_POINTS = 0;
    private static final int MAX_POINTS = 100;

    private final Map<String, List<Integer>> pointsByStudent = new HashMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < MIN_POINTS || points > MAX_POINTS) {
            throw new IllegalArgumentException(
                    "points must be in [" + MIN_POINTS + ", " + MAX_POINTS + "] but was " + points);
        }
        pointsByStudent.computeIfAbsent(student, key -> new ArrayList<>()).add(points);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        if (!pointsByStudent.containsKey(student)) {
            throw new IllegalArgumentException("student not found: " + student);
        }
        return pointsByStudent.get(student).stream()
                .mapToInt(Integer::intValue)
                .average()
                .orElse(0.0);
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        Comparator<String> byAverageDesc = Comparator.comparingDouble(this::average).reversed();
        return pointsByStudent.keySet().stream()
                .sorted(byAverageDesc.thenComparing(Comparator.naturalOrder()))
                .findFirst()
                .orElse(null);
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        return pointsByStudent.keySet().stream()
                .filter(name -> average(name) < threshold)
                .sorted()
                .collect(Collectors.toList());
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        return pointsByStudent.keySet().stream()
                .collect(Collectors.groupingBy(
                        name -> toLetter(average(name)),
                        TreeMap::new,
                        Collectors.summingInt(name -> 1)));
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        return pointsByStudent.keySet().stream()
                .sorted()
                .map(this::reportLine)
                .collect(Collectors.joining("\n", "", pointsByStudent.isEmpty() ? "" : "\n"));
    }

    private String reportLine(String name) {
        double avg = average(name);
        int n = pointsByStudent.get(name).size();
        return String.format("%s: avg=%.1f grade=%c n=%d", name, avg, toLetter(avg), n);
    }

    private static char toLetter(double avg) {
        if (avg >= 90) {
            return 'A';
        }
        if (avg >= 80) {
            return 'B';
        }
        if (avg >= 70) {
            return 'C';
        }
        if (avg >= 60) {
            return 'D';
        }
        return 'F';
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
        List<String> lines = csv.lines().collect(Collectors.toList());
        for (int lineNo = 1; lineNo <= lines.size(); lineNo++) {
            String line = lines.get(lineNo - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] tokens = line.split("\\s*,\\s*");
            if (tokens.length != 2 || tokens[0].isEmpty() || !tokens[1].matches("\\d+")) {
                throw new IllegalArgumentException("line " + lineNo + " is malformed: \"" + line + "\"");
            }
            int points = Integer.parseInt(tokens[1]);
            if (points > MAX_POINTS) {
                throw new IllegalArgumentException("line " + lineNo + ": too many points (" + points + ")");
            }
            gradebook.add(tokens[0], points);
        }
        return gradebook;
    }
}
