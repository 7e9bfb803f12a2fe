import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/*
 * Gradebook - exercise sheet 7
 * stores points per student and computes averages, grades and a report
 */
public class Gradebook
{
  // key = student name, value = all points of this student
  private final Map<String, List<Integer>> results = new HashMap<>();

  /*
   * adds a single exam result
   * throws an exception for invalid points
   */
  public void add(String student, int points)
  {
    if (points < 0 || points > 100)
    {
      throw new IllegalArgumentException("points must be between 0 and 100, got " + points);
    }
    List<Integer> list = results.get(student);  // may be null for a new student
    if (list == null)
    {
      list = new ArrayList<>();
      results.put(student, list);
    }
    list.add(points);
  }

  /* mean of all the results of the given student */
  public double average(String student)
  {
    List<Integer> list = results.get(student);
    if (list == null)
    {
      throw new IllegalArgumentException("unknown student: " + student);
    }
    int sum = 0;
    // add up all points
    for (int p : list)
    {
      sum += p;
    }
    return (double) sum / list.size();
  }

  /* best average wins, on a tie the name that is first in the alphabet */
  public String best()
  {
    String bestName = null;
    double bestAvg = -1;  // lower than any possible average
    for (String name : sortedNames())
    {
      double avg = average(name);
      if (avg > bestAvg)  // not >=, otherwise a later name would win a tie
      {
        bestAvg = avg;
        bestName = name;
      }
    }
    return bestName;
  }

  /* all students with an average under the threshold (alphabetical) */
  public List<String> failing(int threshold)
  {
    List<String> result = new ArrayList<>();
    for (String name : sortedNames())
    {
      if (average(name) < threshold)
      {
        result.add(name);
      }
    }
    return result;
  }

  /* how many students have which grade */
  public Map<Character, Integer> gradeDistribution()
  {
    Map<Character, Integer> dist = new TreeMap<>();
    for (String name : results.keySet())
    {
      char g = gradeFor(average(name));
      if (dist.containsKey(g))
      {
        dist.put(g, dist.get(g) + 1);
      }
      else
      {
        dist.put(g, 1);
      }
    }
    return dist;
  }

  /* report line format: name: avg=xx.x grade=X n=count */
  public String report()
  {
    StringBuilder sb = new StringBuilder();
    for (String name : sortedNames())
    {
      double avg = average(name);
      sb.append(name)
        .append(": avg=").append(String.format("%.1f", avg))
        .append(" grade=").append(gradeFor(avg))
        .append(" n=").append(results.get(name).size())
        .append("\n");
    }
    return sb.toString();
  }

  /*
   * parses text with one "name,points" per line,
   * skips empty lines and comments (#)
   */
  public static Gradebook parse(String csv)
  {
    Gradebook book = new Gradebook();
    String[] lines = csv.split("\n");
    for (int i = 0; i < lines.length; i++)
    {
      String line = lines[i].trim();  // i + 1 is the line number for error messages
      if (line.isEmpty() || line.startsWith("#"))
      {
        continue;
      }
      String[] parts = line.split(",");
      if (parts.length != 2 || parts[0].trim().isEmpty())
      {
        throw new IllegalArgumentException("malformed line " + (i + 1) + ": " + line);
      }
      int points;
      try
      {
        // second column has to be a number
        points = Integer.parseInt(parts[1].trim());
      }
      catch (NumberFormatException e)
      {
        throw new IllegalArgumentException("malformed line " + (i + 1) + ": " + line);
      }
      if (points < 0 || points > 100)
      {
        throw new IllegalArgumentException("points out of range in line " + (i + 1));
      }
      book.add(parts[0].trim(), points);
    }
    return book;
  }

  /* helper: student names sorted alphabetically */
  private List<String> sortedNames()
  {
    List<String> names = new ArrayList<>(results.keySet());
    Collections.sort(names);
    return names;
  }

  /* helper: average -> letter */
  private static char gradeFor(double avg)
  {
    if (avg >= 90)
    {
      return 'A';
    }
    else if (avg >= 80)
    {
      return 'B';
    }
    else if (avg >= 70)
    {
      return 'C';
    }
    else if (avg >= 60)
    {
      return 'D';
    }
    else
    {
      return 'F';
    }
  }
}
