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

    private TreeMap<String, ArrayList<Integer>> results;

    public Gradebook() {
        results = new TreeMap<String, ArrayList<Integer>>();
    }

    /**
     * Reads a gradebook from CSV text. Every line has the form
     * {@code name,points}. Blank lines and lines starting with # are ignored.
     *
     * @param data the CSV text
     * @return the gradebook with all results from the text
     * @throws IllegalArgumentException if a line is malformed; the message
     *                                  names the line number
     */
    public static Gradebook parse(String data) {
        Gradebook gradebook = new Gradebook();
        String[] rows = data.split("\n");
        int lineNum = 0;
        for (String line : rows) {
            lineNum = lineNum + 1;
            line = line.trim();
            if (line.equals("") || line.charAt(0) == '#') {
                continue; // skip comments and empty lines
            }
            String[] parts = line.split(",");
            boolean wellFormed = parts.length == 2
                    && !parts[0].trim().equals("")
                    && parts[1].trim().matches("[0-9]{1,3}");
            if (!wellFormed) {
                throw new IllegalArgumentException("Invalid input in line " + lineNum + " -> " + line);
            }
            int value = Integer.valueOf(parts[1].trim());
            if (value > 100) {
                throw new IllegalArgumentException("Invalid points in line " + lineNum + " -> " + value);
            }
            gradebook.add(parts[0].trim(), value);
        }
        return gradebook;
    }

    /**
     * Records one exam result for a student.
     *
     * @param name the name of the student
     * @param score  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String name, int score) {
        if (score > 100 || score < 0) {
            throw new IllegalArgumentException("Invalid points -> " + score);
        }
        if (!results.containsKey(name)) {
            results.put(name, new ArrayList<Integer>());
        }
        results.get(name).add(score);
    }

    // adds up a list of points
    private static int addUp(List<Integer> value) {
        int acc = 0;
        for (int j = 0; j < value.size(); j++) {
            acc = acc + value.get(j);
        }
        return acc;
    }

    // index = avg / 10, so 0..5 -> F, 6 -> D, 7 -> C, 8 -> B, 9 and 10 -> A
    private static char gradeLetter(double mean) {
        return "FFFFFFDCBAA".charAt((int) mean / 10);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param name the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String name) {
        ArrayList<Integer> value = results.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Invalid student -> " + name);
        }
        return addUp(value) / (double) value.size();
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        String newline = System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        // TreeMap iterates in sorted order
        for (Map.Entry<String, ArrayList<Integer>> e : results.entrySet()) {
            double mean = addUp(e.getValue()) / (double) e.getValue().size();
            sb.append(e.getKey() + ": avg=" + String.format("%.1f", mean)
                    + " grade=" + gradeLetter(mean) + " n=" + e.getValue().size() + newline);
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
        HashMap<Character, Integer> grades = new HashMap<Character, Integer>();
        grades.put('A', 0);
        grades.put('B', 0);
        grades.put('C', 0);
        grades.put('D', 0);
        grades.put('F', 0);
        for (String s : results.keySet()) {
            char g = gradeLetter(average(s));
            grades.put(g, grades.get(g) + 1);
        }
        return grades;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param minimum the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int minimum) {
        ArrayList<String> result = new ArrayList<String>();
        for (String s : results.keySet()) {
            if (average(s) < minimum) {
                result.add(s);
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
        if (results.isEmpty()) {
            return null;
        }
        String leader = results.firstKey();
        double highest = average(leader);
        for (String s : results.keySet()) {
            if (average(s) > highest) {
                highest = average(s);
                leader = s;
            }
        }
        return leader;
    }
}
