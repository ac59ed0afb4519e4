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

/// The most `Access-Control-Request-Headers` lines the crate reads; a preflight with more is
/// refused unread ([`crate::policy::Refusal::HeadersTooLong`]).
pub const MAX_REQUEST_HEADER_LINES: usize = 8;

/// `Access-Control-Request-Headers` as sent: absent, one line, or a list split over several
/// lines, which HTTP allows (<https://www.rfc-editor.org/rfc/rfc9110#section-5.3>) and some
/// proxies do. The lines are judged as one list, within one size budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestHeaders<'r> {
    lines: [&'r str; MAX_REQUEST_HEADER_LINES],
    /// How many lines were sent: beyond the array, they were counted, not kept.
    sent: usize,
}

impl<'r> RequestHeaders<'r> {
    /// Not sent.
    pub const ABSENT: RequestHeaders<'static> =
        RequestHeaders { lines: [""; MAX_REQUEST_HEADER_LINES], sent: 0 };

    /// The lines, in the order they were sent (at most [`MAX_REQUEST_HEADER_LINES`]).
    pub fn lines(&self) -> &[&'r str] {
        &self.lines[..self.sent.min(MAX_REQUEST_HEADER_LINES)]
    }

    /// Not sent at all.
    pub fn is_absent(&self) -> bool {
        self.sent == 0
    }

    /// One more line, as sent.
    pub fn push(&mut self, line: &'r str) {
        if let Some(slot) = self.lines.get_mut(self.sent) {
            *slot = line;
        }
        self.sent = self.sent.saturating_add(1);
    }

    /// More lines were sent than the crate reads.
    pub(crate) fn too_many(&self) -> bool {
        self.sent > MAX_REQUEST_HEADER_LINES
    }
}

impl<'r> From<&'r str> for RequestHeaders<'r> {
    /// One line.
    fn from(line: &'r str) -> Self {
        let mut headers = RequestHeaders::ABSENT;
        headers.push(line);
        headers
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
    /// `Access-Control-Request-Headers`, every line of it.
    pub request_headers: RequestHeaders<'r>,
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
            request_headers: RequestHeaders::ABSENT,
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
