//! Cross-origin protection: whether a request comes from the server's own pages (or from no
//! browser at all), by the algorithm of Go 1.25's `net/http.CrossOriginProtection`
//! (<https://pkg.go.dev/net/http#CrossOriginProtection>), with the policy's allowed
//! origins as its trusted origins.
//!
//! A browser sends a cross-origin form `POST` or a `text/plain` `fetch` `POST` without a
//! preflight: CORS hides the answer from the page, but the route has run. The browser says
//! where a request comes from in `Sec-Fetch-Site` (Fetch Metadata,
//! <https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header>), and older ones
//! in `Origin` alone, which is then compared with `Host`.
//!
//! Pure: the request's headers in, a [`Protection`] out. Whether a trusted origin is
//! allowed is the policy's question (and perhaps the application's origin check's), asked
//! by the caller.

use std::fmt;

use super::judge::Echo;
use super::request::Field;

/// `Sec-Fetch-Site` values that say the request comes from the server's own origin, or from
/// the user (a typed URL, a bookmark).
const SAME_ORIGIN: &str = "same-origin";
const USER: &str = "none";

/// What cross-origin protection reads of a request, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Site<'r> {
    /// `Origin`.
    pub(crate) origin: Field<'r>,
    /// `Sec-Fetch-Site`.
    pub(crate) fetch_site: Field<'r>,
    /// The host the request was sent to (`Host`, or HTTP/2's `:authority`) and its port,
    /// if it said one.
    pub(crate) host: Option<(&'r str, Option<u16>)>,
}

/// What the headers alone say of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protection<'r> {
    /// From the server's own origin, from the user, or from no browser: it passes.
    Passes,
    /// Cross-origin: it passes only if the policy allows this origin.
    IfAllowed(&'r str),
    /// Cross-origin without an origin the policy could allow: refused.
    Refused(CrossOrigin),
}

/// Why cross-origin protection refused a request; [`CrossOrigin::describe`] says it in one
/// line, with the values read back from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CrossOrigin {
    /// `Sec-Fetch-Site` says another origin (`cross-site`, `same-site`), and `Origin` is
    /// not allowed (or not sent).
    FetchSite,
    /// No `Sec-Fetch-Site`, and `Origin` is neither this server's nor allowed.
    OtherHost,
    /// More than one `Origin` header.
    MultipleOrigins,
}

impl<'r> Site<'r> {
    /// The algorithm's steps: `Sec-Fetch-Site` first, then `Origin` against `Host`.
    pub(crate) fn protection(&self) -> Protection<'r> {
        let refused = match self.fetch_site {
            Field::One(SAME_ORIGIN | USER) => return Protection::Passes,
            // `cross-site`, `same-site` (a sibling subdomain is another origin), or any
            // other value: the browser says the request is not the server's own.
            Field::One(_) | Field::Many => CrossOrigin::FetchSite,
            Field::Absent => match self.origin {
                // Neither header: a non-browser client, or a same-origin request of a
                // browser that sends neither.
                Field::Absent => return Protection::Passes,
                Field::One(origin) if self.host.is_some_and(|host| same_host(origin, host)) => {
                    return Protection::Passes;
                }
                _ => CrossOrigin::OtherHost,
            },
        };
        match self.origin {
            Field::One(origin) => Protection::IfAllowed(origin),
            Field::Many => Protection::Refused(CrossOrigin::MultipleOrigins),
            Field::Absent => Protection::Refused(refused),
        }
    }

    /// The reason [`Protection::IfAllowed`] gives when the policy does not allow the origin.
    pub(crate) fn not_allowed(&self) -> CrossOrigin {
        match self.fetch_site {
            Field::Absent => CrossOrigin::OtherHost,
            _ => CrossOrigin::FetchSite,
        }
    }
}

impl CrossOrigin {
    /// The refusal as one line, e.g. `Sec-Fetch-Site is "cross-site" and origin
    /// "https://evil.example" is not allowed`, the values quoted, escaped and cut short.
    pub(crate) fn describe<'a>(self, site: &'a Site<'a>) -> impl fmt::Display + 'a {
        Described { refusal: self, site }
    }
}

struct Described<'a> {
    refusal: CrossOrigin,
    site: &'a Site<'a>,
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = |f: &mut fmt::Formatter<'_>| match self.site.origin {
            Field::One(origin) => write!(f, "origin {} is not allowed", Echo(origin)),
            _ => f.write_str("no Origin was sent"),
        };
        match self.refusal {
            CrossOrigin::MultipleOrigins => f.write_str("more than one Origin header"),
            CrossOrigin::FetchSite => {
                match self.site.fetch_site {
                    Field::One(site) => write!(f, "Sec-Fetch-Site is {} and ", Echo(site))?,
                    _ => f.write_str("more than one Sec-Fetch-Site header and ")?,
                }
                origin(f)
            }
            CrossOrigin::OtherHost => {
                match self.site.host {
                    Some((host, Some(port))) => write!(
                        f,
                        "no Sec-Fetch-Site, Host is {}, and ",
                        Echo(&format!("{host}:{port}"))
                    )?,
                    Some((host, None)) => {
                        write!(f, "no Sec-Fetch-Site, Host is {}, and ", Echo(host))?
                    }
                    None => f.write_str("no Sec-Fetch-Site, no Host, and ")?,
                }
                origin(f)
            }
        }
    }
}

/// Whether `origin` (`scheme://host[:port]`) names the host and port the request was sent
/// to. A port left out is the scheme's default, on either side: `Host` carries no scheme,
/// so `http://a.example` and `Host: a.example:80` agree. Go compares the strings as sent;
/// this also lets a browser's lower-case origin match a `Host` written in capitals.
fn same_host(origin: &str, (host, port): (&str, Option<u16>)) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else { return false };
    let default = match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    let (origin_host, origin_port) = match authority.rsplit_once(':') {
        // An IPv6 literal's colons are inside its brackets.
        Some((name, digits)) if !digits.contains(']') => match digits.parse::<u16>() {
            Ok(port) => (name, Some(port)),
            Err(_) => return false,
        },
        _ => (authority, None),
    };
    origin_host.eq_ignore_ascii_case(host)
        && origin_port.or(default).is_some()
        && origin_port.or(default) == port.or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site<'a>(origin: Field<'a>, fetch_site: Field<'a>, host: &'a str) -> Site<'a> {
        let host = match host.rsplit_once(':') {
            Some((name, port)) if !port.contains(']') => (name, port.parse().ok()),
            _ => (host, None),
        };
        Site { origin, fetch_site, host: Some(host) }
    }

    const HOST: &str = "api.example:8000";
    const OWN: Field<'static> = Field::One("http://api.example:8000");
    const EVIL: Field<'static> = Field::One("https://evil.example");

    #[test]
    fn same_origin_and_user_initiated_requests_pass() {
        for fetch_site in ["same-origin", "none"] {
            let request = site(EVIL, Field::One(fetch_site), HOST);
            assert_eq!(request.protection(), Protection::Passes, "{fetch_site}");
        }
        let no_origin = site(Field::Absent, Field::One("same-origin"), HOST);
        assert_eq!(no_origin.protection(), Protection::Passes);
    }

    #[test]
    fn other_sites_pass_only_with_an_allowed_origin() {
        for fetch_site in ["cross-site", "same-site", "Same-Origin", "bogus"] {
            let request = site(EVIL, Field::One(fetch_site), HOST);
            assert_eq!(request.protection(), Protection::IfAllowed("https://evil.example"));
            assert_eq!(request.not_allowed(), CrossOrigin::FetchSite);
        }
        // Even the server's own origin: the browser said it was not.
        let own = site(OWN, Field::One("same-site"), HOST);
        assert_eq!(own.protection(), Protection::IfAllowed("http://api.example:8000"));
        let twice = site(EVIL, Field::Many, HOST);
        assert_eq!(twice.protection(), Protection::IfAllowed("https://evil.example"));
    }

    #[test]
    fn a_browser_that_names_another_site_and_no_origin_is_refused() {
        let request = site(Field::Absent, Field::One("cross-site"), HOST);
        assert_eq!(request.protection(), Protection::Refused(CrossOrigin::FetchSite));
        let line = CrossOrigin::FetchSite.describe(&request).to_string();
        assert_eq!(line, r#"Sec-Fetch-Site is "cross-site" and no Origin was sent"#);
    }

    /// A port left out is the scheme's default on either side, for `http`/`ws` as for
    /// `https`/`wss`; an IPv6 host without a port is compared whole.
    #[test]
    fn default_ports_and_ipv6_hosts_compare_with_host() {
        for (origin, host) in [
            ("http://a.example", "a.example"),
            ("ws://a.example", "a.example:80"),
            ("https://a.example", "a.example:443"),
            ("http://[::1]", "[::1]"),
        ] {
            let request = site(Field::One(origin), Field::Absent, host);
            assert_eq!(request.protection(), Protection::Passes, "{origin} {host}");
        }
        let other_port = site(Field::One("http://a.example"), Field::Absent, "a.example:8080");
        assert_ne!(other_port.protection(), Protection::Passes);
    }

    #[test]
    fn without_fetch_metadata_the_origin_is_compared_with_host() {
        assert_eq!(site(Field::Absent, Field::Absent, HOST).protection(), Protection::Passes);
        assert_eq!(site(OWN, Field::Absent, HOST).protection(), Protection::Passes);
        assert_eq!(site(OWN, Field::Absent, "API.example:8000").protection(), Protection::Passes);
        let default_port = Field::One("https://api.example");
        assert_eq!(
            site(default_port, Field::Absent, "api.example").protection(),
            Protection::Passes
        );
        assert_eq!(
            site(default_port, Field::Absent, "api.example:443").protection(),
            Protection::Passes
        );
        let v6 = Field::One("http://[::1]:8000");
        assert_eq!(site(v6, Field::Absent, "[::1]:8000").protection(), Protection::Passes);
        for (origin, host) in [
            ("http://api.example:8001", HOST),
            ("http://api.example", HOST),
            ("https://api.example", "api.example:80"),
            ("http://evil.example:8000", HOST),
            ("http://api.example:8000.evil", HOST),
            ("null", HOST),
            ("api.example:8000", HOST),
            ("http://[::1]", "[::1]:8000"),
            ("chrome-extension://api.example", "api.example"),
        ] {
            let request = site(Field::One(origin), Field::Absent, host);
            assert_eq!(request.protection(), Protection::IfAllowed(origin), "{origin} to {host}");
            assert_eq!(request.not_allowed(), CrossOrigin::OtherHost);
        }
        let no_host = Site { origin: OWN, fetch_site: Field::Absent, host: None };
        assert_eq!(no_host.protection(), Protection::IfAllowed("http://api.example:8000"));
    }

    #[test]
    fn two_origins_are_refused() {
        for fetch_site in [Field::Absent, Field::One("cross-site")] {
            let request = site(Field::Many, fetch_site, HOST);
            assert_eq!(request.protection(), Protection::Refused(CrossOrigin::MultipleOrigins));
        }
        // Fetch metadata that says same-origin is enough, as in Go.
        let same = site(Field::Many, Field::One("same-origin"), HOST);
        assert_eq!(same.protection(), Protection::Passes);
    }

    #[test]
    fn refusals_are_one_bounded_line() {
        let long = "x".repeat(10_000);
        let origin = format!("https://{long}\n");
        let request = site(Field::One(&origin), Field::Absent, HOST);
        let line = CrossOrigin::OtherHost.describe(&request).to_string();
        assert!(line.starts_with(
            r#"no Sec-Fetch-Site, Host is "api.example:8000", and origin "https://xxx"#
        ));
        assert!(line.len() < 200 && !line.contains('\n'), "{line}");
    }
}
