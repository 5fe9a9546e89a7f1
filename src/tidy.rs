//! Architecture tests in the manner of rust-analyzer's tidy tests: they read the workspace's sources and fail when a
//! layering rule of ARCHITECTURE.md is broken, naming the file and line.
//!
//! - Pure modules (every area's `rules`, and the pure cross-cutting modules) import neither sqlx, axum, leptos nor
//!   tokio: they compile to WebAssembly and are shared with the browser. One mention is allowed: a server-only
//!   `cfg_attr(feature = "ssr", derive(.., sqlx::Type))`, which says how a type is stored and does no IO (the ids).
//! - `app/` holds no SQL: its server functions call the core's services.
//! - Store modules are private to their area: declared without `pub` in the area's `mod.rs`, and no item in them is
//!   plain `pub` (visibility is spelled `pub(in crate::<area>)`), so a `*Row` type cannot leave its area.
//! - Every Rust module says why it exists in a `//!` comment.
//! - Services and stores decode what the system stored loudly: no `parse`, `decode`, `from_value` or `from_str`
//!   followed by `.ok()` or an `.unwrap_or…` default on the same line (see `codes::TextEnum::decode`).
//! - Every route but the first-visit pages (home, login, register, pending) is lazy, so its code is a WASM chunk of
//!   its own and the login page does not carry it.
//! - An area's SQL names another area's tables only where [`MAY_NAME`] says so, and every table of `migrations/`
//!   belongs to an area ([`table_owner`]).
//! - The core's SQL is `query!` (checked at compile time against `.sqlx/`); a module that writes unchecked SQL
//!   (`sqlx::query(`, `query_as(`, `query_scalar(`, `QueryBuilder`) says why in its `//!`, with the word "unchecked".
//! - The core opens transactions through `db::begin` (which states their scope), except in [`UNSCOPED_TRANSACTIONS`].
//! - Every area has an HTTP test module, `server/tests/http/<area>*.rs`, declared in `main.rs`.
//! - Tenant and user ids travel typed (`ids::TenantId`, `ids::UserId`): nothing named for a tenant or a user is a bare
//!   `Uuid`, but the columns of a store's own rows (which its service wraps).

use std::path::{Path, PathBuf};

use areas::{AUDIT_MAY_NAME, MAY_NAME, may_name, table_owner};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(workspace()).unwrap_or(path).display().to_string()
}

/// Lines of code, with `//` comments dropped (a comment may name what the code must not use).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("")))
        .filter(|(_, l)| !l.trim().is_empty())
}

/// The areas of the core: the folders of `src/` that have a `rules` module.
fn areas() -> Vec<PathBuf> {
    let mut areas: Vec<PathBuf> = std::fs::read_dir(workspace().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && (p.join("rules.rs").exists() || p.join("rules").is_dir()))
        .collect();
    areas.sort();
    areas
}

fn pure_files() -> Vec<PathBuf> {
    let src = workspace().join("src");
    let mut files = vec![
        src.join("codes.rs"),
        src.join("csv_safe.rs"),
        src.join("numbers.rs"),
        src.join("paging.rs"),
        src.join("ids.rs"),
        src.join("workflow/machine.rs"),
    ];
    for area in areas() {
        if area.join("rules.rs").exists() {
            files.push(area.join("rules.rs"));
        }
        if area.join("rules").is_dir() {
            files.extend(rust_files(&area.join("rules")));
        }
    }
    files
}

fn violations_of_purity(path: &Path, text: &str) -> Vec<String> {
    const FORBIDDEN: [&str; 4] = ["sqlx", "axum", "leptos", "tokio"];
    let mut found = Vec::new();
    for (n, line) in code_lines(text) {
        // A type's SQL mapping, compiled for the server only: no IO, and not in the browser's build.
        let line = if line.trim_start().starts_with("#[cfg_attr(feature = \"ssr\", derive(") {
            line.replace("sqlx::Type", "").replace("sqlx(transparent)", "")
        } else {
            line.to_owned()
        };
        for krate in FORBIDDEN {
            let mentions = line.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|word| word == krate);
            if mentions {
                found.push(format!("{}:{n}: a pure module uses `{krate}`: {}", rel(path), line.trim()));
            }
        }
    }
    found
}

fn violations_of_no_sql(path: &Path, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in code_lines(text) {
        // SQL lives in string literals; look inside them only.
        let literals: Vec<String> = line.split('"').skip(1).step_by(2).map(str::to_lowercase).collect();
        let has = |needle: &str| literals.iter().any(|l| l.contains(needle));
        let sql = (has("select ") && has(" from "))
            || has("insert into")
            || has("delete from")
            || (has("update ") && has(" set "));
        if line.contains("sqlx::") || sql {
            found.push(format!("{}:{n}: SQL in app/: {}", rel(path), line.trim()));
        }
    }
    found
}

/// A list drawn by hand (a `<table>` outside the shared `DataTable`), or a page cut at the edge (`truncate` where
/// `nexus::paging::Page::cut` belongs, in the service).
fn violations_of_shared_lists(path: &Path, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in code_lines(text) {
        if line.contains("<table") || line.contains(".truncate(") {
            found.push(format!("{}:{n}: a list of its own: {}", rel(path), line.trim()));
        }
    }
    found
}

fn violations_of_store_privacy(path: &Path, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in code_lines(text) {
        let t = line.trim_start();
        let plain_pub = [
            "pub struct",
            "pub enum",
            "pub fn",
            "pub async fn",
            "pub type",
            "pub const",
            "pub static",
            "pub mod",
            "pub use",
        ]
        .iter()
        .any(|p| t.starts_with(p));
        let crate_wide = t.starts_with("pub(crate)");
        // Fields are bounded by their struct's visibility; only items are checked (items start at column 0).
        if (plain_pub || crate_wide) && !line.starts_with(' ') {
            found.push(format!("{}:{n}: store items are `pub(in crate::<area>)` at most: {}", rel(path), t));
        }
    }
    found
}

fn store_declarations(area: &Path) -> Vec<String> {
    let module = area.join("mod.rs");
    let text = std::fs::read_to_string(&module).unwrap_or_default();
    code_lines(&text)
        .filter(|(_, l)| {
            let t = l.trim_start();
            (t.starts_with("pub mod store") || t.starts_with("pub(crate) mod store") || t.starts_with("pub use store"))
                && !t.starts_with("pub(in")
        })
        .map(|(n, l)| format!("{}:{n}: a store module must stay private to its area: {}", rel(&module), l.trim()))
        .collect()
}

fn store_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for area in areas().into_iter().chain([workspace().join("src/audit")]) {
        if area.join("store.rs").exists() {
            files.push(area.join("store.rs"));
        }
        if area.join("store").is_dir() {
            files.extend(rust_files(&area.join("store")).into_iter().filter(|p| !p.ends_with("mod.rs")));
        }
    }
    files
}

/// The service and store files of every area (where stored data is read back).
fn service_and_store_files() -> Vec<PathBuf> {
    let mut files = store_files();
    for area in areas().into_iter().chain([workspace().join("src/audit")]) {
        if area.join("service.rs").exists() {
            files.push(area.join("service.rs"));
        }
        if area.join("service").is_dir() {
            files.extend(rust_files(&area.join("service")));
        }
    }
    files
}

/// A parameter or field named for a tenant or a user that is a bare `Uuid` (in a store, only parameters: its rows'
/// columns are plain and their service wraps them).
fn violations_of_typed_ids(path: &Path, text: &str) -> Vec<String> {
    let p = rel(path);
    let store = p.contains("/store/") || p.ends_with("store.rs");
    let names: &[&str] = if store {
        &["tenant", "user", "by", "operator"]
    } else {
        &["tenant", "user", "by", "operator", "tenant_id", "user_id", "created_by", "actor_user_id"]
    };
    let mut found = Vec::new();
    for (n, line) in code_lines(text) {
        for name in names {
            for bare in ["Uuid", "Option<Uuid>", "uuid::Uuid", "Option<uuid::Uuid>"] {
                let decl = format!("{name}: {bare}");
                let hit = line.match_indices(&decl).any(|(i, _)| {
                    let before = line[..i].chars().next_back();
                    let after = line[i + decl.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if hit {
                    found.push(format!("{p}:{n}: an untyped id: {}", line.trim()));
                }
            }
        }
    }
    found
}

/// `parse(…).unwrap_or(…)`, `X::parse).unwrap_or_default()`, `from_value(…).ok()`: a decoder whose failure turns
/// into a default or nothing, on one line.
fn violations_of_silent_decoding(path: &Path, text: &str) -> Vec<String> {
    const DECODERS: [&str; 4] = ["parse", "decode", "from_value", "from_str"];
    const FALLBACKS: [&str; 3] = [".ok()", ".unwrap_or", ".unwrap_or_default()"];
    let mut found = Vec::new();
    for (n, line) in code_lines(text) {
        let bytes = line.as_bytes();
        let mut silent = false;
        for (at, _) in line.match_indices(|c: char| c.is_ascii_lowercase()) {
            let Some(word) = DECODERS.iter().find(|d| line[at..].starts_with(**d)) else { continue };
            let before_ok = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            let end = at + word.len();
            if !before_ok || end >= bytes.len() || bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' {
                continue;
            }
            // The call's end: past its matching parenthesis (or right after the name when it is passed as a value).
            let mut rest = end;
            if line[end..].starts_with("::<") {
                rest = line[end..].find('(').map_or(end, |i| end + i);
            }
            if bytes.get(rest) == Some(&b'(') {
                let mut depth = 0;
                for (i, c) in line[rest..].char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                rest += i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            let tail = line[rest..].trim_start_matches(')');
            if FALLBACKS.iter().any(|f| tail.starts_with(f) || tail.contains(&format!("){f}"))) {
                silent = true;
            }
        }
        if silent {
            found.push(format!("{}:{n}: stored data decoded with a silent default: {}", rel(path), line.trim()));
        }
    }
    found
}

/// The most lines a Rust file holds, and a function: past them a file is split by topic, a function into steps.
const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 150;

/// Files and functions over the budget, each with why it stays (or who splits it). An entry that fits again fails the
/// check, so the list only shrinks.
const OVER_BUDGET: [(&str, &str); 1] = [
    // One pass over one random stream: the demo catalog and the benches depend on its exact order of draws.
    ("src/catalog/service/generate.rs::generate", "one seeded pass; split into steps keeping the draws' order"),
];

/// `(name, lines)` of every function of `text` longer than `max`: from its `fn` line to the `}` at its indentation.
fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        let t = t.strip_prefix("pub ").or_else(|| t.strip_prefix("pub(crate) ")).unwrap_or(t);
        let t = if t.starts_with("pub(") { t.split_once(") ").map_or(t, |(_, r)| r) } else { t };
        let t = t.strip_prefix("const ").unwrap_or(t);
        let t = t.strip_prefix("async ").unwrap_or(t);
        let Some(rest) = t.strip_prefix("fn ") else { continue };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            let n = end + 2;
            if n > max {
                found.push((name, n));
            }
        }
    }
    found
}

fn violations_of_budget(path: &str, text: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let n = text.lines().count();
    if n > MAX_FILE_LINES && !allowed.contains(&path) {
        found.push(format!("{path}: {n} lines (at most {MAX_FILE_LINES}): split it by topic"));
    }
    for (name, lines) in long_functions(text, MAX_FN_LINES) {
        let key = format!("{path}::{name}");
        if !allowed.contains(&key.as_str()) {
            found.push(format!("{key}: {lines} lines (at most {MAX_FN_LINES}): split it into steps"));
        }
    }
    found
}

/// Pages a first visit may land on before signing in (or right after): they stay in the main WASM module.
const EAGER_PAGES: [&str; 4] =
    ["home::HomePage", "login::LoginPage", "register::RegisterPage", "register::PendingPage"];

/// `<Route … view=…>` lines whose view is neither `Lazy::<…>` nor one of the eager pages.
fn violations_of_lazy_routes(path: &Path, text: &str) -> Vec<String> {
    code_lines(text)
        .filter(|(_, l)| l.contains("<Route ") || l.contains("<ParentRoute "))
        .filter(|(_, l)| {
            let view = l.split("view=").nth(1).unwrap_or("");
            !view.starts_with("{Lazy::<")
                && !EAGER_PAGES.iter().any(|p| view.split_whitespace().next().unwrap_or("").ends_with(p))
        })
        .map(|(n, l)| format!("{}:{n}: route not lazy: {}", rel(path), l.trim()))
        .collect()
}

/// Components a page renders inside `Protected` that create a resource: the first tag inside `<Protected …>` names a
/// component of the same file, and its body calls `Resource::new`. (The suspense decides when such a component runs,
/// so its resource takes its hydration id at different points on the server and in the browser: a catalog search
/// sometimes failed to hydrate on a fresh load.)
fn violations_of_resources_inside_protected(path: &Path, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.trim_start().starts_with("<Protected") {
            continue;
        }
        let Some(child) = lines.get(i + 1).and_then(|n| n.trim_start().strip_prefix('<')) else { continue };
        let name: String = child.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let Some(start) = lines
            .iter()
            .position(|x| x.starts_with(&format!("fn {name}(")) || x.starts_with(&format!("pub fn {name}(")))
        else {
            continue;
        };
        let end = lines[start + 1..].iter().position(|x| x.starts_with('}')).map_or(lines.len(), |e| start + 1 + e);
        if let Some(at) = lines[start..end].iter().position(|x| x.contains("Resource::new")) {
            found.push(format!("{}:{}: `{name}` (inside Protected) creates a resource", rel(path), start + at + 1));
        }
    }
    found
}

/// The string literals of Rust source (plain and raw), each with the line it starts on; comments and character
/// literals are skipped, so a `"` inside them opens nothing.
fn string_literals(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let line_at = |i: usize| text[..i].bytes().filter(|&c| c == b'\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let word_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(b.len(), |j| i + j);
        } else if text[i..].starts_with("/*") {
            i = text[i..].find("*/").map_or(b.len(), |j| i + j + 2);
        } else if b[i] == b'r' && !word_before && matches!(b.get(i + 1), Some(b'"' | b'#')) {
            let hashes = text[i + 1..].bytes().take_while(|&c| c == b'#').count();
            let start = i + 1 + hashes;
            if b.get(start) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let end = text[start + 1..].find(&close).map_or(b.len(), |j| start + 1 + j);
            out.push((line_at(i), &text[start + 1..end]));
            i = end + close.len();
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push((line_at(i), &text[i + 1..j.min(b.len())]));
            i = j + 1;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            // An escaped character (`'\''`, `'\n'`, `'\u{…}'`): its closing quote comes after the escaped one.
            i = text.get(i + 3..).and_then(|t| t.find('\'')).map_or(b.len(), |j| i + 4 + j);
        } else if b[i] == b'\'' && text[i + 1..].chars().nth(1) == Some('\'') {
            // A character literal (`'"'`, `'é'`); anything else after a quote is a lifetime.
            i += 2 + text[i + 1..].chars().next().map_or(1, char::len_utf8);
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The tables the migrations create.
fn tables() -> Vec<String> {
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(workspace().join("migrations")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap().to_lowercase();
        for statement in text.split("create ").skip(1) {
            let mut words = statement.split_whitespace();
            if words.next() == Some("table") {
                let mut name = words.next().unwrap_or("");
                if name == "if" {
                    name = words.nth(2).unwrap_or("");
                }
                let name = name.trim_end_matches('(').rsplit('.').next().unwrap_or("");
                // A name made at run time (`create table %I` in a function) is not one table.
                if name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                    tables.push(name.to_owned());
                }
            }
        }
    }
    tables.sort();
    tables.dedup();
    tables
}

/// Whether a string literal reads as SQL (a fragment a `QueryBuilder` pushes counts too).
fn is_sql(literal: &str) -> bool {
    const KEYWORDS: [&str; 8] = ["select", "insert", "update", "delete", "from", "join", "into", "merge"];
    literal.to_lowercase().split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| KEYWORDS.contains(&w))
}

/// The other areas' tables `area`'s SQL names, each as `(table, violation or None when allowed)`.
fn foreign_tables(area: &str, path: &Path, text: &str, tables: &[String]) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for (n, literal) in string_literals(text).into_iter().filter(|(_, l)| is_sql(l)) {
        let lower = literal.to_lowercase();
        for word in lower.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            let Some(owner) = tables.iter().any(|t| t == word).then(|| table_owner(word)).flatten() else { continue };
            if owner == area || found.iter().any(|(t, _): &(String, _)| t == word) {
                continue;
            }
            let violation = (!may_name(area, word))
                .then(|| format!("{}:{n}: {area} names {owner}'s table `{word}` (see tidy::MAY_NAME)", rel(path)));
            found.push((word.to_owned(), violation));
        }
    }
    found
}

/// Unchecked SQL calls on a line of code.
fn unchecked_sql(line: &str) -> bool {
    ["sqlx::query(", "sqlx::query_as(", "sqlx::query_scalar(", "sqlx::query_as::<", "sqlx::query_scalar::<"]
        .iter()
        .any(|call| line.contains(call))
        || line.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == "QueryBuilder")
}

fn module_doc(text: &str) -> String {
    text.lines().take_while(|l| l.starts_with("//!")).collect::<Vec<_>>().join("\n")
}

fn violations_of_checked_sql(path: &Path, text: &str) -> Vec<String> {
    if module_doc(text).contains("unchecked") {
        return Vec::new();
    }
    code_lines(text)
        .filter(|(_, l)| unchecked_sql(l))
        .map(|(n, l)| {
            format!(
                "{}:{n}: unchecked SQL in a module whose `//!` does not say why (\"unchecked\"): {}",
                rel(path),
                l.trim()
            )
        })
        .collect()
}

/// Modules of the core that open a transaction without `db::begin`, each for a stated reason.
const UNSCOPED_TRANSACTIONS: [&str; 2] = [
    "src/db/mod.rs", // `db::begin` itself.
    // A broad search's walk and `explain`: read-only, on catalog rows every scope may read, for planner settings.
    "src/catalog/store/search.rs",
];

fn violations_of_scoped_transactions(path: &Path, text: &str) -> Vec<String> {
    if UNSCOPED_TRANSACTIONS.iter().any(|f| rel(path) == *f) {
        return Vec::new();
    }
    code_lines(text)
        .filter(|(_, l)| l.contains(".begin()"))
        .map(|(n, l)| format!("{}:{n}: a transaction not opened by `db::begin`: {}", rel(path), l.trim()))
        .collect()
}

/// The core's modules outside tests (and outside this file, which names what it looks for).
fn core_files() -> Vec<PathBuf> {
    rust_files(&workspace().join("src"))
        .into_iter()
        .filter(|p| {
            let r = rel(p);
            !r.contains("/tests/") && !r.ends_with("/tests.rs") && r != "src/tidy.rs" && !r.starts_with("src/tidy/")
        })
        .collect()
}

/// Areas with no HTTP test module yet, each with who brings it. Remove an entry when its module lands (the test
/// fails while a listed area has one).
const AREAS_AWAITING_HTTP_TESTS: [&str; 0] = [];

/// Areas without a module `<area>*.rs` in `server/tests/http/` declared in its `main.rs`, and listed areas with one.
fn violations_of_http_tests(areas: &[String], modules: &[String], awaited_areas: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for area in areas {
        let has = modules.iter().any(|m| m == area || m.starts_with(&format!("{area}_")));
        let awaited = awaited_areas.contains(&area.as_str());
        if !has && !awaited {
            found.push(format!("area `{area}` has no HTTP test module server/tests/http/{area}*.rs"));
        }
        if has && awaited {
            found.push(format!("area `{area}` has HTTP tests now: remove it from tidy::AREAS_AWAITING_HTTP_TESTS"));
        }
    }
    found
}

/// The modules `server/tests/http/main.rs` declares whose file exists.
fn http_test_modules() -> Vec<String> {
    let dir = workspace().join("server/tests/http");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    code_lines(&main)
        .filter_map(|(_, l)| l.trim().strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned))
        .filter(|m| dir.join(format!("{m}.rs")).exists() || dir.join(m).join("mod.rs").exists())
        .collect()
}

fn assert_none(what: &str, violations: Vec<String>) {
    assert!(violations.is_empty(), "{what}:\n{}", violations.join("\n"));
}

#[test]
fn pure_modules_do_no_io() {
    let files = pure_files();
    assert!(files.len() >= 5, "the pure modules were not found: {files:?}");
    let violations = files.iter().flat_map(|p| violations_of_purity(p, &std::fs::read_to_string(p).unwrap())).collect();
    assert_none("pure modules importing IO crates", violations);
}

#[test]
fn the_ui_holds_no_sql() {
    let files = rust_files(&workspace().join("app/src"));
    assert!(!files.is_empty());
    let violations = files.iter().flat_map(|p| violations_of_no_sql(p, &std::fs::read_to_string(p).unwrap())).collect();
    assert_none("SQL in app/", violations);
}

#[test]
fn lists_use_the_shared_pieces() {
    let root = workspace();
    let mut files = rust_files(&root.join("app/src"));
    files.extend(rust_files(&root.join("server/src/http")));
    let shared = root.join("app/src/ui/list.rs");
    assert!(files.contains(&shared), "the shared list was not found");
    let violations = files
        .iter()
        .filter(|p| **p != shared)
        .flat_map(|p| violations_of_shared_lists(p, &std::fs::read_to_string(p).unwrap()))
        .collect();
    assert_none("lists not built from ui::list's DataTable and nexus::paging", violations);
}

#[test]
fn store_rows_stay_in_their_area() {
    let files = store_files();
    assert!(!files.is_empty(), "no store modules found");
    let mut violations: Vec<String> =
        files.iter().flat_map(|p| violations_of_store_privacy(p, &std::fs::read_to_string(p).unwrap())).collect();
    for area in areas() {
        violations.extend(store_declarations(&area));
    }
    assert_none("store items visible outside their area", violations);
}

#[test]
fn stored_data_is_decoded_loudly() {
    let files = service_and_store_files();
    assert!(files.len() >= 10, "the services and stores were not found: {files:?}");
    let violations =
        files.iter().flat_map(|p| violations_of_silent_decoding(p, &std::fs::read_to_string(p).unwrap())).collect();
    assert_none("silent defaults for stored data (use TextEnum::decode, or map the error)", violations);
}

#[test]
fn tenant_and_user_ids_are_typed() {
    let root = workspace();
    let files: Vec<PathBuf> = ["src", "app/src", "server/src", "server/tests"]
        .iter()
        .flat_map(|d| rust_files(&root.join(d)))
        .filter(|p| !rel(p).starts_with("src/tidy"))
        .collect();
    assert!(files.len() >= 50, "the sources were not found");
    let violations =
        files.iter().flat_map(|p| violations_of_typed_ids(p, &std::fs::read_to_string(p).unwrap())).collect();
    assert_none("tenant or user ids as bare UUIDs (use ids::TenantId / ids::UserId)", violations);
}

#[test]
fn files_and_functions_keep_to_their_budget() {
    let allowed: Vec<&str> = OVER_BUDGET.iter().map(|(what, _)| *what).collect();
    let mut violations = Vec::new();
    let mut seen = Vec::new();
    for dir in ["src", "app/src", "frontend/src", "server/src"] {
        for path in rust_files(&workspace().join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = rel(&path);
            violations.extend(violations_of_budget(&name, &text, &allowed));
            if text.lines().count() > MAX_FILE_LINES {
                seen.push(name.clone());
            }
            seen.extend(long_functions(&text, MAX_FN_LINES).into_iter().map(|(f, _)| format!("{name}::{f}")));
        }
    }
    for what in allowed {
        if !seen.iter().any(|s| s == what) {
            violations.push(format!("{what} keeps to the budget now: take it off tidy::OVER_BUDGET"));
        }
    }
    assert_none("over the size budget", violations);
}

#[test]
fn routes_past_the_first_visit_are_lazy() {
    let path = workspace().join("app/src/lib.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("{Lazy::<"), "no lazy route found in app/src/lib.rs");
    assert_none("eager routes (make them lazy, see ARCHITECTURE.md)", violations_of_lazy_routes(&path, &text));
}

#[test]
fn resources_are_created_outside_protected() {
    let mut violations = Vec::new();
    let mut seen = 0;
    for path in rust_files(&workspace().join("app/src")) {
        let text = std::fs::read_to_string(&path).unwrap();
        seen += text.matches("<Protected").count();
        violations.extend(violations_of_resources_inside_protected(&path, &text));
    }
    assert!(seen > 10, "no page behind Protected found");
    assert_none("resources created inside Protected (create them in the page component, before it)", violations);
}

#[test]
fn every_module_says_why_it_exists() {
    let mut missing = Vec::new();
    for dir in ["src", "app/src", "frontend/src", "server/src"] {
        for path in rust_files(&workspace().join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            if !text.trim_start().starts_with("//!") {
                missing.push(rel(&path));
            }
        }
    }
    assert!(missing.is_empty(), "modules without a `//!` comment:\n{}", missing.join("\n"));
}

#[test]
fn areas_name_only_their_own_tables() {
    let tables = tables();
    assert!(tables.iter().any(|t| t == "catalog_parts"), "the migrations' tables were not found: {tables:?}");
    let mut violations: Vec<String> = tables
        .iter()
        .filter(|t| table_owner(t).is_none())
        .map(|t| {
            format!("migrations: table `{t}` belongs to no area (name it `<area>_…`, or list it in tidy::table_owner)")
        })
        .collect();
    let mut named = Vec::new();
    let mut sources: Vec<(String, PathBuf)> = Vec::new();
    for area in areas() {
        let name = area.file_name().unwrap().to_string_lossy().into_owned();
        for part in ["store", "service"] {
            if area.join(part).is_dir() {
                sources.extend(rust_files(&area.join(part)).into_iter().map(|p| (name.clone(), p)));
            }
            if area.join(format!("{part}.rs")).exists() {
                sources.push((name.clone(), area.join(format!("{part}.rs"))));
            }
        }
    }
    // The audit log and the workflow mechanism: no areas, but held to the same rule.
    sources.extend(rust_files(&workspace().join("src/audit")).into_iter().map(|p| ("audit".to_owned(), p)));
    sources.extend(rust_files(&workspace().join("src/workflow")).into_iter().map(|p| ("workflow".to_owned(), p)));
    for (area, path) in &sources {
        for (table, violation) in foreign_tables(area, path, &std::fs::read_to_string(path).unwrap(), &tables) {
            named.push((area.clone(), table));
            violations.extend(violation);
        }
    }
    for (area, pattern) in MAY_NAME.iter().copied().chain(AUDIT_MAY_NAME.iter().map(|t| ("audit", *t))) {
        let used = named
            .iter()
            .any(|(a, t)| a == area && pattern.strip_suffix('*').map_or(t == pattern, |p| t.starts_with(p)));
        if !used {
            violations.push(format!("tidy::MAY_NAME: {area} no longer names `{pattern}`: remove the entry"));
        }
    }
    assert_none("SQL naming another area's tables", violations);
}

#[test]
fn unchecked_sql_says_why() {
    let violations =
        core_files().iter().flat_map(|p| violations_of_checked_sql(p, &std::fs::read_to_string(p).unwrap())).collect();
    assert_none("unchecked SQL (use `query!`, or say in the module's `//!` why it is unchecked)", violations);
}

#[test]
fn transactions_state_their_scope() {
    let violations = core_files()
        .iter()
        .flat_map(|p| violations_of_scoped_transactions(p, &std::fs::read_to_string(p).unwrap()))
        .collect();
    assert_none("transactions opened without `db::begin` (see tidy::UNSCOPED_TRANSACTIONS)", violations);
}

#[test]
fn every_area_has_http_tests() {
    let areas: Vec<String> = areas().iter().map(|a| a.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(areas.len() >= 4, "the areas were not found: {areas:?}");
    assert_none("HTTP tests", violations_of_http_tests(&areas, &http_test_modules(), &AREAS_AWAITING_HTTP_TESTS));
}

mod areas;
mod self_test;
