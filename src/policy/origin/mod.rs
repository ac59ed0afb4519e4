//! Origins: normalising the configured ones, and matching a request's `Origin` against them.
//!
//! Configured origins are normalised once (lower-case scheme and host, default port
//! dropped); request origins are then compared byte for byte, because browsers always send
//! the canonical serialisation. Anything else in a request is simply not allowed.
//!
//! Split along its seams: [`parse`] reads and normalises a configured entry, [`lint`] says
//! which loadable entries deserve a warning, [`regexes`] compiles `allow_origin_regex`, and
//! [`matching`] is the per-request side.

mod lint;
mod matching;
mod parse;
mod regexes;

use regex::Regex;

use crate::error::{ConfigError, ConfigWarning};
use crate::settings::Key;
use matching::Wildcard;
use parse::Pattern;

pub(crate) use matching::is_well_formed;
pub(crate) use parse::normalise_origin;

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

/// The compiled `allow_origin`, `allow_origin_regex` and `allow_all_origin`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    any: bool,
    reflect_all: bool,
    null: bool,
    exact: Vec<Box<str>>,
    wildcards: Vec<Wildcard>,
    /// Every `allow_origin_regex`, anchored, as one alternation: one pass of one automaton
    /// (a `RegexSet` would also track which pattern matched, which no one asks).
    regexes: Option<Regex>,
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
            let pattern = parse::parse_config_origin(value)?;
            warnings.extend(lint::pattern_warning(value, &pattern, credentials));
            match pattern {
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
                    Key::AllowOrigin,
                    other.as_str(),
                    "`*` allows every origin, so listing other origins beside it is a mistake",
                )
                .hint("keep either `*` alone or only the listed origins"));
            }
            if credentials {
                return Err(ConfigError::new(
                    Key::AllowOrigin,
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
        origins.regexes = regexes::compile(regexes, warnings)?;
        if allow_all_origin && credentials {
            warnings.push(ConfigWarning::new(
                Key::AllowAllOrigin,
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
            || self.regexes.as_ref().is_some_and(|regex| regex.is_match(origin))
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
