//! With the `metrics` feature: what an operator alerts on besides the request counters
//! (tests/counters.rs): reload attempts and failures, the policy generation, and an info
//! gauge carrying the fingerprint, one series at 1 per replica. Never labelled by origin.
#![cfg(feature = "metrics")]

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, SharedString, Unit};
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::local::blocking::Client;

/// Every counter and gauge the crate registers, by name and labels; a gauge holds the bits
/// of its f64, as `metrics` stores one in an `AtomicU64`.
#[derive(Default)]
struct Registered {
    counters: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
    gauges: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
}

struct Recorder(&'static Registered);

fn name(key: &Key) -> String {
    let labels: Vec<String> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl metrics::Recorder for Recorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let mut counters = self.0.counters.lock().unwrap();
        Counter::from_arc(counters.entry(name(key)).or_default().clone())
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let mut gauges = self.0.gauges.lock().unwrap();
        Gauge::from_arc(gauges.entry(name(key)).or_default().clone())
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

fn registered() -> &'static Registered {
    static REGISTERED: OnceLock<Registered> = OnceLock::new();
    REGISTERED.get_or_init(Registered::default)
}

/// Installs the recorder once and serialises the tests (one global recorder); starts empty.
fn recording() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        metrics::set_global_recorder(Recorder(registered())).expect("the first recorder");
    });
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    registered().counters.lock().unwrap().clear();
    registered().gauges.lock().unwrap().clear();
    guard
}

/// Every series whose name starts with `prefix`, with its value.
fn series(prefix: &str) -> BTreeMap<String, f64> {
    let counters = registered().counters.lock().unwrap();
    let gauges = registered().gauges.lock().unwrap();
    let counters = counters.iter().map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed) as f64));
    let gauges = gauges.iter().map(|(k, v)| (k.clone(), f64::from_bits(v.load(Ordering::Relaxed))));
    counters.chain(gauges).filter(|(k, _)| k.starts_with(prefix)).collect()
}

fn expected(items: &[(&str, f64)]) -> BTreeMap<String, f64> {
    items.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn reloads_publish_attempts_failures_generation_and_one_fingerprint_at_1() {
    let _serial = recording();
    let current = Arc::new(Mutex::new(common::settings(|s| s.reload = false)));
    let source = current.clone();
    let fairing = CorsFairing::from_figment_fn(move || {
        Figment::from(Serialized::default("cors", source.lock().unwrap().clone()))
    });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    let handle = client.rocket().state::<CorsHandle>().expect("managed handle").clone();
    let launched = handle.policy().fingerprint();
    let info = |fingerprint| format!("cors_fairing_policy_info{{fingerprint={fingerprint}}}");
    assert_eq!(
        series("cors_fairing_policy"),
        expected(&[("cors_fairing_policy_generation{}", 0.0), (&info(launched), 1.0)])
    );

    current.lock().unwrap().max_age = Some(5);
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Swapped { generation: 1 }));
    let swapped = handle.policy().fingerprint();
    assert_ne!(swapped, launched);
    let after_swap = expected(&[
        ("cors_fairing_policy_generation{}", 1.0),
        (&info(launched), 0.0),
        (&info(swapped), 1.0),
        ("cors_fairing_reload_attempts_total{}", 1.0),
    ]);
    assert_eq!(
        series("cors_fairing_"),
        after_swap.into_iter().chain(requests_none()).collect::<BTreeMap<_, _>>()
    );

    // A bad edit: counted as a failure; the policy, its generation and its series stay.
    current.lock().unwrap().allow_origin = vec!["https://app.example.com/path".into()];
    assert!(matches!(handle.reload_blocking(), ReloadOutcome::Failed(_)));
    // Unchanged: an attempt, no failure.
    current.lock().unwrap().allow_origin = vec![common::APP.into()];
    assert_eq!(handle.reload_blocking(), ReloadOutcome::Unchanged);
    let published = series("cors_fairing_");
    assert_eq!(published["cors_fairing_reload_attempts_total{}"], 3.0);
    assert_eq!(published["cors_fairing_reload_failures_total{}"], 1.0);
    assert_eq!(published["cors_fairing_policy_generation{}"], 1.0);
    let at_one: Vec<&String> = published
        .iter()
        .filter(|(k, v)| k.starts_with("cors_fairing_policy_info") && **v == 1.0)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(at_one, [&info(swapped)]);
    assert!(published.keys().all(|k| !k.contains("example")), "labelled by origin: {published:?}");
}

/// The request counters (cross-origin refusals included), registered at ignition, all
/// still 0 here.
fn requests_none() -> BTreeMap<String, f64> {
    series("cors_fairing_requests_total")
        .into_iter()
        .chain(series("cors_fairing_preflights_total"))
        .chain(series("cors_fairing_cross_origin_refused_total"))
        .inspect(|(_, v)| assert_eq!(*v, 0.0))
        .collect()
}

/// The origin check's calls, errors and timeouts: a check that starts failing refuses
/// tenants while every request still answers.
#[test]
fn the_origin_check_publishes_calls_errors_and_timeouts() {
    let _serial = recording();
    let settings = common::settings(|s| {
        s.reload = false;
        s.origin_check_timeout_ms = 50;
    });
    let fairing = CorsFairing::from_settings(settings).with_origin_check(|origin, _| {
        let origin = origin.to_string();
        async move {
            match origin.as_str() {
                "https://tenant.example" => Ok(true),
                "https://stranger.example" => Ok(false),
                // Never answers: the timeout refuses it.
                "https://slow.example" => std::future::pending().await,
                _ => Err("the tenant table is down"),
            }
        }
    });
    let client = Client::tracked(common::app(fairing)).expect("valid rocket");
    for origin in [
        "https://tenant.example",
        "https://stranger.example",
        "https://slow.example",
        "https://down.example",
        "https://down2.example",
        // Cached: no second call.
        "https://tenant.example",
    ] {
        client.get("/api/items").header(common::origin(origin)).dispatch();
    }
    assert_eq!(
        series("cors_fairing_origin_check"),
        expected(&[
            ("cors_fairing_origin_check_calls_total{}", 5.0),
            ("cors_fairing_origin_check_errors_total{}", 2.0),
            ("cors_fairing_origin_check_timeouts_total{}", 1.0),
        ])
    );
}

#[test]
fn report_only_differences_are_counted_by_policy_change_and_reason_never_by_origin() {
    let _serial = recording();
    let live = cors_fairing::Settings::default()
        .allow_origin([common::APP, "https://old.example.com"])
        .allow_methods(["GET", "PUT"]);
    let candidate = live.clone().allow_origin([common::APP]).allow_methods(["GET"]);
    let client =
        Client::tracked(common::app(CorsFairing::from_settings(live.report_only(candidate))))
            .expect("valid rocket");
    let get = |from: &str| {
        client.get("/").header(rocket::http::Header::new("Origin", from.to_string())).dispatch();
    };
    get("https://old.example.com");
    get("https://old.example.com");
    get(common::APP);
    client
        .options("/")
        .header(rocket::http::Header::new("Origin", common::APP))
        .header(rocket::http::Header::new("Access-Control-Request-Method", "PUT"))
        .dispatch();
    assert_eq!(
        series("cors_fairing_report_only_total"),
        expected(&[
            ("cors_fairing_report_only_total{policy=base,change=would_refuse,reason=method}", 1.0),
            ("cors_fairing_report_only_total{policy=base,change=would_refuse,reason=origin}", 2.0),
        ])
    );
}

/// Cross-origin protection's refusals are published too: the one counter an operator
/// alerts on when a partner's form posts start failing. Never labelled by origin.
#[test]
fn cross_origin_refusals_are_published() {
    let _serial = recording();
    let settings =
        cors_fairing::Settings::default().allow_origin([common::APP]).cross_origin_protection(true);
    let client =
        Client::tracked(common::app(CorsFairing::from_settings(settings))).expect("valid rocket");
    let put = |from: &str, site: &str| {
        client
            .put("/api/items")
            .header(rocket::http::Header::new("Origin", from.to_string()))
            .header(rocket::http::Header::new("Sec-Fetch-Site", site.to_string()))
            .dispatch()
            .status()
    };
    assert_eq!(put("https://evil.example.net", "cross-site"), rocket::http::Status::Forbidden);
    assert_ne!(put(common::APP, "cross-site"), rocket::http::Status::Forbidden);
    assert_eq!(put("https://evil.example.net", "same-site"), rocket::http::Status::Forbidden);
    assert_eq!(
        series("cors_fairing_cross_origin_refused_total"),
        expected(&[("cors_fairing_cross_origin_refused_total{}", 2.0)])
    );
}
