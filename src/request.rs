//! From a Rocket request to what the policy needs: a borrowed [`CorsRequest`]. The one
//! reader of the request's `Origin`, for the fairing, the origin check's hook and the
//! guards alike.

use std::borrow::Cow;

use rocket::Request;
use rocket::http::Method;

use crate::policy::names::{
    FETCH_SITE, ORIGIN, REQUEST_HEADERS, REQUEST_METHOD, REQUEST_PRIVATE_NETWORK,
};
use crate::policy::{CorsRequest, Field, Site};

/// The CORS-relevant parts of `req`, borrowed.
pub(crate) fn cors_request<'r>(req: &'r Request<'_>) -> CorsRequest<'r> {
    // Only a preflight carries the Access-Control-Request-* headers: ignore them elsewhere.
    scan(req, req.method() == Method::Options)
}

/// The request's `Origin`: absent, sent once, or sent more than once.
pub(crate) fn origin<'r>(req: &'r Request<'_>) -> Field<'r> {
    scan(req, false).origin
}

/// What cross-origin protection reads: `Origin`, `Sec-Fetch-Site` and the host the
/// request was sent to, in one pass over the headers.
pub(crate) fn site<'r>(req: &'r Request<'_>) -> Site<'r> {
    let mut site = Site {
        origin: Field::Absent,
        fetch_site: Field::Absent,
        host: req.host().map(|host| (host.domain().as_str(), host.port())),
    };
    for header in req.headers().iter() {
        let name = header.name.as_str();
        let field = match name.len() {
            ORIGIN_LEN if name.eq_ignore_ascii_case(ORIGIN) => &mut site.origin,
            FETCH_SITE_LEN if name.eq_ignore_ascii_case(FETCH_SITE) => &mut site.fetch_site,
            _ => continue,
        };
        *field = match (&field, header.value) {
            (Field::Absent, Cow::Borrowed(value)) => Field::One(value),
            // HeaderMap::iter lends every value; should that ever change, look it up.
            (Field::Absent, Cow::Owned(_)) => match req.headers().get_one(name) {
                Some(value) => Field::One(value),
                None => Field::Many,
            },
            _ => Field::Many,
        };
    }
    site
}

/// One pass over the request's headers, names compared length first, instead of a look-up
/// per name (see docs/performance.md, "One pass over the headers").
fn scan<'r>(req: &'r Request<'_>, preflight: bool) -> CorsRequest<'r> {
    let mut request = CorsRequest {
        method: req.method().as_str(),
        path: req.uri().path().as_str(),
        ..CorsRequest::get("")
    };
    let mut private_network = Field::Absent;
    for header in req.headers().iter() {
        let Cow::Borrowed(value) = header.value else {
            // HeaderMap::iter lends every value; should that ever change, look them up.
            return looked_up(req, request, preflight);
        };
        let name = header.name.as_str();
        let field = match name.len() {
            ORIGIN_LEN if name.eq_ignore_ascii_case(ORIGIN) => &mut request.origin,
            REQUEST_METHOD_LEN if preflight && name.eq_ignore_ascii_case(REQUEST_METHOD) => {
                &mut request.request_method
            }
            REQUEST_HEADERS_LEN if preflight && name.eq_ignore_ascii_case(REQUEST_HEADERS) => {
                // Every line: a list may be split over several (judged as one).
                request.request_headers.push(value);
                continue;
            }
            REQUEST_PRIVATE_NETWORK_LEN
                if preflight && name.eq_ignore_ascii_case(REQUEST_PRIVATE_NETWORK) =>
            {
                &mut private_network
            }
            _ => continue,
        };
        *field = match field {
            Field::Absent => Field::One(value),
            _ => Field::Many,
        };
    }
    // Only the first value counts, as with `HeaderMap::get_one`.
    request.request_private_network = match private_network {
        Field::Absent => false,
        Field::One(value) => value == "true",
        Field::Many => req.headers().get_one(REQUEST_PRIVATE_NETWORK) == Some("true"),
    };
    request
}

// The lengths the scan compares first, as patterns.
const ORIGIN_LEN: usize = ORIGIN.len();
const REQUEST_METHOD_LEN: usize = REQUEST_METHOD.len();
const REQUEST_HEADERS_LEN: usize = REQUEST_HEADERS.len();
const REQUEST_PRIVATE_NETWORK_LEN: usize = REQUEST_PRIVATE_NETWORK.len();
const FETCH_SITE_LEN: usize = FETCH_SITE.len();

/// The same fields through the header map's look-ups.
fn looked_up<'r>(
    req: &'r Request<'_>,
    mut request: CorsRequest<'r>,
    preflight: bool,
) -> CorsRequest<'r> {
    request.origin = field(req, ORIGIN);
    if preflight {
        request.request_method = field(req, REQUEST_METHOD);
        req.headers().get(REQUEST_HEADERS).for_each(|line| request.request_headers.push(line));
        request.request_private_network =
            req.headers().get_one(REQUEST_PRIVATE_NETWORK) == Some("true");
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
