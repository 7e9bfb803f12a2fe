//! Plagiarism detection benchmark: how well the comparison tells the corpora's copies from
//! independent solutions (precision and recall at the default threshold, per kind of disguise,
//! and the margin between the least similar copy and the most similar independent pair), and
//! how long a task of 1,000 generated Java solutions of ~200 lines takes, by stage, on one
//! thread (as the web server runs it) and on two. Prints figures; asserts nothing.
//!
//! `bench-similarity [SOLUTIONS]`; run by `./inloop.sh bench`.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    path::Path,
    sync::atomic::AtomicBool,
    time::{Duration, Instant},
};

use inloop_similarity::{File, Options, Report, Stage, compare};

type Files = Vec<(String, Vec<u8>)>;

fn files_in(dir: &Path) -> Files {
    let mut files: Files = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| entry.path().is_file())
                .map(|entry| {
                    let contents = std::fs::read(entry.path()).unwrap_or_default();
                    (entry.file_name().to_string_lossy().into_owned(), contents)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn run(
    submissions: &[Files],
    given: &Files,
    options: &Options,
) -> (Report, BTreeMap<&'static str, Duration>) {
    let submissions: Vec<Vec<File>> = submissions
        .iter()
        .map(|files| files.iter().map(|(name, contents)| File { name, contents }).collect())
        .collect();
    let given: Vec<File> = given.iter().map(|(name, contents)| File { name, contents }).collect();
    let mut stages: BTreeMap<&'static str, Duration> = BTreeMap::new();
    let mut current = (Stage::Reading, Instant::now());
    let started = Instant::now();
    let mut progress = |progress: inloop_similarity::Progress| {
        if progress.stage != current.0 {
            *stages.entry(stage_name(current.0)).or_default() += current.1.elapsed();
            current = (progress.stage, Instant::now());
        }
    };
    let report = compare(&submissions, &given, options, &mut progress, &AtomicBool::new(false))
        .expect("the comparison runs");
    *stages.entry(stage_name(current.0)).or_default() += current.1.elapsed();
    stages.insert("total", started.elapsed());
    (report, stages)
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Reading => "1 read",
        Stage::Screening => "2 screen",
        Stage::Tiling => "3 tile",
    }
}

fn family(name: &str) -> &str {
    name.split('-').next().unwrap_or(name)
}

fn kind(name: &str) -> &str {
    name.split_once('-').map_or("", |(_, kind)| kind)
}

/// Precision and recall on one corpus, with the figures behind them.
fn corpus_figures(root: &Path, out: &mut String) {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| entry.path().is_dir())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name != "template")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let submissions: Vec<Files> = names.iter().map(|name| files_in(&root.join(name))).collect();
    let given = files_in(&root.join("template"));
    let defaults = Options::default();
    let (reported, _) = run(&submissions, &given, &defaults);
    let everything = Options { threshold: 0.0, screen_threshold: 0.0, ..defaults };
    let (all, _) = run(&submissions, &given, &everything);
    let similarity: BTreeMap<(usize, usize), f32> =
        all.pairs.iter().map(|pair| ((pair.a, pair.b), pair.similarity)).collect();
    let found: std::collections::BTreeSet<(usize, usize)> =
        reported.pairs.iter().map(|pair| (pair.a, pair.b)).collect();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut by_kind: BTreeMap<&str, (usize, usize, f32)> = BTreeMap::new();
    let (mut lowest_copy, mut highest_independent) = (1.0f32, 0.0f32);
    for a in 0..names.len() {
        for b in a + 1..names.len() {
            let copies = family(&names[a]) == family(&names[b]);
            let hit = found.contains(&(a, b));
            let value = similarity.get(&(a, b)).copied().unwrap_or(0.0);
            if copies {
                lowest_copy = lowest_copy.min(value);
                if kind(&names[a]) == "original" || kind(&names[b]) == "original" {
                    let disguise = if kind(&names[a]) == "original" {
                        kind(&names[b])
                    } else {
                        kind(&names[a])
                    };
                    let entry = by_kind.entry(disguise).or_insert((0, 0, 1.0));
                    entry.0 += usize::from(hit);
                    entry.1 += 1;
                    entry.2 = entry.2.min(value);
                }
            } else {
                highest_independent = highest_independent.max(value);
            }
            match (copies, hit) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
        }
    }
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    let name = root.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let _ = writeln!(
        out,
        "{name}: {} solutions, {} pairs, {} of them copies; threshold {:.0} %",
        names.len(),
        names.len() * (names.len() - 1) / 2,
        tp + fn_,
        defaults.threshold * 100.0
    );
    let _ =
        writeln!(out, "  precision {precision:.3} ({tp} of {} reported pairs are copies)", tp + fp);
    let _ = writeln!(out, "  recall    {recall:.3} ({tp} of {} copy pairs reported)", tp + fn_);
    let _ = writeln!(
        out,
        "  least similar copy pair {:.1} %, most similar independent pair {:.1} %",
        lowest_copy * 100.0,
        highest_independent * 100.0
    );
    for (disguise, (hits, total, lowest)) in by_kind {
        let _ = writeln!(
            out,
            "    original vs {disguise:<10} found {hits}/{total}, lowest {:.1} %",
            lowest * 100.0
        );
    }
}

/// A deterministic generator of plausible, different Java solutions of one task.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[(self.next() % choices.len() as u64) as usize]
    }

    fn name(&mut self) -> String {
        let stem = self.pick(&[
            "total", "count", "item", "value", "price", "index", "result", "entry", "name", "sum",
        ]);
        format!("{stem}{}", self.next() % 10)
    }

    fn expression(&mut self, depth: u32) -> String {
        match (self.next() % if depth > 2 { 3 } else { 7 }, depth) {
            (0, _) => self.name(),
            (1, _) => (self.next() % 100).to_string(),
            (2, _) => format!("\"{}\"", self.name()),
            (3, _) => format!(
                "{} {} {}",
                self.expression(depth + 1),
                self.pick(&["+", "-", "*", "/", "%"]),
                self.expression(depth + 1)
            ),
            (4, _) => format!(
                "{}.{}({})",
                self.name(),
                self.pick(&["get", "size", "add", "contains", "put", "length"]),
                self.expression(depth + 1)
            ),
            (5, _) => format!(
                "Math.{}({}, {})",
                self.pick(&["max", "min"]),
                self.expression(depth + 1),
                self.expression(depth + 1)
            ),
            _ => format!(
                "({} {} {} ? {} : {})",
                self.name(),
                self.pick(&["<", ">", "==", "!="]),
                self.expression(depth + 1),
                self.expression(depth + 1),
                self.expression(depth + 1)
            ),
        }
    }

    fn statements(&mut self, lines: &mut Vec<String>, indent: usize, budget: usize, depth: u32) {
        let pad = "    ".repeat(indent);
        let start = lines.len();
        while lines.len() - start < budget {
            match self.next() % if depth > 2 { 5 } else { 10 } {
                // What every student of the task writes, in one form or another.
                9 => lines.push(format!("{pad}{}", self.pick(&IDIOMS))),
                0 => lines.push(format!(
                    "{pad}{} {} = {};",
                    self.pick(&["int", "double", "String", "long"]),
                    self.name(),
                    self.expression(0)
                )),
                1 => lines.push(format!(
                    "{pad}{} {}= {};",
                    self.name(),
                    self.pick(&["+", "-", "*", ""]),
                    self.expression(0)
                )),
                2 => lines.push(format!("{pad}System.out.println({});", self.expression(0))),
                3 => lines.push(format!(
                    "{pad}{}.{}({});",
                    self.name(),
                    self.pick(&["add", "remove", "put", "clear"]),
                    self.expression(0)
                )),
                4 | 5 => {
                    lines.push(format!(
                        "{pad}if ({} {} {}) {{",
                        self.name(),
                        self.pick(&["<", ">", "<=", "=="]),
                        self.expression(0)
                    ));
                    self.block(lines, indent + 1, 2, 3, depth + 1);
                    if self.next().is_multiple_of(2) {
                        lines.push(format!("{pad}}} else {{"));
                        self.block(lines, indent + 1, 1, 3, depth + 1);
                    }
                    lines.push(format!("{pad}}}"));
                }
                6 => {
                    let counter = self.name();
                    lines.push(format!(
                        "{pad}for (int {counter} = 0; {counter} < {}; {counter}++) {{",
                        self.expression(1)
                    ));
                    self.block(lines, indent + 1, 2, 4, depth + 1);
                    lines.push(format!("{pad}}}"));
                }
                7 => {
                    lines.push(format!("{pad}for (String {} : {}) {{", self.name(), self.name()));
                    self.block(lines, indent + 1, 2, 3, depth + 1);
                    lines.push(format!("{pad}}}"));
                }
                _ => {
                    lines.push(format!(
                        "{pad}while ({} {} {}) {{",
                        self.name(),
                        self.pick(&["<", ">"]),
                        self.expression(1)
                    ));
                    self.block(lines, indent + 1, 2, 3, depth + 1);
                    lines.push(format!("{pad}}}"));
                }
            }
        }
    }

    fn block(
        &mut self,
        lines: &mut Vec<String>,
        indent: usize,
        least: u64,
        spread: u64,
        depth: u32,
    ) {
        let count = least + self.next() % spread;
        self.statements(lines, indent, count as usize, depth);
    }

    /// One solution: the template's methods with bodies of their own, about `lines` long.
    fn solution(&mut self, methods: &[&str], lines: usize) -> Vec<String> {
        let mut methods: Vec<Vec<String>> = methods
            .iter()
            .map(|signature| {
                let mut body = vec![format!("    {signature} {{")];
                self.statements(&mut body, 2, lines / methods.len() / 2, 0);
                body.push(format!("        return {};", self.expression(0)));
                body.push("    }".to_owned());
                body
            })
            .collect();
        // Students order their methods differently.
        for at in (1..methods.len()).rev() {
            let other = (self.next() % (at as u64 + 1)) as usize;
            methods.swap(at, other);
        }
        let mut out =
            vec!["import java.util.*;".to_owned(), String::new(), "public class Shop {".to_owned()];
        for _ in 0..3 {
            out.push(format!("    private int {} = {};", self.name(), self.next() % 10));
        }
        for method in methods {
            out.push(String::new());
            out.extend(method);
        }
        out.push("}".to_owned());
        out
    }
}

const IDIOMS: [&str; 12] = [
    "if (item == null || item.isEmpty()) throw new IllegalArgumentException(\"no item\");",
    "if (quantity <= 0) throw new IllegalArgumentException(\"quantity must be positive\");",
    "List<String> result = new ArrayList<>();",
    "Collections.sort(result);",
    "StringBuilder out = new StringBuilder();",
    "Map<String, Integer> counts = new HashMap<>();",
    "for (Map.Entry<String, Integer> entry : counts.entrySet()) { total += entry.getValue(); }",
    "if (!counts.containsKey(item)) { return 0; }",
    "out.append(entry.getKey()).append(';').append(entry.getValue()).append('\\n');",
    "return out.toString();",
    "counts.put(item, counts.getOrDefault(item, 0) + quantity);",
    "String[] parts = line.split(\";\");",
];

const METHODS: [&str; 8] = [
    "public int add(String item, int quantity)",
    "public int remove(String item, int quantity)",
    "public double value(int discount)",
    "public String cheapest(int n)",
    "public long lowStock(int limit)",
    "public String plan(int target)",
    "public String toCsv(int rows)",
    "public int merge(String other)",
];

/// A copy with its names changed, its methods in another order and a few lines added.
fn disguise(original: &[String], generator: &mut Generator) -> Vec<String> {
    let renamed: Vec<String> = original
        .iter()
        .map(|line| {
            line.replace("total", "amount").replace("item", "thing").replace("value", "worth")
        })
        .collect();
    let mut out = Vec::new();
    for line in renamed {
        out.push(line);
        if out.len().is_multiple_of(40) {
            out.push(format!(
                "        int unused{} = {};",
                generator.next() % 100,
                generator.next() % 100
            ));
        }
    }
    out
}

#[expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn main() {
    let count: usize = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(1_000);
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/similarity/tests/corpus");
    let mut out = String::new();
    let mut roots: Vec<_> = std::fs::read_dir(&corpora)
        .map(|entries| {
            entries.flatten().map(|entry| entry.path()).filter(|path| path.is_dir()).collect()
        })
        .unwrap_or_default();
    roots.sort();
    for root in roots {
        corpus_figures(&root, &mut out);
    }
    print!("{out}");

    let mut generator = Generator(0x2545_f491_4f6c_dd1d);
    let template: String = {
        let mut lines = vec!["import java.util.*;".to_owned(), "public class Shop {".to_owned()];
        for signature in METHODS {
            lines.push(format!(
                "    {signature} {{ throw new UnsupportedOperationException(\"TODO\"); }}"
            ));
        }
        lines.push("}".to_owned());
        lines.join("\n")
    };
    let mut solutions: Vec<Vec<String>> =
        (0..count).map(|_| generator.solution(&METHODS, 200)).collect();
    // One in fifty is a disguised copy of another one.
    let mut planted = Vec::new();
    for copy in (0..count).step_by(50).skip(1) {
        let original = (generator.next() % count as u64) as usize;
        if !original.is_multiple_of(50) {
            solutions[copy] = disguise(&solutions[original], &mut generator);
            planted.push((original.min(copy), original.max(copy)));
        }
    }
    let submissions: Vec<Files> = solutions
        .iter()
        .map(|lines| vec![("Shop.java".to_owned(), lines.join("\n").into_bytes())])
        .collect();
    let given: Files = vec![("Shop.java".to_owned(), template.into_bytes())];
    let mean_lines = solutions.iter().map(Vec::len).sum::<usize>() / count.max(1);
    println!(
        "\n{count} generated Java solutions of {mean_lines} lines on average, {} planted copies:",
        planted.len()
    );
    // The most a run can cost: the screen lets through as many pairs as it ever does.
    let saturated = Options { screen_threshold: 0.0, ..Options::default() };
    for (label, options) in [
        ("1 thread ", Options::default()),
        ("2 threads", Options { threads: 2, ..Options::default() }),
        ("1 thread, the screen letting the most pairs through it ever does", saturated),
    ] {
        let (report, stages) = run(&submissions, &given, &options);
        let found = planted
            .iter()
            .filter(|pair| report.pairs.iter().any(|found| (found.a, found.b) == **pair))
            .count();
        let tokens = report.tokens.iter().sum::<usize>() / count.max(1);
        println!(
            "  {label}: {:.1} s for {} pairs ({} tiled), {tokens} own tokens per solution; {found}/{} planted copies found, {} pairs reported",
            stages["total"].as_secs_f64(),
            report.screened,
            report.tiled,
            planted.len(),
            report.pairs.len(),
        );
        let phases: Vec<String> = stages
            .iter()
            .filter(|(name, _)| **name != "total")
            .map(|(name, time)| format!("{} {:.2} s", &name[2..], time.as_secs_f64()))
            .collect();
        println!("     {}", phases.join(", "));
    }
}
