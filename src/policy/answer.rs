//! The answer: what the fairing writes on a response, rendered from a [`Ruling`] by the
//! policy that made it.

use std::fmt;

use super::decision::{CorsRequest, Field, Grant, Ruling};
use super::names::{
    ALLOW_CREDENTIALS, ALLOW_HEADERS, ALLOW_METHODS, ALLOW_ORIGIN, ALLOW_PRIVATE_NETWORK,
    EXPOSE_HEADERS, MAX_AGE, VARY,
};
use super::origin::AllowOrigin;
use super::{Policy, vary};

/// The decision as the fairing writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Returned by value and written at once, like a `Decision`; boxing the lines would allocate
// on every answer.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Answer<'a> {
    /// No header at all.
    Nothing,
    /// `Vary` alone, appended: a static string, so nothing has to be kept to write it.
    Vary(&'static str),
    /// Header lines borrowed from the policy or the request; `Vary` among them is appended,
    /// the others set.
    Lines(HeaderLines<'a>),
}

impl<'a> Answer<'a> {
    /// The answer as lines, `Vary` included.
    pub(crate) fn lines(self) -> HeaderLines<'a> {
        let mut lines = HeaderLines::new();
        match self {
            Answer::Nothing => {}
            Answer::Vary(value) => lines.push(VARY, value),
            Answer::Lines(all) => lines = all,
        }
        lines
    }
}

/// Up to eight header lines, borrowed from the policy or the request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HeaderLines<'a> {
    lines: [(&'static str, &'a str); 8],
    len: usize,
}

impl<'a> HeaderLines<'a> {
    pub(super) const fn new() -> Self {
        HeaderLines { lines: [("", ""); 8], len: 0 }
    }

    pub(super) fn push(&mut self, name: &'static str, value: &'a str) {
        self.lines[self.len] = (name, value);
        self.len += 1;
    }

    /// The lines in the order they are written.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'a str)> + '_ {
        self.lines[..self.len].iter().copied()
    }

    /// The value of the named line (names as the crate writes them, compared ignoring case).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No lines at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for HeaderLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Policy {
    /// The answer to `request` for a ruling this policy made about it.
    pub(crate) fn answer<'a>(&'a self, ruling: Ruling, request: &CorsRequest<'a>) -> Answer<'a> {
        let Grant { preflight, origin } = match ruling.static_answer() {
            Ok(answer) => return answer,
            Err(grant) => grant,
        };
        if let Some(verbatim) = &self.verbatim {
            return Answer::Lines(verbatim.lines(self, request));
        }
        let mut lines = HeaderLines::new();
        lines.push(
            ALLOW_ORIGIN,
            match origin {
                AllowOrigin::Any => "*",
                // Judged allowed, so sent once.
                AllowOrigin::Reflect => request.origin.one().unwrap_or_default(),
            },
        );
        if self.credentials {
            lines.push(ALLOW_CREDENTIALS, "true");
        }
        if preflight {
            self.preflight_lines(request, &mut lines);
        } else {
            if !self.expose.is_empty() {
                lines.push(EXPOSE_HEADERS, &self.expose.rendered);
            }
            lines.push(VARY, vary::ACTUAL);
        }
        Answer::Lines(lines)
    }

    /// The lines of an allowed preflight after `Access-Control-Allow-Origin` and
    /// `-Credentials`; the requested headers were checked when it was judged.
    fn preflight_lines<'a>(&'a self, request: &CorsRequest<'a>, lines: &mut HeaderLines<'a>) {
        let reflect = self.settings.allow_all_headers;
        lines.push(ALLOW_METHODS, &self.methods.rendered);
        match request.request_headers {
            Field::One(list) if reflect && !list.is_empty() => lines.push(ALLOW_HEADERS, list),
            Field::One(_) if !reflect && !self.headers.is_empty() => {
                lines.push(ALLOW_HEADERS, &self.headers.rendered)
            }
            _ => {}
        }
        if let Some(age) = &self.max_age {
            lines.push(MAX_AGE, age);
        }
        if request.request_private_network && self.settings.allow_private_network {
            lines.push(ALLOW_PRIVATE_NETWORK, "true");
        }
        lines.push(VARY, if reflect { vary::PREFLIGHT_REFLECTING } else { vary::PREFLIGHT });
    }
}
