//! [`CorsHandle`]: the running policy, as managed state.

use std::sync::Arc;

use tokio::sync::watch;

use rocket::{Orbit, Rocket};

use crate::counters::Stats;
use crate::origin_check::{self, Checker};
use crate::policy::Policies;
use crate::report::{EffectiveSetting, Report};
use crate::sources::Sources;
use crate::state::{LiveState, ReloadOutcome, ReloadStatus};

/// The live CORS policy of a running Rocket, available as managed state.
///
/// ```no_run
/// use cors_fairing::CorsHandle;
/// use rocket::State;
///
/// #[rocket::post("/admin/cors/reload")]
/// async fn reload(cors: &State<CorsHandle>) -> String {
///     format!("{:?}", cors.reload().await)
/// }
/// ```
#[derive(Clone)]
pub struct CorsHandle {
    state: Arc<LiveState>,
    /// Where a reload reads from.
    sources: Arc<Sources>,
    /// The application's origin check and its cache, when one was given.
    checker: Option<Arc<Checker<Rocket<Orbit>>>>,
}

impl CorsHandle {
    pub(crate) fn new(
        state: Arc<LiveState>,
        sources: Arc<Sources>,
        checker: Option<Arc<Checker<Rocket<Orbit>>>>,
    ) -> Self {
        CorsHandle { state, sources, checker }
    }

    pub(crate) fn checker(&self) -> Option<&Checker<Rocket<Orbit>>> {
        self.checker.as_deref()
    }

    /// Whether the live policy allows `origin`: the base's configured origins, else (a
    /// well-formed origin) the origin check, cached. With named policies, ask
    /// [`CorsHandle::origin_allowed_at`] for the path the origin is for.
    pub async fn origin_allowed(&self, origin: &str, rocket: &Rocket<Orbit>) -> bool {
        origin_check::origin_allowed(self.checker(), &self.state, None, origin, rocket).await
    }

    /// Whether the policy that judges `path` allows `origin`: the named policy whose
    /// `paths` match `path` most specifically, else the base; its lists, else (a
    /// well-formed origin) the origin check, cached. The question [`crate::AllowedOrigin`]
    /// asks for a request to `path`, for code that has an origin but no request (a
    /// WebSocket message handler, a job).
    pub async fn origin_allowed_at(
        &self,
        path: &str,
        origin: &str,
        rocket: &Rocket<Orbit>,
    ) -> bool {
        let (checker, state) = (self.checker(), &self.state);
        origin_check::origin_allowed(checker, state, Some(path), origin, rocket).await
    }

    /// Empties the origin check's cache: the next request from any origin asks the check
    /// again, so a tenant registered or removed is in force at once. A reload does this too.
    pub fn forget_origins(&self) {
        if let Some(checker) = &self.checker {
            checker.forget_all();
        }
    }

    /// Drops the origin check's cached answer for one origin (as sent: `scheme://host[:port]`).
    pub fn forget_origin(&self, origin: &str) {
        if let Some(checker) = &self.checker {
            checker.forget(origin);
        }
    }

    pub(crate) fn state(&self) -> &Arc<LiveState> {
        &self.state
    }

    pub(crate) fn sources(&self) -> &Arc<Sources> {
        &self.sources
    }

    /// The policies in force now (the base and the named ones): ask them what a request
    /// gets. Requests already under way keep the ones they started with.
    pub fn policy(&self) -> Arc<Policies> {
        self.state.current()
    }

    /// The configuration in force, as [`crate::check`] reports one: every setting with where
    /// its value came from (the base's keys, then every named policy's), the load's
    /// warnings, the files it read and the fingerprint. What an application's status page
    /// shows (see `examples/admin.rs`); it serialises with serde.
    ///
    /// ```
    /// use cors_fairing::{CorsFairing, CorsHandle, Settings};
    /// use rocket::local::blocking::Client;
    ///
    /// let base = Settings::default().allow_origin(["https://app.example.com"]);
    /// let public = base.clone().paths(["/public/**"]).allow_origin(["*"]);
    /// let fairing = CorsFairing::from_settings(base.policy("public", public));
    /// let client = Client::tracked(rocket::build().attach(fairing)).unwrap();
    /// let cors = client.rocket().state::<CorsHandle>().unwrap();
    /// let report = cors.report();
    /// let public_origin = report
    ///     .settings
    ///     .iter()
    ///     .find(|s| s.policy.as_deref() == Some("public") && s.key == "allow_origin")
    ///     .unwrap();
    /// assert_eq!(public_origin.value, "*");
    /// assert_eq!(public_origin.env_var, "CORS_POLICIES__PUBLIC__ALLOW_ORIGIN");
    /// assert_eq!(report.fingerprint, Some(cors.policy().fingerprint()));
    /// ```
    pub fn report(&self) -> Report {
        self.state.with_last_load(|policy, load| {
            let settings = EffectiveSetting::every(policy, &load.provenance, &load.named);
            Report::in_force(policy.clone(), settings, load.warnings.clone(), load.files.clone())
        })
    }

    /// Reads every source again now; swaps the policy if it changed and is valid.
    ///
    /// The files are read on a blocking thread, so the caller (a route, say) never holds
    /// a Rocket worker while they are.
    pub async fn reload(&self) -> ReloadOutcome {
        let handle = self.clone();
        match tokio::task::spawn_blocking(move || handle.reload_blocking()).await {
            Ok(outcome) => outcome,
            Err(err) => match err.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // The runtime is shutting down and did not start the task: read here.
                Err(_) => self.reload_blocking(),
            },
        }
    }

    /// [`CorsHandle::reload`] on the calling thread, for code outside an async runtime (a
    /// CLI, a test). It blocks on file I/O: never call it from a route or a fairing.
    pub fn reload_blocking(&self) -> ReloadOutcome {
        crate::reload::reload_now(&self.state, &self.sources)
    }

    /// Reload counters, published after every attempt; `changed().await` waits for the next.
    pub fn status(&self) -> watch::Receiver<ReloadStatus> {
        self.state.status()
    }

    /// What each report-only candidate would have answered differently since it came into
    /// force: one summary per policy with a candidate (the base first, then by name), and
    /// the last summary of a candidate a reload removed, until its policy gets a new one.
    ///
    /// ```
    /// use cors_fairing::{CorsFairing, CorsHandle, Settings};
    /// use rocket::http::Header;
    /// use rocket::local::blocking::Client;
    ///
    /// let live = Settings::default().allow_origin(["https://app.example", "https://old.example"]);
    /// let tighter = live.clone().allow_origin(["https://app.example"]);
    /// let fairing = CorsFairing::from_settings(live.report_only(tighter));
    /// let client = Client::tracked(rocket::build().attach(fairing)).unwrap();
    /// let response = client.get("/").header(Header::new("Origin", "https://old.example")).dispatch();
    /// // Enforced: the policy in force still allows it.
    /// assert_eq!(response.headers().get_one("Access-Control-Allow-Origin"), Some("https://old.example"));
    ///
    /// let report = &client.rocket().state::<CorsHandle>().unwrap().report_only()[0];
    /// assert_eq!(report.count("would_refuse", "origin"), 1);
    /// assert_eq!(report.origins[0].origin, "https://old.example");
    /// ```
    pub fn report_only(&self) -> Vec<crate::status::ReportOnly> {
        self.state.reports().reports()
    }

    /// What the fairing has answered since launch (allowed, refused by reason, preflights,
    /// out of scope), across reloads, and the origin check's calls. See [`Stats`].
    pub fn stats(&self) -> Stats {
        let mut stats = self.state.counters().snapshot();
        if let Some(checker) = &self.checker {
            let check = checker.stats();
            stats.origin_check_calls = check.calls;
            stats.origin_check_failures = check.failures;
            stats.origin_check_cached = check.cached;
        }
        stats
    }
}

impl std::fmt::Debug for CorsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsHandle").field("sources", &self.sources).finish_non_exhaustive()
    }
}
