//! Reloading: rebuild from every source, validate, compare, swap. Never loses the last
//! good policy.

mod closing;
mod masking;
mod narrowing;
#[cfg(feature = "metrics")]
mod published;
mod relevant;
mod signal;
mod task;
mod watcher;

use std::sync::Arc;

use crate::error::{ConfigError, ConfigWarning, Subject};
use crate::sources::{LastGood, Loaded, Sources};
use crate::state::{Attempt, FileStamps, LastLoad, LiveState, MaskedKey, ReloadOutcome, stamps};

pub(crate) use closing::Cause;
pub(crate) use task::{Options, start};

/// The live state at launch: the first load in force, with what it read.
pub(crate) fn launch(sources: &Sources, loaded: Loaded) -> Arc<LiveState> {
    let masked = masked_keys(sources, &loaded);
    let known = stamps(&loaded.files);
    let Loaded { policy, files, provenance, warnings, named, .. } = loaded;
    let last_load = LastLoad::new(files, &known, provenance, warnings, masked).with_named(named);
    #[cfg(feature = "metrics")]
    published::launched(policy.fingerprint());
    LiveState::new(policy, last_load)
}

/// One attempt asked for by `CorsHandle::reload()`; see [`reload_for`].
pub(crate) fn reload_now(state: &LiveState, sources: &Sources) -> ReloadOutcome {
    reload_for(state, sources, Cause::OnRequest)
}

/// One attempt, serialised with every other attempt, ending in one log line that says
/// what it did (see [`closing`]). Blocks on file I/O: run it on a blocking thread.
pub(crate) fn reload_for(state: &LiveState, sources: &Sources, cause: Cause) -> ReloadOutcome {
    let mut attempt = state.attempt();
    // Attempts take turns, so the status is that of the attempt before this one.
    let was_refused = state.status().borrow().last_error.is_some();
    #[cfg(feature = "metrics")]
    let before = attempt.current().fingerprint();
    let (outcome, changed) = read_and_apply(&mut attempt, sources);
    let generation = match outcome {
        ReloadOutcome::Swapped { generation } => generation,
        _ => state.status().borrow().generation,
    };
    let fingerprint = attempt.current().fingerprint();
    let valid_again = was_refused && !matches!(outcome, ReloadOutcome::Failed(_));
    let line = closing::closing(cause, &outcome, generation, fingerprint, valid_again, &changed);
    if line.error {
        log::error!("{}", line.text);
    } else {
        log::info!("{}", line.text);
    }
    #[cfg(feature = "metrics")]
    published::attempted(&outcome, generation, before, fingerprint);
    // Logged (and counted) before it is published: whoever waits on the status finds the
    // line written.
    attempt.finish(&outcome);
    outcome
}

/// How often a load is repeated when the files change while it reads them.
const READ_TRIES: usize = 3;

/// Figment reads the files itself, so the reloader brackets the load with file stamps:
/// if they differ, the load may have seen a half-written file (the empty moment of a
/// truncate-and-write above all) and is repeated.
fn read_and_apply(attempt: &mut Attempt<'_>, sources: &Sources) -> (ReloadOutcome, Vec<String>) {
    let checked = attempt.last_load().checked_files();
    for _ in 0..READ_TRIES {
        let before = stamps(&checked);
        let result = sources.load_after(Some(&last_good(attempt))).map(|loaded| {
            let masked = masked_keys(sources, &loaded);
            (loaded, masked)
        });
        if stamps(&checked) != before {
            continue;
        }
        return match result {
            Err(err) => {
                attempt.remember_stamps(before);
                (ReloadOutcome::Failed(err), Vec::new())
            }
            Ok((loaded, masked)) => apply(attempt, loaded, masked, before),
        };
    }
    let err = ConfigError::new(
        Subject::Table,
        "",
        "the configuration files kept changing while being read; the next change retries",
    );
    (ReloadOutcome::Failed(err.into()), Vec::new())
}

/// What the load in force read, for the one check that a reload would not fall back to
/// defaults ([`LastGood`]).
fn last_good(attempt: &Attempt<'_>) -> LastGood {
    let last_load = attempt.last_load();
    LastGood {
        provenance: last_load.provenance.clone(),
        required: last_load.required.clone(),
        env_file: attempt.current().settings().env_file.clone(),
        config_file: None, // the same file as before
    }
}

/// Installs the policy if it differs. Same settings with new warnings (a duplicate origin
/// added to the file changes no setting) are news for the log and the last load, not a new
/// policy. With the outcome, the keys a swap changed.
fn apply(
    attempt: &mut Attempt<'_>,
    loaded: Loaded,
    masked: Vec<MaskedKey>,
    before: FileStamps,
) -> (ReloadOutcome, Vec<String>) {
    masking::warn_about_masked_edits(&attempt.last_load().masked, &masked);
    let Loaded { policy, files, provenance, warnings, named, .. } = loaded;
    let current = attempt.current();
    let unchanged = policy.settings() == current.settings();
    log_warnings(&warnings, if unchanged { &attempt.last_load().warnings } else { &[] });
    let load = LastLoad::new(files, &before, provenance, warnings, masked).with_named(named);
    if unchanged {
        attempt.keep(load);
        return (ReloadOutcome::Unchanged, Vec::new());
    }
    let (before, after) = (current.settings(), policy.settings());
    let changed = closing::changed_keys(before, after);
    crate::banner::log_changes(before, after, &load.provenance, &load.named);
    // A promotion narrows what the candidate reported on: the warning names that report.
    let reported = |policy| attempt.reports().seen(policy).map(|seen| format!("; {seen}"));
    if let Some(warning) = narrowing::warning(before, after) {
        log::warn!("{warning}{}", reported(None).unwrap_or_default());
    }
    for (name, warning) in narrowing::named_warnings(before, after) {
        log::warn!("{warning}{}", reported(Some(name)).unwrap_or_default());
    }
    if policy.protects_anywhere() && !attempt.protection_hooked() {
        log::warn!(
            "CORS reload: cross_origin_protection is on in the new settings, but the server \
             launched without it, so its request hook is not registered: it applies after a \
             restart"
        );
    }
    drop(current);
    let generation = attempt.install(policy, load);
    (ReloadOutcome::Swapped { generation }, changed)
}

/// Logs the warnings of a load, but not those already logged for the load in force.
fn log_warnings(warnings: &[ConfigWarning], already_logged: &[ConfigWarning]) {
    for warning in warnings.iter().filter(|w| !already_logged.contains(w)) {
        log::warn!("{warning}");
    }
}

fn masked_keys(sources: &Sources, loaded: &Loaded) -> Vec<MaskedKey> {
    let keys: Vec<&str> = loaded.env_keys().map(|(key, _)| key.name()).collect();
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
