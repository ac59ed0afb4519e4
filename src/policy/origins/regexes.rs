//! `allow_origin_regex`: each pattern checked alone, then all of them compiled into one
//! anchored alternation.

use regex::Regex;

use crate::error::{ConfigError, ConfigWarning};
use crate::settings::Key;

use super::lint::regex_warning;

/// The regexes as one anchored alternation, or every regex that does not compile.
pub(super) fn compile(
    patterns: &[String],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<Regex>, Vec<ConfigError>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut grouped = Vec::with_capacity(patterns.len());
    let mut errors = Vec::new();
    for pattern in patterns {
        let invalid = |err: regex::Error| {
            ConfigError::new(
                Key::AllowOriginRegex,
                pattern.as_str(),
                format!("not a valid regex: {}", one_line(&err.to_string())),
            )
            .hint("the syntax is that of the `regex` crate; escape dots as `\\.`")
        };
        // Parsed alone first: `a)|(b` is not a regex, but wrapped in `^(?:...)$` it would
        // become the unanchored alternation `^(?:a)|(b)$`.
        let whole = format!("^(?:{pattern})$");
        match Regex::new(pattern).and_then(|_| Regex::new(&whole)) {
            Ok(regex) => {
                warnings.extend(regex_warning(pattern, &regex));
                grouped.push(format!("(?:{pattern})"));
            }
            Err(err) => errors.push(invalid(err)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let combined = Regex::new(&format!("^(?:{})$", grouped.join("|"))).map_err(|err| {
        vec![
            ConfigError::new(
                Key::AllowOriginRegex,
                patterns.join(", "),
                format!("the regexes together are too large: {}", one_line(&err.to_string())),
            )
            .hint("fewer or simpler regexes; exact origins and `https://*.example.com` need none"),
        ]
    })?;
    Ok(Some(combined))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regex crate's multi-line error, folded into the one line of a config error.
    #[test]
    fn a_bad_regex_is_explained_on_one_line() {
        let errors = compile(&["https://(a".to_string()], &mut Vec::new()).unwrap_err();
        let message = &errors[0].reason;
        let detail = message.strip_prefix("not a valid regex: ").expect(message);
        assert!(detail.contains("unclosed group"), "{message}");
        assert!(!detail.contains('\n') && !detail.contains("  "), "{message:?}");
    }
}
