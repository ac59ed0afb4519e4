//! Named policies: the base policy's companions, each judging the paths its `paths` match
//! most specifically. A [`Policy`] with named policies is the whole set: compiled at once
//! (all or none), held by the live state as one value, swapped as one on reload.

use std::collections::BTreeMap;

use super::Policy;
use super::router::Router;
use crate::error::{ConfigError, ConfigWarning, Subject};
use crate::settings::{Key, Settings, policy_key};

/// At most this many named policies: a policy is compiled and kept in memory, and the
/// router tries their patterns in turn.
pub(crate) const MAX_NAMED_POLICIES: usize = 256;

/// Which policy of a set judged a request: the base or one of the named ones. Kept beside
/// the ruling, so that the same policy renders the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PolicyId(u16);

impl PolicyId {
    /// The base policy (the `cors` table itself).
    pub(crate) const BASE: PolicyId = PolicyId(0);

    /// The named policy at `index`, in name order.
    pub(super) fn named(index: usize) -> PolicyId {
        PolicyId(u16::try_from(index + 1).expect("at most MAX_NAMED_POLICIES"))
    }

    /// The index of a named policy, in name order.
    pub(super) fn index(self) -> usize {
        usize::from(self.0) - 1
    }
}

/// The named policies of a set, in name order, and the router over their `paths`.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub(super) policies: Box<[Policy]>,
    pub(super) router: Router,
}

/// Compiles every named policy of `policies`, reporting each problem under the named
/// policy's key (`policies.partner.allow_origin`), and the router over them. `None` when
/// there are none, or when any is invalid (its errors are in `errors`).
pub(super) fn compile(
    policies: &BTreeMap<String, Settings>,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) -> Option<Box<Named>> {
    if policies.is_empty() {
        return None;
    }
    let before = errors.len();
    if policies.len() > MAX_NAMED_POLICIES {
        errors.push(ConfigError::new(
            Subject::Key(crate::settings::POLICIES.into()),
            policies.len().to_string(),
            format!("at most {MAX_NAMED_POLICIES} named policies are allowed"),
        ));
        return None;
    }
    let mut compiled = Vec::with_capacity(policies.len());
    for (name, settings) in policies {
        if let Err(err) = check_name(name) {
            errors.push(err);
            continue;
        }
        if settings.paths.is_empty() {
            errors.push(
                ConfigError::new(
                    policy_key(name, Key::Paths.name()),
                    "",
                    "a named policy needs `paths`: it judges only the requests they match",
                )
                .hint(format!(
                    "add e.g. paths = [\"/{name}/**\"] to [default.cors.policies.{name}]"
                )),
            );
        }
        if !settings.policies.is_empty() {
            errors.push(ConfigError::new(
                policy_key(name, crate::settings::POLICIES),
                settings.policies.keys().cloned().collect::<Vec<_>>().join(", "),
                "named policies do not nest: `policies` belongs to the base `cors` table",
            ));
        }
        match Policy::compile_one(settings, Some(name)) {
            Ok(policy) => {
                warnings.extend(policy.warnings.iter().cloned().map(|w| renamed_warning(name, w)));
                compiled.push(policy);
            }
            Err(problems) => errors.extend(problems.into_iter().map(|e| renamed(name, e))),
        }
    }
    if errors.len() > before {
        return None;
    }
    let paths: Vec<(&str, &super::paths::Paths)> =
        compiled.iter().map(|p| (p.name.as_deref().unwrap_or_default(), &p.paths)).collect();
    match Router::compile(&paths) {
        Ok(router) => Some(Box::new(Named { policies: compiled.into(), router })),
        Err(ties) => {
            errors.extend(ties);
            None
        }
    }
}

/// A name is what `CORS_POLICIES__<NAME>__<KEY>` can spell: lower-case ASCII letters,
/// digits and single `_`s.
fn check_name(name: &str) -> Result<(), ConfigError> {
    let well_formed = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.contains("__")
        && !name.starts_with('_')
        && !name.ends_with('_');
    if well_formed {
        return Ok(());
    }
    let suggestion: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let suggestion: Vec<&str> = suggestion.split('_').filter(|s| !s.is_empty()).collect();
    Err(ConfigError::new(
        Subject::Key(crate::settings::POLICIES.into()),
        name,
        "a policy name is lower-case letters, digits and single `_` (at most 64), so that \
         CORS_POLICIES__<NAME>__<KEY> can set it",
    )
    .hint(format!("name it `{}`", suggestion.join("_"))))
}

fn rekeyed(name: &str, subject: Subject) -> Subject {
    match subject {
        Subject::Key(key) => Subject::Key(policy_key(name, &key)),
        other => other,
    }
}

fn renamed(name: &str, mut err: ConfigError) -> ConfigError {
    err.subject = rekeyed(name, err.subject);
    err
}

fn renamed_warning(name: &str, mut warning: ConfigWarning) -> ConfigWarning {
    warning.subject = rekeyed(name, warning.subject);
    warning
}
