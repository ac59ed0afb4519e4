//! Memory under attacker-chosen origins with a report-only candidate (issue 25): 100,000
//! distinct origins, each a difference (the policy in force allows every origin, the
//! candidate only one), sent through `rocket::local::blocking::Client`. The summary keeps
//! a fixed number of origins and counts the rest as "other", so memory must stay flat.
//!
//! ```sh
//! cargo bench --bench report_only_memory
//! ```
//!
//! Two apps in one run, the same policy without and with the candidate, each in a fresh
//! client: the heap bytes still allocated (a counting global allocator) and the process's
//! RSS after 2,000 origins (the summary full) and after 100,000. The figure that matters
//! is growth between the two checkpoints, with the candidate against without. The run
//! fails when the candidate's heap grows by more than 64 KiB between them (the summary
//! holds what it held at 2,000) or its summary names more than its bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};

use cors_fairing::status::ReportOnly;
use cors_fairing::{CorsFairing, CorsHandle, Settings};
use rocket::http::Header;
use rocket::local::blocking::Client;

struct Counting;

/// Bytes allocated and not yet freed.
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches
// only an atomic and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const WARM: usize = 2_000;
const TOTAL: usize = 100_000;
/// The most the candidate's heap may grow between the checkpoints.
const MAX_GROWTH: isize = 64 * 1024;

#[rocket::get("/api/items")]
fn items() -> &'static str {
    "[]"
}

fn rss_kib() -> isize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).unwrap_or(0)
}

fn client(candidate: bool) -> Client {
    let open = Settings::default().allow_all_origin(true);
    let settings = if candidate {
        open.report_only(Settings::default().allow_origin(["https://app.example.com"]))
    } else {
        open
    };
    let config = rocket::Config { log_level: rocket::config::LogLevel::Off, ..Default::default() };
    let rocket = rocket::custom(config)
        .mount("/", rocket::routes![items])
        .attach(CorsFairing::from_settings(settings));
    Client::untracked(rocket).expect("valid rocket")
}

fn send(client: &Client, range: std::ops::Range<usize>) {
    for i in range {
        let from = format!("https://n{i}.example.com");
        let response = client.get("/api/items").header(Header::new("Origin", from)).dispatch();
        assert!(response.headers().get_one("Access-Control-Allow-Origin").is_some());
    }
}

/// (heap, RSS) after WARM origins and after TOTAL, and the base's summary.
fn measure(candidate: bool) -> ([isize; 2], [isize; 2], Option<ReportOnly>) {
    let client = client(candidate);
    send(&client, 0..WARM);
    let warm = (LIVE.load(Relaxed), rss_kib());
    send(&client, WARM..TOTAL);
    let total = (LIVE.load(Relaxed), rss_kib());
    let handle = client.rocket().state::<CorsHandle>().expect("managed");
    let report = handle.report_only().into_iter().find(|r| r.policy.is_none());
    ([warm.0, total.0], [warm.1, total.1], report)
}

fn main() {
    println!(
        "app\theap after {WARM} (B)\theap growth to {TOTAL} (B)\tRSS after {WARM} (KiB)\tRSS growth (KiB)"
    );
    let mut growth = [0; 2];
    for (i, candidate) in [false, true].into_iter().enumerate() {
        let (heap, rss, report) = measure(candidate);
        growth[i] = heap[1] - heap[0];
        let name = if candidate { "candidate" } else { "no candidate" };
        println!("{name}\t{}\t{}\t{}\t{}", heap[0], heap[1] - heap[0], rss[0], rss[1] - rss[0]);
        if let Some(report) = report {
            let named = report.origins.len();
            println!("summary: {named} origins named, {} other", report.other_origins);
            assert!(named <= ReportOnly::MAX_ORIGINS, "{named} origins named");
            assert_eq!(report.other_origins as usize, TOTAL - named);
        } else {
            assert!(!candidate, "the candidate's summary is missing");
        }
    }
    assert!(growth[1] <= MAX_GROWTH, "with a candidate the heap grew by {} B", growth[1]);
}
