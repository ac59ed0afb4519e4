//! [`Settings`]: the serde model of the `cors` keys, their defaults and the lenient value
//! forms that environment variables need.

mod key;
mod lenient;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use key::{KEYS, Key, closest_key, env_name};

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
/// let settings = Settings {
///     allow_origin: vec!["https://app.example.com".into()],
///     allow_credentials: Some(true),
///     ..Settings::default()
/// };
/// assert_eq!(settings.methods(), ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
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
    /// Quiet time after the last file event before re-reading, in milliseconds.
    #[serde(deserialize_with = "lenient::number")]
    pub reload_settle_ms: u64,
    /// Interval of the periodic check that backs the watcher up, in milliseconds (0 = off).
    #[serde(deserialize_with = "lenient::number")]
    pub reload_poll_ms: u64,
    /// A `KEY=VALUE` file of `CORS_*` lines, read like an extra config file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_file: Option<PathBuf>,
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
            env_file: None,
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
