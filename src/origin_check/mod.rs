//! Origins decided by the application: an asynchronous check supplied in code, asked only
//! about well-formed origins the configured lists do not allow, its answers cached per
//! origin (TTL, bounded size, one call in flight per origin), failing closed.
//!
//! The fairing resolves the check in its request hook (async) and keeps the answer in the
//! request's local cache, where the verdict (synchronous, in `on_response` or the preflight
//! route) reads it. Without a check, no request hook is registered at all.
//!
//! Nothing here knows Rocket: the check is given a context `C` (the fairing passes the
//! running Rocket) that this module only hands on.

mod cache;
#[cfg(feature = "metrics")]
mod published;

use std::collections::HashSet;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::policy::{Policies, Policy, Refusal};
use crate::state::LiveState;
use cache::{AnswerCache, Limits};

/// What a check returns: allowed or not, or an error (a refusal, logged and counted).
type CheckFuture = Pin<Box<dyn Future<Output = Result<bool, String>> + Send>>;
type CheckFn<C> = dyn Fn(&str, &C) -> CheckFuture + Send + Sync;

/// The application's origin check, as given to [`crate::CorsFairing::with_origin_check`],
/// asked with a context `C` (the running Rocket).
pub(crate) struct OriginCheck<C>(Arc<CheckFn<C>>);

impl<C> Clone for OriginCheck<C> {
    fn clone(&self) -> Self {
        OriginCheck(self.0.clone())
    }
}

impl<C: 'static> OriginCheck<C> {
    pub(crate) fn new<F, Fut, E>(check: F) -> Self
    where
        F: Fn(&str, &C) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, E>> + Send + 'static,
        E: Display + 'static,
    {
        OriginCheck(Arc::new(move |origin, context| {
            let answer = check(origin, context);
            Box::pin(async move { answer.await.map_err(|err| err.to_string()) })
        }))
    }
}

/// What the check has done, for [`crate::Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CheckStats {
    pub(crate) calls: u64,
    pub(crate) failures: u64,
    pub(crate) cached: usize,
}

/// The check, its cache and its counters: one per fairing.
pub(crate) struct Checker<C> {
    check: OriginCheck<C>,
    cache: AnswerCache,
    calls: AtomicU64,
    failures: AtomicU64,
    /// Origins whose failure was logged: logged again only after an answer in between.
    logged: Mutex<HashSet<Box<str>>>,
    /// The generation of the newest policies the cache has seen: a newer one in force (a
    /// reload) empties it. One atomic load per request while the policies stay.
    seen: AtomicU64,
}

/// The check's settings in `policies`: TTL, cache size and timeout.
fn limits_of(policies: &Policies) -> Limits {
    let settings = policies.settings();
    Limits {
        ttl: Duration::from_millis(settings.origin_check_ttl_ms),
        capacity: usize::try_from(settings.origin_check_cache_size).unwrap_or(usize::MAX).max(1),
        timeout: Duration::from_millis(settings.origin_check_timeout_ms),
    }
}

impl<C: Sync + 'static> Checker<C> {
    pub(crate) fn new(check: OriginCheck<C>) -> Self {
        #[cfg(feature = "metrics")]
        published::describe();
        Checker {
            check,
            cache: AnswerCache::default(),
            calls: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            logged: Mutex::default(),
            seen: AtomicU64::new(0),
        }
    }

    /// Empties the cache when `policies` are newer than any it has seen, and gives their
    /// limits. What changes only on a swap is read from the policies in hand.
    fn follow(&self, policies: &Policies) -> Limits {
        let generation = policies.generation();
        if self.seen.load(Ordering::Acquire) < generation
            && self.seen.fetch_max(generation, Ordering::AcqRel) < generation
        {
            self.cache.clear();
        }
        limits_of(policies)
    }

    /// Whether the application allows `origin` (well-formed, not allowed by the lists).
    async fn allows(&self, origin: &str, context: &C, limits: Limits, state: &LiveState) -> bool {
        if let Some(allowed) = self.cache.peek(origin, limits.ttl) {
            return allowed;
        }
        let call = || self.call(origin, context, limits, state);
        self.cache.get_or_check(origin, limits, call).await
    }

    /// One call of the check, on its own task (a panic stays there, and a request that
    /// goes away does not cancel the call others wait for), within the timeout.
    async fn call(&self, origin: &str, context: &C, limits: Limits, state: &LiveState) -> bool {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let timeout = limits.timeout;
        let task = tokio::spawn((self.check.0)(origin, context));
        let abort = task.abort_handle();
        let (timed_out, failure) = match tokio::time::timeout(timeout, task).await {
            Ok(Ok(Ok(allowed))) => {
                #[cfg(feature = "metrics")]
                published::called(published::Call::Answered);
                self.logged_set().remove(origin);
                return allowed;
            }
            Ok(Ok(Err(err))) => (false, format!("failed: {err}")),
            Ok(Err(join)) if join.is_panic() => (false, "panicked".to_string()),
            Ok(Err(_)) => (false, "was cancelled".to_string()),
            Err(_) => {
                abort.abort();
                let ms = timeout.as_millis();
                (true, format!("took longer than origin_check_timeout_ms ({ms} ms)"))
            }
        };
        #[cfg(feature = "metrics")]
        published::called(if timed_out {
            published::Call::TimedOut
        } else {
            published::Call::Failed
        });
        #[cfg(not(feature = "metrics"))]
        let _ = timed_out;
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut logged = self.logged_set();
        if logged.len() >= limits.capacity {
            logged.clear();
        }
        if logged.insert(origin.into()) {
            // Origins are attacker-chosen: during an outage each new one fails once.
            let line =
                || format!("CORS origin check for {origin:?} {failure}: the origin is refused");
            state.log_limit().log(log::Level::Error, "", "origin_check_failure", line);
        }
        false
    }

    fn logged_set(&self) -> std::sync::MutexGuard<'_, HashSet<Box<str>>> {
        self.logged.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn forget_all(&self) {
        self.cache.clear();
    }

    pub(crate) fn forget(&self, origin: &str) {
        self.cache.forget(origin);
    }

    pub(crate) fn stats(&self) -> CheckStats {
        CheckStats {
            calls: self.calls.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            cached: self.cache.len(),
        }
    }
}

/// Whether the live policies allow `origin`: the lists of the policy that judges `path`
/// (the base's without one), else (a well-formed origin) the check. What the guards ask.
pub(crate) async fn origin_allowed<C: Sync + 'static>(
    checker: Option<&Checker<C>>,
    state: &LiveState,
    path: Option<&str>,
    origin: &str,
    context: &C,
) -> bool {
    let policies = state.load();
    let policy = match path {
        Some(path) => policies.for_path(path),
        None => policies.base(),
    };
    match policy.cors_check(origin) {
        Ok(_) => true,
        Err(refusal) if !is_put_to_check(refusal, origin) => false,
        Err(_) => {
            let Some(checker) = checker else { return false };
            let limits = checker.follow(&policies);
            drop(policies);
            checker.allows(origin, context, limits, state).await
        }
    }
}

/// Whether the check allows the `origin` of a request for `path` that the lists of the
/// policy judging it, or of that policy's report-only candidate, refuse: the request hook's
/// question. `false` where no verdict reads the answer (no policy judges the path by
/// origin, or the lists of both allow it), so the check is not asked there.
///
/// The candidate is judged with the same answer as its policy (issue 25): an origin the
/// candidate drops from its lists but the application allows is no difference.
///
/// A cached answer is looked up right after the exact origins: a hit is one look-up, and
/// the patterns and the shape check are paid on a miss.
pub(crate) async fn allows_request<C: Sync + 'static>(
    checker: &Checker<C>,
    state: &LiveState,
    path: &str,
    origin: &str,
    context: &C,
) -> bool {
    let policies = state.load();
    // The lists of the policy that judges the path (a named one, or the base), and of its
    // candidate: routed once.
    let Some(id) = policies.judging_origin_at(path) else {
        return false;
    };
    let (judging, candidate) = (policies.get(id), policies.candidate(id).map(|c| &c.policy));
    if judging.contains_exact(origin) && candidate.is_none_or(|c| c.contains_exact(origin)) {
        return false;
    }
    let limits = checker.follow(&policies);
    // A hit needs neither the patterns nor the shape check: only an origin that was
    // refused and well-formed under these very policies (or their candidates) is ever
    // cached (`follow` empties the cache when newer ones are in force), and an answer for
    // an origin the lists allow is never read, the lists granting it first.
    match checker.cache.peek(origin, limits.ttl) {
        Some(allowed) => allowed,
        None if !refused_and_checkable(judging, origin)
            && !candidate.is_some_and(|c| refused_and_checkable(c, origin)) =>
        {
            false
        }
        None => {
            drop(policies);
            let call = || checker.call(origin, context, limits, state);
            checker.cache.get_or_check(origin, limits, call).await
        }
    }
}

fn refused_and_checkable(policy: &Policy, origin: &str) -> bool {
    matches!(policy.cors_check(origin), Err(refusal) if is_put_to_check(refusal, origin))
}

/// Only a well-formed origin the lists refuse is put to the check: never a malformed one,
/// nor `null` (sandboxed frames, `data:` URLs: no one's origin).
fn is_put_to_check(refusal: Refusal, origin: &str) -> bool {
    refusal == Refusal::Origin && origin != "null"
}
