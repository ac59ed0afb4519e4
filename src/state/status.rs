//! What a reload did, and the running record of every attempt.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::error::ConfigErrors;

/// Reload counters, published through [`crate::CorsHandle::status`] after every attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
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
    /// The error of the last attempt: `None` when it swapped or found the policy unchanged,
    /// so a fixed file clears it. How many attempts failed so far is [`ReloadStatus::errors`].
    pub last_error: Option<String>,
    /// File events in the watched directories that changed none of the config files
    /// (a log file beside `Rocket.toml`, an editor's swap file): no attempt was made.
    pub skipped: u64,
}

impl ReloadStatus {
    /// Counts one attempt; `generation` is the one in force after it.
    pub(super) fn record(&mut self, outcome: &ReloadOutcome, generation: u64) {
        self.attempts += 1;
        self.generation = generation;
        self.last_error = None;
        match outcome {
            ReloadOutcome::Swapped { .. } => self.swaps += 1,
            ReloadOutcome::Unchanged => self.unchanged += 1,
            ReloadOutcome::Failed(err) => {
                self.errors += 1;
                self.last_error = Some(err.to_string());
            }
        }
    }
}

/// What one reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReloadOutcome {
    /// A different, valid policy is now in force.
    Swapped {
        /// Its generation.
        generation: u64,
    },
    /// The sources give the policy already in force.
    Unchanged,
    /// The sources are invalid (every problem, not only the first); the last good policy
    /// stays.
    Failed(ConfigErrors),
}

/// `{"outcome": "swapped", "generation": 2}`, `{"outcome": "unchanged"}` or
/// `{"outcome": "failed", "errors": ["invalid CORS setting ...", ...]}`: each error as the
/// one line the log has.
impl Serialize for ReloadOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("ReloadOutcome", 2)?;
        match self {
            ReloadOutcome::Swapped { generation } => {
                out.serialize_field("outcome", "swapped")?;
                out.serialize_field("generation", generation)?;
            }
            ReloadOutcome::Unchanged => {
                out.serialize_field("outcome", "unchanged")?;
                out.skip_field("generation")?;
            }
            ReloadOutcome::Failed(errors) => {
                out.serialize_field("outcome", "failed")?;
                let lines: Vec<String> = errors.into_iter().map(ToString::to_string).collect();
                out.serialize_field("errors", &lines)?;
            }
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ConfigError;

    #[test]
    fn last_error_is_the_error_of_the_last_attempt() {
        let mut status = ReloadStatus::default();
        let failed = ReloadOutcome::Failed(
            ConfigError::new("max_age".to_string(), "x", "not a number").into(),
        );
        status.record(&failed, 0);
        assert!(status.last_error.as_deref().unwrap().contains("max_age"));
        status.record(&ReloadOutcome::Unchanged, 0);
        assert_eq!(status.last_error, None, "an unchanged reload clears it");
        status.record(&failed, 0);
        status.record(&ReloadOutcome::Swapped { generation: 1 }, 1);
        assert_eq!(status.last_error, None, "a swap clears it");
        assert_eq!((status.attempts, status.errors, status.generation), (4, 2, 1));
    }

    #[test]
    fn status_and_outcomes_serialise_for_an_admin_endpoint() {
        use rocket::serde::json::to_string;
        let failed = ReloadOutcome::Failed(
            ConfigError::new("max_age".to_string(), "x", "not a number").into(),
        );
        let mut status = ReloadStatus::default();
        status.record(&failed, 0);
        let json = to_string(&status).unwrap();
        assert!(
            json.starts_with(
                r#"{"generation":0,"attempts":1,"swaps":0,"unchanged":0,"errors":1,"last_error":"#
            ),
            "{json}"
        );
        let swapped = to_string(&ReloadOutcome::Swapped { generation: 2 }).unwrap();
        assert_eq!(swapped, r#"{"outcome":"swapped","generation":2}"#);
        assert_eq!(to_string(&ReloadOutcome::Unchanged).unwrap(), r#"{"outcome":"unchanged"}"#);
        let failed = to_string(&failed).unwrap();
        assert!(
            failed.starts_with(r#"{"outcome":"failed","errors":["invalid CORS setting `max_age`"#),
            "{failed}"
        );
    }
}
