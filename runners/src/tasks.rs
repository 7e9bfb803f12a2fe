//! Reading a task from a task repository directory in INLOOP's format.

use std::path::{Path, PathBuf};

use inloop_plugin_api::protocol::TaskSpec;
use inloop_protocol::{
    limits::TaskLimits,
    meta::{self, Meta, MetaError},
};

/// The most files a task directory may hold; more means something is wrong with it.
const MAX_TASK_FILES: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("there is no task '{name}' in {repository}")]
    NotFound { name: String, repository: PathBuf },
    #[error("'{0}' is not a task name: use the name of a directory of the repository")]
    BadName(String),
    #[error("task '{name}': missing meta.json")]
    MissingMeta { name: String },
    #[error("task '{name}': {source}")]
    Meta { name: String, source: MetaError },
    #[error("task '{name}': more than {MAX_TASK_FILES} files")]
    TooManyFiles { name: String },
    #[error("task '{name}': cannot read {path}: {source}")]
    Io { name: String, path: PathBuf, source: std::io::Error },
}

#[derive(Clone, Debug)]
pub struct Task {
    pub name: String,
    pub dir: PathBuf,
    pub repository: PathBuf,
    pub runner: String,
    pub limits: TaskLimits,
    pub spec: TaskSpec,
}

pub fn load(repository: &Path, name: &str) -> Result<Task, TaskError> {
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) || name == ".." {
        return Err(TaskError::BadName(name.to_owned()));
    }
    let dir = repository.join(name);
    if !dir.is_dir() {
        return Err(TaskError::NotFound {
            name: name.to_owned(),
            repository: repository.to_owned(),
        });
    }
    let meta_path = dir.join(meta::FILE_NAME);
    let meta_text = match std::fs::read_to_string(&meta_path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(TaskError::MissingMeta { name: name.to_owned() });
        }
        Err(source) => {
            return Err(TaskError::Io { name: name.to_owned(), path: meta_path, source });
        }
    };
    let meta_error = |source| TaskError::Meta { name: name.to_owned(), source };
    let meta = Meta::parse(&meta_text).map_err(meta_error)?;
    let runner = meta.runner(repository.join("Dockerfile").is_file()).map_err(meta_error)?;
    let limits = meta.limits().map_err(meta_error)?;
    let mut files = Vec::new();
    list_files(&dir, &dir, name, &mut files)?;
    files.sort();
    Ok(Task {
        name: name.to_owned(),
        dir,
        repository: repository.to_owned(),
        runner,
        limits,
        spec: TaskSpec { name: name.to_owned(), files, meta: meta.into_value() },
    })
}

fn list_files(root: &Path, dir: &Path, name: &str, out: &mut Vec<String>) -> Result<(), TaskError> {
    let io_error = |path: &Path, source| TaskError::Io {
        name: name.to_owned(),
        path: path.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|err| io_error(dir, err))? {
        let entry = entry.map_err(|err| io_error(dir, err))?;
        let file_type = entry.file_type().map_err(|err| io_error(&entry.path(), err))?;
        if file_type.is_dir() {
            list_files(root, &entry.path(), name, out)?;
        } else if file_type.is_file() {
            if out.len() >= MAX_TASK_FILES {
                return Err(TaskError::TooManyFiles { name: name.to_owned() });
            }
            let relative = entry
                .path()
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.push(relative);
        }
        // Symbolic links are skipped: a task must not reach outside its directory.
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)]) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("inloop-tasks-{}", uuid::Uuid::new_v4().simple()));
        for (path, contents) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        root
    }

    #[test]
    fn a_task_lists_its_files_and_names_its_runner() {
        let root = repo(&[
            (
                "hello/meta.json",
                r#"{"title": "Hello", "runner": "python", "limits": {"timeout_s": 5}}"#,
            ),
            ("hello/task.md", "# Hello"),
            ("hello/tests/test_hello.py", "def test(): pass"),
        ]);
        let task = load(&root, "hello").unwrap();
        assert_eq!(task.runner, "python");
        assert_eq!(task.limits.timeout_s, Some(5));
        assert_eq!(task.spec.files, ["meta.json", "task.md", "tests/test_hello.py"]);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn inloop_repositories_default_to_the_classic_runner() {
        let root = repo(&[("Dockerfile", "FROM x"), ("task1/meta.json", r#"{"title": "Task 1"}"#)]);
        assert_eq!(load(&root, "task1").unwrap().runner, "classic");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn broken_tasks_say_what_is_wrong() {
        let root = repo(&[
            ("nometa/task.md", "x"),
            ("badjson/meta.json", "{nope"),
            ("norunner/meta.json", "{}"),
            ("badlimits/meta.json", r#"{"runner": "python", "limits": {"memory": 5}}"#),
        ]);
        let message = |name: &str| load(&root, name).unwrap_err().to_string();
        assert_eq!(message("nometa"), "task 'nometa': missing meta.json");
        assert!(message("badjson").starts_with("task 'badjson': malformed meta.json"));
        assert!(message("norunner").contains("names no \"runner\""));
        assert!(message("badlimits").contains("unknown field `memory`"));
        assert!(message("absent").starts_with("there is no task 'absent'"));
        assert!(matches!(load(&root, "../etc"), Err(TaskError::BadName(_))));
        std::fs::remove_dir_all(root).unwrap();
    }
}
