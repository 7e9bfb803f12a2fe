import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 *
 * @author Student 12
 */
public class Gradebook {

    // Here I save for every student the list with all of the points.
    // The key is the name of the student.
    private HashMap<String, ArrayList<Integer>> allPoints = new HashMap<String, ArrayList<Integer>>();

    // Records one exam result for a student.
    public void add(String student, int points) {
        // First check if the points are allowed.
        if (points < 0) {
            throw new IllegalArgumentException("The points can not be less than 0!");
        }
        if (points > 100) {
            throw new IllegalArgumentException("The points can not be more than 100!");
        }
        // Now get the list of the student, or make a new one.
        ArrayList<Integer> pointList;
        if (allPoints.containsKey(student)) {
            pointList = allPoints.get(student);
        } else {
            pointList = new ArrayList<Integer>();
        }
        pointList.add(points);
        allPoints.put(student, pointList);
    }

    // Computes the average of all results of one student.
    public double average(String student) {
        // Check if we know the student.
        if (allPoints.containsKey(student) == false) {
            throw new IllegalArgumentException("The student " + student + " is not in the gradebook!");
        }
        ArrayList<Integer> pointList = allPoints.get(student);
        // Add all points together.
        double total = 0.0;
        Iterator<Integer> it = pointList.iterator();
        while (it.hasNext()) {
            total = total + it.next();
        }
        // Divide by the number of results.
        double result = total / pointList.size();
        return result;
    }

    // Gives back all student names in alphabetical order as an array.
    private String[] getSortedNames() {
        String[] namesArray = allPoints.keySet().toArray(new String[0]);
        Arrays.sort(namesArray);
        return namesArray;
    }

    // Finds the student with the highest average. When two students have the
    // same average, the alphabetically first one wins. Returns null when empty.
    public String best() {
        String[] namesArray = getSortedNames();
        // If there is no student we give back null.
        if (namesArray.length == 0) {
            return null;
        }
        String bestStudent = namesArray[0];
        double bestAverage = average(namesArray[0]);
        for (int i = 1; i < namesArray.length; i++) {
            double currentAverage = average(namesArray[i]);
            // Only if it is really bigger, so a tie keeps the earlier name.
            if (currentAverage > bestAverage) {
                bestAverage = currentAverage;
                bestStudent = namesArray[i];
            }
        }
        return bestStudent;
    }

    // Lists all students whose average is below the given threshold.
    public List<String> failing(int threshold) {
        List<String> failingStudents = new ArrayList<String>();
        String[] namesArray = getSortedNames();
        for (int i = 0; i < namesArray.length; i++) {
            double currentAverage = average(namesArray[i]);
            if (currentAverage < threshold) {
                failingStudents.add(namesArray[i]);
            }
        }
        return failingStudents;
    }

    // Gives the grade letter for an average.
    private String getGrade(double averagePoints) {
        String grade = "";
        if (averagePoints >= 90 && averagePoints <= 100) {
            grade = "A";
        } else if (averagePoints >= 80 && averagePoints < 90) {
            grade = "B";
        } else if (averagePoints >= 70 && averagePoints < 80) {
            grade = "C";
        } else if (averagePoints >= 60 && averagePoints < 70) {
            grade = "D";
        } else {
            grade = "F";
        }
        return grade;
    }

    // Counts how many students got each grade letter.
    public Map<Character, Integer> gradeDistribution() {
        Map<Character, Integer> distribution = new HashMap<Character, Integer>();
        // Go through all the students.
        for (String name : allPoints.keySet()) {
            String grade = getGrade(average(name));
            char letter = grade.charAt(0);
            // If the letter is not there yet, start with 0.
            if (distribution.get(letter) == null) {
                distribution.put(letter, 0);
            }
            int oldCount = distribution.get(letter);
            distribution.put(letter, oldCount + 1);
        }
        return distribution;
    }

    // Builds a report with one line per student, sorted by name.
    // Format: name: avg=xx.x grade=X n=count
    public String report() {
        String report = "";
        String[] namesArray = getSortedNames();
        for (int i = 0; i < namesArray.length; i++) {
            String name = namesArray[i];
            double avg = average(name);
            String avgText = String.format("%.1f", avg);
            String grade = getGrade(avg);
            int count = allPoints.get(name).size();
            report = report + name + ": avg=" + avgText + " grade=" + grade + " n=" + count + "\n";
        }
        return report;
    }

    // Reads a gradebook from CSV text. Every line is "name,points".
    // Blank lines and lines starting with # are ignored.
    // A wrong line gives an IllegalArgumentException with the line number.
    public static Gradebook parse(String csv) {
        Gradebook newBook = new Gradebook();
        BufferedReader reader = new BufferedReader(new StringReader(csv));
        int lineNumber = 0;
        try {
            String line = reader.readLine();
            while (line != null) {
                lineNumber = lineNumber + 1;
                line = line.trim();
                // Skip the empty lines and the comment lines.
                if (line.length() > 0 && line.startsWith("#") == false) {
                    String[] parts = line.split(",");
                    // There must be exactly a name and the points.
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("Line " + lineNumber + " is wrong: " + line);
                    }
                    String name = parts[0].trim();
                    int points = 0;
                    try {
                        points = Integer.parseInt(parts[1].trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("Line " + lineNumber + " has no valid number: " + line);
                    }
                    if (points < 0 || points > 100 || name.length() == 0) {
                        throw new IllegalArgumentException("Line " + lineNumber + " is wrong: " + line);
                    }
                    newBook.add(name, points);
                }
                line = reader.readLine();
            }
            reader.close();
        } catch (IOException e) {
            // This can not really happen with a StringReader.
            throw new RuntimeException(e);
        }
        return newBook;
    }
}
