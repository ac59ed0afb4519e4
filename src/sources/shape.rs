//! The one place that decides a load would fall back to the built-in defaults.
//!
//! A `cors` that is a string, a `[default.CORS]`, a top-level `[cors]`, a half-written file
//! that stops before the table, a file caught empty or gone: each gives the built-in
//! defaults without a word from Figment. At launch the shape of the table is checked (a
//! string is an error, another case a warning); on a reload the check is a transition,
//! given what the last good load read: a file it read that is now missing or blank, or a
//! table gone that gave keys in force, is refused like an invalid edit (CORS off first of
//! all). A key removed while its table stays valid is a deliberate return to the default.
//! `cors-fairing check --previous OLD NEW` asks the same question.

use std::path::{Path, PathBuf};

use figment::Profile;
use figment::value::{Dict, Value};

use super::{Loaded, ReadFile, TABLE, render};
use crate::error::{ConfigError, ConfigWarning, Provenance, Subject};
use crate::files;
use crate::settings::Key;

/// What the last good load read, which a reload must not silently take away.
#[derive(Debug, Clone, Default)]
pub(crate) struct LastGood {
    /// Where each key in force came from.
    pub(crate) provenance: Vec<(Key, Provenance)>,
    /// The files that had content.
    pub(crate) required: Vec<PathBuf>,
    /// The `env_file` it named: dropping it from the settings is an edit of its own.
    pub(crate) env_file: Option<PathBuf>,
    /// The `Rocket.toml` it read, when known: a new load of another file (`cors-fairing
    /// check --previous OLD NEW`) is judged as that file's next version.
    pub(crate) config_file: Option<PathBuf>,
}

impl LastGood {
    /// What `loaded` read, as the last good load of a later one.
    pub(crate) fn of(loaded: &Loaded) -> LastGood {
        LastGood {
            provenance: loaded.provenance.clone(),
            required: loaded.read.iter().filter(|f| !f.blank).map(|f| f.path.clone()).collect(),
            env_file: loaded.policy.settings().env_file.clone(),
            config_file: loaded.read.iter().find(|f| !f.env_file).map(|f| f.path.clone()),
        }
    }

    /// The same, with `old`'s path (the file it read) replaced by `new`.
    fn moved(&self, old: &Path, new: &Path) -> LastGood {
        let at = |path: &PathBuf| if path == old { new.to_path_buf() } else { path.clone() };
        let provenance = self.provenance.iter().map(|(key, source)| {
            let source = match source {
                Provenance::File { path, profile } => {
                    Provenance::File { path: at(path), profile: profile.clone() }
                }
                other => other.clone(),
            };
            (*key, source)
        });
        LastGood {
            provenance: provenance.collect(),
            required: self.required.iter().map(at).collect(),
            env_file: self.env_file.clone(),
            config_file: Some(new.to_path_buf()),
        }
    }
}

/// Every reason the load of `read` (for `selected`) would fall back to defaults; with
/// `last_good`, also those of the transition from it. Warnings say what only looks wrong.
pub(super) fn check(
    read: &[ReadFile],
    selected: &Profile,
    last_good: Option<&LastGood>,
    provenance: &[(Key, Provenance)],
) -> (Vec<ConfigError>, Vec<ConfigWarning>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let new_file = read.iter().find(|f| !f.env_file).map(|f| f.path.as_path());
    let moved = match (last_good.and_then(|l| l.config_file.as_deref()), new_file) {
        (Some(old), Some(new)) if old != new => last_good.map(|l| l.moved(old, new)),
        _ => None,
    };
    let last_good = moved.as_ref().or(last_good);
    for file in read {
        let (e, w) = check_at_launch(file, selected);
        errors.extend(e);
        warnings.extend(w);
    }
    if let (true, Some(last_good)) = (errors.is_empty(), last_good) {
        errors.extend(vanished(read, last_good));
        if errors.is_empty() {
            errors.extend(taken_away(read, last_good, provenance));
        }
    }
    (errors, warnings)
}

/// A file the last good load read with content that is now missing or blank, unless the
/// new load no longer names it (an `env_file` dropped on purpose; one still named but
/// missing is an error of the load itself). A file this load did not read itself (a
/// caller's Figment read it) is looked at here.
fn vanished(read: &[ReadFile], last_good: &LastGood) -> Option<ConfigError> {
    last_good.required.iter().find_map(|path| {
        let blank = match read.iter().find(|f| &f.path == path) {
            Some(file) => file.blank,
            None if Some(path) == last_good.env_file.as_ref() => return None,
            None => match files::read_text(path) {
                Err(err) if err.is_not_found() => {
                    return Some(vanished_error(path, "is missing"));
                }
                Err(_) => return None, // the load reported it, or the next one will
                Ok(text) => is_blank(&text),
            },
        };
        blank.then(|| vanished_error(path, "is empty"))
    })
}

/// Nothing but whitespace: a save caught half-way (a comment is not blank).
pub(super) fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_whitespace())
}

/// Figment reads a missing file as an empty one, and an empty file gives the defaults: a
/// save caught half-way must never turn CORS off.
fn vanished_error(path: &Path, what: &str) -> ConfigError {
    ConfigError::file(path, format!("{what}, but the last good policy was read from it"))
        .hint("write the file again; to clear the settings on purpose, leave a comment in it")
}

/// Keys in force from a file's `cors` table that the new load gives their defaults because
/// the table is gone, moved or not a table: one error per file and problem.
fn taken_away(
    read: &[ReadFile],
    last_good: &LastGood,
    provenance: &[(Key, Provenance)],
) -> Vec<ConfigError> {
    // (file, profile, what is wrong) -> the keys it takes away.
    let mut problems: Vec<(&ReadFile, Profile, String, Vec<Key>)> = Vec::new();
    for (key, old) in &last_good.provenance {
        let (path, profile) = match old {
            Provenance::File { path, profile } => (path, Profile::new(profile)),
            // An env file has no table to lose: its `CORS_*` lines are the table, and one
            // emptied is `vanished`'s business.
            _ => continue,
        };
        if provenance.iter().any(|(k, new)| k == key && new == old) {
            continue;
        }
        // A file the load no longer reads is `vanished`'s business.
        let Some(file) = read.iter().find(|f| &f.path == path) else { continue };
        let Some(problem) = table_problem(file, &profile) else { continue };
        // One problem per table (file and profile): the keys it takes away are one error.
        match problems.iter_mut().find(|(f, p, ..)| f.path == file.path && *p == profile) {
            Some((.., keys)) => keys.push(*key),
            None => problems.push((file, profile, problem, vec![*key])),
        }
    }
    problems
        .into_iter()
        .map(|(file, profile, problem, keys)| {
            let keys = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            ConfigError::file(
                &file.path,
                format!(
                    "{problem}: the policy in force has {keys} from [{profile}.cors], and this \
                     load would silently give them their built-in defaults"
                ),
            )
            .hint(
                "fix the table, and the last good policy stays until then; to return a key to \
                 its default on purpose, remove that key and keep the table",
            )
        })
        .collect()
}

/// What is wrong with the `cors` table of `profile` in `file`, completing "the file
/// `<path>` ..."; `None` when it is a table.
fn table_problem(file: &ReadFile, profile: &Profile) -> Option<String> {
    let section = file.profiles.get(profile);
    match section.and_then(|s| s.get(TABLE)) {
        Some(Value::Dict(..)) => None,
        Some(other) => Some(not_a_table(profile, other)),
        None => Some(missing_table(file, section, profile)),
    }
}

/// At launch: a `cors` that is not a table in one of the profiles read is an error (the
/// operator wrote settings, and none of them would apply); a `cors` table under another
/// case (`[default.CORS]`) a warning, like a top-level `[cors]`.
fn check_at_launch(file: &ReadFile, selected: &Profile) -> (Vec<ConfigError>, Vec<ConfigWarning>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let mut profiles = vec![Profile::Default, selected.clone(), Profile::Global];
    profiles.dedup();
    for profile in profiles {
        let Some(section) = file.profiles.get(&profile) else { continue };
        let source = Provenance::File { path: file.path.clone(), profile: profile.to_string() };
        match section.get(TABLE) {
            Some(Value::Dict(..)) => {}
            Some(other) => errors.push(
                ConfigError::file(&file.path, not_a_table(&profile, other))
                    .hint(format!("write the settings under [{profile}.cors], one key a line"))
                    .from(source),
            ),
            None => {
                if let Some((name, value)) = respelt(section) {
                    let message = format!(
                        "has [{profile}.{name}] instead of [{profile}.cors] (table names are \
                         case-sensitive): its settings are ignored"
                    );
                    let warning = ConfigWarning::new(
                        Subject::File(file.path.clone()),
                        render(value),
                        message,
                    );
                    warnings.push(warning.from(source));
                }
            }
        }
    }
    (errors, warnings)
}

fn respelt(section: &Dict) -> Option<(&str, &Value)> {
    section.iter().find(|(k, _)| k.eq_ignore_ascii_case(TABLE)).map(|(k, v)| (k.as_str(), v))
}

fn not_a_table(profile: &Profile, value: &Value) -> String {
    let shown = match value {
        Value::String(..) => format!("{:?}", render(value)),
        _ => render(value),
    };
    format!(
        "has `cors = {shown}` in [{profile}]: `cors` must be a table ([{profile}.cors]), not {}",
        kind(value)
    )
}

fn missing_table(file: &ReadFile, section: Option<&Dict>, profile: &Profile) -> String {
    if let Some((name, _)) = section.and_then(respelt) {
        return format!(
            "has [{profile}.{name}] instead of [{profile}.cors] (table names are case-sensitive)"
        );
    }
    if *profile != Profile::new(TABLE) && file.profiles.contains_key(&Profile::new(TABLE)) {
        return format!(
            "has a top-level [cors] table instead of [{profile}.cors]: Rocket reads it as a \
             profile named `cors`, and ignores it"
        );
    }
    format!("has no [{profile}.cors] table any more (a save caught half-way, or the table deleted)")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::String(..) | Value::Char(..) => "a string",
        Value::Bool(..) => "a bool",
        Value::Num(..) => "a number",
        Value::Array(..) => "an array",
        Value::Empty(..) => "empty",
        Value::Dict(..) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Provider;
    use figment::providers::{Format, Toml};

    fn file(toml: &str) -> ReadFile {
        let profiles = Toml::string(toml).nested().data().unwrap();
        let blank = is_blank(toml);
        ReadFile { path: "/srv/Rocket.toml".into(), profiles, blank, env_file: false }
    }

    fn problem(toml: &str) -> Option<String> {
        table_problem(&file(toml), &Profile::Default)
    }

    #[test]
    fn each_way_of_losing_the_table_is_named() {
        let gone = problem("[default]\nport = 8000\n").unwrap();
        assert!(gone.starts_with("has no [default.cors] table any more"), "{gone}");
        let string = problem("[default]\ncors = \"https://z.example\"\n").unwrap();
        assert_eq!(
            string,
            "has `cors = \"https://z.example\"` in [default]: `cors` must be a table \
             ([default.cors]), not a string"
        );
        let top = problem("[cors]\nallow_origin = \"https://a.example\"\n").unwrap();
        assert!(top.starts_with("has a top-level [cors] table instead of [default.cors]"));
        let upper = problem("[default.CORS]\nallow_origin = \"https://a.example\"\n").unwrap();
        assert!(upper.starts_with("has [default.CORS] instead of [default.cors]"), "{upper}");
        assert_eq!(problem("[default.cors]\n"), None);
    }

    fn reload(toml: &str) -> Vec<String> {
        let path = PathBuf::from("/srv/Rocket.toml");
        let source = Provenance::File { path: path.clone(), profile: "default".into() };
        let provenance = vec![(Key::AllowOrigin, source), (Key::MaxAge, Provenance::Default)];
        let required = vec![path];
        let last_good = LastGood { provenance, required, ..LastGood::default() };
        let now = [(Key::AllowOrigin, Provenance::Default), (Key::MaxAge, Provenance::Default)];
        let (errors, _) = check(&[file(toml)], &Profile::Default, Some(&last_good), &now);
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_lost_table_or_file_is_refused_and_a_removed_key_is_not() {
        let gone = reload("[default]\nport = 8000\n");
        assert_eq!(gone.len(), 1, "{gone:?}");
        assert!(gone[0].contains("has no [default.cors] table any more"), "{gone:?}");
        assert!(gone[0].contains("has `allow_origin` from [default.cors]"), "{gone:?}");
        assert!(reload("  \n")[0].contains("is empty, but the last good policy"));
        assert_eq!(reload("[default.cors]\nmax_age = 60\n"), Vec::<String>::new());
        assert_eq!(reload("# cleared on purpose\n[default.cors]\n"), Vec::<String>::new());
    }

    #[test]
    fn at_launch_a_string_is_an_error_and_another_case_a_warning() {
        let (errors, warnings) =
            check_at_launch(&file("[default]\ncors = \"https://z.example\"\n"), &Profile::Default);
        assert_eq!((errors.len(), warnings.len()), (1, 0));
        assert!(errors[0].reason.contains("must be a table"), "{}", errors[0]);
        let (errors, warnings) = check_at_launch(
            &file("[debug.CORS]\nallow_origin = \"https://z.example\"\n"),
            &Profile::new("debug"),
        );
        assert_eq!((errors.len(), warnings.len()), (0, 1));
        assert!(warnings[0].to_string().contains("[debug.CORS] instead of [debug.cors]"));
    }
}
