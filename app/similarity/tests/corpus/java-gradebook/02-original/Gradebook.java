import java.util.*;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    // student -> {sum of points, number of results}
    // TreeMap so the keys are always sorted by name
    private final TreeMap<String, int[]> data = new TreeMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < 0 || points > 100)
            throw new IllegalArgumentException("Invalid points: " + points);
        int[] e = data.computeIfAbsent(student, k -> new int[2]);
        e[0] += points;
        e[1]++;
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        int[] e = data.get(student);
        if (e == null) throw new IllegalArgumentException("No such student: " + student);
        return e[0] / (double) e[1];
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        String best = null;
        for (String s : data.keySet()) // keys come in order -> first one wins ties
            if (best == null || average(s) > average(best)) best = s;
        return best;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, int[]> en : data.entrySet()) {
            int[] e = en.getValue();
            if (e[0] < (long) threshold * e[1]) out.add(en.getKey()); // sum/n < t  <=>  sum < t*n
        }
        return out;
    }

    private static char letter(double a) {
        return a >= 90 ? 'A' : a >= 80 ? 'B' : a >= 70 ? 'C' : a >= 60 ? 'D' : 'F';
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> m = new LinkedHashMap<>();
        for (char c : "ABCDF".toCharArray()) m.put(c, 0);
        for (String s : data.keySet()) m.merge(letter(average(s)), 1, Integer::sum);
        return m;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        String r = "";
        for (String s : data.keySet()) {
            double a = average(s);
            r += String.format(Locale.ROOT, "%s: avg=%.1f grade=%c n=%d%n", s, a, letter(a), data.get(s)[1]);
        }
        return r;
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
        Gradebook g = new Gradebook();
        int no = 0;
        for (String line : csv.split("\\R")) {
            no++;
            line = line.strip();
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            int comma = line.indexOf(',');
            if (comma <= 0 || comma != line.lastIndexOf(','))
                throw new IllegalArgumentException("Line " + no + " is malformed: " + line);
            String name = line.substring(0, comma).strip();
            try {
                g.add(name, Integer.parseInt(line.substring(comma + 1).strip()));
            } catch (IllegalArgumentException ex) { // NumberFormatException is one too
                throw new IllegalArgumentException("Line " + no + ": " + ex.getMessage());
            }
        }
        return g;
    }
}
