import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Scanner;

/**
 * Exam results of a course.
 * <p>
 * The data is stored in three lists. The same index in every list
 * belongs to the same student.
 * </p>
 */
public class Gradebook
{
	private ArrayList<String> names = new ArrayList<String>();  // student names
	private ArrayList<Integer> totals = new ArrayList<Integer>();  // sum of points
	private ArrayList<Integer> counts = new ArrayList<Integer>();  // number of exams

	/**
	 * Adds points for a student, creates the student if needed.
	 */
	public void add(String student, int points)
	{
		if (points < 0 || points > 100)
		{
			throw new IllegalArgumentException("Points have to be in 0..100");
		}
		int idx = names.indexOf(student);
		if (idx == -1)
		{
			// not found -> append at the end of all three lists
			names.add(student);
			totals.add(points);
			counts.add(1);
		}
		else
		{
			totals.set(idx, totals.get(idx) + points);
			counts.set(idx, counts.get(idx) + 1);
		}
	}

	/**
	 * @return average points of the student
	 */
	public double average(String student)
	{
		int idx = names.indexOf(student);
		if (idx == -1)
		{
			throw new IllegalArgumentException("Student " + student + " does not exist");
		}
		return averageAt(idx);
	}

	/** average by position instead of by name */
	private double averageAt(int idx)
	{
		return totals.get(idx) * 1.0 / counts.get(idx);
	}

	/**
	 * @return student with maximum average (alphabetical on a tie) or null
	 */
	public String best()
	{
		if (names.size() == 0)
		{
			return null;
		}
		int bestIdx = 0;  // start with the first one
		for (int i = 1; i < names.size(); i++)
		{
			double a = averageAt(i);
			double b = averageAt(bestIdx);
			if (a > b || (a == b && names.get(i).compareTo(names.get(bestIdx)) < 0))
			{
				bestIdx = i;
			}
		}
		return names.get(bestIdx);
	}

	/**
	 * @return sorted list of students below the threshold
	 */
	public List<String> failing(int threshold)
	{
		ArrayList<String> list = new ArrayList<String>();
		for (int i = 0; i < names.size(); i++)
		{
			if (averageAt(i) < threshold)
			{
				list.add(names.get(i));
			}
		}
		sort(list);
		return list;
	}

	/**
	 * @return for each grade letter how often it occurs
	 */
	public Map<Character, Integer> gradeDistribution()
	{
		HashMap<Character, Integer> map = new HashMap<Character, Integer>();
		for (int i = 0; i < names.size(); i++)
		{
			char c = grade(averageAt(i));
			map.put(c, map.getOrDefault(c, 0) + 1);
		}
		return map;
	}

	/**
	 * @return text with one line for every student
	 */
	public String report()
	{
		ArrayList<String> sorted = new ArrayList<String>(names);
		sort(sorted);
		String text = "";
		for (String s : sorted)
		{
			int idx = names.indexOf(s);
			double avg = averageAt(idx);

			double rounded = Math.round(avg * 10) / 10.0;  // e.g. 87.25 -> 87.3
			text = text + s + ": avg=" + rounded + " grade=" + grade(avg) + " n=" + counts.get(idx) + "\n";
		}
		return text;
	}

	/**
	 * Reads "name,points" lines.
	 * @throws IllegalArgumentException with the line number for a bad line
	 */
	public static Gradebook parse(String csv)
	{
		Gradebook gb = new Gradebook();
		Scanner sc = new Scanner(csv);
		int lineNr = 0;
		while (sc.hasNextLine())
		{
			String line = sc.nextLine().trim();
			lineNr++;  // counts blank lines too
			if (line.length() == 0 || line.startsWith("#"))
			{
				continue;
			}
			String[] fields = line.split(",");
			if (fields.length != 2)
			{
				sc.close();
				throw new IllegalArgumentException("Error in line " + lineNr + ": expected name,points");
			}
			try
			{
				int p = Integer.parseInt(fields[1].trim());
				gb.add(fields[0].trim(), p);
			}
			catch (IllegalArgumentException e)
			{
				sc.close();
				throw new IllegalArgumentException("Error in line " + lineNr + ": " + e.getMessage());
			}
		}
		sc.close();
		return gb;
	}

	/** grade letter */
	private char grade(double avg)
	{
		if (avg >= 90) return 'A';
		if (avg >= 80) return 'B';
		if (avg >= 70) return 'C';
		if (avg >= 60) return 'D';
		return 'F';
	}

	/** selection sort (we did this in the lecture) */
	private void sort(ArrayList<String> list)
	{
		for (int i = 0; i < list.size() - 1; i++)
		{
			int min = i;
			for (int j = i + 1; j < list.size(); j++)
			{
				if (list.get(j).compareTo(list.get(min)) < 0)
				{
					min = j;
				}
			}
			String tmp = list.get(i);
			list.set(i, list.get(min));
			list.set(min, tmp);
		}
	}
}
