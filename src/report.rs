//! What one configuration gives, as one [`Report`]: every error, every warning, every
//! setting with its provenance, the fingerprint. [`check`] judges a configuration the way a
//! launch and a reload do (they call the same loader); [`crate::CorsHandle::report`] gives
//! the report of the policy in force.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use figment::Figment;
use serde::Serialize;

use crate::error::{ConfigError, ConfigWarning, Located, Provenance, escaped};
use crate::policy::{Fingerprint, Policies};
use crate::settings::{Key, Settings, env_name, policy_key};
use crate::sources::{LastGood, Sources};
use crate::state::NamedProvenance;

/// One setting as it is in force: key, environment variable, effective value and where
/// the value came from.
///
/// ```
/// use cors_fairing::{Key, Settings, Provenance};
/// use cors_fairing::status::EffectiveSetting;
///
/// let settings = Settings::default().max_age(600);
/// let report = EffectiveSetting::all(&settings, &[(Key::MaxAge, Provenance::Env {
///     var: "CORS_MAX_AGE".into(),
/// })]);
/// let max_age = report.iter().find(|s| s.key == "max_age").unwrap();
/// assert_eq!(max_age.value, "600");
/// assert_eq!(max_age.env_var, "CORS_MAX_AGE");
/// assert_eq!(max_age.to_string(), "max_age = 600 (environment variable CORS_MAX_AGE)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EffectiveSetting {
    /// The key of the `cors` table, e.g. `allow_origin`.
    pub key: Key,
    /// The environment variable that sets it, e.g. `CORS_ALLOW_ORIGIN`.
    pub env_var: String,
    /// The value in force, as an operator would write it (defaults spelled out).
    pub value: String,
    /// Where the value came from: a file and profile, a variable, or the built-in default.
    pub provenance: Provenance,
    /// The named policy this setting belongs to; `None` for the base (the `cors` table).
    /// A key the policy leaves unset has the base's value, and [`Provenance::Inherited`].
    pub policy: Option<String>,
}

impl EffectiveSetting {
    /// Every key of `settings`, in the order of [`Key::ALL`], with its source looked up in
    /// `provenance` ([`Provenance::Code`] where it has none, as for settings given in code).
    pub fn all(settings: &Settings, provenance: &[(Key, Provenance)]) -> Vec<Self> {
        Key::ALL
            .into_iter()
            .map(|key| EffectiveSetting {
                key,
                env_var: key.env_var(),
                value: settings.shown(key).to_string(),
                provenance: provenance_in(provenance, key),
                policy: None,
            })
            .collect()
    }

    /// The keys a named policy may set, of the named policy `name` with `settings`, each
    /// with its source in `provenance` and whether it is the base's.
    pub(crate) fn named(
        name: &str,
        settings: &Settings,
        provenance: Option<&NamedProvenance>,
    ) -> Vec<Self> {
        let keys = provenance.map_or(&[][..], |p| &p.keys[..]);
        Self::all(settings, keys)
            .into_iter()
            .filter(|setting| setting.key.is_per_policy())
            .map(|setting| EffectiveSetting {
                env_var: env_name(&policy_key(name, setting.key.name())),
                policy: Some(name.to_string()),
                ..setting
            })
            .collect()
    }

    /// Every setting of `policy`: the base's keys, then those of every named policy in name
    /// order (the keys a named policy may set).
    pub(crate) fn every(
        policy: &Policies,
        provenance: &[(Key, Provenance)],
        named: &[NamedProvenance],
    ) -> Vec<Self> {
        let mut all = Self::all(policy.settings(), provenance);
        for (name, settings) in &policy.settings().policies {
            let provenance = named.iter().find(|p| p.name == *name);
            all.extend(Self::named(name, settings, provenance));
        }
        all
    }
}

impl EffectiveSetting {
    /// A named policy's key the policy leaves unset: its value is the base's.
    pub fn is_inherited(&self) -> bool {
        matches!(self.provenance, Provenance::Inherited(_))
    }
}

impl fmt::Display for EffectiveSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.policy {
            write!(f, "policies.{name}.")?;
        }
        let provenance = Located { provenance: &self.provenance, policy: self.policy.as_deref() };
        write!(f, "{} = {} ({provenance})", self.key, escaped(&self.value))
    }
}

pub(crate) fn provenance_in(provenance: &[(Key, Provenance)], key: Key) -> Provenance {
    provenance.iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone()).unwrap_or_default()
}

/// The verdict on one configuration: what a launch would do with it, and what it would
/// serve. Valid when [`Report::errors`] is empty.
///
/// ```
/// use cors_fairing::check;
///
/// figment::Jail::expect_with(|jail| {
///     jail.create_file("Rocket.toml", r#"
///         [default.cors]
///         allow_origin = "https://app.example.com"
///         allow_origins = "https://typo.example"
///     "#)?;
///     let report = check(&rocket::Config::figment(), None);
///     assert_eq!(report.errors.len(), 1);
///     assert_eq!(report.errors[0].key(), Some("allow_origins"));
///     assert!(report.errors[0].hint.as_deref().unwrap().contains("`allow_origin`"));
///     Ok(())
/// });
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Every reason a launch would stop (and a reload would keep the last good policy).
    pub errors: Vec<ConfigError>,
    /// Everything that loads but deserves the operator's attention.
    pub warnings: Vec<ConfigWarning>,
    /// Every setting in force with where its value came from (empty when invalid): the
    /// base's keys, then every named policy's.
    pub settings: Vec<EffectiveSetting>,
    /// The fingerprint of the policy (`None` when invalid): the same on every replica that
    /// serves the same policy.
    pub fingerprint: Option<Fingerprint>,
    /// The files the configuration was read from.
    pub files: Vec<PathBuf>,
    /// The compiled policies, for `cors-fairing explain`.
    #[serde(skip)]
    policy: Option<Arc<Policies>>,
    /// What a later load must not silently take away.
    #[serde(skip)]
    last_good: Option<LastGood>,
}

/// Judges the configuration a server built from `figment` would load: what
/// `CorsFairing::figment()` reads at launch (`Rocket.toml` for the figment's profile, the
/// `env_file`, `ROCKET_CORS`, `CORS_*`), with the same loader a launch and a reload use,
/// so a configuration it accepts launches and reloads, and one it refuses is refused by
/// both. Given the report of the configuration in force (`previous`), it also refuses what
/// a reload would refuse: a file or table gone that gave keys in force.
///
/// `figment` is Rocket's (`rocket::Config::figment()`, or the one an application passes to
/// `rocket::custom`); values it holds under `cors` that no file or variable gave are read
/// as given in code.
pub fn check(figment: &Figment, previous: Option<&Report>) -> Report {
    let sources = Sources::from_rocket(figment);
    let mut report = Report::empty();
    match sources.load_after(previous.and_then(|p| p.last_good.as_ref())) {
        Ok(loaded) => {
            report.settings =
                EffectiveSetting::every(&loaded.policy, &loaded.provenance, &loaded.named);
            report.fingerprint = Some(loaded.policy.fingerprint());
            report.last_good = Some(LastGood::of(&loaded));
            report.warnings = loaded.warnings;
            report.files = loaded.files;
            report.policy = Some(Arc::new(loaded.policy));
        }
        Err(errors) => {
            report.warnings = errors.warnings().to_vec();
            report.errors = errors.into_iter().collect();
        }
    }
    report
}

impl Report {
    fn empty() -> Report {
        Report {
            errors: Vec::new(),
            warnings: Vec::new(),
            settings: Vec::new(),
            fingerprint: None,
            files: Vec::new(),
            policy: None,
            last_good: None,
        }
    }

    /// Whether a server would launch with this configuration.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The compiled policies, when the configuration is valid: ask them what a request gets.
    pub fn policy(&self) -> Option<&Policies> {
        self.policy.as_deref()
    }

    /// The report of a configuration in force.
    pub(crate) fn in_force(
        policy: Arc<Policies>,
        settings: Vec<EffectiveSetting>,
        warnings: Vec<ConfigWarning>,
        files: Vec<PathBuf>,
    ) -> Report {
        let fingerprint = Some(policy.fingerprint());
        Report { settings, warnings, files, fingerprint, policy: Some(policy), ..Report::empty() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_reported_once_in_order() {
        let keys: Vec<Key> =
            EffectiveSetting::all(&Settings::default(), &[]).iter().map(|s| s.key).collect();
        assert_eq!(keys, Key::ALL);
    }

    #[test]
    fn defaults_are_spelled_out() {
        let all = EffectiveSetting::all(&Settings::default(), &[]);
        let value = |key: &str| all.iter().find(|s| s.key == key).unwrap().value.clone();
        assert_eq!(value("allow_methods"), "GET, HEAD, POST, PUT, PATCH, DELETE");
        assert_eq!(value("allow_headers"), "Accept, Authorization, Content-Type, X-Requested-With");
        assert_eq!(value("paths"), "(every path)");
        assert_eq!(value("preflight_status"), "204");
        assert!(all.iter().all(|s| s.provenance == Provenance::Code));
    }

    #[test]
    fn a_named_policys_keys_carry_its_name_and_variables() {
        let named = EffectiveSetting::named("partner", &Settings::default(), None);
        let origin = named.iter().find(|s| s.key == "allow_origin").unwrap();
        assert_eq!(origin.env_var, "CORS_POLICIES__PARTNER__ALLOW_ORIGIN");
        assert_eq!(origin.policy.as_deref(), Some("partner"));
        assert!(named.iter().all(|s| s.key.is_per_policy()));
    }

    #[test]
    fn the_report_in_force_carries_its_fingerprint_and_policies() {
        let policies = Arc::new(Policies::compile(&Settings::default()).unwrap());
        let report = Report::in_force(policies.clone(), Vec::new(), Vec::new(), Vec::new());
        assert_eq!(report.fingerprint, Some(policies.fingerprint()));
        assert!(report.policy().is_some_and(|p| p.fingerprint() == policies.fingerprint()));
        assert!(report.is_valid());
    }

    #[test]
    fn sources_are_looked_up_by_key() {
        let provenance = [(Key::Paths, Provenance::Env { var: "CORS_PATHS".into() })];
        let all = EffectiveSetting::all(&Settings::default(), &provenance);
        let paths = all.iter().find(|s| s.key == "paths").unwrap();
        assert_eq!(paths.provenance, Provenance::Env { var: "CORS_PATHS".into() });
        assert_eq!(paths.env_var, "CORS_PATHS");
    }
}
