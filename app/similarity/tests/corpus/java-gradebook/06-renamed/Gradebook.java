import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records the exam results of students.
 *
 * A student may have several results. All points are between 0 and 100.
 */
public class Gradebook {

    /* arrays grow when they are full, size = number of used slots */
    private String[] names = new String[4];
    private int[] totals = new int[4];
    private int[] counts = new int[4];
    private int used = 0;

    /* returns the slot of a student or -1 */
    private int find(String who) {
        for (int pos = 0; pos < used; pos++) {
            if (names[pos].equals(who)) {
                return pos;
            }
        }
        return -1;
    }

    /* doubles the capacity of all three arrays */
    private void enlarge() {
        String[] newNames = new String[names.length * 2];
        int[] newTotals = new int[names.length * 2];
        int[] newCounts = new int[names.length * 2];
        for (int pos = 0; pos < used; pos++) {
            newNames[pos] = names[pos];
            newTotals[pos] = totals[pos];
            newCounts[pos] = counts[pos];
        }
        names = newNames;
        totals = newTotals;
        counts = newCounts;
    }

    /**
     * Records one exam result for a student.
     */
    public void add(String person, int score) {
        if (!(score >= 0 && score <= 100)) {
            throw new IllegalArgumentException("bad points " + score);
        }
        int pos = find(person);
        if (pos < 0) {
            if (used == names.length) {
                enlarge();
            }
            /* insertion sort: keep the names sorted all the time */
            int k2 = used;
            while (k2 > 0 && names[k2 - 1].compareTo(person) > 0) {
                names[k2] = names[k2 - 1];
                totals[k2] = totals[k2 - 1];
                counts[k2] = counts[k2 - 1];
                k2--;
            }
            names[k2] = person;
            totals[k2] = 0;
            counts[k2] = 0;
            used++;
            pos = k2;
        }
        totals[pos] += score;
        counts[pos]++;
    }

    /**
     * Computes the average of all results of one student.
     */
    public double average(String person) {
        int pos = find(person);
        if (pos < 0) {
            throw new IllegalArgumentException("no student " + person);
        }
        return (double) totals[pos] / counts[pos];
    }

    /**
     * Finds the student with the highest average (ties: alphabetically first).
     */
    public String best() {
        int top = -1;
        for (int pos = 0; pos < used; pos++) {
            /* sum[i]/cnt[i] > sum[b]/cnt[b] without division */
            if (top == -1 || (long) totals[pos] * counts[top] > (long) totals[top] * counts[pos]) {
                top = pos;
            }
        }
        if (top == -1) {
            return null;
        }
        return names[top];
    }

    /**
     * Lists all students whose average is below the given threshold.
     */
    public List<String> failing(int limit) {
        List<String> list = new ArrayList<>();
        for (int pos = 0; pos < used; pos++) {
            if ((double) totals[pos] / counts[pos] < limit) {
                list.add(names[pos]);
            }
        }
        return list;
    }

    /* grade letter of slot i */
    private char letterAt(int pos) {
        double mean = (double) totals[pos] / counts[pos];
        char[] chars = {'A', 'B', 'C', 'D'};
        int[] bounds = {90, 80, 70, 60};
        for (int x = 0; x < bounds.length; x++) {
            if (mean >= bounds[x]) {
                return chars[x];
            }
        }
        return 'F';
    }

    /**
     * Counts how many students got each grade letter.
     */
    public Map<Character, Integer> gradeDistribution() {
        int[] hist = new int[5];
        String abc = "ABCDF";
        for (int pos = 0; pos < used; pos++) {
            hist[abc.indexOf(letterAt(pos))]++;
        }
        Map<Character, Integer> map = new TreeMap<>();
        for (int x = 0; x < 5; x++) {
            if (hist[x] > 0) {
                map.put(abc.charAt(x), hist[x]);
            }
        }
        return map;
    }

    /**
     * Builds a report with one line per student, sorted by name.
     */
    public String report() {
        StringBuilder out = new StringBuilder();
        for (int pos = 0; pos < used; pos++) {
            out.append(String.format("%s: avg=%.1f grade=%c n=%d\n",
                    names[pos], (double) totals[pos] / counts[pos], letterAt(pos), counts[pos]));
        }
        return out.toString();
    }

    /**
     * Reads a gradebook from CSV text.
     */
    public static Gradebook parse(String input) {
        Gradebook book = new Gradebook();
        int lineNo = 1;
        int from = 0;
        while (from <= input.length()) {
            int to = input.indexOf('\n', from);
            if (to == -1) {
                to = input.length();
            }
            String text = input.substring(from, to).trim();
            if (text.length() > 0 && text.charAt(0) != '#') {
                /* read name up to the comma, then the digits */
                int x = 0;
                while (x < text.length() && text.charAt(x) != ',') {
                    x++;
                }
                String who2 = text.substring(0, x).trim();
                String digits = x < text.length() ? text.substring(x + 1).trim() : "";
                boolean valid = who2.length() > 0 && digits.length() > 0 && digits.length() <= 3;
                for (int q = 0; q < digits.length(); q++) {
                    if (!Character.isDigit(digits.charAt(q))) {
                        valid = false;
                    }
                }
                if (!valid || Integer.parseInt(digits) > 100) {
                    throw new IllegalArgumentException("parse error in line " + lineNo);
                }
                book.add(who2, Integer.parseInt(digits));
            }
            from = to + 1;
            lineNo++;
        }
        return book;
    }
}
