//! The three browser engines the suite runs in, Chromium, Firefox and WebKit: where to find
//! each, what to do when one is missing, and each as a child process with a throw-away
//! profile, in its own process group, killed as a whole when dropped. Chromium and Firefox run
//! headless; WebKitGTK has no headless mode, so its MiniBrowser runs on a private Xvfb display,
//! started by `WebKitWebDriver` (`webdriver.rs`).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket::serde::json::json;
use rocket::tokio::sync::oneshot;
use rocket::tokio::time::{sleep, timeout};

use crate::webdriver::{self, Failure};

/// Set to 1 (as `.ci/run` does) to turn a missing browser into a failure.
const REQUIRE_ENV: &str = "CORS_FAIRING_REQUIRE_BROWSER";
/// How often a waiting test looks whether the browser is still there.
const EXIT_CHECK_INTERVAL: Duration = Duration::from_millis(200);
/// How many lines of the browser's own log a failure report quotes.
const LOG_TAIL_LINES: usize = 15;
/// The X server WebKit's MiniBrowser draws on, and its package.
const XVFB: &str = "/usr/bin/Xvfb";
const XVFB_ENV: &str = "XVFB";
/// Bounds for a display or driver that never comes up (each takes well under a second).
const XVFB_TIMEOUT: Duration = Duration::from_secs(20);
const DRIVER_TIMEOUT: Duration = Duration::from_secs(20);
/// How often the driver is asked for a session while it is not listening yet.
const DRIVER_POLL: Duration = Duration::from_millis(50);
/// How long Xvfb has after SIGTERM to remove its lock and socket before it is killed.
const DISPLAY_STOP_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

/// Which CORS rules the browser applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// As the browser ships.
    Default,
    /// With the Fetch standard's rule that `*` in `Access-Control-Allow-Headers` never covers
    /// `Authorization` switched on (CORS-preflight fetch, step 7 of the header check:
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>). Browsers are moving to it; the
    /// crate must already agree with it.
    Strict,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Default => "default",
            Mode::Strict => "strict",
        }
    }
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }

    /// The variable that overrides the binary's path.
    pub fn path_env(self) -> &'static str {
        match self {
            Engine::Chromium => "CHROMIUM",
            Engine::Firefox => "FIREFOX",
            Engine::WebKit => "WEBKIT_WEBDRIVER",
        }
    }

    /// The modes the engine runs in: [`Mode::Strict`] only where the engine has a switch for
    /// it. WebKitGTK 2.50 has none (none of `MiniBrowser --features=help`; it lets `*` cover
    /// `Authorization`, like the others by default), so it runs once.
    pub fn modes(self) -> &'static [Mode] {
        match self {
            Engine::Chromium | Engine::Firefox => &[Mode::Default, Mode::Strict],
            Engine::WebKit => &[Mode::Default],
        }
    }

    /// Debian's binary and the packages that install what the engine needs.
    fn debian(self) -> (&'static str, &'static str) {
        match self {
            Engine::Chromium => ("/usr/bin/chromium", "chromium"),
            Engine::Firefox => ("/usr/bin/firefox-esr", "firefox-esr"),
            Engine::WebKit => ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver xvfb"),
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

/// Whether the binary `what` is at its configured or default path, and what to do if not.
fn choose(
    what: &str,
    path_env: &str,
    default: &str,
    packages: &str,
    configured: Option<PathBuf>,
    required: Option<&str>,
) -> BrowserChoice {
    let path = configured.unwrap_or_else(|| PathBuf::from(default));
    if path.is_file() {
        return BrowserChoice::Run(path);
    }
    let file = Path::new(default).file_name().unwrap_or_default().to_string_lossy();
    let why = format!(
        "no {what} at {} (apt-get install --no-install-recommends {packages}, \
         or set {path_env}=/path/to/{file})",
        path.display(),
    );
    match required.map(str::trim) {
        Some(value) if !value.is_empty() && value != "0" => {
            BrowserChoice::Fail(format!("{REQUIRE_ENV}={value} but {why}"))
        }
        _ => BrowserChoice::Skip(why),
    }
}

pub fn choose_browser(
    engine: Engine,
    configured: Option<PathBuf>,
    required: Option<&str>,
) -> BrowserChoice {
    let (binary, packages) = engine.debian();
    choose(engine.name(), engine.path_env(), binary, packages, configured, required)
}

/// The X server WebKit needs beside its driver.
pub fn choose_display(configured: Option<PathBuf>, required: Option<&str>) -> BrowserChoice {
    let packages = Engine::WebKit.debian().1;
    choose("Xvfb (for WebKit)", XVFB_ENV, XVFB, packages, configured, required)
}

/// What an engine runs from.
#[derive(Debug, Clone)]
pub struct Installed {
    pub engine: Engine,
    pub binary: PathBuf,
    /// The X server, for WebKit.
    pub xvfb: Option<PathBuf>,
}

/// The engine's binaries, or `None` after saying loudly that its browser tests were skipped.
pub fn browser_or_skip(engine: Engine) -> Option<Installed> {
    let required = std::env::var(REQUIRE_ENV).ok();
    let configured = |name: &str| std::env::var_os(name).map(PathBuf::from);
    let binary =
        found(engine, choose_browser(engine, configured(engine.path_env()), required.as_deref()))?;
    let xvfb = match engine {
        Engine::WebKit => {
            Some(found(engine, choose_display(configured(XVFB_ENV), required.as_deref()))?)
        }
        Engine::Chromium | Engine::Firefox => None,
    };
    Some(Installed { engine, binary, xvfb })
}

fn found(engine: Engine, choice: BrowserChoice) -> Option<PathBuf> {
    match choice {
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
fn version(binary: &Path) -> String {
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

/// Chromium's switch for the standard's rule on `Authorization` ([`Mode::Strict`]).
const CHROMIUM_STRICT: &str = "--enable-features=CorsNonWildcardRequestHeadersSupport";

/// Firefox's pref for the same rule, added to `user.js` in [`Mode::Strict`].
const FIREFOX_STRICT: &str =
    "user_pref(\"network.cors_preflight.authorization_covered_by_wildcard\", false);\n";

/// WebKit's New Session capabilities: no proxy (an http_proxy in the environment must not get
/// in the way). MiniBrowser under automation keeps its data in an ephemeral session.
fn webkit_capabilities() -> rocket::serde::json::Value {
    json!({ "pageLoadStrategy": "normal", "proxy": { "proxyType": "direct" } })
}

/// A browser as a child process; killed, with its whole group, when dropped.
pub struct BrowserProcess {
    engine: Engine,
    /// The browser, or for WebKit its driver (which ends the browser when it ends).
    child: Child,
    /// WebKit's Xvfb, the leader of the process group.
    display: Option<Child>,
    /// The process group that `drop` kills.
    group: u32,
    /// What the browser says it is, e.g. `Chromium 156.0.8078.129 built on Debian ...`.
    pub version: String,
    /// Holds the profile and the browser's log until the browser is gone.
    dir: tempfile::TempDir,
}

impl BrowserProcess {
    /// Starts `installed` in `mode`, showing `url`.
    pub async fn start(installed: &Installed, mode: Mode, url: &str) -> BrowserProcess {
        let engine = installed.engine;
        let binary = &installed.binary;
        let dir = tempfile::tempdir().expect("temp dir for the browser profile");
        let profile = dir.path().join("profile");
        std::fs::create_dir(&profile).expect("browser profile dir");
        let log = File::create(dir.path().join("browser.log")).expect("browser log file");
        let mut command = Command::new(binary);
        command
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("browser log file"))
            .stderr(log.try_clone().expect("browser log file"));
        let strict = mode == Mode::Strict;
        match engine {
            Engine::Chromium => {
                command
                    .args(CHROMIUM_ARGS)
                    .args(strict.then_some(CHROMIUM_STRICT))
                    .arg(format!("--user-data-dir={}", profile.display()))
                    .arg(url);
            }
            Engine::Firefox => {
                let prefs = [FIREFOX_USER_JS, if strict { FIREFOX_STRICT } else { "" }].concat();
                std::fs::write(profile.join("user.js"), prefs).expect("user.js");
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
            Engine::WebKit => {
                assert!(!strict, "WebKit has no switch for the strict mode");
                let xvfb = installed.xvfb.as_deref().expect("WebKit runs with Xvfb");
                return start_webkit(command, xvfb, dir, log, url).await;
            }
        }
        let child = command
            // Its own process group, which `drop` kills as a whole.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
        let group = child.id();
        let version = version(binary);
        BrowserProcess { engine, child, display: None, group, version, dir }
    }

    /// Resolves when the browser process has ended: a crash need not wait for a timeout.
    pub async fn exited(&mut self) {
        while let Ok(None) = self.child.try_wait() {
            sleep(EXIT_CHECK_INTERVAL).await;
        }
    }

    /// Whether it still runs, and the end of its log: what a timeout report needs.
    pub fn state(&mut self) -> String {
        let name = self.engine.name();
        let running = match self.child.try_wait() {
            Ok(Some(exit)) => format!("{name} exited ({exit})"),
            _ => format!("{name} still running"),
        };
        format!("{running}; its log ends:\n{}", log_tail(self.dir.path()))
    }
}

fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("browser.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(LOG_TAIL_LINES).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    tail.join("\n")
}

/// WebKit: a private Xvfb display, `WebKitWebDriver` on it (`command`), a session, whose
/// MiniBrowser the driver starts, and the page. Everything in Xvfb's process group.
async fn start_webkit(
    mut command: Command,
    xvfb: &Path,
    dir: tempfile::TempDir,
    log: File,
    url: &str,
) -> BrowserProcess {
    let (mut display, number) = start_display(xvfb, &log).await;
    let group = display.id();
    let fail = |what: String, dir: &tempfile::TempDir| -> ! {
        panic!("WebKit: {what}; the log ends:\n{}", log_tail(dir.path()))
    };
    // The driver takes a port, not 0: ask the OS for a free one and hand it over.
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port for WebKitWebDriver");
    let home = dir.path().join("profile");
    command
        .arg(format!("--port={port}"))
        .env("DISPLAY", format!(":{number}"))
        // MiniBrowser's settings, caches and the GTK/GLib files stay in the temp dir.
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        // No accessibility bus or D-Bus session to look for on a test machine.
        .env("NO_AT_BRIDGE", "1")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .process_group(group as i32);
    let child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            let _ = display.kill();
            let _ = display.wait();
            panic!("cannot start WebKitWebDriver: {err}")
        }
    };
    // Whole from here on, so that a failure below still stops the display and the driver.
    let mut process = BrowserProcess {
        engine: Engine::WebKit,
        child,
        display: Some(display),
        group,
        version: String::new(),
        dir,
    };
    let started = Instant::now();
    let session = loop {
        match webdriver::new_session(port, webkit_capabilities()).await {
            Ok(session) => break session,
            Err(Failure::NotListening(why)) => {
                if let Ok(Some(exit)) = process.child.try_wait() {
                    fail(format!("WebKitWebDriver exited ({exit})"), &process.dir);
                }
                if started.elapsed() > DRIVER_TIMEOUT {
                    fail(format!("no driver within {DRIVER_TIMEOUT:?}: {why}"), &process.dir);
                }
                // A bounded poll: the driver gives no other sign that it listens.
                sleep(DRIVER_POLL).await;
            }
            Err(Failure::Other(why)) => fail(format!("New Session: {why}"), &process.dir),
        }
    };
    process.version = format!("WebKitGTK {} ({})", session.browser_version, session.browser_name);
    if let Err(why) = session.navigate(url).await {
        fail(format!("Navigate To {url}: {why}"), &process.dir);
    }
    process
}

/// Starts Xvfb on a display it picks itself (`-displayfd`: the first free number, chosen by
/// the server, so parallel runs never race for one); its process leads a new group.
async fn start_display(xvfb: &Path, log: &File) -> (Child, String) {
    let mut display = Command::new(xvfb)
        .args(["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log.try_clone().expect("browser log file"))
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {}: {err}", xvfb.display()));
    let stdout = display.stdout.take().expect("Xvfb's stdout");
    let (tx, rx) = oneshot::channel();
    // Blocking reads belong on a thread of their own, not on the test's single worker.
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep the pipe open until Xvfb ends, so that it never writes into a closed one.
        let _ = reader.read_to_end(&mut Vec::new());
    });
    let number = match timeout(XVFB_TIMEOUT, rx).await {
        Ok(Ok(line)) if !line.trim().is_empty() => line.trim().to_string(),
        other => {
            let _ = display.kill();
            let exit = display.wait();
            panic!("Xvfb gave no display number ({other:?}); it ended: {exit:?}")
        }
    };
    (display, number)
}

impl Drop for BrowserProcess {
    /// Kills the browser's whole process group, so that no renderer, content or web process
    /// outlives the test. Xvfb first gets SIGTERM, on which it removes its lock file and
    /// socket.
    fn drop(&mut self) {
        let group = format!("-{}", self.group);
        if let Some(display) = &mut self.display {
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            let asked = Instant::now();
            // A bounded wait for Xvfb's clean exit; SIGKILL follows either way.
            while matches!(display.try_wait(), Ok(None)) && asked.elapsed() < DISPLAY_STOP_TIMEOUT {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let killed = Command::new("kill").args(["-KILL", "--", &group]).status();
        if !killed.is_ok_and(|status| status.success()) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if let Some(display) = &mut self.display {
            let _ = display.kill();
            let _ = display.wait();
        }
    }
}
