//! Configuration errors that point at the key, the value and where it came from.

use std::fmt;
use std::path::PathBuf;

/// Where a setting's value came from.
///
/// Filled in by [`crate::sources`] from Figment's metadata; [`crate::Policy::compile`]
/// itself knows nothing of sources and leaves it [`Source::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Source {
    /// Not known (the policy was compiled from a bare [`crate::Settings`] value).
    #[default]
    Unknown,
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
    /// Some other Figment provider, by its name.
    Provider(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Unknown => f.write_str("settings given in code"),
            Source::Default => f.write_str("built-in default"),
            Source::File { path, profile } => {
                write!(f, "[{profile}.cors] in {}", path.display())
            }
            Source::Env { var } => write!(f, "environment variable {var}"),
            Source::EnvFile { path, var } => write!(f, "{var} in env file {}", path.display()),
            Source::Provider(name) => f.write_str(name),
        }
    }
}

/// An invalid CORS setting: which key, which value, where it came from, what is wrong
/// and how to fix it.
///
/// ```
/// use cors_fairing::{Policy, Settings};
///
/// let settings = Settings {
///     allow_origin: vec!["https://app.example.com/".into()],
///     ..Settings::default()
/// };
/// let err = Policy::compile(&settings).unwrap_err();
/// assert_eq!(err.key, "allow_origin");
/// assert_eq!(err.value, "https://app.example.com/");
/// assert!(err.hint.as_deref().unwrap().contains("https://app.example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The settings key, e.g. `allow_origin`.
    pub key: String,
    /// The offending value (one element of a list), as written.
    pub value: String,
    /// Where the value came from.
    pub source: Source,
    /// What is wrong with it.
    pub reason: String,
    /// How to fix it, when there is an obvious fix.
    pub hint: Option<String>,
}

impl ConfigError {
    pub(crate) fn new(
        key: impl AsRef<str>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError {
            key: key.as_ref().to_string(),
            value: value.into(),
            source: Source::Unknown,
            reason: reason.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The environment variable that sets this key: `allow_origin` -> `CORS_ALLOW_ORIGIN`.
    pub fn env_name(&self) -> String {
        crate::settings::env_name(&self.key)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key == crate::sources::TABLE && self.value.is_empty() {
            // The source as a whole (a file that is not TOML): no one key to name.
            write!(f, "invalid CORS configuration (from {}): {}", self.source, self.reason)?;
        } else {
            write!(
                f,
                "invalid CORS setting `{}` = {:?} (from {}): {}",
                self.key, self.value, self.source, self.reason
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A configuration that loads but deserves the operator's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The settings key.
    pub key: String,
    /// The value in question.
    pub value: String,
    /// Where it came from.
    pub source: Source,
    /// Why it deserves attention.
    pub message: String,
}

impl ConfigWarning {
    pub(crate) fn new(
        key: impl AsRef<str>,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigWarning {
            key: key.as_ref().to_string(),
            value: value.into(),
            source: Source::Unknown,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CORS setting `{}` = {:?} (from {}): {}",
            self.key, self.value, self.source, self.message
        )
    }
}
