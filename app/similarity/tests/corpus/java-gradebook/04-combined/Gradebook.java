import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * Gradebook: one Person object per student.
 */
public class Gradebook
{
    private final Map<String, Person> people = new LinkedHashMap<>();  // keeps insertion order

    // a student and the list of points
    private static class Person
    {
        final String id;
        final List<Integer> points = new ArrayList<>();

        Person(String id)
        {
            this.id = id;
        }

        void put(int p)
        {
            points.add(p);
        }

        boolean isEmpty()
        {
            return points.isEmpty();
        }

        // average points
        double avg()
        {
            double sum = 0;
            for (Integer q : points)
            {
                sum += q;
            }
            return sum / points.size();
        }

        // letter grade
        char grade()
        {
            double a = avg();
            if (a >= 90) return 'A';
            else if (a >= 80) return 'B';
            else if (a >= 70) return 'C';
            else if (a >= 60) return 'D';
            return 'F';
        }
    }

    // adds the points; a new Person is created if needed
    public void add(String who, int pts)
    {
        if (pts < 0 || pts > 100)
        {
            throw new IllegalArgumentException("Score out of range (0-100): " + pts);
        }
        Person q = people.get(who);
        if (q == null)
        {
            q = new Person(who);
            people.put(who, q);
        }
        q.put(pts);
    }

    // average of the given student
    public double average(String who)
    {
        return get(who).avg();
    }

    // exception for unknown students
    private Person get(String id)
    {
        Person q = people.get(id);
        if (q == null)
        {
            throw new IllegalArgumentException("Unknown student '" + id + "'");
        }
        return q;
    }

    // report sorted by id
    public String report()
    {
        StringBuilder buf = new StringBuilder();
        for (Person q : alphabetical())
        {
            buf.append(String.format("%s: avg=%.1f grade=%s n=%d",
                    q.id, q.avg(), q.grade(), q.points.size()));
            buf.append(System.lineSeparator());
        }
        return buf.toString();
    }

    // people sorted by name
    private List<Person> alphabetical()
    {
        List<Person> l = new ArrayList<>(people.values());
        l.sort(Comparator.comparing(o -> o.id));
        return l;
    }

    // histogram of grades
    public Map<Character, Integer> gradeDistribution()
    {
        Map<Character, Integer> hist = new HashMap<>();
        Collection<Person> values = people.values();
        for (Person q : values)
        {
            Character k = q.grade();
            Integer n = hist.get(k);
            hist.put(k, n == null ? 1 : n + 1);
        }
        return hist;
    }

    // all people below the cutoff
    public List<String> failing(int cutoff)
    {
        List<String> res = new ArrayList<>();
        for (Person q : alphabetical())
        {
            if (q.avg() < cutoff)
            {
                res.add(q.id);
            }
        }
        return res;
    }

    // person with the best average
    public String best()
    {
        Person best = null;
        for (Person q : people.values())
        {
            if (best == null
                    || q.avg() > best.avg()
                    || (q.avg() == best.avg() && q.id.compareTo(best.id) < 0))
            {
                best = q;
            }
        }
        return best == null ? null : best.id;
    }

    // parse csv text, one result per line
    public static Gradebook parse(String in)
    {
        Gradebook gb = new Gradebook();
        String[] lines = in.split("\r?\n");
        int ln = 1;
        int skipped = 0;
        for (String original : lines)
        {
            String t = original.trim();
            if (!t.isEmpty() && !t.startsWith("#"))
            {
                String[] p2 = t.split(",", -1);
                if (p2.length != 2 || p2[0].isBlank())
                {
                    throw new IllegalArgumentException("Line " + ln + ": expected 'name,points' but got '" + original + "'");
                }
                int num;
                try
                {
                    num = Integer.parseInt(p2[1].trim());
                }
                catch (NumberFormatException e)
                {
                    throw new IllegalArgumentException("Line " + ln + ": '" + p2[1] + "' is not a number");
                }
                if (num < 0 || num > 100)
                {
                    throw new IllegalArgumentException("Line " + ln + ": points must be 0-100");
                }
                gb.add(p2[0].trim(), num);
            }
            ln++;
        }
        return gb;
    }
}
