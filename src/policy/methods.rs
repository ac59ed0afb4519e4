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
    pub(crate) fn compile(methods: &[&str], credentials: bool) -> Result<Self, ConfigError> {
        let mut list = Vec::with_capacity(methods.len());
        let mut any = false;
        for method in methods {
            if *method == "*" {
                if credentials {
                    return Err(ConfigError::new(
                        Key::AllowMethods,
                        "*",
                        "with credentials browsers read `*` as a method literally named `*`",
                    )
                    .hint("list the methods by name"));
                }
                any = true;
                continue;
            }
            if !is_token(method) {
                return Err(ConfigError::new(
                    Key::AllowMethods,
                    *method,
                    "not a valid method token",
                )
                .hint("methods are tokens such as GET or PATCH"));
            }
            let upper = method.to_ascii_uppercase();
            if upper != *method && NORMALISED_BY_BROWSERS.contains(&upper.as_str()) {
                return Err(ConfigError::new(
                    Key::AllowMethods,
                    *method,
                    "methods are case-sensitive and browsers send this one upper-cased",
                )
                .hint(format!("write {upper}")));
            }
            list.push((*method).into());
        }
        Ok(Methods { list, any, rendered: methods.join(", ").into_boxed_str() })
    }

    /// Whether the preflight's `Access-Control-Request-Method` is allowed (byte-exact).
    pub(crate) fn allows(&self, method: &str) -> bool {
        self.any || self.list.iter().any(|m| **m == *method)
    }
}

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
    }
}
