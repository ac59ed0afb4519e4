//! What the crate logs: one debug line per refused CORS request and nothing for allowed
//! ones, a launch banner naming the source of every value, and one line per key a reload
//! changed.
//!
//! A capturing `log` logger is installed before Rocket's (Rocket then keeps its hands off
//! the global logger and its level). The logger is process-global, so the tests of this
//! file run one at a time and this file sets env vars only inside `figment::Jail`.

mod common;

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use common::{APP, EVIL, origin, request_headers, request_method};
use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle, Provenance, Settings};
use figment::Figment;
use figment::providers::Serialized;
use rocket::http::Status;
use rocket::local::blocking::Client;

#[derive(Debug, Clone)]
struct Line {
    level: log::Level,
    target: String,
    message: String,
}

struct Capture(Mutex<Vec<Line>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("cors_fairing") {
            let line = Line {
                level: record.level(),
                target: record.target().to_string(),
                message: record.args().to_string(),
            };
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        }
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

/// Installs the logger once and serialises the tests; the capture starts empty.
fn captured() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&CAPTURE).expect("the first logger of this process");
        log::set_max_level(log::LevelFilter::Trace);
    });
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    take_lines();
    guard
}

/// The crate's log lines since the last call.
fn take_lines() -> Vec<Line> {
    std::mem::take(&mut *CAPTURE.0.lock().unwrap_or_else(|p| p.into_inner()))
}

fn client(settings: Settings) -> Client {
    Client::tracked(common::app(CorsFairing::from_settings(settings))).expect("valid rocket")
}

fn strict(settings: &mut Settings) {
    settings.allow_methods = Some(vec!["GET".into(), "PUT".into()]);
    settings.paths = vec!["/api/**".into()];
}

/// Launches, then returns the one line the request made; fails on none or several.
fn one_line_for(client: &Client, send: impl FnOnce(&Client) -> Status) -> Line {
    take_lines();
    send(client);
    let lines = take_lines();
    assert_eq!(lines.len(), 1, "exactly one log line: {lines:#?}");
    lines.into_iter().next().unwrap()
}

#[test]
fn a_refused_origin_logs_one_debug_line_saying_so() {
    let _serial = captured();
    let client = client(common::settings(strict));
    let line =
        one_line_for(&client, |c| c.get("/api/items").header(origin(EVIL)).dispatch().status());
    assert_eq!(line.level, log::Level::Debug);
    assert!(line.message.contains("GET /api/items"), "{line:?}");
    assert!(
        line.message.contains("origin \"https://evil.example.net\" is not allowed"),
        "{line:?}"
    );
}

#[test]
fn a_refused_method_or_header_logs_one_line_on_the_preflight_route_path() {
    let _serial = captured();
    for reject_disallowed in [false, true] {
        let client = client(common::settings(|s| {
            strict(s);
            s.reject_disallowed = reject_disallowed;
        }));
        let expected = if reject_disallowed { Status::Forbidden } else { Status::NoContent };
        let line = one_line_for(&client, |c| {
            let response = c
                .options("/api/items")
                .header(origin(APP))
                .header(request_method("PATCH"))
                .dispatch();
            assert_eq!(response.status(), expected);
            response.status()
        });
        assert_eq!(line.level, log::Level::Debug);
        assert!(line.message.contains("OPTIONS /api/items"), "{line:?}");
        assert!(line.message.contains("method \"PATCH\" is not in allow_methods"), "{line:?}");

        let line = one_line_for(&client, |c| {
            let response = c
                .options("/api/items")
                .header(origin(APP))
                .header(request_method("PUT"))
                .header(request_headers("content-type, x-foo"))
                .dispatch();
            assert_eq!(response.status(), expected);
            response.status()
        });
        assert_eq!(line.level, log::Level::Debug);
        assert!(line.message.contains("header \"x-foo\" is not in allow_headers"), "{line:?}");
    }
}

#[test]
fn allowed_and_non_cors_requests_log_nothing() {
    let _serial = captured();
    let client = client(common::settings(strict));
    take_lines();
    let statuses = [
        client.get("/api/items").header(origin(APP)).dispatch().status(),
        client
            .options("/api/items")
            .header(origin(APP))
            .header(request_method("PUT"))
            .dispatch()
            .status(),
        client
            .options("/api/custom")
            .header(origin(APP))
            .header(request_method("GET"))
            .dispatch()
            .status(),
        client.get("/api/items").dispatch().status(),
        client.get("/api/missing").header(origin(APP)).dispatch().status(),
        // Out of scope: not a CORS concern, so not a refusal either.
        client.get("/").header(origin(EVIL)).dispatch().status(),
    ];
    assert_eq!(
        statuses,
        [Status::Ok, Status::NoContent, Status::Ok, Status::Ok, Status::NotFound, Status::Ok]
    );
    let lines = take_lines();
    assert!(lines.is_empty(), "nothing logged for allowed requests: {lines:#?}");
}

fn banner_line<'l>(lines: &'l [Line], key: &str) -> &'l str {
    let prefix = format!("{key} = ");
    let found: Vec<&Line> = lines.iter().filter(|l| l.message.starts_with(&prefix)).collect();
    assert_eq!(found.len(), 1, "one banner line for {key}: {lines:#?}");
    assert_eq!(found[0].level, log::Level::Info);
    // Rocket's logger indents targets ending in `_`, as it does its own configuration.
    assert_eq!(found[0].target, "cors_fairing::_");
    &found[0].message
}

#[test]
#[allow(clippy::result_large_err)] // figment::Jail's closure returns figment::Error
fn the_banner_names_file_and_profile_env_var_or_default_for_every_key() {
    let _serial = captured();
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "Rocket.toml",
            r#"
                [default.cors]
                allow_origin = ["https://app.example.com"]
                [debug.cors]
                max_age = 600
            "#,
        )?;
        jail.set_env("CORS_ALLOW_METHODS", "GET, PUT");
        let client = Client::tracked(common::app(CorsFairing::figment())).expect("valid rocket");
        let lines = take_lines();
        assert!(lines.iter().any(|l| l.message == "CORS policy:"), "{lines:#?}");
        let file = jail.directory().join("Rocket.toml");
        assert_eq!(
            banner_line(&lines, "allow_origin"),
            format!(
                "allow_origin = https://app.example.com ([default.cors] in {})",
                file.display()
            )
        );
        assert_eq!(
            banner_line(&lines, "max_age"),
            format!("max_age = 600 ([debug.cors] in {})", file.display())
        );
        assert_eq!(
            banner_line(&lines, "allow_methods"),
            "allow_methods = GET, PUT (environment variable CORS_ALLOW_METHODS)"
        );
        assert_eq!(
            banner_line(&lines, "allow_headers"),
            "allow_headers = Accept, Authorization, Content-Type, X-Requested-With (built-in default)"
        );
        for key in cors_fairing::Key::ALL {
            banner_line(&lines, key.name());
        }

        // The handle reports the same, for an application's status page.
        let handle = client.rocket().state::<CorsHandle>().expect("managed handle");
        let methods =
            handle.report().settings.into_iter().find(|s| s.key == "allow_methods").unwrap();
        assert_eq!(methods.provenance, Provenance::Env { var: "CORS_ALLOW_METHODS".into() });
        assert_eq!(methods.value, "GET, PUT");
        Ok(())
    });
}

#[test]
fn the_banner_of_settings_given_in_code_says_so() {
    let _serial = captured();
    let _client = client(common::settings(|_| {}));
    let lines = take_lines();
    assert_eq!(
        banner_line(&lines, "allow_origin"),
        "allow_origin = https://app.example.com (given in code)"
    );
    assert_eq!(banner_line(&lines, "preflight_status"), "preflight_status = 204 (given in code)");
}

#[test]
fn a_reload_logs_each_changed_key_and_nothing_when_unchanged() {
    let _serial = captured();
    let current = Arc::new(Mutex::new(common::settings(|s| s.reload = false)));
    let source = current.clone();
    let fairing = CorsFairing::from_figment_fn(move || {
        Figment::from(Serialized::default("cors", source.lock().unwrap().clone()))
    });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    let handle = client.rocket().state::<CorsHandle>().expect("managed handle").clone();
    take_lines();

    {
        let mut settings = current.lock().unwrap();
        settings.allow_origin.push("https://new.example.com".into());
        settings.max_age = Some(600);
    }
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { .. }));
    let changed: Vec<String> = take_lines()
        .into_iter()
        .filter(|l| l.message.starts_with("CORS setting"))
        .inspect(|l| assert_eq!(l.level, log::Level::Info, "{l:?}"))
        .map(|l| l.message)
        .collect();
    assert_eq!(changed.len(), 2, "{changed:#?}");
    assert!(
        changed[0].starts_with(
            "CORS setting `allow_origin` changed: https://app.example.com -> \
             https://app.example.com, https://new.example.com (from "
        ),
        "{changed:#?}"
    );
    assert!(
        changed[1].starts_with(
            "CORS setting `max_age` changed: (unset: no Access-Control-Max-Age) -> 600 (from "
        ),
        "{changed:#?}"
    );
    let max_age = handle.report().settings.into_iter().find(|s| s.key == "max_age").unwrap();
    assert_eq!(max_age.value, "600");

    assert_eq!(handle.reload_blocking(), ReloadOutcome::Unchanged);
    let lines = take_lines();
    assert!(!lines.iter().any(|l| l.message.starts_with("CORS setting")), "{lines:#?}");
}

#[test]
fn the_banner_and_each_reload_name_the_fingerprint() {
    let _serial = captured();
    let current = Arc::new(Mutex::new(common::settings(|s| s.reload = false)));
    let source = current.clone();
    let fairing = CorsFairing::from_figment_fn(move || {
        Figment::from(Serialized::default("cors", source.lock().unwrap().clone()))
    });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    let handle = client.rocket().state::<CorsHandle>().expect("managed handle").clone();
    let launched = handle.policy().fingerprint();
    let lines = take_lines();
    let banner: Vec<&Line> =
        lines.iter().filter(|l| l.message.starts_with("fingerprint")).collect();
    assert_eq!(banner.len(), 1, "{lines:#?}");
    assert_eq!(banner[0].message, format!("fingerprint: {launched}"));
    assert_eq!(banner[0].target, "cors_fairing::_");

    current.lock().unwrap().max_age = Some(5);
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { generation: 1 }));
    let reloaded = handle.policy().fingerprint();
    assert_ne!(reloaded, launched);
    let lines = take_lines();
    let expected = format!(
        "CORS reload after a reload() call: swapped in generation 1 (fingerprint {reloaded}); \
         changed: max_age"
    );
    assert!(lines.iter().any(|l| l.message == expected), "{lines:#?}");
}

#[test]
fn a_reload_that_narrows_access_warns_about_cached_preflights() {
    let _serial = captured();
    let current = Arc::new(Mutex::new(common::settings(|s| {
        s.reload = false;
        s.allow_origin.push("https://old.example.com".into());
        s.allow_methods = Some(vec!["GET".into(), "PUT".into()]);
        s.max_age = Some(600);
    })));
    let source = current.clone();
    let fairing = CorsFairing::from_figment_fn(move || {
        Figment::from(Serialized::default("cors", source.lock().unwrap().clone()))
    });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    let handle = client.rocket().state::<CorsHandle>().expect("managed handle").clone();
    let narrowing = |lines: Vec<Line>| -> Vec<Line> {
        lines.into_iter().filter(|l| l.message.contains("narrowed")).collect()
    };

    // Widening warns about nothing.
    current.lock().unwrap().allow_origin.push("https://new.example.com".into());
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { .. }));
    assert!(narrowing(take_lines()).is_empty());

    {
        let mut settings = current.lock().unwrap();
        settings.allow_origin.retain(|o| o != "https://old.example.com");
        settings.allow_methods = Some(vec!["GET".into()]);
        settings.max_age = Some(60);
    }
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { .. }));
    let found = narrowing(take_lines());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, log::Level::Warn);
    assert_eq!(
        found[0].message,
        "CORS reload narrowed access (removed origin https://old.example.com, method PUT): \
         browsers may keep using a preflight answer cached under the previous policy (max_age \
         600 s): WebKit for up to 600 s, Chromium 600 s, Firefox 600 s"
    );

    // Without a cached answer to fear, narrowing is silent.
    current.lock().unwrap().max_age = None;
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { .. }));
    current.lock().unwrap().allow_origin.pop();
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { .. }));
    assert!(narrowing(take_lines()).is_empty());
}

/// The error lines of the origin check among `lines`.
fn check_failures(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.level == log::Level::Error && line.message.contains("origin check"))
        .map(|line| line.message.clone())
        .collect()
}

#[test]
fn a_failing_origin_check_is_logged_once_per_origin() {
    let _serial = captured();
    let flaky_fails = Arc::new(std::sync::atomic::AtomicBool::new(true));
    // TTL 0: every request calls the check again, so only the log's own memory keeps a
    // failing origin from filling the log.
    let settings = common::settings(|s| {
        s.origin_check_ttl_ms = 0;
        s.origin_check_timeout_ms = 50;
    });
    let fails = flaky_fails.clone();
    let fairing = CorsFairing::from_settings(settings).with_origin_check(move |origin, _| {
        let origin = origin.to_owned();
        let fails = fails.load(std::sync::atomic::Ordering::SeqCst);
        async move {
            match origin.as_str() {
                "https://error.example" => Err("connection refused".to_string()),
                "https://slow.example" => {
                    rocket::tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    Ok(true)
                }
                "https://flaky.example" if fails => Err("pool exhausted".to_string()),
                _ => Ok(true),
            }
        }
    });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    let cors = client.rocket().state::<CorsHandle>().unwrap().clone();
    let acao = |from: &str| {
        let response = client.get("/api/items").header(origin(from)).dispatch();
        response.headers().get_one("Access-Control-Allow-Origin").map(str::to_string)
    };
    take_lines();
    for _ in 0..3 {
        for from in ["https://error.example", "https://slow.example", "https://flaky.example"] {
            assert_eq!(acao(from), None, "{from} is refused");
        }
        cors.forget_origins();
    }
    let stats = cors.stats();
    let counted = (stats.origin_check_calls, stats.origin_check_failures);
    assert_eq!(counted, (9, 9), "every failure is counted");
    let logged = check_failures(&take_lines());
    assert_eq!(logged.len(), 3, "one error line per failing origin: {logged:#?}");
    for (from, why) in [
        ("https://error.example", "failed: connection refused"),
        ("https://slow.example", "took longer than origin_check_timeout_ms (50 ms)"),
        ("https://flaky.example", "failed: pool exhausted"),
    ] {
        let line = logged.iter().find(|line| line.contains(&format!("{from:?}")));
        let line = line.unwrap_or_else(|| panic!("no line for {from}: {logged:#?}"));
        assert!(line.contains(why) && line.contains("the origin is refused"), "{line}");
    }

    // An answer in between: the next failure of that origin is news, and logged again.
    flaky_fails.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(acao("https://flaky.example").as_deref(), Some("https://flaky.example"));
    flaky_fails.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(acao("https://flaky.example"), None);
    assert_eq!(acao("https://flaky.example"), None);
    let logged = check_failures(&take_lines());
    assert_eq!(logged.len(), 1, "logged again after an answer, once: {logged:#?}");
}
