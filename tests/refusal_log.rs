//! `log_refusals`: one info line per refused request (method, path, policy, origin,
//! reason), the reason the counter's, through the one rate limit of every per-request line,
//! which the guard's refusals share. Lines are read per thread (tests/common/log_capture).

mod common;

use common::{APP, EVIL, origin, request_method};
use cors_fairing::{AllowedOrigin, CorsFairing, CorsHandle};
use log::Level;
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::get;
use rocket::http::Status;
use rocket::local::blocking::Client;

/// The most lines one (policy, reason) writes per minute (`log_limit::PER_WINDOW`).
const PER_WINDOW: usize = 20;

#[get("/ws")]
fn ws(_origin: AllowedOrigin) -> &'static str {
    "ok"
}

fn client(toml: &str) -> Client {
    common::log_capture::install();
    let toml = toml.to_string();
    let fairing = CorsFairing::from_figment_fn(move || {
        Figment::new().merge(Toml::string(&toml).nested()).select("debug")
    });
    let client = Client::tracked(common::app(fairing).mount("/", rocket::routes![ws]))
        .expect("valid rocket");
    take_info();
    client
}

/// This thread's lines from the crate at info or above.
fn take_info() -> Vec<String> {
    common::log_capture::take(|at, from_the_crate| from_the_crate && at <= Level::Info)
}

const LOGGED: &str = r#"
[default.cors]
allow_origin = "https://app.example.com"
allow_methods = ["GET", "PUT"]
log_refusals = true

[default.cors.policies.partner]
paths = ["/api/partner/**"]
allow_origin = "https://partner.example"
"#;

#[test]
fn each_refusal_is_one_info_line_naming_method_path_policy_origin_and_reason() {
    let client = client(LOGGED);
    let handle = client.rocket().state::<CorsHandle>().unwrap().clone();
    client.get("/api/items").header(origin(APP)).dispatch();
    client.get("/api/items").dispatch();
    assert_eq!(take_info(), Vec::<String>::new(), "allowed and non-CORS requests log nothing");

    client.get("/api/items").header(origin(EVIL)).dispatch();
    client.options("/api/items").header(origin(APP)).header(request_method("PATCH")).dispatch();
    // The named policy inherits `log_refusals` from the base.
    client.get("/api/partner/orders").header(origin(APP)).dispatch();
    assert_eq!(
        take_info(),
        [
            r#"CORS refused GET /api/items (the base policy, origin "https://evil.example.net"): origin "https://evil.example.net" is not allowed [refused_origin]"#,
            r#"CORS refused OPTIONS /api/items (the base policy, origin "https://app.example.com"): method "PATCH" is not in allow_methods [refused_method]"#,
            r#"CORS refused GET /api/partner/orders (policy `partner`, origin "https://app.example.com"): origin "https://app.example.com" is not allowed [refused_origin]"#,
        ]
    );
    let stats = handle.stats();
    assert_eq!((stats.refused_origin, stats.refused_method), (2, 1));
}

/// `HTTPS://APP.example.com` is counted as malformed: the line says malformed too.
#[test]
fn the_line_and_the_counter_agree_on_a_malformed_origin() {
    let client = client(LOGGED);
    let handle = client.rocket().state::<CorsHandle>().unwrap().clone();
    client.get("/api/items").header(origin("HTTPS://APP.example.com")).dispatch();
    let lines = take_info();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].ends_with("is malformed (not an origin as browsers send it) [refused_malformed]"),
        "{}",
        lines[0]
    );
    assert_eq!(handle.stats().refused_malformed, 1);
    assert_eq!(handle.stats().refused_origin, 0);
}

/// A 10 KB origin is cut in the line, and its control characters escaped.
#[test]
fn the_origin_is_escaped_and_cut() {
    let client = client(LOGGED);
    let long = format!("https://{}.example\u{7f}", "a".repeat(10_000));
    client.get("/api/items").header(origin(&long)).dispatch();
    let lines = take_info();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].len() < 600, "{} bytes", lines[0].len());
    assert!(lines[0].contains("bytes in all"), "{}", lines[0]);
    assert!(!lines[0].chars().any(char::is_control), "{}", lines[0]);
}

#[test]
fn off_by_default_nothing_at_info() {
    let client = client("[default.cors]\nallow_origin = \"https://app.example.com\"\n");
    client.get("/api/items").header(origin(EVIL)).dispatch();
    assert_eq!(take_info(), Vec::<String>::new());
    // Still there at debug, as before.
    client.get("/api/items").header(origin(EVIL)).dispatch();
    let debug = common::log_capture::take(|at, ours| ours && at == Level::Debug);
    assert!(debug.iter().any(|l| l.starts_with("CORS refused GET /api/items")), "{debug:#?}");
}

/// A flood from attacker-chosen origins writes at most PER_WINDOW lines per policy and
/// reason; another reason, or another policy, keeps its own budget.
#[test]
fn a_flood_is_limited_per_policy_and_reason() {
    let client = client(LOGGED);
    for i in 0..PER_WINDOW + 30 {
        client.get("/api/items").header(origin(&format!("https://e{i}.example"))).dispatch();
    }
    let lines = take_info();
    assert_eq!(lines.len(), PER_WINDOW, "{lines:#?}");
    client.options("/api/items").header(origin(APP)).header(request_method("PATCH")).dispatch();
    client.get("/api/partner/orders").header(origin(EVIL)).dispatch();
    let lines = take_info();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let handle = client.rocket().state::<CorsHandle>().unwrap().clone();
    assert_eq!(handle.stats().refused_origin, (PER_WINDOW + 30 + 1) as u64, "all counted");
}

/// The guard's refusals go through the same limit (they were logged at info every time).
#[test]
fn the_guards_refusals_share_the_limit() {
    let client = client("[default.cors]\nallow_origin = \"https://app.example.com\"\n");
    for i in 0..PER_WINDOW + 10 {
        let response =
            client.get("/ws").header(origin(&format!("https://e{i}.example"))).dispatch();
        assert_eq!(response.status(), Status::Forbidden);
    }
    let lines = take_info();
    assert_eq!(lines.len(), PER_WINDOW, "{lines:#?}");
    assert_eq!(
        lines[0],
        r#"GET /ws: refused by AllowedOrigin: cross-origin request refused: no Sec-Fetch-Site, no Host, and origin "https://e0.example" is not allowed"#
    );
    assert_eq!(client.get("/ws").header(origin(APP)).dispatch().status(), Status::Ok);
}

/// During an outage of the origin check every new origin fails once: attacker-chosen
/// origins would write one error line each. They share the one limit too.
#[test]
fn the_origin_checks_failures_share_the_limit() {
    common::log_capture::install();
    let settings = common::settings(|s| s.reload = false);
    let fairing = CorsFairing::from_settings(settings)
        .with_origin_check(|_, _| async { Err::<bool, _>("the tenant table is down") });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    common::log_capture::take(|_, _| true);
    for i in 0..PER_WINDOW + 10 {
        client.get("/api/items").header(origin(&format!("https://t{i}.example"))).dispatch();
    }
    let errors = common::log_capture::take(|at, ours| ours && at == Level::Error);
    assert_eq!(errors.len(), PER_WINDOW, "{errors:#?}");
    assert!(
        errors[0].starts_with(r#"CORS origin check for "https://t0.example" failed"#),
        "{}",
        errors[0]
    );
    let handle = client.rocket().state::<CorsHandle>().unwrap().clone();
    assert_eq!(handle.stats().origin_check_failures, (PER_WINDOW + 10) as u64, "all counted");
}
