//! Winnowing (Schleimer, Wilkerson and Aiken, the method behind MOSS): a small set of hashes
//! of k-token runs per submission, chosen so that any common run of at least `k + window - 1`
//! tokens shares at least one hash. Cheap enough to compare every pair of a task; used to pick
//! the pairs that greedy string tiling then compares exactly.

use crate::tokens::Kind;

/// Hashes of every run of `k` tokens, `None` for a run that crosses a position `blocked` says
/// must not be matched.
fn run_hashes(kinds: &[Kind], blocked: &[bool], k: usize) -> Vec<Option<u64>> {
    if kinds.len() < k {
        return Vec::new();
    }
    const BASE: u64 = 0x100_0000_01b3;
    let top = (1..k).fold(1u64, |power, _| power.wrapping_mul(BASE));
    let mut hashes = Vec::with_capacity(kinds.len() + 1 - k);
    let mut hash = 0u64;
    let mut blocked_in_run = 0usize;
    for (at, &kind) in kinds.iter().enumerate() {
        if at >= k {
            hash = hash.wrapping_sub(mix(kinds[at - k]).wrapping_mul(top));
            blocked_in_run -= usize::from(blocked[at - k]);
        }
        hash = hash.wrapping_mul(BASE).wrapping_add(mix(kind));
        blocked_in_run += usize::from(blocked[at]);
        if at + 1 >= k {
            hashes.push((blocked_in_run == 0).then_some(finish(hash)));
        }
    }
    hashes
}

/// Spreads the small token kinds over the whole word before they enter the rolling hash.
fn mix(kind: Kind) -> u64 {
    u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d_4c95_7f2d
}

/// A final scramble, so that the minimum of a window is not biased towards particular kinds.
fn finish(hash: u64) -> u64 {
    let mut x = hash;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// The fingerprints of a token sequence: the smallest hash of every `window` consecutive
/// k-token runs, sorted and without repeats.
pub fn fingerprints(kinds: &[Kind], blocked: &[bool], k: usize, window: usize) -> Vec<u64> {
    let hashes = run_hashes(kinds, blocked, k);
    let mut chosen = Vec::new();
    // Indices into `hashes`, their values increasing: the front is the window's minimum.
    let mut minima: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut last_chosen = None;
    for (at, hash) in hashes.iter().enumerate() {
        if let Some(hash) = hash {
            while minima.back().is_some_and(|&back| hashes[back].is_some_and(|h| h >= *hash)) {
                minima.pop_back();
            }
            minima.push_back(at);
        }
        while minima.front().is_some_and(|&front| front + window <= at) {
            minima.pop_front();
        }
        if at + 1 >= window
            && let Some(&front) = minima.front()
            && last_chosen != Some(front)
        {
            last_chosen = Some(front);
            chosen.extend(hashes[front]);
        }
    }
    // A sequence shorter than one window still gets its smallest run.
    if hashes.len() < window
        && let Some(&front) = minima.front()
    {
        chosen.extend(hashes[front]);
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(seed: u32, len: usize) -> Vec<Kind> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (state >> 16) % 40
            })
            .collect()
    }

    #[test]
    fn a_long_common_run_always_shares_a_fingerprint() {
        let (k, window) = (8, 6);
        let common = sequence(7, k + window - 1);
        for seed in 0..50 {
            let mut a = sequence(seed, 60);
            a.extend(&common);
            a.extend(sequence(seed + 100, 30));
            let mut b = sequence(seed + 200, 45);
            b.extend(&common);
            let fa = fingerprints(&a, &vec![false; a.len()], k, window);
            let fb = fingerprints(&b, &vec![false; b.len()], k, window);
            assert!(fa.iter().any(|hash| fb.binary_search(hash).is_ok()), "seed {seed}");
        }
    }

    #[test]
    fn blocked_positions_give_no_fingerprints() {
        let kinds = sequence(3, 100);
        let blocked = vec![true; 100];
        assert!(fingerprints(&kinds, &blocked, 8, 6).is_empty());
        let open = fingerprints(&kinds, &[false; 100], 8, 6);
        assert!(open.len() > 100 / 6, "{}", open.len());
    }

    #[test]
    fn short_sequences_give_one_fingerprint_or_none() {
        assert!(fingerprints(&[1, 2, 3], &[false; 3], 8, 6).is_empty());
        assert_eq!(fingerprints(&sequence(1, 10), &[false; 10], 8, 6).len(), 1);
    }
}
