//! Entries that load but probably do not mean what their author meant: warnings, never
//! errors.

use crate::error::ConfigWarning;
use crate::settings::Key;

use super::parse::{Pattern, split_port};

/// Entries that load but open more than their author probably meant.
pub(super) fn pattern_warning(
    value: &str,
    pattern: &Pattern,
    credentials: bool,
) -> Option<ConfigWarning> {
    let warn = |message: &str| Some(ConfigWarning::new(Key::AllowOrigin, value, message));
    match pattern {
        Pattern::Null => warn(
            "any site can send `Origin: null` (from a sandboxed iframe or a data: URL), so \
             listing `null` lets every site in",
        ),
        Pattern::Exact(origin) | Pattern::AnyPort(origin) if credentials && is_insecure(origin) => {
            warn(
                "a plain-http page can be rewritten by anyone on its network, who can then read \
             credentialed responses; list the https origin",
            )
        }
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

/// Regexes that are probably not what their author meant.
pub(super) fn regex_warning(pattern: &str, regex: &regex::Regex) -> Option<ConfigWarning> {
    let warn = |message: &str| Some(ConfigWarning::new(Key::AllowOriginRegex, pattern, message));
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // A class ends at `]`: a dot after it is loose again.
        assert!(has_unescaped_dot("https://[a-z]+.example\\.com"));
    }

    #[test]
    fn each_regex_warning_says_what_it_found() {
        let message = |pattern: &str| {
            let regex = regex::Regex::new(&format!("^(?:{pattern})$")).unwrap();
            regex_warning(pattern, &regex).map(|w| w.message)
        };
        assert!(message(".*").unwrap().contains("matches every origin"));
        assert!(message(".*\\.example\\.com").unwrap().contains("starts with `.*`"));
        assert!(message("https://a.example\\.com").unwrap().contains("unescaped `.`"));
        assert_eq!(message("https://[a-z]+\\.example\\.com"), None);
    }

    /// Plain http warns only beside credentials, and never for the local machine.
    #[test]
    fn plain_http_warns_only_with_credentials() {
        let warns = |origin: &str, credentials: bool| {
            let pattern = super::super::parse::parse_config_origin(origin).unwrap();
            pattern_warning(origin, &pattern, credentials).is_some()
        };
        for insecure in ["http://*.example.com", "http://app.example.com", "http://10.0.0.1:8000"] {
            assert!(warns(insecure, true), "{insecure}");
            assert!(!warns(insecure, false), "{insecure}");
        }
        for secure in ["https://*.example.com", "https://app.example.com"] {
            assert!(!warns(secure, true), "{secure}");
        }
        let local = ["http://localhost:3000", "http://app.localhost", "http://[::1]:8000"];
        for local in local.into_iter().chain(["http://127.0.0.1:8000"]) {
            assert!(!warns(local, true), "{local}");
        }
        assert!(warns("null", false), "`null` warns whatever the credentials");
    }
}
