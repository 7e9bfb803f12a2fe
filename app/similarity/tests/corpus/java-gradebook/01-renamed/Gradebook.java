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
    private final Map<String, List<Integer>> scoreTable = new HashMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param pupil the name of the student
     * @param score  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String pupil, int score) {
        if (score < 0 || score > 100) {
            throw new IllegalArgumentException("points must be between 0 and 100, got " + score);
        }
        List<Integer> scores = scoreTable.get(pupil);
        if (scores == null) {
            scores = new ArrayList<>();
            scoreTable.put(pupil, scores);
        }
        scores.add(score);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param pupil the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String pupil) {
        List<Integer> scores = scoreTable.get(pupil);
        if (scores == null) {
            throw new IllegalArgumentException("unknown student: " + pupil);
        }
        int total = 0;
        for (int value : scores) {
            total += value;
        }
        return (double) total / scores.size();
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        String topStudent = null;
        double topAverage = -1;
        // names are sorted, so with ">" the first one wins a tie
        for (String who : namesInOrder()) {
            double mean = average(who);
            if (mean > topAverage) {
                topAverage = mean;
                topStudent = who;
            }
        }
        return topStudent;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param limit the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int limit) {
        List<String> below = new ArrayList<>();
        for (String who : namesInOrder()) {
            if (average(who) < limit) {
                below.add(who);
            }
        }
        return below;
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> counter = new TreeMap<>();
        for (String who : scoreTable.keySet()) {
            char letter = toGrade(average(who));
            if (counter.containsKey(letter)) {
                counter.put(letter, counter.get(letter) + 1);
            } else {
                counter.put(letter, 1);
            }
        }
        return counter;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        StringBuilder builder = new StringBuilder();
        for (String who : namesInOrder()) {
            double mean = average(who);
            builder.append(who)
              .append(": avg=").append(String.format("%.1f", mean))
              .append(" grade=").append(toGrade(mean))
              .append(" n=").append(scoreTable.get(who).size())
              .append("\n");
        }
        return builder.toString();
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
        Gradebook gradebook = new Gradebook();
        String[] rows = text.split("\n");
        for (int row = 0; row < rows.length; row++) {
            String current = rows[row].trim();
            if (current.isEmpty() || current.startsWith("#")) {
                continue;
            }
            String[] fields = current.split(",");
            if (fields.length != 2 || fields[0].trim().isEmpty()) {
                throw new IllegalArgumentException("malformed line " + (row + 1) + ": " + current);
            }
            int score;
            try {
                score = Integer.parseInt(fields[1].trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("malformed line " + (row + 1) + ": " + current);
            }
            if (score < 0 || score > 100) {
                throw new IllegalArgumentException("points out of range in line " + (row + 1));
            }
            gradebook.add(fields[0].trim(), score);
        }
        return gradebook;
    }

    /** Returns the names of all students in alphabetical order. */
    private List<String> namesInOrder() {
        List<String> ordered = new ArrayList<>(scoreTable.keySet());
        Collections.sort(ordered);
        return ordered;
    }

    /** Converts an average into a grade letter. */
    private static char toGrade(double mean) {
        if (mean >= 90) {
            return 'A';
        } else if (mean >= 80) {
            return 'B';
        } else if (mean >= 70) {
            return 'C';
        } else if (mean >= 60) {
            return 'D';
        } else {
            return 'F';
        }
    }
}
