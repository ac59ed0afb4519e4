//! The one line that ends every reload attempt, so that an operator can tell from the log
//! alone whether a save, a SIGHUP or a `reload()` did anything: swapped (and what changed),
//! unchanged, or refused (and why). Detail lines (each changed value, warnings) come
//! before it; this one closes the attempt. An attempt that succeeds after a refused one
//! says the configuration is valid again, which is otherwise invisible when the good file
//! gives the policy already in force.

use std::fmt;

use crate::banner::changes;
use crate::error::escaped;
use crate::policy::Fingerprint;
use crate::settings::{POLICIES, REPORT_ONLY, Settings, candidate_key, policy_key};
use crate::state::ReloadOutcome;

/// What made the reloader read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// File events in a watched directory settled.
    FileChange,
    /// The periodic check saw a file move.
    PeriodicCheck,
    Hangup,
    /// `CorsHandle::reload()` (an admin endpoint, a test).
    OnRequest,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cause::FileChange => "a file change",
            Cause::PeriodicCheck => "the periodic check",
            Cause::Hangup => "SIGHUP",
            Cause::OnRequest => "a reload() call",
        })
    }
}

/// The keys a swap changed, as the settings table names them: `allow_origin`,
/// `policies.partner.max_age`, `policies.partner (added)`.
pub(crate) fn changed_keys(before: &Settings, after: &Settings) -> Vec<String> {
    let mut keys: Vec<String> =
        changes(before, after).into_iter().map(|c| c.key.to_string()).collect();
    candidate_changes(&mut keys, None, before, after);
    for name in before.policies.keys().filter(|name| !after.policies.contains_key(*name)) {
        keys.push(format!("{POLICIES}.{name} (removed)"));
    }
    for (name, new) in &after.policies {
        match before.policies.get(name) {
            None => keys.push(format!("{POLICIES}.{name} (added)")),
            Some(old) => {
                keys.extend(changes(old, new).into_iter().map(|c| policy_key(name, c.key.name())));
                candidate_changes(&mut keys, Some(name), old, new);
            }
        }
    }
    keys
}

/// The changes of the report-only candidate of the policy `name` (the base: `None`):
/// `report_only (added)`, `policies.partner.report_only.allow_origin`.
fn candidate_changes(
    keys: &mut Vec<String>,
    name: Option<&str>,
    before: &Settings,
    after: &Settings,
) {
    let table = || match name {
        None => REPORT_ONLY.to_string(),
        Some(name) => policy_key(name, REPORT_ONLY),
    };
    match (before.report_only.as_deref(), after.report_only.as_deref()) {
        (None, Some(_)) => keys.push(format!("{} (added)", table())),
        (Some(_), None) => keys.push(format!("{} (removed)", table())),
        (Some(old), Some(new)) => {
            keys.extend(changes(old, new).into_iter().map(|c| candidate_key(name, c.key.name())))
        }
        (None, None) => {}
    }
}

/// The closing line of one attempt, and whether it is an error.
pub(crate) struct Closing {
    pub(crate) error: bool,
    pub(crate) text: String,
}

/// `generation` and `fingerprint` are those in force after the attempt; `valid_again`
/// when the attempt before it was refused; `changed` as [`changed_keys`] gives them.
pub(crate) fn closing(
    cause: Cause,
    outcome: &ReloadOutcome,
    generation: u64,
    fingerprint: Fingerprint,
    valid_again: bool,
    changed: &[String],
) -> Closing {
    let again = if valid_again { "valid again; " } else { "" };
    let text = match outcome {
        ReloadOutcome::Swapped { .. } => {
            let changed = escaped(&changed.join(", ")).to_string();
            format!(
                "CORS reload after {cause}: {again}swapped in generation {generation} \
                 (fingerprint {fingerprint}); changed: {changed}"
            )
        }
        ReloadOutcome::Unchanged => format!(
            "CORS reload after {cause}: {again}unchanged, generation {generation} \
             (fingerprint {fingerprint})"
        ),
        ReloadOutcome::Failed(err) => format!(
            "CORS reload after {cause}: refused, keeping generation {generation} \
             (fingerprint {fingerprint}): {err}"
        ),
    };
    Closing { error: matches!(outcome, ReloadOutcome::Failed(_)), text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ConfigError, Subject};

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_swap_names_every_changed_key_named_policies_included() {
        let partner =
            Settings { allow_origin: strings(&["https://p.example"]), ..Settings::default() };
        let before = Settings {
            allow_origin: strings(&["https://a.example"]),
            policies: [
                ("partner".to_string(), partner.clone()),
                ("old".to_string(), partner.clone()),
            ]
            .into(),
            ..Settings::default()
        };
        let after = Settings {
            allow_origin: strings(&["https://b.example"]),
            max_age: Some(60),
            policies: [
                ("partner".to_string(), Settings { max_age: Some(5), ..partner.clone() }),
                ("new".to_string(), partner),
            ]
            .into(),
            ..Settings::default()
        };
        assert_eq!(
            changed_keys(&before, &after),
            strings(&[
                "allow_origin",
                "max_age",
                "policies.old (removed)",
                "policies.new (added)",
                "policies.partner.max_age"
            ])
        );
        assert!(changed_keys(&before, &before).is_empty());
    }

    #[test]
    fn each_outcome_says_what_happened_and_after_what() {
        let fingerprint =
            crate::policy::Policies::compile(&Settings::default()).unwrap().fingerprint();
        let swapped = closing(
            Cause::FileChange,
            &ReloadOutcome::Swapped { generation: 3 },
            3,
            fingerprint,
            false,
            &strings(&["allow_origin"]),
        );
        assert!(!swapped.error);
        assert_eq!(
            swapped.text,
            format!(
                "CORS reload after a file change: swapped in generation 3 (fingerprint \
                 {fingerprint}); changed: allow_origin"
            )
        );
        let unchanged =
            closing(Cause::Hangup, &ReloadOutcome::Unchanged, 3, fingerprint, true, &[]);
        assert_eq!(
            unchanged.text,
            format!(
                "CORS reload after SIGHUP: valid again; unchanged, generation 3 (fingerprint \
                 {fingerprint})"
            )
        );
        let err = ConfigError::new(Subject::Table, "", "broken").into();
        let refused =
            closing(Cause::OnRequest, &ReloadOutcome::Failed(err), 3, fingerprint, true, &[]);
        assert!(refused.error);
        assert!(
            refused.text.starts_with(&format!(
                "CORS reload after a reload() call: refused, keeping generation 3 (fingerprint \
                 {fingerprint}): "
            )),
            "{}",
            refused.text
        );
        assert!(refused.text.contains("broken"), "{}", refused.text);
    }
}
