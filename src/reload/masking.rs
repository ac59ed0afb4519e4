//! Environment variables are launch-time overrides: a running process cannot see them
//! change, and they win over every file. An operator who edits a key in a file while a
//! variable sets the same key would otherwise wonder why nothing happens.

use crate::state::MaskedKey;

/// One warning per masked key whose file value differs between two loads.
pub(crate) fn warn_about_masked_edits(before: &[MaskedKey], after: &[MaskedKey]) {
    for message in masked_edits(before, after) {
        log::warn!("{message}");
    }
}

fn masked_edits(before: &[MaskedKey], after: &[MaskedKey]) -> Vec<String> {
    after
        .iter()
        .filter(|now| {
            let then = before.iter().find(|then| then.key == now.key);
            then.is_some_and(|then| then.file_value != now.file_value)
        })
        .map(|now| {
            let value = now.file_value.as_deref().map_or("(removed)".into(), |v| format!("{v:?}"));
            format!(
                "CORS setting `{}` changed to {value} in {}, but environment variable {} \
                 overrides it; the running policy keeps the variable's value (environment \
                 variables are read at launch only)",
                now.key, now.file_source, now.var
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Provenance;

    fn masked(value: Option<&str>) -> MaskedKey {
        MaskedKey {
            key: "allow_origin".into(),
            var: "CORS_ALLOW_ORIGIN".into(),
            file_value: value.map(str::to_string),
            file_source: Provenance::File {
                path: "/srv/Rocket.toml".into(),
                profile: "default".into(),
            },
        }
    }

    #[test]
    fn an_edit_under_a_variable_names_the_key_the_file_and_the_variable() {
        let edits = masked_edits(
            &[masked(Some("https://a.example"))],
            &[masked(Some("https://b.example"))],
        );
        assert_eq!(edits.len(), 1);
        for part in
            ["`allow_origin`", "\"https://b.example\"", "/srv/Rocket.toml", "CORS_ALLOW_ORIGIN"]
        {
            assert!(edits[0].contains(part), "{part} missing from {}", edits[0]);
        }
    }

    #[test]
    fn an_unchanged_file_value_or_a_newly_masked_key_says_nothing() {
        let a = masked(Some("https://a.example"));
        assert!(masked_edits(std::slice::from_ref(&a), std::slice::from_ref(&a)).is_empty());
        assert!(masked_edits(&[], &[a]).is_empty());
    }
}
