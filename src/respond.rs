//! From a Rocket request to its [`Answer`]: decided once per request, by the policy in force
//! when it is first asked, and kept in the request's local cache beside that policy when the
//! answer borrows from it (or when the preflight route decided, for `on_response` to write).

use std::sync::Arc;

use rocket::Request;
use rocket::http::Method;

use crate::policy::{Answer, CorsRequest, Field, Judgement, Policy, Ruling, Verdict, vary};
use crate::state::LiveState;

/// One request's decision: the policy that made it (the request's snapshot: one policy from
/// start to finish, however many reloads happen meanwhile) and what it ruled.
pub(crate) struct Decided {
    policy: Arc<Policy>,
    ruling: Ruling,
    /// The body of a refused preflight under `reject_disallowed`.
    rejection: Option<Box<str>>,
}

impl Decided {
    fn new(policy: Arc<Policy>, judgement: Judgement<'_>) -> Decided {
        let rejection = match judgement.verdict {
            Verdict::Refused(refusal) if judgement.ruling.is_preflight() => policy
                .rejects_disallowed()
                .then(|| format!("CORS preflight refused: {refusal}\n").into_boxed_str()),
            _ => None,
        };
        Decided { policy, ruling: judgement.ruling, rejection }
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether the request is a preflight the policy answers.
    pub(crate) fn is_preflight(&self) -> bool {
        self.ruling.is_preflight()
    }

    /// The 403 body of a refused preflight, when the policy rejects those.
    pub(crate) fn rejection(&self) -> Option<&str> {
        self.rejection.as_deref()
    }

    /// The answer to `request`, the request this decision was made for.
    fn answer<'r>(&'r self, request: &CorsRequest<'r>) -> Answer<'r> {
        self.policy.answer(self.ruling, request)
    }
}

/// The request's decision: the one it already has (a preflight's, made by the route), or
/// one made now with the policy in force and kept for the rest of the request.
pub(crate) fn decided<'r>(
    state: &LiveState,
    req: &'r Request<'_>,
    request: &CorsRequest<'_>,
) -> &'r Decided {
    req.local_cache(|| {
        let policy = state.current();
        let judgement = judge(&policy, request);
        Decided::new(policy, judgement)
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
    let judgement = judge(&current, request);
    match judgement.ruling.static_answer() {
        Ok(answer) => answer,
        Err(_) => {
            let decided = Decided::new(arc_swap::Guard::into_inner(current), judgement);
            req.local_cache(move || decided).answer(request)
        }
    }
}

/// Judges `request`, and logs why when it is refused: once per request, at debug level.
fn judge<'r>(policy: &Policy, request: &CorsRequest<'r>) -> Judgement<'r> {
    #[cfg(test)]
    tests::JUDGED.with(|judged| judged.set(judged.get() + 1));
    let judgement = policy.judge(request);
    if let Verdict::Refused(refusal) = judgement.verdict {
        log::debug!("CORS refused {} {}: {refusal}", request.method, request.path);
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
