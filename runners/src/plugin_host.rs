//! Loads grading plugins (shared libraries) and calls them through the C ABI of `plugins/api`.
//!
//! This module is the only place in the runner with `unsafe` code. Libraries are loaded only from
//! the admin's plugin directory, never from a task repository, and are never unloaded.

#![allow(unsafe_code)]

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use inloop_plugin_api::{
    abi::{
        ABI_VERSION, ENTRY_SYMBOL, PluginBuf, PluginVTable, STATUS_ERROR, STATUS_OK, STATUS_PANIC,
    },
    protocol::{
        self, ImageRecipe, PROTOCOL_VERSION, PluginInfo, RunOutcome, RunRecipe, TaskSpec, method,
    },
    report::Report,
};

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("{path}: not a loadable plugin library ({reason})")]
    NotALibrary { path: PathBuf, reason: String },
    #[error(
        "{path}: no `inloop_plugin_entry_v1` symbol; is it an INLOOP grading plugin built for this version?"
    )]
    MissingSymbol { path: PathBuf },
    #[error("{path}: plugin ABI version {found}, this runner needs {expected}; rebuild the plugin")]
    WrongAbi { path: PathBuf, found: u32, expected: u32 },
    #[error(
        "{path}: plugin speaks protocol {found}, this runner speaks {expected}; rebuild the plugin"
    )]
    WrongProtocol { path: PathBuf, found: u32, expected: u32 },
    #[error("plugin {plugin}: {method} failed: {message}")]
    Refused { plugin: String, method: &'static str, message: String },
    #[error("plugin {plugin}: {method} panicked: {message}")]
    Panicked { plugin: String, method: &'static str, message: String },
    #[error("plugin {plugin}: {method} answered something unreadable: {message}")]
    BadAnswer { plugin: String, method: &'static str, message: String },
    #[error("cannot read the plugin directory {path}: {source}")]
    Directory { path: PathBuf, source: std::io::Error },
    #[error("no grading plugin named '{name}' is installed (installed: {installed})")]
    Unknown { name: String, installed: String },
    #[error("two plugins are named '{name}': {first} and {second}")]
    Duplicate { name: String, first: PathBuf, second: PathBuf },
    /// The child process that ran the plugin's `parse` died, hung or could not start.
    #[error("plugin {plugin}: parse failed in its own process: {detail}")]
    ParseProcess { plugin: String, detail: String },
}

/// A loaded plugin.
pub struct Plugin {
    path: PathBuf,
    info: PluginInfo,
    table: &'static PluginVTable,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin").field("path", &self.path).field("name", &self.info.name).finish()
    }
}

/// Checks the table a library handed us before anything in it is used.
fn check_table(path: &Path, abi_version: u32, struct_size: usize) -> Result<(), PluginError> {
    if abi_version != ABI_VERSION || struct_size < size_of::<PluginVTable>() {
        return Err(PluginError::WrongAbi {
            path: path.to_owned(),
            found: abi_version,
            expected: ABI_VERSION,
        });
    }
    Ok(())
}

impl Plugin {
    pub fn load(path: &Path) -> Result<Plugin, PluginError> {
        // SAFETY: loading a library runs its initialisers. Plugins come only from the directory the
        // admin configured for them, which is as trusted as the runner binary itself.
        let library = unsafe { libloading::Library::new(path) }.map_err(|err| {
            PluginError::NotALibrary { path: path.to_owned(), reason: err.to_string() }
        })?;
        // SAFETY: the symbol's type is fixed by the ABI (`plugins/api/src/abi.rs`); a library that
        // exports the name with another type is not a plugin of ours and breaks that contract.
        let entry = unsafe { library.get::<extern "C" fn() -> *const PluginVTable>(ENTRY_SYMBOL) }
            .map_err(|_| PluginError::MissingSymbol { path: path.to_owned() })?;
        let table_ptr = entry();
        if table_ptr.is_null() {
            return Err(PluginError::MissingSymbol { path: path.to_owned() });
        }
        // SAFETY: the entry point returns a pointer to a `static` table inside the library, and
        // the library is never unloaded (it is forgotten below), so the reference lives forever.
        let table: &'static PluginVTable = unsafe { &*table_ptr };
        check_table(path, table.abi_version, table.struct_size)?;
        std::mem::forget(library);
        let mut plugin = Plugin {
            path: path.to_owned(),
            info: PluginInfo {
                name: path.display().to_string(),
                version: String::new(),
                protocol: 0,
                languages: Vec::new(),
                file_patterns: Vec::new(),
                editor_mode: String::new(),
                default_limits: protocol::Limits {
                    timeout_s: 1,
                    memory_mb: 1,
                    cpus: 1.0,
                    pids: 1,
                    output_kb: 1,
                },
                base_images: Vec::new(),
            },
            table,
        };
        let info: PluginInfo = plugin.call_json(method::DESCRIBE, "describe", b"")?;
        if info.protocol != PROTOCOL_VERSION {
            return Err(PluginError::WrongProtocol {
                path: path.to_owned(),
                found: info.protocol,
                expected: PROTOCOL_VERSION,
            });
        }
        plugin.info = info;
        Ok(plugin)
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn image_recipe(&self, task: &TaskSpec) -> Result<ImageRecipe, PluginError> {
        let input =
            serde_json::to_vec(task).map_err(|err| self.bad_answer("image_recipe", &err))?;
        self.call_json(method::IMAGE_RECIPE, "image_recipe", &input)
    }

    pub fn run_recipe(&self, task: &TaskSpec) -> Result<RunRecipe, PluginError> {
        let input = serde_json::to_vec(task).map_err(|err| self.bad_answer("run_recipe", &err))?;
        self.call_json(method::RUN_RECIPE, "run_recipe", &input)
    }

    pub fn parse(&self, task: &TaskSpec, outcome: &RunOutcome) -> Result<Report, PluginError> {
        let input = protocol::parse_request(task, outcome).map_err(|message| {
            PluginError::BadAnswer { plugin: self.info.name.clone(), method: "parse", message }
        })?;
        self.call_json(method::PARSE, "parse", &input)
    }

    fn bad_answer(&self, method: &'static str, err: &dyn std::fmt::Display) -> PluginError {
        PluginError::BadAnswer { plugin: self.info.name.clone(), method, message: err.to_string() }
    }

    fn call_json<T: for<'de> serde::Deserialize<'de>>(
        &self,
        wire_method: &str,
        method: &'static str,
        input: &[u8],
    ) -> Result<T, PluginError> {
        let (status, bytes) = self.call_raw(wire_method, input);
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match status {
            STATUS_OK => {
                serde_json::from_slice(&bytes).map_err(|err| self.bad_answer(method, &err))
            }
            STATUS_ERROR => Err(PluginError::Refused {
                plugin: self.info.name.clone(),
                method,
                message: text(),
            }),
            STATUS_PANIC => Err(PluginError::Panicked {
                plugin: self.info.name.clone(),
                method,
                message: text(),
            }),
            other => Err(self.bad_answer(method, &format!("unknown status {other}"))),
        }
    }

    fn call_raw(&self, method: &str, input: &[u8]) -> (i32, Vec<u8>) {
        let mut out = PluginBuf { ptr: std::ptr::null_mut(), len: 0, cap: 0 };
        // SAFETY: the pointers and lengths describe live slices for the duration of the call, and
        // `out` is a valid place for the plugin to write its buffer into.
        let status = unsafe {
            (self.table.call)(method.as_ptr(), method.len(), input.as_ptr(), input.len(), &mut out)
        };
        let bytes = if out.ptr.is_null() {
            Vec::new()
        } else {
            // SAFETY: the plugin filled `out` with a buffer of `len` initialised bytes it owns.
            unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec()
        };
        // SAFETY: the buffer is handed back to the library that allocated it, exactly once.
        unsafe { (self.table.free_buf)(out) };
        (status, bytes)
    }
}

/// Runs plugins' `parse` in a child process: the report files it reads come from a container
/// that ran student code, and a plugin that overflows its stack, aborts or runs away on them
/// must take down that child, not the runner host with every slot's job. The child is the
/// `inloop` binary itself (its hidden `parse-report` command); it loads just that plugin, reads
/// the request on standard input and answers on standard output, within a time and memory cap.
#[derive(Clone, Debug)]
pub struct IsolatedParser {
    helper: PathBuf,
}

/// How long a parse may take, and the most a child may map and answer.
const PARSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
const PARSE_ADDRESS_SPACE: u64 = 4 << 30;
const PARSE_CPU_SECONDS: u64 = 30;
const MAX_PARSE_ANSWER: u64 = 64 << 20;
/// Exit codes of the child besides success.
const CHILD_REFUSED: i32 = 3;
const CHILD_PANICKED: i32 = 4;
const CHILD_FAILED: i32 = 5;

impl IsolatedParser {
    /// `helper` is the `inloop` binary.
    pub fn new(helper: PathBuf) -> IsolatedParser {
        IsolatedParser { helper }
    }

    pub async fn parse(
        &self,
        plugin: &Plugin,
        task: &TaskSpec,
        outcome: &RunOutcome,
    ) -> Result<Report, PluginError> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let name = plugin.info.name.clone();
        let failed = |detail: String| PluginError::ParseProcess { plugin: name.clone(), detail };
        let input = protocol::parse_request(task, outcome).map_err(failed)?;
        let mut child = tokio::process::Command::new(&self.helper)
            .arg("parse-report")
            .arg("--plugin")
            .arg(&plugin.path)
            .env_clear()
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| failed(format!("cannot start {}: {err}", self.helper.display())))?;
        let mut stdin = child.stdin.take().ok_or_else(|| failed("no stdin".into()))?;
        let mut stdout = child.stdout.take().ok_or_else(|| failed("no stdout".into()))?;
        let mut stderr = child.stderr.take().ok_or_else(|| failed("no stderr".into()))?;
        let talk = async {
            let write = async {
                stdin.write_all(&input).await?;
                drop(stdin);
                Ok::<(), std::io::Error>(())
            };
            let mut answer = Vec::new();
            let mut complaint = Vec::new();
            let mut answer_pipe = (&mut stdout).take(MAX_PARSE_ANSWER);
            let mut complaint_pipe = (&mut stderr).take(64 << 10);
            let read = answer_pipe.read_to_end(&mut answer);
            let read_err = complaint_pipe.read_to_end(&mut complaint);
            let (written, read, _) = tokio::join!(write, read, read_err);
            // A child that dies before it read everything closes the pipe; its exit says why.
            let _ = written;
            read?;
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((status, answer, complaint))
        };
        let (status, answer, complaint) = match tokio::time::timeout(PARSE_TIMEOUT, talk).await {
            Ok(Ok(done)) => done,
            Ok(Err(err)) => return Err(failed(format!("talking to it failed: {err}"))),
            Err(_) => {
                return Err(failed(format!("it took longer than {} s", PARSE_TIMEOUT.as_secs())));
            }
        };
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_owned();
        match status.code() {
            Some(0) => serde_json::from_slice(&answer).map_err(|err| self_bad_answer(&name, &err)),
            Some(CHILD_REFUSED) => {
                Err(PluginError::Refused { plugin: name, method: "parse", message: text(&answer) })
            }
            Some(CHILD_PANICKED) => {
                Err(PluginError::Panicked { plugin: name, method: "parse", message: text(&answer) })
            }
            Some(code) => {
                Err(failed(format!("it ended with exit code {code}: {}", text(&complaint))))
            }
            None => {
                use std::os::unix::process::ExitStatusExt;
                let signal = status.signal().unwrap_or_default();
                Err(failed(format!("it was killed by signal {signal} (a crash in the plugin)")))
            }
        }
    }
}

fn self_bad_answer(plugin: &str, err: &dyn std::fmt::Display) -> PluginError {
    PluginError::BadAnswer { plugin: plugin.to_owned(), method: "parse", message: err.to_string() }
}

/// The child's side of [`IsolatedParser`]: caps its own address space and CPU time, loads the
/// plugin, answers the parse request on standard input. Returns the exit code.
pub fn answer_parse_request(plugin_path: &Path) -> i32 {
    use std::io::{Read, Write};
    for (resource, limit) in
        [(libc::RLIMIT_AS, PARSE_ADDRESS_SPACE), (libc::RLIMIT_CPU, PARSE_CPU_SECONDS)]
    {
        let limit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
        unsafe { libc::setrlimit(resource, &limit) };
    }
    let mut input = Vec::new();
    if std::io::stdin().take(MAX_PARSE_ANSWER).read_to_end(&mut input).is_err() {
        return CHILD_FAILED;
    }
    let plugin = match Plugin::load(plugin_path) {
        Ok(plugin) => plugin,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "{err}");
            return CHILD_FAILED;
        }
    };
    let (status, bytes) = plugin.call_raw(method::PARSE, &input);
    let code = match status {
        STATUS_OK => 0,
        STATUS_ERROR => CHILD_REFUSED,
        STATUS_PANIC => CHILD_PANICKED,
        _ => CHILD_FAILED,
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(&bytes).and_then(|()| out.flush()).is_err() {
        return CHILD_FAILED;
    }
    code
}

/// All plugins of a directory, by name.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    plugins: BTreeMap<String, Arc<Plugin>>,
}

/// File names that may hold a plugin: `libinloop_plugin_<name>.so` on Linux.
pub fn is_plugin_file_name(name: &str) -> bool {
    name.starts_with(&format!("{}inloop_plugin_", std::env::consts::DLL_PREFIX))
        && name.ends_with(std::env::consts::DLL_SUFFIX)
}

impl Registry {
    /// Loads every plugin file in `dir`; any file that fails makes the whole load fail, naming it.
    pub fn load_dir(dir: &Path) -> Result<Registry, PluginError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|source| PluginError::Directory { path: dir.to_owned(), source })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name().and_then(|name| name.to_str()).is_some_and(is_plugin_file_name)
            })
            .collect();
        paths.sort();
        let mut registry = Registry::default();
        for path in paths {
            registry.add(Plugin::load(&path)?)?;
        }
        Ok(registry)
    }

    pub fn add(&mut self, plugin: Plugin) -> Result<(), PluginError> {
        let name = plugin.info.name.clone();
        if let Some(existing) = self.plugins.get(&name) {
            return Err(PluginError::Duplicate {
                name,
                first: existing.path.clone(),
                second: plugin.path,
            });
        }
        self.plugins.insert(name, Arc::new(plugin));
        Ok(())
    }

    pub fn get(&self, name: &str) -> Result<Arc<Plugin>, PluginError> {
        self.plugins.get(name).cloned().ok_or_else(|| PluginError::Unknown {
            name: name.to_owned(),
            installed: if self.plugins.is_empty() {
                "none".to_owned()
            } else {
                self.plugins.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.plugins.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_of_another_abi_are_refused() {
        let path = Path::new("libinloop_plugin_old.so");
        assert!(check_table(path, ABI_VERSION, size_of::<PluginVTable>()).is_ok());
        let err = check_table(path, ABI_VERSION + 1, size_of::<PluginVTable>()).unwrap_err();
        assert!(
            err.to_string().contains("libinloop_plugin_old.so")
                && err.to_string().contains("rebuild"),
            "{err}"
        );
        assert!(check_table(path, ABI_VERSION, 8).is_err(), "a shorter table is from an older ABI");
    }

    #[test]
    fn files_that_are_not_libraries_are_named_in_the_error() {
        let dir =
            std::env::temp_dir().join(format!("inloop-plugins-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let bogus = dir.join(format!(
            "{}inloop_plugin_bogus{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        ));
        std::fs::write(&bogus, "this is not a shared library").unwrap();
        std::fs::write(dir.join("README.txt"), "ignored").unwrap();
        let err = Registry::load_dir(&dir).unwrap_err();
        assert!(matches!(err, PluginError::NotALibrary { .. }), "{err}");
        assert!(err.to_string().contains("libinloop_plugin_bogus"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn libraries_without_the_entry_point_are_refused() {
        let libm = [
            "/lib/x86_64-linux-gnu/libm.so.6",
            "/usr/lib/x86_64-linux-gnu/libm.so.6",
            "/lib64/libm.so.6",
        ]
        .into_iter()
        .map(Path::new)
        .find(|path| path.exists())
        .expect("the C math library exists on Linux");
        let err = Plugin::load(libm).unwrap_err();
        assert!(matches!(err, PluginError::MissingSymbol { .. }), "{err}");
        assert!(err.to_string().contains("libm.so.6"), "{err}");
    }

    #[test]
    fn an_empty_registry_names_what_is_missing() {
        let err = Registry::default().get("java").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no grading plugin named 'java' is installed (installed: none)"
        );
    }
}
