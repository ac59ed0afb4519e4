//! Which file events can concern a config file, judged by the paths the event names.
//!
//! The watcher watches whole directories (editors save by rename, Kubernetes swaps a
//! `..data` symlink), so it also sees every write to a log file or an editor's swap file
//! beside `Rocket.toml`. Those must not touch the settle timer: a busy log would otherwise
//! keep it from ever running out. An event concerns the config when it names
//!
//! - a config file, or any link of its symlink chain (`Rocket.toml -> ..data/Rocket.toml`),
//! - a name starting with `..`: Kubernetes' `..data`, `..data_tmp` and `..<timestamp>`,
//! - a watched directory, or a directory on the way to one (the directory itself was moved,
//!   deleted, or, while it is gone, created again),
//!
//! or names nothing at all (a queue overflow, a rescan): then it may have been the one.
//! Names are compared, not whole paths: an event path is the watched path joined with a
//! name, and a name that happens to match in another watched directory costs one skipped
//! attempt at most.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use notify::Event;

/// How many symlinks a chain may have before it is taken for a loop.
const MAX_HOPS: usize = 40;

/// The names whose events concern the config files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Relevant {
    names: BTreeSet<OsString>,
}

impl Relevant {
    /// For `files` and the directories `dirs` that are watched (or wanted) for them.
    pub(crate) fn new<'a>(
        files: &[PathBuf],
        dirs: impl IntoIterator<Item = &'a PathBuf>,
    ) -> Relevant {
        let mut names = BTreeSet::new();
        for file in files {
            for hop in symlink_chain(file) {
                names.extend(hop.file_name().map(OsStr::to_os_string));
            }
            if let Ok(target) = std::fs::canonicalize(file) {
                names.extend(target.file_name().map(OsStr::to_os_string));
            }
        }
        for dir in dirs {
            names.extend(dir.components().map(|c| c.as_os_str().to_os_string()));
        }
        Relevant { names }
    }

    pub(crate) fn concerns(&self, event: &Event) -> bool {
        event.paths.is_empty()
            || event.need_rescan()
            || event.paths.iter().any(|path| self.concerns_path(path))
    }

    fn concerns_path(&self, path: &Path) -> bool {
        match path.file_name() {
            None => true,
            Some(name) => self.names.contains(name) || name.to_string_lossy().starts_with(".."),
        }
    }
}

/// `file`, then each path its symlinks lead to, in order (a relative target is read from
/// the link's directory). Ends at the first path that is not a symlink, or after
/// [`MAX_HOPS`].
pub(crate) fn symlink_chain(file: &Path) -> Vec<PathBuf> {
    let mut chain = vec![file.to_path_buf()];
    let mut current = file.to_path_buf();
    while chain.len() <= MAX_HOPS {
        let Ok(target) = std::fs::read_link(&current) else { break };
        current = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
        chain.push(current.clone());
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::EventKind;
    use notify::event::{CreateKind, Flag, ModifyKind, RenameMode};

    fn event(paths: &[&Path]) -> Event {
        let mut event = Event::new(EventKind::Modify(ModifyKind::Any));
        for path in paths {
            event = event.add_path(path.to_path_buf());
        }
        event
    }

    #[test]
    fn only_the_config_files_their_links_and_the_watched_dirs_concern_it() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf");
        std::fs::create_dir(&conf).unwrap();
        let file = conf.join("Rocket.toml");
        std::fs::write(&file, "").unwrap();
        let relevant = Relevant::new(std::slice::from_ref(&file), std::slice::from_ref(&conf));
        assert!(relevant.concerns(&event(&[&file])));
        assert!(!relevant.concerns(&event(&[&conf.join("app.log")])));
        assert!(!relevant.concerns(&event(&[&conf.join(".Rocket.toml.swp")])));
        assert!(!relevant.concerns(&event(&[&conf.join("Rocket.toml~")])));
        // A rename of a temp file over the config names both.
        assert!(relevant.concerns(&event(&[&conf.join(".Rocket.toml.tmp"), &file])));
        // The directory itself, and (while it is gone) its parent's entry for it.
        assert!(relevant.concerns(&event(&[&conf])));
        assert!(relevant.concerns(&event(&[&dir.path().join("conf")])));
        // Kubernetes' names.
        for name in ["..data", "..data_tmp", "..2026_12_02_03_00_00.1"] {
            assert!(relevant.concerns(&event(&[&conf.join(name)])), "{name}");
        }
        // An event naming nothing, or asking for a rescan, may have been the one.
        assert!(relevant.concerns(&Event::new(EventKind::Any)));
        let rescan = Event::new(EventKind::Create(CreateKind::Any))
            .add_path(conf.join("app.log"))
            .set_flag(Flag::Rescan);
        assert!(relevant.concerns(&rescan));
        let rename = Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::To)))
            .add_path(conf.join("app.log.1"));
        assert!(!relevant.concerns(&rename));
    }

    #[cfg(unix)]
    #[test]
    fn every_link_of_a_symlink_chain_concerns_it() {
        let dir = tempfile::tempdir().unwrap();
        let target_dir = dir.path().join("real");
        std::fs::create_dir(&target_dir).unwrap();
        std::fs::write(target_dir.join("cors.toml"), "").unwrap();
        std::os::unix::fs::symlink("real/cors.toml", dir.path().join("middle.toml")).unwrap();
        let file = dir.path().join("Rocket.toml");
        std::os::unix::fs::symlink("middle.toml", &file).unwrap();
        let chain = symlink_chain(&file);
        assert_eq!(
            chain,
            [file.clone(), dir.path().join("middle.toml"), dir.path().join("real/cors.toml")]
        );
        let relevant = Relevant::new(std::slice::from_ref(&file), &[dir.path().to_path_buf()]);
        for name in ["Rocket.toml", "middle.toml", "cors.toml"] {
            assert!(relevant.concerns(&event(&[&dir.path().join(name)])), "{name}");
        }
        assert!(!relevant.concerns(&event(&[&dir.path().join("other.toml")])));
        // A loop ends the chain instead of hanging.
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert_eq!(symlink_chain(&a).len(), MAX_HOPS + 1);
    }
}
