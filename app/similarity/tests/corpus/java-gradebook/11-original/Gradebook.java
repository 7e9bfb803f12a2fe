import java.util.EnumMap;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    /** The grade letters with their lower bound. */
    private enum Grade {
        A(90), B(80), C(70), D(60), F(0);

        private final int lowerBound;

        Grade(int lowerBound) {
            this.lowerBound = lowerBound;
        }

        static Grade of(double average) {
            for (Grade g : values()) {
                if (average >= g.lowerBound) {
                    return g;
                }
            }
            throw new NoSuchElementException("no grade for " + average);
        }

        char letter() {
            return name().charAt(0);
        }
    }

    /** One parsed CSV row. */
    private record Row(String student, int points) {
        static Row fromLine(String text, int lineNumber) {
            String[] cells = text.split(",");
            if (cells.length != 2 || cells[0].isBlank()) {
                throw new IllegalArgumentException("line " + lineNumber + ": need exactly 'name,points'");
            }
            try {
                return new Row(cells[0].strip(), Integer.parseInt(cells[1].strip()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("line " + lineNumber + ": points must be an integer", ex);
            }
        }
    }

    private final SortedMap<String, IntSummaryStatistics> stats = new TreeMap<>();

    /**
     * Records one exam result for a student.
     *
     * @param student the name of the student
     * @param points  the points reached, between 0 and 100 (inclusive)
     * @throws IllegalArgumentException if points is not between 0 and 100
     */
    public void add(String student, int points) {
        if (points < 0 || points > 100) {
            throw new IllegalArgumentException("points out of range: " + points);
        }
        stats.computeIfAbsent(student, s -> new IntSummaryStatistics()).accept(points);
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        IntSummaryStatistics st = stats.get(student);
        if (st == null) {
            throw new IllegalArgumentException("unknown student " + student);
        }
        return st.getAverage();
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        // stats is sorted by name and max() of a stream keeps the LAST maximum,
        // so we use reduce and only replace the current one when strictly better
        return stats.entrySet().stream()
                .reduce((a, b) -> b.getValue().getAverage() > a.getValue().getAverage() ? b : a)
                .map(Map.Entry::getKey)
                .orElse(null);
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        return stats.entrySet().stream()
                .filter(e -> e.getValue().getAverage() < threshold)
                .map(Map.Entry::getKey)
                .collect(Collectors.toList());
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        EnumMap<Grade, Integer> perGrade = new EnumMap<>(Grade.class);
        stats.values().forEach(st -> perGrade.merge(Grade.of(st.getAverage()), 1, Integer::sum));
        Map<Character, Integer> out = new LinkedHashMap<>();
        perGrade.forEach((g, count) -> out.put(g.letter(), count));
        return out;
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        return stats.entrySet().stream()
                .map(e -> String.format("%s: avg=%.1f grade=%c n=%d%n",
                        e.getKey(),
                        e.getValue().getAverage(),
                        Grade.of(e.getValue().getAverage()).letter(),
                        e.getValue().getCount()))
                .collect(Collectors.joining());
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
        List<String> lines = csv.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            Row row = Row.fromLine(text, i + 1);
            if (row.points() < 0 || row.points() > 100) {
                throw new IllegalArgumentException("line " + (i + 1) + ": points out of range");
            }
            gb.add(row.student(), row.points());
        }
        return gb;
    }
}
