import java.util.List;
import java.util.Map;

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
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Computes the average of all results of one student.
     *
     * @param student the name of the student
     * @return the average points of that student
     * @throws IllegalArgumentException if the student is unknown
     */
    public double average(String student) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Finds the student with the highest average. If several students have
     * the same average, the one whose name comes first alphabetically wins.
     *
     * @return the name of the best student, or null if there are no results
     */
    public String best() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Lists all students whose average is below the given threshold.
     *
     * @param threshold the minimum average needed to pass
     * @return the names of the failing students, sorted by name
     */
    public List<String> failing(int threshold) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Counts how many students got each grade letter. The grade of a student
     * is computed from the average: A >= 90, B >= 80, C >= 70, D >= 60,
     * F otherwise.
     *
     * @return a map from grade letter to the number of students with it
     */
    public Map<Character, Integer> gradeDistribution() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Builds a report with one line per student, sorted by name, in the
     * format {@code name: avg=xx.x grade=X n=count}.
     *
     * @return the report
     */
    public String report() {
        throw new UnsupportedOperationException("TODO");
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
        throw new UnsupportedOperationException("TODO");
    }
}
