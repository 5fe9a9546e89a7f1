//! Every server function against hostile arguments (issue 22: three of them answered 500 to a user's bad input). The
//! functions and the types of their arguments are read from app/src (and the structs they take from app/src and
//! src), so a new server function is covered the day it is written; each argument, and each field of a struct
//! argument, is given values hostile to its type while the others get plausible ones. No answer may be a 500.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use nexus_server::http::middleware::Limits;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

/// A server function as written: its path and its arguments (name, type).
#[derive(Debug)]
struct ServerFn {
    path: String,
    args: Vec<(String, String)>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn sources(dirs: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for d in dirs {
        rust_files(&root.join(d), &mut files);
    }
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
}

/// Splits `text` at commas outside <>, (), [].
fn split_top(text: &str) -> Vec<String> {
    let (mut parts, mut depth, mut cur) = (Vec::new(), 0i32, String::new());
    for c in text.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
}

/// The byte offset in `text` (which starts with `open`) of the `close` that matches it.
fn closing(text: &str, open: char, close: char) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    text.len()
}

/// `name: Type` pairs of an argument list or a struct body, attributes dropped.
fn typed_names(text: &str) -> Vec<(String, String)> {
    let mut cleaned = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[") {
        cleaned.push_str(&rest[..at]);
        let end = at + 1 + closing(&rest[at + 1..], '[', ']') + 1;
        rest = &rest[end..];
    }
    cleaned.push_str(rest);
    let cleaned: String =
        cleaned.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    split_top(&cleaned)
        .into_iter()
        .filter_map(|p| {
            let (name, ty) = p.split_once(':')?;
            let name = name.trim().trim_start_matches("pub ").trim().to_owned();
            Some((name, ty.trim().to_owned()))
        })
        .filter(|(n, _)| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

fn server_fns() -> Vec<ServerFn> {
    let mut found = Vec::new();
    for text in sources(&["app/src"]) {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[server(prefix = \"/api\", endpoint = \"") {
            rest = &rest[at..];
            let endpoint = rest.split('"').nth(3).unwrap().to_owned();
            let open = rest.find("pub async fn ").unwrap();
            let args_at = open + rest[open..].find('(').unwrap() + 1;
            let end = args_at - 1 + closing(&rest[args_at - 1..], '(', ')');
            found.push(ServerFn { path: format!("/api/{endpoint}"), args: typed_names(&rest[args_at..end]) });
            rest = &rest[end..];
        }
    }
    found
}

/// Struct name → its fields, for the structs of app/src and src.
fn structs() -> HashMap<String, Vec<(String, String)>> {
    let mut found = HashMap::new();
    for text in sources(&["app/src", "src"]) {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("pub struct ") {
            rest = &rest[at + "pub struct ".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let Some(open) = rest.find(['{', ';', '(']) else { break };
            if !rest[open..].starts_with('{') {
                continue;
            }
            let Some(close) = rest[open..].find("\n}") else { break };
            found.insert(name, typed_names(&rest[open + 1..open + close]));
        }
    }
    found
}

fn inner(ty: &str) -> &str {
    let ty = ty.trim();
    for wrapper in ["Option<", "Vec<", "Box<"] {
        if let Some(rest) = ty.strip_prefix(wrapper) {
            return inner(rest.strip_suffix('>').unwrap_or(rest));
        }
    }
    ty.rsplit("::").next().unwrap_or(ty)
}

fn is_number(ty: &str) -> bool {
    let t = inner(ty);
    ["i64", "i32", "i16", "u8", "u16", "u32", "u64", "usize", "f64", "f32"].contains(&t)
        || (t.ends_with("Id") && !matches!(t, "UploadId" | "UserId" | "TenantId"))
}

/// Values hostile to a value of type `ty`.
fn hostile(ty: &str) -> Vec<String> {
    let t = inner(ty);
    let mut v = vec![String::new(), "\u{0}".into(), "x".repeat(5_000)];
    if is_number(ty) {
        v.extend(["abc", "1099511627776", "-1", "99999999999999999999999", "1.5", "NaN"].map(String::from));
    } else if matches!(t, "UploadId" | "UserId" | "TenantId" | "Uuid") {
        v.extend(["not-a-uuid", "00000000-0000-0000-0000-000000000000"].map(String::from));
    } else if t == "bool" {
        v.push("maybe".into());
    } else {
        v.extend(["explode", "' or 1=1 --", "%00", "-1", "1099511627776", "2026-13-45T99:99"].map(String::from));
    }
    v
}

/// A value of type `ty` that decodes, where one can be guessed.
fn plausible(ty: &str) -> String {
    let t = inner(ty);
    if is_number(ty) {
        "1".into()
    } else if matches!(t, "UploadId" | "UserId" | "TenantId" | "Uuid") {
        "00000000-0000-0000-0000-000000000001".into()
    } else if t == "bool" {
        "false".into()
    } else {
        "x".into()
    }
}

/// The form fields of argument `name: ty` (a struct's fields one level down), each with its plausible value.
fn fields_of(name: &str, ty: &str, structs: &HashMap<String, Vec<(String, String)>>) -> Vec<(String, String)> {
    match structs.get(inner(ty)) {
        Some(fields) if !ty.trim().starts_with("Vec<") => {
            fields.iter().map(|(f, fty)| (format!("{name}[{f}]"), fty.clone())).collect()
        }
        _ => vec![(name.to_owned(), ty.to_owned())],
    }
}

/// Issue 22: `/api/ui/production/classify` with `reason=abc` or `reason=1099511627776`, `/api/ui/catalog/search` with
/// `query[group]=x` answered 500. Every server function, as the platform admin, a plant's owner and a bodega: never.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn no_server_function_answers_500_to_hostile_arguments(opts: PgPoolOptions, conn: PgConnectOptions) {
    // Rate limits out of the way: each caller sends well over a minute's worth.
    let app = TestApp::with_limits(opts, conn, Limits::new(1_000_000, 1_000_000)).await;
    app.seed_demo().await;
    let structs = structs();
    let fns = server_fns();
    assert!(fns.len() >= 40, "the server functions were not found: {fns:?}");
    assert!(fns.iter().any(|f| f.path == "/api/ui/production/classify" && f.args.len() == 3), "{fns:?}");
    let mut failures = Vec::new();
    let mut sent = 0;
    for who in [ADMIN, PLANT_OWNER, WAREHOUSE] {
        let cookies = app.login_browser(who, DEMO_PASSWORD).await;
        // Ending the session would leave the rest unauthenticated; sign-in is the anonymous battery's.
        for f in fns.iter().filter(|f| !matches!(f.path.as_str(), "/api/ui/logout" | "/api/ui/login")) {
            let fields: Vec<(String, String)> = f.args.iter().flat_map(|(n, t)| fields_of(n, t, &structs)).collect();
            let base: Vec<(String, String)> = fields.iter().map(|(n, t)| (n.clone(), plausible(t))).collect();
            let mut bodies: Vec<Vec<(String, String)>> = vec![base.clone(), Vec::new()];
            for (i, (_, ty)) in fields.iter().enumerate() {
                for bad in hostile(ty) {
                    let mut body = base.clone();
                    body[i].1 = bad;
                    bodies.push(body);
                }
            }
            // Shapes no argument has: a struct given as a value, a field nobody declared, nesting too deep.
            for (n, _) in &f.args {
                bodies.push(vec![(n.clone(), "abc".into())]);
                bodies.push(vec![(format!("{n}[nope]"), "1".into())]);
                bodies.push(vec![(format!("{n}[a][b][c][d]"), "1".into())]);
            }
            for body in bodies {
                let pairs: Vec<(&str, &str)> = body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let res = app.post_form(&f.path, &pairs, &cookies, Some(ORIGIN)).await;
                sent += 1;
                if res.status.is_server_error() {
                    failures.push(format!("{who} {} {} → {} {:.120}", f.path, shown(&body), res.status, res.text()));
                }
            }
        }
    }
    // Signed out, the sign-in and registration functions get the same.
    for f in fns.iter().filter(|f| matches!(f.path.as_str(), "/api/ui/login" | "/api/ui/register")) {
        for (name, ty) in f.args.iter().flat_map(|(n, t)| fields_of(n, t, &structs)) {
            for bad in hostile(&ty) {
                let res = app.post_form(&f.path, &[(&name, &bad)], &Cookies::default(), Some(ORIGIN)).await;
                sent += 1;
                if res.status.is_server_error() || res.status == StatusCode::OK {
                    let body = [(name.clone(), bad.clone())];
                    failures.push(format!(
                        "anonymous {} {} → {} {:.120}",
                        f.path,
                        shown(&body),
                        res.status,
                        res.text()
                    ));
                }
            }
        }
    }
    assert!(sent > 1_000, "only {sent} requests were sent");
    let first: Vec<&String> = failures.iter().take(30).collect();
    assert!(failures.is_empty(), "{} of {sent} answers were wrong, the first:\n{first:#?}", failures.len());
}

/// A form body as sent, each value cut to 24 characters.
fn shown(body: &[(String, String)]) -> String {
    body.iter().map(|(k, v)| format!("{k}={:?}", v.chars().take(24).collect::<String>())).collect::<Vec<_>>().join("&")
}
