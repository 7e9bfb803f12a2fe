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
    private static class Learner {
        final String fullName;
        final List<Integer> marks = new ArrayList<>();

        Learner(String fullName) {
            this.fullName = fullName;
        }

        void record(int mark) {
            marks.add(mark);
        }

        double mean() {
            double acc = 0;
            for (Integer l : marks) {
                acc += l;
            }
            return acc / marks.size();
        }

        char letter() {
            double m = mean();
            if (m >= 90) return 'A';
            else if (m >= 80) return 'B';
            else if (m >= 70) return 'C';
            else if (m >= 60) return 'D';
            return 'F';
        }
    }

    private final Map<String, Learner> roster = new LinkedHashMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param who the name of the student
     * @param pts  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String who, int pts) {
        if (pts < 0 || pts > 100) {
            throw new IllegalArgumentException("Score out of range (0-100): " + pts);
        }
        Learner l = roster.get(who);
        if (l == null) {
            l = new Learner(who);
            roster.put(who, l);
        }
        l.record(pts);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param who the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String who) {
        return lookup(who).mean();
    }

    private Learner lookup(String fullName) {
        Learner l = roster.get(fullName);
        if (l == null) {
            throw new IllegalArgumentException("Unknown student '" + fullName + "'");
        }
        return l;
    }

    /** Returns all students sorted by their name. */
    private List<Learner> sortedByName() {
        List<Learner> sorted = new ArrayList<>(roster.values());
        sorted.sort(Comparator.comparing(x -> x.fullName));
        return sorted;
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        Learner leader = null;
        for (Learner l : roster.values()) {
            if (leader == null
                    || l.mean() > leader.mean()
                    || (l.mean() == leader.mean() && l.fullName.compareTo(leader.fullName) < 0)) {
                leader = l;
            }
        }
        return leader == null ? null : leader.fullName;
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param limit the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int limit) {
        List<String> below = new ArrayList<>();
        for (Learner l : sortedByName()) {
            if (l.mean() < limit) {
                below.add(l.fullName);
            }
        }
        return below;
    }

    /**
     * Counts how many students got each grade letter.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> perGrade = new HashMap<>();
        Collection<Learner> everyone = roster.values();
        for (Learner l : everyone) {
            Character ch = l.letter();
            Integer prev = perGrade.get(ch);
            perGrade.put(ch, prev == null ? 1 : prev + 1);
        }
        return perGrade;
    }

    /**
     * Builds a report with one line per student, sorted by name.
     *
     * @return the report
     */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (Learner l : sortedByName()) {
            sb.append(String.format("%s: avg=%.1f grade=%s n=%d",
                    l.fullName, l.mean(), l.letter(), l.marks.size()));
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    /**
     * Reads a gradebook from CSV text (lines "name,points").
     *
     * @param input the CSV text
     * @return the gradebook with all results from the text
     * @throws IllegalArgumentException if a line is malformed
     */
    public static Gradebook parse(String input) {
        Gradebook book = new Gradebook();
        String[] lines = input.split("\r?\n");
        int lineNo = 1;
        for (String raw : lines) {
            String clean = raw.trim();
            if (!clean.isEmpty() && !clean.startsWith("#")) {
                String[] fields = clean.split(",", -1);
                if (fields.length != 2 || fields[0].isBlank()) {
                    throw new IllegalArgumentException("Line " + lineNo + ": expected 'name,points' but got '" + raw + "'");
                }
                int pointsValue;
                try {
                    pointsValue = Integer.parseInt(fields[1].trim());
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("Line " + lineNo + ": '" + fields[1] + "' is not a number");
                }
                if (pointsValue < 0 || pointsValue > 100) {
                    throw new IllegalArgumentException("Line " + lineNo + ": points must be 0-100");
                }
                book.add(fields[0].trim(), pointsValue);
            }
            lineNo++;
        }
        return book;
    }
}
