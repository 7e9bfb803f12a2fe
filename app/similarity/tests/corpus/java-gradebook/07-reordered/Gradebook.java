import java.util.ArrayList;
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
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points > 100 || points < 0) {
            throw new IllegalArgumentException("Invalid points -> " + points);
        }
        if (!book.containsKey(student)) {
            book.put(student, new ArrayList<Integer>());
        }
        book.get(student).add(points);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        ArrayList<Integer> pts = book.get(student);
        if (pts == null) {
            throw new IllegalArgumentException("Invalid student -> " + student);
        }
        return sum(pts) / (double) pts.size();
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        if (book.isEmpty()) {
            return null;
        }
        String winner = book.firstKey();
        double max = average(winner);
        for (String key : book.keySet()) {
            if (average(key) > max) {
                max = average(key);
                winner = key;
            }
        }
        return winner;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        ArrayList<String> below = new ArrayList<String>();
        for (String key : book.keySet()) {
            if (average(key) < threshold) {
                below.add(key);
            }
        }
        return below;
    }

    private TreeMap<String, ArrayList<Integer>> book;

    public Gradebook() {
        book = new TreeMap<String, ArrayList<Integer>>();
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        HashMap<Character, Integer> distribution = new HashMap<Character, Integer>();
        distribution.put('A', 0);
        distribution.put('B', 0);
        distribution.put('C', 0);
        distribution.put('D', 0);
        distribution.put('F', 0);
        for (String key : book.keySet()) {
            char l = letter(average(key));
            distribution.put(l, distribution.get(l) + 1);
        }
        return distribution;
    }

    // index = avg / 10, so 0..5 -> F, 6 -> D, 7 -> C, 8 -> B, 9 and 10 -> A
    private static char letter(double avg) {
        return "FFFFFFDCBAA".charAt((int) avg / 10);
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        String nl = System.lineSeparator();
        StringBuilder rep = new StringBuilder();
        // TreeMap iterates in sorted order
        for (Map.Entry<String, ArrayList<Integer>> entry : book.entrySet()) {
            double avg = sum(entry.getValue()) / (double) entry.getValue().size();
            rep.append(entry.getKey() + ": avg=" + String.format("%.1f", avg)
                    + " grade=" + letter(avg) + " n=" + entry.getValue().size() + nl);
        }
        return rep.toString();
    }

    // adds up a list of points
    private static int sum(List<Integer> pts) {
        int total = 0;
        for (int i = 0; i < pts.size(); i++) {
            total = total + pts.get(i);
        }
        return total;
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
        Gradebook gb = new Gradebook();
        String[] allLines = csv.split("\n");
        int number = 0;
        for (String current : allLines) {
            number = number + 1;
            current = current.trim();
            if (current.equals("") || current.charAt(0) == '#') {
                continue; // skip comments and empty lines
            }
            String[] pieces = current.split(",");
            boolean valid = pieces.length == 2
                    && !pieces[0].trim().equals("")
                    && pieces[1].trim().matches("[0-9]{1,3}");
            if (!valid) {
                throw new IllegalArgumentException("Invalid input in line " + number + " -> " + current);
            }
            int pts = Integer.valueOf(pieces[1].trim());
            if (pts > 100) {
                throw new IllegalArgumentException("Invalid points in line " + number + " -> " + pts);
            }
            gb.add(pieces[0].trim(), pts);
        }
        return gb;
    }
}
