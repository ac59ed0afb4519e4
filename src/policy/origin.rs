//! Origins: normalising the configured ones, and matching a request's `Origin` against them.
//!
//! Configured origins are normalised once (lower-case scheme and host, default port
//! dropped); request origins are then compared byte for byte, because browsers always send
//! the canonical serialisation. Anything else in a request is simply not allowed.

use std::net::{Ipv4Addr, Ipv6Addr};

use regex::Regex;

use crate::error::{ConfigError, ConfigWarning};

/// The longest request `Origin` the crate looks at; longer ones are refused unread.
pub const MAX_ORIGIN_LEN: usize = 2048;

/// What `Access-Control-Allow-Origin` should say for an allowed origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllowOrigin {
    /// `*`: any origin, no credentials.
    Any,
    /// The request's own origin.
    Reflect,
}

/// `https://*.example.com`: the scheme part and the suffix after the `*`.
#[derive(Debug, Clone)]
struct Wildcard {
    prefix: Box<str>,
    suffix: Box<str>,
}

impl Wildcard {
    fn matches(&self, origin: &str) -> bool {
        let Some(rest) = origin.strip_prefix(&*self.prefix) else {
            return false;
        };
        let Some(labels) = rest.strip_suffix(&*self.suffix) else {
            return false;
        };
        !labels.is_empty() && labels.split('.').all(is_host_label)
    }
}

/// The compiled `allow_origin`, `allow_origin_regex` and `allow_all_origin`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    any: bool,
    reflect_all: bool,
    null: bool,
    exact: Vec<Box<str>>,
    wildcards: Vec<Wildcard>,
    /// Every `allow_origin_regex`, anchored, as one alternation: one pass of one automaton
    /// (a `RegexSet` would also track which pattern matched, which no one asks).
    regexes: Option<Regex>,
}

impl Origins {
    pub(crate) fn compile(
        allow_origin: &[String],
        regexes: &[String],
        allow_all_origin: bool,
        credentials: bool,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Result<Origins, ConfigError> {
        let mut origins = Origins { reflect_all: allow_all_origin, ..Origins::default() };
        for value in allow_origin {
            let pattern = parse_config_origin(value)?;
            warnings.extend(pattern_warning(value, &pattern, credentials));
            match pattern {
                Pattern::Any => origins.any = true,
                Pattern::Null => origins.null = true,
                Pattern::Exact(origin) => origins.exact.push(origin.into()),
                Pattern::Wildcard { prefix, suffix } => origins
                    .wildcards
                    .push(Wildcard { prefix: prefix.into(), suffix: suffix.into() }),
            }
        }
        if origins.any {
            if let Some(other) = allow_origin.iter().find(|o| o.as_str() != "*") {
                return Err(ConfigError::new(
                    "allow_origin",
                    other.as_str(),
                    "`*` allows every origin, so listing other origins beside it is a mistake",
                )
                .hint("keep either `*` alone or only the listed origins"));
            }
            if credentials {
                return Err(ConfigError::new(
                    "allow_origin",
                    "*",
                    "browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests",
                )
                .hint(
                    "list the origins that may send credentials, or turn allow_credentials off",
                ));
            }
        }
        origins.exact.sort();
        origins.exact.dedup();
        origins.regexes = compile_regexes(regexes, warnings)?;
        if allow_all_origin && credentials {
            warnings.push(ConfigWarning::new(
                "allow_all_origin",
                "true",
                "with allow_credentials every site can read credentialed responses \
                 (the original middleware allowed this; it is almost never what you want)",
            ));
        }
        Ok(origins)
    }

    /// Whether `origin` (one request `Origin` header value) is allowed, and how to say so.
    pub(crate) fn check(&self, origin: &str) -> Option<AllowOrigin> {
        if origin == "null" {
            // Sandboxed frames, `data:` URLs and redirects all send `null`: never implied.
            return self.null.then_some(AllowOrigin::Reflect);
        }
        if self.exact_match(origin) {
            return Some(AllowOrigin::Reflect);
        }
        if !is_well_formed(origin) {
            return None;
        }
        if self.reflect_all
            || self.wildcards.iter().any(|w| w.matches(origin))
            || self.regexes.as_ref().is_some_and(|regex| regex.is_match(origin))
        {
            return Some(AllowOrigin::Reflect);
        }
        self.any.then_some(AllowOrigin::Any)
    }

    fn exact_match(&self, origin: &str) -> bool {
        // A handful of origins is the common case: a scan beats hashing there.
        if self.exact.len() <= 8 {
            self.exact.iter().any(|o| **o == *origin)
        } else {
            self.exact.binary_search_by(|o| (**o).cmp(origin)).is_ok()
        }
    }

    /// True when no origin can ever be allowed.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any
            && !self.reflect_all
            && !self.null
            && self.exact.is_empty()
            && self.wildcards.is_empty()
            && self.regexes.is_none()
    }
}

/// Entries that load but open more than their author probably meant.
fn pattern_warning(value: &str, pattern: &Pattern, credentials: bool) -> Option<ConfigWarning> {
    let warn = |message: &str| Some(ConfigWarning::new("allow_origin", value, message));
    match pattern {
        Pattern::Null => warn(
            "any site can send `Origin: null` (from a sandboxed iframe or a data: URL), so \
             listing `null` lets every site in",
        ),
        Pattern::Exact(origin) if credentials && is_insecure(origin) => warn(
            "a plain-http page can be rewritten by anyone on its network, who can then read \
             credentialed responses; list the https origin",
        ),
        Pattern::Wildcard { prefix, .. } if credentials && prefix == "http://" => warn(
            "plain-http subdomains can be rewritten by anyone on their network, who can then \
             read credentialed responses; use https",
        ),
        _ => None,
    }
}

/// `http://` and not the local machine (where a developer's own server runs).
fn is_insecure(origin: &str) -> bool {
    let Some(authority) = origin.strip_prefix("http://") else {
        return false;
    };
    // A normalised origin: its authority always splits.
    let host = split_port(authority).map_or(authority, |(host, _)| host);
    !(host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.starts_with("127."))
}

fn compile_regexes(
    patterns: &[String],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<Regex>, ConfigError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut grouped = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        let invalid = |err: regex::Error| {
            ConfigError::new(
                "allow_origin_regex",
                pattern.as_str(),
                format!("not a valid regex: {}", one_line(&err.to_string())),
            )
            .hint("the syntax is that of the `regex` crate; escape dots as `\\.`")
        };
        // Parsed alone first: `a)|(b` is not a regex, but wrapped in `^(?:...)$` it would
        // become the unanchored alternation `^(?:a)|(b)$`.
        Regex::new(pattern).map_err(invalid)?;
        let whole = format!("^(?:{pattern})$");
        let regex = Regex::new(&whole).map_err(invalid)?;
        if let Some(warning) = regex_warning(pattern, &regex) {
            warnings.push(warning);
        }
        grouped.push(format!("(?:{pattern})"));
    }
    let combined = Regex::new(&format!("^(?:{})$", grouped.join("|"))).map_err(|err| {
        ConfigError::new(
            "allow_origin_regex",
            patterns.join(", "),
            format!("the regexes together are too large: {}", one_line(&err.to_string())),
        )
    })?;
    Ok(Some(combined))
}

/// Regexes that are probably not what their author meant.
fn regex_warning(pattern: &str, regex: &regex::Regex) -> Option<ConfigWarning> {
    let warn = |message: &str| Some(ConfigWarning::new("allow_origin_regex", pattern, message));
    let probes = ["https://evil.invalid", "http://a", "https://example.com.evil.invalid"];
    if probes.iter().all(|p| regex.is_match(p)) {
        return warn("matches every origin; use allow_all_origin if that is what you mean");
    }
    if let Some(end) = loose_end(pattern) {
        return warn(&format!(
            "{end}, as if the regex were searched for; it is matched against the whole \
             origin, so this lets in origins such as `https://evilexample.com` or \
             `https://example.com.evil.net`: spell the scheme and host out"
        ));
    }
    if has_unescaped_dot(pattern) {
        return warn(
            "has an unescaped `.`, which matches any character (`example.com` also matches \
             `exampleXcom`); write `\\.`",
        );
    }
    None
}

/// A leading or trailing `.*` / `.+`: the habit of someone who expects a search.
fn loose_end(pattern: &str) -> Option<&'static str> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').filter(|b| !b.ends_with('\\')).unwrap_or(body);
    let loose = [".*", ".+", "(.*)", "(.+)"];
    if loose.iter().any(|l| body.starts_with(l)) {
        return Some("starts with `.*` or `.+`");
    }
    if loose.iter().any(|l| body.ends_with(l) && !body.ends_with(&format!("\\{l}"))) {
        return Some("ends with `.*` or `.+`");
    }
    None
}

/// A `.` outside a class, not escaped and not quantified: meant as a literal dot.
fn has_unescaped_dot(pattern: &str) -> bool {
    let mut escaped = false;
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '.' if !in_class && !matches!(chars.peek(), Some('*' | '+' | '?' | '{')) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One `allow_origin` entry, normalised.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    Any,
    Null,
    Exact(String),
    Wildcard { prefix: String, suffix: String },
}

/// Parses and normalises one configured origin.
pub(crate) fn parse_config_origin(value: &str) -> Result<Pattern, ConfigError> {
    let error = |reason: &str| ConfigError::new("allow_origin", value, reason);
    if value == "*" {
        return Ok(Pattern::Any);
    }
    if value.eq_ignore_ascii_case("null") {
        return Ok(Pattern::Null);
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(error("an origin needs a scheme").hint(scheme_hint(value)));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(error("only http and https origins can be listed (and `null`)").hint(
            "other schemes (browser extensions, apps) can be matched with allow_origin_regex",
        ));
    }
    if let Some(cut) = rest.find(['/', '?', '#']) {
        let what = match &rest[cut..] {
            "/" => "a trailing `/`",
            tail if tail.starts_with('?') => "a query",
            tail if tail.starts_with('#') => "a fragment",
            _ => "a path",
        };
        return Err(error(&format!("an origin is scheme://host[:port], without {what}"))
            .hint(format!("write \"{scheme}://{}\"", &rest[..cut].to_ascii_lowercase())));
    }
    if rest.contains('@') {
        return Err(error("an origin has no user name or password")
            .hint("remove the part up to and including `@`"));
    }
    let (host, port) = split_port(rest).map_err(|reason| error(&reason))?;
    let port = match port {
        Some(p) if default_port(&scheme) == Some(p) => String::new(),
        Some(p) => format!(":{p}"),
        None => String::new(),
    };
    if let Some(parent) = host.strip_prefix("*.").filter(|parent| !parent.contains('*')) {
        let parent = normalise_host(parent).map_err(|reason| error(&reason))?;
        if let Some(reason) = too_broad_for_wildcard(&parent) {
            return Err(error(&reason).hint(format!(
                "name your own domain, e.g. \"{scheme}://*.example.{parent}\", or list the \
                 origins one by one"
            )));
        }
        return Ok(Pattern::Wildcard {
            prefix: format!("{scheme}://"),
            suffix: format!(".{parent}{port}"),
        });
    }
    if host.contains('*') {
        return Err(error("`*` may only stand alone as the first label: `https://*.example.com`")
            .hint("for any other pattern use allow_origin_regex"));
    }
    let host = normalise_host(host).map_err(|reason| error(&reason))?;
    Ok(Pattern::Exact(format!("{scheme}://{host}{port}")))
}

/// [`parse_config_origin`] rendered back to text, for the fuzz targets and properties.
pub(crate) fn normalise_origin(value: &str) -> Result<String, String> {
    match parse_config_origin(value).map_err(|err| err.reason)? {
        Pattern::Any => Ok("*".into()),
        Pattern::Null => Ok("null".into()),
        Pattern::Exact(origin) => Ok(origin),
        Pattern::Wildcard { prefix, suffix } => Ok(format!("{prefix}*{suffix}")),
    }
}

/// The hint for a value without `://`: the `https://` form, when that form is itself valid.
fn scheme_hint(value: &str) -> String {
    let candidate = format!("https://{}", value.trim_matches('/'));
    match parse_config_origin(&candidate) {
        Ok(_) => format!("write \"{candidate}\""),
        Err(err) => format!("origins look like \"https://app.example.com\"; {}", err.reason),
    }
}

/// Why a wildcard over `parent` would let in sites its author does not control.
fn too_broad_for_wildcard(parent: &str) -> Option<String> {
    if !parent.contains('.') {
        return Some(format!(
            "`*.{parent}` would allow every site under the public suffix `.{parent}`; a \
             wildcard must stand before a domain you own"
        ));
    }
    if SHARED_SUFFIXES.contains(&parent) {
        return Some(format!(
            "anyone can get a name under `{parent}`, so `*.{parent}` would allow sites you do \
             not control"
        ));
    }
    None
}

/// Public suffixes of two labels and hosting domains where anyone can get a subdomain.
/// Not the whole Public Suffix List: the ones a wildcard is most often written over.
const SHARED_SUFFIXES: &[&str] = &[
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "com.au",
    "net.au",
    "org.au",
    "co.nz",
    "co.jp",
    "ne.jp",
    "co.in",
    "co.za",
    "com.br",
    "com.cn",
    "com.mx",
    "com.tr",
    "github.io",
    "gitlab.io",
    "herokuapp.com",
    "vercel.app",
    "netlify.app",
    "pages.dev",
    "workers.dev",
    "web.app",
    "firebaseapp.com",
    "appspot.com",
    "azurewebsites.net",
    "cloudfront.net",
    "amazonaws.com",
    "blogspot.com",
    "ngrok.io",
    "ngrok-free.app",
];

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => match &authority[end + 1..] {
                "" => (&authority[..=end], None),
                tail => match tail.strip_prefix(':') {
                    Some(port) => (&authority[..=end], Some(port)),
                    None => return Err("text after the IPv6 address".into()),
                },
            },
            None => return Err("an IPv6 address needs its closing `]`".into()),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(port) => match port.parse::<u16>() {
            Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Some(p),
            _ => return Err(format!("`{port}` is not a port number (1-65535)")),
        },
    };
    Ok((host, port))
}

/// The host as a browser serialises it in `Origin`, or why it cannot be one.
fn normalise_host(host: &str) -> Result<String, String> {
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    if let Some(inner) = host.strip_prefix('[') {
        return match inner.strip_suffix(']').and_then(|a| a.parse::<Ipv6Addr>().ok()) {
            Some(addr) => Ok(format!("[{}]", serialise_ipv6(addr))),
            None => Err(format!("`{host}` is not an IPv6 address")),
        };
    }
    if !host.is_ascii() {
        return Err("browsers send international domain names in punycode (`xn--...`)".into());
    }
    let host = host.to_ascii_lowercase();
    if !host.split('.').all(is_host_label) {
        return Err(format!("`{host}` is not a valid host name"));
    }
    let last = host.rsplit('.').next().unwrap_or_default();
    // Browsers parse a host whose last label is a number as IPv4 and rewrite it
    // (`127.1` -> `127.0.0.1`), so any other spelling could never match.
    if last.bytes().all(|b| b.is_ascii_digit()) && host.parse::<Ipv4Addr>().is_err() {
        return Err(format!("`{host}` is not an IPv4 address a browser would send (a.b.c.d)"));
    }
    Ok(host)
}

/// The URL standard's IPv6 serialisation: lower-case hex, no leading zeros, the first
/// longest run of two or more zero pieces written `::`. (`Ipv6Addr`'s `Display` differs for
/// IPv4-mapped addresses.)
fn serialise_ipv6(addr: Ipv6Addr) -> String {
    let pieces = addr.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < pieces.len() {
        let run = pieces[i..].iter().take_while(|p| **p == 0).count();
        if run >= 2 && best.is_none_or(|(_, len)| run > len) {
            best = Some((i, run));
        }
        i += run.max(1);
    }
    let hex = |range: &[u16]| range.iter().map(|p| format!("{p:x}")).collect::<Vec<_>>().join(":");
    match best {
        Some((start, len)) => {
            format!("{}::{}", hex(&pieces[..start]), hex(&pieces[start + len..]))
        }
        None => hex(&pieces),
    }
}

fn is_host_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether a request origin has the shape browsers send: `scheme://host[:port]`, lower
/// case, printable ASCII, bounded. Anything else is refused before any pattern sees it.
pub(crate) fn is_well_formed(origin: &str) -> bool {
    if origin.len() > MAX_ORIGIN_LEN {
        return false;
    }
    // Byte tables rather than `split_once("://")` and per-byte `matches!`: this runs on every
    // origin that is not an exact match, so it is on the hot path of wildcard, regex and
    // reflect-all policies.
    let bytes = origin.as_bytes();
    let Some(colon) = bytes.iter().position(|&b| b == b':') else {
        return false;
    };
    let (scheme, rest) = bytes.split_at(colon);
    let Some(authority) = rest.strip_prefix(b"://") else {
        return false;
    };
    scheme.first().is_some_and(u8::is_ascii_lowercase)
        && scheme.iter().all(|&b| SCHEME_BYTES[usize::from(b)])
        && !authority.is_empty()
        && authority.iter().all(|&b| AUTHORITY_BYTES[usize::from(b)])
        && !has_default_port(&origin[..colon], &origin[colon + 3..])
}

/// Bytes of a lower-case scheme: letters, digits, `+`, `-`, `.`.
const SCHEME_BYTES: [bool; 256] = byte_set(b"abcdefghijklmnopqrstuvwxyz0123456789+-.");
/// Bytes of a lower-case host and port, IPv6 brackets included.
const AUTHORITY_BYTES: [bool; 256] = byte_set(b"abcdefghijklmnopqrstuvwxyz0123456789.-_:[]");

const fn byte_set(members: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < members.len() {
        set[members[i] as usize] = true;
        i += 1;
    }
    set
}

/// Browsers never write the scheme's default port: `https://a.com:443` is not a browser's
/// origin, so it is not reflected either.
fn has_default_port(scheme: &str, authority: &str) -> bool {
    let port = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !port.contains(']') => port,
        _ => return false,
    };
    match default_port(scheme) {
        Some(default) => port.parse::<u16>() == Ok(default),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(s: &str) -> Pattern {
        Pattern::Exact(s.to_string())
    }

    #[test]
    fn request_origins_with_a_default_port_are_not_well_formed() {
        assert!(!is_well_formed("https://app.example.com:443"));
        assert!(!is_well_formed("http://app.example.com:80"));
        assert!(!is_well_formed("http://[::1]:80"));
        assert!(is_well_formed("https://app.example.com:8443"));
        assert!(is_well_formed("http://app.example.com:443"));
        assert!(is_well_formed("http://[::1]:3000"));
        assert!(is_well_formed("http://[::1]"));
    }

    #[test]
    fn normalises_case_and_default_ports() {
        assert_eq!(
            parse_config_origin("HTTPS://App.Example.COM").unwrap(),
            exact("https://app.example.com")
        );
        assert_eq!(parse_config_origin("https://a.com:443").unwrap(), exact("https://a.com"));
        assert_eq!(parse_config_origin("http://a.com:80").unwrap(), exact("http://a.com"));
        assert_eq!(parse_config_origin("http://a.com:8080").unwrap(), exact("http://a.com:8080"));
        assert_eq!(parse_config_origin("http://[::1]:3000").unwrap(), exact("http://[::1]:3000"));
        assert_eq!(parse_config_origin("NULL").unwrap(), Pattern::Null);
    }

    #[test]
    fn rejects_what_is_not_an_origin() {
        for bad in [
            "app.example.com",
            "https://a.com/",
            "https://a.com/path",
            "https://a.com?q",
            "https://a.com#f",
            "ftp://a.com",
            "https://user@a.com",
            "https://a.com:0",
            "https://a.com:99999",
            "https://*example.com",
            "https://a.*.com",
            "https://*.com",
            "https://",
            "https://a..com",
        ] {
            assert!(parse_config_origin(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        let Pattern::Wildcard { prefix, suffix } =
            parse_config_origin("https://*.example.com").unwrap()
        else {
            panic!("not a wildcard")
        };
        let w = Wildcard { prefix: prefix.into(), suffix: suffix.into() };
        assert!(w.matches("https://a.example.com"));
        assert!(w.matches("https://a.b.example.com"));
        assert!(!w.matches("https://example.com"));
        assert!(!w.matches("https://evil-example.com"));
        assert!(!w.matches("https://.example.com"));
        assert!(!w.matches("http://a.example.com"));
        assert!(!w.matches("https://a.example.com:8443"));
        assert!(!w.matches("https://a:b.example.com"));
    }

    #[test]
    fn ipv6_and_ipv4_hosts_take_the_form_browsers_send() {
        let host = |h: &str| normalise_host(h);
        assert_eq!(host("[0:0:0:0:0:0:0:1]").unwrap(), "[::1]");
        assert_eq!(host("[2001:DB8:0:0:1:0:0:1]").unwrap(), "[2001:db8::1:0:0:1]");
        assert_eq!(host("[::ffff:1.2.3.4]").unwrap(), "[::ffff:102:304]");
        assert_eq!(host("[1:0:1:0:1:0:1:0]").unwrap(), "[1:0:1:0:1:0:1:0]");
        assert_eq!(host("[::]").unwrap(), "[::]");
        assert_eq!(host("127.0.0.1").unwrap(), "127.0.0.1");
        for bad in ["127.1", "0x7f.0.0.1", "example.123", "[", "[]", "[::1", "[zz::1]"] {
            assert!(host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcards_over_shared_or_public_suffixes_are_refused() {
        for bad in ["https://*.com", "https://*.co.uk", "https://*.github.io", "https://*.["] {
            assert!(parse_config_origin(bad).is_err(), "{bad}");
        }
        assert!(parse_config_origin("https://*.example.co.uk").is_ok());
    }

    #[test]
    fn loose_regex_ends_are_spotted() {
        assert_eq!(loose_end(".*example\\.com"), Some("starts with `.*` or `.+`"));
        assert_eq!(loose_end("^https://example\\.com.*$"), Some("ends with `.*` or `.+`"));
        assert_eq!(loose_end("https://(.+)\\.example\\.com"), None);
        assert_eq!(loose_end("https://a\\.com\\.*"), None);
    }

    #[test]
    fn unescaped_dots_are_spotted() {
        assert!(has_unescaped_dot("https://a.example.com"));
        assert!(!has_unescaped_dot("https://a\\.example\\.com"));
        assert!(!has_unescaped_dot("https://[a.]+"));
        assert!(!has_unescaped_dot("https://.+\\.example\\.com"));
    }
}
