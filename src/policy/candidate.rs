//! A report-only candidate: a policy judged beside the one it shadows on every request
//! that one judges, reported and never enforced, the way `Content-Security-Policy-Report-Only`
//! shadows a Content Security Policy (<https://www.w3.org/TR/CSP3/#cspro-header>).
//!
//! A candidate is validated like any policy, by the same compile and with the same errors,
//! named under its table (`report_only.allow_origin`,
//! `policies.partner.report_only.allow_origin`). Its fingerprint is that of the candidate
//! alone, as [`crate::policy::Policies::policy_fingerprint`] gives the policy's: after a promotion,
//! the policy's says the same, which confirms that what was watched is what is in force.

use super::Policy;
use super::fingerprint::Fingerprint;
use crate::error::{ConfigError, ConfigWarning, Subject};
use crate::settings::{Key, POLICIES, REPORT_ONLY, Settings, candidate_key};

/// A compiled candidate and the fingerprint of its promotion.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) policy: Policy,
    pub(crate) fingerprint: Fingerprint,
}

impl Candidate {
    /// The candidate of the policy `name` (the base: `None`), whose settings are `shadowed`;
    /// `None` when it has none, or when it is invalid (its problems are in `errors`).
    pub(super) fn compile(
        shadowed: &Settings,
        name: Option<&str>,
        errors: &mut Vec<ConfigError>,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Option<Candidate> {
        let candidate = shadowed.report_only.as_deref()?;
        let before = errors.len();
        if candidate.paths != shadowed.paths {
            errors.push(
                ConfigError::new(
                    candidate_key(name, Key::Paths.name()),
                    candidate.paths.join(", "),
                    "a report-only candidate judges the requests its policy judges: `paths` is \
                     the policy's",
                )
                .hint("leave `paths` out of the candidate"),
            );
        }
        if !candidate.policies.is_empty() || candidate.report_only.is_some() {
            let nested = if candidate.report_only.is_some() { REPORT_ONLY } else { POLICIES };
            errors.push(ConfigError::new(
                candidate_key(name, nested),
                "",
                "a report-only candidate is one policy: it holds neither named policies nor a \
                 candidate of its own",
            ));
        }
        match Policy::compile(candidate, name) {
            Ok((policy, own)) => {
                warnings.extend(own.into_iter().map(|mut warning| {
                    warning.subject = rekeyed(name, warning.subject);
                    warning
                }));
                if errors.len() > before {
                    return None;
                }
                let fingerprint = Fingerprint::alone(candidate);
                Some(Candidate { policy, fingerprint })
            }
            Err(problems) => {
                errors.extend(problems.into_iter().map(|mut err| {
                    err.subject = rekeyed(name, err.subject);
                    err
                }));
                None
            }
        }
    }
}

fn rekeyed(name: Option<&str>, subject: Subject) -> Subject {
    match subject {
        Subject::Key(key) => Subject::Key(candidate_key(name, &key)),
        other => other,
    }
}
