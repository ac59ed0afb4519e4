//! The summary of one candidate's differences: counts per change and reason, and the
//! origins that showed them, at most [`ReportOnly::MAX_ORIGINS`] of them. An origin is
//! chosen by whoever sends the request, so the origins beyond the bound are only counted,
//! as `other_origins`: a flood of made-up origins can grow neither memory nor the log.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::policy::Fingerprint;

/// The candidate would refuse what is allowed now, or allow what is refused now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    WouldRefuse,
    WouldAllow,
}

impl Change {
    pub(crate) const ALL: [Change; 2] = [Change::WouldRefuse, Change::WouldAllow];

    /// As the summary, the log and the metric's `change` label say it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Change::WouldRefuse => "would_refuse",
            Change::WouldAllow => "would_allow",
        }
    }

    /// As a log line says it.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Change::WouldRefuse => "would refuse",
            Change::WouldAllow => "would allow",
        }
    }
}

/// What the difference is about, as [`crate::status::Stats`] counts refusals: the reason the
/// candidate refuses (would refuse), or the reason the policy refuses and the candidate
/// does not (would allow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Origin,
    Method,
    Header,
    Malformed,
}

impl Reason {
    pub(crate) const ALL: [Reason; 4] =
        [Reason::Origin, Reason::Method, Reason::Header, Reason::Malformed];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Reason::Origin => "origin",
            Reason::Method => "method",
            Reason::Header => "header",
            Reason::Malformed => "malformed",
        }
    }
}

/// One (change, reason) pair as an index: 8 of them.
fn slot(change: Change, reason: Reason) -> usize {
    change as usize * Reason::ALL.len() + reason as usize
}

const SLOTS: usize = Change::ALL.len() * Reason::ALL.len();

/// A value of the request kept in the summary (an origin, a method, a header name) is cut
/// after this many characters; the origins browsers send are far shorter.
pub(crate) const MAX_VALUE_CHARS: usize = 100;

/// Methods and header names kept per origin: the first ones seen.
const MAX_VALUES: usize = 8;

/// What one candidate's judgements differed in, since the candidate came into force: what
/// [`crate::CorsHandle::report_only`] returns for each policy with a candidate (or whose
/// candidate was removed since, until a new one arrives). It serialises as JSON for an
/// admin endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportOnly {
    /// The named policy the candidate shadows; `None` for the base.
    pub policy: Option<String>,
    /// The candidate's fingerprint: what [`crate::policy::Policies::policy_fingerprint`] says of its
    /// policy once the candidate is promoted into it.
    pub fingerprint: Fingerprint,
    /// Whether the candidate is still judged: `false` once a reload removed it (the last
    /// summary stays readable, so that the promotion can name it).
    pub in_force: bool,
    /// When the candidate came into force (the summary started), in ms since the Unix epoch.
    pub since_unix_ms: u64,
    /// Requests judged differently, by change and reason; pairs never seen are left out.
    pub differences: Vec<Difference>,
    /// The origins that showed differences, most requests first: at most
    /// [`ReportOnly::MAX_ORIGINS`], the first ones seen.
    pub origins: Vec<ReportedOrigin>,
    /// Requests judged differently from origins beyond the bound: counted, not named.
    pub other_origins: u64,
}

impl ReportOnly {
    /// How many origins a summary names at most.
    pub const MAX_ORIGINS: usize = 100;

    /// The number of requests with `change` (`"would_refuse"` or `"would_allow"`) for
    /// `reason` (`"origin"`, `"method"`, `"header"`, `"malformed"`).
    pub fn count(&self, change: &str, reason: &str) -> u64 {
        let found = self.differences.iter().find(|d| d.change == change && d.reason == reason);
        found.map_or(0, |difference| difference.count)
    }
}

/// A number of requests judged differently in one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Difference {
    /// `would_refuse`: the candidate refuses what the policy allows; `would_allow`: the
    /// reverse.
    pub change: &'static str,
    /// `origin`, `method`, `header` or `malformed`: why the candidate refuses (would
    /// refuse), or why the policy does (would allow).
    pub reason: &'static str,
    /// How many requests.
    pub count: u64,
}

/// One origin of a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportedOrigin {
    /// The request's `Origin`, cut after 100 characters.
    pub origin: String,
    /// Requests from it judged differently.
    pub count: u64,
    /// When the last of them was judged, in ms since the Unix epoch.
    pub last_seen_unix_ms: u64,
    /// Its requests by change and reason.
    pub differences: Vec<Difference>,
    /// The methods and header names its differing preflights asked for (cut, at most 8):
    /// what the candidate would refuse or newly allow.
    pub values: Vec<String>,
}

/// The live summary of one candidate.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) policy: Option<Box<str>>,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) in_force: bool,
    since: SystemTime,
    counts: [u64; SLOTS],
    origins: Vec<Seen>,
    /// Where each origin of `origins` is.
    index: HashMap<Box<str>, usize>,
    other: u64,
}

#[derive(Debug)]
struct Seen {
    origin: Box<str>,
    count: u64,
    last_seen: SystemTime,
    counts: [u64; SLOTS],
    values: Vec<Box<str>>,
}

/// What noting a difference found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Noted {
    /// The origin's first request with this change and reason: worth a line.
    First,
    /// Seen before: counted.
    Again,
    /// The origin is beyond the bound: counted as other; its line is rate-limited.
    Other,
}

impl Summary {
    pub(crate) fn new(policy: Option<&str>, fingerprint: Fingerprint) -> Summary {
        Summary {
            policy: policy.map(Into::into),
            fingerprint,
            in_force: true,
            since: SystemTime::now(),
            counts: [0; SLOTS],
            origins: Vec::new(),
            index: HashMap::new(),
            other: 0,
        }
    }

    /// Counts one request from `origin` with `change` for `reason`; `value` is the method or
    /// header name it was about, if any.
    pub(crate) fn note(
        &mut self,
        origin: &str,
        change: Change,
        reason: Reason,
        value: Option<&str>,
        now: SystemTime,
    ) -> Noted {
        let slot = slot(change, reason);
        self.counts[slot] += 1;
        let origin = cut(origin);
        let at = match self.index.get(origin) {
            Some(&at) => at,
            None if self.origins.len() >= ReportOnly::MAX_ORIGINS => {
                self.other += 1;
                return Noted::Other;
            }
            None => {
                let at = self.origins.len();
                self.origins.push(Seen {
                    origin: origin.into(),
                    count: 0,
                    last_seen: now,
                    counts: [0; SLOTS],
                    values: Vec::new(),
                });
                self.index.insert(origin.into(), at);
                at
            }
        };
        let seen = &mut self.origins[at];
        seen.count += 1;
        seen.last_seen = now;
        seen.counts[slot] += 1;
        if let Some(value) = value.map(cut)
            && seen.values.len() < MAX_VALUES
            && !seen.values.iter().any(|v| **v == *value)
        {
            seen.values.push(value.into());
        }
        if seen.counts[slot] == 1 { Noted::First } else { Noted::Again }
    }

    /// The summary as the handle hands it out.
    pub(crate) fn report(&self) -> ReportOnly {
        let mut origins: Vec<ReportedOrigin> = self
            .origins
            .iter()
            .map(|seen| ReportedOrigin {
                origin: seen.origin.to_string(),
                count: seen.count,
                last_seen_unix_ms: unix_ms(seen.last_seen),
                differences: differences(&seen.counts),
                values: seen.values.iter().map(ToString::to_string).collect(),
            })
            .collect();
        origins.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.origin.cmp(&b.origin)));
        ReportOnly {
            policy: self.policy.as_deref().map(Into::into),
            fingerprint: self.fingerprint,
            in_force: self.in_force,
            since_unix_ms: unix_ms(self.since),
            differences: differences(&self.counts),
            origins,
            other_origins: self.other,
        }
    }

    /// Requests counted with `change` for any reason.
    pub(crate) fn total(&self, change: Change) -> u64 {
        Reason::ALL.iter().map(|reason| self.counts[slot(change, *reason)]).sum()
    }

    /// The origins named, and whether more were counted as other.
    pub(crate) fn origins(&self) -> impl Iterator<Item = &str> {
        self.origins.iter().map(|seen| &*seen.origin)
    }
}

fn differences(counts: &[u64; SLOTS]) -> Vec<Difference> {
    let pairs = Change::ALL.into_iter().flat_map(|c| Reason::ALL.map(|r| (c, r)));
    pairs
        .filter(|(change, reason)| counts[slot(*change, *reason)] > 0)
        .map(|(change, reason)| Difference {
            change: change.label(),
            reason: reason.label(),
            count: counts[slot(change, reason)],
        })
        .collect()
}

/// `value` cut after [`MAX_VALUE_CHARS`] characters.
pub(crate) fn cut(value: &str) -> &str {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => &value[..at],
        None => value,
    }
}

fn unix_ms(time: SystemTime) -> u64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint() -> Fingerprint {
        crate::policy::Policies::compile(&crate::Settings::default()).unwrap().fingerprint()
    }

    #[test]
    fn a_hundred_thousand_origins_fill_the_bound_and_count_the_rest() {
        let mut summary = Summary::new(None, fingerprint());
        let now = SystemTime::now();
        let long = "x".repeat(10_000);
        let mut noted = [0usize; 3];
        for i in 0..100_000 {
            let origin = format!("https://o{i}.example{}", if i % 2 == 0 { "" } else { &long });
            let outcome = summary.note(&origin, Change::WouldRefuse, Reason::Origin, None, now);
            noted[outcome as usize] += 1;
        }
        // The origins named are bounded in number and in length: memory stays flat.
        assert_eq!(summary.origins.len(), ReportOnly::MAX_ORIGINS);
        assert_eq!(summary.index.len(), ReportOnly::MAX_ORIGINS);
        assert!(summary.origins.iter().all(|s| s.origin.chars().count() <= MAX_VALUE_CHARS));
        let report = summary.report();
        assert_eq!(report.other_origins, 100_000 - ReportOnly::MAX_ORIGINS as u64);
        assert_eq!(report.count("would_refuse", "origin"), 100_000);
        // One line's worth per named origin; the rest go to the rate limiter.
        assert_eq!(noted, [ReportOnly::MAX_ORIGINS, 0, 100_000 - ReportOnly::MAX_ORIGINS]);
    }

    #[test]
    fn each_change_and_reason_of_an_origin_is_first_once() {
        let mut summary = Summary::new(Some("partner"), fingerprint());
        let now = SystemTime::now();
        let o = "https://a.example";
        assert_eq!(
            summary.note(o, Change::WouldRefuse, Reason::Method, Some("PUT"), now),
            Noted::First
        );
        assert_eq!(
            summary.note(o, Change::WouldRefuse, Reason::Method, Some("PUT"), now),
            Noted::Again
        );
        assert_eq!(
            summary.note(o, Change::WouldRefuse, Reason::Header, Some("x-a"), now),
            Noted::First
        );
        assert_eq!(
            summary.note(o, Change::WouldAllow, Reason::Method, Some("PATCH"), now),
            Noted::First
        );
        let report = summary.report();
        assert_eq!(report.origins[0].values, ["PUT", "x-a", "PATCH"]);
        assert_eq!(report.origins[0].count, 4);
        assert_eq!(report.count("would_refuse", "method"), 2);
        assert_eq!(report.count("would_allow", "method"), 1);
    }
}
