//! The browser cases: the policies under test, one API server each, and every case with what
//! the page should read and what should reach the server. Each case runs in every engine.

use cors_fairing::Settings;

use crate::engines::{Engine, Mode};
use crate::harness::{Fetch, Frame, Seen};

/// One API server per policy under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Api {
    /// The page origin with credentials, `X-Custom`, `expose_headers` and `max_age = 600`.
    Main,
    /// The page origin and little else: GET and POST only, default headers, nothing exposed.
    Plain,
    /// Like `Main` but `max_age = 0`.
    NoCache,
    /// The page origin and `null`.
    WithNull,
    /// `allow_all_origin` and `allow_all_headers`.
    All,
    /// `http://*.example.localhost:PA` (`*.localhost` alone is refused: a public suffix).
    Wildcard,
    /// `allow_origin_regex = http://app\.example\.localhost:[0-9]+`.
    Regex,
    /// `always_send_headers`: the original middleware's output.
    Verbatim,
    /// `http://app.example.localhost:*`: any port, so no port number is written.
    AnyPort,
    /// A base for `http://app.example.localhost:PA` only, and a named policy `public`
    /// (`allow_origin = "*"`) on the paths of the `named-public*` cases.
    Named,
    /// GET and PUT, `allow_headers = ["*"]`.
    StarHeaders,
    /// GET and PUT, `allow_headers = ["*", "Authorization"]`.
    StarAuthorization,
    /// `allow_origin = "*"`, GET and PUT, `Vary` exposed so a page could see one.
    Star,
    /// `allow_all_origin` with credentials, through the explicit opt-in
    /// `dangerously_allow_all_origin_with_credentials` (without it the server does not start).
    Dangerous,
    /// The page origin with credentials, for the cookie cases.
    Cookies,
    /// As `Cookies`, reached as `http://127.0.0.1:PB`: the page's own site (sites ignore
    /// ports), so its cookies are first-party.
    CookiesSameSite,
    /// `Plain` with `cross_origin_protection`: refused non-safe requests never reach a route.
    Protected,
}

impl Api {
    /// The host the page reaches the API server by: `localhost`, another site than the
    /// page's, except for `CookiesSameSite`.
    pub fn host(self) -> &'static str {
        match self {
            Api::CookiesSameSite => "127.0.0.1",
            _ => "localhost",
        }
    }
}

pub fn settings(api: Api, page_port: u16) -> Settings {
    let page = format!("http://127.0.0.1:{page_port}");
    let base = Settings::default().allow_origin([page.clone()]);
    match api {
        Api::Main => base
            .allow_methods(["GET", "PUT"])
            .allow_headers(["Content-Type", "X-Custom"])
            .allow_credentials(true)
            .expose_headers(["X-Token"])
            .max_age(600),
        Api::Plain => base.allow_methods(["GET", "POST"]),
        Api::Protected => base.allow_methods(["GET", "POST"]).cross_origin_protection(true),
        Api::NoCache => base.allow_methods(["GET", "PUT"]).allow_headers(["X-Custom"]).max_age(0),
        Api::WithNull => base.allow_origin([page.as_str(), "null"]),
        Api::All => {
            base.allow_origin(Vec::<String>::new()).allow_all_origin(true).allow_all_headers(true)
        }
        Api::Wildcard => base.allow_origin([format!("http://*.example.localhost:{page_port}")]),
        Api::Regex => base
            .allow_origin(Vec::<String>::new())
            .allow_origin_regex([r"http://app\.example\.localhost:[0-9]+"]),
        Api::AnyPort => base.allow_origin(["http://app.example.localhost:*"]),
        Api::Verbatim => {
            base.always_send_headers(true).allow_methods(["GET", "PUT"]).allow_headers(["X-Custom"])
        }
        Api::Named => {
            let base = base.allow_origin([format!("http://app.example.localhost:{page_port}")]);
            let paths = ["/api/named-public", "/api/named-public-put"];
            let public = base.clone().paths(paths).allow_origin(["*"]);
            base.policy("public", public)
        }
        Api::StarHeaders => base.allow_methods(["GET", "PUT"]).allow_headers(["*"]),
        Api::Star => {
            base.allow_origin(["*"]).allow_methods(["GET", "PUT"]).expose_headers(["Vary"])
        }
        Api::Dangerous => base
            .allow_origin(Vec::<String>::new())
            .allow_all_origin(true)
            .allow_credentials(true)
            .dangerously_allow_all_origin_with_credentials(true),
        Api::Cookies | Api::CookiesSameSite => base.allow_credentials(true),
        Api::StarAuthorization => {
            base.allow_methods(["GET", "PUT"]).allow_headers(["*", "Authorization"])
        }
    }
}

pub const ALL_APIS: [Api; 17] = [
    Api::Main,
    Api::Plain,
    Api::NoCache,
    Api::WithNull,
    Api::All,
    Api::Wildcard,
    Api::Regex,
    Api::Verbatim,
    Api::AnyPort,
    Api::Named,
    Api::StarHeaders,
    Api::StarAuthorization,
    Api::Star,
    Api::Dangerous,
    Api::Cookies,
    Api::CookiesSameSite,
    Api::Protected,
];

/// Where a case's page runs, relative to the page server's port.
#[derive(Debug, Clone, Copy)]
pub enum PageAt {
    /// `http://127.0.0.1:PA`
    Page,
    /// `http://app.example.localhost:PA`
    Subdomain,
    /// `http://example.localhost:PA`: the wildcard's own domain, never matched by it.
    Parent,
    /// A sandboxed frame: `Origin: null`.
    Sandboxed,
    /// The page served by the case's API server itself: its requests to the API are
    /// same-origin (`Sec-Fetch-Site: same-origin`).
    ApiOrigin,
}

impl PageAt {
    /// Where the page runs, for a case whose API server is at `api_origin`.
    pub fn frame(self, page_port: u16, api_origin: &str) -> Frame {
        match self {
            PageAt::Page => Frame::Top,
            PageAt::Subdomain => Frame::At(format!("http://app.example.localhost:{page_port}")),
            PageAt::Parent => Frame::At(format!("http://example.localhost:{page_port}")),
            PageAt::Sandboxed => Frame::Sandboxed,
            PageAt::ApiOrigin => Frame::At(api_origin.to_string()),
        }
    }
}

/// One request the page makes; the URL carries the case's token.
#[derive(Debug, Clone, Copy)]
pub enum Call {
    Get,
    GetWithCredentials,
    GetFailing,
    /// GET `/cookie/<token>` with credentials: the answer sets the case's cookie.
    SetCookie,
    /// PUT with a body and these extra request headers.
    Put(&'static [(&'static str, &'static str)]),
    /// `fetch` POST of a `text/plain` body: a simple request, sent without a preflight.
    PostText,
    /// An HTML form POSTed into a hidden frame (`application/x-www-form-urlencoded`): a
    /// navigation, never a CORS request, and its answer is never readable by the page.
    PostForm,
}

impl Call {
    pub fn fetch(self, api_origin: &str, token: &str) -> Fetch {
        let (method, route, headers, credentials) = match self {
            Call::Get => ("GET", "api", &[][..], false),
            Call::GetWithCredentials => ("GET", "api", &[][..], true),
            Call::GetFailing => ("GET", "fail", &[][..], false),
            Call::SetCookie => ("GET", "cookie", &[][..], true),
            Call::Put(headers) => ("PUT", "api", headers, false),
            Call::PostText => ("POST", "api", TEXT_PLAIN, false),
            Call::PostForm => ("FORM", "api", &[][..], false),
        };
        Fetch {
            url: format!("{api_origin}/{route}/{token}"),
            method,
            headers: headers.to_vec(),
            credentials,
            body: (method != "GET").then_some("payload"),
        }
    }

    /// The body the route answers with, when the page may read it.
    pub fn body(self, token: &str) -> String {
        match self {
            Call::Get | Call::GetWithCredentials => format!("get {token}"),
            Call::GetFailing => format!("failed {token}"),
            Call::SetCookie => format!("cookie {token}"),
            Call::Put(_) => format!("put {token} payload"),
            Call::PostText => format!("post {token} payload"),
            Call::PostForm => format!("post {token} body=payload"),
        }
    }

    /// Whether the call sets the request header `name` (lower case).
    pub fn sends(self, name: &str) -> bool {
        match self {
            Call::Put(headers) => {
                headers.iter().any(|(header, _)| header.eq_ignore_ascii_case(name))
            }
            Call::Get
            | Call::GetWithCredentials
            | Call::GetFailing
            | Call::SetCookie
            | Call::PostText
            | Call::PostForm => false,
        }
    }

    pub fn status(self) -> u16 {
        if let Call::GetFailing = self { 500 } else { 200 }
    }
}

/// What the page should get from one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `fetch()` resolves with the route's status and body.
    Readable,
    /// As `Readable`, and these response headers are (true) or are not (false) visible.
    ReadableWith(&'static str, bool),
    /// `fetch()` rejects with a TypeError.
    Blocked,
    /// A form's answer loaded in its frame, whatever it was (the page cannot read it); what
    /// the route did shows in the request log.
    Submitted,
}

pub struct Case {
    /// Also the token in every URL of the case, so preflight caches never mix cases.
    pub name: &'static str,
    pub from: PageAt,
    /// Each fetch, in order, with what every engine should give unless `differs` says not.
    pub calls: Vec<(Call, Expect)>,
    pub seen: Seen,
    /// The engines whose honest result is another, each once.
    pub differs: Vec<Difference>,
    /// Listed but not run yet: why, and what must happen first.
    pub pending: Option<&'static str>,
}

/// What one engine gives instead of the case's common expectation, and why.
pub struct Difference {
    pub engine: Engine,
    /// One per call.
    pub expects: Vec<Expect>,
    pub seen: Seen,
    /// The spec section or engine documentation that makes this engine's result right.
    pub why: &'static str,
}

impl Case {
    pub fn new(name: &'static str, from: PageAt, calls: &[(Call, Expect)], seen: Seen) -> Case {
        Case { name, from, calls: calls.to_vec(), seen, differs: Vec::new(), pending: None }
    }

    /// Whether the case runs in `mode`. The standard's stricter rule is only about
    /// `Authorization`, so only a case that sends it can get another verdict in
    /// [`Mode::Strict`]; every case runs in [`Mode::Default`].
    pub fn runs_in(&self, mode: Mode) -> bool {
        match mode {
            Mode::Default => true,
            Mode::Strict => self.calls.iter().any(|(call, _)| call.sends("authorization")),
        }
    }

    /// In `engine` the calls give `expects` and the server sees `seen`, because of `why`.
    pub fn differs_in(
        mut self,
        engine: Engine,
        expects: &[Expect],
        seen: Seen,
        why: &'static str,
    ) -> Case {
        assert_eq!(expects.len(), self.calls.len(), "{}: one Expect per call", self.name);
        assert!(self.difference(engine).is_none(), "{}: {engine:?} differs once", self.name);
        assert!(!why.trim().is_empty(), "{}: say why {engine:?} differs", self.name);
        self.differs.push(Difference { engine, expects: expects.to_vec(), seen, why });
        self
    }

    pub fn difference(&self, engine: Engine) -> Option<&Difference> {
        self.differs.iter().find(|difference| difference.engine == engine)
    }

    /// What `engine` should give: one expectation per call, and what reaches the server.
    pub fn expected(&self, engine: Engine) -> (Vec<Expect>, Seen) {
        match self.difference(engine) {
            Some(difference) => (difference.expects.clone(), difference.seen),
            None => (self.calls.iter().map(|(_, expect)| *expect).collect(), self.seen),
        }
    }
}

/// A case in the list, with the API server whose policy it runs against.
pub struct Listed {
    pub api: Api,
    pub case: Case,
}

impl Listed {
    /// See [`Case::differs_in`].
    pub fn differs_in(
        self,
        engine: Engine,
        expects: &[Expect],
        seen: Seen,
        why: &'static str,
    ) -> Self {
        Listed { api: self.api, case: self.case.differs_in(engine, expects, seen, why) }
    }

    /// Keeps the case in the table, written as it will hold, without running it until
    /// `why` is done.
    // Unused while no case waits on a change.
    #[allow(dead_code)]
    pub fn pending(mut self, why: &'static str) -> Self {
        assert!(!why.trim().is_empty(), "{}: say why it is pending", self.case.name);
        self.case.pending = Some(why);
        self
    }
}

pub fn seen(preflights: u32, requests: u32, routed: u32) -> Seen {
    Seen { preflights, requests, routed, cookies: 0 }
}

/// `seen` where `cookies` of the requests carried the case's cookie.
pub fn seen_cookies(preflights: u32, requests: u32, routed: u32, cookies: u32) -> Seen {
    Seen { cookies, ..seen(preflights, requests, routed) }
}

const CUSTOM: &[(&str, &str)] = &[("X-Custom", "1")];
const TEXT_PLAIN: &[(&str, &str)] = &[("Content-Type", "text/plain")];
const OTHER: &[(&str, &str)] = &[("X-Other", "1")];
const ANYTHING: &[(&str, &str)] = &[("X-Anything-Goes", "1")];
const USER_AGENT: &[(&str, &str)] = &[("User-Agent", "cors-fairing-test")];
const AUTHORIZATION: &[(&str, &str)] = &[("Authorization", "Bearer token")];

/// Every case that runs against one of the [`ALL_APIS`] servers, in every engine.
///
/// `case(name, api, from, calls, seen)`: the name is also the token in the case's URLs;
/// `calls` are the fetches in order, each with what the page should get; `seen` is what
/// should reach the server (preflights, other requests, route runs).
pub fn cases() -> Vec<Listed> {
    use Api::*;
    use Call::*;
    use Engine::*;
    use Expect::*;
    let case = |name, api, from, calls: &[(Call, Expect)], seen| Listed {
        api,
        case: Case::new(name, from, calls, seen),
    };
    vec![
        case("get-allowed", Main, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("origin-refused", Plain, PageAt::Subdomain, &[(Get, Blocked)], seen(0, 1, 1)),
        case(
            "credentials-allowed",
            Main,
            PageAt::Page,
            &[(GetWithCredentials, Readable)],
            seen(0, 1, 1),
        ),
        case(
            "credentials-not-allowed",
            Plain,
            PageAt::Page,
            &[(GetWithCredentials, Blocked)],
            seen(0, 1, 1),
        ),
        case("put-custom-header", Main, PageAt::Page, &[(Put(CUSTOM), Readable)], seen(1, 1, 1)),
        case("put-method-refused", Plain, PageAt::Page, &[(Put(&[]), Blocked)], seen(1, 0, 0)),
        case("put-header-refused", Main, PageAt::Page, &[(Put(OTHER), Blocked)], seen(1, 0, 0)),
        case(
            "exposed-header",
            Main,
            PageAt::Page,
            &[(Get, ReadableWith("x-token", true))],
            seen(0, 1, 1),
        ),
        case(
            "header-not-exposed",
            Plain,
            PageAt::Page,
            &[(Get, ReadableWith("x-token", false))],
            seen(0, 1, 1),
        ),
        case(
            "safelisted-header",
            Plain,
            PageAt::Page,
            &[(Get, ReadableWith("content-type", true))],
            seen(0, 1, 1),
        ),
        case(
            "max-age-600",
            Main,
            PageAt::Page,
            &[(Put(CUSTOM), Readable), (Put(CUSTOM), Readable)],
            seen(1, 2, 2),
        ),
        case(
            "max-age-0",
            NoCache,
            PageAt::Page,
            &[(Put(CUSTOM), Readable), (Put(CUSTOM), Readable)],
            seen(2, 2, 2),
        ),
        case("error-500", Main, PageAt::Page, &[(GetFailing, Readable)], seen(0, 1, 1)),
        case("null-listed", WithNull, PageAt::Sandboxed, &[(Get, Readable)], seen(0, 1, 1)),
        case("null-not-listed", Main, PageAt::Sandboxed, &[(Get, Blocked)], seen(0, 1, 1)),
        case("all-origin-page", All, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("all-origin-subdomain", All, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("all-origin-not-null", All, PageAt::Sandboxed, &[(Get, Blocked)], seen(0, 1, 1)),
        case("all-headers", All, PageAt::Page, &[(Put(ANYTHING), Readable)], seen(1, 1, 1)),
        case("not-all-headers", Plain, PageAt::Page, &[(Put(ANYTHING), Blocked)], seen(1, 0, 0)),
        case("wildcard-subdomain", Wildcard, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("wildcard-not-parent", Wildcard, PageAt::Parent, &[(Get, Blocked)], seen(0, 1, 1)),
        case("wildcard-not-other", Wildcard, PageAt::Page, &[(Get, Blocked)], seen(0, 1, 1)),
        case("any-port-get", AnyPort, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("any-port-put", AnyPort, PageAt::Subdomain, &[(Put(&[]), Readable)], seen(1, 1, 1)),
        case("any-port-other-host", AnyPort, PageAt::Page, &[(Get, Blocked)], seen(0, 1, 1)),
        case("regex-match", Regex, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        case("regex-no-match", Regex, PageAt::Page, &[(Get, Blocked)], seen(0, 1, 1)),
        case("verbatim-get", Verbatim, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("verbatim-put", Verbatim, PageAt::Page, &[(Put(CUSTOM), Readable)], seen(1, 1, 1)),
        case("named-public", Named, PageAt::Page, &[(Get, Readable)], seen(0, 1, 1)),
        case("named-public-put", Named, PageAt::Page, &[(Put(&[]), Readable)], seen(1, 1, 1)),
        case("named-base-refused", Named, PageAt::Page, &[(Get, Blocked)], seen(0, 1, 1)),
        case("named-base-allowed", Named, PageAt::Subdomain, &[(Get, Readable)], seen(0, 1, 1)),
        // A script-set `User-Agent` is no longer forbidden (Fetch standard, whatwg/fetch#37)
        // and is not safelisted, so it joins the preflight's `Access-Control-Request-Headers`,
        // as WebKit and Firefox do; `Main` does not allow it.
        case("script-user-agent", Main, PageAt::Page, &[(Put(USER_AGENT), Blocked)], seen(1, 0, 0))
            .differs_in(
                Chromium,
                &[Readable],
                seen(1, 1, 1),
                "Chromium still treats `User-Agent` as a forbidden request header and drops a \
                 script-set one without a word (https://crbug.com/571722), so its preflight \
                 asks for no header and the PUT goes through",
            ),
        case(
            "script-user-agent-all",
            All,
            PageAt::Page,
            &[(Put(USER_AGENT), Readable)],
            seen(1, 1, 1),
        ),
        // Requests a browser sends without a preflight, whatever the policy: the route runs
        // for a refused origin too (CORS only hides the answer), and a form is no CORS
        // request at all.
        case("post-text", Plain, PageAt::Page, &[(PostText, Readable)], seen(0, 1, 1)),
        case("post-text-refused", Plain, PageAt::Subdomain, &[(PostText, Blocked)], seen(0, 1, 1)),
        case(
            "post-text-same-origin",
            Plain,
            PageAt::ApiOrigin,
            &[(PostText, Readable)],
            seen(0, 1, 1),
        ),
        case("post-form", Plain, PageAt::Subdomain, &[(PostForm, Submitted)], seen(0, 1, 1)),
        // The same with `cross_origin_protection`: a refused origin's request reaches the
        // server and gets a 403 before its route runs; the server's own pages (the browser
        // says `Sec-Fetch-Site: same-origin`) and the allowed origin still reach theirs.
        case(
            "protected-post-text",
            Protected,
            PageAt::Page,
            &[(PostText, Readable)],
            seen(0, 1, 1),
        ),
        case(
            "protected-post-text-refused",
            Protected,
            PageAt::Subdomain,
            &[(PostText, Blocked)],
            seen(0, 1, 0),
        ),
        case(
            "protected-post-text-same-origin",
            Protected,
            PageAt::ApiOrigin,
            &[(PostText, Readable)],
            seen(0, 1, 1),
        ),
        case(
            "protected-post-form-refused",
            Protected,
            PageAt::Subdomain,
            &[(PostForm, Submitted)],
            seen(0, 1, 0),
        ),
        case(
            "protected-post-form-same-origin",
            Protected,
            PageAt::ApiOrigin,
            &[(PostForm, Submitted)],
            seen(0, 1, 1),
        ),
        // Credentials with cookies. The page's own site (127.0.0.1, ports aside) gets its
        // cookie back in every engine, so the cookie's absence below is the engine's policy.
        case(
            "first-party-cookie",
            CookiesSameSite,
            PageAt::Page,
            &[(SetCookie, Readable), (GetWithCredentials, Readable)],
            seen_cookies(0, 2, 2, 1),
        ),
        // A cross-site API: CORS allows both fetches, but the cookie does not come back.
        // Chromium treats a cookie without `SameSite` as `Lax`, never sent with a cross-site
        // `fetch` (https://www.chromium.org/updates/same-site/). WebKit blocks third-party
        // cookies whatever their attributes: MiniBrowser's cookie policy is `no-third-party`
        // unless told otherwise (`MiniBrowser --help`: "--cookies-policy ... Default:
        // no-third-party"; `WEBKIT_COOKIE_POLICY_ACCEPT_NO_THIRD_PARTY`,
        // https://webkitgtk.org/reference/webkit2gtk/stable/enum.CookieAcceptPolicy.html), as
        // Safari does (https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/);
        // a `SameSite=None` cookie it keeps first-party was not sent here either.
        case(
            "third-party-cookie",
            Cookies,
            PageAt::Page,
            &[(SetCookie, Readable), (GetWithCredentials, Readable)],
            seen_cookies(0, 2, 2, 0),
        )
        .differs_in(
            Firefox,
            &[Readable, Readable],
            seen_cookies(0, 2, 2, 1),
            "Firefox does not make a cookie without `SameSite` Lax (pref \
             network.cookie.sameSite.laxByDefault is false) and, with Total Cookie Protection, \
             keeps a third-party cookie in the partition of the top-level site, 127.0.0.1, so \
             the next credentialed fetch from the same page carries it \
             (https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/State_Partitioning)",
        ),
        // `Authorization` and `*`: these run again in the strict mode (see `Case::runs_in`).
        case(
            "authorization-not-listed",
            Main,
            PageAt::Page,
            &[(Put(AUTHORIZATION), Blocked)],
            seen(1, 0, 0),
        ),
        case(
            "authorization-star-and-listed",
            StarAuthorization,
            PageAt::Page,
            &[(Put(AUTHORIZATION), Readable)],
            seen(1, 1, 1),
        ),
        // The standard: `*` never covers `Authorization`, so the crate refuses the preflight
        // and every engine, strict or not, blocks the PUT.
        case(
            "authorization-star-only",
            StarHeaders,
            PageAt::Page,
            &[(Put(AUTHORIZATION), Blocked)],
            seen(1, 0, 0),
        ),
        // `*` is one static answer (issue 22): readable with no `Vary` (exposed, so the page
        // would see one), from a sandboxed frame's `null` too, which is not read.
        case(
            "star-no-vary",
            Star,
            PageAt::Page,
            &[(Get, ReadableWith("vary", false))],
            seen(0, 1, 1),
        ),
        case("star-null", Star, PageAt::Sandboxed, &[(Get, Readable)], seen(0, 1, 1)),
        case("star-put", Star, PageAt::Subdomain, &[(Put(&[]), Readable)], seen(1, 1, 1)),
        // Reflection with credentials is a launch error; the explicit opt-in restores it.
        case(
            "dangerous-credentials",
            Dangerous,
            PageAt::Subdomain,
            &[(GetWithCredentials, Readable)],
            seen(0, 1, 1),
        ),
        // Without credentials reflection never grants them: a credentialed fetch is blocked.
        case(
            "all-origin-credentials-refused",
            All,
            PageAt::Page,
            &[(GetWithCredentials, Blocked)],
            seen(0, 1, 1),
        ),
    ]
}
