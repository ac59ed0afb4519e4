//! The fairing as a real browser sees it: headless Chromium runs `fetch()` from one origin
//! against API servers on another, and each case checks both what the page could read and
//! what reached the server.
//!
//! Origins, all on loopback: the page at `http://127.0.0.1:PA`, frames of it at
//! `http://app.example.localhost:PA` and `http://example.localhost:PA` (Chromium resolves
//! `*.localhost` to loopback) and in a sandboxed frame (`Origin: null`); each API server at
//! `http://localhost:PB`, one per policy.
//!
//! Without Chromium the suite is skipped with a message, unless
//! `CORS_FAIRING_REQUIRE_BROWSER=1`, which makes it fail.

#[path = "browser/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use cors_fairing::{CorsFairing, CorsHandle, Policy, Settings};
use harness::{Browser, BrowserChoice, Fetch, Frame, Outcome, RequestLog, Seen};
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::tokio::time::timeout;

const SWAP_TIMEOUT: Duration = Duration::from_secs(10);

/// One API server per policy under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Api {
    /// The page origin with credentials, `X-Custom`, `expose_headers` and `max_age = 600`.
    Main,
    /// The page origin and little else: GET and POST only, default headers, nothing exposed.
    Plain,
    /// Like `Main` but `max_age = 0`.
    NoCache,
    /// The page origin and `null`.
    WithNull,
    /// `allow_all_origin` and `allow_all_headers`.
    All,
    /// `http://*.example.localhost:PA` (`*.localhost` alone is refused: a public suffix).
    Wildcard,
    /// `allow_origin_regex = http://app\.example\.localhost:[0-9]+`.
    Regex,
    /// `always_send_headers`: the original middleware's output.
    Verbatim,
}

fn settings(api: Api, page_port: u16) -> Settings {
    let page = format!("http://127.0.0.1:{page_port}");
    let list = |items: &[&str]| Some(items.iter().map(|s| s.to_string()).collect());
    let base = Settings { allow_origin: vec![page.clone()], ..Settings::default() };
    match api {
        Api::Main => Settings {
            allow_methods: list(&["GET", "PUT"]),
            allow_headers: list(&["Content-Type", "X-Custom"]),
            allow_credentials: Some(true),
            expose_headers: vec!["X-Token".into()],
            max_age: Some(600),
            ..base
        },
        Api::Plain => Settings { allow_methods: list(&["GET", "POST"]), ..base },
        Api::NoCache => Settings {
            allow_methods: list(&["GET", "PUT"]),
            allow_headers: list(&["X-Custom"]),
            max_age: Some(0),
            ..base
        },
        Api::WithNull => Settings { allow_origin: vec![page, "null".into()], ..base },
        Api::All => Settings {
            allow_origin: vec![],
            allow_all_origin: true,
            allow_all_headers: true,
            ..base
        },
        Api::Wildcard => Settings {
            allow_origin: vec![format!("http://*.example.localhost:{page_port}")],
            ..base
        },
        Api::Regex => Settings {
            allow_origin: vec![],
            allow_origin_regex: vec![r"http://app\.example\.localhost:[0-9]+".into()],
            ..base
        },
        Api::Verbatim => Settings {
            always_send_headers: true,
            allow_methods: list(&["GET", "PUT"]),
            allow_headers: list(&["X-Custom"]),
            ..base
        },
    }
}

const ALL_APIS: [Api; 8] = [
    Api::Main,
    Api::Plain,
    Api::NoCache,
    Api::WithNull,
    Api::All,
    Api::Wildcard,
    Api::Regex,
    Api::Verbatim,
];

/// Where a case's page runs, relative to the page server's port.
#[derive(Debug, Clone, Copy)]
enum PageAt {
    /// `http://127.0.0.1:PA`
    Page,
    /// `http://app.example.localhost:PA`
    Subdomain,
    /// `http://example.localhost:PA`: the wildcard's own domain, never matched by it.
    Parent,
    /// A sandboxed frame: `Origin: null`.
    Sandboxed,
}

impl PageAt {
    fn frame(self, page_port: u16) -> Frame {
        match self {
            PageAt::Page => Frame::Top,
            PageAt::Subdomain => Frame::At(format!("http://app.example.localhost:{page_port}")),
            PageAt::Parent => Frame::At(format!("http://example.localhost:{page_port}")),
            PageAt::Sandboxed => Frame::Sandboxed,
        }
    }
}

/// One request the page makes; the URL carries the case's token.
#[derive(Debug, Clone, Copy)]
enum Call {
    Get,
    GetWithCredentials,
    GetFailing,
    /// PUT with a body and these extra request headers.
    Put(&'static [(&'static str, &'static str)]),
}

impl Call {
    fn fetch(self, api_origin: &str, token: &str) -> Fetch {
        let (method, route, headers, credentials) = match self {
            Call::Get => ("GET", "api", &[][..], false),
            Call::GetWithCredentials => ("GET", "api", &[][..], true),
            Call::GetFailing => ("GET", "fail", &[][..], false),
            Call::Put(headers) => ("PUT", "api", headers, false),
        };
        Fetch {
            url: format!("{api_origin}/{route}/{token}"),
            method,
            headers: headers.to_vec(),
            credentials,
            body: (method == "PUT").then_some("payload"),
        }
    }

    /// The body the route answers with, when the page may read it.
    fn body(self, token: &str) -> String {
        match self {
            Call::Get | Call::GetWithCredentials => format!("get {token}"),
            Call::GetFailing => format!("failed {token}"),
            Call::Put(_) => format!("put {token} payload"),
        }
    }

    fn status(self) -> u16 {
        if let Call::GetFailing = self { 500 } else { 200 }
    }
}

/// What the page should get from one call.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// `fetch()` resolves with the route's status and body.
    Readable,
    /// As `Readable`, and these response headers are (true) or are not (false) visible.
    ReadableWith(&'static str, bool),
    /// `fetch()` rejects with a TypeError.
    Blocked,
}

struct Case {
    /// Also the token in every URL of the case, so preflight caches never mix cases.
    name: &'static str,
    from: PageAt,
    calls: Vec<(Call, Expect)>,
    seen: Seen,
}

fn seen(preflights: u32, requests: u32, routed: u32) -> Seen {
    Seen { preflights, requests, routed }
}

const CUSTOM: &[(&str, &str)] = &[("X-Custom", "1")];
const OTHER: &[(&str, &str)] = &[("X-Other", "1")];
const ANYTHING: &[(&str, &str)] = &[("X-Anything-Goes", "1")];

/// Each case with the API server whose policy it runs against.
fn cases() -> Vec<(Api, Case)> {
    use Api::*;
    use Call::*;
    use Expect::*;
    let case = |name, api, from, calls: &[(Call, Expect)], seen| {
        (api, Case { name, from, calls: calls.to_vec(), seen })
    };
    vec![
        case("get-allowed", Main, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("origin-refused", Plain, PageAt::Subdomain, &[(Get, Blocked)], seen(0, 1, 1)),
        case(
            "credentials-allowed",
            Main,
            PageAt::Page,
            &[(GetWithCredentials, Readable)],
            seen(0, 1, 1),
        ),
        case(
            "credentials-not-allowed",
            Plain,
            PageAt::Page,
            &[(GetWithCredentials, Blocked)],
            seen(0, 1, 1),
        ),
        case("put-custom-header", Main, PageAt::Page, &[(Put(CUSTOM), Readable)], seen(1, 1, 1)),
        case("put-method-refused", Plain, PageAt::Page, &[(Put(&[]), Blocked)], seen(1, 0, 0)),
        case("put-header-refused", Main, PageAt::Page, &[(Put(OTHER), Blocked)], seen(1, 0, 0)),
        case(
            "exposed-header",
            Main,
            PageAt::Page,
            &[(Get, ReadableWith("x-token", true))],
            seen(0, 1, 1),
        ),
        case(
            "header-not-exposed",
            Plain,
            PageAt::Page,
            &[(Get, ReadableWith("x-token", false))],
            seen(0, 1, 1),
        ),
        case(
            "safelisted-header",
            Plain,
            PageAt::Page,
            &[(Get, ReadableWith("content-type", true))],
            seen(0, 1, 1),
        ),
        case(
            "max-age-600",
            Main,
            PageAt::Page,
            &[(Put(CUSTOM), Readable), (Put(CUSTOM), Readable)],
            seen(1, 2, 2),
        ),
        case(
            "max-age-0",
            NoCache,
            PageAt::Page,
            &[(Put(CUSTOM), Readable), (Put(CUSTOM), Readable)],
            seen(2, 2, 2),
        ),
        case("error-500", Main, PageAt::Page, &[(GetFailing, Readable)], seen(0, 1, 1)),
        case("null-listed", WithNull, PageAt::Sandboxed, &[(Get, Readable)], seen(0, 1, 1)),
        case("null-not-listed", Main, PageAt::Sandboxed, &[(Get, Blocked)], seen(0, 1, 1)),
        case("all-origin-page", All, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("all-origin-subdomain", All, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("all-origin-not-null", All, PageAt::Sandboxed, &[(Get, Blocked)], seen(0, 1, 1)),
        case("all-headers", All, PageAt::Page, &[(Put(ANYTHING), Readable)], seen(1, 1, 1)),
        case("not-all-headers", Plain, PageAt::Page, &[(Put(ANYTHING), Blocked)], seen(1, 0, 0)),
        case("wildcard-subdomain", Wildcard, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("wildcard-not-parent", Wildcard, PageAt::Parent, &[(Get, Blocked)], seen(0, 1, 1)),
        case("wildcard-not-other", Wildcard, PageAt::Page, &[(Get, Blocked)], seen(0, 1, 1)),
        case("regex-match", Regex, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("regex-no-match", Regex, PageAt::Page, &[(Get, Blocked)], seen(0, 1, 1)),
        case("verbatim-get", Verbatim, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("verbatim-put", Verbatim, PageAt::Page, &[(Put(CUSTOM), Readable)], seen(1, 1, 1)),
    ]
}

// ---------------------------------------------------------------------------------------
// Checking

/// Every way the outcomes and the log differ from the case; empty when it passed.
fn check(case: &Case, outcomes: &[Outcome], seen: Seen) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, ((call, expect), outcome)) in case.calls.iter().zip(outcomes).enumerate() {
        if let Err(problem) = check_outcome(*call, *expect, case.name, outcome) {
            problems.push(format!("fetch {}: {problem}", i + 1));
        }
    }
    if seen != case.seen {
        problems.push(format!("server saw {seen:?}, expected {:?}", case.seen));
    }
    problems
}

fn check_outcome(call: Call, expect: Expect, token: &str, outcome: &Outcome) -> Result<(), String> {
    if let Expect::Blocked = expect {
        return match outcome.ok {
            false if outcome.error.starts_with("TypeError") => Ok(()),
            false => Err(format!("expected a TypeError, got {}", outcome.error)),
            true => {
                Err(format!("expected blocked, page read {} {:?}", outcome.status, outcome.body))
            }
        };
    }
    if !outcome.ok {
        return Err(format!("expected readable, fetch() failed: {}", outcome.error));
    }
    let want = (call.status(), call.body(token));
    if (outcome.status, outcome.body.clone()) != want {
        return Err(format!(
            "expected {want:?}, page read ({}, {:?})",
            outcome.status, outcome.body
        ));
    }
    if let Expect::ReadableWith(header, visible) = expect
        && outcome.headers.contains_key(header) != visible
    {
        let sees = if visible { "cannot see" } else { "can see" };
        return Err(format!("page {sees} `{header}`; readable headers: {:?}", outcome.headers));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Running

/// The API servers, one per policy; they stop when dropped.
struct Apis {
    origins: BTreeMap<Api, String>,
    _servers: Vec<harness::Server>,
}

async fn start_apis(page_port: u16, log: &RequestLog) -> Apis {
    let mut apis = Apis { origins: BTreeMap::new(), _servers: Vec::new() };
    for api in ALL_APIS {
        let settings = settings(api, page_port);
        // Rocket names a fairing that failed to ignite, not the reason: say it here.
        if let Err(err) = Policy::compile(&settings) {
            panic!("the {api:?} policy does not compile: {err}");
        }
        let fairing = CorsFairing::from_settings(settings);
        let server = harness::serve(harness::api(fairing, log)).await;
        apis.origins.insert(api, format!("http://localhost:{}", server.port));
        apis._servers.push(server);
    }
    apis
}

/// Runs `case` against the API server at `api_origin`; what went wrong, if anything.
async fn run_case(
    browser: &mut Browser,
    api_origin: &str,
    log: &RequestLog,
    case: &Case,
) -> Vec<String> {
    let fetches: Vec<Fetch> =
        case.calls.iter().map(|(call, _)| call.fetch(api_origin, case.name)).collect();
    match browser.run(&case.from.frame(browser.page_port), &fetches).await {
        Ok(outcomes) => check(case, &outcomes, log.seen(case.name)),
        Err(err) => vec![err],
    }
}

/// The policy file of the hot-reload case, before and after the edit.
fn reload_toml(allow_origin: &str) -> String {
    format!("[cors]\nallow_origin = [\"{allow_origin}\"]\nreload_settle_ms = 20\n")
}

/// Edits the policy file of a running server and waits until the new policy is in force.
async fn edit_and_wait(path: &Path, content: &str, cors: &CorsHandle) -> Result<(), String> {
    let mut status = cors.status();
    let before = status.borrow().generation;
    std::fs::write(path, content)
        .map_err(|err| format!("cannot edit {}: {err}", path.display()))?;
    let swapped = timeout(SWAP_TIMEOUT, status.wait_for(|s| s.generation > before)).await;
    match swapped.map(|waited| waited.map(|_| ())) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err("the CORS status channel closed".into()),
        Err(_) => {
            Err(format!("no policy swap within {SWAP_TIMEOUT:?}: {:?}", cors.status().borrow()))
        }
    }
}

/// A file edit flips the browser's verdict from blocked to allowed, without a restart.
async fn reload_case(browser: &mut Browser, log: &RequestLog) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("Rocket.toml");
    std::fs::write(&path, reload_toml("http://elsewhere.example")).expect("write Rocket.toml");
    let file = path.clone();
    let fairing = CorsFairing::from_figment_fn(move || Figment::from(Toml::file(&file)));
    let server = harness::serve(harness::api(fairing, log)).await;
    let cors = server.cors.clone().expect("the CORS fairing manages a CorsHandle");
    let api_origin = format!("http://localhost:{}", server.port);
    let reload = |name, expect| Case {
        name,
        from: PageAt::Page,
        calls: vec![(Call::Get, expect)],
        seen: seen(0, 1, 1),
    };
    let mut problems = prefixed(
        "reload-before",
        run_case(browser, &api_origin, log, &reload("reload-before", Expect::Blocked)).await,
    );
    let page = format!("http://127.0.0.1:{}", browser.page_port);
    if let Err(err) = edit_and_wait(&path, &reload_toml(&page), &cors).await {
        problems.push(format!("reload: {err}"));
        return problems;
    }
    problems.extend(prefixed(
        "reload-after",
        run_case(browser, &api_origin, log, &reload("reload-after", Expect::Readable)).await,
    ));
    problems
}

fn prefixed(name: &str, problems: Vec<String>) -> Vec<String> {
    problems.into_iter().map(|p| format!("{name}: {p}")).collect()
}

async fn suite(chromium: &Path) -> Vec<String> {
    let log = RequestLog::default();
    let mut browser = Browser::launch(chromium).await;
    let apis = start_apis(browser.page_port, &log).await;
    let mut problems = Vec::new();
    for (api, case) in cases() {
        let found = run_case(&mut browser, &apis.origins[&api], &log, &case).await;
        eprintln!(
            "browser case {:<26} {}",
            case.name,
            if found.is_empty() { "ok" } else { "FAILED" }
        );
        problems.extend(prefixed(case.name, found));
    }
    problems.extend(reload_case(&mut browser, &log).await);
    drop(apis);
    browser.close();
    problems
}

#[test]
fn cors_in_headless_chromium() {
    let Some(chromium) = harness::browser_or_skip() else { return };
    let problems = rocket::async_test(suite(&chromium));
    assert!(
        problems.is_empty(),
        "{} browser check(s) failed:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn missing_browser_skips_unless_required() {
    let nowhere = Some(Path::new("/nonexistent/chromium").to_path_buf());
    assert!(matches!(harness::choose_browser(nowhere.clone(), None), BrowserChoice::Skip(_)));
    assert!(matches!(harness::choose_browser(nowhere.clone(), Some("0")), BrowserChoice::Skip(_)));
    match harness::choose_browser(nowhere, Some("1")) {
        BrowserChoice::Fail(why) => {
            assert!(
                why.contains("/nonexistent/chromium")
                    && why.contains("CORS_FAIRING_REQUIRE_BROWSER"),
                "{why}"
            )
        }
        other => panic!("a required, missing browser must fail, got {other:?}"),
    }
    let here = std::env::current_exe().expect("test binary path");
    assert_eq!(harness::choose_browser(Some(here.clone()), Some("1")), BrowserChoice::Run(here));
}
