//! A multi-tenant API: the origins listed in `Rocket.toml` plus the tenants registered while
//! the server runs, the latter through the origin check given in code. A WebSocket echo
//! route, which browsers do not protect with CORS, checks `Origin` with the same policy.
//!
//! ```sh
//! cargo run --example tenants          # reads Rocket.toml (ROCKET_CONFIG, ROCKET_PORT work)
//! curl -i -X POST   --data 'https://shop.example' http://127.0.0.1:8000/tenants
//! curl -i -H 'Origin: https://shop.example' http://127.0.0.1:8000/api/items
//! curl -i -X DELETE --data 'https://shop.example' http://127.0.0.1:8000/tenants
//! ```
//!
//! - `POST /tenants` (plain-text body: one origin) registers a tenant, `DELETE /tenants`
//!   removes one; both answer 204 and are in force for the next request.
//! - `GET /api/items`: JSON, CORS headers from the fairing.
//! - `GET /ws`: a WebSocket echo; a handshake from an origin neither listed nor a tenant
//!   gets 403 and a one-line reason, an allowed one 101.
//!
//! A real application keeps the tenants in a database and protects `/tenants`; the check
//! can query a pool from managed state the same way it reads the table here.

use std::collections::HashSet;
use std::sync::RwLock;

use cors_fairing::{AllowedOrigin, CorsFairing, CorsHandle, OriginRefused};
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::http::uri::Absolute;
use rocket::serde::json::Json;
use rocket::{State, delete, get, launch, post, routes};

/// The registered tenants' origins, lower-cased as browsers send them.
#[derive(Default)]
pub struct Tenants(RwLock<HashSet<String>>);

impl Tenants {
    fn contains(&self, origin: &str) -> bool {
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(origin)
    }

    fn edit(&self) -> std::sync::RwLockWriteGuard<'_, HashSet<String>> {
        self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The longest body `/tenants` reads: an origin is short.
const MAX_ORIGIN: usize = 256;

/// The origin in a `/tenants` body: `scheme://host[:port]`, trimmed and lower-cased (a
/// browser sends scheme and host in lower case), or a one-line reason.
async fn origin_in(body: Data<'_>) -> Result<String, (Status, String)> {
    let text = body
        .open(MAX_ORIGIN.bytes())
        .into_string()
        .await
        .map_err(|err| (Status::BadRequest, format!("unreadable body: {err}\n")))?;
    if !text.is_complete() {
        let reason = format!("an origin is at most {MAX_ORIGIN} bytes\n");
        return Err((Status::PayloadTooLarge, reason));
    }
    let origin = text.trim().to_ascii_lowercase();
    let bad = |why: &str| (Status::BadRequest, format!("{origin:?} is not an origin: {why}\n"));
    let uri = Absolute::parse(&origin).map_err(|_| bad("write scheme://host[:port]"))?;
    if uri.authority().is_none_or(|authority| authority.host().is_empty()) {
        return Err(bad("it has no host"));
    }
    if !uri.path().is_empty() || uri.query().is_some() || origin.contains('@') {
        return Err(bad("no path, query, user or trailing `/`"));
    }
    Ok(origin)
}

#[post("/tenants", data = "<body>")]
async fn register(
    body: Data<'_>,
    tenants: &State<Tenants>,
    cors: &State<CorsHandle>,
) -> Result<Status, (Status, String)> {
    let origin = origin_in(body).await?;
    tenants.edit().insert(origin);
    // The check's cached "no" for this origin must not outlive the registration.
    cors.forget_origins();
    Ok(Status::NoContent)
}

#[delete("/tenants", data = "<body>")]
async fn remove(
    body: Data<'_>,
    tenants: &State<Tenants>,
    cors: &State<CorsHandle>,
) -> Result<Status, (Status, String)> {
    let origin = origin_in(body).await?;
    tenants.edit().remove(&origin);
    cors.forget_origins();
    Ok(Status::NoContent)
}

#[get("/api/items")]
fn items() -> Json<[&'static str; 2]> {
    Json(["apple", "pear"])
}

/// The guard comes first: a handshake from a refused origin gets 403, never 101.
#[get("/ws")]
fn echo(
    origin: Result<AllowedOrigin, OriginRefused>,
    ws: rocket_ws::WebSocket,
) -> Result<rocket_ws::Stream!['static], OriginRefused> {
    origin?;
    // Every message the client sends comes straight back.
    Ok(ws.stream(|messages| messages))
}

/// Rocket.toml's origins, and the tenants through the origin check.
fn cors() -> CorsFairing {
    CorsFairing::figment().with_origin_check(|origin, rocket| {
        // Asked only about well-formed origins Rocket.toml does not list; the answer is
        // cached for origin_check_ttl_ms, and /tenants empties the cache.
        let known = rocket.state::<Tenants>().map(|tenants| tenants.contains(origin));
        async move { known.ok_or("the tenant table is not managed") }
    })
}

// `pub` so that tests/tenants_example.rs can launch this very server.
#[launch]
pub fn rocket() -> _ {
    rocket::build()
        .manage(Tenants::default())
        .mount("/", routes![register, remove, items, echo])
        .attach(cors())
}
