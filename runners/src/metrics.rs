//! What a runner host counts for Prometheus: jobs by plugin and verdict (so timeouts and
//! out-of-memory kills show as rates), how long jobs waited in the stream and how long each
//! phase of a run took (container start among them), image builds, hand-backs and busy slots.
//! Recorded through the `metrics` facade; the `inloop` binary installs the exporter.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use inloop_protocol::jobs::HandBackReason;
use metrics::{counter, gauge, histogram};

pub const JOBS_GRADED: &str = "inloop_runner_jobs_graded_total";
pub const JOB_WAIT: &str = "inloop_runner_job_wait_seconds";
pub const PHASE: &str = "inloop_runner_phase_seconds";
pub const IMAGE_BUILDS: &str = "inloop_runner_image_builds_total";
pub const IMAGE_BUILD_TIME: &str = "inloop_runner_image_build_seconds";
pub const HAND_BACKS: &str = "inloop_runner_hand_backs_total";
pub const SLOTS: &str = "inloop_runner_slots";
pub const SLOTS_BUSY: &str = "inloop_runner_slots_busy";

/// Says what the metrics mean, once per process, for the exporter's `# HELP` lines.
pub fn describe() {
    metrics::describe_counter!(
        JOBS_GRADED,
        "Jobs graded on this host, by plugin, kind and verdict."
    );
    metrics::describe_histogram!(
        JOB_WAIT,
        metrics::Unit::Seconds,
        "How long jobs waited in the stream before this host took them, by plugin."
    );
    metrics::describe_histogram!(
        PHASE,
        metrics::Unit::Seconds,
        "How long each phase of a run took (image, create, start, run, collect, parse, total), by plugin."
    );
    metrics::describe_counter!(IMAGE_BUILDS, "Task images this host built, by plugin.");
    metrics::describe_histogram!(
        IMAGE_BUILD_TIME,
        metrics::Unit::Seconds,
        "How long building a task's images took, by plugin."
    );
    metrics::describe_counter!(HAND_BACKS, "Jobs this host handed back, by reason.");
    metrics::describe_gauge!(SLOTS, "Grading slots of this host.");
    metrics::describe_gauge!(SLOTS_BUSY, "Grading slots working on a job now.");
}

pub fn slots(count: usize) {
    gauge!(SLOTS).set(count as f64);
}

/// A slot at work, counted as busy until dropped.
pub struct Busy(());

impl Busy {
    pub fn start() -> Busy {
        gauge!(SLOTS_BUSY).increment(1.0);
        Busy(())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        gauge!(SLOTS_BUSY).decrement(1.0);
    }
}

/// A run of `plugin` that ended with `verdict`, of the job in this stream entry, with how long
/// each of its phases took (`total` among them). Redis named the entry after the millisecond it
/// was added, which is when the job started waiting.
pub fn graded(
    plugin: &str,
    verdict: &'static str,
    kind: &'static str,
    entry_id: &str,
    phases: &[(&'static str, Duration)],
) {
    let total = phases.iter().find(|(phase, _)| *phase == "total").map_or(Duration::ZERO, |p| p.1);
    if let Some(added_ms) = entry_id.split('-').next().and_then(|ms| ms.parse::<u64>().ok()) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let waited = now.saturating_sub(Duration::from_millis(added_ms)).saturating_sub(total);
        histogram!(JOB_WAIT, "plugin" => plugin.to_owned()).record(waited.as_secs_f64());
    }
    counter!(JOBS_GRADED, "plugin" => plugin.to_owned(), "kind" => kind, "verdict" => verdict)
        .increment(1);
    for (phase, took) in phases {
        histogram!(PHASE, "plugin" => plugin.to_owned(), "phase" => *phase)
            .record(took.as_secs_f64());
    }
}

/// Images built for a task (ahead of its jobs, or for one), and how long the build took.
pub fn image_built(plugin: &str, took: Duration) {
    counter!(IMAGE_BUILDS, "plugin" => plugin.to_owned()).increment(1);
    histogram!(IMAGE_BUILD_TIME, "plugin" => plugin.to_owned()).record(took.as_secs_f64());
}

pub fn handed_back(reason: HandBackReason) {
    counter!(HAND_BACKS, "reason" => format!("{reason:?}")).increment(1);
}
