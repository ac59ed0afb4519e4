//! The shape of the `cors` table in a file as read: there, a table, and under its own name.
//! A `cors` that is a string, a `[default.CORS]`, a top-level `[cors]` or a half-written
//! file that stops before the table all give the built-in defaults without a word from
//! Figment; these say what is wrong, at launch and when a reload is refused for it.

use figment::Profile;
use figment::value::{Dict, Value};

use super::{ReadFile, TABLE, render};
use crate::error::{ConfigError, ConfigWarning, Source, Subject};
use crate::settings::{Key, closest_key};

/// What is wrong with the `cors` table of `profile` in `file`, completing "the file
/// `<path>` ..."; `None` when it is a table.
pub(crate) fn table_problem(file: &ReadFile, profile: &Profile) -> Option<String> {
    let section = file.profiles.get(profile);
    match section.and_then(|s| s.get(TABLE)) {
        Some(Value::Dict(..)) => None,
        Some(other) => Some(not_a_table(profile, other)),
        None => Some(missing_table(file, section, profile)),
    }
}

/// A key of `table` the crate does not know that means `key` (`Allow_Origin`,
/// `allow_origins`), if any.
pub(crate) fn unknown_spelling<'d>(table: &'d Dict, key: &str) -> Option<&'d str> {
    table.keys().map(String::as_str).find(|found| {
        Key::from_name(found).is_none()
            && (found.eq_ignore_ascii_case(key)
                || closest_key(found).is_some_and(|k| k.name() == key))
    })
}

/// The `cors` table of `profile` in `file`, if it is one.
pub(crate) fn table<'f>(file: &'f ReadFile, profile: &Profile) -> Option<&'f Dict> {
    match file.profiles.get(profile)?.get(TABLE)? {
        Value::Dict(_, dict) => Some(dict),
        _ => None,
    }
}

/// At launch: a `cors` that is not a table in one of the profiles read is an error (the
/// operator wrote settings, and none of them would apply); a `cors` table under another
/// case (`[default.CORS]`) a warning, like a top-level `[cors]`.
pub(super) fn check_at_launch(
    file: &ReadFile,
    selected: &Profile,
) -> (Vec<ConfigError>, Vec<ConfigWarning>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let mut profiles = vec![Profile::Default, selected.clone(), Profile::Global];
    profiles.dedup();
    for profile in profiles {
        let Some(section) = file.profiles.get(&profile) else { continue };
        let source = Source::File { path: file.path.clone(), profile: profile.to_string() };
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
        ReadFile { path: "/srv/Rocket.toml".into(), profiles }
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

    #[test]
    fn a_respelt_key_is_found_under_its_known_name() {
        let file = file("[default.cors]\nAllow_Origin = \"x\"\nallow_origins = \"y\"\n");
        let table = table(&file, &Profile::Default).unwrap();
        assert_eq!(unknown_spelling(table, "allow_origin"), Some("Allow_Origin"));
        assert_eq!(unknown_spelling(table, "max_age"), None);
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
