//! Settings from `CORS_*` environment variables (and `ROCKET_CORS`): every key, in every
//! value form of DESIGN.md §2, and their precedence over `Rocket.toml`.
//!
//! Env vars are process-global: every test runs in a `figment::Jail`, which restores them.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;

use common::blocking::{
    EVERY_KEY_PREFLIGHT, acao_for, assert_credentials, assert_put_preflight, client, settings,
    value,
};
use common::{APP, origin, request_headers, request_method};
use figment::Jail;

/// A jail with Rocket's own logging off and the given `CORS_*` (or other) variables.
fn with_env(vars: &[(&str, &str)], test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        for (name, value) in vars {
            jail.set_env(name, value);
        }
        test(jail)
    });
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_key_from_env_reaches_the_headers() {
    let vars = [
        ("CORS_ALLOW_ORIGIN", "https://app.example.com"),
        ("CORS_ALLOW_ORIGIN_REGEX", r"https://[a-z]+\.example\.net"),
        ("CORS_ALLOW_METHODS", "GET, PUT"),
        ("CORS_ALLOW_HEADERS", "X-One, X-Two"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_EXPOSE_HEADERS", "X-Exposed"),
        ("CORS_MAX_AGE", "600"),
    ];
    with_env(&vars, |_| {
        let client = client();
        assert_put_preflight(&client, "x-two", &EVERY_KEY_PREFLIGHT);
        let response = client.get("/").header(origin(APP)).dispatch();
        assert_eq!(value(&response, "Access-Control-Expose-Headers").as_deref(), Some("X-Exposed"));
        assert_eq!(
            acao_for(&client, "https://shop.example.net").as_deref(),
            Some("https://shop.example.net")
        );
        assert_eq!(acao_for(&client, "https://evil.invalid"), None);
        Ok(())
    });
}

#[test]
fn figment_array_form() {
    let vars = [
        ("CORS_ALLOW_ORIGIN", r#"["https://app.example.com", "https://*.example.org"]"#),
        (
            "CORS_ALLOW_ORIGIN_REGEX",
            r#"["https://a\\.example\\.net", "https://b\\.example\\.net"]"#,
        ),
        ("CORS_ALLOW_METHODS", "[GET, PUT]"),
        ("CORS_ALLOW_HEADERS", "[X-One, X-Two]"),
        ("CORS_EXPOSE_HEADERS", "[X-Exposed, X-Total]"),
    ];
    with_env(&vars, |_| {
        let client = client();
        let s = settings(&client);
        assert_eq!(s.allow_origin, strings(&[APP, "https://*.example.org"]));
        assert_eq!(s.allow_methods, Some(strings(&["GET", "PUT"])));
        assert_eq!(s.allow_headers, Some(strings(&["X-One", "X-Two"])));
        assert_eq!(s.expose_headers, strings(&["X-Exposed", "X-Total"]));
        assert_eq!(s.allow_origin_regex.len(), 2, "{:?}", s.allow_origin_regex);
        assert_eq!(
            acao_for(&client, "https://b.example.net").as_deref(),
            Some("https://b.example.net")
        );
        assert_eq!(
            acao_for(&client, "https://x.example.org").as_deref(),
            Some("https://x.example.org")
        );
        Ok(())
    });
}

#[test]
fn unquoted_origins_in_the_array_form() {
    with_env(&[("CORS_ALLOW_ORIGIN", "[https://app.example.com, https://b.example.com]")], |_| {
        let client = client();
        assert_eq!(settings(&client).allow_origin, strings(&[APP, "https://b.example.com"]));
        assert_eq!(
            acao_for(&client, "https://b.example.com").as_deref(),
            Some("https://b.example.com")
        );
        Ok(())
    });
}

#[test]
fn lists_split_on_commas_and_whitespace() {
    let vars = [
        (
            "CORS_ALLOW_ORIGIN",
            "https://app.example.com,https://b.example.com  https://c.example.com",
        ),
        ("CORS_ALLOW_METHODS", "GET PUT,PATCH"),
        ("CORS_ALLOW_HEADERS", " X-One ,X-Two "),
        ("CORS_EXPOSE_HEADERS", "X-Exposed\tX-Total"),
    ];
    with_env(&vars, |_| {
        let client = client();
        let s = settings(&client);
        assert_eq!(
            s.allow_origin,
            strings(&[APP, "https://b.example.com", "https://c.example.com"])
        );
        assert_eq!(s.allow_methods, Some(strings(&["GET", "PUT", "PATCH"])));
        assert_eq!(s.allow_headers, Some(strings(&["X-One", "X-Two"])));
        assert_eq!(s.expose_headers, strings(&["X-Exposed", "X-Total"]));
        assert_eq!(
            acao_for(&client, "https://c.example.com").as_deref(),
            Some("https://c.example.com")
        );
        Ok(())
    });
}

#[test]
fn bool_spellings_for_allow_credentials() {
    let cases = [
        ("true", true),
        ("false", false),
        ("TRUE", true),
        ("1", true),
        ("0", false),
        ("yes", true),
        ("no", false),
        ("on", true),
        ("off", false),
        ("Off", false),
    ];
    for (written, expected) in cases {
        with_env(&[("CORS_ALLOW_ORIGIN", APP), ("CORS_ALLOW_CREDENTIALS", written)], |_| {
            assert_credentials(&client(), written, expected);
            Ok(())
        });
    }
}

#[test]
fn allow_all_keys_are_on_when_present_with_any_value_and_off_when_false() {
    let cases = [
        ("", true),
        ("anything", true),
        ("true", true),
        ("1", true),
        ("yes", true),
        ("on", true),
        ("false", false),
        ("0", false),
        ("no", false),
        ("off", false),
        ("FALSE", false),
    ];
    for (written, on) in cases {
        let vars = [("CORS_ALLOW_ALL_ORIGIN", written), ("CORS_ALLOW_ALL_HEADERS", written)];
        with_env(&vars, |_| {
            let client = client();
            let s = settings(&client);
            assert_eq!((s.allow_all_origin, s.allow_all_headers), (on, on), "{written:?}");
            let response = client
                .options("/api/items")
                .header(origin("https://any.example"))
                .header(request_method("GET"))
                .header(request_headers("x-anything"))
                .dispatch();
            assert_eq!(
                value(&response, "Access-Control-Allow-Origin").as_deref(),
                on.then_some("https://any.example"),
                "{written:?}"
            );
            assert_eq!(
                value(&response, "Access-Control-Allow-Headers").as_deref(),
                on.then_some("x-anything"),
                "{written:?}"
            );
            Ok(())
        });
    }
}

#[test]
fn max_age_from_env() {
    with_env(&[("CORS_ALLOW_ORIGIN", APP), ("CORS_MAX_AGE", "7200")], |_| {
        let client = client();
        assert_eq!(settings(&client).max_age, Some(7200));
        let response =
            client.options("/").header(origin(APP)).header(request_method("GET")).dispatch();
        assert_eq!(value(&response, "Access-Control-Max-Age").as_deref(), Some("7200"));
        Ok(())
    });
}

#[test]
fn env_overrides_rocket_toml_key_by_key() {
    with_env(&[("CORS_ALLOW_ORIGIN", "https://env.example")], |jail| {
        jail.create_file(
            "Rocket.toml",
            "[default.cors]\nallow_origin = \"https://file.example\"\nmax_age = 30\n",
        )?;
        let client = client();
        let s = settings(&client);
        assert_eq!(s.allow_origin, strings(&["https://env.example"]));
        assert_eq!(s.max_age, Some(30));
        assert_eq!(acao_for(&client, "https://file.example"), None);
        Ok(())
    });
}

#[test]
fn rocket_cors_table_from_env() {
    let vars = [(
        "ROCKET_CORS",
        r#"{allow_origin="https://x.example", allow_methods=[GET, PATCH], allow_credentials=true}"#,
    )];
    with_env(&vars, |_| {
        let client = client();
        let s = settings(&client);
        assert_eq!(s.allow_origin, strings(&["https://x.example"]));
        assert_eq!(s.allow_methods, Some(strings(&["GET", "PATCH"])));
        assert_eq!(s.allow_credentials, Some(true));
        assert_eq!(acao_for(&client, "https://x.example").as_deref(), Some("https://x.example"));
        Ok(())
    });
}

#[test]
fn cors_env_wins_over_rocket_cors() {
    let vars = [
        ("ROCKET_CORS", r#"{allow_origin="https://x.example", max_age=5}"#),
        ("CORS_ALLOW_ORIGIN", "https://y.example"),
    ];
    with_env(&vars, |_| {
        let s = settings(&client());
        assert_eq!(s.allow_origin, strings(&["https://y.example"]));
        assert_eq!(s.max_age, Some(5));
        Ok(())
    });
}

#[test]
fn the_crates_own_cors_fairing_variables_are_not_settings() {
    with_env(&[("CORS_FAIRING_REQUIRE_BROWSER", "1"), ("CORS_ALLOW_ORIGIN", APP)], |_| {
        let client = client();
        assert_eq!(acao_for(&client, APP).as_deref(), Some(APP));
        Ok(())
    });
}

#[test]
fn single_values_star_null_and_ports_from_env() {
    with_env(&[("CORS_ALLOW_ORIGIN", "*"), ("CORS_ALLOW_METHODS", "PATCH")], |_| {
        let client = client();
        assert_eq!(acao_for(&client, "https://any.example").as_deref(), Some("*"));
        assert_eq!(settings(&client).allow_methods, Some(strings(&["PATCH"])));
        Ok(())
    });
    with_env(&[("CORS_ALLOW_ORIGIN", "null, http://localhost:8080")], |_| {
        let client = client();
        assert_eq!(acao_for(&client, "null").as_deref(), Some("null"));
        assert_eq!(
            acao_for(&client, "http://localhost:8080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(acao_for(&client, "http://localhost"), None);
        Ok(())
    });
    with_env(&[("CORS_ALLOW_ORIGIN", "null")], |_| {
        assert_eq!(acao_for(&client(), "null").as_deref(), Some("null"));
        Ok(())
    });
}

#[test]
fn empty_values_mean_unset_for_max_age_and_empty_for_lists() {
    with_env(
        &[("CORS_ALLOW_ORIGIN", APP), ("CORS_MAX_AGE", ""), ("CORS_EXPOSE_HEADERS", "")],
        |_| {
            let client = client();
            let s = settings(&client);
            assert_eq!((s.max_age, s.expose_headers.len()), (None, 0));
            let response =
                client.options("/").header(origin(APP)).header(request_method("GET")).dispatch();
            assert_eq!(value(&response, "Access-Control-Max-Age"), None);
            Ok(())
        },
    );
}

#[test]
fn a_regex_in_env_keeps_its_commas() {
    let vars = [("CORS_ALLOW_ORIGIN_REGEX", r"https://[a-z]{1,3}\.example\.com")];
    with_env(&vars, |_| {
        let client = client();
        assert_eq!(
            settings(&client).allow_origin_regex,
            strings(&[r"https://[a-z]{1,3}\.example\.com"])
        );
        assert_eq!(
            acao_for(&client, "https://ab.example.com").as_deref(),
            Some("https://ab.example.com")
        );
        assert_eq!(acao_for(&client, "https://abcd.example.com"), None);
        Ok(())
    });
    // Several regexes: whitespace or the `[a, b]` form (quoted, since they hold commas).
    let vars = [(
        "CORS_ALLOW_ORIGIN_REGEX",
        r#"["https://[a-z]{1,3}\\.example\\.com", "https://b\\.example\\.net"]"#,
    )];
    with_env(&vars, |_| {
        let client = client();
        assert_eq!(settings(&client).allow_origin_regex.len(), 2);
        assert_eq!(
            acao_for(&client, "https://b.example.net").as_deref(),
            Some("https://b.example.net")
        );
        assert_eq!(
            acao_for(&client, "https://ab.example.com").as_deref(),
            Some("https://ab.example.com")
        );
        Ok(())
    });
    with_env(
        &[("CORS_ALLOW_ORIGIN_REGEX", r"https://a\.example\.com https://b\.example\.com")],
        |_| {
            let client = client();
            assert_eq!(
                acao_for(&client, "https://b.example.com").as_deref(),
                Some("https://b.example.com")
            );
            Ok(())
        },
    );
}

/// Values merged into Rocket's Figment in code (tests/given_in_code.rs) sit under `CORS_*`.
#[test]
fn cors_variables_win_over_values_given_in_code() {
    with_env(&[("CORS_ALLOW_ORIGIN", "https://env.example")], |jail| {
        jail.create_file("Rocket.toml", "[default.cors]\nreload = false\n")?;
        let code = "https://code.example";
        let figment = rocket::Config::figment()
            .merge(("cors.allow_origin", [code]))
            .merge(("cors.max_age", 45));
        let rocket = rocket::custom(figment).mount("/", common::routes());
        let client = rocket::local::blocking::Client::tracked(
            rocket.attach(cors_fairing::CorsFairing::figment()),
        )
        .expect("valid rocket");
        assert_eq!(settings(&client).allow_origin, ["https://env.example"]);
        assert_eq!(settings(&client).max_age, Some(45), "the value given in code");
        assert_eq!(acao_for(&client, code), None);
        Ok(())
    });
}
