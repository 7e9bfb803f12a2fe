//! What grading produces: one verdict per run, the tests with their outcomes, notes for the student.

use serde::{Deserialize, Serialize};

/// The one-word outcome of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every test passed.
    Passed,
    /// The tests ran and some failed.
    Failed,
    /// The solution did not compile (or, for Python, could not be imported).
    CompileError,
    /// The run exceeded its wall-clock limit and was killed.
    Timeout,
    /// The run exceeded its memory limit.
    MemoryExceeded,
    /// The program died outside the tests (a crash, a signal, no report at all).
    Crashed,
    /// Our fault: the image could not be built, Docker failed, a plugin misbehaved.
    SystemError,
}

impl Verdict {
    pub const ALL: [Verdict; 7] = [
        Verdict::Passed,
        Verdict::Failed,
        Verdict::CompileError,
        Verdict::Timeout,
        Verdict::MemoryExceeded,
        Verdict::Crashed,
        Verdict::SystemError,
    ];

    /// The verdict a stored word names ([`Verdict::as_str`] read back).
    pub fn parse(word: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|verdict| verdict.as_str() == word)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::CompileError => "compile_error",
            Verdict::Timeout => "timeout",
            Verdict::MemoryExceeded => "memory_exceeded",
            Verdict::Crashed => "crashed",
            Verdict::SystemError => "system_error",
        }
    }

    /// The verdict in a word or two, for badges and tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::CompileError => "compile error",
            Verdict::Timeout => "timeout",
            Verdict::MemoryExceeded => "memory exceeded",
            Verdict::Crashed => "crashed",
            Verdict::SystemError => "system error",
        }
    }

    /// A sentence for the student.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::Passed => "Congratulations, your solution passed all tests.",
            Verdict::Failed => "Your solution did not pass all tests.",
            Verdict::CompileError => "Your solution could not be compiled.",
            Verdict::Timeout => "Your solution took too long and was stopped.",
            Verdict::MemoryExceeded => {
                "Your solution used more memory than allowed and was stopped."
            }
            Verdict::Crashed => "Your program stopped unexpectedly before the tests finished.",
            Verdict::SystemError => {
                "We could not test your solution because of a problem on our side; it does not count against you."
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl TestStatus {
    /// Failed or broke: what a student should look at first.
    pub fn is_failing(self) -> bool {
        matches!(self, TestStatus::Failed | TestStatus::Error)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Passed => "passed",
            TestStatus::Failed => "failed",
            TestStatus::Error => "error",
            TestStatus::Skipped => "skipped",
        }
    }
}

/// One test and how it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    pub status: TestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The assertion message or exception, one line where possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Longer text: a stack trace, a diff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Points {
    pub earned: f64,
    pub possible: f64,
}

/// The result of grading one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    #[serde(default)]
    pub tests: Vec<TestCase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    /// Text for the student beyond the tests, e.g. the compiler's messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// Things the student should know about the run itself: truncated output, dropped files,
    /// an unreadable report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(verdict: Verdict) -> Self {
        Report { verdict, tests: Vec::new(), points: None, feedback: None, notes: Vec::new() }
    }

    /// Makes every text in the report safe to store and to show ([`crate::text`]), and drops
    /// points that are not finite numbers (JSON cannot carry them). True when anything changed.
    pub fn make_safe(&mut self) -> bool {
        let mut changed = false;
        let mut fix = |text: &mut String| {
            if !crate::text::is_safe(text) {
                crate::text::make_safe_in_place(text);
                changed = true;
            }
        };
        for test in &mut self.tests {
            fix(&mut test.name);
            for text in
                [&mut test.class_name, &mut test.message, &mut test.details].into_iter().flatten()
            {
                fix(text);
            }
        }
        if let Some(feedback) = &mut self.feedback {
            fix(feedback);
        }
        for note in &mut self.notes {
            fix(note);
        }
        if self
            .points
            .is_some_and(|points| !(points.earned.is_finite() && points.possible.is_finite()))
        {
            self.points = None;
            changed = true;
        }
        changed
    }

    /// Failed when any test failed or erred, passed when at least one test ran and none did.
    pub fn verdict_from_tests(tests: &[TestCase]) -> Option<Verdict> {
        let ran = tests.iter().filter(|test| test.status != TestStatus::Skipped).count();
        if tests.iter().any(|test| test.status.is_failing()) {
            Some(Verdict::Failed)
        } else if ran > 0 {
            Some(Verdict::Passed)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_serialise_as_the_documented_words() {
        for verdict in Verdict::ALL {
            let json = serde_json::to_string(&verdict).expect("serialises");
            assert_eq!(json, format!("\"{}\"", verdict.as_str()));
            assert_eq!(Verdict::parse(verdict.as_str()), Some(verdict));
            assert_eq!(verdict.label(), verdict.as_str().replace('_', " "));
        }
        assert_eq!(Verdict::parse("Passed"), None);
    }

    #[test]
    fn every_text_of_a_report_is_made_safe() {
        let mut report = Report::new(Verdict::Failed);
        report.tests.push(TestCase {
            name: "t\0".into(),
            class_name: Some("C\u{1}".into()),
            status: TestStatus::Failed,
            duration_ms: None,
            message: Some("expected <\0> but was <a>".into()),
            details: None,
        });
        report.feedback = Some("\u{1b}[1m".into());
        report.notes.push("fine".into());
        report.points = Some(Points { earned: f64::NAN, possible: 1.0 });
        assert!(report.make_safe());
        assert_eq!(report.tests[0].name, "t␀");
        assert_eq!(report.tests[0].class_name.as_deref(), Some("C␁"));
        assert_eq!(report.tests[0].message.as_deref(), Some("expected <␀> but was <a>"));
        assert_eq!(report.feedback.as_deref(), Some("␛[1m"));
        assert_eq!(report.points, None);
        assert!(serde_json::to_string(&report).is_ok());
        assert!(!report.make_safe(), "a safe report stays as it is");
    }

    #[test]
    fn the_tests_decide_between_passed_and_failed() {
        let case = |status| TestCase {
            name: "t".into(),
            class_name: None,
            status,
            duration_ms: None,
            message: None,
            details: None,
        };
        assert_eq!(
            Report::verdict_from_tests(&[case(TestStatus::Passed), case(TestStatus::Skipped)]),
            Some(Verdict::Passed)
        );
        assert_eq!(
            Report::verdict_from_tests(&[case(TestStatus::Passed), case(TestStatus::Error)]),
            Some(Verdict::Failed)
        );
        assert_eq!(Report::verdict_from_tests(&[case(TestStatus::Skipped)]), None);
        assert_eq!(Report::verdict_from_tests(&[]), None);
    }
}
