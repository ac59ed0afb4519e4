//! Origins: normalising the configured ones, and matching a request's `Origin` against them.
//!
//! Configured origins are normalised once (lower-case scheme and host, default port
//! dropped); request origins are then compared byte for byte, because browsers always send
//! the canonical serialisation. Anything else in a request is simply not allowed.

use regex::RegexSet;

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
    regexes: Option<RegexSet>,
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
            match parse_config_origin(value)? {
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
            || self.regexes.as_ref().is_some_and(|set| set.is_match(origin))
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

fn compile_regexes(
    patterns: &[String],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<RegexSet>, ConfigError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut anchored = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        let whole = format!("^(?:{pattern})$");
        let regex = regex::Regex::new(&whole).map_err(|err| {
            ConfigError::new(
                "allow_origin_regex",
                pattern.as_str(),
                format!("not a valid regex: {}", one_line(&err.to_string())),
            )
            .hint("the syntax is that of the `regex` crate; escape dots as `\\.`")
        })?;
        if let Some(warning) = regex_warning(pattern, &regex) {
            warnings.push(warning);
        }
        anchored.push(whole);
    }
    let set = RegexSet::new(&anchored).map_err(|err| {
        ConfigError::new(
            "allow_origin_regex",
            patterns.join(", "),
            format!("the regexes together are too large: {}", one_line(&err.to_string())),
        )
    })?;
    Ok(Some(set))
}

/// Regexes that are probably not what their author meant.
fn regex_warning(pattern: &str, regex: &regex::Regex) -> Option<ConfigWarning> {
    let probes = ["https://evil.invalid", "http://a", "https://example.com.evil.invalid"];
    if probes.iter().all(|p| regex.is_match(p)) {
        return Some(ConfigWarning::new(
            "allow_origin_regex",
            pattern,
            "matches every origin; use allow_all_origin if that is what you mean",
        ));
    }
    if has_unescaped_dot(pattern) {
        return Some(ConfigWarning::new(
            "allow_origin_regex",
            pattern,
            "has an unescaped `.`, which matches any character (`example.com` also matches \
             `exampleXcom`); write `\\.`",
        ));
    }
    None
}

fn has_unescaped_dot(pattern: &str) -> bool {
    let mut escaped = false;
    let mut in_class = false;
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '.' if !in_class => return true,
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
        return Err(error("an origin needs a scheme")
            .hint(format!("write \"https://{}\"", value.trim_end_matches('/'))));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(error("only http and https origins can be listed").hint(
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
    let host = host.to_ascii_lowercase();
    let port = match port {
        Some(p) if default_port(&scheme) == Some(p) => String::new(),
        Some(p) => format!(":{p}"),
        None => String::new(),
    };
    if let Some(parent) = host.strip_prefix("*.") {
        check_host(parent).map_err(|reason| error(&reason))?;
        if !parent.contains('.') {
            return Err(error(
                "a wildcard must stand before a registrable domain, not a bare suffix",
            )
            .hint(format!("write \"{scheme}://*.example.{parent}\"")));
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
    check_host(&host).map_err(|reason| error(&reason))?;
    Ok(Pattern::Exact(format!("{scheme}://{host}{port}")))
}

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

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    if host.starts_with('[') {
        let inner = &host[1..host.len() - 1];
        if inner.parse::<std::net::Ipv6Addr>().is_ok() {
            return Ok(());
        }
        return Err(format!("`{host}` is not an IPv6 address"));
    }
    if !host.is_ascii() {
        return Err("browsers send international domain names in punycode (`xn--...`)".into());
    }
    if !host.split('.').all(is_host_label) {
        return Err(format!("`{host}` is not a valid host name"));
    }
    Ok(())
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
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && scheme.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')
        });
    let authority_ok = !authority.is_empty()
        && authority.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        });
    scheme_ok && authority_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(s: &str) -> Pattern {
        Pattern::Exact(s.to_string())
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
    fn unescaped_dots_are_spotted() {
        assert!(has_unescaped_dot("https://a.example.com"));
        assert!(!has_unescaped_dot("https://a\\.example\\.com"));
        assert!(!has_unescaped_dot("https://[a.]+"));
    }
}
