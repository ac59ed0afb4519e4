//! The fairing as real browsers see it: Chromium, Firefox and WebKit each run `fetch()` from
//! one origin against API servers on another, and each case checks both what the page could
//! read and what reached the server.
//!
//! Origins, all on loopback: the page at `http://127.0.0.1:PA`, frames of it at
//! `http://app.example.localhost:PA` and `http://example.localhost:PA` (all three engines
//! resolve `*.localhost` to loopback themselves, RFC 6761 §6.3) and in a sandboxed frame
//! (`Origin: null`); each API server at `http://localhost:PB`, one per policy.
//!
//! Every case runs in every engine: one `#[test]` per engine (`cors_in_headless_chromium`,
//! `cors_in_headless_firefox`, `cors_in_webkit`), each with its own browser, page server, API
//! servers and request log, so libtest runs them side by side; `cargo test --test browser
//! webkit` runs one alone. Chromium and Firefox run a second time in [`Mode::Strict`], a
//! browser of its own with the Fetch standard's rule that `*` never covers `Authorization`
//! switched on, for the cases that send `Authorization` (WebKit has no switch for it). Each
//! run prints one line per case and a summary with the engine's version, mode, case count and
//! time (`-- --nocapture` to see them). An engine that is missing is skipped with a message on
//! stderr naming what to install, unless `CORS_FAIRING_REQUIRE_BROWSER=1`, which makes it
//! fail.
//!
//! # Adding a case: one step, and it runs in every engine and mode
//!
//! Add one `case(...)` line to `cases()` in `tests/browser/cases.rs`: a name (also the token
//! in its URLs), the API server whose policy it runs against, where the page runs, the
//! fetches with what each should give, and what should reach the server. Every engine test
//! iterates that list, in each of its modes (the strict one takes the cases that send
//! `Authorization`, see `Case::runs_in`); there is nothing to register per engine or mode. A
//! new policy is an `Api` variant, its `settings` arm and an `ALL_APIS` entry, in the same
//! file. A case that needs a server of its own (one it edits, like `reload_case` here) is an
//! async fn returning its problems, added to [`own_server_cases()`]. Where an engine honestly
//! gives another result, chain `.differs_in(Engine::Chromium, expects, seen, why)` onto the
//! case, `why` citing the spec or the engine's source or documentation: that engine is then
//! held to its own result, and nothing is ever skipped in one engine. A case written for a
//! change still to come is chained `.pending("TODO(issue N): ...")`: listed, printed as
//! pending, not run.

#[path = "browser/cases.rs"]
mod cases;
#[path = "browser/engines.rs"]
mod engines;
#[path = "browser/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../examples/tenants.rs"]
mod tenants;
#[path = "browser/webdriver.rs"]
mod webdriver;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, Instant};

use cases::{ALL_APIS, Api, Call, Case, Expect, Listed, PageAt, cases, seen, settings};
use cors_fairing::policy::Policies;
use cors_fairing::{CorsFairing, CorsHandle, Settings};
use engines::{BrowserChoice, Engine, Installed, Mode};
use harness::{Browser, Fetch, Frame, Outcome, RequestLog, Seen};
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::tokio::time::timeout;

const SWAP_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// Checking

/// Every way the outcomes and the log differ from what `engine` should give; empty when the
/// case passed.
fn check(case: &Case, engine: Engine, outcomes: &[Outcome], seen: Seen) -> Vec<String> {
    let (expects, want_seen) = case.expected(engine);
    let mut problems = Vec::new();
    for (i, (((call, _), expect), outcome)) in
        case.calls.iter().zip(expects).zip(outcomes).enumerate()
    {
        if let Err(problem) = check_outcome(*call, expect, case.name, outcome) {
            problems.push(format!("fetch {}: {problem}", i + 1));
        }
    }
    if seen != want_seen {
        problems.push(format!("server saw {seen:?}, expected {want_seen:?}"));
    }
    if let (false, Some(difference)) = (problems.is_empty(), case.difference(engine)) {
        problems.push(format!(
            "(expected for {} only, because: {})",
            engine.name(),
            difference.why
        ));
    }
    problems
}

fn check_outcome(call: Call, expect: Expect, token: &str, outcome: &Outcome) -> Result<(), String> {
    if let Expect::Submitted = expect {
        return match outcome.ok {
            true => Ok(()),
            false => Err(format!("expected the form's answer to load, got {}", outcome.error)),
        };
    }
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
        if let Err(err) = Policies::compile(&settings) {
            panic!("the {api:?} policy does not compile: {err}");
        }
        let fairing = CorsFairing::from_settings(settings);
        let server = harness::serve(harness::api(fairing, log)).await;
        apis.origins.insert(api, format!("http://{}:{}", api.host(), server.port));
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
    match browser.run(&case.from.frame(browser.page_port, api_origin), &fetches).await {
        Ok(outcomes) => check(case, browser.engine, &outcomes, log.seen(case.name)),
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
    let reload =
        |name, expect| Case::new(name, PageAt::Page, &[(Call::Get, expect)], seen(0, 1, 1));
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

/// What is wrong with one outcome of the tenants case: `readable` is the body the page
/// should read, `None` when it should be refused.
fn tenant_problem(what: &str, outcome: Option<&Outcome>, readable: Option<&str>) -> Option<String> {
    let Some(outcome) = outcome else { return Some(format!("{what}: no outcome")) };
    match readable {
        Some(body) if !outcome.ok || outcome.body != body => Some(format!(
            "{what}: expected to read {body:?}, got {:?} ({})",
            outcome.body, outcome.error
        )),
        None if outcome.ok => Some(format!("{what}: expected refused, read {:?}", outcome.body)),
        _ => None,
    }
}

/// The tenants example as a browser sees it: a page that is not a tenant cannot read
/// `/api/items`; once registered (`POST /tenants`) it can, and its WebSocket opens and
/// echoes; a page from another origin is still refused, by `fetch` and by `new WebSocket`.
async fn tenants_case(browser: &mut Browser, _log: &RequestLog) -> Vec<String> {
    // The example's own rocket on the harness's config (a free port). Its policy comes from
    // the checked-in Rocket.toml, as under `cargo run --example tenants`: no page origin of
    // this suite is listed there, so the page is allowed only as a tenant.
    let server = harness::serve(tenants::rocket().configure(harness::config())).await;
    let api = format!("http://localhost:{}", server.port);
    let page = format!("http://127.0.0.1:{}", browser.page_port);
    let get = Fetch::get(format!("{api}/api/items"));
    let socket = Fetch::websocket(format!("ws://localhost:{}/ws", server.port), "hello");
    let items = r#"["apple","pear"]"#;
    let mut problems = Vec::new();

    match browser.run(&Frame::Top, std::slice::from_ref(&get)).await {
        Ok(outcomes) => problems.extend(tenant_problem("before", outcomes.first(), None)),
        Err(err) => return vec![err],
    }
    if let Err(err) = harness::post(server.port, "/tenants", &page).await {
        problems.push(format!("POST /tenants: {err}"));
        return problems;
    }
    match browser.run(&Frame::Top, &[get.clone(), socket.clone()]).await {
        Ok(outcomes) => {
            problems.extend(tenant_problem("tenant GET", outcomes.first(), Some(items)));
            problems.extend(tenant_problem("tenant WebSocket", outcomes.get(1), Some("hello")));
        }
        Err(err) => problems.push(err),
    }
    let other = PageAt::Subdomain.frame(browser.page_port, &api);
    match browser.run(&other, &[get, socket]).await {
        Ok(outcomes) => {
            problems.extend(tenant_problem("other GET", outcomes.first(), None));
            problems.extend(tenant_problem("other WebSocket", outcomes.get(1), None));
            if let Some(refused) = outcomes.get(1)
                && !refused.ok
                && !refused.error.contains("before open")
            {
                problems.push(format!("other WebSocket: refused otherwise: {}", refused.error));
            }
        }
        Err(err) => problems.push(err),
    }
    problems
}

/// A report-only candidate that removes the page's origin: the page keeps reading the API
/// (the candidate is never enforced) while the report names the page's origin.
async fn report_only_case(browser: &mut Browser, log: &RequestLog) -> Vec<String> {
    let page = format!("http://127.0.0.1:{}", browser.page_port);
    let live = Settings::default().allow_origin([page.as_str()]);
    let candidate = live.clone().allow_origin(["http://elsewhere.example"]);
    let fairing = CorsFairing::from_settings(live.report_only(candidate));
    let server = harness::serve(harness::api(fairing, log)).await;
    let cors = server.cors.clone().expect("the CORS fairing manages a CorsHandle");
    let api_origin = format!("http://localhost:{}", server.port);
    let case =
        Case::new("report-only", PageAt::Page, &[(Call::Get, Expect::Readable)], seen(0, 1, 1));
    let mut problems = run_case(browser, &api_origin, log, &case).await;
    let reports = cors.report_only();
    match reports.first() {
        Some(report) => {
            let origins: Vec<&str> = report.origins.iter().map(|o| o.origin.as_str()).collect();
            if origins != [page.as_str()] || report.count("would_refuse", "origin") == 0 {
                problems.push(format!("the report does not name the page: {report:?}"));
            }
        }
        None => problems.push("no report-only summary".into()),
    }
    problems
}

fn prefixed(name: &str, problems: Vec<String>) -> Vec<String> {
    problems.into_iter().map(|p| format!("{name}: {p}")).collect()
}

/// A case that needs a server of its own; it returns its problems.
type OwnServerCase =
    for<'a> fn(&'a mut Browser, &'a RequestLog) -> Pin<Box<dyn Future<Output = Vec<String>> + 'a>>;

/// The cases that start, edit or stop their own API server, by name.
fn own_server_cases() -> Vec<(&'static str, OwnServerCase)> {
    vec![
        ("reload", |browser, log| Box::pin(reload_case(browser, log))),
        ("tenants", |browser, log| Box::pin(tenants_case(browser, log))),
        ("report-only", |browser, log| Box::pin(report_only_case(browser, log))),
    ]
}

/// One engine's run in one mode: what ran it, how many cases, and every problem found.
#[derive(Default)]
struct Run {
    version: String,
    cases: usize,
    pending: usize,
    failed: usize,
    problems: Vec<String>,
}

impl Run {
    /// Records one case's problems, found since `started`, and prints its line.
    fn record(&mut self, browser: &Browser, name: &str, started: Instant, found: Vec<String>) {
        let verdict = if found.is_empty() { "ok" } else { "FAILED" };
        let millis = started.elapsed().as_millis();
        let (engine, mode) = (browser.engine.name(), browser.mode.name());
        eprintln!("browser case {engine:<8} {mode:<7} {name:<30} {verdict:<6} {millis:>5} ms");
        self.cases += 1;
        self.failed += usize::from(!found.is_empty());
        self.problems.extend(prefixed(name, found));
    }
}

/// Every case that runs in `mode`, in a browser, page server, API servers and request log of
/// their own.
async fn suite(installed: &Installed, mode: Mode) -> Run {
    let log = RequestLog::default();
    let mut browser = Browser::launch(installed, mode).await;
    let apis = start_apis(browser.page_port, &log).await;
    let mut run = Run { version: browser.version().to_string(), ..Run::default() };
    for Listed { api, case } in cases().into_iter().filter(|listed| listed.case.runs_in(mode)) {
        if let Some(why) = case.pending {
            let (engine, mode) = (browser.engine.name(), mode.name());
            eprintln!("browser case {engine:<8} {mode:<7} {:<30} pending: {why}", case.name);
            run.pending += 1;
            continue;
        }
        let started = Instant::now();
        let found = run_case(&mut browser, &apis.origins[&api], &log, &case).await;
        run.record(&browser, case.name, started, found);
    }
    // They send no `Authorization`: nothing in them depends on the mode.
    if mode == Mode::Default {
        for (name, own_server_case) in own_server_cases() {
            let started = Instant::now();
            let found = own_server_case(&mut browser, &log).await;
            run.record(&browser, name, started, found);
        }
    }
    drop(apis);
    browser.close();
    run
}

/// Every case in every mode of `engine`, or a message on stderr if it is missing (a failure
/// if required).
fn run_in(engine: Engine) {
    let Some(installed) = engines::browser_or_skip(engine) else { return };
    let mut problems = Vec::new();
    for &mode in engine.modes() {
        let started = Instant::now();
        let run = rocket::async_test(suite(&installed, mode));
        eprintln!(
            "browser summary {} {}: {}: {} cases, {} failed, {} pending, in {:.1} s",
            engine.name(),
            mode.name(),
            run.version,
            run.cases,
            run.failed,
            run.pending,
            started.elapsed().as_secs_f64()
        );
        let version = &run.version;
        problems
            .extend(run.problems.iter().map(|p| format!("{version}, {} mode: {p}", mode.name())));
    }
    assert!(
        problems.is_empty(),
        "{} browser check(s) failed in {}:\n{}",
        problems.len(),
        engine.name(),
        problems.join("\n")
    );
}

#[test]
fn cors_in_headless_chromium() {
    run_in(Engine::Chromium);
}

#[test]
fn cors_in_headless_firefox() {
    run_in(Engine::Firefox);
}

#[test]
fn cors_in_webkit() {
    run_in(Engine::WebKit);
}

#[test]
fn missing_browser_skips_unless_required() {
    for engine in Engine::ALL {
        let nowhere = Some(Path::new("/nonexistent/browser").to_path_buf());
        let choose = |required| engines::choose_browser(engine, nowhere.clone(), required);
        assert!(matches!(choose(None), BrowserChoice::Skip(_)), "{engine:?}");
        assert!(matches!(choose(Some("0")), BrowserChoice::Skip(_)), "{engine:?}");
        match choose(Some("1")) {
            BrowserChoice::Fail(why) => assert!(
                why.contains("/nonexistent/browser")
                    && why.contains(engine.name())
                    && why.contains(engine.path_env())
                    && why.contains("CORS_FAIRING_REQUIRE_BROWSER"),
                "{why}"
            ),
            other => panic!("a required, missing {engine:?} must fail, got {other:?}"),
        }
        let here = std::env::current_exe().expect("test binary path");
        let found = engines::choose_browser(engine, Some(here.clone()), Some("1"));
        assert_eq!(found, BrowserChoice::Run(here));
    }
}

/// WebKit needs an X server beside its driver: a missing Xvfb skips or fails the same way,
/// naming the package.
#[test]
fn missing_xvfb_skips_unless_required() {
    let nowhere = Some(Path::new("/nonexistent/Xvfb").to_path_buf());
    let choose = |required| engines::choose_display(nowhere.clone(), required);
    assert!(matches!(choose(None), BrowserChoice::Skip(_)));
    match choose(Some("1")) {
        BrowserChoice::Fail(why) => assert!(
            why.contains("/nonexistent/Xvfb")
                && why.contains("apt-get install --no-install-recommends webkit2gtk-driver xvfb")
                && why.contains("XVFB=")
                && why.contains("CORS_FAIRING_REQUIRE_BROWSER"),
            "{why}"
        ),
        other => panic!("a required, missing Xvfb must fail, got {other:?}"),
    }
    let here = std::env::current_exe().expect("test binary path");
    assert_eq!(engines::choose_display(Some(here.clone()), None), BrowserChoice::Run(here));
}

/// The strict mode is not a run of nothing: some case that sends `Authorization` runs in it,
/// and no case without it does.
#[test]
fn the_strict_mode_runs_the_authorization_cases() {
    let listed = cases();
    let strict: Vec<&str> = listed
        .iter()
        .filter(|l| l.case.runs_in(Mode::Strict) && l.case.pending.is_none())
        .map(|l| l.case.name)
        .collect();
    assert!(strict.contains(&"authorization-star-and-listed"), "{strict:?}");
    for l in &listed {
        let sends = l.case.calls.iter().any(|(call, _)| call.sends("Authorization"));
        assert_eq!(l.case.runs_in(Mode::Strict), sends, "{}", l.case.name);
        assert!(l.case.runs_in(Mode::Default), "{}", l.case.name);
    }
}

/// The check behind `differs_in`: the named engine is held to its own result, the others to
/// the common one, and a failure in the differing engine quotes the reason.
#[test]
fn a_difference_holds_one_engine_to_its_own_result() {
    let common = [(Call::Get, Expect::Readable)];
    let listed = Listed {
        api: Api::Plain,
        case: Case::new("differs", PageAt::Page, &common, seen(0, 1, 1)),
    }
    .differs_in(Engine::Firefox, &[Expect::Blocked], seen(0, 1, 0), "the reason");
    let outcome = |ok: bool| Outcome {
        ok,
        status: if ok { 200 } else { 0 },
        body: if ok { "get differs".into() } else { String::new() },
        error: if ok { String::new() } else { "TypeError: NetworkError".into() },
        headers: Default::default(),
    };
    let case = &listed.case;
    assert_eq!(
        check(case, Engine::Chromium, &[outcome(true)], seen(0, 1, 1)),
        Vec::<String>::new()
    );
    assert_eq!(
        check(case, Engine::Firefox, &[outcome(false)], seen(0, 1, 0)),
        Vec::<String>::new()
    );
    let chromium_blocked = check(case, Engine::Chromium, &[outcome(false)], seen(0, 1, 1));
    assert_eq!(chromium_blocked.len(), 1, "{chromium_blocked:?}");
    let firefox_common = check(case, Engine::Firefox, &[outcome(true)], seen(0, 1, 1));
    assert_eq!(firefox_common.len(), 3, "fetch, log and the reason: {firefox_common:?}");
    assert!(firefox_common[2].contains("Firefox only, because: the reason"), "{firefox_common:?}");
}
