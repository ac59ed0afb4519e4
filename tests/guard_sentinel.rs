//! A route that takes `AllowedOrigin` or `OriginRequired` without the fairing attached stops
//! the launch, saying what to attach, instead of answering 500 to every request.

mod common;

use cors_fairing::{AllowedOrigin, CorsFairing, OriginRequired, Settings};
use log::Level;
use rocket::error::ErrorKind;
use rocket::local::blocking::Client;

#[rocket::post("/form")]
fn form(_origin: OriginRequired) -> &'static str {
    "posted"
}

#[rocket::get("/ws")]
fn socket(origin: Result<AllowedOrigin, cors_fairing::OriginRefused>) -> &'static str {
    if origin.is_ok() { "open" } else { "refused" }
}

fn rocket() -> rocket::Rocket<rocket::Build> {
    rocket::custom(rocket::Config::debug_default()).mount("/", rocket::routes![form, socket])
}

fn errors() -> Vec<String> {
    common::log_capture::take(|level, from_the_crate| level == Level::Error && from_the_crate)
}

#[test]
fn a_guard_without_the_fairing_stops_the_launch_and_names_what_to_attach() {
    common::log_capture::install();
    let Err(err) = Client::tracked(rocket()) else { panic!("the launch goes on") };
    let ErrorKind::SentinelAborts(aborted) = err.kind() else {
        panic!("not a sentinel abort: {err:?}");
    };
    let names: Vec<&str> = aborted.iter().map(|sentry| sentry.type_name).collect();
    assert!(names.iter().any(|n| n.contains("AllowedOrigin<false>")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with("::AllowedOrigin")), "{names:?}");
    let logged = errors();
    assert_eq!(logged.len(), 2, "{logged:#?}");
    for (line, guard) in logged.iter().zip(["OriginRequired", "AllowedOrigin"]) {
        assert!(line.contains(&format!("a route takes `{guard}`")), "{line}");
        assert!(line.contains(".attach(cors_fairing::CorsFairing::figment())"), "{line}");
    }
}

#[test]
fn with_the_fairing_the_guards_launch() {
    common::log_capture::install();
    let fairing =
        CorsFairing::from_settings(Settings::default().allow_origin(["https://a.example"]));
    let client = Client::tracked(rocket().attach(fairing)).expect("the launch goes on");
    assert_eq!(client.get("/ws").dispatch().into_string().as_deref(), Some("open"));
    assert!(errors().is_empty());
}
