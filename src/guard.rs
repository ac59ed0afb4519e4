//! The policy as a request guard: browsers apply no CORS to WebSocket handshakes nor to
//! form posts, so those routes check `Origin` themselves, against the same live policy.

use std::fmt;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder};
use rocket::{Ignite, Rocket, Sentinel};

use crate::CorsHandle;
use crate::policy::Field;
use crate::policy::names::ORIGIN;

/// A request guard that passes when the request comes from the server's own origin, from
/// an origin the live policy allows, or from no browser: cross-origin protection, by the
/// algorithm of Go 1.25's `CrossOriginProtection`, for every method (a WebSocket handshake
/// is a `GET`). It passes when any of these holds:
///
/// - `Origin` is allowed by the policy that judges the path: its lists (after any reload),
///   then the application's origin check;
/// - `Sec-Fetch-Site` is `same-origin` or `none` (the app's own pages, a typed URL);
/// - neither `Sec-Fetch-Site` nor `Origin` was sent (a non-browser client);
/// - no `Sec-Fetch-Site`, and the host and port of `Origin` are those of `Host`.
///
/// Everything else fails with 403 Forbidden and an [`OriginRefused`] saying why in one
/// line, `Sec-Fetch-Site: same-site` included (a sibling subdomain is another origin). So
/// the app's own same-origin form posts pass without listing the app's origin.
/// [`OriginRequired`] also refuses a request without exactly one `Origin`. A route that
/// takes either while no [`crate::CorsFairing`] is attached stops the launch (it is a
/// Rocket [`Sentinel`]).
///
/// A state-changing form endpoint: browsers send a cross-site form post without any CORS
/// check, so the route refuses one from an origin the policy does not allow (403). To
/// protect every non-safe route of a policy at once, set `cross_origin_protection = true`
/// instead.
///
/// ```
/// use cors_fairing::OriginRequired;
/// use rocket::form::Form;
///
/// #[derive(rocket::FromForm)]
/// struct Transfer {
///     to: String,
///     amount: u64,
/// }
///
/// // `OriginRequired`: a post without `Origin` is refused too.
/// #[rocket::post("/transfer", data = "<transfer>")]
/// fn transfer(_origin: OriginRequired, transfer: Form<Transfer>) -> String {
///     format!("moved {} to {}", transfer.amount, transfer.to)
/// }
/// # let _ = rocket::routes![transfer];
/// ```
///
/// A `rocket_ws` route: browsers apply no CORS to WebSocket handshakes (cross-site
/// WebSocket hijacking), so put the guard before the `WebSocket`. A handshake from an origin
/// that is neither listed nor allowed by the origin check gets 403 instead of 101. Taking
/// `Result<AllowedOrigin, OriginRefused>` and returning the error sends the one-line reason
/// as the body ([`OriginRefused`] is a responder); `examples/tenants.rs` runs this route.
///
/// ```no_run
/// use cors_fairing::{AllowedOrigin, CorsFairing, OriginRefused};
///
/// #[rocket::get("/ws")]
/// fn echo(
///     origin: Result<AllowedOrigin, OriginRefused>,
///     ws: rocket_ws::WebSocket,
/// ) -> Result<rocket_ws::Stream!['static], OriginRefused> {
///     origin?;
///     Ok(ws.stream(|messages| messages))
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build().mount("/", rocket::routes![echo]).attach(CorsFairing::figment())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin<const MISSING_PASSES: bool = true> {
    origin: Option<String>,
}

/// [`AllowedOrigin`] that also refuses a request without `Origin`.
pub type OriginRequired = AllowedOrigin<false>;

impl<const MISSING_PASSES: bool> AllowedOrigin<MISSING_PASSES> {
    /// The allowed `Origin`, `None` when the request had none.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
}

/// Why [`AllowedOrigin`] refused a request: one line, e.g. `cross-origin request refused:
/// Sec-Fetch-Site is "cross-site" and origin "https://evil.example" is not allowed`. As a
/// responder: 403 with that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginRefused(String);

impl fmt::Display for OriginRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OriginRefused {}

impl<'r> Responder<'r, 'static> for OriginRefused {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        (Status::Forbidden, format!("{}\n", self.0)).respond_to(req)
    }
}

#[rocket::async_trait]
impl<'r, const MISSING_PASSES: bool> FromRequest<'r> for AllowedOrigin<MISSING_PASSES> {
    type Error = OriginRefused;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(handle) = req.rocket().state::<CorsHandle>() else {
            // The sentinel stops such a launch; a Rocket built without sentinels gets this.
            let reason = "the CORS fairing is not attached".to_string();
            return Outcome::Error((Status::InternalServerError, OriginRefused(reason)));
        };
        let path = req.uri().path();
        // One line per refusal, through the rate limit of every per-request line: the
        // origin is whatever a client sends.
        let refuse = |kind: &'static str, reason: String| {
            let state = handle.state();
            let policy = state.load().for_path(path.as_str()).name().unwrap_or("").to_string();
            let line = || format!("{} {}: refused by AllowedOrigin: {reason}", req.method(), path);
            state.log_limit().info(&policy, kind, line);
            Outcome::Error((Status::Forbidden, OriginRefused(reason)))
        };
        let site = crate::request::site(req);
        if !MISSING_PASSES {
            match site.origin {
                Field::Absent => return refuse("guard_no_origin", format!("no {ORIGIN} header")),
                Field::Many => {
                    return refuse(
                        "guard_multiple_origins",
                        format!("more than one {ORIGIN} header"),
                    );
                }
                Field::One(_) => {}
            }
        }
        match crate::protection::refusal(handle, req, &site).await {
            None => Outcome::Success(AllowedOrigin { origin: site.origin.one().map(Into::into) }),
            Some(reason) => refuse("guard_cross_origin", reason),
        }
    }
}

/// A route that takes the guard needs the fairing's live policy: without a
/// [`crate::CorsFairing`] every request would fail, so the launch stops instead and says
/// what to attach (as `rocket_db_pools::Connection` does for its pool).
impl<const MISSING_PASSES: bool> Sentinel for AllowedOrigin<MISSING_PASSES> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        if rocket.state::<CorsHandle>().is_some() {
            return false;
        }
        let guard = if MISSING_PASSES { "AllowedOrigin" } else { "OriginRequired" };
        log::error!(
            "CORS: a route takes `{guard}`, which asks the CORS fairing's live policy, but no \
             CorsFairing is attached; the launch stops. Attach one: \
             `.attach(cors_fairing::CorsFairing::figment())`."
        );
        true
    }
}
