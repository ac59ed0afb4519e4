//! The origin forms real apps have: any port (`http://localhost:*`, also on wildcard
//! hosts) and the exact origins of app shells and browser extensions, from `Rocket.toml`
//! (per profile) and from the environment; and long lists, which are indexed.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;

use common::blocking::{acao_for, client, value};
use common::{origin, request_method};
use cors_fairing::Settings;
use cors_fairing::policy::Policies;
use figment::Jail;

fn in_jail(toml: &str, test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.create_file("Rocket.toml", toml)?;
        test(jail)
    });
}

#[test]
fn any_port_on_localhost_from_rocket_toml() {
    in_jail("[default.cors]\nallow_origin = [\"http://localhost:*\"]\n", |_| {
        let client = client();
        for allowed in ["http://localhost", "http://localhost:5173", "http://localhost:3000"] {
            assert_eq!(acao_for(&client, allowed).as_deref(), Some(allowed));
        }
        for refused in [
            "https://localhost:5173",     // only over http
            "http://localhost.evil:5173", // only that host
            "http://127.0.0.1:5173",
            "http://localhost:0",
            "http://localhost:65536",
            "http://localhost:5173/",
            "http://localhost:80", // browsers never send the default port
        ] {
            assert_eq!(acao_for(&client, refused), None, "{refused}");
        }
        // Preflights too.
        let response = client
            .options("/api/items")
            .header(origin("http://localhost:5173"))
            .header(request_method("PUT"))
            .dispatch();
        let acao = value(&response, "Access-Control-Allow-Origin");
        assert_eq!(acao.as_deref(), Some("http://localhost:5173"));
        Ok(())
    });
}

#[test]
fn any_port_on_a_wildcard_host_from_the_environment() {
    in_jail("", |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "https://*.example.com:*");
        let client = client();
        for allowed in ["https://a.example.com", "https://a.b.example.com:8443"] {
            assert_eq!(acao_for(&client, allowed).as_deref(), Some(allowed));
        }
        for refused in ["https://example.com:8443", "http://a.example.com:8443"] {
            assert_eq!(acao_for(&client, refused), None, "{refused}");
        }
        Ok(())
    });
}

const CHROME: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
const SAFARI: &str = "safari-web-extension://0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D";

#[test]
fn app_and_extension_origins_per_profile() {
    let toml = format!(
        "[default.cors]\nallow_origin = \"https://app.example.com\"\n\
         [release.cors]\nallow_origin = [\"capacitor://localhost\", \"Tauri://localhost\", \
         \"{CHROME}\", \"{SAFARI}\"]\n"
    );
    in_jail(&toml, |jail| {
        jail.set_env("ROCKET_PROFILE", "release");
        let client = client();
        for allowed in ["capacitor://localhost", "tauri://localhost", CHROME, SAFARI] {
            assert_eq!(acao_for(&client, allowed).as_deref(), Some(allowed));
        }
        for refused in [
            "ionic://localhost",
            "capacitor://localhost:1",
            "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba",
            // The opaque host is compared as written.
            "safari-web-extension://0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            "https://app.example.com",
        ] {
            assert_eq!(acao_for(&client, refused), None, "{refused}");
        }
        Ok(())
    });
}

#[test]
fn extension_origins_from_the_environment() {
    in_jail("", |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", format!("{CHROME}, ionic://localhost"));
        let client = client();
        assert_eq!(acao_for(&client, CHROME).as_deref(), Some(CHROME));
        assert_eq!(acao_for(&client, "ionic://localhost").as_deref(), Some("ionic://localhost"));
        assert_eq!(acao_for(&client, "capacitor://localhost"), None);
        Ok(())
    });
}

fn allowed(policy: &Policies, origin: &str) -> bool {
    // A preflight for GET: allowed exactly when the origin is.
    policy.decide(&cors_fairing::policy::CorsRequest::preflight("/", origin, "GET")).is_allowed()
}

#[test]
fn ten_thousand_origins_and_a_thousand_wildcards_match_exactly() {
    let mut origins: Vec<String> = (0..10_000).map(|i| format!("https://o{i}.example")).collect();
    origins.extend((0..1_000).map(|i| format!("https://*.w{i}.example")));
    origins.extend((0..50).map(|i| format!("http://*.p{i}.example:*")));
    let settings = Settings::default().allow_origin(origins);
    let policy = Policies::compile(&settings).expect("valid");
    for yes in [
        "https://o0.example",
        "https://o9999.example",
        "https://a.w0.example",
        "https://a.b.w999.example",
        "http://x.p49.example:8080",
        "http://x.p0.example",
    ] {
        assert!(allowed(&policy, yes), "{yes}");
    }
    for no in [
        "https://o10000.example",
        "https://w5.example",
        "https://a.w5.example:444",
        "http://a.w5.example",
        "https://x.p1.example",
        "https://evil-o1.example",
    ] {
        assert!(!allowed(&policy, no), "{no}");
    }
}
