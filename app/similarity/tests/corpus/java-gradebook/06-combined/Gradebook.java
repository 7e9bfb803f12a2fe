import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

// Gradebook with plain arrays (no collections for the data)
public class Gradebook {
	// who[i] has pts[i] points in num[i] exams, only the first n are used
	private String[] who = new String[4];
	private int[] pts = new int[4];
	private int[] num = new int[4];
	private int n = 0;
	private int capacityChanges = 0;

	// the arrays are always sorted by name
	public void add(String name, int amount) {
		if (!(amount >= 0 && amount <= 100)) {
			throw new IllegalArgumentException("bad points " + amount);
		}
		int idx = lookup(name);
		if (idx < 0) {
			if (n == who.length) {
				resize();
			}
			// move bigger names one step to the right
			int pos = n;
			while (pos > 0 && who[pos - 1].compareTo(name) > 0) {
				who[pos] = who[pos - 1];
				pts[pos] = pts[pos - 1];
				num[pos] = num[pos - 1];
				pos--;
			}
			who[pos] = name;
			pts[pos] = 0;
			num[pos] = 0;
			n++;
			idx = pos;
		}
		pts[idx] += amount;
		num[idx]++;
	}

	// double the size
	private void resize() {
		String[] w = new String[who.length * 2];
		int[] p = new int[who.length * 2];
		int[] q = new int[who.length * 2];
		for (int idx = 0; idx < n; idx++) {
			w[idx] = who[idx];
			p[idx] = pts[idx];
			q[idx] = num[idx];
		}
		who = w;
		pts = p;
		num = q;
	}

	// linear search, -1 if missing
	private int lookup(String name) {
		for (int idx = 0; idx < n; idx++) {
			if (who[idx].equals(name)) {
				return idx;
			}
		}
		return -1;
	}

	// goes through the text line by line by hand
	public static Gradebook parse(String src) {
		Gradebook gb = new Gradebook();
		int row = 1;
		int begin = 0;
		while (begin <= src.length()) {
			int stop = src.indexOf('\n', begin);
			if (stop == -1) {
				stop = src.length();
			}
			String s = src.substring(begin, stop).trim();
			if (s.length() > 0 && s.charAt(0) != '#') {
				int t = 0;
				while (t < s.length() && s.charAt(t) != ',') {
					t++;
				}
				String nm = s.substring(0, t).trim();
				String number = t < s.length() ? s.substring(t + 1).trim() : "";
				boolean good = nm.length() > 0 && number.length() > 0 && number.length() <= 3;  // max 3 digits
				for (int ci = 0; ci < number.length(); ci++) {
					if (!Character.isDigit(number.charAt(ci))) {
						good = false;
					}
				}
				if (!good || Integer.parseInt(number) > 100) {
					throw new IllegalArgumentException("parse error in line " + row);
				}
				gb.add(nm, Integer.parseInt(number));
			}
			int consumed = stop - begin;
			begin = stop + 1;
			row++;
		}
		return gb;
	}

	// average for a name
	public double average(String name) {
		int idx = lookup(name);
		if (idx < 0) {
			throw new IllegalArgumentException("no student " + name);
		}
		return (double) pts[idx] / num[idx];
	}

	// grade letter for index idx
	private char grade(int idx) {
		double avg = (double) pts[idx] / num[idx];
		char[] abcd = {'A', 'B', 'C', 'D'};
		int[] lower = {90, 80, 70, 60};
		for (int t = 0; t < lower.length; t++) {
			if (avg >= lower[t]) {
				return abcd[t];
			}
		}
		return 'F';
	}

	// names are sorted already
	public String report() {
		StringBuilder str = new StringBuilder();
		for (int idx = 0; idx < n; idx++) {
			str.append(String.format("%s: avg=%.1f grade=%c n=%d\n",
					who[idx], (double) pts[idx] / num[idx], grade(idx), num[idx]));
		}
		return str.toString();
	}

	// counts in an array first, then into the map
	public Map<Character, Integer> gradeDistribution() {
		int[] freq = new int[5];
		String all = "ABCDF";
		for (int idx = 0; idx < n; idx++) {
			freq[all.indexOf(grade(idx))]++;
		}
		Map<Character, Integer> dist = new TreeMap<>();
		for (int t = 0; t < 5; t++) {
			if (freq[t] > 0) {
				dist.put(all.charAt(t), freq[t]);
			}
		}
		return dist;
	}

	// compare a/b > c/d as a*d > c*b
	public String best() {
		int winner = -1;
		for (int idx = 0; idx < n; idx++) {
			if (winner == -1 || (long) pts[idx] * num[winner] > (long) pts[winner] * num[idx]) {
				winner = idx;
			}
		}
		if (winner == -1) {
			return null;
		}
		if (false) {
			System.out.println(who[winner]);
		}
		return who[winner];
	}

	// already in order
	public List<String> failing(int min) {
		List<String> out = new ArrayList<>();
		for (int idx = 0; idx < n; idx++) {
			if ((double) pts[idx] / num[idx] < min) {
				out.add(who[idx]);
			}
		}
		return out;
	}
}
