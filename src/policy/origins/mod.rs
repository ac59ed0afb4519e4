//! Origins: normalising the configured ones, and matching a request's `Origin` against them.
//!
//! Configured origins are normalised once (lower-case scheme and host, default port
//! dropped); request origins are then compared byte for byte, because browsers always send
//! the canonical serialisation. Anything else in a request is simply not allowed.
//!
//! One file per role: [`parse`] reads and normalises a configured entry, [`lint`] says
//! which loadable entries deserve a warning, [`regexes`] compiles `allow_origin_regex`,
//! [`index`] holds the exact origins and wildcards so a long list costs a look-up, and
//! [`matching`] answers a request's `Origin` ([`Origins::check`]).

mod app_schemes;
mod index;
mod lint;
mod matching;
mod parse;
mod regexes;

use regex::Regex;

use crate::error::{ConfigError, ConfigWarning};
use crate::settings::Key;
use index::{OriginSet, WildcardSet};
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
    exact: OriginSet,
    /// `scheme://host` of the `:*` entries.
    any_port: OriginSet,
    wildcards: WildcardSet,
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
        dangerously_with_credentials: bool,
        warnings: &mut Vec<ConfigWarning>,
        errors: &mut Vec<ConfigError>,
    ) -> Origins {
        let mut origins = Origins { reflect_all: allow_all_origin, ..Origins::default() };
        let (mut exact, mut any_port, mut wildcards) = (Vec::new(), Vec::new(), Vec::new());
        for value in allow_origin {
            let pattern = match parse::parse_config_origin(value) {
                Ok(pattern) => pattern,
                Err(err) => {
                    // Every bad entry is reported, not only the first.
                    errors.push(err);
                    continue;
                }
            };
            warnings.extend(lint::pattern_warning(value, &pattern, credentials));
            match pattern {
                Pattern::Any => origins.any = true,
                Pattern::Null => origins.null = true,
                Pattern::Exact(origin) => exact.push(origin.into()),
                Pattern::AnyPort(origin) => any_port.push(origin.into()),
                Pattern::Wildcard { prefix, suffix, any_port } => wildcards.push(Wildcard {
                    prefix: prefix.into(),
                    suffix: suffix.into(),
                    any_port,
                }),
            }
        }
        origins.exact = OriginSet::build(exact);
        origins.any_port = OriginSet::build(any_port);
        origins.wildcards = WildcardSet::build(wildcards);
        if origins.any {
            if let Some(other) = allow_origin.iter().find(|o| o.as_str() != "*") {
                errors.push(
                    ConfigError::new(
                        Key::AllowOrigin,
                        other.as_str(),
                        "`*` allows every origin, so listing other origins beside it is a mistake",
                    )
                    .hint("keep either `*` alone or only the listed origins"),
                );
            } else if credentials {
                errors.push(
                    ConfigError::new(
                        Key::AllowOrigin,
                        "*",
                        "browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests",
                    )
                    .hint(
                        "list the origins that may send credentials, or turn allow_credentials off",
                    ),
                );
            }
        }
        if origins.any {
            // A regex or reflection beside `*` would answer some origins with themselves:
            // every answer would vary by Origin again, and none could be cached as one.
            let why = "`allow_origin = \"*\"` answers every origin with the same static `*`, \
                       which caches; this would reflect some origins instead";
            let hint = "keep `*` alone, or list the origins (and regexes) without `*`";
            if let Some(regex) = regexes.first() {
                errors
                    .push(ConfigError::new(Key::AllowOriginRegex, regex.as_str(), why).hint(hint));
            }
            if allow_all_origin {
                errors.push(ConfigError::new(Key::AllowAllOrigin, "true", why).hint(hint));
            }
        }
        origins.regexes = regexes::compile(regexes, warnings).unwrap_or_else(|found| {
            errors.extend(found);
            None
        });
        if allow_all_origin && credentials && dangerously_with_credentials {
            warnings.push(ConfigWarning::new(
                Key::DangerouslyAllowAllOriginWithCredentials,
                "true",
                "allow_all_origin with allow_credentials: every site can read responses made \
                 with the user's cookies (the original middleware's behaviour, kept on request)",
            ));
        } else if allow_all_origin && credentials {
            // The pattern of CVE-2025-34291 (Langflow), exploited in the wild.
            errors.push(
                ConfigError::new(
                    Key::AllowAllOrigin,
                    "true",
                    "with allow_credentials = true this lets every site read responses made with \
                     the user's cookies (reflecting any origin with credentials is the pattern \
                     exploited in CVE-2025-34291)",
                )
                .hint(
                    "list the origins in allow_origin; or decide them in code with the origin \
                     check (CorsFairing::with_origin_check); or, to keep the original \
                     middleware's behaviour, set dangerously_allow_all_origin_with_credentials \
                     = true (CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS)",
                ),
            );
        }
        origins
    }

    /// `*`: every origin, answered with the same static `*`.
    pub(crate) fn is_any(&self) -> bool {
        self.any
    }

    /// True when no origin can ever be allowed.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any
            && !self.reflect_all
            && !self.null
            && self.exact.is_empty()
            && self.any_port.is_empty()
            && self.wildcards.is_empty()
            && self.regexes.is_none()
    }
}
