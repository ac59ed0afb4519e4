//! [`Settings`]: the serde model of the `cors` keys, their defaults and the lenient value
//! forms that environment variables need.

use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The methods allowed when `allow_methods` is not set.
pub const DEFAULT_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// The request headers allowed when `allow_headers` is not set.
pub const DEFAULT_HEADERS: &[&str] =
    &["Accept", "Authorization", "Content-Type", "X-Requested-With"];

/// Every key the `cors` table (or a `CORS_*` variable) may hold.
pub const KEYS: &[&str] = &[
    "allow_origin",
    "allow_origin_regex",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "expose_headers",
    "max_age",
    "allow_all_origin",
    "allow_all_headers",
    "allow_private_network",
    "paths",
    "preflight_status",
    "reject_disallowed",
    "always_send_headers",
    "reload",
    "reload_settle_ms",
    "reload_poll_ms",
    "env_file",
];

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
    #[serde(deserialize_with = "list")]
    pub allow_origin: Vec<String>,
    /// Regexes an origin may match instead, each anchored to the whole origin.
    #[serde(deserialize_with = "regex_list")]
    pub allow_origin_regex: Vec<String>,
    /// Allowed methods (case-sensitive tokens); `None` = [`DEFAULT_METHODS`].
    #[serde(deserialize_with = "opt_list", skip_serializing_if = "Option::is_none")]
    pub allow_methods: Option<Vec<String>>,
    /// Allowed request headers (case-insensitive); `None` = [`DEFAULT_HEADERS`].
    #[serde(deserialize_with = "opt_list", skip_serializing_if = "Option::is_none")]
    pub allow_headers: Option<Vec<String>>,
    /// Send `Access-Control-Allow-Credentials: true`; `None` = off.
    #[serde(deserialize_with = "opt_bool", skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    /// Response headers a page may read.
    #[serde(deserialize_with = "list")]
    pub expose_headers: Vec<String>,
    /// Seconds a browser may cache a preflight; `None` = no `Access-Control-Max-Age`.
    #[serde(deserialize_with = "opt_seconds", skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// Reflect any well-formed `Origin` (present = on, an explicit false value = off).
    #[serde(deserialize_with = "presence")]
    pub allow_all_origin: bool,
    /// Reflect `Access-Control-Request-Headers` (present = on, explicit false = off).
    #[serde(deserialize_with = "presence")]
    pub allow_all_headers: bool,
    /// Answer Private Network Access preflights.
    #[serde(deserialize_with = "flag")]
    pub allow_private_network: bool,
    /// Path patterns where CORS applies (`/api/**`, `/public/*`, `/exact`); empty = all.
    #[serde(deserialize_with = "list")]
    pub paths: Vec<String>,
    /// Status of an answered preflight: 204 or 200.
    #[serde(deserialize_with = "number")]
    pub preflight_status: u64,
    /// Refused preflights get 403 and a one-line reason.
    #[serde(deserialize_with = "flag")]
    pub reject_disallowed: bool,
    /// The original middleware's output: every header on every response, verbatim.
    #[serde(deserialize_with = "flag")]
    pub always_send_headers: bool,
    /// Watch the config files and reload on change.
    #[serde(deserialize_with = "flag")]
    pub reload: bool,
    /// Quiet time after the last file event before re-reading, in milliseconds.
    #[serde(deserialize_with = "number")]
    pub reload_settle_ms: u64,
    /// Interval of the periodic check that backs the watcher up, in milliseconds (0 = off).
    #[serde(deserialize_with = "number")]
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

/// `allow_origin` -> `CORS_ALLOW_ORIGIN`.
pub fn env_name(key: &str) -> String {
    format!("CORS_{}", key.to_ascii_uppercase())
}

/// The known key closest to an unknown one, for "did you mean" hints.
///
/// Names that django-cors-headers users type are mapped by hand; anything else goes to the
/// nearest key by edit distance, if it is near enough to be a typo.
pub fn closest_key(unknown: &str) -> Option<&'static str> {
    let lower = unknown.to_ascii_lowercase();
    let lower = lower.strip_prefix("cors_").unwrap_or(&lower);
    let alias = match lower {
        "allowed_origins" | "allow_origins" | "origin_whitelist" => Some("allow_origin"),
        "allowed_origin_regexes" | "origin_regex_whitelist" | "allow_origin_regexes" => {
            Some("allow_origin_regex")
        }
        "origin_allow_all" | "allow_all_origins" => Some("allow_all_origin"),
        "preflight_max_age" => Some("max_age"),
        "urls_regex" => Some("paths"),
        "allow_private_network_access" => Some("allow_private_network"),
        _ => None,
    };
    if alias.is_some() {
        return alias;
    }
    KEYS.iter()
        .map(|key| (edit_distance(lower, key), *key))
        .filter(|(distance, key)| *distance <= 2.max(key.len() / 4))
        .min()
        .map(|(_, key)| key)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A value as it may arrive from TOML or an environment variable.
enum Loose {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<String>),
    Unit,
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a bool or a list of strings")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Loose, E> {
        Ok(Loose::Int(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Float(v))
    }
    fn visit_char<E: de::Error>(self, v: char) -> Result<Loose, E> {
        Ok(Loose::Str(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Unit)
    }
    fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Unit)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Scalar>()? {
            items.push(item.0);
        }
        Ok(Loose::List(items))
    }
}

/// One list element: a string, or a number written without quotes (`[8080]` in env vars).
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(LooseVisitor)? {
            Loose::Str(s) => Ok(Scalar(s)),
            Loose::Int(i) => Ok(Scalar(i.to_string())),
            Loose::Bool(b) => Ok(Scalar(b.to_string())),
            Loose::Float(f) => Ok(Scalar(f.to_string())),
            Loose::Unit | Loose::List(_) => Err(de::Error::custom(
                "expected a string in the list, found a nested list or nothing",
            )),
        }
    }
}

fn loose<'de, D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
    d.deserialize_any(LooseVisitor)
}

/// Splits `"GET, PUT"` or `"GET PUT"` into items.
fn split_list(s: &str) -> Vec<String> {
    split_on(s, |c| c == ',' || c.is_whitespace())
}

fn split_on(s: &str, separator: impl Fn(char) -> bool) -> Vec<String> {
    s.split(separator).filter(|item| !item.is_empty()).map(str::to_string).collect()
}

fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(opt_list(d)?.unwrap_or_default())
}

/// A list of regexes: commas belong to regexes (`{1,3}`), so a string is split on
/// whitespace only, which an origin never contains.
fn regex_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match loose(d)? {
        Loose::Str(s) => Ok(split_on(&s, char::is_whitespace)),
        other => Ok(list_from(other)?.unwrap_or_default()),
    }
}

fn opt_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    list_from(loose(d)?)
}

/// An array's elements are kept whole: `["X Bad"]` is one (invalid) name that validation
/// reports, not two names, and a regex element keeps its commas.
fn list_from<E: de::Error>(value: Loose) -> Result<Option<Vec<String>>, E> {
    match value {
        Loose::List(items) => Ok(Some(items)),
        Loose::Str(s) => Ok(Some(split_list(&s))),
        Loose::Int(i) => Ok(Some(vec![i.to_string()])),
        Loose::Unit => Ok(None),
        Loose::Bool(_) | Loose::Float(_) => {
            Err(E::custom("expected a list: a TOML array, `[a, b]` or a comma-separated string"))
        }
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

const BOOL_EXPECTED: &str = "expected a bool: true/false, 1/0, yes/no or on/off";

fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match loose(d)? {
        Loose::Bool(b) => Ok(Some(b)),
        Loose::Int(0) => Ok(Some(false)),
        Loose::Int(1) => Ok(Some(true)),
        Loose::Str(s) => parse_bool(&s)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("{BOOL_EXPECTED}, found {s:?}"))),
        Loose::Unit => Ok(None),
        _ => Err(de::Error::custom(BOOL_EXPECTED)),
    }
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// The original middleware's "present with any value = on"; an explicit false turns it off.
fn presence<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match loose(d)? {
        Loose::Bool(b) => b,
        Loose::Int(i) => i != 0,
        Loose::Str(s) => parse_bool(&s).unwrap_or(true),
        Loose::Unit | Loose::Float(_) | Loose::List(_) => true,
    })
}

fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match loose(d)? {
        Loose::Unit => Ok(None),
        Loose::Str(s) if s.trim().is_empty() => Ok(None),
        other => to_u64(other).map(Some),
    }
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    to_u64(loose(d)?)
}

fn to_u64<E: de::Error>(value: Loose) -> Result<u64, E> {
    const EXPECTED: &str = "expected a whole number of zero or more";
    match value {
        Loose::Int(i) => u64::try_from(i).map_err(|_| E::custom(format!("{EXPECTED}, found {i}"))),
        Loose::Str(s) => {
            s.trim().parse().map_err(|_| E::custom(format!("{EXPECTED}, found {s:?}")))
        }
        _ => Err(E::custom(EXPECTED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_key_knows_django_cors_headers_names() {
        assert_eq!(closest_key("CORS_ALLOW_ORIGINS"), Some("allow_origin"));
        assert_eq!(closest_key("allowed_origins"), Some("allow_origin"));
        assert_eq!(closest_key("CORS_ORIGIN_WHITELIST"), Some("allow_origin"));
        assert_eq!(closest_key("CORS_PREFLIGHT_MAX_AGE"), Some("max_age"));
        assert_eq!(closest_key("alow_methods"), Some("allow_methods"));
        assert_eq!(closest_key("completely_unrelated_thing"), None);
    }

    #[test]
    fn split_list_takes_commas_and_whitespace() {
        assert_eq!(split_list(" GET,PUT  PATCH ,"), ["GET", "PUT", "PATCH"]);
        assert!(split_list("").is_empty());
    }

    #[test]
    fn bool_spellings() {
        for yes in ["true", "1", "yes", "on", "TRUE"] {
            assert_eq!(parse_bool(yes), Some(true), "{yes}");
        }
        for no in ["false", "0", "no", "off", "Off"] {
            assert_eq!(parse_bool(no), Some(false), "{no}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }
}
