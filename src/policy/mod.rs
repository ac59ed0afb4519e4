//! The compiled policies and the verdict on one request. Pure: no Rocket, no I/O.
//!
//! [`Policies::compile`] validates [`Settings`] once and renders every header value up
//! front. A request ([`CorsRequest`]) is judged by one [`Policy`] of the set into one
//! [`Verdict`], which `Policy::lines` renders into header lines borrowed from the policy
//! or from the request itself, so answering allocates nothing.
//!
//! `request` <- `judge` <- `lines` <- `decision` <- `set`: each file uses only those before
//! it; the origins, methods, header names and paths a policy holds are below all of them.

mod candidate;
mod decision;
mod fingerprint;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod headers;
mod interned;
mod judge;
mod lines;
mod methods;
pub(crate) mod names;
mod origins;
mod paths;
mod protection;
mod request;
mod router;
mod set;
mod timing;
pub(crate) mod vary;
mod verbatim;

pub(crate) use candidate::Candidate;
pub use decision::Decision;
pub use fingerprint::Fingerprint;
pub use headers::{MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADERS_LEN};
pub(crate) use judge::Echo;
pub use judge::{Refusal, Verdict};
pub use lines::HeaderLines;
pub use origins::MAX_ORIGIN_LEN;
pub(crate) use origins::normalise_origin;
pub(crate) use protection::{Protection, Site};
pub use request::{CorsRequest, Field, MAX_REQUEST_HEADER_LINES, RequestHeaders};
pub use set::Policies;
pub(crate) use set::PolicyId;

use crate::error::{ConfigError, ConfigErrors, ConfigWarning};
use crate::settings::{Key, Settings};
use headers::HeaderNames;
use methods::Methods;
use origins::Origins;
use paths::Paths;

/// Above this `Access-Control-Max-Age` some engine caps it: Chromium at two hours.
const MAX_AGE_CAP: u64 = 7_200;

/// How long each engine keeps a preflight answer cached under `max_age`: WebKit caps it at
/// 10 minutes, Chromium at 2 hours, Firefox at 24 hours
/// (<https://fetch.spec.whatwg.org/#http-access-control-max-age> leaves the cap to them).
pub(crate) fn max_age_in_engines(max_age: u64) -> String {
    format!(
        "WebKit for up to {} s, Chromium {} s, Firefox {} s",
        max_age.min(600),
        max_age.min(7_200),
        max_age.min(86_400)
    )
}

/// One validated, pre-rendered CORS policy: the base (the `cors` table) or a named one.
/// [`Policies`] holds them; [`Policies::for_path`] says which judges a path.
#[derive(Debug, Clone)]
pub struct Policy {
    settings: Settings,
    origins: Origins,
    methods: Methods,
    headers: HeaderNames,
    expose: HeaderNames,
    credentials: bool,
    max_age: Option<Box<str>>,
    paths: Paths,
    verbatim: Option<verbatim::Verbatim>,
    /// `allow_origin = "*"`: every in-scope response carries the same answer whatever the
    /// request's `Origin`, which is then never read, so caches keep one copy
    /// (<https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).
    any_origin: bool,
    /// `Timing-Allow-Origin`, rendered; `None`: no line.
    timing: Option<interned::Rendered>,
    /// The named policy's name; `None` for the base.
    name: Option<Box<str>>,
}

impl Policy {
    /// One policy, the base or a named one (`name`), and its warnings.
    fn compile(
        settings: &Settings,
        name: Option<&str>,
    ) -> Result<(Policy, Vec<ConfigWarning>), ConfigErrors> {
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        let credentials = settings.credentials();
        let origins = Origins::compile(
            &settings.allow_origin,
            &settings.allow_origin_regex,
            settings.allow_all_origin,
            credentials && !settings.always_send_headers,
            settings.dangerously_allow_all_origin_with_credentials,
            &mut warnings,
            &mut errors,
        );
        let timing = timing::compile(&settings.timing_allow_origin, &mut errors);
        let methods = reported(&mut errors, Methods::compile(&settings.methods(), credentials));
        let (names, w) = (&settings.headers(), &mut warnings);
        let headers =
            reported(&mut errors, HeaderNames::compile(Key::AllowHeaders, names, credentials, w));
        let expose_names: Vec<&str> = settings.expose_headers.iter().map(String::as_str).collect();
        let expose = HeaderNames::compile(Key::ExposeHeaders, &expose_names, credentials, w);
        let expose = reported(&mut errors, expose);
        let paths = reported(&mut errors, Paths::compile(&settings.paths));
        if !matches!(settings.preflight_status, 200 | 204) {
            errors.push(
                ConfigError::new(
                    Key::PreflightStatus,
                    settings.preflight_status.to_string(),
                    "a preflight is answered with 200 or 204",
                )
                .hint("204 (the default) or 200 for very old clients"),
            );
        }
        if settings.cross_origin_protection && settings.always_send_headers {
            errors.push(
                ConfigError::new(
                    Key::CrossOriginProtection,
                    "true",
                    "cross-origin protection trusts the origins the policy allows, and \
                     `always_send_headers` (the original middleware's output) allows none: \
                     it judges no origin",
                )
                .hint("turn off one of `cross_origin_protection` and `always_send_headers`"),
            );
        }
        let trusts_all =
            settings.allow_all_origin || settings.allow_origin.iter().any(|o| o == "*");
        if settings.cross_origin_protection && trusts_all {
            warnings.push(ConfigWarning::new(
                Key::CrossOriginProtection,
                "true",
                "cross-origin protection trusts every origin the policy allows, and it allows \
                 any (`*` or `allow_all_origin`): it refuses only requests without a usable Origin",
            ));
        }
        if let Some(age) = settings.max_age.filter(|age| *age > MAX_AGE_CAP) {
            warnings.push(ConfigWarning::new(
                Key::MaxAge,
                age.to_string(),
                format!(
                    "browsers cap how long they keep a preflight answer: Chromium at 2 h \
                     (7200 s), Firefox at 24 h (86400 s), WebKit at 10 min (600 s), so they keep \
                     this one {}",
                    max_age_in_engines(age)
                ),
            ));
        }
        if let Some(errors) = ConfigErrors::from_vec(errors) {
            return Err(errors.with_warnings(warnings));
        }
        if headers.any_but_authorization() && !settings.allow_all_headers {
            warnings.push(ConfigWarning::new(
                Key::AllowHeaders,
                "*",
                "`*` does not cover `Authorization` (Fetch standard), so a preflight asking to \
                 send it is refused; to allow it, list it beside `*`: \
                 allow_headers = [\"*\", \"Authorization\"]",
            ));
        }
        if origins.is_empty() && !settings.always_send_headers {
            warnings.push(ConfigWarning::new(
                Key::AllowOrigin,
                "",
                "no origin is allowed, so every cross-origin request will be refused",
            ));
        }
        let verbatim = settings.always_send_headers.then(|| verbatim::Verbatim::render(settings));
        let any_origin = origins.is_any();
        let policy = Policy {
            settings: settings.clone(),
            origins,
            methods,
            headers,
            expose,
            credentials,
            max_age: settings.max_age.map(|age| age.to_string().into_boxed_str()),
            paths,
            verbatim,
            any_origin,
            timing,
            name: name.map(Into::into),
        };
        Ok((policy, warnings))
    }

    /// The settings this policy was compiled from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether cross-origin protection applies to the non-safe requests this policy judges.
    pub(crate) fn protects(&self) -> bool {
        self.settings.cross_origin_protection
    }

    /// The name of a named policy; `None` for the base.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether a request without `Origin` gets `Vary: Origin` alone: not under `*` (which
    /// answers it like any other), not with `Timing-Allow-Origin` (on every response), not in
    /// the original middleware's verbatim mode.
    pub(crate) fn vary_alone_without_origin(&self) -> bool {
        self.verbatim.is_none() && !self.any_origin && self.timing.is_none()
    }
}

/// The compiled part, or its default with the error kept for the report.
/// `compiled`, or its default with every one of its errors in `errors`.
fn reported<T: Default>(errors: &mut Vec<ConfigError>, compiled: Result<T, Vec<ConfigError>>) -> T {
    compiled.unwrap_or_else(|found| {
        errors.extend(found);
        T::default()
    })
}

#[cfg(test)]
mod tests;
