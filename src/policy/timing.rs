//! `timing_allow_origin`: the `Timing-Allow-Origin` line, which lets the listed origins read
//! a response's detailed Resource Timing (<https://w3c.github.io/resource-timing/#sec-timing-allow-origin>).
//!
//! It is static, never reflected: images, scripts and style sheets are fetched without an
//! `Origin`, and a cache must be able to reuse the answer for every page. Resource Timing
//! matches only `*` or an exact serialised origin, so patterns are refused, not rounded.

use super::interned::Rendered;
use super::origins::normalise_origin;
use crate::error::ConfigError;
use crate::settings::Key;

const HINT: &str =
    "list each origin exactly (\"https://app.example.com\"), or write \"*\" for every origin";

/// The rendered `Timing-Allow-Origin` value; `None` when the key is empty (no line at all).
/// Every refused entry goes to `errors`.
pub(super) fn compile(values: &[String], errors: &mut Vec<ConfigError>) -> Option<Rendered> {
    // Each accepted entry as written, and normalised.
    let mut origins: Vec<(&str, String)> = Vec::with_capacity(values.len());
    for value in values {
        let refuse =
            |reason: &str| ConfigError::new(Key::TimingAllowOrigin, value.as_str(), reason);
        match normalise_origin(value) {
            Ok(origin) if origin == "null" => errors.push(
                refuse("Resource Timing never matches `null`: sandboxed and opaque pages get no timing")
                    .hint(HINT),
            ),
            Ok(origin) if origin != "*" && origin.contains('*') => errors.push(
                refuse("Resource Timing matches `*` or an exact origin, never a pattern")
                    .hint(HINT),
            ),
            Ok(origin) => origins.push((value, origin)),
            Err(reason) if value.contains(['\\', '^', '$', '(', '[', '+']) => errors.push(
                refuse(&format!("{reason}; Timing-Allow-Origin takes origins, not regexes"))
                    .hint(HINT),
            ),
            Err(reason) => errors.push(refuse(&reason).hint(HINT)),
        }
    }
    if origins.len() > 1
        && let Some((star, _)) = origins.iter().find(|(_, origin)| origin == "*")
    {
        errors.push(
            ConfigError::new(
                Key::TimingAllowOrigin,
                *star,
                "`*` already lets every origin read the timing, so listing others beside it is a mistake",
            )
            .hint("keep either `*` alone or only the listed origins"),
        );
    }
    let mut rendered: Vec<String> = origins.into_iter().map(|(_, origin)| origin).collect();
    rendered.dedup();
    (!rendered.is_empty()).then(|| Rendered::new(rendered.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(values: &[&str]) -> Result<Option<Box<str>>, Vec<ConfigError>> {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let mut errors = Vec::new();
        let rendered = compile(&values, &mut errors).map(|timing| (*timing).into());
        if errors.is_empty() { Ok(rendered) } else { Err(errors) }
    }

    #[test]
    fn star_or_exact_origins_normalised() {
        assert_eq!(compiled(&[]), Ok(None));
        assert_eq!(compiled(&["*"]), Ok(Some("*".into())));
        let both = compiled(&["HTTPS://App.Example.com:443", "http://localhost:3000"]);
        assert_eq!(both, Ok(Some("https://app.example.com, http://localhost:3000".into())));
    }

    #[test]
    fn patterns_null_regexes_and_star_beside_origins_are_refused_each() {
        let bad =
            ["https://*.example.com", "http://localhost:*", "null", r"https://a\.example", "*"];
        let mut values = vec!["https://ok.example"];
        values.extend(bad);
        let errors = compiled(&values).unwrap_err();
        let refused: Vec<&str> = errors.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(refused, bad);
        assert!(errors.iter().all(|e| e.key() == Some("timing_allow_origin")));
        assert!(errors[0].to_string().contains("never a pattern"), "{}", errors[0]);
        assert!(errors[2].to_string().contains("never matches `null`"), "{}", errors[2]);
        assert!(errors[3].to_string().contains("not regexes"), "{}", errors[3]);
        // A value that is no origin and no regex either is not told about regexes.
        let plain = compiled(&["not an origin"]).unwrap_err();
        assert!(!plain[0].to_string().contains("regex"), "{}", plain[0]);
    }
}
