//! The one rate limit on every line the crate writes per request (refusal lines, the
//! guard's refusals, the origin check's failures): a request is whatever a client sends, so without a limit a flood of
//! refusals from attacker-chosen origins would fill the disk.
//!
//! Limited per (policy, reason): a flood of bad origins under one policy cannot silence
//! the method refusals, nor another policy's lines. Each key may write [`PER_WINDOW`] lines
//! per [`WINDOW`]; lines beyond are counted, and the key's next line says how many were
//! suppressed. Keys come from the configuration (policy names) and the crate (reasons),
//! never from a request, so the table stays as small as the configuration.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a key's budget lasts.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);
/// Lines per key and window.
pub(crate) const PER_WINDOW: u32 = 20;

/// The answer for one line: write it (saying how many like it were suppressed before it),
/// or drop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    Write { suppressed: u64 },
    Suppress,
}

#[derive(Debug)]
struct Slot {
    window_start: Instant,
    written: u32,
    suppressed: u64,
}

/// Per-(policy, reason) budgets: by reason, then by policy name (looked up by `&str`, so a
/// written line allocates no key).
#[derive(Debug, Default)]
pub(crate) struct LogLimit {
    slots: Mutex<HashMap<&'static str, HashMap<Box<str>, Slot>>>,
}

impl LogLimit {
    /// Whether a line for `policy` and `reason` may be written at `now`.
    pub(crate) fn admit(&self, policy: &str, reason: &'static str, now: Instant) -> Admit {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let by_policy = slots.entry(reason).or_default();
        if !by_policy.contains_key(policy) {
            let fresh = Slot { window_start: now, written: 0, suppressed: 0 };
            by_policy.insert(policy.into(), fresh);
        }
        let Some(slot) = by_policy.get_mut(policy) else { return Admit::Suppress };
        if now.saturating_duration_since(slot.window_start) >= WINDOW {
            slot.window_start = now;
            slot.written = 0;
        }
        if slot.written >= PER_WINDOW {
            slot.suppressed += 1;
            return Admit::Suppress;
        }
        slot.written += 1;
        Admit::Write { suppressed: std::mem::take(&mut slot.suppressed) }
    }

    /// Writes `line()` at info level unless the key's budget is spent; the line is built
    /// only when written.
    pub(crate) fn info(&self, policy: &str, reason: &'static str, line: impl FnOnce() -> String) {
        self.log(log::Level::Info, policy, reason, line);
    }

    /// [`LogLimit::info`] at `level`.
    pub(crate) fn log(
        &self,
        level: log::Level,
        policy: &str,
        reason: &'static str,
        line: impl FnOnce() -> String,
    ) {
        if !log::log_enabled!(level) {
            return;
        }
        match self.admit(policy, reason, Instant::now()) {
            Admit::Suppress => {}
            Admit::Write { suppressed: 0 } => log::log!(level, "{}", line()),
            Admit::Write { suppressed } => log::log!(
                level,
                "{} ({suppressed} more like it suppressed: at most {PER_WINDOW} lines per \
                 policy and reason every {} s)",
                line(),
                WINDOW.as_secs()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_writes_its_budget_then_counts_and_reports_what_it_dropped() {
        let limit = LogLimit::default();
        let start = Instant::now();
        for _ in 0..PER_WINDOW {
            assert_eq!(limit.admit("", "origin", start), Admit::Write { suppressed: 0 });
        }
        for _ in 0..5 {
            assert_eq!(limit.admit("", "origin", start + WINDOW / 2), Admit::Suppress);
        }
        // Other keys have budgets of their own.
        assert_eq!(limit.admit("", "method", start), Admit::Write { suppressed: 0 });
        assert_eq!(limit.admit("partner", "origin", start), Admit::Write { suppressed: 0 });
        // The next window's first line says how many were dropped, once.
        assert_eq!(limit.admit("", "origin", start + WINDOW), Admit::Write { suppressed: 5 });
        assert_eq!(limit.admit("", "origin", start + WINDOW), Admit::Write { suppressed: 0 });
    }
}
