//! [`CorsHandle`]: the running policy, as managed state.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tokio::sync::watch;

use crate::policy::Policy;
use crate::reload::{Fingerprints, MaskedKey, ReloadOutcome, ReloadStatus};
use crate::settings::Settings;
use crate::sources::{Loaded, Sources};

/// What the fairing, the preflight route, the reloader and the handle share.
pub(crate) struct Shared {
    pub(crate) policy: ArcSwap<Policy>,
    /// [`Policy::answers_every_origin_less_request_with_vary`] of a policy in force: true only
    /// while `policy` holds one it is true of (see [`Shared::install`]).
    origin_less_vary: AtomicBool,
    pub(crate) sources: Sources,
    pub(crate) status: watch::Sender<ReloadStatus>,
    /// What the last good load read (files, sources, fingerprints); one reload at a time.
    pub(crate) last_load: Mutex<LastLoad>,
    /// The reloader task, awaited at shutdown so that no watcher outlives the server.
    pub(crate) reloader: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

#[derive(Debug, Default)]
pub(crate) struct LastLoad {
    pub(crate) files: Vec<std::path::PathBuf>,
    /// Where each key of the current policy came from, for the banner and status pages.
    pub(crate) provenance: Vec<(&'static str, crate::error::Source)>,
    /// Fingerprints of the files, taken before the last attempt read them.
    pub(crate) fingerprints: Fingerprints,
    /// Files that had content at the last good load: missing or empty now is an error.
    pub(crate) required: Vec<std::path::PathBuf>,
    /// Keys set by environment variables, with what the files say about them.
    pub(crate) masked: Vec<MaskedKey>,
}

impl Shared {
    pub(crate) fn new(sources: Sources, loaded: Loaded) -> Arc<Shared> {
        let (status, _) = watch::channel(ReloadStatus::default());
        let last_load = LastLoad::first(&sources, &loaded);
        let origin_less_vary = loaded.policy.answers_every_origin_less_request_with_vary();
        Arc::new(Shared {
            origin_less_vary: AtomicBool::new(origin_less_vary),
            policy: ArcSwap::from_pointee(loaded.policy),
            sources,
            status,
            last_load: Mutex::new(last_load),
            reloader: Mutex::new(None),
        })
    }

    /// Puts `policy` in force. Callers hold the reload lock, so installs do not interleave.
    ///
    /// The flag is cleared before the swap and set after it: a request that reads it true
    /// answers as a policy in force at that moment would have, the old one or the new one.
    pub(crate) fn install(&self, policy: Policy) {
        let origin_less_vary = policy.answers_every_origin_less_request_with_vary();
        self.origin_less_vary.store(false, Ordering::SeqCst);
        self.policy.store(Arc::new(policy));
        self.origin_less_vary.store(origin_less_vary, Ordering::SeqCst);
    }

    /// Whether a request without `Origin` gets `Vary: Origin` alone from the policy in force.
    pub(crate) fn origin_less_answer_is_vary(&self) -> bool {
        self.origin_less_vary.load(Ordering::Acquire)
    }
}

/// The live CORS policy of a running Rocket, available as managed state.
///
/// ```no_run
/// use cors_fairing::CorsHandle;
/// use rocket::State;
///
/// #[rocket::post("/admin/cors/reload")]
/// fn reload(cors: &State<CorsHandle>) -> String {
///     format!("{:?}", cors.reload())
/// }
/// ```
#[derive(Clone)]
pub struct CorsHandle {
    shared: Arc<Shared>,
}

impl CorsHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        CorsHandle { shared }
    }

    /// The policy in force now. Requests already under way keep the one they started with.
    pub fn current(&self) -> Arc<Policy> {
        self.shared.policy.load_full()
    }

    /// The settings in force now.
    pub fn settings(&self) -> Settings {
        self.current().settings().clone()
    }

    /// Every setting in force now, with where its value came from: what an application's
    /// status page shows (see `examples/admin.rs`).
    pub fn effective_settings(&self) -> Vec<crate::EffectiveSetting> {
        // Under the reload lock, so the sources belong to the policy they describe.
        let last_load = self.shared.last_load.lock().unwrap_or_else(|p| p.into_inner());
        crate::EffectiveSetting::all(self.current().settings(), &last_load.provenance)
    }

    /// Reads every source again now; swaps the policy if it changed and is valid.
    pub fn reload(&self) -> ReloadOutcome {
        crate::reload::reload_now(&self.shared)
    }

    /// Reload counters, published after every attempt; `changed().await` waits for the next.
    pub fn status(&self) -> watch::Receiver<ReloadStatus> {
        self.shared.status.subscribe()
    }

    /// The files the current policy was read from (watched when `reload` is on).
    pub fn files(&self) -> Vec<std::path::PathBuf> {
        self.shared.last_load.lock().map(|l| l.files.clone()).unwrap_or_default()
    }
}

impl std::fmt::Debug for CorsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsHandle").field("sources", &self.shared.sources).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(settings: Settings) -> Policy {
        Policy::compile(&settings).expect("valid settings")
    }

    fn shared(settings: Settings) -> Arc<Shared> {
        let loaded =
            Loaded { policy: policy(settings.clone()), files: Vec::new(), provenance: Vec::new() };
        Shared::new(Sources::Settings(Box::new(settings)), loaded)
    }

    fn with_paths(paths: &[&str]) -> Settings {
        Settings { paths: paths.iter().map(|p| p.to_string()).collect(), ..Settings::default() }
    }

    #[test]
    fn the_origin_less_shortcut_follows_every_installed_policy() {
        let shared = shared(with_paths(&["/api/**"]));
        assert!(!shared.origin_less_answer_is_vary(), "an out-of-scope path gets no Vary");
        shared.install(policy(with_paths(&[])));
        assert!(shared.origin_less_answer_is_vary());
        shared.install(policy(with_paths(&["/health", "/**"])));
        assert!(shared.origin_less_answer_is_vary());
        shared.install(policy(Settings { always_send_headers: true, ..Settings::default() }));
        assert!(!shared.origin_less_answer_is_vary(), "verbatim mode writes every line");
        shared.install(policy(with_paths(&["/public/*"])));
        assert!(!shared.origin_less_answer_is_vary());
    }
}
