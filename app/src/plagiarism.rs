//! Plagiarism checks in words and plain data: whose solutions a check compares, where it
//! stands, what staff decided about a pair, and the matched regions of a pair cut into the
//! pieces its side-by-side view shows. The comparison itself is `inloop_similarity`; running
//! checks is [`crate::plagiarism_worker`].

use serde::{Deserialize, Serialize};

/// The share of matched code at or above which a check keeps a pair, unless staff choose.
/// On the corpora of `app/similarity/tests/corpus` every copy scores above 72 % and every
/// independent pair below 47 %.
pub const DEFAULT_THRESHOLD_PERCENT: u8 = 60;

/// Whose solutions are compared: one per student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Each student's last passed solution (what INLOOP's JPlag check compared).
    LastPassed,
    /// Each student's last solution, passed or not.
    Last,
}

impl Basis {
    pub const ALL: [Basis; 2] = [Basis::LastPassed, Basis::Last];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::LastPassed => "last_passed",
            Basis::Last => "last",
        }
    }

    pub fn parse(word: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|basis| basis.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Basis::LastPassed => "each student's last passed solution",
            Basis::Last => "each student's last solution",
        }
    }
}

/// Where a check stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl CheckState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Queued => "queued",
            CheckState::Running => "running",
            CheckState::Done => "done",
            CheckState::Failed => "failed",
            CheckState::Cancelled => "cancelled",
        }
    }

    pub fn parse(word: &str) -> Option<CheckState> {
        [
            CheckState::Queued,
            CheckState::Running,
            CheckState::Done,
            CheckState::Failed,
            CheckState::Cancelled,
        ]
        .into_iter()
        .find(|state| state.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckState::Queued => "waiting to start",
            CheckState::Running => "running",
            CheckState::Done => "done",
            CheckState::Failed => "failed",
            CheckState::Cancelled => "cancelled",
        }
    }

    /// Still to finish: the page keeps updating and the check can be cancelled.
    pub fn is_open(self) -> bool {
        matches!(self, CheckState::Queued | CheckState::Running)
    }
}

/// The stage of a running check, as its progress bar names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Screening,
    Tiling,
    Storing,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Reading => "reading",
            Stage::Screening => "screening",
            Stage::Tiling => "tiling",
            Stage::Storing => "storing",
        }
    }

    pub fn parse(word: &str) -> Option<Stage> {
        [Stage::Reading, Stage::Screening, Stage::Tiling, Stage::Storing]
            .into_iter()
            .find(|stage| stage.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading the solutions",
            Stage::Screening => "Screening every pair",
            Stage::Tiling => "Comparing the likely pairs in detail",
            Stage::Storing => "Storing the results",
        }
    }
}

impl From<inloop_similarity::Stage> for Stage {
    fn from(stage: inloop_similarity::Stage) -> Stage {
        match stage {
            inloop_similarity::Stage::Reading => Stage::Reading,
            inloop_similarity::Stage::Screening => Stage::Screening,
            inloop_similarity::Stage::Tiling => Stage::Tiling,
        }
    }
}

/// What staff decided about a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Copied: the task counts as not passed for both students.
    Confirmed,
    /// Alike, but not copied.
    Dismissed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
        }
    }

    pub fn parse(word: &str) -> Option<Decision> {
        [Decision::Confirmed, Decision::Dismissed].into_iter().find(|d| d.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Confirmed => "plagiarism confirmed",
            Decision::Dismissed => "dismissed",
        }
    }
}

/// One matched region as stored: the file (by its place among the solution's files in name
/// order) and byte range on each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRegion(pub u32, pub u32, pub u32, pub u32, pub u32, pub u32);

impl From<&inloop_similarity::Region> for StoredRegion {
    fn from(region: &inloop_similarity::Region) -> StoredRegion {
        StoredRegion(
            region.a.file,
            region.a.start,
            region.a.end,
            region.b.file,
            region.b.start,
            region.b.end,
        )
    }
}

/// Which side of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// A piece of a file in the side-by-side view: plain text, or the text of matched region
/// number `region` (counted from 0 in the pair's order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub region: Option<usize>,
}

/// Cuts one file of one side into pieces at its matched regions. Regions out of range (a file
/// changed since, or a forged row) are left out rather than trusted.
pub fn pieces(contents: &[u8], file: u32, side: Side, regions: &[StoredRegion]) -> Vec<Piece> {
    let mut ranges: Vec<(usize, usize, usize)> = regions
        .iter()
        .enumerate()
        .filter_map(|(index, region)| {
            let (in_file, start, end) = match side {
                Side::A => (region.0, region.1, region.2),
                Side::B => (region.3, region.4, region.5),
            };
            (in_file == file && start < end && end as usize <= contents.len()).then_some((
                start as usize,
                end as usize,
                index,
            ))
        })
        .collect();
    ranges.sort_unstable();
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end, index) in ranges {
        if start < at {
            continue;
        }
        if start > at {
            pieces.push(Piece {
                text: String::from_utf8_lossy(&contents[at..start]).into_owned(),
                region: None,
            });
        }
        pieces.push(Piece {
            text: String::from_utf8_lossy(&contents[start..end]).into_owned(),
            region: Some(index),
        });
        at = end;
    }
    if at < contents.len() {
        pieces.push(Piece {
            text: String::from_utf8_lossy(&contents[at..]).into_owned(),
            region: None,
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_as_themselves() {
        for basis in Basis::ALL {
            assert_eq!(Basis::parse(basis.as_str()), Some(basis));
        }
        for state in ["queued", "running", "done", "failed", "cancelled"] {
            assert_eq!(CheckState::parse(state).map(CheckState::as_str), Some(state));
        }
        for stage in ["reading", "screening", "tiling", "storing"] {
            assert_eq!(Stage::parse(stage).map(Stage::as_str), Some(stage));
        }
        assert_eq!(Decision::parse("confirmed"), Some(Decision::Confirmed));
        assert_eq!(Decision::parse("maybe"), None);
    }

    #[test]
    fn a_file_is_cut_at_its_regions_and_bad_regions_are_ignored() {
        let text = b"abc defgh ij";
        let regions = [
            StoredRegion(0, 4, 9, 1, 0, 5),
            StoredRegion(0, 0, 3, 0, 0, 3),
            StoredRegion(0, 10, 99, 0, 0, 1),
            StoredRegion(1, 0, 2, 0, 5, 7),
        ];
        let cut = pieces(text, 0, Side::A, &regions);
        let shown: Vec<(&str, Option<usize>)> =
            cut.iter().map(|piece| (piece.text.as_str(), piece.region)).collect();
        assert_eq!(shown, [("abc", Some(1)), (" ", None), ("defgh", Some(0)), (" ij", None)]);
        // On the other side two regions overlap (a forged row): the first one wins.
        let other = pieces(text, 0, Side::B, &regions);
        let shown: Vec<(&str, Option<usize>)> =
            other.iter().map(|piece| (piece.text.as_str(), piece.region)).collect();
        assert_eq!(shown, [("a", Some(2)), ("bc d", None), ("ef", Some(3)), ("gh ij", None)]);
    }

    #[test]
    fn invalid_utf8_is_shown_not_refused() {
        let cut = pieces(b"ok \xff\xfe done", 0, Side::A, &[StoredRegion(0, 3, 5, 0, 0, 0)]);
        assert_eq!(cut.len(), 3);
        assert!(cut[1].text.contains('\u{fffd}'));
    }
}
