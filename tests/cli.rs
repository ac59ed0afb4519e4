//! `cors-fairing check` and `cors-fairing explain`, run as an operator runs them: the
//! binary, in a directory holding a Rocket.toml, with only the environment the test gives.

#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    out: String,
}

impl Run {
    fn line(&self, prefix: &str) -> &str {
        let found: Vec<&str> = self.out.lines().filter(|l| l.starts_with(prefix)).collect();
        assert_eq!(found.len(), 1, "one line starting {prefix:?} in:\n{}", self.out);
        found[0]
    }

    fn fingerprint(&self) -> &str {
        self.line("policy fingerprint: ").trim_start_matches("policy fingerprint: ")
    }
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_cors-fairing"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    let out = String::from_utf8(output.stdout).expect("UTF-8 output");
    Run { code: output.status.code().expect("exited"), out }
}

fn dir_with(rocket_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Rocket.toml"), rocket_toml).unwrap();
    dir
}

const CONFIG: &str = r#"
[default.cors]
allow_origin = ["https://app.example.com"]
allow_methods = ["GET", "PUT"]
allow_headers = ["Content-Type", "X-Trace"]
max_age = 600

[staging.cors]
allow_origin = ["https://app.example.com", "https://staging.example.com"]
"#;

#[test]
fn check_all_reports_every_key_with_its_source_and_the_fingerprint() {
    let dir = dir_with(CONFIG);
    let run = run(dir.path(), &["check", "--all"], &[]);
    assert_eq!(run.code, 0, "{}", run.out);
    let file = dir.path().join("Rocket.toml");
    assert_eq!(run.line("checking "), "checking Rocket.toml (profile `release`)");
    assert_eq!(
        run.line("environment: "),
        "environment: no CORS_* variable set; only the files apply"
    );
    assert_eq!(
        run.line("  allow_origin = "),
        format!("  allow_origin = https://app.example.com ([default.cors] in {})", file.display())
    );
    assert_eq!(run.line("  preflight_status = "), "  preflight_status = 204 (built-in default)");
    for key in cors_fairing::Key::ALL {
        run.line(&format!("  {key} = "));
    }
    assert_eq!(run.fingerprint().len(), 16);
    assert_eq!(run.line("OK: "), "OK: valid, 0 warnings");
}

#[test]
fn check_prints_warnings_and_still_passes() {
    let dir = dir_with("[default.cors]\nallow_origin = \"https://a.example\"\nmax_age = 86401\n");
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.line("warning: ").contains("`max_age`"), "{}", run.out);
    assert_eq!(run.line("OK: "), "OK: valid, 1 warning");
}

/// A typo'd key beside the real one: `check` refuses it with the message a launch and a
/// reload give (tests/launch_errors.rs, tests/reload_faults.rs).
#[test]
fn check_refuses_an_unknown_key_with_its_did_you_mean() {
    let dir =
        dir_with("[default.cors]\nallow_origin = \"https://a.example\"\nalow_methods = \"GET\"\n");
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 1, "{}", run.out);
    let error = run.line("error: ");
    assert!(error.contains("`alow_methods` = \"GET\""), "{error}");
    assert!(error.contains("did you mean `allow_methods` (env CORS_ALLOW_METHODS)?"), "{error}");
}

#[test]
fn check_picks_the_profile_from_the_flag_or_rocket_profile() {
    let dir = dir_with(CONFIG);
    let staging = "  allow_origin = https://app.example.com, https://staging.example.com";
    let flag = run(dir.path(), &["check", "--profile", "staging"], &[]);
    assert_eq!(flag.code, 0, "{}", flag.out);
    assert_eq!(flag.line("checking "), "checking Rocket.toml (profile `staging`)");
    assert!(flag.line("  allow_origin = ").starts_with(staging), "{}", flag.out);
    let env = run(dir.path(), &["check"], &[("ROCKET_PROFILE", "staging")]);
    assert_eq!(env.line("  allow_origin = "), flag.line("  allow_origin = "));
    assert_eq!(env.fingerprint(), flag.fingerprint());
    let release = run(dir.path(), &["check"], &[]);
    assert_ne!(release.fingerprint(), flag.fingerprint());
}

#[test]
fn check_applies_the_environment_as_at_launch_and_says_so() {
    let dir = dir_with(CONFIG);
    let run = run(dir.path(), &["check"], &[("CORS_MAX_AGE", "30")]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(
        run.line("environment: "),
        "environment: CORS_MAX_AGE applied, as at launch (they win over the files)"
    );
    assert_eq!(run.line("  max_age = "), "  max_age = 30 (environment variable CORS_MAX_AGE)");
}

#[test]
fn check_reads_an_env_file_given_on_the_command_line() {
    let dir = dir_with(CONFIG);
    std::fs::write(dir.path().join("cors.env"), "CORS_MAX_AGE=45\n").unwrap();
    let run = run(dir.path(), &["check", "--env-file", "cors.env"], &[]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(run.line("  max_age = "), "  max_age = 45 (CORS_MAX_AGE in env file cors.env)");
}

#[test]
fn check_fails_on_an_invalid_setting_naming_key_value_source_and_hint() {
    let dir = dir_with("[default.cors]\nallow_origin = \"https://app.example.com/\"\n");
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 1, "{}", run.out);
    let file = dir.path().join("Rocket.toml");
    assert_eq!(
        run.line("error: "),
        format!(
            "error: invalid CORS setting `allow_origin` = \"https://app.example.com/\" (from \
             [default.cors] in {}): an origin is scheme://host[:port], without a trailing `/`; \
             hint: write \"https://app.example.com\"",
            file.display()
        )
    );
    assert!(run.line("INVALID: ").starts_with("INVALID: 1 error, 0 warnings;"), "{}", run.out);
    assert!(!run.out.contains("policy fingerprint"), "{}", run.out);
}

#[test]
fn check_refuses_a_missing_file_rather_than_passing_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), &["check", "deploy/Rocket.toml"], &[]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.line("error: ").contains("file deploy/Rocket.toml"), "{}", run.out);
}

#[test]
fn usage_errors_exit_2() {
    let dir = dir_with(CONFIG);
    let bare = run(dir.path(), &[], &[]);
    assert_eq!(bare.code, 2, "no arguments is a usage error: {}", bare.out);
    assert_eq!(bare.out, "", "the usage goes to stderr");
    let version = run(dir.path(), &["--version"], &[]);
    assert_eq!((version.code, version.out.trim()), (0, "cors-fairing 0.1.0"));
    assert_eq!(run(dir.path(), &["chekc"], &[]).code, 2);
    assert_eq!(run(dir.path(), &["explain", "--method", "PUT"], &[]).code, 2);
    let help = run(dir.path(), &["--help"], &[]);
    assert_eq!(help.code, 0);
    assert!(help.out.starts_with("usage: cors-fairing check"), "{}", help.out);
}

#[test]
fn the_fingerprint_ignores_spelling_and_order_and_is_the_same_in_every_process() {
    let written = dir_with(CONFIG);
    let respelt = dir_with(
        r#"
        [default.cors]
        max_age = 600
        allow_headers = "x-trace content-type X-TRACE"
        allow_methods = "PUT, GET"
        allow_origin = "HTTPS://App.Example.com:443"
        reload_settle_ms = 500
        "#,
    );
    let first = run(written.path(), &["check"], &[]);
    let second = run(written.path(), &["check"], &[]);
    let other_spelling = run(respelt.path(), &["check"], &[]);
    assert_eq!(first.fingerprint(), second.fingerprint());
    assert_eq!(first.fingerprint(), other_spelling.fingerprint());
    let changed = run(written.path(), &["check"], &[("CORS_ALLOW_METHODS", "GET")]);
    assert_ne!(changed.fingerprint(), first.fingerprint());
}

#[test]
fn explain_an_allowed_get() {
    let dir = dir_with(CONFIG);
    let args = ["explain", "--origin", "https://app.example.com", "--path", "/api/items"];
    let run = run(dir.path(), &args, &[]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(run.line("request "), "request (actual request): GET /api/items");
    assert_eq!(run.line("verdict: "), "verdict: allowed");
    let lines: Vec<&str> = run.out.lines().skip_while(|l| !l.starts_with("response: ")).collect();
    assert_eq!(
        lines,
        [
            "response: the route's own status and body, with these lines",
            "Access-Control-Allow-Origin: https://app.example.com",
            "Vary: Origin",
        ]
    );
}

#[test]
fn explain_a_refused_origin() {
    let dir = dir_with(CONFIG);
    let run = run(dir.path(), &["explain", "--origin", "https://evil.example"], &[]);
    assert_eq!(run.code, 3, "{}", run.out);
    assert_eq!(
        run.line("verdict: "),
        "verdict: refused: origin \"https://evil.example\" is not allowed"
    );
    assert_eq!(run.line("Vary: "), "Vary: Origin");
    assert!(!run.out.contains("Access-Control-Allow-Origin"), "{}", run.out);
}

#[test]
fn explain_a_preflight_refused_for_its_method_then_for_its_header() {
    let dir = dir_with(CONFIG);
    let origin = ["explain", "--origin", "https://app.example.com"];
    let method = run(dir.path(), &[&origin[..], &["--method", "DELETE"]].concat(), &[]);
    assert_eq!(method.code, 3, "{}", method.out);
    assert_eq!(method.line("request "), "request (preflight): OPTIONS /");
    assert_eq!(
        method.line("verdict: "),
        "verdict: refused: method \"DELETE\" is not in allow_methods"
    );
    assert_eq!(method.line("response: "), "response: 204 (empty body), with these lines");
    assert_eq!(method.line("Vary: "), "Vary: Origin, Access-Control-Request-Method");

    let args = [&origin[..], &["--method", "PUT", "--header", "X-Trace", "--header", "X-Other"]];
    let header = run(dir.path(), &args.concat(), &[]);
    assert_eq!(header.code, 3, "{}", header.out);
    assert_eq!(
        header.line("  Access-Control-Request-Headers: "),
        "  Access-Control-Request-Headers: x-trace,x-other"
    );
    assert_eq!(
        header.line("verdict: "),
        "verdict: refused: header \"x-other\" is not in allow_headers"
    );

    let allowed =
        run(dir.path(), &[&origin[..], &["--method", "PUT", "--header", "X-Trace"]].concat(), &[]);
    assert_eq!(allowed.code, 0, "{}", allowed.out);
    assert_eq!(
        allowed.line("Access-Control-Allow-Methods: "),
        "Access-Control-Allow-Methods: GET, PUT"
    );
    assert_eq!(allowed.line("Access-Control-Max-Age: "), "Access-Control-Max-Age: 600");
}

#[test]
fn explain_shows_the_403_of_reject_disallowed() {
    let dir = dir_with(CONFIG);
    let args = ["explain", "--origin", "https://app.example.com", "--method", "DELETE"];
    let run = run(dir.path(), &args, &[("CORS_REJECT_DISALLOWED", "true")]);
    assert_eq!(run.code, 3, "{}", run.out);
    assert_eq!(
        run.line("response: "),
        "response: 403 Forbidden, body \"CORS preflight refused: method \"DELETE\" is not in allow_methods\""
    );
}

#[test]
fn check_prints_every_error_at_once() {
    let toml = "[default.cors]\nallow_origin = [\"https://a.example/\", \"ftp://b.example\"]\n\
                allow_methods = [\"get\"]\n";
    let dir = dir_with(toml);
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 1, "{}", run.out);
    let errors: Vec<&str> = run.out.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 3, "{}", run.out);
    for value in ["https://a.example/", "ftp://b.example", "get"] {
        assert!(errors.iter().any(|e| e.contains(&format!("{value:?}"))), "{value}: {}", run.out);
    }
    assert!(run.line("INVALID: ").starts_with("INVALID: 3 errors"), "{}", run.out);
}

const NAMED: &str = r#"
[default.cors]
allow_origin = ["https://app.example.com"]
allow_credentials = true

[default.cors.policies.partner]
paths = ["/api/partner/**"]
allow_origin = ["https://partner.example"]
reject_disallowed = true
"#;

#[test]
fn check_reports_every_named_policy_key_with_its_source_or_the_base_it_inherits() {
    let dir = dir_with(NAMED);
    let run = run(dir.path(), &["check", "--all"], &[]);
    assert_eq!(run.code, 0, "{}", run.out);
    let file = dir.path().join("Rocket.toml");
    let own = run.line("  policies.partner.allow_origin = ");
    assert_eq!(
        own,
        format!(
            "  policies.partner.allow_origin = https://partner.example \
             ([default.cors.policies.partner] in {})",
            file.display()
        )
    );
    let inherited = run.line("  policies.partner.allow_credentials = ");
    assert!(inherited.contains("(inherited from [default.cors] in"), "{inherited}");
    // The fairing-wide keys are the base's alone.
    assert!(!run.out.contains("policies.partner.reload"), "{}", run.out);
}

#[test]
fn check_names_the_policy_of_a_bad_value() {
    let bad = NAMED.replace("https://partner.example\"]", "partner.example\"]");
    let dir = dir_with(&bad);
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 1, "{}", run.out);
    let error = run.line("error: ");
    assert!(
        error.contains("`cors.policies.partner.allow_origin` = \"partner.example\""),
        "{error}"
    );
}

#[test]
fn explain_names_the_policy_that_judges_the_path_and_its_403() {
    let dir = dir_with(NAMED);
    let args = ["explain", "--origin", "https://app.example.com", "--method", "PUT"];
    let partner = run(dir.path(), &[&args[..], &["--path", "/api/partner/x"]].concat(), &[]);
    assert_ne!(partner.code, 0, "{}", partner.out);
    assert!(partner.line("policy: ").starts_with("policy: `partner`"), "{}", partner.out);
    assert!(partner.line("response: ").contains("403"), "{}", partner.out);
    let base = run(dir.path(), &[&args[..], &["--path", "/api/items"]].concat(), &[]);
    assert_eq!(base.code, 0, "{}", base.out);
    assert_eq!(base.line("policy: "), "policy: the base (no named policy's paths match)");
}

/// A short file gets a short report: the keys it sets with their sources, then the problems.
#[test]
fn check_shows_the_keys_that_are_set_and_all_shows_the_defaults() {
    let dir = dir_with("[default.cors]\nallow_origin = \"https://a.example\"\n");
    let short = run(dir.path(), &["check"], &[("CORS_MAX_AGE", "30")]);
    assert_eq!(short.code, 0, "{}", short.out);
    let keys: Vec<&str> =
        short.out.lines().filter(|l| l.starts_with("  ") && l.contains(" = ")).collect();
    assert_eq!(keys.len(), 2, "allow_origin and max_age only: {}", short.out);
    assert!(keys[0].starts_with("  allow_origin = https://a.example ([default.cors] in"));
    assert_eq!(keys[1], "  max_age = 30 (environment variable CORS_MAX_AGE)");
    assert!(
        short
            .out
            .contains("values an application merges into Rocket's Figment in code are not seen")
    );
    let all = run(dir.path(), &["check", "--all"], &[]);
    let every = all.out.lines().filter(|l| l.starts_with("  ") && l.contains(" = ")).count();
    assert_eq!(every, cors_fairing::Key::ALL.len(), "{}", all.out);
}

/// One of two mistakes is never hidden: the warnings come with the errors.
#[test]
fn check_shows_the_warnings_beside_the_errors() {
    let toml = "[default.cors]\nallow_origin = \"https://a.example/\"\nmax_age = 86401\n";
    let dir = dir_with(toml);
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.line("error: ").contains("`allow_origin`"), "{}", run.out);
    assert!(run.line("warning: ").contains("`max_age`"), "{}", run.out);
    assert!(run.line("INVALID: ").starts_with("INVALID: 1 error, 1 warning;"), "{}", run.out);
}

#[test]
fn check_strict_fails_on_warnings() {
    let dir = dir_with("[default.cors]\nallow_origin = \"https://a.example\"\nmax_age = 86401\n");
    let strict = run(dir.path(), &["check", "--strict"], &[]);
    assert_eq!(strict.code, 1, "{}", strict.out);
    assert_eq!(strict.line("FAILED "), "FAILED (--strict): valid, but 1 warning");
    assert_eq!(run(dir.path(), &["check"], &[]).code, 0);
}

/// `--previous OLD NEW` refuses what a running server would refuse on that edit, with the
/// reload's message (tests/reload_faults.rs).
#[test]
fn check_previous_refuses_a_reload_that_would_fall_back_to_defaults() {
    let dir = dir_with(CONFIG);
    let old = dir.path().join("old.toml");
    std::fs::write(&old, CONFIG).unwrap();
    std::fs::write(dir.path().join("Rocket.toml"), "[default]\nlog_level = \"off\"\n").unwrap();
    let alone = run(dir.path(), &["check"], &[]);
    assert_eq!(alone.code, 0, "alone, the new file is valid: {}", alone.out);
    let after = run(dir.path(), &["check", "--previous", "old.toml"], &[]);
    assert_eq!(after.code, 1, "{}", after.out);
    let error = after.line("error: ");
    assert!(error.contains("has no [default.cors] table any more"), "{error}");
    assert!(error.contains("the policy in force has `allow_origin`"), "{error}");
    assert!(error.contains("silently give them their built-in defaults"), "{error}");
    // A key removed from a table that stays is a deliberate edit.
    std::fs::write(dir.path().join("Rocket.toml"), CONFIG.replace("max_age = 600\n", "")).unwrap();
    assert_eq!(run(dir.path(), &["check", "--previous", "old.toml"], &[]).code, 0);
    // A file saved blank (caught half-way) after one with content, as a reload sees it.
    std::fs::write(dir.path().join("Rocket.toml"), "\n").unwrap();
    let blank = run(dir.path(), &["check", "--previous", "old.toml"], &[]);
    assert_eq!(blank.code, 1, "{}", blank.out);
    let error = blank.line("error: ");
    assert!(error.contains("is empty, but the last good policy was read from it"), "{error}");
}

#[test]
fn explain_prints_the_report_only_candidates_verdict_beside_the_enforced_one() {
    let config = format!("{CONFIG}\n[default.cors.report_only]\nallow_methods = [\"GET\"]\n");
    let dir = dir_with(&config);
    let args = ["explain", "--origin", "https://app.example.com", "--method", "PUT"];
    let run = run(dir.path(), &args, &[]);
    // Enforced: allowed, and the exit code says so.
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(run.line("verdict: "), "verdict: allowed");
    let candidate: Vec<&str> =
        run.out.lines().skip_while(|l| !l.starts_with("report-only candidate ")).collect();
    assert_eq!(candidate.len(), 3, "{}", run.out);
    assert!(candidate[0].ends_with("(judged, never enforced):"), "{}", run.out);
    assert_eq!(candidate[1], "  verdict: refused: method \"PUT\" is not in allow_methods");
    assert_eq!(candidate[2], "  difference: the candidate would refuse what is allowed now");
    // Without a candidate, nothing of the kind.
    let plain = dir_with(CONFIG);
    assert!(!super_run(plain.path(), &args).contains("report-only"));
}

#[test]
fn check_shows_each_candidate_with_its_fingerprint_and_what_it_changes() {
    let config =
        format!("{CONFIG}\n[default.cors.report_only]\nallow_methods = [\"GET\"]\nmax_age = 600\n");
    let dir = dir_with(&config);
    let run = run(dir.path(), &["check"], &[]);
    assert_eq!(run.code, 0, "{}", run.out);
    let candidate: Vec<&str> =
        run.out.lines().skip_while(|l| !l.starts_with("report-only candidate ")).collect();
    assert!(candidate.len() >= 2, "{}", run.out);
    let head = candidate[0];
    assert!(head.starts_with("report-only candidate for the base policy: fingerprint "), "{head}");
    assert!(head.ends_with("; judged, never enforced"), "{head}");
    // Only the keys it changes: `max_age` is the policy's own value.
    assert_eq!(candidate[1], "  allow_methods = GET (in force: GET, PUT)", "{}", run.out);
    assert!(candidate[2].starts_with("read from: "), "{}", run.out);
    // Without a candidate, nothing of the kind.
    assert!(!super_run(dir_with(CONFIG).path(), &["check"]).contains("report-only"));
}

fn super_run(dir: &Path, args: &[&str]) -> String {
    run(dir, args, &[]).out
}
