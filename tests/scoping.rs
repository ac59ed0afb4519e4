//! The settings beyond the original middleware's eight: `paths`, `allow_private_network`,
//! `preflight_status` and `reject_disallowed`, through a real Rocket.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{
    APP, EVIL, cors_header_names, origin, preflight, preflight_with, request_method, value,
};
use cors_fairing::{CorsFairing, Settings};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{State, catch, catchers, get, options, routes};

/// Counts every application handler and catcher that runs.
#[derive(Default)]
struct AppCalls(AtomicUsize);

impl AppCalls {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[get("/public/<name>")]
fn public(name: &str, calls: &State<AppCalls>) -> String {
    calls.0.fetch_add(1, Ordering::SeqCst);
    name.to_string()
}

#[get("/health")]
fn health(calls: &State<AppCalls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "ok"
}

#[get("/internal/report")]
fn internal(calls: &State<AppCalls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "report"
}

/// An application `OPTIONS` route on a path outside `paths`.
#[options("/internal/report")]
fn internal_options(calls: &State<AppCalls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "internal options"
}

#[catch(default)]
fn any_error(req: &rocket::Request<'_>) -> &'static str {
    if let Some(calls) = req.rocket().state::<AppCalls>() {
        calls.0.fetch_add(1, Ordering::SeqCst);
    }
    "application catcher"
}

async fn scoped_client(edit: impl FnOnce(&mut Settings)) -> Client {
    let rocket = common::app(CorsFairing::from_settings(common::settings(edit)))
        .mount("/", routes![public, health, internal, internal_options])
        .register("/", catchers![any_error])
        .manage(AppCalls::default());
    Client::tracked(rocket).await.expect("valid rocket")
}

fn calls(client: &Client) -> usize {
    client.rocket().state::<AppCalls>().expect("managed").count()
}

fn api_public_health(settings: &mut Settings) {
    settings.paths = vec!["/api/**".into(), "/public/*".into(), "/health".into()];
}

fn private_network() -> Header<'static> {
    Header::new("Access-Control-Request-Private-Network", "true")
}

/// A Private Network Access preflight of `/api/items` from `from` for `GET`.
async fn private_network_preflight<'c>(client: &'c Client, from: &str) -> LocalResponse<'c> {
    client
        .options("/api/items")
        .header(origin(from))
        .header(request_method("GET"))
        .header(private_network())
        .dispatch()
        .await
}

#[rocket::async_test]
async fn paths_in_scope_get_cors_headers() {
    let client = scoped_client(api_public_health).await;
    for path in ["/api/items", "/public/a", "/health"] {
        let response = client.get(path).header(origin(APP)).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP), "{path}");
        assert_eq!(value(&response, "Vary").as_deref(), Some("Origin"), "{path}");
    }
}

#[rocket::async_test]
async fn subtree_pattern_covers_the_prefix_itself_and_everything_below() {
    let client = scoped_client(api_public_health).await;
    // /api itself and deep paths are in scope; a 404 from a catcher still gets headers.
    for path in ["/api", "/api/items/1/deep"] {
        let response = client.get(path).header(origin(APP)).dispatch().await;
        assert_eq!(response.status(), Status::NotFound, "{path}");
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP), "{path}");
    }
    // A path that merely starts with the same letters is not below /api.
    let response = client.get("/apix").header(origin(APP)).dispatch().await;
    assert!(cors_header_names(&response).is_empty());
}

/// Rocket routes `/%61pi/items`, `//api//items` and `/api/items/` to `/api/items` (it
/// matches the decoded, non-empty segments): `paths` must judge them the same way.
#[rocket::async_test]
async fn paths_match_the_way_rocket_routes_decoded_and_normalised() {
    let client = scoped_client(|s| s.paths = vec!["/api/items".into(), "/public/*".into()]).await;
    for path in ["/api/items", "/%61pi/items", "//api//items", "/api/items/", "/api/%69tems"] {
        let response = client.get(path).header(origin(APP)).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{path} reaches the route");
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP), "{path}");
        let response = preflight(&client, path, APP, "PUT").await;
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP), "{path}");
    }
    for path in ["//public//a", "/public/a/", "/%70ublic/a"] {
        let response = client.get(path).header(origin(APP)).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{path} reaches the route");
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP), "{path}");
    }
    // An encoded `/` stays inside its segment: Rocket does not route it to /api/items.
    let response = client.get("/api%2Fitems").header(origin(APP)).dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    assert!(cors_header_names(&response).is_empty(), "{:?}", response.headers());
}

#[rocket::async_test]
async fn paths_out_of_scope_get_no_cors_headers_at_all() {
    let client = scoped_client(api_public_health).await;
    // /public/* is exactly one segment; /health is exact; / and /internal are not listed.
    for path in ["/", "/internal/report", "/public", "/public/a/b", "/health/x"] {
        let response = client.get(path).header(origin(APP)).dispatch().await;
        assert!(cors_header_names(&response).is_empty(), "{path}: {:?}", response.headers());
        assert_eq!(value(&response, "Vary"), None, "{path}");
    }
    // Out of scope means not a CORS concern: refused origins get nothing either.
    let response = client.get("/internal/report").header(origin(EVIL)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(value(&response, "Vary"), None);
}

#[rocket::async_test]
async fn out_of_scope_options_route_normally() {
    let client = scoped_client(api_public_health).await;
    // The application's own OPTIONS route answers, untouched by CORS.
    let response = preflight(&client, "/internal/report", APP, "GET").await;
    assert_eq!(response.status(), Status::Ok);
    assert!(cors_header_names(&response).is_empty());
    assert_eq!(response.into_string().await.as_deref(), Some("internal options"));

    // Without an application route the preflight route forwards: the application's 404.
    let before = calls(&client);
    let response = preflight(&client, "/", APP, "GET").await;
    assert_eq!(response.status(), Status::NotFound);
    assert!(cors_header_names(&response).is_empty());
    assert_eq!(response.into_string().await.as_deref(), Some("application catcher"));
    assert_eq!(calls(&client), before + 1);
}

#[rocket::async_test]
async fn preflight_in_scope_is_answered_out_of_scope_is_not() {
    let client = scoped_client(api_public_health).await;
    let preflight =
        |path: &'static str| client.options(path).header(origin(APP)).header(request_method("PUT"));
    let answered = preflight("/public/a").dispatch().await;
    assert_eq!(answered.status(), Status::NoContent);
    assert_eq!(value(&answered, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    let forwarded = preflight("/public/a/b").dispatch().await;
    assert_eq!(forwarded.status(), Status::NotFound);
    assert!(cors_header_names(&forwarded).is_empty());
}

#[rocket::async_test]
async fn private_network_is_granted_only_when_configured_asked_and_allowed() {
    let on = scoped_client(|s| s.allow_private_network = true).await;
    let granted = private_network_preflight(&on, APP).await;
    assert_eq!(granted.status(), Status::NoContent);
    assert_eq!(value(&granted, "Access-Control-Allow-Private-Network").as_deref(), Some("true"));

    let not_asked = preflight(&on, "/api/items", APP, "GET").await;
    assert_eq!(value(&not_asked, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&not_asked, "Access-Control-Allow-Private-Network"), None);

    let refused_origin = private_network_preflight(&on, EVIL).await;
    assert!(cors_header_names(&refused_origin).is_empty());

    // Only preflights carry the grant; an actual request with the header gets none.
    let actual =
        on.get("/api/items").header(origin(APP)).header(private_network()).dispatch().await;
    assert_eq!(value(&actual, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&actual, "Access-Control-Allow-Private-Network"), None);

    let off = scoped_client(|_| {}).await;
    let not_configured = private_network_preflight(&off, APP).await;
    assert_eq!(value(&not_configured, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&not_configured, "Access-Control-Allow-Private-Network"), None);
}

#[rocket::async_test]
async fn preflight_status_is_204_by_default_or_200_when_configured() {
    for (configured, expected) in [(None, Status::NoContent), (Some(200), Status::Ok)] {
        let client = scoped_client(|s| {
            if let Some(status) = configured {
                s.preflight_status = status;
            }
        })
        .await;
        let response = preflight(&client, "/api/items", APP, "PUT").await;
        assert_eq!(response.status(), expected);
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
        assert_eq!(response.into_string().await.unwrap_or_default(), "");
    }
}

#[rocket::async_test]
async fn other_preflight_statuses_stop_the_launch() {
    let settings = common::settings(|s| s.preflight_status = 201);
    let result = Client::tracked(common::app(CorsFairing::from_settings(settings))).await;
    match result {
        Ok(_) => panic!("preflight_status = 201 must not launch"),
        // Inspecting the kind marks Rocket's error as handled (it panics on drop otherwise).
        Err(err) => assert!(
            matches!(err.kind(), rocket::error::ErrorKind::FailedFairings(f) if f[0].name == "CORS"),
            "{err}"
        ),
    }
}

/// Each refused preflight and the one-line reason it gets with `reject_disallowed`.
fn refused_preflights() -> Vec<(&'static str, &'static str, Option<&'static str>, &'static str)> {
    vec![
        (EVIL, "GET", None, "origin \"https://evil.example.net\" is not allowed"),
        (APP, "PATCH", None, "method \"PATCH\" is not in allow_methods"),
        (APP, "PUT", Some("x-foo"), "header \"x-foo\" is not in allow_headers"),
    ]
}

fn strict_methods(settings: &mut Settings) {
    settings.allow_methods = Some(vec!["GET".into(), "PUT".into()]);
}

#[rocket::async_test]
async fn reject_disallowed_answers_403_with_a_one_line_reason_and_no_application_code() {
    let client = scoped_client(|s| {
        strict_methods(s);
        s.reject_disallowed = true;
    })
    .await;
    for (from, method, headers, reason) in refused_preflights() {
        let response = preflight_with(&client, "/api/items", from, method, headers).await;
        assert_eq!(response.status(), Status::Forbidden, "{reason}");
        assert!(cors_header_names(&response).is_empty(), "{reason}");
        assert_eq!(response.content_type(), Some(ContentType::Plain), "{reason}");
        let body = response.into_string().await.expect("a body");
        assert_eq!(body.lines().count(), 1, "one line: {body:?}");
        assert!(body.contains(reason), "{body:?} should say {reason:?}");
    }
    assert_eq!(calls(&client), 0, "no route handler or catcher of the application ran");

    // An allowed preflight is still answered normally.
    let allowed = preflight(&client, "/api/items", APP, "PUT").await;
    assert_eq!(allowed.status(), Status::NoContent);
    assert_eq!(value(&allowed, "Access-Control-Allow-Origin").as_deref(), Some(APP));
}

#[rocket::async_test]
async fn without_reject_disallowed_refused_preflights_get_204_without_cors_headers() {
    let client = scoped_client(strict_methods).await;
    for (from, method, headers, reason) in refused_preflights() {
        let response = preflight_with(&client, "/api/items", from, method, headers).await;
        assert_eq!(response.status(), Status::NoContent, "{reason}");
        assert!(cors_header_names(&response).is_empty(), "{reason}");
        assert_eq!(
            value(&response, "Vary").as_deref(),
            Some("Origin, Access-Control-Request-Method"),
            "{reason}"
        );
        assert_eq!(response.into_string().await.unwrap_or_default(), "", "{reason}");
    }
    assert_eq!(calls(&client), 0);
}

#[rocket::async_test]
async fn reject_disallowed_leaves_actual_requests_to_the_application() {
    let client = scoped_client(|s| s.reject_disallowed = true).await;
    let response = client.get("/public/a").header(origin(EVIL)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert!(cors_header_names(&response).is_empty());
    assert_eq!(calls(&client), 1);
}

#[rocket::async_test]
async fn reject_disallowed_does_not_apply_out_of_scope() {
    let client = scoped_client(|s| {
        api_public_health(s);
        s.reject_disallowed = true;
    })
    .await;
    let response = preflight(&client, "/internal/report", EVIL, "GET").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("internal options"));
}
