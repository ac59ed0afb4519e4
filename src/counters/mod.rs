//! What the fairing answered, counted: allowed, refused by reason, preflights, out of scope;
//! with the origin check's calls, one [`Stats`] for an admin endpoint.
//!
//! Only CORS requests (those with an `Origin`) are counted, and never by origin: an origin
//! is chosen by whoever sends the request, so a label per origin would let any client grow
//! an exporter's memory without bound.
//!
//! Each counter is a relaxed atomic on a cache line of its own: requests on different
//! cores that bump different counters do not contend, and an allowed GET pays one atomic
//! add and no lock.

#[cfg(feature = "metrics")]
mod publish;

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::policy::{Refusal, Verdict};

/// What a running fairing has done since launch, across reloads, read with
/// [`crate::CorsHandle::stats`]: its answers by outcome and its origin check's calls.
///
/// A preflight counts once as allowed or refused, and once more in `preflights`. Requests
/// without `Origin` are not CORS requests and are not counted. It serialises as one flat
/// object, so an admin endpoint can return it as JSON.
///
/// ```
/// use cors_fairing::{CorsFairing, CorsHandle, Settings};
/// use rocket::http::Header;
/// use rocket::local::blocking::Client;
///
/// let fairing =
///     CorsFairing::from_settings(Settings::default().allow_origin(["https://app.example.com"]));
/// let client = Client::tracked(rocket::build().attach(fairing)).unwrap();
/// client.get("/").header(Header::new("Origin", "https://app.example.com")).dispatch();
/// client.get("/").header(Header::new("Origin", "https://evil.example")).dispatch();
///
/// let stats = client.rocket().state::<CorsHandle>().unwrap().stats();
/// assert_eq!((stats.allowed, stats.refused_origin), (1, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// CORS requests granted the CORS headers (actual requests and preflights).
    pub allowed: u64,
    /// Refused: the origin is not allowed.
    pub refused_origin: u64,
    /// Refused: a preflight asked for a method not in `allow_methods`.
    pub refused_method: u64,
    /// Refused: a preflight asked for a header not in `allow_headers`.
    pub refused_header: u64,
    /// Refused: a malformed `Origin` (not in the form browsers send), two `Origin` or two
    /// `Access-Control-Request-Method` headers, or a malformed or overlong
    /// `Access-Control-Request-Headers`.
    pub refused_malformed: u64,
    /// Preflights answered, allowed or refused.
    pub preflights: u64,
    /// CORS requests to a path outside `paths`: no CORS headers.
    pub out_of_scope: u64,
    /// Non-safe requests refused by `cross_origin_protection` (403, the route never ran).
    /// Each is also counted by its CORS verdict (mostly `refused_origin`).
    pub refused_cross_origin: u64,
    /// Calls of the application's origin check (cache misses that ran it); 0 without one.
    pub origin_check_calls: u64,
    /// Calls that failed: errored, panicked or timed out; each refused the origin.
    pub origin_check_failures: u64,
    /// The origin check's answers in its cache now.
    pub origin_check_cached: usize,
}

/// One counter each; the order of [`Counters::snapshot`]'s fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Allowed,
    RefusedOrigin,
    RefusedMethod,
    RefusedHeader,
    RefusedMalformed,
    OutOfScope,
}

impl Outcome {
    const COUNT: usize = 6;

    /// The outcome of a verdict on a request that carried an `Origin`.
    pub(crate) fn of(verdict: Verdict) -> Option<Outcome> {
        Some(match verdict {
            Verdict::Allowed { .. } => Outcome::Allowed,
            Verdict::OutOfScope => Outcome::OutOfScope,
            Verdict::NoOrigin => return None,
            Verdict::Refused { refusal, .. } => Outcome::of_refusal(refusal),
        })
    }

    pub(crate) fn of_refusal(refusal: Refusal) -> Outcome {
        match refusal {
            Refusal::Origin => Outcome::RefusedOrigin,
            Refusal::Method => Outcome::RefusedMethod,
            Refusal::Header { .. } => Outcome::RefusedHeader,
            Refusal::MalformedOrigin
            | Refusal::MultipleOrigins
            | Refusal::MultipleMethods
            | Refusal::MalformedHeaders
            | Refusal::HeadersTooLong => Outcome::RefusedMalformed,
        }
    }

    /// The label value under which the `metrics` feature publishes it, and the reason
    /// refusal lines name (so that a line and the counter it bumped agree).
    pub(crate) const fn label(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::RefusedOrigin => "refused_origin",
            Outcome::RefusedMethod => "refused_method",
            Outcome::RefusedHeader => "refused_header",
            Outcome::RefusedMalformed => "refused_malformed",
            Outcome::OutOfScope => "out_of_scope",
        }
    }

    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    const ALL: [Outcome; Outcome::COUNT] = [
        Outcome::Allowed,
        Outcome::RefusedOrigin,
        Outcome::RefusedMethod,
        Outcome::RefusedHeader,
        Outcome::RefusedMalformed,
        Outcome::OutOfScope,
    ];
}

/// A counter alone on its cache line (128 bytes: x86's adjacent-line prefetcher and Apple
/// silicon both pull lines in pairs).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded(AtomicU64);

impl Padded {
    fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The live counters, owned by the fairing's state.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    outcomes: [Padded; Outcome::COUNT],
    preflights: Padded,
    cross_origin: Padded,
    #[cfg(feature = "metrics")]
    published: publish::Published,
}

impl Counters {
    /// New counters; with the `metrics` feature, registered with the recorder installed now.
    pub(crate) fn new() -> Counters {
        Counters::default()
    }

    /// Counts the verdict on one request; `origin_sent`: it carried an `Origin` (a path
    /// outside `paths` is judged before the origin is looked at).
    #[inline]
    pub(crate) fn record(&self, verdict: Verdict, origin_sent: bool) {
        match Outcome::of(verdict) {
            // Not a cross-origin request (under `*` it is answered all the same).
            Some(Outcome::OutOfScope | Outcome::Allowed) if !origin_sent => {}
            Some(outcome) => self.count(outcome, verdict.is_preflight()),
            None => {}
        }
    }

    /// Counts one answered CORS request.
    #[inline]
    fn count(&self, outcome: Outcome, preflight: bool) {
        self.outcomes[outcome as usize].bump();
        if preflight {
            self.preflights.bump();
        }
        #[cfg(feature = "metrics")]
        self.published.count(outcome, preflight);
    }

    /// Counts one request refused by cross-origin protection.
    pub(crate) fn record_cross_origin(&self) {
        self.cross_origin.bump();
        #[cfg(feature = "metrics")]
        self.published.count_cross_origin();
    }

    /// The counts so far (each read on its own: a snapshot under load may be mid-request),
    /// the origin check's left at zero.
    pub(crate) fn snapshot(&self) -> Stats {
        let get = |outcome: Outcome| self.outcomes[outcome as usize].get();
        Stats {
            allowed: get(Outcome::Allowed),
            refused_origin: get(Outcome::RefusedOrigin),
            refused_method: get(Outcome::RefusedMethod),
            refused_header: get(Outcome::RefusedHeader),
            refused_malformed: get(Outcome::RefusedMalformed),
            preflights: self.preflights.get(),
            out_of_scope: get(Outcome::OutOfScope),
            refused_cross_origin: self.cross_origin.get(),
            ..Stats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_counted_by_reason() {
        let of = |refusal| Outcome::of(Verdict::Refused { refusal, preflight: false });
        assert_eq!(of(Refusal::Origin), Some(Outcome::RefusedOrigin));
        assert_eq!(of(Refusal::MalformedOrigin), Some(Outcome::RefusedMalformed));
        assert_eq!(of(Refusal::MultipleOrigins), Some(Outcome::RefusedMalformed));
        assert_eq!(of(Refusal::MultipleMethods), Some(Outcome::RefusedMalformed));
        assert_eq!(of(Refusal::Method), Some(Outcome::RefusedMethod));
        assert_eq!(of(Refusal::Header { at: 0 }), Some(Outcome::RefusedHeader));
        assert_eq!(of(Refusal::MalformedHeaders), Some(Outcome::RefusedMalformed));
        assert_eq!(of(Refusal::HeadersTooLong), Some(Outcome::RefusedMalformed));
        assert_eq!(Outcome::of(Verdict::NoOrigin), None);
    }

    #[test]
    fn each_count_lands_in_its_own_counter() {
        let counters = Counters::new();
        counters.count(Outcome::Allowed, false);
        counters.count(Outcome::Allowed, true);
        counters.count(Outcome::RefusedMethod, true);
        counters.count(Outcome::OutOfScope, false);
        let expected = Stats {
            allowed: 2,
            refused_method: 1,
            preflights: 2,
            out_of_scope: 1,
            ..Stats::default()
        };
        assert_eq!(counters.snapshot(), expected);
    }

    #[test]
    fn labels_are_distinct() {
        let mut labels: Vec<_> = Outcome::ALL.iter().map(|o| o.label()).collect();
        labels.dedup();
        assert_eq!(labels.len(), Outcome::COUNT);
        assert!(Outcome::ALL.iter().enumerate().all(|(i, o)| *o as usize == i));
    }

    #[test]
    fn stats_serialise_as_one_flat_object() {
        let stats = Stats { allowed: 3, origin_check_calls: 1, ..Stats::default() };
        assert_eq!(
            rocket::serde::json::to_string(&stats).unwrap(),
            r#"{"allowed":3,"refused_origin":0,"refused_method":0,"refused_header":0,"#.to_owned()
                + r#""refused_malformed":0,"preflights":0,"out_of_scope":0,"refused_cross_origin":0,"#
                + r#""origin_check_calls":1,"#
                + r#""origin_check_failures":0,"origin_check_cached":0}"#
        );
    }
}
