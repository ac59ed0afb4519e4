//! The watcher thread and the reloader task end with the server. One test, in a binary of
//! its own, because it counts the process's watcher threads.

mod common;
mod reload_support;

use std::time::{Duration, Instant};

use reload_support::*;
use rocket::local::asynchronous::Client;

/// notify's inotify thread; `comm` holds the first 15 bytes of a thread's name.
const WATCHER_THREAD: &str = "notify-rs inoti";

fn watcher_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("Linux /proc")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim_end() == WATCHER_THREAD)
        .count()
}

/// A thread ends a moment after being told to: wait for it, up to [`TIMEOUT`].
async fn wait_for_watcher_threads(expected: usize, what: &str) {
    let deadline = Instant::now() + TIMEOUT;
    while watcher_threads() != expected {
        assert!(Instant::now() < deadline, "{what}: {} watcher threads", watcher_threads());
        rocket::tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[rocket::async_test]
async fn the_watcher_ends_on_terminate_and_on_drop_and_never_starts_with_reload_off() {
    assert_eq!(watcher_threads(), 0);
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));

    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    assert_eq!(watcher_threads(), 1, "liftoff starts one watcher");
    client.terminate().await;
    wait_for_watcher_threads(0, "after terminate()").await;

    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    assert_eq!(watcher_threads(), 1);
    drop(client);
    wait_for_watcher_threads(0, "after dropping the client").await;

    std::fs::write(config.path(), format!("{}reload = false\n", reload_support::config("a")))
        .unwrap();
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    assert_eq!(watcher_threads(), 0, "reload = false starts no watcher");
    // SIGHUP and reload() still work without the watcher.
    std::fs::write(config.path(), format!("{}reload = false\n", reload_support::config("b")))
        .unwrap();
    handle(&client).reload().await;
    assert_serves(&client, "b").await;
    client.terminate().await;
}
