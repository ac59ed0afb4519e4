//! Reading a config file (`Rocket.toml`, the `env_file`) so that nothing read from outside
//! can block the reloader, exhaust memory or keep the server from shutting down.
//!
//! - Only regular files are read, after following symlinks. The file is opened with
//!   `O_NONBLOCK` (opening a FIFO without a writer, or a device, returns at once) and the
//!   *opened* descriptor is checked with `fstat`: a FIFO, a directory, a socket or a device
//!   swapped in between a check and the open is refused all the same.
//! - At most [`MAX_CONFIG_FILE_LEN`] bytes are read; a longer file is refused whole (its length is
//!   checked before reading, and the read itself stops one byte past the cap, so a file that
//!   grows while being read is refused too).
//! - The text must be UTF-8; the error names the line, the column and the byte offset.
//!
//! Every error is the real one: a directory, a symlink loop or a parent without permission
//! are reported as such, never as "the file is missing".
//!
//! This module imports nothing of the crate: the live state fingerprints files with it, and
//! the sources read them with it.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest config file read: 1 MiB. A CORS table is a few hundred bytes; a file a
/// thousand times that is a mistake (a log, a dump written to the wrong path), refused
/// with its size before any of it is read.
pub(crate) const MAX_CONFIG_FILE_LEN: u64 = 1024 * 1024;

/// Why a file was not read. Its `Display` completes the sentence "the file `<path>` ...".
#[derive(Debug)]
pub(crate) enum FileError {
    /// Opening or reading failed: the operating system's own error.
    Io(io::Error),
    /// It exists but is not a regular file once symlinks are followed.
    NotRegular(&'static str),
    /// Longer than [`MAX_CONFIG_FILE_LEN`] (`len` is what `fstat` said, or what was read).
    TooLarge { len: u64 },
    /// Not UTF-8 at this place (`line` and `column` count from 1, `offset` from 0).
    NotUtf8 { line: usize, column: usize, offset: usize },
}

impl FileError {
    /// The file does not exist (or a component of its path does not).
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, FileError::Io(err) if err.kind() == io::ErrorKind::NotFound)
    }

    /// How to fix it.
    pub(crate) fn hint(&self) -> &'static str {
        match self {
            FileError::Io(_) => {
                "make the path a readable regular file; until then the last good policy stays"
            }
            FileError::NotRegular(_) => {
                "only regular files are read (symlinks are followed); put a regular file at \
                 the path; until then the last good policy stays"
            }
            FileError::TooLarge { .. } => {
                "a config file is read only up to that cap: is it the right file? Until it \
                 is smaller the last good policy stays"
            }
            FileError::NotUtf8 { .. } => {
                "save the file as UTF-8; until then the last good policy stays"
            }
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io(err) => write!(f, "cannot be read: {err}"),
            FileError::NotRegular(kind) => {
                write!(f, "is {kind}, not a regular file, and is not read")
            }
            FileError::TooLarge { len } => write!(
                f,
                "is too large: {len} bytes, over the cap of {MAX_CONFIG_FILE_LEN} bytes (1 MiB) for a \
                 config file"
            ),
            FileError::NotUtf8 { line, column, offset } => {
                write!(f, "is not valid UTF-8: line {line}, column {column} (byte offset {offset})")
            }
        }
    }
}

/// The whole content of the regular file at `path`, at most [`MAX_CONFIG_FILE_LEN`] bytes.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, FileError> {
    let file = open(path).map_err(FileError::Io)?;
    let metadata = file.metadata().map_err(FileError::Io)?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular(kind_of(&metadata.file_type())));
    }
    if metadata.len() > MAX_CONFIG_FILE_LEN {
        return Err(FileError::TooLarge { len: metadata.len() });
    }
    let mut content = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_CONFIG_FILE_LEN + 1).read_to_end(&mut content).map_err(FileError::Io)?;
    if content.len() as u64 > MAX_CONFIG_FILE_LEN {
        return Err(FileError::TooLarge { len: content.len() as u64 });
    }
    Ok(content)
}

/// The text of the regular file at `path`, as [`read_bytes`], checked to be UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, FileError> {
    let content = read_bytes(path)?;
    String::from_utf8(content).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let before = &err.as_bytes()[..offset];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
        // Characters, not bytes, before the bad one on its line: the prefix is valid UTF-8.
        let column = 1 + String::from_utf8_lossy(&before[line_start..]).chars().count();
        FileError::NotUtf8 { line, column, offset }
    })
}

/// Opens for reading without waiting: `O_NONBLOCK` makes opening a FIFO that has no writer
/// (or a device that would wait for a carrier) return at once, so that `fstat` can refuse it.
#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(&path, "[default.cors]\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "[default.cors]\n");
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_text(&link).unwrap(), "[default.cors]\n", "symlinks are followed");
    }

    #[test]
    fn a_fifo_a_directory_and_a_device_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let err = read_bytes(&fifo).unwrap_err();
        assert!(matches!(err, FileError::NotRegular("a FIFO (named pipe)")), "{err:?}");
        assert_eq!(err.to_string(), "is a FIFO (named pipe), not a regular file, and is not read");
        let err = read_bytes(dir.path()).unwrap_err();
        assert!(matches!(err, FileError::NotRegular("a directory")), "{err:?}");
        let err = read_bytes(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(err, FileError::NotRegular("a character device")), "{err:?}");
    }

    #[test]
    fn over_the_cap_is_refused_at_the_cap_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        std::fs::write(&path, vec![b'#'; MAX_CONFIG_FILE_LEN as usize]).unwrap();
        assert_eq!(read_bytes(&path).unwrap().len() as u64, MAX_CONFIG_FILE_LEN);
        std::fs::write(&path, vec![b'#'; MAX_CONFIG_FILE_LEN as usize + 1]).unwrap();
        let err = read_bytes(&path).unwrap_err();
        assert!(matches!(err, FileError::TooLarge { len } if len == MAX_CONFIG_FILE_LEN + 1));
        assert!(err.to_string().contains("1048577 bytes, over the cap of 1048576"), "{err}");
    }

    #[test]
    fn the_os_error_is_reported_for_a_symlink_loop_and_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink(&a, &b).unwrap();
        std::os::unix::fs::symlink(&b, &a).unwrap();
        let err = read_bytes(&a).unwrap_err();
        assert!(!err.is_not_found());
        assert!(err.to_string().contains("symbolic links"), "{err}");
        assert!(read_bytes(&dir.path().join("none")).unwrap_err().is_not_found());
    }

    #[test]
    fn invalid_utf8_names_line_column_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(&path, b"[default.cors]\nmax_age = \"\xc3\xa9\xff\"\n").unwrap();
        let err = read_text(&path).unwrap_err();
        assert_eq!(err.to_string(), "is not valid UTF-8: line 2, column 13 (byte offset 28)");
    }
}
