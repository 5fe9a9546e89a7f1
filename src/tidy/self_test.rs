//! The tidy checks' own test: each must catch what it is for, and pass what it is not.

use std::path::Path;

use super::*;

/// The checks themselves must catch what they are for.
#[test]
fn the_checks_catch_what_they_are_for() {
    let p = Path::new("x.rs");
    let page = "pub fn P() -> impl IntoView {\n    view! {\n        <Protected>\n            <Inner />\n        </Protected>\n    }\n}\n\nfn Inner() -> impl IntoView {\n    let r = Resource::new(|| (), |_| f());\n}\n";
    assert_eq!(violations_of_resources_inside_protected(p, page).len(), 1);
    let fixed = page.replace("    let r = Resource::new(|| (), |_| f());\n", "");
    assert_eq!(violations_of_resources_inside_protected(p, &fixed).len(), 0);
    assert_eq!(violations_of_purity(p, "use sqlx::PgPool;\n").len(), 1);
    assert_eq!(violations_of_purity(p, "// no sqlx here\nuse serde::Serialize;\n").len(), 0);
    let mapping = "#[cfg_attr(feature = \"ssr\", derive(utoipa::ToSchema, sqlx::Type), sqlx(transparent))]\n";
    assert_eq!(violations_of_purity(p, mapping).len(), 0, "a server-only SQL mapping is no IO");
    assert_eq!(violations_of_purity(p, "#[derive(sqlx::Type)]\n").len(), 1, "outside `ssr`, it is");
    assert_eq!(
        violations_of_purity(p, "#[cfg_attr(feature = \"ssr\", derive(X))] fn f() { sqlx::query(\"\") }\n").len(),
        1
    );
    assert_eq!(violations_of_purity(p, "fn f() { tokio::spawn(async {}); }\n").len(), 1);
    assert_eq!(violations_of_no_sql(p, "let q = \"select id from users\";\n").len(), 1);
    assert_eq!(violations_of_no_sql(p, "sqlx::query(\"update users set role = $1\");\n").len(), 1);
    assert_eq!(violations_of_no_sql(p, "let t = \"Choose from the list\";\n").len(), 0);
    assert_eq!(violations_of_shared_lists(p, "view! { <table class=\"w-full\"> }\n").len(), 1);
    assert_eq!(violations_of_shared_lists(p, "    users.truncate(USERS_PAGE as usize);\n").len(), 1);
    assert_eq!(violations_of_shared_lists(p, "view! { <DataTable rows columns /> }\n").len(), 0);
    assert_eq!(violations_of_store_privacy(p, "pub struct UserRow {\n    pub id: Uuid,\n}\n").len(), 1);
    assert_eq!(violations_of_store_privacy(p, "pub(crate) async fn get() {}\n").len(), 1);
    assert_eq!(
        violations_of_store_privacy(p, "pub(in crate::identity) struct UserRow {\n    pub id: Uuid,\n}\n").len(),
        0
    );
    let long = format!("fn big() {{\n{}}}\n", "    x();\n".repeat(MAX_FN_LINES));
    assert_eq!(long_functions(&long, MAX_FN_LINES), [("big".to_owned(), MAX_FN_LINES + 2)]);
    assert_eq!(long_functions("    pub async fn small() {\n        x();\n    }\n", MAX_FN_LINES), []);
    assert_eq!(violations_of_budget("a.rs", &long, &[]).len(), 1);
    assert_eq!(violations_of_budget("a.rs", &long, &["a.rs::big"]).len(), 0);
    assert_eq!(violations_of_budget("a.rs", &"x\n".repeat(MAX_FILE_LINES + 1), &[]).len(), 1);
    let typed = |path: &str, line: &str| violations_of_typed_ids(Path::new(path), line).len();
    assert_eq!(typed("src/x/service/a.rs", "fn f(tenant: Uuid) {}\n"), 1);
    assert_eq!(typed("src/x/service/a.rs", "    pub user_id: Option<uuid::Uuid>,\n"), 1);
    assert_eq!(typed("src/x/service/a.rs", "fn f(tenant: TenantId, session: Uuid) {}\n"), 0);
    assert_eq!(typed("src/x/store/a.rs", "    pub tenant_id: Uuid,\n"), 0, "a store's own row");
    assert_eq!(typed("src/x/store/a.rs", "async fn get(tx: &mut Tx, tenant: Uuid) {}\n"), 1);
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
    let tables = ["catalog_parts".to_owned(), "inventory_items".to_owned(), "sessions".to_owned()];
    let named = |area: &str, text: &str| foreign_tables(area, p, text, &tables);
    let sql = "sqlx::query!(\"select i.qty from inventory_items i join catalog_parts c on c.id = i.part_id\")";
    assert_eq!(named("inventory", sql), vec![("catalog_parts".to_owned(), None)]);
    assert_eq!(named("catalog", sql).len(), 1);
    assert!(named("catalog", sql)[0].1.is_some(), "catalog may not name inventory's tables");
    assert!(named("production", "sqlx::query!(r#\"delete from sessions\"#)")[0].1.is_some());
    assert_eq!(named("production", "let m = \"sessions\"; // not SQL\n").len(), 0);
    assert_eq!(named("inventory", "// select * from sessions\nlet c = '\"'; let s = \"from x\";\n").len(), 0);
    assert_eq!(named("inventory", "let q = ['\\'', 'é', '\"']; let s = \"select * from sessions\";").len(), 1);
    assert_eq!(table_owner("production_lines"), Some("production"));
    assert_eq!(table_owner("api_keys"), Some("identity"));
    assert_eq!(table_owner("widgets"), None);
    assert_eq!(string_literals("let a = r#\"x \"y\" z\"#; let b = \"q\\\"r\";"), vec![(1, "x \"y\" z"), (1, "q\\\"r")]);
    assert_eq!(violations_of_checked_sql(p, "//! Rows.\nsqlx::query_as(\"select 1\")\n").len(), 1);
    assert_eq!(violations_of_checked_sql(p, "//! Rows.\nlet b = QueryBuilder::new(\"select \");\n").len(), 1);
    assert_eq!(violations_of_checked_sql(p, "//! Staging tables, hence unchecked.\nsqlx::query(\"x\")\n").len(), 0);
    assert_eq!(violations_of_checked_sql(p, "//! Rows.\nsqlx::query!(\"select 1\")\n").len(), 0);
    assert_eq!(violations_of_scoped_transactions(p, "let mut tx = pool.begin().await?;\n").len(), 1);
    assert_eq!(violations_of_scoped_transactions(p, "let mut tx = db::begin(pool, scope).await?;\n").len(), 0);
    let areas = ["catalog".to_owned(), "identity".to_owned(), "inventory".to_owned()];
    let modules = ["identity".to_owned(), "inventory_upload".to_owned(), "pipeline".to_owned()];
    assert_eq!(violations_of_http_tests(&areas, &modules, &["catalog"]).len(), 0);
    assert_eq!(violations_of_http_tests(&areas, &modules, &[]).len(), 1, "catalog has none");
    assert_eq!(violations_of_http_tests(&areas, &modules[..1], &["catalog"]).len(), 1, "inventory has none");
    let with_catalog = ["catalog".to_owned(), modules[0].clone(), modules[1].clone()];
    assert_eq!(violations_of_http_tests(&areas, &with_catalog, &["catalog"]).len(), 1, "awaited, yet there");
    assert_eq!(violations_of_http_tests(&areas, &with_catalog, &[]).len(), 0);
}
