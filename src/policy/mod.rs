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
mod router;
mod set;
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
pub(crate) use set::PolicyId;

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
    /// The named policy's name; `None` for the base.
    name: Option<Box<str>>,
    /// The named policies beside the base, if any (only the base has them).
    named: Option<Box<set::Named>>,
}

impl Policy {
    /// Validates `settings` and renders every header value, for the base and every named
    /// policy (all of them or none). Every problem is reported, not only the first.
    pub fn compile(settings: &Settings) -> Result<Policy, ConfigErrors> {
        let base = Policy::compile_one(settings, None);
        let mut errors = Vec::new();
        let mut named_warnings = Vec::new();
        let named = set::compile(&settings.policies, &mut errors, &mut named_warnings);
        let mut policy = match base {
            Ok(policy) => policy,
            Err(base_errors) => {
                let all = base_errors.into_iter().chain(errors).collect();
                return Err(ConfigErrors::from_vec(all).expect("the base's errors"));
            }
        };
        if let Some(errors) = ConfigErrors::from_vec(errors) {
            return Err(errors);
        }
        if named.is_some() {
            for warning in &mut policy.warnings {
                if warning.key() == Some(Key::AllowOrigin.name()) && warning.value.is_empty() {
                    warning.message = "the base allows no origin, so every cross-origin request \
                                       no named policy judges will be refused"
                        .into();
                }
            }
        }
        policy.warnings.extend(named_warnings);
        policy.named = named;
        Ok(policy)
    }

    /// One policy, the base or a named one (`name`), without its named policies.
    fn compile_one(settings: &Settings, name: Option<&str>) -> Result<Policy, ConfigErrors> {
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
            name: name.map(Into::into),
            named: None,
        })
    }

    /// The settings this policy was compiled from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The name of a named policy; `None` for the base.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The named policies beside this one (the base), in name order.
    ///
    /// ```
    /// use cors_fairing::{Policy, Settings};
    ///
    /// let base = Settings::default().allow_origin(["https://app.example.com"]);
    /// let partner = base.clone().paths(["/api/partner/**"]).allow_origin(["https://partner.example"]);
    /// let policy = Policy::compile(&base.policy("partner", partner))?;
    /// let names: Vec<_> = policy.named_policies().filter_map(|p| p.name()).collect();
    /// assert_eq!(names, ["partner"]);
    /// assert_eq!(policy.policy_for("/api/partner/orders").name(), Some("partner"));
    /// assert_eq!(policy.policy_for("/api/items").name(), None); // the base
    /// # Ok::<(), cors_fairing::ConfigErrors>(())
    /// ```
    pub fn named_policies(&self) -> impl Iterator<Item = &Policy> {
        self.named.iter().flat_map(|named| named.policies.iter())
    }

    /// The policy that judges requests to `path`: the named policy whose `paths` match it
    /// most specifically, else this one (the base, within its own `paths`).
    pub fn policy_for(&self, path: &str) -> &Policy {
        self.chosen(self.route(path))
    }

    /// Which policy of the set judges `path`.
    pub(crate) fn route(&self, path: &str) -> PolicyId {
        match &self.named {
            None => PolicyId::BASE,
            Some(named) => named.router.route(path).unwrap_or(PolicyId::BASE),
        }
    }

    /// The policy of the set that `id` names.
    pub(crate) fn chosen(&self, id: PolicyId) -> &Policy {
        match &self.named {
            Some(named) if id != PolicyId::BASE => &named.policies[id.index()],
            _ => self,
        }
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
