//! The file watcher: directories, not files, because editors save by rename, Kubernetes
//! swaps a `..data` symlink and some tools delete and re-create. Any event there except a
//! plain access wakes the reloader, which settles and then decides whether anything changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::Notify;

/// A notify watcher on the directories of the policy's files.
pub(crate) struct DirWatcher {
    watcher: RecommendedWatcher,
    watched: BTreeSet<PathBuf>,
}

impl DirWatcher {
    /// Starts the watcher thread; every relevant event wakes `wake`.
    pub(crate) fn start(wake: Arc<Notify>) -> notify::Result<DirWatcher> {
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            if may_change_content(&event) {
                wake.notify_one();
            }
        })?;
        Ok(DirWatcher { watcher, watched: BTreeSet::new() })
    }

    /// Watches exactly the directories of `files`, adding and dropping watches as needed.
    pub(crate) fn watch_dirs_of(&mut self, files: &[PathBuf]) {
        let wanted: BTreeSet<PathBuf> = files.iter().flat_map(|f| dirs_of(f)).collect();
        for gone in self.watched.difference(&wanted) {
            // A directory that vanished took its watch with it; nothing to undo then.
            let _ = self.watcher.unwatch(gone);
        }
        let mut watched = BTreeSet::new();
        for dir in wanted {
            if self.watched.contains(&dir) {
                watched.insert(dir);
                continue;
            }
            match self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    log::debug!("CORS reload: watching {}", dir.display());
                    watched.insert(dir);
                }
                Err(err) => log::warn!(
                    "CORS reload: cannot watch {} ({err}); the periodic check still covers it",
                    dir.display()
                ),
            }
        }
        self.watched = watched;
    }
}

/// Reads (open, close without writing) are the reloader's own and never a change; a
/// close after writing is the most precise "done saving" signal there is.
fn may_change_content(event: &notify::Result<Event>) -> bool {
    match event {
        Ok(event) => match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        },
        // A lost event (queue overflow) may have been the one that mattered.
        Err(err) => {
            log::debug!("CORS reload: watcher error: {err}");
            true
        }
    }
}

/// The directory of `file`, and that of its symlink target when it has one.
fn dirs_of(file: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::with_capacity(2);
    if let Some(parent) = file.parent().filter(|p| p.is_dir()) {
        dirs.push(parent.to_path_buf());
    }
    if let Some(target_dir) =
        std::fs::canonicalize(file).ok().and_then(|t| t.parent().map(Path::to_path_buf))
        && !dirs.contains(&target_dir)
    {
        dirs.push(target_dir);
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind, RemoveKind, RenameMode};

    fn event(kind: EventKind) -> notify::Result<Event> {
        Ok(Event::new(kind))
    }

    #[test]
    fn reads_are_ignored_and_writes_renames_removals_count() {
        assert!(!may_change_content(&event(EventKind::Access(AccessKind::Open(AccessMode::Any)))));
        assert!(!may_change_content(&event(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        )))));
        assert!(may_change_content(&event(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        )))));
        assert!(may_change_content(&event(EventKind::Create(CreateKind::File))));
        assert!(may_change_content(&event(EventKind::Modify(ModifyKind::Name(RenameMode::To)))));
        assert!(may_change_content(&event(EventKind::Remove(RemoveKind::File))));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_watched_in_both_directories() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("..2024_01_01");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("Rocket.toml"), "").unwrap();
        std::os::unix::fs::symlink(&data, root.path().join("..data")).unwrap();
        let link = root.path().join("Rocket.toml");
        std::os::unix::fs::symlink("..data/Rocket.toml", &link).unwrap();
        let dirs = dirs_of(&link);
        assert_eq!(dirs, [root.path().to_path_buf(), std::fs::canonicalize(&data).unwrap()]);
    }
}
