//! [`Decision`]: a verdict with the lines that write it, for code that asks the policies
//! about a request outside Rocket (the `explain` command, tests, benchmarks).

use super::judge::{Refusal, Verdict};
use super::lines::HeaderLines;

/// What the policies decided for one request ([`crate::policy::Policies::decide`]): the verdict,
/// the header lines to write, and which policy judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    pub(super) verdict: Verdict,
    pub(super) lines: HeaderLines<'a>,
    pub(super) policy: Option<&'a str>,
}

impl<'a> Decision<'a> {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Whether the request is a preflight the policy answers.
    pub fn is_preflight(&self) -> bool {
        self.verdict.is_preflight()
    }

    /// Whether the CORS headers are granted.
    pub fn is_allowed(&self) -> bool {
        self.verdict.is_allowed()
    }

    /// Why the request was refused, if it was ([`Refusal::describe`] says it in words).
    pub fn refusal(&self) -> Option<Refusal> {
        self.verdict.refusal()
    }

    /// The header lines to write; `Vary` is to be appended, the others set.
    pub fn lines(&self) -> HeaderLines<'a> {
        self.lines
    }

    /// The named policy that judged the request; `None` when the base did.
    pub fn policy(&self) -> Option<&'a str> {
        self.policy
    }
}
