//! `allow_origin_regex`: each pattern checked alone, then all of them compiled into one
//! anchored alternation.

use regex::Regex;

use crate::error::{ConfigError, ConfigWarning};
use crate::settings::Key;

use super::lint::regex_warning;

pub(super) fn compile(
    patterns: &[String],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<Regex>, ConfigError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut grouped = Vec::with_capacity(patterns.len());
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
        Regex::new(pattern).map_err(invalid)?;
        let whole = format!("^(?:{pattern})$");
        let regex = Regex::new(&whole).map_err(invalid)?;
        if let Some(warning) = regex_warning(pattern, &regex) {
            warnings.push(warning);
        }
        grouped.push(format!("(?:{pattern})"));
    }
    let combined = Regex::new(&format!("^(?:{})$", grouped.join("|"))).map_err(|err| {
        ConfigError::new(
            Key::AllowOriginRegex,
            patterns.join(", "),
            format!("the regexes together are too large: {}", one_line(&err.to_string())),
        )
    })?;
    Ok(Some(combined))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
