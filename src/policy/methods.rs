//! `allow_methods`: case-sensitive method tokens.

use super::headers::is_token;
use crate::error::ConfigError;
use crate::settings::Key;

/// Methods the Fetch standard upper-cases before sending; lower-case spellings of these in
/// the config can never match a request.
const NORMALISED_BY_BROWSERS: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

#[derive(Debug, Clone, Default)]
pub(crate) struct Methods {
    list: Vec<Box<str>>,
    any: bool,
    pub(crate) rendered: Box<str>,
}

impl Methods {
    /// The methods, or every problem with them (each item on its own).
    pub(crate) fn compile(methods: &[&str], credentials: bool) -> Result<Self, Vec<ConfigError>> {
        let mut list = Vec::with_capacity(methods.len());
        let mut any = false;
        let mut errors = Vec::new();
        for method in methods {
            if *method == "*" {
                if credentials {
                    errors.push(
                        ConfigError::new(
                            Key::AllowMethods,
                            "*",
                            "with credentials browsers read `*` as a method literally named `*`",
                        )
                        .hint("list the methods by name"),
                    );
                }
                any = true;
                continue;
            }
            match problem(method) {
                Some(err) => errors.push(err),
                None => list.push((*method).into()),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Methods { list, any, rendered: methods.join(", ").into_boxed_str() })
    }

    /// Whether the preflight's `Access-Control-Request-Method` is allowed (byte-exact).
    pub(crate) fn allows(&self, method: &str) -> bool {
        self.any || self.list.iter().any(|m| **m == *method)
    }
}

/// What is wrong with one configured method, if anything.
fn problem(method: &str) -> Option<ConfigError> {
    let error = |reason: &str| ConfigError::new(Key::AllowMethods, method, reason);
    if !is_token(method) {
        return Some(
            error("not a valid method token").hint("methods are tokens such as GET or PATCH"),
        );
    }
    let upper = method.to_ascii_uppercase();
    // https://fetch.spec.whatwg.org/#forbidden-method: a script can never send these.
    if FORBIDDEN.contains(&upper.as_str()) {
        return Some(
            error("a forbidden method (Fetch standard): no page can send it, so allowing it means nothing")
                .hint("remove it; a preflight never asks for it"),
        );
    }
    if upper != method && NORMALISED_BY_BROWSERS.contains(&upper.as_str()) {
        return Some(
            error("methods are case-sensitive and browsers send this one upper-cased")
                .hint(format!("write {upper}")),
        );
    }
    None
}

/// The Fetch standard's forbidden methods, matched case-insensitively.
const FORBIDDEN: &[&str] = &["CONNECT", "TRACE", "TRACK"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_case_sensitive() {
        let m = Methods::compile(&["GET", "PATCH"], false).unwrap();
        assert!(m.allows("PATCH"));
        assert!(!m.allows("patch"));
        assert!(!m.allows("PUT"));
        assert_eq!(&*m.rendered, "GET, PATCH");
        assert!(Methods::compile(&["get"], false).is_err());
        assert!(Methods::compile(&["GE T"], false).is_err());
        assert!(Methods::compile(&["*"], true).is_err());
        let errors = Methods::compile(&["G@T", "GET", "trace", "résumé"], false).unwrap_err();
        let values: Vec<&str> = errors.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(values, ["G@T", "trace", "résumé"]);
    }
}
