//! Keeps task images ahead of jobs: notices when a repository publishes a new revision and
//! builds the images of its tasks before a student's job needs them.
//!
//! Changes are noticed three ways, all mere hints to rescan: file-system events (inotify, or
//! polling for NFS, where inotify never sees another host's writes), the web server's "tasks
//! changed" message, and a periodic rescan. A rescan compares each repository's `current` link
//! with what it saw before. Images are tagged by content, so building the new revision's images
//! never disturbs a job still running against the old one.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use notify::RecursiveMode;
use notify_debouncer_full::new_debouncer_opt;
use tokio::sync::mpsc;

use crate::grade::Grader;

#[derive(Clone, Copy, Debug)]
pub enum WatchMode {
    /// inotify: instant, but blind to writes made by other NFS clients.
    Native,
    /// Stat the watched folders every so often; works on NFS.
    Poll(Duration),
}

/// Adds a folder to the watch; false when it cannot be watched.
type AddWatch = Box<dyn FnMut(&Path) -> bool + Send>;

/// How often the task directory is rescanned even without any hint.
const RESCAN_EVERY: Duration = Duration::from_secs(30);
/// How often while the task directory cannot be watched (not there yet, or no watcher).
const RESCAN_UNWATCHED: Duration = Duration::from_secs(3);

pub async fn keep_images_current(
    grader: Arc<Grader>,
    task_dir: PathBuf,
    mode: WatchMode,
    mut hints: mpsc::Receiver<()>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (fs_hints, mut fs_events) = mpsc::channel::<()>(16);
    let handler = move |_: notify_debouncer_full::DebounceEventResult| {
        let _ = fs_hints.try_send(());
    };
    let timeout = Duration::from_secs(2);
    let mut watched: Vec<PathBuf> = Vec::new();
    // The debouncer lives as long as this loop; its watcher thread stops when it is dropped.
    let mut watcher: Option<AddWatch> = match mode {
        WatchMode::Native => new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
            timeout,
            None,
            handler,
            notify_debouncer_full::NoCache,
            notify::Config::default(),
        )
        .ok()
        .map(|mut debouncer| {
            Box::new(move |path: &Path| debouncer.watch(path, RecursiveMode::NonRecursive).is_ok())
                as Box<_>
        }),
        WatchMode::Poll(interval) => new_debouncer_opt::<_, notify::PollWatcher, _>(
            timeout,
            None,
            handler,
            notify_debouncer_full::NoCache,
            notify::Config::default().with_poll_interval(interval),
        )
        .ok()
        .map(|mut debouncer| {
            Box::new(move |path: &Path| debouncer.watch(path, RecursiveMode::NonRecursive).is_ok())
                as Box<_>
        }),
    };
    if watcher.is_none() {
        tracing::warn!("cannot watch the task directory; relying on hints and periodic rescans");
    }
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    loop {
        // Watch the task directory and every repository folder in it (where `current` is swapped).
        if let Some(watch) = watcher.as_mut() {
            for folder in std::iter::once(task_dir.clone()).chain(repository_dirs(&task_dir)) {
                if !watched.contains(&folder) && watch(&folder) {
                    watched.push(folder);
                }
            }
        }
        rescan(&grader, &task_dir, &mut seen).await;
        let wait = if watched.contains(&task_dir) { RESCAN_EVERY } else { RESCAN_UNWATCHED };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            Some(()) = fs_events.recv() => {}
            Some(()) = hints.recv() => {}
            _ = shutdown.changed() => return,
        }
    }
}

fn repository_dirs(task_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(task_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the images of every task in each repository whose published revision changed.
async fn rescan(grader: &Grader, task_dir: &Path, seen: &mut HashMap<PathBuf, PathBuf>) {
    for repository in repository_dirs(task_dir) {
        let current = repository.join("current");
        let Ok(target) = std::fs::read_link(&current) else { continue };
        if seen.get(&repository) == Some(&target) {
            continue;
        }
        tracing::info!(repository = %repository.display(), revision = %target.display(), "a new task revision: preparing its images");
        for task in task_folders(&current) {
            match grader.prepare_image(&current, &task).await {
                Ok(image) if image.built => {
                    tracing::info!(task, tag = image.tag, "built a task image ahead of its jobs")
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(task, error = %err, "cannot prepare a task's image"),
            }
        }
        seen.insert(repository, target);
    }
}

fn task_folders(checkout: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(checkout)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| {
                    entry.path().join("meta.json").is_file()
                        && entry.path().join("task.md").is_file()
                })
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
