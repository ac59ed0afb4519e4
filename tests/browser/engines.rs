//! The two browser engines the suite runs in, Chromium and Firefox: where to find each, what to
//! do when one is missing, and each as a headless child process with a throw-away profile, in
//! its own process group, killed as a whole when dropped.

use std::fs::File;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Set to 1 (as `.ci/run` does) to turn a missing browser into a failure.
const REQUIRE_ENV: &str = "CORS_FAIRING_REQUIRE_BROWSER";
/// How often a waiting test looks whether the browser is still there.
const EXIT_CHECK_INTERVAL: Duration = Duration::from_millis(200);
/// How many lines of the browser's own log a failure report quotes.
const LOG_TAIL_LINES: usize = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

impl Engine {
    pub const ALL: [Engine; 2] = [Engine::Chromium, Engine::Firefox];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
        }
    }

    /// The variable that overrides the binary's path.
    pub fn path_env(self) -> &'static str {
        match self {
            Engine::Chromium => "CHROMIUM",
            Engine::Firefox => "FIREFOX",
        }
    }

    /// Debian's binary and the package that installs it.
    fn debian(self) -> (&'static str, &'static str) {
        match self {
            Engine::Chromium => ("/usr/bin/chromium", "chromium"),
            Engine::Firefox => ("/usr/bin/firefox-esr", "firefox-esr"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Finding the browser

/// What to do about one engine, decided from the environment.
#[derive(Debug, PartialEq, Eq)]
pub enum BrowserChoice {
    Run(PathBuf),
    Skip(String),
    Fail(String),
}

pub fn choose_browser(
    engine: Engine,
    configured: Option<PathBuf>,
    required: Option<&str>,
) -> BrowserChoice {
    let (binary, package) = engine.debian();
    let path = configured.unwrap_or_else(|| PathBuf::from(binary));
    if path.is_file() {
        return BrowserChoice::Run(path);
    }
    let why = format!(
        "no {} at {} (install Debian's `{package}` package or set {}=/path/to/{package})",
        engine.name(),
        path.display(),
        engine.path_env(),
    );
    match required.map(str::trim) {
        Some(value) if !value.is_empty() && value != "0" => {
            BrowserChoice::Fail(format!("{REQUIRE_ENV}={value} but {why}"))
        }
        _ => BrowserChoice::Skip(why),
    }
}

/// The engine's binary, or `None` after saying loudly that its browser tests were skipped.
pub fn browser_or_skip(engine: Engine) -> Option<PathBuf> {
    let configured = std::env::var_os(engine.path_env()).map(PathBuf::from);
    let required = std::env::var(REQUIRE_ENV).ok();
    match choose_browser(engine, configured, required.as_deref()) {
        BrowserChoice::Run(path) => Some(path),
        BrowserChoice::Skip(why) => {
            // Straight to stderr: libtest captures `eprintln!` of passing tests, and a skip
            // must be seen in a plain `cargo test`.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the {} browser tests did not run: {why}. \
                 Set {REQUIRE_ENV}=1 to make a missing browser fail. ***\n",
                engine.name()
            );
            None
        }
        BrowserChoice::Fail(why) => panic!("{} browser tests required: {why}", engine.name()),
    }
}

/// What `--version` prints, e.g. `Mozilla Firefox 153.8.0esr`; for the per-engine summary.
pub fn version(binary: &Path) -> String {
    match Command::new(binary).arg("--version").stdin(Stdio::null()).output() {
        Ok(out) if out.status.success() => {
            String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("").trim().to_string()
        }
        Ok(out) => format!("unknown version ({} --version: {})", binary.display(), out.status),
        Err(err) => format!("unknown version ({} --version: {err})", binary.display()),
    }
}

// ---------------------------------------------------------------------------------------
// Launching

/// Chromium's switches: headless, a private profile (added by `start`), nothing in the
/// background that could reach past loopback.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    // Loopback only: an http_proxy in the environment must not get in the way.
    "--no-proxy-server",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
];

/// The throw-away Firefox profile's `user.js`: no first-run pages, and none of the services
/// that phone home (telemetry, updates, captive portal and connectivity probes, safe
/// browsing, remote settings), since the test machine's network is closed and a stalled
/// background request must not slow or disturb the page. Mostly a subset of what Firefox's
/// remote agent sets for automation (`remote/shared/RecommendedPreferences.sys.mjs` in the
/// Firefox source, shipped in `omni.ja`); every name is checked against Firefox 153.
///
/// `*.localhost` needs no pref: Firefox (since 84, bug 1220810) resolves `localhost` and
/// every `*.localhost` name to loopback itself, without the system resolver, as RFC 6761
/// §6.3 allows, so `network.dns.localDomains` is left alone; the subdomain cases prove it.
const FIREFOX_USER_JS: &str = r#"
// First run: no welcome, privacy-notice or what's-new tab, no default-browser question.
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "");
user_pref("startup.homepage_welcome_url.additional", "");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
user_pref("datareporting.policy.firstRunURL", "");
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.newtab.preload", false);
user_pref("termsofuse.bypassNotification", true);
user_pref("browser.sessionstore.resume_from_crash", false);
// Telemetry, studies and experiments.
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.usage.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("toolkit.telemetry.server", "data:,");
user_pref("app.normandy.enabled", false);
user_pref("app.normandy.api_url", "");
user_pref("app.shield.optoutstudies.enabled", false);
user_pref("browser.discovery.enabled", false);
// Downloads of models, translations, suggestions and top sites; the push service's socket.
user_pref("browser.ml.enable", false);
user_pref("browser.translations.enable", false);
user_pref("browser.urlbar.merino.endpointURL", "");
user_pref("browser.topsites.contile.enabled", false);
user_pref("dom.push.connection.enabled", false);
// Updates of the browser, add-ons, plugins and search engines.
user_pref("app.update.disabledForTesting", true);
user_pref("app.update.auto", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("extensions.blocklist.enabled", false);
user_pref("media.gmp-manager.updateEnabled", false);
user_pref("browser.search.update", false);
// Network probes, DNS-over-HTTPS, prefetching, geolocation and region lookups.
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("browser.region.network.url", "");
user_pref("browser.region.update.enabled", false);
user_pref("geo.provider.network.url", "");
// No proxy: an http_proxy in the environment must not get in the way.
user_pref("network.proxy.type", 0);
// The page and its frames are plain http on loopback: no HTTPS-First upgrade attempts.
user_pref("dom.security.https_first", false);
// Safe browsing and tracking-protection list downloads.
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.downloads.remote.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("browser.safebrowsing.provider.google4.updateURL", "");
user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");
// Remote settings on loopback's discard port, where nothing listens: a refused connection,
// never a lookup. Release and ESR builds ignore this pref unless the environment has
// MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (`services-settings/Utils.sys.mjs`), which `start` sets.
// Not the `data:` dummy of Mozilla's automation: outside automation the Rust client
// (suggestions, URL classifier) takes a `data:` URL for no server and falls back to
// firefox.settings.services.mozilla.com (`RustSharedRemoteSettingsService.sys.mjs`).
user_pref("services.settings.server", "http://127.0.0.1:9/v1");
user_pref("security.remote_settings.intermediates.enabled", false);
"#;

/// A headless browser as a plain child process; killed, with its whole group, when dropped.
pub struct BrowserProcess {
    engine: Engine,
    child: Child,
    /// Holds the profile and the browser's log until the browser is gone.
    dir: tempfile::TempDir,
}

impl BrowserProcess {
    /// Starts `engine` from `binary`, showing `url`.
    pub fn start(engine: Engine, binary: &Path, url: &str) -> BrowserProcess {
        let dir = tempfile::tempdir().expect("temp dir for the browser profile");
        let profile = dir.path().join("profile");
        std::fs::create_dir(&profile).expect("browser profile dir");
        let mut command = Command::new(binary);
        match engine {
            Engine::Chromium => {
                command
                    .args(CHROMIUM_ARGS)
                    .arg(format!("--user-data-dir={}", profile.display()))
                    .arg(url);
            }
            Engine::Firefox => {
                std::fs::write(profile.join("user.js"), FIREFOX_USER_JS).expect("user.js");
                command
                    .args(["--headless", "-no-remote", "-profile"])
                    .arg(&profile)
                    .arg(url)
                    // No crash-reporter dialog or upload; nothing of it outside the temp dir.
                    .env("MOZ_CRASHREPORTER_DISABLE", "1")
                    // Lets `services.settings.server` in user.js take effect on ESR.
                    .env("MOZ_REMOTE_SETTINGS_DEVTOOLS", "1")
                    .env("XDG_CACHE_HOME", dir.path().join("cache"));
            }
        }
        let log = File::create(dir.path().join("browser.log")).expect("browser log file");
        let child = command
            // Its own process group, which `drop` kills as a whole.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("browser log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
        BrowserProcess { engine, child, dir }
    }

    /// Resolves when the browser process has ended: a crash need not wait for a timeout.
    pub async fn exited(&mut self) {
        while let Ok(None) = self.child.try_wait() {
            rocket::tokio::time::sleep(EXIT_CHECK_INTERVAL).await;
        }
    }

    /// Whether it still runs, and the end of its log: what a timeout report needs.
    pub fn state(&mut self) -> String {
        let name = self.engine.name();
        let running = match self.child.try_wait() {
            Ok(Some(exit)) => format!("{name} exited ({exit})"),
            _ => format!("{name} still running"),
        };
        let log = std::fs::read_to_string(self.dir.path().join("browser.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(LOG_TAIL_LINES).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("{running}; its log ends:\n{}", tail.join("\n"))
    }
}

impl Drop for BrowserProcess {
    /// Kills the browser's whole process group, so that no renderer or content process
    /// outlives the test.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let killed = Command::new("kill").args(["-KILL", "--", &group]).status();
        if !killed.is_ok_and(|status| status.success()) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
