//! The judgement of one request by one policy: the steps of the Fetch standard's CORS
//! protocol, from the server's side (<https://fetch.spec.whatwg.org/#http-cors-protocol>).
//!
//! The CORS check asks whether the request's `Origin` is allowed; a CORS-preflight request
//! is also asked whether the method and headers it announces are. The outcome is a
//! [`Verdict`], which borrows nothing: a refusal names its kind, and the refused value is
//! read back from the request when it is described ([`Refusal::describe`]).

use std::fmt;

use super::Policy;
use super::headers::{ListProblem, check_request_lines};
use super::names::{ORIGIN, REQUEST_HEADERS, REQUEST_METHOD};
use super::origins::{AllowOrigin, is_well_formed};
use super::request::{CorsRequest, Field};

/// The outcome for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The path is outside `paths`: not a CORS concern, no headers at all.
    OutOfScope,
    /// No `Origin`: not a CORS request; only `Vary` is written.
    NoOrigin,
    /// Refused: only `Vary` is written (or a 403 for preflights with `reject_disallowed`).
    Refused {
        /// Why.
        refusal: Refusal,
        /// The request is a CORS-preflight request.
        preflight: bool,
    },
    /// Allowed: the CORS headers are written.
    Allowed {
        /// The request is a CORS-preflight request (in `always_send_headers` mode: any
        /// `OPTIONS` with `Access-Control-Request-Method`, as the original middleware had it).
        preflight: bool,
        /// `Access-Control-Allow-Origin` echoes the request's origin; `false`: it says `*`.
        reflect: bool,
    },
}

impl Verdict {
    /// Whether the request is a preflight the policy answers.
    pub fn is_preflight(self) -> bool {
        match self {
            Verdict::Refused { preflight, .. } | Verdict::Allowed { preflight, .. } => preflight,
            Verdict::OutOfScope | Verdict::NoOrigin => false,
        }
    }

    /// Whether the CORS headers are granted.
    pub fn is_allowed(self) -> bool {
        matches!(self, Verdict::Allowed { .. })
    }

    /// Why the request was refused, if it was.
    pub fn refusal(self) -> Option<Refusal> {
        match self {
            Verdict::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }
}

/// Why a CORS request was refused. The refused value is in the request:
/// [`Refusal::describe`] reads it back for a log line or a 403 body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// `Origin` is not the serialisation of an origin that browsers send (wrong case, a
    /// default port, a path, too long...).
    MalformedOrigin,
    /// The origin (or `null`) is not allowed.
    Origin,
    /// The request carried more than one `Origin` header.
    MultipleOrigins,
    /// The requested method is not in `allow_methods`.
    Method,
    /// More than one `Access-Control-Request-Method` header.
    MultipleMethods,
    /// A requested header is not in `allow_headers`: the name that starts at byte `at` of
    /// `Access-Control-Request-Headers` (of its lines taken one after another).
    Header {
        /// Where the name starts in the header's value.
        at: u16,
    },
    /// `Access-Control-Request-Headers` is not a list of header names.
    MalformedHeaders,
    /// `Access-Control-Request-Headers` is longer than the crate reads (in bytes, names or
    /// lines).
    HeadersTooLong,
}

impl Refusal {
    /// The refusal as one line, with the refused value read from `request` (the request it
    /// was made for): e.g. `origin "https://evil.example" is not allowed`.
    pub fn describe<'a>(self, request: &'a CorsRequest<'a>) -> impl fmt::Display + 'a {
        Described { refusal: self, request }
    }

    /// The refused value, read from `request` (the request it was made for): the origin,
    /// the method, or the header name; `None` where no one value was refused.
    pub(crate) fn value<'a>(self, request: &CorsRequest<'a>) -> Option<&'a str> {
        match self {
            Refusal::MalformedOrigin | Refusal::Origin => request.origin.one(),
            Refusal::Method => request.request_method.one(),
            Refusal::Header { at } => Some(refused_header(at, request)),
            Refusal::MultipleOrigins
            | Refusal::MultipleMethods
            | Refusal::MalformedHeaders
            | Refusal::HeadersTooLong => None,
        }
    }

    fn of_headers(problem: ListProblem<'_>, lines: &[&str]) -> Refusal {
        match problem {
            ListProblem::TooLong => Refusal::HeadersTooLong,
            ListProblem::Malformed => Refusal::MalformedHeaders,
            // `name` is a slice of one of `lines`, which are at most MAX_REQUEST_HEADERS_LEN
            // long together: `at` counts from the start of the first line.
            ListProblem::NotAllowed(name) => {
                let start = name.as_ptr() as usize;
                let mut before = 0;
                for line in lines {
                    let first = line.as_ptr() as usize;
                    if (first..=first + line.len()).contains(&start) {
                        let at = u16::try_from(before + start - first).unwrap_or(u16::MAX);
                        return Refusal::Header { at };
                    }
                    before += line.len();
                }
                Refusal::Header { at: u16::MAX }
            }
        }
    }
}

/// The header name that starts at byte `at` of `Access-Control-Request-Headers`, its lines
/// taken one after another ([`Refusal::Header`]).
fn refused_header<'a>(at: u16, request: &CorsRequest<'a>) -> &'a str {
    let mut at = usize::from(at);
    let mut rest = "";
    for line in request.request_headers.lines() {
        if at < line.len() {
            rest = line.get(at..).unwrap_or_default();
            break;
        }
        at -= line.len();
    }
    rest.split(',').next().unwrap_or_default().trim_matches([' ', '\t'])
}

struct Described<'a> {
    refusal: Refusal,
    request: &'a CorsRequest<'a>,
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn value(field: Field<'_>) -> Echo<'_> {
            Echo(field.one().unwrap_or_default())
        }
        match self.refusal {
            Refusal::Origin => write!(f, "origin {} is not allowed", value(self.request.origin)),
            Refusal::MalformedOrigin => write!(
                f,
                "origin {} is malformed (not an origin as browsers send it)",
                value(self.request.origin)
            ),
            Refusal::MultipleOrigins => write!(f, "more than one {ORIGIN} header"),
            Refusal::Method => {
                write!(f, "method {} is not in allow_methods", value(self.request.request_method))
            }
            Refusal::MultipleMethods => write!(f, "more than one {REQUEST_METHOD}"),
            Refusal::Header { at } => {
                let name = refused_header(at, self.request);
                write!(f, "header {} is not in allow_headers", Echo(name))
            }
            Refusal::MalformedHeaders => {
                write!(f, "{REQUEST_HEADERS} is not a list of header names")
            }
            Refusal::HeadersTooLong => write!(f, "{REQUEST_HEADERS} is too long"),
        }
    }
}

/// A request's value echoed into a log line or a 403 body: quoted, control characters
/// escaped (`Debug`), and cut after [`Echo::MAX_CHARS`] characters, so that a 100 KB
/// `Origin` gives a one-line, bounded answer.
pub(crate) struct Echo<'a>(pub(crate) &'a str);

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

impl Policy {
    /// The verdict of this policy on a request in its scope (the set judges the scope).
    pub(crate) fn judge(&self, request: &CorsRequest<'_>) -> Verdict {
        if self.verbatim.is_some() {
            // The original middleware judged nothing, and answered every OPTIONS that
            // carried Access-Control-Request-Method.
            let preflight = request.method == "OPTIONS" && request.request_method != Field::Absent;
            return Verdict::Allowed { preflight, reflect: false };
        }
        let preflight = request.is_preflight();
        if self.any_origin {
            // `*`: the same answer for every origin, so `Origin` is not read at all; a
            // preflight is still asked about its method and headers.
            return self.after_cors_check(request, preflight, AllowOrigin::Any);
        }
        let origin = match request.origin {
            Field::Absent => return Verdict::NoOrigin,
            Field::Many => {
                return Verdict::Refused { refusal: Refusal::MultipleOrigins, preflight };
            }
            Field::One(origin) => origin,
        };
        match self.cors_check(origin) {
            Ok(allow_origin) => self.after_cors_check(request, preflight, allow_origin),
            Err(refusal) => Verdict::Refused { refusal, preflight },
        }
    }

    /// The verdict on a request whose origin the lists refused ([`Refusal::Origin`]) and the
    /// application's origin check allowed: granted exactly as a listed origin would be (its
    /// own origin reflected, credentials as configured), a preflight's method and headers
    /// still checked.
    pub(crate) fn judge_checked(&self, request: &CorsRequest<'_>) -> Verdict {
        self.after_cors_check(request, request.is_preflight(), AllowOrigin::Reflect)
    }

    /// The CORS check (<https://fetch.spec.whatwg.org/#cors-check>) from the server's side:
    /// whether `Origin` is allowed, and what `Access-Control-Allow-Origin` says then.
    pub(crate) fn cors_check(&self, origin: &str) -> Result<AllowOrigin, Refusal> {
        match self.origins.check(origin) {
            Some(allow_origin) => Ok(allow_origin),
            None if origin == "null" || is_well_formed(origin) => Err(Refusal::Origin),
            None => Err(Refusal::MalformedOrigin),
        }
    }

    /// Whether the lists allow `origin` as it is (`null` or an exact origin): the cheap part
    /// of [`Policy::cors_check`], no shape check, no pattern.
    pub(crate) fn contains_exact(&self, origin: &str) -> bool {
        self.origins.contains_exact(origin)
    }

    fn after_cors_check(
        &self,
        request: &CorsRequest<'_>,
        preflight: bool,
        allow_origin: AllowOrigin,
    ) -> Verdict {
        if preflight && let Err(refusal) = self.preflight_check(request) {
            return Verdict::Refused { refusal, preflight };
        }
        Verdict::Allowed { preflight, reflect: allow_origin == AllowOrigin::Reflect }
    }

    /// The method and headers a CORS-preflight request announces, checked as the browser's
    /// CORS-preflight fetch would check the answer
    /// (<https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>, steps 7.5-7.8).
    fn preflight_check(&self, request: &CorsRequest<'_>) -> Result<(), Refusal> {
        match request.request_method {
            Field::One(method) if self.methods.allows(method) => {}
            Field::One(_) => return Err(Refusal::Method),
            Field::Many | Field::Absent => return Err(Refusal::MultipleMethods),
        }
        let headers = &request.request_headers;
        if headers.too_many() {
            return Err(Refusal::HeadersTooLong);
        }
        let lines = headers.lines();
        let checked = if self.settings.allow_all_headers {
            check_request_lines(lines, |_| true)
        } else {
            check_request_lines(lines, |name| self.headers.allows(name))
        };
        checked.map_err(|problem| Refusal::of_headers(problem, lines))
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
