//! A grading plugin whose `parse` crashes the way a buggy plugin might on hostile report files:
//! the runner's tests load it to show that such a crash ends one job, not the runner host.

use inloop_plugin_api::{
    GraderPlugin,
    protocol::{
        ImageRecipe, Limits, PROTOCOL_VERSION, PluginInfo, RunOutcome, RunRecipe, TaskSpec,
    },
    report::{Report, Verdict},
};

pub struct CrashPlugin;

impl GraderPlugin for CrashPlugin {
    fn describe(&self) -> PluginInfo {
        PluginInfo {
            name: "crash".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol: PROTOCOL_VERSION,
            languages: Vec::new(),
            file_patterns: Vec::new(),
            editor_mode: String::new(),
            default_limits: Limits {
                timeout_s: 1,
                memory_mb: 64,
                cpus: 1.0,
                pids: 8,
                output_kb: 1,
            },
            base_images: Vec::new(),
        }
    }

    fn image_recipe(&self, _task: &TaskSpec) -> Result<ImageRecipe, String> {
        Err("this plugin only parses".to_owned())
    }

    fn run_recipe(&self, _task: &TaskSpec) -> Result<RunRecipe, String> {
        Err("this plugin only parses".to_owned())
    }

    /// What it does is in the run's stdout: `overflow`, `abort`, `panic`, or a verdict.
    fn parse(&self, _task: &TaskSpec, outcome: &RunOutcome) -> Result<Report, String> {
        match outcome.stdout.as_str() {
            "overflow" => Ok(Report::new(overflow(outcome.stdout.len()))),
            "abort" => std::process::abort(),
            "panic" => panic!("the plugin panicked on purpose"),
            _ => Ok(Report::new(Verdict::Failed)),
        }
    }
}

/// Recursion without end, as a parser that recurses on nested input would.
#[expect(unconditional_recursion, reason = "it is meant to overflow the stack")]
fn overflow(depth: usize) -> Verdict {
    let padding = std::hint::black_box([depth; 64]);
    overflow(padding[depth % 64] + 1)
}

inloop_plugin_api::export_plugin!(CrashPlugin);
