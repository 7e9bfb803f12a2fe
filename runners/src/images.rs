//! Images for grading: a runtime image per plugin and a layer per task, tagged by a hash of what
//! went into them, so each is built once per host and rebuilt exactly when its inputs change.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use inloop_plugin_api::protocol::{CopyRule, ImageRecipe};
use sha2::{Digest, Sha256};

use crate::{
    docker::{Docker, DockerError},
    tasks::Task,
};

#[derive(Clone, Debug)]
pub struct PreparedImage {
    pub tag: String,
    /// True when this call built something; false when every layer was already there.
    pub built: bool,
    pub build_log: String,
    pub duration: Duration,
}

/// Builds images, at most once at a time per tag, and keeps each build's output for staff.
pub struct Images {
    docker: Docker,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    log_dir: PathBuf,
}

/// An in-memory build context: a Dockerfile and the files it copies.
struct Context {
    builder: tar::Builder<Vec<u8>>,
}

impl Context {
    fn new() -> Self {
        Context { builder: tar::Builder::new(Vec::new()) }
    }

    fn add(&mut self, path: &str, bytes: &[u8], mode: u32) -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_cksum();
        self.builder.append_data(&mut header, path, bytes)
    }

    fn finish(self) -> std::io::Result<Vec<u8>> {
        self.builder.into_inner()
    }
}

fn short_hash(hasher: Sha256) -> String {
    hex::encode(&hasher.finalize()[..6])
}

/// A tag component Docker accepts: lower-case letters, digits, `-` and `.`.
fn tag_component(text: &str) -> String {
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() { "task".to_owned() } else { trimmed.chars().take(64).collect() }
}

/// The image a Dockerfile starts from (its first `FROM`).
pub fn base_image(dockerfile: &str) -> Option<String> {
    dockerfile.lines().map(str::trim).find_map(|line| {
        let mut words = line.split_whitespace();
        let keyword = words.next()?;
        if !keyword.eq_ignore_ascii_case("FROM") {
            return None;
        }
        words.find(|word| !word.starts_with("--")).map(str::to_owned)
    })
}

impl Images {
    pub fn new(docker: Docker, log_dir: PathBuf) -> Self {
        Images { docker, locks: Mutex::new(HashMap::new()), log_dir }
    }

    /// Where the output of building `tag` is kept.
    pub fn build_log_path(&self, tag: &str) -> PathBuf {
        self.log_dir.join(format!("{}.log", tag.replace([':', '/'], "_")))
    }

    fn keep_log(&self, tag: &str, log: &str) {
        let path = self.build_log_path(tag);
        if let Err(err) =
            std::fs::create_dir_all(&self.log_dir).and_then(|()| std::fs::write(&path, log))
        {
            tracing::warn!(path = %path.display(), error = %err, "cannot keep an image build log");
        }
    }

    fn lock_for(&self, tag: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(tag.to_owned()).or_default().clone()
    }

    /// Builds `tag` unless it exists. Concurrent callers for one tag wait for a single build.
    async fn ensure(
        &self,
        tag: &str,
        base: Option<&str>,
        context: impl FnOnce() -> std::io::Result<Vec<u8>>,
    ) -> Result<Option<String>, DockerError> {
        let lock = self.lock_for(tag);
        let _building = lock.lock().await;
        if self.docker.image_exists(tag).await? {
            return Ok(None);
        }
        let context = context().map_err(|err| DockerError::BuildFailed {
            tag: tag.to_owned(),
            summary: format!("cannot assemble the build context: {err}"),
            log: String::new(),
        })?;
        tracing::info!(tag, "building an image");
        match self.docker.build(tag, context, base).await {
            Ok(log) => {
                self.keep_log(tag, &log);
                Ok(Some(log))
            }
            Err(err) => {
                if let DockerError::BuildFailed { log, .. } = &err {
                    self.keep_log(tag, log);
                }
                Err(err)
            }
        }
    }

    pub async fn prepare(
        &self,
        plugin: &str,
        recipe: &ImageRecipe,
        task: &Task,
    ) -> Result<PreparedImage, DockerError> {
        let began = Instant::now();
        let mut log = String::new();
        let mut built = false;
        let tag = match recipe {
            ImageRecipe::Layered { runtime_dockerfile, runtime_files, task_files, task_steps } => {
                let mut hasher = Sha256::new();
                hasher.update(runtime_dockerfile.as_bytes());
                for file in runtime_files {
                    hasher.update(file.path.as_bytes());
                    hasher.update([0]);
                    hasher.update(file.contents.as_bytes());
                    hasher.update([0]);
                }
                let runtime_tag =
                    format!("inloop-runtime-{}:{}", tag_component(plugin), short_hash(hasher));
                let base = base_image(runtime_dockerfile);
                if let Some(output) = self
                    .ensure(&runtime_tag, base.as_deref(), || {
                        let mut context = Context::new();
                        context.add("Dockerfile", runtime_dockerfile.as_bytes(), 0o644)?;
                        for file in runtime_files {
                            context.add(&file.path, file.contents.as_bytes(), 0o644)?;
                        }
                        context.finish()
                    })
                    .await?
                {
                    log.push_str(&output);
                    built = true;
                }
                let (task_tag, context) =
                    task_layer(&runtime_tag, plugin, task, task_files, task_steps)?;
                if let Some(output) = self.ensure(&task_tag, None, move || Ok(context)).await? {
                    log.push_str(&output);
                    built = true;
                }
                task_tag
            }
            ImageRecipe::RepositoryDockerfile { dockerfile } => {
                let dockerfile_text = std::fs::read_to_string(task.repository.join(dockerfile))
                    .map_err(|err| DockerError::BuildFailed {
                        tag: "the repository image".to_owned(),
                        summary: format!("cannot read the repository's {dockerfile}: {err}"),
                        log: String::new(),
                    })?;
                let (tag, context) = repository_context(&task.repository, dockerfile)?;
                if let Some(output) = self
                    .ensure(&tag, base_image(&dockerfile_text).as_deref(), move || Ok(context))
                    .await?
                {
                    log.push_str(&output);
                    built = true;
                }
                tag
            }
        };
        if built {
            crate::metrics::image_built(plugin, began.elapsed());
        }
        Ok(PreparedImage { tag, built, build_log: log, duration: began.elapsed() })
    }
}

fn context_error(tag: &str, err: &std::io::Error) -> DockerError {
    DockerError::BuildFailed {
        tag: tag.to_owned(),
        summary: format!("cannot read the task's files: {err}"),
        log: String::new(),
    }
}

/// The per-task layer: the runtime image plus the task files the plugin asked for.
fn task_layer(
    runtime_tag: &str,
    plugin: &str,
    task: &Task,
    rules: &[CopyRule],
    steps: &[String],
) -> Result<(String, Vec<u8>), DockerError> {
    let mut hasher = Sha256::new();
    hasher.update(runtime_tag.as_bytes());
    let mut context = Context::new();
    let mut dockerfile = format!("FROM {runtime_tag}\n");
    for (index, rule) in rules.iter().enumerate() {
        let prefix = format!("{}/", rule.from.trim_end_matches('/'));
        let matching: Vec<&String> = task
            .spec
            .files
            .iter()
            .filter(|file| **file == rule.from || file.starts_with(&prefix) || rule.from == ".")
            .collect();
        if matching.is_empty() {
            continue;
        }
        for file in matching {
            let bytes = std::fs::read(task.dir.join(file))
                .map_err(|err| context_error(&task.name, &err))?;
            let inside = if *file == rule.from {
                String::new()
            } else {
                file.strip_prefix(&prefix).unwrap_or(file).to_owned()
            };
            let context_path = if inside.is_empty() {
                format!("copy{index}")
            } else {
                format!("copy{index}/{inside}")
            };
            hasher.update(context_path.as_bytes());
            hasher.update([0]);
            hasher.update(&bytes);
            context
                .add(&context_path, &bytes, 0o644)
                .map_err(|err| context_error(&task.name, &err))?;
        }
        hasher.update(rule.to.as_bytes());
        dockerfile.push_str(&format!("COPY copy{index} {}\n", rule.to));
    }
    for step in steps {
        hasher.update(step.as_bytes());
        dockerfile.push_str(step);
        dockerfile.push('\n');
    }
    context
        .add("Dockerfile", dockerfile.as_bytes(), 0o644)
        .map_err(|err| context_error(&task.name, &err))?;
    let tag = format!(
        "inloop-task-{}-{}:{}",
        tag_component(plugin),
        tag_component(&task.name),
        short_hash(hasher)
    );
    let bytes = context.finish().map_err(|err| context_error(&task.name, &err))?;
    Ok((tag, bytes))
}

/// The whole repository (without `.git`) as the context of its own Dockerfile.
fn repository_context(
    repository: &Path,
    dockerfile: &str,
) -> Result<(String, Vec<u8>), DockerError> {
    let mut files = Vec::new();
    collect(repository, repository, &mut files)
        .map_err(|err| context_error("the repository", &err))?;
    files.sort();
    let mut hasher = Sha256::new();
    hasher.update(dockerfile.as_bytes());
    let mut context = Context::new();
    for relative in &files {
        let bytes = std::fs::read(repository.join(relative))
            .map_err(|err| context_error("the repository", &err))?;
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
        let name = if relative == dockerfile { "Dockerfile".to_owned() } else { relative.clone() };
        context.add(&name, &bytes, 0o644).map_err(|err| context_error("the repository", &err))?;
    }
    let name = repository
        .file_name()
        .map(|name| tag_component(&name.to_string_lossy()))
        .unwrap_or_else(|| "repository".to_owned());
    let tag = format!("inloop-repo-{name}:{}", short_hash(hasher));
    let bytes = context.finish().map_err(|err| context_error("the repository", &err))?;
    Ok((tag, bytes))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == ".git" {
            continue;
        }
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect(root, &entry.path(), out)?;
        } else if file_type.is_file() {
            let relative = entry
                .path()
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(relative);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_image_is_the_first_from() {
        assert_eq!(
            base_image("# comment\nFROM debian:bookworm-slim AS base\nRUN x").as_deref(),
            Some("debian:bookworm-slim")
        );
        assert_eq!(base_image("from --platform=linux/amd64 alpine:3").as_deref(), Some("alpine:3"));
        assert_eq!(base_image("RUN x"), None);
    }

    #[test]
    fn tag_components_are_what_docker_accepts() {
        assert_eq!(tag_component("Hello World_2"), "hello-world-2");
        assert_eq!(tag_component("__"), "task");
    }
}
