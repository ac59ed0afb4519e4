//! The `metrics` feature: the same counters through the `metrics` facade, so that any
//! exporter (Prometheus, StatsD, ...) the application installs picks them up.
//!
//! Handles are registered once, when the fairing ignites, so a request pays a handle's
//! increment and no key look-up. The recorder must therefore be installed before the
//! Rocket is ignited, as exporters' own setup does.

use metrics::{Counter, Unit};

use super::Outcome;

/// Requests counted by outcome, label `outcome`.
pub(crate) const REQUESTS: &str = "cors_fairing_requests_total";
/// Preflights answered.
pub(crate) const PREFLIGHTS: &str = "cors_fairing_preflights_total";
/// Non-safe requests refused by `cross_origin_protection`.
pub(crate) const CROSS_ORIGIN: &str = "cors_fairing_cross_origin_refused_total";

pub(crate) struct Published {
    outcomes: [Counter; Outcome::COUNT],
    preflights: Counter,
    cross_origin: Counter,
}

impl Default for Published {
    fn default() -> Self {
        metrics::describe_counter!(
            REQUESTS,
            Unit::Count,
            "CORS requests (with an Origin) by outcome: allowed, refused_origin, \
             refused_method, refused_header, refused_malformed, out_of_scope"
        );
        metrics::describe_counter!(PREFLIGHTS, Unit::Count, "CORS preflights answered");
        metrics::describe_counter!(
            CROSS_ORIGIN,
            Unit::Count,
            "Non-safe requests refused by cross_origin_protection (403, the route never ran)"
        );
        Published {
            outcomes: Outcome::ALL.map(|o| metrics::counter!(REQUESTS, "outcome" => o.label())),
            preflights: metrics::counter!(PREFLIGHTS),
            cross_origin: metrics::counter!(CROSS_ORIGIN),
        }
    }
}

impl std::fmt::Debug for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Published").finish_non_exhaustive()
    }
}

impl Published {
    #[inline]
    pub(crate) fn count(&self, outcome: Outcome, preflight: bool) {
        self.outcomes[outcome as usize].increment(1);
        if preflight {
            self.preflights.increment(1);
        }
    }

    pub(crate) fn count_cross_origin(&self) {
        self.cross_origin.increment(1);
    }
}
