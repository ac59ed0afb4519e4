//! `cors-fairing check` and `cors-fairing explain`, the binary behind the `cli` feature:
//! validate a configuration before rollout, and ask what a request would get, without
//! starting a server.
//!
//! The binary is a thin `main`; everything is here so that it reads the configuration
//! exactly as the fairing does at launch.

mod args;
mod check;
mod explain;

use std::ffi::OsString;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use figment::Profile;

use args::USAGE;

use crate::error::ConfigError;
use crate::sources::{Loaded, Sources};

/// Valid (check) or allowed (explain).
const OK: u8 = 0;
/// The configuration is invalid: a server would not start with it.
const INVALID: u8 = 1;
/// The command line is wrong.
const USAGE_ERROR: u8 = 2;
/// `explain`: the request gets no CORS grant.
const NOT_ALLOWED: u8 = 3;

/// Runs one command line (without the program name) and says how it ended.
///
/// `--env-file F` must already be in the environment as `CORS_ENV_FILE` (see
/// [`env_file_override`]): only the binary's `main` may change the environment.
pub fn run(args: impl IntoIterator<Item = OsString>, out: &mut impl Write) -> ExitCode {
    let command = match args::parse(args) {
        Ok(command) => command,
        Err(args::UsageError(message)) => {
            eprintln!("cors-fairing: {message}\n\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let written = match command {
        args::Command::Help => writeln!(out, "{USAGE}").map(|()| OK),
        args::Command::Check(target) => check::run(&target, out),
        args::Command::Explain(target, probe) => explain::run(&target, &probe, out),
    };
    match written {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("cors-fairing: cannot write the report: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The `--env-file` of a command line, if any, for `main` to set as `CORS_ENV_FILE` before
/// anything else runs.
pub fn env_file_override(args: &[OsString]) -> Option<OsString> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--env-file" {
            return args.next().cloned();
        }
        if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--env-file=")) {
            return Some(value.into());
        }
    }
    None
}

/// Where the settings come from and what loading them gave.
struct Checked {
    file: PathBuf,
    profile: Profile,
    /// `CORS_*` and `ROCKET_CORS` variables of this process, which apply as at launch.
    env_vars: Vec<String>,
    result: Result<Loaded, Vec<ConfigError>>,
}

/// Reads the configuration the way the fairing does at launch.
fn load(target: &args::Target) -> Checked {
    let file = target
        .file
        .clone()
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
    // refused by name); only a path where nothing exists is "does not exist".
    let missing = std::fs::metadata(&file).is_err_and(|err| err.kind() == ErrorKind::NotFound);
    let result = if !missing {
        let (config_file, profile, in_code) = (file.clone(), profile.clone(), Default::default());
        let sources = Sources::Rocket { config_file, profile, in_code };
        sources.load().map_err(|errors| errors.into_iter().collect())
    } else {
        // Figment reads a missing file as an empty one: the defaults would pass the check.
        let err = ConfigError::file(&file, "does not exist")
            .hint("name the server's Rocket.toml, or set ROCKET_CONFIG");
        Err(vec![err])
    };
    Checked { file, profile, env_vars, result }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_file_is_found_in_either_spelling() {
        let args = |line: &str| line.split(' ').map(OsString::from).collect::<Vec<_>>();
        assert_eq!(env_file_override(&args("check --env-file a.env")), Some("a.env".into()));
        assert_eq!(env_file_override(&args("check --env-file=b.env x")), Some("b.env".into()));
        assert_eq!(env_file_override(&args("check Rocket.toml")), None);
    }
}
