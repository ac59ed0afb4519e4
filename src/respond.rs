//! From a Rocket request to the lines written on its response: judged once per request, by
//! the policies in force when it is first asked, and kept in the request's local cache
//! beside those policies when the lines borrow from them (or when the preflight route
//! judged, for `on_response` to write).

use std::sync::Arc;

use rocket::Request;
use rocket::http::Method;

use crate::counters::Outcome;
use crate::error::escaped;
use crate::policy::names::{ORIGIN, VARY};
use crate::policy::vary;
use crate::policy::{CorsRequest, Echo, Field, Policies, Policy, PolicyId, Refusal, Verdict};
use crate::state::LiveState;

/// One request's verdict: the policies that gave it (the request's snapshot: one set from
/// start to finish, however many reloads happen meanwhile), the verdict, and which policy
/// of the set gave it. Sixteen bytes, like the bare snapshot in allocator terms: the
/// request's cache allocates it (see docs/performance.md, "One allocation per request").
struct Decided {
    policies: Arc<Policies>,
    verdict: Verdict,
    id: PolicyId,
}

const _: () = assert!(std::mem::size_of::<Decided>() <= 16);

impl Decided {
    /// Hands the lines for `request`, the request this verdict was given on, to `write`.
    fn write_lines<'r>(
        &'r self,
        request: &CorsRequest<'r>,
        write: impl FnMut(&'static str, &'r str),
    ) {
        self.policies.get(self.id).write_lines(self.verdict, request, write);
    }
}

/// The preflight route's verdict: judged with the policies in force, handed to `route` with
/// the policy that gave it, and kept for `on_response` to write. The route is the first to
/// judge (`on_response` runs after it), so what it keeps is what is written.
pub(crate) fn decide_and_keep<T>(
    state: &LiveState,
    origin_check: bool,
    req: &Request<'_>,
    request: &CorsRequest<'_>,
    route: impl FnOnce(&Policy, Verdict) -> T,
) -> T {
    let policies = state.current();
    let (verdict, id) = judge(state, origin_check, &policies, req, request);
    let outcome = route(policies.get(id), verdict);
    req.local_cache(move || Decided { policies, verdict, id });
    outcome
}

/// The request's verdict: the one it already has (a preflight's, given by the route), or
/// one given now with the policies in force and kept for the rest of the request.
fn decided<'r>(
    state: &LiveState,
    origin_check: bool,
    req: &'r Request<'_>,
    request: &CorsRequest<'_>,
) -> &'r Decided {
    req.local_cache(|| {
        let policies = state.current();
        let (verdict, id) = judge(state, origin_check, &policies, req, request);
        Decided { policies, verdict, id }
    })
}

/// Hands every line of the request's answer to `write`, in order.
pub(crate) fn answer<'r>(
    state: &LiveState,
    origin_check: bool,
    req: &'r Request<'_>,
    request: &CorsRequest<'r>,
    mut write: impl FnMut(&'static str, &'r str),
) {
    // Most requests are not cross-origin; under the usual policies their answer needs no
    // policy at all.
    if request.origin == Field::Absent && state.origin_less_answer_is_vary() {
        return write(VARY, vary::ACTUAL);
    }
    if req.method() == Method::Options {
        return decided(state, origin_check, req, request).write_lines(request, write);
    }
    // Outside preflights most answers are `Vary` alone, a static string: judge on a borrowed
    // guard, and keep the policies for the rest of the request (an allocation in the
    // request's cache) only when the lines borrow from them.
    let current = state.load();
    let (verdict, id) = judge(state, origin_check, &current, req, request);
    if let Some(lines) = current.get(id).static_lines(verdict) {
        return lines.write(request, write);
    }
    let policies = arc_swap::Guard::into_inner(current);
    let decided = req.local_cache(move || Decided { policies, verdict, id });
    decided.write_lines(request, write);
}

/// What the application's origin check said of this request's origin, noted by the
/// fairing's request hook for the verdict.
#[derive(Debug, Clone, Copy, Default)]
struct AllowedByCheck(bool);

/// Notes that the origin check allowed the request's origin.
pub(crate) fn note_allowed_by_check(req: &Request<'_>) {
    req.local_cache(|| AllowedByCheck(true));
}

/// Judges `request`, counts the verdict and logs why when it is refused: once per request.
/// An origin the lists refuse is allowed when the application's origin check (given:
/// `origin_check`) allowed it in the request hook; only then is the request's cache read.
fn judge(
    state: &LiveState,
    origin_check: bool,
    policies: &Policies,
    req: &Request<'_>,
    request: &CorsRequest<'_>,
) -> (Verdict, PolicyId) {
    #[cfg(test)]
    tests::JUDGED.with(|judged| judged.set(judged.get() + 1));
    let (mut verdict, id) = policies.judge(request);
    if let Verdict::Refused { refusal: Refusal::Origin, .. } = verdict
        && origin_check
        && req.local_cache(AllowedByCheck::default).0
    {
        verdict = policies.get(id).judge_checked(request);
    }
    if let Some(candidate) = policies.candidate(id) {
        let allowed_by_check = || origin_check && req.local_cache(AllowedByCheck::default).0;
        state.reports().judge(state.log_limit(), candidate, verdict, allowed_by_check, request);
    }
    state.counters().record(verdict, request.origin != Field::Absent);
    if let Verdict::Refused { refusal, .. } = verdict {
        log_refusal(state, policies.get(id), request, refusal);
    }
    (verdict, id)
}

/// Why `request` was refused: at info through the rate limit with `log_refusals`, else at
/// debug. The reason is the counter's label, so a line and the count it bumped agree.
fn log_refusal(state: &LiveState, policy: &Policy, request: &CorsRequest<'_>, refusal: Refusal) {
    if !policy.settings().log_refusals {
        let why = refusal.describe(request);
        match policy.name() {
            None => log::debug!("CORS refused {} {}: {why}", request.method, request.path),
            Some(name) => log::debug!(
                "CORS refused {} {} (policy `{name}`): {why}",
                request.method,
                request.path
            ),
        }
        return;
    }
    let reason = Outcome::of_refusal(refusal).label();
    let name = policy.name().unwrap_or("");
    state.log_limit().info(name, reason, || {
        let policy = match policy.name() {
            Some(name) => format!("policy `{}`", escaped(name)),
            None => "the base policy".to_string(),
        };
        let origin = match request.origin {
            Field::One(origin) => format!("origin {}", Echo(origin)),
            _ => format!("more than one {ORIGIN}"),
        };
        format!(
            "CORS refused {} {} ({policy}, {origin}): {} [{reason}]",
            request.method,
            request.path,
            refusal.describe(request)
        )
    });
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use rocket::http::{Header, Status};
    use rocket::local::blocking::Client;

    use crate::{CorsFairing, Settings};

    thread_local! {
        /// Judgements made on this thread: a blocking client runs the request on it.
        pub(super) static JUDGED: Cell<usize> = const { Cell::new(0) };
    }

    #[rocket::get("/items")]
    fn items() -> &'static str {
        "[]"
    }

    fn client(reject_disallowed: bool) -> Client {
        let fairing = CorsFairing::from_settings(Settings {
            allow_origin: vec!["https://app.example".into()],
            reject_disallowed,
            ..Settings::default()
        });
        let rocket = rocket::custom(rocket::Config::debug_default())
            .mount("/", rocket::routes![items])
            .attach(fairing);
        Client::tracked(rocket).expect("valid rocket")
    }

    /// Sends a preflight from `origin`; returns the status, `Access-Control-Allow-Origin`
    /// and how many judgements the request took.
    fn preflight(client: &Client, origin: &str) -> (Status, Option<String>, usize) {
        JUDGED.with(|judged| judged.set(0));
        let response = client
            .options("/items")
            .header(Header::new("Origin", origin.to_string()))
            .header(Header::new("Access-Control-Request-Method", "GET"))
            .dispatch();
        let allow_origin = response.headers().get_one("Access-Control-Allow-Origin");
        (response.status(), allow_origin.map(str::to_string), JUDGED.with(Cell::get))
    }

    #[test]
    fn a_preflight_is_judged_once_by_the_route_and_written_by_on_response() {
        let client = client(false);
        let allowed = preflight(&client, "https://app.example");
        assert_eq!(allowed, (Status::NoContent, Some("https://app.example".into()), 1));
        assert_eq!(preflight(&client, "https://evil.example"), (Status::NoContent, None, 1));
    }

    #[test]
    fn a_rejected_preflight_is_judged_once() {
        let client = client(true);
        assert_eq!(preflight(&client, "https://evil.example"), (Status::Forbidden, None, 1));
    }
}
