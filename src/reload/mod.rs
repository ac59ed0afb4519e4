//! Reloading: rebuild from every source, validate, compare, swap. Never loses the last
//! good policy.

use std::sync::Arc;

use crate::error::ConfigError;
use crate::handle::Shared;

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
    let mut last_load = match shared.last_load.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    let outcome = match shared.sources.load() {
        Err(err) => {
            log::error!("CORS reload failed, keeping the last good policy: {err}");
            ReloadOutcome::Failed(err)
        }
        Ok(loaded) => {
            let current = shared.policy.load();
            last_load.files = loaded.files;
            last_load.env_keys = loaded.env_keys;
            last_load.provenance = loaded.provenance;
            if loaded.policy.settings() == current.settings() {
                ReloadOutcome::Unchanged
            } else {
                for warning in loaded.policy.warnings() {
                    log::warn!("{warning}");
                }
                let (before, after) = (current.settings(), loaded.policy.settings());
                crate::banner::log_changes(before, after, &last_load.provenance);
                shared.policy.store(Arc::new(loaded.policy));
                let generation = shared.status.borrow().generation + 1;
                log::info!("CORS policy reloaded (generation {generation})");
                ReloadOutcome::Swapped { generation }
            }
        }
    };
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
