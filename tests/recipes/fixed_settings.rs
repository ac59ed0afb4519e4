//! The first snippet of the README recipe "Settings given in code", as the README shows it
//! (`tests/recipes.rs` checks that the README's text is in this file).

use cors_fairing::{CorsFairing, Settings};

fn cors() -> CorsFairing {
    CorsFairing::from_settings(
        Settings::default().allow_origin(["http://localhost:5173"]).allow_credentials(true),
    )
}

/// The recipe's fairing, for the tests.
pub fn fairing() -> CorsFairing {
    cors()
}
