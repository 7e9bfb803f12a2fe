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

    /** A single exam result. I just keep a list of all of them. */
    private static class Exam {
        String owner;
        int score;

        Exam(String owner, int score) {
            this.owner = owner;
            this.score = score;
        }
    }

    private List<Exam> exams = new ArrayList<>();

    /**
     * Records one exam result for a student.
     *
     * @param name the name of the student
     * @param value  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative points are not allowed");
        }
        if (value > 100) {
            throw new IllegalArgumentException("more than 100 points are not allowed");
        }
        exams.add(new Exam(name, value));
    }

    /** @return how many results the student has (0 if unknown) */
    private int numberOfExams(String name) {
        int count = 0;
        for (Exam exam : exams) {
            if (exam.owner.equals(name)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param name the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String name) {
        int sum = 0;
        int count = 0;
        for (Exam exam : exams) {
            if (exam.owner.equals(name)) {
                sum += exam.score;
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("there is no student called " + name);
        }
        return sum / (double) count;
    }

    /** @return every student once, sorted (TreeSet does this for me) */
    private Set<String> studentNames() {
        Set<String> names = new TreeSet<>();
        for (Exam exam : exams) {
            names.add(exam.owner);
        }
        return names;
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        List<String> alphabetic = new ArrayList<>(studentNames());
        String top = null;
        // walk backwards and use >=, then the smaller name wins a tie
        int p = alphabetic.size() - 1;
        while (p >= 0) {
            String st = alphabetic.get(p);
            if (top == null || average(st) >= average(top)) {
                top = st;
            }
            p--;
        }
        return top;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param limit the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int limit) {
        List<String> list = new ArrayList<>(studentNames());
        list.removeIf(st -> average(st) >= limit);
        return list;
    }

    /** The grade letter for an average. */
    private static char letterOf(double avg) {
        char letter;
        if (avg >= 90) {
            letter = 'A';
        } else if (avg >= 80) {
            letter = 'B';
        } else if (avg >= 70) {
            letter = 'C';
        } else if (avg >= 60) {
            letter = 'D';
        } else {
            letter = 'F';
        }
        return letter;
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> dist = new HashMap<>();
        for (String st : studentNames()) {
            char letter = letterOf(average(st));
            dist.merge(letter, 1, (left, right) -> left + right);
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
        List<String> rows = new ArrayList<>();
        for (String st : studentNames()) {
            double avg = average(st);
            rows.add(st + ": avg=" + String.format("%.1f", avg) + " grade=" + letterOf(avg) + " n=" + numberOfExams(st));
        }
        if (rows.isEmpty()) {
            return "";
        }
        return String.join("\n", rows) + "\n";
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
        int idx = 0;
        for (String rawLine : input.split("\n", -1)) {
            idx++;
            String row = rawLine.trim();
            if (row.isEmpty() || row.startsWith("#")) {
                continue;
            }
            String[] parts = row.split(",", 2);
            if (parts.length < 2 || parts[0].trim().isEmpty()) {
                throw new IllegalArgumentException("line " + idx + ": missing comma or name");
            }
            try {
                book.add(parts[0].trim(), Integer.parseInt(parts[1].trim()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("line " + idx + ": points are not a number");
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("line " + idx + ": " + ex.getMessage());
            }
        }
        return book;
    }
}
