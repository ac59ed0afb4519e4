//! Report-only candidates (issue 25): `[<profile>.cors.report_only]` and
//! `[<profile>.cors.policies.<name>.report_only]`, judged beside the policy they shadow and
//! never enforced. The responses are the same with and without a candidate; the summary
//! and the log name exactly what the candidate would refuse or newly allow; a reload that
//! changes only the candidate leaves the policy's fingerprint alone; an invalid candidate
//! is refused like an invalid policy.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;

use common::blocking::{client as launch, handle};
use common::{origin, request_headers, request_method};
use cors_fairing::status::{ReloadOutcome, ReportOnly};
use figment::Jail;
use log::Level;
use rocket::http::Header;
use rocket::local::blocking::Client;

const APP: &str = "https://app.example.com";
const OLD: &str = "https://old.example.com";
const NEW: &str = "https://new.example.com";
const PARTNER: &str = "https://partner.example";

/// In force: APP and OLD, PUT, X-Custom. The candidate drops OLD and PUT and X-Custom,
/// and adds NEW.
const TIGHTEN: &str = r#"
    [default.cors]
    allow_origin = ["https://app.example.com", "https://old.example.com"]
    allow_methods = ["GET", "PUT"]
    allow_headers = ["Content-Type", "X-Custom"]
    max_age = 600

    [default.cors.report_only]
    allow_origin = ["https://app.example.com", "https://new.example.com"]
    allow_methods = ["GET"]
    allow_headers = ["Content-Type"]

    [default.cors.policies.partner]
    paths = ["/api/partner/**"]
    allow_origin = ["https://partner.example"]
"#;

fn take_info() -> Vec<String> {
    common::log_capture::take(|at, from_the_crate| from_the_crate && at <= Level::Info)
}

fn report_lines() -> Vec<String> {
    take_info().into_iter().filter(|l| l.starts_with("CORS report-only:")).collect()
}

fn in_jail(toml: &str, test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    common::log_capture::install();
    Jail::expect_with(|jail| {
        take_info();
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.create_file("Rocket.toml", toml)?;
        test(jail)
    });
}

fn base_report(client: &Client) -> ReportOnly {
    let reports = handle(client).report_only();
    reports.into_iter().find(|r| r.policy.is_none()).expect("the base's summary")
}

/// One request of the replayed set: method, path, origin, preflight method and headers.
type Sent =
    (&'static str, &'static str, Option<&'static str>, Option<&'static str>, Option<&'static str>);

/// Allowed and refused requests of every kind, on the base and on a named policy.
const REPLAYED: [Sent; 12] = [
    ("GET", "/api/items", Some(APP), None, None),
    ("GET", "/api/items", Some(OLD), None, None),
    ("GET", "/api/items", Some(NEW), None, None),
    ("GET", "/api/items", None, None, None),
    ("OPTIONS", "/api/items", Some(APP), Some("PUT"), None),
    ("OPTIONS", "/api/items", Some(APP), Some("GET"), Some("x-custom")),
    ("OPTIONS", "/api/items", Some(OLD), Some("GET"), None),
    ("OPTIONS", "/api/items", Some(NEW), Some("GET"), Some("content-type")),
    ("OPTIONS", "/api/items", Some("HTTPS://Bad.example"), Some("GET"), None),
    ("PUT", "/api/items", Some(OLD), None, None),
    ("GET", "/api/partner/orders", Some(PARTNER), None, None),
    ("OPTIONS", "/api/partner/orders", Some(OLD), Some("GET"), None),
];

/// Status, every header in order, and the body.
fn replay(client: &Client) -> Vec<(u16, Vec<String>, Option<String>)> {
    REPLAYED
        .iter()
        .map(|&(method, path, from, asked_method, asked_headers)| {
            let method = method.parse().expect("a method");
            let mut request = client.req(method, path);
            if let Some(from) = from {
                request.add_header(origin(from));
            }
            if let Some(asked) = asked_method {
                request.add_header(request_method(asked));
            }
            if let Some(asked) = asked_headers {
                request.add_header(request_headers(asked));
            }
            let response = request.dispatch();
            // Rocket's Shield writes its headers in hash order, different in each Rocket.
            let mut headers: Vec<String> =
                response.headers().iter().map(|h| format!("{}: {}", h.name, h.value)).collect();
            headers.sort();
            (response.status().code, headers, response.into_string())
        })
        .collect()
}

#[test]
fn the_responses_are_the_same_with_and_without_a_candidate() {
    let without = TIGHTEN.split("[default.cors.report_only]").next().unwrap().to_string()
        + TIGHTEN
            .split("[default.cors.policies.partner]")
            .nth(1)
            .map(|rest| format!("[default.cors.policies.partner]{rest}"))
            .unwrap()
            .as_str();
    assert!(!without.contains("report_only"));
    let mut answers = Vec::new();
    for toml in [without.as_str(), TIGHTEN] {
        in_jail(toml, |_| {
            let client = launch();
            answers.push(replay(&client));
            Ok(())
        });
    }
    assert_eq!(answers[0], answers[1]);
    // The set tells allowed from refused apart: the comparison is not between two nothings.
    let allowed = answers[0]
        .iter()
        .filter(|(_, h, _)| h.iter().any(|h| h.starts_with("Access-Control-Allow-Origin")))
        .count();
    assert_eq!(allowed, 7, "{:#?}", answers[0]);
}

#[test]
fn the_summary_and_the_log_name_exactly_what_the_candidate_changes() {
    in_jail(TIGHTEN, |_| {
        let client = launch();
        take_info();
        replay(&client);
        replay(&client);
        let report = base_report(&client);
        assert!(report.in_force);
        assert_eq!(
            Some(report.fingerprint),
            handle(&client).policy().report_only_fingerprint(None)
        );
        // Per pass: OLD's GET, preflight and PUT, and APP's PUT and X-Custom preflights would
        // be refused; NEW's GET and preflight would be allowed. Bad and partner: no change.
        assert_eq!(report.count("would_refuse", "origin"), 2 * 3);
        assert_eq!(report.count("would_refuse", "method"), 2);
        assert_eq!(report.count("would_refuse", "header"), 2);
        assert_eq!(report.count("would_allow", "origin"), 2 * 2);
        assert_eq!(report.differences.iter().map(|d| d.count).sum::<u64>(), 14);
        let mut origins: Vec<(&str, u64, Vec<&str>)> = report
            .origins
            .iter()
            .map(|o| (o.origin.as_str(), o.count, o.values.iter().map(String::as_str).collect()))
            .collect();
        origins.sort();
        assert_eq!(
            origins,
            [(APP, 4, vec!["PUT", "x-custom"]), (NEW, 4, vec![]), (OLD, 6, vec![])]
        );
        assert_eq!(report.other_origins, 0);
        // Partner has no candidate: the base's is not inherited.
        assert_eq!(handle(&client).report_only().len(), 1);
        assert!(handle(&client).policy().report_only(Some("partner")).is_none());
        // One line per (policy, change, origin, reason), however often it is seen.
        let mut lines = report_lines();
        lines.sort();
        assert_eq!(
            lines,
            [
                "CORS report-only: would allow GET /api/items from https://new.example.com (origin allowed; policy `base`)",
                "CORS report-only: would refuse GET /api/items from https://app.example.com (header x-custom not allowed; policy `base`)",
                "CORS report-only: would refuse GET /api/items from https://old.example.com (origin not allowed; policy `base`)",
                "CORS report-only: would refuse PUT /api/items from https://app.example.com (method PUT not allowed; policy `base`)",
            ]
        );
        Ok(())
    });
}

#[test]
fn env_variables_set_candidates_and_named_policies_have_their_own() {
    in_jail(TIGHTEN, |jail| {
        jail.set_env("CORS_REPORT_ONLY__ALLOW_ORIGIN", APP);
        jail.set_env(
            "CORS_POLICIES__PARTNER__REPORT_ONLY__ALLOW_ORIGIN",
            "https://partner2.example",
        );
        let client = launch();
        let current = handle(&client).policy();
        let base = current.report_only(None).expect("the base's candidate");
        assert_eq!(base.settings().allow_origin, [APP]);
        // Unset keys are the shadowed policy's: the base's candidate its own methods...
        assert_eq!(base.settings().methods(), ["GET"]);
        // ...the partner's candidate the partner's (inherited from the base), not the
        // base candidate's.
        let partner = current.report_only(Some("partner")).expect("the partner's candidate");
        assert_eq!(partner.settings().allow_origin, ["https://partner2.example"]);
        assert_eq!(partner.settings().methods(), ["GET", "PUT"]);
        assert_eq!(partner.settings().paths, ["/api/partner/**"]);
        client.get("/api/partner/orders").header(origin(PARTNER)).dispatch();
        let reports = handle(&client).report_only();
        let partner = reports.iter().find(|r| r.policy.as_deref() == Some("partner")).unwrap();
        assert_eq!(partner.count("would_refuse", "origin"), 1);
        assert_eq!(
            report_lines(),
            [
                "CORS report-only: would refuse GET /api/partner/orders from https://partner.example (origin not allowed; policy `partner`)"
            ]
        );
        Ok(())
    });
}

#[test]
fn a_reload_that_changes_only_the_candidate_swaps_only_the_candidate() {
    in_jail(TIGHTEN, |jail| {
        let client = launch();
        let cors = handle(&client);
        let enforced = cors.policy().fingerprint();
        client.get("/api/items").header(origin(OLD)).dispatch();
        let first = base_report(&client);
        assert_eq!(first.count("would_refuse", "origin"), 1);

        // Another candidate: a new summary; the policy in force is untouched.
        jail.create_file(
            "Rocket.toml",
            &TIGHTEN.replace(r#"allow_methods = ["GET"]"#, r#"allow_methods = ["GET", "PUT"]"#),
        )?;
        assert!(matches!(cors.reload_blocking(), ReloadOutcome::Swapped { .. }));
        assert_eq!(cors.policy().fingerprint(), enforced);
        let second = base_report(&client);
        assert_ne!(second.fingerprint, first.fingerprint);
        assert!(second.differences.is_empty() && second.origins.is_empty());
        client.get("/api/items").header(origin(OLD)).dispatch();
        assert_eq!(base_report(&client).count("would_refuse", "origin"), 1);
        // The enforced answer did not move.
        let response = client.get("/api/items").header(origin(OLD)).dispatch();
        assert_eq!(response.headers().get_one("Access-Control-Allow-Origin"), Some(OLD));

        // Promotion: the keys move into the policy, the candidate goes. The policy's new
        // fingerprint is the candidate's; the last summary stays readable, no longer in
        // force; the narrowing warning names it.
        let promoted = r#"
            [default.cors]
            allow_origin = ["https://app.example.com", "https://new.example.com"]
            allow_methods = ["GET", "PUT"]
            allow_headers = ["Content-Type"]
            max_age = 600

            [default.cors.policies.partner]
            paths = ["/api/partner/**"]
            allow_origin = ["https://partner.example"]
        "#;
        take_info();
        jail.create_file("Rocket.toml", promoted)?;
        assert!(matches!(cors.reload_blocking(), ReloadOutcome::Swapped { .. }));
        assert_eq!(cors.policy().policy_fingerprint(None), Some(second.fingerprint));
        let last = base_report(&client);
        assert!(!last.in_force);
        assert_eq!(last.count("would_refuse", "origin"), 2);
        let warnings = common::log_capture::take(|at, ours| ours && at == Level::Warn);
        let narrowing = warnings.iter().find(|w| w.contains("narrowed access")).expect("a warning");
        assert!(
            narrowing.contains(&format!("report-only candidate {} saw 2 request(s) it would refuse (from https://old.example.com)", second.fingerprint)),
            "{narrowing}"
        );
        // No candidate, no judging: nothing more is counted.
        client.get("/api/items").header(origin(APP)).dispatch();
        assert_eq!(base_report(&client), last);
        Ok(())
    });
}

#[test]
fn an_invalid_candidate_is_refused_like_an_invalid_policy() {
    let bad = TIGHTEN.replace(
        r#"allow_methods = ["GET"]"#,
        "allow_methods = [\"GET\"]\nallow_origin_regexes = [\"x\"]\npaths = [\"/x\"]\nreload = false\nmax_age = \"soon\"",
    )
    .replace(r#"allow_origin = ["https://app.example.com", "https://new.example.com"]"#, r#"allow_origin = ["https://new.example.com/"]"#);
    in_jail(&bad, |_| {
        // The one verdict on a configuration, which the launch and every reload act on.
        let report = cors_fairing::check(&rocket::Config::figment(), None);
        let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        let about = |key: &str| errors.iter().any(|e| e.contains(&format!("`{key}`")));
        for key in [
            "report_only.allow_origin_regexes",
            "report_only.paths",
            "report_only.reload",
            "report_only.max_age",
        ] {
            assert!(about(key), "{key} in {errors:#?}");
        }
        assert!(
            errors.iter().any(|e| e.contains(
                "here it is `allow_origin_regex` (env CORS_REPORT_ONLY__ALLOW_ORIGIN_REGEX)"
            )),
            "{errors:#?}"
        );
        Ok(())
    });
    // On a running server: refused, the last good policy and candidate stay.
    in_jail(TIGHTEN, |jail| {
        let client = launch();
        let before = handle(&client).policy();
        jail.create_file(
            "Rocket.toml",
            &TIGHTEN.replace(
                r#"allow_methods = ["GET"]"#,
                r#"allow_methods = ["GET", "NOT A METHOD"]"#,
            ),
        )?;
        match handle(&client).reload_blocking() {
            ReloadOutcome::Failed(errors) => {
                let err = errors.first();
                assert_eq!(err.key(), Some("report_only.allow_methods"), "{errors}");
                assert!(err.to_string().contains("[default.cors] in"), "{err}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let after = handle(&client).policy();
        assert_eq!(after.report_only_fingerprint(None), before.report_only_fingerprint(None));
        Ok(())
    });
}

#[test]
fn origins_beyond_the_bound_are_counted_and_their_lines_limited() {
    let open = r#"
        [default.cors]
        allow_all_origin = true

        [default.cors.report_only]
        allow_all_origin = false
        allow_origin = ["https://app.example.com"]
    "#;
    in_jail(open, |_| {
        let client = launch();
        take_info();
        let beyond = 150;
        let sent = ReportOnly::MAX_ORIGINS + beyond;
        for i in 0..sent {
            let from = format!("https://n{i}.example.com");
            let response =
                client.get("/api/items").header(Header::new("Origin", from.clone())).dispatch();
            assert_eq!(
                response.headers().get_one("Access-Control-Allow-Origin"),
                Some(from.as_str())
            );
        }
        let report = base_report(&client);
        assert_eq!(report.count("would_refuse", "origin"), sent as u64);
        assert_eq!(report.origins.len(), ReportOnly::MAX_ORIGINS);
        assert_eq!(report.other_origins, beyond as u64);
        // A line per named origin; those beyond share the rate limit's budget.
        let lines = report_lines();
        let named = lines
            .iter()
            .filter(|l| report.origins.iter().any(|o| l.contains(&format!("from {} ", o.origin))))
            .count();
        assert_eq!(named, ReportOnly::MAX_ORIGINS);
        assert!(lines.len() > ReportOnly::MAX_ORIGINS, "the limit lets some through");
        assert!(lines.len() <= ReportOnly::MAX_ORIGINS + 20, "{} lines", lines.len());
        Ok(())
    });
}

/// In force: APP, OLD and TENANT listed, the origin check allowing TENANT and GUEST. The
/// candidate drops OLD and TENANT from the lists.
const CHECKED: &str = r#"
    [default.cors]
    allow_origin = ["https://app.example.com", "https://old.example.com", "https://tenant.example"]

    [default.cors.report_only]
    allow_origin = ["https://app.example.com"]
"#;

#[test]
fn the_candidate_is_judged_with_the_origin_checks_answer() {
    const TENANT: &str = "https://tenant.example";
    const GUEST: &str = "https://guest.example";
    in_jail(CHECKED, |_| {
        let fairing = cors_fairing::CorsFairing::figment().with_origin_check(|origin, _| {
            let allowed = origin == TENANT || origin == GUEST;
            async move { Ok::<_, std::convert::Infallible>(allowed) }
        });
        let client = Client::tracked(common::blocking::app(fairing)).expect("valid rocket");
        for from in [APP, OLD, TENANT, GUEST] {
            let response = client.get("/api/items").header(origin(from)).dispatch();
            let allowed = response.headers().get_one("Access-Control-Allow-Origin");
            assert_eq!(allowed, Some(from), "{from} is allowed by the policy in force");
        }
        // TENANT, which the candidate drops from its lists, is still allowed by the check
        // the candidate is judged with, like GUEST, which no list names: neither is a
        // difference. OLD, which the check refuses, is.
        let report = base_report(&client);
        assert_eq!(report.count("would_refuse", "origin"), 1, "{report:#?}");
        let origins: Vec<&str> = report.origins.iter().map(|o| o.origin.as_str()).collect();
        assert_eq!(origins, [OLD]);
        Ok(())
    });
}

/// A candidate's value set by a variable is reported under that variable, the candidate's
/// own, not the table's it sits in.
#[test]
fn a_bad_candidate_value_from_a_variable_names_that_variable() {
    in_jail(TIGHTEN, |jail| {
        jail.set_env("CORS_REPORT_ONLY__ALLOW_ORIGIN", "ftp://base.example");
        jail.set_env("CORS_POLICIES__PARTNER__REPORT_ONLY__ALLOW_ORIGIN", "ftp://partner.example");
        let report = cors_fairing::check(&rocket::Config::figment(), None);
        let mut sources: Vec<(String, String)> = report
            .errors
            .iter()
            .map(|err| (err.key().unwrap_or_default().to_string(), err.provenance.to_string()))
            .collect();
        sources.sort();
        assert_eq!(
            sources,
            [
                (
                    "policies.partner.report_only.allow_origin".to_string(),
                    "environment variable CORS_POLICIES__PARTNER__REPORT_ONLY__ALLOW_ORIGIN"
                        .to_string()
                ),
                (
                    "report_only.allow_origin".to_string(),
                    "environment variable CORS_REPORT_ONLY__ALLOW_ORIGIN".to_string()
                ),
            ],
            "{:#?}",
            report.errors
        );
        Ok(())
    });
}
