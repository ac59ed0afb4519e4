//! Arbitrary TOML, read the way the crate reads it (a bare `cors` table and a Rocket.toml
//! with profiles), extracted into `Settings` and compiled: errors are fine, panics are not,
//! and a compiled policy answers a preflight with clean header values.
#![no_main]

use cors_fairing::Settings;
use cors_fairing::policy::{CorsRequest, Policies, RequestHeaders};
use figment::Figment;
use figment::providers::{Format, Toml};
use libfuzzer_sys::fuzz_target;

fn exercise(figment: Figment) {
    let settings: Settings = match figment.extract() {
        Ok(settings) => settings,
        Err(err) => {
            let _ = err.to_string();
            return;
        }
    };
    match Policies::compile(&settings) {
        Ok(policy) => {
            for warning in policy.warnings() {
                let _ = warning.to_string();
            }
            let request = CorsRequest {
                request_headers: RequestHeaders::from("x-a, content-type"),
                ..CorsRequest::preflight("/api", "https://app.example.com", "PUT")
            };
            for (name, value) in policy.decide(&request).lines().iter() {
                assert!(!value.contains(['\r', '\n', '\0']), "{name}: {value:?}");
            }
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    exercise(Figment::from(Toml::string(text)));
    exercise(Figment::from(Toml::string(text)).focus("cors"));
    exercise(Figment::from(Toml::string(text).nested()).select("debug").focus("cors"));
});
