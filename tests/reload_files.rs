//! Hot reload from the config file: every way a file gets saved, bad edits that must keep
//! the last good policy, profiles, `reload()`, and requests racing 500 swaps.

mod common;
mod reload_support;

use std::sync::Arc;

use cors_fairing::status::ReloadOutcome;
use reload_support::*;
use rocket::local::asynchronous::Client;

/// Launches the test app on `config`, checks it serves `first`, then saves the configs
/// `next` one after the other and checks each is picked up.
async fn saves_are_picked_up(style: SaveStyle) {
    let mut config = ConfigDir::new(style, &reload_support::config("a"));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    assert_serves(&client, "a").await;
    for (generation, marker) in [(1, "b"), (2, "c"), (3, "a")] {
        config.save(&reload_support::config(marker));
        wait_for(&handle, &format!("generation {generation} after a {style:?} save"), |s| {
            s.generation == generation
        })
        .await;
        assert_serves(&client, marker).await;
    }
    client.terminate().await;
}

#[rocket::async_test]
async fn truncate_and_write_is_picked_up() {
    saves_are_picked_up(SaveStyle::TruncateWrite).await;
}

#[rocket::async_test]
async fn write_temp_and_rename_over_is_picked_up() {
    saves_are_picked_up(SaveStyle::TempRename).await;
}

#[rocket::async_test]
async fn vim_style_backup_rename_is_picked_up() {
    saves_are_picked_up(SaveStyle::VimBackup).await;
}

#[rocket::async_test]
async fn delete_then_recreate_is_picked_up() {
    saves_are_picked_up(SaveStyle::DeleteRecreate).await;
}

#[rocket::async_test]
async fn kubernetes_data_symlink_swap_is_picked_up() {
    saves_are_picked_up(SaveStyle::Kubernetes).await;
}

/// Breaks the file with `break_it`, checks the error is counted and the old policy still
/// answers, then checks the next good save is picked up.
async fn bad_edit_keeps_the_last_good_policy(
    break_it: impl FnOnce(&ConfigDir),
    error_mentions: &str,
) {
    let mut config = ConfigDir::new(SaveStyle::TruncateWrite, &reload_support::config("a"));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    break_it(&config);
    let status = wait_for(&handle, "an error", |s| s.errors >= 1).await;
    let error = status.last_error.expect("an error message");
    assert!(error.contains(error_mentions), "{error:?} should mention {error_mentions:?}");
    assert_eq!(status.generation, 0);
    assert_serves(&client, "a").await;
    config.save(&reload_support::config("b"));
    wait_for(&handle, "the good save after the bad one", |s| s.generation == 1).await;
    assert_serves(&client, "b").await;
    client.terminate().await;
}

#[rocket::async_test]
async fn invalid_toml_keeps_the_last_good_policy() {
    bad_edit_keeps_the_last_good_policy(
        |config| std::fs::write(config.path(), "[default.cors\nallow_origin = [").unwrap(),
        "Rocket.toml is not valid TOML: at line 1, column 14",
    )
    .await;
}

#[rocket::async_test]
async fn wildcard_with_credentials_keeps_the_last_good_policy() {
    bad_edit_keeps_the_last_good_policy(
        |config| {
            let toml = "[default.cors]\nallow_origin = \"*\"\nallow_credentials = true\n";
            std::fs::write(config.path(), toml).unwrap()
        },
        "allow_origin",
    )
    .await;
}

#[rocket::async_test]
async fn empty_file_keeps_the_last_good_policy() {
    bad_edit_keeps_the_last_good_policy(
        |config| std::fs::write(config.path(), "").unwrap(),
        "is empty",
    )
    .await;
}

#[rocket::async_test]
async fn deleted_file_keeps_the_last_good_policy() {
    bad_edit_keeps_the_last_good_policy(
        |config| std::fs::remove_file(config.path()).unwrap(),
        "is missing",
    )
    .await;
}

#[rocket::async_test]
async fn a_profile_section_edit_affects_only_that_profile() {
    let two_profiles = |release_marker: &str| {
        format!(
            "{}[release.cors]\nallow_origin = [\"{}\"]\nexpose_headers = [\"{}\"]\n",
            reload_support::config("a"),
            origin_of(release_marker),
            header_of(release_marker)
        )
    };
    let mut config = ConfigDir::new(SaveStyle::TempRename, &two_profiles("r1"));
    let debug = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let release = Client::tracked(common::app(config.fairing("release"))).await.unwrap();
    assert_serves(&debug, "a").await;
    assert_serves(&release, "r1").await;

    config.save(&two_profiles("r2"));
    wait_for(&handle(&release), "the release profile's swap", |s| s.generation == 1).await;
    assert_serves(&release, "r2").await;
    // The debug reloader may or may not have looked yet; asking it now is deterministic.
    assert_eq!(handle(&debug).reload().await, ReloadOutcome::Unchanged);
    assert_eq!(handle(&debug).status().borrow().generation, 0);
    assert_serves(&debug, "a").await;
    debug.terminate().await;
    release.terminate().await;
}

#[rocket::async_test]
async fn reload_on_demand_reports_what_it_did() {
    let with_watching_off = |marker: &str| format!("{}reload = false\n", config(marker));
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &with_watching_off("a"));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    std::fs::write(config.path(), with_watching_off("b")).unwrap();
    assert_eq!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 });
    assert_serves(&client, "b").await;
    assert_eq!(handle.reload().await, ReloadOutcome::Unchanged);
    std::fs::write(config.path(), "[default.cors]\nallow_origin = \"nope\"\n").unwrap();
    match handle.reload().await {
        ReloadOutcome::Failed(errors) => assert_eq!(errors.first().key(), Some("allow_origin")),
        other => panic!("expected a failure, got {other:?}"),
    }
    let status = handle.status().borrow().clone();
    assert_eq!((status.attempts, status.swaps, status.unchanged, status.errors), (3, 1, 1, 1));
    assert_serves(&client, "b").await;
    client.terminate().await;
}

/// The watch covers the whole directory, but a log file written beside `Rocket.toml` costs
/// no reload attempt, also while the config is broken (where each logged error would
/// otherwise set off the next attempt).
#[rocket::async_test]
async fn writes_to_other_files_beside_the_config_cost_no_attempt() {
    let mut config = ConfigDir::new(SaveStyle::TruncateWrite, &reload_support::config("a"));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    let log = config.dir().join("app.log");
    std::fs::write(&log, "a log line\n").unwrap();
    let status = wait_for(&handle, "a skipped event", |s| s.skipped >= 1).await;
    assert_eq!(status.attempts, 0, "{status:?}");

    config.save("[default.cors]\nallow_origin = \"https://a.example.com/\"\n");
    let status = wait_for(&handle, "the bad edit", |s| s.errors == 1).await;
    let skipped = status.skipped;
    std::fs::write(&log, "a log line\nCORS reload failed\n").unwrap();
    let status = wait_for(&handle, "another skipped event", |s| s.skipped > skipped).await;
    assert_eq!((status.attempts, status.errors), (1, 1), "{status:?}");
    assert_serves(&client, "a").await;

    config.save(&reload_support::config("b"));
    wait_for(&handle, "the good edit", |s| s.generation == 1).await;
    assert_serves(&client, "b").await;
    client.terminate().await;
}

/// `last_error` is the error of the last attempt: a good reload after a bad one clears it.
#[rocket::async_test]
async fn a_good_reload_clears_the_last_error() {
    let with_watching_off = |marker: &str| format!("{}reload = false\n", config(marker));
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &with_watching_off("a"));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    std::fs::write(config.path(), "[default.cors]\nallow_origin = \"nope\"\n").unwrap();
    assert!(matches!(handle.reload().await, ReloadOutcome::Failed(_)));
    assert!(handle.status().borrow().last_error.as_deref().unwrap().contains("nope"));
    std::fs::write(config.path(), with_watching_off("a")).unwrap();
    assert_eq!(handle.reload().await, ReloadOutcome::Unchanged);
    let status = handle.status().borrow().clone();
    assert_eq!((status.errors, status.last_error.as_deref()), (1, None), "{status:?}");
    std::fs::write(config.path(), "[default.cors]\nallow_origin = \"nope\"\n").unwrap();
    assert!(matches!(handle.reload().await, ReloadOutcome::Failed(_)));
    std::fs::write(config.path(), with_watching_off("b")).unwrap();
    assert_eq!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 });
    assert_eq!(handle.status().borrow().last_error, None);
    assert_serves(&client, "b").await;
    client.terminate().await;
}

/// A misspelt key added to the file is refused, as at launch and by `check`: what it says
/// would silently not be in force. The policy stays; the file written back is "unchanged".
#[rocket::async_test]
async fn a_misspelt_key_added_later_is_refused_and_the_policy_stays() {
    let with_watching_off = |extra: &str| format!("{}reload = false\n{extra}", config("a"));
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &with_watching_off(""));
    let client = Client::tracked(common::app(config.fairing("debug"))).await.unwrap();
    let handle = handle(&client);
    let in_force = handle.policy();
    let misspelt = with_watching_off("allow_origins = \"https://x.example\"\n");
    std::fs::write(config.path(), misspelt).unwrap();
    let ReloadOutcome::Failed(errors) = handle.reload().await else { panic!("not refused") };
    assert_eq!(errors.first().key(), Some("allow_origins"), "{errors}");
    assert!(
        errors.to_string().contains("did you mean `allow_origin`")
            || errors.to_string().contains("here it is `allow_origin`"),
        "{errors}"
    );
    std::fs::write(config.path(), with_watching_off("")).unwrap();
    assert_eq!(handle.reload().await, ReloadOutcome::Unchanged);
    assert!(Arc::ptr_eq(&in_force, &handle.policy()), "the same policy stays installed");
    assert_eq!(handle.status().borrow().generation, 0);
    assert_serves(&client, "a").await;
    client.terminate().await;
}

/// Client tasks send requests while the file flips between two configs 500 times: every
/// response belongs wholly to one config, and none fails.
#[rocket::async_test]
async fn requests_racing_500_swaps_see_one_whole_policy_each() {
    const FLIPS: u64 = 500;
    const CLIENTS: usize = 4;
    let fast =
        |marker: &str| config(marker).replace("reload_settle_ms = 20", "reload_settle_ms = 2");
    let config = ConfigDir::new(SaveStyle::TruncateWrite, &fast("a"));
    let client =
        std::sync::Arc::new(Client::untracked(common::app(config.fairing("debug"))).await.unwrap());
    let handle = handle(&client);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, stop) = (client.clone(), stop.clone());
        tasks.push(rocket::tokio::spawn(async move {
            let mut seen = [0u64; 2];
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for (i, marker) in ["a", "b"].into_iter().enumerate() {
                    let origin = origin_of(marker);
                    match cors_of(&client, &origin).await {
                        (Some(acao), Some(aceh)) if acao == origin && aceh == header_of(marker) => {
                            seen[i] += 1
                        }
                        (None, None) => {}
                        torn => panic!("a response mixes configs: {torn:?} for {origin}"),
                    }
                }
                // Local dispatch may never return Pending; on the test runtime's single
                // worker the reloader task would wait for a turn.
                rocket::tokio::task::yield_now().await;
            }
            seen
        }));
    }
    for flip in 1..=FLIPS {
        std::fs::write(config.path(), fast(if flip % 2 == 1 { "b" } else { "a" })).unwrap();
        wait_for(&handle, &format!("generation {flip}"), |s| s.generation == flip).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut seen = [0u64; 2];
    for task in tasks {
        let counts = task.await.expect("no client task panicked");
        seen[0] += counts[0];
        seen[1] += counts[1];
    }
    assert!(seen[0] > 0 && seen[1] > 0, "both configs answered: {seen:?}");
    assert_eq!(handle.status().borrow().swaps, FLIPS);
}
