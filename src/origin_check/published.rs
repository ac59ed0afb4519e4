//! The `metrics` feature, for the origin check: a check that starts failing (its database
//! down, slow) refuses tenants while every request still answers, so the calls, errors and
//! timeouts are worth an alert. Never labelled by origin. Looked up by name per call: calls
//! are cache misses.

use metrics::Unit;

pub(crate) const CALLS: &str = "cors_fairing_origin_check_calls_total";
pub(crate) const ERRORS: &str = "cors_fairing_origin_check_errors_total";
pub(crate) const TIMEOUTS: &str = "cors_fairing_origin_check_timeouts_total";

/// What one call of the check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Answered,
    /// It returned an error, panicked or was cancelled.
    Failed,
    TimedOut,
}

pub(crate) fn describe() {
    metrics::describe_counter!(CALLS, Unit::Count, "Calls of the application's origin check");
    metrics::describe_counter!(
        ERRORS,
        Unit::Count,
        "Origin check calls that returned an error or panicked (the origin was refused)"
    );
    metrics::describe_counter!(
        TIMEOUTS,
        Unit::Count,
        "Origin check calls longer than origin_check_timeout_ms (the origin was refused)"
    );
}

pub(crate) fn called(call: Call) {
    metrics::counter!(CALLS).increment(1);
    match call {
        Call::Answered => {}
        Call::Failed => metrics::counter!(ERRORS).increment(1),
        Call::TimedOut => metrics::counter!(TIMEOUTS).increment(1),
    }
}
