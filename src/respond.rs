//! From a Rocket request to its [`Answer`]: decided once per request, by the policy in force
//! when it is first asked, and kept in the request's local cache beside that policy when the
//! answer borrows from it (or when the preflight route decided, for `on_response` to write).

use std::sync::Arc;

use rocket::Request;
use rocket::http::Method;

use crate::policy::{
    Answer, CorsRequest, Field, Judgement, Policy, PolicyId, Refusal, Ruling, Verdict, vary,
};
use crate::state::LiveState;

/// One request's decision: the policy that made it (the request's snapshot: one policy from
/// start to finish, however many reloads happen meanwhile) and what it ruled. Sixteen bytes,
/// like the bare snapshot in allocator terms: the request's cache allocates it.
struct Decided {
    policy: Arc<Policy>,
    ruling: Ruling,
    /// Which policy of the set made the ruling (the base or a named one).
    chosen: PolicyId,
}

// The cache's allocation stays in the allocator's smallest chunk.
const _: () = assert!(std::mem::size_of::<Decided>() <= 16);

impl Decided {
    /// The answer to `request`, the request this decision was made for.
    fn answer<'r>(&'r self, request: &CorsRequest<'r>) -> Answer<'r> {
        self.policy.chosen(self.chosen).answer(self.ruling, request)
    }
}

/// The preflight route's decision: judged with the policy in force, handed to `route` for
/// the route's outcome, and kept for `on_response` to write. The route is the first to
/// decide (`on_response` runs after it), so what it keeps is what is written.
pub(crate) fn decide_and_keep<T>(
    state: &LiveState,
    req: &Request<'_>,
    request: &CorsRequest<'_>,
    route: impl FnOnce(&Policy, &Judgement<'_>) -> T,
) -> T {
    let policy = state.current();
    let judgement = judge(state, &policy, req, request);
    let outcome = route(policy.chosen(judgement.policy), &judgement);
    let (ruling, chosen) = (judgement.ruling, judgement.policy);
    req.local_cache(move || Decided { policy, ruling, chosen });
    outcome
}

/// The request's decision: the one it already has (a preflight's, made by the route), or
/// one made now with the policy in force and kept for the rest of the request.
fn decided<'r>(state: &LiveState, req: &'r Request<'_>, request: &CorsRequest<'_>) -> &'r Decided {
    req.local_cache(|| {
        let policy = state.current();
        let judgement = judge(state, &policy, req, request);
        Decided { policy, ruling: judgement.ruling, chosen: judgement.policy }
    })
}

/// What `on_response` writes.
pub(crate) fn answer<'r>(
    state: &LiveState,
    req: &'r Request<'_>,
    request: &CorsRequest<'r>,
) -> Answer<'r> {
    // Most requests are not cross-origin; under the usual policy their answer needs no
    // policy at all.
    if request.origin == Field::Absent && state.origin_less_answer_is_vary() {
        return Answer::Vary(vary::ACTUAL);
    }
    if req.method() == Method::Options {
        return decided(state, req, request).answer(request);
    }
    // Outside preflights most answers are `Vary` alone, a static string: judge on a borrowed
    // guard, and keep the policy for the rest of the request (an allocation in the
    // request's cache) only when the lines borrow from it.
    let current = state.load();
    let judgement = judge(state, &current, req, request);
    match judgement.ruling.static_answer() {
        Ok(answer) => answer,
        Err(_) => {
            let decided = Decided {
                policy: arc_swap::Guard::into_inner(current),
                ruling: judgement.ruling,
                chosen: judgement.policy,
            };
            req.local_cache(move || decided).answer(request)
        }
    }
}

/// Judges `request`, counts the verdict and logs why when it is refused: once per request.
/// An origin the lists refuse is granted when the application's origin check allowed it
/// in `on_request` (only then is the request's cache read).
fn judge<'r>(
    state: &LiveState,
    policy: &Policy,
    req: &Request<'_>,
    request: &CorsRequest<'r>,
) -> Judgement<'r> {
    #[cfg(test)]
    tests::JUDGED.with(|judged| judged.set(judged.get() + 1));
    let mut judgement = policy.judge(request);
    if let Verdict::Refused(Refusal::Origin(_)) = judgement.verdict
        && crate::origin_check::allowed_by_check(req)
    {
        judgement = policy.grant_checked(judgement, request);
    }
    let origin_sent = request.origin != Field::Absent;
    state.counters().record(judgement.verdict, judgement.ruling.is_preflight(), origin_sent);
    if let Verdict::Refused(refusal) = judgement.verdict {
        match policy.chosen(judgement.policy).name() {
            None => log::debug!("CORS refused {} {}: {refusal}", request.method, request.path),
            Some(name) => log::debug!(
                "CORS refused {} {} (policy `{name}`): {refusal}",
                request.method,
                request.path
            ),
        }
    }
    judgement
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
