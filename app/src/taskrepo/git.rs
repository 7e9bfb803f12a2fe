//! Syncing a task repository with Git, publishing each revision atomically.
//!
//! Under `<task_dir>/<repository>/` live a bare repository we fetch into (`mirror.git`), one
//! exported tree per revision (`revisions/<commit>`), and the symbolic link `current`, which is
//! swapped with a single rename. Readers (the web server, runner hosts over NFS) only ever follow
//! `current`, so none of them sees a half-written checkout.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use tokio::process::Command;

/// Longest a single git command may take.
const GIT_TIMEOUT: Duration = Duration::from_secs(180);
/// Revisions kept besides the current one, for jobs that still use them.
const KEEP_REVISIONS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("git failed: {0}")]
    Git(String),
    #[error("git took longer than {} seconds", GIT_TIMEOUT.as_secs())]
    Timeout,
    #[error("cannot write the task directory {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

pub struct RepositoryDir {
    root: PathBuf,
}

impl RepositoryDir {
    pub fn new(task_dir: &Path, repository: &str) -> Self {
        RepositoryDir { root: task_dir.join(repository) }
    }

    /// The published checkout.
    pub fn current(&self) -> PathBuf {
        self.root.join("current")
    }

    fn mirror(&self) -> PathBuf {
        self.root.join("mirror.git")
    }

    fn revisions(&self) -> PathBuf {
        self.root.join("revisions")
    }

    fn io(&self, path: &Path) -> impl FnOnce(std::io::Error) -> SyncError + use<> {
        let path = path.to_owned();
        move |source| SyncError::Io { path, source }
    }

    /// Fetches `branch` of `url` and publishes its tree; returns the commit now current.
    pub async fn sync(&self, url: &str, branch: &str) -> Result<String, SyncError> {
        let mirror = self.mirror();
        if !mirror.join("HEAD").exists() {
            tokio::fs::create_dir_all(&mirror).await.map_err(self.io(&mirror))?;
            git(&mirror, &["init", "--quiet", "--bare"]).await?;
        }
        let refspec = format!("+refs/heads/{branch}:refs/inloop/fetched");
        git(&mirror, &["fetch", "--quiet", "--no-tags", "--depth=1", "--", url, &refspec]).await?;
        let commit = git(&mirror, &["rev-parse", "--verify", "refs/inloop/fetched^{commit}"])
            .await?
            .trim()
            .to_owned();
        if commit.len() < 40 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(SyncError::Git(format!("unexpected commit id {commit:?}")));
        }
        let revisions = self.revisions();
        let tree = revisions.join(&commit);
        if !tree.is_dir() {
            self.export(&commit, &tree).await?;
        }
        self.publish(&commit).await?;
        self.prune(&commit).await;
        Ok(commit)
    }

    /// Writes the commit's files into `tree`, via a temporary folder renamed at the end.
    async fn export(&self, commit: &str, tree: &Path) -> Result<(), SyncError> {
        let partial = tree.with_extension(format!("partial-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::create_dir_all(&partial).await.map_err(self.io(&partial))?;
        let archive = git_bytes(&self.mirror(), &["archive", "--format=tar", commit]).await?;
        let target = partial.clone();
        let unpacked = tokio::task::spawn_blocking(move || unpack_plain_files(&archive, &target))
            .await
            .map_err(|err| SyncError::Git(format!("unpacking failed: {err}")))?;
        if let Err(source) = unpacked {
            let _ = tokio::fs::remove_dir_all(&partial).await;
            return Err(SyncError::Io { path: partial, source });
        }
        tokio::fs::rename(&partial, tree).await.map_err(self.io(tree))
    }

    /// Points `current` at the revision with one atomic rename.
    async fn publish(&self, commit: &str) -> Result<(), SyncError> {
        let link = self.current();
        let staged = self.root.join(format!(".current-{}", uuid::Uuid::new_v4().simple()));
        let target = Path::new("revisions").join(commit);
        tokio::fs::symlink(&target, &staged).await.map_err(self.io(&staged))?;
        tokio::fs::rename(&staged, &link).await.map_err(self.io(&link))
    }

    /// Removes old revisions, keeping the newest few and the current one.
    async fn prune(&self, current: &str) {
        let Ok(mut entries) = tokio::fs::read_dir(self.revisions()).await else { return };
        let mut old = Vec::new();
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != current {
                let modified = entry.metadata().await.and_then(|m| m.modified()).ok();
                old.push((modified, entry.path()));
            }
        }
        old.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        for (_, path) in old.into_iter().skip(KEEP_REVISIONS) {
            let _ = tokio::fs::remove_dir_all(path).await;
        }
    }
}

/// Unpacks regular files and folders only: symbolic links and special files in a task
/// repository are skipped, so nothing published can point outside it.
fn unpack_plain_files(archive: &[u8], target: &Path) -> std::io::Result<()> {
    let mut archive = tar::Archive::new(archive);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        if kind.is_file() || kind.is_dir() {
            // `unpack_in` refuses paths that would leave `target`.
            entry.unpack_in(target)?;
        }
    }
    Ok(())
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        // Only the ordinary transports: no `ext::` helpers that run commands.
        .env("GIT_ALLOW_PROTOCOL", "file:git:http:https:ssh")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "core.hooksPath=/dev/null", "-c", "advice.detachedHead=false"])
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

async fn git_bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>, SyncError> {
    let output = tokio::time::timeout(GIT_TIMEOUT, command(dir, args).output())
        .await
        .map_err(|_| SyncError::Timeout)?
        .map_err(|err| SyncError::Git(format!("cannot run git: {err}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> =
            stderr.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
        // git's own verdict ("fatal: ...") says more than the advice printed after it.
        let reason = lines
            .iter()
            .find(|line| line.starts_with("fatal:") || line.starts_with("error:"))
            .or(lines.last())
            .copied()
            .unwrap_or("no message");
        // git quotes the address it failed on, token and all.
        return Err(SyncError::Git(crate::credentials::text_without_credentials(reason)));
    }
    Ok(output.stdout)
}

async fn git(dir: &Path, args: &[&str]) -> Result<String, SyncError> {
    git_bytes(dir, args).await.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}
