//! The CORS protocol as a browser sees it (DESIGN.md §3), and the original middleware's
//! output under `always_send_headers` (§2), through `rocket::local`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{
    APP, EVIL, client, cors_header_names, origin, preflight, preflight_with, request_headers,
    request_method, settings, value, values,
};
use cors_fairing::{CorsFairing, Settings};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, State, get, put, routes};

const DEFAULT_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";

/// How often the counting routes ran: proves whether a route ran or not.
#[derive(Default)]
struct Runs(AtomicUsize);

#[put("/count")]
fn count(runs: &State<Runs>) -> &'static str {
    runs.0.fetch_add(1, Ordering::SeqCst);
    "counted"
}

#[get("/count")]
fn count_get(runs: &State<Runs>) -> &'static str {
    runs.0.fetch_add(1, Ordering::SeqCst);
    "counted"
}

/// An application route with its own `Vary`, which must survive.
#[get("/vary")]
fn own_vary() -> VaryAcceptEncoding {
    VaryAcceptEncoding
}

struct VaryAcceptEncoding;

impl<'r> rocket::response::Responder<'r, 'static> for VaryAcceptEncoding {
    fn respond_to(self, _: &'r Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build().raw_header("Vary", "Accept-Encoding").ok()
    }
}

/// A guard that always fails: its error status goes through a catcher.
struct Denied;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Denied {
    type Error = ();
    async fn from_request(_: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Error((Status::Unauthorized, ()))
    }
}

#[get("/guarded")]
fn guarded(_denied: Denied) -> &'static str {
    "never"
}

/// The common application plus the counting, `Vary` and guarded routes.
async fn full_client(settings: Settings) -> Client {
    let rocket = common::app(CorsFairing::from_settings(settings))
        .mount("/", routes![count, count_get, own_vary, guarded])
        .manage(Runs::default());
    Client::tracked(rocket).await.expect("valid rocket")
}

fn runs(client: &Client) -> usize {
    client.rocket().state::<Runs>().expect("managed").0.load(Ordering::SeqCst)
}

fn vary(response: &LocalResponse<'_>) -> Vec<String> {
    values(response, "Vary")
}

async fn get_from<'c>(client: &'c Client, path: &'c str, from: &str) -> LocalResponse<'c> {
    client.get(path).header(origin(from)).dispatch().await
}

// --- preflights -------------------------------------------------------------------------

#[rocket::async_test]
async fn preflight_is_answered_by_the_catch_all_with_204_and_an_empty_body() {
    let client = client(settings(|s| {
        s.max_age = Some(600);
        s.expose_headers = vec!["X-Request-Id".into()];
    }))
    .await;
    let response = client
        .options("/api/items")
        .header(origin(APP))
        .header(request_method("PUT"))
        .header(request_headers("content-type"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&response, "Access-Control-Allow-Methods").as_deref(), Some(DEFAULT_METHODS));
    assert_eq!(
        value(&response, "Access-Control-Allow-Headers").as_deref(),
        Some("Accept, Authorization, Content-Type, X-Requested-With")
    );
    assert_eq!(value(&response, "Access-Control-Max-Age").as_deref(), Some("600"));
    // Expose-Headers concerns actual responses only.
    assert_eq!(value(&response, "Access-Control-Expose-Headers"), None);
    assert_eq!(value(&response, "Access-Control-Allow-Credentials"), None);
    assert_eq!(vary(&response), ["Origin, Access-Control-Request-Method"]);
    assert_eq!(response.into_string().await.unwrap_or_default(), "");
}

#[rocket::async_test]
async fn preflight_to_a_path_without_any_route_is_answered_too() {
    let client = client(settings(|_| {})).await;
    let response = preflight(&client, "/no/such/path", APP, "GET").await;
    assert_eq!(response.status(), Status::NoContent);
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
}

#[rocket::async_test]
async fn preflight_status_200_when_configured() {
    let client = client(settings(|s| s.preflight_status = 200)).await;
    let response = preflight(&client, "/api/items", APP, "PUT").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
}

#[rocket::async_test]
async fn application_options_route_wins_and_still_gets_headers() {
    let client = client(settings(|_| {})).await;
    let response = preflight(&client, "/api/custom", APP, "PUT").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&response, "Access-Control-Allow-Methods").as_deref(), Some(DEFAULT_METHODS));
    assert_eq!(response.into_string().await.as_deref(), Some("custom options"));
}

#[rocket::async_test]
async fn options_without_request_method_routes_normally() {
    let client = client(settings(|_| {})).await;
    let response = client.options("/api/items").header(origin(APP)).dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    // An ordinary cross-origin response: ACAO, but none of the preflight headers.
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&response, "Access-Control-Allow-Methods"), None);

    let response = client.options("/api/custom").header(origin(APP)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(value(&response, "Access-Control-Allow-Methods"), None);
    assert_eq!(response.into_string().await.as_deref(), Some("custom options"));
}

#[rocket::async_test]
async fn options_with_request_method_but_no_origin_is_not_a_preflight() {
    let client = client(settings(|_| {})).await;
    let response = client.options("/api/items").header(request_method("PUT")).dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
}

#[rocket::async_test]
async fn refused_preflights_get_no_cors_headers_and_never_run_the_route() {
    let client = full_client(settings(|s| {
        s.allow_methods = Some(vec!["GET".into(), "PUT".into()]);
        s.allow_headers = Some(vec!["X-Allowed".into()]);
    }))
    .await;
    let refused = [
        (EVIL, "PUT", None),
        (APP, "DELETE", None),
        (APP, "put", None),
        (APP, "PUT", Some("X-Allowed, X-Other")),
        (APP, "PUT", Some("not a header list")),
    ];
    for (from, method, headers) in refused {
        let response = preflight_with(&client, "/count", from, method, headers).await;
        let case = format!("{from} {method} {headers:?}");
        assert_eq!(response.status(), Status::NoContent, "{case}");
        assert!(
            cors_header_names(&response).is_empty(),
            "{case}: {:?}",
            cors_header_names(&response)
        );
        assert_eq!(vary(&response), ["Origin, Access-Control-Request-Method"], "{case}");
        assert_eq!(response.into_string().await.unwrap_or_default(), "", "{case}");
    }
    assert_eq!(runs(&client), 0, "a preflight ran the route");

    // The allowed variant passes, and the counter does count real requests.
    let response = client
        .options("/count")
        .header(origin(APP))
        .header(request_method("PUT"))
        .header(request_headers("x-allowed"))
        .dispatch()
        .await;
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&response, "Access-Control-Allow-Headers").as_deref(), Some("X-Allowed"));
    client.put("/count").header(origin(APP)).dispatch().await;
    assert_eq!(runs(&client), 1);
}

#[rocket::async_test]
async fn reject_disallowed_answers_refused_preflights_with_403() {
    let client = client(settings(|s| s.reject_disallowed = true)).await;
    let response = preflight(&client, "/api/items", EVIL, "PUT").await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(cors_header_names(&response).is_empty());
    let body = response.into_string().await.unwrap_or_default();
    assert!(body.contains("not allowed") && body.lines().count() == 1, "{body:?}");

    let response = preflight(&client, "/api/items", APP, "PUT").await;
    assert_eq!(response.status(), Status::NoContent);
}

#[rocket::async_test]
async fn max_age_methods_and_headers_only_on_preflights() {
    let client = client(settings(|s| s.max_age = Some(60))).await;
    let response = client
        .get("/api/items")
        .header(origin(APP))
        .header(request_method("GET"))
        .header(request_headers("accept"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(cors_header_names(&response), ["Access-Control-Allow-Origin"]);
}

#[rocket::async_test]
async fn allow_all_headers_reflects_the_requested_headers() {
    let client = client(settings(|s| s.allow_all_headers = true)).await;
    let response = client
        .options("/api/items")
        .header(origin(APP))
        .header(request_method("PUT"))
        .header(request_headers("x-custom-one, x-custom-two"))
        .dispatch()
        .await;
    assert_eq!(
        value(&response, "Access-Control-Allow-Headers").as_deref(),
        Some("x-custom-one, x-custom-two")
    );
    assert_eq!(
        vary(&response),
        ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
    );
    // Reflected only when it is a list of header names.
    let response = client
        .options("/api/items")
        .header(origin(APP))
        .header(request_method("PUT"))
        .header(request_headers("x-ok, bad header\r\n"))
        .dispatch()
        .await;
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
}

// --- actual requests ----------------------------------------------------------------------

#[rocket::async_test]
async fn no_origin_means_no_cors_headers_but_vary_origin() {
    let client = client(settings(|s| {
        s.allow_credentials = Some(true);
        s.expose_headers = vec!["X-Request-Id".into()];
    }))
    .await;
    let response = client.get("/api/items").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
    assert_eq!(vary(&response), ["Origin"]);
}

#[rocket::async_test]
async fn allowed_origin_gets_acao_exactly_once_and_expose_headers() {
    let client = client(settings(|s| {
        s.expose_headers = vec!["X-Request-Id".into(), "X-Total".into()];
        s.max_age = Some(60);
    }))
    .await;
    let response = get_from(&client, "/api/items", APP).await;
    assert_eq!(values(&response, "Access-Control-Allow-Origin"), [APP]);
    assert_eq!(
        value(&response, "Access-Control-Expose-Headers").as_deref(),
        Some("X-Request-Id, X-Total")
    );
    assert_eq!(value(&response, "Access-Control-Allow-Credentials"), None);
    for preflight_only in
        ["Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"]
    {
        assert_eq!(value(&response, preflight_only), None, "{preflight_only}");
    }
    assert_eq!(vary(&response), ["Origin"]);
    assert_eq!(response.into_string().await.as_deref(), Some("[]"));
}

#[rocket::async_test]
async fn star_is_sent_only_for_star_without_credentials() {
    let client = client(Settings::default().allow_origin(["*"])).await;
    let response = get_from(&client, "/api/items", EVIL).await;
    assert_eq!(values(&response, "Access-Control-Allow-Origin"), ["*"]);
    assert_eq!(value(&response, "Access-Control-Allow-Credentials"), None);

    // allow_all_origin with credentials (only with the explicit opt-in) reflects: a browser
    // refuses `*` with credentials.
    let reflect = Settings::default().allow_all_origin(true).allow_credentials(true);
    let client = common::client(reflect.dangerously_allow_all_origin_with_credentials(true)).await;
    let response = get_from(&client, "/api/items", EVIL).await;
    assert_eq!(values(&response, "Access-Control-Allow-Origin"), [EVIL]);
    assert_eq!(value(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
}

#[rocket::async_test]
async fn credentials_only_for_allowed_origins() {
    let client = client(settings(|s| s.allow_credentials = Some(true))).await;
    let response = get_from(&client, "/api/items", APP).await;
    assert_eq!(value(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
    let response = preflight(&client, "/api/items", APP, "PUT").await;
    assert_eq!(value(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));

    let response = get_from(&client, "/api/items", EVIL).await;
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
    let response = preflight(&client, "/api/items", EVIL, "PUT").await;
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
}

#[rocket::async_test]
async fn refused_actual_request_still_runs_the_route_without_cors_headers() {
    let client = full_client(settings(|_| {})).await;
    let response = get_from(&client, "/count", EVIL).await;
    assert_eq!(response.status(), Status::Ok);
    assert!(cors_header_names(&response).is_empty());
    assert_eq!(vary(&response), ["Origin"]);
    assert_eq!(response.into_string().await.as_deref(), Some("counted"));
    assert_eq!(runs(&client), 1);
}

#[rocket::async_test]
async fn vary_is_appended_to_the_applications_own() {
    let client = full_client(settings(|_| {})).await;
    for from in [Some(APP), Some(EVIL), None] {
        let mut request = client.get("/vary");
        if let Some(from) = from {
            request = request.header(origin(from));
        }
        let response = request.dispatch().await;
        assert_eq!(vary(&response), ["Accept-Encoding", "Origin"], "{from:?}");
    }
}

#[rocket::async_test]
async fn catcher_and_guard_failure_output_gets_headers() {
    let client = full_client(settings(|s| s.expose_headers = vec!["X-Request-Id".into()])).await;
    for (path, status) in [
        ("/no/such/path", Status::NotFound),
        ("/api/fail", Status::InternalServerError),
        ("/guarded", Status::Unauthorized),
    ] {
        let response = get_from(&client, path, APP).await;
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(values(&response, "Access-Control-Allow-Origin"), [APP], "{path}");
        assert_eq!(
            value(&response, "Access-Control-Expose-Headers").as_deref(),
            Some("X-Request-Id"),
            "{path}"
        );
        assert_eq!(vary(&response), ["Origin"], "{path}");
    }
}

#[rocket::async_test]
async fn a_response_with_its_own_acao_is_left_alone() {
    let client = client(settings(|s| {
        s.allow_credentials = Some(true);
        s.expose_headers = vec!["X-Request-Id".into()];
    }))
    .await;
    let response = get_from(&client, "/api/own", APP).await;
    assert_eq!(values(&response, "Access-Control-Allow-Origin"), ["https://own.example"]);
    assert_eq!(cors_header_names(&response), ["Access-Control-Allow-Origin"]);
    assert!(vary(&response).is_empty(), "{:?}", vary(&response));
}

// --- origins ------------------------------------------------------------------------------

fn malformed_origins() -> Vec<String> {
    vec![
        "garbage".into(),
        String::new(),
        " ".into(),
        format!("{APP}/"),
        format!("{APP}/path"),
        format!("{APP}\u{1}"),
        format!("{APP}\t"),
        "https://app.example.com\r\nX-Injected: 1".into(),
        "HTTPS://APP.EXAMPLE.COM".into(),
        "app.example.com".into(),
        "https://".into(),
        "https://ä.example.com".into(),
        format!("https://{}.example.com", "a".repeat(10 * 1024)),
        "x".repeat(10 * 1024),
    ]
}

#[rocket::async_test]
async fn malformed_origins_are_refused_never_a_server_error() {
    for allow_all_origin in [false, true] {
        let client = client(settings(|s| s.allow_all_origin = allow_all_origin)).await;
        for bad in malformed_origins() {
            let case = format!("allow_all_origin={allow_all_origin} {:.60?}", bad);
            let response = get_from(&client, "/api/items", &bad).await;
            assert_eq!(response.status(), Status::Ok, "{case}");
            assert!(cors_header_names(&response).is_empty(), "{case}");
            assert_eq!(vary(&response), ["Origin"], "{case}");

            let response = preflight(&client, "/api/items", &bad, "GET").await;
            assert!(response.status().code < 500, "{case}: {}", response.status());
            assert!(cors_header_names(&response).is_empty(), "{case}");
        }
        // The well-formed origin still passes, so the loop above can fail.
        let response = get_from(&client, "/api/items", APP).await;
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    }
}

#[rocket::async_test]
async fn non_canonical_spellings_of_a_listed_origin_are_refused() {
    let client = client(settings(|_| {})).await;
    for spelling in
        ["https://app.example.com:443", "https://App.example.com", "HTTPS://app.example.com"]
    {
        let response = get_from(&client, "/api/items", spelling).await;
        assert!(cors_header_names(&response).is_empty(), "{spelling}");
    }
}

#[rocket::async_test]
async fn two_origin_headers_are_refused() {
    let client = client(settings(|s| s.allow_all_origin = true)).await;
    let response =
        client.get("/api/items").header(origin(APP)).header(origin(APP)).dispatch().await;
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
    assert_eq!(vary(&response), ["Origin"]);
    let response = client
        .options("/api/items")
        .header(origin(APP))
        .header(origin(EVIL))
        .header(request_method("GET"))
        .dispatch()
        .await;
    assert!(cors_header_names(&response).is_empty(), "{:?}", cors_header_names(&response));
}

#[rocket::async_test]
async fn configured_origins_are_normalised() {
    let client = client(
        Settings::default().allow_origin(["HTTPS://App.Example.COM:443", "http://local.test:8080"]),
    )
    .await;
    for allowed in [APP, "http://local.test:8080"] {
        let response = get_from(&client, "/", allowed).await;
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(allowed));
    }
    for refused in ["http://local.test", "http://app.example.com", "https://local.test:8080"] {
        let response = get_from(&client, "/", refused).await;
        assert!(cors_header_names(&response).is_empty(), "{refused}");
    }
}

#[rocket::async_test]
async fn wildcard_subdomains_match_one_or_more_labels_only() {
    let client = client(Settings::default().allow_origin(["https://*.example.org"])).await;
    for allowed in ["https://a.example.org", "https://a.b.example.org", "https://x-1.example.org"] {
        let response = get_from(&client, "/", allowed).await;
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(allowed));
    }
    for refused in [
        "https://example.org",
        "https://evil-example.org",
        "https://.example.org",
        "http://a.example.org",
        "https://a.example.org.evil.net",
        "https://a.example.org:8443",
    ] {
        let response = get_from(&client, "/", refused).await;
        assert!(cors_header_names(&response).is_empty(), "{refused}");
    }
}

#[rocket::async_test]
async fn null_origin_only_when_listed() {
    for allow_all_origin in [false, true] {
        let client = client(settings(|s| s.allow_all_origin = allow_all_origin)).await;
        let response = get_from(&client, "/", "null").await;
        assert!(cors_header_names(&response).is_empty(), "allow_all_origin={allow_all_origin}");
        let response = preflight(&client, "/", "null", "GET").await;
        assert!(cors_header_names(&response).is_empty(), "allow_all_origin={allow_all_origin}");
    }
    let client = common::client(settings(|s| s.allow_origin.push("null".into()))).await;
    let response = get_from(&client, "/", "null").await;
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some("null"));
    let response = preflight(&client, "/", "null", "GET").await;
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some("null"));
}

#[rocket::async_test]
async fn origin_regexes_are_anchored() {
    let client =
        client(Settings::default().allow_origin_regex([r"https://[a-z]+\.example\.net"])).await;
    let response = get_from(&client, "/", "https://shop.example.net").await;
    assert_eq!(
        value(&response, "Access-Control-Allow-Origin").as_deref(),
        Some("https://shop.example.net")
    );
    for refused in ["https://shop.example.net.evil.com", "evil https://shop.example.net"] {
        let response = get_from(&client, "/", refused).await;
        assert!(cors_header_names(&response).is_empty(), "{refused}");
    }
}

// --- always_send_headers: the original middleware ------------------------------------------

const ALL_SIX: [&str; 6] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
];

fn header_map(response: &LocalResponse<'_>) -> Vec<(String, String)> {
    ALL_SIX
        .iter()
        .map(|name| {
            (name.to_string(), value(response, name).unwrap_or_else(|| panic!("{name} missing")))
        })
        .collect()
}

fn expect(pairs: [&str; 6]) -> Vec<(String, String)> {
    ALL_SIX.iter().zip(pairs).map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

#[rocket::async_test]
async fn always_send_headers_sends_every_header_empty_when_unset() {
    let client = client(Settings::default().always_send_headers(true)).await;
    let no_origin = client.get("/api/items").dispatch().await;
    assert_eq!(header_map(&no_origin), expect(["", "", "", "", "", ""]));
    let not_found = get_from(&client, "/no/such/path", EVIL).await;
    assert_eq!(not_found.status(), Status::NotFound);
    assert_eq!(header_map(&not_found), expect(["", "", "", "", "", ""]));
}

#[rocket::async_test]
async fn always_send_headers_sends_configured_values_verbatim_on_every_response() {
    let client = full_client(
        Settings::default()
            .always_send_headers(true)
            .allow_origin([APP])
            .allow_methods(["GET", "POST"])
            .allow_headers(["X-A"])
            .allow_credentials(true)
            .expose_headers(["X-B", "X-C"])
            .max_age(60),
    )
    .await;
    let expected = expect([APP, "GET, POST", "X-A", "true", "X-B, X-C", "60"]);
    let requests = [
        client.get("/api/items"),
        client.get("/api/items").header(origin(EVIL)),
        client.get("/api/fail").header(origin(APP)),
        client.get("/guarded"),
        client.options("/api/items").header(origin(EVIL)).header(request_method("DELETE")),
    ];
    for request in requests {
        let response = request.dispatch().await;
        assert_eq!(header_map(&response), expected, "{}", response.status());
    }
}

#[rocket::async_test]
async fn always_send_headers_answers_options_with_request_method_like_the_original() {
    let client = client(
        Settings::default()
            .always_send_headers(true)
            .allow_all_origin(true)
            .allow_all_headers(true),
    )
    .await;
    let response = client
        .options("/api/items")
        .header(origin(EVIL))
        .header(request_method("PUT"))
        .header(request_headers("X-Anything, X-Else"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);
    assert_eq!(header_map(&response), expect([EVIL, "", "X-Anything, X-Else", "", "", ""]));
    assert_eq!(response.into_string().await.unwrap_or_default(), "");

    // allow_all_origin reflects whatever Origin came, and nothing when none came.
    let response = get_from(&client, "/api/items", "https://other.example").await;
    assert_eq!(
        value(&response, "Access-Control-Allow-Origin").as_deref(),
        Some("https://other.example")
    );
    let response = client.get("/api/items").dispatch().await;
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(""));
}

#[rocket::async_test]
async fn always_send_headers_keeps_the_applications_own_acao() {
    let client = client(Settings::default().always_send_headers(true)).await;
    let response = client.get("/api/own").header(Header::new("Origin", APP)).dispatch().await;
    assert_eq!(cors_header_names(&response), ["Access-Control-Allow-Origin"]);
}

#[rocket::async_test]
async fn head_requests_answered_through_get_routes_get_headers() {
    let client = client(settings(|_| {})).await;
    let response = client.head("/api/items").header(origin(APP)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(values(&response, "Access-Control-Allow-Origin"), [APP]);
    assert_eq!(vary(&response), ["Origin"]);
}

#[rocket::async_test]
async fn always_send_headers_never_reflects_an_origin_that_is_not_printable() {
    let client = client(Settings::default().always_send_headers(true).allow_all_origin(true)).await;
    let long = format!("https://{}.example", "a".repeat(10 * 1024));
    for bad in ["https://a.example\r\nSet-Cookie: x=1", "https://a.example\u{1}", long.as_str()] {
        let response = get_from(&client, "/api/items", bad).await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(
            value(&response, "Access-Control-Allow-Origin").as_deref(),
            Some(""),
            "{bad:.40?}"
        );
    }
}
