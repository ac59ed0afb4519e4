//! The command line, parsed by hand: two subcommands and a handful of flags do not earn a
//! parser dependency in a crate whose users mostly never build the binary.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the operator asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Check(Target, CheckOptions),
    Explain(Target, Probe),
    Help,
    Version,
    /// No arguments at all: the usage, as an error (a CI step that forgot its command).
    Usage,
}

/// How `check` reports and what fails it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CheckOptions {
    /// Warnings fail the check too.
    pub(crate) strict: bool,
    /// Every key with its default, not only the keys that are set.
    pub(crate) all: bool,
    /// The configuration in force: judge FILE as the reload from it.
    pub(crate) previous: Option<PathBuf>,
}

/// Which configuration to read, as a server would at launch.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) file: Option<PathBuf>,
    pub(crate) profile: Option<String>,
    pub(crate) env_file: Option<PathBuf>,
}

/// The request `explain` asks about.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    pub(crate) origin: String,
    pub(crate) method: Option<String>,
    pub(crate) headers: Vec<String>,
    pub(crate) path: String,
}

pub(crate) const USAGE: &str = "\
usage: cors-fairing check   [--profile P] [--env-file F] [--strict] [--all]
                            [--previous OLD] [FILE]
       cors-fairing explain [--profile P] [--env-file F] [FILE] --origin O
                            [--method M] [--header H]... [--path P]
       cors-fairing --version

FILE defaults to $ROCKET_CONFIG, else Rocket.toml; the profile to $ROCKET_PROFILE, else
`release` (what a server built with --release selects). CORS_* and ROCKET_CORS variables in
the environment apply as they would at launch; --env-file F reads F as the env_file setting
(as if CORS_ENV_FILE=F were set).

check    validates without starting anything, with the verdict a launch and a reload reach:
         the keys that are set with their sources (--all: every key, defaults too), every
         error and every warning, the policy's fingerprint; exit 0 if valid, 1 if not
         (--strict: also on warnings). --previous OLD judges FILE as a reload from OLD
         would: a table or file gone that gave keys in force is refused. Values merged into
         Rocket's Figment in code are not seen.
explain  the verdict for one request, the policy that judged it and the exact header lines;
         a preflight when --method is not GET, HEAD or POST or any --header is given.
         Exit 0 if allowed, 3 if not, 1 if the configuration is invalid.
Usage errors exit 2.";

/// A usage error: what was wrong with the command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UsageError(pub(crate) String);

pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, UsageError> {
    let mut args = Args::new(args)?;
    let command = match args.next_word().as_deref() {
        None => return Ok(Command::Usage),
        Some("help" | "-h" | "--help") => return Ok(Command::Help),
        Some("-V" | "--version") => return Ok(Command::Version),
        Some(command @ ("check" | "explain")) => command.to_string(),
        Some(other) => return Err(UsageError(format!("unknown command `{other}`"))),
    };
    let mut target = Target::default();
    let mut options = CheckOptions::default();
    let (mut origin, mut method, mut headers, mut path) = (None, None, Vec::new(), None);
    let explain = command == "explain";
    while let Some(arg) = args.next_word() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value)),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| match inline {
            Some(value) => Ok(value.to_string()),
            None => args.value_of(name),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--strict" if !explain => options.strict = true,
            "--all" if !explain => options.all = true,
            "--previous" if !explain => options.previous = Some(value("--previous")?.into()),
            "--profile" => target.profile = Some(value("--profile")?),
            "--env-file" => target.env_file = Some(value("--env-file")?.into()),
            "--origin" if explain => origin = Some(value("--origin")?),
            "--method" if explain => method = Some(value("--method")?),
            "--header" if explain => headers.push(value("--header")?),
            "--path" if explain => path = Some(value("--path")?),
            flag if flag.starts_with('-') => {
                return Err(UsageError(format!("`{command}` takes no option `{flag}`")));
            }
            _ if target.file.is_some() => {
                return Err(UsageError(format!("one FILE only, `{arg}` is a second")));
            }
            _ => target.file = Some(arg.into()),
        }
    }
    if !explain {
        return Ok(Command::Check(target, options));
    }
    let origin = origin.ok_or_else(|| UsageError("`explain` needs --origin".into()))?;
    let path = path.unwrap_or_else(|| "/".into());
    if !path.starts_with('/') {
        return Err(UsageError(format!("--path is a request path starting with `/`: `{path}`")));
    }
    Ok(Command::Explain(target, Probe { origin, method, headers, path }))
}

/// The `--env-file` of a command line, if any, for `main` to set as `CORS_ENV_FILE` before
/// anything else runs.
pub(crate) fn env_file_override(args: &[OsString]) -> Option<OsString> {
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

struct Args(std::vec::IntoIter<String>);

impl Args {
    fn new(args: impl IntoIterator<Item = OsString>) -> Result<Self, UsageError> {
        let words = args
            .into_iter()
            .map(|arg| {
                arg.into_string().map_err(|arg| {
                    UsageError(format!("argument {} is not valid UTF-8", arg.to_string_lossy()))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Args(words.into_iter()))
    }

    fn next_word(&mut self) -> Option<String> {
        self.0.next()
    }

    fn value_of(&mut self, flag: &str) -> Result<String, UsageError> {
        self.0.next().ok_or_else(|| UsageError(format!("{flag} needs a value")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Result<Command, UsageError> {
        parse(line.split_whitespace().map(OsString::from))
    }

    #[test]
    fn check_takes_a_file_a_profile_and_an_env_file() {
        let defaults = CheckOptions::default();
        assert_eq!(parsed("check").unwrap(), Command::Check(Target::default(), defaults));
        assert_eq!(
            parsed("check --profile staging --env-file=cors.env deploy/Rocket.toml").unwrap(),
            Command::Check(
                Target {
                    file: Some("deploy/Rocket.toml".into()),
                    profile: Some("staging".into()),
                    env_file: Some("cors.env".into()),
                },
                CheckOptions::default()
            )
        );
        let Command::Check(_, options) =
            parsed("check --strict --all --previous old.toml new.toml").unwrap()
        else {
            panic!("not check");
        };
        let previous = Some("old.toml".into());
        assert_eq!(options, CheckOptions { strict: true, all: true, previous });
    }

    #[test]
    fn explain_collects_repeated_headers() {
        let Command::Explain(_, probe) =
            parsed("explain --origin https://a.example --method PUT --header X-A --header X-B")
                .unwrap()
        else {
            panic!("not explain");
        };
        assert_eq!(probe.origin, "https://a.example");
        assert_eq!(probe.method.as_deref(), Some("PUT"));
        assert_eq!(probe.headers, ["X-A", "X-B"]);
        assert_eq!(probe.path, "/");
    }

    #[test]
    fn the_env_file_is_found_in_either_spelling() {
        let args = |line: &str| line.split(' ').map(OsString::from).collect::<Vec<_>>();
        assert_eq!(env_file_override(&args("check --env-file a.env")), Some("a.env".into()));
        assert_eq!(env_file_override(&args("check --env-file=b.env x")), Some("b.env".into()));
        assert_eq!(env_file_override(&args("check Rocket.toml")), None);
    }

    #[test]
    fn mistakes_are_named() {
        let error = |line| parsed(line).unwrap_err().0;
        assert_eq!(error("deploy"), "unknown command `deploy`");
        assert_eq!(error("check --origin x"), "`check` takes no option `--origin`");
        assert_eq!(error("check --profile"), "--profile needs a value");
        assert_eq!(error("check a.toml b.toml"), "one FILE only, `b.toml` is a second");
        assert_eq!(error("explain"), "`explain` needs --origin");
        assert_eq!(
            error("explain --origin o --path api"),
            "--path is a request path starting with `/`: `api`"
        );
        assert_eq!(parsed("check --help").unwrap(), Command::Help);
        assert_eq!(parsed("").unwrap(), Command::Usage);
        assert_eq!(parsed("--version").unwrap(), Command::Version);
        assert_eq!(error("explain --origin o --strict"), "`explain` takes no option `--strict`");
    }
}
