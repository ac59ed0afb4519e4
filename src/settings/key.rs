//! What a key is: the `keys!` macro that turns the one table of keys (in `settings/mod.rs`)
//! into the serde model, the [`Key`] enum, the names, the builders and the renderer, and the
//! names derived from a key (`CORS_*` variables, a named policy's keys, "did you mean").
//!
//! The table is the only place a key is spelt: code that treats one key differently from
//! another matches on a [`Key`], so a misspelt key is a compile error, and a new key is one
//! entry in the table (field, type, default, value form, scope, rendering) plus its meaning.
//! The pattern is `http`'s `standard_headers!`.

use std::fmt;

use serde::{Serialize, Serializer};

use super::Key;
use crate::error::Subject;

/// Who a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A key of the answer: the base and every named policy may set it.
    Policy,
    /// The reload mechanics, the origin check's cache and the `env_file` belong to the
    /// fairing: the base only.
    Fairing,
}

/// How the policy fingerprint reads a key (see `policy/fingerprint.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Canon {
    /// Origins: normalised, then read as a set.
    Origins,
    /// A list whose order and repeats mean nothing.
    Set,
    /// Header names: case-insensitive, read as a set.
    Names,
    /// One value, as rendered.
    Value,
    /// Changes no answer (reload mechanics, the origin check's cache): left out, so that
    /// replicas that mount the same settings at different paths still agree.
    Skip,
}

/// A key's value in force, as the banner, `check`, the status page and the fingerprint all
/// see it: the items (a default spelt out), whether the key was set at all, and what an
/// empty value means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub(crate) items: Vec<String>,
    /// `false` for an `Option` left unset: the original middleware sent an empty header
    /// where the default applies here (`always_send_headers`).
    pub(crate) set: bool,
    pub(super) empty: &'static str,
}

impl Shown {
    pub(super) fn list(items: &[String], empty: &'static str) -> Shown {
        Shown { items: items.to_vec(), set: true, empty }
    }

    /// A list that is `default` when unset.
    pub(super) fn or_default(items: &Option<Vec<String>>, default: &[&str]) -> Shown {
        let shown = match items {
            Some(items) => items.clone(),
            None => default.iter().map(|item| item.to_string()).collect(),
        };
        Shown { items: shown, set: items.is_some(), empty: "(none)" }
    }

    pub(super) fn one(value: impl fmt::Display) -> Shown {
        Shown { items: vec![value.to_string()], set: true, empty: "" }
    }

    /// A value that may be unset, which `unset` explains.
    pub(super) fn maybe(value: Option<impl fmt::Display>, unset: &'static str) -> Shown {
        let items = value.iter().map(ToString::to_string).collect();
        Shown { items, set: value.is_some(), empty: unset }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.items.is_empty() {
            f.write_str(self.empty)
        } else {
            f.write_str(&self.items.join(", "))
        }
    }
}

/// The table of keys -> `Settings`, `Default`, `Key` (`ALL`, `name`, `scope`, `canon`), the
/// builders and `Settings::shown`. One entry:
///
/// ```text
/// /// docs of the field (and of its builder)
/// Variant field: Type = default, builder, serde(attributes), Scope, Canon, |s| Shown;
/// ```
///
/// The builder is `list` (any list of strings), `some_list` (the same, for an `Option`),
/// `some(T)` (a `T`, for an `Option<T>`), `path` or `value` (the field's own type).
macro_rules! keys {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $field:ident: $ty:ty = $default:expr, $builder:ident $(($inner:ty))?,
            serde($($serde:tt)*), $scope:ident, $canon:ident, $shown:expr;
    )*) => {
        /// The CORS settings, one field per key of the `cors` table.
        ///
        /// Fields whose default matters to `always_send_headers` (where the original
        /// middleware sent an empty header for an unset key) are `Option`s: `None` means
        /// "not set". Each field has a builder method of the same name, which keeps code that
        /// builds settings compiling when a key is added (`Settings` is `#[non_exhaustive]`).
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
            $( $(#[doc = $doc])* #[serde($($serde)*)] pub $field: $ty, )*
            /// Named policies by path (`[default.cors.policies.<name>]`), each whole: a
            /// request is judged by the one whose `paths` match it most specifically, and by
            /// this (the base) where none does. Read from a file or the environment, every
            /// key a named policy leaves unset is the base's; given in code, each is complete
            /// (start from a clone of the base). The loader fills this map; serde does not
            /// read it from the `policies` table itself.
            #[serde(skip_deserializing, skip_serializing_if = "BTreeMap::is_empty")]
            pub policies: BTreeMap<String, Settings>,
            /// A report-only candidate for this policy (`[default.cors.report_only]`, or
            /// `[default.cors.policies.<name>.report_only]` for a named one): judged beside
            /// it on every request it judges, reported, never enforced. Read from a file or
            /// the environment, every key the candidate leaves unset is its policy's; given
            /// in code, it is whole (start from a clone of its policy). Named policies do not
            /// inherit the base's candidate. The loader fills it; serde does not read it.
            #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
            pub report_only: Option<Box<Settings>>,
        }

        impl Default for Settings {
            fn default() -> Self {
                Settings { $( $field: $default, )* policies: BTreeMap::new(), report_only: None }
            }
        }

        /// One key of the `cors` table (or the `CORS_*` variable that sets it).
        ///
        /// ```
        /// use cors_fairing::Key;
        ///
        /// assert_eq!(Key::AllowOrigin.name(), "allow_origin");
        /// assert_eq!(Key::AllowOrigin.env_var(), "CORS_ALLOW_ORIGIN");
        /// assert_eq!(Key::from_name("max_age"), Some(Key::MaxAge));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Key {
            $( #[doc = concat!("`", stringify!($field), "`")] $variant, )*
        }

        impl Key {
            /// Every key, in the order of the settings table (and of the launch banner).
            pub const ALL: [Key; [$(stringify!($variant)),*].len()] = [$(Key::$variant),*];

            /// The key as written in the `cors` table, e.g. `allow_origin`.
            pub const fn name(self) -> &'static str {
                match self { $( Key::$variant => stringify!($field), )* }
            }

            pub(crate) const fn scope(self) -> Scope {
                match self { $( Key::$variant => Scope::$scope, )* }
            }

            pub(crate) const fn canon(self) -> Canon {
                match self { $( Key::$variant => Canon::$canon, )* }
            }
        }

        impl Settings {
            $( keys!(@builder $builder $(($inner))? $field: $ty; $($doc)*); )*

            /// The value of `key` in force, defaults spelt out: what the banner, `check`,
            /// [`crate::CorsHandle`]'s report and the fingerprint read.
            pub(crate) fn shown(&self, key: Key) -> Shown {
                #[allow(clippy::redundant_closure_call)]
                match key { $( Key::$variant => ($shown)(self), )* }
            }
        }
    };
    (@builder list $field:ident: $ty:ty; $($doc:literal)*) => {
        $( #[doc = $doc] )*
        #[must_use]
        pub fn $field(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.$field = items.into_iter().map(Into::into).collect();
            self
        }
    };
    (@builder some_list $field:ident: $ty:ty; $($doc:literal)*) => {
        $( #[doc = $doc] )*
        #[must_use]
        pub fn $field(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.$field = Some(items.into_iter().map(Into::into).collect());
            self
        }
    };
    (@builder some ($inner:ty) $field:ident: $ty:ty; $($doc:literal)*) => {
        $( #[doc = $doc] )*
        #[must_use]
        pub fn $field(mut self, value: $inner) -> Self {
            self.$field = Some(value);
            self
        }
    };
    (@builder path $field:ident: $ty:ty; $($doc:literal)*) => {
        $( #[doc = $doc] )*
        #[must_use]
        pub fn $field(mut self, path: impl Into<std::path::PathBuf>) -> Self {
            self.$field = Some(path.into());
            self
        }
    };
    (@builder value $field:ident: $ty:ty; $($doc:literal)*) => {
        $( #[doc = $doc] )*
        #[must_use]
        pub fn $field(mut self, value: $ty) -> Self {
            self.$field = value;
            self
        }
    };
}
pub(super) use keys;

impl Key {
    /// The environment variable that sets this key: `allow_origin` -> `CORS_ALLOW_ORIGIN`.
    pub fn env_var(self) -> String {
        env_name(self.name())
    }

    /// Whether a named policy may set this key. The reload mechanics, the origin check's
    /// cache and the `env_file` belong to the fairing, and are set in the base only.
    pub const fn is_per_policy(self) -> bool {
        matches!(self.scope(), Scope::Policy)
    }

    /// Whether a report-only candidate may set this key: the keys of a policy that change
    /// an answer. Not `paths` (the candidate judges the requests its policy judges), nor
    /// the fairing's keys, nor a policy's keys that change no answer (`log_refusals`).
    pub(crate) fn is_candidate_key(self) -> bool {
        self.is_per_policy() && !matches!(self, Key::Paths) && self.canon() != Canon::Skip
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

/// A key is its name in a status page's JSON.
impl Serialize for Key {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// `allow_origin` -> `CORS_ALLOW_ORIGIN`; any name, known key or not. A key of a named
/// policy nests with `__`: `policies.public.allow_origin` ->
/// `CORS_POLICIES__PUBLIC__ALLOW_ORIGIN`.
pub(crate) fn env_name(key: &str) -> String {
    format!("CORS_{}", key.to_ascii_uppercase().replace('.', "__"))
}

/// The table that holds the named policies, `policies` (`[default.cors.policies.<name>]`).
pub(crate) const POLICIES: &str = "policies";

/// The table that holds a policy's report-only candidate (`[default.cors.report_only]`).
pub(crate) const REPORT_ONLY: &str = "report_only";

/// The key `key` of the report-only candidate of the policy `policy` (the base: `None`), as
/// errors and reports name it: `report_only.allow_origin`,
/// `policies.partner.report_only.allow_origin`.
pub(crate) fn candidate_key(policy: Option<&str>, key: &str) -> String {
    match policy {
        None => format!("{REPORT_ONLY}.{key}"),
        Some(name) => policy_key(name, &format!("{REPORT_ONLY}.{key}")),
    }
}

/// The key `key` of the named policy `name`, as errors and reports name it:
/// `policies.partner.allow_origin`.
pub(crate) fn policy_key(name: &str, key: &str) -> String {
    format!("{POLICIES}.{name}.{key}")
}

/// The known key closest to an unknown one, for "did you mean" hints.
///
/// Names that django-cors-headers users type are mapped by hand; anything else goes to the
/// nearest key by edit distance, if it is near enough to be a typo.
pub(crate) fn closest_key(unknown: &str) -> Option<Key> {
    let lower = unknown.to_ascii_lowercase();
    let lower = lower.strip_prefix("cors_").unwrap_or(&lower);
    if let Some(key) = django_name(lower) {
        return Some(key);
    }
    // Ties go to the alphabetically first name, as they always have.
    Key::ALL
        .into_iter()
        .map(|key| (edit_distance(lower, key.name()), key.name(), key))
        .filter(|(distance, name, _)| *distance <= 2.max(name.len() / 4))
        .min_by_key(|(distance, name, _)| (*distance, *name))
        .map(|(_, _, key)| key)
}

/// The key a django-cors-headers setting (lower-case, without `cors_`) maps to, if it is
/// one of theirs: docs/migrating.md has the whole mapping.
pub(crate) fn django_name(lower: &str) -> Option<Key> {
    match lower {
        "allowed_origins" | "allow_origins" | "origin_whitelist" => Some(Key::AllowOrigin),
        "allowed_origin_regexes" | "origin_regex_whitelist" | "allow_origin_regexes" => {
            Some(Key::AllowOriginRegex)
        }
        "origin_allow_all" | "allow_all_origins" => Some(Key::AllowAllOrigin),
        "preflight_max_age" => Some(Key::MaxAge),
        "urls_regex" => Some(Key::Paths),
        "allow_private_network_access" => Some(Key::AllowPrivateNetwork),
        _ => None,
    }
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
        // Names edit distance would not reach.
        assert_eq!(closest_key("CORS_ORIGIN_ALLOW_ALL"), Some(Key::AllowAllOrigin));
        assert_eq!(closest_key("CORS_URLS_REGEX"), Some(Key::Paths));
        let private = "CORS_ALLOW_PRIVATE_NETWORK_ACCESS";
        assert_eq!(closest_key(private), Some(Key::AllowPrivateNetwork));
    }

    /// A long name takes a quarter of its length in typos, a short one two.
    #[test]
    fn the_typo_bound_grows_with_the_name() {
        assert_eq!(closest_key("allw_credntals"), Some(Key::AllowCredentials), "3 of 17");
        assert_eq!(closest_key("axlw_crxdntals"), None, "5 of 17");
        assert_eq!(closest_key("mx_agx"), Some(Key::MaxAge), "2 of 7");
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        for (a, b, distance) in [
            ("kitten", "sitting", 3),
            ("flaw", "lawn", 2),
            ("", "abc", 3),
            ("abc", "", 3),
            ("paths", "paths", 0),
            ("max_age", "max_ages", 1),
        ] {
            assert_eq!(edit_distance(a, b), distance, "{a} -> {b}");
        }
    }

    #[test]
    fn names_and_keys_agree() {
        for key in Key::ALL {
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
        assert_eq!(Key::ALL[0].name(), "allow_origin");
        assert_eq!(Key::ALL[Key::ALL.len() - 1].name(), "env_file");
        assert_eq!(Key::from_name("allow_origins"), None);
    }
}
