//! The module picture of the crate docs ("How the crate is built"), checked against the
//! code: every top-level module uses only the modules below it in the table, the modules the
//! table says know no Rocket name none of its paths, and no two files import each other,
//! sub-modules included (a file and its own parent `mod.rs` may: a parent declares and
//! re-exports its children).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The table's order, top to bottom.
const LAYERS: [&str; 20] = [
    "fairing",
    "guard",
    "protection",
    "handle",
    "preflight",
    "respond",
    "request",
    "reload",
    "banner",
    "report",
    "sources",
    "origin_check",
    "state",
    "report_only",
    "files",
    "counters",
    "log_limit",
    "policy",
    "settings",
    "error",
];

fn rank(module: &str) -> usize {
    LAYERS.iter().position(|m| *m == module).unwrap_or_else(|| panic!("{module} not in LAYERS"))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn visit(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every `.rs` file under `src/`, relative to it, but the binary.
fn files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    visit(&src(), &mut files);
    let mut files: Vec<PathBuf> = files
        .into_iter()
        .map(|f| f.strip_prefix(src()).expect("under src").to_path_buf())
        .filter(|f| !f.starts_with("bin"))
        .collect();
    files.sort();
    files
}

/// A file's code: no comments, no docs, no unit tests.
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(src().join(file)).expect("readable file");
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(&text);
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.split(" // ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module a file is: `policy/origins/matching.rs` -> `["policy", "origins", "matching"]`.
fn module_of(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> =
        file.iter().map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The file of a module, if it has one.
fn file_of(module: &[String]) -> Option<PathBuf> {
    if module.is_empty() {
        return Some(PathBuf::from("lib.rs"));
    }
    let dir: PathBuf = module.iter().collect();
    let flat = dir.with_extension("rs");
    let nested = dir.join("mod.rs");
    [flat, nested].into_iter().find(|f| src().join(f).exists())
}

/// The paths a piece of code names from `crate::` or `super::`, use trees expanded, each as
/// absolute segments (`super` resolved against `module`).
fn paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let start = ["crate::", "super::"].iter().filter_map(|p| rest.find(p)).min();
        let Some(start) = start else { break };
        let begin = at + start;
        let preceded = begin > 0
            && (bytes[begin - 1].is_ascii_alphanumeric()
                || bytes[begin - 1] == b'_'
                || bytes[begin - 1] == b':');
        if preceded {
            at = begin + 1;
            continue;
        }
        let mut cursor = begin;
        for tree in use_tree(code, &mut cursor) {
            if let Some(path) = absolute(&tree, module) {
                found.push(path);
            }
        }
        at = cursor.max(begin + 1);
    }
    found
}

/// Parses a path or use tree at `cursor` into its full paths.
fn use_tree(code: &str, cursor: &mut usize) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    loop {
        skip_space(code, cursor);
        if code[*cursor..].starts_with('{') {
            *cursor += 1;
            let mut all = Vec::new();
            loop {
                skip_space(code, cursor);
                if code[*cursor..].starts_with('}') {
                    *cursor += 1;
                    break;
                }
                for tail in use_tree(code, cursor) {
                    all.push(prefix.iter().cloned().chain(tail).collect());
                }
                skip_space(code, cursor);
                if code[*cursor..].starts_with(',') {
                    *cursor += 1;
                }
            }
            return all;
        }
        let ident: String = code[*cursor..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '*')
            .collect();
        if ident.is_empty() {
            return vec![prefix];
        }
        *cursor += ident.len();
        prefix.push(ident);
        if code[*cursor..].starts_with("::") {
            *cursor += 2;
        } else {
            return vec![prefix];
        }
    }
}

fn skip_space(code: &str, cursor: &mut usize) {
    while code[*cursor..].starts_with(char::is_whitespace) {
        *cursor += code[*cursor..].chars().next().map_or(1, char::len_utf8);
    }
}

fn absolute(path: &[String], module: &[String]) -> Option<Vec<String>> {
    let mut segments = path.iter().peekable();
    let mut base: Vec<String> = match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("super") => module.to_vec(),
        _ => return None,
    };
    let mut out = Vec::new();
    for segment in segments {
        match segment.as_str() {
            "super" if out.is_empty() => {
                base.pop();
            }
            "self" => {}
            _ => out.push(segment.clone()),
        }
    }
    Some(base.into_iter().chain(out).collect())
}

/// The file that defines what `path` names: the deepest module file on the way, and, when
/// the path goes on into a name that file re-exports (`pub use child::Name`), the file that
/// defines that name.
fn resolve(path: &[String]) -> Option<PathBuf> {
    let mut depth = 0;
    while depth < path.len() && file_of(&path[..=depth]).is_some() {
        depth += 1;
    }
    let module = &path[..depth];
    let file = file_of(module)?;
    let Some(name) = path.get(depth) else { return Some(file) };
    let code = code(&file);
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(tree) = statement
            .strip_prefix("pub use ")
            .or_else(|| statement.strip_prefix("pub(crate) use "))
            .or_else(|| statement.strip_prefix("pub(super) use "))
        else {
            continue;
        };
        let mut cursor = 0;
        for used in use_tree(tree, &mut cursor) {
            let renamed = used.last().is_some_and(|last| last == name);
            if renamed && used.first().is_some_and(|first| first != "crate" && first != "super") {
                let target: Vec<String> = module.iter().cloned().chain(used).collect();
                if target.len() > path.len() || target != path {
                    return resolve(&target).or(Some(file));
                }
            }
        }
    }
    Some(file)
}

/// The files each file imports, parents and children apart.
fn graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut graph = BTreeMap::new();
    for file in files() {
        let module = module_of(&file);
        let mut targets = BTreeSet::new();
        for path in paths(&code(&file), &module) {
            if let Some(target) = resolve(&path)
                && target != file
                && !is_parent(&target, &file)
                && !is_parent(&file, &target)
            {
                targets.insert(target);
            }
        }
        graph.insert(file, targets);
    }
    graph
}

/// Whether `parent` is the file that declares `child`.
fn is_parent(parent: &Path, child: &Path) -> bool {
    let mut module = module_of(child);
    module.pop();
    file_of(&module).as_deref() == Some(parent)
}

/// The strongly connected components of more than one file (Tarjan).
fn cycles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'g PathBuf, (usize, usize)>,
        stack: Vec<&'g PathBuf>,
        next: usize,
        found: Vec<Vec<PathBuf>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, file: &'g PathBuf) {
            self.index.insert(file, (self.next, self.next));
            self.next += 1;
            self.stack.push(file);
            for target in self.graph.get(file).into_iter().flatten() {
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.index[target].1.min(self.index[file].1);
                    self.index.get_mut(file).unwrap().1 = low;
                } else if self.stack.contains(&target) {
                    let low = self.index[target].0.min(self.index[file].1);
                    self.index.get_mut(file).unwrap().1 = low;
                }
            }
            let (index, low) = self.index[file];
            if index == low {
                let at = self.stack.iter().position(|f| *f == file).unwrap();
                let component: Vec<PathBuf> =
                    self.stack.drain(at..).map(|f| f.to_path_buf()).collect();
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk =
        Walk { graph, index: BTreeMap::new(), stack: Vec::new(), next: 0, found: Vec::new() };
    for file in graph.keys() {
        if !walk.index.contains_key(file) {
            walk.visit(file);
        }
    }
    walk.found
}

#[test]
fn every_module_uses_only_the_modules_below_it() {
    let mut wrong = Vec::new();
    for (file, targets) in graph() {
        let Some(module) = module_of(&file).first().cloned() else { continue };
        for target in targets {
            let Some(used) = module_of(&target).first().cloned() else { continue };
            if used != module && rank(&used) <= rank(&module) {
                wrong.push(format!("{} uses {}", file.display(), target.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up the table:\n{}", wrong.join("\n"));
}

#[test]
fn no_two_files_import_each_other_sub_modules_included() {
    let cycles = cycles(&graph());
    let shown: Vec<String> = cycles
        .iter()
        .map(|c| c.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(" -> "))
        .collect();
    assert!(shown.is_empty(), "import cycles:\n{}", shown.join("\n"));
}

/// The check itself sees what it must: a cycle, the edges through a re-export and `super::`.
#[test]
fn the_graph_sees_cycles_re_exports_and_super() {
    let graph = graph();
    let edges = |from: &str| -> Vec<String> {
        graph[Path::new(from)].iter().map(|f| f.display().to_string()).collect()
    };
    // `crate::policy::Verdict` is re-exported by policy/mod.rs from judge.rs.
    assert!(edges("counters/mod.rs").contains(&"policy/judge.rs".to_string()));
    // `super::origins::{AllowOrigin, is_well_formed}`: the parent's own item and a child's.
    let judge = edges("policy/judge.rs");
    assert!(judge.contains(&"policy/origins/mod.rs".into()), "{judge:?}");
    assert!(judge.contains(&"policy/origins/matching.rs".into()), "{judge:?}");
    assert!(!judge.contains(&"policy/mod.rs".into()), "a parent is no edge: {judge:?}");
    let mut cyclic = graph.clone();
    cyclic.get_mut(Path::new("policy/request.rs")).unwrap().insert("policy/set.rs".into());
    assert_eq!(cycles(&cyclic).len(), 1, "request -> set -> request is a cycle");
}

/// The modules whose row says they know no Rocket (`no`, `no Rocket types`, `Figment only`)
/// name no `rocket::` path in their code.
#[test]
fn the_modules_said_to_know_no_rocket_name_none_of_it() {
    let mut wrong = Vec::new();
    let rows = table();
    for file in files() {
        let Some(module) = module_of(&file).first().cloned() else { continue };
        let knows = &rows.iter().find(|(m, _)| *m == module).expect("a row").1;
        let rocket_free = knows.starts_with("no") || knows.starts_with("Figment only");
        if rocket_free && (code(&file).contains("rocket::") || code(&file).contains("use rocket")) {
            wrong.push(format!("{} ({module}: {knows})", file.display()));
        }
    }
    assert!(wrong.is_empty(), "Rocket named where the table says it is not:\n{}", wrong.join("\n"));
}

/// The rows of the table in the crate docs: module and its "knows Rocket?" cell.
fn table() -> Vec<(String, String)> {
    let docs = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let section = docs.split("//! # How the crate is built").nth(1).expect("the section");
    section
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("//!"))
        .filter_map(|line| line.strip_prefix("//! | `"))
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").collect();
            let module = cells[0].split('`').next().unwrap_or_default().to_string();
            let knows = cells.last().unwrap_or(&"").trim_end_matches(" |").trim().to_string();
            (module, knows)
        })
        .collect()
}

/// The table in the crate docs lists the same modules, in the same order, as `LAYERS`: the
/// picture a reader sees is the one this test enforces.
#[test]
fn the_crate_docs_table_is_the_layer_order() {
    let table: Vec<String> = table().into_iter().map(|(module, _)| module).collect();
    assert_eq!(table, LAYERS, "the table in src/lib.rs and LAYERS differ");
}
