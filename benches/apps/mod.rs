//! The four applications every benchmark compares, with equivalent CORS policies, and the
//! requests they are compared on. Shared by the bench binaries and
//! `examples/bench_server.rs` (through `#[path]`), so every figure measures the same apps.
//!
//! - `bare`: the routes alone, plus a catch-all `OPTIONS` route answering 204, so a
//!   preflight is answered the same way without CORS headers (not by the 404 catcher).
//! - `floor` (docs/performance.md): the least any CORS fairing must do for this policy. Its
//!   catch-all `OPTIONS` route (cors-fairing's rank) reads `Access-Control-Request-Method`
//!   with one `get_one`; its `on_response` reads `Origin` with one `get_one`, compares it
//!   with the allowed origin and the one regex, and writes exactly cors-fairing's header
//!   lines from `&'static str`s. No other header look-up: what the crate costs beyond it is
//!   its own logic.
//! - `fairing`: bare routes plus [`CorsFairing`].
//! - `rocket_cors`: bare routes plus the `rocket_cors` 0.6 fairing, used as its docs show.
//! - `protected` (not in [`Mode::ALL`]: only the cross-origin protection figures use it):
//!   cors-fairing with the same policy and `cross_origin_protection = true`.
//! - `timing` (not in [`Mode::ALL`]: only the `timing_allow_origin` figures use it):
//!   cors-fairing with the same policy and `timing_allow_origin = [APP]`.
//! - `tenant` (not in [`Mode::ALL`]: only the origin-check figures use it): cors-fairing
//!   with the same policy, except that `APP` is not listed but allowed by an origin check
//!   given in code; after the first request its answer comes from the check's cache.
//! - `floor-timing` and `floor-protected`: the floor of `timing` and of `protected`. The
//!   first also writes `Timing-Allow-Origin` on every response, the line `timing` adds.
//!   The second also has the request hook that cross-origin protection needs: it returns
//!   at once for a safe method, and otherwise reads `Sec-Fetch-Site` (then `Origin` and
//!   `Host`) with one `get_one` each and sends a refused request to a 403 route.
//! - `report-only` (not in [`Mode::ALL`]: only the report-only figures use it):
//!   cors-fairing with the same policy and a report-only candidate that drops `DELETE`, so
//!   every case is judged twice and none differs (the common state of a candidate).
#![allow(dead_code)]

use cors_fairing::{CorsFairing, Settings};
use regex::Regex;
use rocket::config::LogLevel;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Build, Config, Data, Request, Response, Rocket, get};

pub const APP: &str = "https://app.example.com";
pub const EVIL: &str = "https://evil.example";
/// Allowed only through the regex.
pub const PREVIEW: &str = "https://pr-42.preview.example.net";
pub const PREVIEW_REGEX: &str = r"https://[a-z0-9-]+\.preview\.example\.net";

const METHODS: [&str; 3] = ["GET", "PUT", "DELETE"];
const HEADERS: [&str; 3] = ["Content-Type", "Authorization", "X-Request-Id"];
const EXPOSE: &str = "X-Request-Id";
const MAX_AGE: u64 = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bare,
    Floor,
    Fairing,
    RocketCors,
    Tenant,
    ReportOnly,
    Protected,
    Timing,
    FloorProtected,
    FloorTiming,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Bare, Mode::Floor, Mode::Fairing, Mode::RocketCors];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Bare => "bare",
            Mode::Floor => "floor",
            Mode::Fairing => "cors-fairing",
            Mode::RocketCors => "rocket_cors",
            Mode::Tenant => "tenant",
            Mode::ReportOnly => "report-only",
            Mode::Protected => "protected",
            Mode::Timing => "timing",
            Mode::FloorProtected => "floor-protected",
            Mode::FloorTiming => "floor-timing",
        }
    }

    pub fn parse(name: &str) -> Option<Mode> {
        let more = [
            Mode::Tenant,
            Mode::ReportOnly,
            Mode::Protected,
            Mode::Timing,
            Mode::FloorProtected,
            Mode::FloorTiming,
        ];
        Mode::ALL.into_iter().chain(more).find(|mode| mode.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    AllowedGet,
    NoOriginGet,
    RefusedGet,
    Preflight,
    RegexGet,
}

impl Case {
    pub const ALL: [Case; 5] =
        [Case::AllowedGet, Case::NoOriginGet, Case::RefusedGet, Case::Preflight, Case::RegexGet];

    pub fn name(self) -> &'static str {
        match self {
            Case::AllowedGet => "get-allowed",
            Case::NoOriginGet => "get-no-origin",
            Case::RefusedGet => "get-refused",
            Case::Preflight => "preflight",
            Case::RegexGet => "get-regex",
        }
    }

    pub fn parse(name: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|case| case.name() == name)
    }

    pub fn method(self) -> Method {
        if self == Case::Preflight { Method::Options } else { Method::Get }
    }

    pub const PATH: &'static str = "/api/items";

    /// The request headers of this case.
    pub fn headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Case::AllowedGet => &[("Origin", APP)],
            Case::NoOriginGet => &[],
            Case::RefusedGet => &[("Origin", EVIL)],
            Case::Preflight => &[
                ("Origin", APP),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "content-type, authorization"),
            ],
            Case::RegexGet => &[("Origin", PREVIEW)],
        }
    }
}

#[get("/api/items")]
fn items() -> &'static str {
    "[\"apple\",\"pear\"]"
}

/// Quiet, release-like Rocket configuration; the server overrides address, port and workers.
pub fn config() -> Config {
    Config { log_level: LogLevel::Off, cli_colors: false, ..Config::release_default() }
}

/// The application of `mode`.
pub fn rocket(mode: Mode, config: Config) -> Rocket<Build> {
    with_cors(mode, base(config))
}

/// The routes every mode shares.
pub fn base(config: Config) -> Rocket<Build> {
    rocket::custom(config).mount("/", rocket::routes![items])
}

/// What `mode` adds to [`base`]: its `OPTIONS` route and fairing.
pub fn with_cors(mode: Mode, base: Rocket<Build>) -> Rocket<Build> {
    match mode {
        Mode::Bare => base.mount("/", vec![catch_all_options(Preflight::Always)]),
        Mode::Floor => floor(base, Floor::new()),
        Mode::FloorTiming => floor(base, Floor { timing: true, ..Floor::new() }),
        Mode::FloorProtected => floor(base, Floor { protect: true, ..Floor::new() })
            .mount("/", rocket::routes![floor_forbidden]),
        Mode::Fairing => base.attach(CorsFairing::from_settings(settings())),
        Mode::RocketCors => {
            base.attach(rocket_cors_options().to_cors().expect("valid rocket_cors"))
        }
        Mode::Tenant => base.attach(tenant_fairing()),
        Mode::Protected => {
            base.attach(CorsFairing::from_settings(settings().cross_origin_protection(true)))
        }
        Mode::Timing => {
            base.attach(CorsFairing::from_settings(settings().timing_allow_origin([APP])))
        }
        Mode::ReportOnly => {
            let candidate = settings().allow_methods(["GET", "PUT"]);
            base.attach(CorsFairing::from_settings(settings().report_only(candidate)))
        }
    }
}

/// cors-fairing with [`settings`] less `APP`, which the origin check allows instead.
pub fn tenant_fairing() -> CorsFairing {
    let mut settings = settings();
    settings.allow_origin.retain(|origin| origin != APP);
    if settings.allow_origin.is_empty() {
        settings.allow_origin.push("https://listed.example.org".into());
    }
    CorsFairing::from_settings(settings).with_origin_check(|origin, _| {
        let tenant = origin == APP;
        async move { Ok::<_, std::convert::Infallible>(tenant) }
    })
}

/// The cors-fairing policy.
///
/// `BENCH_SCALE` grows one list for the "how cost grows" figures, keeping the origin each
/// case sends allowed by exactly one entry: `exact:N` (N exact origins, `APP` among them),
/// `wildcard:N` (N wildcards; `APP` allowed through `https://*.example.com`), `regex:N`
/// (N regexes, `PREVIEW` allowed through one of them), `policies:N` (N named policies: the
/// request is judged by `/api/**`, a copy of the base, tried after the N - 1 fillers
/// `/api/f<i>/**`, which are more specific and never match it).
pub fn settings() -> Settings {
    let (allow_origin, allow_origin_regex) = scaled_origin_lists();
    let base = Settings::default()
        .allow_origin(allow_origin)
        .allow_origin_regex(allow_origin_regex)
        .allow_methods(METHODS)
        .allow_headers(HEADERS)
        .allow_credentials(true)
        .expose_headers([EXPOSE])
        .max_age(MAX_AGE)
        .reload(false);
    let scale = std::env::var("BENCH_SCALE").unwrap_or_default();
    let Some(n) = scale.strip_prefix("policies:").and_then(|n| n.parse::<usize>().ok()) else {
        return base;
    };
    let mut with_named = base.clone();
    for i in 0..n.saturating_sub(1) {
        let filler = base.clone().paths([format!("/api/f{i}/**")]).allow_origin([FILLER]);
        with_named = with_named.policy(format!("f{i}"), filler);
    }
    with_named.policy("api", base.paths(["/api/**"]))
}

/// The origin of the filler named policies: never sent.
const FILLER: &str = "https://filler.example.org";

fn scaled_origin_lists() -> (Vec<String>, Vec<String>) {
    let scale = std::env::var("BENCH_SCALE").unwrap_or_default();
    let (kind, n) = scale.split_once(':').unwrap_or(("", "1"));
    let fillers = n.parse::<usize>().unwrap_or(1).saturating_sub(1);
    let mut origins = vec![APP.to_string()];
    let mut regexes = vec![PREVIEW_REGEX.to_string()];
    match kind {
        "exact" => origins.extend((0..fillers).map(|i| format!("https://o{i}.example.org"))),
        "wildcard" => {
            origins = (0..fillers).map(|i| format!("https://*.w{i}.example.org")).collect();
            origins.push("https://*.example.com".into());
        }
        "regex" => regexes.extend((0..fillers).map(|i| format!(r"https://r{i}\.example\.org"))),
        _ => {}
    }
    (origins, regexes)
}

/// The same policy for rocket_cors (its regexes are unanchored, so they are anchored here).
pub fn rocket_cors_options() -> rocket_cors::CorsOptions {
    use rocket_cors::{AllowedHeaders, AllowedOrigins};
    let methods = [Method::Get, Method::Put, Method::Delete];
    rocket_cors::CorsOptions {
        allowed_origins: AllowedOrigins::some(&[APP], &[format!("^{PREVIEW_REGEX}$")]),
        allowed_methods: methods.into_iter().map(From::from).collect(),
        allowed_headers: AllowedHeaders::some(&HEADERS),
        allow_credentials: true,
        expose_headers: [EXPOSE.to_string()].into(),
        max_age: Some(MAX_AGE as usize),
        ..Default::default()
    }
}

fn anchored(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).expect("valid regex")
}

/// Which `OPTIONS` requests the catch-all route answers.
#[derive(Clone, Copy)]
enum Preflight {
    /// Every one (bare Rocket: same 204, no CORS).
    Always,
    /// Only preflights, like cors-fairing's route; the rest are forwarded. One look-up, of
    /// the header that makes an `OPTIONS` request a preflight.
    WhenCors,
}

impl Preflight {
    fn answers(self, req: &Request<'_>) -> bool {
        match self {
            Preflight::Always => true,
            Preflight::WhenCors => req.headers().get_one(REQUEST_METHOD).is_some(),
        }
    }
}

const REQUEST_METHOD: &str = "Access-Control-Request-Method";

#[rocket::async_trait]
impl Handler for Preflight {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        if !self.answers(req) {
            return Outcome::forward(data, Status::NotFound);
        }
        Outcome::Success(Response::build().status(PREFLIGHT_STATUS).finalize())
    }
}

/// What the catch-all route answers a preflight with (cors-fairing's default).
const PREFLIGHT_STATUS: Status = Status::NoContent;

fn catch_all_options(preflight: Preflight) -> Route {
    // The same rank as cors-fairing's route.
    Route::ranked(1_000_000, Method::Options, "/<_..>", preflight)
}

/// The floor: compares `Origin` with the allowed list (and the one regex) and writes the
/// header lines cors-fairing writes for this policy, from static strings.
struct Floor {
    regex: Regex,
    /// Writes `Timing-Allow-Origin: APP` on every response, as `timing` does.
    timing: bool,
    /// Refuses a cross-origin non-safe request before its route, as `protected` does.
    protect: bool,
}

fn floor(base: Rocket<Build>, floor: Floor) -> Rocket<Build> {
    base.mount("/", vec![catch_all_options(Preflight::WhenCors)]).attach(floor)
}

/// Where `floor-protected` sends a refused request.
#[get("/__floor/forbidden")]
fn floor_forbidden() -> Status {
    Status::Forbidden
}

impl Floor {
    fn new() -> Floor {
        Floor { regex: anchored(PREVIEW_REGEX), timing: false, protect: false }
    }

    fn allowed<'r>(&self, origin: &'r str) -> Option<&'r str> {
        (origin == APP || self.regex.is_match(origin)).then_some(origin)
    }

    /// Go 1.25's `CrossOriginProtection`, as few look-ups as it allows.
    fn passes(&self, req: &Request<'_>) -> bool {
        let headers = req.headers();
        let origin = headers.get_one("Origin");
        match headers.get_one("Sec-Fetch-Site") {
            Some(site) => site == "same-origin" || site == "none" || origin == Some(APP),
            None => match origin {
                None => true,
                Some(origin) => {
                    origin == APP
                        || headers.get_one("Host").is_some_and(|host| {
                            origin.split_once("://").is_some_and(|(_, authority)| authority == host)
                        })
                }
            },
        }
    }
}

#[rocket::async_trait]
impl Fairing for Floor {
    fn info(&self) -> Info {
        let kind = if self.protect { Kind::Request | Kind::Response } else { Kind::Response };
        Info { name: "floor", kind }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        if matches!(req.method(), Method::Get | Method::Head | Method::Options) {
            return;
        }
        if !self.passes(req) {
            req.set_method(Method::Get);
            req.set_uri(rocket::uri!(floor_forbidden));
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        // The catch-all route has already looked at `Access-Control-Request-Method`: an
        // `OPTIONS` request it answered is a preflight, without a second look-up.
        let preflight = req.method() == Method::Options && res.status() == PREFLIGHT_STATUS;
        let vary = if preflight { "Origin, Access-Control-Request-Method" } else { "Origin" };
        let Some(origin) = req.headers().get_one("Origin").and_then(|o| self.allowed(o)) else {
            if self.timing {
                res.set_raw_header("Timing-Allow-Origin", APP);
            }
            res.adjoin_raw_header("Vary", vary);
            return;
        };
        res.set_raw_header("Access-Control-Allow-Origin", origin);
        res.set_raw_header("Access-Control-Allow-Credentials", "true");
        if preflight {
            res.set_raw_header("Access-Control-Allow-Methods", "GET, PUT, DELETE");
            res.set_raw_header(
                "Access-Control-Allow-Headers",
                "Content-Type, Authorization, X-Request-Id",
            );
            res.set_raw_header("Access-Control-Max-Age", "600");
        } else {
            res.set_raw_header("Access-Control-Expose-Headers", EXPOSE);
        }
        if self.timing {
            res.set_raw_header("Timing-Allow-Origin", APP);
        }
        res.adjoin_raw_header("Vary", vary);
    }
}

/// The CORS-relevant lines of a response (`Access-Control-*`, `Vary`, `Timing-Allow-Origin`), lower-cased
/// names, in order: what the benchmarks check before they measure.
pub fn cors_lines<'a>(headers: impl Iterator<Item = Header<'a>>) -> Vec<(String, String)> {
    headers
        .map(|h| (h.name().as_str().to_ascii_lowercase(), h.value().to_string()))
        .filter(|(name, _)| {
            name.starts_with("access-control-") || name == "vary" || name == "timing-allow-origin"
        })
        .collect()
}

/// A request of `case` as raw HTTP/1.1 bytes, for the load tools.
pub fn http_request(case: Case) -> String {
    let mut text = format!("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", case.method(), Case::PATH);
    for (name, value) in case.headers() {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text
}
