//! The counters of `CorsHandle::counters`, exact after a scripted sequence of requests, and
//! with the `metrics` feature the same counts through the `metrics` facade, never labelled
//! by origin.

mod common;

use common::{APP, EVIL, origin, request_headers, request_method};
use cors_fairing::status::Stats;
use cors_fairing::{CorsFairing, CorsHandle};
use rocket::http::Header;
use rocket::local::blocking::Client;

fn client() -> Client {
    let settings = common::settings(|s| {
        s.paths = vec!["/api/**".into()];
        s.allow_methods = Some(vec!["GET".into(), "PUT".into()]);
    });
    Client::tracked(common::app(CorsFairing::from_settings(settings))).expect("valid rocket")
}

/// One request of every kind the counters tell apart, and some they do not count.
fn scripted_requests(client: &Client) {
    let preflight = |method: &str| {
        client.options("/api/items").header(origin(APP)).header(request_method(method))
    };
    // Allowed: two actual requests and one preflight.
    client.get("/api/items").header(origin(APP)).dispatch();
    client.put("/api/items").header(origin(APP)).body("x").dispatch();
    preflight("PUT").dispatch();
    // Refused origin, twice (one of them a preflight), and `null` unlisted.
    client.get("/api/items").header(origin(EVIL)).dispatch();
    client.options("/api/items").header(origin(EVIL)).header(request_method("GET")).dispatch();
    client.get("/api/items").header(origin("null")).dispatch();
    // Refused method and header, on preflights.
    preflight("PATCH").dispatch();
    preflight("PUT").header(request_headers("X-Nope")).dispatch();
    // Malformed: not the form browsers send, two Origins, a header list that is no list.
    client.get("/api/items").header(origin("HTTPS://APP.EXAMPLE.COM")).dispatch();
    client.get("/api/items").header(origin(APP)).header(origin(EVIL)).dispatch();
    preflight("PUT").header(request_headers("content-type,x@y")).dispatch();
    // Out of scope: a CORS request outside `paths`.
    client.get("/").header(origin(APP)).dispatch();
    // Not CORS requests: not counted at all.
    client.get("/api/items").dispatch();
    client.get("/").dispatch();
    client.options("/api/items").dispatch();
}

fn expected() -> [(&'static str, u64); 7] {
    [
        ("allowed", 3),
        ("refused_origin", 3),
        ("refused_method", 1),
        ("refused_header", 1),
        ("refused_malformed", 3),
        ("preflights", 5),
        ("out_of_scope", 1),
    ]
}

fn named(counters: Stats) -> [(&'static str, u64); 7] {
    [
        ("allowed", counters.allowed),
        ("refused_origin", counters.refused_origin),
        ("refused_method", counters.refused_method),
        ("refused_header", counters.refused_header),
        ("refused_malformed", counters.refused_malformed),
        ("preflights", counters.preflights),
        ("out_of_scope", counters.out_of_scope),
    ]
}

#[test]
fn the_handle_counts_each_answer_exactly_once() {
    #[cfg(feature = "metrics")]
    let _serial = published::recording();
    let client = client();
    let handle = client.rocket().state::<CorsHandle>().expect("managed handle").clone();
    assert_eq!(handle.stats(), Stats::default());
    scripted_requests(&client);
    assert_eq!(named(handle.stats()), expected());
    // The same again: counters only grow, and count the second round exactly too.
    scripted_requests(&client);
    let doubled = expected().map(|(name, n)| (name, 2 * n));
    assert_eq!(named(handle.stats()), doubled);
}

#[test]
fn a_response_with_its_own_cors_answer_is_not_counted() {
    #[cfg(feature = "metrics")]
    let _serial = published::recording();
    let client = client();
    client.get("/api/own").header(Header::new("Origin", APP)).dispatch();
    let handle = client.rocket().state::<CorsHandle>().expect("managed handle");
    assert_eq!(handle.stats(), Stats::default());
}

#[cfg(feature = "metrics")]
mod published {
    //! A recorder of our own (a few lines) rather than a dev-dependency: it keeps every
    //! counter the crate registers, by name and labels.

    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

    use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, SharedString, Unit};

    use super::*;

    type Registered = Mutex<BTreeMap<String, Arc<AtomicU64>>>;

    struct Recorder(&'static Registered);

    impl metrics::Recorder for Recorder {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            let labels: Vec<String> =
                key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
            let name = format!("{}{{{}}}", key.name(), labels.join(","));
            let mut registered = self.0.lock().unwrap();
            Counter::from_arc(registered.entry(name).or_default().clone())
        }

        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::noop()
        }

        fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::noop()
        }
    }

    fn registered() -> &'static Registered {
        static REGISTERED: OnceLock<Registered> = OnceLock::new();
        REGISTERED.get_or_init(Registered::default)
    }

    /// Installs the recorder once (before any Rocket ignites) and serialises the tests,
    /// whose counts would otherwise mix in the one global recorder; starts from zero.
    pub(super) fn recording() -> MutexGuard<'static, ()> {
        static SERIAL: Mutex<()> = Mutex::new(());
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            metrics::set_global_recorder(Recorder(registered())).expect("the first recorder");
        });
        let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        registered().lock().unwrap().clear();
        guard
    }

    fn published() -> BTreeMap<String, u64> {
        let registered = registered().lock().unwrap();
        registered.iter().map(|(name, n)| (name.clone(), n.load(Ordering::Relaxed))).collect()
    }

    #[test]
    fn the_metrics_facade_gets_the_same_counts_labelled_by_outcome_only() {
        let _serial = recording();
        let client = client();
        scripted_requests(&client);
        let handle = client.rocket().state::<CorsHandle>().expect("managed handle");
        let mut from_handle: BTreeMap<String, u64> = named(handle.stats())
            .into_iter()
            .filter(|(name, _)| *name != "preflights")
            .map(|(name, n)| (format!("cors_fairing_requests_total{{outcome={name}}}"), n))
            .collect();
        from_handle.insert("cors_fairing_preflights_total{}".into(), handle.stats().preflights);
        from_handle.insert(
            "cors_fairing_cross_origin_refused_total{}".into(),
            handle.stats().refused_cross_origin,
        );
        assert_eq!(published(), from_handle);
        assert!(published().keys().all(|name| !name.contains("example")), "{:?}", published());
    }
}
