//! CORS for Rocket 0.5, configured the way operators configure everything else: in
//! `Rocket.toml` or environment variables, with the keys of the original django-cors
//! middleware, and changed on a running server by editing the file.
//!
//! # Quick start
//!
//! Attach the fairing:
//!
//! ```no_run
//! #[rocket::get("/api/items")]
//! fn items() -> &'static str { "[]" }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build()
//!         .mount("/", rocket::routes![items])
//!         .attach(cors_fairing::CorsFairing::figment())
//! }
//! ```
//!
//! and say which origins may read your responses:
//!
//! ```toml
//! # Rocket.toml
//! [default.cors]
//! allow_origin = ["https://app.example.com", "https://*.example.org"]
//! allow_methods = ["GET", "PUT", "DELETE"]
//! allow_credentials = true
//! expose_headers = ["X-Request-Id"]
//! max_age = 600
//! ```
//!
//! or, with the same meaning, in the environment:
//!
//! ```sh
//! CORS_ALLOW_ORIGIN="https://app.example.com, https://*.example.org" \
//! CORS_ALLOW_METHODS="GET, PUT, DELETE" CORS_ALLOW_CREDENTIALS=true ./my-server
//! ```
//!
//! Nothing is allowed until `allow_origin` (or `allow_origin_regex`, or
//! `allow_all_origin`) says so. Settings can also come from a Figment of your own
//! ([`CorsFairing::from_figment`], [`CorsFairing::from_figment_fn`]) or from code
//! ([`CorsFairing::from_settings`]).
//!
//! # Settings
//!
//! Every key lives in the `cors` table of a profile; its environment variable is the key
//! upper-cased with the `CORS_` prefix. The first eight are the original middleware's.
//!
//! | key | env | default | meaning |
//! |---|---|---|---|
//! | `allow_origin` | `CORS_ALLOW_ORIGIN` | none allowed | origins that may read responses: `https://app.example.com`, `*`, `null`, `https://*.example.com` (one or more labels), any port with `:*` (`http://localhost:*`), app and extension origins (`capacitor://localhost`, `chrome-extension://<id>`) |
//! | `allow_methods` | `CORS_ALLOW_METHODS` | `GET, HEAD, POST, PUT, PATCH, DELETE` | methods a preflight may ask for (case-sensitive) |
//! | `allow_headers` | `CORS_ALLOW_HEADERS` | `Accept, Authorization, Content-Type, X-Requested-With` | request headers a page may send (case-insensitive); `*` covers every name but `Authorization` (list it beside `*`) |
//! | `allow_credentials` | `CORS_ALLOW_CREDENTIALS` | `false` | send `Access-Control-Allow-Credentials: true`: pages may send cookies and read the answer |
//! | `expose_headers` | `CORS_EXPOSE_HEADERS` | empty | response headers a page may read |
//! | `max_age` | `CORS_MAX_AGE` | unset: no header | seconds a browser may cache a preflight answer (capped by WebKit at 600, Chromium at 7200, Firefox at 86400; above 7200 warns) |
//! | `allow_all_origin` | `CORS_ALLOW_ALL_ORIGIN` | off | reflect any `Origin` in the form browsers send (present = on, an explicit false = off); with credentials only under `dangerously_allow_all_origin_with_credentials`; not beside `*` |
//! | `allow_all_headers` | `CORS_ALLOW_ALL_HEADERS` | off | reflect `Access-Control-Request-Headers` (present = on) |
//! | `allow_origin_regex` | `CORS_ALLOW_ORIGIN_REGEX` | none | regexes, each matched against the whole origin |
//! | `allow_private_network` | `CORS_ALLOW_PRIVATE_NETWORK` | `false` | legacy: answer `Access-Control-Request-Private-Network: true` on allowed preflights (Chrome 142 replaced Private Network Access with Local Network Access, a user permission no header grants) |
//! | `paths` | `CORS_PATHS` | every path | where CORS applies: `/api/**` (subtree), `/public/*` (one segment), `/exact`; judged on decoded segments, as Rocket routes |
//! | `preflight_status` | `CORS_PREFLIGHT_STATUS` | `204` | status of an answered preflight, `204` or `200` |
//! | `reject_disallowed` | `CORS_REJECT_DISALLOWED` | `false` | refused preflights get `403` and a one-line reason instead of `204` without CORS headers |
//! | `always_send_headers` | `CORS_ALWAYS_SEND_HEADERS` | `false` | the original middleware's output: every header on every response, empty where unset |
//! | `timing_allow_origin` | `CORS_TIMING_ALLOW_ORIGIN` | none: no header | `Timing-Allow-Origin` on every response in scope, with or without `Origin`: `*` or exact origins (no patterns, regexes or `null`: Resource Timing matches only these) |
//! | `dangerously_allow_all_origin_with_credentials` | `CORS_DANGEROUSLY_ALLOW_ALL_ORIGIN_WITH_CREDENTIALS` | `false` | the only way to load `allow_all_origin` with `allow_credentials` (the original's behaviour): every site may read credentialed responses; warned about at every load |
//! | `log_refusals` | `CORS_LOG_REFUSALS` | `false` | one info line per refused request: method, path, policy, origin, reason (at most 20 per policy and reason a minute) |
//! | `cross_origin_protection` | `CORS_CROSS_ORIGIN_PROTECTION` | `false` | refuse (403, before the route runs) a non-safe request from another origin than the server's own or an allowed one ([cross-origin protection](#cross-origin-protection)) |
//! | `reload` | `CORS_RELOAD` | `true` | watch the config files and reload on change |
//! | `reload_settle_ms` | `CORS_RELOAD_SETTLE_MS` | `50` | quiet time after the last file event before re-reading (at most 4 x after the first) |
//! | `reload_poll_ms` | `CORS_RELOAD_POLL_MS` | `2000` | interval of the periodic check behind the watcher (`0` = off) |
//! | `origin_check_ttl_ms` | `CORS_ORIGIN_CHECK_TTL_MS` | `60000` | how long an answer of the origin check given in code is cached |
//! | `origin_check_cache_size` | `CORS_ORIGIN_CHECK_CACHE_SIZE` | `10000` | how many origins' answers of the origin check are cached |
//! | `origin_check_timeout_ms` | `CORS_ORIGIN_CHECK_TIMEOUT_MS` | `2000` | a longer call of the origin check refuses the origin |
//! | `env_file` | `CORS_ENV_FILE` | none | a file of `CORS_*=value` lines, read and watched like `Rocket.toml` |
//! | `policies.<name>.<key>` | `CORS_POLICIES__<NAME>__<KEY>` | none | [named policies](#named-policies) by path |
//! | `report_only.<key>` | `CORS_REPORT_ONLY__<KEY>` | none | a [report-only candidate](#report-only-candidates) for the base (`policies.<name>.report_only.<key>`, `CORS_POLICIES__<NAME>__REPORT_ONLY__<KEY>`: for a named policy) |
//!
//! A list is a TOML array, Figment's `[a, b]`, or a string split on commas and whitespace
//! (`CORS_ALLOW_METHODS="GET, PUT"`). A bool is `true`/`false`, or the strings `1`/`0`,
//! `yes`/`no`, `on`/`off`. An unknown key is reported with the closest known one
//! (`CORS_ALLOW_ORIGINS`: did you mean `CORS_ALLOW_ORIGIN`?).
//!
//! # Precedence
//!
//! Lowest first: built-in defaults, `[default.cors]`, `[<profile>.cors]`, `[global.cors]`,
//! the `env_file`, `ROCKET_CORS`, `CORS_*` variables of the process. `ROCKET_CONFIG` and
//! `ROCKET_PROFILE` pick the file and the profile exactly as they do for Rocket. Values
//! merged into Rocket's own Figment in code keep their place: given before `Rocket.toml`
//! they are defaults under the files, merged after it they win over the files and
//! `ROCKET_CORS` (see [`CorsFairing::figment`]).
//!
//! ```
//! use cors_fairing::{CorsFairing, CorsHandle, Provenance};
//! use rocket::local::blocking::Client;
//!
//! figment::Jail::expect_with(|jail| {
//!     jail.create_file("Rocket.toml", r#"
//!         [default.cors]
//!         allow_origin = "https://app.example.com"
//!         max_age = 60
//!
//!         [debug.cors]
//!         max_age = 600
//!     "#)?;
//!     jail.set_env("CORS_ALLOW_METHODS", "GET, PUT");
//!
//!     let rocket = rocket::custom(rocket::Config::figment().select("debug"));
//!     let client = Client::tracked(rocket.attach(CorsFairing::figment())).unwrap();
//!     let cors = client.rocket().state::<CorsHandle>().unwrap();
//!
//!     let settings = cors.policy().settings().clone();
//!     assert_eq!(settings.allow_origin, ["https://app.example.com"]);
//!     assert_eq!(settings.max_age, Some(600)); // [debug.cors] over [default.cors]
//!     assert_eq!(settings.methods(), ["GET", "PUT"]); // CORS_* over the file
//!
//!     // Every value knows where it came from.
//!     let methods = cors.report().settings.into_iter().find(|s| s.key == "allow_methods");
//!     assert_eq!(methods.unwrap().provenance, Provenance::Env { var: "CORS_ALLOW_METHODS".into() });
//!     Ok(())
//! });
//! ```
//!
//! # Named policies
//!
//! Different CORS for different parts of one app: a public read-only part open to `*`, a
//! partner API for one origin, the app's own API with credentials. Each
//! `[<profile>.cors.policies.<name>]` table needs `paths`; every key it leaves unset is the
//! base's (the profile's `cors` table); the reload mechanics, the origin check's cache and
//! `env_file` belong to the fairing and are set in the base only.
//!
//! A request is judged by the policy whose `paths` match it most specifically: an exact
//! path beats a pattern, a pattern with more literal segments beats one with fewer, `/x/*`
//! beats `/x/**`. Where no named policy matches, the base answers (within its own `paths`,
//! if it has any). Two policies with the same pattern stop the launch, the error naming both
//! and the pattern; an error in a named policy names it
//! (`cors.policies.partner.allow_origin`), with its value and source. Profiles,
//! `[global.cors.policies.<name>]` and the environment work as for every key:
//! `CORS_POLICIES__<NAME>__<KEY>`. The preflight route, `Vary`, `reject_disallowed`,
//! `always_send_headers`, the refusal log line, the launch banner and
//! [`CorsHandle::report`] are per policy; a reload compiles every policy or keeps
//! the whole last good set.
//!
//! ```
//! use cors_fairing::{CorsFairing, CorsHandle};
//! use rocket::http::Header;
//! use rocket::local::blocking::Client;
//!
//! figment::Jail::expect_with(|jail| {
//!     jail.create_file("Rocket.toml", r#"
//!         [default.cors]
//!         allow_origin = ["https://app.example.com"]
//!         allow_credentials = true
//!
//!         [default.cors.policies.public]
//!         paths = ["/public/**", "/status/*"]
//!         allow_origin = "*"
//!         allow_credentials = false
//!
//!         [default.cors.policies.partner]
//!         paths = ["/api/partner/**"]
//!         allow_origin = ["https://partner.example"]
//!     "#)?;
//!     jail.set_env("CORS_POLICIES__PARTNER__MAX_AGE", "60");
//!
//!     let client = Client::tracked(rocket::build().attach(CorsFairing::figment())).unwrap();
//!     let acao = |path: &'static str, origin: &'static str| {
//!         let response = client.get(path).header(Header::new("Origin", origin)).dispatch();
//!         response.headers().get_one("Access-Control-Allow-Origin").map(str::to_string)
//!     };
//!     assert_eq!(acao("/public/stats", "https://any.example").as_deref(), Some("*"));
//!     assert_eq!(acao("/api/partner/orders", "https://partner.example").as_deref(),
//!                Some("https://partner.example"));
//!     assert_eq!(acao("/api/partner/orders", "https://app.example.com"), None);
//!     assert_eq!(acao("/api/items", "https://app.example.com").as_deref(),
//!                Some("https://app.example.com"));
//!
//!     let cors = client.rocket().state::<CorsHandle>().unwrap();
//!     let policy = cors.policy();
//!     let partner = &policy.settings().policies["partner"];
//!     assert_eq!(partner.max_age, Some(60));
//!     assert_eq!(partner.allow_credentials, Some(true)); // inherited from the base
//!     Ok(())
//! });
//! ```
//!
//! In code, [`Settings::policy`] adds a named policy (whole: build it from a clone of the
//! base), and [`Policies::for_path`](policy::Policies::for_path) says which policy judges a path.
//!
//! # Report-only candidates
//!
//! A tighter (or wider) policy can be tried on live traffic before it is enforced:
//! `[<profile>.cors.report_only]` is a candidate for the base, and
//! `[<profile>.cors.policies.<name>.report_only]` one for a named policy (named policies do
//! not inherit the base's). A candidate takes the keys that change an answer (not `paths`,
//! the reload keys, the origin check's or `env_file`); every key it leaves unset is its
//! policy's. It is validated by the same compile, with the same errors
//! (`report_only.allow_origin`), and reloaded with the rest, all or none.
//!
//! Every request its policy judges is judged by the candidate too, with the same answer of
//! the origin check; the policy alone writes the response, which is byte for byte what it
//! is without a candidate. Where the verdicts differ (the candidate would refuse what is
//! allowed now, or allow what is refused now), [`CorsHandle::report_only`] counts it by
//! change and reason and names the origin (at most [`ReportOnly::MAX_ORIGINS`](status::ReportOnly::MAX_ORIGINS) per policy,
//! the rest counted as other), the log gets one info line per (policy, change, origin,
//! reason), and, with `metrics`, `cors_fairing_report_only_total{policy, change, reason}`
//! counts it. A reload that changes the candidate starts a new summary; a removed
//! candidate's last summary stays readable until a new one arrives. The README's recipe
//! "Tighten a live policy" walks through a promotion.
//!
//! ```
//! use cors_fairing::Settings;
//! use cors_fairing::policy::{CorsRequest, Policies};
//!
//! let live = Settings::default().allow_origin(["https://app.example.com"]).allow_methods(["GET", "PUT"]);
//! let policies = Policies::compile(&live.clone().report_only(live.allow_methods(["GET"])))?;
//! let put = CorsRequest::preflight("/api/items", "https://app.example.com", "PUT");
//! assert!(policies.decide(&put).is_allowed());
//! assert!(!policies.decide_report_only(&put).unwrap().is_allowed());
//! # Ok::<(), cors_fairing::ConfigErrors>(())
//! ```
//!
//! # How a request is answered
//!
//! Settings are read through Figment into [`Settings`], validated and rendered once by
//! [`Policies::compile`](policy::Policies::compile), and kept in an [`arc_swap::ArcSwap`]. Each request takes one
//! snapshot of the policies; the one that judges its path gives a [`Verdict`](policy::Verdict), written as
//! header lines ([`Policies::decide`](policy::Policies::decide) gives both: a [`Decision`](policy::Decision)).
//! The values are borrowed from the policy or the request, so answering allocates no
//! strings.
//!
//! ```
//! use cors_fairing::Settings;
//! use cors_fairing::policy::{CorsRequest, Field, Policies};
//!
//! let policy = Policies::compile(
//!     &Settings::default().allow_origin(["https://app.example.com"]).max_age(600),
//! )?;
//!
//! // A preflight from an allowed origin gets the preflight headers...
//! let preflight = CorsRequest::preflight("/api/items", "https://app.example.com", "PUT");
//! let lines = policy.decide(&preflight).lines();
//! assert_eq!(lines.get("Access-Control-Allow-Methods"), Some("GET, HEAD, POST, PUT, PATCH, DELETE"));
//! assert_eq!(lines.get("Access-Control-Max-Age"), Some("600"));
//!
//! // ...one from anywhere else only `Vary`, and the browser refuses.
//! let evil = CorsRequest::preflight("/api/items", "https://evil.example", "PUT");
//! let decision = policy.decide(&evil);
//! assert!(!decision.is_allowed());
//! assert_eq!(decision.lines().get("Access-Control-Allow-Origin"), None);
//! assert_eq!(decision.lines().get("Vary"), Some("Origin, Access-Control-Request-Method"));
//! # Ok::<(), cors_fairing::ConfigErrors>(())
//! ```
//!
//! Preflights (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) are answered
//! by a catch-all `OPTIONS /<_..>` route ranked below every application route; the
//! headers themselves are written by the fairing's `on_response`, so they also reach
//! catcher output (404, 500) and application `OPTIONS` routes. A refused actual request
//! still runs its route, as with every browser-facing CORS layer: the browser, not the
//! server, withholds the response from the page (unless cross-origin protection refuses it
//! first).
//!
//! # Cross-origin protection
//!
//! A browser sends a cross-origin form `POST` or `text/plain` `fetch` `POST` without a
//! preflight: CORS hides the answer, but the route has run. With
//! `cross_origin_protection = true` a policy refuses a non-safe request (anything but `GET`,
//! `HEAD`, `OPTIONS`) within its `paths` before the route runs, with `403` and a one-line
//! reason, by the algorithm of Go 1.25's `CrossOriginProtection`, the policy's allowed
//! origins being its trusted origins. The request passes when any of these holds:
//!
//! - its `Origin` is allowed by the policy (its lists, then the origin check);
//! - `Sec-Fetch-Site` is `same-origin` or `none` (the app's own pages, a typed URL);
//! - it has neither `Sec-Fetch-Site` nor `Origin` (a non-browser client);
//! - it has no `Sec-Fetch-Site`, and the host and port of `Origin` are those of `Host`.
//!
//! Everything else is refused, `Sec-Fetch-Site: same-site` included, and counted
//! ([`status::Stats::refused_cross_origin`]). The request hook that does this is registered at
//! launch only when some policy sets the key: an application without it pays nothing, and
//! a reload that turns it on in one launched without it logs that a restart is needed.
//! [`AllowedOrigin`] and [`OriginRequired`] apply the same rules to every method, `GET`
//! included (WebSocket handshakes).
//!
//! ```
//! use cors_fairing::{CorsFairing, Settings};
//! use rocket::http::{Header, Status};
//! use rocket::local::blocking::Client;
//!
//! #[rocket::post("/api/transfer")]
//! fn transfer() -> &'static str { "moved" }
//!
//! let settings =
//!     Settings::default().allow_origin(["https://app.example.com"]).cross_origin_protection(true);
//! let rocket = rocket::build()
//!     .mount("/", rocket::routes![transfer])
//!     .attach(CorsFairing::from_settings(settings));
//! let client = Client::tracked(rocket).unwrap();
//! let post = |origin: &'static str, site: &'static str| {
//!     let request = client.post("/api/transfer").header(Header::new("Origin", origin));
//!     request.header(Header::new("Sec-Fetch-Site", site)).dispatch()
//! };
//! let refused = post("https://evil.example", "cross-site");
//! assert_eq!(refused.status(), Status::Forbidden);
//! assert_eq!(
//!     refused.into_string().unwrap(),
//!     "cross-origin request refused: Sec-Fetch-Site is \"cross-site\" and origin \
//!      \"https://evil.example\" is not allowed\n"
//! );
//! assert_eq!(post("https://app.example.com", "cross-site").status(), Status::Ok);
//! // The app's own pages need not be listed.
//! assert_eq!(post("https://api.example.com", "same-origin").status(), Status::Ok);
//! ```
//!
//! # Reload
//!
//! With `reload` on (the default) the fairing watches the directories of the files it read
//! (`Rocket.toml`, the `env_file`), waits `reload_settle_ms` after the last event that
//! concerns them (at most 4 x `reload_settle_ms` after the first), reads every source
//! again, and swaps the policy in only if it is valid and different. A bad
//! edit is logged with key, value and source, and the last good policy stays. `SIGHUP`
//! reloads too. Environment variables are launch-time overrides: they cannot change inside
//! a running process, and a file edit they mask is reported as such. Requests already under
//! way keep the policy they started with.
//!
//! [`CorsHandle`] (managed state) lets the application reload on its own terms and watch
//! the outcome:
//!
//! ```
//! use std::time::Duration;
//! use cors_fairing::CorsHandle;
//! use cors_fairing::status::ReloadOutcome;
//!
//! async fn after_deploy(cors: &CorsHandle) {
//!     match cors.reload().await {
//!         ReloadOutcome::Swapped { generation } => println!("generation {generation} in force"),
//!         ReloadOutcome::Unchanged => println!("the files give the policy in force"),
//!         ReloadOutcome::Failed(errors) => eprintln!("kept the last good policy: {errors}"),
//!         other => println!("{other:?}"), // the enum is #[non_exhaustive]
//!     }
//!     // Or wait for the watcher to swap in the next edit, without sleeping on a guess:
//!     // the generation counts swaps, starting at 0 at launch.
//!     let mut status = cors.status();
//!     let seen = status.borrow_and_update().generation;
//!     let next = status.wait_for(|s| s.generation > seen);
//!     let _ = rocket::tokio::time::timeout(Duration::from_secs(5), next).await;
//! }
//! ```
//!
//! # Security
//!
//! CORS relaxes the browser's same-origin policy; it protects nothing on the server. What
//! the crate refuses at load time, and what it only warns about:
//!
//! - `*` with credentials, `*` beside other origins, origins with a path, query or
//!   trailing `/`, malformed methods or header names, regexes that do not compile: the
//!   server does not start (or a reload keeps the last good policy).
//! - `allow_all_origin` with `allow_credentials`: any site could read credentialed
//!   responses (the pattern exploited in CVE-2025-34291), so it does not load either, unless
//!   `dangerously_allow_all_origin_with_credentials = true` keeps the original middleware's
//!   behaviour, with a warning at every load.
//! - Request origins are compared byte for byte with the normalised configured ones;
//!   `https://*.example.com` never matches `example.com` or `evil-example.com`; `null`
//!   matches only when listed. Regexes are anchored to the whole origin.
//! - `Vary: Origin` is appended whenever the answer depends on the origin, so a shared cache
//!   cannot hand one origin's answer to another.
//!
//! ```
//! use cors_fairing::Settings;
//! use cors_fairing::policy::Policies;
//!
//! let wildcard_with_credentials = Settings::default().allow_origin(["*"]).allow_credentials(true);
//! let errors = Policies::compile(&wildcard_with_credentials).unwrap_err();
//! let err = errors.first();
//! assert_eq!((err.key(), err.value.as_str()), (Some("allow_origin"), "*"));
//!
//! let reflect_all_with_credentials =
//!     Settings::default().allow_all_origin(true).allow_credentials(true);
//! let errors = Policies::compile(&reflect_all_with_credentials).unwrap_err();
//! assert_eq!(errors.first().key(), Some("allow_all_origin"));
//! let opted_in = reflect_all_with_credentials.dangerously_allow_all_origin_with_credentials(true);
//! let policy = Policies::compile(&opted_in)?;
//! let warned = policy.warnings().iter().map(|w| w.key());
//! assert!(warned.into_iter().any(|key| key == Some("dangerously_allow_all_origin_with_credentials")));
//! # Ok::<(), cors_fairing::ConfigErrors>(())
//! ```
//!
//! # Logs
//!
//! At launch the fairing logs the effective policy, one line per key with the source of its
//! value (`[debug.cors] in /srv/app/Rocket.toml`, `environment variable CORS_MAX_AGE`,
//! `built-in default`), then the files it read and any warnings. Each reload that swaps
//! logs one line per changed key. Each refused CORS request logs one line at debug level
//! saying why (origin not allowed, method not in `allow_methods`, header not in
//! `allow_headers`); allowed requests log nothing. With Rocket's logger,
//! `ROCKET_LOG_LEVEL=debug` shows the debug lines; with a logger of your own, enable the
//! `cors_fairing` target.
//!
//! [`CorsHandle::report`] gives an application's status page the same report
//! ([`EffectiveSetting`](status::EffectiveSetting)); `examples/admin.rs` serves it next to a reload button.
//!
//! # Errors name the key, the value and the source
//!
//! An invalid configuration stops the launch. Under `#[rocket::launch]` the log ends with
//! one line per problem, the crate's summary, and Rocket's own abort (which names the
//! failed fairing, `CORS`, and panics):
//!
//! ```text
//! Error: invalid CORS setting `allow_origin` = "https://app.example.com/" (from [default.cors]
//!        in /srv/app/Rocket.toml): an origin is scheme://host[:port], without a trailing `/`;
//!        hint: write "https://app.example.com"
//! Error: CORS: 1 problem in /srv/app/Rocket.toml; the launch stops
//! Error: Rocket failed to launch due to failing fairings:
//!    >> CORS
//! thread 'main' panicked at ...: aborting due to fairing failure(s)
//! ```
//!
//! The summary names every place a problem came from (a file, `environment variable
//! CORS_MAX_AGE`, `settings given in code`). Without `#[launch]`, `rocket.launch().await` (or
//! `ignite()`) returns the error instead: `rocket::error::ErrorKind::FailedFairings`.
//!
//! Attaching a second `CorsFairing` stops the launch the same way: Rocket would otherwise
//! answer with one fairing's rules and never say which.
//!
//! # How the crate is built
//!
//! One module per concern; each uses only the modules below it in this table, so the data
//! flows one way (Figment -> settings -> policy -> the live state -> the answer):
//!
//! | module | owns | knows Rocket? |
//! |---|---|---|
//! | `fairing` | [`CorsFairing`]: ignite (load, mount, manage), liftoff (start the reloader), the origin check's request hook, response (write the lines) | yes |
//! | `guard` | [`AllowedOrigin`] / [`OriginRequired`]: the live policy as a request guard (and a Rocket sentinel), for WebSockets and forms | yes |
//! | `protection` | cross-origin protection: the guards' judgement, and `cross_origin_protection`'s request hook and 403 route | yes |
//! | `handle` | [`CorsHandle`]: the live state and its sources, as managed state | thin |
//! | `preflight` | the catch-all `OPTIONS /<_..>` route: judges a preflight once | yes |
//! | `respond` | one verdict per request, kept in the request's cache beside the policies that gave it | yes |
//! | `request` | a Rocket request as a borrowed [`CorsRequest`](policy::CorsRequest); the one reader of `Origin` | yes |
//! | `reload` | watcher, periodic check, SIGHUP: read the sources, compare, install | no Rocket types |
//! | `banner` | what an operator sees of a load in the log: the banner, the changes of a reload | no |
//! | `report` | [`check`], the one verdict on a configuration, and its [`Report`] | Figment only |
//! | `sources` | building the Figment, provenance, the files to watch | Figment only |
//! | `origin_check` | the origin check given in code and its cache (TTL, size, single-flight), following the policies' generation | no Rocket types |
//! | `state` | the live state: the [`Policies`](policy::Policies) in force, the Origin-less flag, the last load, the reload record; one writer | no Rocket types |
//! | `report_only` | the report-only candidates' judgement beside the policy's, their bounded summaries ([`ReportOnly`](status::ReportOnly)) and log lines | no |
//! | `files` | reading a config file: regular files only, opened without blocking, at most [`CorsFairing::MAX_CONFIG_FILE_LEN`] | no |
//! | `counters` | the request counters behind [`CorsHandle::stats`] (and the `metrics` feature's publisher) | no |
//! | `log_limit` | the one rate limit on every line written per request, per policy and reason | no |
//! | `policy` | [`Policies::compile`](policy::Policies::compile); a [`Policy`](policy::Policy) judges a [`CorsRequest`](policy::CorsRequest) into a [`Verdict`](policy::Verdict) and renders its [`HeaderLines`](policy::HeaderLines); the configured origins (`policy/origins/`); every header name | no, and no I/O |
//! | `settings` | [`Settings`]: the serde model of the keys | no |
//! | `error` | [`ConfigError`], [`ConfigWarning`], [`Provenance`] | no |
//!
//! ```text
//!  the Rocket side   fairing -> preflight -> respond, request;   guard -> protection -> handle -> reload, state
//!  ------------------------------------------------------------------ no Rocket types below
//!  running           reload -> banner, sources, state;   origin_check -> state, policy
//!                    state -> report_only -> log_limit, policy
//!  loading           banner -> report -> sources;   sources -> policy, files;   state -> policy, files
//!  pure              policy -> settings -> error
//! ```
//!
//! Inside `policy`, a request flows `request` -> `judge` -> `lines`, and the set
//! (`set`, with its `router`) sits on top; no two files import each other.
//!
//! `tests/architecture.rs` checks the table against the code's imports, file by file (no
//! import cycle, sub-modules included) and the "knows Rocket?" column. The modules are
//! private; everything public is re-exported here.

#![warn(missing_docs)]
// ConfigError is big on purpose (key, value, source, hint) and only travels at load time.
#![allow(clippy::result_large_err)]

mod banner;
mod counters;
mod error;
mod fairing;
mod files;
mod guard;
mod handle;
mod log_limit;
mod origin_check;
pub mod policy;
mod preflight;
mod protection;
mod reload;
mod report;
mod report_only;
mod request;
mod respond;
mod settings;
mod sources;
mod state;

/// The pure parsers, for the fuzz targets and property tests only: behind the `fuzzing`
/// cargo feature, and not a stable API (it may change in any release).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use policy::fuzzing;

/// What a running fairing reports about itself: the reload record and each reload's
/// outcome ([`CorsHandle::status`], [`CorsHandle::reload`]), the request counters
/// ([`CorsHandle::stats`]) and each setting in force with its provenance
/// ([`CorsHandle::report`]), and what report-only candidates would change
/// ([`CorsHandle::report_only`]). Every type serialises with serde, so an admin endpoint is one
/// line (see `examples/admin.rs`).
pub mod status {
    pub use crate::counters::Stats;
    pub use crate::report::EffectiveSetting;
    pub use crate::report_only::{Difference, ReportOnly, ReportedOrigin};
    pub use crate::state::{ReloadOutcome, ReloadStatus};
}

pub use error::{ConfigError, ConfigErrors, ConfigWarning, Provenance, Subject};
pub use fairing::CorsFairing;
pub use guard::{AllowedOrigin, OriginRefused, OriginRequired};
pub use handle::CorsHandle;
pub use report::{Report, check};
pub use settings::{Key, Settings};
