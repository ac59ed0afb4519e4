//! [`Settings`]: the serde model of the `cors` keys, their defaults and the lenient value
//! forms that environment variables need.

mod key;
mod lenient;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use key::keys;
pub(crate) use key::{
    Canon, POLICIES, REPORT_ONLY, Scope, Shown, candidate_key, closest_key, django_name, env_name,
    policy_key,
};

/// The methods allowed when `allow_methods` is not set.
pub(crate) const DEFAULT_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// The request headers allowed when `allow_headers` is not set.
pub(crate) const DEFAULT_HEADERS: &[&str] =
    &["Accept", "Authorization", "Content-Type", "X-Requested-With"];

keys! {
    /// Allowed origins: `https://app.example.com`, `*`, `null`, `https://*.example.com`.
    AllowOrigin allow_origin: Vec<String> = Vec::new(), list,
        serde(deserialize_with = "lenient::list"), Policy, Origins,
        |s: &Settings| Shown::list(&s.allow_origin, "(none: every cross-origin request is refused)");
    /// Allowed methods (case-sensitive tokens); `None` = `GET, HEAD, POST, PUT, PATCH, DELETE`.
    AllowMethods allow_methods: Option<Vec<String>> = None, some_list,
        serde(deserialize_with = "lenient::opt_list", skip_serializing_if = "Option::is_none"),
        Policy, Set, |s: &Settings| Shown::or_default(&s.allow_methods, DEFAULT_METHODS);
    /// Allowed request headers (case-insensitive); `None` = `Accept, Authorization,
    /// Content-Type, X-Requested-With`.
    AllowHeaders allow_headers: Option<Vec<String>> = None, some_list,
        serde(deserialize_with = "lenient::opt_list", skip_serializing_if = "Option::is_none"),
        Policy, Names, |s: &Settings| Shown::or_default(&s.allow_headers, DEFAULT_HEADERS);
    /// Send `Access-Control-Allow-Credentials: true`; `None` = off.
    AllowCredentials allow_credentials: Option<bool> = None, some(bool),
        serde(deserialize_with = "lenient::opt_bool", skip_serializing_if = "Option::is_none"),
        Policy, Value,
        |s: &Settings| Shown { set: s.allow_credentials.is_some(), ..Shown::one(s.credentials()) };
    /// Response headers a page may read.
    ExposeHeaders expose_headers: Vec<String> = Vec::new(), list,
        serde(deserialize_with = "lenient::list"), Policy, Names,
        |s: &Settings| Shown::list(&s.expose_headers, "(none)");
    /// Seconds a browser may cache a preflight; `None` = no `Access-Control-Max-Age`.
    MaxAge max_age: Option<u64> = None, some(u64),
        serde(deserialize_with = "lenient::opt_seconds", skip_serializing_if = "Option::is_none"),
        Policy, Value,
        |s: &Settings| Shown::maybe(s.max_age, "(unset: no Access-Control-Max-Age)");
    /// Reflect any well-formed `Origin` (present = on, an explicit false value = off).
    AllowAllOrigin allow_all_origin: bool = false, value,
        serde(deserialize_with = "lenient::presence"), Policy, Value,
        |s: &Settings| Shown::one(s.allow_all_origin);
    /// Reflect `Access-Control-Request-Headers` (present = on, explicit false = off).
    AllowAllHeaders allow_all_headers: bool = false, value,
        serde(deserialize_with = "lenient::presence"), Policy, Value,
        |s: &Settings| Shown::one(s.allow_all_headers);
    /// Regexes an origin may match instead, each anchored to the whole origin.
    AllowOriginRegex allow_origin_regex: Vec<String> = Vec::new(), list,
        serde(deserialize_with = "lenient::regex_list"), Policy, Set,
        |s: &Settings| Shown::list(&s.allow_origin_regex, "(none)");
    /// Legacy: answer Private Network Access preflights. Chrome 142 replaced them with Local
    /// Network Access, a user permission that no response header grants.
    AllowPrivateNetwork allow_private_network: bool = false, value,
        serde(deserialize_with = "lenient::flag"), Policy, Value,
        |s: &Settings| Shown::one(s.allow_private_network);
    /// Path patterns where CORS applies (`/api/**`, `/public/*`, `/exact`); empty = all.
    Paths paths: Vec<String> = Vec::new(), list,
        serde(deserialize_with = "lenient::list"), Policy, Set,
        |s: &Settings| Shown::list(&s.paths, "(every path)");
    /// Status of an answered preflight: 204 or 200.
    PreflightStatus preflight_status: u64 = 204, value,
        serde(deserialize_with = "lenient::number"), Policy, Value,
        |s: &Settings| Shown::one(s.preflight_status);
    /// Refused preflights get 403 and a one-line reason.
    RejectDisallowed reject_disallowed: bool = false, value,
        serde(deserialize_with = "lenient::flag"), Policy, Value,
        |s: &Settings| Shown::one(s.reject_disallowed);
    /// The original middleware's output: every header on every response, verbatim.
    AlwaysSendHeaders always_send_headers: bool = false, value,
        serde(deserialize_with = "lenient::flag"), Policy, Value,
        |s: &Settings| Shown::one(s.always_send_headers);
    /// Origins that may read a response's detailed Resource Timing: `*` or exact origins,
    /// sent as `Timing-Allow-Origin` on every response in scope.
    TimingAllowOrigin timing_allow_origin: Vec<String> = Vec::new(), list,
        serde(deserialize_with = "lenient::list"), Policy, Origins,
        |s: &Settings| Shown::list(&s.timing_allow_origin, "(none: no Timing-Allow-Origin)");
    /// The only way to combine `allow_all_origin` with `allow_credentials`: every site may
    /// then read responses made with the user's cookies. Warned about at every load.
    DangerouslyAllowAllOriginWithCredentials dangerously_allow_all_origin_with_credentials:
        bool = false, value, serde(deserialize_with = "lenient::flag"), Policy, Value,
        |s: &Settings| Shown::one(s.dangerously_allow_all_origin_with_credentials);
    /// One info line per refused request (method, path, policy, origin, reason), at most
    /// a few per policy and reason every minute.
    LogRefusals log_refusals: bool = false, value,
        serde(deserialize_with = "lenient::flag"), Policy, Skip,
        |s: &Settings| Shown::one(s.log_refusals);
    /// Refuse (403) a non-safe request (not GET, HEAD, OPTIONS) that comes from another
    /// origin than the server's own or an allowed one, before its route runs.
    CrossOriginProtection cross_origin_protection: bool = false, value,
        serde(deserialize_with = "lenient::flag"), Policy, Value,
        |s: &Settings| Shown::one(s.cross_origin_protection);
    /// Watch the config files and reload on change.
    Reload reload: bool = true, value,
        serde(deserialize_with = "lenient::flag"), Fairing, Skip,
        |s: &Settings| Shown::one(s.reload);
    /// Quiet time after the last file event before re-reading, in milliseconds; a reload
    /// comes at most 4 times this after the first event, however often the file is saved.
    ReloadSettleMs reload_settle_ms: u64 = 50, value,
        serde(deserialize_with = "lenient::number"), Fairing, Skip,
        |s: &Settings| Shown::one(s.reload_settle_ms);
    /// Interval of the periodic check that backs the watcher up, in milliseconds (0 = off).
    ReloadPollMs reload_poll_ms: u64 = 2_000, value,
        serde(deserialize_with = "lenient::number"), Fairing, Skip,
        |s: &Settings| Shown::one(s.reload_poll_ms);
    /// How long an answer of the application's origin check is cached, in milliseconds.
    OriginCheckTtlMs origin_check_ttl_ms: u64 = 60_000, value,
        serde(deserialize_with = "lenient::number"), Fairing, Skip,
        |s: &Settings| Shown::one(s.origin_check_ttl_ms);
    /// How many origins' answers of the origin check are cached at most.
    OriginCheckCacheSize origin_check_cache_size: u64 = 10_000, value,
        serde(deserialize_with = "lenient::number"), Fairing, Skip,
        |s: &Settings| Shown::one(s.origin_check_cache_size);
    /// How long one call of the origin check may take before it refuses, in milliseconds.
    OriginCheckTimeoutMs origin_check_timeout_ms: u64 = 2_000, value,
        serde(deserialize_with = "lenient::number"), Fairing, Skip,
        |s: &Settings| Shown::one(s.origin_check_timeout_ms);
    /// A `KEY=VALUE` file of `CORS_*` lines, read like an extra config file.
    EnvFile env_file: Option<PathBuf> = None, path,
        serde(skip_serializing_if = "Option::is_none"), Fairing, Skip,
        |s: &Settings| Shown::maybe(s.env_file.as_ref().map(|p| p.display()), "(none)");
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

impl Settings {
    /// A named policy: `settings` judge the requests its `paths` match most specifically.
    /// Given in code, a named policy is whole (nothing is inherited): build it from a clone
    /// of the base.
    ///
    /// ```
    /// use cors_fairing::Settings;
    /// use cors_fairing::policy::{CorsRequest, Policies};
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

    /// A report-only candidate for this policy: judged beside it on every request it
    /// judges, with the differences in [`crate::CorsHandle::report_only`], never enforced.
    /// Given in code, the candidate is whole: build it from a clone of this policy (before
    /// adding named policies or a candidate to it). Its `paths` must be the policy's.
    ///
    /// ```
    /// use cors_fairing::Settings;
    /// use cors_fairing::policy::{CorsRequest, Policies};
    ///
    /// let live = Settings::default().allow_origin(["https://app.example.com", "https://old.example.com"]);
    /// let tighter = live.clone().allow_origin(["https://app.example.com"]);
    /// let policies = Policies::compile(&live.report_only(tighter))?;
    /// let request = CorsRequest::preflight("/api/items", "https://old.example.com", "GET");
    /// assert!(policies.decide(&request).is_allowed()); // enforced
    /// assert!(!policies.decide_report_only(&request).unwrap().is_allowed()); // reported
    /// # Ok::<(), cors_fairing::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn report_only(mut self, candidate: Settings) -> Self {
        self.report_only = Some(Box::new(candidate));
        self
    }
}
