//! The example server: a small JSON API behind the CORS fairing, configured by the
//! `[default.cors]` table of the checked-in `Rocket.toml`.
//!
//! ```sh
//! cargo run --example server
//! curl -i -X OPTIONS http://127.0.0.1:8000/api/items \
//!      -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: PUT'
//! curl -i http://127.0.0.1:8000/api/status
//! ```

use cors_fairing::CorsHandle;
use rocket::http::Status;
use rocket::serde::json::{Json, Value, json};
use rocket::{State, delete, get, launch, put, routes};

#[get("/")]
fn index() -> &'static str {
    "cors-fairing example server\n"
}

#[get("/api/items")]
fn list_items() -> Json<[&'static str; 2]> {
    Json(["apple", "pear"])
}

#[put("/api/items", data = "<items>")]
fn put_items(items: Json<Vec<String>>) -> Value {
    json!({ "stored": items.len() })
}

#[delete("/api/items/<id>")]
fn delete_item(id: u32) -> Value {
    json!({ "deleted": id })
}

#[get("/api/fail")]
fn fail() -> Status {
    Status::InternalServerError
}

/// The policy in force and the reload counters.
#[get("/api/status")]
fn status(cors: &State<CorsHandle>) -> Value {
    let reloads = cors.status().borrow().clone();
    json!({
        "fingerprint": cors.policy().fingerprint().to_string(),
        "generation": reloads.generation,
        "attempts": reloads.attempts,
        "swaps": reloads.swaps,
        "unchanged": reloads.unchanged,
        "errors": reloads.errors,
        "last_error": reloads.last_error,
        "skipped": reloads.skipped,
    })
}

// `pub` so that tests/recipes.rs can launch this very server.
#[launch]
pub fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![index, list_items, put_items, delete_item, fail, status])
        .attach(cors_fairing::CorsFairing::figment())
}
