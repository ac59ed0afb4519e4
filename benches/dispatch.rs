//! Dispatch through `rocket::local::blocking::Client`: bare Rocket, the floor, cors-fairing
//! and rocket_cors 0.6, four apps in one process with equivalent policies, on the same five
//! requests; then `Policy::decide` alone.
//!
//! ```sh
//! cargo bench --bench dispatch                 # criterion times, then the ratio table
//! cargo bench --bench dispatch -- --ratios     # the ratio table only
//! ```
//!
//! Criterion gives each app's time; the ratio table runs the four apps interleaved in
//! rounds (so a neighbour's build slows them all alike) and reports the median per request
//! and its ratio to bare, the floor and rocket_cors.

mod apps;

use std::hint::black_box;
use std::time::{Duration, Instant};

use apps::{Case, Mode};
use cors_fairing::policy::{CorsRequest, Field, Policies, RequestHeaders};
use criterion::Criterion;
use rocket::http::Header;
use rocket::local::blocking::Client;

struct App {
    mode: Mode,
    client: Client,
}

fn apps() -> Vec<App> {
    Mode::ALL
        .into_iter()
        .map(|mode| {
            let client = Client::untracked(apps::rocket(mode, apps::config())).expect("rocket");
            App { mode, client }
        })
        .collect()
}

fn dispatch(client: &Client, case: Case) -> rocket::local::blocking::LocalResponse<'_> {
    let mut request = client.req(case.method(), Case::PATH);
    for (name, value) in case.headers() {
        request.add_header(Header::new(*name, *value));
    }
    request.dispatch()
}

/// The floor and cors-fairing must write the same lines, or the comparison means nothing.
fn check_equivalence(apps: &[App]) {
    for case in Case::ALL {
        let lines: Vec<_> = apps
            .iter()
            .map(|app| {
                let response = dispatch(&app.client, case);
                (app.mode, response.status().code, apps::cors_lines(response.headers().iter()))
            })
            .collect();
        let of = |mode| lines.iter().find(|(m, ..)| *m == mode).expect("every mode");
        assert_eq!(of(Mode::Floor).2, of(Mode::Fairing).2, "{case:?}: floor != cors-fairing");
        assert_eq!(of(Mode::Floor).1, of(Mode::Fairing).1, "{case:?}: status differs");
        for (mode, status, lines) in &lines {
            eprintln!("# {:<14} {:<12} {status} {lines:?}", case.name(), mode.name());
        }
    }
}

fn criterion_dispatch(c: &mut Criterion, apps: &[App]) {
    for case in Case::ALL {
        let mut group = c.benchmark_group(format!("dispatch/{}", case.name()));
        for app in apps {
            group.bench_function(app.mode.name(), |b| b.iter(|| dispatch(&app.client, case)));
        }
        group.finish();
    }
}

fn decide_request(case: Case) -> CorsRequest<'static> {
    let field = |name: &str| {
        case.headers()
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Field::Absent, |(_, v)| Field::One(v))
    };
    CorsRequest {
        method: case.method().as_str(),
        origin: field("Origin"),
        request_method: field("Access-Control-Request-Method"),
        request_headers: match field("Access-Control-Request-Headers") {
            Field::One(list) => RequestHeaders::from(list),
            _ => RequestHeaders::ABSENT,
        },
        ..CorsRequest::get(Case::PATH)
    }
}

fn criterion_decide(c: &mut Criterion) {
    let policy = Policies::compile(&apps::settings()).expect("valid policy");
    let mut group = c.benchmark_group("decide");
    for case in Case::ALL {
        let request = decide_request(case);
        group.bench_function(case.name(), |b| {
            b.iter(|| black_box(policy.decide(black_box(&request))).lines().len())
        });
    }
    group.finish();
}

/// Median time per request of each app, measured interleaved: `rounds` rounds, each
/// running `batch` requests per app, the app order rotating every round.
fn interleaved(apps: &[App], case: Case, rounds: usize, batch: u32) -> Vec<Duration> {
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); apps.len()];
    for round in 0..rounds {
        for k in 0..apps.len() {
            let i = (round + k) % apps.len();
            let start = Instant::now();
            for _ in 0..batch {
                black_box(dispatch(&apps[i].client, case));
            }
            samples[i].push(start.elapsed() / batch);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort();
            s[s.len() / 2]
        })
        .collect()
}

fn ratio_table(apps: &[App]) {
    let index = |mode| apps.iter().position(|a| a.mode == mode).expect("every mode");
    let (bare, floor, rc) = (index(Mode::Bare), index(Mode::Floor), index(Mode::RocketCors));
    println!("\nrocket::local dispatch, median of 31 interleaved rounds x 400 requests");
    println!(
        "{:<14} {:<13} {:>9} {:>8} {:>9} {:>13}",
        "case", "app", "us/req", "x bare", "x floor", "rocket_cors/x"
    );
    for case in Case::ALL {
        for app in apps {
            dispatch(&app.client, case); // warm the path
        }
        let times = interleaved(apps, case, 31, 400);
        for (i, app) in apps.iter().enumerate() {
            let t = times[i].as_secs_f64();
            println!(
                "{:<14} {:<13} {:>9.2} {:>8.3} {:>9.3} {:>13.3}",
                case.name(),
                app.mode.name(),
                t * 1e6,
                t / times[bare].as_secs_f64(),
                t / times[floor].as_secs_f64(),
                times[rc].as_secs_f64() / t,
            );
        }
    }
}

/// `--loop MODE CASE N`: N dispatches and nothing else, for `valgrind --tool=callgrind`.
fn profile_loop(args: &[String]) {
    let mode = Mode::parse(&args[0]).expect("a mode: bare, floor, cors-fairing, rocket_cors");
    let case = Case::parse(&args[1]).expect("a case name");
    let n: u32 = args[2].parse().expect("a request count");
    let client = Client::untracked(apps::rocket(mode, apps::config())).expect("rocket");
    for _ in 0..n {
        black_box(dispatch(&client, case));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--loop") {
        return profile_loop(&args[at + 1..]);
    }
    let ratios_only = std::env::args().any(|a| a == "--ratios");
    let apps = apps();
    check_equivalence(&apps);
    if !ratios_only {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(30)
            .configure_from_args();
        criterion_dispatch(&mut c, &apps);
        criterion_decide(&mut c);
        c.final_summary();
    }
    ratio_table(&apps);
}
