//! Faults an operator's machine really produces, met by `CorsFairing::figment()` reading
//! `Rocket.toml` on reload: special files swapped in (a FIFO, a directory), a file over the
//! size cap, bytes that are not UTF-8 or not printable, and edits that would quietly give
//! keys their built-in defaults (the `cors` table gone, retyped, moved, a key respelt).
//! Every test waits on `status()` or on `reload()`, never on a bare sleep.

mod common;
mod reload_support;

use std::path::Path;

use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle};
use reload_support::*;
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::local::asynchronous::Client;

/// The test app as `rocket::build()` would make it from the `Rocket.toml` at `path` (found
/// through Rocket's own Figment), with `CorsFairing::figment()`.
async fn client_for(path: &Path) -> Client {
    let figment = Figment::from(rocket::Config::debug_default())
        .merge(Toml::file(path).nested())
        .merge(("log_level", "off"));
    let rocket = rocket::custom(figment).mount("/", common::routes());
    Client::tracked(rocket.attach(CorsFairing::figment())).await.expect("valid rocket")
}

/// [`config`] without the watcher: for tests that drive every reload with `reload()`, so
/// that no watcher-driven attempt races with theirs.
fn quiet(marker: &str) -> String {
    format!("{}reload = false\n", config(marker))
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Waits for the next failed attempt after `seen` errors and returns its message.
async fn next_error(handle: &CorsHandle, seen: u64, what: &str) -> String {
    let status = wait_for(handle, what, |s| s.errors > seen).await;
    status.last_error.expect("a failed attempt leaves its error")
}

/// Shutdown must not wait on anything the reloader read: bounded.
async fn terminate_within_bounds(client: Client) {
    let ended = rocket::tokio::time::timeout(TIMEOUT, client.terminate()).await;
    assert!(ended.is_ok(), "terminate() did not return: the reloader is stuck");
}

#[rocket::async_test]
async fn a_fifo_swapped_in_is_refused_and_a_good_file_after_it_is_loaded() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    std::fs::remove_file(dir.path()).unwrap();
    mkfifo(&dir.path());
    let error = next_error(&handle, 0, "the FIFO to be refused").await;
    assert!(error.contains(&dir.path().display().to_string()), "{error}");
    assert!(error.contains("is a FIFO (named pipe), not a regular file"), "{error}");
    assert_serves(&client, "a").await;
    // SIGHUP and reload() are served too, and say the same.
    match handle.reload().await {
        ReloadOutcome::Failed(errors) => assert!(errors.to_string().contains("FIFO")),
        other => panic!("reload() with a FIFO in place: {other:?}"),
    }
    std::fs::remove_file(dir.path()).unwrap();
    std::fs::write(dir.path(), config("b")).unwrap();
    wait_for(&handle, "the good file after the FIFO", |s| s.generation == 1).await;
    assert_serves(&client, "b").await;
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn terminate_ends_the_reloader_while_a_fifo_is_in_place() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    std::fs::remove_file(dir.path()).unwrap();
    mkfifo(&dir.path());
    next_error(&handle, 0, "the FIFO to be refused").await;
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn a_directory_in_place_of_the_file_is_named_as_one() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    std::fs::remove_file(dir.path()).unwrap();
    std::fs::create_dir(dir.path()).unwrap();
    let error = next_error(&handle, 0, "the directory to be refused").await;
    assert!(error.contains("is a directory, not a regular file"), "{error}");
    assert!(!error.contains("missing"), "{error}");
    std::fs::remove_dir(dir.path()).unwrap();
    std::fs::write(dir.path(), config("b")).unwrap();
    wait_for(&handle, "the good file after the directory", |s| s.generation == 1).await;
    assert_serves(&client, "b").await;
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn a_symlink_loop_reports_the_os_error() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    let other = dir.dir().join("other.toml");
    std::fs::remove_file(dir.path()).unwrap();
    std::os::unix::fs::symlink(&other, dir.path()).unwrap();
    std::os::unix::fs::symlink(dir.path(), &other).unwrap();
    let error = match handle.reload().await {
        ReloadOutcome::Failed(errors) => errors.to_string(),
        other => panic!("reload() through a symlink loop: {other:?}"),
    };
    assert!(error.contains("symbolic links"), "{error}");
    assert!(!error.contains("missing"), "{error}");
    assert_serves(&client, "a").await;
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn a_file_over_the_cap_is_refused_with_its_size_and_the_cap() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    // Valid TOML, and a good policy, but padded past the cap with a comment.
    let mut big = config("b");
    big.push('#');
    big.push_str(&"x".repeat(CorsFairing::MAX_CONFIG_FILE_LEN as usize));
    big.push('\n');
    std::fs::write(dir.path(), &big).unwrap();
    let error = next_error(&handle, 0, "the oversized file to be refused").await;
    let cap = CorsFairing::MAX_CONFIG_FILE_LEN;
    let expected = format!("{} bytes, over the cap of {cap} bytes", big.len());
    assert!(error.contains(&expected), "{error}");
    assert!(error.contains(&dir.path().display().to_string()), "{error}");
    assert_serves(&client, "a").await;
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn an_env_file_swapped_for_a_fifo_is_refused_and_shutdown_still_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (path, env) = (dir.path().join("Rocket.toml"), dir.path().join("cors.env"));
    std::fs::write(&path, format!("{}env_file = \"cors.env\"\n", config("a"))).unwrap();
    std::fs::write(&env, "CORS_MAX_AGE=60\n").unwrap();
    let client = client_for(&path).await;
    let handle = handle(&client);
    assert_eq!(handle.policy().settings().max_age, Some(60));
    std::fs::remove_file(&env).unwrap();
    mkfifo(&env);
    let error = next_error(&handle, 0, "the env file FIFO to be refused").await;
    assert!(error.contains(&env.display().to_string()), "{error}");
    assert!(error.contains("is a FIFO (named pipe), not a regular file"), "{error}");
    assert_eq!(handle.policy().settings().max_age, Some(60));
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn invalid_utf8_names_the_line_and_the_byte_offset() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    let mut bytes = config("b").into_bytes();
    let line_3 = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
    bytes.splice(line_3..line_3, *b"# caf\xe9\n");
    std::fs::write(dir.path(), &bytes).unwrap();
    let error = next_error(&handle, 0, "the file that is not UTF-8").await;
    let offset = line_3 + "# caf".len();
    let expected = format!("is not valid UTF-8: line 3, column 6 (byte offset {offset})");
    assert!(error.contains(&expected), "{error}");
    assert_serves(&client, "a").await;
    terminate_within_bounds(client).await;
}

/// Swaps `content` in for the good config "a" and asks for a reload: it must be refused,
/// the error naming the file and each of `mentions`, and "a" must still answer.
///
/// The refusal names the keys it would have taken away.
const TAKES_AWAY: [&str; 2] = ["`allow_origin`", "silently give them their built-in defaults"];
async fn refused_as_a_fallback(content: &str, mentions: &[&str]) {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &quiet("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    std::fs::write(dir.path(), content).unwrap();
    let error = match handle.reload().await {
        ReloadOutcome::Failed(errors) => errors.to_string(),
        other => panic!("a reload of {content:?} must be refused, not {other:?}"),
    };
    assert!(error.contains(&dir.path().display().to_string()), "{error}");
    for part in mentions {
        assert!(error.contains(part), "{part:?} missing from: {error}");
    }
    assert_serves(&client, "a").await;
    assert_eq!(handle.status().borrow().errors, 1, "counted in status()");
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn a_file_whose_cors_table_is_gone_is_refused() {
    // A save caught half-way: the part before the table.
    let content = "[default]\nlog_level = \"off\"\n";
    refused_as_a_fallback(
        content,
        &["has no [default.cors] table any more", TAKES_AWAY[0], TAKES_AWAY[1]],
    )
    .await;
}

#[rocket::async_test]
async fn cors_as_a_string_is_refused() {
    // Refused by the load itself, as at launch: `cors` must be a table.
    let content = "[default]\ncors = \"https://z.example\"\n";
    let what = "has `cors = \"https://z.example\"` in [default]: `cors` must be a table";
    refused_as_a_fallback(content, &[what, "not a string"]).await;
}

#[rocket::async_test]
async fn a_top_level_cors_table_is_refused() {
    let content = config("z").replace("[default.cors]", "[cors]");
    let top_level = "has a top-level [cors] table instead of [default.cors]";
    refused_as_a_fallback(&content, &[top_level, TAKES_AWAY[0], TAKES_AWAY[1]]).await;
}

#[rocket::async_test]
async fn a_table_in_the_wrong_case_is_refused() {
    let content = config("z").replace("[default.cors]", "[default.CORS]");
    let respelt = "has [default.CORS] instead of [default.cors]";
    refused_as_a_fallback(&content, &[respelt, TAKES_AWAY[0], TAKES_AWAY[1]]).await;
}

#[rocket::async_test]
async fn a_key_in_the_wrong_case_is_refused() {
    let content = config("z").replace("allow_origin", "Allow_Origin");
    // Refused by the load itself, as at launch and by `check`: an unknown key is an error.
    let respelt = "`Allow_Origin` = \"[https://z.example.com]\"";
    refused_as_a_fallback(&content, &[respelt, "did you mean `allow_origin`"]).await;
}

#[rocket::async_test]
async fn a_key_removed_from_a_valid_table_returns_to_its_default() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &quiet("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    let without_expose: String = quiet("a")
        .lines()
        .filter(|line| !line.starts_with("expose_headers"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(dir.path(), without_expose).unwrap();
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    let origin = origin_of("a");
    assert_eq!(cors_of(&client, &origin).await, (Some(origin.clone()), None));
    // Removing every key (but `reload`) and keeping the table is deliberate too: CORS off.
    std::fs::write(dir.path(), "[default.cors]\nreload = false\n").unwrap();
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 2 }));
    assert_eq!(cors_of(&client, &origin).await, (None, None));
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn control_characters_from_the_file_are_escaped_in_the_error() {
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &config("a"));
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    let content = config("b").replace("https://b.example.com", "https://b\0\u{1b}[31m.example.com");
    std::fs::write(dir.path(), content).unwrap();
    let error = next_error(&handle, 0, "the file with a NUL").await;
    assert!(
        !error.contains('\0') && !error.contains('\u{1b}'),
        "raw control character in {error:?}"
    );
    assert!(error.contains("\\0"), "{error:?}");
    assert_serves(&client, "a").await;
    terminate_within_bounds(client).await;
}

#[rocket::async_test]
async fn two_tables_gone_are_two_errors_each_naming_its_keys() {
    let content = format!("{}\n[debug.cors]\nmax_age = 60\n", quiet("a"));
    let dir = ConfigDir::new(SaveStyle::TruncateWrite, &content);
    let client = client_for(&dir.path()).await;
    let handle = handle(&client);
    assert_eq!(handle.policy().settings().max_age, Some(60), "the debug profile is selected");
    std::fs::write(dir.path(), "[default]\nlog_level = \"off\"\n").unwrap();
    let errors = match handle.reload().await {
        ReloadOutcome::Failed(errors) => errors,
        other => panic!("must be refused, not {other:?}"),
    };
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let of = |table: &str| {
        let found = lines.iter().find(|l| l.contains(&format!("has no [{table}.cors] table")));
        found.unwrap_or_else(|| panic!("no error for [{table}.cors]: {lines:#?}")).clone()
    };
    let (default, debug) = (of("default"), of("debug"));
    assert!(default.contains("`allow_origin`") && !default.contains("`max_age`"), "{default}");
    assert!(debug.contains("`max_age`") && !debug.contains("`allow_origin`"), "{debug}");
    assert_serves(&client, "a").await;
    terminate_within_bounds(client).await;
}
