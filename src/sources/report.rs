//! Figment's findings in the crate's words: errors that name the key (or the file) with its
//! value and source, every bad key at once, and the warnings only the sources can see.

use std::path::Path;

use figment::value::{Dict, Value};
use figment::{Figment, Profile, Provider};
use serde::Deserialize;

use super::{TABLE, describe, render, source_of};
use crate::error::{ConfigError, ConfigErrors, ConfigWarning, Provenance, Subject};
use crate::policy::Policies;
use crate::settings::{self, Key, Settings};

/// Prefix of our own variables (`CORS_FAIRING_REQUIRE_BROWSER`...), never settings.
const OWN_ENV_PREFIX: &str = "fairing_";

/// The settings of the focused Figment, or every problem with them.
///
/// Serde stops at the first value it cannot read, so on failure each key is read again on
/// its own: every unreadable key is reported, and so is every problem of the readable rest.
pub(super) fn extract(figment: &Figment) -> Result<Settings, ConfigErrors> {
    let err = match figment.extract::<Settings>() {
        Ok(settings) => return Ok(settings),
        Err(err) => err,
    };
    let Ok(table) = figment.extract::<Dict>() else {
        return Err(from_figment_errors(figment, err));
    };
    let mut errors = Vec::new();
    let mut readable = Dict::new();
    for (key, value) in table {
        if Key::from_name(&key).is_none() {
            continue;
        }
        let alone = Dict::from([(key.clone(), value.clone())]);
        match Settings::deserialize(&Value::from(alone)) {
            Ok(_) => drop(readable.insert(key, value)),
            Err(err) => errors.push(key_error(figment, &key, err.kind.to_string())),
        }
    }
    if errors.is_empty() {
        return Err(from_figment_errors(figment, err));
    }
    if let Ok(rest) = Settings::deserialize(&Value::from(readable)) {
        errors.extend(
            Policies::compile(&rest).err().map(|e| attribute(figment, e)).into_iter().flatten(),
        );
    }
    Err(ConfigErrors::from_vec(errors).expect("at least one unreadable key"))
}

/// Compile errors (and their warnings) with the source of each key's value.
pub(super) fn attribute(figment: &Figment, mut errors: ConfigErrors) -> ConfigErrors {
    for err in errors.iter_mut() {
        if let Some(key) = err.key() {
            err.provenance = source_of(figment, key);
        }
    }
    for warning in errors.warnings_mut() {
        if let Some(key) = warning.key() {
            warning.provenance = source_of(figment, key);
        }
    }
    errors
}

fn from_figment_errors(figment: &Figment, err: figment::Error) -> ConfigErrors {
    let errors = err.into_iter().map(|err| from_figment_error(figment, err)).collect();
    ConfigErrors::from_vec(errors).expect("a figment::Error holds at least one error")
}

fn key_error(figment: &Figment, key: &str, reason: String) -> ConfigError {
    let value = figment.find_value(key).map(|v| render(&v)).unwrap_or_default();
    ConfigError::new(key.to_string(), value, reason)
        .from(source_of(figment, key))
        .hint_for_known_key(key)
}

impl ConfigError {
    fn hint_for_known_key(self, key: &str) -> Self {
        match Key::from_name(key) {
            Some(key) => {
                self.hint(format!("see the `{key}` row of the settings table in the README"))
            }
            None => self,
        }
    }
}

pub(super) fn from_figment_error(figment: &Figment, err: figment::Error) -> ConfigError {
    if err.path.is_empty() {
        return unreadable(err);
    }
    // Figment's own magic fields (`RelativePathBuf` reads a path through one) are no key a
    // user wrote: the key is the rest of the path.
    let key: Vec<&str> =
        err.path.iter().map(String::as_str).filter(|s| !s.starts_with("___figment_")).collect();
    let key = key.join(".");
    let value = figment.find_value(&key).map(|v| render(&v)).unwrap_or_default();
    let source = match &err.metadata {
        Some(md) => describe(md, err.profile.as_ref(), &key),
        None => source_of(figment, &key),
    };
    ConfigError::new(key.clone(), value, err.kind.to_string()).from(source).hint_for_known_key(&key)
}

/// An error of a whole source rather than of one key: a file that is not valid TOML, an env
/// file that cannot be read. Which profile it concerns means nothing here; the file does.
fn unreadable(err: figment::Error) -> ConfigError {
    let message = err.kind.to_string();
    let message = message.trim_end();
    let Some(md) = err.metadata.as_ref() else {
        return ConfigError::new(Subject::Table, "", message);
    };
    let Some(figment::Source::File(path)) = &md.source else {
        let reason = format!("{} could not be read: {message}", md.name);
        return ConfigError::new(Subject::Table, "", reason)
            .from(Provenance::Provider(md.name.to_string()));
    };
    let reason = match message.strip_prefix("TOML parse error ") {
        Some(at_line) => format!("is not valid TOML: {at_line}"),
        None => format!("cannot be read: {message}"),
    };
    ConfigError::file(path.clone(), reason)
        .hint("fix the file at the line shown; until then the last good policy stays")
}

/// Keys in the `cors` table (or `CORS_*` variables) that mean nothing to the crate: errors,
/// because a key nobody reads is a policy nobody wrote (an `allow_origins` beside
/// `allow_origin` would be silently not in force).
pub(super) fn unknown_keys(figment: &Figment) -> Vec<ConfigError> {
    let Ok(table) = figment.extract::<Dict>() else {
        return Vec::new();
    };
    table
        .iter()
        .filter(|(key, _)| {
            Key::from_name(key).is_none()
                && !key.starts_with(OWN_ENV_PREFIX)
                && key.as_str() != settings::POLICIES
                && key.as_str() != settings::REPORT_ONLY
        })
        .map(|(key, value)| unknown_key(key, None, render(value)).from(source_of(figment, key)))
        .collect()
}

/// The error of an unknown `key` (of the named policy `policy`, if any), with the key it
/// most likely means.
pub(super) fn unknown_key(key: &str, policy: Option<&str>, value: String) -> ConfigError {
    let full = |key: &str| match policy {
        Some(name) => settings::policy_key(name, key),
        None => key.to_string(),
    };
    let table = if policy.is_some() { "a named policy's table" } else { "the `cors` table" };
    unknown_key_in(key, &full, table, value)
}

/// The error of an unknown `key` of `table`, whose keys are named in full by `full`
/// (`report_only.allow_origin`), with the key it most likely means.
pub(super) fn unknown_key_in(
    key: &str,
    full: &dyn Fn(&str) -> String,
    table: &str,
    value: String,
) -> ConfigError {
    let reason = format!("is not a key of {table}, and a key nobody reads would be ignored");
    let lower = key.to_ascii_lowercase();
    let hint = match settings::closest_key(key) {
        Some(known) if settings::django_name(lower.trim_start_matches("cors_")).is_some() => {
            format!(
                "`{key}` is django-cors-headers' name; here it is `{known}` (env {}): \
                 docs/migrating.md maps every such name",
                settings::env_name(&full(known.name()))
            )
        }
        Some(known) => {
            format!("did you mean `{known}` (env {})?", settings::env_name(&full(known.name())))
        }
        None => "the keys are the rows of the README's settings table; the CORS_ prefix of \
                 environment variables belongs to this crate"
            .to_string(),
    };
    ConfigError::new(full(key), value, reason).hint(hint)
}

/// `[cors]` at the top of Rocket.toml: Rocket reads the file by profile, so that is a
/// profile named `cors` that is never selected, and its settings silently do nothing.
/// `figment` is the whole (unfocused) one: only the file can hold a profile of that name,
/// every other source is global.
pub(super) fn misplaced_table(figment: &Figment, config_file: &Path) -> Option<ConfigWarning> {
    let profiles = figment.data().ok()?;
    let table = profiles.get(&Profile::new(TABLE))?;
    let warning = ConfigWarning::new(
        Subject::File(config_file.to_path_buf()),
        render(&Value::from(table.clone())),
        "has a top-level [cors] table, which Rocket reads as a profile named `cors` and \
         ignores; write [default.cors] (or [debug.cors], [release.cors], [global.cors])",
    );
    Some(warning.from(Provenance::File { path: config_file.to_path_buf(), profile: TABLE.into() }))
}
