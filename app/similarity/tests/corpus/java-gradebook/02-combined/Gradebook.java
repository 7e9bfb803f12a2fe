import java.util.*;

// ==========================================
// Exam gradebook
// every name has an int[2]:
//   [0] = sum of all points
//   [1] = number of exams
// ===========================================
public class Gradebook
{
  private final TreeMap<String, int[]> table = new TreeMap<>();  // sorted map
  private static final boolean TRACE = false;

  // A..F
  private static char grade(double avg)
  {
    return avg >= 90 ? 'A' : avg >= 80 ? 'B' : avg >= 70 ? 'C' : avg >= 60 ? 'D' : 'F';
  }

  // throws for unknown names
  public double average(String who)
  {
    int[] slot = table.get(who);
    if (slot == null) throw new IllegalArgumentException("No such student: " + who);
    return slot[0] / (double) slot[1];
  }

  // stores one exam, 0..100 only
  // (a new student gets a fresh int[2])
  public void add(String who, int score)
  {
    if (score < 0 || score > 100)
      throw new IllegalArgumentException("Invalid points: " + score);
    int[] slot = table.computeIfAbsent(who, unused -> new int[2]);
    slot[0] += score;
    slot[1]++;
    if (TRACE) System.out.println("added " + who);
  }

  // start every letter at zero, then count
  public Map<Character, Integer> gradeDistribution()
  {
    Map<Character, Integer> dist = new LinkedHashMap<>();
    for (char letter : "ABCDF".toCharArray()) dist.put(letter, 0);
    for (String n : table.keySet()) dist.merge(grade(average(n)), 1, Integer::sum);
    return dist;
  }

  // best student; the map is sorted, so on a tie
  // the first name in the alphabet is kept
  public String best()
  {
    String top = null;
    for (String n : table.keySet())
      if (top == null || average(n) > average(top)) top = n;
    return top;
  }

  // reads the csv text
  //  - one "name,points" per line
  //  - empty lines are skipped
  //  - lines with # at the start are comments
  // errors contain the line number
  public static Gradebook parse(String content)
  {
    Gradebook gb = new Gradebook();
    int lineNumber = 0;
    for (String l : content.split("\\R"))
    {
      lineNumber++;
      l = l.strip();
      if (l.isEmpty() || l.charAt(0) == '#') continue;
      int idx = l.indexOf(',');  // position of the separator
      if (idx <= 0 || idx != l.lastIndexOf(','))
        throw new IllegalArgumentException("Line " + lineNumber + " is malformed: " + l);
      String who = l.substring(0, idx).strip();
      try
      {
        gb.add(who, Integer.parseInt(l.substring(idx + 1).strip()));
      }
      catch (IllegalArgumentException problem)
      {
        throw new IllegalArgumentException("Line " + lineNumber + ": " + problem.getMessage());
      }
    }
    return gb;
  }

  // students with an average below min
  // (avoids floating point: sum < min * count)
  public List<String> failing(int min)
  {
    List<String> list = new ArrayList<>();
    int size = table.size();
    for (Map.Entry<String, int[]> it : table.entrySet())
    {
      int[] slot = it.getValue();
      if (slot[0] < (long) min * slot[1]) list.add(it.getKey());
    }
    return list;
  }

  // builds the whole report as one string
  public String report()
  {
    String result = "";
    for (String n : table.keySet())
    {
      double avg = average(n);
      result += String.format(Locale.ROOT, "%s: avg=%.1f grade=%c n=%d%n", n, avg, grade(avg), table.get(n)[1]);
    }
    return result;
  }
}
