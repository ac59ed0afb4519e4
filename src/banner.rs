//! What an operator sees of the policy in the log: the launch banner and the changes a
//! reload made, from the same per-key report ([`crate::report`]) a status page shows.
//!
//! Every line names where its value came from, because the question an operator asks of
//! a surprising header is nearly always "which file or variable set that?".

use crate::error::{Provenance, escaped};
use crate::policy::Policies;
use crate::report::{EffectiveSetting, provenance_in};
use crate::settings::{Key, Settings, policy_key};
use crate::sources::Loaded;
use crate::state::NamedProvenance;

/// Rocket's logger indents records whose target ends in `_`, as it does for its own
/// configuration lines.
pub(crate) const INDENTED: &str = "cors_fairing::_";

/// The launch banner: the effective policy, the source of every value, the files read.
pub(crate) fn log_policy(loaded: &Loaded) {
    let policy = &loaded.policy;
    log::info!("CORS policy:");
    log::info!(target: INDENTED, "fingerprint: {}", policy.fingerprint());
    for setting in EffectiveSetting::all(policy.settings(), &loaded.provenance) {
        log::info!(target: INDENTED, "{}", in_banner(&setting, policy.settings()));
    }
    log_candidate(policy, None, policy.settings());
    for (name, settings) in &policy.settings().policies {
        log_candidate(policy, Some(name), settings);
        let provenance = loaded.named.iter().find(|p| p.name == *name);
        let (shown, paths) = (escaped(name), settings.paths.join(", "));
        log::info!("CORS policy `{shown}`, for paths {}:", escaped(&paths));
        let base = EffectiveSetting::all(policy.settings(), &loaded.provenance);
        let mut inherited = 0;
        let star = settings.allow_origin == ["*"];
        for setting in EffectiveSetting::named(name, settings, provenance) {
            let same = base.iter().any(|b| b.key == setting.key && b.value == setting.value);
            let by_origin = matches!(setting.key, Key::AllowOriginRegex | Key::AllowAllOrigin);
            if star && by_origin && setting.is_inherited() && !same {
                log::info!(
                    target: INDENTED,
                    "policies.{shown}.{} = {}: not inherited from the base, a `*` policy \
                     answers every origin alike",
                    setting.key,
                    escaped(&setting.value)
                );
            } else if setting.is_inherited() || (provenance.is_none() && same) {
                inherited += 1;
            } else if setting.key != Key::Paths {
                log::info!(target: INDENTED, "{}", in_banner(&setting, settings));
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

/// The report-only candidate of the policy `name` (the base: `None`), if it has one: its
/// fingerprint and the values it changes.
fn log_candidate(policies: &Policies, name: Option<&str>, settings: &Settings) {
    let (Some(candidate), Some(fingerprint)) =
        (settings.report_only.as_deref(), policies.report_only_fingerprint(name))
    else {
        return;
    };
    log::info!(
        "CORS report-only candidate for policy `{}` (judged, never enforced), fingerprint {fingerprint}:",
        escaped(name.unwrap_or("base"))
    );
    for change in changes(settings, candidate) {
        let (after, before) = (escaped(&change.after), escaped(&change.before));
        log::info!(target: INDENTED, "{}: {after} (in force: {before})", change.key);
    }
}

/// The banner shows at most this many items of a list: with 2,000 origins one line would be
/// tens of kilobytes. `check` and [`crate::CorsHandle::report`] keep every item.
const BANNER_ITEMS: usize = 10;

/// `setting` (of `settings`) as the banner shows it: a longer list as its first
/// [`BANNER_ITEMS`] items and how many more there are.
fn in_banner(setting: &EffectiveSetting, settings: &Settings) -> String {
    let items = settings.shown(setting.key).items;
    if items.len() <= BANNER_ITEMS {
        return setting.to_string();
    }
    let value = format!(
        "{}, ... and {} more ({} in all; `cors-fairing check` lists every one)",
        items[..BANNER_ITEMS].join(", "),
        items.len() - BANNER_ITEMS,
        items.len()
    );
    EffectiveSetting { value, ..setting.clone() }.to_string()
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
    provenance: &[(Key, Provenance)],
    named: &[NamedProvenance],
) {
    for Change { key, before, after } in changes(before, after) {
        let source = provenance_in(provenance, key);
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
            let source = provenance_in(provenance, key);
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
    fn the_banner_shows_a_long_list_as_its_first_items_and_a_count() {
        let origins: Vec<String> = (0..2000).map(|i| format!("https://t{i}.example")).collect();
        let settings = Settings::default().allow_origin(origins.clone());
        let all = EffectiveSetting::all(&settings, &[]);
        let origin = all.iter().find(|s| s.key == Key::AllowOrigin).expect("the key");
        assert_eq!(origin.value, origins.join(", "), "the report keeps every origin");
        let line = in_banner(origin, &settings);
        assert!(line.len() < 400, "{} bytes: {line}", line.len());
        assert!(
            line.starts_with("allow_origin = https://t0.example, https://t1.example"),
            "{line}"
        );
        assert!(line.contains("https://t9.example, ... and 1990 more (2000 in all;"), "{line}");
        assert!(!line.contains("t10.example"), "{line}");
        let methods = all.iter().find(|s| s.key == Key::AllowMethods).expect("the key");
        assert_eq!(in_banner(methods, &settings), methods.to_string());
        let few = Settings::default().allow_origin(&origins[..BANNER_ITEMS]);
        let origin = EffectiveSetting::all(&few, &[]).remove(0);
        assert_eq!(in_banner(&origin, &few), origin.to_string());
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
