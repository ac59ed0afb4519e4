//! Report-only candidates at run time: each request a policy with a candidate judges is
//! judged by the candidate too, and where the two verdicts differ the difference is
//! counted in the candidate's [`Summary`], logged once per (policy, change, origin,
//! reason), and (feature `metrics`) counted as `cors_fairing_report_only_total`. Nothing
//! here changes an answer: the policy's verdict alone is written.
//!
//! The log follows the summary's bound: an origin the summary names gets one line per
//! change and reason; one beyond it goes through the crate's rate limit for per-request
//! lines, so attacker-chosen origins can fill neither memory nor the log.

mod summary;

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use crate::log_limit::LogLimit;
use crate::policy::{Candidate, CorsRequest, Policies, Refusal, Verdict};
use summary::{Change, Noted, Reason, Summary, cut};
pub use summary::{Difference, ReportOnly, ReportedOrigin};

/// The metric counting differences, labelled `policy`, `change` and `reason`.
#[cfg(feature = "metrics")]
pub(crate) const METRIC: &str = "cors_fairing_report_only_total";

/// Every candidate's summary.
#[derive(Debug, Default)]
pub(crate) struct Reports {
    /// One per policy that has a candidate, or had one and has no new one yet.
    summaries: Mutex<Vec<Summary>>,
}

impl Reports {
    /// Judges `request` with `candidate`, the candidate of the policy that gave `enforced`,
    /// and records a difference. `allowed_by_check` says whether the application's origin
    /// check allowed the origin: the candidate is judged with the same answer. Lines for
    /// origins beyond the bound go through `limit`, the crate's one rate limit.
    pub(crate) fn judge(
        &self,
        limit: &LogLimit,
        candidate: &Candidate,
        enforced: Verdict,
        allowed_by_check: impl FnOnce() -> bool,
        request: &CorsRequest<'_>,
    ) {
        let Some(origin) = request.origin.one() else { return };
        if matches!(enforced, Verdict::OutOfScope | Verdict::NoOrigin) {
            return;
        }
        let mut verdict = candidate.policy.judge(request);
        if let Verdict::Refused { refusal: Refusal::Origin, .. } = verdict
            && allowed_by_check()
        {
            verdict = candidate.policy.judge_checked(request);
        }
        let (change, refusal) = match (enforced, verdict) {
            (Verdict::Allowed { .. }, Verdict::Refused { refusal, .. }) => {
                (Change::WouldRefuse, refusal)
            }
            (Verdict::Refused { refusal, .. }, Verdict::Allowed { .. }) => {
                (Change::WouldAllow, refusal)
            }
            _ => return,
        };
        self.record(limit, candidate, change, refusal, origin, request);
    }

    #[cold]
    fn record(
        &self,
        limit: &LogLimit,
        candidate: &Candidate,
        change: Change,
        refusal: Refusal,
        origin: &str,
        request: &CorsRequest<'_>,
    ) {
        let reason = reason(refusal);
        let policy = candidate.policy.name();
        #[cfg(feature = "metrics")]
        metrics::counter!(METRIC, "policy" => policy.unwrap_or(BASE).to_string(),
            "change" => change.label(), "reason" => reason.label())
        .increment(1);
        let value = match refusal {
            Refusal::Origin | Refusal::MalformedOrigin => None,
            other => other.value(request),
        };
        let noted = {
            let mut summaries = self.lock();
            let Some(summary) =
                summaries.iter_mut().find(|s| s.policy.as_deref() == policy && s.in_force)
            else {
                return;
            };
            if summary.fingerprint != candidate.fingerprint {
                // Judged with a set a reload has replaced since: not this candidate's.
                return;
            }
            summary.note(origin, change, reason, value, SystemTime::now())
        };
        let line = || Line { change, refusal, request, policy: policy.unwrap_or(BASE) }.to_string();
        match noted {
            Noted::First => log::info!("{}", line()),
            Noted::Again => {}
            Noted::Other => limit.info(policy.unwrap_or(BASE), limit_key(change, reason), line),
        }
    }

    /// Follows the set about to be put in force: a candidate new or changed (another
    /// fingerprint) starts a new summary; one removed keeps its last summary, no longer in
    /// force, until its policy gets a new candidate.
    pub(crate) fn follow(&self, policies: &Policies) {
        let mut summaries = self.lock();
        let named = policies.named().map(|policy| policy.name());
        for name in std::iter::once(None).chain(named) {
            let fingerprint = policies.report_only_fingerprint(name);
            let at = summaries.iter().position(|s| s.policy.as_deref() == name);
            match (fingerprint, at) {
                (Some(new), Some(at)) if summaries[at].fingerprint == new => {
                    summaries[at].in_force = true;
                }
                (Some(new), Some(at)) => summaries[at] = Summary::new(name, new),
                (Some(new), None) => summaries.push(Summary::new(name, new)),
                (None, Some(at)) => summaries[at].in_force = false,
                (None, None) => {}
            }
        }
        // A policy removed altogether: its candidate is no longer in force either.
        for summary in summaries.iter_mut() {
            let name = summary.policy.as_deref();
            if name.is_some_and(|name| !policies.named().any(|p| p.name() == Some(name))) {
                summary.in_force = false;
            }
        }
    }

    /// Every summary, the base's first, then by policy name.
    pub(crate) fn reports(&self) -> Vec<ReportOnly> {
        let mut reports: Vec<ReportOnly> = self.lock().iter().map(Summary::report).collect();
        reports.sort_by(|a, b| a.policy.cmp(&b.policy));
        reports
    }

    /// What the summary of the policy `name` (the base: `None`) saw, in one phrase for the
    /// narrowing warning of a promotion; `None` without a summary.
    pub(crate) fn seen(&self, name: Option<&str>) -> Option<String> {
        let summaries = self.lock();
        let summary = summaries.iter().find(|s| s.policy.as_deref() == name)?;
        let refused = summary.total(Change::WouldRefuse);
        let mut origins: Vec<&str> = summary.origins().take(5).collect();
        origins.sort_unstable();
        let named = if origins.is_empty() {
            String::new()
        } else {
            format!(
                " (from {}{})",
                origins.join(", "),
                if summary.origins().nth(5).is_some() { ", ..." } else { "" }
            )
        };
        Some(format!(
            "its report-only candidate {} saw {refused} request(s) it would refuse{named}; \
             CorsHandle::report_only() has the whole report",
            summary.fingerprint
        ))
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Summary>> {
        self.summaries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How the log names the base policy.
const BASE: &str = "base";

fn reason(refusal: Refusal) -> Reason {
    match refusal {
        Refusal::Origin => Reason::Origin,
        Refusal::Method => Reason::Method,
        Refusal::Header { .. } => Reason::Header,
        _ => Reason::Malformed,
    }
}

/// The rate limit's key for lines beyond the bound: one budget per change and reason.
fn limit_key(change: Change, reason: Reason) -> &'static str {
    match (change, reason) {
        (Change::WouldRefuse, Reason::Origin) => "report-only would refuse origin",
        (Change::WouldRefuse, Reason::Method) => "report-only would refuse method",
        (Change::WouldRefuse, Reason::Header) => "report-only would refuse header",
        (Change::WouldRefuse, Reason::Malformed) => "report-only would refuse malformed",
        (Change::WouldAllow, Reason::Origin) => "report-only would allow origin",
        (Change::WouldAllow, Reason::Method) => "report-only would allow method",
        (Change::WouldAllow, Reason::Header) => "report-only would allow header",
        (Change::WouldAllow, Reason::Malformed) => "report-only would allow malformed",
    }
}

/// ``CORS report-only: would refuse GET /api/items from https://old.example.com (origin not
/// allowed; policy `base`)``: the request's values escaped and cut.
struct Line<'a> {
    change: Change,
    refusal: Refusal,
    request: &'a CorsRequest<'a>,
    policy: &'a str,
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request = self.request;
        let method = match (request.is_preflight(), request.request_method.one()) {
            (true, Some(method)) => method,
            _ => request.method,
        };
        write!(
            f,
            "CORS report-only: {} {} {} from {} (",
            self.change.words(),
            Shown(method),
            Shown(request.path),
            Shown(request.origin.one().unwrap_or_default()),
        )?;
        let verb = match self.change {
            Change::WouldRefuse => "not allowed",
            Change::WouldAllow => "allowed",
        };
        match (self.refusal, self.refusal.value(request)) {
            (Refusal::Origin, _) => write!(f, "origin {verb}")?,
            (Refusal::Method, Some(method)) => write!(f, "method {} {verb}", Shown(method))?,
            (Refusal::Header { .. }, Some(name)) => write!(f, "header {} {verb}", Shown(name))?,
            (refusal, _) => write!(f, "{}", refusal.describe(request))?,
        }
        write!(f, "; policy `{}`)", self.policy)
    }
}

/// A request's value in a log line: control characters escaped, cut after 100 characters.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept = cut(self.0);
        write!(f, "{}", crate::error::escaped(kept))?;
        if kept.len() < self.0.len() {
            write!(f, "... ({} bytes in all)", self.0.len())?;
        }
        Ok(())
    }
}
