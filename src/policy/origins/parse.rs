//! Reading one configured `allow_origin` entry: what it is (`*`, `null`, an origin, a
//! wildcard), normalised to the form browsers send, or why it cannot be one.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::ConfigError;
use crate::settings::Key;

use super::app_schemes::AppScheme;

/// One `allow_origin` entry, normalised.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    Any,
    Null,
    /// `scheme://host[:port]`, exactly as a browser sends it.
    Exact(String),
    /// `http://localhost:*`: `origin` (`scheme://host`) with any port or none.
    AnyPort(String),
    /// `https://*.example.com[:port|:*]`: `prefix` is `scheme://`, `suffix` the part after
    /// the `*` (with its fixed port, if any; without the port when `any_port`).
    Wildcard {
        prefix: String,
        suffix: String,
        any_port: bool,
    },
}

/// Parses and normalises one configured origin.
pub(crate) fn parse_config_origin(value: &str) -> Result<Pattern, ConfigError> {
    let error = |reason: &str| ConfigError::new(Key::AllowOrigin, value, reason);
    if value == "*" {
        return Ok(Pattern::Any);
    }
    if value.eq_ignore_ascii_case("null") {
        return Ok(Pattern::Null);
    }
    if value.contains(char::is_whitespace) {
        let compact: String = value.split_whitespace().collect();
        return Err(error("the value has whitespace in it, which no origin a browser sends has")
            .hint(format!("write \"{compact}\" (one origin per list item)")));
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(error("an origin needs a scheme").hint(scheme_hint(value)));
    };
    let scheme = scheme.to_ascii_lowercase();
    if let Some(app) = AppScheme::of(&scheme) {
        return app.parse(value, rest).map(Pattern::Exact);
    }
    if scheme != "http" && scheme != "https" {
        return Err(error(&format!(
            "`{scheme}://` is neither http, https nor a known app or extension scheme"
        ))
        .hint(format!(
            "list http(s) origins, `null`, or an app or extension origin ({}); anything else \
             only through allow_origin_regex",
            AppScheme::NAMES
        )));
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
    // `:*` is any port (or none): the form dev servers on shifting ports need.
    let (rest, any_port) = match rest.strip_suffix(":*") {
        Some(authority) => (authority, true),
        None => (rest, false),
    };
    let (host, port) = split_port(rest).map_err(|reason| {
        let hint = if reason.contains("IPv6") {
            format!("write the address in brackets: \"{scheme}://[::1]:8080\"")
        } else {
            format!("a port is a number from 1 to 65535; leave it out for {scheme}'s default")
        };
        error(&reason).hint(hint)
    })?;
    if any_port && port.is_some() {
        return Err(error("an origin has one port: a number or `:*` for any, not both")
            .hint(format!("write \"{scheme}://{host}:*\" for any port")));
    }
    let port = match port {
        Some(p) if default_port(&scheme) == Some(p) => String::new(),
        Some(p) => format!(":{p}"),
        None => String::new(),
    };
    if let Some(parent) = host.strip_prefix("*.").filter(|parent| !parent.contains('*')) {
        let parent = normalise_host(parent).map_err(|(reason, hint)| error(&reason).hint(hint))?;
        if let Some(reason) = never_matches(&parent) {
            return Err(error(&reason).hint(format!(
                "list the origin itself, e.g. \"{scheme}://{parent}{port}\", or name a domain"
            )));
        }
        if let Some(reason) = too_broad_for_wildcard(&parent) {
            return Err(error(&reason).hint(format!(
                "name your own domain, e.g. \"{scheme}://*.example.{parent}\", or list the \
                 origins one by one"
            )));
        }
        return Ok(Pattern::Wildcard {
            prefix: format!("{scheme}://"),
            suffix: format!(".{parent}{port}"),
            any_port,
        });
    }
    if host.contains('*') {
        return Err(error("`*` may only stand alone as the first label: `https://*.example.com`")
            .hint("for any other pattern use allow_origin_regex"));
    }
    let host = normalise_host(host).map_err(|(reason, hint)| error(&reason).hint(hint))?;
    if any_port {
        return Ok(Pattern::AnyPort(format!("{scheme}://{host}")));
    }
    Ok(Pattern::Exact(format!("{scheme}://{host}{port}")))
}

/// [`parse_config_origin`] rendered back to text, for the fuzz targets and properties.
pub(crate) fn normalise_origin(value: &str) -> Result<String, String> {
    match parse_config_origin(value).map_err(|err| err.reason)? {
        Pattern::Any => Ok("*".into()),
        Pattern::Null => Ok("null".into()),
        Pattern::Exact(origin) => Ok(origin),
        Pattern::AnyPort(origin) => Ok(format!("{origin}:*")),
        Pattern::Wildcard { prefix, suffix, any_port } => {
            Ok(format!("{prefix}*{suffix}{}", if any_port { ":*" } else { "" }))
        }
    }
}

/// The hint for a value without `://`: the `https://` form, when that form is itself valid.
///
/// `http://` for a development or private host (`localhost:5173` is a dev server, not a TLS
/// site), `https://` for everything else.
fn scheme_hint(value: &str) -> String {
    let authority = value.trim_matches('/');
    let host = split_port(authority).map_or(authority, |(host, _)| host);
    let scheme = if is_local_or_private(host) { "http" } else { "https" };
    let candidate = format!("{scheme}://{authority}");
    match parse_config_origin(&candidate) {
        Ok(_) => format!("write \"{candidate}\""),
        Err(err) => format!("origins look like \"https://app.example.com\"; {}", err.reason),
    }
}

/// `localhost`, `*.localhost`, loopback and private addresses (RFC 1918, IPv6 unique local
/// `fc00::/7`): hosts that usually serve plain http during development.
fn is_local_or_private(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback() || v4.is_private();
    }
    let bracketed = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    match bracketed.and_then(|inner| inner.parse::<Ipv6Addr>().ok()) {
        Some(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
        None => false,
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

pub(super) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

pub(super) fn split_port(authority: &str) -> Result<(&str, Option<u16>), String> {
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

/// The host as a browser serialises it in `Origin`, or why it cannot be one (and how to
/// write it).
fn normalise_host(host: &str) -> Result<String, (String, String)> {
    let example = "origins look like \"https://app.example.com\"";
    if host.is_empty() {
        return Err((
            "the host is missing".into(),
            format!("write the host after `://`: {example}"),
        ));
    }
    if let Some(inner) = host.strip_prefix('[') {
        return match inner.strip_suffix(']').and_then(|a| a.parse::<Ipv6Addr>().ok()) {
            Some(addr) => Ok(format!("[{}]", serialise_ipv6(addr))),
            None => Err((
                format!("`{host}` is not an IPv6 address"),
                "write an IPv6 address in brackets, e.g. \"http://[::1]:8080\"".into(),
            )),
        };
    }
    if !host.is_ascii() {
        return Err((
            "browsers send international domain names in punycode (`xn--...`)".into(),
            "convert the name with an IDNA tool: `résumé.com` is `xn--rsum-bpad.com`".into(),
        ));
    }
    let host = host.to_ascii_lowercase();
    // A fully qualified name keeps its trailing dot in `Origin` (`http://example.com.:3999`).
    let labels = host.strip_suffix('.').unwrap_or(&host);
    if labels.len() > 253 || !labels.split('.').all(is_host_label) {
        return Err((
            format!("`{host}` is not a valid host name"),
            "a host is labels of letters, digits and `-` joined by single dots, at most 253 \
             characters; for every subdomain write \"https://*.example.com\""
                .into(),
        ));
    }
    if let Some(label) = labels.split('.').find(|label| !is_valid_punycode(label)) {
        return Err((
            format!("`{label}` is not valid punycode, so no browser sends this host"),
            "copy the host from the browser's address bar, or convert the name again".into(),
        ));
    }
    // The URL standard parses a host whose last label is a number (decimal, or hex with
    // `0x`) as IPv4 and rewrites it (`127.1` -> `127.0.0.1`, `0x7f.1` -> `127.0.0.1`), so
    // any other spelling than four decimal parts could never match.
    if ends_in_a_number(labels) && !is_dotted_decimal(labels) {
        return Err((
            format!("`{host}` is an IPv4 address in a form browsers rewrite (hex, octal or short)"),
            "write the address as four decimal numbers, e.g. \"http://127.0.0.1\"".into(),
        ));
    }
    Ok(host)
}

/// <https://url.spec.whatwg.org/#ends-in-a-number-checker>.
fn ends_in_a_number(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or_default();
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
        || hex.is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Four decimal parts without leading zeros: the only IPv4 form a browser sends.
fn is_dotted_decimal(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok()
        && host.split('.').all(|part| part == "0" || !part.starts_with('0'))
}

/// Why `*.` before `parent` can never match a host a browser sends.
fn never_matches(parent: &str) -> Option<String> {
    if ends_in_a_number(parent) {
        return Some(format!(
            "`{parent}` is an IP address, which has no subdomains, so `*.{parent}` never matches"
        ));
    }
    // A host is at most 253 characters; `*` stands for at least one label and its dot.
    if parent.strip_suffix('.').unwrap_or(parent).len() + 2 > 253 {
        return Some(format!(
            "`*.{parent}` would be longer than the 253 characters a host may have, so it never \
             matches"
        ));
    }
    None
}

/// A label that is not punycode (`xn--`), or punycode that decodes to a name (RFC 3492):
/// non-ASCII, and without control characters.
fn is_valid_punycode(label: &str) -> bool {
    let Some(encoded) = label.strip_prefix("xn--") else { return true };
    match punycode_decode(encoded) {
        Some(decoded) => {
            !decoded.is_empty()
                && decoded.iter().any(|c| !c.is_ascii())
                && !decoded.iter().any(|c| c.is_control())
        }
        None => false,
    }
}

/// RFC 3492 section 6.2, the decoding procedure; `None` where it fails.
fn punycode_decode(input: &str) -> Option<Vec<char>> {
    const BASE: u32 = 36;
    let (basic, extended) = match input.rfind('-') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => ("", input),
    };
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = extended.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let digit = match digits.next()? {
                b @ b'a'..=b'z' => u32::from(b - b'a'),
                b @ b'0'..=b'9' => u32::from(b - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                1
            } else if k >= bias + 26 {
                26
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let length = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, length, old_i == 0);
        n = n.checked_add(i / length)?;
        i %= length;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output)
}

fn adapt(delta: u32, length: u32, first: bool) -> u32 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / length;
    let mut k = 0;
    while delta > ((36 - 1) * 26) / 2 {
        delta /= 36 - 1;
        k += 36;
    }
    k + (36 * delta) / (delta + 38)
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

pub(super) fn is_host_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(s: &str) -> Pattern {
        Pattern::Exact(s.to_string())
    }

    #[test]
    fn punycode_decodes_as_rfc_3492_says_and_garbage_does_not() {
        let decoded = |s: &str| punycode_decode(s).map(|c| c.into_iter().collect::<String>());
        assert_eq!(decoded("rsum-bpad").as_deref(), Some("résumé"));
        assert_eq!(decoded("bcher-kva").as_deref(), Some("bücher"));
        // RFC 3492's sample strings (section 7.1): long runs, digits, and a basic part.
        for (encoded, text) in [
            ("egbpdaj6bu4bxfgehfvwxn", "ليهمابتكلموشعربي؟"),
            ("ihqwcrb4cv8a8dqg056pqjye", "他们为什么不说中文"),
            ("3B-ww4c5e180e575a65lsy2b", "3年B組金八先生"),
            ("Proprostnemluvesky-uyb24dma41a", "Pročprostěnemluvíčesky"),
            ("b1abfaaepdrnnbgefbadotcwatmq2g4l", "почемужеонинеговорятпорусски"),
            ("d9juau41awczczp", "そのスピードで"),
            ("Hello-Another-Way--fc4qua05auwb3674vfr0b", "Hello-Another-Way-それぞれの場所"),
        ] {
            assert_eq!(decoded(encoded).as_deref(), Some(text), "{encoded}");
        }
        // A delta that lands on `adapt`'s bound, 455, exactly, before the last character (found
        // with Python's codec).
        assert_eq!(decoded("bb-jxa34ex89m").as_deref(), Some("b\u{18f}b\u{245}\u{2b20}"));
        // And one just over it (456 to 467).
        let over = "\u{10e7}\u{117f}bb\u{58e}\u{272d}";
        assert_eq!(decoded("bb-8fd137izvas56g").as_deref(), Some(over));
        assert!(is_valid_punycode("xn--rsum-bpad"));
        assert!(!is_valid_punycode("xn--f"), "decodes to a control character");
        assert!(!is_valid_punycode("xn--"), "decodes to nothing");
        assert!(!is_valid_punycode("xn--abc-"), "ASCII only: not what xn-- means");
        assert!(is_valid_punycode("example"));
    }

    /// A name of `len` characters: labels of 63 joined by dots.
    fn name_of(len: usize) -> String {
        let mut name = String::new();
        while name.len() < len {
            let room = len - name.len() - usize::from(!name.is_empty());
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(&"a".repeat(room.clamp(1, 63)));
        }
        name
    }

    /// A host is at most 253 characters, not counting the dot of a fully qualified name; a
    /// wildcard's parent leaves room for at least `x.`.
    #[test]
    fn the_host_length_bounds_are_exact() {
        assert_eq!(name_of(253).len(), 253);
        assert!(normalise_host(&name_of(253)).is_ok());
        assert!(normalise_host(&format!("{}.", name_of(253))).is_ok());
        assert!(normalise_host(&name_of(254)).is_err());
        let wildcard = |parent: &str| parse_config_origin(&format!("https://*.{parent}"));
        assert!(wildcard(&name_of(251)).is_ok());
        let err = wildcard(&name_of(252)).unwrap_err();
        assert!(err.to_string().contains("253 characters"), "{err}");
    }

    #[test]
    fn ipv4_forms_a_browser_rewrites_are_refused() {
        for host in ["0xff000000", "127.1", "0x7f.0.0.1", "0177.0.0.1", "4294967295", "1.2.3.0x"] {
            assert!(normalise_host(host).is_err(), "{host}");
        }
        assert_eq!(normalise_host("127.0.0.1").unwrap(), "127.0.0.1");
        assert_eq!(normalise_host("10.0.0.10").unwrap(), "10.0.0.10");
        assert_eq!(normalise_host("example.com.").unwrap(), "example.com.");
        assert!(normalise_host("example.com..").is_err());
    }

    #[test]
    fn the_missing_scheme_hint_suggests_http_for_local_and_private_hosts() {
        let hint = |value: &str| parse_config_origin(value).unwrap_err().hint.unwrap();
        for (value, suggested) in [
            ("localhost:5173", "http://localhost:5173"),
            ("LOCALHOST:5173", "http://LOCALHOST:5173"),
            ("app.localhost:3000", "http://app.localhost:3000"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("10.1.2.3", "http://10.1.2.3"),
            ("172.16.0.1:80", "http://172.16.0.1:80"),
            ("172.31.255.255", "http://172.31.255.255"),
            ("192.168.1.10:8000", "http://192.168.1.10:8000"),
            ("[::1]:3000", "http://[::1]:3000"),
            ("[fd12:3456::1]", "http://[fd12:3456::1]"),
            ("[fc00::1]", "http://[fc00::1]"),
            ("app.example.com", "https://app.example.com"),
            ("app.example.com/", "https://app.example.com"),
            ("172.32.0.1", "https://172.32.0.1"),
            ("8.8.8.8", "https://8.8.8.8"),
            ("[2001:db8::1]", "https://[2001:db8::1]"),
            ("mylocalhost.com", "https://mylocalhost.com"),
        ] {
            assert_eq!(hint(value), format!("write \"{suggested}\""), "{value}");
        }
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
    fn ipv6_and_ipv4_hosts_take_the_form_browsers_send() {
        let host = |h: &str| normalise_host(h);
        assert_eq!(host("[0:0:0:0:0:0:0:1]").unwrap(), "[::1]");
        assert_eq!(host("[2001:DB8:0:0:1:0:0:1]").unwrap(), "[2001:db8::1:0:0:1]");
        // The longest run of zeros is `::`, wherever it stands.
        assert_eq!(host("[1:0:0:0:2:0:0:3]").unwrap(), "[1::2:0:0:3]");
        assert_eq!(host("[1:0:0:2:0:0:0:3]").unwrap(), "[1:0:0:2::3]");
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
}
