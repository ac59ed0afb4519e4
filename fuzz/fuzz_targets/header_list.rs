//! An arbitrary `Access-Control-Request-Headers` value: bounded work, and a list is accepted
//! (and, under `allow_all_headers`, reflected) only when every element is a header name.
#![no_main]

use std::sync::OnceLock;

use cors_fairing::policy::MAX_REQUEST_HEADER_NAMES;
use cors_fairing::fuzzing::check_request_headers;
use cors_fairing::Settings;
use cors_fairing::policy::{CorsRequest, Policies, RequestHeaders};
use libfuzzer_sys::fuzz_target;

const APP: &str = "https://app.example.com";

fn reflecting() -> &'static Policies {
    static POLICY: OnceLock<Policies> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policies::compile(&Settings::default().allow_origin([APP]).allow_all_headers(true))
        .expect("a valid policy")
    })
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let Ok(list) = std::str::from_utf8(data) else { return };
    let mut asked = 0;
    let verdict = check_request_headers(list, |name| {
        asked += 1;
        assert!(is_token(name), "{name:?} handed out as a name");
        true
    });
    assert!(asked <= MAX_REQUEST_HEADER_NAMES);
    let elements_ok =
        list.split(',').map(|e| e.trim_matches([' ', '\t'])).all(|e| e.is_empty() || is_token(e));
    if verdict.is_ok() {
        assert!(elements_ok, "{list:?} accepted");
    }

    let request = CorsRequest {
        request_headers: RequestHeaders::from(list),
        ..CorsRequest::preflight("/", APP, "GET")
    };
    let decision = reflecting().decide(&request);
    if let Some(reflected) = decision.lines().get("Access-Control-Allow-Headers") {
        assert_eq!(reflected, list);
        assert!(elements_ok, "{list:?} reflected");
        assert!(!reflected.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0), "{list:?}");
    }
});
