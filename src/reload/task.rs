//! The reloader task: file events, the periodic check and SIGHUP each lead to one reload
//! attempt, run on a blocking thread so that no request ever waits for file I/O.

use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::reload_now;
use super::signal::Hangup;
use super::watcher::DirWatcher;
use crate::sources::Sources;
use crate::state::{LiveState, ReloadStatus, fingerprints};

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
        wake: Arc::new(Notify::new()),
        watcher: None,
        watcher_failed: !options.file_events,
        hangup: Hangup::listen(options.hangup_claimed),
        settle: Duration::ZERO,
        poll_every: None,
    };
    reloader.follow_settings(state);
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
    wake: Arc<Notify>,
    watcher: Option<DirWatcher>,
    /// The watcher could not start (or is not wanted); do not retry on every reload.
    watcher_failed: bool,
    hangup: Hangup,
    settle: Duration,
    poll_every: Option<Duration>,
}

enum Trigger {
    FileEvent,
    Poll,
    Hangup,
}

impl Reloader {
    async fn run(mut self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut next_poll = self.next_poll();
        loop {
            let trigger = tokio::select! {
                () = &mut stop => break,
                () = self.wake.notified() => Trigger::FileEvent,
                () = self.hangup.received() => Trigger::Hangup,
                () = sleep_until(next_poll) => Trigger::Poll,
            };
            match trigger {
                // Trailing edge: an editor's save is several events; read after the last.
                Trigger::FileEvent => {
                    loop {
                        tokio::select! {
                            () = &mut stop => return,
                            () = self.wake.notified() => continue,
                            () = tokio::time::sleep(self.settle) => break,
                        }
                    }
                    // The watch covers whole directories: a log file or an editor's swap
                    // file beside Rocket.toml must not cost a reload (nor, when the config
                    // is broken, let each logged error trigger the next attempt).
                    if !self.files_changed().await {
                        self.count_skipped();
                        continue;
                    }
                }
                Trigger::Poll => {
                    if !self.files_changed().await {
                        next_poll = self.next_poll();
                        continue;
                    }
                    log::debug!("CORS reload: the periodic check found a change");
                }
                Trigger::Hangup => log::info!("CORS reload: SIGHUP received"),
            }
            let Some(state) = self.state.upgrade() else { break };
            let sources = self.sources.clone();
            let Ok(state) = tokio::task::spawn_blocking(move || {
                reload_now(&state, &sources);
                state
            })
            .await
            else {
                break;
            };
            self.follow_settings(&state);
            next_poll = self.next_poll();
        }
    }

    /// Settle time, poll interval and watched directories as the policy in force says.
    fn follow_settings(&mut self, state: &LiveState) {
        let policy = state.load();
        let settings = policy.settings();
        self.settle = Duration::from_millis(settings.reload_settle_ms);
        if !settings.reload {
            // Dropping the watcher ends its thread.
            self.watcher = None;
            self.poll_every = None;
            return;
        }
        self.poll_every =
            (settings.reload_poll_ms > 0).then(|| Duration::from_millis(settings.reload_poll_ms));
        let files = state.checked_files();
        if self.watcher.is_none() && !self.watcher_failed {
            match DirWatcher::start(self.wake.clone()) {
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
        if let Some(watcher) = &mut self.watcher {
            watcher.watch_dirs_of(&files);
        }
    }

    fn next_poll(&self) -> Option<Instant> {
        self.poll_every.map(|every| Instant::now() + every)
    }

    fn count_skipped(&self) {
        if let Some(state) = self.state.upgrade() {
            state.count_skipped();
        }
    }

    /// Whether any file differs from its fingerprint at the last attempt.
    async fn files_changed(&self) -> bool {
        let Some(state) = self.state.upgrade() else { return false };
        tokio::task::spawn_blocking(move || {
            let known = state.known_fingerprints();
            fingerprints(known.iter().map(|(path, _)| path)) != known
        })
        .await
        .unwrap_or(false)
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
