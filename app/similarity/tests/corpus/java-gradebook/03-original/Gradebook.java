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
    private ArrayList<String> names = new ArrayList<String>();
    private ArrayList<Integer> totals = new ArrayList<Integer>();
    private ArrayList<Integer> counts = new ArrayList<Integer>();

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException("Points have to be in 0..100");
        }
        int idx = names.indexOf(student);
        if (idx == -1) {
            // new student
            names.add(student);
            totals.add(points);
            counts.add(1);
        } else {
            totals.set(idx, totals.get(idx) + points);
            counts.set(idx, counts.get(idx) + 1);
        }
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        int idx = names.indexOf(student);
        if (idx == -1) {
            throw new IllegalArgumentException("Student " + student + " does not exist");
        }
        return averageAt(idx);
    }

    // average of the student at position idx
    private double averageAt(int idx) {
        return totals.get(idx) * 1.0 / counts.get(idx);
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        if (names.size() == 0) {
            return null;
        }
        int bestIdx = 0;
        for (int i = 1; i < names.size(); i++) {
            double a = averageAt(i);
            double b = averageAt(bestIdx);
            if (a > b || (a == b && names.get(i).compareTo(names.get(bestIdx)) < 0)) {
                bestIdx = i;
            }
        }
        return names.get(bestIdx);
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        ArrayList<String> list = new ArrayList<String>();
        for (int i = 0; i < names.size(); i++) {
            if (averageAt(i) < threshold) {
                list.add(names.get(i));
            }
        }
        sort(list);
        return list;
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        HashMap<Character, Integer> map = new HashMap<Character, Integer>();
        for (int i = 0; i < names.size(); i++) {
            char c = grade(averageAt(i));
            map.put(c, map.getOrDefault(c, 0) + 1);
        }
        return map;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        ArrayList<String> sorted = new ArrayList<String>(names);
        sort(sorted);
        String text = "";
        for (String s : sorted) {
            int idx = names.indexOf(s);
            double avg = averageAt(idx);
            // round to one decimal place
            double rounded = Math.round(avg * 10) / 10.0;
            text = text + s + ": avg=" + rounded + " grade=" + grade(avg) + " n=" + counts.get(idx) + "\n";
        }
        return text;
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
        Scanner sc = new Scanner(csv);
        int lineNr = 0;
        while (sc.hasNextLine()) {
            String line = sc.nextLine().trim();
            lineNr++;
            if (line.length() == 0 || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length != 2) {
                sc.close();
                throw new IllegalArgumentException("Error in line " + lineNr + ": expected name,points");
            }
            try {
                int p = Integer.parseInt(fields[1].trim());
                gb.add(fields[0].trim(), p);
            } catch (IllegalArgumentException e) {
                sc.close();
                throw new IllegalArgumentException("Error in line " + lineNr + ": " + e.getMessage());
            }
        }
        sc.close();
        return gb;
    }

    // letter for an average
    private char grade(double avg) {
        if (avg >= 90) return 'A';
        if (avg >= 80) return 'B';
        if (avg >= 70) return 'C';
        if (avg >= 60) return 'D';
        return 'F';
    }

    // simple selection sort, sorts the list alphabetically
    private void sort(ArrayList<String> list) {
        for (int i = 0; i < list.size() - 1; i++) {
            int min = i;
            for (int j = i + 1; j < list.size(); j++) {
                if (list.get(j).compareTo(list.get(min)) < 0) {
                    min = j;
                }
            }
            String tmp = list.get(i);
            list.set(i, list.get(min));
            list.set(min, tmp);
        }
    }
}
