//! The code of the README recipe "A public part any origin may read, beside it", as the
//! README shows it (`tests/recipes.rs` checks the README's text is in this file).

#[rocket::get("/public/stats")]
fn stats() -> &'static str {
    "42 visitors"
}

/// The credentialed part beside it.
#[rocket::get("/api/me")]
fn me() -> &'static str {
    "me"
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![stats, me]
}
