import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gradebook that just stores every mark in one big list.
 */
public class Gradebook {
  private List<Mark> marks = new ArrayList<>();  // in insertion order

  /** student + points of one exam */
  private static class Mark {
    String student;
    int value;

    Mark(String student, int value) {
      this.student = student;
      this.value = value;
    }
  }

  /** sorted set of the names */
  private Set<String> distinctNames() {
    Set<String> sorted = new TreeSet<>();
    for (Mark m : marks) {
      sorted.add(m.student);
    }
    return sorted;
  }

  /** how many exams */
  private int count(String name) {
    int k = 0;
    for (Mark m : marks) {
      if (m.student.equals(name)) {
        k++;
      }
    }
    return k;
  }

  /** adds a mark after checking the range */
  public void add(String name, int score) {
    if (score < 0) {
      throw new IllegalArgumentException("negative points are not allowed");
    }
    if (score > 100) {
      throw new IllegalArgumentException("more than 100 points are not allowed");
    }
    marks.add(new Mark(name, score));
  }

  /** report, one line per name */
  public String report() {
    List<String> parts = new ArrayList<>();
    for (String nm : distinctNames()) {
      double av = average(nm);
      parts.add(nm + ": avg=" + String.format("%.1f", av) + " grade=" + gradeFor(av) + " n=" + count(nm));
    }
    if (parts.isEmpty()) {
      return "";
    }
    return String.join("\n", parts) + "\n";
  }

  /** A/B/C/D/F */
  private static char gradeFor(double av) {
    char c;
    if (av >= 90) {
      c = 'A';
    } else if (av >= 80) {
      c = 'B';
    } else if (av >= 70) {
      c = 'C';
    } else if (av >= 60) {
      c = 'D';
    } else {
      c = 'F';
    }
    return c;
  }

  /** grade histogram */
  public Map<Character, Integer> gradeDistribution() {
    Map<Character, Integer> hist = new HashMap<>();
    int seen = 0;
    for (String nm : distinctNames()) {
      char c = gradeFor(average(nm));
      hist.merge(c, 1, (a, b) -> a + b);
    }
    return hist;
  }

  /** average, exception if nobody has that name */
  public double average(String name) {
    int tot = 0;
    int k = 0;
    for (Mark m : marks) {
      if (m.student.equals(name)) {
        tot += m.value;
        k++;
      }
    }
    if (k == 0) {
      throw new IllegalArgumentException("there is no student called " + name);
    }
    return tot / (double) k;
  }

  /** parse "name,points" lines */
  public static Gradebook parse(String str) {
    Gradebook res = new Gradebook();
    int i = 0;
    for (String text : str.split("\n", -1)) {
      i++;
      String s = text.trim();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      String[] pair = s.split(",", 2);
      boolean debug = false;
      if (debug) {
        System.out.println(pair.length);
      }
      if (pair.length < 2 || pair[0].trim().isEmpty()) {
        throw new IllegalArgumentException("line " + i + ": missing comma or name");
      }
      try {
        res.add(pair[0].trim(), Integer.parseInt(pair[1].trim()));
      } catch (NumberFormatException exc) {
        throw new IllegalArgumentException("line " + i + ": points are not a number");
      } catch (IllegalArgumentException exc) {
        throw new IllegalArgumentException("line " + i + ": " + exc.getMessage());
      }
    }
    return res;
  }

  /** best average, on a tie the first name */
  public String best() {
    List<String> byName = new ArrayList<>(distinctNames());
    String winner = null;

    int pos = byName.size() - 1;
    while (pos >= 0) {
      String nm = byName.get(pos);
      if (winner == null || average(nm) >= average(winner)) {
        winner = nm;
      }
      pos--;
    }
    return winner;
  }

  /** names under the minimum */
  public List<String> failing(int minimum) {
    List<String> out = new ArrayList<>(distinctNames());
    out.removeIf(nm -> average(nm) >= minimum);
    return out;
  }
}
