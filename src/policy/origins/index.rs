//! Indexes over the configured origins, so that a request's cost does not grow with the
//! length of the lists: 10,000 exact origins or 1,000 wildcards cost a few hash look-ups.
//!
//! Small lists (the common case: a handful of origins) are scanned, which is cheaper than
//! hashing; past [`SCAN_LIMIT`] entries a hash set answers. The hasher is std's keyed
//! SipHash, so request origins chosen by an attacker cannot aim at one bucket.

use std::collections::{HashMap, HashSet};

use super::matching::{Wildcard, is_port_number};
use super::parse::is_host_label;

/// Up to this many entries a linear scan beats hashing the request origin.
const SCAN_LIMIT: usize = 8;

/// Exact origins (`https://app.example.com`), or the `scheme://host` part of `:*` ones.
#[derive(Debug, Clone, Default)]
pub(super) struct OriginSet {
    few: Vec<Box<str>>,
    many: HashSet<Box<str>>,
}

impl OriginSet {
    pub(super) fn build(mut origins: Vec<Box<str>>) -> OriginSet {
        origins.sort();
        origins.dedup();
        if origins.len() <= SCAN_LIMIT {
            OriginSet { few: origins, many: HashSet::new() }
        } else {
            OriginSet { few: Vec::new(), many: origins.into_iter().collect() }
        }
    }

    pub(super) fn contains(&self, origin: &str) -> bool {
        if self.many.is_empty() {
            self.few.iter().any(|o| **o == *origin)
        } else {
            self.many.contains(origin)
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.few.is_empty() && self.many.is_empty()
    }

    /// Whether `origin` is a listed `scheme://host` with a port or none: the `:*` form.
    /// `origin` is well formed (see `is_well_formed`), so a port is digits without the
    /// scheme's default.
    pub(super) fn contains_with_any_port(&self, origin: &str) -> bool {
        self.contains(origin) || strip_port(origin).is_some_and(|base| self.contains(base))
    }
}

/// `https://*.example.com` wildcards, with a fixed port (or none) or with `:*`.
#[derive(Debug, Clone, Default)]
pub(super) struct WildcardSet {
    few: Vec<Wildcard>,
    /// Suffix (`.example.com` or `.example.com:8443`) -> the schemes it is listed for.
    fixed_port: HashMap<Box<str>, Vec<Box<str>>>,
    /// The same for `:*` wildcards, the suffix without any port.
    any_port: HashMap<Box<str>, Vec<Box<str>>>,
}

impl WildcardSet {
    pub(super) fn build(wildcards: Vec<Wildcard>) -> WildcardSet {
        if wildcards.len() <= SCAN_LIMIT {
            return WildcardSet { few: wildcards, ..WildcardSet::default() };
        }
        let mut set = WildcardSet::default();
        for wildcard in wildcards {
            let map = if wildcard.any_port { &mut set.any_port } else { &mut set.fixed_port };
            let schemes = map.entry(wildcard.suffix).or_default();
            if !schemes.contains(&wildcard.prefix) {
                schemes.push(wildcard.prefix);
            }
        }
        set
    }

    pub(super) fn is_empty(&self) -> bool {
        self.few.is_empty() && self.fixed_port.is_empty() && self.any_port.is_empty()
    }

    /// Whether the well-formed `origin` falls under a wildcard.
    pub(super) fn matches(&self, origin: &str) -> bool {
        if self.fixed_port.is_empty() && self.any_port.is_empty() {
            return self.few.iter().any(|w| w.matches(origin));
        }
        let Some(split) = origin.find("://") else { return false };
        let (prefix, authority) = origin.split_at(split + 3);
        suffix_listed(&self.fixed_port, prefix, authority)
            || (!self.any_port.is_empty()
                && suffix_listed(
                    &self.any_port,
                    prefix,
                    strip_port(authority).unwrap_or(authority),
                ))
    }
}

/// Whether some `.suffix` of `authority` is listed for the scheme `prefix`, with one or
/// more host labels before it. One pass: each `.` is a candidate start of the suffix, and
/// the labels before it are checked as the pass goes.
fn suffix_listed(map: &HashMap<Box<str>, Vec<Box<str>>>, prefix: &str, authority: &str) -> bool {
    let mut label_start = 0;
    for (at, byte) in authority.bytes().enumerate() {
        if byte != b'.' {
            continue;
        }
        if !is_host_label(&authority[label_start..at]) {
            return false;
        }
        if map.get(&authority[at..]).is_some_and(|schemes| schemes.iter().any(|s| **s == *prefix)) {
            return true;
        }
        label_start = at + 1;
    }
    false
}

/// `scheme://host:port` -> `scheme://host`, when the text ends in `:digits` outside an
/// IPv6 address.
fn strip_port(origin: &str) -> Option<&str> {
    let (base, port) = origin.rsplit_once(':')?;
    (is_port_number(port) && !base.ends_with('/')).then_some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wildcard(prefix: &str, suffix: &str, any_port: bool) -> Wildcard {
        Wildcard { prefix: prefix.into(), suffix: suffix.into(), any_port }
    }

    fn many_wildcards(extra: Vec<Wildcard>) -> WildcardSet {
        let mut all: Vec<Wildcard> =
            (0..SCAN_LIMIT).map(|i| wildcard("https://", &format!(".d{i}.test"), false)).collect();
        all.extend(extra);
        let set = WildcardSet::build(all);
        assert!(set.few.is_empty(), "the index is in use");
        set
    }

    /// Indexed with only fixed-port wildcards (no `:*`), or only `:*` ones: either map alone
    /// answers.
    #[test]
    fn indexed_wildcards_of_one_kind_alone_match() {
        let fixed = many_wildcards(vec![wildcard("https://", ".example.com", false)]);
        assert!(fixed.matches("https://a.example.com"));
        let any: Vec<Wildcard> =
            (0..=SCAN_LIMIT).map(|i| wildcard("http://", &format!(".p{i}.test"), true)).collect();
        let any = WildcardSet::build(any);
        assert!(any.few.is_empty() && any.fixed_port.is_empty());
        assert!(any.matches("http://a.p2.test:5173"));
        assert!(!any.matches("https://a.p2.test:5173"));
    }

    #[test]
    fn indexed_wildcards_match_like_scanned_ones() {
        let set = many_wildcards(vec![
            wildcard("https://", ".example.com", false),
            wildcard("http://", ".dev.example.com:8080", false),
            wildcard("http://", ".local.test", true),
        ]);
        for yes in [
            "https://a.example.com",
            "https://a.b.example.com",
            "http://x.dev.example.com:8080",
            "http://x.local.test",
            "http://x.local.test:5173",
            "https://q.d3.test",
        ] {
            assert!(set.matches(yes), "{yes}");
        }
        for no in [
            "https://example.com",
            "https://evil-example.com",
            "https://.example.com",
            "http://a.example.com",
            "https://a.example.com:8443",
            "http://x.dev.example.com",
            "http://x.dev.example.com:8081",
            "https://x.local.test:5173",
            "http://local.test:5173",
            "https://a:b.example.com",
            "https://a..example.com",
        ] {
            assert!(!set.matches(no), "{no}");
        }
    }

    #[test]
    fn large_exact_sets_are_hashed_and_any_port_strips_only_a_port() {
        let origins: Vec<Box<str>> =
            (0..100).map(|i| format!("https://o{i}.example").into()).collect();
        let set = OriginSet::build(origins);
        assert!(set.few.is_empty());
        assert!(set.contains("https://o42.example"));
        assert!(!set.contains("https://o42.example.evil"));
        let bases = OriginSet::build(vec!["http://localhost".into(), "http://[::1]".into()]);
        assert!(bases.contains_with_any_port("http://localhost"));
        assert!(bases.contains_with_any_port("http://localhost:5173"));
        assert!(bases.contains_with_any_port("http://[::1]:3000"));
        assert!(!bases.contains_with_any_port("http://localhost.evil:5173"));
        assert!(!bases.contains_with_any_port("https://localhost:5173"));
        assert!(!bases.contains_with_any_port("http://localhost:"));
        assert!(!bases.contains_with_any_port("http://localhost:0"));
        assert!(!bases.contains_with_any_port("http://localhost:65536"));
        assert!(bases.contains_with_any_port("http://[::1]"));
    }
}
