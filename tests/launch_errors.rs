//! An invalid configuration stops the launch, and the logged message names the key, the
//! value, where it came from (file and profile, or env var) and a hint. Unknown keys are
//! warned about with the closest known name.
//!
//! What the launch logged is read through `common::log_capture`, per thread.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;

use common::APP;
use common::blocking::{acao_for, app};
use cors_fairing::{CorsFairing, Settings};
use figment::Jail;
use log::Level;
use rocket::error::ErrorKind;
use rocket::local::blocking::Client;

fn install_capture() {
    common::log_capture::install();
}

/// Takes the lines this thread logged at `level` so far.
fn take_logged(level: Level) -> Vec<String> {
    common::log_capture::take(|at, _| at == level)
}

/// A jail with the capture installed and `Rocket.toml` holding `toml` (if any).
fn in_jail(toml: Option<&str>, test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    install_capture();
    Jail::expect_with(|jail| {
        take_logged(Level::Trace);
        if let Some(toml) = toml {
            jail.create_file("Rocket.toml", toml)?;
        }
        test(jail)
    });
}

/// Launches `fairing` on the test app, which must fail, and returns the logged errors.
fn failed_launch(fairing: CorsFairing) -> String {
    match Client::tracked(app(fairing)) {
        Ok(_) => panic!("the launch must fail; logged: {:?}", take_logged(Level::Error)),
        Err(err) => {
            assert!(matches!(err.kind(), ErrorKind::FailedFairings(_)), "{err}");
        }
    }
    take_logged(Level::Error).join("\n")
}

/// The error of launching with `CorsFairing::figment()` in the current jail.
fn figment_launch_error() -> String {
    failed_launch(CorsFairing::figment())
}

fn rocket_toml(jail: &Jail) -> String {
    jail.directory().join("Rocket.toml").display().to_string()
}

/// Asserts the message has every part, in the crate's wording: `key` = "value" (from
/// source) ... hint: ...
fn assert_names(message: &str, key: &str, value: &str, source: &str, hint: &str) {
    // As written: a regex keeps its single backslashes.
    let head = format!("`{key}` = \"{value}\"");
    assert!(message.contains(&head), "no {head} in: {message}");
    assert!(message.contains(&format!("(from {source}")), "no source {source:?} in: {message}");
    let Some((_, hint_text)) = message.split_once("hint: ") else {
        panic!("no hint in: {message}");
    };
    assert!(hint_text.contains(hint), "hint without {hint:?} in: {message}");
}

#[test]
fn star_with_credentials_in_rocket_toml() {
    let toml = "[default.cors]\nallow_origin = \"*\"\nallow_credentials = true\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        assert_names(&message, "allow_origin", "*", &source, "allow_credentials");
        Ok(())
    });
}

#[test]
fn star_mixed_with_origins_in_env() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "*, https://a.example");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_ORIGIN";
        assert_names(&message, "allow_origin", "https://a.example", source, "`*` alone");
        Ok(())
    });
}

#[test]
fn origin_with_a_path_in_a_profile_section() {
    let toml = "[default.cors]\nmax_age = 5\n[debug.cors]\nallow_origin = [\"https://App.example.com/api\"]\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let source = format!("[debug.cors] in {}", rocket_toml(jail));
        let value = "https://App.example.com/api";
        assert_names(&message, "allow_origin", value, &source, "\"https://app.example.com\"");
        Ok(())
    });
}

#[test]
fn origin_with_a_trailing_slash_in_env() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "https://app.example.com/");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_ORIGIN";
        let hint = "\"https://app.example.com\"";
        assert_names(&message, "allow_origin", "https://app.example.com/", source, hint);
        Ok(())
    });
}

#[test]
fn origin_without_a_scheme_in_rocket_toml() {
    let toml = "[default.cors]\nallow_origin = [\"https://ok.example\", \"app.example.com\"]\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        let hint = "\"https://app.example.com\"";
        assert_names(&message, "allow_origin", "app.example.com", &source, hint);
        Ok(())
    });
}

#[test]
fn origin_from_rocket_cors_names_that_variable() {
    in_jail(None, |jail| {
        jail.set_env("ROCKET_CORS", r#"{allow_origin="https://x.example/"}"#);
        let message = figment_launch_error();
        let source = "environment variable ROCKET_CORS";
        assert_names(
            &message,
            "allow_origin",
            "https://x.example/",
            source,
            "\"https://x.example\"",
        );
        Ok(())
    });
}

#[test]
fn star_with_credentials_across_global_and_env() {
    // The refused value is in [global.cors]; credentials come from the environment.
    let toml = "[global.cors]\nallow_origin = \"*\"\n";
    in_jail(Some(toml), |jail| {
        jail.set_env("CORS_ALLOW_CREDENTIALS", "yes");
        let message = figment_launch_error();
        let source = format!("[global.cors] in {}", rocket_toml(jail));
        assert_names(&message, "allow_origin", "*", &source, "allow_credentials");
        Ok(())
    });
}

#[test]
fn bad_method_tokens() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", APP);
        jail.set_env("CORS_ALLOW_METHODS", "GET, P(UT");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_METHODS";
        assert_names(&message, "allow_methods", "P(UT", source, "tokens such as GET");
        Ok(())
    });
    in_jail(Some("[default.cors]\nallow_methods = [\"GET\", \"delete\"]\n"), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        assert_names(&message, "allow_methods", "delete", &source, "write DELETE");
        Ok(())
    });
}

#[test]
fn bad_header_names() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", APP);
        jail.set_env("CORS_EXPOSE_HEADERS", "X-Ok, X@Bad");
        let message = figment_launch_error();
        let source = "environment variable CORS_EXPOSE_HEADERS";
        assert_names(&message, "expose_headers", "X@Bad", source, "letters, digits and `-`");
        Ok(())
    });
    // An element of a TOML array is one header name, space and all: not two names.
    in_jail(Some("[default.cors]\nallow_headers = [\"X-Ok\", \"X Bad\"]\n"), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        assert_names(&message, "allow_headers", "X Bad", &source, "letters, digits and `-`");
        Ok(())
    });
}

#[test]
fn regex_that_does_not_compile() {
    let toml = "[release.cors]\nallow_origin_regex = ['https://(unclosed\\.example\\.com']\n";
    in_jail(Some(toml), |jail| {
        jail.set_env("ROCKET_PROFILE", "release");
        let message = figment_launch_error();
        let source = format!("[release.cors] in {}", rocket_toml(jail));
        let value = r"https://(unclosed\.example\.com";
        assert_names(&message, "allow_origin_regex", value, &source, "regex");
        Ok(())
    });
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN_REGEX", "https://[z-a]\\.example\\.com");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_ORIGIN_REGEX";
        assert_names(
            &message,
            "allow_origin_regex",
            r"https://[z-a]\.example\.com",
            source,
            "regex",
        );
        Ok(())
    });
}

#[test]
fn wrong_types() {
    in_jail(
        Some("[default.cors]\nallow_origin = \"https://a.example\"\nmax_age = \"soon\"\n"),
        |jail| {
            let message = figment_launch_error();
            let source = format!("[default.cors] in {}", rocket_toml(jail));
            assert_names(&message, "max_age", "soon", &source, "max_age");
            Ok(())
        },
    );
    in_jail(None, |jail| {
        jail.set_env("CORS_MAX_AGE", "-5");
        let message = figment_launch_error();
        assert_names(&message, "max_age", "-5", "environment variable CORS_MAX_AGE", "max_age");
        Ok(())
    });
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_CREDENTIALS", "maybe");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_CREDENTIALS";
        assert_names(&message, "allow_credentials", "maybe", source, "allow_credentials");
        Ok(())
    });
    in_jail(Some("[default.cors]\nenv_file = 5\n"), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        assert_names(&message, "env_file", "5", &source, "env_file");
        Ok(())
    });
    in_jail(Some("[default.cors]\nallow_methods = true\n"), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        assert_names(&message, "allow_methods", "true", &source, "allow_methods");
        Ok(())
    });
}

#[test]
fn invalid_settings_given_in_code_stop_the_launch_too() {
    in_jail(None, |_| {
        let settings = Settings::default().allow_origin(["ftp://files.example"]);
        let message = failed_launch(CorsFairing::from_settings(settings));
        assert_names(
            &message,
            "allow_origin",
            "ftp://files.example",
            "given in code",
            "allow_origin_regex",
        );
        Ok(())
    });
}

/// A launch that succeeds; returns the client and the warnings it logged.
fn launch_with_warnings() -> (Client, Vec<String>) {
    let client = match Client::tracked(app(CorsFairing::figment())) {
        Ok(client) => client,
        Err(err) => panic!("launch failed: {err}; {:?}", take_logged(Level::Error)),
    };
    (client, take_logged(Level::Warn))
}

fn one_warning_about<'w>(warnings: &'w [String], key: &str) -> &'w str {
    let about: Vec<&String> = warnings.iter().filter(|w| w.contains(&format!("`{key}`"))).collect();
    assert_eq!(about.len(), 1, "warnings about {key}: {warnings:?}");
    about[0]
}

/// The one line of `logged` about `key`.
fn one_line_about<'l>(logged: &'l str, key: &str) -> &'l str {
    let about: Vec<&str> = logged.lines().filter(|l| l.contains(&format!("`{key}`"))).collect();
    assert_eq!(about.len(), 1, "lines about {key}: {logged}");
    about[0]
}

/// A key nobody reads is a policy nobody wrote: `allow_origins` beside `allow_origin` would
/// be silently not in force, so the launch stops (as a reload and `check` refuse it).
#[test]
fn an_unknown_env_var_stops_the_launch_with_the_closest_name() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", APP);
        jail.set_env("CORS_ALLOW_ORIGINS", "https://b.example");
        let errors = figment_launch_error();
        let error = one_line_about(&errors, "allow_origins");
        assert!(error.contains("here it is `allow_origin` (env CORS_ALLOW_ORIGIN)"), "{error}");
        assert!(error.contains("environment variable CORS_ALLOW_ORIGINS"), "{error}");
        Ok(())
    });
}

#[test]
fn an_unknown_toml_key_stops_the_launch_with_the_closest_name() {
    let toml = "[default.cors]\nallow_origin = \"https://app.example.com\"\nallowed_origins = [\"https://b.example\"]\nmax_agee = 5\n";
    in_jail(Some(toml), |jail| {
        let errors = figment_launch_error();
        let error = one_line_about(&errors, "allowed_origins");
        assert!(error.contains("django-cors-headers' name; here it is `allow_origin`"), "{error}");
        assert!(error.contains("docs/migrating.md"), "{error}");
        assert!(error.contains(&rocket_toml(jail)), "{error}");
        let error = one_line_about(&errors, "max_agee");
        assert!(error.contains("did you mean `max_age`"), "{error}");
        Ok(())
    });
}

#[test]
fn allow_all_origin_with_credentials_stops_the_launch_unless_dangerously_opted_in() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ALL_ORIGIN", "");
        jail.set_env("CORS_ALLOW_CREDENTIALS", "true");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_ALL_ORIGIN";
        let hint = "dangerously_allow_all_origin_with_credentials = true";
        assert_names(&message, "allow_all_origin", "true", source, hint);
        assert!(message.contains("allow_credentials"), "names both keys: {message}");

        jail.set_env("CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS", "true");
        let (client, warnings) = launch_with_warnings();
        let key = "dangerously_allow_all_origin_with_credentials";
        let warning = one_warning_about(&warnings, key);
        assert!(warning.contains("credentials"), "{warning}");
        let var = "environment variable CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS";
        assert!(warning.contains(var), "{warning}");
        let evil = "https://evil.example";
        assert_eq!(acao_for(&client, evil).as_deref(), Some(evil));
        Ok(())
    });
}

#[test]
fn the_source_is_the_layer_that_won() {
    let toml = "[default.cors]\nallow_origin = \"https://ok.example\"\n";
    in_jail(Some(toml), |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "https://bad.example/x");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_ORIGIN";
        assert_names(
            &message,
            "allow_origin",
            "https://bad.example/x",
            source,
            "\"https://bad.example\"",
        );
        Ok(())
    });
    let toml = "[default.cors]\nallow_origin = \"https://bad.example/x\"\n[debug.cors]\nallow_origin = \"https://bad.example/y\"\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let source = format!("[debug.cors] in {}", rocket_toml(jail));
        assert_names(
            &message,
            "allow_origin",
            "https://bad.example/y",
            &source,
            "\"https://bad.example\"",
        );
        Ok(())
    });
}

#[test]
fn a_top_level_cors_table_is_reported_as_misplaced() {
    // Rocket.toml is nested by profile: `[cors]` is a profile named "cors", never selected.
    let toml = "[cors]\nallow_origin = \"https://app.example.com\"\n";
    in_jail(Some(toml), |jail| {
        let (client, warnings) = launch_with_warnings();
        let warning = one_warning_about(&warnings, "cors");
        assert!(warning.contains("[default.cors]"), "{warning}");
        assert!(warning.contains(&rocket_toml(jail)), "{warning}");
        assert_eq!(acao_for(&client, APP), None, "the misplaced table must not apply");
        Ok(())
    });
    in_jail(Some("[default.cors]\nallow_origin = \"https://app.example.com\"\n"), |_| {
        let (_client, warnings) = launch_with_warnings();
        assert!(!warnings.iter().any(|w| w.contains("`cors`")), "{warnings:?}");
        Ok(())
    });
}

#[test]
fn an_app_scheme_without_a_host_names_key_value_source_and_hint() {
    let toml = "[default.cors]\nallow_origin = [\"capacitor://\"]\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        assert_names(
            &message,
            "allow_origin",
            "capacitor://",
            &source,
            "\"capacitor://localhost\"",
        );
        Ok(())
    });
}

/// Rocket keeps one fairing of a singleton kind and silently drops the other: the crate's
/// fairing is not one, and the second refuses the launch saying why and what to do.
#[test]
fn a_second_cors_fairing_refuses_the_launch_and_says_what_to_do() {
    install_capture();
    take_logged(Level::Trace);
    let first = CorsFairing::from_settings(common::settings(|s| s.reload = false));
    let second = CorsFairing::from_settings(common::settings(|s| s.max_age = Some(60)));
    let err = match Client::tracked(app(first).attach(second)) {
        Ok(_) => panic!("two CORS fairings must not launch"),
        Err(err) => err,
    };
    assert!(matches!(err.kind(), ErrorKind::FailedFairings(f) if f.len() == 1), "{err}");
    let logged = take_logged(Level::Error);
    let last = logged.last().expect("an error line");
    for part in
        ["second CorsFairing", "one CorsFairing", "`paths`", "[default.cors.policies.<name>]"]
    {
        assert!(last.contains(part), "{part:?} missing from {last:?}");
    }
}

/// Rocket's "aborting due to fairing failure(s)" follows the crate's last line: that line
/// sums the problems up and says where they are.
#[test]
fn the_last_line_before_the_abort_sums_the_problems_up() {
    let toml = "[default.cors]\nallow_origin = \"*\"\nallow_credentials = true\n";
    in_jail(Some(toml), |jail| {
        let logged = failed_launch(CorsFairing::figment());
        let logged: Vec<String> = logged.lines().map(str::to_string).collect();
        let expected = format!("CORS: 1 problem in {}; the launch stops", rocket_toml(jail));
        assert_eq!(logged.last(), Some(&expected), "{logged:#?}");
        Ok(())
    });
    in_jail(None, |jail| {
        jail.set_env("CORS_MAX_AGE", "soon");
        let logged = failed_launch(CorsFairing::figment());
        let logged: Vec<String> = logged.lines().map(str::to_string).collect();
        let expected = "CORS: 1 problem in environment variable CORS_MAX_AGE; the launch stops";
        assert_eq!(logged.last().map(String::as_str), Some(expected), "{logged:#?}");
        Ok(())
    });
}

#[test]
fn every_bad_key_is_logged_at_launch_not_only_the_first() {
    // One value serde cannot read and three that do not validate: all four are reported.
    let toml = "[default.cors]\n\
                allow_credentials = \"maybe\"\n\
                allow_origin = \"app.example.com\"\n\
                allow_methods = [\"get\"]\n\
                preflight_status = 500\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let source = format!("[default.cors] in {}", rocket_toml(jail));
        let lines: Vec<&str> = message.lines().filter(|l| l.contains("invalid CORS")).collect();
        assert_eq!(lines.len(), 4, "one record per problem: {message}");
        let line_about = |key: &str| {
            let found: Vec<&&str> =
                lines.iter().filter(|l| l.contains(&format!("`{key}`"))).collect();
            assert_eq!(found.len(), 1, "{key} in: {message}");
            found[0].to_string()
        };
        assert_names(
            &line_about("allow_credentials"),
            "allow_credentials",
            "maybe",
            &source,
            "README",
        );
        let origin = line_about("allow_origin");
        assert_names(
            &origin,
            "allow_origin",
            "app.example.com",
            &source,
            "https://app.example.com",
        );
        assert_names(&line_about("allow_methods"), "allow_methods", "get", &source, "GET");
        assert_names(&line_about("preflight_status"), "preflight_status", "500", &source, "204");
        Ok(())
    });
}

#[test]
fn a_dev_server_origin_without_a_scheme_is_hinted_with_http() {
    in_jail(None, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "localhost:5173");
        let message = figment_launch_error();
        let source = "environment variable CORS_ALLOW_ORIGIN";
        assert_names(
            &message,
            "allow_origin",
            "localhost:5173",
            source,
            "\"http://localhost:5173\"",
        );
        Ok(())
    });
}

#[test]
fn cors_as_a_string_stops_the_launch_saying_what_is_wrong_with_the_table() {
    let toml = "[default]\ncors = \"https://app.example.com\"\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let expected = format!(
            "the file {} has `cors = \"https://app.example.com\"` in [default]: `cors` must be \
             a table ([default.cors]), not a string",
            rocket_toml(jail)
        );
        assert!(message.starts_with(&expected), "{message}");
        assert!(message.contains("hint: write the settings under [default.cors]"), "{message}");
        Ok(())
    });
}

#[test]
fn a_cors_table_in_another_case_is_named_at_launch() {
    let toml = "[default.CORS]\nallow_origin = \"https://app.example.com\"\n";
    in_jail(Some(toml), |jail| {
        let (client, warnings) = launch_with_warnings();
        let about: Vec<&String> =
            warnings.iter().filter(|w| w.contains("[default.CORS] instead of")).collect();
        assert_eq!(about.len(), 1, "{warnings:?}");
        assert!(about[0].contains(&rocket_toml(jail)), "{}", about[0]);
        assert!(about[0].contains("case-sensitive"), "{}", about[0]);
        assert_eq!(acao_for(&client, APP), None, "the respelt table must not apply");
        Ok(())
    });
}

#[test]
fn rocket_toml_that_is_not_toml_is_a_sentence_about_the_file() {
    let toml = "[default.cors]\nmax_age = 60\nallow_origin = [\"https://a.example\"\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let expected = format!("the file {} is not valid TOML: at line 3", rocket_toml(jail));
        assert!(message.starts_with(&expected), "{message}");
        assert!(!message.contains("`cors`"), "no sentinel key: {message}");
        assert!(message.contains("hint: fix the file at the line shown"), "{message}");
        Ok(())
    });
}

#[test]
fn an_env_file_that_cannot_be_read_is_a_sentence_about_the_file() {
    let toml = "[default.cors]\nenv_file = \"missing.env\"\n";
    in_jail(Some(toml), |jail| {
        let message = figment_launch_error();
        let path = jail.directory().join("missing.env");
        let expected = format!("the file {} cannot be read: ", path.display());
        assert!(message.starts_with(&expected), "{message}");
        Ok(())
    });
}

#[test]
fn a_value_merged_in_code_is_named_in_words_not_as_a_rust_type() {
    in_jail(None, |_| {
        let figment = figment::Figment::new()
            .merge(("cors.allow_origin", ["https://a.example", "ftp://b.example"]));
        let message = failed_launch(CorsFairing::from_figment(figment));
        assert_names(&message, "allow_origin", "ftp://b.example", "given in code", "regex");
        assert!(!message.contains("&str"), "{message}");
        Ok(())
    });
}

/// A provider of Rocket's Figment other than the file and the environment.
struct Vault;

impl figment::Provider for Vault {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named("Vault secrets")
    }
    fn data(&self) -> figment::Result<figment::value::Map<figment::Profile, figment::value::Dict>> {
        let mut cors = figment::value::Dict::new();
        cors.insert("allow_origin".into(), "https://app.example.com/".into());
        let mut root = figment::value::Dict::new();
        root.insert("cors".into(), cors.into());
        Ok(figment::Profile::Default.collect(root))
    }
}

#[test]
fn another_figment_provider_is_named_as_such() {
    in_jail(None, |_| {
        let message = failed_launch(CorsFairing::from_figment(figment::Figment::from(Vault)));
        let source = "Rocket's Figment: Vault secrets";
        assert_names(&message, "allow_origin", "https://app.example.com/", source, "write");
        Ok(())
    });
}

/// An element of a list set by a variable is reported under the variable that set the list,
/// for the base and for a named policy.
#[test]
fn a_bad_list_element_from_a_variable_names_the_variable() {
    let cases = [
        ("CORS_ALLOW_METHODS", "allow_methods"),
        ("CORS_POLICIES__PARTNER__ALLOW_METHODS", "policies.partner.allow_methods"),
    ];
    for (var, key) in cases {
        in_jail(None, |jail| {
            jail.set_env(var, "[\"GET\", {a = 1}]");
            jail.set_env("CORS_POLICIES__PARTNER__PATHS", "[\"/partner/**\"]");
            let report = cors_fairing::check(&rocket::Config::figment(), None);
            let found: Vec<(Option<&str>, String)> =
                report.errors.iter().map(|e| (e.key(), e.provenance.to_string())).collect();
            assert_eq!(found, [(Some(key), format!("environment variable {var}"))]);
            Ok(())
        });
    }
}

#[test]
fn a_file_of_the_callers_figment_that_cannot_be_read_is_named_with_its_reason() {
    in_jail(None, |jail| {
        // Figment reads it, and fails on a byte that is not UTF-8.
        let path = jail.directory().join("cors.toml");
        std::fs::write(&path, b"[cors]\nallow_origin = \"\xff\"\n").unwrap();
        use figment::providers::Format;
        let figment = figment::Figment::from(figment::providers::Toml::file(&path));
        let logged = failed_launch(CorsFairing::from_figment(figment));
        let named = format!("{} cannot be read: ", path.display());
        assert!(logged.contains(&named), "{named:?} missing from: {logged}");
        assert!(!logged.contains("read: cannot be read"), "{logged}");
        Ok(())
    });
}
