import java.util.*;

/**
 * Gradebook for the exam results.
 * Every student maps to an array with two ints: [0] = total points, [1] = how many exams.
 */
public class Gradebook
{
	/** sorted by name because it is a TreeMap */
	private final TreeMap<String,int[]> data=new TreeMap<>();

	/** Adds a result. Points outside 0-100 are rejected. */
	public void add(String student,int points)
	{
		if(points<0||points>100)
			throw new IllegalArgumentException("Invalid points: "+points);
		int[] e=data.computeIfAbsent(student,k->new int[2]);
		e[0]+=points;
		e[1]++;
	}

	/** Average of one student, exception if the name is not known. */
	public double average(String student)
	{
		int[] e=data.get(student);
		if(e==null)
			throw new IllegalArgumentException("No such student: "+student);
		return e[0]/(double)e[1];
	}

	/** Name with the best average, or null. */
	public String best()
	{
		String best=null;
		for(String s:data.keySet())
			if(best==null||average(s)>average(best))
				best=s;   // only replaced when strictly better
		return best;
	}

	/** Every student under the threshold, already in name order. */
	public List<String> failing(int threshold)
	{
		List<String> out=new ArrayList<>();
		for(Map.Entry<String,int[]> en:data.entrySet())
		{
			int[] e=en.getValue();
			// compare with multiplication instead of dividing
			if(e[0]<(long)threshold*e[1])
				out.add(en.getKey());
		}
		return out;
	}

	/** A/B/C/D/F for an average */
	private static char letter(double a)
	{
		return a>=90?'A'
			: a>=80?'B'
			: a>=70?'C'
			: a>=60?'D'
			: 'F';
	}

	/** Grade letter -> number of students, letters without students are 0. */
	public Map<Character,Integer> gradeDistribution()
	{
		Map<Character,Integer> m=new LinkedHashMap<>();
		for(char c:"ABCDF".toCharArray())
			m.put(c,0);
		for(String s:data.keySet())
			m.merge(letter(average(s)),1,Integer::sum);
		return m;
	}

	/** The report, one formatted line for each student. */
	public String report()
	{
		String r="";
		for(String s:data.keySet())
		{
			double a=average(s);
			r+=String.format(Locale.ROOT,"%s: avg=%.1f grade=%c n=%d%n",
					s,a,letter(a),data.get(s)[1]);
		}
		return r;
	}

	/**
	 * Builds a gradebook out of csv text.
	 * Lines look like "name,points", empty lines and # lines are skipped.
	 */
	public static Gradebook parse(String csv)
	{
		Gradebook g=new Gradebook();
		int no=0;   // current line number
		for(String line:csv.split("\\R"))
		{
			no++;
			line=line.strip();
			if(line.isEmpty()||line.charAt(0)=='#')
				continue;
			int comma=line.indexOf(',');
			// need exactly one comma and something in front of it
			if(comma<=0||comma!=line.lastIndexOf(','))
				throw new IllegalArgumentException("Line "+no+" is malformed: "+line);
			String name=line.substring(0,comma).strip();
			try
			{
				g.add(name,Integer.parseInt(line.substring(comma+1).strip()));
			}
			catch(IllegalArgumentException ex)
			{
				throw new IllegalArgumentException("Line "+no+": "+ex.getMessage());
			}
		}
		return g;
	}
}
