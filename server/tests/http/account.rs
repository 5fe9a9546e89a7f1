//! My account and user administration over HTTP, through the server functions the pages call: password change,
//! closing one of my sessions, deactivation, reactivation and role change by an owner, and the users list's pages.
//!
//! Every error assertion checks the HTTP status and the exact JSON body.

use std::collections::HashSet;

use crate::helpers::*;
use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

const VIEWER: &str = "lector@planta.demo";
const NEW_PASSWORD: &str = "Cambio-de-Clave-26";

fn password_form<'a>(current: &'a str, new: &'a str, confirm: &'a str) -> [(&'static str, &'a str); 3] {
    [("input[current_password]", current), ("input[new_password]", new), ("input[confirm_password]", confirm)]
}

fn field_error(field: &str, code: &str) -> Value {
    json!({ "error": "validation", "fields": [{ "field": field, "code": code }] })
}

/// The users page's list, as `who` sees it (`status`: a status name, or None for every status).
async fn list_users(app: &TestApp, who: &Cookies, status: Option<&str>, search: &str, after: Option<&str>) -> Value {
    let mut fields = vec![("q[search]", search)];
    if let Some(s) = status {
        fields.push(("q[status]", s));
    }
    if let Some(a) = after {
        fields.push(("q[after]", a));
    }
    let res = app.post_form("/api/ui/users", &fields, who, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

async fn user_id(app: &TestApp, who: &Cookies, email: &str) -> String {
    let page = list_users(app, who, None, email, None).await;
    let users = page["users"]["items"].as_array().unwrap();
    assert_eq!(users.len(), 1, "{page}");
    users[0]["id"].as_str().unwrap().to_owned()
}

async fn update(app: &TestApp, who: &Cookies, user: &str, action: &str, role: Option<&str>) -> TestResponse {
    let mut fields = vec![("input[user_id]", user), ("input[action]", action)];
    if let Some(r) = role {
        fields.push(("input[role]", r));
    }
    app.post_form("/api/ui/users/update", &fields, who, Some(ORIGIN)).await
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn changing_the_password_needs_the_current_one_and_ends_my_other_sessions(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let here = app.login_browser(VIEWER, DEMO_PASSWORD).await;
    let elsewhere = app.access_token(VIEWER).await;

    let wrong_current = password_form("Otra-Clave-2026", NEW_PASSWORD, NEW_PASSWORD);
    app.post_form("/api/ui/password", &wrong_current, &here, Some(ORIGIN)).await.assert_server_fn_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error("current_password", "invalid_credentials"),
    );
    let mismatch = password_form(DEMO_PASSWORD, NEW_PASSWORD, "Cambio-de-Clave-27");
    app.post_form("/api/ui/password", &mismatch, &here, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::UNPROCESSABLE_ENTITY, field_error("confirm_password", "password_mismatch"));
    let short = password_form(DEMO_PASSWORD, "Corta-1", "Corta-1");
    app.post_form("/api/ui/password", &short, &here, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::UNPROCESSABLE_ENTITY, field_error("new_password", "password_too_short"));
    // None of the refused attempts changed anything.
    app.login_rest(VIEWER, DEMO_PASSWORD).await;
    assert_eq!(app.get("/api/v1/auth/me", Auth::Bearer(&elsewhere)).await.status, StatusCode::OK);

    let res = app
        .post_form("/api/ui/password", &password_form(DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD), &here, Some(ORIGIN))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    app.try_login_rest(VIEWER, DEMO_PASSWORD).await.assert_unauthorized("invalid_credentials");
    app.login_rest(VIEWER, NEW_PASSWORD).await;
    // The session that changed it goes on; the one opened elsewhere has ended.
    assert_eq!(app.get("/api/v1/auth/me", Auth::Cookies(&here)).await.status, StatusCode::OK);
    // Told why: ended by the password change, not by time.
    app.get("/api/v1/auth/me", Auth::Bearer(&elsewhere)).await.assert_unauthorized("session_ended");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn closing_another_of_my_sessions_signs_it_out(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let laptop = app.login_browser(VIEWER, DEMO_PASSWORD).await;
    let phone = app.login_rest(VIEWER, DEMO_PASSWORD).await;
    let phone_access = phone["access_token"].as_str().unwrap();

    let res = app.post_form("/api/ui/sessions", &[], &laptop, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let sessions = res.json();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == json!(true)).count(), 1);
    let other = sessions.iter().find(|s| s["current"] == json!(false)).unwrap()["id"].as_str().unwrap().to_owned();

    // Another user cannot close it: to them it does not exist.
    let owner = app.login_browser(PLANT_OWNER, DEMO_PASSWORD).await;
    app.post_form("/api/ui/sessions/revoke", &[("input[id]", &other)], &owner, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    assert_eq!(app.get("/api/v1/auth/me", Auth::Bearer(phone_access)).await.status, StatusCode::OK);

    let res = app.post_form("/api/ui/sessions/revoke", &[("input[id]", &other)], &laptop, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    app.get("/api/v1/auth/me", Auth::Bearer(phone_access)).await.assert_unauthorized("session_ended");
    app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": phone["refresh_token"] }), Auth::None)
        .await
        .assert_unauthorized("session_ended");
    assert_eq!(app.get("/api/v1/auth/me", Auth::Cookies(&laptop)).await.status, StatusCode::OK);
    // Closing it twice: it is gone.
    app.post_form("/api/ui/sessions/revoke", &[("input[id]", &other)], &laptop, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_owner_deactivates_reactivates_and_changes_the_role_of_a_user(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.login_browser(PLANT_OWNER, DEMO_PASSWORD).await;
    let viewer = user_id(&app, &owner, VIEWER).await;
    let viewer_session = app.access_token(VIEWER).await;

    let res = update(&app, &owner, &viewer, "deactivate", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json(), json!("deactivate"));
    app.get("/api/v1/auth/me", Auth::Bearer(&viewer_session)).await.assert_unauthorized("account_deactivated");
    app.try_login_rest(VIEWER, DEMO_PASSWORD).await.assert_unauthorized("account_deactivated");
    let listed = list_users(&app, &owner, Some("deactivated"), VIEWER, None).await;
    assert_eq!(listed["users"]["items"][0]["status"], "deactivated");

    let res = update(&app, &owner, &viewer, "reactivate", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    app.login_rest(VIEWER, DEMO_PASSWORD).await;

    // A manufacturer's user may become an operator, never a workshop, and only a platform admin hands out admin.
    let res = update(&app, &owner, &viewer, "change_role", Some("operator")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let me = app.get("/api/v1/auth/me", Auth::Bearer(&app.access_token(VIEWER).await)).await.json();
    assert_eq!(me["role"], "operator");
    for role in ["workshop", "admin"] {
        update(&app, &owner, &viewer, "change_role", Some(role))
            .await
            .assert_server_fn_error(StatusCode::UNPROCESSABLE_ENTITY, field_error("role", "role_not_allowed"));
    }
    update(&app, &owner, &viewer, "change_role", None)
        .await
        .assert_server_fn_error(StatusCode::UNPROCESSABLE_ENTITY, field_error("role", "required"));

    // Nobody changes themselves, and an owner cannot reach another tenant's user.
    let own = user_id(&app, &owner, PLANT_OWNER).await;
    update(&app, &owner, &own, "deactivate", None)
        .await
        .assert_server_fn_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;
    let bodega = user_id(&app, &admin, WAREHOUSE).await;
    update(&app, &owner, &bodega, "deactivate", None)
        .await
        .assert_server_fn_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    app.login_rest(WAREHOUSE, DEMO_PASSWORD).await;
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_users_list_pages_without_gaps_or_repeats(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let bench = nexus::identity::service::demo::seed_bench_users(&app.pool, 120, DEMO_PASSWORD).await.unwrap();
    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = list_users(&app, &admin, Some("active"), "", after.as_deref()).await;
        pages += 1;
        let users = page["users"]["items"].as_array().unwrap();
        assert!(users.len() <= 50, "a page holds at most 50 users");
        seen.extend(users.iter().map(|u| u["email"].as_str().unwrap().to_owned()));
        match page["users"]["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    // 120 bench users and the 8 demo accounts, each exactly once, on 3 pages.
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), 128);
    assert_eq!(unique.len(), 128);
    assert!(bench.iter().all(|e| unique.contains(e)));
    assert_eq!(pages, 3);

    // An owner's pages hold only their tenant; a cursor that is not one is a named 422.
    let owner = app.login_browser(PLANT_OWNER, DEMO_PASSWORD).await;
    let page = list_users(&app, &owner, None, "", None).await;
    assert!(page["users"]["items"].as_array().unwrap().iter().all(|u| u["tenant_name"] == "Planta Demo"), "{page}");
    assert_eq!(page["users"]["next"], Value::Null);
    app.post_form("/api/ui/users", &[("q[after]", "ayer")], &admin, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::UNPROCESSABLE_ENTITY, field_error("after", "invalid_input"));
}

async fn list_tenants(app: &TestApp, who: &Cookies, fields: &[(&str, &str)]) -> TestResponse {
    app.post_form("/api/ui/tenants", fields, who, Some(ORIGIN)).await
}

async fn set_tenant_status(app: &TestApp, who: &Cookies, tenant: &str, status: &str) -> TestResponse {
    let fields = [("input[tenant_id]", tenant), ("input[status]", status)];
    app.post_form("/api/ui/tenants/status", &fields, who, Some(ORIGIN)).await
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_platform_admin_suspends_and_reactivates_an_organization(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;

    // Every organization but the platform's own, with its number of accounts.
    let res = list_tenants(&app, &admin, &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let page = res.json();
    let mut listed: Vec<(String, String, String, i64)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap().to_owned();
            (s("name"), s("kind"), s("status"), t["users"].as_i64().unwrap())
        })
        .collect();
    listed.sort();
    let expect = |n: &str, k: &str, u: i64| (n.to_owned(), k.to_owned(), "active".to_owned(), u);
    assert_eq!(
        listed,
        vec![
            expect("Bodega Demo", "warehouse", 1),
            expect("Planta Demo", "manufacturer", 5),
            expect("Taller Demo", "workshop", 1)
        ]
    );
    assert_eq!(page["next"], Value::Null);
    let bodega = page["items"].as_array().unwrap().iter().find(|t| t["name"] == "Bodega Demo").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An owner manages their users, not organizations; the platform itself cannot be suspended.
    let owner = app.login_browser(PLANT_OWNER, DEMO_PASSWORD).await;
    list_tenants(&app, &owner, &[])
        .await
        .assert_server_fn_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    set_tenant_status(&app, &owner, &bodega, "suspended")
        .await
        .assert_server_fn_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    set_tenant_status(&app, &admin, "00000000-0000-0000-0000-000000000000", "suspended")
        .await
        .assert_server_fn_error(StatusCode::UNPROCESSABLE_ENTITY, field_error("status", "invalid_input"));

    // Suspended: the bodega's session ends at once and nobody there signs in.
    let bodega_session = app.access_token(WAREHOUSE).await;
    let res = set_tenant_status(&app, &admin, &bodega, "suspended").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json(), json!("suspended"));
    // Its people are told their organisation is suspended, not that their account is deactivated.
    app.get("/api/v1/auth/me", Auth::Bearer(&bodega_session)).await.assert_unauthorized("organisation_suspended");
    app.try_login_rest(WAREHOUSE, DEMO_PASSWORD).await.assert_unauthorized("organisation_suspended");
    let suspended = list_tenants(&app, &admin, &[("q[status]", "suspended")]).await.json();
    assert_eq!(suspended["items"].as_array().unwrap().len(), 1, "{suspended}");
    assert_eq!(suspended["items"][0]["name"], "Bodega Demo");
    // The search finds by name, with LIKE wildcards taken literally.
    let found = list_tenants(&app, &admin, &[("q[search]", "planta")]).await.json();
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    let none = list_tenants(&app, &admin, &[("q[search]", "%")]).await.json();
    assert_eq!(none["items"], json!([]));

    // Reactivated, it signs in again.
    let res = set_tenant_status(&app, &admin, &bodega, "active").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    app.login_rest(WAREHOUSE, DEMO_PASSWORD).await;
}
