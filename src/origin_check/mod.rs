//! Origins decided by the application: an asynchronous check supplied in code, asked only
//! about well-formed origins the configured lists do not allow, its answers cached per
//! origin (TTL, bounded size, one call in flight per origin), failing closed.
//!
//! The fairing resolves the check in `on_request` (async) and keeps the answer in the
//! request's local cache, where the decision (synchronous, in `on_response` or the
//! preflight route) reads it. Without a check, no request hook is registered at all.

mod cache;

use std::collections::HashSet;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rocket::{Orbit, Request, Rocket};

use crate::policy::names::ORIGIN;
use crate::policy::{Listing, Policy};
use cache::{Limits, VerdictCache};

/// What a check returns: allowed or not, or an error (a refusal, logged and counted).
type CheckFuture = Pin<Box<dyn Future<Output = Result<bool, String>> + Send>>;
type CheckFn = dyn Fn(&str, &Rocket<Orbit>) -> CheckFuture + Send + Sync;

/// The application's origin check, as given to [`crate::CorsFairing::with_origin_check`].
#[derive(Clone)]
pub(crate) struct OriginCheck(Arc<CheckFn>);

impl OriginCheck {
    pub(crate) fn new<F, Fut, E>(check: F) -> Self
    where
        F: Fn(&str, &Rocket<Orbit>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, E>> + Send + 'static,
        E: Display + 'static,
    {
        OriginCheck(Arc::new(move |origin, rocket| {
            let answer = check(origin, rocket);
            Box::pin(async move { answer.await.map_err(|err| err.to_string()) })
        }))
    }
}

/// Counters of the origin check, from [`crate::CorsHandle::origin_check_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OriginCheckStats {
    /// Calls of the check (cache misses that ran it).
    pub calls: u64,
    /// Calls that failed: errored, panicked or timed out; each refused the origin.
    pub failures: u64,
    /// Answers in the cache now.
    pub cached: usize,
}

/// The check, its cache and its counters: one per fairing.
pub(crate) struct Checker {
    check: OriginCheck,
    cache: VerdictCache,
    timeout: Mutex<Duration>,
    calls: AtomicU64,
    failures: AtomicU64,
    /// Origins whose failure was logged: logged again only after an answer in between.
    logged: Mutex<HashSet<Box<str>>>,
    /// The policy the cache was filled under: another one in force (a reload) empties it.
    /// Held here, so that no other policy can have its address while it is.
    filled_under: Mutex<Option<Arc<Policy>>>,
    /// The address of `filled_under`: what every request compares, one atomic load.
    filled_under_at: AtomicUsize,
}

/// The check's settings: TTL, cache size and timeout.
pub(crate) fn limits_of(policy: &Policy) -> (Limits, Duration) {
    let settings = policy.settings();
    let limits = Limits {
        ttl: Duration::from_millis(settings.origin_check_ttl_ms),
        capacity: usize::try_from(settings.origin_check_cache_size).unwrap_or(usize::MAX),
    };
    (limits, Duration::from_millis(settings.origin_check_timeout_ms))
}

impl Checker {
    pub(crate) fn new(check: OriginCheck, policy: &Policy) -> Self {
        let (limits, timeout) = limits_of(policy);
        Checker {
            check,
            cache: VerdictCache::new(limits),
            timeout: Mutex::new(timeout),
            calls: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            logged: Mutex::default(),
            filled_under: Mutex::new(None),
            filled_under_at: AtomicUsize::new(0),
        }
    }

    /// Empties the cache when the policy in force is not the one it was filled under, and
    /// takes up that policy's limits.
    /// One pointer comparison while the policy stays.
    pub(crate) fn follow(&self, policy: &Arc<Policy>) {
        let at = Arc::as_ptr(policy) as usize;
        if self.filled_under_at.load(Ordering::Acquire) == at {
            return;
        }
        let mut filled_under =
            self.filled_under.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if filled_under.as_ref().is_some_and(|filled_under| Arc::ptr_eq(filled_under, policy)) {
            return;
        }
        let (limits, timeout) = limits_of(policy);
        *self.timeout.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = timeout;
        self.cache.set_limits(limits);
        *filled_under = Some(policy.clone());
        self.filled_under_at.store(at, Ordering::Release);
    }

    /// Whether the application allows `origin` (well-formed, not allowed by the lists).
    pub(crate) async fn allows(&self, origin: &str, rocket: &Rocket<Orbit>) -> bool {
        if let Some(allowed) = self.cache.peek(origin) {
            return allowed;
        }
        self.cache.get_or_check(origin, || self.call(origin, rocket)).await
    }

    /// One call of the check, on its own task (a panic stays there, and a request that
    /// goes away does not cancel the call others wait for), within the timeout.
    async fn call(&self, origin: &str, rocket: &Rocket<Orbit>) -> bool {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let timeout = *self.timeout.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let task = tokio::spawn((self.check.0)(origin, rocket));
        let abort = task.abort_handle();
        let failure = match tokio::time::timeout(timeout, task).await {
            Ok(Ok(Ok(allowed))) => {
                self.logged_set().remove(origin);
                return allowed;
            }
            Ok(Ok(Err(err))) => format!("failed: {err}"),
            Ok(Err(join)) if join.is_panic() => "panicked".to_string(),
            Ok(Err(_)) => "was cancelled".to_string(),
            Err(_) => {
                abort.abort();
                format!("took longer than origin_check_timeout_ms ({} ms)", timeout.as_millis())
            }
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut logged = self.logged_set();
        if logged.len() >= self.cache.limits().capacity.max(1) {
            logged.clear();
        }
        if logged.insert(origin.into()) {
            log::error!("CORS origin check for {origin:?} {failure}: the origin is refused");
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

    pub(crate) fn stats(&self) -> OriginCheckStats {
        OriginCheckStats {
            calls: self.calls.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            cached: self.cache.len(),
        }
    }
}

/// The check's answer for this request, kept by `on_request` for the decision.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CheckedOrigin(pub(crate) bool);

/// Whether `on_request` found the request's origin allowed by the check.
pub(crate) fn allowed_by_check(req: &Request<'_>) -> bool {
    req.local_cache(CheckedOrigin::default).0
}

/// Whether the live policy allows `origin`: its lists (those of the policy that judges
/// `path`, or the base's without one), else (well-formed) the check.
pub(crate) async fn origin_allowed(
    checker: Option<&Checker>,
    state: &crate::state::LiveState,
    path: Option<&str>,
    origin: &str,
    rocket: &Rocket<Orbit>,
) -> bool {
    let policy = state.load();
    let listing = match path {
        Some(path) => policy.policy_for(path).listing(origin),
        None => policy.listing(origin),
    };
    match listing {
        Listing::Listed => true,
        Listing::Malformed => false,
        Listing::Unlisted => {
            let Some(checker) = checker else { return false };
            checker.follow(&policy);
            drop(policy);
            checker.allows(origin, rocket).await
        }
    }
}

/// The request hook: a single, well-formed `Origin` on a request a policy judges by origin
/// (the named policy its path routes to, else the base within `paths`; not verbatim), that
/// this policy's lists do not allow, is put to the check, and an allowed one noted for the
/// decision. Elsewhere the decision never reads the answer, so the check is not asked.
///
/// A cached answer is looked up right after the exact origins: a hit is one look-up, and
/// the patterns and the shape check are paid on a miss.
pub(crate) async fn on_request(
    checker: Option<&Checker>,
    state: &crate::state::LiveState,
    req: &Request<'_>,
) {
    let Some(checker) = checker else { return };
    let Some(origin) = single_origin(req) else { return };
    let policy = state.load();
    let path = req.uri().path().as_str();
    if !policy.judges_origin_at(path) {
        return;
    }
    // The lists of the policy that judges the path (a named one, or the base).
    let judging = policy.policy_for(path);
    if judging.lists_exactly(origin) {
        return;
    }
    checker.follow(&policy);
    // A hit needs neither the patterns nor the shape check: only an origin that was
    // unlisted and well-formed under this very policy is ever cached (`follow` empties the
    // cache when another is in force), and an answer for an origin a named policy lists
    // by pattern is never read, the lists granting it first.
    let allowed = match checker.cache.peek(origin) {
        Some(allowed) => allowed,
        None if judging.listing(origin) != Listing::Unlisted => return,
        None => {
            drop(policy);
            checker.cache.get_or_check(origin, || checker.call(origin, req.rocket())).await
        }
    };
    if allowed {
        req.local_cache(|| CheckedOrigin(true));
    }
}

/// The request's `Origin` when it sent exactly one. A pass over the few headers a request
/// has, names compared length first: cheaper than the header map's look-up, which hashes
/// the name byte by byte (see `request::cors_request`).
fn single_origin<'r>(req: &'r Request<'_>) -> Option<&'r str> {
    let mut found = None;
    for header in req.headers().iter() {
        let name = header.name.as_str();
        if name.len() == ORIGIN.len() && name.eq_ignore_ascii_case(ORIGIN) {
            if found.is_some() {
                return None;
            }
            found = Some(header.value);
        }
    }
    match found? {
        std::borrow::Cow::Borrowed(value) => Some(value),
        // HeaderMap::iter lends every value; should that ever change, look it up.
        std::borrow::Cow::Owned(_) => req.headers().get_one(ORIGIN),
    }
}
