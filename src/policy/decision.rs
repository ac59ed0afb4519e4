//! The decision for one request, and the header lines that carry it.

use std::fmt;

use super::headers::{ListProblem, check_request_headers};
use super::origin::AllowOrigin;
use super::{Policy, vary};

pub(crate) const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
pub(crate) const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";
pub(crate) const ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
pub(crate) const ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
pub(crate) const EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
pub(crate) const MAX_AGE: &str = "Access-Control-Max-Age";
pub(crate) const ALLOW_PRIVATE_NETWORK: &str = "Access-Control-Allow-Private-Network";

/// A request header as the decision sees it: absent, once, or more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field<'r> {
    /// Not sent.
    #[default]
    Absent,
    /// Sent once, with this value.
    One(&'r str),
    /// Sent more than once: never trusted.
    Many,
}

/// What the decision needs to know of a request, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorsRequest<'r> {
    /// The method, e.g. `GET` or `OPTIONS`.
    pub method: &'r str,
    /// The request path, as sent.
    pub path: &'r str,
    /// `Origin`.
    pub origin: Field<'r>,
    /// `Access-Control-Request-Method`.
    pub request_method: Field<'r>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: Field<'r>,
    /// `Access-Control-Request-Private-Network: true` was sent.
    pub request_private_network: bool,
}

impl<'r> CorsRequest<'r> {
    /// A `GET` of `path` with no CORS headers: a starting point for `..` updates.
    pub fn get(path: &'r str) -> Self {
        CorsRequest {
            method: "GET",
            path,
            origin: Field::Absent,
            request_method: Field::Absent,
            request_headers: Field::Absent,
            request_private_network: false,
        }
    }

    /// A preflight of `path` from `origin` for `method`.
    pub fn preflight(path: &'r str, origin: &'r str, method: &'r str) -> Self {
        CorsRequest {
            method: "OPTIONS",
            origin: Field::One(origin),
            request_method: Field::One(method),
            ..CorsRequest::get(path)
        }
    }

    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self.origin != Field::Absent
            && self.request_method != Field::Absent
    }
}

/// Why a CORS request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal<'r> {
    /// The origin is not allowed (or not well-formed).
    Origin(&'r str),
    /// The request carried more than one `Origin` header.
    MultipleOrigins,
    /// The requested method is not in `allow_methods`.
    Method(&'r str),
    /// More than one `Access-Control-Request-Method` header.
    MultipleMethods,
    /// The requested headers are not all allowed, or not a well-formed list.
    Headers(ListProblem<'r>),
}

impl fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Origin(origin) => write!(f, "origin {origin:?} is not allowed"),
            Refusal::MultipleOrigins => f.write_str("more than one Origin header"),
            Refusal::Method(method) => write!(f, "method {method:?} is not in allow_methods"),
            Refusal::MultipleMethods => f.write_str("more than one Access-Control-Request-Method"),
            Refusal::Headers(ListProblem::NotAllowed(name)) => {
                write!(f, "header {name:?} is not in allow_headers")
            }
            Refusal::Headers(ListProblem::Malformed) => {
                f.write_str("Access-Control-Request-Headers is not a list of header names")
            }
            Refusal::Headers(ListProblem::TooLong) => {
                f.write_str("Access-Control-Request-Headers is too long")
            }
        }
    }
}

/// The outcome for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'r> {
    /// The path is outside `paths`: not a CORS concern, no headers at all.
    OutOfScope,
    /// No `Origin`: not a CORS request; only `Vary` is written.
    NoOrigin,
    /// Allowed: the CORS headers are written.
    Allowed,
    /// Refused: only `Vary` is written (or a 403 for preflights with `reject_disallowed`).
    Refused(Refusal<'r>),
}

/// Up to eight header lines, borrowed from the policy or the request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HeaderLines<'a> {
    lines: [(&'static str, &'a str); 8],
    len: usize,
}

impl<'a> HeaderLines<'a> {
    pub(super) const fn new() -> Self {
        HeaderLines { lines: [("", ""); 8], len: 0 }
    }

    pub(super) fn push(&mut self, name: &'static str, value: &'a str) {
        self.lines[self.len] = (name, value);
        self.len += 1;
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

/// What to do with one request: the verdict and the header lines to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    pub(super) preflight: bool,
    pub(super) verdict: Verdict<'a>,
    pub(super) lines: HeaderLines<'a>,
}

impl<'a> Decision<'a> {
    fn with_vary(preflight: bool, verdict: Verdict<'a>, vary: &'static str) -> Self {
        let mut lines = HeaderLines::new();
        lines.push(vary::NAME, vary);
        Decision { preflight, verdict, lines }
    }

    fn refused(preflight: bool, refusal: Refusal<'a>) -> Self {
        let vary = if preflight { vary::PREFLIGHT } else { vary::ACTUAL };
        Decision::with_vary(preflight, Verdict::Refused(refusal), vary)
    }

    /// Whether the request is a preflight this policy answers.
    pub fn is_preflight(&self) -> bool {
        self.preflight
    }

    /// The verdict.
    pub fn verdict(&self) -> Verdict<'a> {
        self.verdict
    }

    /// Whether the CORS headers are granted.
    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allowed
    }

    /// Why the request was refused, if it was.
    pub fn refusal(&self) -> Option<Refusal<'a>> {
        match self.verdict {
            Verdict::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// The header lines to write; `Vary` is to be appended, the others set.
    pub fn lines(&self) -> HeaderLines<'a> {
        self.lines
    }
}

/// What the policy concluded about a request before any line is rendered. It borrows only
/// the request, so the fairing can judge on a short-lived guard and render from the
/// request's snapshot of the very same policy, without judging twice.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Judgement<'r> {
    request: CorsRequest<'r>,
    preflight: bool,
    verdict: Verdict<'r>,
    /// `Access-Control-Allow-Origin` of an allowed request: `*` or the request's origin.
    allow_origin: &'r str,
    /// A preflight's `Access-Control-Request-Headers`, checked.
    requested_headers: Option<&'r str>,
}

impl<'r> Judgement<'r> {
    fn new(request: &CorsRequest<'r>, preflight: bool, verdict: Verdict<'r>) -> Self {
        Judgement {
            request: *request,
            preflight,
            verdict,
            allow_origin: "",
            requested_headers: None,
        }
    }

    pub(crate) fn verdict(&self) -> Verdict<'r> {
        self.verdict
    }

    /// The value of `Vary` when it is the only line (no origin, a refusal): `'static`, so it
    /// can be written without keeping the policy for the rest of the request.
    pub(crate) fn vary_only(&self) -> Option<&'static str> {
        match self.verdict {
            Verdict::NoOrigin => Some(vary::ACTUAL),
            Verdict::Refused(_) if self.preflight => Some(vary::PREFLIGHT),
            Verdict::Refused(_) => Some(vary::ACTUAL),
            Verdict::OutOfScope | Verdict::Allowed => None,
        }
    }
}

impl Policy {
    /// Decides one request. Allocates nothing: every value is borrowed from the policy or
    /// from the request.
    pub fn decide<'a>(&'a self, request: &CorsRequest<'a>) -> Decision<'a> {
        self.render(&self.judge(request))
    }

    /// Everything the decision depends on: scope, origin, and a preflight's method and
    /// headers.
    pub(crate) fn judge<'r>(&self, request: &CorsRequest<'r>) -> Judgement<'r> {
        if !self.paths.matches(request.path) {
            return Judgement::new(request, false, Verdict::OutOfScope);
        }
        if self.verbatim.is_some() {
            // The original middleware judged nothing; its lines are rendered as they are.
            return Judgement::new(request, false, Verdict::Allowed);
        }
        let preflight = request.is_preflight();
        let refused = |refusal| Judgement::new(request, preflight, Verdict::Refused(refusal));
        let origin = match request.origin {
            Field::Absent => return Judgement::new(request, false, Verdict::NoOrigin),
            Field::Many => return refused(Refusal::MultipleOrigins),
            Field::One(origin) => origin,
        };
        let mut judgement = Judgement::new(request, preflight, Verdict::Allowed);
        judgement.allow_origin = match self.origins.check(origin) {
            Some(AllowOrigin::Any) => "*",
            Some(AllowOrigin::Reflect) => origin,
            None => return refused(Refusal::Origin(origin)),
        };
        if preflight {
            match self.check_preflight(request) {
                Ok(requested) => judgement.requested_headers = requested,
                Err(refusal) => return refused(refusal),
            }
        }
        judgement
    }

    /// The requested method and headers of a preflight; the checked header list if any.
    fn check_preflight<'r>(
        &self,
        request: &CorsRequest<'r>,
    ) -> Result<Option<&'r str>, Refusal<'r>> {
        match request.request_method {
            Field::One(method) if self.methods.allows(method) => {}
            Field::One(method) => return Err(Refusal::Method(method)),
            Field::Many | Field::Absent => return Err(Refusal::MultipleMethods),
        }
        match request.request_headers {
            Field::Absent => Ok(None),
            Field::Many => Err(Refusal::Headers(ListProblem::Malformed)),
            Field::One(list) => {
                let verdict = if self.settings.allow_all_headers {
                    check_request_headers(list, |_| true)
                } else {
                    check_request_headers(list, |name| self.headers.allows(name))
                };
                verdict.map_err(Refusal::Headers)?;
                Ok(Some(list))
            }
        }
    }

    /// The header lines for a judgement this policy made.
    pub(crate) fn render<'a>(&'a self, judgement: &Judgement<'a>) -> Decision<'a> {
        let preflight = judgement.preflight;
        match judgement.verdict {
            Verdict::OutOfScope => {
                return Decision {
                    preflight,
                    verdict: Verdict::OutOfScope,
                    lines: HeaderLines::new(),
                };
            }
            Verdict::NoOrigin => {
                return Decision::with_vary(false, Verdict::NoOrigin, vary::ACTUAL);
            }
            Verdict::Refused(refusal) => return Decision::refused(preflight, refusal),
            Verdict::Allowed => {}
        }
        if let Some(verbatim) = &self.verbatim {
            return verbatim.decide(self, &judgement.request);
        }
        let mut lines = HeaderLines::new();
        lines.push(ALLOW_ORIGIN, judgement.allow_origin);
        if self.credentials {
            lines.push(ALLOW_CREDENTIALS, "true");
        }
        if preflight {
            self.preflight_lines(judgement, &mut lines);
        } else {
            if !self.expose.is_empty() {
                lines.push(EXPOSE_HEADERS, &self.expose.rendered);
            }
            lines.push(vary::NAME, vary::ACTUAL);
        }
        Decision { preflight, verdict: Verdict::Allowed, lines }
    }

    fn preflight_lines<'a>(&'a self, judgement: &Judgement<'a>, lines: &mut HeaderLines<'a>) {
        let reflect = self.settings.allow_all_headers;
        lines.push(ALLOW_METHODS, &self.methods.rendered);
        match judgement.requested_headers {
            Some(list) if reflect && !list.is_empty() => lines.push(ALLOW_HEADERS, list),
            Some(_) if !reflect && !self.headers.is_empty() => {
                lines.push(ALLOW_HEADERS, &self.headers.rendered)
            }
            _ => {}
        }
        if let Some(age) = &self.max_age {
            lines.push(MAX_AGE, age);
        }
        if judgement.request.request_private_network && self.settings.allow_private_network {
            lines.push(ALLOW_PRIVATE_NETWORK, "true");
        }
        lines.push(vary::NAME, if reflect { vary::PREFLIGHT_REFLECTING } else { vary::PREFLIGHT });
    }

    /// Whether every request without `Origin` gets `Vary: Origin` alone, whatever its method
    /// and path: the fairing can then answer one without loading the policy.
    pub(crate) fn answers_every_origin_less_request_with_vary(&self) -> bool {
        self.verbatim.is_none() && self.paths.matches_every_path()
    }

    /// The status of an answered preflight (204 or 200).
    pub fn preflight_status(&self) -> u16 {
        self.settings.preflight_status as u16
    }

    /// Whether refused preflights get a 403.
    pub fn rejects_disallowed(&self) -> bool {
        self.settings.reject_disallowed
    }
}
