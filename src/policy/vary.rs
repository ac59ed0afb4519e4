//! `Vary`: which request headers the answer depends on.
//!
//! Always appended, never replacing what the application set, and also sent when there
//! was no `Origin` or it was refused: a cache must not serve the answer for one origin to
//! another. Under `*` the answer does not depend on the origin, and `Origin` is left out.

/// On actual requests the answer depends on the origin only.
pub const ACTUAL: &str = "Origin";
/// On preflights it also depends on the requested method.
pub const PREFLIGHT: &str = "Origin, Access-Control-Request-Method";
/// And on the requested headers when they are reflected.
pub const PREFLIGHT_REFLECTING: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
/// Under `*` the answer never depends on the origin: a preflight's depends on the method
/// asked for...
pub const PREFLIGHT_ANY_ORIGIN: &str = "Access-Control-Request-Method";
/// ...and on the headers asked for when they are reflected.
pub const PREFLIGHT_ANY_ORIGIN_REFLECTING: &str =
    "Access-Control-Request-Method, Access-Control-Request-Headers";

#[cfg(test)]
mod tests {
    use super::super::names::{ORIGIN, REQUEST_HEADERS, REQUEST_METHOD};
    use super::*;

    /// The values are lists of the header names, spelt as in `names`.
    #[test]
    fn the_values_list_the_header_names() {
        assert_eq!(ACTUAL, ORIGIN);
        assert_eq!(PREFLIGHT, format!("{ORIGIN}, {REQUEST_METHOD}"));
        assert_eq!(PREFLIGHT_REFLECTING, format!("{ORIGIN}, {REQUEST_METHOD}, {REQUEST_HEADERS}"));
        assert_eq!(PREFLIGHT_ANY_ORIGIN, REQUEST_METHOD);
        assert_eq!(PREFLIGHT_ANY_ORIGIN_REFLECTING, format!("{REQUEST_METHOD}, {REQUEST_HEADERS}"));
    }
}
