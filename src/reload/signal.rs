//! SIGHUP, the operator's conventional "re-read your configuration".

/// A SIGHUP listener, or nothing where there are no Unix signals or the listener cannot be
/// installed. Created before the reloader task starts, so that a signal sent as soon as the
/// server is up is not missed.
pub(crate) struct Hangup {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangup {
    /// Listens for SIGHUP unless `claimed` (Rocket shuts down on it).
    pub(crate) fn listen(claimed: bool) -> Hangup {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if claimed {
                log::info!(
                    "CORS reload: SIGHUP is in Rocket's `shutdown.signals`; it shuts down, not reloads"
                );
                return Hangup { signal: None };
            }
            match signal(SignalKind::hangup()) {
                Ok(signal) => Hangup { signal: Some(signal) },
                Err(err) => {
                    log::warn!("CORS reload: cannot listen for SIGHUP: {err}");
                    Hangup { signal: None }
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = claimed;
            Hangup {}
        }
    }

    /// Resolves at the next SIGHUP; never, when not listening.
    pub(crate) async fn received(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = &mut self.signal
            && signal.recv().await.is_some()
        {
            return;
        }
        std::future::pending::<()>().await
    }
}
