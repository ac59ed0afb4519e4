//! How a request's `Origin` is matched: [`Origins::check`], whether it has the shape
//! browsers send, and whether it falls under a configured wildcard.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::app_schemes::AppScheme;
use super::parse::{default_port, is_host_label, split_port};
use super::{AllowOrigin, MAX_ORIGIN_LEN, Origins};

impl Origins {
    /// Whether `origin` (one request `Origin` header value) is allowed, and what
    /// `Access-Control-Allow-Origin` says then; `None`: refused.
    ///
    /// The cheap steps first: `null` and the exact origins compare bytes, since browsers
    /// send the canonical serialisation; only then the shape check and the patterns
    /// (<https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin>).
    pub(crate) fn check(&self, origin: &str) -> Option<AllowOrigin> {
        if origin == "null" {
            // Sandboxed frames, `data:` URLs and redirects all send `null`: never implied.
            return self.null.then_some(AllowOrigin::Reflect);
        }
        // Before the shape check: app and extension origins keep their case as written.
        if self.exact.contains(origin) {
            return Some(AllowOrigin::Reflect);
        }
        if !is_well_formed(origin) {
            return None;
        }
        if (self.reflect_all && is_listable(origin))
            || (!self.any_port.is_empty() && self.any_port.contains_with_any_port(origin))
            || (!self.wildcards.is_empty() && self.wildcards.matches(origin))
            || self.regexes.as_ref().is_some_and(|regex| regex.is_match(origin))
        {
            return Some(AllowOrigin::Reflect);
        }
        self.any.then_some(AllowOrigin::Any)
    }

    /// Whether `origin` is listed as it is (`null`, or an exact origin): the first, cheap
    /// steps of [`Origins::check`], before any shape check or pattern.
    pub(crate) fn contains_exact(&self, origin: &str) -> bool {
        if origin == "null" { self.null } else { self.exact.contains(origin) }
    }
}

/// `https://*.example.com`: the scheme part and the suffix after the `*` (with its port,
/// unless `any_port`, the `:*` form, where any port or none follows the suffix).
#[derive(Debug, Clone)]
pub(super) struct Wildcard {
    pub(super) prefix: Box<str>,
    pub(super) suffix: Box<str>,
    pub(super) any_port: bool,
}

impl Wildcard {
    pub(super) fn matches(&self, origin: &str) -> bool {
        let Some(rest) = origin.strip_prefix(&*self.prefix) else {
            return false;
        };
        let Some((labels, after)) = rest.rfind(&*self.suffix).map(|at| rest.split_at(at)) else {
            return false;
        };
        let after = &after[self.suffix.len()..];
        let port_ok = after.is_empty() || (self.any_port && is_port(after));
        port_ok && !labels.is_empty() && labels.split('.').all(is_host_label)
    }
}

/// `:` and a port number browsers could send (1-65535).
fn is_port(text: &str) -> bool {
    text.strip_prefix(':').is_some_and(is_port_number)
}

/// Digits only (no sign), 1 to 65535: a port a browser could put in an `Origin`.
pub(super) fn is_port_number(port: &str) -> bool {
    port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p > 0)
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

/// Whether a well-formed request origin is one the configuration itself would accept as
/// written: a known scheme, a host of valid labels (no empty or trailing label) or an IPv6
/// or IPv4 address, a port from 1 to 65535. `allow_all_origin` reflects only these, so it
/// never echoes `javascript://x`, `https://x.example:0` or `https://x.example..`.
/// Allocates nothing on the way to a yes.
pub(crate) fn is_listable(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    if AppScheme::of(scheme).is_some() {
        return !authority.contains(':');
    }
    if default_port(scheme).is_none() {
        return false;
    }
    let Ok((host, _port)) = split_port(authority) else {
        return false;
    };
    if let Some(inner) = host.strip_prefix('[') {
        return inner.strip_suffix(']').is_some_and(is_serialised_ipv6);
    }
    // A fully qualified name keeps its one trailing dot in `Origin` (`http://example.com.:3999`),
    // as the configuration accepts it; an IPv4 address never does (the URL parser drops it).
    let (host, fully_qualified) = match host.strip_suffix('.') {
        Some(name) => (name, true),
        None => (host, false),
    };
    let last = host.rsplit('.').next().unwrap_or_default();
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return !fully_qualified && host.parse::<Ipv4Addr>().is_ok();
    }
    host.split('.').all(is_host_label)
}

/// Whether `text` is an IPv6 address written as browsers write it in an origin: the URL
/// standard's serialisation (<https://url.spec.whatwg.org/#concept-ipv6-serializer>), lower
/// case hex without leading zeros, the first longest run of two or more zero pieces as `::`,
/// never a dotted IPv4 tail. So `[0:0::1]` or `[::ffff:127.0.0.1]`, which parse, are not
/// the form a browser sends (it sends `[::1]`, `[::ffff:7f00:1]`). Written on the stack.
fn is_serialised_ipv6(text: &str) -> bool {
    let Ok(address) = text.parse::<Ipv6Addr>() else {
        return false;
    };
    let pieces = address.segments();
    // The first longest run of zero pieces, if it is at least two long.
    let (mut run, mut best) = ((0, 0), (0, 0));
    for (i, &piece) in pieces.iter().enumerate() {
        if piece != 0 {
            continue;
        }
        run = if run.1 > 0 && run.0 + run.1 == i { (run.0, run.1 + 1) } else { (i, 1) };
        if run.1 > best.1 {
            best = run;
        }
    }
    let mut out = [0u8; 40];
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        out[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    let mut i = 0;
    while i < pieces.len() {
        if best.1 >= 2 && i == best.0 {
            push(if i == 0 { b"::" } else { b":" });
            i += best.1;
            continue;
        }
        let mut hex = [0u8; 4];
        let digits = hex_digits(pieces[i], &mut hex);
        push(digits);
        if i + 1 < pieces.len() {
            push(b":");
        }
        i += 1;
    }
    &out[..len] == text.as_bytes()
}

/// `piece` in lower-case hex without leading zeros, written into `buf`.
fn hex_digits(piece: u16, buf: &mut [u8; 4]) -> &[u8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 4;
    let mut rest = piece;
    loop {
        start -= 1;
        buf[start] = HEX[usize::from(rest & 0xf)];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    &buf[start..]
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
    use super::super::parse::{Pattern, parse_config_origin};
    use super::*;

    /// Boundaries cargo mutants found untested: the length bound is inclusive, a `:*`
    /// wildcard takes only ports browsers could send, and an IPv6 address is serialised with
    /// its first longest run of zeros compressed (RFC 5952, section 4.2.3).
    #[test]
    fn the_length_bound_ports_and_ipv6_zero_runs_are_exact() {
        let long = |len: usize| {
            let host = "a".repeat(len - "https://.example".len());
            format!("https://{host}.example")
        };
        assert!(is_well_formed(&long(MAX_ORIGIN_LEN)));
        assert!(!is_well_formed(&long(MAX_ORIGIN_LEN + 1)));
        let Ok(Pattern::Wildcard { prefix, suffix, any_port }) =
            parse_config_origin("http://*.local.test:*")
        else {
            panic!("a wildcard")
        };
        let any_port = Wildcard { prefix: prefix.into(), suffix: suffix.into(), any_port };
        assert!(any_port.matches("http://x.local.test:5173"));
        assert!(any_port.matches("http://x.local.test"));
        for port in ["0", "65536", "99999", "x"] {
            assert!(!any_port.matches(&format!("http://x.local.test:{port}")), "{port}");
        }
        assert!(is_listable("http://[1::2:0:0:3:4]"));
        assert!(!is_listable("http://[1:0:0:2::3:4]"));
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
    fn only_the_url_serialisation_of_an_ipv6_address_is_listable() {
        for sent in [
            "::1",
            "::",
            "2001:db8::1",
            "::ffff:7f00:1",
            "1:0:0:2::3",
            "1::2:0:0:3",
            "1:2:3:4:5:6:7:8",
            "1:0:2:3:4:5:6:7",
        ] {
            assert!(is_serialised_ipv6(sent), "{sent}");
            assert!(is_listable(&format!("http://[{sent}]:8080")), "{sent}");
        }
        for never_sent in [
            "0:0::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "0::1",
            "::0:1",
            "2001:0db8::1",
            "1:0:0:2:0:0:0:3",
            "1::2:3:4:5:6:7",
            "1:2:3:4:5:6:7::",
            "x",
        ] {
            assert!(!is_serialised_ipv6(never_sent), "{never_sent}");
            assert!(!is_listable(&format!("http://[{never_sent}]")), "{never_sent}");
        }
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        let Pattern::Wildcard { prefix, suffix, any_port } =
            parse_config_origin("https://*.example.com").unwrap()
        else {
            panic!("not a wildcard")
        };
        let w = Wildcard { prefix: prefix.into(), suffix: suffix.into(), any_port };
        assert!(w.matches("https://a.example.com"));
        assert!(w.matches("https://a.b.example.com"));
        assert!(!w.matches("https://example.com"));
        assert!(!w.matches("https://evil-example.com"));
        assert!(!w.matches("https://.example.com"));
        assert!(!w.matches("http://a.example.com"));
        assert!(!w.matches("https://a.example.com:8443"));
        assert!(!w.matches("https://a:b.example.com"));
    }
}
