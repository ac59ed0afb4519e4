//! Rendered header values kept for the rest of the process, so that an answer built from
//! them borrows nothing from the policies and need not keep them alive for the rest of the
//! request ([`super::Policy::static_lines`]). Bounded: a reload with the same values reuses
//! them, and beyond the bound values stay owned by their policy, whose answers then keep
//! the policies as before.

use std::fmt;
use std::ops::Deref;
use std::sync::{Mutex, PoisonError};

/// The most bytes of distinct values kept for the process's lifetime. Only a stream of
/// ever-new values fills it.
const MAX_BYTES: usize = 64 * 1024;

/// A rendered header value: interned when the bound allowed it, else owned.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Rendered {
    Interned(&'static str),
    Owned(Box<str>),
}

impl Rendered {
    pub(crate) fn new(value: String) -> Rendered {
        static TABLE: Mutex<(usize, Vec<&'static str>)> = Mutex::new((0, Vec::new()));
        let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
        let (used, values) = &mut *table;
        if let Some(&known) = values.iter().find(|known| **known == value) {
            return Rendered::Interned(known);
        }
        if *used + value.len() > MAX_BYTES {
            return Rendered::Owned(value.into_boxed_str());
        }
        *used += value.len();
        // Leaked on purpose, within the bound above: answers may carry it at any time.
        let kept: &'static str = Box::leak(value.into_boxed_str());
        values.push(kept);
        Rendered::Interned(kept)
    }

    /// The value, when it outlives every policy.
    pub(crate) fn interned(&self) -> Option<&'static str> {
        match self {
            Rendered::Interned(value) => Some(value),
            Rendered::Owned(_) => None,
        }
    }
}

impl Default for Rendered {
    fn default() -> Rendered {
        Rendered::Interned("")
    }
}

impl Deref for Rendered {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Rendered::Interned(value) => value,
            Rendered::Owned(value) => value,
        }
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_interned_once_within_the_bound() {
        let first = Rendered::new("X-Interned-Once".into()).interned();
        let again = Rendered::new("X-Interned-Once".into()).interned();
        assert!(first.is_some_and(|first| std::ptr::eq(first, again.unwrap())));
        let huge = Rendered::new("h".repeat(MAX_BYTES + 1));
        assert!(huge.interned().is_none());
        assert_eq!(huge.len(), MAX_BYTES + 1);
    }
}
