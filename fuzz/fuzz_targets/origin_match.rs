//! An arbitrary string as a configured origin, a configured regex and a request `Origin`:
//! nothing panics, normalisation is idempotent, and an allowed origin is reflected only
//! when it is one of the configured ones (or matches a configured pattern) and is clean.
#![no_main]

use std::sync::OnceLock;

use cors_fairing::fuzzing::{is_well_formed_origin, normalise_origin};
use cors_fairing::Settings;
use cors_fairing::policy::{CorsRequest, Field, Policies};
use libfuzzer_sys::fuzz_target;

const APP: &str = "https://app.example.com";

/// One policy with an exact origin, a wildcard, a regex and `null`.
fn policy() -> &'static Policies {
    static POLICY: OnceLock<Policies> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policies::compile(&Settings::default().allow_origin([APP, "https://*.example.org", "null"]).allow_origin_regex([r"https://[a-z]+\.example\.net(:[0-9]+)?"]))
        .expect("a valid policy")
    })
}

fn check_config(text: &str) {
    if let Ok(normal) = normalise_origin(text) {
        assert_eq!(normalise_origin(&normal).as_ref(), Ok(&normal), "{text:?}");
        assert!(!normal.bytes().any(|b| b.is_ascii_uppercase() || b.is_ascii_control()));
    }
    let as_origin = Settings::default().allow_origin([text]);
    let compiled = Policies::compile(&as_origin);
    assert_eq!(compiled.is_ok(), normalise_origin(text).is_ok(), "{text:?}");
}

/// A configured regex: compiled (or refused), then asked about a few origins; whatever it
/// is, an origin that is not well-formed never gets through it.
fn check_regex(pattern: &str) {
    let as_regex = Settings::default().allow_origin_regex([pattern]);
    let Ok(policy) = Policies::compile(&as_regex) else { return };
    for origin in ["https://a.example.com", "https://a.example.com\n", "HTTPS://A", "null", ""] {
        let request = CorsRequest { origin: Field::One(origin), ..CorsRequest::get("/") };
        if policy.decide(&request).is_allowed() {
            assert!(is_well_formed_origin(origin), "{pattern:?} let {origin:?} in");
        }
    }
}

fn check_request(origin: &str) {
    let decision =
        policy().decide(&CorsRequest { origin: Field::One(origin), ..CorsRequest::get("/") });
    let Some(allowed) = decision.lines().get("Access-Control-Allow-Origin") else {
        return;
    };
    assert_eq!(allowed, origin);
    let by_pattern = is_well_formed_origin(origin)
        && ((origin.starts_with("https://") && origin.ends_with(".example.org"))
            || (origin.starts_with("https://") && origin.contains(".example.net")));
    assert!(origin == APP || origin == "null" || by_pattern, "{origin:?} allowed");
    assert!(!origin.bytes().any(|b| b.is_ascii_control() || b >= 0x7f), "{origin:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Regex compilation costs a thousand times an origin check: only inputs that ask for it
    // (a leading `~`), and short ones, so the rest of the run explores origins quickly.
    match text.strip_prefix('~') {
        Some(pattern) if pattern.len() <= 64 => check_regex(pattern),
        Some(_) => {}
        None => {
            check_config(text);
            check_request(text);
        }
    }
});
