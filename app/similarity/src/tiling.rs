//! Greedy string tiling (Wise; the comparison JPlag makes), with Karp–Rabin hashing of runs:
//! the longest common runs of two token sequences are taken first and marked, then shorter
//! ones among what is left, down to a minimum length. Each token is in at most one tile, so
//! reordered methods and code moved between methods are still matched, run by run.

use crate::tokens::Kind;

/// A common run: `len` tokens from `a` in the first sequence and `b` in the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tile {
    pub a: u32,
    pub b: u32,
    pub len: u32,
}

/// The tiles of one comparison, and whether its work budget ran out first (then the tiles
/// found so far are the answer: a lower bound of the similarity).
#[derive(Clone, Debug, Default)]
pub struct Tiling {
    pub tiles: Vec<Tile>,
    pub matched: u32,
    pub cut_short: bool,
}

/// Buffers reused from one comparison to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    marked_a: Vec<bool>,
    marked_b: Vec<bool>,
    free_a: Vec<u32>,
    free_b: Vec<u32>,
    windows_b: Vec<(u64, u32)>,
    hashes_a: Vec<u64>,
    matches: Vec<Tile>,
}

const BASE: u64 = 0x0000_0100_0000_01b3;

/// Tiles `a` against `b`. Tokens `shared_a`/`shared_b` marks (code every student was given)
/// never enter a tile. `budget` bounds the candidate positions looked at, so that two
/// pathological inputs (one line repeated thousands of times) cannot hold up a run.
pub fn tile(
    a: &[Kind],
    shared_a: &[bool],
    b: &[Kind],
    shared_b: &[bool],
    min_len: usize,
    budget: u64,
    scratch: &mut Scratch,
) -> Tiling {
    let min_len = min_len.max(1);
    let mut result = Tiling::default();
    scratch.marked_a.clear();
    scratch.marked_a.extend_from_slice(shared_a);
    scratch.marked_b.clear();
    scratch.marked_b.extend_from_slice(shared_b);
    let shortest = a.len().min(b.len());
    if shortest < min_len {
        return result;
    }
    let mut work = 0u64;
    let mut search = (min_len * 4).max(32).clamp(min_len, shortest);
    loop {
        let longest = scan(a, b, search, budget, scratch, &mut work);
        result.cut_short = work > budget;
        if longest > 2 * search && !result.cut_short {
            // Runs much longer than the window: look again with windows that long, so the
            // long runs are marked before the pieces of them that shorter windows would find.
            search = longest;
            continue;
        }
        let marked = mark(scratch, &mut result);
        if result.cut_short {
            break;
        }
        if search > 2 * min_len {
            search /= 2;
        } else if search > min_len {
            search = min_len;
        } else if !marked {
            break;
        }
    }
    result
}

/// The length of unmarked tokens starting at each position.
fn free_runs(marked: &[bool], into: &mut Vec<u32>) {
    into.clear();
    into.resize(marked.len() + 1, 0);
    for at in (0..marked.len()).rev() {
        into[at] = if marked[at] { 0 } else { into[at + 1] + 1 };
    }
}

/// Hashes of every run of `len` tokens, one per start position.
fn window_hashes(kinds: &[Kind], len: usize, into: &mut Vec<u64>) {
    into.clear();
    if kinds.len() < len {
        return;
    }
    let top = (1..len).fold(1u64, |power, _| power.wrapping_mul(BASE));
    let mut hash = 0u64;
    for (at, &kind) in kinds.iter().enumerate() {
        if at >= len {
            hash = hash.wrapping_sub(spread(kinds[at - len]).wrapping_mul(top));
        }
        hash = hash.wrapping_mul(BASE).wrapping_add(spread(kind));
        if at + 1 >= len {
            into.push(hash);
        }
    }
}

fn spread(kind: Kind) -> u64 {
    u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1
}

/// Finds the maximal common unmarked runs of at least `len` tokens; returns the longest length.
fn scan(
    a: &[Kind],
    b: &[Kind],
    len: usize,
    budget: u64,
    scratch: &mut Scratch,
    work: &mut u64,
) -> usize {
    free_runs(&scratch.marked_a, &mut scratch.free_a);
    free_runs(&scratch.marked_b, &mut scratch.free_b);
    window_hashes(b, len, &mut scratch.hashes_a);
    scratch.windows_b.clear();
    for (at, &hash) in scratch.hashes_a.iter().enumerate() {
        if scratch.free_b[at] as usize >= len {
            scratch.windows_b.push((hash, at as u32));
        }
    }
    scratch.windows_b.sort_unstable();
    window_hashes(a, len, &mut scratch.hashes_a);
    scratch.matches.clear();
    let mut longest = 0;
    let (marked_a, marked_b) = (&scratch.marked_a, &scratch.marked_b);
    for (i, &hash) in scratch.hashes_a.iter().enumerate() {
        if (scratch.free_a[i] as usize) < len {
            continue;
        }
        if *work > budget {
            break;
        }
        let first = scratch.windows_b.partition_point(|&(h, _)| h < hash);
        for &(h, j) in &scratch.windows_b[first..] {
            if h != hash {
                break;
            }
            *work += 1;
            let j = j as usize;
            // Only maximal runs: one that could start a token earlier is found there.
            if i > 0 && j > 0 && !marked_a[i - 1] && !marked_b[j - 1] && a[i - 1] == b[j - 1] {
                continue;
            }
            if a[i..i + len] != b[j..j + len] {
                continue;
            }
            let mut end = len;
            while i + end < a.len()
                && j + end < b.len()
                && !marked_a[i + end]
                && !marked_b[j + end]
                && a[i + end] == b[j + end]
            {
                end += 1;
            }
            *work += (end / 16) as u64;
            longest = longest.max(end);
            scratch.matches.push(Tile { a: i as u32, b: j as u32, len: end as u32 });
        }
    }
    longest
}

/// Marks the runs found, longest first, skipping any that overlaps one marked before it.
fn mark(scratch: &mut Scratch, result: &mut Tiling) -> bool {
    scratch
        .matches
        .sort_unstable_by(|x, y| y.len.cmp(&x.len).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut marked_any = false;
    for found in &scratch.matches {
        let (a, b, len) = (found.a as usize, found.b as usize, found.len as usize);
        let occluded = scratch.marked_a[a..a + len].iter().any(|&m| m)
            || scratch.marked_b[b..b + len].iter().any(|&m| m);
        if occluded {
            continue;
        }
        scratch.marked_a[a..a + len].fill(true);
        scratch.marked_b[b..b + len].fill(true);
        result.tiles.push(*found);
        result.matched += found.len;
        marked_any = true;
    }
    marked_any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiling(a: &[Kind], b: &[Kind], min_len: usize) -> Tiling {
        tile(
            a,
            &vec![false; a.len()],
            b,
            &vec![false; b.len()],
            min_len,
            u64::MAX,
            &mut Scratch::default(),
        )
    }

    fn sequence(seed: u32, len: usize) -> Vec<Kind> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (state >> 16) % 50
            })
            .collect()
    }

    #[test]
    fn identical_sequences_are_one_tile() {
        let a = sequence(1, 500);
        let result = tiling(&a, &a, 10);
        assert_eq!(result.matched, 500);
        assert_eq!(result.tiles, [Tile { a: 0, b: 0, len: 500 }]);
    }

    #[test]
    fn swapped_blocks_are_both_matched() {
        let (x, y, z) = (sequence(1, 120), sequence(2, 80), sequence(3, 60));
        let a = [x.clone(), y.clone(), z.clone()].concat();
        let b = [z, y, x].concat();
        let result = tiling(&a, &b, 10);
        assert!(result.matched >= 255, "{result:?}");
        assert_eq!(result.tiles.len(), 3, "{result:?}");
    }

    #[test]
    fn runs_shorter_than_the_minimum_do_not_count() {
        let common = sequence(9, 8);
        let a = [sequence(1, 50), common.clone(), sequence(2, 50)].concat();
        let b = [sequence(3, 50), common, sequence(4, 50)].concat();
        assert!(tiling(&a, &b, 10).matched < 10);
        assert!(tiling(&a, &b, 6).matched >= 8);
    }

    #[test]
    fn every_token_is_in_at_most_one_tile() {
        let x = sequence(5, 40);
        let a = [x.clone(), x.clone(), x.clone()].concat();
        let b = x;
        let result = tiling(&a, &b, 10);
        assert_eq!(result.matched, 40, "{result:?}");
    }

    #[test]
    fn shared_code_never_enters_a_tile() {
        let a = sequence(1, 200);
        let mut shared = vec![false; 200];
        shared[50..150].fill(true);
        let result = tile(&a, &shared, &a, &[false; 200], 10, u64::MAX, &mut Scratch::default());
        assert_eq!(result.matched, 100, "{result:?}");
        for tile in &result.tiles {
            assert!((tile.a + tile.len) as usize <= 50 || tile.a >= 150, "{tile:?}");
        }
    }

    #[test]
    fn a_pathological_pair_is_cut_short_by_the_budget() {
        let a: Vec<Kind> = [1, 2, 3, 4].repeat(5_000);
        let started = std::time::Instant::now();
        let result = tile(
            &a,
            &vec![false; a.len()],
            &a,
            &vec![false; a.len()],
            10,
            200_000,
            &mut Scratch::default(),
        );
        assert!(started.elapsed().as_secs() < 2);
        assert!(result.matched > 0);
    }
}
