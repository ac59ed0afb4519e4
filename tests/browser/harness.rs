//! The machinery of the browser tests: Rocket servers on loopback, a request log, and the
//! page that runs `fetch()` for the test in a browser (`engines.rs` starts it).
//!
//! The test drives the page through the page server: `/next` hands the page one command at a
//! time (long poll), the page runs it and posts the outcomes to `/report`. The same in every
//! engine: no DevTools protocol is needed, and WebKit's WebDriver only opens the page.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cors_fairing::{CorsFairing, CorsHandle};
use rocket::config::{LogLevel, Shutdown};
use rocket::fairing::AdHoc;
use rocket::form::{Form, FromForm};
use rocket::http::{ContentType, Header, Status};
use rocket::response::{Responder, content::RawHtml, status};
use rocket::shield::Shield;
use rocket::tokio::sync::{Mutex as AsyncMutex, mpsc, oneshot};
use rocket::tokio::time::timeout;
use rocket::{Build, Config, Rocket, State, get, post, put, routes};

use crate::engines::{BrowserProcess, Engine, Installed, Mode};

/// The first command also waits for the browser to start and load the page. Firefox with a
/// fresh profile took 5 s at a load of 8 and 32 s at a load of 20 on two cores, beside
/// Chromium: a bound for a browser that never comes, not an expected wait.
const FIRST_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// Servers

/// A Rocket running on 127.0.0.1 at a port the OS picked; shut down when dropped.
pub struct Server {
    pub port: u16,
    pub cors: Option<CorsHandle>,
    shutdown: rocket::Shutdown,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Loopback, a free port, quiet, and a short shutdown.
pub fn config() -> Config {
    Config {
        address: Ipv4Addr::LOCALHOST.into(),
        port: 0,
        log_level: LogLevel::Off,
        shutdown: Shutdown { ctrlc: false, grace: 1, mercy: 1, ..Shutdown::default() },
        ..Config::debug_default()
    }
}

/// Ignites and launches `rocket`, returning once it listens.
pub async fn serve(rocket: Rocket<Build>) -> Server {
    let (port_tx, port_rx) = oneshot::channel();
    let rocket = rocket.attach(AdHoc::on_liftoff("report port", move |rocket| {
        Box::pin(async move {
            let _ = port_tx.send(rocket.config().port);
        })
    }));
    let rocket = rocket.ignite().await.expect("test server ignites");
    let shutdown = rocket.shutdown();
    let cors = rocket.state::<CorsHandle>().cloned();
    rocket::tokio::spawn(async move {
        if let Err(err) = rocket.launch().await {
            eprintln!("test server failed: {err}");
        }
    });
    let port = timeout(LAUNCH_TIMEOUT, port_rx)
        .await
        .expect("test server listens in time")
        .expect("test server reports its port");
    Server { port, cors, shutdown }
}

// ---------------------------------------------------------------------------------------
// The API servers and what reached them

/// What reached an API server for one token.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// `OPTIONS` requests (the browser sends no other).
    pub preflights: u32,
    /// Every other request.
    pub requests: u32,
    /// Requests whose route handler ran.
    pub routed: u32,
    /// Requests that carried the cookie the case's `/cookie/<token>` set.
    pub cookies: u32,
}

/// Counts per token (the second path segment), shared by every API server.
#[derive(Debug, Default, Clone)]
pub struct RequestLog(Arc<Mutex<HashMap<String, Seen>>>);

impl RequestLog {
    pub fn seen(&self, token: &str) -> Seen {
        self.0.lock().unwrap().get(token).copied().unwrap_or_default()
    }

    fn update(&self, token: &str, edit: impl FnOnce(&mut Seen)) {
        edit(self.0.lock().unwrap().entry(token.to_string()).or_default());
    }

    fn arrived(&self, req: &rocket::Request<'_>) {
        let Some(token) = req.uri().path().segments().get(1) else { return };
        let preflight = req.method() == rocket::http::Method::Options;
        let cookie = req.cookies().get(CASE_COOKIE).is_some_and(|c| c.value() == token);
        self.update(token, |seen| {
            match preflight {
                true => seen.preflights += 1,
                false => seen.requests += 1,
            }
            seen.cookies += u32::from(cookie);
        });
    }

    /// Attached before the CORS fairing, it sees each request as it reaches the server.
    fn fairing(&self) -> AdHoc {
        let log = self.clone();
        AdHoc::on_request("request log", move |req, _| {
            log.arrived(req);
            Box::pin(async {})
        })
    }
}

/// A response carrying `X-Token`, for the `expose_headers` cases.
#[derive(Responder)]
pub struct Tagged {
    body: String,
    token: Header<'static>,
}

fn tagged(body: String, token: &str) -> Tagged {
    Tagged { body, token: Header::new("X-Token", token.to_string()) }
}

/// The cookie `/cookie/<token>` sets, its value the token.
const CASE_COOKIE: &str = "case";

/// A response setting the case's cookie.
#[derive(Responder)]
pub struct WithCookie {
    body: String,
    cookie: Header<'static>,
}

/// Sets the case's cookie as a framework does by default: no `SameSite`, no `Secure` (the API
/// is plain http). Whether a later credentialed `fetch` carries it is up to the browser's
/// cookie policy, which is what the cookie cases show.
#[get("/cookie/<token>")]
fn set_cookie(token: &str, log: &State<RequestLog>) -> WithCookie {
    log.update(token, |seen| seen.routed += 1);
    let cookie = format!("{CASE_COOKIE}={token}; Path=/");
    WithCookie { body: format!("cookie {token}"), cookie: Header::new("Set-Cookie", cookie) }
}

#[get("/api/<token>")]
fn get_api(token: &str, log: &State<RequestLog>) -> Tagged {
    log.update(token, |seen| seen.routed += 1);
    tagged(format!("get {token}"), token)
}

#[put("/api/<token>", data = "<body>")]
fn put_api(token: &str, body: &str, log: &State<RequestLog>) -> Tagged {
    log.update(token, |seen| seen.routed += 1);
    tagged(format!("put {token} {body}"), token)
}

#[post("/api/<token>", data = "<body>")]
fn post_api(token: &str, body: &str, log: &State<RequestLog>) -> Tagged {
    log.update(token, |seen| seen.routed += 1);
    tagged(format!("post {token} {body}"), token)
}

#[get("/fail/<token>")]
fn fail(token: &str, log: &State<RequestLog>) -> status::Custom<String> {
    log.update(token, |seen| seen.routed += 1);
    status::Custom(Status::InternalServerError, format!("failed {token}"))
}

/// An API server answering under `cors`, logging into `log`. It serves the test page too, so
/// that a frame of it can make same-origin requests (`PageAt::ApiOrigin`).
pub fn api(cors: CorsFairing, log: &RequestLog) -> Rocket<Build> {
    rocket::custom(config())
        // Without policies: the default Shield's `X-Frame-Options` would refuse the frame.
        .attach(Shield::new())
        .manage(log.clone())
        .mount("/", routes![page, get_api, put_api, post_api, fail, set_cookie])
        .attach(log.fairing())
        .attach(cors)
}

// ---------------------------------------------------------------------------------------
// The page server and the protocol with the page

/// What one `fetch()` in the page returned.
#[derive(Debug, Clone, FromForm)]
pub struct Outcome {
    /// `fetch()` resolved: the response was readable.
    pub ok: bool,
    pub status: u16,
    pub body: String,
    /// `name: message` of the error `fetch()` rejected with.
    pub error: String,
    /// The response headers the page could read, lower-case names.
    pub headers: HashMap<String, String>,
}

#[derive(Debug, FromForm)]
struct Report {
    id: u64,
    outcomes: Vec<Outcome>,
    /// A script error in the page instead of outcomes.
    failure: Option<String>,
}

struct Control {
    commands: AsyncMutex<mpsc::Receiver<String>>,
    reports: mpsc::Sender<Report>,
}

#[get("/")]
fn page() -> RawHtml<&'static str> {
    RawHtml(include_str!("page.html"))
}

/// Long poll: the page waits here for the test's next command.
#[get("/next")]
async fn next(control: &State<Control>) -> (ContentType, String) {
    let command = control.commands.lock().await.recv().await;
    (ContentType::JSON, command.unwrap_or_else(|| r#"{"done":true}"#.into()))
}

#[post("/report", data = "<report>")]
async fn report(report: Form<Report>, control: &State<Control>) {
    let _ = control.reports.send(report.into_inner()).await;
}

/// Where a command's fetches run.
#[derive(Debug, Clone)]
pub enum Frame {
    /// The top window, origin `http://127.0.0.1:PA`.
    Top,
    /// A sandboxed `srcdoc` iframe: opaque origin, `Origin: null`.
    Sandboxed,
    /// An iframe of the page loaded from this origin (same page server, another host name).
    At(String),
}

/// One `fetch()` call.
#[derive(Debug, Clone)]
pub struct Fetch {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(&'static str, &'static str)>,
    pub credentials: bool,
    pub body: Option<&'static str>,
}

impl Fetch {
    /// A plain GET, no credentials.
    pub fn get(url: String) -> Fetch {
        Fetch { url, method: "GET", headers: Vec::new(), credentials: false, body: None }
    }

    /// `new WebSocket(url)` in the page: once open, it sends `message` and reads one message
    /// (the page's `runSocket`); the outcome's body is what came back.
    pub fn websocket(url: String, message: &'static str) -> Fetch {
        Fetch {
            url,
            method: "WEBSOCKET",
            headers: Vec::new(),
            credentials: false,
            body: Some(message),
        }
    }
}

/// `POST path` with a plain-text body to a server on loopback, as a non-browser client
/// would; Ok when it answers 2xx.
pub async fn post(port: u16, path: &str, body: &str) -> Result<(), String> {
    use rocket::tokio::io::{AsyncReadExt, AsyncWriteExt};
    let exchange = async {
        let mut stream = rocket::tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|err| err.to_string())?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.map_err(|err| err.to_string())?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.map_err(|err| err.to_string())?;
        let status = answer.lines().next().unwrap_or_default().to_string();
        if status.split(' ').nth(1).is_some_and(|code| code.starts_with('2')) {
            Ok(())
        } else {
            Err(format!("answered {status:?}"))
        }
    };
    timeout(COMMAND_TIMEOUT, exchange).await.map_err(|_| "no answer in time".to_string())?
}

/// A browser showing the test page, and the page server that drives it.
pub struct Browser {
    pub engine: Engine,
    pub mode: Mode,
    pub page_port: u16,
    page_server: Server,
    commands: mpsc::Sender<String>,
    reports: mpsc::Receiver<Report>,
    commands_sent: u64,
    /// Set once the page stopped answering: later cases fail at once instead of waiting.
    unresponsive: bool,
    process: BrowserProcess,
}

impl Browser {
    /// Starts the page server, then the browser in `mode` showing its page.
    pub async fn launch(installed: &Installed, mode: Mode) -> Browser {
        let (commands, command_rx) = mpsc::channel(1);
        let (report_tx, reports) = mpsc::channel(1);
        let control = Control { commands: AsyncMutex::new(command_rx), reports: report_tx };
        // Without policies: the default Shield's `X-Frame-Options` would refuse our frames.
        let rocket = rocket::custom(config())
            .attach(Shield::new())
            .manage(control)
            .mount("/", routes![page, next, report]);
        let page_server = serve(rocket).await;
        let page_port = page_server.port;
        let page = format!("http://127.0.0.1:{page_port}/");
        let process = BrowserProcess::start(installed, mode, &page).await;
        Browser {
            engine: installed.engine,
            mode,
            page_port,
            page_server,
            commands,
            reports,
            commands_sent: 0,
            unresponsive: false,
            process,
        }
    }

    /// Runs `fetches` in `frame`, in order; `Err` when the page or the browser failed.
    pub async fn run(&mut self, frame: &Frame, fetches: &[Fetch]) -> Result<Vec<Outcome>, String> {
        if self.unresponsive {
            return Err("not run: the page stopped answering earlier".into());
        }
        self.commands_sent += 1;
        let id = self.commands_sent;
        let wait = if id == 1 { FIRST_COMMAND_TIMEOUT } else { COMMAND_TIMEOUT };
        let command = command_json(id, &self.frame_url(frame), fetches);
        let answer = rocket::tokio::select! {
            answer = timeout(wait, exchange(&self.commands, &mut self.reports, command)) => answer,
            () = self.process.exited() => {
                self.unresponsive = true;
                return Err(format!("the browser quit; {}", self.process.state()));
            }
        };
        let report = match answer {
            Ok(report) => report?,
            Err(_) => {
                self.unresponsive = true;
                let state = self.process.state();
                return Err(format!("no answer from the page in {wait:?}; {state}"));
            }
        };
        if let Some(failure) = report.failure {
            return Err(format!("script error in the page: {failure}"));
        }
        if report.id != id || report.outcomes.len() != fetches.len() {
            return Err(format!(
                "answer {} with {} outcomes to command {id} of {} fetches",
                report.id,
                report.outcomes.len(),
                fetches.len()
            ));
        }
        Ok(report.outcomes)
    }

    fn frame_url(&self, frame: &Frame) -> String {
        match frame {
            Frame::Top => "top".into(),
            Frame::Sandboxed => "sandbox".into(),
            Frame::At(origin) => format!("{origin}/"),
        }
    }

    /// What the browser says it is.
    pub fn version(&self) -> &str {
        &self.process.version
    }

    /// The browser first, so that it does not see its page server vanish.
    pub fn close(self) {
        drop(self.process);
        drop(self.page_server);
    }
}

async fn exchange(
    commands: &mpsc::Sender<String>,
    reports: &mut mpsc::Receiver<Report>,
    command: String,
) -> Result<Report, String> {
    let gone = || "the page server is gone".to_string();
    commands.send(command).await.map_err(|_| gone())?;
    reports.recv().await.ok_or_else(gone)
}

fn command_json(id: u64, frame: &str, fetches: &[Fetch]) -> String {
    let fetches: Vec<String> = fetches.iter().map(fetch_json).collect();
    format!(r#"{{"id":{id},"frame":{},"fetches":[{}]}}"#, json_str(frame), fetches.join(","))
}

fn fetch_json(fetch: &Fetch) -> String {
    let headers: Vec<String> =
        fetch.headers.iter().map(|(n, v)| format!("{}:{}", json_str(n), json_str(v))).collect();
    format!(
        r#"{{"url":{},"method":{},"headers":{{{}}},"credentials":{},"body":{}}}"#,
        json_str(&fetch.url),
        json_str(fetch.method),
        headers.join(","),
        json_str(if fetch.credentials { "include" } else { "same-origin" }),
        fetch.body.map_or("null".into(), json_str),
    )
}

fn json_str(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
