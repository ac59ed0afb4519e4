//! [`CorsHandle`]: the running policy, as managed state.

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
    pub(crate) sources: Sources,
    pub(crate) status: watch::Sender<ReloadStatus>,
    /// The files the current policy was read from, and env-set keys; one reload at a time.
    pub(crate) last_load: Mutex<LastLoad>,
    /// The reloader task, awaited at shutdown so that no watcher outlives the server.
    pub(crate) reloader: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

#[derive(Debug, Default)]
pub(crate) struct LastLoad {
    pub(crate) files: Vec<std::path::PathBuf>,
    pub(crate) env_keys: Vec<(String, String)>,
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
        Arc::new(Shared {
            policy: ArcSwap::from_pointee(loaded.policy),
            sources,
            status,
            last_load: Mutex::new(last_load),
            reloader: Mutex::new(None),
        })
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
