//! A reload must never fall back to the built-in defaults by accident. A file whose
//! `[default.cors]` table is gone (a save caught half-way), `cors = "https://z.example"`, a
//! table moved to the top (`[cors]`) or renamed (`[default.CORS]`), a key respelt
//! (`Allow_Origin`): each would load, and quietly give the keys the last good policy had
//! from that table their defaults, CORS off first of all. Such a reload is refused like an
//! invalid edit. A key removed while its table stays valid is a deliberate return to the
//! default, and swaps.

use std::path::PathBuf;

use figment::Profile;
use figment::value::{Dict, Value};

use crate::error::{ConfigError, ConfigErrors, Source};
use crate::settings::{Key, closest_key};
use crate::sources::{Loaded, ReadFile, TABLE, render};

/// The errors that refuse `loaded`, given where the values in force came from (`before`).
pub(crate) fn refused(before: &[(&'static str, Source)], loaded: &Loaded) -> Option<ConfigErrors> {
    // (file, profile, what is wrong) -> the keys it takes away.
    let mut problems: Vec<(PathBuf, Profile, String, Vec<&'static str>)> = Vec::new();
    for (key, old) in before {
        let (path, profile) = match old {
            Source::File { path, profile } => (path, Profile::new(profile)),
            Source::EnvFile { path, .. } => (path, Profile::Global),
            _ => continue,
        };
        let new = loaded.provenance.iter().find(|(k, _)| k == key).map(|(_, s)| s);
        if new == Some(old) {
            continue;
        }
        // A file the load no longer reads is not this check's business: a vanished
        // Rocket.toml is refused before, a dropped `env_file` is an edit of its own.
        let Some(file) = loaded.read.iter().find(|f| &f.path == path) else { continue };
        let Some(problem) = table_problem(file, &profile, key) else { continue };
        match problems
            .iter_mut()
            .find(|(p, pr, what, _)| p == path && *pr == profile && *what == problem)
        {
            Some((.., keys)) => keys.push(key),
            None => problems.push((path.clone(), profile, problem, vec![*key])),
        }
    }
    let errors = problems.into_iter().map(|(path, profile, problem, keys)| {
        let keys = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        let table = if profile == Profile::Global && is_env_file(loaded, &path) {
            "it".to_string()
        } else {
            format!("[{profile}.cors]")
        };
        ConfigError::file(
            &path,
            format!(
                "{problem}: the policy in force has {keys} from {table}, and this load would \
                 silently give them their built-in defaults"
            ),
        )
        .hint(
            "fix the table, and the last good policy stays until then; to return a key to its \
             default on purpose, remove that key and keep the table",
        )
    });
    ConfigErrors::from_vec(errors.collect())
}

fn is_env_file(loaded: &Loaded, path: &PathBuf) -> bool {
    loaded.policy.settings().env_file.as_ref() == Some(path)
}

/// What is wrong with the `cors` table of `profile` in `file` such that `key` has no value
/// from it; `None` when the table is fine and the key was simply removed.
fn table_problem(file: &ReadFile, profile: &Profile, key: &str) -> Option<String> {
    let section = file.profiles.get(profile);
    let table = section.and_then(|s| s.get(TABLE));
    match table {
        None => Some(missing_table(file, section, profile)),
        Some(Value::Dict(_, dict)) => unknown_spelling(dict, key)
            .map(|found| format!("has `{found}`, an unknown key (did you mean `{key}`?)")),
        Some(other) => Some(format!(
            "has `cors = {}` in [{profile}]: `cors` must be a table ([{profile}.cors]), not {}",
            quoted(other),
            kind(other)
        )),
    }
}

fn missing_table(file: &ReadFile, section: Option<&Dict>, profile: &Profile) -> String {
    let respelt = section.and_then(|s| s.keys().find(|k| k.eq_ignore_ascii_case(TABLE)));
    if let Some(name) = respelt {
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

/// A key of `dict` the crate does not know that means `key` (`Allow_Origin`, `allow_origins`).
fn unknown_spelling<'d>(dict: &'d Dict, key: &str) -> Option<&'d str> {
    dict.keys().map(String::as_str).find(|found| {
        Key::from_name(found).is_none()
            && (found.eq_ignore_ascii_case(key)
                || closest_key(found).is_some_and(|k| k.name() == key))
    })
}

fn quoted(value: &Value) -> String {
    match value {
        Value::String(..) => format!("{:?}", render(value)),
        _ => render(value),
    }
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
        ReadFile { path: "/srv/Rocket.toml".into(), profiles }
    }

    fn problem(toml: &str) -> Option<String> {
        table_problem(&file(toml), &Profile::Default, "allow_origin")
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
        let respelt = problem("[default.cors]\nAllow_Origin = \"https://a.example\"\n").unwrap();
        assert_eq!(respelt, "has `Allow_Origin`, an unknown key (did you mean `allow_origin`?)");
    }

    #[test]
    fn a_key_removed_from_a_valid_table_is_no_problem() {
        assert_eq!(problem("[default.cors]\nmax_age = 60\n"), None);
        assert_eq!(problem("[default.cors]\n"), None);
    }
}
