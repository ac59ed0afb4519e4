//! Reloading: rebuild from every source, validate, compare, swap. Never loses the last
//! good policy.

mod masking;
mod narrowing;
mod poll;
mod signal;
mod task;
mod watcher;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{ConfigError, Source};
use crate::handle::{LastLoad, Shared};
use crate::policy::Policy;
use crate::sources::{Loaded, Sources, TABLE};

pub(crate) use masking::MaskedKey;
pub(crate) use poll::Fingerprints;
pub(crate) use task::{Options, start};

/// Reload counters, published through [`crate::CorsHandle::status`] after every attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadStatus {
    /// Which policy is in force: 0 at launch, one more for every swap.
    pub generation: u64,
    /// Reload attempts so far.
    pub attempts: u64,
    /// Attempts that swapped in a new policy.
    pub swaps: u64,
    /// Attempts that found the policy unchanged.
    pub unchanged: u64,
    /// Attempts that failed and kept the last good policy.
    pub errors: u64,
    /// The most recent failure, if any.
    pub last_error: Option<String>,
    /// File events in the watched directories that changed none of the config files
    /// (a log file beside `Rocket.toml`, an editor's swap file): no attempt was made.
    pub skipped: u64,
}

/// What one reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// A different, valid policy is now in force.
    Swapped {
        /// Its generation.
        generation: u64,
    },
    /// The sources give the policy already in force.
    Unchanged,
    /// The sources are invalid; the last good policy stays.
    Failed(ConfigError),
}

/// One attempt, serialised with every other attempt.
pub(crate) fn reload_now(shared: &Arc<Shared>) -> ReloadOutcome {
    let mut last_load = lock(&shared.last_load);
    let outcome = attempt(shared, &mut last_load);
    if let ReloadOutcome::Failed(err) = &outcome {
        log::error!("CORS reload failed, keeping the last good policy: {err}");
    }
    shared.status.send_modify(|status| {
        status.attempts += 1;
        match &outcome {
            ReloadOutcome::Swapped { generation } => {
                status.swaps += 1;
                status.generation = *generation;
            }
            ReloadOutcome::Unchanged => status.unchanged += 1,
            ReloadOutcome::Failed(err) => {
                status.errors += 1;
                status.last_error = Some(err.to_string());
            }
        }
    });
    outcome
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How often a load is repeated when the files change while it reads them.
const READ_TRIES: usize = 3;

/// Figment reads the files itself, so the reloader brackets the load with fingerprints:
/// if they differ, the load may have seen a half-written file (the empty moment of a
/// truncate-and-write above all) and is repeated.
fn attempt(shared: &Shared, last_load: &mut LastLoad) -> ReloadOutcome {
    let checked = last_load.checked_files();
    for _ in 0..READ_TRIES {
        let before = poll::fingerprints(&checked);
        let result = shared.sources.load().map(|loaded| {
            let masked = masked_keys(&shared.sources, &loaded);
            (loaded, masked)
        });
        if poll::fingerprints(&checked) != before {
            continue;
        }
        return match result {
            Err(err) => {
                last_load.fingerprints = before;
                ReloadOutcome::Failed(err)
            }
            Ok((loaded, masked)) => apply(shared, last_load, loaded, masked, before),
        };
    }
    ReloadOutcome::Failed(ConfigError::new(
        TABLE,
        "",
        "the configuration files kept changing while being read; the next change retries",
    ))
}

/// Checks that no file the last good load read has gone missing or blank, then swaps if
/// the policy differs.
fn apply(
    shared: &Shared,
    last_load: &mut LastLoad,
    loaded: Loaded,
    masked: Vec<MaskedKey>,
    before: Fingerprints,
) -> ReloadOutcome {
    let current = shared.policy.load();
    let new_env_file = loaded.policy.settings().env_file.as_ref();
    let dropped_env_file =
        current.settings().env_file.as_ref().filter(|old| Some(*old) != new_env_file);
    let gone = before.iter().find_map(|(path, fingerprint)| {
        let must_exist = last_load.required.contains(path) && Some(path) != dropped_env_file;
        match fingerprint {
            _ if !must_exist => None,
            None => Some(vanished(path, "is missing")),
            Some(f) if f.blank => Some(vanished(path, "is empty")),
            Some(_) => None,
        }
    });
    if let Some(err) = gone {
        last_load.fingerprints = before;
        return ReloadOutcome::Failed(err);
    }
    masking::warn_about_masked_edits(&last_load.masked, &masked);
    last_load.record(loaded.files, before);
    last_load.provenance = loaded.provenance;
    last_load.masked = masked;
    if loaded.policy.settings() == current.settings() {
        keep_warnings_current(shared, &current, loaded.policy);
        return ReloadOutcome::Unchanged;
    }
    for warning in loaded.policy.warnings() {
        log::warn!("{warning}");
    }
    let (before, after) = (current.settings(), loaded.policy.settings());
    crate::banner::log_changes(before, after, &last_load.provenance);
    if let Some(warning) = narrowing::warning(before, after) {
        log::warn!("{warning}");
    }
    let fingerprint = loaded.policy.fingerprint();
    shared.install(loaded.policy);
    let generation = shared.status.borrow().generation + 1;
    log::info!("CORS policy reloaded (generation {generation}, fingerprint {fingerprint})");
    ReloadOutcome::Swapped { generation }
}

/// Same settings, but perhaps new warnings (a misspelt key added to the file changes no
/// setting): log those, and keep them with the policy so they are not reported again.
fn keep_warnings_current(shared: &Shared, current: &Policy, loaded: Policy) {
    if loaded.warnings() == current.warnings() {
        return;
    }
    for warning in loaded.warnings().iter().filter(|w| !current.warnings().contains(w)) {
        log::warn!("{warning}");
    }
    shared.install(loaded);
}

/// Figment reads a missing file as an empty one, and an empty file gives the defaults: a
/// save caught half-way must never turn CORS off.
fn vanished(path: &std::path::Path, what: &str) -> ConfigError {
    let mut err = ConfigError::new(
        TABLE,
        path.display().to_string(),
        format!("the file {what}, but the last good policy was read from it"),
    )
    .hint("write the file again; to clear the settings on purpose, leave a comment in it");
    err.source = Source::Provider(format!("file {}", path.display()));
    err
}

fn masked_keys(sources: &Sources, loaded: &Loaded) -> Vec<MaskedKey> {
    let keys: Vec<&str> = loaded.env_keys().map(|(key, _)| key).collect();
    let env_file = loaded.policy.settings().env_file.as_deref();
    let file_values = sources.file_values(&keys, env_file);
    loaded
        .env_keys()
        .zip(file_values)
        .map(|((key, var), (file_value, file_source))| MaskedKey {
            key: key.to_string(),
            var: var.to_string(),
            file_value,
            file_source,
        })
        .collect()
}

impl LastLoad {
    /// What the first load read, before any reloader runs.
    pub(crate) fn first(sources: &Sources, loaded: &Loaded) -> LastLoad {
        let mut last_load = LastLoad {
            provenance: loaded.provenance.clone(),
            masked: masked_keys(sources, loaded),
            ..LastLoad::default()
        };
        let fingerprints = poll::fingerprints(&loaded.files);
        last_load.record(loaded.files.clone(), fingerprints);
        last_load
    }

    /// The files to fingerprint: those read last time, and those that must not vanish.
    pub(crate) fn checked_files(&self) -> Vec<PathBuf> {
        let mut files = self.files.clone();
        files.extend(self.required.iter().cloned());
        files.sort();
        files.dedup();
        files
    }

    /// A good load of `files`; `known` are fingerprints taken before it read them.
    fn record(&mut self, files: Vec<PathBuf>, known: Fingerprints) {
        let fingerprints: Fingerprints = files
            .iter()
            .map(|path| match known.iter().find(|(p, _)| p == path) {
                Some(entry) => entry.clone(),
                None => (path.clone(), poll::Fingerprint::of(path)),
            })
            .collect();
        self.required = fingerprints
            .iter()
            .filter(|(_, f)| f.as_ref().is_some_and(|f| !f.blank))
            .map(|(path, _)| path.clone())
            .collect();
        self.fingerprints = fingerprints;
        self.files = files;
    }
}
