//! A task's `meta.json`: the one reading of it, shared by the web server (which shows and
//! schedules tasks) and the runner hosts (which grade them), so the two never disagree about a
//! task's runner or limits.

use serde_json::{Map, Value};

use crate::limits::TaskLimits;

/// The name of the file, in each task's folder.
pub const FILE_NAME: &str = "meta.json";
/// The runner of tasks that name none, in a repository with a root `Dockerfile` (INLOOP's own
/// format, where that image is the test environment).
pub const CLASSIC_RUNNER: &str = "classic";

/// The files a solution of a task that names none consists of, by runner: what each plugin
/// declares as its `file_patterns` (a test in `tests/e2e/grading.rs` holds the two together,
/// since the web server does not load plugins to ask them).
pub fn default_file_patterns(runner: &str) -> Vec<String> {
    match runner {
        "python" => vec!["*.py".to_owned()],
        "java" | CLASSIC_RUNNER => vec!["*.java".to_owned()],
        _ => Vec::new(),
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MetaError {
    #[error("malformed meta.json ({0})")]
    Malformed(String),
    #[error("malformed meta.json (not a JSON object)")]
    NotAnObject,
    #[error("meta.json contains a NUL character (\\u0000), which cannot be stored")]
    Nul,
    #[error("'{0}' in meta.json must be a string")]
    NotAString(String),
    #[error(
        "meta.json names no \"runner\" and the repository has no Dockerfile for the classic runner"
    )]
    NoRunner,
    #[error("'limits' must be an object")]
    LimitsNotAnObject,
    #[error("bad limits: {0}")]
    BadLimits(String),
    #[error("'files' must be a list of file names or patterns")]
    BadFiles,
    #[error("'disabled' in meta.json must be true or false")]
    BadDisabled,
    #[error("'max_submissions' must be a whole number, -1 for unlimited")]
    BadMaxSubmissions,
}

/// A parsed `meta.json`: a JSON object without NUL characters. Every field is optional here;
/// which ones a task needs is the web server's business.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    fields: Map<String, Value>,
}

impl Meta {
    pub fn parse(text: &str) -> Result<Meta, MetaError> {
        let value: Value =
            serde_json::from_str(text).map_err(|err| MetaError::Malformed(err.to_string()))?;
        if holds_nul(&value) {
            return Err(MetaError::Nul);
        }
        match value {
            Value::Object(fields) => Ok(Meta { fields }),
            _ => Err(MetaError::NotAnObject),
        }
    }

    /// The whole object, as plugins receive it.
    pub fn into_value(self) -> Value {
        Value::Object(self.fields)
    }

    /// A text field, trimmed; `null` counts as absent.
    pub fn text(&self, key: &str) -> Result<Option<String>, MetaError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.trim().to_owned())),
            Some(_) => Err(MetaError::NotAString(key.to_owned())),
        }
    }

    /// The plugin that grades the task: the one named, else [`CLASSIC_RUNNER`] when the
    /// repository has a root `Dockerfile`.
    pub fn runner(&self, repository_has_dockerfile: bool) -> Result<String, MetaError> {
        match self.text("runner")? {
            Some(runner) => Ok(runner),
            None if repository_has_dockerfile => Ok(CLASSIC_RUNNER.to_owned()),
            None => Err(MetaError::NoRunner),
        }
    }

    /// The limits the task asks for (all absent when it names none).
    pub fn limits(&self) -> Result<TaskLimits, MetaError> {
        Ok(self.limits_value()?.map(|(limits, _)| limits).unwrap_or_default())
    }

    /// The `limits` object as written (for storing beside the task), checked.
    pub fn limits_json(&self) -> Result<Option<Value>, MetaError> {
        Ok(self.limits_value()?.map(|(_, value)| value))
    }

    fn limits_value(&self) -> Result<Option<(TaskLimits, Value)>, MetaError> {
        match self.fields.get("limits") {
            None | Some(Value::Null) => Ok(None),
            Some(value @ Value::Object(_)) => {
                let limits = serde_json::from_value::<TaskLimits>(value.clone())
                    .map_err(|err| MetaError::BadLimits(err.to_string()))?;
                Ok(Some((limits, value.clone())))
            }
            Some(_) => Err(MetaError::LimitsNotAnObject),
        }
    }

    /// The file names or glob patterns a solution consists of; empty for the plugin's default.
    pub fn file_patterns(&self) -> Result<Vec<String>, MetaError> {
        match self.fields.get("files") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or(MetaError::BadFiles))
                .collect(),
            Some(_) => Err(MetaError::BadFiles),
        }
    }

    /// Whether the task is switched off. INLOOP's repositories wrote this in several ways, all
    /// of which are read: a boolean, a number, or any non-empty text.
    pub fn disabled(&self) -> Result<bool, MetaError> {
        match self.fields.get("disabled") {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(Value::Number(number)) => Ok(number.as_f64().is_some_and(|n| n != 0.0)),
            Some(Value::String(text)) => Ok(!text.is_empty()),
            Some(_) => Err(MetaError::BadDisabled),
        }
    }

    /// How many solutions a student may submit; `None` for the site's default, -1 for unlimited.
    pub fn max_submissions(&self) -> Result<Option<i32>, MetaError> {
        match self.fields.get("max_submissions") {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_i64()
                .filter(|n| *n >= -1 && *n <= i64::from(i32::MAX))
                .map(|n| Some(n as i32))
                .ok_or(MetaError::BadMaxSubmissions),
        }
    }
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => {
            fields.iter().any(|(key, value)| key.contains('\0') || holds_nul(value))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_is_named_or_classic_beside_a_dockerfile() {
        let named = Meta::parse(r#"{"runner": " python "}"#).expect("parses");
        assert_eq!(named.runner(false), Ok("python".to_owned()));
        let unnamed = Meta::parse("{}").expect("parses");
        assert_eq!(unnamed.runner(true), Ok(CLASSIC_RUNNER.to_owned()));
        assert_eq!(unnamed.runner(false), Err(MetaError::NoRunner));
        let wrong = Meta::parse(r#"{"runner": 3}"#).expect("parses");
        assert_eq!(wrong.runner(true), Err(MetaError::NotAString("runner".to_owned())));
    }

    #[test]
    fn broken_files_say_what_is_wrong() {
        assert!(matches!(Meta::parse("{nope"), Err(MetaError::Malformed(_))));
        assert_eq!(Meta::parse("[]"), Err(MetaError::NotAnObject));
        assert_eq!(Meta::parse(r#"{"title": "a\u0000"}"#), Err(MetaError::Nul));
        assert_eq!(Meta::parse(r#"{"x\u0000": 1}"#), Err(MetaError::Nul));
        let meta = Meta::parse(
            r#"{"limits": {"memory": 5}, "files": [1], "disabled": [], "max_submissions": -2}"#,
        )
        .expect("parses");
        assert!(meta.limits().unwrap_err().to_string().contains("unknown field `memory`"));
        assert_eq!(meta.file_patterns(), Err(MetaError::BadFiles));
        assert_eq!(meta.disabled(), Err(MetaError::BadDisabled));
        assert_eq!(meta.max_submissions(), Err(MetaError::BadMaxSubmissions));
        let not_object = Meta::parse(r#"{"limits": 5}"#).expect("parses");
        assert_eq!(not_object.limits(), Err(MetaError::LimitsNotAnObject));
    }

    #[test]
    fn inloops_ways_of_writing_disabled_are_read() {
        let disabled = |text: &str| Meta::parse(text).expect("parses").disabled();
        assert_eq!(disabled(r#"{"disabled": true}"#), Ok(true));
        assert_eq!(disabled(r#"{"disabled": 0}"#), Ok(false));
        assert_eq!(disabled(r#"{"disabled": 1}"#), Ok(true));
        assert_eq!(disabled(r#"{"disabled": "yes"}"#), Ok(true));
        assert_eq!(disabled(r#"{"disabled": ""}"#), Ok(false));
        assert_eq!(disabled("{}"), Ok(false));
    }

    #[test]
    fn limits_are_kept_as_written_and_read_as_typed() {
        let meta = Meta::parse(r#"{"limits": {"timeout_s": 5}}"#).expect("parses");
        assert_eq!(meta.limits().expect("limits").timeout_s, Some(5));
        assert_eq!(meta.limits_json().expect("limits"), Some(serde_json::json!({"timeout_s": 5})));
        assert_eq!(Meta::parse("{}").expect("parses").limits(), Ok(TaskLimits::default()));
    }
}
