//! Reads a checkout of a task repository in INLOOP's format: one folder per task with `task.md`
//! and `meta.json`. Every problem is recorded against its task; one bad task never stops the rest.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use inloop_protocol::meta::{self, Meta};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{dates, slug::slugify_title};

/// The most a task's text may be; larger files are a mistake, not a task.
const MAX_TASK_MD_BYTES: u64 = 1 << 20;
const MAX_TEMPLATE_BYTES: u64 = 256 << 10;

#[derive(Clone, Debug, PartialEq)]
pub struct LoadedTask {
    pub system_name: String,
    pub title: String,
    pub slug: String,
    pub category: String,
    pub pubdate: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub description: String,
    pub disabled: bool,
    pub runner: String,
    pub file_patterns: Vec<String>,
    pub limits: Option<Value>,
    pub max_submissions: Option<i32>,
    pub group: Option<String>,
    pub templates: Vec<(String, String)>,
    pub has_solution: bool,
    /// Changes whenever anything the database keeps about the task changes.
    pub content_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub task: String,
    pub message: String,
}

pub struct LoadOptions<'a> {
    pub zone: &'a dates::Zone,
    /// Runner names tasks may use.
    pub runners: &'a [String],
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub tasks: Vec<LoadedTask>,
    pub problems: Vec<Problem>,
}

/// Reads every direct sub-folder of `root` that has a `task.md`, as INLOOP did.
pub fn load(root: &Path, options: &LoadOptions<'_>) -> Loaded {
    let mut loaded = Loaded::default();
    let mut folders: Vec<PathBuf> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .map(|entry| entry.path())
            .filter(|path| {
                !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.'))
            })
            .collect(),
        Err(err) => {
            loaded.problems.push(Problem {
                task: String::new(),
                message: format!("cannot read the repository: {err}"),
            });
            return loaded;
        }
    };
    folders.sort();
    let has_dockerfile = root.join("Dockerfile").is_file();
    for folder in folders {
        let name =
            folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        if !folder.join("task.md").is_file() {
            if folder.join("meta.json").is_file() {
                loaded.problems.push(Problem { task: name, message: "missing task.md".to_owned() });
            }
            continue;
        }
        match load_task(&folder, &name, has_dockerfile, options) {
            Ok(task) => loaded.tasks.push(task),
            Err(message) => loaded.problems.push(Problem { task: name, message }),
        }
    }
    // Two tasks whose titles give the same slug cannot both have an address: both are refused.
    let mut by_slug: HashMap<String, Vec<String>> = HashMap::new();
    for task in &loaded.tasks {
        by_slug.entry(task.slug.clone()).or_default().push(task.system_name.clone());
    }
    let duplicates: Vec<(String, Vec<String>)> =
        by_slug.into_iter().filter(|(_, names)| names.len() > 1).collect();
    for (slug, names) in &duplicates {
        for name in names {
            let others: Vec<&str> =
                names.iter().filter(|other| *other != name).map(String::as_str).collect();
            loaded.problems.push(Problem {
                task: name.clone(),
                message: format!(
                    "its title gives the address '{slug}', as does {}",
                    others.join(", ")
                ),
            });
        }
    }
    loaded.tasks.retain(|task| !duplicates.iter().any(|(slug, _)| *slug == task.slug));
    loaded.problems.sort_by(|a, b| a.task.cmp(&b.task));
    loaded
}

fn load_task(
    folder: &Path,
    name: &str,
    has_dockerfile: bool,
    options: &LoadOptions<'_>,
) -> Result<LoadedTask, String> {
    let meta_text = match std::fs::read_to_string(folder.join(meta::FILE_NAME)) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err("missing meta.json".to_owned());
        }
        Err(err) => return Err(format!("cannot read meta.json: {err}")),
    };
    let meta = Meta::parse(&meta_text).map_err(|err| err.to_string())?;
    let text = |key: &str| meta.text(key).map_err(|err| err.to_string());
    let required = |key: &str| -> Result<String, String> {
        text(key)?
            .filter(|value| !value.is_empty())
            .ok_or_else(|| format!("missing required field '{key}'"))
    };
    let title = required("title")?;
    if title.chars().count() > 200 {
        return Err("the title is longer than 200 characters".to_owned());
    }
    let category = required("category")?;
    if category.chars().count() > 100 {
        return Err("the category name is longer than 100 characters".to_owned());
    }
    let pubdate = dates::parse(&required("pubdate")?, options.zone)
        .map_err(|err| format!("bad pubdate: {err}"))?;
    let deadline = match text("deadline")? {
        Some(deadline) if !deadline.is_empty() => Some(
            dates::parse(&deadline, options.zone).map_err(|err| format!("bad deadline: {err}"))?,
        ),
        _ => None,
    };
    if deadline.is_some_and(|deadline| deadline < pubdate) {
        return Err("the deadline is before the publication date".to_owned());
    }
    let disabled = meta.disabled().map_err(|err| err.to_string())?;
    let runner = meta.runner(has_dockerfile).map_err(|err| err.to_string())?;
    if !options.runners.contains(&runner) {
        return Err(format!("unknown runner '{runner}' (known: {})", options.runners.join(", ")));
    }
    let file_patterns = meta.file_patterns().map_err(|err| err.to_string())?;
    let limits = meta.limits_json().map_err(|err| err.to_string())?;
    let max_submissions = meta.max_submissions().map_err(|err| err.to_string())?;
    let group = text("group")?.filter(|group| !group.is_empty());
    let slug = slugify_title(&title);
    if slug.is_empty() {
        return Err(format!("the title '{title}' gives no usable address; use letters or digits"));
    }
    let task_md = folder.join("task.md");
    let size = std::fs::metadata(&task_md).map(|m| m.len()).unwrap_or(0);
    if size > MAX_TASK_MD_BYTES {
        return Err(format!("task.md is {size} bytes, more than the {MAX_TASK_MD_BYTES} allowed"));
    }
    let description =
        std::fs::read(&task_md).map_err(|err| format!("cannot read task.md: {err}"))?;
    let description =
        String::from_utf8(description).map_err(|_| "task.md is not UTF-8 text".to_owned())?;
    if description.contains('\0') {
        return Err("task.md contains a NUL character, which cannot be stored".to_owned());
    }
    let templates = read_templates(&folder.join("templates"))?;
    let has_solution = folder.join("solution").is_dir();

    // Every file of the folder counts: a changed test must trigger a new reference check.
    let mut hasher = Sha256::new();
    hash_folder(folder, folder, &mut hasher)
        .map_err(|err| format!("cannot read the task's files: {err}"))?;
    Ok(LoadedTask {
        system_name: name.to_owned(),
        title,
        slug,
        category,
        pubdate,
        deadline,
        description,
        disabled,
        runner,
        file_patterns,
        limits,
        max_submissions,
        group,
        templates,
        has_solution,
        content_hash: hex::encode(&hasher.finalize()[..16]),
    })
}

/// Whether any key or string in the JSON holds a NUL character (PostgreSQL stores none).
fn hash_folder(root: &Path, dir: &Path, hasher: &mut Sha256) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let kind = entry.file_type()?;
        let path = entry.path();
        let relative =
            path.strip_prefix(root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        if kind.is_dir() {
            hasher.update(relative.as_bytes());
            hasher.update([1]);
            hash_folder(root, &path, hasher)?;
        } else if kind.is_file() {
            hasher.update(relative.as_bytes());
            hasher.update([0]);
            hasher.update(std::fs::read(&path)?);
            hasher.update([0]);
        }
    }
    Ok(())
}

/// Starter files: every plain file directly in `templates/`, as UTF-8 text.
fn read_templates(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut templates = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_ok_and(|kind| kind.is_file()) || name.starts_with('.') {
            continue;
        }
        if entry.metadata().map(|m| m.len()).unwrap_or(0) > MAX_TEMPLATE_BYTES {
            return Err(format!("the template {name} is larger than {MAX_TEMPLATE_BYTES} bytes"));
        }
        let contents = std::fs::read(entry.path())
            .map_err(|err| format!("cannot read templates/{name}: {err}"))?;
        let contents = String::from_utf8(contents)
            .map_err(|_| format!("templates/{name} is not UTF-8 text"))?;
        if contents.contains('\0') {
            return Err(format!(
                "templates/{name} contains a NUL character, which cannot be stored"
            ));
        }
        templates.push((name, contents));
    }
    templates.sort();
    Ok(templates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)]) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("inloop-loader-{}", uuid::Uuid::new_v4().simple()));
        for (path, contents) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(path, contents).expect("file");
        }
        root
    }

    fn options_load(root: &Path) -> Loaded {
        let zone = dates::Zone::named("Europe/Berlin").expect("zone");
        let runners = vec!["classic".to_owned(), "java".to_owned(), "python".to_owned()];
        load(root, &LoadOptions { zone: &zone, runners: &runners })
    }

    const META: &str =
        r#"{"title": "Task 1", "category": "Test Category", "pubdate": "2015-05-01 13:37:00"}"#;

    #[test]
    fn inloop_gitload_cases_load_or_report_by_name() {
        let root = repo(&[
            ("Dockerfile", "FROM debian:bookworm-slim"),
            ("task1/task.md", "# Task 1"),
            ("task1/meta.json", META),
            ("task1/templates/Example.java", "class Example {}\n"),
            ("task1/templates/ignored.txt/nested", "a directory is not a template"),
            ("task2/task.md", "# Disabled"),
            (
                "task2/meta.json",
                r#"{"title": "Task 2", "category": "C", "pubdate": "2015-05-01", "disabled": true}"#,
            ),
            ("task3/task.md", "x"),
            ("task3/meta.json", r#"{"category": "C", "pubdate": "2015-05-01"}"#),
            ("task4/task.md", "x"),
            ("task5/task.md", "x"),
            ("task5/meta.json", "{nope"),
            ("task6/meta.json", META),
            ("task7/task.md", "x"),
            ("task7/meta.json", r#"{"title": "T7", "category": "C", "pubdate": "someday"}"#),
            ("task8/task.md", "x"),
            (
                "task8/meta.json",
                r#"{"title": "T8", "category": "C", "pubdate": "2015-05-01", "runner": "cobol"}"#,
            ),
            ("notes/readme.txt", "not a task"),
            ("task9/task.md", "x"),
            (
                "task9/meta.json",
                r#"{"title": "T9\u0000", "category": "C", "pubdate": "2015-05-01"}"#,
            ),
            ("task9b/task.md", "nul \0 here"),
            ("task9b/meta.json", r#"{"title": "T9b", "category": "C", "pubdate": "2015-05-01"}"#),
        ]);
        let loaded = options_load(&root);
        let names: Vec<&str> = loaded.tasks.iter().map(|task| task.system_name.as_str()).collect();
        assert_eq!(names, ["task1", "task2"]);
        let task1 = &loaded.tasks[0];
        assert_eq!(
            (task1.title.as_str(), task1.category.as_str(), task1.slug.as_str()),
            ("Task 1", "Test Category", "task-1")
        );
        assert_eq!(task1.runner, "classic");
        assert_eq!(task1.templates, [("Example.java".to_owned(), "class Example {}\n".to_owned())]);
        assert!(loaded.tasks[1].disabled);
        let problems: Vec<(String, String)> =
            loaded.problems.iter().map(|p| (p.task.clone(), p.message.clone())).collect();
        assert_eq!(problems[0], ("task3".to_owned(), "missing required field 'title'".to_owned()));
        assert_eq!(problems[1], ("task4".to_owned(), "missing meta.json".to_owned()));
        assert!(problems[2].0 == "task5" && problems[2].1.starts_with("malformed meta.json"));
        assert_eq!(problems[3], ("task6".to_owned(), "missing task.md".to_owned()));
        assert!(problems[4].0 == "task7" && problems[4].1.starts_with("bad pubdate"));
        assert!(problems[5].0 == "task8" && problems[5].1.starts_with("unknown runner 'cobol'"));
        let nul: Vec<&(String, String)> =
            problems.iter().filter(|(_, message)| message.contains("NUL")).collect();
        assert_eq!(nul.len(), 2, "{problems:?}");
        assert_eq!(problems.len(), 8);
        std::fs::remove_dir_all(root).expect("cleanup");
    }

    #[test]
    fn tasks_with_the_same_address_are_both_refused() {
        let root = repo(&[
            ("a/task.md", "x"),
            (
                "a/meta.json",
                r#"{"title": "Same (1)", "category": "C", "pubdate": "2015-05-01", "runner": "java"}"#,
            ),
            ("b/task.md", "x"),
            (
                "b/meta.json",
                r#"{"title": "Same (2)", "category": "C", "pubdate": "2015-05-01", "runner": "java"}"#,
            ),
        ]);
        let loaded = options_load(&root);
        assert!(loaded.tasks.is_empty());
        assert_eq!(loaded.problems.len(), 2);
        assert!(loaded.problems[0].message.contains("'same'"), "{:?}", loaded.problems);
        std::fs::remove_dir_all(root).expect("cleanup");
    }

    #[test]
    fn content_hash_changes_with_the_task() {
        let root = repo(&[
            ("t/task.md", "one"),
            (
                "t/meta.json",
                r#"{"title": "T", "category": "C", "pubdate": "2015-05-01", "runner": "java"}"#,
            ),
        ]);
        let first = options_load(&root).tasks[0].content_hash.clone();
        std::fs::write(root.join("t/task.md"), "two").expect("write");
        assert_ne!(options_load(&root).tasks[0].content_hash, first);
        std::fs::remove_dir_all(root).expect("cleanup");
    }
}
