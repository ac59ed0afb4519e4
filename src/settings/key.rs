//! The keys of the `cors` table, as a type: code that treats one key differently from another
//! matches on a [`Key`] rather than comparing strings, so a misspelt key is a compile error.

use std::fmt;

use crate::error::Subject;

/// One key of the `cors` table (or the `CORS_*` variable that sets it).
///
/// ```
/// use cors_fairing::Key;
///
/// assert_eq!(Key::AllowOrigin.name(), "allow_origin");
/// assert_eq!(Key::AllowOrigin.env_var(), "CORS_ALLOW_ORIGIN");
/// assert_eq!(Key::from_name("max_age"), Some(Key::MaxAge));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// `allow_origin`
    AllowOrigin,
    /// `allow_origin_regex`
    AllowOriginRegex,
    /// `allow_methods`
    AllowMethods,
    /// `allow_headers`
    AllowHeaders,
    /// `allow_credentials`
    AllowCredentials,
    /// `expose_headers`
    ExposeHeaders,
    /// `max_age`
    MaxAge,
    /// `allow_all_origin`
    AllowAllOrigin,
    /// `allow_all_headers`
    AllowAllHeaders,
    /// `allow_private_network`
    AllowPrivateNetwork,
    /// `paths`
    Paths,
    /// `preflight_status`
    PreflightStatus,
    /// `reject_disallowed`
    RejectDisallowed,
    /// `always_send_headers`
    AlwaysSendHeaders,
    /// `reload`
    Reload,
    /// `reload_settle_ms`
    ReloadSettleMs,
    /// `reload_poll_ms`
    ReloadPollMs,
    /// `origin_check_ttl_ms`
    OriginCheckTtlMs,
    /// `origin_check_cache_size`
    OriginCheckCacheSize,
    /// `origin_check_timeout_ms`
    OriginCheckTimeoutMs,
    /// `env_file`
    EnvFile,
}

impl Key {
    /// Every key, in the order of the settings table (and of the launch banner).
    pub const ALL: [Key; 21] = [
        Key::AllowOrigin,
        Key::AllowOriginRegex,
        Key::AllowMethods,
        Key::AllowHeaders,
        Key::AllowCredentials,
        Key::ExposeHeaders,
        Key::MaxAge,
        Key::AllowAllOrigin,
        Key::AllowAllHeaders,
        Key::AllowPrivateNetwork,
        Key::Paths,
        Key::PreflightStatus,
        Key::RejectDisallowed,
        Key::AlwaysSendHeaders,
        Key::Reload,
        Key::ReloadSettleMs,
        Key::ReloadPollMs,
        Key::OriginCheckTtlMs,
        Key::OriginCheckCacheSize,
        Key::OriginCheckTimeoutMs,
        Key::EnvFile,
    ];

    /// The key as written in the `cors` table, e.g. `allow_origin`.
    pub const fn name(self) -> &'static str {
        match self {
            Key::AllowOrigin => "allow_origin",
            Key::AllowOriginRegex => "allow_origin_regex",
            Key::AllowMethods => "allow_methods",
            Key::AllowHeaders => "allow_headers",
            Key::AllowCredentials => "allow_credentials",
            Key::ExposeHeaders => "expose_headers",
            Key::MaxAge => "max_age",
            Key::AllowAllOrigin => "allow_all_origin",
            Key::AllowAllHeaders => "allow_all_headers",
            Key::AllowPrivateNetwork => "allow_private_network",
            Key::Paths => "paths",
            Key::PreflightStatus => "preflight_status",
            Key::RejectDisallowed => "reject_disallowed",
            Key::AlwaysSendHeaders => "always_send_headers",
            Key::Reload => "reload",
            Key::ReloadSettleMs => "reload_settle_ms",
            Key::ReloadPollMs => "reload_poll_ms",
            Key::OriginCheckTtlMs => "origin_check_ttl_ms",
            Key::OriginCheckCacheSize => "origin_check_cache_size",
            Key::OriginCheckTimeoutMs => "origin_check_timeout_ms",
            Key::EnvFile => "env_file",
        }
    }

    /// The environment variable that sets this key: `allow_origin` -> `CORS_ALLOW_ORIGIN`.
    pub fn env_var(self) -> String {
        env_name(self.name())
    }

    /// Whether a named policy may set this key. The reload mechanics, the origin check's
    /// cache and the `env_file` belong to the fairing, and are set in the base only.
    pub const fn is_per_policy(self) -> bool {
        !matches!(
            self,
            Key::Reload
                | Key::ReloadSettleMs
                | Key::ReloadPollMs
                | Key::OriginCheckTtlMs
                | Key::OriginCheckCacheSize
                | Key::OriginCheckTimeoutMs
                | Key::EnvFile
        )
    }

    /// The key written `name` in the `cors` table, if there is one.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|key| key.name() == name)
    }
}

impl From<Key> for Subject {
    fn from(key: Key) -> Self {
        Subject::Key(key.name().to_string())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every key the `cors` table (or a `CORS_*` variable) may hold, by name: [`Key::ALL`] as text.
pub const KEYS: [&str; Key::ALL.len()] = {
    let mut names = [""; Key::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Key::ALL[i].name();
        i += 1;
    }
    names
};

/// `allow_origin` -> `CORS_ALLOW_ORIGIN`; any name, known key or not. A key of a named
/// policy nests with `__`: `policies.public.allow_origin` ->
/// `CORS_POLICIES__PUBLIC__ALLOW_ORIGIN`.
pub fn env_name(key: &str) -> String {
    format!("CORS_{}", key.to_ascii_uppercase().replace('.', "__"))
}

/// The table that holds the named policies, `policies` (`[default.cors.policies.<name>]`).
pub const POLICIES: &str = "policies";

/// The key `key` of the named policy `name`, as errors and reports name it:
/// `policies.partner.allow_origin`.
pub fn policy_key(name: &str, key: &str) -> String {
    format!("{POLICIES}.{name}.{key}")
}

/// The known key closest to an unknown one, for "did you mean" hints.
///
/// Names that django-cors-headers users type are mapped by hand; anything else goes to the
/// nearest key by edit distance, if it is near enough to be a typo.
pub fn closest_key(unknown: &str) -> Option<Key> {
    let lower = unknown.to_ascii_lowercase();
    let lower = lower.strip_prefix("cors_").unwrap_or(&lower);
    let alias = match lower {
        "allowed_origins" | "allow_origins" | "origin_whitelist" => Some(Key::AllowOrigin),
        "allowed_origin_regexes" | "origin_regex_whitelist" | "allow_origin_regexes" => {
            Some(Key::AllowOriginRegex)
        }
        "origin_allow_all" | "allow_all_origins" => Some(Key::AllowAllOrigin),
        "preflight_max_age" => Some(Key::MaxAge),
        "urls_regex" => Some(Key::Paths),
        "allow_private_network_access" => Some(Key::AllowPrivateNetwork),
        _ => None,
    };
    if alias.is_some() {
        return alias;
    }
    // Ties go to the alphabetically first name, as they always have.
    Key::ALL
        .into_iter()
        .map(|key| (edit_distance(lower, key.name()), key.name(), key))
        .filter(|(distance, name, _)| *distance <= 2.max(name.len() / 4))
        .min_by_key(|(distance, name, _)| (*distance, *name))
        .map(|(_, _, key)| key)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_key_knows_django_cors_headers_names() {
        assert_eq!(closest_key("CORS_ALLOW_ORIGINS"), Some(Key::AllowOrigin));
        assert_eq!(closest_key("allowed_origins"), Some(Key::AllowOrigin));
        assert_eq!(closest_key("CORS_ORIGIN_WHITELIST"), Some(Key::AllowOrigin));
        assert_eq!(closest_key("CORS_PREFLIGHT_MAX_AGE"), Some(Key::MaxAge));
        assert_eq!(closest_key("alow_methods"), Some(Key::AllowMethods));
        assert_eq!(closest_key("completely_unrelated_thing"), None);
    }

    #[test]
    fn names_and_keys_agree() {
        for key in Key::ALL {
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
        assert_eq!(KEYS[0], "allow_origin");
        assert_eq!(KEYS[KEYS.len() - 1], "env_file");
        assert_eq!(Key::from_name("allow_origins"), None);
    }
}
