//! `cors-fairing explain`: the verdict for one request and the exact lines a server would
//! send, decided by the same code that answers requests.

use std::io::{self, Write};

use cors_fairing::policy::{CorsRequest, Decision, Field, Policy, RequestHeaders, Verdict};

use super::args::{Probe, Target};
use super::{INVALID, NOT_ALLOWED, OK, check, load};

/// Methods a page sends without a preflight (Fetch standard, CORS-safelisted methods).
const SIMPLE_METHODS: &[&str] = &["GET", "HEAD", "POST"];

pub(super) fn run(target: &Target, probe: &Probe, out: &mut impl Write) -> io::Result<u8> {
    let checked = load(target, target.file.as_deref(), None);
    check::header(&checked, out)?;
    let Some(report) = &checked.report else {
        writeln!(out, "error: the file {} does not exist", checked.file.display())?;
        return Ok(INVALID);
    };
    let Some(policy) = report.policy() else {
        check::problems(report, out)?;
        writeln!(out, "INVALID: nothing to explain until the configuration is valid")?;
        return Ok(INVALID);
    };
    writeln!(out, "policy fingerprint: {}", policy.fingerprint())?;
    // Browsers send the list lower-cased and joined by `,` (Fetch, CORS-preflight request).
    let header_list = probe.headers.iter().map(|h| h.to_ascii_lowercase()).collect::<Vec<_>>();
    let header_list = header_list.join(",");
    let request = request(probe, &header_list);
    describe_request(&request, out)?;
    let decision = policy.decide(&request);
    let allowed = decision.is_allowed();
    let judged_by = policy.for_path(&probe.path);
    match judged_by.name() {
        Some(name) => writeln!(
            out,
            "policy: `{name}` (cors.policies.{name}, paths {})",
            judged_by.settings().paths.join(", ")
        )?,
        None if policy.named().next().is_some() => {
            writeln!(out, "policy: the base (no named policy's paths match)")?
        }
        None => {}
    }
    writeln!(out, "verdict: {}", verdict(decision.verdict(), &request))?;
    writeln!(out, "response: {}", status(judged_by, &decision, &request))?;
    for (name, value) in decision.lines().iter() {
        writeln!(out, "{name}: {value}")?;
    }
    if let Some(candidate) = policy.decide_report_only(&request) {
        let fingerprint = policy.report_only_fingerprint(judged_by.name()).expect("a candidate");
        writeln!(out, "report-only candidate {fingerprint} (judged, never enforced):")?;
        writeln!(out, "  verdict: {}", verdict(candidate.verdict(), &request))?;
        let change = match (allowed, candidate.is_allowed()) {
            (true, false) => "the candidate would refuse what is allowed now",
            (false, true) if decision.refusal().is_some() => {
                "the candidate would allow what is refused now"
            }
            _ => "the same verdict",
        };
        writeln!(out, "  difference: {change}")?;
    }
    Ok(if allowed { OK } else { NOT_ALLOWED })
}

fn verdict(verdict: Verdict, request: &CorsRequest<'_>) -> String {
    match verdict {
        Verdict::Allowed { .. } => "allowed".into(),
        Verdict::Refused { refusal, .. } => format!("refused: {}", refusal.describe(request)),
        Verdict::OutOfScope => "out of scope: the path is outside `paths`, no CORS headers".into(),
        Verdict::NoOrigin => "no Origin, not a CORS request".into(),
        other => format!("{other:?}"), // the enum is #[non_exhaustive]
    }
}

fn request<'a>(probe: &'a Probe, header_list: &'a str) -> CorsRequest<'a> {
    let method = probe.method.as_deref().unwrap_or("GET");
    let preflight = !SIMPLE_METHODS.contains(&method) || !probe.headers.is_empty();
    if !preflight {
        return CorsRequest {
            method,
            origin: Field::One(&probe.origin),
            ..CorsRequest::get(&probe.path)
        };
    }
    let mut request = CorsRequest::preflight(&probe.path, &probe.origin, method);
    if !probe.headers.is_empty() {
        request.request_headers = RequestHeaders::from(header_list);
    }
    request
}

fn describe_request(request: &CorsRequest<'_>, out: &mut impl Write) -> io::Result<()> {
    let what = if request.is_preflight() { "preflight" } else { "actual request" };
    writeln!(out, "request ({what}): {} {}", request.method, request.path)?;
    let fields =
        [("Origin", request.origin), ("Access-Control-Request-Method", request.request_method)];
    for (name, field) in fields {
        if let Field::One(value) = field {
            writeln!(out, "  {name}: {value}")?;
        }
    }
    for line in request.request_headers.lines() {
        writeln!(out, "  Access-Control-Request-Headers: {line}")?;
    }
    Ok(())
}

/// What the response carries besides the lines: a preflight's status comes from the crate's
/// preflight route; an actual request's from the application's route.
fn status(policy: &Policy, decision: &Decision<'_>, request: &CorsRequest<'_>) -> String {
    if !decision.is_preflight() {
        return "the route's own status and body, with these lines".into();
    }
    match decision.refusal() {
        Some(refusal) if policy.rejects_disallowed() => {
            let why = refusal.describe(request);
            format!("403 Forbidden, body \"CORS preflight refused: {why}\"")
        }
        _ => format!("{} (empty body), with these lines", policy.preflight_status()),
    }
}
