//! A reload must never fall back to the built-in defaults by accident. A file whose
//! `[default.cors]` table is gone (a save caught half-way), `cors = "https://z.example"`, a
//! table moved to the top (`[cors]`) or renamed (`[default.CORS]`), a key respelt
//! (`Allow_Origin`): each would load, and quietly give the keys the last good policy had
//! from that table their defaults, CORS off first of all. Such a reload is refused like an
//! invalid edit. A key removed while its table stays valid is a deliberate return to the
//! default, and swaps.

use std::path::PathBuf;

use figment::Profile;

use figment::value::Value;

use crate::error::{ConfigError, ConfigErrors, Source};
use crate::settings::{Key, POLICIES, policy_key};
use crate::sources::{Loaded, ReadFile, shape};
use crate::state::NamedProvenance;

/// The errors that refuse `loaded`, given where the values in force came from (`before`).
pub(crate) fn refused(before: &[(Key, Source)], loaded: &Loaded) -> Option<ConfigErrors> {
    // (file, profile, what is wrong) -> the keys it takes away.
    let mut problems: Vec<(PathBuf, Profile, String, Vec<Key>)> = Vec::new();
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
        let Some(problem) = table_problem(file, &profile, key.name()) else { continue };
        match problems
            .iter_mut()
            .find(|(p, pr, what, _)| p == path && *pr == profile && *what == problem)
        {
            Some((.., keys)) => keys.push(*key),
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

/// The same for the named policies: a key a named policy set itself in a file, which the
/// policy still in the new load no longer sets because it is respelt there
/// (`alow_origin`), would quietly become the base's value. Refused like the base's.
pub(crate) fn refused_named(before: &[NamedProvenance], loaded: &Loaded) -> Option<ConfigErrors> {
    let mut errors = Vec::new();
    for old in before {
        let Some(new) = loaded.named.iter().find(|n| n.name == old.name) else { continue };
        for key in old.own.iter().filter(|key| !new.own.contains(key)) {
            let Some((_, Source::File { path, profile })) = old.keys.iter().find(|(k, _)| k == key)
            else {
                continue;
            };
            let Some(file) = loaded.read.iter().find(|f| &f.path == path) else { continue };
            let Some(table) = shape::table(file, &Profile::new(profile)) else { continue };
            let Some(Value::Dict(_, policies)) = table.get(POLICIES) else { continue };
            let Some(Value::Dict(_, own)) = policies.get(&old.name) else { continue };
            let Some(found) = shape::unknown_spelling(own, key.name()) else { continue };
            let full = policy_key(&old.name, key.name());
            errors.push(
                ConfigError::file(
                    path,
                    format!(
                        "has `{}`, an unknown key (did you mean `{key}`?): the policy in force \
                         has `{full}` from [{profile}.cors.{POLICIES}.{}], and this load would \
                         silently give it the base's value",
                        policy_key(&old.name, found),
                        old.name
                    ),
                )
                .hint(
                    "spell the key as the settings table does; until then the last good \
                       policy stays",
                ),
            );
        }
    }
    ConfigErrors::from_vec(errors)
}

fn is_env_file(loaded: &Loaded, path: &PathBuf) -> bool {
    loaded.policy.settings().env_file.as_ref() == Some(path)
}

/// What is wrong with the `cors` table of `profile` in `file` such that `key` has no value
/// from it; `None` when the table is fine and the key was simply removed.
fn table_problem(file: &ReadFile, profile: &Profile, key: &str) -> Option<String> {
    if let Some(problem) = shape::table_problem(file, profile) {
        return Some(problem);
    }
    let table = shape::table(file, profile)?;
    shape::unknown_spelling(table, key)
        .map(|found| format!("has `{found}`, an unknown key (did you mean `{key}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Provider;
    use figment::providers::{Format, Toml};

    fn problem(toml: &str) -> Option<String> {
        let profiles = Toml::string(toml).nested().data().unwrap();
        let file = ReadFile { path: "/srv/Rocket.toml".into(), profiles };
        table_problem(&file, &Profile::Default, "allow_origin")
    }

    #[test]
    fn a_respelt_key_or_a_lost_table_is_a_problem() {
        let respelt = problem("[default.cors]\nAllow_Origin = \"https://a.example\"\n").unwrap();
        assert_eq!(respelt, "has `Allow_Origin`, an unknown key (did you mean `allow_origin`?)");
        assert!(problem("[default]\nport = 8000\n").is_some());
    }

    #[test]
    fn a_key_removed_from_a_valid_table_is_no_problem() {
        assert_eq!(problem("[default.cors]\nmax_age = 60\n"), None);
        assert_eq!(problem("[default.cors]\n"), None);
    }
}
