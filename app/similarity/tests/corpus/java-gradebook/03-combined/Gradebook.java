import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

/*
 * Gradebook
 * -----------
 * parallel lists: people / sums / exams, same index = same person
 */
public class Gradebook {
  /* sorts the names A-Z, in place */
  private void selectionSort(ArrayList<String> out) {
    for (int n = 0; n < out.size() - 1; n++) {
      int lowest = n;
      for (int k = n + 1; k < out.size(); k++) {
        if (out.get(k).compareTo(out.get(lowest)) < 0) {
          lowest = k;
        }
      }
      String t = out.get(n);
      out.set(n, out.get(lowest));
      out.set(lowest, t);
    }
  }

  /* grade from the mean */
  private char gradeLetter(double m) {
    if (m >= 90) return 'A';
    if (m >= 80) return 'B';
    if (m >= 70) return 'C';
    if (m >= 60) return 'D';
    return 'F';
  }

  /* the data */
  private ArrayList<String> people = new ArrayList<String>();
  private ArrayList<Integer> sums = new ArrayList<Integer>();
  private ArrayList<Integer> exams = new ArrayList<Integer>();
  private int maxPeople = 1000;

  /* csv -> gradebook, line numbers in the error messages */
  public static Gradebook parse(String data) {
    Gradebook g2 = new Gradebook();
    Scanner in = new Scanner(data);
    int num = 0;
    while (in.hasNextLine()) {
      String str = in.nextLine().trim();
      num++;
      if (str.length() == 0 || str.startsWith("#")) {
        continue;
      }
      String[] split = str.split(",");  /* name and points */
      if (split.length != 2) {
        in.close();
        throw new IllegalArgumentException("Error in line " + num + ": expected name,points");
      }
      try {
        int val = Integer.parseInt(split[1].trim());
        g2.add(split[0].trim(), val);
      } catch (IllegalArgumentException err) {
        in.close();
        throw new IllegalArgumentException("Error in line " + num + ": " + err.getMessage());
      }
    }
    in.close();
    return g2;
  }

  /* new person gets appended, known person gets updated */
  public void add(String person, int amount) {
    if (amount < 0 || amount > 100) {
      throw new IllegalArgumentException("Points have to be in 0..100");
    }
    int i2 = people.indexOf(person);
    if (i2 == -1) {
      people.add(person);
      sums.add(amount);
      exams.add(1);
    } else {
      sums.set(i2, sums.get(i2) + amount);
      exams.set(i2, exams.get(i2) + 1);
    }
  }

  /* mean at index */
  private double meanAt(int i2) {
    return sums.get(i2) * 1.0 / exams.get(i2);
  }

  /* mean by name */
  public double average(String person) {
    int i2 = people.indexOf(person);
    if (i2 == -1) {
      throw new IllegalArgumentException("Student " + person + " does not exist");
    }
    return meanAt(i2);
  }

  /* one line per person, alphabetical */
  public String report() {
    ArrayList<String> alpha = new ArrayList<String>(people);
    selectionSort(alpha);
    String res = "";
    for (String p : alpha) {
      int i2 = people.indexOf(p);
      double m = meanAt(i2);
      double r = Math.round(m * 10) / 10.0;
      if (r < 0) {
        r = 0;
      }
      res = res + p + ": avg=" + r + " grade=" + gradeLetter(m) + " n=" + exams.get(i2) + "\n";
    }
    return res;
  }

  /* count per grade letter */
  public Map<Character, Integer> gradeDistribution() {
    HashMap<Character, Integer> freq = new HashMap<Character, Integer>();
    for (int n = 0; n < people.size(); n++) {
      char g = gradeLetter(meanAt(n));
      freq.put(g, freq.getOrDefault(g, 0) + 1);
    }
    return freq;
  }

  /* highest mean, ties -> smaller name */
  public String best() {
    if (people.size() == 0) {
      return null;
    }
    int winner = 0;
    for (int n = 1; n < people.size(); n++) {
      double x = meanAt(n);
      double y = meanAt(winner);
      if (x > y || (x == y && people.get(n).compareTo(people.get(winner)) < 0)) {
        winner = n;
      }
    }
    return people.get(winner);
  }

  /* everybody under the threshold */
  public List<String> failing(int threshold) {
    ArrayList<String> out = new ArrayList<String>();
    for (int n = 0; n < people.size(); n++) {
      if (meanAt(n) < threshold) {
        out.add(people.get(n));
      }
    }
    selectionSort(out);
    return out;
  }
}
