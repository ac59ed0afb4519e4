//! The second snippet of the README recipe "Settings given in code", as the README shows it
//! (`tests/recipes.rs` checks that the README's text is in this file).

use cors_fairing::CorsFairing;
use rocket::figment::Figment;
use rocket::figment::providers::{Env, Serialized};

/// Rocket.toml and ROCKET_*, CORS_* over them, defaults in code under both.
fn figment() -> Figment {
    rocket::Config::figment()
        .merge(Env::prefixed("CORS_").map(|key| format!("cors.{key}").into()).global())
        .join(Serialized::default("cors.allow_origin", ["http://localhost:5173"]))
        .join(Serialized::default("cors.allow_credentials", true))
}

fn app() -> rocket::Rocket<rocket::Build> {
    rocket::custom(figment()).attach(CorsFairing::from_figment_fn(figment))
}

/// The recipe's application with a route to ask, for the tests.
pub fn rocket() -> rocket::Rocket<rocket::Build> {
    app().mount("/", super::public_part::routes())
}
