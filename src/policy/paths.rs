//! `paths`: where CORS applies.
//!
//! `/api/**` matches `/api` and everything below it, `/public/*` one segment below
//! `/public`, anything else the exact path. No patterns means every path.

use crate::error::ConfigError;
use crate::settings::Key;

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPattern {
    Exact(Box<str>),
    /// `/prefix/*`: exactly one more non-empty segment.
    OneBelow(Box<str>),
    /// `/prefix/**`: the prefix itself or anything below it.
    Subtree(Box<str>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Paths {
    patterns: Vec<PathPattern>,
}

impl Paths {
    pub(crate) fn compile(patterns: &[String]) -> Result<Self, ConfigError> {
        let mut compiled = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            compiled.push(parse(pattern)?);
        }
        Ok(Paths { patterns: compiled })
    }

    pub(crate) fn matches(&self, path: &str) -> bool {
        self.patterns.is_empty() || self.patterns.iter().any(|p| p.matches(path))
    }

    /// Whether every path is in scope (no pattern, or `/**`).
    pub(crate) fn matches_every_path(&self) -> bool {
        self.patterns.is_empty()
            || self
                .patterns
                .iter()
                .any(|p| matches!(p, PathPattern::Subtree(prefix) if prefix.is_empty()))
    }
}

fn parse(pattern: &str) -> Result<PathPattern, ConfigError> {
    if !pattern.starts_with('/') {
        return Err(ConfigError::new(Key::Paths, pattern, "a path pattern starts with `/`")
            .hint(format!("write \"/{pattern}\"")));
    }
    let compiled = if pattern == "/**" {
        PathPattern::Subtree("".into())
    } else if let Some(prefix) = pattern.strip_suffix("/**") {
        PathPattern::Subtree(prefix.into())
    } else if let Some(prefix) = pattern.strip_suffix("/*") {
        PathPattern::OneBelow(prefix.into())
    } else {
        PathPattern::Exact(pattern.into())
    };
    let prefix = match &compiled {
        PathPattern::Exact(p) | PathPattern::OneBelow(p) | PathPattern::Subtree(p) => p,
    };
    if prefix.contains('*') {
        return Err(ConfigError::new(
            Key::Paths,
            pattern,
            "`*` and `**` may only stand as the last segment",
        )
        .hint("e.g. `/api/**` for everything below /api, `/files/*` for one level"));
    }
    Ok(compiled)
}

impl PathPattern {
    fn matches(&self, path: &str) -> bool {
        match self {
            PathPattern::Exact(p) => **p == *path,
            PathPattern::Subtree(prefix) => match path.strip_prefix(&**prefix) {
                Some(rest) => rest.is_empty() || rest.starts_with('/') || prefix.is_empty(),
                None => false,
            },
            PathPattern::OneBelow(prefix) => match path.strip_prefix(&**prefix) {
                Some(rest) => rest
                    .strip_prefix('/')
                    .is_some_and(|segment| !segment.is_empty() && !segment.contains('/')),
                None => false,
            },
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
}
