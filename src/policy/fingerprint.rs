//! A short, stable name for what a policy does, so that an operator can see at a glance
//! that every replica serves the same one.
//!
//! The fingerprint hashes a canonical rendering of the effective settings: origins
//! normalised (`HTTPS://App.Example.COM:443` is `https://app.example.com`), lists sorted and
//! deduplicated, header names lower-cased, defaults spelled out. Equal policies in any
//! spelling or order get the same fingerprint, any change to an answer another one.
//!
//! The reload mechanics (`reload`, `reload_settle_ms`, `reload_poll_ms`, `env_file`) change
//! no answer and are left out: replicas that mount the same settings at different paths
//! still agree.
//!
//! The hash is FNV-1a (64 bits) rather than `std`'s `DefaultHasher`, whose output may
//! change between Rust releases and, seeded, between processes: the same settings must give
//! the same fingerprint on every replica, whatever it was built with.

use std::fmt;

use super::origins::normalise_origin;
use crate::settings::{Canon, Key, Settings};

/// The fingerprint of a policy: 16 hex digits, the same on every machine and every build.
///
/// ```
/// use cors_fairing::Settings;
/// use cors_fairing::policy::Policies;
///
/// let spelt = |origins: &[&str], methods: &[&str]| {
///     let settings =
///         Settings::default().allow_origin(origins.iter().copied()).allow_methods(methods.iter().copied());
///     Policies::compile(&settings).unwrap().fingerprint()
/// };
/// let one = spelt(&["https://a.example", "HTTPS://B.example:443"], &["GET", "PUT"]);
/// let same = spelt(&["https://b.example", "https://a.example"], &["PUT", "GET", "PUT"]);
/// let other = spelt(&["https://a.example"], &["GET", "PUT"]);
/// assert_eq!(one, same);
/// assert_ne!(one, other);
/// assert_eq!(one.to_string().len(), 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// The fingerprint of compiled (so valid) `settings`.
    pub(crate) fn of(settings: &Settings) -> Fingerprint {
        let mut hash = Fnv1a::new();
        hash.write(canonical(settings).as_bytes());
        Fingerprint(hash.finish())
    }

    /// The fingerprint of one policy of a set, without the named policies beside it: for a
    /// set without named policies, the set's.
    pub(crate) fn alone(settings: &Settings) -> Fingerprint {
        if settings.policies.is_empty() {
            return Fingerprint::of(settings);
        }
        Fingerprint::of(&Settings { policies: Default::default(), ..settings.clone() })
    }

    /// The hash as a number.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// As its 16 hex digits, the way the banner and `check` show it.
impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// Bumped whenever the rendering changes meaning, so that old and new fingerprints of the
/// same settings never pass for equal across a version change. (v2: one line per key of
/// the keys table, in its order.)
const VERSION: &str = "cors-fairing policy v2";

/// One line per key that changes an answer, each list length-prefixed item by item, so that
/// no two different settings render alike (a regex may hold `,` or `;`).
fn canonical(settings: &Settings) -> String {
    let mut out = Canonical(format!("{VERSION}\n"));
    for key in Key::ALL {
        let shown = settings.shown(key);
        let name = key.name();
        match key.canon() {
            Canon::Skip => {}
            _ if ADDED_SINCE_V2.contains(&key) && shown == Settings::default().shown(key) => {}
            // The original middleware's output: values sent as written, in order, and an
            // unset key (an empty header) differs from its default.
            _ if settings.always_send_headers && ORIGINAL.contains(&key) => {
                if shown.set {
                    out.list(name, shown.items.iter())
                } else {
                    out.line(name, "unset")
                }
            }
            Canon::Origins => {
                let normalised =
                    shown.items.iter().map(|o| normalise_origin(o).unwrap_or_else(|_| o.clone()));
                out.set(name, normalised.collect());
            }
            Canon::Set => out.set(name, shown.items),
            Canon::Names => {
                out.set(name, shown.items.iter().map(|n| n.to_ascii_lowercase()).collect())
            }
            Canon::Value => out.list(name, shown.items.iter()),
        }
    }
    // Named policies, in name order; none adds nothing, so a set without them keeps the
    // fingerprint it always had.
    for (name, named) in &settings.policies {
        out.line("policy", name);
        out.0.push_str(&canonical(named));
    }
    out.0
}

/// Keys added after v2 are left out while at their default, so that settings which do not
/// use them keep the fingerprint they had (as named policies do).
const ADDED_SINCE_V2: [Key; 3] = [
    Key::TimingAllowOrigin,
    Key::DangerouslyAllowAllOriginWithCredentials,
    Key::CrossOriginProtection,
];

/// The keys `always_send_headers` sends verbatim, as the original middleware did.
const ORIGINAL: [Key; 5] = [
    Key::AllowOrigin,
    Key::AllowMethods,
    Key::AllowHeaders,
    Key::AllowCredentials,
    Key::ExposeHeaders,
];

struct Canonical(String);

impl Canonical {
    fn line(&mut self, key: &str, value: &str) {
        self.0.push_str(key);
        self.0.push('=');
        self.item(value);
        self.0.push('\n');
    }

    /// A list whose order matters.
    fn list<'a>(&mut self, key: &str, items: impl Iterator<Item = &'a String>) {
        self.0.push_str(key);
        self.0.push_str("=[");
        for item in items {
            self.item(item);
        }
        self.0.push_str("]\n");
    }

    /// A list read as a set: order and repeats mean nothing.
    fn set(&mut self, key: &str, mut items: Vec<String>) {
        items.sort();
        items.dedup();
        self.list(key, items.iter());
    }

    fn item(&mut self, value: &str) {
        self.0.push_str(&value.len().to_string());
        self.0.push(':');
        self.0.push_str(value);
    }
}

/// FNV-1a, 64 bits: tiny, unkeyed, and fixed by its definition
/// (<http://www.isthe.com/chongo/tech/comp/fnv/>).
struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Self {
        Fnv1a(Self::OFFSET_BASIS)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(settings: Settings) -> Fingerprint {
        Fingerprint::of(&settings)
    }

    #[test]
    fn the_number_is_the_hex_shown() {
        let fingerprint = of(Settings::default().allow_origin(["https://a.example"]));
        assert_eq!(format!("{:016x}", fingerprint.as_u64()), fingerprint.to_string());
        assert_ne!(fingerprint.as_u64(), of(Settings::default()).as_u64());
    }

    /// One policy's fingerprint leaves out the named policies beside it: the base of a set
    /// fingerprints as the same settings without them.
    #[test]
    fn a_policy_alone_leaves_out_the_named_policies() {
        let base = Settings::default().allow_origin(["https://a.example"]);
        let partner = Settings::default().paths(["/p/**"]);
        let with_named = base.clone().policy("partner", partner);
        assert_eq!(Fingerprint::alone(&with_named), of(base.clone()));
        assert_ne!(of(with_named), of(base));
    }

    /// A named policy's name is part of the set: `report_only` candidates, the logs and the
    /// metrics name it, so the same policy renamed is another set.
    #[test]
    fn a_named_policy_renamed_changes_it() {
        let partner = Settings::default().paths(["/p/**"]);
        let named = |name: &str| Settings::default().policy(name, partner.clone());
        assert_ne!(of(named("partner")), of(named("vendor")));
        assert_eq!(of(named("partner")), of(named("partner")));
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        let hash = |input: &[u8]| {
            let mut h = Fnv1a::new();
            h.write(input);
            h.finish()
        };
        assert_eq!(hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_default_policy_has_a_fixed_fingerprint() {
        // Pinned: a change here means every deployed fingerprint changes with the upgrade;
        // bump VERSION on purpose if that is intended. (Checked against an independent FNV-1a
        // of the same rendering written in Python.)
        assert_eq!(of(Settings::default()).to_string(), "224a24ed5062e886");
    }

    #[test]
    fn equal_settings_in_any_spelling_or_order_agree() {
        let written = Settings {
            allow_origin: strings(&["HTTPS://App.Example.com:443", "https://*.Example.org"]),
            allow_headers: Some(strings(&["X-Trace", "content-type", "X-TRACE"])),
            expose_headers: strings(&["X-Request-Id", "ETag"]),
            allow_credentials: Some(false),
            paths: strings(&["/b/**", "/a"]),
            ..Settings::default()
        };
        let canonical = Settings {
            allow_origin: strings(&["https://*.example.org", "https://app.example.com"]),
            allow_headers: Some(strings(&["Content-Type", "x-trace"])),
            expose_headers: strings(&["etag", "x-request-id"]),
            allow_credentials: None,
            paths: strings(&["/a", "/b/**"]),
            ..Settings::default()
        };
        assert_eq!(of(written), of(canonical));
        let spelt_out = Settings {
            allow_methods: Some(strings(crate::settings::DEFAULT_METHODS)),
            reload_settle_ms: 500,
            reload: false,
            ..Settings::default()
        };
        assert_eq!(of(spelt_out), of(Settings::default()));
    }

    #[test]
    fn every_change_to_an_answer_changes_it() {
        let base =
            Settings { allow_origin: strings(&["https://a.example"]), ..Settings::default() };
        let variants = [
            Settings { allow_origin: strings(&["https://b.example"]), ..base.clone() },
            Settings { allow_origin_regex: strings(&["https://.*\\.a\\.example"]), ..base.clone() },
            Settings { allow_methods: Some(strings(&["GET"])), ..base.clone() },
            Settings { allow_headers: Some(strings(&["X-A"])), ..base.clone() },
            Settings { allow_credentials: Some(true), ..base.clone() },
            Settings { expose_headers: strings(&["X-A"]), ..base.clone() },
            Settings { max_age: Some(0), ..base.clone() },
            Settings { max_age: Some(60), ..base.clone() },
            Settings { allow_all_origin: true, ..base.clone() },
            Settings { allow_all_headers: true, ..base.clone() },
            Settings { allow_private_network: true, ..base.clone() },
            Settings { paths: strings(&["/api/**"]), ..base.clone() },
            Settings { preflight_status: 200, ..base.clone() },
            Settings { reject_disallowed: true, ..base.clone() },
            Settings { always_send_headers: true, ..base.clone() },
        ];
        let mut seen = vec![of(base)];
        for variant in variants {
            let fingerprint = of(variant.clone());
            assert!(!seen.contains(&fingerprint), "{variant:?} collides");
            seen.push(fingerprint);
        }
    }

    #[test]
    fn verbatim_output_keeps_order_and_unset_keys() {
        let verbatim = |methods: Option<&[&str]>| Settings {
            always_send_headers: true,
            allow_methods: methods.map(strings),
            ..Settings::default()
        };
        assert_ne!(of(verbatim(Some(&["GET", "PUT"]))), of(verbatim(Some(&["PUT", "GET"]))));
        assert_ne!(of(verbatim(None)), of(verbatim(Some(crate::settings::DEFAULT_METHODS))));
    }

    #[test]
    fn list_items_cannot_run_together() {
        let regexes =
            |items: &[&str]| Settings { allow_origin_regex: strings(items), ..Settings::default() };
        assert_ne!(of(regexes(&["a", "b"])), of(regexes(&["a1:b"])));
        assert_ne!(of(regexes(&["ab"])), of(regexes(&["a", "b"])));
    }
}
