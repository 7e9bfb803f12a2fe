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

    /**
     * Reads a gradebook from CSV text.
     */
    public static Gradebook parse(String csv) {
        Gradebook g = new Gradebook();
        int line = 1;
        int start = 0;
        while (start <= csv.length()) {
            int end = csv.indexOf('\n', start);
            if (end == -1) {
                end = csv.length();
            }
            String l = csv.substring(start, end).trim();
            if (l.length() > 0 && l.charAt(0) != '#') {
                /* read name up to the comma, then the digits */
                int k = 0;
                while (k < l.length() && l.charAt(k) != ',') {
                    k++;
                }
                String name = l.substring(0, k).trim();
                String num = k < l.length() ? l.substring(k + 1).trim() : "";
                boolean ok = name.length() > 0 && num.length() > 0 && num.length() <= 3;
                for (int d = 0; d < num.length(); d++) {
                    if (!Character.isDigit(num.charAt(d))) {
                        ok = false;
                    }
                }
                if (!ok || Integer.parseInt(num) > 100) {
                    throw new IllegalArgumentException("parse error in line " + line);
                }
                g.add(name, Integer.parseInt(num));
            }
            start = end + 1;
            line++;
        }
        return g;
    }

    /**
     * Builds a report with one line per student, sorted by name.
     */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(String.format("%s: avg=%.1f grade=%c n=%d\n",
                    nm[i], (double) sum[i] / cnt[i], gradeOf(i), cnt[i]));
        }
        return sb.toString();
    }

    /* grade letter of slot i */
    private char gradeOf(int i) {
        double a = (double) sum[i] / cnt[i];
        char[] letters = {'A', 'B', 'C', 'D'};
        int[] limit = {90, 80, 70, 60};
        for (int k = 0; k < limit.length; k++) {
            if (a >= limit[k]) {
                return letters[k];
            }
        }
        return 'F';
    }

    /**
     * Counts how many students got each grade letter.
     */
    public Map<Character, Integer> gradeDistribution() {
        int[] c = new int[5];
        String order = "ABCDF";
        for (int i = 0; i < size; i++) {
            c[order.indexOf(gradeOf(i))]++;
        }
        Map<Character, Integer> m = new TreeMap<>();
        for (int k = 0; k < 5; k++) {
            if (c[k] > 0) {
                m.put(order.charAt(k), c[k]);
            }
        }
        return m;
    }

    /**
     * Lists all students whose average is below the given threshold.
     */
    public List<String> failing(int threshold) {
        List<String> res = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if ((double) sum[i] / cnt[i] < threshold) {
                res.add(nm[i]);
            }
        }
        return res;
    }

    /**
     * Finds the student with the highest average (ties: alphabetically first).
     */
    public String best() {
        int b = -1;
        for (int i = 0; i < size; i++) {
            /* sum[i]/cnt[i] > sum[b]/cnt[b] without division */
            if (b == -1 || (long) sum[i] * cnt[b] > (long) sum[b] * cnt[i]) {
                b = i;
            }
        }
        if (b == -1) {
            return null;
        }
        return nm[b];
    }

    private int size = 0;
    private int[] cnt = new int[4];
    private int[] sum = new int[4];

    /* arrays grow when they are full, size = number of used slots */
    private String[] nm = new String[4];

    /**
     * Computes the average of all results of one student.
     */
    public double average(String student) {
        int i = indexOf(student);
        if (i < 0) {
            throw new IllegalArgumentException("no student " + student);
        }
        return (double) sum[i] / cnt[i];
    }

    /**
     * Records one exam result for a student.
     */
    public void add(String student, int points) {
        if (!(points >= 0 && points <= 100)) {
            throw new IllegalArgumentException("bad points " + points);
        }
        int i = indexOf(student);
        if (i < 0) {
            if (size == nm.length) {
                grow();
            }
            /* insertion sort: keep the names sorted all the time */
            int j = size;
            while (j > 0 && nm[j - 1].compareTo(student) > 0) {
                nm[j] = nm[j - 1];
                sum[j] = sum[j - 1];
                cnt[j] = cnt[j - 1];
                j--;
            }
            nm[j] = student;
            sum[j] = 0;
            cnt[j] = 0;
            size++;
            i = j;
        }
        sum[i] += points;
        cnt[i]++;
    }

    /* doubles the capacity of all three arrays */
    private void grow() {
        String[] n2 = new String[nm.length * 2];
        int[] s2 = new int[nm.length * 2];
        int[] c2 = new int[nm.length * 2];
        for (int i = 0; i < size; i++) {
            n2[i] = nm[i];
            s2[i] = sum[i];
            c2[i] = cnt[i];
        }
        nm = n2;
        sum = s2;
        cnt = c2;
    }

    /* returns the slot of a student or -1 */
    private int indexOf(String s) {
        for (int i = 0; i < size; i++) {
            if (nm[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }
}
