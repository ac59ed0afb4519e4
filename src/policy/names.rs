//! Every header name the crate reads or writes, spelt once. The fairing, the preflight
//! route and the request parser use these too.
//!
//! The CORS protocol's headers: <https://fetch.spec.whatwg.org/#http-cors-protocol>;
//! Private Network Access: <https://wicg.github.io/private-network-access/#headers>.

/// The request's origin.
pub(crate) const ORIGIN: &str = "Origin";
/// The method a preflight asks for.
pub(crate) const REQUEST_METHOD: &str = "Access-Control-Request-Method";
/// The headers a preflight asks for.
pub(crate) const REQUEST_HEADERS: &str = "Access-Control-Request-Headers";
/// A preflight asking to reach a more private network.
pub(crate) const REQUEST_PRIVATE_NETWORK: &str = "Access-Control-Request-Private-Network";
/// Where the browser says a request comes from (Fetch Metadata), read by cross-origin
/// protection: <https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header>.
pub(crate) const FETCH_SITE: &str = "Sec-Fetch-Site";

pub(crate) const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
pub(crate) const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";
pub(crate) const ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
pub(crate) const ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
pub(crate) const EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
pub(crate) const MAX_AGE: &str = "Access-Control-Max-Age";
pub(crate) const ALLOW_PRIVATE_NETWORK: &str = "Access-Control-Allow-Private-Network";
/// Resource Timing's opt-in: <https://w3c.github.io/resource-timing/#sec-timing-allow-origin>.
pub(crate) const TIMING_ALLOW_ORIGIN: &str = "Timing-Allow-Origin";
/// Appended, never set: see [`super::vary`].
pub(crate) const VARY: &str = "Vary";
