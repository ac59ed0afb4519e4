//! `cors-fairing check` / `cors-fairing explain`: see `cors-fairing --help` and the README's
//! "Validate a ConfigMap in CI before rollout".

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if let Some(env_file) = cors_fairing::cli::env_file_override(&args) {
        // SAFETY: nothing else runs yet (no thread, no reader of the environment); the
        // loader then reads `--env-file` exactly as it reads `CORS_ENV_FILE` at launch.
        unsafe { std::env::set_var("CORS_ENV_FILE", env_file) };
    }
    cors_fairing::cli::run(args, &mut std::io::stdout().lock())
}
