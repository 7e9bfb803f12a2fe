import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    /**
     * One student together with all of his/her results.
     */
    private static class Student {
        final String name;
        final List<Integer> scores = new ArrayList<>();

        Student(String name) {
            this.name = name;
        }

        void addScore(int score) {
            scores.add(score);
        }

        double getAverage() {
            double total = 0;
            for (Integer s : scores) {
                total += s;
            }
            return total / scores.size();
        }

        char getGrade() {
            double avg = getAverage();
            if (avg >= 90) return 'A';
            else if (avg >= 80) return 'B';
            else if (avg >= 70) return 'C';
            else if (avg >= 60) return 'D';
            return 'F';
        }
    }

    private final Map<String, Student> students = new LinkedHashMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException("Score out of range (0-100): " + points);
        }
        Student s = students.get(student);
        if (s == null) {
            s = new Student(student);
            students.put(student, s);
        }
        s.addScore(points);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        return find(student).getAverage();
    }

    private Student find(String name) {
        Student s = students.get(name);
        if (s == null) {
            throw new IllegalArgumentException("Unknown student '" + name + "'");
        }
        return s;
    }

    /** Returns all students sorted by their name. */
    private List<Student> byName() {
        List<Student> list = new ArrayList<>(students.values());
        list.sort(Comparator.comparing(st -> st.name));
        return list;
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        Student top = null;
        for (Student s : students.values()) {
            if (top == null
                    || s.getAverage() > top.getAverage()
                    || (s.getAverage() == top.getAverage() && s.name.compareTo(top.name) < 0)) {
                top = s;
            }
        }
        return top == null ? null : top.name;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        List<String> failed = new ArrayList<>();
        for (Student s : byName()) {
            if (s.getAverage() < threshold) {
                failed.add(s.name);
            }
        }
        return failed;
    }

    /**
     * Counts how many students got each grade letter.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> counts = new HashMap<>();
        Collection<Student> all = students.values();
        for (Student s : all) {
            Character g = s.getGrade();
            Integer old = counts.get(g);
            counts.put(g, old == null ? 1 : old + 1);
        }
        return counts;
    }

    /**
     * Builds a report with one line per student, sorted by name.
     *
     * @return the report
     */
    public String report() {
        StringBuilder out = new StringBuilder();
        for (Student s : byName()) {
            out.append(String.format("%s: avg=%.1f grade=%s n=%d",
                    s.name, s.getAverage(), s.getGrade(), s.scores.size()));
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    /**
     * Reads a gradebook from CSV text (lines "name,points").
     *
     * @param csv the CSV text
     * @return the gradebook with all results from the text
     * @throws IllegalArgumentException if a line is malformed
     */
    public static Gradebook parse(String csv) {
        Gradebook result = new Gradebook();
        String[] rows = csv.split("\r?\n");
        int lineNumber = 1;
        for (String row : rows) {
            String trimmed = row.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                String[] cols = trimmed.split(",", -1);
                if (cols.length != 2 || cols[0].isBlank()) {
                    throw new IllegalArgumentException("Line " + lineNumber + ": expected 'name,points' but got '" + row + "'");
                }
                int value;
                try {
                    value = Integer.parseInt(cols[1].trim());
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException("Line " + lineNumber + ": '" + cols[1] + "' is not a number");
                }
                if (value < 0 || value > 100) {
                    throw new IllegalArgumentException("Line " + lineNumber + ": points must be 0-100");
                }
                result.add(cols[0].trim(), value);
            }
            lineNumber++;
        }
        return result;
    }
}
