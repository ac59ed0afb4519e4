//! Issue 22's rules for the web of 2026, on the wire: a cacheable `*`, `Authorization` as
//! the Fetch standard says, reflection only of origins in the form browsers send, split
//! `Access-Control-Request-Headers`, `Timing-Allow-Origin`.

mod common;

use common::{APP, client, preflight_with, settings, value, values};
use cors_fairing::Settings;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

fn star(edit: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::default().allow_origin(["*"]).expose_headers(["X-Id"]);
    edit(&mut settings);
    settings
}

/// `GET /api/items` with these `Origin` lines (none, one, or several).
async fn get_with_origins<'c>(
    client: &'c Client,
    origins: &[&str],
) -> rocket::local::asynchronous::LocalResponse<'c> {
    let mut request = client.get("/api/items");
    for origin in origins {
        request = request.header(Header::new("Origin", origin.to_string()));
    }
    request.dispatch().await
}

#[rocket::async_test]
async fn star_gives_every_actual_response_the_same_static_answer_without_vary() {
    let client = client(star(|_| {})).await;
    let origins: [&[&str]; 6] = [
        &[],
        &["null"],
        &[APP, "https://other.example"],
        &["not an origin"],
        &["HTTPS://APP.EXAMPLE.COM:443"],
        &[APP],
    ];
    for sent in origins {
        let response = get_with_origins(&client, sent).await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(
            value(&response, "Access-Control-Allow-Origin").as_deref(),
            Some("*"),
            "{sent:?}"
        );
        assert_eq!(value(&response, "Access-Control-Expose-Headers").as_deref(), Some("X-Id"));
        assert_eq!(values(&response, "Vary"), Vec::<String>::new(), "{sent:?}");
    }
}

#[rocket::async_test]
async fn star_preflights_vary_by_what_they_ask_never_by_origin() {
    let client = client(star(|_| {})).await;
    let allowed = preflight_with(&client, "/api/items", APP, "PUT", Some("content-type")).await;
    assert_eq!(value(&allowed, "Access-Control-Allow-Origin").as_deref(), Some("*"));
    assert_eq!(values(&allowed, "Vary"), ["Access-Control-Request-Method"]);
    let refused = preflight_with(&client, "/api/items", APP, "PURGE", None).await;
    assert_eq!(value(&refused, "Access-Control-Allow-Origin"), None);
    assert_eq!(values(&refused, "Vary"), ["Access-Control-Request-Method"]);

    let reflecting = common::client(star(|s| s.allow_all_headers = true)).await;
    let allowed = preflight_with(&reflecting, "/api/items", APP, "PUT", Some("x-a")).await;
    assert_eq!(
        values(&allowed, "Vary"),
        ["Access-Control-Request-Method, Access-Control-Request-Headers"]
    );
}

#[rocket::async_test]
async fn origin_dependent_answers_keep_vary_origin() {
    let client = client(settings(|_| {})).await;
    for sent in [&[][..], &[APP][..], &["https://evil.example"][..]] {
        let response = get_with_origins(&client, sent).await;
        assert_eq!(values(&response, "Vary"), ["Origin"], "{sent:?}");
    }
    let preflight = preflight_with(&client, "/api/items", APP, "PUT", None).await;
    assert_eq!(values(&preflight, "Vary"), ["Origin, Access-Control-Request-Method"]);
}

#[rocket::async_test]
async fn star_named_policy_is_static_while_the_base_varies() {
    let base = settings(|_| {});
    let public = base.clone().paths(["/"]).allow_origin(["*"]);
    let client = client(base.policy("public", public)).await;
    let public = client.get("/").dispatch().await;
    assert_eq!(value(&public, "Access-Control-Allow-Origin").as_deref(), Some("*"));
    assert_eq!(values(&public, "Vary"), Vec::<String>::new());
    let api = client.get("/api/items").dispatch().await;
    assert_eq!(value(&api, "Access-Control-Allow-Origin"), None);
    assert_eq!(values(&api, "Vary"), ["Origin"]);
}

#[rocket::async_test]
async fn star_in_allow_headers_never_covers_authorization() {
    let client = client(settings(|s| s.allow_headers = Some(vec!["*".into()]))).await;
    for asked in ["authorization", "x-a, Authorization"] {
        let refused = preflight_with(&client, "/api/items", APP, "PUT", Some(asked)).await;
        assert_eq!(value(&refused, "Access-Control-Allow-Origin"), None, "{asked}");
    }
    let allowed = preflight_with(&client, "/api/items", APP, "PUT", Some("x-a")).await;
    assert_eq!(value(&allowed, "Access-Control-Allow-Headers").as_deref(), Some("*"));

    let listed = ["*", "Authorization"].map(String::from).to_vec();
    let client = common::client(settings(|s| s.allow_headers = Some(listed))).await;
    let allowed =
        preflight_with(&client, "/api/items", APP, "PUT", Some("authorization, x-a")).await;
    assert_eq!(value(&allowed, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(
        value(&allowed, "Access-Control-Allow-Headers").as_deref(),
        Some("*, Authorization")
    );
}

#[rocket::async_test]
async fn allow_all_origin_reflects_only_origins_in_the_form_browsers_send() {
    let client = client(Settings::default().allow_all_origin(true)).await;
    for sent in ["http://[::1]:8000", "http://[::ffff:7f00:1]", "http://127.0.0.1:3000"] {
        let response = get_with_origins(&client, &[sent]).await;
        assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some(sent));
    }
    for never_sent in ["http://[0:0::1]", "http://[::ffff:127.0.0.1]", "http://[0::1]:8000"] {
        let response = get_with_origins(&client, &[never_sent]).await;
        assert_eq!(value(&response, "Access-Control-Allow-Origin"), None, "{never_sent}");
        assert_eq!(values(&response, "Vary"), ["Origin"]);
    }
}

/// A preflight from [`APP`] for `PUT` with these `Access-Control-Request-Headers` lines.
async fn preflight_with_lines<'c>(
    client: &'c Client,
    path: &'c str,
    lines: &[&str],
) -> rocket::local::asynchronous::LocalResponse<'c> {
    let mut request =
        client.options(path).header(common::origin(APP)).header(common::request_method("PUT"));
    for line in lines {
        request = request.header(Header::new("Access-Control-Request-Headers", line.to_string()));
    }
    request.dispatch().await
}

#[rocket::async_test]
async fn split_request_header_lines_are_judged_as_one_list() {
    let listed = ["X-A", "X-B"].map(String::from).to_vec();
    let client = client(settings(|s| s.allow_headers = Some(listed))).await;
    let allowed = preflight_with_lines(&client, "/api/items", &["x-a", "x-b"]).await;
    assert_eq!(value(&allowed, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    assert_eq!(value(&allowed, "Access-Control-Allow-Headers").as_deref(), Some("X-A, X-B"));
    // One name refused in the second line refuses the whole list.
    let refused = preflight_with_lines(&client, "/api/items", &["x-a", "x-c"]).await;
    assert_eq!(value(&refused, "Access-Control-Allow-Origin"), None);
    // One size budget for all lines: each fits alone, together they do not.
    let half = vec!["x-a"; 40].join(", ");
    let alone = preflight_with_lines(&client, "/api/items", &[&half]).await;
    assert_eq!(value(&alone, "Access-Control-Allow-Origin").as_deref(), Some(APP));
    let both = preflight_with_lines(&client, "/api/items", &[&half, &half]).await;
    assert_eq!(value(&both, "Access-Control-Allow-Origin"), None);

    // Reflected, each line is its own answer line (browsers combine them).
    let reflecting = common::client(settings(|s| s.allow_all_headers = true)).await;
    let response = preflight_with_lines(&reflecting, "/api/items", &["x-a, x-b", "x-c"]).await;
    assert_eq!(values(&response, "Access-Control-Allow-Headers"), ["x-a, x-b", "x-c"]);
    let lines = vec!["x-a"; cors_fairing::policy::MAX_REQUEST_HEADER_LINES + 1];
    let too_many = preflight_with_lines(&reflecting, "/api/items", &lines).await;
    assert_eq!(value(&too_many, "Access-Control-Allow-Origin"), None);
    assert_eq!(values(&too_many, "Access-Control-Allow-Headers"), Vec::<String>::new());
}

/// The longest answer the crate writes: every key that adds a line, and the most request
/// header lines it reads, each reflected. The fixed-size line buffer holds all of them.
#[rocket::async_test]
async fn the_longest_answer_fits_the_line_buffer() {
    let client = client(settings(|s| {
        s.allow_credentials = Some(true);
        s.timing_allow_origin = vec!["*".into()];
        s.allow_all_headers = true;
        s.max_age = Some(600);
        s.allow_private_network = true;
        s.expose_headers = vec!["X-Id".into()];
    }))
    .await;
    let names: Vec<String> =
        (0..cors_fairing::policy::MAX_REQUEST_HEADER_LINES).map(|i| format!("x-{i}")).collect();
    let lines: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut request = client
        .options("/api/items")
        .header(common::origin(APP))
        .header(common::request_method("PUT"))
        .header(Header::new("Access-Control-Request-Private-Network", "true"));
    for line in &lines {
        request = request.header(Header::new("Access-Control-Request-Headers", line.to_string()));
    }
    let response = request.dispatch().await;
    assert_eq!(values(&response, "Access-Control-Allow-Headers"), names);
    for name in [
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Max-Age",
        "Access-Control-Allow-Private-Network",
        "Timing-Allow-Origin",
        "Vary",
    ] {
        assert!(value(&response, name).is_some(), "{name}");
    }
}

#[rocket::async_test]
async fn timing_allow_origin_is_static_on_every_response_in_scope() {
    let timing = ["https://a.example", "https://b.example"].map(String::from).to_vec();
    let client = client(settings(|s| {
        s.timing_allow_origin = timing;
        s.paths = vec!["/api/**".into()];
    }))
    .await;
    let tao = "https://a.example, https://b.example";
    // With or without Origin, allowed or not: images and scripts send no Origin.
    for sent in [&[][..], &[APP][..], &["https://evil.example"][..], &["a", "b"][..]] {
        let response = get_with_origins(&client, sent).await;
        assert_eq!(values(&response, "Timing-Allow-Origin"), [tao], "{sent:?}");
    }
    let preflight = preflight_with(&client, "/api/items", APP, "PUT", None).await;
    assert_eq!(values(&preflight, "Timing-Allow-Origin"), [tao]);
    // Outside `paths`: nothing.
    let outside = client.get("/").dispatch().await;
    assert_eq!(values(&outside, "Timing-Allow-Origin"), Vec::<String>::new());

    // Under `*`, part of the one static answer.
    let star = common::client(star(|s| s.timing_allow_origin = vec!["*".into()])).await;
    let response = get_with_origins(&star, &[]).await;
    assert_eq!(value(&response, "Access-Control-Allow-Origin").as_deref(), Some("*"));
    assert_eq!(value(&response, "Timing-Allow-Origin").as_deref(), Some("*"));
    assert_eq!(values(&response, "Vary"), Vec::<String>::new());
}

#[rocket::async_test]
async fn timing_allow_origin_is_per_policy() {
    let base = settings(|s| s.timing_allow_origin = vec!["*".into()]);
    let private = base.clone().paths(["/api/**"]).timing_allow_origin(Vec::<String>::new());
    let client = client(base.policy("private", private)).await;
    let public = client.get("/").dispatch().await;
    assert_eq!(value(&public, "Timing-Allow-Origin").as_deref(), Some("*"));
    let private = client.get("/api/items").header(common::origin(APP)).dispatch().await;
    assert_eq!(value(&private, "Timing-Allow-Origin"), None);
}
