//! The origin check under concurrent load: how many times it is called when many requests
//! from a few unknown origins arrive at once (single-flight: once per origin), and what the
//! cache saves afterwards. Through `rocket::local` on a multi-threaded runtime, every
//! request a task of its own; the check waits `CHECK_MS` like a database query would.
//!
//! ```sh
//! cargo bench --bench origin_check            # the table; fails if a call count is off
//! ```
//!
//! Prints one TSV row per round: requests, origins, calls of the check, failures, wall time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cors_fairing::{CorsFairing, CorsHandle, Settings};
use rocket::http::Header;
use rocket::local::asynchronous::Client;

/// How long one call of the check takes: a query to a nearby database.
const CHECK_MS: u64 = 20;

#[rocket::get("/api/items")]
fn items() -> &'static str {
    "[]"
}

/// The unknown origins of a round: the even ones are tenants.
fn origins(m: usize) -> Vec<String> {
    (0..m).map(|i| format!("https://t{i}.example.org")).collect()
}

async fn client(calls: Arc<AtomicU64>) -> Client {
    let settings = Settings::default().allow_origin(["https://app.example.com"]).reload(false);
    let fairing = CorsFairing::from_settings(settings).with_origin_check(move |origin, _| {
        calls.fetch_add(1, Ordering::Relaxed);
        let tenant = origin
            .strip_prefix("https://t")
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n % 2 == 0);
        async move {
            rocket::tokio::time::sleep(Duration::from_millis(CHECK_MS)).await;
            Ok::<_, std::convert::Infallible>(tenant)
        }
    });
    let config = rocket::Config { log_level: rocket::config::LogLevel::Off, ..Default::default() };
    let rocket = rocket::custom(config).mount("/", rocket::routes![items]).attach(fairing);
    Client::untracked(rocket).await.expect("valid rocket")
}

/// `n` requests at once, spread over `origins` round-robin; how many were allowed.
async fn round(client: &Arc<Client>, origins: &[String], n: usize) -> usize {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            let origin = origins[i % origins.len()].clone();
            rocket::tokio::spawn(async move {
                let response =
                    client.get("/api/items").header(Header::new("Origin", origin)).dispatch().await;
                response.headers().get_one("Access-Control-Allow-Origin").is_some()
            })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        allowed += usize::from(task.await.expect("a request task"));
    }
    allowed
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once too: same work.
    let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        println!("round\trequests\torigins\tcalls\tfailures\tallowed\twall_ms");
        let mut problems = Vec::new();
        for (n, m) in [(1_000, 1), (1_000, 10), (10_000, 100), (10_000, 1_000)] {
            let calls = Arc::new(AtomicU64::new(0));
            let client = Arc::new(client(calls.clone()).await);
            let origins = origins(m);
            for (name, expected_calls) in
                [("cold", m as u64), ("cached", 0), ("forgotten", m as u64)]
            {
                if name == "forgotten" {
                    client.rocket().state::<CorsHandle>().expect("a handle").forget_origins();
                }
                let before = calls.load(Ordering::Relaxed);
                let started = Instant::now();
                let allowed = round(&client, &origins, n).await;
                let wall = started.elapsed();
                let made = calls.load(Ordering::Relaxed) - before;
                let stats = client.rocket().state::<CorsHandle>().unwrap().stats();
                let failures = stats.origin_check_failures;
                println!("{name}\t{n}\t{m}\t{made}\t{failures}\t{allowed}\t{}", wall.as_millis());
                if made != expected_calls {
                    problems
                        .push(format!("{name} {n}x{m}: {made} calls, expected {expected_calls}"));
                }
                let tenants = (0..n).filter(|i| (i % m) % 2 == 0).count();
                if allowed != tenants {
                    problems.push(format!("{name} {n}x{m}: {allowed} allowed, expected {tenants}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    });
}
