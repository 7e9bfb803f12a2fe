//! Re-test batches: staff have a task's solutions graded again (after a fix to its tests, say),
//! watch the batch, review which verdicts would change, and apply it or throw it away. The words
//! of its scope and state live here; the queue sends its jobs ([`crate::queue`]).

/// Which of a task's solutions a batch grades again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every student's latest tested solution.
    Latest,
    /// Every tested solution.
    All,
    /// Those that could not be tested (quarantined, or graded `system_error`).
    Untested,
    /// The solutions staff picked.
    Selection,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Latest, Scope::All, Scope::Untested, Scope::Selection];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Latest => "latest",
            Scope::All => "all",
            Scope::Untested => "untested",
            Scope::Selection => "selection",
        }
    }

    pub fn parse(word: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Latest => "every student's latest solution",
            Scope::All => "every solution",
            Scope::Untested => "the solutions that could not be tested",
            Scope::Selection => "chosen solutions",
        }
    }
}

/// Where a batch stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Its solutions are being graded.
    Running,
    /// Every solution is graded (or given up on): staff review and decide.
    Review,
    /// Its results replaced the solutions' (the old ones are in their history).
    Applied,
    /// Thrown away: the solutions kept their results.
    Discarded,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Review => "review",
            State::Applied => "applied",
            State::Discarded => "discarded",
        }
    }

    pub fn parse(word: &str) -> Option<State> {
        [State::Running, State::Review, State::Applied, State::Discarded]
            .into_iter()
            .find(|state| state.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Review => "ready for review",
            State::Applied => "applied",
            State::Discarded => "discarded",
        }
    }

    /// Still to be decided on: no second batch of the task may start.
    pub fn is_open(self) -> bool {
        matches!(self, State::Running | State::Review)
    }
}

/// The most solutions one batch takes (a course of 1,000 students × 10 solutions fits).
pub const MOST_ITEMS: i64 = 20_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_as_themselves() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        for state in [State::Running, State::Review, State::Applied, State::Discarded] {
            assert_eq!(State::parse(state.as_str()), Some(state));
        }
        assert_eq!(Scope::parse("everything"), None);
        assert!(State::Review.is_open() && !State::Applied.is_open());
    }
}
