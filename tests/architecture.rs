//! The module picture of the crate docs ("How the crate is built"), checked against the
//! code: every module uses only the modules below it in the table, so no import points
//! back up and there is no cycle.

use std::collections::BTreeSet;
use std::path::Path;

/// The table's order, top to bottom.
const LAYERS: [&str; 17] = [
    "cli",
    "fairing",
    "guard",
    "handle",
    "preflight",
    "respond",
    "request",
    "reload",
    "banner",
    "sources",
    "origin_check",
    "state",
    "files",
    "counters",
    "policy",
    "settings",
    "error",
];

/// The root re-exports, by the module that defines them.
const REEXPORTS: [(&str, &str); 10] = [
    ("CorsFairing", "fairing"),
    ("CorsHandle", "handle"),
    ("EffectiveSetting", "banner"),
    ("ConfigError", "error"),
    ("ConfigWarning", "error"),
    ("Source", "error"),
    ("Policy", "policy"),
    ("Settings", "settings"),
    ("ReloadOutcome", "state"),
    ("ReloadStatus", "state"),
];

/// Imports known to point up, to be removed: `error` still names `settings` (env names) and
/// `sources` (the `cors` table) until ConfigError says what it is about by itself.
const KNOWN_UPWARD: [(&str, &str); 2] = [("error", "settings"), ("error", "sources")];

fn rank(module: &str) -> usize {
    LAYERS.iter().position(|m| *m == module).unwrap_or_else(|| panic!("{module} not in LAYERS"))
}

/// The crate modules a file's code (not its docs, not its unit tests) names as `crate::x`.
fn uses(code: &str) -> BTreeSet<String> {
    let code = code.split("#[cfg(test)]\nmod tests").next().unwrap_or(code);
    let mut used = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (_, rest) in line.match_indices("crate::").map(|(at, _)| line.split_at(at + 7)) {
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let module = match REEXPORTS.iter().find(|(n, _)| *n == name) {
                Some((_, module)) => module.to_string(),
                None => name,
            };
            used.insert(module);
        }
    }
    used
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let module = relative.iter().next().and_then(|c| c.to_str()).expect("a name");
        let module = module.trim_end_matches(".rs");
        if module == "lib" || module == "bin" {
            continue;
        }
        let code = std::fs::read_to_string(file).expect("readable file");
        for used in uses(&code) {
            let known = KNOWN_UPWARD.contains(&(module, used.as_str()));
            if used != module && !known && rank(&used) <= rank(module) {
                wrong.push(format!("{} uses crate::{used}", relative.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up the table:\n{}", wrong.join("\n"));
}

/// The table in the crate docs lists the same modules, in the same order, as `LAYERS`: the
/// picture a reader sees is the one this test enforces.
#[test]
fn the_crate_docs_table_is_the_layer_order() {
    let docs = std::fs::read_to_string("src/lib.rs").expect("src/lib.rs");
    let section = docs.split("//! # How the crate is built").nth(1).expect("the section");
    let table: Vec<&str> = section
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("//!"))
        .filter_map(|line| line.strip_prefix("//! | `"))
        .filter_map(|row| row.split('`').next())
        .collect();
    assert_eq!(table, LAYERS, "the table in src/lib.rs and LAYERS differ");
}
