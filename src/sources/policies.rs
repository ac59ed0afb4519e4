//! The `policies` table: each named policy read as the base's values with its own over
//! them, every value with its source, and the problems only the sources can see (a key a
//! named policy may not set, an unknown one).

use figment::Figment;
use figment::value::{Dict, Value};
use serde::Deserialize;

use super::report::{unknown_key, unknown_key_in};
use super::{render, source_of};
use crate::error::{ConfigError, Subject};
use crate::settings::{Key, POLICIES, REPORT_ONLY, Settings, candidate_key, policy_key};
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
    let mut inherited: Dict = figment.extract::<Dict>().unwrap_or_default();
    inherited.remove(POLICIES);
    // Candidates are not inherited: a named policy has one only if its table says so.
    inherited.remove(REPORT_ONLY);
    settings.report_only = candidate(figment, None, &inherited, base, errors).map(Box::new);
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
            if key == REPORT_ONLY {
                continue;
            }
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
        let shadowed = merged.clone();
        match resolve(figment, &name, merged) {
            Ok(mut resolved) => {
                resolved.env_file = base.env_file.clone();
                star_inherits_no_variation(&mut resolved, &own);
                resolved.report_only =
                    candidate(figment, Some(&name), &shadowed, base, errors).map(Box::new);
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

/// The report-only candidate of the policy `name` (the base: `None`), whose table is
/// `shadowed`: that table with the candidate's own keys over it. `None` without one, or
/// when it cannot be read (its problems are in `errors`).
fn candidate(
    figment: &Figment,
    name: Option<&str>,
    shadowed: &Dict,
    base: &Settings,
    errors: &mut Vec<ConfigError>,
) -> Option<Settings> {
    let at = match name {
        None => REPORT_ONLY.to_string(),
        Some(name) => policy_key(name, REPORT_ONLY),
    };
    let own = match figment.find_value(&at).ok()? {
        Value::Dict(_, own) => own,
        other => {
            let table = match name {
                None => "[default.cors.report_only]".to_string(),
                Some(name) => format!("[default.cors.policies.{name}.report_only]"),
            };
            errors.push(
                ConfigError::new(Subject::Key(at.clone()), render(&other), "is a table of keys")
                    .from(source_of(figment, &at))
                    .hint(format!("write {table} with the keys the candidate changes")),
            );
            return None;
        }
    };
    let mut merged = shadowed.clone();
    let before = errors.len();
    for (key, value) in &own {
        let full = candidate_key(name, key);
        match Key::from_name(key) {
            Some(known) if known.is_candidate_key() => {
                drop(merged.insert(key.clone(), value.clone()))
            }
            Some(known) => {
                let why = if known.is_per_policy() {
                    "it judges the requests its policy's `paths` give it"
                } else {
                    "the key belongs to the whole fairing"
                };
                errors.push(
                    ConfigError::new(
                        Subject::Key(full.clone()),
                        render(value),
                        format!("is not a key of a report-only candidate: {why}"),
                    )
                    .from(source_of(figment, &full))
                    .hint("a candidate takes the keys that change an answer"),
                )
            }
            None => {
                let named = |key: &str| candidate_key(name, key);
                let table = "a report-only candidate's table";
                errors.push(
                    unknown_key_in(key, &named, table, render(value))
                        .from(source_of(figment, &full)),
                )
            }
        }
    }
    let resolved = resolve_at(figment, &|key| candidate_key(name, key), &at, merged);
    match resolved {
        Ok(mut resolved) if errors.len() == before => {
            resolved.env_file = base.env_file.clone();
            star_inherits_no_variation(&mut resolved, &own);
            Some(resolved)
        }
        Ok(_) => None,
        Err(problems) => {
            errors.extend(problems);
            None
        }
    }
}

/// The named policy `name` from its merged table; on failure, every unreadable key.
/// A `*` policy (named or a candidate) answers every origin alike: the regexes and the
/// reflection it would inherit would make it vary again, so only its own table can set them.
fn star_inherits_no_variation(resolved: &mut Settings, own: &Dict) {
    if resolved.allow_origin != ["*"] {
        return;
    }
    if !own.contains_key(Key::AllowOriginRegex.name()) {
        resolved.allow_origin_regex.clear();
    }
    if !own.contains_key(Key::AllowAllOrigin.name()) {
        resolved.allow_all_origin = false;
    }
}

fn resolve(figment: &Figment, name: &str, merged: Dict) -> Result<Settings, Vec<ConfigError>> {
    let at = format!("{POLICIES}.{name}");
    resolve_at(figment, &|key| policy_key(name, key), &at, merged)
}

/// The settings of the table `at` from its merged table, whose keys `full` names; on
/// failure, every unreadable key.
fn resolve_at(
    figment: &Figment,
    full: &dyn Fn(&str) -> String,
    at: &str,
    merged: Dict,
) -> Result<Settings, Vec<ConfigError>> {
    if let Ok(settings) = Settings::deserialize(&Value::from(merged.clone())) {
        return Ok(settings);
    }
    let mut errors = Vec::new();
    for (key, value) in merged {
        let alone = Dict::from([(key.clone(), value.clone())]);
        if let Err(err) = Settings::deserialize(&Value::from(alone)) {
            let full = full(&key);
            errors.push(
                ConfigError::new(Subject::Key(full.clone()), render(&value), err.to_string())
                    .from(source_of(figment, &full))
                    .hint(format!("see the `{key}` row of the settings table in the README")),
            );
        }
    }
    if errors.is_empty() {
        errors.push(ConfigError::new(Subject::Key(at.to_string()), "", "the table cannot be read"));
    }
    Err(errors)
}

/// Where a value came from when its table does not set the key itself: a named policy's
/// from the base, a candidate's from the policy it shadows.
pub(super) fn inherited_key(key: &str) -> Option<String> {
    if let Some(key) = key.strip_prefix(REPORT_ONLY).and_then(|rest| rest.strip_prefix('.')) {
        return Some(key.to_string());
    }
    let rest = key.strip_prefix(POLICIES)?.strip_prefix('.')?;
    let (name, key) = rest.split_once('.')?;
    match key.strip_prefix(REPORT_ONLY).and_then(|rest| rest.strip_prefix('.')) {
        Some(key) => Some(policy_key(name, key)),
        None => Some(key.to_string()),
    }
}
