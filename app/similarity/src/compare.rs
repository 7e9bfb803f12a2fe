//! A whole task's comparison: every submission read once, every pair screened by its
//! fingerprints, the likely pairs tiled exactly, the similar ones reported with their matched
//! regions and grouped into clusters.

use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use crate::{
    tiling::{self, Scratch},
    tokens::{Caps, FILE_BREAK, Span, Tokenizer, Tokens},
    winnowing,
};

/// One file of a submission or of the code every student was given.
#[derive(Clone, Copy, Debug)]
pub struct File<'a> {
    pub name: &'a str,
    pub contents: &'a [u8],
}

/// The settings of a comparison; `Default` is what staff get unless they change it.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Pairs at or above this similarity (0–1) are reported.
    pub threshold: f32,
    /// The shortest common run of tokens that counts as a match.
    pub min_match: usize,
    /// Winnowing: tokens per hashed run, and runs per window.
    pub k: usize,
    pub window: usize,
    /// A pair is tiled when this share of the smaller one's fingerprints is in the other too.
    pub screen_threshold: f32,
    /// At most this many pairs are tiled, the most alike by fingerprints first.
    pub max_candidates: usize,
    /// A fingerprint in more than this share of the submissions (and in more than 10) is common
    /// knowledge, not a sign of copying: the screen ignores it.
    pub common_share: f32,
    /// Positions one comparison may look at before it is cut short.
    pub pair_budget: u64,
    /// Threads that tile pairs; the web server uses one, so pages stay fast during a run.
    pub threads: usize,
    pub caps: Caps,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.6,
            min_match: 12,
            k: 12,
            window: 8,
            screen_threshold: 0.15,
            max_candidates: 50_000,
            common_share: 0.5,
            pair_budget: 20_000_000,
            threads: 1,
            caps: Caps::default(),
        }
    }
}

/// The most submissions one comparison takes (its pair counts are a dense triangle).
pub const MAX_SUBMISSIONS: usize = 5_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("the comparison was cancelled")]
    Cancelled,
    #[error("{count} submissions are more than one comparison takes ({MAX_SUBMISSIONS})")]
    TooMany { count: usize },
}

/// How far a comparison has got, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Screening,
    Tiling,
}

#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

/// A matched region: the same tokens in both submissions (each within one file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub a: Span,
    pub b: Span,
    pub tokens: u32,
}

/// Two submissions (indices into the input) found alike.
#[derive(Clone, Debug)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    /// Matched tokens over the tokens of both (JPlag's average similarity), 0–1.
    pub similarity: f32,
    /// Matched tokens over the tokens of the smaller one: high when one is contained in the other.
    pub max_similarity: f32,
    pub matched: u32,
    pub regions: Vec<Region>,
    /// The comparison ran out of its budget: the similarity is at least this.
    pub cut_short: bool,
}

/// More than two submissions joined by reported pairs.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub members: Vec<usize>,
    /// The mean similarity of the reported pairs within it.
    pub similarity: f32,
}

/// What a comparison found, with the figures staff need to trust it.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Reported pairs, most similar first.
    pub pairs: Vec<Pair>,
    pub clusters: Vec<Cluster>,
    /// Tokens of each submission that are its own (not given code).
    pub tokens: Vec<usize>,
    /// Submissions of which something was left out (a file or tokens over the caps).
    pub capped: Vec<usize>,
    /// Pairs screened (all of them) and pairs tiled.
    pub screened: usize,
    pub tiled: usize,
    /// More pairs passed the screen than `max_candidates`: the least alike were not tiled.
    pub candidates_capped: bool,
}

struct Prepared {
    tokens: Tokens,
    shared: Vec<bool>,
    own: usize,
    fingerprints: Vec<u64>,
}

/// Compares every pair of `submissions`, leaving out what is in `given` (templates, the
/// reference solution). `progress` is called now and then from the calling thread; `cancel`
/// is looked at as often.
pub fn compare(
    submissions: &[Vec<File<'_>>],
    given: &[File<'_>],
    options: &Options,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Report, Error> {
    let count = submissions.len();
    if count > MAX_SUBMISSIONS {
        return Err(Error::TooMany { count });
    }
    let mut tokenizer = Tokenizer::new(options.caps);
    let given_tokens = tokenizer.tokenize(given.iter().map(|file| (file.name, file.contents)));
    let given_breaks: Vec<bool> =
        given_tokens.kinds.iter().map(|&kind| kind == FILE_BREAK).collect();
    let mut scratch = Scratch::default();
    let mut prepared = Vec::with_capacity(count);
    for (index, files) in submissions.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        if index.is_multiple_of(16) {
            progress(Progress { stage: Stage::Reading, done: index, total: count });
        }
        let tokens = tokenizer.tokenize(files.iter().map(|file| (file.name, file.contents)));
        let mut shared: Vec<bool> = tokens.kinds.iter().map(|&kind| kind == FILE_BREAK).collect();
        if !given_tokens.is_empty() {
            let found = tiling::tile(
                &tokens.kinds,
                &shared,
                &given_tokens.kinds,
                &given_breaks,
                options.min_match,
                options.pair_budget,
                &mut scratch,
            );
            for found in found.tiles {
                shared[found.a as usize..(found.a + found.len) as usize].fill(true);
            }
        }
        let own = shared.iter().filter(|&&shared| !shared).count();
        let fingerprints =
            winnowing::fingerprints(&tokens.kinds, &shared, options.k, options.window);
        prepared.push(Prepared { tokens, shared, own, fingerprints });
    }
    progress(Progress { stage: Stage::Reading, done: count, total: count });

    let candidates = screen(&prepared, options, progress, cancel)?;
    let total_pairs = count * count.saturating_sub(1) / 2;
    let candidates_capped = candidates.len() > options.max_candidates;
    let candidates = &candidates[..candidates.len().min(options.max_candidates)];

    let pairs = tile_all(&prepared, candidates, options, progress, cancel)?;
    let clusters = clusters_of(&pairs, count);
    Ok(Report {
        pairs,
        clusters,
        tokens: prepared.iter().map(|one| one.own).collect(),
        capped: prepared
            .iter()
            .enumerate()
            .filter(|(_, one)| one.tokens.capped)
            .map(|(index, _)| index)
            .collect(),
        screened: total_pairs,
        tiled: candidates.len(),
        candidates_capped,
    })
}

/// Index of the pair (a, b), a < b, in the triangle of all pairs of `count`.
fn triangle(a: usize, b: usize, count: usize) -> usize {
    a * (2 * count - a - 1) / 2 + (b - a - 1)
}

/// The pairs worth tiling, the most alike first: every fingerprint's submissions counted
/// pairwise through an inverted index.
fn screen(
    prepared: &[Prepared],
    options: &Options,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Vec<(usize, usize)>, Error> {
    let count = prepared.len();
    let mut postings: Vec<(u64, u32)> = prepared
        .iter()
        .enumerate()
        .flat_map(|(index, one)| one.fingerprints.iter().map(move |&hash| (hash, index as u32)))
        .collect();
    postings.sort_unstable();
    let common = ((count as f32 * options.common_share) as usize).max(10);
    let mut shared = vec![0u16; count * count.saturating_sub(1) / 2];
    let mut start = 0;
    let groups = postings.len().max(1);
    while start < postings.len() {
        let hash = postings[start].0;
        let end = start + postings[start..].partition_point(|&(h, _)| h == hash);
        if start % 4096 < (end - start).max(1) {
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            progress(Progress { stage: Stage::Screening, done: start, total: groups });
        }
        let group = &postings[start..end];
        if group.len() >= 2 && group.len() <= common {
            for (at, &(_, a)) in group.iter().enumerate() {
                for &(_, b) in &group[at + 1..] {
                    let slot = &mut shared[triangle(a as usize, b as usize, count)];
                    *slot = slot.saturating_add(1);
                }
            }
        }
        start = end;
    }
    let mut candidates = Vec::new();
    for a in 0..count {
        for b in a + 1..count {
            let common = shared[triangle(a, b, count)];
            if common == 0 {
                continue;
            }
            let smaller = prepared[a].fingerprints.len().min(prepared[b].fingerprints.len()).max(1);
            let score = f32::from(common) / smaller as f32;
            if score >= options.screen_threshold {
                candidates.push((score, a, b));
            }
        }
    }
    candidates.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    progress(Progress { stage: Stage::Screening, done: groups, total: groups });
    Ok(candidates.into_iter().map(|(_, a, b)| (a, b)).collect())
}

fn tile_all(
    prepared: &[Prepared],
    candidates: &[(usize, usize)],
    options: &Options,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Vec<Pair>, Error> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let found = Mutex::new(Vec::new());
    let total = candidates.len();
    // Takes the next pair until none is left; `finished` hears how many are done.
    let work = |finished: &mut dyn FnMut(usize)| {
        let mut scratch = Scratch::default();
        let mut mine = Vec::new();
        while !cancel.load(Ordering::Relaxed) {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(a, b)) = candidates.get(at) else { break };
            if let Some(pair) = tile_pair(prepared, a, b, options, &mut scratch) {
                mine.push(pair);
            }
            finished(done.fetch_add(1, Ordering::Relaxed) + 1);
        }
        found.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(mine);
    };
    std::thread::scope(|scope| {
        for _ in 1..options.threads.max(1) {
            scope.spawn(|| work(&mut |_| {}));
        }
        // The calling thread tiles too and reports progress now and then.
        work(&mut |finished| {
            if finished.is_multiple_of(256) {
                progress(Progress { stage: Stage::Tiling, done: finished, total });
            }
        });
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Cancelled);
    }
    progress(Progress { stage: Stage::Tiling, done: total, total });
    let mut pairs = found.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    pairs.sort_unstable_by(|x, y| {
        y.similarity.total_cmp(&x.similarity).then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    Ok(pairs)
}

fn tile_pair(
    prepared: &[Prepared],
    a: usize,
    b: usize,
    options: &Options,
    scratch: &mut Scratch,
) -> Option<Pair> {
    let (one, two) = (&prepared[a], &prepared[b]);
    if one.own == 0 || two.own == 0 {
        return None;
    }
    let tiling = tiling::tile(
        &one.tokens.kinds,
        &one.shared,
        &two.tokens.kinds,
        &two.shared,
        options.min_match,
        options.pair_budget,
        scratch,
    );
    let similarity = 2.0 * tiling.matched as f32 / (one.own + two.own) as f32;
    if similarity < options.threshold {
        return None;
    }
    let mut regions: Vec<Region> = tiling
        .tiles
        .iter()
        .map(|found| {
            let (from_a, to_a) = (found.a as usize, (found.a + found.len) as usize - 1);
            let (from_b, to_b) = (found.b as usize, (found.b + found.len) as usize - 1);
            let span = |tokens: &Tokens, from: usize, to: usize| Span {
                file: tokens.spans[from].file,
                start: tokens.spans[from].start,
                end: tokens.spans[to].end,
            };
            Region {
                a: span(&one.tokens, from_a, to_a),
                b: span(&two.tokens, from_b, to_b),
                tokens: found.len,
            }
        })
        .collect();
    regions.sort_unstable_by_key(|region| (region.a.file, region.a.start));
    Some(Pair {
        a,
        b,
        similarity,
        max_similarity: tiling.matched as f32 / one.own.min(two.own) as f32,
        matched: tiling.matched,
        regions,
        cut_short: tiling.cut_short,
    })
}

/// Groups of more than two submissions joined by reported pairs (union–find).
fn clusters_of(pairs: &[Pair], count: usize) -> Vec<Cluster> {
    let mut parent: Vec<usize> = (0..count).collect();
    fn root(parent: &mut [usize], mut at: usize) -> usize {
        while parent[at] != at {
            parent[at] = parent[parent[at]];
            at = parent[at];
        }
        at
    }
    for pair in pairs {
        let (x, y) = (root(&mut parent, pair.a), root(&mut parent, pair.b));
        if x != y {
            parent[x.max(y)] = x.min(y);
        }
    }
    let mut groups: BTreeMap<usize, (Vec<usize>, f32, usize)> = BTreeMap::new();
    for pair in pairs {
        let group = groups.entry(root(&mut parent, pair.a)).or_default();
        group.1 += pair.similarity;
        group.2 += 1;
    }
    for member in 0..count {
        let top = root(&mut parent, member);
        if let Some(group) = groups.get_mut(&top) {
            group.0.push(member);
        }
    }
    let mut clusters: Vec<Cluster> = groups
        .into_values()
        .filter(|(members, _, _)| members.len() > 2)
        .map(|(members, sum, pairs)| Cluster { members, similarity: sum / pairs as f32 })
        .collect();
    clusters.sort_by(|x, y| {
        y.members.len().cmp(&x.members.len()).then(y.similarity.total_cmp(&x.similarity))
    });
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(name: &'a str, text: &'a str) -> File<'a> {
        File { name, contents: text.as_bytes() }
    }

    const ORIGINAL: &str = r#"
class Counter {
    private int[] counts = new int[26];
    void add(String word) {
        for (char c : word.toLowerCase().toCharArray()) {
            if (c >= 'a' && c <= 'z') { counts[c - 'a']++; }
        }
    }
    int most() {
        int best = 0;
        for (int i = 1; i < counts.length; i++) { if (counts[i] > counts[best]) best = i; }
        return best;
    }
    String show() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) out.append((char) ('a' + i)).append('=').append(counts[i]).append('\n');
        }
        return out.toString();
    }
}"#;

    const COPY: &str = r#"
class Counter {
    // moved up
    String show() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < tally.length; k++) {
            if (tally[k] > 0) sb.append((char) ('a' + k)).append('=').append(tally[k]).append('\n');
        }
        return sb.toString();
    }
    private int[] tally = new int[26];
    int most() {
        int top = 0;
        for (int k = 1; k < tally.length; k++) { if (tally[k] > tally[top]) top = k; }
        return top;
    }
    void add(String w) {
        for (char ch : w.toLowerCase().toCharArray()) {
            if (ch >= 'a' && ch <= 'z') { tally[ch - 'a']++; }
        }
    }
}"#;

    const OTHER: &str = r#"
import java.util.*;
class Counter {
    private final Map<Character, Integer> seen = new TreeMap<>();
    void add(String word) {
        word.chars().filter(Character::isLetter).map(Character::toLowerCase)
            .forEach(c -> seen.merge((char) c, 1, Integer::sum));
    }
    int most() {
        return seen.entrySet().stream().max(Map.Entry.comparingByValue())
            .map(e -> e.getKey() - 'a').orElse(0);
    }
    String show() {
        StringJoiner lines = new StringJoiner("\n", "", "\n");
        seen.forEach((letter, n) -> lines.add(letter + "=" + n));
        return seen.isEmpty() ? "" : lines.toString();
    }
}"#;

    fn run(submissions: &[&str], given: &[&str]) -> Report {
        let submissions: Vec<Vec<File>> =
            submissions.iter().map(|text| vec![file("Counter.java", text)]).collect();
        let given: Vec<File> = given.iter().map(|text| file("Counter.java", text)).collect();
        let options = Options { threshold: 0.3, ..Options::default() };
        compare(&submissions, &given, &options, &mut |_| {}, &AtomicBool::new(false))
            .expect("compared")
    }

    #[test]
    fn a_disguised_copy_is_found_and_an_independent_solution_is_not() {
        let report = run(&[ORIGINAL, OTHER, COPY], &[]);
        assert_eq!(report.pairs.len(), 1, "{:?}", report.pairs);
        let pair = &report.pairs[0];
        assert_eq!((pair.a, pair.b), (0, 2));
        assert!(pair.similarity > 0.9, "{}", pair.similarity);
        for region in &pair.regions {
            assert!(ORIGINAL.get(region.a.start as usize..region.a.end as usize).is_some());
            assert!(COPY.get(region.b.start as usize..region.b.end as usize).is_some());
        }
        assert_eq!(report.screened, 3);
    }

    #[test]
    fn given_code_is_not_counted_as_copied() {
        let report = run(&[ORIGINAL, ORIGINAL], &[ORIGINAL]);
        assert!(report.pairs.is_empty(), "{:?}", report.pairs);
        assert_eq!(report.tokens, [0, 0]);
    }

    #[test]
    fn clusters_join_more_than_two() {
        let report = run(&[ORIGINAL, COPY, OTHER, ORIGINAL], &[]);
        assert_eq!(report.pairs.len(), 3);
        assert_eq!(report.clusters.len(), 1);
        assert_eq!(report.clusters[0].members, [0, 1, 3]);
    }

    #[test]
    fn a_cancelled_comparison_says_so() {
        let submissions = vec![vec![file("A.java", ORIGINAL)]; 3];
        let cancelled = AtomicBool::new(true);
        let result = compare(&submissions, &[], &Options::default(), &mut |_| {}, &cancelled);
        assert_eq!(result.err(), Some(Error::Cancelled));
    }

    #[test]
    fn too_many_submissions_are_refused() {
        let submissions = vec![Vec::new(); MAX_SUBMISSIONS + 1];
        let result =
            compare(&submissions, &[], &Options::default(), &mut |_| {}, &AtomicBool::new(false));
        assert_eq!(result.err(), Some(Error::TooMany { count: MAX_SUBMISSIONS + 1 }));
    }
}
