//! Which policy judges a path: the named policy whose `paths` match it most specifically.
//!
//! Computed once, when the policies are compiled: every pattern of every named policy in
//! one list, the most specific first (more literal segments first; at equal count an exact
//! path, then `/x/*`, then `/x/**`). A request is routed to the first pattern that matches
//! it, so it costs what the patterns ahead of its match cost, and nothing when there are no
//! named policies (the base has no router).

use std::cmp::Reverse;

use super::paths::{PathPattern, Paths, RequestPath};
use crate::error::ConfigError;
use crate::settings::policy_key;

#[derive(Debug, Clone, Default)]
pub(super) struct Router {
    /// Most specific first; each pattern once, with the index of its named policy.
    routes: Box<[(PathPattern, usize)]>,
}

impl Router {
    /// The router over `named`, the named policies in name order with their
    /// `paths`; two policies with the same pattern (equally specific for every path it
    /// matches) are refused, each pair once, naming both and the pattern.
    pub(super) fn compile(named: &[(&str, &Paths)]) -> Result<Router, Vec<ConfigError>> {
        let mut routes: Vec<(PathPattern, usize, String)> = Vec::new();
        for (id, (_, paths)) in named.iter().enumerate() {
            for pattern in paths.patterns() {
                routes.push((pattern.clone(), id, pattern.to_string()));
            }
        }
        routes.sort_by(|(a, a_id, a_text), (b, b_id, b_text)| {
            (Reverse(a.specificity()), a_text, a_id).cmp(&(Reverse(b.specificity()), b_text, b_id))
        });
        routes.dedup_by(|(b, b_id, _), (a, a_id, _)| a == b && a_id == b_id);
        let mut errors = Vec::new();
        for pair in routes.windows(2) {
            let [(first, first_id, text), (second, second_id, _)] = pair else { continue };
            if first == second {
                let (one, other) = (named[*first_id].0, named[*second_id].0);
                errors.push(tie(one, other, text));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Router { routes: routes.into_iter().map(|(p, id, _)| (p, id)).collect() })
    }

    /// The index of the named policy that judges `path`, if any does.
    pub(super) fn route(&self, path: &str) -> Option<usize> {
        // Without named policies, the path is not even looked at.
        if self.routes.is_empty() {
            return None;
        }
        let path = RequestPath::of(path);
        self.routes.iter().find(|(pattern, _)| pattern.matches(&path)).map(|(_, id)| *id)
    }
}

fn tie(one: &str, other: &str, pattern: &str) -> ConfigError {
    ConfigError::new(
        policy_key(other, "paths"),
        pattern,
        format!(
            "the named policies `{one}` and `{other}` both claim the path pattern `{pattern}`, \
             so no policy is the most specific for the paths it matches"
        ),
    )
    .hint(format!(
        "keep `{pattern}` in one of `{one}` and `{other}`, or make one more specific (an exact \
         path beats a pattern, more literal segments beat fewer, `/x/*` beats `/x/**`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(patterns: &[&str]) -> Paths {
        Paths::compile(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn router(named: &[(&str, &[&str])]) -> Result<Router, Vec<ConfigError>> {
        let compiled: Vec<(&str, Paths)> =
            named.iter().map(|(name, patterns)| (*name, paths(patterns))).collect();
        let named: Vec<(&str, &Paths)> = compiled.iter().map(|(n, p)| (*n, p)).collect();
        Router::compile(&named)
    }

    fn routed(router: &Router, path: &str) -> Option<usize> {
        router.route(path)
    }

    #[test]
    fn the_most_specific_pattern_wins_whatever_the_order() {
        let named: &[(&str, &[&str])] = &[
            ("deep", &["/api/**"]),
            ("one_below", &["/api/partner/*"]),
            ("subtree", &["/api/partner/**"]),
            ("exact", &["/api/partner/special"]),
            ("everything", &["/**"]),
        ];
        let router = router(named).unwrap();
        assert_eq!(routed(&router, "/api/partner/special"), Some(3), "exact beats all");
        assert_eq!(routed(&router, "/api/partner/x"), Some(1), "`/x/*` beats `/x/**`");
        assert_eq!(routed(&router, "/api/partner/x/y"), Some(2), "more literals beat fewer");
        assert_eq!(routed(&router, "/api/partner"), Some(2), "`/x/**` matches `/x`");
        assert_eq!(routed(&router, "/api/other"), Some(0));
        assert_eq!(routed(&router, "/elsewhere"), Some(4));
        // Judged by decoded, non-empty segments, as Rocket routes.
        assert_eq!(routed(&router, "//api/partner/%73pecial/"), Some(3));
        assert_eq!(routed(&router, "/api//partner//x"), Some(1));
        let reversed: Vec<_> = named.iter().rev().copied().collect();
        let router = self::router(&reversed).unwrap();
        assert_eq!(routed(&router, "/api/partner/special"), Some(1));
        assert_eq!(routed(&router, "/api/partner/x"), Some(3));
        assert_eq!(routed(&router, "/api/partner/x/y"), Some(2));
    }

    #[test]
    fn no_match_is_none() {
        let router = router(&[("public", &["/public/**", "/status/*"])]).unwrap();
        assert_eq!(routed(&router, "/status/db"), Some(0));
        assert_eq!(routed(&router, "/status"), None);
        assert_eq!(routed(&router, "/api"), None);
    }

    #[test]
    fn a_tie_names_both_policies_and_the_pattern() {
        let errors =
            router(&[("partner", &["/api/**", "/x"]), ("public", &["/y", "/api/**"])]).unwrap_err();
        assert_eq!(errors.len(), 1);
        let err = &errors[0];
        assert_eq!((err.key(), err.value.as_str()), (Some("policies.public.paths"), "/api/**"));
        assert!(err.reason.contains("`partner` and `public`"), "{err}");
        // Spelt apart, the same segments are the same pattern.
        let errors = router(&[("a", &["/api/**"]), ("b", &["//%61pi/**"])]).unwrap_err();
        assert_eq!(errors[0].value, "/api/**");
        // The same pattern twice in one policy is no tie.
        assert!(router(&[("partner", &["/api/**", "/api/**"])]).is_ok());
    }
}
