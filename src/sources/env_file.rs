//! The `env_file`: a `KEY=VALUE` file of `CORS_*` lines, as a Figment provider.

use std::path::PathBuf;

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::TABLE;
use super::read::env_file_text;
use crate::error::ConfigError;

/// A `KEY=VALUE` file of `CORS_*` lines, read without touching the process environment.
pub(super) struct EnvFile {
    pub(super) path: PathBuf,
    pub(super) text: String,
}

impl EnvFile {
    /// Reads the file at `path` with the crate's bounded, non-blocking reader.
    pub(super) fn read(path: PathBuf) -> Result<EnvFile, ConfigError> {
        let text = env_file_text(&path)?;
        Ok(EnvFile { path, text })
    }
}

impl Provider for EnvFile {
    fn metadata(&self) -> Metadata {
        Metadata::from("env file", self.path.as_path())
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        let mut table = Dict::new();
        for line in self.text.lines() {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else { continue };
            let Some(key) = name.trim().strip_prefix("CORS_") else { continue };
            let value = unquote(value.trim());
            let parsed: Value = value.parse().unwrap_or_else(|_| Value::from(value.to_string()));
            insert(&mut table, &key.to_ascii_lowercase(), parsed);
        }
        let mut root = Dict::new();
        root.insert(TABLE.into(), Value::from(table));
        Ok(Profile::Global.collect(root))
    }
}

/// `policies__public__allow_origin` nests as `CORS_*` variables do: `policies.public.allow_origin`.
fn insert(table: &mut Dict, key: &str, value: Value) {
    match key.split_once("__") {
        None => drop(table.insert(key.to_string(), value)),
        Some((outer, rest)) => {
            let inner = table.entry(outer.to_string()).or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = inner {
                insert(inner, rest, value);
            }
        }
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
