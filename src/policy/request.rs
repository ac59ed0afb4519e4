//! What the policy needs to know of a request, borrowed from it: its method, path, and the
//! headers of the CORS protocol (<https://fetch.spec.whatwg.org/#http-requests>).

/// A request header as the policy sees it: absent, once, or more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field<'r> {
    /// Not sent.
    #[default]
    Absent,
    /// Sent once, with this value.
    One(&'r str),
    /// Sent more than once: never trusted.
    Many,
}

impl<'r> Field<'r> {
    /// The value when sent exactly once.
    pub(crate) fn one(self) -> Option<&'r str> {
        match self {
            Field::One(value) => Some(value),
            Field::Absent | Field::Many => None,
        }
    }
}

/// What the policy needs to know of a request, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorsRequest<'r> {
    /// The method, e.g. `GET` or `OPTIONS`.
    pub method: &'r str,
    /// The request path, as sent (`paths` judges its decoded, non-empty segments, as Rocket
    /// routes it).
    pub path: &'r str,
    /// `Origin`.
    pub origin: Field<'r>,
    /// `Access-Control-Request-Method`.
    pub request_method: Field<'r>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: Field<'r>,
    /// `Access-Control-Request-Private-Network: true` was sent.
    pub request_private_network: bool,
}

impl<'r> CorsRequest<'r> {
    /// A `GET` of `path` with no CORS headers: a starting point for `..` updates.
    pub fn get(path: &'r str) -> Self {
        CorsRequest {
            method: "GET",
            path,
            origin: Field::Absent,
            request_method: Field::Absent,
            request_headers: Field::Absent,
            request_private_network: false,
        }
    }

    /// A preflight of `path` from `origin` for `method`.
    pub fn preflight(path: &'r str, origin: &'r str, method: &'r str) -> Self {
        CorsRequest {
            method: "OPTIONS",
            origin: Field::One(origin),
            request_method: Field::One(method),
            ..CorsRequest::get(path)
        }
    }

    /// A CORS-preflight request: `OPTIONS` with `Origin` and `Access-Control-Request-Method`
    /// (<https://fetch.spec.whatwg.org/#cors-preflight-request>).
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self.origin != Field::Absent
            && self.request_method != Field::Absent
    }
}
