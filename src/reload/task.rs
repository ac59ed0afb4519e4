//! The reloader task: file events, the periodic check and SIGHUP each lead to one reload
//! attempt, run on a blocking thread so that no request ever waits for file I/O.
//!
//! One loop listens to everything at once, settling included: a SIGHUP or the periodic
//! check is serviced while file events are still settling, and stop ends the loop
//! whatever it is waiting for, a load on its blocking thread included (the thread is left
//! to finish on its own; the loop never waits for a read that may not return).
//!
//! Settling: an event that concerns a config file ([`super::relevant`]) starts or extends
//! the settle time, `reload_settle_ms` after the latest such event, but never beyond
//! [`MAX_WAIT_FACTOR`] times `reload_settle_ms` after the first: a file saved over and over
//! is still read at least that often.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::closing::Cause;
use super::reload_for;
use super::signal::Hangup;
use super::watcher::{DirWatcher, Wakeups};
use crate::sources::Sources;
use crate::state::{LiveState, ReloadStatus};

/// The longest a reload waits for file events to settle, in multiples of
/// `reload_settle_ms`, counted from the first event: the documented ceiling.
pub(crate) const MAX_WAIT_FACTOR: u32 = 4;

/// How the reloader learns of changes.
pub(crate) struct Options {
    /// Rocket shuts down on SIGHUP: leave it alone.
    pub(crate) hangup_claimed: bool,
    /// Watch the file system for events; off only to test the periodic check on its own.
    pub(crate) file_events: bool,
}

/// Starts the reloader of `state` from `sources`; it ends when `shutdown` resolves or when
/// the last handle on `state` is dropped (a local client dropped without `terminate()`).
///
/// The watcher and the SIGHUP listener are set up before this returns, so a change made
/// right after launch is seen.
pub(crate) fn start(
    state: &Arc<LiveState>,
    sources: Arc<Sources>,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    let mut reloader = Reloader {
        state: Arc::downgrade(state),
        sources,
        wakeups: Arc::new(Wakeups::default()),
        watcher: None,
        watcher_failed: !options.file_events,
        hangup: Hangup::listen(options.hangup_claimed),
        settle: Duration::ZERO,
        poll_every: None,
        files: Vec::new(),
    };
    reloader.follow_settings(state, state.checked_files());
    let state_dropped = state_dropped(state.status());
    tokio::spawn(reloader.run(async move {
        tokio::select! {
            () = shutdown => {}
            () = state_dropped => {}
        }
    }))
}

/// Resolves once the status sender, and so the whole [`LiveState`], is gone.
async fn state_dropped(mut status: watch::Receiver<ReloadStatus>) {
    while status.changed().await.is_ok() {}
}

struct Reloader {
    /// Weak, so that the reloader never keeps a dropped server's state alive.
    state: Weak<LiveState>,
    sources: Arc<Sources>,
    wakeups: Arc<Wakeups>,
    watcher: Option<DirWatcher>,
    /// The watcher could not start (or is not wanted); do not retry on every reload.
    watcher_failed: bool,
    hangup: Hangup,
    settle: Duration,
    poll_every: Option<Duration>,
    /// The files of the last attempt, which the watcher covers.
    files: Vec<std::path::PathBuf>,
}

enum Trigger {
    /// File events settled (or reached the ceiling).
    Settled,
    Poll,
    Hangup,
}

/// File events that concern a config file, waiting for quiet.
#[derive(Clone, Copy)]
struct Settling {
    first: Instant,
    deadline: Instant,
}

impl Reloader {
    async fn run(mut self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut next_poll = self.next_poll();
        let mut settling: Option<Settling> = None;
        loop {
            let trigger = tokio::select! {
                biased;
                () = &mut stop => break,
                () = self.hangup.received() => Trigger::Hangup,
                () = sleep_until(settling.map(|s| s.deadline)) => Trigger::Settled,
                () = sleep_until(next_poll) => Trigger::Poll,
                () = self.wakeups.relevant.notified() => {
                    settling = Some(self.settling(settling, Instant::now()));
                    continue;
                }
                () = self.wakeups.ignored.notified() => {
                    self.count_skipped(self.wakeups.take_ignored());
                    continue;
                }
            };
            let cause = match trigger {
                // Trailing edge: an editor's save is several events; read after the last.
                Trigger::Settled => {
                    settling = None;
                    // The events may have been a watched directory going or coming back.
                    let back = self.rearm();
                    match self.files_changed(stop.as_mut()).await {
                        None => break,
                        Some(true) => {}
                        Some(false) if back => {}
                        // An event that changed no file: a `touch`, a read that wrote nothing.
                        Some(false) => {
                            self.count_skipped(1);
                            continue;
                        }
                    }
                    Cause::FileChange
                }
                Trigger::Poll => {
                    let back = self.rearm();
                    match self.files_changed(stop.as_mut()).await {
                        None => break,
                        Some(false) if !back => {
                            next_poll = self.next_poll();
                            continue;
                        }
                        _ => {}
                    }
                    Cause::PeriodicCheck
                }
                // The attempt's own line says it came from the signal, and what it did.
                Trigger::Hangup => Cause::Hangup,
            };
            let Some(state) = self.state.upgrade() else { break };
            let sources = self.sources.clone();
            let load = blocking(stop.as_mut(), move || {
                reload_for(&state, &sources, cause);
                let files = state.checked_files();
                (state, files)
            });
            let Some((state, files)) = load.await else { break };
            self.follow_settings(&state, files);
            next_poll = self.next_poll();
        }
    }

    /// The settle deadline after an event at `now`: `reload_settle_ms` later, but no later
    /// than [`MAX_WAIT_FACTOR`] settle times after the first event still unread.
    fn settling(&self, current: Option<Settling>, now: Instant) -> Settling {
        let first = current.map_or(now, |s| s.first);
        let ceiling = first + self.settle * MAX_WAIT_FACTOR;
        Settling { first, deadline: (now + self.settle).min(ceiling) }
    }

    /// Settle time, poll interval and watched directories as the policy in force says.
    fn follow_settings(&mut self, state: &LiveState, files: Vec<std::path::PathBuf>) {
        let policy = state.load();
        let settings = policy.settings();
        self.settle = Duration::from_millis(settings.reload_settle_ms);
        self.files = files;
        if !settings.reload {
            // Dropping the watcher ends its thread.
            self.watcher = None;
            self.poll_every = None;
            return;
        }
        self.poll_every =
            (settings.reload_poll_ms > 0).then(|| Duration::from_millis(settings.reload_poll_ms));
        if self.watcher.is_none() && !self.watcher_failed {
            match DirWatcher::start(self.wakeups.clone()) {
                Ok(watcher) => self.watcher = Some(watcher),
                Err(err) => {
                    self.watcher_failed = true;
                    match self.poll_every {
                        Some(every) => log::warn!(
                            "CORS reload: cannot watch files ({err}); checking them every {} ms",
                            every.as_millis()
                        ),
                        None => log::warn!(
                            "CORS reload: cannot watch files ({err}) and `reload_poll_ms` = 0: \
                             only SIGHUP and CorsHandle::reload() will pick up changes"
                        ),
                    }
                }
            }
        }
        self.rearm();
    }

    /// Brings the watches up to date (a directory gone, replaced or back); whether a lost
    /// directory came back, which is worth a read even if no fingerprint moved.
    fn rearm(&mut self) -> bool {
        match &mut self.watcher {
            Some(watcher) => watcher.arm(&self.files),
            None => false,
        }
    }

    fn next_poll(&self) -> Option<Instant> {
        self.poll_every.map(|every| Instant::now() + every)
    }

    fn count_skipped(&self, events: u64) {
        if events > 0
            && let Some(state) = self.state.upgrade()
        {
            state.count_skipped(events);
        }
    }

    /// Whether any file differs from its fingerprint at the last attempt; `None` when
    /// `stop` came first.
    async fn files_changed(&self, stop: Pin<&mut impl Future<Output = ()>>) -> Option<bool> {
        let Some(state) = self.state.upgrade() else { return Some(false) };
        blocking(stop, move || state.files_changed()).await
    }
}

/// Runs `work` on a blocking thread and waits for it or for `stop`, whichever comes first:
/// `None` when `stop` did (the thread is left to finish on its own), or the runtime is
/// shutting down.
async fn blocking<T: Send + 'static>(
    stop: Pin<&mut impl Future<Output = ()>>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let work = tokio::task::spawn_blocking(work);
    tokio::select! {
        biased;
        () = stop => None,
        done = work => done.ok(),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Figment;
    use figment::providers::{Format, Toml};

    /// With file events off, only the periodic check can notice the edit.
    #[tokio::test]
    async fn the_periodic_check_picks_up_an_edit_without_the_watcher() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        let config = |origin: &str| {
            format!("[default.cors]\nallow_origin = \"{origin}\"\nreload_poll_ms = 10\n")
        };
        std::fs::write(&path, config("https://a.example")).unwrap();
        let file = path.clone();
        let sources =
            Sources::Figment(Arc::new(move || Figment::new().merge(Toml::file(&file).nested())));
        let state = crate::reload::launch(&sources, sources.load().unwrap());
        let options = Options { hangup_claimed: true, file_events: false };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = start(&state, Arc::new(sources), options, async move {
            let _ = stopped.await;
        });
        let mut status = state.status();
        std::fs::write(&path, config("https://b.example")).unwrap();
        let wait = status.wait_for(|s| s.generation == 1);
        tokio::time::timeout(Duration::from_secs(10), wait).await.unwrap().unwrap();
        assert_eq!(state.load().settings().allow_origin, ["https://b.example"]);
        stop.send(()).unwrap();
        task.await.unwrap();
    }
}
