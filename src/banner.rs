//! What an operator sees of the policy: the launch banner, the changes a reload made, and
//! the same per-key report for an application's own status page.
//!
//! Every line names where its value came from, because the question an operator asks of
//! a surprising header is nearly always "which file or variable set that?".

use std::fmt;

use crate::error::{Source, escaped};
use crate::policy::Policies;
use crate::settings::{Key, Settings, env_name, policy_key};
use crate::sources::Loaded;
use crate::state::NamedProvenance;

/// Rocket's logger indents records whose target ends in `_`, as it does for its own
/// configuration lines.
pub(crate) const INDENTED: &str = "cors_fairing::_";

/// One setting as it is in force: key, environment variable, effective value and where
/// the value came from.
///
/// ```
/// use cors_fairing::{EffectiveSetting, Key, Settings, Source};
///
/// let settings = Settings::default().max_age(600);
/// let report = EffectiveSetting::all(&settings, &[(Key::MaxAge, Source::Env {
///     var: "CORS_MAX_AGE".into(),
/// })]);
/// let max_age = report.iter().find(|s| s.key == "max_age").unwrap();
/// assert_eq!(max_age.value, "600");
/// assert_eq!(max_age.env_var, "CORS_MAX_AGE");
/// assert_eq!(max_age.to_string(), "max_age = 600 (environment variable CORS_MAX_AGE)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EffectiveSetting {
    /// The key of the `cors` table, e.g. `allow_origin`.
    pub key: Key,
    /// The environment variable that sets it, e.g. `CORS_ALLOW_ORIGIN`.
    pub env_var: String,
    /// The value in force, as an operator would write it (defaults spelled out).
    pub value: String,
    /// Where the value came from: a file and profile, a variable, or the built-in default.
    pub source: Source,
    /// The named policy this setting belongs to; `None` for the base (the `cors` table).
    pub policy: Option<String>,
    /// For a named policy's setting: the policy leaves the key unset, and the value (with
    /// its source) is the base's.
    pub inherited: bool,
}

impl EffectiveSetting {
    /// Every key of `settings`, in the order of [`Key::ALL`], with its source looked up in
    /// `provenance` ([`Source::Code`] where it has none, as for settings given in code).
    pub fn all(settings: &Settings, provenance: &[(Key, Source)]) -> Vec<Self> {
        Key::ALL
            .into_iter()
            .map(|key| EffectiveSetting {
                key,
                env_var: key.env_var(),
                value: settings.shown(key).to_string(),
                source: source_in(provenance, key),
                policy: None,
                inherited: false,
            })
            .collect()
    }

    /// The keys a named policy may set, of the named policy `name` with `settings`, each
    /// with its source in `provenance` and whether it is the base's.
    fn named(name: &str, settings: &Settings, provenance: Option<&NamedProvenance>) -> Vec<Self> {
        let keys = provenance.map_or(&[][..], |p| &p.keys[..]);
        Self::all(settings, keys)
            .into_iter()
            .filter(|setting| setting.key.is_per_policy())
            .map(|setting| EffectiveSetting {
                env_var: env_name(&policy_key(name, setting.key.name())),
                policy: Some(name.to_string()),
                inherited: provenance.is_some_and(|p| !p.own.contains(&setting.key)),
                ..setting
            })
            .collect()
    }

    /// Every setting of `policy`: the base's keys, then those of every named policy in name
    /// order (the keys a named policy may set).
    pub(crate) fn every(
        policy: &Policies,
        provenance: &[(Key, Source)],
        named: &[NamedProvenance],
    ) -> Vec<Self> {
        let mut all = Self::all(policy.settings(), provenance);
        for (name, settings) in &policy.settings().policies {
            let provenance = named.iter().find(|p| p.name == *name);
            all.extend(Self::named(name, settings, provenance));
        }
        all
    }
}

impl fmt::Display for EffectiveSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.policy {
            write!(f, "policies.{name}.")?;
        }
        write!(f, "{} = {} (", self.key, escaped(&self.value))?;
        if self.inherited {
            f.write_str("inherited from the base: ")?;
        }
        write!(f, "{})", self.source)
    }
}

fn source_in(provenance: &[(Key, Source)], key: Key) -> Source {
    provenance.iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone()).unwrap_or_default()
}

/// The launch banner: the effective policy, the source of every value, the files read.
pub(crate) fn log_policy(loaded: &Loaded) {
    let policy = &loaded.policy;
    log::info!("CORS policy:");
    log::info!(target: INDENTED, "fingerprint: {}", policy.fingerprint());
    for setting in EffectiveSetting::all(policy.settings(), &loaded.provenance) {
        log::info!(target: INDENTED, "{setting}");
    }
    for (name, settings) in &policy.settings().policies {
        let provenance = loaded.named.iter().find(|p| p.name == *name);
        let (shown, paths) = (escaped(name), settings.paths.join(", "));
        log::info!("CORS policy `{shown}`, for paths {}:", escaped(&paths));
        let base = EffectiveSetting::all(policy.settings(), &loaded.provenance);
        let mut inherited = 0;
        for setting in EffectiveSetting::named(name, settings, provenance) {
            let same = base.iter().any(|b| b.key == setting.key && b.value == setting.value);
            if setting.inherited || (provenance.is_none() && same) {
                inherited += 1;
            } else if setting.key != Key::Paths {
                log::info!(target: INDENTED, "{setting}");
            }
        }
        log::info!(target: INDENTED, "the other {inherited} keys: the base's values");
    }
    for file in &loaded.files {
        log::info!(target: INDENTED, "read from: {}", escaped(&file.to_string_lossy()));
    }
    for warning in &loaded.warnings {
        log::warn!("{warning}");
    }
}

/// One key whose effective value differs between two settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) key: Key,
    pub(crate) before: String,
    pub(crate) after: String,
}

/// The keys whose effective value differs, in the order of [`Key::ALL`]. Compared as
/// shown, so unsetting `allow_methods` to its default list is no change.
pub(crate) fn changes(before: &Settings, after: &Settings) -> Vec<Change> {
    Key::ALL
        .into_iter()
        .map(|key| (key, before.shown(key).to_string(), after.shown(key).to_string()))
        .filter(|(_, before, after)| before != after)
        .map(|(key, before, after)| Change { key, before, after })
        .collect()
}

/// One info line per changed key, with the source of its new value, and per named policy
/// added, removed or changed; called by a reload that swaps in a new policy.
pub(crate) fn log_changes(
    before: &Settings,
    after: &Settings,
    provenance: &[(Key, Source)],
    named: &[NamedProvenance],
) {
    for Change { key, before, after } in changes(before, after) {
        let source = source_in(provenance, key);
        let (before, after) = (escaped(&before), escaped(&after));
        log::info!("CORS setting `{key}` changed: {before} -> {after} (from {source})");
    }
    for line in named_changes(before, after, named) {
        log::info!("{line}");
    }
}

/// The named policies a reload adds, removes or changes, one line each (and per key).
pub(crate) fn named_changes(
    before: &Settings,
    after: &Settings,
    named: &[NamedProvenance],
) -> Vec<String> {
    let mut lines = Vec::new();
    for name in before.policies.keys().filter(|name| !after.policies.contains_key(*name)) {
        let name = escaped(name);
        lines.push(format!("CORS policy `{name}` removed: its paths are the base's again"));
    }
    for (name, new) in &after.policies {
        let Some(old) = before.policies.get(name) else {
            let (name, paths) = (escaped(name), new.paths.join(", "));
            lines.push(format!("CORS policy `{name}` added, for paths {}", escaped(&paths)));
            continue;
        };
        let provenance = named.iter().find(|p| p.name == *name).map_or(&[][..], |p| &p.keys[..]);
        for Change { key, before, after } in changes(old, new) {
            let key_name = policy_key(name, key.name());
            let source = source_in(provenance, key);
            let (key_name, before, after) = (escaped(&key_name), escaped(&before), escaped(&after));
            lines.push(format!(
                "CORS setting `{key_name}` changed: {before} -> {after} (from {source})"
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_reported_once_in_order() {
        let keys: Vec<Key> =
            EffectiveSetting::all(&Settings::default(), &[]).iter().map(|s| s.key).collect();
        assert_eq!(keys, Key::ALL);
    }

    #[test]
    fn defaults_are_spelled_out() {
        let all = EffectiveSetting::all(&Settings::default(), &[]);
        let value = |key: &str| all.iter().find(|s| s.key == key).unwrap().value.clone();
        assert_eq!(value("allow_methods"), "GET, HEAD, POST, PUT, PATCH, DELETE");
        assert_eq!(value("allow_headers"), "Accept, Authorization, Content-Type, X-Requested-With");
        assert_eq!(value("paths"), "(every path)");
        assert_eq!(value("preflight_status"), "204");
        assert!(all.iter().all(|s| s.source == Source::Code));
    }

    #[test]
    fn sources_are_looked_up_by_key() {
        let provenance = [(Key::Paths, Source::Env { var: "CORS_PATHS".into() })];
        let all = EffectiveSetting::all(&Settings::default(), &provenance);
        let paths = all.iter().find(|s| s.key == "paths").unwrap();
        assert_eq!(paths.source, Source::Env { var: "CORS_PATHS".into() });
        assert_eq!(paths.env_var, "CORS_PATHS");
    }

    #[test]
    fn changes_name_only_the_keys_that_differ() {
        let before =
            Settings { allow_origin: vec!["https://a.example".into()], ..Settings::default() };
        let after = Settings {
            allow_origin: vec!["https://a.example".into(), "https://b.example".into()],
            max_age: Some(60),
            ..before.clone()
        };
        assert_eq!(
            changes(&before, &after),
            [
                Change {
                    key: Key::AllowOrigin,
                    before: "https://a.example".into(),
                    after: "https://a.example, https://b.example".into(),
                },
                Change {
                    key: Key::MaxAge,
                    before: "(unset: no Access-Control-Max-Age)".into(),
                    after: "60".into(),
                },
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }

    #[test]
    fn spelling_out_a_default_is_no_change() {
        let implicit = Settings::default();
        let explicit = Settings {
            allow_methods: Some(
                crate::settings::DEFAULT_METHODS.iter().map(|m| m.to_string()).collect(),
            ),
            ..Settings::default()
        };
        assert!(changes(&implicit, &explicit).is_empty());
    }
}
