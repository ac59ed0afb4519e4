//! The second snippet of the README recipe "Settings given in code", as the README shows it
//! (`tests/recipes.rs` checks that the README's text is in this file).

use cors_fairing::CorsFairing;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;

/// A default in code under Rocket.toml, and a value merged after it that the file cannot change.
fn app() -> rocket::Rocket<rocket::Build> {
    let default_origin = Serialized::default("cors.allow_origin", ["http://localhost:5173"]);
    let figment = Figment::from(default_origin)
        .merge(rocket::Config::figment())
        .merge(("cors.allow_credentials", true));
    rocket::custom(figment).attach(CorsFairing::figment())
}

/// The recipe's application with a route to ask, for the tests.
pub fn rocket() -> rocket::Rocket<rocket::Build> {
    app().mount("/", super::public_part::routes())
}
