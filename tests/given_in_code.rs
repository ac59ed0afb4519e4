//! Settings given in code (issue 11): values merged into Rocket's own Figment are in force
//! with `CorsFairing::figment()`, keep their place in the precedence (over `Rocket.toml`
//! when merged after it, under it when given before it, always under `CORS_*`), are named
//! "given in code", and a reload of the file keeps them. That `CORS_*` variables win over
//! them is in tests/config_env.rs, whose tests all run in a `figment::Jail`: this binary's
//! tests read the process environment and must not see a test's variables.

mod common;
mod reload_support;

use std::path::Path;

use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle, Provenance};
use reload_support::*;
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Serialized, Toml};
use rocket::local::asynchronous::Client;

const CODE: &str = "https://code.example";

/// Rocket's Figment as `rocket::Config::figment()` builds it, on the `Rocket.toml` at `path`.
fn rocket_figment(path: &Path) -> Figment {
    Figment::from(rocket::Config::debug_default())
        .merge(Toml::file(path).nested())
        .merge(("log_level", "off"))
}

async fn launch(figment: Figment) -> Client {
    let rocket = rocket::custom(figment).mount("/", common::routes());
    Client::tracked(rocket.attach(CorsFairing::figment())).await.expect("valid rocket")
}

fn source_of(handle: &CorsHandle, key: &str) -> Provenance {
    let setting = handle.report().settings.into_iter().find(|s| s.key == key && s.policy.is_none());
    setting.unwrap_or_else(|| panic!("no {key}")).provenance
}

fn file_with(lines: &str) -> ConfigDir {
    ConfigDir::new(SaveStyle::TruncateWrite, &format!("[default.cors]\nreload = false\n{lines}"))
}

#[rocket::async_test]
async fn a_value_merged_in_code_is_in_force_at_launch_and_named_given_in_code() {
    let dir = file_with("max_age = 60\n");
    let figment = rocket_figment(&dir.path()).merge(("cors.allow_origin", [CODE]));
    let client = launch(figment).await;
    let handle = handle(&client);
    assert_eq!(cors_of(&client, CODE).await.0.as_deref(), Some(CODE));
    assert_eq!(source_of(&handle, "allow_origin"), Provenance::Code);
    let line = handle.report().settings.into_iter().find(|s| s.key == "allow_origin").unwrap();
    assert_eq!(line.to_string(), format!("allow_origin = {CODE} (given in code)"));
    assert!(matches!(source_of(&handle, "max_age"), Provenance::File { .. }));
    client.terminate().await;
}

#[rocket::async_test]
async fn merged_after_the_file_it_wins_given_before_it_the_file_wins() {
    let dir = file_with("allow_origin = \"https://file.example\"\nmax_age = 60\n");
    let figment = Figment::from(Serialized::default("cors.max_age", 30))
        .merge(rocket_figment(&dir.path()))
        .merge(("cors.allow_origin", [CODE]));
    let client = launch(figment).await;
    let cors = handle(&client);
    let settings = cors.policy().settings().clone();
    assert_eq!(settings.allow_origin, [CODE], "merged after Rocket.toml: over it");
    assert_eq!(settings.max_age, Some(60), "given before Rocket.toml: under it");
    assert!(matches!(source_of(&cors, "max_age"), Provenance::File { .. }));
    client.terminate().await;

    // Where the file says nothing, the default given in code applies.
    let dir = file_with("allow_origin = \"https://file.example\"\n");
    let figment =
        Figment::from(Serialized::default("cors.max_age", 30)).merge(rocket_figment(&dir.path()));
    let client = launch(figment).await;
    let handle = handle(&client);
    assert_eq!(handle.policy().settings().max_age, Some(30));
    assert_eq!(source_of(&handle, "max_age"), Provenance::Code);
    client.terminate().await;
}

#[rocket::async_test]
async fn a_reload_of_the_file_keeps_the_values_given_in_code() {
    let mut dir = file_with("max_age = 60\n");
    let figment = Figment::from(Serialized::default("cors.expose_headers", ["x-code-default"]))
        .merge(rocket_figment(&dir.path()))
        .merge(("cors.allow_origin", [CODE]));
    let client = launch(figment).await;
    let handle = handle(&client);
    // No watcher (`reload = false`): each reload is the one `reload()` asks for.
    dir.save("[default.cors]\nreload = false\nmax_age = 90\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    let settings = handle.policy().settings().clone();
    assert_eq!(settings.max_age, Some(90), "the file's edit is read");
    assert_eq!(settings.allow_origin, [CODE], "the value given in code stays");
    assert_eq!(settings.expose_headers, ["x-code-default"], "and the default given in code");
    assert_eq!(source_of(&handle, "allow_origin"), Provenance::Code);
    assert_eq!(cors_of(&client, CODE).await, (Some(CODE.into()), Some("x-code-default".into())));

    // The file now sets what was a default in code: the file wins, and on its removal the
    // default given in code is back.
    dir.save("[default.cors]\nreload = false\nexpose_headers = [\"x-file\"]\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 2 }));
    assert_eq!(handle.policy().settings().clone().expose_headers, ["x-file"]);
    dir.save("[default.cors]\nreload = false\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 3 }));
    assert_eq!(handle.policy().settings().clone().expose_headers, ["x-code-default"]);
    client.terminate().await;
}

#[rocket::async_test]
async fn a_named_policy_given_in_code_is_in_force_and_survives_a_reload() {
    let mut dir = file_with("allow_origin = \"https://file.example\"\n");
    let figment = rocket_figment(&dir.path())
        .merge(("cors.policies.public.paths", ["/api/**"]))
        .merge(("cors.policies.public.allow_origin", [CODE]));
    let client = launch(figment).await;
    let handle = handle(&client);
    assert_eq!(cors_of(&client, CODE).await.0.as_deref(), Some(CODE));
    assert_eq!(cors_of(&client, "https://file.example").await.0, None, "the policy judges /api");
    dir.save("[default.cors]\nreload = false\nallow_origin = \"https://edited.example\"\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    assert_eq!(cors_of(&client, CODE).await.0.as_deref(), Some(CODE));
    let named = handle
        .report()
        .settings
        .into_iter()
        .find(|s| s.policy.as_deref() == Some("public") && s.key == "allow_origin");
    assert_eq!(named.expect("the named policy is reported").provenance, Provenance::Code);
    client.terminate().await;
}

#[rocket::async_test]
async fn a_second_file_merged_in_code_is_in_force_and_survives_a_reload() {
    let mut dir = file_with("max_age = 60\n");
    let extra = dir.path().with_file_name("extra.toml");
    std::fs::write(&extra, "[default.cors]\nexpose_headers = [\"x-extra\"]\n").unwrap();
    let figment = rocket_figment(&dir.path()).merge(Toml::file(&extra).nested());
    let client = launch(figment).await;
    let handle = handle(&client);
    assert_eq!(
        handle.policy().settings().expose_headers,
        ["x-extra"],
        "not dropped as Rocket.toml"
    );
    dir.save("[default.cors]\nreload = false\nallow_origin = \"https://file.example\"\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    let settings = handle.policy().settings().clone();
    assert_eq!(settings.allow_origin, ["https://file.example"], "Rocket.toml is read afresh");
    assert_eq!(settings.max_age, None, "and its removed key is gone");
    assert_eq!(settings.expose_headers, ["x-extra"], "the file merged in code stays");
    client.terminate().await;
}

#[rocket::async_test]
async fn a_named_policy_split_between_the_file_and_code_takes_each_key_from_its_source() {
    let mut dir = file_with("[default.cors.policies.public]\npaths = [\"/api/**\"]\n");
    let figment = rocket_figment(&dir.path()).merge(("cors.policies.public.allow_origin", [CODE]));
    let client = launch(figment).await;
    let handle = handle(&client);
    assert_eq!(cors_of(&client, CODE).await.0.as_deref(), Some(CODE));
    let provenance = |key: &str| {
        let setting = handle
            .report()
            .settings
            .into_iter()
            .find(|s| s.policy.as_deref() == Some("public") && s.key == key);
        setting.unwrap_or_else(|| panic!("no public.{key}")).provenance
    };
    assert_eq!(provenance("allow_origin"), Provenance::Code);
    assert!(matches!(provenance("paths"), Provenance::File { .. }), "{:?}", provenance("paths"));

    // The file's part is read afresh: the policy moves to /other, keeping the code's origin.
    let moved =
        "[default.cors]\nreload = false\n[default.cors.policies.public]\npaths = [\"/other/**\"]\n";
    dir.save(moved);
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    assert_eq!(cors_of(&client, CODE).await.0, None, "/api is no longer the policy's");
    client.terminate().await;
}

#[rocket::async_test]
async fn a_default_given_before_an_empty_rocket_toml_stays_under_it_when_the_file_sets_the_key() {
    // The file gives no value at ignite; its place among the providers still decides.
    let mut dir = ConfigDir::new(SaveStyle::TruncateWrite, "# filled in later\n");
    let figment = Figment::from(Serialized::default("cors.max_age", 30))
        .merge(rocket_figment(&dir.path()))
        .merge(("cors.reload", false));
    let client = launch(figment).await;
    let handle = handle(&client);
    assert_eq!(handle.policy().settings().max_age, Some(30));
    dir.save("[default.cors]\nmax_age = 60\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    assert_eq!(handle.policy().settings().max_age, Some(60), "the file is over the default");
    assert!(matches!(source_of(&handle, "max_age"), Provenance::File { .. }));
    client.terminate().await;
}

#[rocket::async_test]
async fn a_toml_file_merged_before_rocket_toml_is_a_default_under_it_and_rocket_toml_reloads() {
    let mut dir = file_with("max_age = 60\n");
    let defaults = dir.path().with_file_name("defaults.toml");
    let table = "[default.cors]\nmax_age = 30\nexpose_headers = [\"x-default\"]\n";
    std::fs::write(&defaults, table).unwrap();
    let figment = Figment::from(Toml::file(&defaults).nested()).merge(rocket_figment(&dir.path()));
    let client = launch(figment).await;
    let handle = handle(&client);
    let settings = handle.policy().settings().clone();
    assert_eq!(settings.max_age, Some(60), "Rocket.toml over the defaults file");
    assert_eq!(settings.expose_headers, ["x-default"], "the defaults file under it");
    dir.save("[default.cors]\nreload = false\nmax_age = 90\n");
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    let settings = handle.policy().settings().clone();
    assert_eq!(settings.max_age, Some(90), "Rocket.toml is the file read afresh");
    assert_eq!(settings.expose_headers, ["x-default"]);
    client.terminate().await;
}

/// A Rocket Figment built on a file of another name (an application's own
/// `Toml::file("app.toml")`): that file is the one every load reads.
#[rocket::async_test]
async fn rocket_toml_under_another_name_is_the_file_read_afresh() {
    let dir = file_with("");
    let app = dir.path().with_file_name("app.toml");
    std::fs::write(&app, "[default.cors]\nreload = false\nmax_age = 60\n").unwrap();
    let client = launch(rocket_figment(&app)).await;
    let handle = handle(&client);
    assert_eq!(handle.policy().settings().max_age, Some(60));
    assert!(matches!(source_of(&handle, "max_age"), Provenance::File { .. }));
    std::fs::write(&app, "[default.cors]\nreload = false\nmax_age = 90\n").unwrap();
    assert!(matches!(handle.reload().await, ReloadOutcome::Swapped { generation: 1 }));
    assert_eq!(handle.policy().settings().max_age, Some(90));
    client.terminate().await;
}
