//! File fingerprints: what the periodic check compares, and how a reload tells that a file
//! changed while it was being read.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a file looked like at one moment. Length and modification time alone miss an edit
/// of the same length within the file system's timestamp granularity; the content hash
/// catches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    pub(crate) len: u64,
    pub(crate) modified: Option<SystemTime>,
    pub(crate) hash: u64,
    /// Nothing but whitespace: the state of a file between truncate and write.
    pub(crate) blank: bool,
}

impl Fingerprint {
    /// `None` when the file does not exist or cannot be read: also when it is not a
    /// regular file or is over the size cap, which the crate's reader refuses without
    /// blocking (a FIFO) and without reading it (a huge file).
    pub(crate) fn of(path: &Path) -> Option<Fingerprint> {
        let metadata = std::fs::metadata(path).ok()?;
        let content = crate::files::read_bytes(path).ok()?;
        let mut hasher = DefaultHasher::new();
        hasher.write(&content);
        Some(Fingerprint {
            len: content.len() as u64,
            modified: metadata.modified().ok(),
            hash: hasher.finish(),
            blank: content.iter().all(u8::is_ascii_whitespace),
        })
    }
}

/// Fingerprints of a set of files, in the order given.
pub(crate) type Fingerprints = Vec<(PathBuf, Option<Fingerprint>)>;

pub(crate) fn fingerprints<'a>(files: impl IntoIterator<Item = &'a PathBuf>) -> Fingerprints {
    files.into_iter().map(|path| (path.clone(), Fingerprint::of(path))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_of_the_same_length_and_mtime_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(&path, "allow_origin = \"https://a.example\"").unwrap();
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        let before = Fingerprint::of(&path).unwrap();
        std::fs::write(&path, "allow_origin = \"https://b.example\"").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
        let after = Fingerprint::of(&path).unwrap();
        assert_eq!((before.len, before.modified), (after.len, after.modified));
        assert_ne!(before, after);
    }

    #[test]
    fn a_missing_file_has_no_fingerprint_and_whitespace_is_blank() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        assert_eq!(Fingerprint::of(&path), None);
        std::fs::write(&path, " \n\t\n").unwrap();
        assert!(Fingerprint::of(&path).unwrap().blank);
        std::fs::write(&path, "# a comment keeps a file from being blank\n").unwrap();
        assert!(!Fingerprint::of(&path).unwrap().blank);
    }
}
