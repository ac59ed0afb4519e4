//! `Rocket.toml` as a Figment provider, read with the crate's own bounded, non-blocking
//! reader ([`crate::files`]) instead of Figment's `Toml::file` (a plain read that blocks on
//! a FIFO and has no size limit). The provider keeps Figment's name for it, `TOML file`,
//! and the path, so every value still says `[default.cors] in /path/Rocket.toml`.

use std::path::{Path, PathBuf};

use figment::providers::{Format, Toml};
use figment::value::{Dict, Map};
use figment::{Metadata, Profile, Provider};

use crate::error::ConfigError;
use crate::files::{self, FileError};

/// The name Figment gives its own TOML file provider.
pub(super) const TOML_FILE: &str = "TOML file";

/// A `Rocket.toml` already read: its text, and where it was found (`None`: nowhere).
pub(crate) struct TomlFile {
    pub(super) path: Option<PathBuf>,
    pub(super) text: String,
}

impl TomlFile {
    /// Reads `config_file` (a relative path is looked for in the working directory and
    /// its ancestors, as Figment and Rocket do). A missing file reads as an empty one,
    /// as in Figment; any other failure is an error naming the file.
    pub(crate) fn read(config_file: &Path) -> Result<TomlFile, ConfigError> {
        let Some(path) = find(config_file) else {
            return Ok(TomlFile { path: None, text: String::new() });
        };
        match files::read_text(&path) {
            Ok(text) => Ok(TomlFile { path: Some(path), text }),
            Err(err) if err.is_not_found() => Ok(TomlFile { path: None, text: String::new() }),
            Err(err) => Err(file_error(&path, &err)),
        }
    }

    /// The file's profiles as parsed (nested), for the checks of the table's shape; empty
    /// when the text is not TOML (the load reports that).
    pub(crate) fn profiles(&self) -> Map<Profile, Dict> {
        self.data().unwrap_or_default()
    }
}

impl Provider for TomlFile {
    fn metadata(&self) -> Metadata {
        match &self.path {
            Some(path) => Metadata::from(TOML_FILE, path.as_path()),
            None => Metadata::named(TOML_FILE),
        }
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Toml::string(&self.text).nested().data()
    }
}

/// The text of the `env_file` at `path`, or an error naming it.
pub(super) fn env_file_text(path: &Path) -> Result<String, ConfigError> {
    files::read_text(path).map_err(|err| file_error(path, &err))
}

pub(super) fn file_error(path: &Path, err: &FileError) -> ConfigError {
    ConfigError::file(path, err.to_string()).hint(err.hint())
}

/// Where Figment's `Toml::file` would look: an absolute path as it is; a relative one in
/// the working directory, then in each of its ancestors. Unlike Figment, anything that
/// exists there counts (a FIFO, a directory), so that it is refused by name rather than
/// skipped for a file further up.
fn find(path: &Path) -> Option<PathBuf> {
    let exists = |p: &Path| p.symlink_metadata().is_ok();
    if path.is_absolute() {
        return exists(path).then(|| path.to_path_buf());
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().map(|dir| dir.join(path)).find(|candidate| exists(candidate))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A link to nothing is a missing file, as Figment reads it (a ConfigMap caught between
    /// its links); at a reload, `shape` then refuses it as a file that vanished.
    #[test]
    fn a_dangling_symlink_reads_as_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("Rocket.toml");
        std::os::unix::fs::symlink(dir.path().join("..data/Rocket.toml"), &link).unwrap();
        let toml = TomlFile::read(&link).expect("no error: the file is missing");
        assert_eq!((toml.path, toml.text.as_str()), (None, ""));
    }
}
