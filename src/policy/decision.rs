//! The decision for one request, and the header lines that carry it.

use std::fmt;

use super::answer::{Answer, HeaderLines};
use super::headers::{ListProblem, check_request_headers};
use super::names::{ORIGIN, REQUEST_HEADERS, REQUEST_METHOD};
use super::origin::AllowOrigin;
use super::{Policy, PolicyId, vary};

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

impl<'r> Field<'r> {
    /// The value when sent exactly once.
    pub(crate) fn one(self) -> Option<&'r str> {
        match self {
            Field::One(value) => Some(value),
            Field::Absent | Field::Many => None,
        }
    }
}

/// What the decision needs to know of a request, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorsRequest<'r> {
    /// The method, e.g. `GET` or `OPTIONS`.
    pub method: &'r str,
    /// The request path, as sent (`paths` judges its decoded, non-empty segments, as Rocket
    /// routes it).
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
#[non_exhaustive]
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
            Refusal::Origin(origin) => write!(f, "origin {} is not allowed", Echo(origin)),
            Refusal::MultipleOrigins => write!(f, "more than one {ORIGIN} header"),
            Refusal::Method(method) => {
                write!(f, "method {} is not in allow_methods", Echo(method))
            }
            Refusal::MultipleMethods => write!(f, "more than one {REQUEST_METHOD}"),
            Refusal::Headers(ListProblem::NotAllowed(name)) => {
                write!(f, "header {} is not in allow_headers", Echo(name))
            }
            Refusal::Headers(ListProblem::Malformed) => {
                write!(f, "{REQUEST_HEADERS} is not a list of header names")
            }
            Refusal::Headers(ListProblem::TooLong) => {
                write!(f, "{REQUEST_HEADERS} is too long")
            }
        }
    }
}

/// A request's value echoed into a log line or a 403 body: quoted, control characters
/// escaped (`Debug`), and cut after [`Echo::MAX_CHARS`] characters, so that a 100 KB
/// `Origin` gives a one-line, bounded answer.
struct Echo<'a>(&'a str);

impl Echo<'_> {
    const MAX_CHARS: usize = 100;
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(Self::MAX_CHARS) {
            None => write!(f, "{:?}", self.0),
            Some((cut, _)) => {
                write!(f, "{:?}... ({} bytes in all)", &self.0[..cut], self.0.len())
            }
        }
    }
}

/// The outcome for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

/// What to do with one request: the verdict and the header lines to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    pub(super) preflight: bool,
    pub(super) verdict: Verdict<'a>,
    pub(super) lines: HeaderLines<'a>,
    pub(super) policy: Option<&'a str>,
}

impl<'a> Decision<'a> {
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

    /// The named policy that judged the request; `None` when the base did.
    pub fn policy(&self) -> Option<&'a str> {
        self.policy
    }
}

/// What the configured origin lists say of one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// Allowed by `allow_origin`, `allow_origin_regex` or `allow_all_origin`.
    Listed,
    /// Well-formed and not allowed by the lists.
    Unlisted,
    /// Not an origin a browser sends: refused, never put to the check.
    Malformed,
}

/// What the policy concluded about a request, borrowing nothing: it can be kept in the
/// request's cache beside the policy that made it, and rendered by that policy against the
/// same request ([`Policy::answer`]) without judging again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ruling {
    /// Outside `paths`: no header at all.
    OutOfScope,
    /// No `Origin`: `Vary: Origin` alone.
    NoOrigin,
    /// Refused: `Vary` alone.
    Refused {
        /// A preflight's answer also varies with the requested method.
        preflight: bool,
    },
    /// Allowed: the CORS lines (in `always_send_headers` mode, the original's lines).
    Allowed(Grant),
}

/// What an allowed request is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grant {
    /// Whether the request is a preflight this policy answers.
    pub(crate) preflight: bool,
    /// `Access-Control-Allow-Origin`: `*` or the request's own origin.
    pub(crate) origin: AllowOrigin,
}

impl Ruling {
    /// Whether the request is a preflight this policy answers.
    pub(crate) fn is_preflight(self) -> bool {
        match self {
            Ruling::Refused { preflight } | Ruling::Allowed(Grant { preflight, .. }) => preflight,
            Ruling::OutOfScope | Ruling::NoOrigin => false,
        }
    }

    /// The answer when it needs nothing of the policy (nothing, or a static `Vary`: then
    /// the fairing writes it without keeping the policy for the rest of the request), or
    /// else the grant the policy renders lines for.
    pub(crate) fn static_answer(self) -> Result<Answer<'static>, Grant> {
        match self {
            Ruling::OutOfScope => Ok(Answer::Nothing),
            Ruling::NoOrigin => Ok(Answer::Vary(vary::ACTUAL)),
            Ruling::Refused { preflight: true } => Ok(Answer::Vary(vary::PREFLIGHT)),
            Ruling::Refused { preflight: false } => Ok(Answer::Vary(vary::ACTUAL)),
            Ruling::Allowed(grant) => Err(grant),
        }
    }
}

/// A [`Ruling`] with the verdict it stands for, which may borrow from the request (the
/// refused origin, method or header, for the log and the 403 body).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Judgement<'r> {
    pub(crate) ruling: Ruling,
    pub(crate) verdict: Verdict<'r>,
    /// The policy of the set that judged: the one to render the answer with.
    pub(crate) policy: PolicyId,
}

impl Policy {
    /// Decides one request. Allocates nothing: every value is borrowed from the policy or
    /// from the request.
    pub fn decide<'a>(&'a self, request: &CorsRequest<'a>) -> Decision<'a> {
        let Judgement { ruling, verdict, policy } = self.judge(request);
        let policy = self.chosen(policy);
        let lines = policy.answer(ruling, request).lines();
        Decision { preflight: ruling.is_preflight(), verdict, lines, policy: policy.name() }
    }

    /// Everything the decision depends on: scope, origin, and a preflight's method and
    /// headers.
    pub(crate) fn judge<'r>(&self, request: &CorsRequest<'r>) -> Judgement<'r> {
        self.judge_with(request, false)
    }

    /// [`Policy::judge`] for a request whose well-formed origin the application's origin
    /// check allowed (`checked`): then it is granted exactly as a listed origin would be
    /// (its own origin reflected, credentials as configured).
    pub(crate) fn judge_with<'r>(&self, request: &CorsRequest<'r>, checked: bool) -> Judgement<'r> {
        if let Some(named) = &self.named
            && let Some(id) = named.router.route(request.path)
        {
            // Its `paths` matched: the path is in its scope.
            let mut judgement = named.policies[id.index()].judge_in_scope(request, checked);
            judgement.policy = id;
            return judgement;
        }
        if !self.paths.matches(request.path) {
            let (ruling, verdict) = (Ruling::OutOfScope, Verdict::OutOfScope);
            return Judgement { ruling, verdict, policy: PolicyId::BASE };
        }
        self.judge_in_scope(request, checked)
    }

    /// The judgement of this one policy (not its named ones) on a request in its scope.
    fn judge_in_scope<'r>(&self, request: &CorsRequest<'r>, checked: bool) -> Judgement<'r> {
        let judged = |ruling, verdict| Judgement { ruling, verdict, policy: PolicyId::BASE };
        if self.verbatim.is_some() {
            // The original middleware judged nothing, and answered every OPTIONS that
            // carried Access-Control-Request-Method.
            let preflight = request.method == "OPTIONS" && request.request_method != Field::Absent;
            let grant = Grant { preflight, origin: AllowOrigin::Any };
            return judged(Ruling::Allowed(grant), Verdict::Allowed);
        }
        let preflight = request.is_preflight();
        let refused = |refusal| judged(Ruling::Refused { preflight }, Verdict::Refused(refusal));
        let origin = match request.origin {
            Field::Absent => return judged(Ruling::NoOrigin, Verdict::NoOrigin),
            Field::Many => return refused(Refusal::MultipleOrigins),
            Field::One(origin) => origin,
        };
        let listed = self.origins.check(origin);
        let Some(allow_origin) = listed.or(checked.then_some(AllowOrigin::Reflect)) else {
            return refused(Refusal::Origin(origin));
        };
        if preflight && let Err(refusal) = self.check_preflight(request) {
            return refused(refusal);
        }
        judged(Ruling::Allowed(Grant { preflight, origin: allow_origin }), Verdict::Allowed)
    }

    /// Whether the answer to a request for `path` depends on its origin: in scope of
    /// `paths`, and not the original middleware's verbatim output (which judges nothing).
    /// Only then is the application's origin check asked about the request's origin.
    pub(crate) fn judges_origin_at(&self, path: &str) -> bool {
        let id = self.route(path);
        // A named policy's own `paths` matched; the base must match its own.
        self.chosen(id).verbatim.is_none() && (id != PolicyId::BASE || self.paths.matches(path))
    }

    /// Whether the configured lists allow `origin` as it is (`null` or an exact origin):
    /// the cheap part of [`Policy::listing`], no shape check, no pattern.
    pub(crate) fn lists_exactly(&self, origin: &str) -> bool {
        self.origins.lists_exactly(origin)
    }

    /// The judgement of a request whose origin the lists refused (`refused`, from
    /// [`Policy::judge`]) and the application's origin check allowed: granted by the same
    /// policy exactly as a listed origin would be (its own origin reflected, credentials as
    /// configured), a preflight's method and headers still checked. What
    /// [`Policy::judge_with`] gives, without routing and matching the origin again.
    pub(crate) fn grant_checked<'r>(
        &self,
        refused: Judgement<'r>,
        request: &CorsRequest<'r>,
    ) -> Judgement<'r> {
        let policy = self.chosen(refused.policy);
        let preflight = request.is_preflight();
        let (ruling, verdict) = match preflight.then(|| policy.check_preflight(request)) {
            Some(Err(refusal)) => (Ruling::Refused { preflight }, Verdict::Refused(refusal)),
            _ => {
                let grant = Grant { preflight, origin: AllowOrigin::Reflect };
                (Ruling::Allowed(grant), Verdict::Allowed)
            }
        };
        Judgement { ruling, verdict, policy: refused.policy }
    }

    /// What the configured lists say of `origin`: only an [`Listing::Unlisted`] origin is
    /// put to the application's origin check.
    pub(crate) fn listing(&self, origin: &str) -> Listing {
        if self.origins.check(origin).is_some() {
            Listing::Listed
        } else if super::origin::is_well_formed(origin) {
            Listing::Unlisted
        } else {
            Listing::Malformed
        }
    }

    /// The requested method and headers of a preflight.
    fn check_preflight<'r>(&self, request: &CorsRequest<'r>) -> Result<(), Refusal<'r>> {
        match request.request_method {
            Field::One(method) if self.methods.allows(method) => {}
            Field::One(method) => return Err(Refusal::Method(method)),
            Field::Many | Field::Absent => return Err(Refusal::MultipleMethods),
        }
        match request.request_headers {
            Field::Absent => Ok(()),
            Field::Many => Err(Refusal::Headers(ListProblem::Malformed)),
            Field::One(list) => {
                let verdict = if self.settings.allow_all_headers {
                    check_request_headers(list, |_| true)
                } else {
                    check_request_headers(list, |name| self.headers.allows(name))
                };
                verdict.map_err(Refusal::Headers)
            }
        }
    }

    /// Whether every request without `Origin` gets `Vary: Origin` alone, whatever its method
    /// and path: the fairing can then answer one without loading the policy.
    pub(crate) fn answers_every_origin_less_request_with_vary(&self) -> bool {
        self.verbatim.is_none()
            && self.paths.matches_every_path()
            && self.named_policies().all(|named| named.verbatim.is_none())
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
