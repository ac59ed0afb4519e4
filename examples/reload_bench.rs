//! Hot reload, measured: for each way a config file gets saved, the time from the write to
//! the first response that carries the new header; then resident memory before and after
//! 10 000 reloads.
//!
//! ```sh
//! cargo run --release --example reload_bench            # 200 saves per style
//! cargo run --release --example reload_bench -- 50 1000 # saves per style, reloads
//! ```
//!
//! The settle time is the default (50 ms); the target is p99 below settle + 50 ms, and RSS
//! growth below 2 MiB over 10 000 reloads.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cors_fairing::status::ReloadOutcome;
use cors_fairing::{CorsFairing, CorsHandle};
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::http::Header;
use rocket::local::asynchronous::Client;
use rocket::{get, routes};

const SETTLE_MS: u64 = 50;

#[get("/api/items")]
fn items() -> &'static str {
    "[]"
}

#[derive(Debug, Clone, Copy)]
enum SaveStyle {
    TruncateWrite,
    TempRename,
    VimBackup,
    DeleteRecreate,
    Kubernetes,
}

const STYLES: [SaveStyle; 5] = [
    SaveStyle::TruncateWrite,
    SaveStyle::TempRename,
    SaveStyle::VimBackup,
    SaveStyle::DeleteRecreate,
    SaveStyle::Kubernetes,
];

fn config(marker: u64) -> String {
    format!(
        "[default.cors]\nallow_origin = [\"https://m{marker}.example.com\"]\n\
         expose_headers = [\"x-marker-{marker}\"]\n"
    )
}

fn origin(marker: u64) -> String {
    format!("https://m{marker}.example.com")
}

/// A config file in a temp dir, saved the way one kind of tool saves it.
struct ConfigFile {
    dir: tempfile::TempDir,
    style: SaveStyle,
    saves: u64,
}

impl ConfigFile {
    fn new(style: SaveStyle, content: &str) -> std::io::Result<ConfigFile> {
        let file = ConfigFile { dir: tempfile::tempdir()?, style, saves: 0 };
        if let SaveStyle::Kubernetes = style {
            std::fs::create_dir(file.dir().join("..0"))?;
            std::fs::write(file.dir().join("..0/Rocket.toml"), content)?;
            std::os::unix::fs::symlink("..0", file.dir().join("..data"))?;
            std::os::unix::fs::symlink("..data/Rocket.toml", file.path())?;
        } else {
            std::fs::write(file.path(), content)?;
        }
        Ok(file)
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self) -> PathBuf {
        self.dir().join("Rocket.toml")
    }

    fn save(&mut self, content: &str) -> std::io::Result<()> {
        self.saves += 1;
        let path = self.path();
        match self.style {
            SaveStyle::TruncateWrite => std::fs::write(&path, content),
            SaveStyle::TempRename => {
                let temp = self.dir().join(".Rocket.toml.tmp");
                std::fs::write(&temp, content)?;
                std::fs::rename(&temp, &path)
            }
            SaveStyle::VimBackup => {
                let backup = self.dir().join("Rocket.toml~");
                std::fs::rename(&path, &backup)?;
                std::fs::write(&path, content)?;
                std::fs::remove_file(&backup)
            }
            SaveStyle::DeleteRecreate => {
                std::fs::remove_file(&path)?;
                std::fs::write(&path, content)
            }
            SaveStyle::Kubernetes => {
                let (old, new) = (format!("..{}", self.saves - 1), format!("..{}", self.saves));
                std::fs::create_dir(self.dir().join(&new))?;
                std::fs::write(self.dir().join(&new).join("Rocket.toml"), content)?;
                std::os::unix::fs::symlink(&new, self.dir().join("..data_tmp"))?;
                std::fs::rename(self.dir().join("..data_tmp"), self.dir().join("..data"))?;
                std::fs::remove_dir_all(self.dir().join(old))
            }
        }
    }

    fn fairing(&self) -> CorsFairing {
        let path = self.path();
        CorsFairing::from_figment_fn(move || Figment::new().merge(Toml::file(&path).nested()))
    }
}

async fn launch(file: &ConfigFile) -> Client {
    let config = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = rocket::custom(config).mount("/", routes![items]).attach(file.fairing());
    let client = Client::untracked(rocket).await.expect("valid rocket");
    // Keep the figures readable: every swap would log the keys it changed.
    log::set_max_level(log::LevelFilter::Off);
    client
}

async fn exposed(client: &Client, marker: u64) -> Option<String> {
    let response =
        client.get("/api/items").header(Header::new("Origin", origin(marker))).dispatch().await;
    response.headers().get_one("Access-Control-Expose-Headers").map(str::to_string)
}

/// Milliseconds from each save to the first response carrying the saved header.
async fn save_latencies(style: SaveStyle, saves: u64) -> std::io::Result<Vec<f64>> {
    let mut file = ConfigFile::new(style, &config(0))?;
    let client = launch(&file).await;
    let mut latencies = Vec::with_capacity(saves as usize);
    for marker in 1..=saves {
        let wanted = format!("x-marker-{marker}");
        file.save(&config(marker))?;
        let written = Instant::now();
        while exposed(&client, marker).await.as_deref() != Some(wanted.as_str()) {
            assert!(written.elapsed() < Duration::from_secs(10), "{style:?} save {marker} lost");
            // Probing every millisecond (the timer's resolution) rather than spinning
            // leaves the CPU to the reloader, as a real server's idle moments would.
            rocket::tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(written.elapsed().as_secs_f64() * 1e3);
    }
    Ok(latencies)
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).unwrap_or(0)
}

/// RSS (KiB) after a warm-up of 100 reloads and after `reloads` more, each one a swap.
async fn rss_over_reloads(reloads: u64) -> std::io::Result<(u64, u64)> {
    let mut file = ConfigFile::new(SaveStyle::TempRename, &config(0))?;
    let client = launch(&file).await;
    let handle = client.rocket().state::<CorsHandle>().expect("managed").clone();
    let mut reload = |marker: u64| -> std::io::Result<()> {
        file.save(&config(marker))?;
        match handle.reload_blocking() {
            ReloadOutcome::Failed(err) => panic!("reload {marker} failed: {err}"),
            _ => Ok(()),
        }
    };
    for marker in 1..=100 {
        reload(marker)?;
    }
    let before = rss_kib();
    for marker in 101..=100 + reloads {
        reload(marker)?;
        if marker % 10 == 0 {
            // A request now and then keeps snapshots of old policies in play.
            exposed(&client, marker).await;
        }
    }
    Ok((before, rss_kib()))
}

#[rocket::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().expect("a number")).collect();
    let saves = args.first().copied().unwrap_or(200);
    let reloads = args.get(1).copied().unwrap_or(10_000);
    println!("settle {SETTLE_MS} ms (default), target p99 < {} ms", SETTLE_MS + 50);
    println!("{:<16} {:>6} {:>9} {:>9} {:>9}", "save style", "saves", "p50 ms", "p99 ms", "max ms");
    for style in STYLES {
        let mut latencies = save_latencies(style, saves).await?;
        latencies.sort_by(f64::total_cmp);
        println!(
            "{:<16} {saves:>6} {:>9.1} {:>9.1} {:>9.1}",
            format!("{style:?}"),
            percentile(&latencies, 50),
            percentile(&latencies, 99),
            latencies[latencies.len() - 1]
        );
    }
    let (before, after) = rss_over_reloads(reloads).await?;
    println!(
        "RSS over {reloads} reloads: {before} KiB -> {after} KiB ({:+} KiB; target < 2048)",
        after as i64 - before as i64
    );
    Ok(())
}
