//! An admin endpoint for the CORS policy: what is in force and where each value came from,
//! and a button to re-read the configuration now.
//!
//! ```sh
//! ADMIN_TOKEN=secret cargo run --example admin
//! curl -H 'Authorization: Bearer secret' http://127.0.0.1:8000/admin/cors
//! curl -X POST -H 'Authorization: Bearer secret' http://127.0.0.1:8000/admin/cors/reload
//! ```
//!
//! The routes are for operators, not for browsers on other sites: they sit outside the
//! `paths` the policy covers when `paths` is set, and they want a credential of their own.

use std::fmt::Write;

use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{State, get, launch, post, routes};

/// A request that carries `Authorization: Bearer $ADMIN_TOKEN`.
struct Admin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Admin {
    type Error = &'static str;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        // Without a configured token the endpoint stays shut rather than open to all.
        let Ok(token) = std::env::var("ADMIN_TOKEN") else {
            return Outcome::Error((Status::Forbidden, "ADMIN_TOKEN is not set"));
        };
        let expected = format!("Bearer {token}");
        match req.headers().get_one("Authorization") {
            Some(given) if given == expected => Outcome::Success(Admin),
            _ => Outcome::Error((Status::Unauthorized, "a bearer token is required")),
        }
    }
}

/// The policy in force with its fingerprint (compare replicas at a glance), one key per line
/// with its source, then the reload counters and what the fairing has answered.
#[get("/admin/cors")]
fn report(_admin: Admin, cors: &State<CorsHandle>) -> String {
    let mut out = format!("# CORS policy in force, fingerprint {}\n", cors.policy().fingerprint());
    for setting in cors.report().settings {
        let _ = writeln!(out, "{setting}");
    }
    for file in cors.report().files {
        let _ = writeln!(out, "# read from {}", file.display());
    }
    for warning in cors.report().warnings {
        let _ = writeln!(out, "# warning: {warning}");
    }
    let _ = writeln!(out, "# reloads: {:?}", *cors.status().borrow());
    let counters = cors.stats();
    let _ = writeln!(
        out,
        "# answered: {} allowed, refused {} origin / {} method / {} header / {} malformed, \
         {} preflights, {} out of scope",
        counters.allowed,
        counters.refused_origin,
        counters.refused_method,
        counters.refused_header,
        counters.refused_malformed,
        counters.preflights,
        counters.out_of_scope,
    );
    out
}

/// Re-reads every source now; a bad edit is reported and the last good policy stays.
#[post("/admin/cors/reload")]
async fn reload(_admin: Admin, cors: &State<CorsHandle>) -> (Status, String) {
    match cors.reload().await {
        ReloadOutcome::Swapped { generation } => {
            (Status::Ok, format!("reloaded: generation {generation} is in force\n"))
        }
        ReloadOutcome::Unchanged => {
            (Status::Ok, "unchanged: the sources give the same policy\n".into())
        }
        ReloadOutcome::Failed(err) => {
            (Status::UnprocessableEntity, format!("kept the last good policy: {err}\n"))
        }
        // ReloadOutcome is #[non_exhaustive]: a later release may say more.
        other => (Status::Ok, format!("{other:?}\n")),
    }
}

// `pub` so that tests/recipes.rs can launch this very example.
#[launch]
pub fn rocket() -> _ {
    rocket::build().mount("/", routes![report, reload]).attach(CorsFairing::figment())
}
