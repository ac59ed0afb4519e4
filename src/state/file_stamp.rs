//! File stamps: what the periodic check compares, and how a reload tells that a file
//! changed while it was being read.
//!
//! The periodic check ([`refreshed`]) hashes a file only when its status moved (length,
//! modification or status-change time, inode): an idle server re-reads nothing. The one
//! exception is a file hashed within [`RACY`] of its last change: an edit of the same length
//! within the file system's timestamp granularity would leave the status as it was, so such
//! a file is hashed again until it has been still for that long.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long after its last change a file's status is trusted to move with its content:
/// well above the coarsest timestamp granularity in use (1 s on ext3, 2 s on FAT).
const RACY: Duration = Duration::from_secs(3);

/// What a file looked like at one moment. Length and modification time alone miss an edit
/// of the same length within the file system's timestamp granularity; the content hash
/// catches it.
#[derive(Debug, Clone, Eq)]
pub(crate) struct FileStamp {
    pub(crate) len: u64,
    pub(crate) modified: Option<SystemTime>,
    /// Inode, device and status-change time: a file renamed over, or written and given its
    /// old modification time back.
    status: Status,
    pub(crate) hash: u64,
    /// Nothing but whitespace: the state of a file between truncate and write.
    pub(crate) blank: bool,
    /// Hashed more than [`RACY`] after its last change: while the status stays, so does
    /// the content. Not part of the comparison.
    settled: bool,
}

impl PartialEq for FileStamp {
    fn eq(&self, other: &FileStamp) -> bool {
        (self.len, self.modified, &self.status, self.hash, self.blank)
            == (other.len, other.modified, &other.status, other.hash, other.blank)
    }
}

#[cfg(unix)]
#[derive(Debug, Clone, PartialEq, Eq)]
struct Status {
    dev: u64,
    ino: u64,
    changed: (i64, i64),
}

#[cfg(not(unix))]
#[derive(Debug, Clone, PartialEq, Eq)]
struct Status;

impl Status {
    fn of(metadata: &std::fs::Metadata) -> Status {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Status {
                dev: metadata.dev(),
                ino: metadata.ino(),
                changed: (metadata.ctime(), metadata.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            Status
        }
    }

    /// When the file last changed, content or status, as far as the metadata tells.
    fn last_change(metadata: &std::fs::Metadata) -> Option<SystemTime> {
        let modified = metadata.modified().ok();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let changed = u64::try_from(metadata.ctime()).ok().map(|secs| {
                SystemTime::UNIX_EPOCH
                    + Duration::new(secs, u32::try_from(metadata.ctime_nsec()).unwrap_or(0))
            });
            modified.max(changed)
        }
        #[cfg(not(unix))]
        modified
    }
}

impl FileStamp {
    /// `None` when the file does not exist or cannot be read: also when it is not a
    /// regular file or is over the size cap, which the crate's reader refuses without
    /// blocking (a FIFO) and without reading it (a huge file).
    pub(crate) fn of(path: &Path) -> Option<FileStamp> {
        FileStamp::hashed(path, SystemTime::now())
    }

    fn hashed(path: &Path, now: SystemTime) -> Option<FileStamp> {
        #[cfg(test)]
        tests::HASHED.with(|n| n.set(n.get() + 1));
        let metadata = std::fs::metadata(path).ok()?;
        let content = crate::files::read_bytes(path).ok()?;
        let mut hasher = DefaultHasher::new();
        hasher.write(&content);
        let settled = Status::last_change(&metadata)
            .and_then(|changed| now.duration_since(changed).ok())
            .is_some_and(|still| still > RACY);
        Some(FileStamp {
            len: content.len() as u64,
            modified: metadata.modified().ok(),
            status: Status::of(&metadata),
            hash: hasher.finish(),
            blank: content.iter().all(u8::is_ascii_whitespace),
            settled,
        })
    }

    /// The stamp of `path` now, given `known`, its stamp at the last attempt:
    /// `known` itself, without reading the file, when the status has not moved and the file
    /// had settled when it was hashed.
    fn refreshed(path: &Path, known: Option<&FileStamp>, now: SystemTime) -> Option<FileStamp> {
        if let Some(known) = known.filter(|k| k.settled)
            && let Ok(metadata) = std::fs::metadata(path)
            && metadata.is_file()
            && metadata.len() == known.len
            && metadata.modified().ok() == known.modified
            && Status::of(&metadata) == known.status
        {
            return Some(known.clone());
        }
        FileStamp::hashed(path, now)
    }
}

/// Stamps of a set of files, in the order given.
pub(crate) type FileStamps = Vec<(PathBuf, Option<FileStamp>)>;

pub(crate) fn stamps<'a>(files: impl IntoIterator<Item = &'a PathBuf>) -> FileStamps {
    files.into_iter().map(|path| (path.clone(), FileStamp::of(path))).collect()
}

/// The same files as `known` ((stamps at the last attempt)), stamped now; a file
/// whose status has not moved is not read (see [`FileStamp::refreshed`]).
pub(crate) fn refreshed(known: &FileStamps) -> FileStamps {
    let now = SystemTime::now();
    known
        .iter()
        .map(|(path, stamp)| (path.clone(), FileStamp::refreshed(path, stamp.as_ref(), now)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many files this thread hashed.
        pub(super) static HASHED: Cell<usize> = const { Cell::new(0) };
    }

    fn hashed() -> usize {
        HASHED.with(Cell::get)
    }

    #[test]
    fn an_unmoved_settled_file_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(&path, "allow_origin = \"https://a.example\"").unwrap();
        // Hashed as if 10 s after the last change: settled.
        let later = SystemTime::now() + Duration::from_secs(10);
        let known = FileStamp::hashed(&path, later).unwrap();
        assert!(known.settled);
        let before = hashed();
        for _ in 0..3 {
            assert_eq!(FileStamp::refreshed(&path, Some(&known), later), Some(known.clone()));
        }
        assert_eq!(hashed(), before, "an idle file is not read");

        // An edit moves the status: hashed again, and different.
        std::fs::write(&path, "allow_origin = \"https://b.example\"").unwrap();
        let edited = FileStamp::refreshed(&path, Some(&known), later).unwrap();
        assert_eq!(hashed(), before + 1);
        assert_ne!(edited, known);
        // Given its old modification time back: the status-change time still moved.
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(known.modified.unwrap())
            .unwrap();
        assert_ne!(FileStamp::refreshed(&path, Some(&known), later).unwrap(), known);
    }

    #[test]
    fn a_file_hashed_soon_after_a_change_is_hashed_again_until_it_settles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(&path, "allow_origin = \"https://a.example\"").unwrap();
        let now = SystemTime::now();
        let known = FileStamp::hashed(&path, now).unwrap();
        assert!(!known.settled);
        let before = hashed();
        assert_eq!(FileStamp::refreshed(&path, Some(&known), now), Some(known.clone()));
        assert_eq!(hashed(), before + 1, "within the racy window the content is compared");
        // A missing file, or one that became a directory: no stamp, nothing read.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(FileStamp::refreshed(&path, Some(&known), now), None);
        std::fs::create_dir(&path).unwrap();
        assert_eq!(FileStamp::refreshed(&path, Some(&known), now), None);
    }

    #[test]
    fn an_edit_of_the_same_length_and_mtime_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(&path, "allow_origin = \"https://a.example\"").unwrap();
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        let before = FileStamp::of(&path).unwrap();
        std::fs::write(&path, "allow_origin = \"https://b.example\"").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
        let after = FileStamp::of(&path).unwrap();
        assert_eq!((before.len, before.modified), (after.len, after.modified));
        assert_ne!(before, after);
    }

    #[test]
    fn a_missing_file_has_no_stamp_and_whitespace_is_blank() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        assert_eq!(FileStamp::of(&path), None);
        std::fs::write(&path, " \n\t\n").unwrap();
        assert!(FileStamp::of(&path).unwrap().blank);
        std::fs::write(&path, "# a comment keeps a file from being blank\n").unwrap();
        assert!(!FileStamp::of(&path).unwrap().blank);
    }
}
