//! The audit log over HTTP: the JSON list and the CSV export, for people with the audit permission and for API keys
//! with `audit:read`.

use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

// 15 --------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn audit_csv_export_neutralizes_formulas(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    // A failed login records the attempted login, lower-cased, as the actor.
    app.try_login_rest("=HYPERLINK(1)", "whatever").await.assert_unauthorized("invalid_credentials");
    app.try_login_rest("+SUM(A1)", "whatever").await.assert_unauthorized("invalid_credentials");

    let admin = app.access_token(ADMIN).await;
    let res = app.get("/api/v1/audit/export.csv", Auth::Bearer(&admin)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.header("content-type").is_some_and(|c| c.starts_with("text/csv")), "{:?}", res.headers);
    assert!(res.header("content-disposition").is_some_and(|c| c.starts_with("attachment")));
    let csv = res.text();
    assert!(
        csv.starts_with("at,tenant,actor,action,target_type,target_id,before,after,ip,user_agent,request_id\n"),
        "{csv}"
    );
    assert!(csv.contains(",'=hyperlink(1),auth.login_failed,"), "{csv}");
    assert!(csv.contains(",'+sum(a1),auth.login_failed,"), "{csv}");
    // No cell starts with a formula character, quoted or not.
    for line in csv.lines() {
        for bad in [",=", ",\"=", ",+", ",\"+", ",@", ",\"@"] {
            assert!(!line.contains(bad), "unneutralized cell in {line:?}");
        }
        assert!(!line.starts_with(['=', '+', '@', '-']), "{line:?}");
    }

    // Filters work, and only users who may read the audit log get it.
    let res = app.get("/api/v1/audit/export.csv?action=auth.login_failed", Auth::Bearer(&admin)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text().lines().count(), 3, "{}", res.text());
    let workshop = app.access_token(WORKSHOP).await;
    app.get("/api/v1/audit/export.csv", Auth::Bearer(&workshop))
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    app.get("/api/v1/audit/export.csv", Auth::None).await.assert_unauthorized("not_authenticated");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_key_passes_exactly_the_operations_its_scopes_allow(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let create = |name: &'static str, scopes: Value| {
        let owner = owner.clone();
        let app = &app;
        async move {
            let res = app
                .post_json("/api/v1/api-keys", &json!({ "name": name, "scopes": scopes }), Auth::Bearer(&owner))
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
            let body = res.json();
            (body["id"].as_str().unwrap().to_owned(), body["key"].as_str().unwrap().to_owned())
        }
    };
    let (siem_id, siem) = create("siem", json!(["audit:read"])).await;
    let (_, plc) = create("plc", json!(["production:ingest", "production:read"])).await;

    // With the scope: 200, and only its own tenant's entries.
    let res = app.get("/api/v1/audit", Auth::Bearer(&siem)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let entries = res.json()["items"].as_array().unwrap().clone();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["tenant_name"] == "Planta Demo"), "{entries:?}");
    let csv = app.get("/api/v1/audit/export.csv", Auth::Bearer(&siem)).await;
    assert_eq!(csv.status, StatusCode::OK);
    // Without it: 403, whatever else the key holds.
    app.get("/api/v1/audit", Auth::Bearer(&plc))
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    app.get("/api/v1/audit/export.csv", Auth::Bearer(&plc))
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    // People pass by their role's permission: the owner yes, a workshop no.
    assert_eq!(app.get("/api/v1/audit?limit=2", Auth::Bearer(&owner)).await.status, StatusCode::OK);
    let workshop = app.access_token(WORKSHOP).await;
    app.get("/api/v1/audit", Auth::Bearer(&workshop))
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    // Revoked: 401.
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{siem_id}"), Auth::Bearer(&owner)).await.status,
        StatusCode::NO_CONTENT
    );
    app.get("/api/v1/audit", Auth::Bearer(&siem)).await.assert_unauthorized("token_invalid");
    // A key cannot create keys, even with every scope its creator has.
    app.post_json("/api/v1/api-keys", &json!({ "name": "x", "scopes": ["production:read"] }), Auth::Bearer(&plc))
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    // Bad paging input is the caller's error.
    app.get("/api/v1/audit?limit=0", Auth::Bearer(&owner)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "limit", "code": "invalid_input" }] }),
    );
    app.get("/api/v1/audit?after=nonsense", Auth::Bearer(&owner)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "after", "code": "invalid_input" }] }),
    );
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_audit_list_pages_without_gaps_or_repeats(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    for i in 0..7 {
        app.try_login_rest(&format!("nobody{i}@x.test"), "whatever").await.assert_unauthorized("invalid_credentials");
    }
    let admin = app.access_token(ADMIN).await;
    let mut seen = Vec::new();
    let mut uri = "/api/v1/audit?limit=3&action=auth.login_failed".to_owned();
    loop {
        let page = app.get(&uri, Auth::Bearer(&admin)).await.json();
        seen.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/audit?limit=3&action=auth.login_failed&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, no repeats");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn bad_query_parameters_are_named_422s(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let admin = app.access_token(ADMIN).await;
    let field = |name: &str| json!({ "error": "validation", "fields": [{ "field": name, "code": "invalid_input" }] });
    for (uri, at_fault) in [
        // Not a number (axum's own extractor answered a plain-text 400 here).
        ("/api/v1/audit?limit=abc", "limit"),
        ("/api/v1/audit?limit=0", "limit"),
        ("/api/v1/audit?limit=501", "limit"),
        // A parameter given twice is refused, not silently one of the two.
        ("/api/v1/audit?limit=1&limit=2", "query"),
        ("/api/v1/audit?after=2026-11-22T10:00:00Z_1", "after"),
        ("/api/v1/audit/export.csv?action=x&action=y", "query"),
    ] {
        app.get(uri, Auth::Bearer(&admin)).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, field(at_fault));
    }
}
