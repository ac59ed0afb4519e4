//! From a Rocket request to what the policy needs: the per-request snapshot and a
//! borrowed [`CorsRequest`].

use std::sync::Arc;

use arc_swap::ArcSwap;
use rocket::Request;
use rocket::http::Method;

use crate::policy::{CorsRequest, Field, Policy};

/// The policy one request sees from start to finish, however many reloads happen meanwhile.
struct Snapshot(Arc<Policy>);

/// Loads the policy once per request and keeps it in the request's local cache.
pub(crate) fn snapshot<'r>(req: &'r Request<'_>, policy: &ArcSwap<Policy>) -> &'r Policy {
    &req.local_cache(|| Snapshot(policy.load_full())).0
}

/// The CORS-relevant parts of `req`, borrowed.
pub(crate) fn cors_request<'r>(req: &'r Request<'_>) -> CorsRequest<'r> {
    let mut request = CorsRequest {
        method: req.method().as_str(),
        path: req.uri().path().as_str(),
        origin: field(req, "Origin"),
        ..CorsRequest::get("")
    };
    // Only a preflight carries the Access-Control-Request-* headers: skip the look-ups
    // on every other request.
    if req.method() == Method::Options {
        request.request_method = field(req, "Access-Control-Request-Method");
        request.request_headers = field(req, "Access-Control-Request-Headers");
        request.request_private_network =
            req.headers().get_one("Access-Control-Request-Private-Network") == Some("true");
    }
    request
}

fn field<'r>(req: &'r Request<'_>, name: &str) -> Field<'r> {
    let mut values = req.headers().get(name);
    match (values.next(), values.next()) {
        (None, _) => Field::Absent,
        (Some(value), None) => Field::One(value),
        (Some(_), Some(_)) => Field::Many,
    }
}
