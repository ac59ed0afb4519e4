//! Building the Figment: which providers, in which order, and where each value came from.
//!
//! Precedence, lowest first: built-in defaults, `[default.cors]`, `[<profile>.cors]`,
//! `[global.cors]`, the `env_file`, `ROCKET_CORS`, `CORS_*` variables. A Figment is a
//! snapshot, so every (re)load builds it again from scratch.

mod env_file;
mod in_code;
mod policies;
mod read;
mod report;
mod shape;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use figment::providers::Env;
use figment::value::magic::RelativePathBuf;
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile};

use crate::error::{ConfigError, ConfigErrors, ConfigWarning, Provenance};
use crate::policy::Policies;
use crate::settings::{self, Key, Settings};
use crate::state::NamedProvenance;
use env_file::EnvFile;
pub(crate) use in_code::InCode;
use read::TomlFile;
use report::{attribute, extract, from_figment_error, misplaced_table, unknown_keys};
pub(crate) use shape::LastGood;

/// The table that holds the settings in every provider.
pub(crate) const TABLE: &str = "cors";

/// Where a fairing's settings come from; asked again on every reload.
#[derive(Clone)]
pub(crate) enum Sources {
    /// `Rocket.toml` (the file Rocket loaded) for `profile`, plus env file and env vars,
    /// and the values given in code in Rocket's Figment.
    Rocket { config_file: PathBuf, profile: Profile, in_code: InCode },
    /// A caller-supplied Figment (built anew on each call), read at its `cors` table.
    Figment(Arc<dyn Fn() -> Figment + Send + Sync>),
    /// Fixed settings given in code.
    Settings(Box<Settings>),
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sources::Rocket { config_file, profile, in_code } => f
                .debug_struct("Rocket")
                .field("config_file", config_file)
                .field("profile", profile)
                .field("in_code", in_code)
                .finish(),
            Sources::Figment(_) => f.write_str("Figment(..)"),
            Sources::Settings(s) => f.debug_tuple("Settings").field(s).finish(),
        }
    }
}

/// The result of one load: the compiled policy and the files it was read from.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The compiled policy.
    pub policy: Policies,
    /// Files whose change may change the policy (config file, env file).
    pub files: Vec<PathBuf>,
    /// Where each key's value came from, in the order of [`Key::ALL`]; empty for settings
    /// given in code.
    pub provenance: Vec<(Key, Provenance)>,
    /// The policy's warnings with their sources, and the load's own (unknown keys, a
    /// misplaced table).
    pub warnings: Vec<ConfigWarning>,
    /// Where each key of each named policy came from, in name order; empty for settings
    /// given in code.
    pub named: Vec<NamedProvenance>,
    /// The files this loader read itself (`Rocket.toml`, the `env_file`), as read.
    pub read: Vec<ReadFile>,
}

/// One file of a load as parsed: the profiles it holds, each with its tables.
#[derive(Debug, Clone)]
pub(crate) struct ReadFile {
    /// The path, as in [`Provenance::File`] and [`Provenance::EnvFile`].
    pub path: PathBuf,
    /// What the file holds, by profile (an `env_file` holds only the global one).
    pub profiles: Map<Profile, Dict>,
    /// Nothing but whitespace: a save caught half-way (a comment is not blank).
    pub blank: bool,
    /// The `env_file`, not `Rocket.toml`.
    pub env_file: bool,
}

impl Sources {
    /// The sources of `CorsFairing::figment()`, given the Figment Rocket was built from.
    pub(crate) fn from_rocket(rocket_figment: &Figment) -> Sources {
        let named =
            PathBuf::from(std::env::var("ROCKET_CONFIG").unwrap_or_else(|_| "Rocket.toml".into()));
        let toml_files: Vec<&PathBuf> = rocket_figment
            .metadata()
            .filter(|md| md.name.contains("TOML"))
            .filter_map(|md| match &md.source {
                Some(figment::Source::File(path)) => Some(path),
                _ => None,
            })
            .collect();
        // The file `rocket::Config::figment()` names, even beside other TOML files merged in
        // code before it; else the first TOML file, as Rocket's own Figment would have it.
        let config_file = toml_files
            .iter()
            .find(|path| path.ends_with(&named))
            .or(toml_files.first())
            .map_or(named, |path| path.to_path_buf());
        let in_code = InCode::of(rocket_figment, &config_file);
        Sources::Rocket { config_file, profile: rocket_figment.profile().clone(), in_code }
    }

    /// Reads every source again and compiles the result; every problem is reported.
    pub(crate) fn load(&self) -> Result<Loaded, ConfigErrors> {
        self.load_after(None)
    }

    /// [`Sources::load`], refused if it would fall back to defaults from `last_good` (see
    /// [`shape`]).
    pub(crate) fn load_after(&self, last_good: Option<&LastGood>) -> Result<Loaded, ConfigErrors> {
        let mut misplaced = None;
        let mut read = Vec::new();
        let figment = match self {
            Sources::Settings(settings) => {
                let policy = Policies::compile(settings)?;
                let warnings = policy.warnings().to_vec();
                let (files, provenance, read) = (Vec::new(), Vec::new(), Vec::new());
                let named = Vec::new();
                return Ok(Loaded { policy, files, provenance, warnings, named, read });
            }
            Sources::Figment(make) => make().focus(TABLE),
            Sources::Rocket { config_file, profile, in_code } => {
                let toml = TomlFile::read(config_file)?;
                let without_env_file = rocket_figment(&toml, None, profile, in_code);
                let whole = match env_file(&without_env_file.focus(TABLE))? {
                    Some(path) => {
                        let env = EnvFile::read(path)?;
                        read.push(ReadFile {
                            path: env.path.clone(),
                            // No tables: taken_away looks only at TOML files.
                            profiles: Map::new(),
                            blank: shape::is_blank(&env.text),
                            env_file: true,
                        });
                        rocket_figment(&toml, Some(env), profile, in_code)
                    }
                    None => without_env_file,
                };
                if let Some(path) = &toml.path {
                    let profiles = toml.profiles();
                    let blank = shape::is_blank(&toml.text);
                    read.push(ReadFile { path: path.clone(), profiles, blank, env_file: false });
                }
                misplaced = misplaced_table(&whole, config_file);
                whole.focus(TABLE)
            }
        };
        // Every problem at once: unknown keys beside the values that cannot be read.
        let mut problems = unknown_keys(&figment);
        let mut base = match extract(&figment) {
            Ok(base) => base,
            Err(errors) => return Err(joined(problems, errors)),
        };
        base.env_file = env_file(&figment)?;
        let (settings, named) = policies::read(&figment, &base, &mut problems);
        let compiled = Policies::compile(&settings).map_err(|errors| attribute(&figment, errors));
        let policy = match compiled {
            Err(errors) => return Err(joined(problems, errors)),
            Ok(_) if !problems.is_empty() => {
                return Err(ConfigErrors::from_vec(problems).expect("not empty"));
            }
            Ok(policy) => policy,
        };
        let mut warnings = policy.warnings().to_vec();
        for warning in &mut warnings {
            if let Some(key) = warning.key() {
                warning.provenance = source_of(&figment, key);
            }
        }
        warnings.extend(misplaced);
        let provenance = Key::ALL.map(|key| (key, source_of(&figment, key.name()))).to_vec();
        let selected = figment.profile().clone();
        let (errors, shape_warnings) = shape::check(&read, &selected, last_good, &provenance);
        if let Some(errors) = ConfigErrors::from_vec(errors) {
            return Err(errors);
        }
        warnings.extend(shape_warnings);
        let files = files_of(&figment, self);
        Ok(Loaded { policy, files, provenance, warnings, named, read })
    }
}

impl Loaded {
    /// Keys set by an environment variable (which masks the same key in a file), with the
    /// variable's name.
    pub fn env_keys(&self) -> impl Iterator<Item = (Key, &str)> {
        self.provenance.iter().filter_map(|(key, source)| match source {
            Provenance::Env { var } => Some((*key, var.as_str())),
            _ => None,
        })
    }
}

/// `first`, then `then`: one list of every problem (with `then`'s warnings).
fn joined(first: Vec<ConfigError>, then: ConfigErrors) -> ConfigErrors {
    let warnings = then.warnings().to_vec();
    let all =
        ConfigErrors::from_vec(first.into_iter().chain(then).collect()).expect("at least one");
    all.with_warnings(warnings)
}

/// Every source in precedence order, lowest first: values given in code before
/// `Rocket.toml`, the file, the `env_file`, `ROCKET_CORS`, values given in code after the
/// file, `CORS_*`.
fn rocket_figment(
    toml: &TomlFile,
    env_file: Option<EnvFile>,
    profile: &Profile,
    in_code: &InCode,
) -> Figment {
    let mut figment = in_code.below.iter().fold(Figment::new(), Figment::merge);
    figment = figment.merge(toml);
    if let Some(env_file) = env_file {
        figment = figment.merge(env_file);
    }
    figment = figment.merge(Env::prefixed("ROCKET_").only(&[TABLE]).global());
    figment = in_code.above.iter().fold(figment, Figment::merge);
    figment
        .merge(
            Env::prefixed("CORS_").split("__").map(|key| format!("{TABLE}.{key}").into()).global(),
        )
        .select(profile.clone())
}

/// `env_file`, resolved against the file that names it.
fn env_file(figment: &Figment) -> Result<Option<PathBuf>, ConfigError> {
    match figment.extract_inner::<Option<RelativePathBuf>>("env_file") {
        Ok(path) => Ok(path.map(|p| p.relative())),
        Err(err) if err.missing() => Ok(None),
        Err(err) => Err(from_figment_error(figment, err)),
    }
}

impl Sources {
    /// What the files alone (config file and `env_file`, no process environment) say for
    /// each of `keys`: the value as written, if any, and where. Only the reloader asks, to
    /// warn about file edits that an environment variable masks.
    pub(crate) fn file_values(
        &self,
        keys: &[&str],
        env_file: Option<&Path>,
    ) -> Vec<(Option<String>, Provenance)> {
        let Sources::Rocket { config_file, profile, .. } = self else {
            return Vec::new();
        };
        if keys.is_empty() {
            // Nothing is masked: no reason to read the files again.
            return Vec::new();
        }
        // The load just read these files: one that cannot be read now counts as empty (the
        // next change reloads anyway).
        let toml = TomlFile::read(config_file).unwrap_or(TomlFile { path: None, text: "".into() });
        let mut figment = Figment::new().merge(&toml);
        if let Some(env) = env_file.and_then(|path| EnvFile::read(path.to_path_buf()).ok()) {
            figment = figment.merge(env);
        }
        let figment = figment.select(profile.clone()).focus(TABLE);
        keys.iter()
            .map(|key| (figment.find_value(key).ok().map(|v| render(&v)), source_of(&figment, key)))
            .collect()
    }
}

/// Where `key` of the focused Figment came from.
pub(crate) fn source_of(figment: &Figment, key: &str) -> Provenance {
    let Ok(value) = figment.find_value(key) else {
        // A named policy's key it does not set itself is the base's.
        return match policies::inherited_key(key) {
            Some(inherited) => Provenance::Inherited(Box::new(source_of(figment, &inherited))),
            None => Provenance::Default,
        };
    };
    let tag = value.tag();
    // A tag knows `default` and `global` by name; any other profile is the selected one.
    let profile = tag.profile().unwrap_or_else(|| figment.profile().clone());
    match figment.get_metadata(tag) {
        Some(md) => describe(md, Some(&profile), key),
        None => Provenance::Default,
    }
}

/// Figment's `(key, value)` provider is named `(K, V)` after the two Rust types.
fn is_tuple_provider(name: &str) -> bool {
    name.starts_with('(') && name.ends_with(')') && name.contains(", ")
}

pub(super) fn describe(md: &Metadata, profile: Option<&Profile>, key: &str) -> Provenance {
    // The variable sets the key itself (a named policy's: three levels), not an element.
    let mut levels = if key.starts_with("policies.") { 3 } else { 1 };
    // A candidate's key nests one level deeper: `report_only.<key>`.
    if key.split('.').nth(levels - 1) == Some(settings::REPORT_ONLY) {
        levels += 1;
    }
    let top_key = match key.match_indices('.').nth(levels - 1) {
        Some((at, _)) => &key[..at],
        None => key,
    };
    match &md.source {
        Some(figment::Source::File(path)) if md.name == "env file" => {
            Provenance::EnvFile { path: path.clone(), var: settings::env_name(top_key) }
        }
        Some(figment::Source::File(path)) => Provenance::File {
            path: path.clone(),
            profile: profile.map_or_else(|| "default".into(), |p| p.as_str().to_string()),
        },
        // `Serialized` and `(key, value)` providers name themselves after Rust types: the
        // first with the code location as its source, the second with no source at all.
        Some(figment::Source::Code(_)) => Provenance::Code,
        None if is_tuple_provider(&md.name) => Provenance::Code,
        _ if md.name.contains("`CORS_`") => Provenance::Env { var: settings::env_name(top_key) },
        _ if md.name.contains("`ROCKET_`") => Provenance::Env { var: "ROCKET_CORS".into() },
        _ => Provenance::Provider(md.name.to_string()),
    }
}

/// A Figment value as its author would have written it.
pub(crate) fn render(value: &Value) -> String {
    match value {
        Value::String(_, s) => s.clone(),
        Value::Char(_, c) => c.to_string(),
        Value::Bool(_, b) => b.to_string(),
        Value::Num(_, n) => match n.to_u128() {
            Some(u) => u.to_string(),
            None => n.to_i128().map(|i| i.to_string()).unwrap_or_else(|| format!("{n:?}")),
        },
        Value::Empty(..) => String::new(),
        Value::Array(_, items) => {
            format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", "))
        }
        Value::Dict(_, dict) => format!(
            "{{{}}}",
            dict.iter().map(|(k, v)| format!("{k} = {}", render(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The files this load read (or would read, once created).
fn files_of(figment: &Figment, sources: &Sources) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = figment
        .metadata()
        .filter_map(|md| match &md.source {
            // An env file a variable names is relative to the working directory.
            Some(figment::Source::File(path)) => Some(absolute(path)),
            _ => None,
        })
        .collect();
    if let Sources::Rocket { config_file, .. } = sources
        && !files.iter().any(|f| f.file_name() == config_file.file_name())
    {
        files.push(absolute(config_file));
    }
    files.sort();
    files.dedup();
    files
}

fn absolute(path: &Path) -> PathBuf {
    std::env::current_dir().map(|dir| dir.join(path)).unwrap_or_else(|_| path.to_path_buf())
}
