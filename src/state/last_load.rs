//! What the load of the policy in force read: files and their fingerprints, where every
//! value came from, the load's warnings, and the keys environment variables mask.

use std::path::PathBuf;

use super::file_stamp::{FileStamp, FileStamps};
use crate::error::{ConfigWarning, Provenance};
use crate::settings::Key;

#[derive(Debug, Default)]
pub(crate) struct LastLoad {
    pub(crate) files: Vec<PathBuf>,
    /// Where each key of the current policy came from, for the banner and status pages.
    pub(crate) provenance: Vec<(Key, Provenance)>,
    /// The warnings of the load, each with its source: the policy's own and the load's
    /// (unknown keys, a misplaced table).
    pub(crate) warnings: Vec<ConfigWarning>,
    /// FileStamps of the files, taken before the last attempt read them.
    pub(crate) stamps: FileStamps,
    /// Files that had content at the last good load: missing or empty now is an error.
    pub(crate) required: Vec<PathBuf>,
    /// Keys set by environment variables, with what the files say about them.
    pub(crate) masked: Vec<MaskedKey>,
    /// Where each key of each named policy came from, in name order.
    pub(crate) named: Vec<NamedProvenance>,
}

/// Where each key of one named policy came from: its own table, or the base it inherits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NamedProvenance {
    pub(crate) name: String,
    /// Every key, in the order of [`Key::ALL`], with its source.
    pub(crate) keys: Vec<(Key, Provenance)>,
    /// The keys the named policy sets itself; the others are the base's.
    pub(crate) own: Vec<Key>,
}

/// A key an environment variable sets, with what the files alone say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MaskedKey {
    pub(crate) key: String,
    pub(crate) var: String,
    /// The value in the files, as written; `None` when no file sets it.
    pub(crate) file_value: Option<String>,
    pub(crate) file_source: Provenance,
}

impl LastLoad {
    /// A good load of `files`; `known` are stamps taken before it read them (the
    /// files missing from `known` are stamped now).
    pub(crate) fn new(
        files: Vec<PathBuf>,
        known: &FileStamps,
        provenance: Vec<(Key, Provenance)>,
        warnings: Vec<ConfigWarning>,
        masked: Vec<MaskedKey>,
    ) -> LastLoad {
        let stamps: FileStamps = files
            .iter()
            .map(|path| match known.iter().find(|(p, _)| p == path) {
                Some(entry) => entry.clone(),
                None => (path.clone(), FileStamp::of(path)),
            })
            .collect();
        let required = stamps
            .iter()
            .filter(|(_, f)| f.as_ref().is_some_and(|f| !f.blank))
            .map(|(path, _)| path.clone())
            .collect();
        LastLoad { files, provenance, warnings, stamps, required, masked, named: Vec::new() }
    }

    /// The same, with where each named policy's values came from.
    pub(crate) fn with_named(mut self, named: Vec<NamedProvenance>) -> LastLoad {
        self.named = named;
        self
    }

    /// The files to stamp: those read last time, and those that must not vanish.
    pub(crate) fn checked_files(&self) -> Vec<PathBuf> {
        let mut files = self.files.clone();
        files.extend(self.required.iter().cloned());
        files.sort();
        files.dedup();
        files
    }
}
