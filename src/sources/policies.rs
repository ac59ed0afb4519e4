//! The `policies` table: each named policy read as the base's values with its own over
//! them, every value with its source, and the problems only the sources can see (a key a
//! named policy may not set, an unknown one).

use figment::Figment;
use figment::value::{Dict, Value};
use serde::Deserialize;

use super::report::unknown_key;
use super::{render, source_of};
use crate::error::{ConfigError, Subject};
use crate::settings::{Key, POLICIES, Settings, policy_key};
use crate::state::NamedProvenance;

/// The named policies of the focused Figment, resolved against `base` (the base's settings,
/// already read): each is the base's table, without `paths`, with the policy's own keys
/// over it. Every problem only the sources can see goes to `errors` (a policy that cannot
/// be read is left out, so that compiling the rest reports their problems too).
pub(super) fn read(
    figment: &Figment,
    base: &Settings,
    errors: &mut Vec<ConfigError>,
) -> (Settings, Vec<NamedProvenance>) {
    let mut settings = base.clone();
    let table = match figment.find_value(POLICIES) {
        Err(_) => return (settings, Vec::new()),
        Ok(Value::Dict(_, table)) => table,
        Ok(other) => {
            let err = ConfigError::new(
                Subject::Key(POLICIES.into()),
                render(&other),
                "is the table of named policies, one table per policy",
            )
            .from(source_of(figment, POLICIES))
            .hint("write [default.cors.policies.<name>] with `paths` and the keys it changes");
            errors.push(err);
            return (settings, Vec::new());
        }
    };
    let mut inherited: Dict = figment.extract::<Dict>().unwrap_or_default();
    inherited.remove(POLICIES);
    inherited.remove(Key::Paths.name());
    let mut provenance = Vec::new();
    for (name, value) in table {
        let own = match value {
            Value::Dict(_, own) => own,
            other => {
                errors.push(
                    ConfigError::new(
                        Subject::Key(format!("{POLICIES}.{name}")),
                        render(&other),
                        "a named policy is a table of keys",
                    )
                    .from(source_of(figment, &format!("{POLICIES}.{name}")))
                    .hint(format!("write [default.cors.policies.{name}] with `paths` in it")),
                );
                continue;
            }
        };
        let mut merged = inherited.clone();
        for (key, value) in &own {
            let full = policy_key(&name, key);
            match Key::from_name(key) {
                Some(known) if known.is_per_policy() => {
                    drop(merged.insert(key.clone(), value.clone()))
                }
                Some(known) => errors.push(
                    ConfigError::new(
                        Subject::Key(full.clone()),
                        render(value),
                        format!("`{known}` belongs to the whole fairing, not to one policy"),
                    )
                    .from(source_of(figment, &full))
                    .hint(format!("set `{known}` in the base table, [default.cors]")),
                ),
                None => errors.push(
                    unknown_key(key, Some(&name), render(value)).from(source_of(figment, &full)),
                ),
            }
        }
        match resolve(figment, &name, merged) {
            Ok(mut resolved) => {
                resolved.env_file = base.env_file.clone();
                if resolved.allow_origin == ["*"] {
                    // A `*` policy answers every origin alike: the base's regexes and
                    // reflection would make it vary again, so they are not inherited.
                    if !own.contains_key(Key::AllowOriginRegex.name()) {
                        resolved.allow_origin_regex.clear();
                    }
                    if !own.contains_key(Key::AllowAllOrigin.name()) {
                        resolved.allow_all_origin = false;
                    }
                }
                provenance.push(NamedProvenance {
                    name: name.clone(),
                    keys: Key::ALL
                        .map(|key| (key, source_of(figment, &policy_key(&name, key.name()))))
                        .to_vec(),
                    own: Key::ALL.into_iter().filter(|key| own.contains_key(key.name())).collect(),
                });
                settings.policies.insert(name, resolved);
            }
            Err(problems) => errors.extend(problems),
        }
    }
    (settings, provenance)
}

/// The named policy `name` from its merged table; on failure, every unreadable key.
fn resolve(figment: &Figment, name: &str, merged: Dict) -> Result<Settings, Vec<ConfigError>> {
    if let Ok(settings) = Settings::deserialize(&Value::from(merged.clone())) {
        return Ok(settings);
    }
    let mut errors = Vec::new();
    for (key, value) in merged {
        let alone = Dict::from([(key.clone(), value.clone())]);
        if let Err(err) = Settings::deserialize(&Value::from(alone)) {
            let full = policy_key(name, &key);
            errors.push(
                ConfigError::new(Subject::Key(full.clone()), render(&value), err.to_string())
                    .from(source_of(figment, &full))
                    .hint(format!("see the `{key}` row of the settings table in the README")),
            );
        }
    }
    if errors.is_empty() {
        errors.push(ConfigError::new(
            Subject::Key(format!("{POLICIES}.{name}")),
            "",
            "the named policy cannot be read",
        ));
    }
    Err(errors)
}

/// Where a named policy's value came from when it does not set the key itself: the base.
pub(super) fn inherited_key(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(POLICIES)?.strip_prefix('.')?;
    rest.split_once('.').map(|(_, key)| key)
}
