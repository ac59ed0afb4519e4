//! Header names: `allow_headers`, `expose_headers`, and the request's
//! `Access-Control-Request-Headers` list.

use super::interned::Rendered;
use crate::error::{ConfigError, ConfigWarning};
use crate::settings::Key;

/// The one request header `*` in `allow_headers` does not cover.
const AUTHORIZATION: &str = "Authorization";

/// The longest `Access-Control-Request-Headers` value the crate will read.
pub const MAX_REQUEST_HEADERS_LEN: usize = 4096;
/// The most names an `Access-Control-Request-Headers` list may hold.
pub const MAX_REQUEST_HEADER_NAMES: usize = 64;

/// An RFC 9110 token: what methods and header names are made of
/// (<https://www.rfc-editor.org/rfc/rfc9110#name-tokens>).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| TCHAR[usize::from(b)])
}

/// The token characters, as a byte table: every name of every preflight is checked.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric();
        b += 1;
    }
    let others = b"!#$%&'*+-.^_`|~";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

/// A configured list of header names, checked once, rendered once.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderNames {
    /// Lower-cased, for case-insensitive comparison.
    lower: Vec<Box<str>>,
    /// `*`: any name (only meaningful without credentials).
    any: bool,
    /// The header value, as configured, joined with `, `.
    pub(crate) rendered: Rendered,
}

impl HeaderNames {
    /// The names of `key`, or every problem with them (each item on its own). Names that
    /// load but cannot be what was meant go to `warnings`.
    pub(crate) fn compile(
        key: Key,
        names: &[&str],
        credentials: bool,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Result<Self, Vec<ConfigError>> {
        let mut lower = Vec::with_capacity(names.len());
        let mut any = false;
        let mut errors = Vec::new();
        for name in names {
            if *name == "*" {
                if credentials {
                    errors.push(
                        ConfigError::new(
                            key,
                            "*",
                            "with credentials browsers read `*` as a header literally named `*`",
                        )
                        .hint(match key {
                            Key::AllowHeaders => "list the headers, or use allow_all_headers",
                            _ => "list the headers by name",
                        }),
                    );
                }
                any = true;
                continue;
            }
            if !is_token(name) {
                errors.push(
                    ConfigError::new(key, *name, "not a valid header name")
                        .hint("header names are letters, digits and `-`, e.g. `X-Request-Id`"),
                );
                continue;
            }
            match (key, checked(key, name)) {
                (_, Checked::Refused(err)) => errors.push(err),
                (_, Checked::Warned(warning)) => warnings.push(warning),
                _ => {}
            }
            lower.push(name.to_ascii_lowercase().into_boxed_str());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(HeaderNames { lower, any, rendered: Rendered::new(names.join(", ")) })
    }

    /// Whether a request header named `name` is allowed, ignoring case. `*` never covers
    /// `Authorization` (<https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>):
    /// it must be listed by name, as browsers that follow the standard require. Browsers
    /// send the names lower-cased, so the bytes are compared as they are first.
    pub(crate) fn allows(&self, name: &str) -> bool {
        (self.any && !name.eq_ignore_ascii_case(AUTHORIZATION))
            || self.lower.iter().any(|allowed| {
                allowed.len() == name.len()
                    && (**allowed == *name || allowed.eq_ignore_ascii_case(name))
            })
    }

    /// `*` without `Authorization` listed beside it: a page's `Authorization` is refused.
    pub(crate) fn any_but_authorization(&self) -> bool {
        self.any && !self.lower.iter().any(|name| name.eq_ignore_ascii_case(AUTHORIZATION))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rendered.is_empty()
    }
}

fn is_forbidden_response_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2")
}

/// What one well-formed configured name is.
enum Checked {
    Fine,
    Refused(ConfigError),
    Warned(ConfigWarning),
}

/// The names no script can send or read where `key` lists them.
fn checked(key: Key, name: &str) -> Checked {
    let lower = name.to_ascii_lowercase();
    match key {
        Key::AllowHeaders if is_forbidden_request_header(&lower) => Checked::Refused(
            ConfigError::new(
                key,
                name,
                "a forbidden request-header name (Fetch standard): the browser sets it, no \
                 script can, so a preflight never asks for it",
            )
            .hint("remove it; only headers a page's script sets need to be allowed"),
        ),
        Key::AllowHeaders if lower.starts_with("access-control-") => {
            Checked::Warned(ConfigWarning::new(
                key,
                name,
                "a response header: a browser never asks to send it, so allowing it as a \
                 request header means nothing",
            ))
        }
        Key::ExposeHeaders if is_forbidden_response_header(name) => Checked::Refused(
            ConfigError::new(
                key,
                name,
                "browsers never let a page read this header, exposed or not",
            )
            .hint("remove it; cookies reach the page through document.cookie, not headers"),
        ),
        Key::ExposeHeaders if lower.starts_with("access-control-") => {
            Checked::Warned(ConfigWarning::new(
                key,
                name,
                "a CORS response header: the browser reads it itself and a page never needs it \
                 exposed",
            ))
        }
        _ => Checked::Fine,
    }
}

/// <https://fetch.spec.whatwg.org/#forbidden-request-header>: the names a script can never
/// set (lower-cased), and the `proxy-`/`sec-` prefixes. `Access-Control-Request-*` are the
/// preflight's own.
fn is_forbidden_request_header(lower: &str) -> bool {
    const NAMES: &[&str] = &[
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    NAMES.contains(&lower) || lower.starts_with("proxy-") || lower.starts_with("sec-")
}

/// Why an `Access-Control-Request-Headers` list was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListProblem<'a> {
    /// Longer than [`MAX_REQUEST_HEADERS_LEN`] or more than [`MAX_REQUEST_HEADER_NAMES`] names.
    TooLong,
    /// An element that is not a header name.
    Malformed,
    /// A well-formed name that is not allowed.
    NotAllowed(&'a str),
}

/// Walks a request's header list: bounded, every element a token, each accepted by `allowed`.
///
/// The work is bounded by [`MAX_REQUEST_HEADERS_LEN`] whatever the input; nothing is
/// allocated.
pub(crate) fn check_request_headers<'a>(
    value: &'a str,
    allowed: impl FnMut(&str) -> bool,
) -> Result<(), ListProblem<'a>> {
    check_request_lines(&[value], allowed)
}

/// The same for a list split over several lines: one list, one size budget
/// ([`MAX_REQUEST_HEADERS_LEN`] bytes and [`MAX_REQUEST_HEADER_NAMES`] names in all).
pub(crate) fn check_request_lines<'a>(
    lines: &[&'a str],
    mut allowed: impl FnMut(&str) -> bool,
) -> Result<(), ListProblem<'a>> {
    // Bounded by the caller's array of lines, so the sum cannot run long.
    if lines.iter().map(|line| line.len()).sum::<usize>() > MAX_REQUEST_HEADERS_LEN {
        return Err(ListProblem::TooLong);
    }
    let mut count = 0;
    for line in lines {
        check_line(line, &mut count, &mut allowed)?;
    }
    Ok(())
}

/// One line of the list, in one pass over its bytes: each element is optional whitespace,
/// a token, optional whitespace, then `,` or the end. `a, , b` is tolerated by the list
/// grammar; an empty list is too. `count` carries the names of the lines before.
fn check_line<'a>(
    line: &'a str,
    count: &mut usize,
    allowed: &mut impl FnMut(&str) -> bool,
) -> Result<(), ListProblem<'a>> {
    let bytes = line.as_bytes();
    let is_ows = |at: usize| bytes.get(at).is_some_and(|b| *b == b' ' || *b == b'\t');
    let mut at = 0;
    loop {
        while is_ows(at) {
            at += 1;
        }
        let start = at;
        while bytes.get(at).is_some_and(|b| TCHAR[usize::from(*b)]) {
            at += 1;
        }
        let name = &line[start..at];
        while is_ows(at) {
            at += 1;
        }
        let well_formed = at == bytes.len() || bytes[at] == b',';
        if !(well_formed && name.is_empty()) {
            *count += 1;
            if *count > MAX_REQUEST_HEADER_NAMES {
                return Err(ListProblem::TooLong);
            }
            if !well_formed || name.is_empty() {
                return Err(ListProblem::Malformed);
            }
            if !allowed(name) {
                return Err(ListProblem::NotAllowed(name));
            }
        }
        if at == bytes.len() {
            return Ok(());
        }
        at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_header_list_is_checked_element_by_element() {
        let allowed = HeaderNames::compile(
            Key::AllowHeaders,
            &["Content-Type", "X-Token"],
            false,
            &mut Vec::new(),
        )
        .unwrap();
        let check = |v| check_request_headers(v, |n| allowed.allows(n));
        assert_eq!(check("content-type,x-token"), Ok(()));
        assert_eq!(check("Content-Type , X-TOKEN"), Ok(()));
        assert_eq!(check(""), Ok(()));
        assert_eq!(check("x-other"), Err(ListProblem::NotAllowed("x-other")));
        assert_eq!(check("x-token\r\nx: y"), Err(ListProblem::Malformed));
        assert_eq!(check("x token"), Err(ListProblem::Malformed));
        let many = vec!["x-token"; 65].join(",");
        assert_eq!(check(&many), Err(ListProblem::TooLong));
        assert_eq!(check(&"a".repeat(5000)), Err(ListProblem::TooLong));
    }

    #[test]
    fn hostile_lists_cost_a_bounded_number_of_look_ups() {
        fn count(value: &str) -> (Result<(), ListProblem<'_>>, usize) {
            let mut asked = 0;
            let verdict = check_request_headers(value, |_| {
                asked += 1;
                true
            });
            (verdict, asked)
        }
        let ten_thousand = vec!["x-a"; 10_000].join(",");
        assert_eq!(count(&ten_thousand), (Err(ListProblem::TooLong), 0));
        assert_eq!(count(&"x".repeat(64 * 1024)), (Err(ListProblem::TooLong), 0));
        // The longest list that passes the length check asks about at most 64 names.
        let just_fits = vec!["a"; MAX_REQUEST_HEADERS_LEN / 2].join(",");
        assert!(just_fits.len() <= MAX_REQUEST_HEADERS_LEN);
        assert_eq!(count(&just_fits), (Err(ListProblem::TooLong), MAX_REQUEST_HEADER_NAMES));
        assert_eq!(count(&",".repeat(MAX_REQUEST_HEADERS_LEN)), (Ok(()), 0));
    }

    #[test]
    fn split_lines_are_one_list_within_one_budget() {
        let allowed =
            HeaderNames::compile(Key::AllowHeaders, &["X-A", "X-B"], false, &mut Vec::new())
                .unwrap();
        let check = |lines: &[&'static str]| check_request_lines(lines, |n| allowed.allows(n));
        assert_eq!(check(&["x-a", "x-b"]), Ok(()));
        assert_eq!(check(&["x-a", "", "x-b, x-a"]), Ok(()));
        assert_eq!(check(&["x-a", "x-c"]), Err(ListProblem::NotAllowed("x-c")));
        assert_eq!(check(&["x-a", "x b"]), Err(ListProblem::Malformed));
        // The budget is shared: each line fits alone, not together.
        let half: &'static str = vec!["x-a"; 40].join(",").leak();
        assert_eq!(check(&[half]), Ok(()));
        assert_eq!(check(&[half, half]), Err(ListProblem::TooLong));
        let long: &'static str = "x".repeat(MAX_REQUEST_HEADERS_LEN / 2 + 1).leak();
        assert_eq!(check_request_lines(&[long], |_| true), Ok(()));
        assert_eq!(check_request_lines(&[long, long], |_| true), Err(ListProblem::TooLong));
    }

    #[test]
    fn config_names_are_validated() {
        assert!(
            HeaderNames::compile(Key::AllowHeaders, &["X Bad"], false, &mut Vec::new()).is_err()
        );
        assert!(HeaderNames::compile(Key::AllowHeaders, &["*"], true, &mut Vec::new()).is_err());
        assert!(
            HeaderNames::compile(Key::ExposeHeaders, &["Set-Cookie"], false, &mut Vec::new())
                .is_err()
        );
        let any = HeaderNames::compile(Key::AllowHeaders, &["*"], false, &mut Vec::new()).unwrap();
        assert!(any.allows("x-anything"));
        assert!(!any.allows("authorization"), "`*` never covers Authorization");
        assert!(any.any_but_authorization());
        let both = HeaderNames::compile(
            Key::AllowHeaders,
            &["*", "Authorization"],
            false,
            &mut Vec::new(),
        )
        .unwrap();
        assert!(both.allows("x-anything") && both.allows("AUTHORIZATION"));
        assert!(!both.any_but_authorization());
        assert_eq!(&*both.rendered, "*, Authorization");
    }
}
