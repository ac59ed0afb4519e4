//! CORS for Rocket 0.5, configured the way operators configure everything else: in
//! `Rocket.toml` or environment variables, with the keys of the original django-cors
//! middleware, and changed on a running server by editing the file.
//!
//! # Quick start
//!
//! ```no_run
//! #[rocket::get("/api/items")]
//! fn items() -> &'static str { "[]" }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build()
//!         .mount("/", rocket::routes![items])
//!         .attach(cors_fairing::CorsFairing::figment())
//! }
//! ```
//!
//! ```toml
//! # Rocket.toml
//! [default.cors]
//! allow_origin = ["https://app.example.com", "https://*.example.org"]
//! allow_methods = ["GET", "PUT", "DELETE"]
//! allow_credentials = true
//! expose_headers = ["X-Request-Id"]
//! max_age = 600
//! ```
//!
//! or, with the same meaning, `CORS_ALLOW_ORIGIN="https://app.example.com"`,
//! `CORS_ALLOW_METHODS="GET, PUT, DELETE"`, ... in the environment.
//!
//! # How a request is answered
//!
//! Settings are read through Figment into [`Settings`], validated and rendered once by
//! [`Policy::compile`], and kept in an [`arc_swap::ArcSwap`]. Each request takes one
//! snapshot of the policy and asks it for a [`Decision`]: which header lines to write.
//! The values are borrowed from the policy or the request, so answering allocates no
//! strings.
//!
//! ```
//! use cors_fairing::{CorsRequest, Field, Policy, Settings};
//!
//! let policy = Policy::compile(&Settings {
//!     allow_origin: vec!["https://app.example.com".into()],
//!     max_age: Some(600),
//!     ..Settings::default()
//! })?;
//!
//! // A preflight from an allowed origin gets the preflight headers...
//! let preflight = CorsRequest::preflight("/api/items", "https://app.example.com", "PUT");
//! let lines = policy.decide(&preflight).lines();
//! assert_eq!(lines.get("Access-Control-Allow-Methods"), Some("GET, HEAD, POST, PUT, PATCH, DELETE"));
//! assert_eq!(lines.get("Access-Control-Max-Age"), Some("600"));
//!
//! // ...one from anywhere else only `Vary`, and the browser refuses.
//! let evil = CorsRequest::preflight("/api/items", "https://evil.example", "PUT");
//! let decision = policy.decide(&evil);
//! assert!(!decision.is_allowed());
//! assert_eq!(decision.lines().get("Access-Control-Allow-Origin"), None);
//! assert_eq!(decision.lines().get("Vary"), Some("Origin, Access-Control-Request-Method"));
//! # Ok::<(), cors_fairing::ConfigError>(())
//! ```
//!
//! Preflights (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) are answered
//! by a catch-all `OPTIONS /<_..>` route ranked below every application route; the
//! headers themselves are written by the fairing's `on_response`, so they also reach
//! catcher output (404, 500) and application `OPTIONS` routes.
//!
//! # Errors name the key, the value and the source
//!
//! An invalid configuration stops the launch:
//!
//! ```text
//! Error: invalid CORS setting `allow_origin` = "https://app.example.com/" (from [default.cors]
//!        in /srv/app/Rocket.toml): an origin is scheme://host[:port], without a trailing `/`;
//!        hint: write "https://app.example.com"
//! ```
//!
//! # Modules
//!
//! The data flows one way: [`settings`] (the serde model) -> [`sources`] (the Figment and
//! provenance) -> [`policy`] (validation and the decision, no Rocket) -> the fairing, the
//! preflight route and the [`CorsHandle`].

#![warn(missing_docs)]
// ConfigError is big on purpose (key, value, source, hint) and only travels at load time.
#![allow(clippy::result_large_err)]

mod banner;
pub mod error;
mod fairing;
mod handle;
pub mod policy;
mod preflight;
pub mod reload;
mod request;
pub mod settings;
pub mod sources;

pub use banner::EffectiveSetting;
pub use error::{ConfigError, ConfigWarning, Source};
pub use fairing::CorsFairing;
pub use handle::CorsHandle;
pub use policy::{CorsRequest, Decision, Field, HeaderLines, Policy, Refusal, Verdict};
pub use reload::{ReloadOutcome, ReloadStatus};
pub use settings::Settings;
