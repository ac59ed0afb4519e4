//! The `env_file`: a `KEY=VALUE` file of `CORS_*` lines, as a Figment provider.

use std::path::PathBuf;

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::TABLE;

/// A `KEY=VALUE` file of `CORS_*` lines, read without touching the process environment.
pub(super) struct EnvFile {
    pub(super) path: PathBuf,
}

impl Provider for EnvFile {
    fn metadata(&self) -> Metadata {
        Metadata::from("env file", self.path.as_path())
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|err| figment::Error::from(format!("cannot be read: {err}")))?;
        let mut table = Dict::new();
        for line in text.lines() {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else { continue };
            let Some(key) = name.trim().strip_prefix("CORS_") else { continue };
            let value = unquote(value.trim());
            let parsed: Value = value.parse().unwrap_or_else(|_| Value::from(value.to_string()));
            table.insert(key.to_ascii_lowercase(), parsed);
        }
        let mut root = Dict::new();
        root.insert(TABLE.into(), Value::from(table));
        Ok(Profile::Global.collect(root))
    }
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}
