//! A reload that takes access away takes effect for preflights only once browsers' cached
//! preflight answers expire: up to the previous `max_age` seconds, during which pages may
//! still send what the new policy refuses (the actual request then fails CORS, but it is
//! sent). Operators who tighten a policy to shut something out should know how long.
//!
//! See Fetch's CORS-preflight cache: <https://fetch.spec.whatwg.org/#cors-preflight-cache>.

use std::collections::BTreeSet;

use crate::policy::{max_age_in_engines, normalise_origin};
use crate::settings::Settings;

/// The warning for a swap from `before` to `after`, if it narrows access while answers of
/// `before` may still be cached.
pub(crate) fn warning(before: &Settings, after: &Settings) -> Option<String> {
    let max_age = before.max_age.filter(|age| *age > 0)?;
    let removed = removed(before, after);
    if removed.is_empty() {
        return None;
    }
    Some(format!(
        "CORS reload narrowed access (removed {}): browsers may keep using a preflight answer \
         cached under the previous policy (max_age {max_age} s): {}",
        removed.join(", "),
        max_age_in_engines(max_age)
    ))
}

/// The same for every named policy in both `before` and `after`, naming the policy: with
/// the policy's name.
pub(crate) fn named_warnings<'a>(before: &'a Settings, after: &Settings) -> Vec<(&'a str, String)> {
    before
        .policies
        .iter()
        .filter_map(|(name, old)| {
            let new = after.policies.get(name)?;
            let warning = warning(old, new)?;
            let named = format!("CORS reload narrowed access in policy `{name}`");
            Some((name.as_str(), warning.replacen("CORS reload narrowed access", &named, 1)))
        })
        .collect()
}

/// What `before` allowed and `after` no longer does, as "origin https://a.example",
/// "method PUT", "header x-a".
fn removed(before: &Settings, after: &Settings) -> Vec<String> {
    let mut removed = Vec::new();
    if !after.allow_all_origin {
        if before.allow_all_origin {
            removed.push("allow_all_origin".to_string());
        }
        let origins = |s: &Settings| -> BTreeSet<String> {
            s.allow_origin
                .iter()
                .map(|o| normalise_origin(o).unwrap_or_else(|_| o.clone()))
                .collect()
        };
        let regexes = |s: &Settings| s.allow_origin_regex.iter().cloned().collect::<BTreeSet<_>>();
        gone(&mut removed, "origin", origins(before), &origins(after));
        gone(&mut removed, "origin regex", regexes(before), &regexes(after));
    }
    let methods = |s: &Settings| s.methods().iter().map(|m| m.to_string()).collect();
    let after_methods: BTreeSet<String> = methods(after);
    if !after_methods.contains("*") {
        gone(&mut removed, "method", methods(before), &after_methods);
    }
    if !after.allow_all_headers {
        if before.allow_all_headers {
            removed.push("allow_all_headers".to_string());
        }
        let headers = |s: &Settings| s.headers().iter().map(|h| h.to_ascii_lowercase()).collect();
        let after_headers: BTreeSet<String> = headers(after);
        if !after_headers.contains("*") {
            gone(&mut removed, "header", headers(before), &after_headers);
        }
    }
    removed
}

fn gone(out: &mut Vec<String>, what: &str, before: BTreeSet<String>, after: &BTreeSet<String>) {
    out.extend(before.difference(after).map(|item| format!("{what} {item}")));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn before() -> Settings {
        Settings {
            allow_origin: strings(&["https://a.example", "https://b.example"]),
            allow_methods: Some(strings(&["GET", "PUT"])),
            allow_headers: Some(strings(&["X-A", "X-B"])),
            max_age: Some(600),
            ..Settings::default()
        }
    }

    #[test]
    fn removing_an_origin_a_method_or_a_header_warns_with_the_old_max_age() {
        let after = Settings {
            allow_origin: strings(&["https://a.example"]),
            allow_methods: Some(strings(&["GET"])),
            allow_headers: Some(strings(&["x-a"])),
            max_age: Some(10),
            ..Settings::default()
        };
        assert_eq!(
            warning(&before(), &after).unwrap(),
            "CORS reload narrowed access (removed origin https://b.example, method PUT, header \
             x-b): browsers may keep using a preflight answer cached under the previous policy \
             (max_age 600 s): WebKit for up to 600 s, Chromium 600 s, Firefox 600 s"
        );
        // Each engine caps the previous max_age its own way (issue 22 #4).
        let day = Settings { max_age: Some(86_400), ..before() };
        assert!(warning(&day, &after).unwrap().ends_with(
            "(max_age 86400 s): WebKit for up to 600 s, Chromium 7200 s, Firefox 86400 s"
        ));
        let hour = Settings { max_age: Some(3_600), ..before() };
        assert!(
            warning(&hour, &after)
                .unwrap()
                .ends_with("WebKit for up to 600 s, Chromium 3600 s, Firefox 3600 s")
        );
    }

    #[test]
    fn widening_respelling_or_no_max_age_do_not_warn() {
        let wider = Settings {
            allow_origin: strings(&[
                "HTTPS://B.example:443",
                "https://a.example",
                "https://c.example",
            ]),
            allow_headers: Some(strings(&["x-b", "X-A", "X-C"])),
            ..before()
        };
        assert_eq!(warning(&before(), &wider), None);
        let uncached = Settings { max_age: None, ..before() };
        assert_eq!(warning(&uncached, &Settings::default()), None);
        let zero = Settings { max_age: Some(0), ..before() };
        assert_eq!(warning(&zero, &Settings::default()), None);
        let reflect_all = Settings { allow_all_origin: true, allow_all_headers: true, ..before() };
        assert_eq!(warning(&before(), &reflect_all), None);
    }

    #[test]
    fn turning_reflection_off_is_narrowing() {
        let reflecting = Settings { allow_all_origin: true, ..before() };
        let message = warning(&reflecting, &before()).unwrap();
        assert!(message.contains("removed allow_all_origin)"), "{message}");
    }
}
