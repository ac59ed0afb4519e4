//! [`CorsFairing`]: compile at ignite, answer preflights, write headers on every response.

use std::sync::{Arc, OnceLock};

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::{Build, Data, Orbit, Request, Response, Rocket};

use crate::error::{ConfigError, Provenance, Subject};
use crate::handle::CorsHandle;
use crate::origin_check::{Checker, OriginCheck};
use crate::policy::Field;
use crate::policy::names::{ALLOW_ORIGIN, VARY};
use crate::request::cors_request;
use crate::settings::Settings;
use crate::sources::Sources;

/// The CORS fairing. Build it with one of the constructors and attach it:
///
/// ```no_run
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build().attach(cors_fairing::CorsFairing::figment())
/// }
/// ```
pub struct CorsFairing {
    /// `None`: read `Rocket.toml` and the environment once Rocket's Figment is known.
    sources: Option<Sources>,
    /// The handle it manages, once ignited: the live state and its sources.
    ignited: OnceLock<CorsHandle>,
    /// The application's origin check, if given.
    check: Option<OriginCheck<Rocket<Orbit>>>,
}

impl CorsFairing {
    /// The largest config file (`Rocket.toml`, the `env_file`) the fairing reads: a bigger
    /// one is refused by name, at launch and on a reload, so nothing read can exhaust memory.
    pub const MAX_CONFIG_FILE_LEN: u64 = crate::files::MAX_CONFIG_FILE_LEN;

    /// Settings from the `cors` table of the `Rocket.toml` Rocket loaded (honouring
    /// `ROCKET_CONFIG` and `ROCKET_PROFILE`), the `env_file`, `ROCKET_CORS` and `CORS_*`
    /// environment variables; the file is watched for changes.
    ///
    /// Values merged into Rocket's Figment in code are honoured too, named "given in code",
    /// and kept by every reload of the file. Their place is that of their provider in
    /// Rocket's Figment: after `Rocket.toml` (merged into `rocket::Config::figment()`)
    /// over the files and `ROCKET_CORS`, before it (`Figment::from(defaults)
    /// .merge(rocket::Config::figment())`) under the file. `CORS_*` variables win over
    /// both. Figment records no `join`: a value joined after the file counts as merged.
    ///
    /// ```
    /// use cors_fairing::{CorsFairing, CorsHandle, Provenance};
    /// use rocket::local::blocking::Client;
    ///
    /// figment::Jail::expect_with(|jail| {
    ///     jail.create_file("Rocket.toml", "[default.cors]\nmax_age = 60\nreload = false\n")?;
    ///     let origin = ("cors.allow_origin", ["https://a.example"]);
    ///     let rocket = rocket::custom(rocket::Config::figment().merge(origin));
    ///     let client = Client::tracked(rocket.attach(CorsFairing::figment())).unwrap();
    ///     let cors = client.rocket().state::<CorsHandle>().unwrap();
    ///     assert_eq!(cors.policy().settings().allow_origin, ["https://a.example"]);
    ///     assert_eq!(cors.policy().settings().max_age, Some(60));
    ///     let origin = cors.report().settings.into_iter().find(|s| s.key == "allow_origin");
    ///     assert_eq!(origin.unwrap().provenance, Provenance::Code);
    ///     Ok(())
    /// });
    /// ```
    pub fn figment() -> Self {
        CorsFairing { sources: None, ignited: OnceLock::new(), check: None }
    }

    /// Settings from the `cors` table of a Figment of your own.
    ///
    /// A Figment is a snapshot: to have file changes picked up on reload, use
    /// [`CorsFairing::from_figment_fn`], which builds it anew each time.
    ///
    /// ```
    /// use rocket::figment::{Figment, providers::Serialized};
    ///
    /// let figment = Figment::from(Serialized::default("cors.allow_origin", ["https://a.example"]));
    /// let fairing = cors_fairing::CorsFairing::from_figment(figment);
    /// ```
    pub fn from_figment(figment: Figment) -> Self {
        Self::from_figment_fn(move || figment.clone())
    }

    /// Settings from the `cors` table of a Figment that `make` builds on every (re)load.
    pub fn from_figment_fn(make: impl Fn() -> Figment + Send + Sync + 'static) -> Self {
        CorsFairing {
            sources: Some(Sources::Figment(Arc::new(make))),
            ignited: OnceLock::new(),
            check: None,
        }
    }

    /// Fixed settings given in code; nothing is read or watched.
    ///
    /// ```
    /// use cors_fairing::{CorsFairing, Settings};
    ///
    /// let fairing =
    ///     CorsFairing::from_settings(Settings::default().allow_origin(["https://app.example.com"]));
    /// ```
    pub fn from_settings(settings: Settings) -> Self {
        CorsFairing {
            sources: Some(Sources::Settings(Box::new(settings))),
            ignited: OnceLock::new(),
            check: None,
        }
    }

    /// Origins decided by the application: `check` is asked about each well-formed origin
    /// the configured lists do not allow, and its answer is cached per origin for
    /// `origin_check_ttl_ms` (at most `origin_check_cache_size` of them; emptied on reload
    /// and by [`CorsHandle::forget_origins`]). Concurrent requests from the same unknown
    /// origin call it once. An error, a panic or a call longer than
    /// `origin_check_timeout_ms` refuses the origin, logged once per origin and counted
    /// ([`CorsHandle::stats`]). An allowed origin is answered like a listed
    /// one, preflights included, credentials as configured.
    ///
    /// The check gets the origin and the running Rocket (for its managed state: a pool):
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use std::sync::{Arc, RwLock};
    ///
    /// type Tenants = Arc<RwLock<HashSet<String>>>;
    ///
    /// let fairing = cors_fairing::CorsFairing::figment().with_origin_check(|origin, rocket| {
    ///     let tenants = rocket.state::<Tenants>().cloned();
    ///     let origin = origin.to_owned();
    ///     async move {
    ///         let tenants = tenants.ok_or("no tenant table")?;
    ///         Ok::<_, &str>(tenants.read().unwrap().contains(&origin))
    ///     }
    /// });
    /// ```
    pub fn with_origin_check<F, Fut, E>(mut self, check: F) -> Self
    where
        F: Fn(&str, &Rocket<Orbit>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<bool, E>> + Send + 'static,
        E: std::fmt::Display + 'static,
    {
        self.check = Some(OriginCheck::new(check));
        self
    }

    fn sources_for(&self, rocket: &Rocket<Build>) -> Sources {
        self.sources.clone().unwrap_or_else(|| Sources::from_rocket(rocket.figment()))
    }
}

#[rocket::async_trait]
impl Fairing for CorsFairing {
    fn info(&self) -> Info {
        // Not `Kind::Singleton`: Rocket would silently drop all but the last one attached,
        // and with it the policy someone meant to apply. A second one refuses instead.
        let kind = Kind::Ignite | Kind::Liftoff | Kind::Response | Kind::Shutdown;
        // Without an origin check, requests pay for no request hook at all.
        let kind = if self.check.is_some() { kind | Kind::Request } else { kind };
        Info { name: "CORS", kind }
    }

    /// The origin check's hook: a single `Origin` the lists refuse, on a request a policy
    /// judges by origin, is put to the check, and an allowed one noted for the verdict.
    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let Some(handle) = self.ignited.get() else { return };
        let Some(checker) = handle.checker() else { return };
        let Field::One(origin) = crate::request::origin(req) else { return };
        let path = req.uri().path().as_str();
        let (state, rocket) = (handle.state(), req.rocket());
        if crate::origin_check::allows_request(checker, state, path, origin, rocket).await {
            crate::respond::note_allowed_by_check(req);
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        if rocket.state::<CorsHandle>().is_some() {
            log::error!(
                "CORS: a second CorsFairing is attached; the launch stops. Two would each answer \
                 the same requests with different rules, and the headers of one would mask the \
                 other's. Attach one CorsFairing, and scope it with `paths`; for other rules \
                 on some paths, give them a named policy ([default.cors.policies.<name>] with \
                 `paths`), which the one fairing applies where its paths match."
            );
            return Err(rocket);
        }
        let sources = self.sources_for(&rocket);
        let loaded = match sources.load() {
            Ok(loaded) => loaded,
            Err(errors) => {
                // One record per problem: each names its key (or file), value and source.
                for err in &errors {
                    log::error!("{err}");
                }
                log::error!("{}", launch_stops(&errors));
                return Err(rocket);
            }
        };
        crate::banner::log_policy(&loaded);
        let state = crate::reload::launch(&sources, loaded);
        let checker = self.check.clone().map(|check| Arc::new(Checker::new(check)));
        let handle = CorsHandle::new(state.clone(), Arc::new(sources), checker);
        if self.ignited.set(handle.clone()).is_err() {
            log::error!("the CORS fairing was ignited twice");
            return Err(rocket);
        }
        // Cross-origin protection's hook and 403 route only where a policy asks for it: an
        // application without it pays for neither.
        let protects = state.load().protects_anywhere();
        let preflight = crate::preflight::route(state.clone(), self.check.is_some());
        let rocket = rocket.mount("/", vec![preflight]);
        if protects {
            state.set_protection_hooked();
            let hook = crate::protection::Hook::new(handle.clone());
            let rocket = rocket.mount("/", vec![crate::protection::route()]).attach(hook);
            return Ok(rocket.manage(handle));
        }
        Ok(rocket.manage(handle))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(handle) = self.ignited.get() else { return };
        if matches!(**handle.sources(), Sources::Settings(_)) {
            return;
        }
        #[cfg(unix)]
        let hangup_claimed = rocket.config().shutdown.signals.contains(&rocket::config::Sig::Hup);
        #[cfg(not(unix))]
        let hangup_claimed = false;
        let options = crate::reload::Options { hangup_claimed, file_events: true };
        let state = handle.state();
        let task =
            crate::reload::start(state, handle.sources().clone(), options, rocket.shutdown());
        state.set_reloader(task);
    }

    async fn on_shutdown(&self, rocket: &Rocket<Orbit>) {
        let Some(handle) = self.ignited.get() else { return };
        if let Some(mut task) = handle.state().take_reloader() {
            // Shutdown was notified before shutdown fairings run: the task is ending (it
            // stops whatever it waits for). Never wait past Rocket's grace period.
            let grace = std::time::Duration::from_secs(rocket.config().shutdown.grace.into());
            if tokio::time::timeout(grace, &mut task).await.is_err() {
                log::warn!("CORS reload: the reloader did not end within the grace period");
                task.abort();
            }
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(handle) = self.ignited.get() else { return };
        if sets_allow_origin(res) {
            return;
        }
        let request = cors_request(req);
        let origin_check = handle.checker().is_some();
        let mut previous = "";
        crate::respond::answer(handle.state(), origin_check, req, &request, |name, value| {
            if name == VARY || name == previous {
                // Appended to the application's `Vary`, if any (see docs/performance.md,
                // "Appending Vary"); a repeated name (reflected split header lines) to the
                // line before it.
                res.adjoin_raw_header(name, value);
            } else {
                res.set_raw_header(name, value);
            }
            previous = name;
        });
    }
}

/// The crate's last line before Rocket's own "aborting due to fairing failure(s)": how many
/// problems, and where, after one line for each.
fn launch_stops<'e>(errors: impl IntoIterator<Item = &'e ConfigError>) -> String {
    let mut places: Vec<String> = Vec::new();
    let mut count = 0;
    for err in errors {
        count += 1;
        let place = match (&err.subject, &err.provenance) {
            (Subject::File(path), _) => path.display().to_string(),
            (_, Provenance::File { path, .. } | Provenance::EnvFile { path, .. }) => {
                path.display().to_string()
            }
            (_, other) => other.to_string(),
        };
        if !places.contains(&place) {
            places.push(place);
        }
    }
    let problems = match count {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    format!("CORS: {problems} in {}; the launch stops", places.join(", "))
}

/// Whether the application set `Access-Control-Allow-Origin` itself: then its CORS answer
/// stands. One pass over the few headers a response has (see docs/performance.md, "One
/// pass over the headers").
fn sets_allow_origin(res: &Response<'_>) -> bool {
    res.headers().iter().any(|header| header.name.as_str().eq_ignore_ascii_case(ALLOW_ORIGIN))
}
