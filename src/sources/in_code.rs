//! Values given in code: what an application merged into Rocket's own Figment
//! (`rocket::custom(rocket::Config::figment().merge(("cors.allow_origin", [...])))`), as
//! Rocket's documentation teaches for any setting. `CorsFairing::figment()` reads
//! `Rocket.toml` and the environment itself on every load; these values are taken from
//! Rocket's Figment once, at ignite, and put back into every load at their place.
//!
//! Their place is where the application put them relative to `Rocket.toml`: a value whose
//! provider came after the file in Rocket's Figment (`.merge` after
//! `rocket::Config::figment()`) wins over the file and `ROCKET_CORS`; one whose provider
//! came before it (`Figment::from(defaults).merge(rocket::Config::figment())`) is a default
//! the file overrides. `CORS_*` variables stay on top, as for every other source. Figment
//! keeps no record of `join`: a value joined after the file is taken as merged. Another
//! file merged in code is a value given in code too: read once, at ignite.

use std::collections::BTreeMap;
use std::path::Path;

use figment::value::{Dict, Map, Tag, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::TABLE;

/// The `cors` values of Rocket's Figment that neither `Rocket.toml` nor `ROCKET_*` gave,
/// grouped by the provider that gave them, in Rocket's order.
#[derive(Clone, Debug, Default)]
pub(crate) struct InCode {
    /// Providers before `Rocket.toml`: defaults under every file.
    pub(super) below: Vec<CodeValues>,
    /// Providers after it: over the files and `ROCKET_CORS`, under `CORS_*`.
    pub(super) above: Vec<CodeValues>,
}

/// The values one provider of Rocket's Figment gave, under its own metadata (so that the
/// banner names them as that provider: "given in code" for `(key, value)` and `Serialized`).
#[derive(Clone, Debug)]
pub(super) struct CodeValues {
    metadata: Metadata,
    table: Dict,
    profile: Profile,
}

impl Provider for CodeValues {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        let root = Dict::from([(TABLE.to_string(), Value::from(self.table.clone()))]);
        Ok(self.profile.collect(root))
    }
}

impl InCode {
    /// The values given in code in `rocket` (Rocket's Figment), leaving out those of
    /// `config_file` and of `ROCKET_*` variables, which every load reads afresh.
    pub(crate) fn of(rocket: &Figment, config_file: &Path) -> InCode {
        let Ok(Value::Dict(_, table)) = rocket.find_value(TABLE) else {
            return InCode::default();
        };
        let is_config_file = |md: &Metadata| match &md.source {
            Some(figment::Source::File(path)) => path == config_file,
            _ => false,
        };
        // `Rocket.toml` itself and `ROCKET_*` variables: every load reads them afresh. Any
        // other file merged in code (a second TOML file, a JSON file) is a value given in
        // code, read once.
        let is_rocket_own = |md: &Metadata| is_config_file(md) || md.name.contains("`ROCKET_`");
        let mut by_tag: BTreeMap<Tag, Dict> = BTreeMap::new();
        collect(&table, &mut Vec::new(), &mut |path, value| {
            let Some(md) = rocket.get_metadata(value.tag()) else { return };
            if !is_rocket_own(md) {
                insert(by_tag.entry(value.tag()).or_default(), path, untagged(value));
            }
        });
        // Providers in the order they were merged (Figment keeps their metadata so), whether
        // or not they gave a value: the file's place is known even while it is empty.
        let order: Vec<&Metadata> = rocket.metadata().collect();
        let place = |md: &Metadata| order.iter().position(|m| std::ptr::eq(*m, md));
        let file = order.iter().position(|md| is_config_file(md));
        let mut in_code = InCode::default();
        for (tag, table) in by_tag {
            let Some(metadata) = rocket.get_metadata(tag) else { continue };
            let below = matches!((place(metadata), file), (Some(at), Some(file)) if at < file);
            // Below the file: in the default profile, so that every profile's table of the
            // file overrides it; above: global, over all of them.
            let profile = if below { Profile::Default } else { Profile::Global };
            let values = CodeValues { metadata: metadata.clone(), table, profile };
            if below { in_code.below.push(values) } else { in_code.above.push(values) }
        }
        in_code
    }
}

/// Calls `leaf` with the path and value of every non-table value under `dict`.
fn collect<'v>(
    dict: &'v Dict,
    path: &mut Vec<String>,
    leaf: &mut impl FnMut(&[String], &'v Value),
) {
    for (key, value) in dict {
        path.push(key.clone());
        match value {
            Value::Dict(_, inner) => collect(inner, path, leaf),
            _ => leaf(path, value),
        }
        path.pop();
    }
}

fn insert(dict: &mut Dict, path: &[String], value: Value) {
    let (last, parents) = path.split_last().expect("a leaf has a key");
    let mut dict = dict;
    for key in parents {
        let entry = dict.entry(key.clone()).or_insert_with(|| Value::from(Dict::new()));
        let Value::Dict(_, inner) = entry else { return };
        dict = inner;
    }
    dict.insert(last.clone(), value);
}

/// `value` without its tag, so that the provider that carries it tags it anew (a tag of
/// Rocket's Figment means nothing in another Figment).
fn untagged(value: &Value) -> Value {
    match value {
        Value::String(_, s) => Value::String(Tag::Default, s.clone()),
        Value::Char(_, c) => Value::Char(Tag::Default, *c),
        Value::Bool(_, b) => Value::Bool(Tag::Default, *b),
        Value::Num(_, n) => Value::Num(Tag::Default, *n),
        Value::Empty(_, e) => Value::Empty(Tag::Default, *e),
        Value::Dict(_, d) => {
            Value::Dict(Tag::Default, d.iter().map(|(k, v)| (k.clone(), untagged(v))).collect())
        }
        Value::Array(_, a) => Value::Array(Tag::Default, a.iter().map(untagged).collect()),
    }
}
