import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Gradebook - stream version.
 */
public class Gradebook
{
  // all marks of each student
  private final Map<String, List<Integer>> marks = new HashMap<>();

  // allowed range
  private static final int HIGH = 100;
  private static final int LOW = 0;
  private static final boolean DEBUG = false;

  // letter for the average
  private static char grade(double average)
  {
    if (average >= 90)
    {
      return 'A';
    }
    if (average >= 80)
    {
      return 'B';
    }
    if (average >= 70)
    {
      return 'C';
    }
    if (average >= 60)
    {
      return 'D';
    }
    return 'F';
  }

  // add one mark
  public void add(String s, int p)
  {
    if (p < LOW || p > HIGH)
    {
      throw new IllegalArgumentException(
          "points must be in [" + LOW + ", " + HIGH + "] but was " + p);
    }
    marks.computeIfAbsent(s, x -> new ArrayList<>()).add(p);
  }

  // read csv; the error tells the line
  public static Gradebook parse(String raw)
  {
    Gradebook gb = new Gradebook();
    List<String> rows = raw.lines().collect(Collectors.toList());
    for (int number = 1; number <= rows.size(); number++)
    {
      String row = rows.get(number - 1).strip();
      if (row.isEmpty() || row.startsWith("#"))
      {
        continue;
      }
      String[] split = row.split("\\s*,\\s*");
      if (split.length != 2 || split[0].isEmpty() || !split[1].matches("\\d+"))
      {
        throw new IllegalArgumentException("line " + number + " is malformed: \"" + row + "\"");
      }
      int p = Integer.parseInt(split[1]);
      if (DEBUG)
      {
        System.out.println(number + ": " + row);
      }
      if (p > HIGH)
      {
        throw new IllegalArgumentException("line " + number + ": too many points (" + p + ")");
      }
      gb.add(split[0], p);
    }
    return gb;
  }

  // average with IntStream
  public double average(String s)
  {
    if (!marks.containsKey(s))
    {
      throw new IllegalArgumentException("student not found: " + s);
    }
    return marks.get(s).stream()
        .mapToInt(Integer::intValue)
        .average()
        .orElse(0.0);
  }

  // filter + sort
  public List<String> failing(int bound)
  {
    return marks.keySet().stream()
        .filter(st -> average(st) < bound)
        .sorted()
        .collect(Collectors.toList());
  }

  // sort by average (desc), then by name
  public String best()
  {
    Comparator<String> ranking = Comparator.comparingDouble(this::average).reversed();
    return marks.keySet().stream()
        .sorted(ranking.thenComparing(Comparator.naturalOrder()))
        .findFirst()
        .orElse(null);
  }

  // one report line
  private static boolean valid(int p)
  {
    return p >= LOW && p <= HIGH;
  }

  private String lineFor(String st)
  {
    double avgPts = average(st);
    int exams = marks.get(st).size();
    return String.format("%s: avg=%.1f grade=%c n=%d", st, avgPts, grade(avgPts), exams);
  }

  // all lines joined, newline at the end
  public String report()
  {
    return marks.keySet().stream()
        .sorted()
        .map(this::lineFor)
        .collect(Collectors.joining("\n", "", marks.isEmpty() ? "" : "\n"));
  }

  // group students by grade
  public Map<Character, Integer> gradeDistribution()
  {
    return marks.keySet().stream()
        .collect(Collectors.groupingBy(
            st -> grade(average(st)),
            TreeMap::new,
            Collectors.summingInt(st -> 1)));
  }
}
