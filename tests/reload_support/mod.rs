//! Shared by the reload tests: a config file in a temp dir, the ways editors and
//! orchestrators save it, and waiting on `CorsHandle::status()` with a timeout.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use cors_fairing::status::ReloadStatus;
use cors_fairing::{CorsFairing, CorsHandle};
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::http::Header;
use rocket::local::asynchronous::Client;

/// Long enough for a loaded CI machine, short enough to fail a broken reloader quickly.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A `[default.cors]` config whose origin and exposed header both carry `marker`, so a
/// response shows which config answered it.
pub fn config(marker: &str) -> String {
    format!(
        "[default.cors]\n\
         allow_origin = [\"{}\"]\n\
         expose_headers = [\"{}\"]\n\
         reload_settle_ms = 20\n\
         reload_poll_ms = 0\n",
        origin_of(marker),
        header_of(marker)
    )
}

pub fn origin_of(marker: &str) -> String {
    format!("https://{marker}.example.com")
}

pub fn header_of(marker: &str) -> String {
    format!("x-marker-{marker}")
}

/// How a file gets its new content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveStyle {
    /// Open with truncate, write (most programs, `echo >`).
    TruncateWrite,
    /// Write a temp file beside it, rename it over (atomic saves: VS Code, sed -i, Emacs).
    TempRename,
    /// Rename the original to a backup, write a new file, delete the backup (vim).
    VimBackup,
    /// Delete, then create anew (some deploy tools).
    DeleteRecreate,
    /// Kubernetes ConfigMap: `Rocket.toml -> ..data/Rocket.toml`, `..data -> ..<ts>/`, a new
    /// timestamped dir and an atomic rename of a new `..data` link.
    Kubernetes,
}

impl SaveStyle {
    pub const ALL: [SaveStyle; 5] = [
        SaveStyle::TruncateWrite,
        SaveStyle::TempRename,
        SaveStyle::VimBackup,
        SaveStyle::DeleteRecreate,
        SaveStyle::Kubernetes,
    ];
}

/// `Rocket.toml` in a temp dir of its own.
pub struct ConfigDir {
    dir: tempfile::TempDir,
    style: SaveStyle,
    saves: u32,
}

impl ConfigDir {
    /// A config dir holding `content`, laid out for `style` (symlinks for Kubernetes).
    pub fn new(style: SaveStyle, content: &str) -> ConfigDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = ConfigDir { dir, style, saves: 0 };
        if style == SaveStyle::Kubernetes {
            let data = config.dir.path().join("..0");
            std::fs::create_dir(&data).unwrap();
            std::fs::write(data.join("Rocket.toml"), content).unwrap();
            symlink("..0", &config.dir.path().join("..data"));
            symlink("..data/Rocket.toml", &config.path());
        } else {
            std::fs::write(config.path(), content).unwrap();
        }
        config
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("Rocket.toml")
    }

    /// Saves `content` the way `self.style` does.
    pub fn save(&mut self, content: &str) {
        self.saves += 1;
        let path = self.path();
        match self.style {
            SaveStyle::TruncateWrite => std::fs::write(&path, content).unwrap(),
            SaveStyle::TempRename => {
                let temp = self.dir().join(".Rocket.toml.tmp");
                std::fs::write(&temp, content).unwrap();
                std::fs::rename(&temp, &path).unwrap();
            }
            SaveStyle::VimBackup => {
                let backup = self.dir().join("Rocket.toml~");
                std::fs::rename(&path, &backup).unwrap();
                std::fs::write(&path, content).unwrap();
                std::fs::remove_file(&backup).unwrap();
            }
            SaveStyle::DeleteRecreate => {
                std::fs::remove_file(&path).unwrap();
                std::fs::write(&path, content).unwrap();
            }
            SaveStyle::Kubernetes => {
                let (old, new) = (format!("..{}", self.saves - 1), format!("..{}", self.saves));
                let data = self.dir().join(&new);
                std::fs::create_dir(&data).unwrap();
                std::fs::write(data.join("Rocket.toml"), content).unwrap();
                let temp_link = self.dir().join("..data_tmp");
                symlink(&new, &temp_link);
                std::fs::rename(&temp_link, self.dir().join("..data")).unwrap();
                std::fs::remove_dir_all(self.dir().join(old)).unwrap();
            }
        }
    }

    /// A fairing that reads this file's `profile` section (and `[default]`) on every load.
    pub fn fairing(&self, profile: &str) -> CorsFairing {
        let (path, profile) = (self.path(), profile.to_string());
        CorsFairing::from_figment_fn(move || {
            Figment::new().merge(Toml::file(&path).nested()).select(profile.as_str())
        })
    }
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

pub fn handle(client: &Client) -> CorsHandle {
    client.rocket().state::<CorsHandle>().expect("the fairing manages a CorsHandle").clone()
}

/// Waits until the status satisfies `done`, failing the test after [`TIMEOUT`].
pub async fn wait_for(
    handle: &CorsHandle,
    what: &str,
    done: impl FnMut(&ReloadStatus) -> bool,
) -> ReloadStatus {
    let mut status = handle.status();
    match tokio::time::timeout(TIMEOUT, status.wait_for(done)).await {
        Ok(Ok(status)) => status.clone(),
        Ok(Err(_)) => panic!("the status sender is gone while waiting for {what}"),
        Err(_) => panic!("timed out waiting for {what}; status: {:?}", *handle.status().borrow()),
    }
}

/// The (Access-Control-Allow-Origin, Access-Control-Expose-Headers) of a GET from `origin`.
pub async fn cors_of(client: &Client, origin: &str) -> (Option<String>, Option<String>) {
    let response =
        client.get("/api/items").header(Header::new("Origin", origin.to_string())).dispatch().await;
    assert_eq!(response.status(), rocket::http::Status::Ok);
    let header = |name| response.headers().get_one(name).map(str::to_string);
    (header("Access-Control-Allow-Origin"), header("Access-Control-Expose-Headers"))
}

/// Asserts that the config with `marker` is the one answering.
pub async fn assert_serves(client: &Client, marker: &str) {
    let origin = origin_of(marker);
    assert_eq!(
        cors_of(client, &origin).await,
        (Some(origin.clone()), Some(header_of(marker))),
        "expected the config marked {marker:?} to answer"
    );
}

/// Sends SIGHUP to this test process, as an operator's `kill -HUP` does.
pub fn hangup() {
    let kill = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
}
