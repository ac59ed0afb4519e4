//! The file watcher: directories, not files, because editors save by rename, Kubernetes
//! swaps a `..data` symlink and some tools delete and re-create. An event that can concern
//! a config file ([`Relevant`]) wakes the reloader, which settles and then decides whether
//! anything changed; any other event (a log file beside `Rocket.toml`) is only counted.
//!
//! A watched directory can go: `rm -rf conf && mkdir conf`, or moved away. Its watch goes
//! with it (inotify watches the directory's inode), so [`DirWatcher::arm`] checks each
//! directory's identity every time it runs: a directory that is gone is replaced by a watch
//! on its nearest existing ancestor (whose events for the way back concern the config), and
//! once it is back (the same or a new one) it is watched again and the reloader reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::Notify;

use super::relevant::{Relevant, symlink_chain};

/// What the watcher thread tells the reloader.
#[derive(Default)]
pub(crate) struct Wakeups {
    /// An event that may concern a config file.
    pub(crate) relevant: Notify,
    /// Events that cannot, counted since the reloader last took the count.
    pub(crate) ignored: Notify,
    ignored_count: AtomicU64,
}

impl Wakeups {
    /// The events ignored since the last call.
    pub(crate) fn take_ignored(&self) -> u64 {
        self.ignored_count.swap(0, Ordering::Relaxed)
    }
}

/// A directory's identity: a directory removed and made again is another one.
#[cfg(unix)]
type Identity = Option<(u64, u64)>;
#[cfg(not(unix))]
type Identity = Option<()>;

fn identity(dir: &Path) -> Identity {
    let metadata = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        Some(())
    }
}

/// What the watcher thread and [`DirWatcher::arm`] share.
#[derive(Default)]
struct Shared {
    relevant: Relevant,
    /// The paths given to notify.
    watched: BTreeSet<PathBuf>,
    /// Watched paths whose directory was deleted or moved away: the watch went with it
    /// (a directory made again under the name may even get the same inode number back).
    dead: BTreeSet<PathBuf>,
}

/// A notify watcher on the directories of the policy's files.
pub(crate) struct DirWatcher {
    watcher: RecommendedWatcher,
    /// Paths given to notify, with the identity of the directory when it was watched.
    watched: BTreeMap<PathBuf, Identity>,
    /// Wanted directories that are gone, each watched through an ancestor.
    lost: BTreeSet<PathBuf>,
    shared: Arc<Mutex<Shared>>,
}

impl DirWatcher {
    /// Starts the watcher thread; it reports to `wakeups`.
    pub(crate) fn start(wakeups: Arc<Wakeups>) -> notify::Result<DirWatcher> {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let judge = shared.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            let concerns = match &event {
                // The reloader's own reads: neither a change nor worth counting.
                Ok(event) if !may_change_content(event) => return,
                Ok(event) => {
                    let mut shared = judge.lock().unwrap_or_else(PoisonError::into_inner);
                    if ends_a_watch(event) {
                        let dead: Vec<PathBuf> = event
                            .paths
                            .iter()
                            .filter(|p| shared.watched.contains(*p))
                            .cloned()
                            .collect();
                        shared.dead.extend(dead);
                    }
                    shared.relevant.concerns(event)
                }
                // A lost event (queue overflow) may have been the one that mattered.
                Err(err) => {
                    log::debug!("CORS reload: watcher error: {err}");
                    true
                }
            };
            if concerns {
                wakeups.relevant.notify_one();
            } else {
                wakeups.ignored_count.fetch_add(1, Ordering::Relaxed);
                wakeups.ignored.notify_one();
            }
        })?;
        Ok(DirWatcher { watcher, watched: BTreeMap::new(), lost: BTreeSet::new(), shared })
    }

    /// Watches exactly the directories of `files` (each link of their symlink chains), or,
    /// for one that is gone, its nearest existing ancestor; re-watches a directory whose
    /// watch ended (deleted, moved away, replaced). Returns whether a lost directory is back
    /// or was replaced (the caller should read then).
    pub(crate) fn arm(&mut self, files: &[PathBuf]) -> bool {
        let wanted = dirs_of(files);
        let mut paths: BTreeMap<PathBuf, Identity> = BTreeMap::new();
        let mut back = false;
        for dir in &wanted {
            let (path, id) = match identity(dir) {
                Some(id) => (dir.clone(), Some(id)),
                None => nearest_ancestor(dir),
            };
            let present = path == *dir;
            if present && self.lost.remove(dir) {
                log::info!("CORS reload: {} is back; watching it again", dir.display());
                back = true;
            } else if !present && self.lost.insert(dir.clone()) {
                log::warn!(
                    "CORS reload: {} is gone; watching {} until it is back",
                    dir.display(),
                    path.display()
                );
            }
            paths.insert(path, id);
        }
        self.lost.retain(|dir| wanted.contains(dir));
        let dead = {
            let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
            shared.relevant = Relevant::new(files, &wanted);
            std::mem::take(&mut shared.dead)
        };
        for (gone, _) in self.watched.iter().filter(|(p, _)| !paths.contains_key(*p)) {
            // A directory that vanished took its watch with it; nothing to undo then.
            let _ = self.watcher.unwatch(gone);
        }
        let mut watched = BTreeMap::new();
        for (path, id) in paths {
            match self.watched.get(&path) {
                Some(known) if *known == id && !dead.contains(&path) => {}
                Some(_) => {
                    // Another directory under the same name, or the same one moved back
                    // after its watch ended: it needs a watch of its own.
                    if wanted.contains(&path) {
                        log::info!(
                            "CORS reload: {} was replaced; watching the new directory",
                            path.display()
                        );
                    }
                    let _ = self.watcher.unwatch(&path);
                    back |= self.watch(&path);
                }
                None => {
                    self.watch(&path);
                }
            }
            watched.insert(path, id);
        }
        self.shared.lock().unwrap_or_else(PoisonError::into_inner).watched =
            watched.keys().cloned().collect();
        self.watched = watched;
        back
    }

    fn watch(&mut self, dir: &Path) -> bool {
        match self.watcher.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => {
                log::debug!("CORS reload: watching {}", dir.display());
                true
            }
            Err(err) => {
                log::warn!(
                    "CORS reload: cannot watch {} ({err}); the periodic check still covers it",
                    dir.display()
                );
                false
            }
        }
    }
}

/// The nearest ancestor of `dir` that exists, and its identity.
fn nearest_ancestor(dir: &Path) -> (PathBuf, Identity) {
    dir.ancestors()
        .skip(1)
        .find_map(|a| identity(a).map(|id| (a.to_path_buf(), Some(id))))
        .unwrap_or_else(|| (PathBuf::from("/"), None))
}

/// A watched directory deleted or moved away: its watch ends with it. (An event for an
/// entry inside names the entry, not the directory.)
fn ends_a_watch(event: &Event) -> bool {
    matches!(event.kind, EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)))
}

/// Reads (open, close without writing) are the reloader's own and never a change; a
/// close after writing is the most precise "done saving" signal there is.
fn may_change_content(event: &Event) -> bool {
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The directories of `files`: that of each link of each file's symlink chain, and that
/// of its resolved target, as absolute paths. A directory that is itself a symlink (the
/// `..data` of a ConfigMap) is left to its target, which the watch would follow anyway.
/// One of kubelet's snapshot directories is left out too (see [`is_kubelet_snapshot`]).
fn dirs_of(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    for file in files {
        let file = std::path::absolute(file).unwrap_or_else(|_| file.clone());
        for (i, hop) in symlink_chain(&file).iter().enumerate() {
            let Some(dir) = hop.parent() else { continue };
            let is_link = dir.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
            if i == 0 || !(is_link || is_kubelet_snapshot(dir)) {
                dirs.insert(dir.to_path_buf());
            }
        }
        if let Some(target_dir) =
            std::fs::canonicalize(&file).ok().and_then(|t| t.parent().map(Path::to_path_buf))
            && !is_kubelet_snapshot(&target_dir)
        {
            dirs.insert(target_dir);
        }
    }
    dirs
}

/// One of the `..<timestamp>` directories a ConfigMap volume's `..data` points at. kubelet
/// writes each snapshot once, swaps `..data` to it, and deletes the previous one: watching
/// it sees nothing the watched volume directory does not (the `..data` rename, the `..`
/// names are [`Relevant`]), and its deletion made notify log that it could not remove the
/// watch, at info and warn, on every swap. The periodic check still reads through `..data`.
///
/// Told by its name (`..` and more) and a `..data` symlink beside it, as kubelet's
/// atomic writer lays a volume out.
fn is_kubelet_snapshot(dir: &Path) -> bool {
    let named_so = dir
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("..") && name.len() > 2 && name != "..data");
    named_so
        && dir.parent().is_some_and(|volume| {
            volume.join("..data").symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, RemoveKind, RenameMode};

    #[test]
    fn reads_are_ignored_and_writes_renames_removals_count() {
        let event = Event::new;
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
    fn a_configmap_volume_is_watched_but_not_its_snapshot_directory() {
        let root = tempfile::tempdir().unwrap();
        let root_path = std::fs::canonicalize(root.path()).unwrap();
        let data = root_path.join("..2024_01_01_00_00_00.123456789");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("Rocket.toml"), "").unwrap();
        std::os::unix::fs::symlink(&data, root_path.join("..data")).unwrap();
        let link = root_path.join("Rocket.toml");
        std::os::unix::fs::symlink("..data/Rocket.toml", &link).unwrap();
        assert!(is_kubelet_snapshot(&data));
        assert_eq!(dirs_of(&[link]), BTreeSet::from([root_path.clone()]));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_watched_in_both_directories() {
        let root = tempfile::tempdir().unwrap();
        let root_path = std::fs::canonicalize(root.path()).unwrap();
        // Named like a snapshot, but with no `..data` beside it: an ordinary directory.
        let shared = root_path.join("..shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::write(shared.join("Rocket.toml"), "").unwrap();
        let link = root_path.join("Rocket.toml");
        std::os::unix::fs::symlink("..shared/Rocket.toml", &link).unwrap();
        assert!(!is_kubelet_snapshot(&shared));
        assert_eq!(dirs_of(&[link]), BTreeSet::from([root_path.clone(), shared]));
    }

    #[test]
    fn a_lost_directory_is_watched_through_its_nearest_ancestor() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("a/b/conf");
        assert_eq!(nearest_ancestor(&missing).0, root.path());
        std::fs::create_dir_all(root.path().join("a")).unwrap();
        assert_eq!(nearest_ancestor(&missing).0, root.path().join("a"));
    }
}
