//! SIGHUP reloads. A test binary of its own: the signal goes to the whole process, and
//! the handler must be installed (by the fairing's liftoff) before it is sent.

mod common;
mod reload_support;

use reload_support::*;
use rocket::local::asynchronous::Client;

#[rocket::async_test]
async fn sighup_reloads_even_with_watching_off() {
    // With `reload = false` neither watcher nor periodic check runs: only the signal can
    // bring the new file in.
    let unwatched = |marker: &str| format!("{}reload = false\n", config(marker));
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &unwatched("a"));
    // Liftoff, which installs the SIGHUP listener, has run once the client exists.
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    std::fs::write(config.path(), unwatched("b")).unwrap();
    let kill = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let status = wait_for(&handle, "the SIGHUP reload", |s| s.generation == 1).await;
    assert_eq!(status.attempts, 1, "one attempt, from the signal alone: {status:?}");
    assert_serves(&client, "b").await;
    client.terminate().await;
}
