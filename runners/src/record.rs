//! How the host knows that a run ran its tests to the end and that the report it reads is the
//! harness's: the run record (`RunRecipe::run_record`).
//!
//! The host gives each run a fresh nonce on standard input; the harness keeps it where the
//! student's code cannot reach it and, as the very last thing, writes a record with the nonce,
//! its counts and the SHA-256 of every report file it wrote. A run whose program ended it early
//! (exit or halt with status 0) leaves no record; report files written by anyone else do not
//! match the record's digests. Either way the run cannot be `passed`.

use inloop_plugin_api::{
    protocol::{ReportFile, RunRecord},
    report::{Report, Verdict},
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What the host could establish about a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Integrity {
    /// The plugin keeps no record (the classic contract).
    NotKept,
    /// The record is there, carries the nonce, and names every report file it vouches for.
    Verified(RunRecord),
    /// No record: the run did not get to the end of its tests.
    Missing,
    /// A record that is not the harness's, or report files that are not what it wrote.
    Untrusted(String),
}

/// A fresh nonce for one run.
pub fn nonce() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// Checks the record's bytes (`None`: there is no record) against the nonce and the collected
/// report files.
pub fn check(record: Option<&[u8]>, nonce: &str, files: &[ReportFile]) -> Integrity {
    let Some(bytes) = record else { return Integrity::Missing };
    let record: RunRecord = match serde_json::from_slice(bytes) {
        Ok(record) => record,
        Err(_) => return Integrity::Untrusted("the run record is not readable".to_owned()),
    };
    // Compared in constant time: how long it takes tells nothing of how much a guess got right.
    if !bool::from(record.nonce.as_bytes().ct_eq(nonce.as_bytes())) {
        return Integrity::Untrusted("the run record was not written by the harness".to_owned());
    }
    for (name, digest) in &record.reports {
        let Some(file) = files.iter().find(|file| &file.name == name) else {
            return Integrity::Untrusted(format!("the report {name} is missing"));
        };
        if hex::encode(Sha256::digest(file.contents.as_bytes())) != digest.to_lowercase() {
            return Integrity::Untrusted(format!("the report {name} was changed"));
        }
    }
    Integrity::Verified(record)
}

/// The report files the verdict may be read from: with a verified record, only those it names.
pub fn trusted_files(files: Vec<ReportFile>, integrity: &Integrity) -> Vec<ReportFile> {
    match integrity {
        Integrity::Verified(record) => {
            files.into_iter().filter(|file| record.reports.contains_key(&file.name)).collect()
        }
        _ => files,
    }
}

/// A run that cannot be trusted cannot pass: its verdict becomes `crashed` or `failed`, with a
/// note that says why. Other verdicts stay (they hurt nobody but the one who forged them).
pub fn judge(report: &mut Report, integrity: &Integrity) {
    if report.verdict != Verdict::Passed {
        return;
    }
    let (verdict, note) = match integrity {
        Integrity::NotKept => return,
        Integrity::Missing => (
            Verdict::Crashed,
            "The test run ended before all tests had finished (did the program exit early?), so \
             it cannot pass."
                .to_owned(),
        ),
        Integrity::Untrusted(reason) => (
            Verdict::Crashed,
            format!("The test results cannot be trusted ({reason}), so the run cannot pass."),
        ),
        Integrity::Verified(record) if record.finished < record.planned => (
            Verdict::Crashed,
            format!("Only {} of {} tests finished.", record.finished, record.planned),
        ),
        Integrity::Verified(record) if record.aborted > 0 => (
            Verdict::Failed,
            format!("{} test(s) were aborted, so the run cannot pass.", record.aborted),
        ),
        Integrity::Verified(record) if report.tests.len() != record.planned as usize => (
            Verdict::Failed,
            format!(
                "The test report lists {} tests, but {} were run.",
                report.tests.len(),
                record.planned
            ),
        ),
        Integrity::Verified(_) => return,
    };
    tracing::warn!(verdict = verdict.as_str(), note, "a run that claimed to pass was not trusted");
    report.verdict = verdict;
    report.notes.push(note);
}

#[cfg(test)]
mod tests {
    use inloop_plugin_api::report::{TestCase, TestStatus};

    use super::*;

    fn file(name: &str, contents: &str) -> ReportFile {
        ReportFile { name: name.into(), contents: contents.into() }
    }

    fn record(nonce: &str, files: &[&ReportFile], planned: u32, finished: u32) -> Vec<u8> {
        let reports = files
            .iter()
            .map(|file| (file.name.clone(), hex::encode(Sha256::digest(file.contents.as_bytes()))))
            .collect();
        serde_json::to_vec(&RunRecord {
            nonce: nonce.into(),
            planned,
            finished,
            aborted: 0,
            reports,
        })
        .expect("json")
    }

    fn passed(tests: usize) -> Report {
        let mut report = Report::new(Verdict::Passed);
        report.tests = (0..tests)
            .map(|n| TestCase {
                name: format!("t{n}"),
                class_name: None,
                status: TestStatus::Passed,
                duration_ms: None,
                message: None,
                details: None,
            })
            .collect();
        report
    }

    #[test]
    fn a_record_with_the_nonce_and_the_reports_digests_is_trusted() {
        let xml = file("TEST-junit-jupiter.xml", "<testsuite/>");
        let bytes = record("n0nce", &[&xml], 2, 2);
        let integrity = check(Some(&bytes), "n0nce", std::slice::from_ref(&xml));
        assert!(matches!(integrity, Integrity::Verified(_)), "{integrity:?}");
        let mut report = passed(2);
        judge(&mut report, &integrity);
        assert_eq!(report.verdict, Verdict::Passed);
        let extra = file("TEST-forged.xml", "<testsuite/>");
        assert_eq!(trusted_files(vec![xml, extra], &integrity).len(), 1, "only what it names");
    }

    #[test]
    fn early_ends_forged_records_and_changed_reports_cannot_pass() {
        let xml = file("report.xml", "<testsuite/>");
        let cases: [(Integrity, Verdict); 6] = [
            (check(None, "n", &[]), Verdict::Crashed),
            (check(Some(b"{not json"), "n", &[]), Verdict::Crashed),
            (
                check(Some(&record("guess", &[&xml], 1, 1)), "n", std::slice::from_ref(&xml)),
                Verdict::Crashed,
            ),
            (
                check(Some(&record("n", &[&xml], 1, 1)), "n", &[file("report.xml", "<forged/>")]),
                Verdict::Crashed,
            ),
            (
                check(Some(&record("n", &[&xml], 3, 1)), "n", std::slice::from_ref(&xml)),
                Verdict::Crashed,
            ),
            (
                check(Some(&record("n", &[&xml], 3, 3)), "n", std::slice::from_ref(&xml)),
                Verdict::Failed,
            ),
        ];
        for (integrity, expected) in cases {
            let mut report = passed(1);
            judge(&mut report, &integrity);
            assert_eq!(report.verdict, expected, "{integrity:?}");
            assert!(!report.notes.is_empty());
        }
        let mut failed = Report::new(Verdict::Failed);
        judge(&mut failed, &Integrity::Missing);
        assert!(failed.notes.is_empty(), "other verdicts stay as they are");
    }
}
