//! Properties of origin normalisation, origin matching and header-list parsing, over
//! generated inputs (proptest, a moderate number of cases so `cargo test` stays quick).

use cors_fairing::Settings;
use cors_fairing::fuzzing::{check_request_headers, normalise_origin};
use cors_fairing::policy::{CorsRequest, Field, Policies, RequestHeaders};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() }
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?"
}

/// A host name browsers would send as is: labels, the last one not a number.
fn host() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..4), "[a-z][a-z0-9]{1,5}")
        .prop_map(|(labels, last)| format!("{}.{last}", labels.join(".")))
}

/// Flips the case of the letters selected by `mask`.
fn mix_case(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| if mask >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}

/// A configured origin as people write it: any case, sometimes with the default port.
fn written_origin() -> impl Strategy<Value = String> {
    let port = prop_oneof![Just(None), Just(Some(80u16)), Just(Some(443)), (1u16..).prop_map(Some)];
    (prop_oneof![Just("http"), Just("https")], host(), port, any::<u64>()).prop_map(
        |(scheme, host, port, mask)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            mix_case(&format!("{scheme}://{host}{port}"), mask)
        },
    )
}

fn policy(allow_origin: &[&str]) -> Policies {
    Policies::compile(&Settings::default().allow_origin(allow_origin.iter().map(|o| o.to_string())))
        .expect("valid settings")
}

fn allows(policy: &Policies, origin: &str) -> bool {
    policy.decide(&CorsRequest { origin: Field::One(origin), ..CorsRequest::get("/") }).is_allowed()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn normalisation_is_idempotent_on_written_origins(written in written_origin()) {
        let normal = normalise_origin(&written).expect("a valid origin");
        prop_assert_eq!(normalise_origin(&normal), Ok(normal.clone()));
        prop_assert_eq!(normal.to_ascii_lowercase(), normal.clone());
        prop_assert!(!normal.starts_with("http://") || !normal.ends_with(":80"));
        prop_assert!(!normal.starts_with("https://") || !normal.ends_with(":443"));
    }

    #[test]
    fn normalisation_is_idempotent_on_any_text(text in "[a-zA-Z0-9:/.*@?#\\[\\]_-]{0,30}|.{0,30}") {
        if let Ok(normal) = normalise_origin(&text) {
            prop_assert_eq!(normalise_origin(&normal), Ok(normal.clone()));
        }
    }

    #[test]
    fn a_written_origin_allows_its_normal_form_only(written in written_origin()) {
        let normal = normalise_origin(&written).expect("a valid origin");
        let policy = policy(&[&written]);
        prop_assert!(allows(&policy, &normal));
        prop_assert_eq!(allows(&policy, &written), written == normal);
    }

    #[test]
    fn no_suffix_or_prefix_of_an_allowed_origin_is_allowed(
        written in written_origin(),
        extra in "[a-z0-9.:@/_-]{1,12}|.{1,12}",
    ) {
        let normal = normalise_origin(&written).expect("a valid origin");
        let policy = policy(&[&written]);
        let suffixed = format!("{normal}{extra}");
        let prefixed = format!("{extra}{normal}");
        prop_assert!(!allows(&policy, &suffixed), "{}", suffixed);
        prop_assert!(!allows(&policy, &prefixed), "{}", prefixed);
    }

    #[test]
    fn a_wildcard_allows_subdomains_only(
        parent in host(),
        sub in label(),
        sibling in "[a-z0-9-]{1,8}",
        extra in "[a-z0-9.:@/_-]{1,12}",
    ) {
        let pattern = format!("https://*.{parent}");
        let compiled = Policies::compile(&Settings::default().allow_origin([pattern]));
        // A generated parent can be a shared suffix (`co.uk`): refused, nothing to match.
        prop_assume!(compiled.is_ok());
        let policy = compiled.unwrap();
        let child = format!("https://{sub}.{parent}");
        prop_assert!(allows(&policy, &child));
        let bare_parent = format!("https://{parent}");
        let sibling = format!("https://{sibling}{parent}");
        let downgraded = format!("http://{sub}.{parent}");
        for refused in [bare_parent, sibling, downgraded] {
            prop_assert!(!allows(&policy, &refused), "{}", refused);
        }
        let suffixed = format!("{child}{extra}");
        prop_assume!(!suffixed.ends_with(&format!(".{parent}")));
        prop_assert!(!allows(&policy, &suffixed), "{}", suffixed);
    }
}

/// A header name: an RFC 9110 token.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

/// Not a header name: a character outside the token set between two tokens (never `,`,
/// which would only split it into two good names).
fn non_token() -> impl Strategy<Value = String> {
    let bad = prop::sample::select(vec![
        " ", "\t", "(", ")", "/", ":", ";", "<", "=", ">", "?", "@", "[", "\\", "]", "{", "}",
        "\"", "\r", "\n", "\r\n", "\0", "\u{b}", "\u{7f}", "\u{e9}", "\u{2028}",
    ]);
    (token(), bad, token()).prop_map(|(a, bad, b)| format!("{a}{bad}{b}"))
}

/// A list of names, some of them not names, joined the way clients do (or nearly).
fn mixed_list() -> impl Strategy<Value = (Vec<(String, bool)>, String)> {
    let element = prop_oneof![3 => token().prop_map(|t| (t, true)), 1 => non_token().prop_map(|t| (t, false))];
    let separator = prop::sample::select(vec![",", ", ", " , ", ",\t"]);
    (prop::collection::vec(element, 1..12), separator).prop_map(|(elements, separator)| {
        let list = elements.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>().join(separator);
        (elements, list)
    })
}

fn preflight_allowed(policy: &Policies, list: &str) -> (bool, Option<String>) {
    let request = CorsRequest {
        request_headers: RequestHeaders::from(list),
        ..CorsRequest::preflight("/", "https://app.example.com", "GET")
    };
    let decision = policy.decide(&request);
    let reflected = decision.lines().get("Access-Control-Allow-Headers").map(str::to_string);
    (decision.is_allowed(), reflected)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_list_with_a_non_token_element_is_never_accepted((elements, list) in mixed_list()) {
        let all_tokens = elements.iter().all(|(_, is_token)| *is_token);
        prop_assert_eq!(check_request_headers(&list, |_| true).is_ok(), all_tokens, "{:?}", list);
        let reflecting = Policies::compile(&Settings::default().allow_origin(["https://app.example.com"]).allow_all_headers(true))
        .expect("valid settings");
        let (allowed, reflected) = preflight_allowed(&reflecting, &list);
        prop_assert_eq!(allowed, all_tokens, "{:?}", list);
        prop_assert_eq!(reflected.is_some(), all_tokens);
    }

    #[test]
    fn acceptance_does_not_depend_on_case(
        allowed in prop::collection::vec(token(), 1..6),
        asked in prop::collection::vec(token(), 1..6),
        mask in any::<u64>(),
    ) {
        let policy = Policies::compile(&Settings::default().allow_origin(["https://app.example.com"]).allow_headers(allowed.clone()))
        .expect("valid settings");
        let list = asked.join(", ");
        let (as_sent, _) = preflight_allowed(&policy, &list);
        let (mixed, _) = preflight_allowed(&policy, &mix_case(&list, mask));
        let (lower, _) = preflight_allowed(&policy, &list.to_ascii_lowercase());
        prop_assert_eq!(as_sent, mixed);
        prop_assert_eq!(as_sent, lower);
        // `*` (a token too) allows any name when credentials are off.
        let every_name_allowed = allowed.iter().any(|n| n == "*")
            || asked.iter().all(|a| allowed.iter().any(|n| n.eq_ignore_ascii_case(a)));
        prop_assert_eq!(as_sent, every_name_allowed);
    }
}
