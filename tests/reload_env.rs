//! Reloads that involve the environment: the `env_file` is watched like `Rocket.toml`, and
//! a file edit that an environment variable masks is logged. Jail tests, in a file of
//! their own, because env vars and the cwd are process-global.

// figment::Error is large; Jail closures return it.
#![allow(clippy::result_large_err)]

mod common;
mod reload_support;

use std::sync::{Mutex, OnceLock};

use cors_fairing::CorsFairing;
use cors_fairing::status::ReloadOutcome;
use figment::Jail;
use reload_support::*;
use rocket::local::asynchronous::Client;

/// Every warning logged in this process, so a test can look for the one it caused.
struct Captured(Mutex<Vec<String>>);

impl log::Log for Captured {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }

    fn flush(&self) {}
}

fn captured() -> &'static Captured {
    static LOGGER: OnceLock<&'static Captured> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Captured = Box::leak(Box::new(Captured(Mutex::new(Vec::new()))));
        // Installed before Rocket's, which then leaves the level alone.
        log::set_logger(logger).expect("no logger yet");
        log::set_max_level(log::LevelFilter::Warn);
        logger
    })
}

/// Runs `test` on a runtime of its own: Jail's closure is not async.
fn run<T>(test: impl Future<Output = T>) -> T {
    rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(test)
}

fn rocket_toml(origin: &str, extra: &str) -> String {
    format!(
        "[default]\nlog_level = \"off\"\n\n[default.cors]\nallow_origin = [\"{origin}\"]\n\
         reload_settle_ms = 20\nreload_poll_ms = 0\n{extra}"
    )
}

#[test]
fn an_edit_masked_by_an_env_var_is_logged_naming_both() {
    let logger = captured();
    Jail::expect_with(|jail| {
        let env_origin = "https://env.example.com";
        jail.set_env("CORS_ALLOW_ORIGIN", env_origin);
        jail.create_file("Rocket.toml", &rocket_toml("https://a.example.com", ""))?;
        run(async {
            let app = common::blocking::app(CorsFairing::figment());
            let client = Client::tracked(app).await.unwrap();
            let handle = handle(&client);
            std::fs::write("Rocket.toml", rocket_toml("https://b.example.com", "")).unwrap();
            let status = wait_for(&handle, "the masked edit", |s| s.unchanged >= 1).await;
            assert_eq!(status.generation, 0, "the env var still wins: {status:?}");
            assert_eq!(cors_of(&client, env_origin).await.0.as_deref(), Some(env_origin));
            client.terminate().await;
        });
        let warnings = logger.0.lock().unwrap().clone();
        let warned = warnings.iter().any(|w| {
            w.contains("`allow_origin`")
                && w.contains("https://b.example.com")
                && w.contains("Rocket.toml")
                && w.contains("CORS_ALLOW_ORIGIN")
        });
        assert!(warned, "no warning names the key, file and variable: {warnings:#?}");
        Ok(())
    });
}

#[test]
fn the_env_file_is_watched_like_rocket_toml() {
    // Whichever test launches Rocket first must find the capture installed: Rocket installs
    // its own logger at ignite when none is set, and the other test could then capture nothing.
    captured();
    Jail::expect_with(|jail| {
        let origin = "https://a.example.com";
        jail.create_file("Rocket.toml", &rocket_toml(origin, "env_file = \"cors.env\"\n"))?;
        jail.create_file("cors.env", "CORS_EXPOSE_HEADERS=x-one\nCORS_MAX_AGE=60\n")?;
        run(async {
            let client =
                Client::tracked(common::blocking::app(CorsFairing::figment())).await.unwrap();
            let handle = handle(&client);
            assert_eq!(cors_of(&client, origin).await.1.as_deref(), Some("x-one"));
            assert_eq!(handle.policy().settings().max_age, Some(60));
            // A key removed from the env file, its table kept, returns to its default.
            std::fs::write("cors.env", "CORS_EXPOSE_HEADERS=\"x-two, x-three\"\n").unwrap();
            wait_for(&handle, "the env file edit", |s| s.generation == 1).await;
            assert_eq!(handle.policy().settings().max_age, None);
            assert_eq!(cors_of(&client, origin).await.1.as_deref(), Some("x-two, x-three"));
            // Emptying the env file is a bad edit like emptying Rocket.toml.
            std::fs::write("cors.env", "").unwrap();
            let status = wait_for(&handle, "the emptied env file", |s| s.errors >= 1).await;
            assert!(status.last_error.unwrap().contains("cors.env"));
            assert_eq!(cors_of(&client, origin).await.1.as_deref(), Some("x-two, x-three"));
            client.terminate().await;
        });
        Ok(())
    });
}

#[test]
fn an_env_file_dropped_from_the_settings_and_deleted_is_a_deliberate_edit() {
    captured();
    Jail::expect_with(|jail| {
        let origin = "https://a.example.com";
        let naming = "reload = false\nenv_file = \"cors.env\"\n";
        jail.create_file("Rocket.toml", &rocket_toml(origin, naming))?;
        jail.create_file("cors.env", "CORS_MAX_AGE=60\n")?;
        run(async {
            let client =
                Client::tracked(common::blocking::app(CorsFairing::figment())).await.unwrap();
            let handle = handle(&client);
            assert_eq!(handle.policy().settings().max_age, Some(60));
            // Unlike a file that vanished while still named, this is the operator's edit.
            std::fs::remove_file("cors.env").unwrap();
            std::fs::write("Rocket.toml", rocket_toml(origin, "reload = false\n")).unwrap();
            let outcome = handle.reload().await;
            assert!(matches!(outcome, ReloadOutcome::Swapped { generation: 1 }), "{outcome:?}");
            assert_eq!(handle.policy().settings().max_age, None);
            client.terminate().await;
        });
        Ok(())
    });
}
