//! [`Settings`]: the serde model of the `cors` keys, their defaults and the lenient value
//! forms that environment variables need.

mod key;
mod lenient;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use key::{KEYS, Key, POLICIES, closest_key, env_name, policy_key};

/// The methods allowed when `allow_methods` is not set.
pub const DEFAULT_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// The request headers allowed when `allow_headers` is not set.
pub const DEFAULT_HEADERS: &[&str] =
    &["Accept", "Authorization", "Content-Type", "X-Requested-With"];

/// The CORS settings, one field per key of the `cors` table.
///
/// Fields whose default matters to `always_send_headers` (where the original middleware sent
/// an empty header for an unset key) are `Option`s: `None` means "not set".
///
/// ```
/// use cors_fairing::Settings;
///
/// let settings = Settings::default()
///     .allow_origin(["https://app.example.com"])
///     .allow_credentials(true);
/// assert_eq!(settings.allow_origin, ["https://app.example.com"]);
/// assert_eq!(settings.allow_credentials, Some(true));
/// assert_eq!(settings.methods(), ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Settings {
    /// Allowed origins: `https://app.example.com`, `*`, `null`, `https://*.example.com`.
    #[serde(deserialize_with = "lenient::list")]
    pub allow_origin: Vec<String>,
    /// Regexes an origin may match instead, each anchored to the whole origin.
    #[serde(deserialize_with = "lenient::regex_list")]
    pub allow_origin_regex: Vec<String>,
    /// Allowed methods (case-sensitive tokens); `None` = [`DEFAULT_METHODS`].
    #[serde(deserialize_with = "lenient::opt_list", skip_serializing_if = "Option::is_none")]
    pub allow_methods: Option<Vec<String>>,
    /// Allowed request headers (case-insensitive); `None` = [`DEFAULT_HEADERS`].
    #[serde(deserialize_with = "lenient::opt_list", skip_serializing_if = "Option::is_none")]
    pub allow_headers: Option<Vec<String>>,
    /// Send `Access-Control-Allow-Credentials: true`; `None` = off.
    #[serde(deserialize_with = "lenient::opt_bool", skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    /// Response headers a page may read.
    #[serde(deserialize_with = "lenient::list")]
    pub expose_headers: Vec<String>,
    /// Seconds a browser may cache a preflight; `None` = no `Access-Control-Max-Age`.
    #[serde(deserialize_with = "lenient::opt_seconds", skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// Reflect any well-formed `Origin` (present = on, an explicit false value = off).
    #[serde(deserialize_with = "lenient::presence")]
    pub allow_all_origin: bool,
    /// Reflect `Access-Control-Request-Headers` (present = on, explicit false = off).
    #[serde(deserialize_with = "lenient::presence")]
    pub allow_all_headers: bool,
    /// Answer Private Network Access preflights.
    #[serde(deserialize_with = "lenient::flag")]
    pub allow_private_network: bool,
    /// Path patterns where CORS applies (`/api/**`, `/public/*`, `/exact`); empty = all.
    #[serde(deserialize_with = "lenient::list")]
    pub paths: Vec<String>,
    /// Status of an answered preflight: 204 or 200.
    #[serde(deserialize_with = "lenient::number")]
    pub preflight_status: u64,
    /// Refused preflights get 403 and a one-line reason.
    #[serde(deserialize_with = "lenient::flag")]
    pub reject_disallowed: bool,
    /// The original middleware's output: every header on every response, verbatim.
    #[serde(deserialize_with = "lenient::flag")]
    pub always_send_headers: bool,
    /// Watch the config files and reload on change.
    #[serde(deserialize_with = "lenient::flag")]
    pub reload: bool,
    /// Quiet time after the last file event before re-reading, in milliseconds; a reload
    /// comes at most 4 times this after the first event, however often the file is saved.
    #[serde(deserialize_with = "lenient::number")]
    pub reload_settle_ms: u64,
    /// Interval of the periodic check that backs the watcher up, in milliseconds (0 = off).
    #[serde(deserialize_with = "lenient::number")]
    pub reload_poll_ms: u64,
    /// How long an answer of the application's origin check is cached, in milliseconds.
    #[serde(deserialize_with = "lenient::number")]
    pub origin_check_ttl_ms: u64,
    /// How many origins' answers of the origin check are cached at most.
    #[serde(deserialize_with = "lenient::number")]
    pub origin_check_cache_size: u64,
    /// How long one call of the origin check may take before it refuses, in milliseconds.
    #[serde(deserialize_with = "lenient::number")]
    pub origin_check_timeout_ms: u64,
    /// A `KEY=VALUE` file of `CORS_*` lines, read like an extra config file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_file: Option<PathBuf>,
    /// Named policies by path (`[default.cors.policies.<name>]`), each whole: a request is
    /// judged by the one whose `paths` match it most specifically, and by this (the base)
    /// where none does. Read from a file or the environment, every key a named policy leaves
    /// unset is the base's; given in code, each is complete (start from a clone of the base).
    /// The loader fills this map; serde does not read it from the `policies` table itself.
    #[serde(skip_deserializing, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Settings>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allow_origin: Vec::new(),
            allow_origin_regex: Vec::new(),
            allow_methods: None,
            allow_headers: None,
            allow_credentials: None,
            expose_headers: Vec::new(),
            max_age: None,
            allow_all_origin: false,
            allow_all_headers: false,
            allow_private_network: false,
            paths: Vec::new(),
            preflight_status: 204,
            reject_disallowed: false,
            always_send_headers: false,
            reload: true,
            reload_settle_ms: 50,
            reload_poll_ms: 2_000,
            origin_check_ttl_ms: 60_000,
            origin_check_cache_size: 10_000,
            origin_check_timeout_ms: 2_000,
            env_file: None,
            policies: BTreeMap::new(),
        }
    }
}

impl Settings {
    /// The allowed methods, the default list when unset.
    pub fn methods(&self) -> Vec<&str> {
        match &self.allow_methods {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => DEFAULT_METHODS.to_vec(),
        }
    }

    /// The allowed request headers, the default list when unset.
    pub fn headers(&self) -> Vec<&str> {
        match &self.allow_headers {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => DEFAULT_HEADERS.to_vec(),
        }
    }

    /// Whether credentials are allowed.
    pub fn credentials(&self) -> bool {
        self.allow_credentials.unwrap_or(false)
    }
}

/// Builder methods, one per key: `Settings::default().allow_origin([..]).max_age(600)`.
/// They keep code that builds settings compiling when a key is added (`Settings` is
/// `#[non_exhaustive]`, so it cannot be written as a struct literal outside the crate).
impl Settings {
    /// Allowed origins, replacing any set before.
    #[must_use]
    pub fn allow_origin(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.allow_origin = items.into_iter().map(Into::into).collect();
        self
    }

    /// Regexes an origin may match instead.
    #[must_use]
    pub fn allow_origin_regex(
        mut self,
        items: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.allow_origin_regex = items.into_iter().map(Into::into).collect();
        self
    }

    /// Allowed methods.
    #[must_use]
    pub fn allow_methods(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.allow_methods = Some(items.into_iter().map(Into::into).collect());
        self
    }

    /// Allowed request headers.
    #[must_use]
    pub fn allow_headers(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.allow_headers = Some(items.into_iter().map(Into::into).collect());
        self
    }

    /// Whether to send `Access-Control-Allow-Credentials: true`.
    #[must_use]
    pub fn allow_credentials(mut self, on: bool) -> Self {
        self.allow_credentials = Some(on);
        self
    }

    /// Response headers a page may read.
    #[must_use]
    pub fn expose_headers(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.expose_headers = items.into_iter().map(Into::into).collect();
        self
    }

    /// Seconds a browser may cache a preflight.
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Reflect any well-formed `Origin`.
    #[must_use]
    pub fn allow_all_origin(mut self, on: bool) -> Self {
        self.allow_all_origin = on;
        self
    }

    /// Reflect `Access-Control-Request-Headers`.
    #[must_use]
    pub fn allow_all_headers(mut self, on: bool) -> Self {
        self.allow_all_headers = on;
        self
    }

    /// Answer Private Network Access preflights.
    #[must_use]
    pub fn allow_private_network(mut self, on: bool) -> Self {
        self.allow_private_network = on;
        self
    }

    /// Path patterns where CORS applies.
    #[must_use]
    pub fn paths(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.paths = items.into_iter().map(Into::into).collect();
        self
    }

    /// Status of an answered preflight: 204 or 200.
    #[must_use]
    pub fn preflight_status(mut self, value: u64) -> Self {
        self.preflight_status = value;
        self
    }

    /// Refused preflights get 403 and a one-line reason.
    #[must_use]
    pub fn reject_disallowed(mut self, on: bool) -> Self {
        self.reject_disallowed = on;
        self
    }

    /// The original middleware's output, verbatim.
    #[must_use]
    pub fn always_send_headers(mut self, on: bool) -> Self {
        self.always_send_headers = on;
        self
    }

    /// Watch the config files and reload on change.
    #[must_use]
    pub fn reload(mut self, on: bool) -> Self {
        self.reload = on;
        self
    }

    /// Quiet time after the last file event, in milliseconds.
    #[must_use]
    pub fn reload_settle_ms(mut self, value: u64) -> Self {
        self.reload_settle_ms = value;
        self
    }

    /// Interval of the periodic check, in milliseconds (0 = off).
    #[must_use]
    pub fn reload_poll_ms(mut self, value: u64) -> Self {
        self.reload_poll_ms = value;
        self
    }

    /// A `KEY=VALUE` file of `CORS_*` lines.
    #[must_use]
    pub fn env_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.env_file = Some(path.into());
        self
    }

    /// A named policy: `settings` judge the requests its `paths` match most specifically.
    /// Given in code, a named policy is whole (nothing is inherited): build it from a clone
    /// of the base.
    ///
    /// ```
    /// use cors_fairing::{CorsRequest, Policies, Settings};
    ///
    /// let base = Settings::default().allow_origin(["https://app.example.com"]);
    /// let public = base.clone().paths(["/public/**"]).allow_origin(["*"]);
    /// let policy = Policies::compile(&base.policy("public", public))?;
    /// let request = CorsRequest::preflight("/public/stats", "https://any.example", "GET");
    /// let decision = policy.decide(&request);
    /// assert_eq!(decision.policy(), Some("public"));
    /// assert_eq!(decision.lines().get("Access-Control-Allow-Origin"), Some("*"));
    /// # Ok::<(), cors_fairing::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn policy(mut self, name: impl Into<String>, settings: Settings) -> Self {
        self.policies.insert(name.into(), settings);
        self
    }
}
