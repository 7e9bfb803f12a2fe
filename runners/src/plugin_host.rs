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
