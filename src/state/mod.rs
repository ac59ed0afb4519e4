//! The live state: the policies in force, what the load that gave them read, and the
//! reload record. One owner, private fields, one writer ([`Attempt::install`]).
//!
//! Everything that runs while the server does reads from here: the fairing and the
//! preflight route (the policy and the Origin-less flag), [`crate::CorsHandle`] (the policy,
//! the last load, the status) and the reloader (all of it, one attempt at a time). Nothing
//! here knows Rocket.

mod file_stamp;
mod last_load;
mod status;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::{ArcSwap, Guard};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::counters::Counters;
use crate::log_limit::LogLimit;
use crate::policy::Policies;
use crate::report_only::Reports;

use file_stamp::refreshed;
pub(crate) use file_stamp::{FileStamps, stamps};
pub(crate) use last_load::{LastLoad, MaskedKey, NamedProvenance};
pub use status::{ReloadOutcome, ReloadStatus};

/// The one owner of what is live.
pub(crate) struct LiveState {
    /// Swapped as one: a reload changes all of them or none.
    policy: ArcSwap<Policies>,
    /// [`Policies::vary_only_without_origin`] of the set in force: true only while `policy`
    /// holds one it is true of. Only [`LiveState::new`] and [`Attempt::install`] write it,
    /// each together with `policy` (see docs/performance.md, "The Origin-less shortcut").
    origin_less_vary: AtomicBool,
    /// What the load of the policy in force read. Its lock is also the reload lock: one
    /// attempt at a time ([`LiveState::attempt`]).
    last_load: Mutex<LastLoad>,
    status: watch::Sender<ReloadStatus>,
    /// The reloader task, awaited at shutdown so that no watcher outlives the server.
    reloader: Mutex<Option<JoinHandle<()>>>,
    /// What the fairing answered, by outcome, across reloads.
    counters: Counters,
    /// The budget of the lines written per request, across reloads.
    log_limit: LogLimit,
    /// The fairing registered cross-origin protection's request hook at launch (a policy
    /// set the key then): a reload can turn the key on or off where it exists, not add it.
    protection_hooked: AtomicBool,
    /// What the report-only candidates would have answered differently.
    reports: Reports,
}

impl LiveState {
    /// The state at launch: `policy` in force, read by `last_load`, generation 0.
    pub(crate) fn new(policy: Policies, last_load: LastLoad) -> Arc<LiveState> {
        let (status, _) = watch::channel(ReloadStatus::default());
        let reports = Reports::default();
        reports.follow(&policy);
        Arc::new(LiveState {
            origin_less_vary: AtomicBool::new(policy.vary_only_without_origin()),
            policy: ArcSwap::from_pointee(policy),
            last_load: Mutex::new(last_load),
            status,
            reloader: Mutex::new(None),
            counters: Counters::new(),
            log_limit: LogLimit::default(),
            protection_hooked: AtomicBool::new(false),
            reports,
        })
    }

    /// The policy in force, borrowed for a moment: the cheapest read, for the hot path.
    pub(crate) fn load(&self) -> Guard<Arc<Policies>> {
        self.policy.load()
    }

    /// The policy in force, to keep (a request's snapshot, the handle's `current()`).
    pub(crate) fn current(&self) -> Arc<Policies> {
        self.policy.load_full()
    }

    /// The counters of what the fairing answered.
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The rate limit of every line written per request.
    pub(crate) fn log_limit(&self) -> &LogLimit {
        &self.log_limit
    }

    /// Notes that cross-origin protection's request hook is registered.
    pub(crate) fn set_protection_hooked(&self) {
        self.protection_hooked.store(true, Ordering::Relaxed);
    }

    /// The report-only candidates' summaries.
    pub(crate) fn reports(&self) -> &Reports {
        &self.reports
    }

    /// Whether a request without `Origin` gets `Vary: Origin` alone from the policy in force.
    pub(crate) fn origin_less_answer_is_vary(&self) -> bool {
        self.origin_less_vary.load(Ordering::Acquire)
    }

    /// The policy in force with what its load read (sources, warnings, files), read
    /// together (under the reload lock, so they belong to the policy they describe).
    pub(crate) fn with_last_load<T>(&self, f: impl FnOnce(&Arc<Policies>, &LastLoad) -> T) -> T {
        let last_load = lock(&self.last_load);
        f(&self.policy.load_full(), &last_load)
    }

    /// The files to stamp, and their stamps at the last attempt.
    pub(crate) fn known_stamps(&self) -> FileStamps {
        lock(&self.last_load).stamps.clone()
    }

    /// Whether any file differs from its stamp at the last attempt (the periodic
    /// check). When none does, the stamps just taken are kept in their place: they
    /// say which files have now settled, and need not be read again while they stay.
    pub(crate) fn files_changed(&self) -> bool {
        let known = self.known_stamps();
        let now = refreshed(&known);
        if now != known {
            return true;
        }
        let mut last_load = lock(&self.last_load);
        // Unless an attempt recorded others meanwhile.
        if last_load.stamps == known {
            last_load.stamps = now;
        }
        false
    }

    /// Files the watcher should watch: those read last time and those that must not vanish.
    pub(crate) fn checked_files(&self) -> Vec<PathBuf> {
        lock(&self.last_load).checked_files()
    }

    /// Starts a reload attempt; blocks while another one runs.
    pub(crate) fn attempt(&self) -> Attempt<'_> {
        let last_load = lock(&self.last_load);
        let generation = self.status.borrow().generation;
        Attempt { state: self, last_load, generation }
    }

    /// The reload record, published after every attempt.
    pub(crate) fn status(&self) -> watch::Receiver<ReloadStatus> {
        self.status.subscribe()
    }

    /// File events that changed none of the config files: no attempt was made.
    pub(crate) fn count_skipped(&self, events: u64) {
        self.status.send_modify(|status| status.skipped += events);
    }

    /// Keeps the reloader task, for [`LiveState::take_reloader`] at shutdown.
    pub(crate) fn set_reloader(&self, task: JoinHandle<()>) {
        *lock(&self.reloader) = Some(task);
    }

    pub(crate) fn take_reloader(&self) -> Option<JoinHandle<()>> {
        lock(&self.reloader).take()
    }
}

/// One reload attempt, holding the reload lock from start to finish.
pub(crate) struct Attempt<'s> {
    state: &'s LiveState,
    last_load: MutexGuard<'s, LastLoad>,
    /// The generation in force, one more after [`Attempt::install`].
    generation: u64,
}

impl Attempt<'_> {
    /// What the load of the policy in force read.
    pub(crate) fn last_load(&self) -> &LastLoad {
        &self.last_load
    }

    /// The policy in force.
    pub(crate) fn current(&self) -> Guard<Arc<Policies>> {
        self.state.policy.load()
    }

    /// Whether cross-origin protection's request hook was registered at launch.
    pub(crate) fn protection_hooked(&self) -> bool {
        self.state.protection_hooked.load(Ordering::Relaxed)
    }

    /// The report-only candidates' summaries.
    pub(crate) fn reports(&self) -> &Reports {
        &self.state.reports
    }

    /// The files were read but gave no good policy: remember how they looked, so that the
    /// periodic check does not retry until they change again.
    pub(crate) fn remember_stamps(&mut self, stamps: FileStamps) {
        self.last_load.stamps = stamps;
    }

    /// The files gave the policy in force again (perhaps with other warnings or sources).
    pub(crate) fn keep(&mut self, load: LastLoad) {
        *self.last_load = load;
    }

    /// Puts `policy`, read by `load`, in force; returns its generation, which the set
    /// carries (what follows the policy in force, the origin check's cache, compares it).
    ///
    /// The only writer of the policy and the flag. The flag is cleared before the swap and
    /// set after it: a request that reads it true answers as a policy in force at that
    /// moment would have, the old one or the new one.
    pub(crate) fn install(&mut self, mut policy: Policies, load: LastLoad) -> u64 {
        self.generation += 1;
        policy.set_generation(self.generation);
        let origin_less_vary = policy.vary_only_without_origin();
        let state = self.state;
        // Before the swap: a request judged by the new set finds its candidates' summaries.
        state.reports.follow(&policy);
        state.origin_less_vary.store(false, Ordering::SeqCst);
        state.policy.store(Arc::new(policy));
        state.origin_less_vary.store(origin_less_vary, Ordering::SeqCst);
        *self.last_load = load;
        self.generation
    }

    /// Publishes what the attempt did, then lets the next attempt start.
    pub(crate) fn finish(self, outcome: &ReloadOutcome) {
        self.state.status.send_modify(|status| status.record(outcome, self.generation));
    }
}

/// The one way a lock is taken: a panic while one was held (a bug, never a bad config)
/// leaves at worst a stale last load, which the next attempt overwrites; refusing every
/// later reload and status read over it would be worse.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn policy(settings: Settings) -> Policies {
        Policies::compile(&settings).expect("valid settings")
    }

    fn with_paths(paths: &[&str]) -> Settings {
        Settings { paths: paths.iter().map(|p| p.to_string()).collect(), ..Settings::default() }
    }

    fn install(state: &LiveState, settings: Settings) {
        let mut attempt = state.attempt();
        let generation = attempt.install(policy(settings), LastLoad::default());
        attempt.finish(&ReloadOutcome::Swapped { generation });
    }

    #[test]
    fn the_origin_less_shortcut_follows_every_installed_policy() {
        let state = LiveState::new(policy(with_paths(&["/api/**"])), LastLoad::default());
        assert!(!state.origin_less_answer_is_vary(), "an out-of-scope path gets no Vary");
        install(&state, with_paths(&[]));
        assert!(state.origin_less_answer_is_vary());
        install(&state, with_paths(&["/health", "/**"]));
        assert!(state.origin_less_answer_is_vary());
        install(&state, Settings { always_send_headers: true, ..Settings::default() });
        assert!(!state.origin_less_answer_is_vary(), "verbatim mode writes every line");
        install(&state, with_paths(&["/public/*"]));
        assert!(!state.origin_less_answer_is_vary());
        assert_eq!(state.status().borrow().generation, 4);
    }

    #[test]
    fn an_attempt_that_installs_nothing_keeps_the_generation() {
        let state = LiveState::new(policy(with_paths(&[])), LastLoad::default());
        install(&state, with_paths(&["/api/**"]));
        let attempt = state.attempt();
        attempt.finish(&ReloadOutcome::Unchanged);
        let status = state.status().borrow().clone();
        assert_eq!((status.generation, status.attempts, status.swaps), (1, 2, 1));
    }

    #[test]
    fn a_poisoned_lock_does_not_stop_later_reads_or_attempts() {
        let state = LiveState::new(policy(with_paths(&[])), LastLoad::default());
        let poisoner = state.clone();
        let _ = std::thread::spawn(move || {
            let _attempt = poisoner.attempt();
            panic!("a bug in the middle of an attempt");
        })
        .join();
        assert!(state.last_load.is_poisoned());
        assert!(state.with_last_load(|_, load| load.files.is_empty()));
        install(&state, with_paths(&["/api/**"]));
        assert_eq!(state.status().borrow().generation, 1);
    }
}
