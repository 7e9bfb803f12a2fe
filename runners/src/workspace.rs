//! The host directories of one run: the solution's files (mounted read-only) and a small
//! in-memory directory for report files, removed when the run is over.

use std::{
    io,
    path::{Path, PathBuf},
};

use inloop_plugin_api::protocol::{ReportFile, glob_match};
use inloop_protocol::names::is_safe_file_name;

/// Caps on what is collected from the report directory.
#[derive(Clone, Copy, Debug)]
pub struct ReportCaps {
    pub max_files: usize,
    pub max_file_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for ReportCaps {
    fn default() -> Self {
        ReportCaps { max_files: 32, max_file_bytes: 2 << 20, max_total_bytes: 8 << 20 }
    }
}

pub struct RunDirs {
    root: PathBuf,
    pub submission: PathBuf,
    pub reports: PathBuf,
    reports_on_tmpfs: bool,
}

impl RunDirs {
    /// Creates the directories under `base` and writes the solution's files.
    pub async fn create(
        base: &Path,
        files: &[(String, Vec<u8>)],
        report_limit_bytes: u64,
    ) -> io::Result<RunDirs> {
        let root = base.join(uuid::Uuid::new_v4().simple().to_string());
        let submission = root.join("submission");
        let reports = root.join("reports");
        tokio::fs::create_dir_all(&submission).await?;
        tokio::fs::create_dir_all(&reports).await?;
        let mut dirs = RunDirs { root, submission, reports, reports_on_tmpfs: false };
        for (name, contents) in files {
            if !is_safe_file_name(name) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unsafe file name {name:?}"),
                ));
            }
            tokio::fs::write(dirs.submission.join(name), contents).await?;
        }
        set_mode(&dirs.root, 0o755).await?;
        set_mode(&dirs.submission, 0o755).await?;
        // A size-limited tmpfs keeps a run from filling the host's disk through its reports.
        // Mounting needs root, which a runner host with Docker access has anyway.
        let mounted = tokio::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!(
                "size={report_limit_bytes},mode=0700,uid=65534,gid=65534,nosuid,nodev,noexec"
            ))
            .arg("tmpfs")
            .arg(&dirs.reports)
            .stderr(std::process::Stdio::null())
            .status()
            .await
            .is_ok_and(|status| status.success());
        if mounted {
            dirs.reports_on_tmpfs = true;
        } else {
            tracing::warn!(
                "cannot mount a tmpfs for reports (not root?); report size is checked only when collected"
            );
            std::os::unix::fs::chown(&dirs.reports, Some(65534), Some(65534))?;
            set_mode(&dirs.reports, 0o700).await?;
        }
        Ok(dirs)
    }

    /// Report files whose names match `pattern`, within the caps; the rest are named in `dropped`.
    pub async fn collect_reports(
        &self,
        pattern: &str,
        caps: ReportCaps,
    ) -> (Vec<ReportFile>, Vec<String>) {
        let mut collected = Vec::new();
        let mut dropped = Vec::new();
        let Ok(mut entries) = tokio::fs::read_dir(&self.reports).await else {
            return (collected, dropped);
        };
        let mut candidates = Vec::new();
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only plain files: a symlink could point anywhere on the host.
            let Ok(metadata) = tokio::fs::symlink_metadata(entry.path()).await else { continue };
            if metadata.is_file() && glob_match(pattern, &name) {
                candidates.push((name, metadata.len()));
            }
        }
        candidates.sort();
        let mut total = 0u64;
        for (name, size) in candidates {
            if collected.len() >= caps.max_files {
                dropped.push(format!("{name} (more than {} report files)", caps.max_files));
            } else if size > caps.max_file_bytes {
                dropped.push(format!(
                    "{name} ({size} bytes, more than the {} allowed per file)",
                    caps.max_file_bytes
                ));
            } else if total + size > caps.max_total_bytes {
                dropped.push(format!(
                    "{name} (the reports exceed {} bytes in all)",
                    caps.max_total_bytes
                ));
            } else {
                match read_plain_file(&self.reports.join(&name), caps.max_file_bytes).await {
                    Ok(bytes) => {
                        total += size;
                        collected.push(ReportFile {
                            name,
                            contents: String::from_utf8_lossy(&bytes).into_owned(),
                        });
                    }
                    Err(err) => dropped.push(format!("{name} (unreadable: {err})")),
                }
            }
        }
        (collected, dropped)
    }
}

impl RunDirs {
    /// One file of the report directory, if it is a plain file, at most `max_bytes` of it.
    pub async fn read_report(&self, name: &str, max_bytes: u64) -> io::Result<Vec<u8>> {
        read_plain_file(&self.reports.join(name), max_bytes).await
    }
}

/// Opens a file the run wrote, refusing anything but a plain file: the run's user could have
/// put a symlink (to anywhere on the host) or a FIFO (which would block) in its place.
pub async fn open_plain_file(path: &Path) -> io::Result<tokio::fs::File> {
    let file = tokio::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .await?;
    if !file.metadata().await?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a plain file"));
    }
    Ok(file)
}

async fn read_plain_file(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    open_plain_file(path).await?.take(max_bytes).read_to_end(&mut bytes).await?;
    Ok(bytes)
}

async fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).await
}

impl Drop for RunDirs {
    fn drop(&mut self) {
        if self.reports_on_tmpfs {
            let _ = std::process::Command::new("umount").arg("-l").arg(&self.reports).status();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
