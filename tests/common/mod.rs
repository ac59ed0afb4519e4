//! Shared by the integration tests: one small application and a few helpers.
#![allow(dead_code)]

pub mod log_capture;

use cors_fairing::{CorsFairing, Settings};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{Build, Rocket, delete, get, options, put, routes};

pub const APP: &str = "https://app.example.com";
pub const EVIL: &str = "https://evil.example.net";

#[get("/")]
fn index() -> &'static str {
    "index"
}

#[get("/api/items")]
fn items() -> &'static str {
    "[]"
}

#[put("/api/items", data = "<body>")]
fn put_items(body: &str) -> String {
    body.to_string()
}

#[delete("/api/items/<id>")]
fn delete_item(id: u32) -> String {
    id.to_string()
}

#[get("/api/fail")]
fn fail() -> Status {
    Status::InternalServerError
}

/// An application `OPTIONS` route: it must still win over the catch-all.
#[options("/api/custom")]
fn custom_options() -> &'static str {
    "custom options"
}

/// A route that sets its own CORS header: the fairing must leave it alone.
#[get("/api/own")]
fn own_cors() -> (rocket::http::ContentType, OwnCors) {
    (rocket::http::ContentType::Plain, OwnCors)
}

pub struct OwnCors;

impl<'r> rocket::response::Responder<'r, 'static> for OwnCors {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .raw_header("Access-Control-Allow-Origin", "https://own.example")
            .ok()
    }
}

/// The routes of the test application, for tests that build their own Rocket (e.g. with
/// `rocket::build()` to read `Rocket.toml`).
pub fn routes() -> Vec<rocket::Route> {
    routes![index, items, put_items, delete_item, fail, custom_options, own_cors]
}

/// The test application with `fairing` attached.
pub fn app(fairing: CorsFairing) -> Rocket<Build> {
    rocket::custom(rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    })
    .mount("/", routes())
    .attach(fairing)
}

/// A client for the test application with these settings.
pub async fn client(settings: Settings) -> Client {
    Client::tracked(app(CorsFairing::from_settings(settings))).await.expect("valid rocket")
}

/// Settings allowing [`APP`], edited by `edit`.
pub fn settings(edit: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::default().allow_origin([APP]);
    edit(&mut settings);
    settings
}

/// Every value of the named response header.
pub fn values(response: &LocalResponse<'_>, name: &str) -> Vec<String> {
    response.headers().get(name).map(str::to_string).collect()
}

/// The one value of the named response header, if present.
pub fn value(response: &LocalResponse<'_>, name: &str) -> Option<String> {
    let all = values(response, name);
    assert!(all.len() <= 1, "{name} appears {} times: {all:?}", all.len());
    all.into_iter().next()
}

/// The names of all `Access-Control-*` headers of a response.
pub fn cors_header_names(response: &LocalResponse<'_>) -> Vec<String> {
    response
        .headers()
        .iter()
        .filter(|h| h.name().as_str().to_ascii_lowercase().starts_with("access-control-"))
        .map(|h| h.name().to_string())
        .collect()
}

/// A preflight of `path` from `from` asking for `method`, with no request headers.
pub async fn preflight<'c>(
    client: &'c Client,
    path: &'c str,
    from: &str,
    method: &str,
) -> LocalResponse<'c> {
    preflight_with(client, path, from, method, None).await
}

/// A preflight of `path` from `from` asking for `method` and, if given, `headers`.
pub async fn preflight_with<'c>(
    client: &'c Client,
    path: &'c str,
    from: &str,
    method: &str,
    headers: Option<&str>,
) -> LocalResponse<'c> {
    let mut request = client.options(path).header(origin(from)).header(request_method(method));
    if let Some(headers) = headers {
        request = request.header(request_headers(headers));
    }
    request.dispatch().await
}

pub fn origin(value: &str) -> Header<'static> {
    Header::new("Origin", value.to_string())
}

pub fn request_method(value: &str) -> Header<'static> {
    Header::new("Access-Control-Request-Method", value.to_string())
}

pub fn request_headers(value: &str) -> Header<'static> {
    Header::new("Access-Control-Request-Headers", value.to_string())
}

/// For tests that read `Rocket.toml` and the environment: blocking clients, to be used
/// inside `figment::Jail`, whose closure is not async.
pub mod blocking {
    use cors_fairing::{CorsFairing, CorsHandle, Settings};
    use rocket::local::blocking::{Client, LocalResponse};
    use rocket::{Build, Rocket};

    /// Rocket as `rocket::build()` makes it (reading `Rocket.toml`, `ROCKET_CONFIG`,
    /// `ROCKET_PROFILE`) with the test routes and `fairing`.
    pub fn app(fairing: CorsFairing) -> Rocket<Build> {
        rocket::build().mount("/", super::routes()).attach(fairing)
    }

    /// A launched client for [`app`] with `CorsFairing::figment()`.
    pub fn client() -> Client {
        Client::tracked(app(CorsFairing::figment())).expect("valid rocket")
    }

    /// The fairing's handle, managed by every launched client.
    pub fn handle(client: &Client) -> &CorsHandle {
        client.rocket().state::<CorsHandle>().expect("managed")
    }

    /// The settings in force in `client`.
    pub fn settings(client: &Client) -> Settings {
        client
            .rocket()
            .state::<CorsHandle>()
            .expect("the fairing manages a CorsHandle")
            .policy()
            .settings()
            .clone()
    }

    /// The one value of the named response header, if present.
    pub fn value(response: &LocalResponse<'_>, name: &str) -> Option<String> {
        let all: Vec<&str> = response.headers().get(name).collect();
        assert!(all.len() <= 1, "{name} appears {} times: {all:?}", all.len());
        all.first().map(|v| v.to_string())
    }

    /// The preflight headers that the "every key" tests of env and `Rocket.toml` expect:
    /// origin, methods `GET, PUT`, headers `X-One, X-Two`, credentials, max age 600.
    pub const EVERY_KEY_PREFLIGHT: [(&str, &str); 5] = [
        ("Access-Control-Allow-Origin", super::APP),
        ("Access-Control-Allow-Methods", "GET, PUT"),
        ("Access-Control-Allow-Headers", "X-One, X-Two"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", "600"),
    ];

    /// Sends a preflight from [`super::APP`] for `PUT` with `headers` and asserts each
    /// `(name, value)` of `expected` in the answer.
    pub fn assert_put_preflight(client: &Client, headers: &str, expected: &[(&str, &str)]) {
        let response = client
            .options("/api/items")
            .header(super::origin(super::APP))
            .header(super::request_method("PUT"))
            .header(super::request_headers(headers))
            .dispatch();
        for (name, want) in expected {
            assert_eq!(value(&response, name).as_deref(), Some(*want), "{name}");
        }
    }

    /// Asserts that `allow_credentials` (written as `written`) was read as `expected` and
    /// that a GET from [`super::APP`] carries the credentials header exactly then.
    pub fn assert_credentials(client: &Client, written: &str, expected: bool) {
        assert_eq!(settings(client).allow_credentials, Some(expected), "{written}");
        let response = client.get("/").header(super::origin(super::APP)).dispatch();
        let header = value(&response, "Access-Control-Allow-Credentials");
        assert_eq!(header.as_deref(), expected.then_some("true"), "{written}");
    }

    /// `Access-Control-Allow-Origin` of a GET / from `origin`.
    pub fn acao_for(client: &Client, origin: &str) -> Option<String> {
        let response = client.get("/").header(super::origin(origin)).dispatch();
        value(&response, "Access-Control-Allow-Origin")
    }
}
