import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/* Gradebook - homework */
public class Gradebook
{
	private TreeMap<String, ArrayList<Integer>> map;  /* sorted by name */

	public Gradebook()
	{
		map = new TreeMap<String, ArrayList<Integer>>();
	}

	/* 0-59 F, 60-69 D, 70-79 C, 80-89 B, 90-100 A */
	private static char toGrade(double a)
	{
		return "FFFFFFDCBAA".charAt((int) a / 10);
	}

	/* sum of a list */
	private static int total(List<Integer> p)
	{
		int t = 0;
		for (int k = 0; k < p.size(); k++)
		{
			t = t + p.get(k);
		}
		return t;
	}

	/* one result */
	public void add(String who, int amount)
	{
		if (amount > 100 || amount < 0)
		{
			throw new IllegalArgumentException("Invalid points -> " + amount);
		}
		if (!map.containsKey(who))
		{
			map.put(who, new ArrayList<Integer>());
		}
		map.get(who).add(amount);
	}

	/* csv parser */
	public static Gradebook parse(String input)
	{
		Gradebook g = new Gradebook();
		String[] lines = input.split("\n");
		int row = 0;
		int added = 0;
		for (String str : lines)
		{
			row = row + 1;
			str = str.trim();
			if (str.equals("") || str.charAt(0) == '#')
			{
				continue;
			}
			String[] fields = str.split(",");
			boolean ok = fields.length == 2
					&& !fields[0].trim().equals("")
					&& fields[1].trim().matches("[0-9]{1,3}");
			if (!ok)
			{
				throw new IllegalArgumentException("Invalid input in line " + row + " -> " + str);
			}
			int p = Integer.valueOf(fields[1].trim());
			if (p > 100)
			{
				throw new IllegalArgumentException("Invalid points in line " + row + " -> " + p);
			}
			g.add(fields[0].trim(), p);
		}
		return g;
	}

	/* every letter is in the map, even with 0 */
	public Map<Character, Integer> gradeDistribution()
	{
		HashMap<Character, Integer> count = new HashMap<Character, Integer>();
		count.put('A', 0);
		count.put('B', 0);
		count.put('C', 0);
		count.put('D', 0);
		count.put('F', 0);
		for (String name : map.keySet())
		{
			char c = toGrade(average(name));
			count.put(c, count.get(c) + 1);
		}
		return count;
	}

	/* average of one student */
	public double average(String who)
	{
		ArrayList<Integer> p = map.get(who);
		if (p == null)
		{
			throw new IllegalArgumentException("Invalid student -> " + who);
		}
		return total(p) / (double) p.size();
	}

	/* report in alphabetical order */
	public String report()
	{
		String sep = System.lineSeparator();
		StringBuilder builder = new StringBuilder();
		for (Map.Entry<String, ArrayList<Integer>> en : map.entrySet())
		{
			double a = total(en.getValue()) / (double) en.getValue().size();
			builder.append(en.getKey() + ": avg=" + String.format("%.1f", a)
					+ " grade=" + toGrade(a) + " n=" + en.getValue().size() + sep);
		}
		return builder.toString();
	}

	/* student with the highest average */
	public String best()
	{
		if (map.isEmpty())
		{
			return null;
		}
		String top = map.firstKey();
		String second = null;
		double topAvg = average(top);
		for (String name : map.keySet())
		{
			if (average(name) > topAvg)
			{
				topAvg = average(name);
				top = name;
			}
		}
		return top;
	}

	/* below the limit */
	private static boolean inRange(int p)
	{
		return p >= 0 && p <= 100;
	}

	public List<String> failing(int limit)
	{
		ArrayList<String> failed = new ArrayList<String>();
		for (String name : map.keySet())
		{
			if (average(name) < limit)
			{
				failed.add(name);
			}
		}
		return failed;
	}
}
