//! The README recipe "See what the fairing is doing": the counters, the reload record and
//! the fingerprint as JSON.

use cors_fairing::CorsHandle;
use rocket::serde::json::{Json, Value, json};
use rocket::{State, get};

/// What the fairing is doing, as JSON: the fingerprint of the policy in force (the same on
/// every replica that serves it), the reload record, and what it answered since launch.
/// Put it behind your admin authentication, as `examples/admin.rs` does.
#[get("/admin/cors/stats")]
pub fn cors_stats(cors: &State<CorsHandle>) -> Json<Value> {
    Json(json!({
        "fingerprint": cors.policy().fingerprint(),
        "reload": *cors.status().borrow(),
        "stats": cors.stats(),
    }))
}
