//! Hostile requests, through `rocket::local` and straight at `Policy::decide`: none may get
//! a 5xx, an `Access-Control-Allow-Origin` it should not, or a reflected value it should not.
//!
//! `rocket::local` hands header values to the application as given (hyper, which would
//! refuse CR/LF and friends on a real connection, is not in the way), so these tests see
//! exactly what the policy does with the worst a client could send.

mod common;

use common::{APP, client, origin, preflight, request_headers, request_method, settings};
use cors_fairing::Settings;
use cors_fairing::policy::{CorsRequest, Field, Policies, Refusal};
use cors_fairing::policy::{MAX_REQUEST_HEADER_LINES, MAX_REQUEST_HEADER_NAMES, RequestHeaders};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

/// Origins that are not [`APP`], however close they come.
const LOOKALIKES: &[&str] = &[
    "https://app.example.com.evil.net",
    "https://evilapp.example.com",
    "https://evil-app.example.com",
    "https://app.example.com@evil.net",
    "https://evil.net@app.example.com",
    "https://evil.net#https://app.example.com",
    "https://evil.net/https://app.example.com",
    "https://app.example.co",
    "https://pp.example.com",
    "ttps://app.example.com",
    "xhttps://app.example.com",
    "https://app.example.comm",
    "https://app.example.com:8443",
    "https://app.example.com, https://evil.net",
    "https://app.example.com https://evil.net",
    "http://app.example.com",
    "HTTPS://APP.EXAMPLE.COM",
    "https://App.example.com",
    "https://app.example.com/",
    "https://app.example.com:443",
    "https://app.example.com.",
    "null",
    "",
    " https://app.example.com",
    "https://app.example.com ",
];

/// Bytes no origin may carry, and that must never come back in a header.
const CONTROL: &[&str] = &[
    "https://app.example.com\r\nSet-Cookie: a=b",
    "https://app.example.com\n",
    "https://app.example.com\r",
    "https://app.example.com\0",
    "https://app\t.example.com",
    "https://app.example.com\u{7f}",
    "https://app.example.com\u{85}",
    "https://app.example.com\u{2028}",
];

/// Every response header's value is free of CR, LF and NUL.
fn assert_clean(response: &LocalResponse<'_>) {
    for header in response.headers().iter() {
        let value = header.value();
        assert!(!value.contains(['\r', '\n', '\0']), "{}: {value:?}", header.name());
    }
}

/// A GET of `/api/items` with these `Origin` headers: status, ACAO and `Vary`.
async fn get_from(client: &Client, origins: &[&str]) -> (Status, Option<String>, Vec<String>) {
    let mut request = client.get("/api/items");
    for o in origins {
        request = request.header(origin(o));
    }
    let response = request.dispatch().await;
    assert_clean(&response);
    let status = response.status();
    (
        status,
        common::value(&response, "Access-Control-Allow-Origin"),
        common::values(&response, "Vary"),
    )
}

fn assert_refused((status, acao, vary): (Status, Option<String>, Vec<String>), what: &str) {
    assert_eq!(status, Status::Ok, "{what:?}: the route still runs, never a 5xx");
    assert_eq!(acao, None, "{what:?} must not be allowed");
    assert_eq!(vary, ["Origin"], "{what:?}");
}

#[rocket::async_test]
async fn lookalike_origins_are_refused() {
    let client = client(settings(|_| {})).await;
    for attack in LOOKALIKES {
        assert_refused(get_from(&client, &[attack]).await, attack);
    }
    assert_eq!(get_from(&client, &[APP]).await.1.as_deref(), Some(APP));
}

#[rocket::async_test]
async fn wildcards_refuse_the_parent_siblings_and_suffixes() {
    let client = client(settings(|s| s.allow_origin = vec!["https://*.example.org".into()])).await;
    for attack in [
        "https://example.org",
        "https://.example.org",
        "https://evilexample.org",
        "https://evil-example.org",
        "https://a.example.org.evil.net",
        "https://a.example.org:8443",
        "http://a.example.org",
        "https://a.example.org@evil.net",
        "https://evil.net?.example.org",
        "https://a:1.example.org",
        "https://A.example.org",
    ] {
        assert_refused(get_from(&client, &[attack]).await, attack);
    }
    for sub in ["https://a.example.org", "https://a-b.c.example.org"] {
        assert_eq!(get_from(&client, &[sub]).await.1.as_deref(), Some(sub));
    }
}

#[rocket::async_test]
async fn regexes_match_the_whole_origin() {
    let client =
        client(Settings::default().allow_origin_regex([r"https://[a-z]+\.example\.net"])).await;
    for attack in [
        "https://abc.example.net.evil.com",
        "https://evil.com?https://abc.example.net",
        "xhttps://abc.example.net",
        "https://abc.example.net:1",
        "https://abc.example.net\n",
        "https://ABC.example.net",
    ] {
        assert_refused(get_from(&client, &[attack]).await, attack);
    }
    assert!(get_from(&client, &["https://abc.example.net"]).await.1.is_some());
}

#[rocket::async_test]
async fn null_is_refused_unless_listed() {
    let unlisted = client(settings(|_| {})).await;
    assert_refused(get_from(&unlisted, &["null"]).await, "null");
    let all = client_allowing_all().await;
    assert_refused(get_from(&all, &["null"]).await, "null under allow_all_origin");
    let listed = client(settings(|s| s.allow_origin.push("null".into()))).await;
    assert_eq!(get_from(&listed, &["null"]).await.1.as_deref(), Some("null"));
    assert_refused(get_from(&listed, &["NULL"]).await, "NULL");
}

#[rocket::async_test]
async fn two_origin_headers_are_refused() {
    let client = client(settings(|_| {})).await;
    assert_refused(get_from(&client, &[APP, APP]).await, "twice the allowed origin");
    assert_refused(get_from(&client, &[APP, "https://evil.net"]).await, "allowed, then evil");
    assert_refused(get_from(&client, &["https://evil.net", APP]).await, "evil, then allowed");
    let client = client_allowing_all().await;
    assert_refused(get_from(&client, &["https://a.test", "https://b.test"]).await, "two");
}

async fn client_allowing_all() -> Client {
    client(Settings::default().allow_all_origin(true)).await
}

#[rocket::async_test]
async fn control_characters_non_ascii_and_huge_origins_are_never_reflected() {
    let huge = format!("https://{}.example.com", "a".repeat(10 * 1024));
    let mut attacks: Vec<String> = CONTROL.iter().map(|s| s.to_string()).collect();
    attacks.extend(
        ["https://bücher.example", "https://app.example.com\u{feff}", &huge].map(String::from),
    );
    for client in [client(settings(|_| {})).await, client_allowing_all().await] {
        for attack in &attacks {
            assert_refused(get_from(&client, &[attack]).await, attack);
        }
    }
    // allow_all_origin reflects what is well-formed, and nothing else.
    let client = client_allowing_all().await;
    assert_eq!(get_from(&client, &["https://a.test"]).await.1.as_deref(), Some("https://a.test"));
}

#[rocket::async_test]
async fn always_send_headers_reflects_only_printable_origins() {
    let client = client(Settings::default().always_send_headers(true).allow_all_origin(true)).await;
    for attack in CONTROL.iter().copied().chain(["https://bücher.example"]) {
        let (status, acao, _) = get_from(&client, &[attack]).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(acao.as_deref(), Some(""), "{attack:?}: the original's empty header");
    }
}

/// A preflight for PUT with this `Access-Control-Request-Headers` (as one header).
async fn preflight_with(client: &Client, list: &str) -> (Status, Option<String>, Option<String>) {
    let response = client
        .options("/api/items")
        .header(origin(APP))
        .header(request_method("PUT"))
        .header(request_headers(list))
        .dispatch()
        .await;
    assert_clean(&response);
    let status = response.status();
    (
        status,
        common::value(&response, "Access-Control-Allow-Origin"),
        common::value(&response, "Access-Control-Allow-Headers"),
    )
}

#[rocket::async_test]
async fn huge_header_lists_are_refused_and_not_reflected() {
    let client = client(settings(|s| s.allow_all_headers = true)).await;
    let ten_thousand = (0..10_000).map(|i| format!("x-h{i}")).collect::<Vec<_>>().join(", ");
    let one_more = vec!["x-a"; MAX_REQUEST_HEADER_NAMES + 1].join(",");
    for list in ["x-".repeat(32 * 1024), ten_thousand, one_more] {
        assert_eq!(preflight_with(&client, &list).await, (Status::NoContent, None, None));
    }
    let at_limit = vec!["x-a"; MAX_REQUEST_HEADER_NAMES].join(",");
    let (_, acao, acah) = preflight_with(&client, &at_limit).await;
    assert_eq!((acao.as_deref(), acah.as_deref()), (Some(APP), Some(at_limit.as_str())));
}

#[rocket::async_test]
async fn malformed_header_lists_are_never_reflected() {
    let client = client(settings(|s| s.allow_all_headers = true)).await;
    for list in [
        "x-a\r\nSet-Cookie: a=b",
        "x-a\nx-b",
        "x-a;x-b",
        "x-a x-b",
        "x-a, (x-b)",
        "x-a, x:b",
        "x-a\0",
        "x-\u{e9}",
        "x-a,\u{b}x-b",
        "\"x-a\"",
        "x-a/x-b",
    ] {
        assert_eq!(
            preflight_with(&client, list).await,
            (Status::NoContent, None, None),
            "{list:?}"
        );
    }
    let (_, _, acah) = preflight_with(&client, "X-One,\tx-two").await;
    assert_eq!(acah.as_deref(), Some("X-One,\tx-two"));
}

#[rocket::async_test]
async fn a_refused_preflight_with_reject_disallowed_answers_one_clean_line() {
    let client = client(settings(|s| s.reject_disallowed = true)).await;
    let response = client
        .options("/api/items")
        .header(origin("https://evil.net\r\nSet-Cookie: a=b"))
        .header(request_method("PUT"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_clean(&response);
    let body = response.into_string().await.unwrap_or_default();
    assert_eq!(body.lines().count(), 1, "{body:?}");
    assert!(!body.contains('\r'), "{body:?}");
}

#[rocket::async_test]
async fn hostile_methods_and_duplicate_preflight_headers_are_refused() {
    let client = client(settings(|_| {})).await;
    for method in ["put", "PUT\r\nX: y", "PUT, DELETE", "", "P\u{e9}T"] {
        let response = preflight(&client, "/api/items", APP, method).await;
        assert!(response.status().code < 500, "{method:?}");
        assert_clean(&response);
        assert_eq!(common::value(&response, "Access-Control-Allow-Methods"), None, "{method:?}");
    }
    let response = client
        .options("/api/items")
        .header(origin(APP))
        .header(request_method("PUT"))
        .header(Header::new("Access-Control-Request-Method", "PUT"))
        .dispatch()
        .await;
    assert_eq!(common::value(&response, "Access-Control-Allow-Origin"), None);
}

// The same attacks straight at the policy, where nothing between could hide a mistake.

fn decide_origin(policy: &Policies, origin: &str) -> Option<String> {
    let request = CorsRequest { origin: Field::One(origin), ..CorsRequest::get("/") };
    let decision = policy.decide(&request);
    for (name, value) in decision.lines().iter() {
        assert!(!value.contains(['\r', '\n', '\0']), "{name}: {value:?}");
    }
    decision.lines().get("Access-Control-Allow-Origin").map(str::to_string)
}

/// Lookalikes of [`APP`] that really are subdomains of `example.com`.
const SUBDOMAINS: &[&str] =
    &["https://evilapp.example.com", "https://evil-app.example.com", "https://pp.example.com"];

#[test]
fn policy_refuses_every_attack_whatever_the_matching_path() {
    let many: Vec<String> = (0..20).map(|i| format!("https://h{i}.example.com")).collect();
    let policies = [
        (settings(|_| {}), "a short list (scanned)"),
        (settings(|s| s.allow_origin.extend(many)), "a long list (binary search)"),
        (settings(|s| s.allow_origin = vec!["https://*.example.com".into()]), "a wildcard"),
        (Settings::default().allow_origin_regex([r"https://app\.example\.com"]), "a regex"),
    ];
    for (settings, what) in policies {
        let policy = Policies::compile(&settings).expect("valid");
        let wildcard = what == "a wildcard";
        for attack in LOOKALIKES.iter().chain(CONTROL) {
            if wildcard && SUBDOMAINS.contains(attack) {
                assert_eq!(decide_origin(&policy, attack).as_deref(), Some(*attack));
            } else {
                assert_eq!(decide_origin(&policy, attack), None, "{attack:?} under {what}");
            }
        }
        assert_eq!(decide_origin(&policy, APP).as_deref(), Some(APP), "{what}");
    }
}

#[test]
fn policy_bounds_and_never_reflects_bad_header_lists() {
    let policy = Policies::compile(&settings(|s| s.allow_all_headers = true)).expect("valid");
    let decide = |list: &'static str| {
        let request = CorsRequest {
            request_headers: RequestHeaders::from(list),
            ..CorsRequest::preflight("/", APP, "PUT")
        };
        let decision = policy.decide(&request);
        (decision.refusal(), decision.lines().get("Access-Control-Allow-Headers"))
    };
    let too_long = Some(Refusal::HeadersTooLong);
    let huge: &'static str = "x,".repeat(32 * 1024).leak();
    assert_eq!(decide(huge), (too_long, None));
    assert_eq!(decide(vec!["x"; 10_000].join(",").leak()), (too_long, None));
    let malformed = Some(Refusal::MalformedHeaders);
    assert_eq!(decide("x-a\r\nx-b"), (malformed, None));
    assert_eq!(decide("x-a, x b"), (malformed, None));
    // Lines beyond MAX_REQUEST_HEADER_LINES are refused unread; a split list is one list.
    let mut lines = RequestHeaders::ABSENT;
    for _ in 0..=MAX_REQUEST_HEADER_LINES {
        lines.push("x-a");
    }
    let request = CorsRequest { request_headers: lines, ..CorsRequest::preflight("/", APP, "PUT") };
    assert_eq!(policy.decide(&request).refusal(), too_long);
    let mut split = RequestHeaders::from("x-a");
    split.push("x b");
    let request = CorsRequest { request_headers: split, ..CorsRequest::preflight("/", APP, "PUT") };
    assert_eq!(policy.decide(&request).refusal(), malformed);
}

#[rocket::async_test]
async fn a_huge_refused_origin_is_echoed_cut_and_escaped_in_the_403() {
    let client = client(settings(|s| s.reject_disallowed = true)).await;
    let huge = format!("https://{}.example\u{0}", "a".repeat(100 * 1024));
    let response = client
        .options("/api/items")
        .header(origin(&huge))
        .header(request_method("PUT"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let body = response.into_string().await.unwrap_or_default();
    assert!(body.len() < 300, "{} bytes echoed", body.len());
    assert_eq!(body.lines().count(), 1, "{body:?}");
    assert!(body.contains(&format!("({} bytes in all)", huge.len())), "{body:?}");
    assert!(!body.contains('\0'), "{body:?}");
}

#[rocket::async_test]
async fn allow_all_origin_reflects_only_origins_the_config_would_accept() {
    let client = client_allowing_all().await;
    for odd in [
        "javascript://x.example",
        "https://x.example:0",
        "https://x.example:99999",
        "https://x.example..",
        "https://127.0.0.1.",
        "https://x..example",
        "data://x.example",
    ] {
        assert_refused(get_from(&client, &[odd]).await, odd);
    }
    for fine in [
        "https://x.example:8443",
        "http://[::1]:3000",
        "capacitor://localhost",
        "http://example.com.:3999",
    ] {
        assert_eq!(get_from(&client, &[fine]).await.1.as_deref(), Some(fine), "{fine}");
    }
}
