//! [`Policies`]: the set of policies a fairing applies. The base policy (the `cors` table)
//! and its named companions, each judging the paths its `paths` match most specifically;
//! compiled at once (all or none), held by the live state as one value, swapped as one on
//! reload.

use std::collections::BTreeMap;

use super::Policy;
use super::candidate::Candidate;
use super::decision::Decision;
use super::fingerprint::Fingerprint;
use super::judge::Verdict;
use super::paths::Paths;
use super::request::CorsRequest;
use super::router::Router;
use crate::error::{ConfigError, ConfigErrors, ConfigWarning, Subject};
use crate::settings::{Key, Settings, policy_key};

/// At most this many named policies: a policy is compiled and kept in memory, and the
/// router tries their patterns in turn.
pub(crate) const MAX_NAMED_POLICIES: usize = 256;

/// Which policy of a set judged a request: the base or one of the named ones. Kept beside
/// the verdict, so that the same policy renders its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PolicyId(u16);

impl PolicyId {
    /// The base policy (the `cors` table itself).
    pub(crate) const BASE: PolicyId = PolicyId(0);

    /// The named policy at `index`, in name order.
    fn named(index: usize) -> PolicyId {
        PolicyId(u16::try_from(index + 1).expect("at most MAX_NAMED_POLICIES"))
    }
}

/// The validated, pre-rendered policies of a configuration: the base and its named
/// policies.
///
/// ```
/// use cors_fairing::Settings;
/// use cors_fairing::policy::{CorsRequest, Field, Policies};
///
/// let policies = Policies::compile(&Settings::default().allow_origin(["https://app.example.com"]))?;
/// let request = CorsRequest {
///     origin: Field::One("https://app.example.com"),
///     ..CorsRequest::get("/api/items")
/// };
/// let decision = policies.decide(&request);
/// assert!(decision.is_allowed());
/// assert_eq!(
///     decision.lines().get("Access-Control-Allow-Origin"),
///     Some("https://app.example.com")
/// );
/// # Ok::<(), cors_fairing::ConfigErrors>(())
/// ```
#[derive(Debug, Clone)]
pub struct Policies {
    base: Policy,
    /// In name order.
    named: Box<[Policy]>,
    /// Over the named policies' `paths`.
    router: Router,
    /// The report-only candidates, by [`PolicyId`]; empty when no policy has one, so that
    /// the question costs a length compare.
    candidates: Box<[Option<Candidate>]>,
    /// The base's, then every named policy's (keyed `policies.<name>.<key>`).
    warnings: Vec<ConfigWarning>,
    /// Which install put this set in force: 0 at launch, one more for every swap.
    generation: u64,
}

impl Policies {
    /// Validates `settings` and renders every header value, for the base and every named
    /// policy (all of them or none). Every problem is reported, not only the first.
    pub fn compile(settings: &Settings) -> Result<Policies, ConfigErrors> {
        let base = Policy::compile(settings, None);
        let mut errors = Vec::new();
        let mut named_warnings = Vec::new();
        let named = compile(&settings.policies, &mut errors, &mut named_warnings);
        let (base, mut warnings) = match base {
            Ok(base) => base,
            Err(base_errors) => {
                let mut found = base_errors.warnings().to_vec();
                found.extend(named_warnings);
                let all = base_errors.into_iter().chain(errors).collect();
                let all = ConfigErrors::from_vec(all).expect("the base's errors");
                return Err(all.with_warnings(found));
            }
        };
        let candidates = candidates(settings, &mut errors, &mut named_warnings);
        if let Some(errors) = ConfigErrors::from_vec(errors) {
            warnings.extend(named_warnings);
            return Err(errors.with_warnings(warnings));
        }
        let (named, router) = named.unwrap_or_default();
        if !named.is_empty() {
            for warning in &mut warnings {
                if warning.key() == Some(Key::AllowOrigin.name()) && warning.value.is_empty() {
                    warning.message = "the base allows no origin, so every cross-origin request \
                                       no named policy judges will be refused"
                        .into();
                }
            }
        }
        warnings.extend(named_warnings);
        Ok(Policies { base, named, router, candidates, warnings, generation: 0 })
    }

    /// The settings the set was compiled from (the base's, with the named policies').
    pub fn settings(&self) -> &Settings {
        self.base.settings()
    }

    /// The base policy: the `cors` table itself.
    pub fn base(&self) -> &Policy {
        &self.base
    }

    /// The named policies, in name order.
    ///
    /// ```
    /// use cors_fairing::Settings;
    /// use cors_fairing::policy::Policies;
    ///
    /// let base = Settings::default().allow_origin(["https://app.example.com"]);
    /// let partner = base.clone().paths(["/api/partner/**"]).allow_origin(["https://partner.example"]);
    /// let policies = Policies::compile(&base.policy("partner", partner))?;
    /// let names: Vec<_> = policies.named().filter_map(|p| p.name()).collect();
    /// assert_eq!(names, ["partner"]);
    /// assert_eq!(policies.for_path("/api/partner/orders").name(), Some("partner"));
    /// assert_eq!(policies.for_path("/api/items").name(), None); // the base
    /// # Ok::<(), cors_fairing::ConfigErrors>(())
    /// ```
    pub fn named(&self) -> impl Iterator<Item = &Policy> {
        self.named.iter()
    }

    /// The policy that judges requests to `path`: the named policy whose `paths` match it
    /// most specifically, else the base (within its own `paths`).
    pub fn for_path(&self, path: &str) -> &Policy {
        self.get(self.route(path))
    }

    /// Decides one request: the verdict and the lines to write. Allocates nothing: every
    /// value is borrowed from the policy or from the request.
    pub fn decide<'a>(&'a self, request: &CorsRequest<'a>) -> Decision<'a> {
        let (verdict, id) = self.judge(request);
        let policy = self.get(id);
        Decision { verdict, lines: policy.lines(verdict, request), policy: policy.name() }
    }

    /// The report-only candidate of the policy `policy` (the base: `None`), if it has one:
    /// judged beside it, never enforced ([`Settings::report_only`]).
    pub fn report_only(&self, policy: Option<&str>) -> Option<&Policy> {
        self.candidate(self.id_of(policy)?).map(|candidate| &candidate.policy)
    }

    /// The fingerprint of the policy `policy` (the base: `None`) alone, without the named
    /// policies beside it; for a set without named policies, [`Policies::fingerprint`].
    pub fn policy_fingerprint(&self, policy: Option<&str>) -> Option<Fingerprint> {
        self.id_of(policy).map(|id| Fingerprint::alone(self.get(id).settings()))
    }

    /// The fingerprint of the report-only candidate of `policy` (the base: `None`): after
    /// its promotion, [`Policies::policy_fingerprint`] of the policy says the same.
    pub fn report_only_fingerprint(&self, policy: Option<&str>) -> Option<Fingerprint> {
        self.candidate(self.id_of(policy)?).map(|candidate| candidate.fingerprint)
    }

    /// What the report-only candidate of the policy that judges `request` would decide,
    /// if that policy has one. The request is answered by [`Policies::decide`] alone.
    pub fn decide_report_only<'a>(&'a self, request: &CorsRequest<'a>) -> Option<Decision<'a>> {
        let (verdict, id) = self.judge(request);
        let candidate = &self.candidate(id)?.policy;
        let verdict = match verdict {
            Verdict::OutOfScope => verdict,
            _ => candidate.judge(request),
        };
        let lines = candidate.lines(verdict, request);
        Some(Decision { verdict, lines, policy: candidate.name() })
    }

    /// A short stable hash of what the set answers: equal for equal settings in any
    /// spelling or order, different for any change, the same in every process.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(self.settings())
    }

    /// What deserves the operator's attention in these settings. The set knows nothing of
    /// sources: [`crate::CorsHandle::report`] gives the warnings of the load in force,
    /// each with its source, and those of the load itself (unknown keys).
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// The verdict on `request` and the policy that gave it: the named policy the path
    /// routes to, else the base, which first judges whether the path is in its scope.
    pub(crate) fn judge(&self, request: &CorsRequest<'_>) -> (Verdict, PolicyId) {
        match self.router.route(request.path) {
            // Its `paths` matched: the path is in its scope.
            Some(index) => (self.named[index].judge(request), PolicyId::named(index)),
            None if !self.base.paths.matches(request.path) => (Verdict::OutOfScope, PolicyId::BASE),
            None => (self.base.judge(request), PolicyId::BASE),
        }
    }

    /// The report-only candidate of the policy `id` names, if it has one. Without any
    /// candidate in the set, one length compare.
    #[inline]
    pub(crate) fn candidate(&self, id: PolicyId) -> Option<&Candidate> {
        self.candidates.get(usize::from(id.0)).and_then(Option::as_ref)
    }

    /// The id of the policy named `policy` (the base: `None`).
    fn id_of(&self, policy: Option<&str>) -> Option<PolicyId> {
        match policy {
            None => Some(PolicyId::BASE),
            Some(name) => {
                let index = self.named.binary_search_by(|p| p.name().unwrap_or_default().cmp(name));
                index.ok().map(PolicyId::named)
            }
        }
    }

    /// Which policy of the set judges `path`.
    pub(crate) fn route(&self, path: &str) -> PolicyId {
        self.router.route(path).map_or(PolicyId::BASE, PolicyId::named)
    }

    /// The policy of the set that `id` names.
    pub(crate) fn get(&self, id: PolicyId) -> &Policy {
        match id.0.checked_sub(1) {
            Some(index) => &self.named[usize::from(index)],
            None => &self.base,
        }
    }

    /// The policy whose verdict on a request for `path` depends on its origin: in scope of
    /// its `paths`, and not the original middleware's verbatim output (which judges
    /// nothing). `None` elsewhere. Only then is the application's origin check asked about
    /// the request's origin.
    pub(crate) fn judging_origin_at(&self, path: &str) -> Option<PolicyId> {
        let id = self.route(path);
        // A named policy's own `paths` matched; the base must match its own.
        let judges = self.get(id).verbatim.is_none()
            && (id != PolicyId::BASE || self.base.paths.matches(path));
        judges.then_some(id)
    }

    /// Whether cross-origin protection applies to a non-safe request for `path`: the policy
    /// that judges it sets `cross_origin_protection`, and the path is in its scope.
    pub(crate) fn protects_at(&self, path: &str) -> bool {
        match self.router.route(path) {
            Some(index) => self.named[index].protects(),
            None => self.base.protects() && self.base.paths.matches(path),
        }
    }

    /// Whether any policy of the set sets `cross_origin_protection`: only then does the
    /// fairing register its request hook.
    pub(crate) fn protects_anywhere(&self) -> bool {
        self.base.protects() || self.named.iter().any(Policy::protects)
    }

    /// Whether every request without `Origin` gets `Vary: Origin` alone, whatever its method
    /// and path: the fairing can then answer one without loading the set.
    pub(crate) fn vary_only_without_origin(&self) -> bool {
        self.base.vary_alone_without_origin()
            && self.base.paths.matches_every_path()
            && self.named.iter().all(Policy::vary_alone_without_origin)
    }

    /// Which install put this set in force (0 at launch).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Set by the live state as it installs the set, before anyone else sees it.
    pub(crate) fn set_generation(&mut self, generation: u64) {
        self.generation = generation;
    }
}

/// Compiles every named policy of `policies`, reporting each problem under the named
/// policy's key (`policies.partner.allow_origin`), and the router over them. `None` when
/// there are none, or when any is invalid (its errors are in `errors`).
fn compile(
    policies: &BTreeMap<String, Settings>,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) -> Option<(Box<[Policy]>, Router)> {
    if policies.is_empty() {
        return None;
    }
    let before = errors.len();
    if policies.len() > MAX_NAMED_POLICIES {
        errors.push(ConfigError::new(
            Subject::Key(crate::settings::POLICIES.into()),
            policies.len().to_string(),
            format!("at most {MAX_NAMED_POLICIES} named policies are allowed"),
        ));
        return None;
    }
    let mut compiled = Vec::with_capacity(policies.len());
    for (name, settings) in policies {
        if let Err(err) = check_name(name) {
            errors.push(err);
            continue;
        }
        if settings.paths.is_empty() {
            errors.push(
                ConfigError::new(
                    policy_key(name, Key::Paths.name()),
                    "",
                    "a named policy needs `paths`: it judges only the requests they match",
                )
                .hint(format!(
                    "add e.g. paths = [\"/{name}/**\"] to [default.cors.policies.{name}]"
                )),
            );
        }
        if !settings.policies.is_empty() {
            errors.push(ConfigError::new(
                policy_key(name, crate::settings::POLICIES),
                settings.policies.keys().cloned().collect::<Vec<_>>().join(", "),
                "named policies do not nest: `policies` belongs to the base `cors` table",
            ));
        }
        match Policy::compile(settings, Some(name)) {
            Ok((policy, own)) => {
                warnings.extend(own.into_iter().map(|w| renamed_warning(name, w)));
                compiled.push(policy);
            }
            Err(problems) => {
                let own = problems.warnings().to_vec();
                warnings.extend(own.into_iter().map(|w| renamed_warning(name, w)));
                errors.extend(problems.into_iter().map(|e| renamed(name, e)));
            }
        }
    }
    if errors.len() > before {
        return None;
    }
    let paths: Vec<(&str, &Paths)> =
        compiled.iter().map(|p| (p.name().unwrap_or_default(), &p.paths)).collect();
    match Router::compile(&paths) {
        Ok(router) => Some((compiled.into(), router)),
        Err(ties) => {
            errors.extend(ties);
            None
        }
    }
}

/// The report-only candidates of the base and of every named policy, by [`PolicyId`]; empty
/// when none has one. Invalid ones put their problems in `errors`.
fn candidates(
    settings: &Settings,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) -> Box<[Option<Candidate>]> {
    let shadowed = std::iter::once((None, settings))
        .chain(settings.policies.iter().map(|(name, named)| (Some(name.as_str()), named)));
    let candidates: Vec<Option<Candidate>> =
        shadowed.map(|(name, policy)| Candidate::compile(policy, name, errors, warnings)).collect();
    if candidates.iter().all(Option::is_none) {
        return Box::new([]);
    }
    candidates.into()
}

/// A name is what `CORS_POLICIES__<NAME>__<KEY>` can spell: lower-case ASCII letters,
/// digits and single `_`s.
fn check_name(name: &str) -> Result<(), ConfigError> {
    let well_formed = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.contains("__")
        && !name.starts_with('_')
        && !name.ends_with('_');
    if well_formed {
        return Ok(());
    }
    let suggestion: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let suggestion: Vec<&str> = suggestion.split('_').filter(|s| !s.is_empty()).collect();
    Err(ConfigError::new(
        Subject::Key(crate::settings::POLICIES.into()),
        name,
        "a policy name is lower-case letters, digits and single `_` (at most 64), so that \
         CORS_POLICIES__<NAME>__<KEY> can set it",
    )
    .hint(format!("name it `{}`", suggestion.join("_"))))
}

fn rekeyed(name: &str, subject: Subject) -> Subject {
    match subject {
        Subject::Key(key) => Subject::Key(policy_key(name, &key)),
        other => other,
    }
}

fn renamed(name: &str, mut err: ConfigError) -> ConfigError {
    err.subject = rekeyed(name, err.subject);
    err
}

fn renamed_warning(name: &str, mut warning: ConfigWarning) -> ConfigWarning {
    warning.subject = rekeyed(name, warning.subject);
    warning
}
