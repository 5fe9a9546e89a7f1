//! Architecture tests in the manner of rust-analyzer's tidy tests: they read the workspace's sources and fail when a
//! layering rule of ARCHITECTURE.md is broken, naming the file and line.
//!
//! - Pure modules (every area's `rules`, and the pure cross-cutting modules) import neither sqlx, axum, leptos nor
//!   tokio: they compile to WebAssembly and are shared with the browser.
//! - `app/` holds no SQL: its server functions call the core's services.
//! - Store modules are private to their area: declared without `pub` in the area's `mod.rs`, and no item in them is
//!   plain `pub` (visibility is spelled `pub(in crate::<area>)`), so a `*Row` type cannot leave its area.
//! - Every Rust module says why it exists in a `//!` comment.
//! - Services and stores decode what the system stored loudly: no `parse`, `decode`, `from_value` or `from_str`
//!   followed by `.ok()` or an `.unwrap_or…` default on the same line (see `codes::TextEnum::decode`).
//! - Every route but the first-visit pages (home, login, register, pending) is lazy, so its code is a WASM chunk of
//!   its own and the login page does not carry it.

use std::path::{Path, PathBuf};

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
    let mut files = vec![src.join("codes.rs"), src.join("csv_safe.rs"), src.join("numbers.rs")];
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
fn routes_past_the_first_visit_are_lazy() {
    let path = workspace().join("app/src/lib.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("{Lazy::<"), "no lazy route found in app/src/lib.rs");
    assert_none("eager routes (make them lazy, see ARCHITECTURE.md)", violations_of_lazy_routes(&path, &text));
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

/// The checks themselves must catch what they are for.
#[test]
fn the_checks_catch_what_they_are_for() {
    let p = Path::new("x.rs");
    assert_eq!(violations_of_purity(p, "use sqlx::PgPool;\n").len(), 1);
    assert_eq!(violations_of_purity(p, "// no sqlx here\nuse serde::Serialize;\n").len(), 0);
    assert_eq!(violations_of_purity(p, "fn f() { tokio::spawn(async {}); }\n").len(), 1);
    assert_eq!(violations_of_no_sql(p, "let q = \"select id from users\";\n").len(), 1);
    assert_eq!(violations_of_no_sql(p, "sqlx::query(\"update users set role = $1\");\n").len(), 1);
    assert_eq!(violations_of_no_sql(p, "let t = \"Choose from the list\";\n").len(), 0);
    assert_eq!(violations_of_store_privacy(p, "pub struct UserRow {\n    pub id: Uuid,\n}\n").len(), 1);
    assert_eq!(violations_of_store_privacy(p, "pub(crate) async fn get() {}\n").len(), 1);
    assert_eq!(
        violations_of_store_privacy(p, "pub(in crate::identity) struct UserRow {\n    pub id: Uuid,\n}\n").len(),
        0
    );
    let silent = |line: &str| violations_of_silent_decoding(p, line).len();
    assert_eq!(silent("kind: CrossRefKind::parse(&o.kind).unwrap_or(CrossRefKind::Equivalent),\n"), 1);
    assert_eq!(silent("let m: M = row.m.and_then(|m| serde_json::from_value(m).ok()).unwrap_or_default();\n"), 1);
    assert_eq!(
        silent("let k = row.k.as_deref().and_then(MappingSource::parse).unwrap_or(MappingSource::Chosen);\n"),
        1
    );
    assert_eq!(silent("let tz: Tz = name.parse().unwrap_or(chrono_tz::UTC);\n"), 1);
    assert_eq!(silent("let v: u32 = s.parse::<u32>().ok()?;\n"), 1);
    assert_eq!(silent("StockCursor::parse(q.sort, q.after.as_deref().unwrap_or_default()).map_err(f)?;\n"), 0);
    assert_eq!(silent("let k = MappingSource::decode(s)?;\n"), 0);
    assert_eq!(silent("let p = serde_json::from_value(v).map_err(Error::internal)?;\n"), 0);
    let route = |view: &str| format!("<Route path=path!(\"/x\") view={view} ssr=SsrMode::Async />\n");
    assert_eq!(violations_of_lazy_routes(p, &route("catalog::search::SearchPage")).len(), 1);
    assert_eq!(violations_of_lazy_routes(p, &route("{Lazy::<catalog::search::SearchRoute>::new()}")).len(), 0);
    assert_eq!(violations_of_lazy_routes(p, &route("identity::login::LoginPage")).len(), 0);
}
