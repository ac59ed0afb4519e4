//! Named policies by path (issue 11): `[<profile>.cors.policies.<name>]` tables with required
//! `paths`, every unset key inherited from the base; the most specific match judges a
//! request; ties refused; per-policy preflight, `Vary`, `reject_disallowed` and
//! `always_send_headers`; env (`CORS_POLICIES__<NAME>__<KEY>`), profiles, `[global]`;
//! errors naming the policy; a reload compiles every policy or keeps the whole last good set.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;

use common::blocking::value;
use common::blocking::{client as launch, handle};
use common::{origin, request_headers, request_method};
use cors_fairing::policy::Policies;
use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle, Provenance, Settings};
use figment::Jail;
use log::Level;
use rocket::http::Status;
use rocket::local::blocking::{Client, LocalResponse};

fn install_capture() {
    common::log_capture::install();
}

/// Takes the crate's lines this thread logged at `level` or more severe.
fn take_logged(level: Level) -> Vec<String> {
    common::log_capture::take(|at, from_the_crate| from_the_crate && at <= level)
}

const APP: &str = "https://app.example.com";
const PARTNER: &str = "https://partner.example";
const ANY: &str = "https://any.example";

/// The TOML of issue 11.
const ISSUE_11: &str = r#"
    [default.cors]
    allow_origin = ["https://app.example.com"]
    allow_credentials = true
    expose_headers = ["X-Total-Count"]
    max_age = 600

    [default.cors.policies.public]
    paths = ["/public/**", "/status/*"]
    allow_origin = "*"
    allow_credentials = false

    [default.cors.policies.partner]
    paths = ["/api/partner/**"]
    allow_origin = ["https://partner.example"]
"#;

fn in_jail(toml: &str, test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    install_capture();
    Jail::expect_with(|jail| {
        take_logged(Level::Trace);
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.create_file("Rocket.toml", toml)?;
        test(jail)
    });
}

fn get<'c>(client: &'c Client, path: &str, from: &str) -> LocalResponse<'c> {
    client.get(path.to_string()).header(origin(from)).dispatch()
}

/// A preflight for `GET` with `X-Custom`.
fn preflight<'c>(client: &'c Client, path: &str, from: &str) -> LocalResponse<'c> {
    client
        .options(path.to_string())
        .header(origin(from))
        .header(request_method("GET"))
        .header(request_headers("x-custom"))
        .dispatch()
}

/// A preflight for `PUT`, no headers asked for.
fn put_preflight<'c>(client: &'c Client, path: &str, from: &str) -> LocalResponse<'c> {
    client.options(path.to_string()).header(origin(from)).header(request_method("PUT")).dispatch()
}

fn acao(response: &LocalResponse<'_>) -> Option<String> {
    value(response, "Access-Control-Allow-Origin")
}

#[test]
fn each_path_is_judged_by_its_policy_and_the_rest_by_the_base() {
    in_jail(ISSUE_11, |_| {
        let client = launch();
        // The base: the app, with credentials and the exposed header.
        let response = get(&client, "/api/items", APP);
        assert_eq!(acao(&response).as_deref(), Some(APP));
        assert_eq!(value(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(acao(&get(&client, "/api/items", PARTNER)), None);
        // public: any origin, no credentials, the base's exposed header inherited.
        let response = get(&client, "/public/stats", ANY);
        assert_eq!(acao(&response).as_deref(), Some("*"));
        assert_eq!(value(&response, "Access-Control-Allow-Credentials"), None);
        assert_eq!(
            value(&response, "Access-Control-Expose-Headers").as_deref(),
            Some("X-Total-Count")
        );
        assert_eq!(acao(&get(&client, "/status/db", ANY)).as_deref(), Some("*"));
        // `/status/*` is one segment below /status, not /status itself.
        assert_eq!(acao(&get(&client, "/status", ANY)), None);
        // partner: its origin only, credentials inherited from the base.
        let response = get(&client, "/api/partner/orders", PARTNER);
        assert_eq!(acao(&response).as_deref(), Some(PARTNER));
        assert_eq!(value(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(acao(&get(&client, "/api/partner/orders", APP)), None);
        // Paths are judged by their decoded segments, as Rocket routes them.
        let response = get(&client, "//api/%70artner/orders/", PARTNER);
        assert_eq!(acao(&response).as_deref(), Some(PARTNER));
        // Preflights too, max_age inherited.
        let response = put_preflight(&client, "/public/stats", ANY);
        assert_eq!(response.status(), Status::NoContent);
        assert_eq!(acao(&response).as_deref(), Some("*"));
        assert_eq!(value(&response, "Access-Control-Max-Age").as_deref(), Some("600"));
        let response = put_preflight(&client, "/api/partner/x", PARTNER);
        assert_eq!(acao(&response).as_deref(), Some(PARTNER));
        assert_eq!(acao(&put_preflight(&client, "/api/partner/x", APP)), None);
        Ok(())
    });
}

#[test]
fn the_most_specific_match_wins_in_any_order() {
    let toml = r#"
        [default.cors]
        allow_origin = "https://app.example.com"

        [default.cors.policies.zeta_subtree]
        paths = ["/api/**"]
        allow_origin = "https://subtree.example"

        [default.cors.policies.alpha_one_below]
        paths = ["/api/*"]
        allow_origin = "https://one-below.example"

        [default.cors.policies.deeper]
        paths = ["/api/v2/**"]
        allow_origin = "https://deeper.example"

        [default.cors.policies.exact]
        paths = ["/api/v2/special"]
        allow_origin = "https://exact.example"
    "#;
    in_jail(toml, |_| {
        let client = launch();
        let judged_by = |path: &str| {
            ["subtree", "one-below", "deeper", "exact", "app"]
                .into_iter()
                .find(|who| {
                    let from = match *who {
                        "app" => APP.to_string(),
                        other => format!("https://{other}.example"),
                    };
                    acao(&get(&client, path, &from)).is_some()
                })
                .unwrap_or("none")
        };
        assert_eq!(judged_by("/api/v2/special"), "exact", "an exact path beats a pattern");
        assert_eq!(judged_by("/api/v2/other"), "deeper", "more literal segments beat fewer");
        assert_eq!(judged_by("/api/v2"), "deeper", "`/x/**` includes `/x`");
        assert_eq!(judged_by("/api/items"), "one-below", "`/x/*` beats `/x/**`");
        assert_eq!(judged_by("/api/items/1"), "subtree");
        assert_eq!(judged_by("/api"), "subtree");
        assert_eq!(judged_by("/elsewhere"), "app", "no match: the base");
        Ok(())
    });
}

#[test]
fn no_match_falls_back_to_the_base_within_its_own_paths() {
    let toml = r#"
        [default.cors]
        allow_origin = "https://app.example.com"
        paths = ["/api/**"]

        [default.cors.policies.public]
        paths = ["/public/**"]
        allow_origin = "*"
    "#;
    in_jail(toml, |_| {
        let client = launch();
        assert_eq!(acao(&get(&client, "/api/items", APP)).as_deref(), Some(APP));
        assert_eq!(acao(&get(&client, "/public/x", ANY)).as_deref(), Some("*"));
        // Outside both: no CORS header at all, not even Vary.
        let response = get(&client, "/other", APP);
        assert_eq!(acao(&response), None);
        assert_eq!(value(&response, "Vary"), None);
        // An Origin-less GET inside the `*` policy gets the same static answer, no Vary
        // (issue 22 #1); one inside the base still varies on Origin.
        let response = client.get("/public/x").dispatch();
        assert_eq!(acao(&response).as_deref(), Some("*"));
        assert_eq!(value(&response, "Vary"), None);
        let response = client.get("/api/items").dispatch();
        assert_eq!(value(&response, "Vary").as_deref(), Some("Origin"));
        Ok(())
    });
}

#[test]
fn preflight_vary_and_reject_disallowed_are_per_policy() {
    let toml = r#"
        [default.cors]
        allow_origin = "https://app.example.com"
        allow_headers = ["X-Custom"]

        [default.cors.policies.strict]
        paths = ["/strict/**"]
        reject_disallowed = true
        preflight_status = 200

        [default.cors.policies.open]
        paths = ["/open/**"]
        allow_origin = "*"
        allow_all_headers = true

        [default.cors.policies.legacy]
        paths = ["/legacy/**"]
        always_send_headers = true
    "#;
    in_jail(toml, |_| {
        let client = launch();
        // The base answers a refused preflight with 204 and Vary alone...
        let response = preflight(&client, "/api/items", ANY);
        assert_eq!(response.status(), Status::NoContent);
        assert_eq!(acao(&response), None);
        // ...strict with 403 and the reason, and an allowed one with its own status.
        let response = preflight(&client, "/strict/x", ANY);
        assert_eq!(response.status(), Status::Forbidden);
        assert!(response.into_string().unwrap().contains("not allowed"));
        assert_eq!(preflight(&client, "/strict/x", APP).status(), Status::Ok);
        // open reflects the requested headers, and says so in Vary (not Origin: it is `*`);
        // the base does not.
        let response = preflight(&client, "/open/x", ANY);
        assert_eq!(value(&response, "Access-Control-Allow-Headers").as_deref(), Some("x-custom"));
        assert_eq!(
            value(&response, "Vary").as_deref(),
            Some("Access-Control-Request-Method, Access-Control-Request-Headers")
        );
        let response = preflight(&client, "/api/items", APP);
        assert_eq!(value(&response, "Access-Control-Allow-Headers").as_deref(), Some("X-Custom"));
        assert_eq!(
            value(&response, "Vary").as_deref(),
            Some("Origin, Access-Control-Request-Method")
        );
        // legacy: the original middleware's headers on every response of its paths only.
        let response = client.get("/legacy/x").dispatch();
        assert_eq!(acao(&response).as_deref(), Some("https://app.example.com"));
        assert_eq!(value(&response, "Access-Control-Expose-Headers").as_deref(), Some(""));
        let response = client.get("/api/items").dispatch();
        assert_eq!(acao(&response), None);
        Ok(())
    });
}

#[test]
fn profiles_global_and_env_set_named_policies_like_every_key() {
    let toml = r#"
        [default.cors]
        allow_origin = "https://app.example.com"

        [default.cors.policies.partner]
        paths = ["/api/partner/**"]
        allow_origin = "https://partner.example"
        max_age = 60

        [release.cors.policies.partner]
        allow_origin = "https://partner.example.org"

        [global.cors.policies.partner]
        max_age = 120
    "#;
    in_jail(toml, |jail| {
        let client = launch();
        assert_eq!(acao(&get(&client, "/api/partner/x", PARTNER)).as_deref(), Some(PARTNER));
        let response = put_preflight(&client, "/api/partner/x", PARTNER);
        assert_eq!(value(&response, "Access-Control-Max-Age").as_deref(), Some("120"));

        jail.set_env("ROCKET_PROFILE", "release");
        let client = launch();
        assert_eq!(acao(&get(&client, "/api/partner/x", PARTNER)), None);
        let release = "https://partner.example.org";
        assert_eq!(acao(&get(&client, "/api/partner/x", release)).as_deref(), Some(release));

        jail.set_env("CORS_POLICIES__PARTNER__ALLOW_ORIGIN", "https://only.example");
        jail.set_env("CORS_POLICIES__PARTNER__PATHS", "/b2b/**");
        let client = launch();
        assert_eq!(acao(&get(&client, "/api/partner/x", "https://only.example")), None);
        let response = get(&client, "/b2b/orders", "https://only.example");
        assert_eq!(acao(&response).as_deref(), Some("https://only.example"));
        let policy = handle(&client).policy();
        let partner = &policy.settings().policies["partner"];
        assert_eq!(partner.allow_origin, ["https://only.example"]);
        assert_eq!(partner.max_age, Some(120));
        Ok(())
    });
}

#[test]
fn a_named_policy_from_env_alone() {
    in_jail("[default.cors]\nallow_origin = \"https://app.example.com\"\n", |jail| {
        jail.set_env("CORS_POLICIES__PUBLIC__PATHS", "/public/**, /status/*");
        jail.set_env("CORS_POLICIES__PUBLIC__ALLOW_ORIGIN", "*");
        let client = launch();
        assert_eq!(acao(&get(&client, "/public/x", ANY)).as_deref(), Some("*"));
        assert_eq!(acao(&get(&client, "/status/x", ANY)).as_deref(), Some("*"));
        assert_eq!(acao(&get(&client, "/api/items", ANY)), None);
        Ok(())
    });
}

/// Starts with the issue's TOML, writes `bad` over it, and returns the reload's errors.
fn reload_errors(bad: &str) -> Vec<cors_fairing::ConfigError> {
    let mut errors = Vec::new();
    in_jail(ISSUE_11, |jail| {
        let client = launch();
        let before = handle(&client).policy().fingerprint();
        jail.create_file("Rocket.toml", bad)?;
        match handle(&client).reload_blocking() {
            ReloadOutcome::Failed(failed) => errors = failed.into_iter().collect(),
            other => panic!("expected a failed reload, got {other:?}"),
        }
        // The whole last good set stays: the base and every named policy.
        assert_eq!(handle(&client).policy().fingerprint(), before);
        assert_eq!(acao(&get(&client, "/public/x", ANY)).as_deref(), Some("*"));
        assert_eq!(acao(&get(&client, "/api/partner/x", PARTNER)).as_deref(), Some(PARTNER));
        assert_eq!(acao(&get(&client, "/api/items", APP)).as_deref(), Some(APP));
        Ok(())
    });
    errors
}

#[test]
fn a_bad_named_policy_is_named_with_its_value_and_source_and_keeps_the_last_good_set() {
    let bad = ISSUE_11.replace(
        "allow_origin = [\"https://partner.example\"]",
        "allow_origin = [\"https://partner.example/\"]",
    );
    let errors = reload_errors(&bad);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let err = &errors[0];
    assert_eq!(err.key(), Some("policies.partner.allow_origin"));
    assert_eq!(err.value, "https://partner.example/");
    assert!(
        matches!(&err.provenance, Provenance::File { profile, .. } if profile == "default"),
        "{:?}",
        err.provenance
    );
    let text = err.to_string();
    assert!(text.contains("`cors.policies.partner.allow_origin`"), "{text}");
    assert!(text.contains("Rocket.toml"), "{text}");
    assert_eq!(err.env_name().as_deref(), Some("CORS_POLICIES__PARTNER__ALLOW_ORIGIN"));
}

#[test]
fn an_inherited_value_a_named_policy_cannot_take_is_named_with_the_base_source() {
    // `*` with the base's credentials: the named policy's combination is refused.
    let bad = ISSUE_11.replace("allow_credentials = false\n", "");
    let errors = reload_errors(&bad);
    let err = errors.iter().find(|e| e.key() == Some("policies.public.allow_origin"));
    let err = err.unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(err.value, "*");
    // The credentials the policy cannot take are the base's: the error says so.
    let credentials = errors.iter().find(|e| e.key() == Some("policies.public.allow_credentials"));
    if let Some(credentials) = credentials {
        assert!(
            credentials.to_string().contains("inherited from [default.cors] in"),
            "{credentials}"
        );
    }
}

#[test]
fn ties_are_refused_naming_both_policies_and_the_pattern() {
    let bad = format!("{ISSUE_11}\n[default.cors.policies.other]\npaths = [\"/api/partner/**\"]\n");
    let errors = reload_errors(&bad);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = errors[0].to_string();
    assert!(text.contains("`other` and `partner`"), "{text}");
    assert!(text.contains("/api/partner/**"), "{text}");
}

#[test]
fn missing_paths_fairing_wide_keys_and_bad_names_are_refused() {
    let bad = format!(
        "{ISSUE_11}\n[default.cors.policies.nopaths]\nallow_origin = \"*\"\n\
         [default.cors.policies.watcher]\npaths = [\"/w/**\"]\nreload = false\n\
         [default.cors.policies.Bad-Name]\npaths = [\"/b/**\"]\n"
    );
    let errors = reload_errors(&bad);
    let keys: Vec<_> = errors.iter().filter_map(|e| e.key()).collect();
    assert!(keys.contains(&"policies.nopaths.paths"), "{errors:?}");
    assert!(keys.contains(&"policies.watcher.reload"), "{errors:?}");
    let bad_name = errors.iter().find(|e| e.value == "Bad-Name");
    let bad_name = bad_name.unwrap_or_else(|| panic!("the bad name in {errors:?}"));
    assert_eq!(bad_name.hint.as_deref(), Some("name it `bad_name`"));
}

#[test]
fn a_good_reload_swaps_the_whole_set() {
    in_jail(ISSUE_11, |jail| {
        let client = launch();
        let edited = ISSUE_11.replace("https://partner.example", "https://new-partner.example");
        jail.create_file("Rocket.toml", &edited)?;
        assert!(matches!(handle(&client).reload_blocking(), ReloadOutcome::Swapped { .. }));
        assert_eq!(acao(&get(&client, "/api/partner/x", PARTNER)), None);
        let new = "https://new-partner.example";
        assert_eq!(acao(&get(&client, "/api/partner/x", new)).as_deref(), Some(new));
        jail.create_file("Rocket.toml", &edited)?;
        assert_eq!(handle(&client).reload_blocking(), ReloadOutcome::Unchanged);
        Ok(())
    });
}

#[test]
fn named_policies_given_in_code() {
    install_capture();
    let base = Settings::default().allow_origin([APP]);
    let public = base.clone().paths(["/public/**"]).allow_origin(["*"]);
    let client = Client::tracked(
        rocket::custom(rocket::Config::debug_default())
            .attach(CorsFairing::from_settings(base.clone().policy("public", public))),
    )
    .unwrap();
    assert_eq!(acao(&get(&client, "/public/x", ANY)).as_deref(), Some("*"));
    assert_eq!(acao(&get(&client, "/api/items", ANY)), None);
    // Without `paths`, a policy given in code is refused like one from a file.
    let errors = Policies::compile(&base.policy("public", Settings::default())).unwrap_err();
    assert_eq!(errors.first().key(), Some("policies.public.paths"));
}

#[test]
fn the_env_file_nests_named_policy_lines_like_the_environment() {
    let toml =
        "[default.cors]\nallow_origin = \"https://app.example.com\"\nenv_file = \"cors.env\"\n";
    in_jail(toml, |jail| {
        jail.create_file(
            "cors.env",
            "CORS_POLICIES__PUBLIC__PATHS=/public/**\nCORS_POLICIES__PUBLIC__ALLOW_ORIGIN=\"*\"\n",
        )?;
        let client = launch();
        assert_eq!(acao(&get(&client, "/public/x", ANY)).as_deref(), Some("*"));
        assert_eq!(acao(&get(&client, "/api/items", ANY)), None);
        Ok(())
    });
}

#[test]
fn the_banner_names_each_policy_with_its_own_keys_and_sources() {
    in_jail(ISSUE_11, |jail| {
        let _client = launch();
        let logged = take_logged(Level::Info);
        let file = jail.directory().join("Rocket.toml");
        let line = |start: &str| {
            let found: Vec<&String> = logged.iter().filter(|l| l.starts_with(start)).collect();
            assert_eq!(found.len(), 1, "one line starting {start:?} in {logged:#?}");
            found[0].clone()
        };
        assert_eq!(
            line("CORS policy `partner`"),
            "CORS policy `partner`, for paths /api/partner/**:"
        );
        assert_eq!(
            line("CORS policy `public`"),
            "CORS policy `public`, for paths /public/**, /status/*:"
        );
        let own = line("policies.public.allow_origin");
        // Its own table, not the base's (issue 21).
        let table = format!("= * ([default.cors.policies.public] in {})", file.display());
        assert!(own.ends_with(&table), "{own}");
        line("policies.public.allow_credentials = false");
        // Inherited keys are summed up, not repeated.
        assert!(!logged.iter().any(|l| l.starts_with("policies.public.max_age")), "{logged:#?}");
        assert!(
            logged
                .iter()
                .any(|l| l.starts_with("the other ") && l.ends_with("keys: the base's values"))
        );
        Ok(())
    });
}

#[test]
fn the_status_report_gives_every_policy_with_provenance() {
    in_jail(ISSUE_11, |jail| {
        jail.set_env("CORS_POLICIES__PARTNER__MAX_AGE", "60");
        let client = launch();
        let report = handle(&client).report().settings;
        let find = |policy: Option<&str>, key: &str| {
            report
                .iter()
                .find(|s| s.policy.as_deref() == policy && s.key == key)
                .unwrap_or_else(|| panic!("{policy:?} {key} in {report:#?}"))
                .clone()
        };
        let base_origin = find(None, "allow_origin");
        assert_eq!(base_origin.value, APP);
        let public = find(Some("public"), "allow_origin");
        assert_eq!((public.value.as_str(), public.is_inherited()), ("*", false));
        assert!(
            matches!(&public.provenance, Provenance::File { profile, .. } if profile == "default")
        );
        let inherited = find(Some("partner"), "expose_headers");
        assert_eq!((inherited.value.as_str(), inherited.is_inherited()), ("X-Total-Count", true));
        assert_eq!(
            inherited.provenance,
            Provenance::Inherited(Box::new(base_origin.provenance.clone()))
        );
        let max_age = find(Some("partner"), "max_age");
        assert_eq!(max_age.value, "60");
        let var = "CORS_POLICIES__PARTNER__MAX_AGE";
        assert_eq!(max_age.provenance, Provenance::Env { var: var.into() });
        assert_eq!(
            max_age.to_string(),
            format!("policies.partner.max_age = 60 (environment variable {var})")
        );
        assert!(inherited.to_string().contains("(inherited from [default.cors] in"), "{inherited}");
        // A policy's own value from the file is in its own table.
        assert!(public.to_string().contains("([default.cors.policies.public] in"), "{public}");
        // The fairing's own keys belong to the base only.
        assert!(!report.iter().any(|s| s.policy.is_some() && s.key == "reload"));
        Ok(())
    });
}

#[test]
fn a_refusal_logs_the_policy_that_refused() {
    in_jail(ISSUE_11, |_| {
        let client = launch();
        take_logged(Level::Trace);
        get(&client, "/api/partner/orders", APP);
        get(&client, "/api/items", PARTNER);
        let refused: Vec<String> = take_logged(Level::Debug)
            .into_iter()
            .filter(|l| l.starts_with("CORS refused"))
            .collect();
        assert_eq!(
            refused,
            [
                "CORS refused GET /api/partner/orders (policy `partner`): origin \"https://app.example.com\" is not allowed",
                "CORS refused GET /api/items: origin \"https://partner.example\" is not allowed",
            ]
        );
        Ok(())
    });
}

#[test]
fn a_reload_logs_what_changed_in_each_policy() {
    in_jail(ISSUE_11, |jail| {
        let client = launch();
        let edited = ISSUE_11
            .replace("https://partner.example", "https://new-partner.example")
            .replace("[default.cors.policies.public]", "[default.cors.policies.open]");
        jail.create_file("Rocket.toml", &edited)?;
        take_logged(Level::Trace);
        assert!(matches!(handle(&client).reload_blocking(), ReloadOutcome::Swapped { .. }));
        let logged = take_logged(Level::Info);
        let has = |line: &str| logged.iter().any(|l| l.starts_with(line));
        assert!(has("CORS policy `open` added, for paths /public/**, /status/*"), "{logged:#?}");
        assert!(has("CORS policy `public` removed"), "{logged:#?}");
        // Browsers may still use the partner's cached preflights (max_age 600, inherited).
        assert!(
            has("CORS reload narrowed access in policy `partner` (removed origin \
                 https://partner.example)"),
            "{logged:#?}"
        );
        assert!(
            has(
                "CORS setting `policies.partner.allow_origin` changed: https://partner.example -> \
                 https://new-partner.example (from [default.cors] in"
            ),
            "{logged:#?}"
        );
        Ok(())
    });
}

#[test]
fn the_origin_check_is_asked_only_about_origins_the_judging_policy_does_not_list() {
    install_capture();
    let base = Settings::default().allow_origin([APP]);
    let partner = base.clone().paths(["/api/partner/**"]).allow_origin([PARTNER]);
    let fairing = CorsFairing::from_settings(base.policy("partner", partner)).with_origin_check(
        |origin, _| {
            let allowed = origin == "https://checked.example";
            async move { Ok::<_, &str>(allowed) }
        },
    );
    let client = Client::tracked(rocket::custom(rocket::Config::debug_default()).attach(fairing))
        .expect("valid rocket");
    let calls = || handle(&client).stats().origin_check_calls;
    // Listed by the partner policy (not by the base): no call.
    assert_eq!(acao(&get(&client, "/api/partner/x", PARTNER)).as_deref(), Some(PARTNER));
    assert_eq!(calls(), 0);
    // Unlisted: the check decides, for the policy that judges the path.
    let checked = "https://checked.example";
    assert_eq!(acao(&get(&client, "/api/partner/x", checked)).as_deref(), Some(checked));
    assert_eq!(calls(), 1);
}

#[rocket::get("/api/partner/socket")]
fn partner_socket(_origin: cors_fairing::AllowedOrigin) -> &'static str {
    "open"
}

#[test]
fn the_allowed_origin_guard_asks_the_policy_that_judges_the_path() {
    install_capture();
    let base = Settings::default().allow_origin([APP]);
    let partner = base.clone().paths(["/api/partner/**"]).allow_origin([PARTNER]);
    let fairing = CorsFairing::from_settings(base.policy("partner", partner));
    let rocket = rocket::custom(rocket::Config::debug_default())
        .mount("/", rocket::routes![partner_socket])
        .attach(fairing);
    let client = Client::tracked(rocket).expect("valid rocket");
    let status = |from: &str| get(&client, "/api/partner/socket", from).status();
    assert_eq!(status(PARTNER), Status::Ok, "listed by the partner policy");
    assert_eq!(status(APP), Status::Forbidden, "listed by the base only");
}

#[test]
fn a_named_policy_key_respelt_away_is_refused_not_inherited() {
    let respelt = ISSUE_11.replace(
        "allow_origin = [\"https://partner.example\"]",
        "alow_origin = [\"https://partner.example\"]",
    );
    let errors = reload_errors(&respelt);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = errors[0].to_string();
    // An unknown key is refused by the load itself, as at launch and by `check`.
    assert!(text.contains("`cors.policies.partner.alow_origin`"), "{text}");
    assert!(text.contains("is not a key of a named policy's table"), "{text}");
    assert!(
        text.contains("did you mean `allow_origin` (env CORS_POLICIES__PARTNER__ALLOW_ORIGIN)?"),
        "{text}"
    );
}

#[test]
fn a_named_policy_key_removed_on_purpose_inherits_the_base() {
    in_jail(ISSUE_11, |jail| {
        let client = launch();
        let removed = ISSUE_11.replace("allow_origin = [\"https://partner.example\"]\n", "");
        jail.create_file("Rocket.toml", &removed)?;
        assert!(matches!(handle(&client).reload_blocking(), ReloadOutcome::Swapped { .. }));
        assert_eq!(acao(&get(&client, "/api/partner/x", PARTNER)), None);
        assert_eq!(acao(&get(&client, "/api/partner/x", APP)).as_deref(), Some(APP));
        Ok(())
    });
}

/// `CorsHandle::origin_allowed_at` asks the policy that judges the path, as the guard does;
/// `origin_allowed` asks the base.
#[test]
fn origin_allowed_at_asks_the_policy_of_the_path() {
    let partner = Settings::default().allow_origin([PARTNER]).paths(["/api/partner/**"]);
    let settings = Settings::default().allow_origin([APP]).policy("partner", partner);
    let client = Client::tracked(common::app(CorsFairing::from_settings(settings))).unwrap();
    let handle = client.rocket().state::<CorsHandle>().unwrap().clone();
    let rocket = client.rocket();
    let ask = |path: &str, origin: &str| {
        rocket::tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(handle.origin_allowed_at(path, origin, rocket))
    };
    assert!(ask("/api/partner/orders", PARTNER));
    assert!(!ask("/api/partner/orders", APP));
    assert!(ask("/api/items", APP));
    assert!(!ask("/api/items", PARTNER));
    let base = rocket::tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(handle.origin_allowed(PARTNER, rocket));
    assert!(!base, "origin_allowed asks the base");
}

#[test]
fn a_star_policy_inherits_no_regex_and_no_reflection_and_the_banner_says_so() {
    let toml = r#"
        [default.cors]
        allow_origin = ["https://app.example.com"]
        allow_origin_regex = ['https://[a-z]+\.app\.example\.com']
        allow_all_origin = true

        [default.cors.policies.public]
        paths = ["/public/**"]
        allow_origin = "*"
    "#;
    in_jail(toml, |_| {
        let client = launch();
        let logged = take_logged(Level::Info);
        for key in ["allow_origin_regex", "allow_all_origin"] {
            let start = format!("policies.public.{key} = ");
            let line = logged.iter().find(|l| l.starts_with(&start));
            let line = line.unwrap_or_else(|| panic!("{start} in {logged:#?}"));
            assert!(
                line.ends_with(
                    "not inherited from the base, a `*` policy answers every origin alike"
                ),
                "{line}"
            );
        }
        let policy = handle(&client).policy();
        let public = &policy.settings().policies["public"];
        assert!(public.allow_origin_regex.is_empty() && !public.allow_all_origin);
        let response = client.get("/public/stats").header(origin(ANY)).dispatch();
        assert_eq!(acao(&response).as_deref(), Some("*"));
        assert_eq!(response.headers().get_one("Vary"), None);
        Ok(())
    });
    // Both in the policy's own table: an error naming the policy's key.
    let both = r#"
        [default.cors]
        allow_origin = ["https://app.example.com"]

        [default.cors.policies.public]
        paths = ["/public/**"]
        allow_origin = "*"
        allow_all_origin = true
    "#;
    let errors = reload_errors(both);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key(), Some("policies.public.allow_all_origin"));
    assert!(errors[0].to_string().contains("same static `*`"), "{}", errors[0]);
}
