//! Allocations per request, counted by a global allocator, for the four apps of
//! `benches/apps` on the five cases, through `rocket::local::blocking::Client`.
//!
//! ```sh
//! cargo bench --bench alloc
//! ```
//!
//! Two figures per app: the whole request (Rocket, the local client and the app), and the
//! fairing window: marker fairings attached just before and just after the CORS fairing
//! count what happens between them in `on_request` and `on_response`. Bare Rocket's window
//! holds only the closing markers' own boxed futures, so "window - bare" is what the CORS
//! fairing itself allocates. The floor writes its lines from `&'static str`s, so whatever it
//! allocates is Rocket's header-map entries (and the fairing's boxed future). Whatever
//! cors-fairing allocates beyond the floor is listed; none of it may have the length of a
//! header name or value of the exchange (a copied string would), or the run fails. The one
//! expected extra is the policy snapshot kept in the request's local cache (an `Arc` box,
//! and the cache's table on its first use) when a line borrows from the policy.

mod apps;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use apps::{Case, Mode};
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::local::blocking::Client;
use rocket::{Data, Request, Response};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);
static IN_WINDOW: AtomicBool = AtomicBool::new(false);
static WINDOW_ALLOCS: AtomicUsize = AtomicUsize::new(0);
static WINDOW_BYTES: AtomicUsize = AtomicUsize::new(0);
/// The sizes allocated in the window, while `RECORD` is on (one request's worth).
static RECORD: AtomicBool = AtomicBool::new(false);
static SIZES: [AtomicUsize; 32] = [const { AtomicUsize::new(0) }; 32];

fn count(size: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    BYTES.fetch_add(size, Relaxed);
    if IN_WINDOW.load(Relaxed) {
        let n = WINDOW_ALLOCS.fetch_add(1, Relaxed);
        WINDOW_BYTES.fetch_add(size, Relaxed);
        if RECORD.load(Relaxed) && n < SIZES.len() {
            SIZES[n].store(size, Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches
// only atomics and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Opens (attached before the CORS fairing) or closes (attached after it) the window.
struct Marker {
    open: bool,
}

#[rocket::async_trait]
impl Fairing for Marker {
    fn info(&self) -> Info {
        Info {
            name: if self.open { "open" } else { "close" },
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, _: &mut Request<'_>, _: &mut Data<'_>) {
        IN_WINDOW.store(self.open, Relaxed);
    }

    async fn on_response<'r>(&self, _: &'r Request<'_>, _: &mut Response<'r>) {
        IN_WINDOW.store(self.open, Relaxed);
    }
}

fn client(mode: Mode) -> Client {
    let base = apps::base(apps::config()).attach(Marker { open: true });
    let rocket = apps::with_cors(mode, base).attach(Marker { open: false });
    Client::untracked(rocket).expect("rocket")
}

fn dispatch(client: &Client, case: Case) {
    let mut request = client.req(case.method(), Case::PATH);
    for (name, value) in case.headers() {
        request.add_header(Header::new(*name, *value));
    }
    black_box(request.dispatch());
}

struct Figures {
    allocs: f64,
    bytes: f64,
    window_allocs: f64,
    window_bytes: f64,
    sizes: Vec<usize>,
}

const REQUESTS: usize = 2_000;

fn measure(client: &Client, case: Case) -> Figures {
    for _ in 0..50 {
        dispatch(client, case);
    }
    for slot in &SIZES {
        slot.store(0, Relaxed);
    }
    WINDOW_ALLOCS.store(0, Relaxed);
    RECORD.store(true, Relaxed);
    dispatch(client, case);
    RECORD.store(false, Relaxed);
    let recorded = WINDOW_ALLOCS.load(Relaxed).min(SIZES.len());
    let sizes = SIZES[..recorded].iter().map(|s| s.load(Relaxed)).collect();

    let start = [&ALLOCS, &BYTES, &WINDOW_ALLOCS, &WINDOW_BYTES].map(|c| c.load(Relaxed));
    for _ in 0..REQUESTS {
        dispatch(client, case);
    }
    let end = [&ALLOCS, &BYTES, &WINDOW_ALLOCS, &WINDOW_BYTES].map(|c| c.load(Relaxed));
    let per = |i: usize| (end[i] - start[i]) as f64 / REQUESTS as f64;
    Figures { allocs: per(0), bytes: per(1), window_allocs: per(2), window_bytes: per(3), sizes }
}

fn main() {
    let clients: Vec<(Mode, Client)> = Mode::ALL.into_iter().map(|m| (m, client(m))).collect();
    println!("allocations per request through rocket::local ({REQUESTS} requests per figure)");
    println!(
        "{:<14} {:<13} {:>8} {:>9} {:>9} {:>12} {:>13}  fairing-window sizes (one request)",
        "case", "app", "allocs", "bytes", "- bare", "window-bare", "w.bytes-bare"
    );
    let mut string_free = true;
    for case in Case::ALL {
        let figures: Vec<(Mode, Figures)> =
            clients.iter().map(|(mode, client)| (*mode, measure(client, case))).collect();
        let of = |mode| &figures.iter().find(|(m, _)| *m == mode).expect("every mode").1;
        let bare = of(Mode::Bare);
        for (mode, f) in &figures {
            println!(
                "{:<14} {:<13} {:>8.2} {:>9.1} {:>+9.2} {:>12.2} {:>13.1}  {:?}",
                case.name(),
                mode.name(),
                f.allocs,
                f.bytes,
                f.allocs - bare.allocs,
                f.window_allocs - bare.window_allocs,
                f.window_bytes - bare.window_bytes,
                f.sizes,
            );
        }
        let (floor, ours) = (of(Mode::Floor), of(Mode::Fairing));
        let extra = beyond(&ours.sizes, &floor.sizes);
        let lengths = string_lengths(&clients, case);
        let copied: Vec<usize> = extra.iter().copied().filter(|s| lengths.contains(s)).collect();
        println!("   cors-fairing beyond the floor: {extra:?}; string-sized: {copied:?}");
        string_free &= copied.is_empty();
    }
    println!(
        "\ncors-fairing's fairing allocates no string in any case: {}",
        if string_free { "yes" } else { "NO" }
    );
    assert!(string_free, "cors-fairing allocates something the size of a header string");
}

/// The sizes in `ours` that `floor` does not account for (multiset difference).
fn beyond(ours: &[usize], floor: &[usize]) -> Vec<usize> {
    let mut left = floor.to_vec();
    ours.iter()
        .copied()
        .filter(|size| match left.iter().position(|s| s == size) {
            Some(at) => {
                left.swap_remove(at);
                false
            }
            None => true,
        })
        .collect()
}

/// The lengths of every header name and value of the case's request and of the lines the
/// floor answers with: the sizes a copied string would have.
fn string_lengths(clients: &[(Mode, Client)], case: Case) -> Vec<usize> {
    let floor = &clients.iter().find(|(m, _)| *m == Mode::Floor).expect("the floor").1;
    let mut request = floor.req(case.method(), Case::PATH);
    for (name, value) in case.headers() {
        request.add_header(Header::new(*name, *value));
    }
    let response = request.dispatch();
    let answered = apps::cors_lines(response.headers().iter());
    let asked = case.headers().iter().map(|(n, v)| (n.to_string(), v.to_string()));
    answered.into_iter().chain(asked).flat_map(|(n, v)| [n.len(), v.len()]).collect()
}
