//! The compiled policy and the decision for one request. Pure: no Rocket, no I/O.
//!
//! [`Policy::compile`] validates [`Settings`] once and renders every header value up
//! front; [`Policy::decide`] then answers a request with header lines borrowed from the
//! policy or from the request itself, so answering allocates nothing.

mod answer;
mod decision;
mod fingerprint;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod headers;
mod methods;
pub(crate) mod names;
mod origin;
mod paths;
pub(crate) mod vary;
mod verbatim;

pub(crate) use answer::Answer;
pub use answer::HeaderLines;
pub use decision::{CorsRequest, Decision, Field, Refusal, Verdict};
pub(crate) use decision::{Judgement, Listing, Ruling};
pub use fingerprint::Fingerprint;
pub use headers::{ListProblem, MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADERS_LEN};
pub use origin::MAX_ORIGIN_LEN;
pub(crate) use origin::{is_well_formed as is_well_formed_origin, normalise_origin};

use crate::error::{ConfigError, ConfigErrors, ConfigWarning};
use crate::settings::{Key, Settings};
use headers::HeaderNames;
use methods::Methods;
use origin::Origins;
use paths::Paths;

/// Browsers cap `Access-Control-Max-Age` (Firefox at a day, Chromium at two hours).
const MAX_AGE_CAP: u64 = 86_400;

/// A validated, pre-rendered CORS policy.
///
/// ```
/// use cors_fairing::{CorsRequest, Field, Policy, Settings};
///
/// let policy = Policy::compile(&Settings::default().allow_origin(["https://app.example.com"]))?;
/// let request = CorsRequest {
///     origin: Field::One("https://app.example.com"),
///     ..CorsRequest::get("/api/items")
/// };
/// let decision = policy.decide(&request);
/// assert!(decision.is_allowed());
/// assert_eq!(
///     decision.lines().get("Access-Control-Allow-Origin"),
///     Some("https://app.example.com")
/// );
/// # Ok::<(), cors_fairing::ConfigErrors>(())
/// ```
#[derive(Debug, Clone)]
pub struct Policy {
    settings: Settings,
    warnings: Vec<ConfigWarning>,
    origins: Origins,
    methods: Methods,
    headers: HeaderNames,
    expose: HeaderNames,
    credentials: bool,
    max_age: Option<Box<str>>,
    paths: Paths,
    verbatim: Option<verbatim::Verbatim>,
}

impl Policy {
    /// Validates `settings` and renders every header value. Every problem is reported, not
    /// only the first.
    pub fn compile(settings: &Settings) -> Result<Policy, ConfigErrors> {
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        let credentials = settings.credentials();
        let origins = Origins::compile(
            &settings.allow_origin,
            &settings.allow_origin_regex,
            settings.allow_all_origin,
            credentials && !settings.always_send_headers,
            &mut warnings,
            &mut errors,
        );
        let methods = reported(&mut errors, Methods::compile(&settings.methods(), credentials));
        let headers = HeaderNames::compile(Key::AllowHeaders, &settings.headers(), credentials);
        let headers = reported(&mut errors, headers);
        let expose_names: Vec<&str> = settings.expose_headers.iter().map(String::as_str).collect();
        let expose = HeaderNames::compile(Key::ExposeHeaders, &expose_names, credentials);
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
        if let Some(errors) = ConfigErrors::from_vec(errors) {
            return Err(errors);
        }
        if let Some(age) = settings.max_age.filter(|age| *age > MAX_AGE_CAP) {
            warnings.push(ConfigWarning::new(
                Key::MaxAge,
                age.to_string(),
                "browsers cap preflight caching (Firefox at 86400 s, Chromium at 7200 s)",
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
        Ok(Policy {
            settings: settings.clone(),
            warnings,
            origins,
            methods,
            headers,
            expose,
            credentials,
            max_age: settings.max_age.map(|age| age.to_string().into_boxed_str()),
            paths,
            verbatim,
        })
    }

    /// The settings this policy was compiled from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A short stable hash of what this policy answers: equal for equal settings in any
    /// spelling or order, different for any change, the same in every process.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.settings)
    }

    /// What deserves the operator's attention in these settings. The policy knows nothing
    /// of sources: [`crate::CorsHandle::warnings`] gives the warnings of the load in force,
    /// each with its source, and those of the load itself (unknown keys).
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }
}

/// The compiled part, or its default with the error kept for the report.
fn reported<T: Default>(errors: &mut Vec<ConfigError>, compiled: Result<T, ConfigError>) -> T {
    compiled.unwrap_or_else(|err| {
        errors.push(err);
        T::default()
    })
}

#[cfg(test)]
mod tests;
