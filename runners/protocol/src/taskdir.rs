//! The shared task directory's marker: how a runner host knows it is looking at the directory
//! the web host publishes tasks in, and not at an empty mount point.

use std::path::Path;

/// The file the web host keeps at the top of the task directory. A runner host that cannot see
/// it is not looking at the shared directory (the NFS share is not mounted, or has gone stale)
/// and must not take jobs: it would fail every one of them as if the students were at fault.
pub const TASK_DIR_MARKER: &str = ".inloop-task-dir";

/// Creates the task directory and its marker unless they are there (the web host's side).
pub fn mark_task_dir(task_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(task_dir)?;
    let marker = task_dir.join(TASK_DIR_MARKER);
    if !marker.is_file() {
        std::fs::write(
            marker,
            "INLOOP's task directory: the web host publishes task repositories here and runner \
             hosts read them (over NFS). Runner hosts take jobs only while they see this file.\n",
        )?;
    }
    Ok(())
}

/// Whether this host sees the shared task directory (the runner host's side).
pub fn sees_task_dir(task_dir: &Path) -> bool {
    task_dir.join(TASK_DIR_MARKER).is_file()
}
