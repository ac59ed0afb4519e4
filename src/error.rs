//! Configuration errors that point at what is wrong (a key, the `cors` table, a whole file),
//! the value, where it came from and how to fix it.
//!
//! The bottom of the crate: it imports none of the crate's other modules, so every other
//! module can report through it without a cycle.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Text that came from outside (a file's content, a path, an environment variable, an
/// `Origin`), ready for a log line: every control character escaped as Rust writes it
/// (`\0`, `\t`, `\u{1b}`), so that a NUL or a terminal escape from a file never reaches
/// the log raw, and a value cannot forge a line of its own. Every message the crate logs
/// about its configuration is rendered through here (the errors' and warnings' `Display`,
/// [`Provenance`]'s, the banner's).
pub(crate) struct Escaped<'a> {
    text: &'a str,
    /// Keep `\n`: the multi-line messages of a parser (the TOML error's excerpt).
    keep_newlines: bool,
}

/// `text` with every control character escaped.
pub(crate) fn escaped(text: &str) -> Escaped<'_> {
    Escaped { text, keep_newlines: false }
}

/// `text` with every control character but the newline escaped: for reasons and hints,
/// which may quote a file over several lines.
pub(crate) fn escaped_lines(text: &str) -> Escaped<'_> {
    Escaped { text, keep_newlines: true }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.text;
        let needs_escape = |c: char| c.is_control() && !(self.keep_newlines && c == '\n');
        while let Some(at) = rest.find(needs_escape) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().expect("found at a char boundary");
            write!(f, "{}", c.escape_debug())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// A value as the operator wrote it, in quotes: control characters escaped, but not the
/// backslashes of a regex (`"https://a\.example"`, not `"https://a\\.example"`).
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", escaped(self.0))
    }
}

/// A path, lossily as text, escaped.
fn path_text(path: &Path) -> String {
    escaped(&path.to_string_lossy()).to_string()
}

/// Where a setting's value came from.
///
/// Filled in from Figment's metadata when the settings are read from Rocket's
/// configuration; [`crate::policy::Policies::compile`] itself knows nothing of sources and leaves it
/// [`Provenance::Code`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Provenance {
    /// Given in code: a [`crate::Settings`] value, or a value merged into a Figment in code.
    #[default]
    Code,
    /// The crate's built-in default.
    Default,
    /// A TOML file, in the `cors` table of the named profile.
    File {
        /// The file as Figment resolved it.
        path: PathBuf,
        /// The profile section, e.g. `default`, `debug`, `global`.
        profile: String,
    },
    /// An environment variable of the process.
    Env {
        /// The variable's name, e.g. `CORS_ALLOW_ORIGIN`.
        var: String,
    },
    /// A `KEY=VALUE` line of the `env_file`.
    EnvFile {
        /// The env file.
        path: PathBuf,
        /// The variable's name in that file.
        var: String,
    },
    /// Some other provider of Rocket's Figment, by the name it gives itself.
    Provider(String),
    /// A named policy's key the policy leaves unset: the base's value, from where the
    /// base's came.
    Inherited(Box<Provenance>),
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Code => f.write_str("given in code"),
            Provenance::Default => f.write_str("built-in default"),
            Provenance::File { path, profile } => {
                write!(f, "[{}.cors] in {}", escaped(profile), path_text(path))
            }
            Provenance::Env { var } => write!(f, "environment variable {}", escaped(var)),
            Provenance::EnvFile { path, var } => {
                write!(f, "{} in env file {}", escaped(var), path_text(path))
            }
            Provenance::Provider(name) => write!(f, "Rocket's Figment: {}", escaped(name)),
            Provenance::Inherited(base) => write!(f, "inherited from {base}"),
        }
    }
}

/// A source as a message about a key names it: a named policy's own value from a file is
/// in the policy's table (`[default.cors.policies.partner] in ...`), not the base's.
pub(crate) struct Located<'a> {
    pub(crate) provenance: &'a Provenance,
    /// The named policy the key belongs to, if any.
    pub(crate) policy: Option<&'a str>,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.provenance, self.policy) {
            (Provenance::File { path, profile }, Some(name)) => write!(
                f,
                "[{}.cors.policies.{}] in {}",
                escaped(profile),
                escaped(name),
                path_text(path)
            ),
            (provenance, _) => provenance.fmt(f),
        }
    }
}

/// The named policy of a key as errors name it (`policies.partner.allow_origin`).
fn policy_of(key: &str) -> Option<&str> {
    key.strip_prefix("policies.")?.split_once('.').map(|(name, _)| name)
}

/// What an error or a warning is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Subject {
    /// One key of the `cors` table, e.g. `allow_origin` (or an unknown key, for a warning).
    Key(String),
    /// The `cors` table as a whole, not one key of it.
    Table,
    /// A whole file: one that is not valid TOML, cannot be read, or became empty.
    File(PathBuf),
}

impl Subject {
    /// The key, when the subject is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Subject::Key(key) => Some(key),
            Subject::Table | Subject::File(_) => None,
        }
    }
}

/// An invalid CORS setting: what it is about, which value, where it came from, what is
/// wrong and how to fix it.
///
/// The field that says where the value came from is named `provenance`, so that it is never
/// mistaken for [`std::error::Error::source`] (the error's cause, which this error has none
/// of).
///
/// ```
/// use cors_fairing::{Settings, Provenance};
/// use cors_fairing::policy::Policies;
///
/// let settings = Settings::default().allow_origin(["https://app.example.com/"]);
/// let errors = Policies::compile(&settings).unwrap_err();
/// let err = errors.first();
/// assert_eq!(err.key(), Some("allow_origin"));
/// assert_eq!(err.value, "https://app.example.com/");
/// assert_eq!(err.provenance, Provenance::Code);
/// assert!(err.hint.as_deref().unwrap().contains("https://app.example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConfigError {
    /// What the error is about: a key, the `cors` table, or a whole file.
    pub subject: Subject,
    /// The offending value (one element of a list), as written; empty for a whole file.
    pub value: String,
    /// Where the value came from.
    pub provenance: Provenance,
    /// What is wrong with it. For a whole file, it completes the sentence "the file
    /// `<path>` ...".
    pub reason: String,
    /// How to fix it, when there is an obvious fix.
    pub hint: Option<String>,
}

impl ConfigError {
    pub(crate) fn new(
        subject: impl Into<Subject>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError {
            subject: subject.into(),
            value: value.into(),
            provenance: Provenance::Code,
            reason: reason.into(),
            hint: None,
        }
    }

    /// A problem of the whole file at `path`; `reason` completes "the file `<path>` ...".
    pub(crate) fn file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ConfigError::new(Subject::File(path.into()), "", reason)
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn from(mut self, provenance: Provenance) -> Self {
        self.provenance = provenance;
        self
    }

    /// The key this error is about, if it is about one.
    pub fn key(&self) -> Option<&str> {
        self.subject.key()
    }

    /// The environment variable that sets the key: `allow_origin` -> `CORS_ALLOW_ORIGIN`.
    pub fn env_name(&self) -> Option<String> {
        self.key().map(|key| format!("CORS_{}", key.to_ascii_uppercase().replace('.', "__")))
    }
}

impl From<String> for Subject {
    fn from(key: String) -> Self {
        Subject::Key(key)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = escaped_lines(&self.reason);
        match &self.subject {
            Subject::Key(key) => write!(
                f,
                "invalid CORS setting `{}` = {} (from {}): {reason}",
                Named(key),
                Quoted(&self.value),
                Located { provenance: &self.provenance, policy: policy_of(key) }
            )?,
            Subject::Table => write!(f, "invalid CORS configuration: {reason}")?,
            Subject::File(path) => write!(f, "the file {} {reason}", path_text(path))?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {}", escaped_lines(hint))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A key as a message names it: a named policy's with the table it lives in
/// (`cors.policies.partner.allow_origin`), so that it can be found in `Rocket.toml`.
struct Named<'a>(&'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.starts_with("policies.") {
            f.write_str("cors.")?;
        }
        write!(f, "{}", escaped(self.0))
    }
}

/// Every problem of one configuration: never empty, in the order they were found.
///
/// A launch or a reload reports all of them at once, so one edit can fix them all.
///
/// ```
/// use cors_fairing::Settings;
/// use cors_fairing::policy::Policies;
///
/// let settings = Settings::default()
///     .allow_origin(["app.example.com"])
///     .allow_methods(["get"])
///     .preflight_status(500);
/// let errors = Policies::compile(&settings).unwrap_err();
/// let keys: Vec<_> = errors.iter().filter_map(|err| err.key()).collect();
/// assert_eq!(keys, ["allow_origin", "allow_methods", "preflight_status"]);
/// assert_eq!(errors.to_string().lines().count(), 4); // a heading and one line each
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    first: Box<ConfigError>,
    rest: Vec<ConfigError>,
    /// What the same load found that only deserves attention: one mistake never hides
    /// another.
    warnings: Vec<ConfigWarning>,
}

impl ConfigErrors {
    /// `None` when `errors` is empty.
    pub(crate) fn from_vec(errors: Vec<ConfigError>) -> Option<Self> {
        let mut errors = errors.into_iter();
        let first = Box::new(errors.next()?);
        Some(ConfigErrors { first, rest: errors.collect(), warnings: Vec::new() })
    }

    /// The same errors, with the warnings the same load found.
    pub(crate) fn with_warnings(mut self, warnings: Vec<ConfigWarning>) -> Self {
        self.warnings = warnings;
        self
    }

    /// The warnings the load that found these errors found as well (the configuration
    /// would deserve attention for them once the errors are fixed).
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    pub(crate) fn warnings_mut(&mut self) -> &mut Vec<ConfigWarning> {
        &mut self.warnings
    }

    /// The first problem found.
    pub fn first(&self) -> &ConfigError {
        &self.first
    }

    /// Every problem, the first one first.
    pub fn iter(&self) -> impl Iterator<Item = &ConfigError> {
        std::iter::once(&*self.first).chain(&self.rest)
    }

    /// How many problems (at least one).
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut ConfigError> {
        std::iter::once(&mut *self.first).chain(&mut self.rest)
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(err: ConfigError) -> Self {
        ConfigErrors { first: Box::new(err), rest: Vec::new(), warnings: Vec::new() }
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::iter::Chain<std::iter::Once<ConfigError>, std::vec::IntoIter<ConfigError>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(*self.first).chain(self.rest)
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = Box<dyn Iterator<Item = &'a ConfigError> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rest.is_empty() {
            return self.first.fmt(f);
        }
        write!(f, "{} problems in the CORS configuration:", self.len())?;
        for err in self {
            write!(f, "\n  - {err}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// A configuration that loads but deserves the operator's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConfigWarning {
    /// What the warning is about: a key (perhaps an unknown one), the table, a file.
    pub subject: Subject,
    /// The value in question.
    pub value: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// Why it deserves attention. For a whole file, it completes "the file `<path>` ...".
    pub message: String,
}

impl ConfigWarning {
    pub(crate) fn new(
        subject: impl Into<Subject>,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigWarning {
            subject: subject.into(),
            value: value.into(),
            provenance: Provenance::Code,
            message: message.into(),
        }
    }

    pub(crate) fn from(mut self, provenance: Provenance) -> Self {
        self.provenance = provenance;
        self
    }

    /// The key this warning is about, if it is about one.
    pub fn key(&self) -> Option<&str> {
        self.subject.key()
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = escaped_lines(&self.message);
        match &self.subject {
            Subject::Key(key) => write!(
                f,
                "CORS setting `{}` = {} (from {}): {message}",
                Named(key),
                Quoted(&self.value),
                Located { provenance: &self.provenance, policy: policy_of(key) }
            ),
            Subject::Table => write!(f, "CORS configuration: {message}"),
            Subject::File(path) => write!(f, "the file {} {message}", path_text(path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_newlines_kept_only_in_messages() {
        let text = "a\0b\u{1b}[31mc\td\ne";
        assert_eq!(escaped(text).to_string(), "a\\0b\\u{1b}[31mc\\td\\ne");
        assert_eq!(escaped_lines(text).to_string(), "a\\0b\\u{1b}[31mc\\td\ne");
        assert_eq!(escaped("https://é.example").to_string(), "https://é.example");
    }

    /// A named policy's own value from a file is in the policy's table, not the base's.
    #[test]
    fn a_policys_key_from_a_file_names_the_policys_table() {
        let file = Provenance::File { path: "/srv/Rocket.toml".into(), profile: "default".into() };
        let table = "(from [default.cors.policies.partner] in /srv/Rocket.toml)";
        let key = "policies.partner.allow_origin".to_string();
        let err = ConfigError::new(key.clone(), "x", "is bad").from(file.clone());
        assert!(err.to_string().contains(table), "{err}");
        let warning = ConfigWarning::new(key, "x", "looks odd").from(file.clone());
        assert!(warning.to_string().contains(table), "{warning}");
        let base = ConfigError::new("allow_origin".to_string(), "x", "is bad").from(file);
        assert!(base.to_string().contains("(from [default.cors] in /srv/Rocket.toml)"), "{base}");
    }

    #[test]
    fn every_part_of_an_error_is_escaped() {
        let err = ConfigError::new("k\0".to_string(), "v\0", "reason \0")
            .from(Provenance::File { path: "/srv/\u{7}.toml".into(), profile: "default".into() })
            .hint("hint \0");
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        let warning = ConfigWarning::new(Subject::File("/x\0".into()), "", "\u{1b}");
        assert!(!warning.to_string().chars().any(char::is_control));
    }
}
