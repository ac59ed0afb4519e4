//! Origins of app shells and browser extensions: `capacitor://localhost`,
//! `chrome-extension://<id>` and their kind.
//!
//! Their schemes are not "special" in the URL standard, so their hosts are opaque: a browser
//! or web view sends them exactly as the app declares them, case included
//! (<https://url.spec.whatwg.org/#concept-opaque-host>). They are therefore matched byte for
//! byte as written, after the same shape checks an http origin gets: a host, no port, no
//! path, no user info. Extension ids have a fixed form, checked so that a typo stops the
//! launch instead of silently never matching.

use crate::error::ConfigError;
use crate::settings::Key;

/// A scheme whose origins are listed like http ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AppScheme {
    /// Capacitor's iOS web view.
    Capacitor,
    /// Ionic's iOS web view.
    Ionic,
    /// Tauri on macOS and Linux.
    Tauri,
    /// Chromium extensions: a 32-letter id in `a`-`p`.
    ChromeExtension,
    /// Firefox extensions: a per-installation UUID.
    MozExtension,
    /// Safari web extensions: a per-installation UUID.
    SafariWebExtension,
}

impl AppScheme {
    /// The accepted schemes, for error messages.
    pub(super) const NAMES: &'static str = "capacitor://, ionic://, tauri://, chrome-extension://, \
                                            moz-extension://, safari-web-extension://";

    /// The app scheme `scheme` (already lower-cased), if it is one.
    pub(super) fn of(scheme: &str) -> Option<AppScheme> {
        Some(match scheme {
            "capacitor" => AppScheme::Capacitor,
            "ionic" => AppScheme::Ionic,
            "tauri" => AppScheme::Tauri,
            "chrome-extension" => AppScheme::ChromeExtension,
            "moz-extension" => AppScheme::MozExtension,
            "safari-web-extension" => AppScheme::SafariWebExtension,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            AppScheme::Capacitor => "capacitor",
            AppScheme::Ionic => "ionic",
            AppScheme::Tauri => "tauri",
            AppScheme::ChromeExtension => "chrome-extension",
            AppScheme::MozExtension => "moz-extension",
            AppScheme::SafariWebExtension => "safari-web-extension",
        }
    }

    /// The normalised origin for `value`, whose part after `://` is `rest`.
    pub(super) fn parse(self, value: &str, rest: &str) -> Result<String, ConfigError> {
        let error = |reason: String| ConfigError::new(Key::AllowOrigin, value, reason);
        let scheme = self.name();
        let example = self.example();
        if rest.is_empty() {
            return Err(error(format!("`{scheme}://` needs a host"))
                .hint(format!("write \"{scheme}://{example}\"")));
        }
        if let Some(cut) = rest.find(['/', '?', '#']) {
            return Err(error(format!(
                "an origin is {scheme}://host, without a path, query or trailing `/`"
            ))
            .hint(format!("write \"{scheme}://{}\"", &rest[..cut])));
        }
        if rest.contains(['@', ':']) {
            return Err(error(format!("a {scheme}:// origin has no port or user info"))
                .hint(format!("write \"{scheme}://{example}\"")));
        }
        if !rest.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
            return Err(error(format!("`{rest}` is not a host a {scheme}:// origin can have"))
                .hint(format!("write \"{scheme}://{example}\"")));
        }
        if let Some(reason) = self.id_problem(rest) {
            return Err(error(reason).hint(format!("the id looks like \"{example}\"")));
        }
        Ok(format!("{scheme}://{rest}"))
    }

    /// What is wrong with an extension id, for the schemes whose ids have a fixed form.
    fn id_problem(self, id: &str) -> Option<String> {
        match self {
            AppScheme::ChromeExtension
                if id.len() != 32 || !id.bytes().all(|b| (b'a'..=b'p').contains(&b)) =>
            {
                Some(format!(
                    "`{id}` is not a Chromium extension id (32 letters from a to p, as \
                     chrome://extensions shows it)"
                ))
            }
            AppScheme::MozExtension | AppScheme::SafariWebExtension if !is_uuid(id) => {
                Some(format!("`{id}` is not the extension's UUID (8-4-4-4-12 hex digits)"))
            }
            _ => None,
        }
    }

    fn example(self) -> &'static str {
        match self {
            AppScheme::ChromeExtension => "abcdefghijklmnopabcdefghijklmnop",
            AppScheme::MozExtension | AppScheme::SafariWebExtension => {
                "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
            }
            _ => "localhost",
        }
    }
}

fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::super::parse::{Pattern, parse_config_origin};

    fn exact(value: &str) -> String {
        match parse_config_origin(value) {
            Ok(Pattern::Exact(origin)) => origin,
            other => panic!("{value}: {other:?}"),
        }
    }

    #[test]
    fn app_and_extension_origins_are_listed_as_written() {
        assert_eq!(exact("capacitor://localhost"), "capacitor://localhost");
        assert_eq!(exact("Ionic://localhost"), "ionic://localhost");
        assert_eq!(exact("tauri://localhost"), "tauri://localhost");
        let chrome = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
        assert_eq!(exact(chrome), chrome);
        let moz = "moz-extension://0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
        assert_eq!(exact(moz), moz);
        // Opaque hosts keep their case: Safari sends the UUID as the app declares it.
        let safari = "safari-web-extension://0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D";
        assert_eq!(exact(safari), safari);
    }

    #[test]
    fn malformed_app_and_extension_origins_are_refused_with_a_hint() {
        for (bad, hint) in [
            ("capacitor://", "capacitor://localhost"),
            ("capacitor://localhost/", "capacitor://localhost"),
            ("tauri://localhost:8080", "tauri://localhost"),
            ("ionic://user@localhost", "ionic://localhost"),
            ("capacitor://local host", "capacitor://localhost"),
            ("chrome-extension://abc", "abcdefghijklmnopabcdefghijklmnop"),
            ("chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "abcdefghijklmnop"),
            ("moz-extension://not-a-uuid", "0a1b2c3d-4e5f"),
            ("safari-web-extension://0a1b2c3d4e5f", "0a1b2c3d-4e5f"),
            // Four groups, each right; the last group one digit short; a non-hex digit.
            ("moz-extension://0a1b2c3d-4e5f-6a7b-8c9d", "0a1b2c3d-4e5f"),
            ("moz-extension://0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5", "0a1b2c3d-4e5f"),
            ("moz-extension://0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5g", "0a1b2c3d-4e5f"),
        ] {
            let err = parse_config_origin(bad).expect_err(bad);
            let text = err.to_string();
            assert!(text.contains(hint), "{bad}: {text}");
        }
    }

    #[test]
    fn unknown_schemes_name_the_accepted_ones() {
        let err = parse_config_origin("ftp://a.example").unwrap_err();
        assert!(err.to_string().contains("capacitor://"), "{err}");
    }
}
