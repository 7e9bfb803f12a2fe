//! The house rules that the compiler does not check, checked on the source tree: which crates
//! the web server may depend on, no circles between modules, a `//!` line on every module,
//! `unsafe` and the Docker and plugin-loading crates only where the design puts them. No
//! services needed.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::Command,
};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_owned()
}

/// Every Rust file under `dir`, skipping build output, fixtures and data.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "fixtures" | ".data" | "node_modules")
                    && !name.starts_with('.')
                {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn relative(path: &Path) -> String {
    path.strip_prefix(workspace_root()).unwrap_or(path).display().to_string()
}

/// The source without line comments and without its `#[cfg(test)]` part: what the module
/// itself uses.
fn code_of(text: &str) -> String {
    let without_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
    without_tests
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segments after each `crate::`: `crate::{db::{self, x}, error}` names `db`
/// and `error`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(found) = code[from..].find("crate::") {
        let start = from + found;
        from = start + "crate::".len();
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && c == ',') {
                    names.insert(leading_identifier(&item));
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            names.insert(leading_identifier(rest));
        }
    }
    names.retain(|name| !name.is_empty() && name != "self");
    names
}

fn leading_identifier(text: &str) -> String {
    text.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// The top-level module a file of `src` belongs to (`routes/staff.rs` → `routes`).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let first = file.strip_prefix(src).ok()?.components().next()?;
    let name = first.as_os_str().to_string_lossy();
    let name = name.strip_suffix(".rs").unwrap_or(&name).to_owned();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// Edges between the top-level modules of one crate, each with the files that make it.
fn module_edges(src: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in rust_files(src) {
        let Some(from) = top_module(src, &file) else { continue };
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for to in crate_paths(&code_of(&text)) {
            if to != from {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(relative(&file));
            }
        }
    }
    edges
}

/// A circle of modules, if there is one: depth-first search for an edge back into the path.
fn find_circle(
    edges: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|seen| seen == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flat_map(BTreeMap::keys) {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|start| visit(start, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_modules_that_import_each_other_in_a_circle() {
    let root = workspace_root();
    for src in ["app/src", "app/cli/src", "runners/src", "runners/protocol/src", "plugins/api/src"]
    {
        let edges = module_edges(&root.join(src));
        assert!(
            !edges.is_empty() || src != "app/src",
            "no imports found in {src}: is the parser broken?"
        );
        if let Some(circle) = find_circle(&edges) {
            let links: Vec<String> = circle
                .windows(2)
                .map(|pair| {
                    let files = &edges[&pair[0]][&pair[1]];
                    format!(
                        "{} -> {} ({})",
                        pair[0],
                        pair[1],
                        files.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            panic!("modules of {src} import each other in a circle:\n  {}", links.join("\n  "));
        }
    }
}

#[test]
fn the_circle_finder_finds_circles_and_reads_grouped_imports() {
    let code = "use crate::{db::{self, users::User}, error::AppError};\nfn f() { crate::http::redirect(\"/\"); }\n// crate::commented\n";
    assert_eq!(
        crate_paths(&code_of(code)).into_iter().collect::<Vec<_>>(),
        ["db", "error", "http"]
    );
    let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")] {
        edges.entry(from.to_owned()).or_default().entry(to.to_owned()).or_default();
    }
    assert_eq!(find_circle(&edges), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    edges.get_mut("c").expect("c").clear();
    assert_eq!(find_circle(&edges), None);
}

#[test]
fn the_web_crate_cannot_reach_docker_or_plugins() {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    // What the web library links on this host: its normal dependencies, all the way down.
    let output = Command::new(cargo)
        .args(["tree", "-p", "inloop-app", "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}", "--offline", "--locked"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let reached: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(reached.contains("inloop-protocol"), "the tree holds {reached:?}");
    for forbidden in ["inloop-runners", "bollard", "libloading", "notify"] {
        assert!(
            !reached.contains(forbidden),
            "the web crate depends on {forbidden}: the web process must not reach Docker or load plugins"
        );
    }
}

#[test]
fn every_module_says_what_it_is_for() {
    let root = workspace_root();
    let missing: Vec<String> = ["app", "runners", "plugins", "tests"]
        .iter()
        .flat_map(|dir| rust_files(&root.join(dir)))
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|file| relative(&file))
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` line saying what they are for: {missing:?}"
    );
}

/// Files that mention `needle` in their code (not in comments), outside `allowed` and this file.
fn mentions_outside(needle: &str, allowed: &[&str]) -> Vec<String> {
    let root = workspace_root();
    ["app", "runners", "plugins", "tests"]
        .iter()
        .flat_map(|dir| rust_files(&root.join(dir)))
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            code_of(&text).contains(needle)
        })
        .map(|file| relative(&file))
        .filter(|file| !allowed.contains(&file.as_str()) && file != "tests/tidy/main.rs")
        .collect()
}

#[test]
fn unsafe_code_and_native_libraries_only_in_the_plugin_host_and_the_export_macro() {
    let allowed = ["runners/src/plugin_host.rs", "plugins/api/src/abi.rs"];
    for needle in ["unsafe {", "unsafe fn", "unsafe impl", "unsafe extern", "allow(unsafe_code)"] {
        let found = mentions_outside(needle, &allowed);
        assert!(
            found.is_empty(),
            "`{needle}` outside the plugin host and the export macro: {found:?}"
        );
    }
    let found = mentions_outside("libloading", &["runners/src/plugin_host.rs"]);
    assert!(found.is_empty(), "libloading outside the plugin host: {found:?}");
}

#[test]
fn only_the_docker_wrapper_talks_to_docker() {
    let found = mentions_outside("bollard", &["runners/src/docker.rs"]);
    assert!(found.is_empty(), "bollard outside runners/src/docker.rs: {found:?}");
}

/// Dates are `time` everywhere; jiff only does the site zone's arithmetic, behind `dates::Zone`.
#[test]
fn one_date_type_with_the_zone_database_behind_one_module() {
    let found = mentions_outside("jiff::", &["app/src/taskrepo/dates.rs"]);
    assert!(found.is_empty(), "jiff outside app/src/taskrepo/dates.rs: {found:?}");
    let found = mentions_outside("chrono::", &[]);
    assert!(found.is_empty(), "chrono used (dates are `time`): {found:?}");
}

/// Every crate takes its dependencies from `[workspace.dependencies]`, so each version and
/// feature set is chosen once, in the root `Cargo.toml`.
#[test]
fn every_dependency_is_chosen_once_for_the_workspace() {
    let root = workspace_root();
    let manifests: Vec<PathBuf> = ["app", "runners", "plugins", "tests"]
        .iter()
        .flat_map(|dir| {
            let mut found = Vec::new();
            let mut pending = vec![root.join(dir)];
            while let Some(dir) = pending.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if path.is_dir() && !matches!(name.as_str(), "target" | "fixtures" | "src") {
                        pending.push(path);
                    } else if name == "Cargo.toml" {
                        found.push(path);
                    }
                }
            }
            found
        })
        .collect();
    assert!(manifests.len() >= 10, "found only {manifests:?}");
    let mut chosen_here = Vec::new();
    for manifest in &manifests {
        let text = std::fs::read_to_string(manifest).expect("a readable manifest");
        let mut section = String::new();
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
                section = name.to_owned();
            } else if section.ends_with("dependencies")
                && line.contains('=')
                && !line.starts_with('#')
                && !line.contains("workspace = true")
            {
                chosen_here.push(format!("{}: {line}", relative(manifest)));
            }
        }
    }
    assert!(chosen_here.is_empty(), "dependencies not taken from the workspace: {chosen_here:?}");
}
