//! Cross-origin protection on the Rocket side: the judgement the guards share, and, for
//! `cross_origin_protection = true`, the request hook that keeps a refused non-safe request
//! from its route.
//!
//! A fairing's response comes after the route has run, and a request hook cannot answer:
//! it can only change where the request goes. So the hook re-routes a refused request to a
//! route of its own that answers 403 with the reason (as rocket_cors does). It changes the
//! method to `TRACE` rather than the path, so that the CORS answer written on the 403 is the
//! one for the path the browser asked for; the route forwards any `TRACE` the hook did not
//! send, so an application's own `TRACE` routes keep working.
//!
//! Both the hook and the route exist only when a policy sets the key at launch: without it
//! requests pay nothing.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request};

use crate::handle::CorsHandle;
use crate::policy::{Protection, Site};

/// Above every rank an application picks (Rocket's defaults are -12..=-1): the re-routed
/// request must reach this route, whatever else could match.
const REFUSED_RANK: isize = -1_000_000;

/// Whether cross-origin protection refuses the request whose headers are `site`: `None`
/// when it passes, else the one-line reason. An origin the headers alone do not settle is
/// trusted when the policy that judges the path allows it (its lists, then the
/// application's origin check).
pub(crate) async fn refusal(
    handle: &CorsHandle,
    req: &Request<'_>,
    site: &Site<'_>,
) -> Option<String> {
    let refused = match site.protection() {
        Protection::Passes => return None,
        Protection::Refused(why) => why,
        Protection::IfAllowed(origin) => {
            let path = req.uri().path().as_str();
            if handle.origin_allowed_at(path, origin, req.rocket()).await {
                return None;
            }
            site.not_allowed()
        }
    };
    Some(format!("cross-origin request refused: {}", refused.describe(site)))
}

/// The request hook of `cross_origin_protection`.
pub(crate) struct Hook {
    handle: CorsHandle,
}

impl Hook {
    pub(crate) fn new(handle: CorsHandle) -> Hook {
        Hook { handle }
    }
}

/// The label of a refusal in the log lines, as in [`crate::Stats`].
const COUNTER: &str = "refused_cross_origin";

/// The reason the hook refused the request, kept for the 403 route; `None`: not refused.
struct Refused(Option<String>);

#[rocket::async_trait]
impl Fairing for Hook {
    fn info(&self) -> Info {
        Info { name: "CORS cross-origin protection", kind: Kind::Request }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        // The methods that must change nothing (RFC 9110, section 9.2.1) and that every
        // page may send anywhere; Go exempts these three too.
        if matches!(req.method(), Method::Get | Method::Head | Method::Options) {
            return;
        }
        // Boxed apart: the hook's own future stays small for the safe methods above, and
        // Rocket allocates and copies it on every request.
        Box::pin(self.protect(req)).await;
    }
}

impl Hook {
    /// Judges a non-safe request and sends a refused one to the 403 route.
    async fn protect(&self, req: &mut Request<'_>) {
        let path = req.uri().path().as_str();
        let (policy_name, log_refusals) = {
            let policies = self.handle.state().load();
            if !policies.protects_at(path) {
                return;
            }
            let policy = policies.for_path(path);
            (policy.name().map(str::to_string), policy.settings().log_refusals)
        };
        let site = crate::request::site(req);
        let Some(reason) = refusal(&self.handle, req, &site).await else { return };
        let state = self.handle.state();
        state.counters().record_cross_origin();
        let (method, uri) = (req.method(), req.uri());
        match (&policy_name, log_refusals) {
            // As every per-request line: through the one rate limit, the counter's label
            // last.
            (name, true) => state.log_limit().info(name.as_deref().unwrap_or(""), COUNTER, || {
                let policy = match name {
                    Some(name) => format!("policy `{name}`"),
                    None => "the base policy".to_string(),
                };
                format!("CORS refused {method} {uri} ({policy}): {reason} [{COUNTER}]")
            }),
            (None, false) => log::debug!("CORS refused {method} {uri}: {reason}"),
            (Some(name), false) => {
                log::debug!("CORS refused {method} {uri} (policy `{name}`): {reason}")
            }
        }
        req.local_cache(|| Refused(Some(reason)));
        req.set_method(Method::Trace);
    }
}

/// The 403 route the hook sends refused requests to.
pub(crate) fn route() -> Route {
    let mut route = Route::ranked(REFUSED_RANK, Method::Trace, "/<_..>", RefusedRoute);
    route.name = Some("cors_fairing::cross_origin_refused".into());
    route
}

#[derive(Clone)]
struct RefusedRoute;

#[rocket::async_trait]
impl Handler for RefusedRoute {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        match &req.local_cache(|| Refused(None)).0 {
            Some(reason) => Outcome::from(req, (Status::Forbidden, format!("{reason}\n"))),
            // A `TRACE` the client sent: route it as if this route were not there.
            None => Outcome::forward(data, Status::NotFound),
        }
    }
}
