//! SIGHUP reloads. A test binary of its own: the signal goes to the whole process (the
//! tests here take turns), and the handler must be installed (by the fairing's liftoff)
//! before it is sent.

mod common;
mod reload_support;

use reload_support::*;
use rocket::local::asynchronous::Client;

/// The tests send SIGHUP to the whole process: one at a time, so that each sees only its own.
static ONE_AT_A_TIME: rocket::tokio::sync::Mutex<()> = rocket::tokio::sync::Mutex::const_new(());

#[rocket::async_test]
async fn sighup_reloads_even_with_watching_off() {
    let _alone = ONE_AT_A_TIME.lock().await;
    // With `reload = false` neither watcher nor periodic check runs: only the signal can
    // bring the new file in.
    let unwatched = |marker: &str| format!("{}reload = false\n", config(marker));
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &unwatched("a"));
    // Liftoff, which installs the SIGHUP listener, has run once the client exists.
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    std::fs::write(config.path(), unwatched("b")).unwrap();
    hangup();
    let status = wait_for(&handle, "the SIGHUP reload", |s| s.generation == 1).await;
    assert_eq!(status.attempts, 1, "one attempt, from the signal alone: {status:?}");
    assert_serves(&client, "b").await;
    client.terminate().await;
}

/// SIGHUP is serviced while file events settle: with the file saved every 20 ms and a 2 s
/// settle time (an 8 s ceiling), the signal's reload comes at once. It used to wait until
/// the saves stopped.
#[rocket::async_test]
async fn sighup_is_serviced_while_events_settle() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let slow =
        |marker: &str| config(marker).replace("reload_settle_ms = 20", "reload_settle_ms = 2000");
    let config = ConfigDir::new(SaveStyle::TempRename, &slow("a"));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    let (stop, stopped) = (
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        std::sync::atomic::Ordering::Relaxed,
    );
    let saver = {
        let (stop, path, content) = (stop.clone(), config.path(), slow("b"));
        std::thread::spawn(move || {
            let temp = path.with_file_name(".Rocket.toml.tmp");
            while !stop.load(stopped) {
                std::fs::write(&temp, &content).unwrap();
                std::fs::rename(&temp, &path).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    hangup();
    let mut status = handle.status();
    let waited = rocket::tokio::time::timeout(
        std::time::Duration::from_millis(1_500),
        status.wait_for(|s| s.generation == 1),
    )
    .await
    .map(|_| ());
    stop.store(true, stopped);
    saver.join().unwrap();
    assert!(waited.is_ok(), "no reload while settling: {:?}", *handle.status().borrow());
    assert_serves(&client, "b").await;
    client.terminate().await;
}
