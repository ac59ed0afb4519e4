//! The answers of the origin check, per origin: kept for a TTL, at most `capacity` of them,
//! and one call in flight per origin however many requests wait for it (single-flight).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

/// How long answers live, how many are kept (at least one), and how long a call may take:
/// read from the policies in force at each request, so a reload changes them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) ttl: Duration,
    pub(crate) capacity: usize,
    pub(crate) timeout: Duration,
}

/// One origin's answer: pending while the first caller runs the check, then settled with
/// the instant it was settled (for the TTL).
#[derive(Debug, Default)]
struct Slot {
    answer: OnceCell<(bool, Instant)>,
}

impl Slot {
    fn is_fresh(&self, ttl: Duration, now: Instant) -> bool {
        match self.answer.get() {
            None => true,
            Some((_, settled)) => now.duration_since(*settled) < ttl,
        }
    }
}

/// The cache. A [`std::sync::Mutex`] guards the map only for a look-up or an insert, never
/// across an await: the wait for a pending answer happens on the slot.
#[derive(Debug, Default)]
pub(crate) struct AnswerCache {
    slots: Mutex<HashMap<Box<str>, Arc<Slot>>>,
}

impl AnswerCache {
    fn slots(&self) -> MutexGuard<'_, HashMap<Box<str>, Arc<Slot>>> {
        // A panic while holding the lock leaves a consistent map: take it as is.
        self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A settled answer for `origin` younger than `ttl`, if any: the cheap path of a hit.
    pub(crate) fn peek(&self, origin: &str, ttl: Duration) -> Option<bool> {
        let slots = self.slots();
        let (allowed, settled) = *slots.get(origin)?.answer.get()?;
        (settled.elapsed() < ttl).then_some(allowed)
    }

    /// The answer for `origin`: the cached one while fresh, else `check()`'s, called by one
    /// caller while the others for the same origin wait for it.
    pub(crate) async fn get_or_check<F, Fut>(&self, origin: &str, limits: Limits, check: F) -> bool
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = bool>,
    {
        let slot = self.slot(origin, limits);
        let (allowed, _) = *slot
            .answer
            .get_or_init(|| async {
                let allowed = check().await;
                (allowed, Instant::now())
            })
            .await;
        allowed
    }

    /// The slot for `origin`: the fresh one, or a new, pending one in place of a stale one.
    fn slot(&self, origin: &str, limits: Limits) -> Arc<Slot> {
        let Limits { ttl, capacity, .. } = limits;
        let now = Instant::now();
        let mut slots = self.slots();
        if let Some(slot) = slots.get(origin).filter(|slot| slot.is_fresh(ttl, now)) {
            return slot.clone();
        }
        if !slots.contains_key(origin) && slots.len() >= capacity.max(1) {
            make_room(&mut slots, ttl, now, capacity.max(1));
        }
        let slot = Arc::new(Slot::default());
        slots.insert(origin.into(), slot.clone());
        slot
    }

    /// Drops every answer: the next request for any origin asks the check again.
    pub(crate) fn clear(&self) {
        self.slots().clear();
    }

    /// Drops the answer for one origin.
    pub(crate) fn forget(&self, origin: &str) {
        self.slots().remove(origin);
    }

    pub(crate) fn len(&self) -> usize {
        self.slots().len()
    }
}

/// Frees at least one place: drops the stale answers, else the oldest settled one (or, every
/// slot pending, any one; a pending slot dropped here still settles for its waiters). A
/// scan, but only when the cache is full.
fn make_room(
    slots: &mut HashMap<Box<str>, Arc<Slot>>,
    ttl: Duration,
    now: Instant,
    capacity: usize,
) {
    slots.retain(|_, slot| slot.is_fresh(ttl, now));
    if slots.len() < capacity {
        return;
    }
    let oldest = slots
        .iter()
        .filter_map(|(origin, slot)| slot.answer.get().map(|(_, settled)| (settled, origin)))
        .min()
        .map(|(_, origin)| origin.clone())
        .or_else(|| slots.keys().next().cloned());
    if let Some(origin) = oldest {
        slots.remove(&origin);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// The cache with the limits every call passes.
    struct Limited {
        cache: AnswerCache,
        limits: Limits,
    }

    impl Limited {
        fn peek(&self, origin: &str) -> Option<bool> {
            self.cache.peek(origin, self.limits.ttl)
        }

        async fn get_or_check<F, Fut>(&self, origin: &str, check: F) -> bool
        where
            F: FnOnce() -> Fut,
            Fut: Future<Output = bool>,
        {
            self.cache.get_or_check(origin, self.limits, check).await
        }
    }

    impl std::ops::Deref for Limited {
        type Target = AnswerCache;

        fn deref(&self) -> &AnswerCache {
            &self.cache
        }
    }

    fn cache(ttl_ms: u64, capacity: usize) -> Limited {
        let ttl = Duration::from_millis(ttl_ms);
        let limits = Limits { ttl, capacity, timeout: Duration::from_secs(1) };
        Limited { cache: AnswerCache::default(), limits }
    }

    #[tokio::test]
    async fn an_answer_is_kept_for_its_ttl() {
        let cache = cache(60_000, 10);
        let calls = AtomicUsize::new(0);
        for _ in 0..3 {
            let allowed = cache
                .get_or_check("https://a.example", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    true
                })
                .await;
            assert!(allowed);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.peek("https://a.example"), Some(true));
        assert_eq!(cache.peek("https://b.example"), None);
    }

    #[tokio::test]
    async fn a_stale_answer_is_asked_again() {
        let cache = cache(0, 10);
        let calls = AtomicUsize::new(0);
        for _ in 0..2 {
            cache
                .get_or_check("https://a.example", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    false
                })
                .await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(cache.peek("https://a.example"), None);
    }

    #[tokio::test]
    async fn the_size_is_bounded_and_the_oldest_goes_first() {
        let cache = cache(60_000, 2);
        for origin in ["https://a.example", "https://b.example", "https://c.example"] {
            cache.get_or_check(origin, || async { true }).await;
        }
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.peek("https://a.example"), None);
        assert_eq!(cache.peek("https://c.example"), Some(true));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_call_the_check_once() {
        let cache = Arc::new(cache(60_000, 10));
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (cache, calls) = (cache.clone(), calls.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_check("https://a.example", || async {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            true
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn forget_and_clear_drop_answers() {
        let cache = cache(60_000, 10);
        cache.get_or_check("https://a.example", || async { true }).await;
        cache.get_or_check("https://b.example", || async { true }).await;
        cache.forget("https://a.example");
        assert_eq!(cache.peek("https://a.example"), None);
        assert_eq!(cache.peek("https://b.example"), Some(true));
        cache.clear();
        assert_eq!(cache.len(), 0);
    }
}
