import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gradebook assignment.
 * Points of every student are kept in a list inside a hash map.
 */
public class Gradebook {
	/** name -> points */
	private final Map<String, List<Integer>> grades = new HashMap<>();
	private int version = 0;

	/** grade letter for a mean value */
	private static char letterOf(double mean) {
		if (mean >= 90) {
			return 'A';
		} else if (mean >= 80) {
			return 'B';
		} else if (mean >= 70) {
			return 'C';
		} else if (mean >= 60) {
			return 'D';
		} else {
			return 'F';
		}
	}

	/** all keys, A-Z */
	private List<String> alphabetical() {
		List<String> keys = new ArrayList<>(grades.keySet());
		Collections.sort(keys);
		return keys;
	}

	/**
	 * Stores one result.
	 * @param name student
	 * @param pts points (0..100)
	 */
	public void add(String name, int pts) {
		if (pts < 0 || pts > 100) {
			throw new IllegalArgumentException("points must be between 0 and 100, got " + pts);
		}
		List<Integer> marks = grades.get(name);
		if (marks == null) {
			marks = new ArrayList<>();
			grades.put(name, marks);
		}
		marks.add(pts);
	}

	/** @return student with the top mean, or null */
	public String best() {
		String leader = null;
		double leaderAvg = -1;
		for (String n : alphabetical()) {
			double mean = average(n);
			if (mean > leaderAvg) {  // strictly greater -> earlier name stays on ties
				leaderAvg = mean;
				leader = n;
			}
		}
		return leader;
	}

	/** @return mean of the points of the student */
	public double average(String name) {
		List<Integer> marks = grades.get(name);
		if (marks == null) {
			throw new IllegalArgumentException("unknown student: " + name);
		}
		int acc = 0;
		int max = Integer.MIN_VALUE;
		for (int x : marks) {
			acc += x;
		}
		return (double) acc / marks.size();
	}

	/** @return the report text, sorted by name */
	public String report() {
		StringBuilder out = new StringBuilder();
		for (String n : alphabetical()) {
			double mean = average(n);
			out.append(n)
			  .append(": avg=").append(String.format("%.1f", mean))
			  .append(" grade=").append(letterOf(mean))
			  .append(" n=").append(grades.get(n).size())
			  .append("\n");
		}
		return out.toString();
	}

	/** @return names with mean below minimum */
	public List<String> failing(int minimum) {
		List<String> failed = new ArrayList<>();
		for (String n : alphabetical()) {
			if (average(n) < minimum) {
				failed.add(n);
			}
		}
		return failed;
	}

	/** @return grade -> number of students */
	public Map<Character, Integer> gradeDistribution() {
		Map<Character, Integer> histogram = new TreeMap<>();
		for (String n : grades.keySet()) {
			char ch = letterOf(average(n));
			if (histogram.containsKey(ch)) {
				histogram.put(ch, histogram.get(ch) + 1);
			} else {
				histogram.put(ch, 1);
			}
		}
		return histogram;
	}

	/**
	 * Parses the csv format (name,points per line).
	 * @throws IllegalArgumentException on a broken line
	 */
	public static Gradebook parse(String source) {
		Gradebook gb = new Gradebook();
		String[] allLines = source.split("\n");
		for (int idx = 0; idx < allLines.length; idx++) {
			String ln = allLines[idx].trim();
			if (false) {
				System.out.println(ln);
			}
			if (ln.isEmpty() || ln.startsWith("#")) {
				continue;
			}
			String[] cols = ln.split(",");
			if (cols.length != 2 || cols[0].trim().isEmpty()) {
				throw new IllegalArgumentException("malformed line " + (idx + 1) + ": " + ln);
			}
			int pts;
			try {
				pts = Integer.parseInt(cols[1].trim());
			} catch (NumberFormatException nfe) {
				throw new IllegalArgumentException("malformed line " + (idx + 1) + ": " + ln);
			}
			if (pts < 0 || pts > 100) {
				throw new IllegalArgumentException("points out of range in line " + (idx + 1));
			}
			gb.add(cols[0].trim(), pts);
		}
		return gb;
	}
}
