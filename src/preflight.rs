//! The catch-all `OPTIONS /<_..>` route that answers preflights.
//!
//! It ranks below every application route, so an application's own `OPTIONS` routes win
//! (and still get headers from the fairing). It forwards anything that is not a preflight
//! in scope, so such `OPTIONS` requests route as if it were not there.

use std::sync::Arc;

use rocket::http::{Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request, Response};

use crate::policy::Verdict;
use crate::request::cors_request;
use crate::respond::decide_and_keep;
use crate::state::LiveState;

/// Far below Rocket's default ranks (-12..=-1) and any rank an application picks by hand.
const PREFLIGHT_RANK: isize = 1_000_000;

#[derive(Clone)]
struct Preflight {
    state: Arc<LiveState>,
    /// An origin check is given.
    origin_check: bool,
}

pub(crate) fn route(state: Arc<LiveState>, origin_check: bool) -> Route {
    let preflight = Preflight { state, origin_check };
    let mut route = Route::ranked(PREFLIGHT_RANK, Method::Options, "/<_..>", preflight);
    route.name = Some("cors_fairing::preflight".into());
    route
}

#[rocket::async_trait]
impl Handler for Preflight {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        // Judged here, once: `on_response` writes the lines of the verdict kept.
        let request = cors_request(req);
        decide_and_keep(&self.state, self.origin_check, req, &request, |policy, verdict| {
            if !verdict.is_preflight() {
                return Outcome::forward(data, Status::NotFound);
            }
            match verdict {
                Verdict::Refused { refusal, .. } if policy.rejects_disallowed() => {
                    let why = refusal.describe(&request);
                    Outcome::from(
                        req,
                        (Status::Forbidden, format!("CORS preflight refused: {why}\n")),
                    )
                }
                _ => Outcome::Success(
                    Response::build().status(Status::new(policy.preflight_status())).finalize(),
                ),
            }
        })
    }
}
