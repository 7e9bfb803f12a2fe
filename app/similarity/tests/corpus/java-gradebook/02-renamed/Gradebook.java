import java.util.*;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    // student -> {sum of points, number of results}
    // TreeMap so the keys are always sorted by name
    private final TreeMap<String, int[]> marks = new TreeMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param person the name of the student
     * @param pts  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String person, int pts) {
        if (pts < 0 || pts > 100)
            throw new IllegalArgumentException("Invalid points: " + pts);
        int[] rec = marks.computeIfAbsent(person, key -> new int[2]);
        rec[0] += pts;
        rec[1]++;
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param person the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String person) {
        int[] rec = marks.get(person);
        if (rec == null) throw new IllegalArgumentException("No such student: " + person);
        return rec[0] / (double) rec[1];
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        String winner = null;
        for (String who : marks.keySet()) // keys come in order -> first one wins ties
            if (winner == null || average(who) > average(winner)) winner = who;
        return winner;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param limit the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int limit) {
        List<String> result = new ArrayList<>();
        for (Map.Entry<String, int[]> entry : marks.entrySet()) {
            int[] rec = entry.getValue();
            if (rec[0] < (long) limit * rec[1]) result.add(entry.getKey()); // sum/n < t  <=>  sum < t*n
        }
        return result;
    }

    private static char gradeChar(double avgValue) {
        return avgValue >= 90 ? 'A' : avgValue >= 80 ? 'B' : avgValue >= 70 ? 'C' : avgValue >= 60 ? 'D' : 'F';
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> counts = new LinkedHashMap<>();
        for (char ch : "ABCDF".toCharArray()) counts.put(ch, 0);
        for (String who : marks.keySet()) counts.merge(gradeChar(average(who)), 1, Integer::sum);
        return counts;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        String text = "";
        for (String who : marks.keySet()) {
            double avgValue = average(who);
            text += String.format(Locale.ROOT, "%s: avg=%.1f grade=%c n=%d%n", who, avgValue, gradeChar(avgValue), marks.get(who)[1]);
        }
        return text;
    }

    /**
     * Reads a gradebook from CSV text. Every line has the form
     * {@code name,points}. Blank lines and lines starting with # are ignored.
     *
     * @param input the CSV text
     * @return the gradebook with all results from the text
     * @throws IllegalArgumentException if a line is malformed; the message
     *                                  names the line number
     */
    public static Gradebook parse(String input) {
        Gradebook book = new Gradebook();
        int lineNo = 0;
        for (String row : input.split("\\R")) {
            lineNo++;
            row = row.strip();
            if (row.isEmpty() || row.charAt(0) == '#') continue;
            int sep = row.indexOf(',');
            if (sep <= 0 || sep != row.lastIndexOf(','))
                throw new IllegalArgumentException("Line " + lineNo + " is malformed: " + row);
            String person = row.substring(0, sep).strip();
            try {
                book.add(person, Integer.parseInt(row.substring(sep + 1).strip()));
            } catch (IllegalArgumentException err) { // NumberFormatException is one too
                throw new IllegalArgumentException("Line " + lineNo + ": " + err.getMessage());
            }
        }
        return book;
    }
}
