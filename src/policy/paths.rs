//! `paths`: where CORS applies.
//!
//! `/api/**` matches `/api` and everything below it, `/public/*` one segment below
//! `/public`, anything else the exact path. No patterns means every path.
//!
//! A path is judged the way Rocket routes it: as its non-empty, percent-decoded segments
//! (`uri().path().segments()`), so `/%61pi/items`, `//api//items` and `/api/items/` are all
//! `/api/items`, as they are for Rocket's router. Patterns are read the same way. A path
//! that is already in that form (no `%`, no `//`, no trailing `/`), which is nearly every
//! request, is compared as a string, without splitting it.

use std::borrow::Cow;

use crate::error::ConfigError;
use crate::settings::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The exact path.
    Exact,
    /// `/prefix/*`: exactly one more segment.
    OneBelow,
    /// `/prefix/**`: the prefix itself or anything below it.
    Subtree,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PathPattern {
    shape: Shape,
    /// The decoded segments of the path or prefix (none for `/`).
    segments: Box<[Box<str>]>,
    /// The same segments as a path, `/a/b`: `/` for the exact root, empty for a prefix at
    /// the root (`/**`, `/*`).
    joined: Box<str>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Paths {
    patterns: Vec<PathPattern>,
}

impl Paths {
    /// The patterns, or every problem with them (each pattern on its own).
    pub(crate) fn compile(patterns: &[String]) -> Result<Self, Vec<ConfigError>> {
        let (mut compiled, mut errors) = (Vec::with_capacity(patterns.len()), Vec::new());
        for pattern in patterns {
            match parse(pattern) {
                Ok(pattern) => compiled.push(pattern),
                Err(err) => errors.push(err),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Paths { patterns: compiled })
    }

    /// Whether `path`, the request's raw path, is in scope, judged by its decoded segments.
    pub(crate) fn matches(&self, path: &str) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        if is_plain(path) {
            return self.patterns.iter().any(|p| p.matches_plain(path));
        }
        let segments = segments(path);
        self.patterns.iter().any(|p| p.matches_segments(&segments))
    }

    /// The patterns, as compiled.
    pub(super) fn patterns(&self) -> &[PathPattern] {
        &self.patterns
    }

    /// Whether every path is in scope (no pattern, or `/**`).
    pub(crate) fn matches_every_path(&self) -> bool {
        self.patterns.is_empty()
            || self.patterns.iter().any(|p| p.shape == Shape::Subtree && p.segments.is_empty())
    }
}

/// A request's path as the patterns judge it: the path itself when it [`is_plain`], else
/// its decoded segments (split once, for every pattern to be tried on).
pub(super) enum RequestPath<'a> {
    Plain(&'a str),
    Segments(Vec<Cow<'a, str>>),
}

impl<'a> RequestPath<'a> {
    pub(super) fn of(path: &'a str) -> Self {
        if is_plain(path) {
            RequestPath::Plain(path)
        } else {
            RequestPath::Segments(segments(path))
        }
    }
}

/// Whether `path` is its own segments joined: starts with `/`, no `%` to decode, no empty
/// segment (`//` or a trailing `/`, except the root itself).
fn is_plain(path: &str) -> bool {
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') || (bytes.len() > 1 && bytes.ends_with(b"/")) {
        return false;
    }
    let mut previous_slash = false;
    for &byte in bytes {
        match byte {
            b'%' => return false,
            b'/' if previous_slash => return false,
            _ => {}
        }
        previous_slash = byte == b'/';
    }
    true
}

/// The non-empty, percent-decoded segments of `path`, as Rocket's `Path::segments`.
fn segments(path: &str) -> Vec<Cow<'_, str>> {
    path.split('/').filter(|s| !s.is_empty()).map(percent_decoded).collect()
}

/// `%XX` decoded, anything else (a `%` without two hex digits) kept; invalid UTF-8 replaced.
fn percent_decoded(segment: &str) -> Cow<'_, str> {
    if !segment.contains('%') {
        return Cow::Borrowed(segment);
    }
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(hi, lo)| hi << 4 | lo),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&decoded).into_owned())
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

fn parse(pattern: &str) -> Result<PathPattern, ConfigError> {
    if !pattern.starts_with('/') {
        return Err(ConfigError::new(Key::Paths, pattern, "a path pattern starts with `/`")
            .hint(format!("write \"/{pattern}\"")));
    }
    let (shape, prefix) = if let Some(prefix) = pattern.strip_suffix("/**") {
        (Shape::Subtree, prefix)
    } else if let Some(prefix) = pattern.strip_suffix("/*") {
        (Shape::OneBelow, prefix)
    } else {
        (Shape::Exact, pattern)
    };
    if prefix.contains('*') {
        return Err(ConfigError::new(
            Key::Paths,
            pattern,
            "`*` and `**` may only stand as the last segment",
        )
        .hint("e.g. `/api/**` for everything below /api, `/files/*` for one level"));
    }
    let segments: Box<[Box<str>]> =
        segments(prefix).into_iter().map(|s| Box::from(s.as_ref())).collect();
    if segments.iter().any(|s| s.contains('/')) {
        return Err(ConfigError::new(
            Key::Paths,
            pattern,
            "an encoded `/` (`%2F`) cannot stand in a pattern: Rocket routes by decoded segments",
        )
        .hint("write the segments with a plain `/` between them"));
    }
    let mut joined: String = segments.iter().flat_map(|s| ["/", s]).collect();
    if joined.is_empty() && shape == Shape::Exact {
        joined.push('/');
    }
    Ok(PathPattern { shape, segments, joined: joined.into() })
}

impl PathPattern {
    /// Whether the pattern matches the request's path.
    pub(super) fn matches(&self, path: &RequestPath<'_>) -> bool {
        match path {
            RequestPath::Plain(path) => self.matches_plain(path),
            RequestPath::Segments(segments) => self.matches_segments(segments),
        }
    }

    /// How specific the pattern is, greater first: literal segments, then an exact path
    /// over `/x/*` over `/x/**`. Two patterns that match one path and are equally specific
    /// are the same pattern.
    pub(super) fn specificity(&self) -> (usize, u8) {
        let shape = match self.shape {
            Shape::Exact => 2,
            Shape::OneBelow => 1,
            Shape::Subtree => 0,
        };
        (self.segments.len(), shape)
    }

    /// For a path that [`is_plain`]: string comparisons give the same answer as segments.
    fn matches_plain(&self, path: &str) -> bool {
        match self.shape {
            Shape::Exact => *self.joined == *path,
            Shape::Subtree => match path.strip_prefix(&*self.joined) {
                Some(rest) => rest.is_empty() || rest.starts_with('/'),
                None => false,
            },
            Shape::OneBelow => match path.strip_prefix(&*self.joined) {
                Some(rest) => rest
                    .strip_prefix('/')
                    .is_some_and(|segment| !segment.is_empty() && !segment.contains('/')),
                None => false,
            },
        }
    }

    fn matches_segments(&self, path: &[Cow<'_, str>]) -> bool {
        let n = self.segments.len();
        let fits = match self.shape {
            Shape::Exact => path.len() == n,
            Shape::OneBelow => path.len() == n + 1,
            Shape::Subtree => path.len() >= n,
        };
        fits && self.segments.iter().zip(path).all(|(p, s)| **p == **s)
    }
}

/// The pattern as it is judged (decoded segments): `/api/**`, `/public/*`, `/exact`.
impl std::fmt::Display for PathPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.joined)?;
        match self.shape {
            Shape::Exact => Ok(()),
            Shape::OneBelow => f.write_str("/*"),
            Shape::Subtree => f.write_str("/**"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(patterns: &[&str]) -> Paths {
        Paths::compile(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn patterns() {
        let p = paths(&["/api/**", "/public/*", "/health"]);
        assert!(p.matches("/api"));
        assert!(p.matches("/api/items/1"));
        assert!(!p.matches("/apix"));
        assert!(p.matches("/public/a"));
        assert!(!p.matches("/public"));
        assert!(!p.matches("/public/a/b"));
        assert!(p.matches("/health"));
        assert!(!p.matches("/health/x"));
        assert!(!p.matches("/"));
        assert!(paths(&[]).matches("/anything"));
        assert!(paths(&["/**"]).matches("/anything/at/all"));
        assert!(paths(&[]).matches_every_path());
        assert!(paths(&["/health", "/**"]).matches_every_path());
        assert!(!paths(&["/api/**", "/*"]).matches_every_path());
        assert!(Paths::compile(&["api".into()]).is_err());
        assert!(Paths::compile(&["/a/*/b".into()]).is_err());
    }

    #[test]
    fn paths_are_judged_by_their_decoded_non_empty_segments_as_rocket_routes() {
        let p = paths(&["/api/items", "/public/*", "/files/**"]);
        for path in ["/%61pi/items", "//api//items", "/api/items/", "/api/%69tems", "/api/items//"]
        {
            assert!(p.matches(path), "{path}");
        }
        assert!(p.matches("//public/a/"));
        assert!(p.matches("/public/%61"));
        assert!(!p.matches("/public//"));
        assert!(p.matches("/files"));
        assert!(p.matches("/files/"));
        assert!(p.matches("//files//a//b"));
        // An encoded `/` stays inside its segment, as for Rocket's router.
        assert!(!p.matches("/api%2Fitems"));
        assert!(!p.matches("/public/a%2Fb/c"));
        assert!(p.matches("/public/a%2Fb"));
        // A `%` without two hex digits is kept, as Rocket keeps it.
        assert!(paths(&["/100%"]).matches("/100%"));
        assert!(paths(&["/100%25"]).matches("/100%"));
        assert!(paths(&["/100%"]).matches("/100%25"));
        // Root.
        assert!(paths(&["/"]).matches("//"));
        assert!(!paths(&["/"]).matches("/%2F"));
        assert!(!paths(&["/*"]).matches("//"));
    }

    #[test]
    fn patterns_are_read_as_segments_too() {
        let p = paths(&["/api/items/", "//v1//**", "/caf%C3%A9"]);
        assert!(p.matches("/api/items"));
        assert!(p.matches("/v1/x"));
        assert!(p.matches("/v1"));
        assert!(p.matches("/caf%C3%A9"));
        assert!(p.matches("/caf%c3%a9"));
        assert!(paths(&["//"]).matches("/"));
        let err = Paths::compile(&["/a%2Fb".into()]).unwrap_err()[0].to_string();
        assert!(err.contains("%2F"), "{err}");
    }

    #[test]
    fn the_string_shortcut_agrees_with_segments() {
        let patterns =
            ["/", "/**", "/*", "/a", "/a/**", "/a/*", "/a/b", "/a/b/**", "/a/b/*", "/ab"];
        let paths_ = ["/", "/a", "/ab", "/a/b", "/a/bc", "/a/b/c", "/a/b/c/d", "/b", "/abc/b"];
        for pattern in patterns {
            let compiled = parse(pattern).unwrap();
            for path in paths_ {
                assert!(is_plain(path), "{path}");
                assert_eq!(
                    compiled.matches_plain(path),
                    compiled.matches_segments(&segments(path)),
                    "{pattern} against {path}"
                );
            }
        }
        for path in ["", "a", "//", "/a/", "/a//b", "/%61"] {
            assert!(!is_plain(path), "{path}");
        }
    }
}
