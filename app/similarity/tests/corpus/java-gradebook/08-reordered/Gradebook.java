import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
        Gradebook gb = new Gradebook();
        int nr = 0;
        for (String raw : csv.split("\n", -1)) {
            nr++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split(",", 2);
            if (kv.length < 2 || kv[0].trim().isEmpty()) {
                throw new IllegalArgumentException("line " + nr + ": missing comma or name");
            }
            try {
                gb.add(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + nr + ": points are not a number");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + nr + ": " + e.getMessage());
            }
        }
        return gb;
    }

    private List<Result> all = new ArrayList<>();

    /** A single exam result. I just keep a list of all of them. */
    private static class Result {
        String who;
        int pts;

        Result(String who, int pts) {
            this.who = who;
            this.pts = pts;
        }
    }

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < 0) {
            throw new IllegalArgumentException("negative points are not allowed");
        }
        if (points > 100) {
            throw new IllegalArgumentException("more than 100 points are not allowed");
        }
        all.add(new Result(student, points));
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        int total = 0;
        int n = 0;
        for (Result r : all) {
            if (r.who.equals(student)) {
                total += r.pts;
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("there is no student called " + student);
        }
        return total / (double) n;
    }

    /** @return how many results the student has (0 if unknown) */
    private int countOf(String student) {
        int n = 0;
        for (Result r : all) {
            if (r.who.equals(student)) {
                n++;
            }
        }
        return n;
    }

    /** @return every student once, sorted (TreeSet does this for me) */
    private Set<String> students() {
        Set<String> set = new TreeSet<>();
        for (Result r : all) {
            set.add(r.who);
        }
        return set;
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        List<String> sorted = new ArrayList<>(students());
        String answer = null;
        // walk backwards and use >=, then the smaller name wins a tie
        int i = sorted.size() - 1;
        while (i >= 0) {
            String s = sorted.get(i);
            if (answer == null || average(s) >= average(answer)) {
                answer = s;
            }
            i--;
        }
        return answer;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        List<String> names = new ArrayList<>(students());
        names.removeIf(s -> average(s) >= threshold);
        return names;
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> result = new HashMap<>();
        for (String s : students()) {
            char g = grade(average(s));
            result.merge(g, 1, (x, y) -> x + y);
        }
        return result;
    }

    /** The grade letter for an average. */
    private static char grade(double a) {
        char g;
        if (a >= 90) {
            g = 'A';
        } else if (a >= 80) {
            g = 'B';
        } else if (a >= 70) {
            g = 'C';
        } else if (a >= 60) {
            g = 'D';
        } else {
            g = 'F';
        }
        return g;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        List<String> lines = new ArrayList<>();
        for (String s : students()) {
            double a = average(s);
            lines.add(s + ": avg=" + String.format("%.1f", a) + " grade=" + grade(a) + " n=" + countOf(s));
        }
        if (lines.isEmpty()) {
            return "";
        }
        return String.join("\n", lines) + "\n";
    }
}
