//! Quality of detection on corpora of one task each with known copies: directories `NN-kind`
//! of one family `NN` are copies of each other (`NN-original` and its disguised copies), other
//! families are independent. Every pair is judged at the default threshold.

use std::{collections::BTreeSet, path::Path, sync::atomic::AtomicBool};

use inloop_similarity::{File, Options, compare};

struct Corpus {
    names: Vec<String>,
    files: Vec<Vec<(String, Vec<u8>)>>,
    template: Vec<(String, Vec<u8>)>,
}

fn read_dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("a solution directory")
        .flatten()
        .filter(|entry| entry.path().is_file())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).expect("a readable file"))
        })
        .collect();
    files.sort();
    files
}

fn corpus(name: &str) -> Corpus {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(name);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("the corpus")
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "template")
        .collect();
    names.sort();
    let files = names.iter().map(|name| read_dir_files(&root.join(name))).collect();
    Corpus { names, files, template: read_dir_files(&root.join("template")) }
}

fn family(name: &str) -> &str {
    name.split('-').next().unwrap_or(name)
}

/// Precision, recall, and the missed and false pairs by name.
fn judge(corpus: &Corpus, options: &Options) -> (f32, f32, Vec<String>, Vec<String>) {
    let submissions: Vec<Vec<File>> = corpus
        .files
        .iter()
        .map(|files| files.iter().map(|(name, contents)| File { name, contents }).collect())
        .collect();
    let given: Vec<File> =
        corpus.template.iter().map(|(name, contents)| File { name, contents }).collect();
    let report = compare(&submissions, &given, options, &mut |_| {}, &AtomicBool::new(false))
        .expect("the corpus is compared");
    let found: BTreeSet<(usize, usize)> =
        report.pairs.iter().map(|pair| (pair.a, pair.b)).collect();
    let count = corpus.names.len();
    let (mut true_positives, mut missed, mut false_pairs) = (0, Vec::new(), Vec::new());
    for a in 0..count {
        for b in a + 1..count {
            let copies = family(&corpus.names[a]) == family(&corpus.names[b]);
            let label = format!("{} ~ {}", corpus.names[a], corpus.names[b]);
            match (copies, found.contains(&(a, b))) {
                (true, true) => true_positives += 1,
                (true, false) => missed.push(label),
                (false, true) => false_pairs.push(label),
                (false, false) => {}
            }
        }
    }
    let precision = true_positives as f32 / (true_positives + false_pairs.len()).max(1) as f32;
    let recall = true_positives as f32 / (true_positives + missed.len()).max(1) as f32;
    (precision, recall, missed, false_pairs)
}

fn holds_up(name: &str) {
    let corpus = corpus(name);
    assert!(corpus.names.len() >= 20 && !corpus.template.is_empty(), "{:?}", corpus.names);
    let (precision, recall, missed, false_pairs) = judge(&corpus, &Options::default());
    assert!(
        precision >= 0.95 && recall >= 0.9,
        "{name}: precision {precision:.3}, recall {recall:.3}; missed {missed:?}; false {false_pairs:?}"
    );
}

#[test]
fn java_copies_are_found_and_independent_solutions_are_not() {
    holds_up("java-gradebook");
}

#[test]
fn python_copies_are_found_and_independent_solutions_are_not() {
    holds_up("python-inventory");
}
