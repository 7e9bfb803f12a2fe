import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    // three lists that belong together: index i is always the same student
    private ArrayList<String> studentNames = new ArrayList<String>();
    private ArrayList<Integer> pointSums = new ArrayList<Integer>();
    private ArrayList<Integer> examCounts = new ArrayList<Integer>();

    /**
     * Records one exam result for a student.
     *
     * @param who the name of the student
     * @param pts  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String who, int pts) {
        if (pts < 0 || pts > 100) {
            throw new IllegalArgumentException("Points have to be in 0..100");
        }
        int pos = studentNames.indexOf(who);
        if (pos == -1) {
            // new student
            studentNames.add(who);
            pointSums.add(pts);
            examCounts.add(1);
        } else {
            pointSums.set(pos, pointSums.get(pos) + pts);
            examCounts.set(pos, examCounts.get(pos) + 1);
        }
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param who the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String who) {
        int pos = studentNames.indexOf(who);
        if (pos == -1) {
            throw new IllegalArgumentException("Student " + who + " does not exist");
        }
        return avgOf(pos);
    }

    // average of the student at position idx
    private double avgOf(int pos) {
        return pointSums.get(pos) * 1.0 / examCounts.get(pos);
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        if (studentNames.size() == 0) {
            return null;
        }
        int top = 0;
        for (int k = 1; k < studentNames.size(); k++) {
            double cur = avgOf(k);
            double max = avgOf(top);
            if (cur > max || (cur == max && studentNames.get(k).compareTo(studentNames.get(top)) < 0)) {
                top = k;
            }
        }
        return studentNames.get(top);
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        ArrayList<String> result = new ArrayList<String>();
        for (int k = 0; k < studentNames.size(); k++) {
            if (avgOf(k) < threshold) {
                result.add(studentNames.get(k));
            }
        }
        sortNames(result);
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
        HashMap<Character, Integer> dist = new HashMap<Character, Integer>();
        for (int k = 0; k < studentNames.size(); k++) {
            char letter = letterFor(avgOf(k));
            dist.put(letter, dist.getOrDefault(letter, 0) + 1);
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
        ArrayList<String> ordered = new ArrayList<String>(studentNames);
        sortNames(ordered);
        String out = "";
        for (String nm : ordered) {
            int pos = studentNames.indexOf(nm);
            double mean = avgOf(pos);
            // round to one decimal place
            double oneDecimal = Math.round(mean * 10) / 10.0;
            out = out + nm + ": avg=" + oneDecimal + " grade=" + letterFor(mean) + " n=" + examCounts.get(pos) + "\n";
        }
        return out;
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
        Scanner scanner = new Scanner(input);
        int row = 0;
        while (scanner.hasNextLine()) {
            String txt = scanner.nextLine().trim();
            row++;
            if (txt.length() == 0 || txt.startsWith("#")) {
                continue;
            }
            String[] parts = txt.split(",");
            if (parts.length != 2) {
                scanner.close();
                throw new IllegalArgumentException("Error in line " + row + ": expected name,points");
            }
            try {
                int value = Integer.parseInt(parts[1].trim());
                book.add(parts[0].trim(), value);
            } catch (IllegalArgumentException ex) {
                scanner.close();
                throw new IllegalArgumentException("Error in line " + row + ": " + ex.getMessage());
            }
        }
        scanner.close();
        return book;
    }

    // letter for an average
    private char letterFor(double mean) {
        if (mean >= 90) return 'A';
        if (mean >= 80) return 'B';
        if (mean >= 70) return 'C';
        if (mean >= 60) return 'D';
        return 'F';
    }

    // simple selection sort, sorts the list alphabetically
    private void sortNames(ArrayList<String> result) {
        for (int k = 0; k < result.size() - 1; k++) {
            int smallest = k;
            for (int m = k + 1; m < result.size(); m++) {
                if (result.get(m).compareTo(result.get(smallest)) < 0) {
                    smallest = m;
                }
            }
            String swap = result.get(k);
            result.set(k, result.get(smallest));
            result.set(smallest, swap);
        }
    }
}
