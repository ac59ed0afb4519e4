//! The header lines a verdict is written as: rendered by [`Policy::write_lines`], borrowed
//! from the policy (values rendered at compile time) or from the request (a reflected
//! origin), so that writing them allocates no string.

use std::fmt;

use super::judge::Verdict;
use super::names::{
    ALLOW_CREDENTIALS, ALLOW_HEADERS, ALLOW_METHODS, ALLOW_ORIGIN, ALLOW_PRIVATE_NETWORK,
    EXPOSE_HEADERS, MAX_AGE, TIMING_ALLOW_ORIGIN, VARY,
};
use super::request::{CorsRequest, MAX_REQUEST_HEADER_LINES};
use super::{Policy, vary};

/// The most lines one answer has: an allowed preflight with every key set writes
/// `Access-Control-Allow-Origin`, `-Credentials`, `-Methods`, `-Max-Age`, `-Private-Network`,
/// `Timing-Allow-Origin`, `Vary`, and one `Access-Control-Allow-Headers` per reflected
/// request line. The original middleware's verbatim output has eight.
const CAPACITY: usize = 7 + MAX_REQUEST_HEADER_LINES;

/// The header lines of one answer, borrowed from the policy or the request. `Vary` is to be
/// appended to the application's, the others set (a name that repeats, the line before
/// it, is appended too).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HeaderLines<'a> {
    lines: [(&'static str, &'a str); CAPACITY],
    len: usize,
}

impl<'a> HeaderLines<'a> {
    pub(super) const fn new() -> Self {
        HeaderLines { lines: [("", ""); CAPACITY], len: 0 }
    }

    pub(super) fn push(&mut self, name: &'static str, value: &'a str) {
        // CAPACITY holds the longest answer (tests/wire_rules.rs writes it); were it ever
        // short, a line is lost rather than a request answered with a panic.
        debug_assert!(self.len < CAPACITY, "HeaderLines::CAPACITY is too small");
        if let Some(slot) = self.lines.get_mut(self.len) {
            *slot = (name, value);
            self.len += 1;
        }
    }

    /// The lines in the order they are written.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'a str)> + '_ {
        self.lines[..self.len].iter().copied()
    }

    /// The value of the named line (names as the crate writes them, compared ignoring case).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No lines at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for HeaderLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// No line: a path outside `paths`.
const NONE: &[(&str, &str)] = &[];
/// Whether or not the origin was allowed, the answer varies with it, so a cache never serves
/// one origin's answer to another (<https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).
const VARY_ACTUAL: &[(&str, &str)] = &[(VARY, vary::ACTUAL)];
const VARY_PREFLIGHT: &[(&str, &str)] = &[(VARY, vary::PREFLIGHT)];

/// The lines of an answer that borrow nothing from the policies: what
/// [`Policy::static_lines`] gives, in the order [`Policy::write_lines`] writes them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StaticLines {
    /// An allowed actual request.
    Allowed(Actual<'static>),
    /// Anything but an allowed request: `Timing-Allow-Origin`, then `lines`.
    Refused { timing: Option<&'static str>, lines: &'static [(&'static str, &'static str)] },
}

impl StaticLines {
    /// Hands the lines to `write`; `request` is the request they answer.
    pub(crate) fn write<'r>(
        self,
        request: &CorsRequest<'r>,
        mut write: impl FnMut(&'static str, &'r str),
    ) {
        match self {
            StaticLines::Allowed(actual) => actual.write(request, write),
            StaticLines::Refused { timing, lines } => {
                if let Some(timing) = timing {
                    write(TIMING_ALLOW_ORIGIN, timing);
                }
                lines.iter().for_each(|&(name, value)| write(name, value));
            }
        }
    }
}

/// The answer to an allowed actual (not preflight) request, with the policy's values,
/// borrowed from it or interned: the one renderer of those lines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Actual<'v> {
    /// The request's origin is reflected; else `*`.
    reflect: bool,
    credentials: bool,
    expose: Option<&'v str>,
    timing: Option<&'v str>,
}

impl<'v> Actual<'v> {
    fn write<'r: 'v>(
        self,
        request: &CorsRequest<'r>,
        mut write: impl FnMut(&'static str, &'v str),
    ) {
        write(ALLOW_ORIGIN, allowed_origin(self.reflect, request));
        if self.credentials {
            write(ALLOW_CREDENTIALS, "true");
        }
        if let Some(expose) = self.expose {
            write(EXPOSE_HEADERS, expose);
        }
        if let Some(timing) = self.timing {
            write(TIMING_ALLOW_ORIGIN, timing);
        }
        // `*` is the same for every origin: no `Vary`, so caches keep one copy.
        if self.reflect {
            write(VARY, vary::ACTUAL);
        }
    }
}

/// The `Access-Control-Allow-Origin` of an allowed request: its origin (judged allowed, so
/// sent once), or `*`.
fn allowed_origin<'r>(reflect: bool, request: &CorsRequest<'r>) -> &'r str {
    if reflect { request.origin.one().unwrap_or_default() } else { "*" }
}

impl Verdict {
    /// The lines of a verdict that needs nothing of the policy (nothing, or `Vary` alone):
    /// then they are written without keeping the policy for the rest of the request.
    /// `None` for an allowed request, whose lines [`Policy::write_lines`] renders.
    pub(crate) fn static_lines(self) -> Option<&'static [(&'static str, &'static str)]> {
        match self {
            Verdict::OutOfScope => Some(NONE),
            Verdict::NoOrigin | Verdict::Refused { preflight: false, .. } => Some(VARY_ACTUAL),
            Verdict::Refused { preflight: true, .. } => Some(VARY_PREFLIGHT),
            Verdict::Allowed { .. } => None,
        }
    }
}

impl Policy {
    /// Hands each line that writes `verdict` (this policy's verdict on `request`) to
    /// `write`, in order: the one renderer of a verdict.
    pub(crate) fn write_lines<'a>(
        &'a self,
        verdict: Verdict,
        request: &CorsRequest<'a>,
        mut write: impl FnMut(&'static str, &'a str),
    ) {
        let (preflight, reflect) = match verdict {
            Verdict::Allowed { preflight, reflect } => (preflight, reflect),
            Verdict::OutOfScope => return,
            Verdict::Refused { preflight: true, .. } if self.any_origin => {
                // Under `*` a refusal depends on the method and headers, never the origin.
                self.write_timing(&mut write);
                return write(VARY, vary::PREFLIGHT_ANY_ORIGIN);
            }
            _ => {
                self.write_timing(&mut write);
                for &(name, value) in verdict.static_lines().unwrap_or_default() {
                    write(name, value);
                }
                return;
            }
        };
        if let Some(verbatim) = &self.verbatim {
            self.write_timing(&mut write);
            return verbatim.write_lines(self, request, write);
        }
        if !preflight {
            let expose = (!self.expose.is_empty()).then_some(&*self.expose.rendered);
            let (credentials, timing) = (self.credentials, self.timing.as_deref());
            return Actual { reflect, credentials, expose, timing }.write(request, write);
        }
        write(ALLOW_ORIGIN, allowed_origin(reflect, request));
        if self.credentials {
            write(ALLOW_CREDENTIALS, "true");
        }
        self.write_preflight_lines(request, reflect, write);
    }

    /// The lines of `verdict` when they borrow nothing from the policy (its values are
    /// interned), so it need not be kept for the rest of the request: every answer but a
    /// preflight's allowed one and the verbatim mode's. `None` where the policy's own lines
    /// are needed (those, a preflight refused under `*`, a value too many to intern).
    pub(crate) fn static_lines(&self, verdict: Verdict) -> Option<StaticLines> {
        let timing = match (&self.timing, verdict) {
            (_, Verdict::OutOfScope) | (None, _) => None,
            (Some(timing), _) => Some(timing.interned()?),
        };
        match verdict {
            Verdict::Allowed { preflight: false, reflect } if self.verbatim.is_none() => {
                let expose = match self.expose.is_empty() {
                    true => None,
                    false => Some(self.expose.rendered.interned()?),
                };
                let credentials = self.credentials;
                Some(StaticLines::Allowed(Actual { reflect, credentials, expose, timing }))
            }
            Verdict::Allowed { .. } => None,
            Verdict::Refused { preflight: true, .. } if self.any_origin => None,
            _ => verdict.static_lines().map(|lines| StaticLines::Refused { timing, lines }),
        }
    }

    /// `Timing-Allow-Origin`, when set: static, on every answer in scope, allowed or not,
    /// with or without `Origin`.
    fn write_timing<'a>(&'a self, write: &mut impl FnMut(&'static str, &'a str)) {
        if let Some(timing) = &self.timing {
            write(TIMING_ALLOW_ORIGIN, timing);
        }
    }

    /// The same lines, collected.
    pub(crate) fn lines<'a>(
        &'a self,
        verdict: Verdict,
        request: &CorsRequest<'a>,
    ) -> HeaderLines<'a> {
        let mut lines = HeaderLines::new();
        self.write_lines(verdict, request, |name, value| lines.push(name, value));
        lines
    }

    /// The lines of an allowed preflight after `Access-Control-Allow-Origin` and
    /// `-Credentials`; the requested headers were checked when it was judged.
    fn write_preflight_lines<'a>(
        &'a self,
        request: &CorsRequest<'a>,
        reflect_origin: bool,
        mut write: impl FnMut(&'static str, &'a str),
    ) {
        let reflect = self.settings.allow_all_headers;
        write(ALLOW_METHODS, &self.methods.rendered);
        let asked = &request.request_headers;
        if reflect {
            // Each line as its own answer line: browsers combine repeated lines into one list.
            for line in asked.lines().iter().filter(|line| !line.is_empty()) {
                write(ALLOW_HEADERS, line);
            }
        } else if !asked.is_absent() && !self.headers.is_empty() {
            write(ALLOW_HEADERS, &self.headers.rendered);
        }
        if let Some(age) = &self.max_age {
            write(MAX_AGE, age);
        }
        if request.request_private_network && self.settings.allow_private_network {
            write(ALLOW_PRIVATE_NETWORK, "true");
        }
        self.write_timing(&mut write);
        let vary = match (reflect_origin, reflect) {
            (true, false) => vary::PREFLIGHT,
            (true, true) => vary::PREFLIGHT_REFLECTING,
            (false, false) => vary::PREFLIGHT_ANY_ORIGIN,
            (false, true) => vary::PREFLIGHT_ANY_ORIGIN_REFLECTING,
        };
        write(VARY, vary);
    }
}
