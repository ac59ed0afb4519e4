//! `cors-fairing check` / `cors-fairing explain`: validate a configuration before rollout,
//! and ask what a request would get, without starting a server. See `cors-fairing --help`
//! and the README's "Validate a ConfigMap in CI before rollout".
//!
//! The binary reaches the library through one public function, [`cors_fairing::check`],
//! the verdict a launch and a reload reach on the same configuration.

mod args;
mod check;
mod explain;

use std::ffi::OsString;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cors_fairing::{Report, check};
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};

use args::{Command, Target, USAGE};

/// Valid (check) or allowed (explain).
const OK: u8 = 0;
/// The configuration is invalid: a server would not start with it (or, with `--strict`,
/// it warns).
const INVALID: u8 = 1;
/// The command line is wrong.
const USAGE_ERROR: u8 = 2;
/// `explain`: the request gets no CORS grant.
const NOT_ALLOWED: u8 = 3;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if let Some(env_file) = args::env_file_override(&args) {
        // SAFETY: nothing else runs yet (no thread, no reader of the environment); the
        // loader then reads `--env-file` exactly as it reads `CORS_ENV_FILE` at launch.
        unsafe { std::env::set_var("CORS_ENV_FILE", env_file) };
    }
    let command = match args::parse(args) {
        Ok(command) => command,
        Err(args::UsageError(message)) => {
            eprintln!("cors-fairing: {message}\n\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let out = &mut std::io::stdout().lock();
    let written = match command {
        Command::Usage => {
            eprintln!("{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
        Command::Help => writeln!(out, "{USAGE}").map(|()| OK),
        Command::Version => {
            writeln!(out, "cors-fairing {}", env!("CARGO_PKG_VERSION")).map(|()| OK)
        }
        Command::Check(target, options) => check::run(&target, &options, out),
        Command::Explain(target, probe) => explain::run(&target, &probe, out),
    };
    match written {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("cors-fairing: cannot write the report: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Where the settings come from and what the library's verdict on them is.
struct Checked {
    file: PathBuf,
    profile: Profile,
    /// `CORS_*` and `ROCKET_CORS` variables of this process, which apply as at launch.
    env_vars: Vec<String>,
    /// `None`: nothing exists at `file`.
    report: Option<Report>,
}

/// The configuration of `target` as a server would read it at launch, judged after
/// `previous` (the report of the configuration in force), if any.
fn load(target: &Target, file: Option<&Path>, previous: Option<&Report>) -> Checked {
    let file = file
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("ROCKET_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("Rocket.toml"));
    let profile = match &target.profile {
        Some(profile) => Profile::new(profile),
        None => Profile::from_env_or("ROCKET_PROFILE", "release"),
    };
    let mut env_vars: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            (name.starts_with("CORS_") && !name.starts_with("CORS_FAIRING_"))
                || name == "ROCKET_CORS"
        })
        .collect();
    env_vars.sort();
    // Anything at the path is read the way the fairing reads it (a FIFO or a directory is
    // refused by name); only a path where nothing exists is "does not exist": Figment
    // would read it as empty, and the defaults would pass.
    let missing = std::fs::metadata(&file).is_err_and(|err| err.kind() == ErrorKind::NotFound);
    let report = (!missing).then(|| {
        let figment = Figment::from(ConfigFile(file.clone())).select(profile.clone());
        check(&figment, previous)
    });
    Checked { file, profile, env_vars, report }
}

/// Names `Rocket.toml` as Rocket's Figment does, without reading it: the library reads it
/// itself, with its bounded, non-blocking reader, as at launch.
struct ConfigFile(PathBuf);

impl Provider for ConfigFile {
    fn metadata(&self) -> Metadata {
        Metadata::from("TOML file", self.0.as_path())
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Ok(Map::new())
    }
}
