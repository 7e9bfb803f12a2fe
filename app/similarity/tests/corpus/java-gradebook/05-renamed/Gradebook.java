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

    private static final int LOWEST = 0;
    private static final int HIGHEST = 100;

    private final Map<String, List<Integer>> scores = new HashMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param learner the name of the student
     * @param value  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String learner, int value) {
        if (value < LOWEST || value > HIGHEST) {
            throw new IllegalArgumentException(
                    "points must be in [" + LOWEST + ", " + HIGHEST + "] but was " + value);
        }
        scores.computeIfAbsent(learner, k -> new ArrayList<>()).add(value);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param learner the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String learner) {
        if (!scores.containsKey(learner)) {
            throw new IllegalArgumentException("student not found: " + learner);
        }
        return scores.get(learner).stream()
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
        Comparator<String> byMeanDescending = Comparator.comparingDouble(this::average).reversed();
        return scores.keySet().stream()
                .sorted(byMeanDescending.thenComparing(Comparator.naturalOrder()))
                .findFirst()
                .orElse(null);
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param limit the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int limit) {
        return scores.keySet().stream()
                .filter(who -> average(who) < limit)
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
        return scores.keySet().stream()
                .collect(Collectors.groupingBy(
                        who -> letterFor(average(who)),
                        TreeMap::new,
                        Collectors.summingInt(who -> 1)));
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        return scores.keySet().stream()
                .sorted()
                .map(this::formatLine)
                .collect(Collectors.joining("\n", "", scores.isEmpty() ? "" : "\n"));
    }

    private String formatLine(String who) {
        double mean = average(who);
        int count = scores.get(who).size();
        return String.format("%s: avg=%.1f grade=%c n=%d", who, mean, letterFor(mean), count);
    }

    private static char letterFor(double mean) {
        if (mean >= 90) {
            return 'A';
        }
        if (mean >= 80) {
            return 'B';
        }
        if (mean >= 70) {
            return 'C';
        }
        if (mean >= 60) {
            return 'D';
        }
        return 'F';
    }

    /**
     * Reads a gradebook from CSV text. Every line has the form
     * {@code name,points}. Blank lines and lines starting with # are ignored.
     *
     * @param text the CSV text
     * @return the gradebook with all results from the text
     * @throws IllegalArgumentException if a line is malformed; the message
     *                                  names the line number
     */
    public static Gradebook parse(String text) {
        Gradebook result = new Gradebook();
        List<String> allLines = text.lines().collect(Collectors.toList());
        for (int row = 1; row <= allLines.size(); row++) {
            String current = allLines.get(row - 1).strip();
            if (current.isEmpty() || current.startsWith("#")) {
                continue;
            }
            String[] cells = current.split("\\s*,\\s*");
            if (cells.length != 2 || cells[0].isEmpty() || !cells[1].matches("\\d+")) {
                throw new IllegalArgumentException("line " + row + " is malformed: \"" + current + "\"");
            }
            int value = Integer.parseInt(cells[1]);
            if (value > HIGHEST) {
                throw new IllegalArgumentException("line " + row + ": too many points (" + value + ")");
            }
            result.add(cells[0], value);
        }
        return result;
    }
}
