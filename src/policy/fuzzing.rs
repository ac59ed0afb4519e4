//! The pure parsers, for the fuzz targets and property tests only. Not a stable API.
//!
//! Everything else those tests need is public anyway ([`crate::policy::Policies::compile`],
//! [`crate::policy::Policies::decide`], [`crate::Settings`]); these three are the pieces whose
//! properties cannot be seen through a policy's decisions alone.

pub use super::headers::ListProblem;

/// The normalised form of one configured `allow_origin` entry (`*`, `null`, an origin,
/// or a wildcard pattern), or the reason it is refused.
pub fn normalise_origin(value: &str) -> Result<String, String> {
    super::origins::normalise_origin(value)
}

/// Whether a request `Origin` has the shape browsers send (checked before any pattern).
pub fn is_well_formed_origin(origin: &str) -> bool {
    super::origins::is_well_formed(origin)
}

/// Walks an `Access-Control-Request-Headers` value, asking `allowed` about each name.
pub fn check_request_headers<'a>(
    value: &'a str,
    allowed: impl FnMut(&str) -> bool,
) -> Result<(), ListProblem<'a>> {
    super::headers::check_request_headers(value, allowed)
}
