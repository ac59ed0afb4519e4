//! The `metrics` feature, for the reloader: what an operator alerts on. A failed reload
//! keeps the last good policy and says so only in the log; a fleet whose replicas serve
//! different policies shows nothing at all. Published through the `metrics` facade:
//!
//! - `cors_fairing_reload_attempts_total` and `cors_fairing_reload_failures_total`;
//! - `cors_fairing_policy_generation`, the generation in force;
//! - `cors_fairing_policy_info{fingerprint}`, 1 for the policy in force; on a swap the old
//!   fingerprint's series drops to 0, so each replica shows one series at 1 and a dashboard
//!   counts the distinct fingerprints at 1 across a fleet.
//!
//! Looked up by name at each attempt: reloads are rare, and the recorder may have been
//! installed after the first Rocket ignited (tests).

use metrics::Unit;

use crate::policy::Fingerprint;
use crate::state::ReloadOutcome;

pub(crate) const ATTEMPTS: &str = "cors_fairing_reload_attempts_total";
pub(crate) const FAILURES: &str = "cors_fairing_reload_failures_total";
pub(crate) const GENERATION: &str = "cors_fairing_policy_generation";
pub(crate) const INFO: &str = "cors_fairing_policy_info";

fn describe() {
    metrics::describe_counter!(ATTEMPTS, Unit::Count, "CORS reload attempts");
    metrics::describe_counter!(
        FAILURES,
        Unit::Count,
        "CORS reload attempts refused (the last good policy stays)"
    );
    metrics::describe_gauge!(GENERATION, "CORS policy generation in force (0 at launch)");
    metrics::describe_gauge!(INFO, "1 for the fingerprint of the CORS policy in force, else 0");
}

/// The policy in force at launch.
pub(crate) fn launched(fingerprint: Fingerprint) {
    describe();
    metrics::gauge!(GENERATION).set(0.0);
    info(fingerprint).set(1.0);
}

/// One attempt; `before` and `after` are the fingerprints in force around it.
pub(crate) fn attempted(
    outcome: &ReloadOutcome,
    generation: u64,
    before: Fingerprint,
    after: Fingerprint,
) {
    metrics::counter!(ATTEMPTS).increment(1);
    if matches!(outcome, ReloadOutcome::Failed(_)) {
        metrics::counter!(FAILURES).increment(1);
    }
    // A gauge holds an f64: exact up to 2^53 generations.
    metrics::gauge!(GENERATION).set(generation as f64);
    if before != after {
        info(before).set(0.0);
    }
    info(after).set(1.0);
}

fn info(fingerprint: Fingerprint) -> metrics::Gauge {
    metrics::gauge!(INFO, "fingerprint" => fingerprint.to_string())
}
