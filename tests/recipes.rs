//! The README's recipes, from the README's own text: every `toml` snippet under "Recipes"
//! parses and launches, each recipe's snippets give the headers the recipe promises, and
//! every `rust` snippet there is, character for character, code that this test compiles
//! and runs (in `tests/recipes/` or `examples/`). The examples the README names are
//! launched here too.
//!
//! Each test runs in a `figment::Jail` (its own cwd and env, one at a time) because the
//! recipes read `Rocket.toml`, `ROCKET_*` and `CORS_*` as an application does.

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

mod common;
mod reload_support;

#[allow(dead_code)]
#[path = "../examples/admin.rs"]
mod admin;
#[path = "recipes/figment_in_code.rs"]
mod figment_in_code;
#[path = "recipes/fixed_settings.rs"]
mod fixed_settings;
#[path = "recipes/observe.rs"]
mod observe;
#[path = "recipes/public_part.rs"]
mod public_part;
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use common::{origin, request_headers, request_method};
use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle};
use figment::Jail;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::serde::json::{Value, serde_json};

const README: &str = include_str!("../README.md");

/// Where the README's `rust` recipe snippets must be found verbatim.
const SOURCES: [(&str, &str); 6] = [
    ("tests/recipes/observe.rs", include_str!("recipes/observe.rs")),
    ("tests/recipes/public_part.rs", include_str!("recipes/public_part.rs")),
    ("tests/recipes/fixed_settings.rs", include_str!("recipes/fixed_settings.rs")),
    ("tests/recipes/figment_in_code.rs", include_str!("recipes/figment_in_code.rs")),
    ("examples/admin.rs", include_str!("../examples/admin.rs")),
    ("examples/tenants.rs", include_str!("../examples/tenants.rs")),
];

const SPA: &str = "http://localhost:5173";
const ANYONE: &str = "https://anyone.example";

/// One fenced block of the README: its language and its text.
struct Snippet {
    recipe: String,
    lang: String,
    text: String,
}

/// Every fenced block under `## Recipes`, with the `###` recipe it belongs to.
fn snippets() -> Vec<Snippet> {
    let start = README.find("\n## Recipes\n").expect("the README has a Recipes section");
    let section = &README[start + 1..];
    let end = section[3..].find("\n## ").map_or(section.len(), |at| at + 4);
    let mut snippets = Vec::new();
    let (mut recipe, mut open): (String, Option<Snippet>) = (String::new(), None);
    for line in section[..end].lines() {
        match &mut open {
            Some(_) if line == "```" => snippets.push(open.take().unwrap()),
            Some(snippet) => {
                snippet.text.push_str(line);
                snippet.text.push('\n');
            }
            None if line.starts_with("### ") => recipe = line[4..].to_string(),
            None if line.starts_with("```") => {
                let lang = line[3..].to_string();
                open = Some(Snippet { recipe: recipe.clone(), lang, text: String::new() });
            }
            None => {}
        }
    }
    assert!(open.is_none(), "an unclosed code block under Recipes");
    snippets
}

/// The `n`th snippet in `lang` of the recipe whose title starts with `recipe`.
fn snippet(recipe: &str, lang: &str, n: usize) -> String {
    let found: Vec<String> = snippets()
        .into_iter()
        .filter(|s| s.recipe.starts_with(recipe) && s.lang == lang)
        .map(|s| s.text)
        .collect();
    match found.get(n) {
        Some(text) => text.clone(),
        None => panic!("the README recipe {recipe:?} has no {lang} snippet number {n}"),
    }
}

/// A jail with Rocket's logging off and `rocket_toml` as `Rocket.toml`.
fn jail(rocket_toml: &str, test: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.create_file("Rocket.toml", rocket_toml)?;
        test(jail)
    });
}

fn launch(rocket: rocket::Rocket<rocket::Build>) -> Client {
    Client::tracked(rocket).expect("the recipe launches")
}

/// `rocket::build()` with `CorsFairing::figment()`, as the top of the README has it.
fn figment_app(routes: Vec<rocket::Route>) -> Client {
    launch(rocket::build().mount("/", routes).attach(CorsFairing::figment()))
}

fn header(response: &LocalResponse<'_>, name: &str) -> Option<String> {
    let all: Vec<&str> = response.headers().get(name).collect();
    assert!(all.len() <= 1, "{name} appears {} times: {all:?}", all.len());
    all.first().map(|v| v.to_string())
}

fn get<'c>(client: &'c Client, path: &'c str, from: &str) -> LocalResponse<'c> {
    client.get(path).header(origin(from)).dispatch()
}

fn acao(client: &Client, path: &str, from: &str) -> Option<String> {
    header(&get(client, path, from), "Access-Control-Allow-Origin")
}

#[test]
fn every_rust_snippet_is_code_this_test_compiles() {
    let rust: Vec<Snippet> = snippets().into_iter().filter(|s| s.lang == "rust").collect();
    assert!(rust.len() >= 3, "expected the recipes' code, found {} rust snippets", rust.len());
    for snippet in rust {
        assert!(
            SOURCES.iter().any(|(_, source)| source.contains(&snippet.text)),
            "the rust snippet of the README recipe {:?} is in none of {:?}; keep them \
             identical:\n{}",
            snippet.recipe,
            SOURCES.map(|(path, _)| path),
            snippet.text
        );
    }
}

#[test]
fn every_toml_snippet_parses_and_launches() {
    let toml: Vec<Snippet> = snippets().into_iter().filter(|s| s.lang == "toml").collect();
    assert!(
        toml.len() >= 3,
        "expected a Rocket.toml per file-configured recipe, found {}",
        toml.len()
    );
    for snippet in toml {
        jail(&snippet.text, |jail| {
            // The Docker recipe's Rocket.toml names an env_file; give it the recipe's.
            jail.create_file("cors.env", &snippet_env_file())?;
            let client = figment_app(common::routes());
            let cors = client.rocket().state::<CorsHandle>().expect("the fairing is attached");
            assert!(
                !cors.policy().settings().allow_origin.is_empty(),
                "the Rocket.toml of {:?} allows no origin",
                snippet.recipe
            );
            Ok(())
        });
    }
}

#[test]
fn credentialed_spa_preflight_and_get() {
    jail(&snippet("A credentialed SPA", "toml", 0), |_| {
        let client = figment_app(common::routes());
        let preflight = client
            .options("/api/items")
            .header(origin(SPA))
            .header(request_method("PUT"))
            .header(request_headers("content-type, x-csrf-token"))
            .dispatch();
        assert_eq!(preflight.status(), Status::NoContent);
        for (name, want) in [
            ("Access-Control-Allow-Origin", SPA),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
            ("Access-Control-Allow-Headers", "Content-Type, Authorization, X-CSRF-Token"),
            ("Access-Control-Max-Age", "600"),
        ] {
            assert_eq!(header(&preflight, name).as_deref(), Some(want), "{name}");
        }

        let response = get(&client, "/api/items", SPA);
        assert_eq!(header(&response, "Access-Control-Allow-Origin").as_deref(), Some(SPA));
        assert_eq!(header(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(
            header(&response, "Access-Control-Expose-Headers").as_deref(),
            Some("X-Request-Id")
        );
        assert_eq!(acao(&client, "/api/items", ANYONE), None);
        Ok(())
    });
}

#[test]
fn credentialed_spa_release_profile_allows_production_only() {
    jail(&snippet("A credentialed SPA", "toml", 0), |jail| {
        jail.set_env("ROCKET_PROFILE", "release");
        let client = figment_app(common::routes());
        let production = "https://app.example.com";
        let response = get(&client, "/api/items", production);
        assert_eq!(header(&response, "Access-Control-Allow-Origin").as_deref(), Some(production));
        // The rest comes from [default.cors].
        assert_eq!(header(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(acao(&client, "/api/items", SPA), None);
        Ok(())
    });
}

#[test]
fn public_part_beside_the_credentialed_api() {
    jail(&snippet("A public part", "toml", 0), |_| {
        let client = figment_app(public_part::routes());

        let public = get(&client, "/public/stats", ANYONE);
        assert_eq!(public.status(), Status::Ok);
        assert_eq!(header(&public, "Access-Control-Allow-Origin").as_deref(), Some("*"));
        assert_eq!(header(&public, "Access-Control-Allow-Credentials"), None);
        assert_eq!(public.into_string().as_deref(), Some("42 visitors"));
        // Any origin, the SPA's included, reads it without credentials.
        assert_eq!(acao(&client, "/public/stats", SPA).as_deref(), Some("*"));
        // Preflights too: the named policy answers them.
        let preflight = client
            .options("/public/stats")
            .header(origin(ANYONE))
            .header(request_method("PUT"))
            .dispatch();
        assert_eq!(header(&preflight, "Access-Control-Allow-Origin").as_deref(), Some("*"));

        let api = get(&client, "/api/me", SPA);
        assert_eq!(header(&api, "Access-Control-Allow-Origin").as_deref(), Some(SPA));
        assert_eq!(header(&api, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(acao(&client, "/api/me", ANYONE), None);
        Ok(())
    });
}

#[test]
fn fixed_settings_in_code_ignore_the_file_and_the_environment() {
    jail("[default.cors]\nallow_origin = \"https://file.example\"\n", |jail| {
        jail.set_env("CORS_ALLOW_ORIGIN", "https://env.example");
        let client =
            launch(rocket::build().mount("/", common::routes()).attach(fixed_settings::fairing()));
        let response = get(&client, "/api/items", SPA);
        assert_eq!(header(&response, "Access-Control-Allow-Origin").as_deref(), Some(SPA));
        assert_eq!(header(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(acao(&client, "/api/items", "https://env.example"), None);
        assert_eq!(acao(&client, "/api/items", "https://file.example"), None);
        let cors = client.rocket().state::<CorsHandle>().unwrap();
        assert!(cors.report().files.is_empty(), "nothing is read: {:?}", cors.report().files);
        Ok(())
    });
}

#[test]
fn defaults_in_code_apply_where_nothing_else_sets_a_key() {
    jail("[default]\nport = 8123\n", |_| {
        let client = launch(figment_in_code::rocket());
        let response = get(&client, "/api/me", SPA);
        assert_eq!(header(&response, "Access-Control-Allow-Origin").as_deref(), Some(SPA));
        assert_eq!(header(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        Ok(())
    });
}

#[test]
fn rocket_toml_overrides_the_default_in_code_not_the_value_merged_after_it_and_reloads() {
    let file_origin = "https://file.example";
    let toml =
        format!("[default.cors]\nallow_origin = \"{file_origin}\"\nallow_credentials = false\n");
    jail(&toml, |jail| {
        let client = launch(figment_in_code::rocket());
        let response = get(&client, "/api/me", file_origin);
        assert_eq!(header(&response, "Access-Control-Allow-Origin").as_deref(), Some(file_origin));
        // Merged after Rocket.toml: the file's `false` does not change it.
        assert_eq!(header(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));
        assert_eq!(acao(&client, "/api/me", SPA), None);
        let cors = client.rocket().state::<CorsHandle>().unwrap();
        let credentials = cors.report().settings.into_iter().find(|s| s.key == "allow_credentials");
        assert_eq!(credentials.unwrap().to_string(), "allow_credentials = true (given in code)");

        // An edit of Rocket.toml is read on reload; the values given in code stay.
        let edited = "https://edited.example";
        jail.create_file("Rocket.toml", &format!("[default.cors]\nallow_origin = \"{edited}\"\n"))?;
        assert!(matches!(cors.reload_blocking(), ReloadOutcome::Swapped { .. }));
        let response = get(&client, "/api/me", edited);
        assert_eq!(header(&response, "Access-Control-Allow-Origin").as_deref(), Some(edited));
        assert_eq!(header(&response, "Access-Control-Allow-Credentials").as_deref(), Some("true"));

        jail.set_env("CORS_ALLOW_ORIGIN", "https://env.example");
        let client = launch(figment_in_code::rocket());
        assert_eq!(
            acao(&client, "/api/me", "https://env.example").as_deref(),
            Some("https://env.example")
        );
        assert_eq!(acao(&client, "/api/me", edited), None);
        Ok(())
    });
}

/// The Docker recipe's `cors.env`: its first `sh` snippet.
fn snippet_env_file() -> String {
    snippet("Docker and Kubernetes", "sh", 0)
}

/// The Docker recipe's `Rocket.toml` path, from its first line (`# /etc/app/Rocket.toml`).
fn container_config_path() -> String {
    let toml = snippet("Docker and Kubernetes", "toml", 0);
    let first = toml.lines().next().unwrap_or_default();
    first.strip_prefix("# ").expect("the snippet starts with its path").to_string()
}

#[test]
fn container_snippets_mount_the_directory_that_rocket_config_names() {
    let config = container_config_path();
    let dir = config.strip_suffix("/Rocket.toml").expect("a path to a Rocket.toml");
    let env_file = snippet("Docker and Kubernetes", "sh", 0);
    assert!(env_file.starts_with(&format!("# {dir}/cors.env\n")), "{env_file}");
    assert!(snippet("Docker and Kubernetes", "toml", 0).contains("env_file = \"cors.env\""));

    let commands = snippet("Docker and Kubernetes", "sh", 1);
    assert!(commands.contains(&format!(":{dir}:ro\"")), "docker mounts the directory: {commands}");
    assert!(commands.contains(&format!("-e ROCKET_CONFIG={config} ")), "{commands}");

    let pod = snippet("Docker and Kubernetes", "yaml", 0);
    assert!(pod.contains(&format!("{{ name: ROCKET_CONFIG, value: {config} }}")), "{pod}");
    assert!(pod.contains(&format!("mountPath: {dir} }}")), "the ConfigMap's directory: {pod}");
    assert!(!pod.contains("subPath"), "a subPath mount never receives updates: {pod}");
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

/// Writes `files` into a new `..<n>` directory of a ConfigMap volume at `volume` and points
/// `..data` at it, as the kubelet does (the files themselves link through `..data`).
fn configmap_version(volume: &std::path::Path, n: u32, files: &[(&str, &str)]) {
    let version = volume.join(format!("..{n}"));
    std::fs::create_dir(&version).unwrap();
    for (name, contents) in files {
        std::fs::write(version.join(name), contents).unwrap();
        let link = volume.join(name);
        if !link.exists() {
            std::os::unix::fs::symlink(format!("..data/{name}"), link).unwrap();
        }
    }
    let temp_link = volume.join("..data_tmp");
    std::os::unix::fs::symlink(format!("..{n}"), &temp_link).unwrap();
    std::fs::rename(&temp_link, volume.join("..data")).unwrap();
}

#[test]
fn configmap_directory_serves_both_files_and_reloads_an_env_file_edit() {
    let rocket_toml = snippet("Docker and Kubernetes", "toml", 0);
    let cors_env = snippet_env_file();
    let volume = tempfile::tempdir().unwrap();
    configmap_version(volume.path(), 0, &[("Rocket.toml", &rocket_toml), ("cors.env", &cors_env)]);
    Jail::expect_with(|jail| {
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.set_env("ROCKET_CONFIG", volume.path().join("Rocket.toml").display());
        run(async {
            let app = rocket::build().mount("/", common::routes()).attach(CorsFairing::figment());
            let client = rocket::local::asynchronous::Client::tracked(app).await.unwrap();
            for allowed in ["https://app.example.com", "https://admin.example.com"] {
                let response = client.get("/api/items").header(origin(allowed)).dispatch().await;
                let header = |name| response.headers().get_one(name).map(str::to_string);
                assert_eq!(header("Access-Control-Allow-Origin").as_deref(), Some(allowed));
                assert_eq!(header("Access-Control-Allow-Credentials").as_deref(), Some("true"));
                assert_eq!(
                    header("Access-Control-Expose-Headers").as_deref(),
                    Some("X-Request-Id")
                );
            }
            let preflight =
                common::preflight(&client, "/api/items", "https://app.example.com", "PUT").await;
            assert_eq!(preflight.headers().get_one("Access-Control-Max-Age"), Some("600"));
            drop(preflight);

            // A ConfigMap edit of cors.env arrives as a new ..data: the fairing serves it.
            let edited = cors_env.replace("https://admin.example.com", "https://new.example.com");
            assert_ne!(edited, cors_env, "the recipe's cors.env lists https://admin.example.com");
            configmap_version(
                volume.path(),
                1,
                &[("Rocket.toml", &rocket_toml), ("cors.env", &edited)],
            );
            let handle = reload_support::handle(&client);
            reload_support::wait_for(&handle, "the ..data swap", |s| s.generation >= 1).await;
            let new = reload_support::cors_of(&client, "https://new.example.com").await;
            assert_eq!(new.0.as_deref(), Some("https://new.example.com"));
            assert_eq!(reload_support::cors_of(&client, "https://admin.example.com").await.0, None);
            client.terminate().await;
        });
        Ok(())
    });
}

/// The admin recipe's token and its two URLs' paths, from its `sh` snippet.
fn admin_commands() -> (String, String, String) {
    let commands = snippet("An admin endpoint", "sh", 0);
    let token = commands
        .split_whitespace()
        .find_map(|word| word.strip_prefix("ADMIN_TOKEN="))
        .expect("the snippet sets ADMIN_TOKEN")
        .to_string();
    let mut paths = commands
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("http://127.0.0.1:8000"))
        .map(str::to_string);
    let report = paths.next().expect("a report URL");
    let reload = paths.next().expect("a reload URL");
    assert!(commands.contains(&format!("Bearer {token}")), "{commands}");
    (token, report, reload)
}

#[test]
fn admin_endpoint_reports_the_policy_and_reloads_behind_its_token() {
    let (token, report_path, reload_path) = admin_commands();
    let toml = "[default.cors]\nallow_origin = [\"https://app.example.com\", \"null\"]\n";
    jail(toml, |jail| {
        let client = launch(admin::rocket());
        let bearer = Header::new("Authorization", format!("Bearer {token}"));
        // Without a configured token the endpoint stays shut.
        let shut = client.get(report_path.clone()).header(bearer.clone()).dispatch();
        assert_eq!(shut.status(), Status::Forbidden);

        jail.set_env("ADMIN_TOKEN", &token);
        assert_eq!(client.get(report_path.clone()).dispatch().status(), Status::Unauthorized);
        let report = client.get(report_path.clone()).header(bearer.clone()).dispatch();
        assert_eq!(report.status(), Status::Ok);
        let report = report.into_string().unwrap();
        for promised in [
            "allow_origin = https://app.example.com, null ([default.cors] in ",
            "allow_methods = GET, HEAD, POST, PUT, PATCH, DELETE (built-in default)",
            "# read from ",
            "# warning: ",
            "# reloads: ",
        ] {
            assert!(report.contains(promised), "{promised:?} is not in the report:\n{report}");
        }

        let reload = || client.post(reload_path.clone()).header(bearer.clone()).dispatch();
        let unchanged = reload();
        assert_eq!(unchanged.status(), Status::Ok);
        assert!(unchanged.into_string().unwrap().starts_with("unchanged"));
        jail.create_file("Rocket.toml", "[default.cors]\nallow_origin = \"https://b.example\"\n")?;
        assert_eq!(reload().into_string().unwrap(), "reloaded: generation 1 is in force\n");
        jail.create_file("Rocket.toml", "[default.cors]\nallow_origin = \"https://b.example/\"\n")?;
        let failed = reload();
        assert_eq!(failed.status(), Status::UnprocessableEntity);
        assert!(failed.into_string().unwrap().starts_with("kept the last good policy: "));
        assert_eq!(
            acao(&client, "/admin/cors", "https://b.example").as_deref(),
            Some("https://b.example")
        );
        Ok(())
    });
}

#[test]
fn example_server_answers_json_under_the_checked_in_rocket_toml() {
    jail(include_str!("../Rocket.toml"), |_| {
        let client = launch(server::rocket());
        let items = get(&client, "/api/items", "http://localhost:3000");
        assert_eq!(items.content_type(), Some(ContentType::JSON));
        assert_eq!(
            header(&items, "Access-Control-Allow-Origin").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(items.into_string().as_deref(), Some(r#"["apple","pear"]"#));

        let put =
            client.put("/api/items").header(ContentType::JSON).body(r#"["a","b","c"]"#).dispatch();
        assert_eq!(put.content_type(), Some(ContentType::JSON));
        assert_eq!(put.into_string().as_deref(), Some(r#"{"stored":3}"#));
        let delete = client.delete("/api/items/7").dispatch();
        assert_eq!(delete.content_type(), Some(ContentType::JSON));
        assert_eq!(delete.into_string().as_deref(), Some(r#"{"deleted":7}"#));

        let status = client.get("/api/status").dispatch();
        assert_eq!(status.content_type(), Some(ContentType::JSON));
        let status: Value = serde_json::from_str(&status.into_string().unwrap()).unwrap();
        let cors = client.rocket().state::<CorsHandle>().unwrap();
        assert_eq!(status["fingerprint"], cors.policy().fingerprint().to_string());
        assert_eq!(status["generation"], 0);
        assert_eq!(status["errors"], 0);
        assert_eq!(status["last_error"], Value::Null);
        Ok(())
    });
}

/// "See what the fairing is doing": its Rocket.toml turns the refusal lines on, and the
/// JSON route shows the fingerprint, the reload record and the counts by reason.
#[test]
fn see_what_the_fairing_is_doing() {
    jail(&snippet("See what the fairing is doing", "toml", 0), |_| {
        let mut routes = common::routes();
        routes.extend(rocket::routes![observe::cors_stats]);
        let client = figment_app(routes);
        let cors = client.rocket().state::<CorsHandle>().expect("the fairing is attached");
        assert!(cors.policy().settings().log_refusals, "the recipe turns log_refusals on");
        get(&client, "/api/items", "https://evil.example");
        get(&client, "/api/items", "HTTPS://APP.example.com");
        get(&client, "/api/items", "https://app.example.com");
        let response = client.get("/admin/cors/stats").dispatch();
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(response.content_type(), Some(ContentType::JSON));
        let body: Value = serde_json::from_str(&response.into_string().unwrap()).unwrap();
        assert_eq!(body["fingerprint"], cors.policy().fingerprint().to_string());
        assert_eq!(body["reload"]["generation"], 0);
        assert_eq!(body["stats"]["allowed"], 1);
        assert_eq!(body["stats"]["refused_origin"], 1);
        assert_eq!(body["stats"]["refused_malformed"], 1);
        Ok(())
    });
}

#[test]
fn tighten_a_live_policy_reports_then_promotes() {
    const OLD: &str = "https://old.example.com";
    jail(&snippet("Tighten a live policy", "toml", 0), |jail| {
        let client = figment_app(common::routes());
        let cors = client.rocket().state::<CorsHandle>().expect("the fairing is attached");
        // Enforced: old.example.com still reads its answers while the report shows it.
        assert_eq!(acao(&client, "/api/items", OLD).as_deref(), Some(OLD));
        let put = client
            .options("/api/items")
            .header(origin("https://app.example.com"))
            .header(request_method("PUT"))
            .dispatch();
        assert_eq!(put.status(), Status::NoContent);
        assert!(header(&put, "Access-Control-Allow-Origin").is_some());
        let report = cors.report_only().remove(0);
        assert_eq!(report.count("would_refuse", "origin"), 1);
        assert_eq!(report.count("would_refuse", "method"), 1);
        let origins: Vec<&str> = report.origins.iter().map(|o| o.origin.as_str()).collect();
        // Most requests first, then by origin.
        assert_eq!(origins, ["https://app.example.com", OLD]);
        let json = serde_json::to_value(&report).expect("serialises");
        assert_eq!(json["origins"][0]["values"][0], "PUT");

        // Promotion: one save, one reload; the policy's fingerprint is the candidate's.
        jail.create_file("Rocket.toml", &snippet("Tighten a live policy", "toml", 1))?;
        assert!(matches!(cors.reload_blocking(), ReloadOutcome::Swapped { .. }));
        assert_eq!(cors.policy().policy_fingerprint(None), Some(report.fingerprint));
        assert_eq!(acao(&client, "/api/items", OLD), None);
        let last = cors.report_only().remove(0);
        assert!(!last.in_force);
        assert_eq!(last.count("would_refuse", "origin"), 1);
        Ok(())
    });
}
