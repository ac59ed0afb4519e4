//! What a reload writes to the log: only the crate's own words, and one closing line per
//! attempt (swapped, unchanged or refused) whatever asked for it: a file change, SIGHUP,
//! `reload()`.
//!
//! A test binary of its own, its tests taking turns: the reloader and notify log from their
//! own threads, so a test reads every thread's lines, and SIGHUP goes to the whole process.

mod common;
mod reload_support;

use common::log_capture::{self, Captured};
use cors_fairing::status::ReloadOutcome;
use log::Level;
use reload_support::*;
use rocket::local::asynchronous::Client;

static ONE_AT_A_TIME: rocket::tokio::sync::Mutex<()> = rocket::tokio::sync::Mutex::const_new(());

/// The closing lines among `lines`: one per attempt.
fn closing(lines: &[Captured]) -> Vec<&str> {
    lines
        .iter()
        .filter(|l| l.from_the_crate && l.text.starts_with("CORS reload after "))
        .map(|l| l.text.as_str())
        .collect()
}

/// Lines at info or above that another crate wrote.
fn foreign(lines: &[Captured]) -> Vec<&Captured> {
    lines.iter().filter(|l| !l.from_the_crate && l.level <= Level::Info).collect()
}

async fn launch(config: &ConfigDir) -> (Client, cors_fairing::CorsHandle) {
    log_capture::install();
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    // Rocket's and the banner's launch lines are not what these tests are about.
    log_capture::take_all();
    (client, handle)
}

/// kubelet deletes the old `..<timestamp>` directory after each swap. Watching it (as the
/// symlink's target) made notify log `unable to remove watch descriptor` at info and
/// `Unable to remove the path from the watches: WatchNotFound` at warn on every swap.
#[rocket::async_test]
async fn a_configmap_swap_logs_only_the_crates_reload_line() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let mut dir = ConfigDir::new(SaveStyle::Kubernetes, &config("a"));
    let (client, handle) = launch(&dir).await;
    for (generation, marker) in [(1, "b"), (2, "c"), (3, "d")] {
        dir.save(&config(marker));
        wait_for(&handle, "the swap", |s| s.generation == generation).await;
    }
    // notify's lines for a swap come from its thread while the next swap settles: those of
    // the first two swaps are in by now.
    let lines = log_capture::take_all();
    assert!(foreign(&lines).is_empty(), "lines not from the crate: {:#?}", foreign(&lines));
    let closing = closing(&lines);
    assert_eq!(closing.len(), 3, "{lines:#?}");
    for line in closing {
        assert!(
            line.starts_with("CORS reload after a file change: swapped in generation"),
            "{line}"
        );
        assert!(line.ends_with("changed: allow_origin, expose_headers"), "{line}");
    }
    assert_serves(&client, "d").await;
    client.terminate().await;
}

/// Each attempt ends in exactly one line: a swap names what changed, a bad edit why it was
/// refused, and the first good file after a bad one says it is valid again, even when it
/// gives the policy already in force.
#[rocket::async_test]
async fn every_file_attempt_ends_in_one_line() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let mut dir = ConfigDir::new(SaveStyle::TempRename, &config("a"));
    let (client, handle) = launch(&dir).await;

    dir.save(&config("b"));
    wait_for(&handle, "the swap", |s| s.swaps == 1).await;
    let lines = log_capture::take_all();
    assert_eq!(
        closing(&lines),
        [format!(
            "CORS reload after a file change: swapped in generation 1 (fingerprint {}); \
             changed: allow_origin, expose_headers",
            handle.policy().fingerprint()
        )],
        "{lines:#?}"
    );

    dir.save(&config("b").replace("allow_origin = [", "allow_origin = [\"https://\", "));
    let status = wait_for(&handle, "the refusal", |s| s.errors == 1).await;
    let lines = log_capture::take_all();
    let refused = closing(&lines);
    assert_eq!(refused.len(), 1, "{lines:#?}");
    assert!(
        refused[0].starts_with("CORS reload after a file change: refused, keeping generation 1")
    );
    assert!(refused[0].contains("allow_origin"), "says why: {}", refused[0]);
    assert_eq!(status.attempts, 2, "{status:?}");

    // The good file back, as it was: the policy in force is unchanged, and valid again.
    dir.save(&config("b"));
    wait_for(&handle, "the recovery", |s| s.unchanged == 1).await;
    let lines = log_capture::take_all();
    assert_eq!(
        closing(&lines),
        [format!(
            "CORS reload after a file change: valid again; unchanged, generation 1 (fingerprint {})",
            handle.policy().fingerprint()
        )],
        "{lines:#?}"
    );

    // Only the first good attempt after a refused one is "valid again".
    assert_eq!(handle.reload().await, ReloadOutcome::Unchanged);
    let lines = log_capture::take_all();
    let unchanged = closing(&lines);
    assert_eq!(unchanged.len(), 1, "{lines:#?}");
    assert!(
        unchanged[0].starts_with("CORS reload after a reload() call: unchanged, generation 1"),
        "{}",
        unchanged[0]
    );
    client.terminate().await;
}

/// SIGHUP used to log only `SIGHUP received`: now the attempt's line says it came from the
/// signal and what it did, and nothing else is logged at info for it.
#[rocket::async_test]
async fn a_sighup_ends_in_one_line_saying_what_it_did() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let unwatched = |marker: &str| format!("{}reload = false\n", config(marker));
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &unwatched("a"));
    let (client, handle) = launch(&dir).await;

    hangup();
    wait_for(&handle, "the first SIGHUP", |s| s.attempts == 1).await;
    let lines = log_capture::take_all();
    let info: Vec<&str> =
        lines.iter().filter(|l| l.level <= Level::Info).map(|l| l.text.as_str()).collect();
    assert_eq!(
        info,
        [format!(
            "CORS reload after SIGHUP: unchanged, generation 0 (fingerprint {})",
            handle.policy().fingerprint()
        )],
        "{lines:#?}"
    );

    std::fs::write(dir.path(), unwatched("b")).unwrap();
    hangup();
    wait_for(&handle, "the second SIGHUP", |s| s.generation == 1).await;
    let lines = log_capture::take_all();
    let closing = closing(&lines);
    assert_eq!(closing.len(), 1, "{lines:#?}");
    assert!(
        closing[0].starts_with("CORS reload after SIGHUP: swapped in generation 1"),
        "{}",
        closing[0]
    );
    assert_serves(&client, "b").await;
    client.terminate().await;
}
