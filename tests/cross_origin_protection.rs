//! Cross-origin protection (issue 22, item 7), on the wire: Go 1.25's algorithm with the
//! policy's allowed origins as trusted origins, in the guards for every method and, with
//! `cross_origin_protection = true`, for the non-safe methods of a policy's paths, before
//! their routes run.

#![allow(clippy::result_large_err)] // figment::Jail's closures return its large error

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use cors_fairing::policy::Policies;
use cors_fairing::status::ReloadOutcome;
use cors_fairing::{AllowedOrigin, CorsFairing, CorsHandle, OriginRequired, Settings};
use figment::Jail;
use log::Level;
use rocket::http::uri::Host;
use rocket::http::{Header, Method, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::{Build, Rocket, State};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";
/// The server's own origin, as the requests below address it (`Host: api.example:8000`).
const OWN: &str = "http://api.example:8000";
const HOST: &str = "api.example:8000";

/// How many times a route ran.
#[derive(Default)]
struct Runs(AtomicUsize);

fn ran(runs: &Runs) {
    runs.0.fetch_add(1, Ordering::SeqCst);
}

#[rocket::post("/api/items", data = "<body>")]
fn post(runs: &State<Runs>, body: &str) -> String {
    ran(runs);
    format!("posted {body}")
}

#[rocket::put("/api/items")]
fn put(runs: &State<Runs>) -> &'static str {
    ran(runs);
    "put"
}

#[rocket::delete("/api/items")]
fn delete(runs: &State<Runs>) -> &'static str {
    ran(runs);
    "deleted"
}

#[rocket::patch("/api/items")]
fn patch(runs: &State<Runs>) -> &'static str {
    ran(runs);
    "patched"
}

#[rocket::get("/api/items")]
fn get(runs: &State<Runs>) -> &'static str {
    ran(runs);
    "items"
}

#[rocket::post("/other")]
fn post_other(runs: &State<Runs>) -> &'static str {
    ran(runs);
    "other"
}

/// An application's own TRACE route (Rocket's attributes offer no TRACE): the 403 route
/// must not take its requests.
#[derive(Clone)]
struct Trace;

#[rocket::async_trait]
impl rocket::route::Handler for Trace {
    async fn handle<'r>(
        &self,
        req: &'r rocket::Request<'_>,
        _: rocket::Data<'r>,
    ) -> rocket::route::Outcome<'r> {
        ran(req.rocket().state::<Runs>().expect("managed"));
        rocket::route::Outcome::from(req, "traced")
    }
}

fn trace() -> rocket::Route {
    rocket::Route::new(Method::Trace, "/api/items", Trace)
}

#[rocket::get("/ws")]
fn socket(origin: AllowedOrigin) -> String {
    format!("open {:?}", origin.origin())
}

#[rocket::post("/form")]
fn form(origin: AllowedOrigin) -> String {
    format!("posted {:?}", origin.origin())
}

#[rocket::post("/form/required")]
fn form_required(origin: OriginRequired) -> String {
    format!("posted {:?}", origin.origin())
}

fn app(fairing: CorsFairing) -> Rocket<Build> {
    common::log_capture::install();
    rocket::custom(rocket::Config::debug_default())
        .mount(
            "/",
            rocket::routes![post, put, delete, patch, get, post_other, socket, form, form_required],
        )
        .mount("/", vec![trace()])
        .manage(Runs::default())
        .attach(fairing)
}

fn client(settings: Settings) -> Client {
    Client::tracked(app(CorsFairing::from_settings(settings))).expect("valid rocket")
}

fn protected() -> Settings {
    Settings::default().allow_origin([APP]).cross_origin_protection(true)
}

fn runs(client: &Client) -> usize {
    client.rocket().state::<Runs>().expect("managed").0.load(Ordering::SeqCst)
}

/// The request headers of one case: `Origin`, `Sec-Fetch-Site`, `Host` (each if given).
type From = (Option<&'static str>, Option<&'static str>, Option<&'static str>);

fn send<'c>(client: &'c Client, method: Method, path: &str, from: From) -> LocalResponse<'c> {
    let (origin, fetch_site, host) = from;
    let mut request = client.req(method, path.to_string()).body("payload");
    for (name, value) in [("Origin", origin), ("Sec-Fetch-Site", fetch_site)] {
        if let Some(value) = value {
            request.add_header(Header::new(name, value));
        }
    }
    if let Some(host) = host {
        // What Rocket reads from `Host` (or HTTP/2's `:authority`) as a request arrives.
        request.inner_mut().set_host(Host::parse(host).expect("a host"));
    }
    request.dispatch()
}

/// Requests that pass, with why.
const PASSING: [(From, &str); 7] = [
    ((Some(APP), Some("cross-site"), Some(HOST)), "an allowed origin"),
    ((Some(APP), None, Some(HOST)), "an allowed origin, no fetch metadata"),
    ((Some(EVIL), Some("same-origin"), Some(HOST)), "the browser says same-origin"),
    ((None, Some("none"), Some(HOST)), "the user typed the URL"),
    ((None, None, Some(HOST)), "no browser"),
    ((None, None, None), "no browser, no Host"),
    ((Some(OWN), None, Some(HOST)), "an older browser on the server's own origin"),
];

/// Requests that are refused, with why.
const REFUSED: [(From, &str); 7] = [
    ((Some(EVIL), Some("cross-site"), Some(HOST)), "another site"),
    ((Some("https://www.example.com"), Some("same-site"), Some(HOST)), "a sibling subdomain"),
    ((Some(OWN), Some("same-site"), Some(HOST)), "the browser says same-site"),
    ((None, Some("cross-site"), Some(HOST)), "another site, no Origin"),
    ((Some(EVIL), None, Some(HOST)), "an older browser on another origin"),
    ((Some("http://api.example:8001"), None, Some(HOST)), "another port"),
    ((Some("null"), None, Some(HOST)), "an opaque origin"),
];

#[test]
fn the_key_refuses_cross_origin_posts_puts_deletes_and_patches_before_their_routes() {
    let client = client(protected());
    for method in [Method::Post, Method::Put, Method::Delete, Method::Patch] {
        for (from, why) in REFUSED {
            let before = runs(&client);
            let response = send(&client, method, "/api/items", from);
            assert_eq!(response.status(), Status::Forbidden, "{method} {why}");
            let body = response.into_string().unwrap_or_default();
            assert!(body.starts_with("cross-origin request refused: "), "{method} {why}: {body}");
            assert_eq!(body.lines().count(), 1, "{method} {why}: {body}");
            assert_eq!(runs(&client), before, "{method} {why}: the route ran");
        }
        for (from, why) in PASSING {
            let before = runs(&client);
            let response = send(&client, method, "/api/items", from);
            assert_eq!(response.status(), Status::Ok, "{method} {why}");
            assert_eq!(runs(&client), before + 1, "{method} {why}: the route did not run");
        }
    }
}

#[test]
fn the_reason_names_what_the_browser_said() {
    let client = client(protected());
    let body = |from| send(&client, Method::Post, "/api/items", from).into_string().unwrap();
    assert_eq!(
        body((Some(EVIL), Some("cross-site"), Some(HOST))),
        "cross-origin request refused: Sec-Fetch-Site is \"cross-site\" and origin \
         \"https://evil.example\" is not allowed\n"
    );
    assert_eq!(
        body((Some(EVIL), None, Some(HOST))),
        "cross-origin request refused: no Sec-Fetch-Site, Host is \"api.example:8000\", and \
         origin \"https://evil.example\" is not allowed\n"
    );
}

#[test]
fn safe_methods_are_left_to_cors() {
    let client = client(protected());
    for method in [Method::Get, Method::Head] {
        let response = send(&client, method, "/api/items", (Some(EVIL), Some("cross-site"), None));
        assert_eq!(response.status(), Status::Ok, "{method}");
    }
    assert_eq!(runs(&client), 2);
}

#[test]
fn without_the_key_a_cross_origin_post_still_runs_its_route() {
    let client = client(Settings::default().allow_origin([APP]));
    let response = send(&client, Method::Post, "/api/items", REFUSED[0].0);
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(runs(&client), 1);
}

#[test]
fn a_refused_request_is_counted_and_answered_for_its_own_path() {
    let client = client(protected());
    let response = send(&client, Method::Post, "/api/items", REFUSED[0].0);
    assert_eq!(response.status(), Status::Forbidden);
    // The CORS answer of a refused origin on that path: Vary, and nothing granted.
    assert_eq!(response.headers().get_one("Vary"), Some("Origin"));
    assert_eq!(response.headers().get_one("Access-Control-Allow-Origin"), None);
    let stats = client.rocket().state::<CorsHandle>().unwrap().stats();
    assert_eq!((stats.refused_cross_origin, stats.refused_origin), (1, 1));
    send(&client, Method::Post, "/api/items", PASSING[0].0);
    let stats = client.rocket().state::<CorsHandle>().unwrap().stats();
    assert_eq!((stats.refused_cross_origin, stats.allowed), (1, 1));
}

#[test]
fn only_the_paths_of_a_policy_that_sets_it_are_protected() {
    let base = Settings::default().allow_origin([APP]);
    let api = base.clone().paths(["/api/**"]).cross_origin_protection(true);
    let evil = REFUSED[0].0;
    let named = client(base.policy("api", api));
    assert_eq!(send(&named, Method::Post, "/api/items", evil).status(), Status::Forbidden);
    assert_eq!(send(&named, Method::Post, "/other", evil).status(), Status::Ok);

    // The base's own `paths` bound it too.
    let scoped = client(protected().paths(["/api/**"]));
    assert_eq!(send(&scoped, Method::Post, "/api/items", evil).status(), Status::Forbidden);
    assert_eq!(send(&scoped, Method::Post, "/other", evil).status(), Status::Ok);
}

#[test]
fn an_origin_the_origin_check_allows_is_trusted() {
    let fairing = CorsFairing::from_settings(protected()).with_origin_check(|origin, _| {
        let allowed = origin == "https://tenant.example";
        async move { Ok::<_, std::convert::Infallible>(allowed) }
    });
    let client = Client::tracked(app(fairing)).expect("valid rocket");
    let tenant = (Some("https://tenant.example"), Some("cross-site"), Some(HOST));
    assert_eq!(send(&client, Method::Post, "/api/items", tenant).status(), Status::Ok);
    assert_eq!(send(&client, Method::Post, "/api/items", REFUSED[0].0).status(), Status::Forbidden);
}

#[test]
fn an_application_trace_route_still_answers() {
    let client = client(protected());
    let response = send(&client, Method::Trace, "/api/items", (None, None, None));
    assert_eq!(
        (response.status(), response.into_string().as_deref()),
        (Status::Ok, Some("traced"))
    );
    assert_eq!(runs(&client), 1);
    // As in Go, only GET, HEAD and OPTIONS are exempt.
    let response = send(&client, Method::Trace, "/api/items", REFUSED[0].0);
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(runs(&client), 1);
}

/// The 403 route (mounted with the request hook) exists only where a policy sets the key.
#[test]
fn without_the_key_there_is_no_refusal_route() {
    let refusal_routes = |settings: Settings| {
        let client = client(settings);
        let name = "cors_fairing::cross_origin_refused";
        client.rocket().routes().filter(|r| r.name.as_deref() == Some(name)).count()
    };
    assert_eq!(refusal_routes(Settings::default().allow_origin([APP])), 0);
    assert_eq!(refusal_routes(protected()), 1);
    let base = Settings::default().allow_origin([APP]);
    let named = base.clone().paths(["/api/**"]).cross_origin_protection(true);
    assert_eq!(refusal_routes(base.policy("api", named)), 1);
}

#[test]
fn the_guard_applies_the_rules_to_every_method() {
    // No `cross_origin_protection`: the guard works on its own.
    let client = client(Settings::default().allow_origin([APP]));
    for (method, path) in [(Method::Get, "/ws"), (Method::Post, "/form")] {
        for (from, why) in PASSING {
            let response = send(&client, method, path, from);
            assert_eq!(response.status(), Status::Ok, "{method} {path}: {why}");
        }
        for (from, why) in REFUSED {
            let response = send(&client, method, path, from);
            assert_eq!(response.status(), Status::Forbidden, "{method} {path}: {why}");
        }
    }
    // The app's own same-origin form post passes without listing its origin, and the guard
    // gives the origin it was sent.
    let own = send(&client, Method::Post, "/form", (Some(OWN), Some("same-origin"), Some(HOST)));
    assert_eq!(own.into_string().as_deref(), Some("posted Some(\"http://api.example:8000\")"));
}

#[test]
fn origin_required_also_needs_one_origin() {
    let client = client(Settings::default().allow_origin([APP]));
    let status = |from| send(&client, Method::Post, "/form/required", from).status();
    assert_eq!(status((None, Some("same-origin"), Some(HOST))), Status::Forbidden);
    assert_eq!(status((None, None, None)), Status::Forbidden);
    assert_eq!(status((Some(OWN), Some("same-origin"), Some(HOST))), Status::Ok);
    assert_eq!(status((Some(EVIL), Some("cross-site"), Some(HOST))), Status::Forbidden);
    assert_eq!(status((Some(APP), Some("cross-site"), Some(HOST))), Status::Ok);
}

#[test]
fn the_key_is_refused_with_the_original_middlewares_output_and_warned_about_under_any_origin() {
    let errors = Policies::compile(&protected().always_send_headers(true)).unwrap_err();
    assert_eq!(errors.first().key(), Some("cross_origin_protection"));
    for settings in [
        Settings::default().allow_origin(["*"]).cross_origin_protection(true),
        Settings::default().allow_all_origin(true).cross_origin_protection(true),
    ] {
        let policies = Policies::compile(&settings).expect("valid");
        let warned = policies.warnings().iter().any(|w| w.key() == Some("cross_origin_protection"));
        assert!(warned, "{settings:?}");
    }
    let policies = Policies::compile(&protected()).expect("valid");
    assert!(policies.warnings().iter().all(|w| w.key() != Some("cross_origin_protection")));
}

#[test]
fn the_key_changes_the_fingerprint_only_when_set() {
    let off = Policies::compile(&Settings::default().allow_origin([APP])).unwrap();
    let on = Policies::compile(&protected()).unwrap();
    assert_ne!(off.fingerprint(), on.fingerprint());
}

/// The crate's warnings this thread logged.
fn warnings() -> Vec<String> {
    common::log_capture::take(|level, from_the_crate| from_the_crate && level <= Level::Warn)
}

#[test]
fn a_reload_turns_the_key_on_and_off_where_the_hook_exists_and_asks_for_a_restart_elsewhere() {
    Jail::expect_with(|jail| {
        let file = |protection: bool| {
            format!(
                "[default.cors]\nallow_origin = [\"{APP}\"]\nreload = false\n\
                 cross_origin_protection = {protection}\n"
            )
        };
        let evil = REFUSED[0].0;

        // Launched without it: a reload can only say that a restart is needed.
        jail.create_file("Rocket.toml", &file(false))?;
        let client = Client::tracked(app(CorsFairing::figment())).expect("valid rocket");
        let cors = client.rocket().state::<CorsHandle>().expect("managed").clone();
        warnings();
        jail.create_file("Rocket.toml", &file(true))?;
        assert!(matches!(cors.reload_blocking(), ReloadOutcome::Swapped { .. }));
        let logged = warnings();
        assert!(
            logged.iter().any(|l| l.contains("cross_origin_protection") && l.contains("restart")),
            "{logged:?}"
        );
        assert_eq!(send(&client, Method::Post, "/api/items", evil).status(), Status::Ok);

        // Launched with it: off and on again take effect at once, without a word.
        let client = Client::tracked(app(CorsFairing::figment())).expect("valid rocket");
        let cors = client.rocket().state::<CorsHandle>().expect("managed").clone();
        assert_eq!(send(&client, Method::Post, "/api/items", evil).status(), Status::Forbidden);
        warnings();
        for protection in [false, true] {
            jail.create_file("Rocket.toml", &file(protection))?;
            assert!(matches!(cors.reload_blocking(), ReloadOutcome::Swapped { .. }));
            let status = send(&client, Method::Post, "/api/items", evil).status();
            let expected = if protection { Status::Forbidden } else { Status::Ok };
            assert_eq!(status, expected, "after a reload to {protection}");
        }
        let logged = warnings();
        assert!(logged.iter().all(|l| !l.contains("restart")), "{logged:?}");
        Ok(())
    });
}

#[test]
fn with_log_refusals_a_refusal_is_one_info_line_through_the_rate_limit() {
    let client = client(protected().log_refusals(true));
    common::log_capture::take(|_, _| true);
    send(&client, Method::Post, "/api/items", REFUSED[0].0);
    let lines = common::log_capture::take(|level, ours| ours && level <= Level::Info);
    let ours: Vec<_> = lines.iter().filter(|l| l.contains("[refused_cross_origin]")).collect();
    assert_eq!(ours.len(), 1, "{lines:?}");
    assert!(
        ours[0].starts_with("CORS refused POST /api/items (the base policy): cross-origin request refused: Sec-Fetch-Site is \"cross-site\""),
        "{}",
        ours[0]
    );
}
