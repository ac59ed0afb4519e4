//! The code of the README recipe "A public part any origin may read, beside it", as the
//! README shows it (`tests/recipes.rs` checks the README's text is in this file).

use rocket::http::Header;

/// A response any origin may read (without credentials).
#[derive(rocket::Responder)]
struct Public<T> {
    inner: T,
    allow_any_origin: Header<'static>,
}

#[rocket::get("/public/stats")]
fn stats() -> Public<&'static str> {
    let allow_any_origin = Header::new("Access-Control-Allow-Origin", "*");
    Public { inner: "42 visitors", allow_any_origin }
}

/// The credentialed part beside it.
#[rocket::get("/api/me")]
fn me() -> &'static str {
    "me"
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![stats, me]
}
