//! The one Docker wrapper. Every container that runs student code is created here: hardened,
//! watched with a wall-clock limit, its output capped, and removed on every path.

use std::{
    collections::HashMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use bollard::{
    body_full,
    models::{ContainerCreateBody, HostConfig, HostConfigLogConfig, ResourcesUlimits},
    query_parameters::{
        AttachContainerOptionsBuilder, BuildImageOptionsBuilder, CreateContainerOptionsBuilder,
        KillContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
        WaitContainerOptionsBuilder,
    },
};
use futures_util::StreamExt;

/// Label on every grading container, so leftovers of a crashed runner can be found and removed.
pub const LABEL: &str = "org.inloop.grader";
/// The user student code runs as: nobody.
pub const RUN_USER: &str = "65534:65534";

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("cannot reach the Docker engine ({0}); is dockerd running and may this user use it?")]
    Unreachable(String),
    #[error("{}", missing_base_image(image))]
    MissingBaseImage { image: String },
    #[error("building the image {tag} failed: {summary}")]
    BuildFailed { tag: String, summary: String, log: String },
    #[error("Docker engine: {0}")]
    Engine(#[from] bollard::errors::Error),
}

/// The Debian suite a `debian:<suite>[-slim]` image name stands for.
pub fn debian_suite(image: &str) -> Option<&str> {
    let tag = image
        .strip_prefix("debian:")
        .or_else(|| image.strip_prefix("docker.io/library/debian:"))?;
    let suite = tag.strip_suffix("-slim").unwrap_or(tag);
    (!suite.is_empty() && suite.chars().all(|c| c.is_ascii_lowercase())).then_some(suite)
}

/// What helps when a base image is missing: `inloop images bootstrap` builds Debian's images
/// from packages and nothing else, so for any other image the message names what can bring it.
fn missing_base_image(image: &str) -> String {
    if debian_suite(image).is_some() {
        format!(
            "the base image {image} is missing and there is no registry to pull it from; run `inloop images bootstrap` to build it from Debian packages"
        )
    } else {
        format!(
            "the base image {image} is missing and this host has no registry to pull it from: load it into Docker on every runner host (`docker save {image}` where it exists, then `docker load`), give Docker a registry mirror that has it, or have the task graded by a plugin (\"runner\" in its meta.json) instead of the repository's Dockerfile"
        )
    }
}

impl DockerError {
    /// Whether the engine or this host failed (as opposed to a task's image that cannot be
    /// built, or a base image nobody built yet).
    pub fn is_infrastructure(&self) -> bool {
        match self {
            DockerError::Unreachable(_) => true,
            DockerError::MissingBaseImage { .. } => false,
            DockerError::BuildFailed { summary, .. } => Self::is_infrastructure_text(summary),
            DockerError::Engine(err) => match err {
                // The engine refused the request itself: a request we got wrong, not a host fault.
                bollard::errors::Error::DockerResponseServerError { status_code, message } => {
                    *status_code >= 500 || Self::is_infrastructure_text(message)
                }
                _ => true,
            },
        }
    }

    /// Words with which Docker, a build or apt tell of a full disk or a network that is away.
    pub fn is_infrastructure_text(text: &str) -> bool {
        let text = text.to_lowercase();
        [
            "no space left on device",
            "disk quota exceeded",
            "read-only file system",
            "temporary failure resolving",
            "temporary failure in name resolution",
            "could not resolve",
            "network is unreachable",
            "connection refused",
            "connection reset",
            "i/o timeout",
            "tls handshake timeout",
            "failed to fetch",
            "cannot connect to the docker daemon",
        ]
        .iter()
        .any(|words| text.contains(words))
    }
}

#[derive(Clone)]
pub struct Docker {
    client: bollard::Docker,
}

/// A host directory visible in the container.
#[derive(Clone, Debug)]
pub struct Bind {
    pub host: PathBuf,
    pub container: String,
    pub read_only: bool,
}

/// Everything about one run; the hardening rules are not optional and live in [`Docker::run`].
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub image: String,
    pub command: Vec<String>,
    pub workdir: String,
    pub env: Vec<(String, String)>,
    pub binds: Vec<Bind>,
    /// Writable in-memory directories and their size in bytes.
    pub tmpfs: Vec<(String, u64)>,
    pub timeout: Duration,
    pub memory_bytes: i64,
    pub nano_cpus: i64,
    pub pids: i64,
    /// Bytes kept per output stream.
    pub output_cap: usize,
    pub labels: Vec<(String, String)>,
    /// Written to the run's standard input, which then closes; without it the run has none.
    pub stdin: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default)]
pub struct RunTimings {
    pub create: Duration,
    pub start: Duration,
    pub run: Duration,
}

#[derive(Clone, Debug)]
pub struct RunResult {
    pub exit_code: i64,
    pub timed_out: bool,
    pub oom_killed: bool,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub timings: RunTimings,
}

/// Collects one output stream up to a cap and counts what it drops.
struct CappedOutput {
    kept: Vec<u8>,
    dropped: u64,
    cap: usize,
}

impl CappedOutput {
    fn new(cap: usize) -> Self {
        CappedOutput { kept: Vec::new(), dropped: 0, cap }
    }

    fn push(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.kept.len());
        let (keep, drop) = bytes.split_at(bytes.len().min(room));
        self.kept.extend_from_slice(keep);
        self.dropped += drop.len() as u64;
    }

    /// The text, made safe to store and show, with a visible marker where it was cut.
    fn finish(self) -> (String, bool) {
        let mut text = inloop_plugin_api::text::from_bytes(&self.kept);
        if self.dropped > 0 {
            // A cut inside a multi-byte character shows as one replacement character; fine.
            text.push_str(&format!(
                "\n[output truncated: {} more bytes were not kept]\n",
                self.dropped
            ));
        }
        (text, self.dropped > 0)
    }
}

impl Docker {
    /// Connects to the local engine and agrees on an API version both sides speak.
    pub async fn connect() -> Result<Docker, DockerError> {
        let client = bollard::Docker::connect_with_local_defaults()
            .map_err(|err| DockerError::Unreachable(err.to_string()))?
            // Image builds may take minutes; runs have their own limit below.
            .with_timeout(Duration::from_secs(900));
        let client = client
            .negotiate_version()
            .await
            .map_err(|err| DockerError::Unreachable(err.to_string()))?;
        client.ping().await.map_err(|err| DockerError::Unreachable(err.to_string()))?;
        Ok(Docker { client })
    }

    /// Whether the engine answers.
    pub async fn ping(&self) -> Result<(), DockerError> {
        self.client.ping().await.map_err(|err| DockerError::Unreachable(err.to_string()))?;
        Ok(())
    }

    pub async fn image_exists(&self, tag: &str) -> Result<bool, DockerError> {
        match self.client.inspect_image(tag).await {
            Ok(_) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
                Ok(false)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Builds `tag` from an in-memory build context; returns the build output.
    pub async fn build(
        &self,
        tag: &str,
        context_tar: Vec<u8>,
        base_image: Option<&str>,
    ) -> Result<String, DockerError> {
        if let Some(base) = base_image
            && !self.image_exists(base).await?
        {
            return Err(DockerError::MissingBaseImage { image: base.to_owned() });
        }
        let options = BuildImageOptionsBuilder::default()
            .dockerfile("Dockerfile")
            .t(tag)
            .rm(true)
            .forcerm(true)
            .labels(&HashMap::from([(LABEL.to_owned(), "image".to_owned())]))
            .build();
        let mut stream =
            self.client.build_image(options, None, Some(body_full(context_tar.into())));
        let mut log = String::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    if let Some(text) = info.stream {
                        log.push_str(&text);
                    }
                    if let Some(detail) = info.error_detail {
                        let summary = detail.message.unwrap_or_else(|| "unknown error".to_owned());
                        log.push_str(&summary);
                        return Err(build_failure(tag, summary, log));
                    }
                }
                Err(err) => {
                    let summary = err.to_string();
                    log.push_str(&summary);
                    return Err(build_failure(tag, summary, log));
                }
            }
        }
        Ok(log)
    }

    /// Runs one container to completion under every hardening rule, and removes it.
    pub async fn run(&self, spec: &RunSpec) -> Result<RunResult, DockerError> {
        let mut timings = RunTimings::default();
        let began = Instant::now();
        let name = format!("inloop-run-{}", uuid::Uuid::new_v4().simple());
        let created = self
            .client
            .create_container(
                Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                container_body(spec),
            )
            .await?;
        // From here on the container exists; the guard removes it however this function ends.
        let guard = RemoveOnDrop { client: self.client.clone(), id: Some(created.id.clone()) };
        timings.create = began.elapsed();
        let result = self.watch(&created.id, spec, &mut timings).await;
        guard.remove_now().await;
        result
    }

    async fn watch(
        &self,
        id: &str,
        spec: &RunSpec,
        timings: &mut RunTimings,
    ) -> Result<RunResult, DockerError> {
        let attach = AttachContainerOptionsBuilder::default()
            .stream(true)
            .stdout(true)
            .stderr(true)
            .stdin(spec.stdin.is_some())
            .build();
        let mut attached = self.client.attach_container(id, Some(attach)).await?;
        let started = Instant::now();
        self.client.start_container(id, None).await?;
        timings.start = started.elapsed();
        if let Some(bytes) = &spec.stdin {
            use tokio::io::AsyncWriteExt;
            // A run that never reads its input must not hold this up: the write is small and
            // bounded in time, and closing it is what tells the run its input ended.
            let fed = tokio::time::timeout(Duration::from_secs(5), async {
                attached.input.write_all(bytes).await?;
                attached.input.shutdown().await
            })
            .await;
            if !matches!(fed, Ok(Ok(()))) {
                tracing::warn!(container = id, "could not hand a run its input");
            }
        }
        let running = Instant::now();

        let cap = spec.output_cap;
        let mut output = attached.output;
        // Keep reading past the cap, discarding, so a chatty program is not blocked on its pipe.
        let reader = tokio::spawn(async move {
            let mut stdout = CappedOutput::new(cap);
            let mut stderr = CappedOutput::new(cap);
            while let Some(Ok(chunk)) = output.next().await {
                match chunk {
                    bollard::container::LogOutput::StdErr { message } => stderr.push(&message),
                    other => stdout.push(other.as_ref()),
                }
            }
            (stdout, stderr)
        });

        let mut wait = self.client.wait_container(
            id,
            Some(WaitContainerOptionsBuilder::default().condition("not-running").build()),
        );
        let timed_out = tokio::time::timeout(spec.timeout, wait.next()).await.is_err();
        if timed_out {
            let kill = KillContainerOptionsBuilder::default().signal("SIGKILL").build();
            // The container may have ended in the same instant; a failed kill is then harmless.
            let _ = self.client.kill_container(id, Some(kill)).await;
            let _ = tokio::time::timeout(Duration::from_secs(10), wait.next()).await;
        }
        timings.run = running.elapsed();

        // The stream ends when the container's stdio closes; a program that closed its output
        // early has been killed by now, so this ends promptly either way.
        let (stdout, stderr) = match tokio::time::timeout(Duration::from_secs(5), reader).await {
            Ok(Ok(streams)) => streams,
            _ => (CappedOutput::new(0), CappedOutput::new(0)),
        };
        let state = self.client.inspect_container(id, None).await?.state.unwrap_or_default();
        let (stdout, stdout_cut) = stdout.finish();
        let (stderr, stderr_cut) = stderr.finish();
        Ok(RunResult {
            exit_code: state.exit_code.unwrap_or(-1),
            timed_out,
            oom_killed: state.oom_killed.unwrap_or(false),
            stdout,
            stderr,
            output_truncated: stdout_cut || stderr_cut,
            timings: timings.clone(),
        })
    }

    /// Removes the grading containers carrying `label` (`key=value`); returns how many.
    pub async fn remove_containers(&self, label: &str) -> Result<usize, DockerError> {
        let mut removed = 0;
        for id in self.containers_with(label).await? {
            let options = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
            if self.client.remove_container(&id, Some(options)).await.is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Removes grading runs created more than `age` ago, whoever started them: every run is
    /// killed at its time limit by its runner, so a run this old was left by a runner that died
    /// and did not come back under its name. Returns how many.
    pub async fn remove_runs_older_than(&self, age: Duration) -> Result<usize, DockerError> {
        let filters = HashMap::from([("label".to_owned(), vec![format!("{LABEL}=run")])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let cutoff = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|now| now.saturating_sub(age).as_secs() as i64)
            .unwrap_or(0);
        let mut removed = 0;
        for container in self.client.list_containers(Some(options)).await? {
            if let (Some(id), Some(created)) = (container.id, container.created)
                && created < cutoff
            {
                let options = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
                if self.client.remove_container(&id, Some(options)).await.is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// How many containers carry `label` (`key=value`), running or not.
    pub async fn count_containers(&self, label: &str) -> Result<usize, DockerError> {
        Ok(self.containers_with(label).await?.len())
    }

    async fn containers_with(&self, label: &str) -> Result<Vec<String>, DockerError> {
        let filters = HashMap::from([("label".to_owned(), vec![label.to_owned()])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let containers = self.client.list_containers(Some(options)).await?;
        Ok(containers.into_iter().filter_map(|container| container.id).collect())
    }

    /// `docker import`: a root file system as a tar stream becomes a one-layer image.
    pub async fn import_image(
        &self,
        tar: impl tokio::io::AsyncRead + Send + Unpin + 'static,
        repo: &str,
        tag: &str,
    ) -> Result<(), DockerError> {
        let body = bollard::body_try_stream(tokio_util::io::ReaderStream::new(tar));
        let options = bollard::query_parameters::CreateImageOptionsBuilder::default()
            .from_src("-")
            .repo(repo)
            .tag(tag)
            .build();
        let mut progress = self.client.create_image(Some(options), Some(body), None);
        while let Some(item) = progress.next().await {
            item?;
        }
        Ok(())
    }
}

fn build_failure(tag: &str, summary: String, log: String) -> DockerError {
    let lowered = summary.to_lowercase();
    if lowered.contains("pull access denied")
        || lowered.contains("no such host")
        || lowered.contains("not found: manifest")
    {
        let image = summary
            .split_whitespace()
            .find(|word| word.contains(':'))
            .unwrap_or("the base image")
            .to_owned();
        return DockerError::MissingBaseImage { image };
    }
    DockerError::BuildFailed { tag: tag.to_owned(), summary, log }
}

/// The hardened container configuration. Every rule of the design is here and nowhere else.
fn container_body(spec: &RunSpec) -> ContainerCreateBody {
    let mut labels: HashMap<String, String> = spec.labels.iter().cloned().collect();
    labels.insert(LABEL.to_owned(), "run".to_owned());
    let tmpfs: HashMap<String, String> = spec
        .tmpfs
        .iter()
        .map(|(path, bytes)| (path.clone(), format!("rw,nosuid,nodev,exec,size={bytes},mode=1777")))
        .collect();
    let binds: Vec<String> = spec
        .binds
        .iter()
        .map(|bind| {
            format!(
                "{}:{}:{}",
                bind.host.display(),
                bind.container,
                if bind.read_only { "ro" } else { "rw" }
            )
        })
        .collect();
    let ulimit = |name: &str, value: i64| ResourcesUlimits {
        name: Some(name.to_owned()),
        soft: Some(value),
        hard: Some(value),
    };
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: Some(spec.command.clone()),
        working_dir: (!spec.workdir.is_empty()).then(|| spec.workdir.clone()),
        // Some test tools stall on name lookups of an unknown host name.
        hostname: Some("localhost".to_owned()),
        env: Some(spec.env.iter().map(|(key, value)| format!("{key}={value}")).collect()),
        user: Some(RUN_USER.to_owned()),
        labels: Some(labels),
        network_disabled: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        attach_stdin: Some(spec.stdin.is_some()),
        open_stdin: Some(spec.stdin.is_some()),
        // Closed for good once what we write ends, so the run sees the end of its input.
        stdin_once: Some(spec.stdin.is_some()),
        tty: Some(false),
        host_config: Some(HostConfig {
            network_mode: Some("none".to_owned()),
            readonly_rootfs: Some(true),
            tmpfs: Some(tmpfs),
            binds: Some(binds),
            // Memory and memory+swap alike: no swapping around the limit.
            memory: Some(spec.memory_bytes),
            memory_swap: Some(spec.memory_bytes),
            nano_cpus: Some(spec.nano_cpus),
            pids_limit: Some(spec.pids),
            cap_drop: Some(vec!["ALL".to_owned()]),
            security_opt: Some(vec!["no-new-privileges".to_owned()]),
            // No nproc limit: RLIMIT_NPROC counts every process of the uid on the whole host, so
            // one container's threads would exhaust it for every neighbour. The pids cgroup
            // above bounds each container on its own.
            ulimits: Some(vec![ulimit("nofile", 1024), ulimit("core", 0)]),
            // tini as PID 1 reaps zombies and forwards the kill.
            init: Some(true),
            // Output reaches us through the attached streams; the daemon keeps no log to fill its disk.
            log_config: Some(HostConfigLogConfig { typ: Some("none".to_owned()), config: None }),
            ipc_mode: Some("private".to_owned()),
            oom_score_adj: Some(1000),
            ..HostConfig::default()
        }),
        ..ContainerCreateBody::default()
    }
}

/// The same container as `docker run` arguments (before the image): for measuring the grader
/// against the bare command line with exactly the isolation it uses, derived from
/// [`container_body`] so that no second copy of the rules exists.
pub fn docker_run_args(spec: &RunSpec) -> Vec<String> {
    let body = container_body(spec);
    let host = body.host_config.unwrap_or_default();
    let mut args: Vec<String> = Vec::new();
    let mut flag = |name: &str, value: String| {
        args.push(format!("--{name}={value}"));
    };
    if let Some(network) = host.network_mode {
        flag("network", network);
    }
    if host.readonly_rootfs == Some(true) {
        flag("read-only", "true".to_owned());
    }
    let mut tmpfs: Vec<(String, String)> = host.tmpfs.unwrap_or_default().into_iter().collect();
    tmpfs.sort();
    for (path, options) in tmpfs {
        flag("tmpfs", format!("{path}:{options}"));
    }
    for bind in host.binds.unwrap_or_default() {
        flag("volume", bind);
    }
    if let Some(memory) = host.memory {
        flag("memory", format!("{memory}b"));
    }
    if let Some(swap) = host.memory_swap {
        flag("memory-swap", format!("{swap}b"));
    }
    if let Some(nano_cpus) = host.nano_cpus {
        flag("cpus", format!("{}", nano_cpus as f64 / 1e9));
    }
    if let Some(pids) = host.pids_limit {
        flag("pids-limit", pids.to_string());
    }
    for cap in host.cap_drop.unwrap_or_default() {
        flag("cap-drop", cap);
    }
    for option in host.security_opt.unwrap_or_default() {
        flag("security-opt", option);
    }
    for limit in host.ulimits.unwrap_or_default() {
        let (Some(name), Some(soft), Some(hard)) = (limit.name, limit.soft, limit.hard) else {
            continue;
        };
        flag("ulimit", format!("{name}={soft}:{hard}"));
    }
    if host.init == Some(true) {
        flag("init", "true".to_owned());
    }
    if let Some(driver) = host.log_config.and_then(|config| config.typ) {
        flag("log-driver", driver);
    }
    if let Some(ipc) = host.ipc_mode {
        flag("ipc", ipc);
    }
    if let Some(score) = host.oom_score_adj {
        flag("oom-score-adj", score.to_string());
    }
    if let Some(user) = body.user {
        flag("user", user);
    }
    if let Some(hostname) = body.hostname {
        flag("hostname", hostname);
    }
    if let Some(workdir) = body.working_dir {
        flag("workdir", workdir);
    }
    for variable in body.env.unwrap_or_default() {
        flag("env", variable);
    }
    let mut labels: Vec<(String, String)> = body.labels.unwrap_or_default().into_iter().collect();
    labels.sort();
    for (key, value) in labels {
        flag("label", format!("{key}={value}"));
    }
    if spec.stdin.is_some() {
        args.push("--interactive".to_owned());
    }
    args
}

/// Removes a container when dropped, so a cancelled or failed run leaves nothing behind.
struct RemoveOnDrop {
    client: bollard::Docker,
    id: Option<String>,
}

impl RemoveOnDrop {
    async fn remove_now(mut self) {
        if let Some(id) = self.id.take() {
            remove(&self.client, &id).await;
        }
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let client = self.client.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { remove(&client, &id).await });
            }
        }
    }
}

async fn remove(client: &bollard::Docker, id: &str) {
    let options = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
    if let Err(err) = client.remove_container(id, Some(options)).await {
        tracing::warn!(container = id, error = %err, "could not remove a grading container");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_capped_with_a_visible_marker() {
        let mut output = CappedOutput::new(5);
        output.push(b"hello world");
        output.push(b"!!");
        let (text, truncated) = output.finish();
        assert!(truncated);
        assert_eq!(text, "hello\n[output truncated: 8 more bytes were not kept]\n");
        let mut short = CappedOutput::new(100);
        short.push(b"fine");
        assert_eq!(short.finish(), ("fine".to_owned(), false));
        let mut odd = CappedOutput::new(100);
        odd.push(b"nul \0 and \xff");
        assert_eq!(odd.finish().0, "nul ␀ and �");
    }

    #[test]
    fn the_engine_or_the_host_failing_is_ours_a_broken_task_image_is_not() {
        let server = |status_code: u16, message: &str| {
            DockerError::Engine(bollard::errors::Error::DockerResponseServerError {
                status_code,
                message: message.to_owned(),
            })
        };
        assert!(DockerError::Unreachable("connection refused".into()).is_infrastructure());
        assert!(server(500, "failed to create shim task").is_infrastructure());
        assert!(server(400, "write /var/lib/docker: no space left on device").is_infrastructure());
        assert!(!server(400, "invalid reference format").is_infrastructure());
        assert!(!server(404, "no such image").is_infrastructure());
        assert!(!DockerError::MissingBaseImage { image: "debian:x".into() }.is_infrastructure());
    }

    #[test]
    fn a_missing_base_image_is_said_with_what_can_bring_it() {
        let debian = DockerError::MissingBaseImage { image: "debian:bookworm-slim".into() };
        assert!(debian.to_string().contains("run `inloop images bootstrap`"), "{debian}");
        let other = DockerError::MissingBaseImage { image: "openjdk:8-jdk-alpine".into() };
        let text = other.to_string();
        assert!(text.starts_with("the base image openjdk:8-jdk-alpine is missing"), "{text}");
        assert!(text.contains("docker load") && text.contains("registry mirror"), "{text}");
        assert!(!text.contains("bootstrap"), "bootstrap cannot build it: {text}");
        let build = |summary: &str| DockerError::BuildFailed {
            tag: "t".into(),
            summary: summary.into(),
            log: String::new(),
        };
        assert!(
            build(
                "E: Failed to fetch http://deb.debian.org/debian/... Temporary failure resolving"
            )
            .is_infrastructure()
        );
        assert!(
            !build("The command '/bin/sh -c javac Missing.java' returned a non-zero code: 1")
                .is_infrastructure()
        );
    }

    #[test]
    fn containers_are_configured_hardened() {
        let spec = RunSpec {
            image: "img".into(),
            command: vec!["run".into()],
            workdir: "/w".into(),
            env: vec![("A".into(), "1".into())],
            binds: vec![Bind { host: "/h".into(), container: "/in".into(), read_only: true }],
            tmpfs: vec![("/tmp".into(), 1 << 20)],
            timeout: Duration::from_secs(1),
            memory_bytes: 256 << 20,
            nano_cpus: 1_000_000_000,
            pids: 64,
            output_cap: 10,
            labels: vec![],
            stdin: None,
        };
        let body = container_body(&spec);
        let host = body.host_config.expect("host config");
        assert_eq!(host.network_mode.as_deref(), Some("none"));
        assert_eq!(host.readonly_rootfs, Some(true));
        assert_eq!(host.memory, host.memory_swap);
        assert_eq!(host.cap_drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(host.security_opt, Some(vec!["no-new-privileges".to_owned()]));
        assert_eq!(host.pids_limit, Some(64));
        let ulimits = host.ulimits.unwrap_or_default();
        assert!(
            !ulimits.iter().any(|limit| limit.name.as_deref() == Some("nproc")),
            "a per-uid limit would be shared by every container on the host"
        );
        assert_eq!(host.binds, Some(vec!["/h:/in:ro".to_owned()]));
        assert_eq!(body.user.as_deref(), Some(RUN_USER));
        assert_eq!(body.network_disabled, Some(true));

        let args = docker_run_args(&spec);
        for expected in [
            "--network=none",
            "--read-only=true",
            "--memory=268435456b",
            "--memory-swap=268435456b",
            "--cpus=1",
            "--pids-limit=64",
            "--cap-drop=ALL",
            "--security-opt=no-new-privileges",
            "--ulimit=nofile=1024:1024",
            "--init=true",
            "--log-driver=none",
            "--user=65534:65534",
            "--volume=/h:/in:ro",
            "--workdir=/w",
            "--env=A=1",
        ] {
            assert!(args.iter().any(|arg| arg == expected), "{expected} missing from {args:?}");
        }
    }
}
