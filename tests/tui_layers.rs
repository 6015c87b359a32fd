//! The console's module structure, read from the sources: no module of
//! `src/tui` depends on one that depends back on it (a cycle), and the
//! layers below the console (conversation, request log, setup, templates)
//! never import it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `tui::panes::entities` for `src/tui/panes/entities/mod.rs`, and whether it is a `mod.rs`.
fn module_of(src: &Path, file: &Path) -> (Vec<String>, bool) {
    let rel = file.strip_prefix(src).expect("under src").with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let is_mod = parts.last().is_some_and(|p| p == "mod");
    if is_mod {
        parts.pop();
    }
    (parts, is_mod)
}

/// Paths like `crate::tui::x`, `super::y::z` in code (comments left out).
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !code.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let rest = &code[i..];
            let starts = ["crate::", "super::", "self::"].iter().find(|p| rest.starts_with(**p));
            let boundary =
                i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':');
            if let (Some(_), true) = (starts, boundary) {
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                out.push(path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect());
                i += path.len().max(1);
            } else {
                i += 1;
            }
        }
    }
    out
}

#[test]
fn no_module_cycle_in_the_console() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src.join("tui"), &mut files);
    let modules: BTreeMap<Vec<String>, (PathBuf, bool)> = files
        .iter()
        .map(|f| {
            let (m, is_mod) = module_of(&src, f);
            (m, (f.clone(), is_mod))
        })
        .collect();
    let resolve = |current: &[String], path: &[String]| -> Option<Vec<String>> {
        let (mut base, rest): (Vec<String>, &[String]) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (current.to_vec(), &path[1..]),
            Some("super") => {
                let mut b = current.to_vec();
                b.pop();
                let mut rest = &path[1..];
                while rest.first().is_some_and(|p| p == "super") {
                    b.pop();
                    rest = &rest[1..];
                }
                (b, rest)
            }
            _ => return None,
        };
        base.extend(rest.iter().cloned());
        (1..=base.len())
            .rev()
            .map(|k| base[..k].to_vec())
            .find(|m| modules.contains_key(m))
    };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, (file, _)) in &modules {
        let text = std::fs::read_to_string(file).expect("readable source");
        // Inline test modules have their own `super`: leave them out.
        let text = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
        let targets = edges.entry(module.clone()).or_default();
        for path in paths(&text) {
            if let Some(target) = resolve(module, &path)
                && target != *module
            {
                targets.insert(target);
            }
        }
        // A parent that uses its child's items (`pub use child::X`, `child::f()`).
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for child in modules
            .keys()
            .filter(|c| c.len() == module.len() + 1 && c.starts_with(module))
        {
            let name = format!("{}::", child[child.len() - 1]);
            let used = code.match_indices(&name).any(|(i, _)| {
                let before = code[..i].chars().next_back();
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            });
            if used {
                targets.insert(child.clone());
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next) {
                Some(1) => {
                    let from = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for module in modules.keys() {
        if !state.contains_key(module) {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(module, &edges, &mut state, &mut stack) {
                let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
                panic!("module cycle: {}", names.join(" -> "));
            }
        }
    }
    assert!(modules.len() > 20, "the console's modules were read: {}", modules.len());
}

#[test]
fn the_layers_below_the_console_never_import_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for layer in [
        "conversation",
        "reqlog",
        "setup",
        "templates",
        "api",
        "sandbox",
        "callback",
    ] {
        let mut files = Vec::new();
        sources(&src.join(layer), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            for path in paths(&text) {
                assert!(
                    !(path.first().is_some_and(|p| p == "crate") && path.get(1).is_some_and(|p| p == "tui")),
                    "{} imports the console ({})",
                    file.display(),
                    path.join("::")
                );
            }
        }
    }
}
