//! Settings from `Rocket.toml`: every key, the value forms, profiles, `ROCKET_CONFIG`, the
//! precedence of DESIGN.md §2, and the `from_figment` / `from_settings` constructors.
//!
//! Each test runs in a `figment::Jail` (its own cwd and env, one test at a time) and launches
//! Rocket through `rocket::build()`, as an application does.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;

use common::blocking::{
    EVERY_KEY_PREFLIGHT, acao_for, app, assert_credentials, assert_put_preflight, client, settings,
    value,
};
use common::{APP, EVIL, origin, request_headers, request_method};
use cors_fairing::{CorsFairing, Settings};
use figment::Jail;
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::local::blocking::Client;

/// A jail with Rocket's own logging off and `contents` as `Rocket.toml`.
fn with_rocket_toml(contents: &str, test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.create_file("Rocket.toml", contents)?;
        test(jail)
    });
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_key_from_toml_arrays_reaches_the_headers() {
    let toml = r#"
        [default.cors]
        allow_origin = ["https://app.example.com", "https://*.example.org"]
        allow_origin_regex = ['https://[a-z]+\.example\.net']
        allow_methods = ["GET", "PUT"]
        allow_headers = ["X-One", "X-Two"]
        allow_credentials = true
        expose_headers = ["X-Exposed", "X-Total"]
        max_age = 600
    "#;
    with_rocket_toml(toml, |_| {
        let client = client();
        assert_put_preflight(&client, "x-one", &EVERY_KEY_PREFLIGHT);

        let response = client.get("/api/items").header(origin(APP)).dispatch();
        assert_eq!(
            value(&response, "Access-Control-Expose-Headers").as_deref(),
            Some("X-Exposed, X-Total")
        );
        assert_eq!(
            acao_for(&client, "https://a.example.org").as_deref(),
            Some("https://a.example.org")
        );
        assert_eq!(
            acao_for(&client, "https://shop.example.net").as_deref(),
            Some("https://shop.example.net")
        );
        assert_eq!(acao_for(&client, "https://evil.invalid"), None);
        // Not in allow_methods, not in allow_headers: refused.
        let response = client
            .options("/api/items")
            .header(origin(APP))
            .header(request_method("DELETE"))
            .dispatch();
        assert_eq!(value(&response, "Access-Control-Allow-Origin"), None);
        let response = client
            .options("/api/items")
            .header(origin(APP))
            .header(request_method("GET"))
            .header(request_headers("x-three"))
            .dispatch();
        assert_eq!(value(&response, "Access-Control-Allow-Origin"), None);
        Ok(())
    });
}

#[test]
fn strings_are_split_on_commas_and_whitespace_and_bools_may_be_spelled_out() {
    let toml = r#"
        [default.cors]
        allow_origin = "https://app.example.com, https://other.example.com"
        allow_origin_regex = 'https://[a-z]+\.example\.net'
        allow_methods = "GET PUT,PATCH"
        allow_headers = "X-One,X-Two"
        allow_credentials = "yes"
        expose_headers = "X-Exposed X-Total"
        max_age = "600"
    "#;
    with_rocket_toml(toml, |_| {
        let s = settings(&client());
        assert_eq!(s.allow_origin, strings(&[APP, "https://other.example.com"]));
        assert_eq!(s.allow_origin_regex, strings(&[r"https://[a-z]+\.example\.net"]));
        assert_eq!(s.allow_methods, Some(strings(&["GET", "PUT", "PATCH"])));
        assert_eq!(s.allow_headers, Some(strings(&["X-One", "X-Two"])));
        assert_eq!(s.allow_credentials, Some(true));
        assert_eq!(s.expose_headers, strings(&["X-Exposed", "X-Total"]));
        assert_eq!(s.max_age, Some(600));
        Ok(())
    });
}

#[test]
fn bool_spellings_in_toml() {
    let cases = [
        ("true", true),
        ("false", false),
        ("\"true\"", true),
        ("\"false\"", false),
        ("1", true),
        ("0", false),
        ("\"1\"", true),
        ("\"0\"", false),
        ("\"yes\"", true),
        ("\"no\"", false),
        ("\"on\"", true),
        ("\"off\"", false),
        ("\"On\"", true),
    ];
    for (written, expected) in cases {
        let toml =
            format!("[default.cors]\nallow_origin = \"{APP}\"\nallow_credentials = {written}\n");
        with_rocket_toml(&toml, |_| {
            assert_credentials(&client(), written, expected);
            Ok(())
        });
    }
}

#[test]
fn allow_all_keys_are_on_when_present_with_any_value_and_off_when_false() {
    let cases = [
        ("true", true),
        ("\"\"", true),
        ("\"anything\"", true),
        ("\"yes\"", true),
        ("1", true),
        ("[]", true),
        ("false", false),
        ("\"false\"", false),
        ("\"0\"", false),
        ("0", false),
        ("\"no\"", false),
        ("\"off\"", false),
    ];
    for (written, on) in cases {
        let toml = format!(
            "[default.cors]\nallow_all_origin = {written}\nallow_all_headers = {written}\n"
        );
        with_rocket_toml(&toml, |_| {
            let client = client();
            let s = settings(&client);
            assert_eq!((s.allow_all_origin, s.allow_all_headers), (on, on), "{written}");
            let response = client
                .options("/api/items")
                .header(origin(EVIL))
                .header(request_method("GET"))
                .header(request_headers("x-anything"))
                .dispatch();
            assert_eq!(
                value(&response, "Access-Control-Allow-Origin").as_deref(),
                on.then_some(EVIL),
                "{written}"
            );
            assert_eq!(
                value(&response, "Access-Control-Allow-Headers").as_deref(),
                on.then_some("x-anything"),
                "{written}"
            );
            Ok(())
        });
    }
    // Absent: off.
    with_rocket_toml("[default.cors]\nmax_age = 1\n", |_| {
        let s = settings(&client());
        assert!(!s.allow_all_origin && !s.allow_all_headers);
        Ok(())
    });
}

const PROFILES: &str = r#"
    [default.cors]
    allow_origin = "https://default.example"
    max_age = 10

    [debug.cors]
    allow_origin = "https://debug.example"

    [release.cors]
    allow_origin = "https://release.example"
"#;

#[test]
fn the_debug_profile_overrides_default_key_by_key() {
    // Test binaries are debug builds, so Rocket's profile is `debug`.
    with_rocket_toml(PROFILES, |_| {
        let client = client();
        let s = settings(&client);
        assert_eq!(s.allow_origin, strings(&["https://debug.example"]));
        assert_eq!(s.max_age, Some(10), "keys not in [debug.cors] come from [default.cors]");
        assert!(acao_for(&client, "https://default.example").is_none());
        Ok(())
    });
}

#[test]
fn rocket_profile_selects_the_section() {
    for (profile, expected) in [
        ("release", "https://release.example"),
        ("debug", "https://debug.example"),
        ("staging", "https://default.example"),
    ] {
        with_rocket_toml(PROFILES, |jail| {
            jail.set_env("ROCKET_PROFILE", profile);
            let client = client();
            assert_eq!(settings(&client).allow_origin, strings(&[expected]), "{profile}");
            assert_eq!(acao_for(&client, expected).as_deref(), Some(expected), "{profile}");
            Ok(())
        });
    }
}

#[test]
fn global_overrides_every_profile() {
    let toml = format!("{PROFILES}\n[global.cors]\nallow_origin = \"https://global.example\"\n");
    for profile in ["debug", "release"] {
        with_rocket_toml(&toml, |jail| {
            jail.set_env("ROCKET_PROFILE", profile);
            let s = settings(&client());
            assert_eq!(s.allow_origin, strings(&["https://global.example"]), "{profile}");
            assert_eq!(s.max_age, Some(10), "{profile}");
            Ok(())
        });
    }
}

#[test]
fn rocket_config_points_to_another_file() {
    with_rocket_toml(PROFILES, |jail| {
        jail.create_dir("conf")?;
        jail.create_file(
            "conf/Other.toml",
            "[default.cors]\nallow_origin = \"https://other.example\"\n",
        )?;
        jail.set_env("ROCKET_CONFIG", "conf/Other.toml");
        let client = client();
        let s = settings(&client);
        assert_eq!(s.allow_origin, strings(&["https://other.example"]));
        assert_eq!(s.max_age, None, "Rocket.toml in the cwd must not be read");
        assert_eq!(
            acao_for(&client, "https://other.example").as_deref(),
            Some("https://other.example")
        );
        Ok(())
    });
}

#[test]
fn precedence_is_default_profile_global_rocket_cors_then_cors_env() {
    // Each key is set in one more layer than the one before; the top layer must win.
    let toml = r#"
        [default.cors]
        expose_headers = "X-Default"
        allow_methods = "GET"
        allow_headers = "X-Default"
        max_age = 1
        allow_origin = "https://default.example"

        [debug.cors]
        allow_methods = "PUT"
        allow_headers = "X-Debug"
        max_age = 2
        allow_origin = "https://debug.example"

        [global.cors]
        allow_headers = "X-Global"
        max_age = 3
        allow_origin = "https://global.example"
    "#;
    with_rocket_toml(toml, |jail| {
        jail.set_env("ROCKET_CORS", r#"{max_age=4, allow_origin="https://rocket-cors.example"}"#);
        jail.set_env("CORS_ALLOW_ORIGIN", "https://env.example");
        let client = client();
        let s = settings(&client);
        assert_eq!(s.expose_headers, strings(&["X-Default"]));
        assert_eq!(s.allow_methods, Some(strings(&["PUT"])));
        assert_eq!(s.allow_headers, Some(strings(&["X-Global"])));
        assert_eq!(s.max_age, Some(4));
        assert_eq!(s.allow_origin, strings(&["https://env.example"]));
        assert_eq!(
            acao_for(&client, "https://env.example").as_deref(),
            Some("https://env.example")
        );
        assert_eq!(acao_for(&client, "https://rocket-cors.example"), None);
        Ok(())
    });
}

#[test]
fn rocket_cors_alone_overrides_the_file() {
    with_rocket_toml(PROFILES, |jail| {
        jail.set_env("ROCKET_CORS", r#"{allow_origin="https://x.example"}"#);
        let client = client();
        assert_eq!(acao_for(&client, "https://x.example").as_deref(), Some("https://x.example"));
        assert_eq!(acao_for(&client, "https://debug.example"), None);
        assert_eq!(settings(&client).max_age, Some(10));
        Ok(())
    });
}

#[test]
fn no_rocket_toml_means_the_defaults() {
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        let client = client();
        assert_eq!(settings(&client), Settings::default());
        assert_eq!(acao_for(&client, APP), None);
        Ok(())
    });
}

#[test]
fn from_figment_reads_the_cors_table_of_a_custom_figment() {
    // Rocket.toml and CORS_* are not part of a custom Figment and must not leak in.
    with_rocket_toml(PROFILES, |jail| {
        jail.set_env("CORS_MAX_AGE", "99");
        let figment = Figment::from(Toml::string(
            "[cors]\nallow_origin = [\"https://custom.example\"]\nallow_methods = \"GET, PATCH\"\n",
        ));
        let client =
            Client::tracked(app(CorsFairing::from_figment(figment))).expect("valid rocket");
        let s = settings(&client);
        assert_eq!(s.allow_origin, strings(&["https://custom.example"]));
        assert_eq!(s.allow_methods, Some(strings(&["GET", "PATCH"])));
        assert_eq!(s.max_age, None);
        let response = client
            .options("/")
            .header(origin("https://custom.example"))
            .header(request_method("PATCH"))
            .dispatch();
        assert_eq!(value(&response, "Access-Control-Allow-Methods").as_deref(), Some("GET, PATCH"));
        Ok(())
    });
}

#[test]
fn from_settings_ignores_rocket_toml_and_env() {
    with_rocket_toml(PROFILES, |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "https://env.example");
        let code = Settings::default().allow_origin(strings(&[APP]));
        let client =
            Client::tracked(app(CorsFairing::from_settings(code.clone()))).expect("valid rocket");
        assert_eq!(settings(&client), code);
        assert_eq!(acao_for(&client, APP).as_deref(), Some(APP));
        assert_eq!(acao_for(&client, "https://env.example"), None);
        assert_eq!(acao_for(&client, "https://debug.example"), None);
        Ok(())
    });
}

#[test]
fn regexes_keep_their_commas_and_array_elements_stay_whole() {
    let toml = r#"
        [default.cors]
        allow_origin_regex = ['https://[a-z]{1,3}\.example\.com', 'https://(a|b)\.example\.net']
        expose_headers = ["X-One"]
    "#;
    with_rocket_toml(toml, |_| {
        let client = client();
        let s = settings(&client);
        assert_eq!(
            s.allow_origin_regex,
            strings(&[r"https://[a-z]{1,3}\.example\.com", r"https://(a|b)\.example\.net"])
        );
        assert_eq!(
            acao_for(&client, "https://ab.example.com").as_deref(),
            Some("https://ab.example.com")
        );
        assert_eq!(
            acao_for(&client, "https://b.example.net").as_deref(),
            Some("https://b.example.net")
        );
        assert_eq!(acao_for(&client, "https://abcd.example.com"), None);
        Ok(())
    });
}

#[test]
fn the_rocket_toml_rocket_finds_in_a_parent_directory_is_the_one_read() {
    with_rocket_toml(PROFILES, |jail| {
        jail.create_dir("app/bin")?;
        jail.change_dir("app/bin")?;
        let client = client();
        assert_eq!(settings(&client).allow_origin, strings(&["https://debug.example"]));
        let handle = client.rocket().state::<cors_fairing::CorsHandle>().expect("managed");
        let expected = jail.directory().join("Rocket.toml");
        assert!(
            handle
                .report()
                .files
                .iter()
                .any(|f| f.ends_with("Rocket.toml") && f.starts_with(jail.directory())),
            "watched files {:?}, expected {}",
            handle.report().files,
            expected.display()
        );
        Ok(())
    });
}

#[test]
fn from_figment_takes_serialized_settings() {
    let code =
        Settings::default().allow_origin(strings(&[APP])).allow_credentials(true).max_age(30);
    with_rocket_toml("", |_| {
        let figment = Figment::from(rocket::figment::providers::Serialized::default("cors", &code));
        let client =
            Client::tracked(app(CorsFairing::from_figment(figment))).expect("valid rocket");
        assert_eq!(settings(&client), code);
        Ok(())
    });
}

/// The settings tables of the README and the crate docs follow the keys table: every key
/// once, in its order, with its environment variable and, where the docs write the default
/// as a literal, the default the crate reports.
#[test]
fn the_docs_tables_list_every_key_with_its_variable_and_default() {
    use cors_fairing::status::EffectiveSetting;
    use cors_fairing::{Key, Settings};
    let defaults = EffectiveSetting::all(&Settings::default(), &[]);
    for (doc, text) in
        [("README.md", include_str!("../README.md")), ("src/lib.rs", include_str!("../src/lib.rs"))]
    {
        let rows: Vec<Vec<&str>> = text
            .lines()
            .map(|line| line.trim_start_matches("//! "))
            .filter(|line| line.starts_with("| `") && !line.starts_with("| `policies."))
            .filter(|line| !line.starts_with("| `report_only."))
            .map(|line| line.split(" | ").map(|cell| cell.trim_matches(['|', ' '])).collect())
            .filter(|cells: &Vec<&str>| cells.len() >= 4 && cells[1].starts_with("`CORS_"))
            .collect();
        let keys: Vec<&str> = rows.iter().map(|row| row[0].trim_matches('`')).collect();
        let expected: Vec<&str> = Key::ALL.iter().map(|key| key.name()).collect();
        assert_eq!(keys, expected, "{doc}: the settings table is not the keys table");
        for (row, key) in rows.iter().zip(Key::ALL) {
            assert_eq!(row[1].trim_matches('`'), key.env_var(), "{doc}: {key}");
            let default = &defaults.iter().find(|s| s.key == key).unwrap().value;
            let literal = row[2].strip_prefix('`').and_then(|d| d.strip_suffix('`'));
            if let Some(literal) = literal.filter(|l| !l.contains('`')) {
                assert_eq!(literal, default, "{doc}: the default of {key}");
            }
        }
    }
}

/// The files a load reads include the server's `Rocket.toml` even before it exists (so a
/// reload notices it being created), once, by its absolute path.
#[test]
fn the_files_read_name_rocket_toml_once_whether_or_not_it_exists() {
    Jail::expect_with(|jail| {
        let expected = vec![jail.directory().join("Rocket.toml")];
        let absent = cors_fairing::check(&rocket::Config::figment(), None);
        assert_eq!(absent.files, expected);
        // With another file read (an env file a variable names), still named.
        jail.create_file("cors.env", "CORS_MAX_AGE=60\n")?;
        jail.set_env("CORS_ENV_FILE", "cors.env");
        let beside = cors_fairing::check(&rocket::Config::figment(), None);
        let both = vec![jail.directory().join("Rocket.toml"), jail.directory().join("cors.env")];
        assert_eq!(beside.files, both, "{:?}", beside.errors);
        jail.clear_env();
        jail.create_file("Rocket.toml", "[default.cors]\nallow_origin = \"https://a.example\"\n")?;
        let present = cors_fairing::check(&rocket::Config::figment(), None);
        assert!(present.is_valid(), "{:?}", present.errors);
        assert_eq!(present.files, expected);
        Ok(())
    });
}
