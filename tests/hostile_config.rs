//! Bad configuration: every refused setting names its key, value, source (file and profile,
//! or `CORS_*` variable) and a hint; every risky one is a [`ConfigWarning`] with its source.
//!
//! Each test launches Rocket on a good `Rocket.toml` inside a `figment::Jail`, then edits the
//! file (or sets variables) and loads again through `CorsHandle::reload_blocking`, which reads every
//! source the way the launch does and hands back the error instead of only logging it.

// figment::Jail's closures return figment::Error and loads return ConfigError: both large on
// purpose (they carry the whole story), and only ever built in a failing test.
#![allow(clippy::result_large_err)]

mod common;

use std::path::Path;

use common::blocking::{acao_for, client};
use cors_fairing::status::ReloadOutcome;
use cors_fairing::{ConfigError, ConfigErrors, ConfigWarning, CorsHandle, Provenance, Subject};
use figment::Jail;
use rocket::local::blocking::Client;

const GOOD: &str = r#"
    [default.cors]
    allow_origin = ["https://ok.example.com"]
    reload = false
"#;

/// What one load gave: its warnings or its error, and the jail's directory.
struct Loaded {
    dir: std::path::PathBuf,
    outcome: Result<Vec<ConfigWarning>, ConfigErrors>,
}

/// Launches on [`GOOD`], then runs `test` with the client and its handle.
fn launched(test: impl FnOnce(&mut Jail, &Client, &CorsHandle) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.create_file("Rocket.toml", GOOD)?;
        let client = client();
        let handle = client.rocket().state::<CorsHandle>().expect("managed handle").clone();
        test(jail, &client, &handle)
    });
}

/// Writes `toml` as `Rocket.toml` and loads every source again.
fn reload_with(
    jail: &Jail,
    handle: &CorsHandle,
    toml: &str,
) -> Result<Vec<ConfigWarning>, ConfigErrors> {
    jail.create_file("Rocket.toml", toml).expect("writable jail");
    match handle.reload_blocking() {
        ReloadOutcome::Failed(err) => Err(err),
        ReloadOutcome::Swapped { .. } | ReloadOutcome::Unchanged => Ok(handle.report().warnings),
        other => panic!("an outcome these tests do not know: {other:?}"),
    }
}

/// Loads a `[default.cors]` table with these lines (plus `reload = false`).
fn load_table(lines: &str) -> Loaded {
    load_profile("default", lines)
}

fn load_profile(profile: &str, lines: &str) -> Loaded {
    let toml = match profile {
        "default" => format!("[default.cors]\nreload = false\n{lines}\n"),
        _ => format!("[default.cors]\nreload = false\n[{profile}.cors]\n{lines}\n"),
    };
    let mut loaded = None;
    launched(|jail, _, handle| {
        let dir = jail.directory().to_path_buf();
        loaded = Some(Loaded { dir, outcome: reload_with(jail, handle, &toml) });
        Ok(())
    });
    loaded.expect("the jail ran")
}

/// Sets these variables on the launched server's process and loads again.
fn load_env(vars: &[(&str, &str)]) -> Loaded {
    let mut loaded = None;
    launched(|jail, _, handle| {
        for (var, value) in vars {
            jail.set_env(var, value);
        }
        let dir = jail.directory().to_path_buf();
        // A changed file too: a reload that finds the settings unchanged keeps the policy
        // (and the warnings) it had.
        let changed = format!("{GOOD}max_age = 61\n");
        loaded = Some(Loaded { dir, outcome: reload_with(jail, handle, &changed) });
        Ok(())
    });
    loaded.expect("the jail ran")
}

impl Loaded {
    /// The one error of the load (a load with several is not what these tests write).
    fn error(self) -> (ConfigError, std::path::PathBuf) {
        match self.outcome {
            Err(errors) if errors.len() == 1 => (errors.first().clone(), self.dir),
            Err(errors) => panic!("expected one error, got {errors}"),
            Ok(warnings) => panic!("expected an error, loaded with warnings {warnings:?}"),
        }
    }

    /// Every error of the load.
    fn errors(self) -> Vec<ConfigError> {
        match self.outcome {
            Err(errors) => errors.into_iter().collect(),
            Ok(warnings) => panic!("expected errors, loaded with warnings {warnings:?}"),
        }
    }

    fn warnings(self) -> (Vec<ConfigWarning>, std::path::PathBuf) {
        match self.outcome {
            Ok(warnings) => (warnings, self.dir),
            Err(err) => panic!("expected a load, got {err}"),
        }
    }
}

fn assert_from_file(source: &Provenance, dir: &Path, profile: &str) {
    let Provenance::File { path, profile: found } = source else {
        panic!("expected a file source, got {source:?}");
    };
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    assert_eq!(canonical(path), canonical(&dir.join("Rocket.toml")));
    assert_eq!(found, profile);
}

/// Refused: `key` = `value` from `[default.cors]`, reason and hint mentioning the words given.
fn assert_refused(lines: &str, key: &str, value: &str, reason: &str, hint: &str) {
    let (err, dir) = load_table(lines).error();
    assert_eq!((err.key().unwrap(), err.value.as_str()), (key, value), "{err}");
    assert_from_file(&err.provenance, &dir, "default");
    assert!(err.reason.contains(reason), "reason of {err}");
    let found = err.hint.as_deref().unwrap_or_else(|| panic!("no hint in {err}"));
    assert!(found.contains(hint), "hint {found:?} lacks {hint:?}");
}

fn assert_env_refused(vars: &[(&str, &str)], key: &str, value: &str, var: &str, hint: &str) {
    let (err, _) = load_env(vars).error();
    assert_eq!((err.key().unwrap(), err.value.as_str()), (key, value), "{err}");
    assert_eq!(err.provenance, Provenance::Env { var: var.into() });
    let found = err.hint.as_deref().unwrap_or_else(|| panic!("no hint in {err}"));
    assert!(found.contains(hint), "hint {found:?} lacks {hint:?}");
}

fn warning<'a>(warnings: &'a [ConfigWarning], key: &str, value: &str) -> &'a ConfigWarning {
    warnings
        .iter()
        .find(|w| w.key() == Some(key) && w.value == value)
        .unwrap_or_else(|| panic!("no warning for {key} = {value:?} in {warnings:?}"))
}

#[test]
fn the_message_names_key_value_file_profile_and_hint() {
    let (err, dir) = load_profile("debug", r#"allow_origin = "https://app.example.com/""#).error();
    assert_from_file(&err.provenance, &dir, "debug");
    let line = err.to_string();
    for part in ["`allow_origin`", "\"https://app.example.com/\"", "[debug.cors]", "Rocket.toml"] {
        assert!(line.contains(part), "{line:?} lacks {part}");
    }
    assert!(line.contains("hint: write \"https://app.example.com\""), "{line}");
}

#[test]
fn origins_with_a_path_query_fragment_or_trailing_slash() {
    for (value, what) in [
        ("https://app.example.com/api", "a path"),
        ("https://app.example.com?x=1", "a query"),
        ("https://app.example.com#top", "a fragment"),
        ("https://App.Example.com/", "a trailing `/`"),
    ] {
        let lines = format!("allow_origin = [\"https://ok.example.com\", \"{value}\"]");
        assert_refused(&lines, "allow_origin", value, what, "write \"https://app.example.com\"");
    }
}

#[test]
fn origins_without_a_scheme() {
    let lines = r#"allow_origin = "app.example.com:8443""#;
    assert_refused(lines, "allow_origin", "app.example.com:8443", "scheme", "https://app.");
    // The `https://` form of a bare wildcard would be refused too: no hint may suggest it.
    let (err, _) = load_table(r#"allow_origin = "*.com""#).error();
    let hint = err.hint.unwrap();
    assert!(!hint.contains("write \"https://*.com\""), "{hint}");
    assert!(hint.contains("public suffix"), "{hint}");
}

#[test]
fn schemes_other_than_http_and_https() {
    for value in ["ftp://files.example.com", "file://"] {
        let lines = format!("allow_origin = \"{value}\"");
        let reason = "neither http, https nor a known app or extension scheme";
        assert_refused(&lines, "allow_origin", value, reason, "allow_origin_regex");
    }
    // Extension origins are listed like http ones (issue 11), and checked as carefully.
    let lines = r#"allow_origin = "chrome-extension://abcdef""#;
    let reason = "not a Chromium extension id";
    assert_refused(lines, "allow_origin", "chrome-extension://abcdef", reason, "abcdefghijklmnop");
    let (warnings, _) = load_table(r#"allow_origin = "null""#).warnings();
    assert!(warning(&warnings, "allow_origin", "null").message.contains("sandboxed iframe"));
}

#[test]
fn upper_case_and_default_ports_are_normalised_not_refused() {
    launched(|jail, client, handle| {
        let toml = r#"
            [default.cors]
            reload = false
            allow_origin = ["HTTPS://App.Example.COM:443", "http://LOCALHOST:80",
                            "http://[0:0:0:0:0:0:0:1]:3000"]
        "#;
        let warnings = reload_with(jail, handle, toml).expect("normalised, not refused");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(acao_for(client, "https://app.example.com").as_deref(), Some(common::APP));
        assert!(acao_for(client, "http://localhost").is_some());
        assert!(acao_for(client, "http://[::1]:3000").is_some());
        // The spellings in the file are not what browsers send.
        assert_eq!(acao_for(client, "HTTPS://App.Example.COM:443"), None);
        assert_eq!(acao_for(client, "https://app.example.com:443"), None);
        Ok(())
    });
}

#[test]
fn star_with_credentials() {
    let lines = "allow_origin = \"*\"\nallow_credentials = true";
    assert_refused(lines, "allow_origin", "*", "credentialed", "allow_credentials off");
    let vars = [("CORS_ALLOW_ORIGIN", "*"), ("CORS_ALLOW_CREDENTIALS", "yes")];
    assert_env_refused(&vars, "allow_origin", "*", "CORS_ALLOW_ORIGIN", "list the origins");
}

#[test]
fn star_mixed_with_other_origins() {
    let lines = r#"allow_origin = ["*", "https://app.example.com"]"#;
    assert_refused(lines, "allow_origin", "https://app.example.com", "`*`", "either `*` alone");
    let vars = [("CORS_ALLOW_ORIGIN", "https://app.example.com, *")];
    assert_env_refused(&vars, "allow_origin", "https://app.example.com", "CORS_ALLOW_ORIGIN", "*");
}

#[test]
fn wildcards_in_the_wrong_place() {
    for value in ["https://*example.com", "https://a.*.com", "https://*.*.example.com"] {
        let lines = format!("allow_origin = \"{value}\"");
        assert_refused(&lines, "allow_origin", value, "first label", "allow_origin_regex");
    }
    for value in ["https://*.com", "https://*.co.uk", "https://*.github.io"] {
        let lines = format!("allow_origin = \"{value}\"");
        assert_refused(&lines, "allow_origin", value, "`*.", "name your own domain");
    }
    let (err, _) = load_table(r#"allow_origin = "*.com""#).error();
    assert_eq!((err.key().unwrap(), err.value.as_str()), ("allow_origin", "*.com"));
}

#[test]
fn regexes_that_do_not_compile() {
    for value in ["https://(unclosed", r"https://a\.example\.com)|(evil", "[z-a]"] {
        let lines = format!("allow_origin_regex = '{value}'");
        assert_refused(&lines, "allow_origin_regex", value, "not a valid regex", "`regex` crate");
    }
}

#[test]
fn regexes_that_match_everything_or_look_unanchored_are_warned_about() {
    let lines = r#"allow_origin_regex = ['.*', '.*\.example\.com', 'https://example\.com.*',
                    'https://app.example.com', 'https://[a-z]+\.example\.com']"#;
    let (warnings, dir) = load_table(lines).warnings();
    let every = warning(&warnings, "allow_origin_regex", ".*");
    assert!(every.message.contains("matches every origin"), "{every}");
    assert_from_file(&every.provenance, &dir, "default");
    let starts = warning(&warnings, "allow_origin_regex", r".*\.example\.com");
    assert!(starts.message.contains("starts with"), "{starts}");
    let ends = warning(&warnings, "allow_origin_regex", r"https://example\.com.*");
    assert!(ends.message.contains("ends with"), "{ends}");
    let dot = warning(&warnings, "allow_origin_regex", "https://app.example.com");
    assert!(dot.message.contains("unescaped `.`"), "{dot}");
    assert!(!warnings.iter().any(|w| w.value.contains("[a-z]")), "{warnings:?}");
}

#[test]
fn bad_method_tokens() {
    let lines = r#"allow_methods = ["GET", "DE:LETE"]"#;
    assert_refused(lines, "allow_methods", "DE:LETE", "method token", "GET or PATCH");
    assert_refused(r#"allow_methods = "put""#, "allow_methods", "put", "case", "write PUT");
    let vars = [("CORS_ALLOW_METHODS", "GET, P@TCH\u{e9}")];
    assert_env_refused(&vars, "allow_methods", "P@TCH\u{e9}", "CORS_ALLOW_METHODS", "tokens");
}

#[test]
fn bad_header_names() {
    let lines = r#"allow_headers = ["X-Ok", "X:Bad"]"#;
    assert_refused(lines, "allow_headers", "X:Bad", "header name", "X-Request-Id");
    let vars = [("CORS_EXPOSE_HEADERS", "X-Total,X(Id)")];
    assert_env_refused(&vars, "expose_headers", "X(Id)", "CORS_EXPOSE_HEADERS", "X-Request-Id");
}

#[test]
fn forbidden_response_headers_cannot_be_exposed() {
    for value in ["Set-Cookie", "set-cookie2"] {
        let lines = format!("expose_headers = [\"X-Id\", \"{value}\"]");
        assert_refused(&lines, "expose_headers", value, "never let a page read", "remove it");
    }
}

#[test]
fn max_age_above_two_hours_is_warned_about_naming_each_engines_cap() {
    let (warnings, dir) =
        load_table("allow_origin = \"https://a.example\"\nmax_age = 7201").warnings();
    let w = warning(&warnings, "max_age", "7201");
    for cap in ["Chromium at 2 h", "Firefox at 24 h", "WebKit at 10 min"] {
        assert!(w.message.contains(cap), "{cap}: {w}");
    }
    assert!(w.message.ends_with("WebKit for up to 600 s, Chromium 7200 s, Firefox 7201 s"), "{w}");
    assert_from_file(&w.provenance, &dir, "default");
    let (warnings, _) =
        load_table("allow_origin = \"https://a.example\"\nmax_age = 7200").warnings();
    assert!(warnings.iter().all(|w| w.key() != Some("max_age")), "{warnings:?}");
}

#[test]
fn allow_all_origin_with_credentials_is_an_error_at_launch_reload_and_check() {
    let lines = "allow_all_origin = true\nallow_credentials = true";
    let (err, dir) = load_table(lines).error();
    assert_eq!((err.key(), err.value.as_str()), (Some("allow_all_origin"), "true"), "{err}");
    assert_from_file(&err.provenance, &dir, "default");
    assert!(err.reason.contains("allow_credentials"), "names both keys: {err}");
    let hint = err.hint.as_deref().unwrap_or_default();
    for offer in [
        "list the origins in allow_origin",
        "origin check",
        "dangerously_allow_all_origin_with_credentials = true",
        "CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS",
    ] {
        assert!(hint.contains(offer), "{offer} in {hint}");
    }
    launched(|jail, client, handle| {
        let before = handle.policy().fingerprint();
        let refused = reload_with(jail, handle, &format!("[default.cors]\n{lines}\n"));
        assert_eq!(refused.unwrap_err().first().key(), Some("allow_all_origin"));
        assert_eq!(handle.policy().fingerprint(), before, "the last good policy stays");
        let report = cors_fairing::check(client.rocket().figment(), None);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].key(), Some("allow_all_origin"));
        Ok(())
    });
}

#[test]
fn the_dangerous_opt_in_restores_reflection_with_credentials_and_warns_at_every_load() {
    let table = |max_age: u32| {
        format!(
            "[default.cors]\nreload = false\nallow_all_origin = true\n\
             allow_credentials = true\nmax_age = {max_age}\n\
             dangerously_allow_all_origin_with_credentials = true\n"
        )
    };
    launched(|jail, _, handle| {
        for max_age in [60, 120] {
            let warnings = reload_with(jail, handle, &table(max_age)).expect("loads");
            let w = warning(&warnings, "dangerously_allow_all_origin_with_credentials", "true");
            assert!(w.message.contains("every site can read responses made with"), "{w}");
            assert_from_file(&w.provenance, jail.directory(), "default");
        }
        jail.set_env("CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS", "on");
        let toml = "[default.cors]\nallow_credentials = true\nallow_all_origin = true\n";
        let warnings = reload_with(jail, handle, toml).expect("loads");
        let w = warning(&warnings, "dangerously_allow_all_origin_with_credentials", "true");
        let var = "CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS";
        assert_eq!(w.provenance, Provenance::Env { var: var.into() });
        Ok(())
    });
}

#[test]
fn plain_http_origins_with_credentials_are_warned_about() {
    let lines = r#"allow_origin = ["http://app.example.com", "http://localhost:3000",
                                   "http://*.example.org"]
                   allow_credentials = true"#;
    let (warnings, _) = load_table(lines).warnings();
    assert!(warning(&warnings, "allow_origin", "http://app.example.com").message.contains("http"));
    warning(&warnings, "allow_origin", "http://*.example.org");
    assert!(!warnings.iter().any(|w| w.value.contains("localhost")), "{warnings:?}");
}

#[test]
fn unknown_keys_from_django_cors_headers_are_errors_that_point_at_the_mapping() {
    let cases = [
        ("CORS_ALLOW_ORIGINS", "allow_origins", "allow_origin"),
        ("CORS_ALLOWED_ORIGINS", "allowed_origins", "allow_origin"),
        ("CORS_ORIGIN_WHITELIST", "origin_whitelist", "allow_origin"),
        ("CORS_PREFLIGHT_MAX_AGE", "preflight_max_age", "max_age"),
    ];
    let vars: Vec<(&str, &str)> =
        cases.iter().map(|(var, ..)| (*var, "https://a.example")).collect();
    let errors = load_env(&vars).errors();
    assert_eq!(errors.len(), cases.len(), "every unknown key at once: {errors:?}");
    for (var, key, known) in cases {
        let err = errors.iter().find(|e| e.key() == Some(key)).expect(key);
        assert_eq!(err.provenance, Provenance::Env { var: var.into() });
        let hint = err.hint.as_deref().unwrap();
        assert!(hint.contains(&format!("here it is `{known}`")), "{err}");
        assert!(hint.contains("docs/migrating.md"), "{err}");
    }
    // Beside the real key, the typo'd one is refused too: what it says would be silently
    // not in force.
    let lines =
        "allow_origin = [\"https://ok.example.com\"]\nallowed_origins = [\"https://a.example\"]";
    let (err, dir) = load_table(lines).error();
    assert_eq!((err.key(), err.value.as_str()), (Some("allowed_origins"), "[https://a.example]"));
    assert!(err.hint.as_deref().unwrap().contains("`allow_origin` (env CORS_ALLOW_ORIGIN)"));
    assert_from_file(&err.provenance, &dir, "default");
}

#[test]
fn a_refused_edit_keeps_the_last_good_policy() {
    launched(|jail, client, handle| {
        let err = reload_with(jail, handle, "[default.cors]\nallow_origin = \"https://*.[\"\n")
            .expect_err("refused, not a panic");
        assert_eq!(err.len(), 1, "{err}");
        assert_eq!(err.first().value, "https://*.[");
        assert_eq!(
            acao_for(client, "https://ok.example.com").as_deref(),
            Some("https://ok.example.com")
        );
        Ok(())
    });
}

#[test]
fn a_reload_reports_every_problem_and_keeps_the_last_good_policy() {
    launched(|jail, client, handle| {
        let toml = "[default.cors]\n\
                    allow_origin = [\"https://ok.example.com/\", \"ftp://x.example\"]\n\
                    allow_methods = [\"get\"]\n\
                    max_age = \"soon\"\n";
        let errors = reload_with(jail, handle, toml).expect_err("refused");
        let found: Vec<(Option<&str>, &str)> =
            errors.iter().map(|err| (err.key(), err.value.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some("max_age"), "soon"),
                (Some("allow_origin"), "https://ok.example.com/"),
                (Some("allow_origin"), "ftp://x.example"),
                (Some("allow_methods"), "get"),
            ],
            "{errors}"
        );
        for err in &errors {
            assert_from_file(&err.provenance, jail.directory(), "default");
            assert!(err.hint.is_some(), "no hint in {err}");
        }
        let last_error = handle.status().borrow().last_error.clone().expect("the failure");
        assert!(last_error.starts_with("4 problems in the CORS configuration:"), "{last_error}");
        for (_, value) in &found {
            assert!(last_error.contains(&format!("{value:?}")), "{value} in {last_error}");
        }
        assert_eq!(
            acao_for(client, "https://ok.example.com").as_deref(),
            Some("https://ok.example.com"),
            "the last good policy stays"
        );
        Ok(())
    });
}

#[test]
fn an_emptied_file_is_a_sentence_about_the_file() {
    launched(|jail, _, handle| {
        let errors = reload_with(jail, handle, "").expect_err("refused");
        let path = jail.directory().join("Rocket.toml");
        let expected = format!(
            "the file {} is empty, but the last good policy was read from it",
            path.display()
        );
        assert!(errors.to_string().starts_with(&expected), "{errors}");
        assert_eq!(errors.first().subject, Subject::File(path));
        Ok(())
    });
}
/// The verdict of `cors_fairing::check` (what a launch and a reload reach) on a `[default.cors]`
/// table of these lines: every error and every warning.
fn verdict(lines: &str) -> (Vec<ConfigError>, Vec<ConfigWarning>) {
    let mut verdict = None;
    Jail::expect_with(|jail| {
        jail.create_file("Rocket.toml", &format!("[default.cors]\n{lines}\n"))?;
        let report = cors_fairing::check(&rocket::Config::figment(), None);
        verdict = Some((report.errors, report.warnings));
        Ok(())
    });
    verdict.expect("the jail ran")
}

/// The errors of `lines`, each with a hint (the README promises a fix with every error).
fn errors_of(lines: &str) -> Vec<ConfigError> {
    let (errors, _) = verdict(lines);
    for err in &errors {
        assert!(err.hint.is_some(), "an error without a hint: {err}");
    }
    errors
}

fn values(errors: &[ConfigError]) -> Vec<&str> {
    errors.iter().map(|e| e.value.as_str()).collect()
}

#[test]
fn every_bad_item_of_every_list_is_reported_at_once() {
    let errors = errors_of("allow_methods = [\"G@T\", \"résumé\"]");
    assert_eq!(values(&errors), ["G@T", "résumé"], "{errors:?}");
    let errors = errors_of("allow_headers = [\"X@Y\", \"Ä\", \"X-Ok\"]");
    assert_eq!(values(&errors), ["X@Y", "Ä"], "{errors:?}");
    let errors = errors_of("expose_headers = [\"Set-Cookie\", \"Y@Z\", \"Set-Cookie2\"]");
    assert_eq!(values(&errors), ["Set-Cookie", "Y@Z", "Set-Cookie2"], "{errors:?}");
    let errors = errors_of("allow_origin_regex = [\"(\", \"https://ok\\\\.example\", \"[\"]");
    assert_eq!(values(&errors), ["(", "["], "{errors:?}");
    let errors = errors_of("paths = [\"api\", \"/ok/**\", \"x/**\"]");
    assert_eq!(values(&errors), ["api", "x/**"], "{errors:?}");
}

#[test]
fn every_host_or_port_error_has_a_hint() {
    for origin in [
        "https://example.com:0",
        "https://.example.com",
        "https://[::1",
        "https://[zz]",
        "https://",
        "https://résumé.com",
        "https://exa mple.com",
    ] {
        let errors = errors_of(&format!("allow_origin = [{origin:?}]"));
        assert_eq!(errors.len(), 1, "{origin}: {errors:?}");
    }
}

#[test]
fn hex_octal_and_short_ipv4_forms_are_refused() {
    for origin in [
        "http://0xFF000000",
        "http://127.1",
        "http://0x7f.0.0.1",
        "http://0177.0.0.1",
        "http://4294967295",
    ] {
        let errors = errors_of(&format!("allow_origin = [{origin:?}]"));
        assert_eq!(errors.len(), 1, "{origin} must be refused: {errors:?}");
        assert!(errors[0].reason.contains("IPv4"), "{}", errors[0]);
    }
    assert!(errors_of("allow_origin = [\"http://127.0.0.1:8000\"]").is_empty());
}

#[test]
fn a_trailing_dot_host_is_an_origin_browsers_send() {
    let (errors, _) = verdict("allow_origin = [\"http://example.com.:3999\"]");
    assert!(errors.is_empty(), "{errors:?}");
    let policy = cors_fairing::policy::Policies::compile(
        &cors_fairing::Settings::default().allow_origin(["http://example.com.:3999"]),
    )
    .unwrap();
    let request =
        cors_fairing::policy::CorsRequest::preflight("/", "http://example.com.:3999", "GET");
    assert!(policy.decide(&request).is_allowed());
    let other = cors_fairing::policy::CorsRequest::preflight("/", "http://example.com:3999", "GET");
    assert!(!policy.decide(&other).is_allowed(), "the dot is part of the origin");
}

#[test]
fn stray_whitespace_is_named_as_whitespace() {
    let errors = errors_of("allow_origin = [\" http://example.com:6060 \"]");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].reason.contains("whitespace"), "{}", errors[0]);
    assert!(!errors[0].reason.contains("scheme"), "{}", errors[0]);
    assert!(errors[0].hint.as_deref().unwrap().contains("\"http://example.com:6060\""));
}

#[test]
fn the_fetch_standards_forbidden_methods_and_request_headers_are_refused() {
    let errors = errors_of("allow_methods = [\"GET\", \"CONNECT\", \"TRACE\", \"TRACK\"]");
    assert_eq!(values(&errors), ["CONNECT", "TRACE", "TRACK"], "{errors:?}");
    assert!(errors.iter().all(|e| e.reason.contains("forbidden method")), "{errors:?}");
    let headers = "allow_headers = [\"X-Ok\", \"Cookie\", \"Host\", \"Origin\", \"Connection\", \
                   \"Sec-Fetch-Mode\", \"Proxy-Authorization\", \"Access-Control-Request-Method\"]";
    let errors = errors_of(headers);
    assert_eq!(
        values(&errors),
        [
            "Cookie",
            "Host",
            "Origin",
            "Connection",
            "Sec-Fetch-Mode",
            "Proxy-Authorization",
            "Access-Control-Request-Method"
        ],
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| e.reason.contains("forbidden request-header")), "{errors:?}");
}

#[test]
fn response_header_names_where_request_headers_belong_are_warned_about() {
    let (errors, warnings) = verdict(
        "allow_origin = [\"https://a.example\"]\n\
         allow_headers = [\"Access-Control-Allow-Origin\"]\n\
         expose_headers = [\"Access-Control-Allow-Credentials\"]",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let about = |key: &str| warnings.iter().find(|w| w.key() == Some(key));
    let allow = about("allow_headers").unwrap_or_else(|| panic!("{warnings:?}"));
    assert!(allow.message.contains("response header"), "{allow}");
    let expose = about("expose_headers").unwrap_or_else(|| panic!("{warnings:?}"));
    assert!(expose.message.contains("response header"), "{expose}");
}

#[test]
fn wildcards_that_can_never_match_and_invalid_punycode_are_refused() {
    // 253 characters: a valid host, but `*.` before it makes every match longer than a host
    // may be.
    let parent =
        [&"a".repeat(63), &"b".repeat(63), &"c".repeat(63), &"d".repeat(57), "com"].join(".");
    assert_eq!(parent.len(), 253);
    let long = format!("https://*.{parent}");
    for origin in [long.as_str(), "https://xn--f.example.com", "http://*.127.0.0.1:3999"] {
        let errors = errors_of(&format!("allow_origin = [{origin:?}]"));
        assert_eq!(errors.len(), 1, "{origin} must be refused: {errors:?}");
    }
}

#[test]
fn a_regex_is_shown_as_written() {
    let errors = errors_of("allow_origin_regex = [\"https://a\\\\.example(\"]");
    let shown = errors[0].to_string();
    assert!(shown.contains(r#""https://a\.example(""#), "one backslash, as written: {shown}");
}

/// A load refused for an error still reports its warnings, each from where its value came.
#[test]
fn the_warnings_of_a_refused_load_name_their_sources() {
    let lines = "allow_methods = [\"G@T\"]\nallow_origin_regex = [\"https://a.example\\\\.com\"]";
    let loaded = load_table(lines);
    let dir = loaded.dir.clone();
    let Err(errors) = loaded.outcome else { panic!("G@T must be refused") };
    let warning = errors.warnings().iter().find(|w| w.key() == Some("allow_origin_regex"));
    let warning = warning.unwrap_or_else(|| panic!("no regex warning beside {errors}"));
    assert_from_file(&warning.provenance, &dir, "default");
}
