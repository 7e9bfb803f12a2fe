//! What grading stored, written and read back typed: verdict words and report JSON.

use inloop_plugin_api::report::{Report, Verdict};

/// A verdict column read back. The web server writes only [`Verdict::as_str`] words, so a word it
/// does not know (a newer server's, a hand edit) is shown as our fault rather than failing the page.
pub(super) fn stored_verdict(word: Option<String>) -> Option<Verdict> {
    word.map(|word| {
        Verdict::parse(&word).unwrap_or_else(|| {
            tracing::warn!(verdict = word, "a stored verdict is not one this server knows");
            Verdict::SystemError
        })
    })
}

/// A report column read back; one this server cannot read shows as a system error that says so.
pub(super) fn stored_report(value: serde_json::Value) -> Report {
    serde_json::from_value(value).unwrap_or_else(|err| {
        tracing::warn!(error = %err, "a stored report cannot be read");
        let mut report = Report::new(Verdict::SystemError);
        report.notes.push("The stored report of this run cannot be read.".to_owned());
        report
    })
}

/// A report as the JSON its column holds.
pub(super) fn report_json(report: &Report) -> sqlx::Result<serde_json::Value> {
    serde_json::to_value(report).map_err(|err| sqlx::Error::Encode(err.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_reads_back_as_itself() {
        for verdict in Verdict::ALL {
            assert_eq!(stored_verdict(Some(verdict.as_str().to_owned())), Some(verdict));
        }
        assert_eq!(stored_verdict(None), None);
        assert_eq!(stored_verdict(Some("excellent".to_owned())), Some(Verdict::SystemError));
    }

    #[test]
    fn a_report_survives_its_column_and_an_unreadable_one_says_so() {
        let mut report = Report::new(Verdict::Failed);
        report.notes.push("cut".to_owned());
        assert_eq!(stored_report(report_json(&report).unwrap()), report);
        let unreadable = stored_report(serde_json::json!({"verdict": 7}));
        assert_eq!(unreadable.verdict, Verdict::SystemError);
        assert_eq!(unreadable.notes, ["The stored report of this run cannot be read."]);
    }
}
