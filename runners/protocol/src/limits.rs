//! Resource limits of a run: the plugin's defaults, what the task asks for, the admin's ceilings.

use inloop_plugin_api::protocol::Limits;
use serde::Deserialize;

/// The most any task may get; set by the admin of the runner hosts.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ceilings {
    pub timeout_s: u32,
    pub memory_mb: u32,
    pub cpus: f64,
    pub pids: u32,
    pub output_kb: u32,
}

impl Default for Ceilings {
    fn default() -> Self {
        Ceilings { timeout_s: 300, memory_mb: 4096, cpus: 4.0, pids: 1024, output_kb: 4096 }
    }
}

/// The optional `limits` object of a task's `meta.json`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskLimits {
    pub timeout_s: Option<u32>,
    pub memory_mb: Option<u32>,
    pub cpus: Option<f64>,
    pub pids: Option<u32>,
    pub output_kb: Option<u32>,
}

/// What a run gets: the task's wishes over the plugin's defaults, clamped by the ceilings, and
/// never below what any program needs to start.
pub fn effective(defaults: Limits, task: TaskLimits, ceilings: Ceilings) -> Limits {
    Limits {
        timeout_s: task.timeout_s.unwrap_or(defaults.timeout_s).clamp(1, ceilings.timeout_s.max(1)),
        memory_mb: task
            .memory_mb
            .unwrap_or(defaults.memory_mb)
            .clamp(32, ceilings.memory_mb.max(32)),
        cpus: task.cpus.unwrap_or(defaults.cpus).clamp(0.1, ceilings.cpus.max(0.1)),
        pids: task.pids.unwrap_or(defaults.pids).clamp(8, ceilings.pids.max(8)),
        output_kb: task.output_kb.unwrap_or(defaults.output_kb).clamp(1, ceilings.output_kb.max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: Limits =
        Limits { timeout_s: 30, memory_mb: 512, cpus: 1.0, pids: 128, output_kb: 64 };

    #[test]
    fn task_limits_override_defaults_within_the_ceilings() {
        let ceilings =
            Ceilings { timeout_s: 60, memory_mb: 1024, cpus: 2.0, pids: 256, output_kb: 128 };
        let task = TaskLimits {
            timeout_s: Some(600),
            memory_mb: Some(256),
            cpus: None,
            pids: Some(1),
            output_kb: None,
        };
        let limits = effective(DEFAULTS, task, ceilings);
        assert_eq!(
            limits,
            Limits { timeout_s: 60, memory_mb: 256, cpus: 1.0, pids: 8, output_kb: 64 }
        );
        assert_eq!(effective(DEFAULTS, TaskLimits::default(), ceilings), DEFAULTS);
    }
}
