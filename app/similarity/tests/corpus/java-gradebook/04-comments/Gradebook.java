import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

// Gradebook.java
// Solution for the gradebook exercise.
// Uses a small helper class for each student.
public class Gradebook {
  // ---- helper class ----
  private static class Student {
    final String name;
    final List<Integer> scores = new ArrayList<>();  // every single result

    Student(String name) { this.name = name; }

    void addScore(int score) { scores.add(score); }

    // mean of the scores
    double getAverage() {
      double total = 0;
      for (Integer s : scores) { total += s; }
      return total / scores.size();
    }

    // A-F depending on the average
    char getGrade() {
      double avg = getAverage();
      if (avg >= 90) return 'A';
      else if (avg >= 80) return 'B';
      else if (avg >= 70) return 'C';
      else if (avg >= 60) return 'D';
      return 'F';
    }
  }

  // ---- data ----
  // name -> Student (insertion order, sorted later when needed)
  private final Map<String, Student> students = new LinkedHashMap<>();

  // ---- public methods ----

  // add one result, the student is created on first use
  public void add(String student, int points) {
    if (points < 0 || points > 100) { throw new IllegalArgumentException("Score out of range (0-100): " + points); }
    Student s = students.get(student);
    if (s == null) {
      s = new Student(student);
      students.put(student, s);
    }
    s.addScore(points);
  }

  // average of one student
  public double average(String student) {
    return find(student).getAverage();
  }

  // lookup that fails for unknown names
  private Student find(String name) {
    Student s = students.get(name);
    if (s == null) { throw new IllegalArgumentException("Unknown student '" + name + "'"); }
    return s;
  }

  // copy of all students, ordered by name
  private List<Student> byName() {
    List<Student> list = new ArrayList<>(students.values());
    list.sort(Comparator.comparing(st -> st.name));
    return list;
  }

  // highest average; for equal averages the smaller name wins
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

  // names of everybody with average < threshold
  public List<String> failing(int threshold) {
    List<String> failed = new ArrayList<>();
    for (Student s : byName()) {
      if (s.getAverage() < threshold) {
        failed.add(s.name);
      }
    }
    return failed;
  }

  // letter -> how many students
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

  // "name: avg=xx.x grade=X n=count" per student
  public String report() {
    StringBuilder out = new StringBuilder();
    for (Student s : byName()) {
      out.append(String.format("%s: avg=%.1f grade=%s n=%d",
          s.name, s.getAverage(), s.getGrade(), s.scores.size()));
      out.append(System.lineSeparator());
    }
    return out.toString();
  }

  // CSV reader, line numbers start at 1
  public static Gradebook parse(String csv) {
    Gradebook result = new Gradebook();
    String[] rows = csv.split("\r?\n");
    int lineNumber = 1;
    for (String row : rows) {
      String trimmed = row.trim();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        String[] cols = trimmed.split(",", -1);  // -1 keeps empty trailing columns
        if (cols.length != 2 || cols[0].isBlank()) { throw new IllegalArgumentException("Line " + lineNumber + ": expected 'name,points' but got '" + row + "'"); }
        int value;
        try {
          value = Integer.parseInt(cols[1].trim());
        } catch (NumberFormatException nfe) {
          throw new IllegalArgumentException("Line " + lineNumber + ": '" + cols[1] + "' is not a number");
        }
        if (value < 0 || value > 100) { throw new IllegalArgumentException("Line " + lineNumber + ": points must be 0-100"); }
        result.add(cols[0].trim(), value);
      }
      lineNumber++;
    }
    return result;
  }
}
