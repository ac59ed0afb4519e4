//! The origin check given in code: cache (TTL, size), single-flight, failing closed,
//! forgetting, reload, preflights, credentials, and the `AllowedOrigin` guard.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cors_fairing::{AllowedOrigin, CorsFairing, CorsHandle, OriginRequired, Settings};
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

const LISTED: &str = "https://listed.example";
const TENANT: &str = "https://tenant.example";
const OTHER: &str = "https://other.example";

/// The tenants the check allows, and how often it was called.
#[derive(Clone, Default)]
struct Tenants {
    origins: Arc<Mutex<HashSet<String>>>,
    calls: Arc<AtomicUsize>,
}

impl Tenants {
    fn with(origins: &[&str]) -> Tenants {
        let tenants = Tenants::default();
        tenants.origins.lock().unwrap().extend(origins.iter().map(|o| o.to_string()));
        tenants
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// A check that waits `delay`, then answers from the table.
    fn fairing(&self, base: CorsFairing, delay: Duration) -> CorsFairing {
        let tenants = self.clone();
        base.with_origin_check(move |origin, _rocket| {
            let tenants = tenants.clone();
            let origin = origin.to_owned();
            async move {
                tenants.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                Ok::<_, String>(tenants.origins.lock().unwrap().contains(&origin))
            }
        })
    }
}

fn settings(edit: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::default();
    settings.allow_origin = vec![LISTED.into()];
    edit(&mut settings);
    settings
}

#[rocket::get("/items")]
fn items() -> &'static str {
    "[]"
}

#[rocket::get("/api/items")]
fn api_items() -> &'static str {
    "[]"
}

#[rocket::get("/partner/items")]
fn partner_items() -> &'static str {
    "[]"
}

#[rocket::get("/partner/ws")]
fn partner_ws(_origin: AllowedOrigin) -> &'static str {
    "ok"
}

#[rocket::get("/ws")]
fn ws(origin: AllowedOrigin) -> String {
    format!("ok {:?}", origin.origin())
}

#[rocket::get("/strict")]
fn strict(_origin: OriginRequired) -> &'static str {
    "ok"
}

async fn client(fairing: CorsFairing) -> Client {
    let rocket = rocket::custom(rocket::Config::debug_default())
        .mount("/", rocket::routes![items, api_items, partner_items, partner_ws, ws, strict])
        .attach(fairing);
    Client::untracked(rocket).await.expect("valid rocket")
}

async fn tenant_client(tenants: &Tenants, edit: impl FnOnce(&mut Settings)) -> Client {
    let fairing = CorsFairing::from_settings(settings(edit));
    client(tenants.fairing(fairing, Duration::ZERO)).await
}

/// `Access-Control-Allow-Origin` of a GET of `/items` from `origin`.
async fn acao(client: &Client, origin: &str) -> Option<String> {
    acao_at(client, "/items", origin).await
}

/// `Access-Control-Allow-Origin` of a GET of `path` from `origin`.
async fn acao_at(client: &Client, path: &'static str, origin: &str) -> Option<String> {
    let response =
        client.get(path).header(Header::new("Origin", origin.to_string())).dispatch().await;
    response.headers().get_one("Access-Control-Allow-Origin").map(str::to_string)
}

fn handle(client: &Client) -> &CorsHandle {
    client.rocket().state::<CorsHandle>().expect("the fairing manages a handle")
}

#[rocket::async_test]
async fn a_tenant_is_allowed_and_the_lists_are_asked_first() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |_| {}).await;
    assert_eq!(acao(&client, LISTED).await.as_deref(), Some(LISTED));
    assert_eq!(tenants.calls(), 0, "a listed origin is never put to the check");
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(acao(&client, OTHER).await, None);
    assert_eq!(tenants.calls(), 2);
    for malformed in ["https://TENANT.example", "tenant.example", "null", "https://t.example/"] {
        assert_eq!(acao(&client, malformed).await, None);
    }
    assert_eq!(tenants.calls(), 2, "a malformed origin is never put to the check");
    let response = client.get("/items").dispatch().await;
    assert_eq!(response.headers().get_one("Vary"), Some("Origin"));
    assert_eq!(tenants.calls(), 2);
}

/// Listing `null` changes nothing for the other origins: a tenant is still put to the check.
#[rocket::async_test]
async fn a_tenant_is_checked_when_null_is_listed_too() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |s| s.allow_origin.push("null".into())).await;
    assert_eq!(acao(&client, "null").await.as_deref(), Some("null"));
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(tenants.calls(), 1);
}

#[rocket::async_test]
async fn a_request_outside_paths_never_calls_the_check() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |s| s.paths = vec!["/api/**".into()]).await;
    for origin in [TENANT, OTHER] {
        assert_eq!(acao_at(&client, "/items", origin).await, None, "{origin} out of scope");
        let preflight = client
            .options("/items")
            .header(Header::new("Origin", origin.to_string()))
            .header(Header::new("Access-Control-Request-Method", "PUT"))
            .dispatch()
            .await;
        assert_eq!(preflight.headers().get_one("Access-Control-Allow-Origin"), None);
    }
    assert_eq!(tenants.calls(), 0, "no request outside `paths` is put to the check");
    assert_eq!(handle(&client).stats().origin_check_calls, 0);
    assert_eq!(acao_at(&client, "/api/items", TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(tenants.calls(), 1, "inside `paths` the check answers");
}

const PARTNER: &str = "https://partner.example";

#[rocket::async_test]
async fn a_named_policy_lists_its_own_origins_and_shares_the_check() {
    let tenants = Tenants::with(&[TENANT]);
    // The base covers /items only; the named policy /partner/** (outside the base's paths)
    // and lists PARTNER, not LISTED.
    let partner = settings(|s| {
        s.paths = vec!["/partner/**".into()];
        s.allow_origin = vec![PARTNER.into()];
    });
    let base = settings(|s| s.paths = vec!["/items".into()]).policy("partner", partner);
    let client = client(tenants.fairing(CorsFairing::from_settings(base), Duration::ZERO)).await;
    let at = "/partner/items";
    assert_eq!(acao_at(&client, at, PARTNER).await.as_deref(), Some(PARTNER));
    assert_eq!(tenants.calls(), 0, "listed by the named policy: never put to the check");
    assert_eq!(acao_at(&client, at, TENANT).await.as_deref(), Some(TENANT), "a tenant there too");
    assert_eq!(tenants.calls(), 1);
    assert_eq!(acao_at(&client, at, LISTED).await, None, "the base's list is not the partner's");
    assert_eq!(tenants.calls(), 2, "unlisted by the policy that judges: put to the check");
    assert_eq!(acao_at(&client, "/items", PARTNER).await, None);
    assert_eq!(tenants.calls(), 3);
    let ws = |origin: &'static str| client.get("/partner/ws").header(Header::new("Origin", origin));
    assert_eq!(
        ws(PARTNER).dispatch().await.status(),
        Status::Ok,
        "the guard asks the partner's lists"
    );
    assert_eq!(ws(TENANT).dispatch().await.status(), Status::Ok);
    assert_eq!(ws(LISTED).dispatch().await.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn the_verbatim_output_never_calls_the_check() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |s| s.always_send_headers = true).await;
    acao(&client, TENANT).await;
    acao(&client, OTHER).await;
    assert_eq!(tenants.calls(), 0, "always_send_headers judges no origin: nothing to ask");
}

#[rocket::async_test]
async fn answers_are_cached_for_the_ttl() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |s| s.origin_check_ttl_ms = 300).await;
    for _ in 0..5 {
        assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
        assert_eq!(acao(&client, OTHER).await, None);
    }
    assert_eq!(tenants.calls(), 2, "one call per origin within the TTL");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(tenants.calls(), 3, "a stale answer is asked again");
}

#[rocket::async_test]
async fn the_cache_holds_at_most_its_size() {
    let tenants = Tenants::with(&[]);
    let client = tenant_client(&tenants, |s| s.origin_check_cache_size = 2).await;
    for origin in ["https://a.example", "https://b.example", "https://c.example"] {
        acao(&client, origin).await;
    }
    assert_eq!(handle(&client).stats().origin_check_cached, 2);
    acao(&client, "https://c.example").await;
    assert_eq!(tenants.calls(), 3, "the newest answer is kept");
    acao(&client, "https://a.example").await;
    assert_eq!(tenants.calls(), 4, "the oldest answer was dropped");
}

#[rocket::async_test]
async fn concurrent_misses_call_the_check_once_per_origin() {
    let tenants = Tenants::with(&[TENANT]);
    let fairing = CorsFairing::from_settings(settings(|_| {}));
    let client = client(tenants.fairing(fairing, Duration::from_millis(200))).await;
    let requests = (0..40).map(|i| {
        let origin = if i % 2 == 0 { TENANT } else { OTHER };
        let client = &client;
        async move { (origin, acao(client, origin).await) }
    });
    for (origin, allowed) in futures_join_all(requests).await {
        assert_eq!(allowed.is_some(), origin == TENANT, "{origin}");
    }
    assert_eq!(tenants.calls(), 2);
    assert_eq!(handle(&client).stats().origin_check_calls, 2);
}

/// Runs the futures concurrently on this task (no extra dependency).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in set.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

async fn failing_client(
    check: impl Fn(&str) -> Result<bool, String> + Send + Sync + 'static,
    edit: impl FnOnce(&mut Settings),
) -> Client {
    let check = Arc::new(check);
    let fairing = CorsFairing::from_settings(settings(edit)).with_origin_check(move |origin, _| {
        let answer = check(origin);
        async move {
            if answer == Err("sleep".into()) {
                // Allowed, but too late: only the timeout refuses it.
                tokio::time::sleep(Duration::from_secs(30)).await;
                return Ok(true);
            }
            if answer == Err("panic".into()) {
                panic!("the tenant database is on fire");
            }
            answer
        }
    });
    client(fairing).await
}

#[rocket::async_test]
async fn an_error_a_panic_or_a_timeout_refuses_and_is_counted() {
    let client = failing_client(
        |origin| match origin {
            "https://error.example" => Err("connection refused".into()),
            "https://panic.example" => Err("panic".into()),
            "https://slow.example" => Err("sleep".into()),
            _ => Ok(true),
        },
        |s| s.origin_check_timeout_ms = 100,
    )
    .await;
    for origin in ["https://error.example", "https://panic.example", "https://slow.example"] {
        assert_eq!(acao(&client, origin).await, None, "{origin} fails closed");
        assert_eq!(acao(&client, origin).await, None, "{origin} stays refused");
    }
    let stats = handle(&client).stats();
    assert_eq!(
        (stats.origin_check_calls, stats.origin_check_failures),
        (3, 3),
        "failures are cached and counted"
    );
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT), "the check still answers");
}

#[rocket::async_test]
async fn forget_origin_and_forget_origins_put_a_change_in_force() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |_| {}).await;
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(acao(&client, OTHER).await, None);
    tenants.origins.lock().unwrap().clear();
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT), "cached");
    handle(&client).forget_origin(TENANT);
    assert_eq!(acao(&client, TENANT).await, None, "removed tenant refused at once");
    tenants.origins.lock().unwrap().insert(OTHER.into());
    assert_eq!(acao(&client, OTHER).await, None, "cached");
    handle(&client).forget_origins();
    assert_eq!(acao(&client, OTHER).await.as_deref(), Some(OTHER), "registered at once");
    assert_eq!(tenants.calls(), 4);
}

#[rocket::async_test]
async fn a_reload_empties_the_cache() {
    let tenants = Tenants::with(&[TENANT]);
    let generation = Arc::new(AtomicUsize::new(0));
    let figment = {
        let generation = generation.clone();
        move || {
            let origin = format!("https://listed{}.example", generation.load(Ordering::SeqCst));
            Figment::from(Serialized::default("cors.allow_origin", [origin]))
                .merge(Serialized::default("cors.reload", false))
        }
    };
    let client =
        client(tenants.fairing(CorsFairing::from_figment_fn(figment), Duration::ZERO)).await;
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(tenants.calls(), 1);
    generation.store(1, Ordering::SeqCst);
    let outcome = handle(&client).reload().await;
    assert!(format!("{outcome:?}").contains("Swapped"), "{outcome:?}");
    assert_eq!(
        acao(&client, "https://listed1.example").await.as_deref(),
        Some("https://listed1.example")
    );
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(tenants.calls(), 2, "the reload emptied the cache");
}

#[rocket::async_test]
async fn a_tenant_preflight_is_answered_with_credentials_like_a_listed_one() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |s| s.allow_credentials = Some(true)).await;
    let preflight = |origin: &str| {
        client
            .options("/items")
            .header(Header::new("Origin", origin.to_string()))
            .header(Header::new("Access-Control-Request-Method", "PUT"))
    };
    let listed = preflight(LISTED).dispatch().await;
    let tenant = preflight(TENANT).dispatch().await;
    assert_eq!(tenant.status(), Status::NoContent);
    assert_eq!(tenant.headers().get_one("Access-Control-Allow-Origin"), Some(TENANT));
    for name in ["Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Vary"] {
        assert_eq!(tenant.headers().get_one(name), listed.headers().get_one(name), "{name}");
    }
    assert_eq!(tenant.headers().get_one("Access-Control-Allow-Credentials"), Some("true"));
    let other = preflight(OTHER).dispatch().await;
    assert_eq!(other.headers().get_one("Access-Control-Allow-Origin"), None);
    let get = client.get("/items").header(Header::new("Origin", TENANT)).dispatch().await;
    assert_eq!(get.headers().get_one("Access-Control-Allow-Credentials"), Some("true"));
}

#[rocket::async_test]
async fn the_guard_passes_listed_and_tenant_origins_and_refuses_others() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |_| {}).await;
    let get = |path: &'static str, origin: Option<&str>| {
        let mut request = client.get(path);
        if let Some(origin) = origin {
            request = request.header(Header::new("Origin", origin.to_string()));
        }
        request.dispatch()
    };
    assert_eq!(get("/ws", Some(LISTED)).await.status(), Status::Ok);
    let tenant = get("/ws", Some(TENANT)).await;
    assert_eq!(tenant.status(), Status::Ok);
    assert_eq!(tenant.into_string().await.unwrap(), format!("ok Some({TENANT:?})"));
    assert_eq!(get("/ws", Some(OTHER)).await.status(), Status::Forbidden);
    assert_eq!(get("/ws", Some("not an origin")).await.status(), Status::Forbidden);
    assert_eq!(get("/ws", None).await.status(), Status::Ok, "a missing Origin passes");
    assert_eq!(get("/strict", None).await.status(), Status::Forbidden);
    assert_eq!(get("/strict", Some(TENANT)).await.status(), Status::Ok);
    let twice = client
        .get("/ws")
        .header(Header::new("Origin", TENANT))
        .header(Header::new("Origin", TENANT))
        .dispatch()
        .await;
    assert_eq!(twice.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn the_guard_shares_the_cache_with_cors_requests() {
    let tenants = Tenants::with(&[TENANT]);
    let client = tenant_client(&tenants, |_| {}).await;
    let ws = |origin: &'static str| client.get("/ws").header(Header::new("Origin", origin));
    for _ in 0..3 {
        assert_eq!(ws(TENANT).dispatch().await.status(), Status::Ok);
        assert_eq!(ws(OTHER).dispatch().await.status(), Status::Forbidden);
    }
    assert_eq!(tenants.calls(), 2, "one call per origin for the guard too");
    assert_eq!(acao(&client, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(acao(&client, OTHER).await, None);
    assert_eq!(tenants.calls(), 2, "the guard's answers serve CORS requests");
}

#[rocket::async_test]
async fn the_guard_follows_a_registration_after_forget_origin() {
    let tenants = Tenants::with(&[]);
    let client = tenant_client(&tenants, |_| {}).await;
    let ws = || client.get("/ws").header(Header::new("Origin", TENANT)).dispatch();
    assert_eq!(ws().await.status(), Status::Forbidden);
    tenants.origins.lock().unwrap().insert(TENANT.into());
    handle(&client).forget_origin(TENANT);
    assert_eq!(ws().await.status(), Status::Ok);
}
