//! Invitations over HTTP: an owner invites, the invitee accepts through the link (mailed, or passed on), the links
//! that cannot be used say why, and the platform creates an organisation with its first owner.

use crate::helpers::*;
use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

const NEW_PASSWORD: &str = "Turno-De-Noche-2026";

async fn invite_rest(app: &TestApp, token: &str, email: &str, role: &str) -> TestResponse {
    app.post_json("/api/v1/invitations", &json!({ "email": email, "role": role }), Auth::Bearer(token)).await
}

/// The token at the end of an invitation link.
fn token_of(link: &str) -> String {
    let (_, token) = link.rsplit_once("/invitation/").expect("an invitation link");
    token.to_owned()
}

async fn accept_rest(app: &TestApp, token: &str, name: &str) -> TestResponse {
    let body = json!({ "token": token, "name": name, "password": NEW_PASSWORD });
    app.post_json("/api/v1/invitations/accept", &body, Auth::None).await
}

fn problem(res: &TestResponse, status: StatusCode, problem: &str) {
    res.assert_error(status, json!({ "error": "rejected", "problem": { "problem": problem } }));
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_owner_invites_a_manager_by_link_who_chooses_a_password_and_is_signed_in(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.login_browser(PLANT_OWNER, DEMO_PASSWORD).await;

    // No mail server: the answer carries the link to pass on, on this site.
    let res = app
        .post_form(
            "/api/ui/invitations/create",
            &[("input[email]", "Luis@Planta.Test"), ("input[role]", "manager"), ("lang", "es")],
            &owner,
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let invited = res.json();
    assert_eq!(
        (&invited["email"], &invited["role"], &invited["mailed"]),
        (&json!("luis@planta.test"), &json!("manager"), &json!(false))
    );
    let link = invited["link"].as_str().expect("the link to pass on").to_owned();
    assert!(link.starts_with(&format!("{ORIGIN}/invitation/")), "{link}");
    let token = token_of(&link);

    // The link's page names the organisation, the inviter and the role.
    let page = app.get(&format!("/invitation/{token}"), Auth::None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Planta Demo") && html.contains("luis@planta.test"), "{html}");

    // Accepting signs the new account in and goes home.
    let res = app
        .post_form(
            "/api/ui/invitation/accept",
            &[("input[token]", &token), ("input[name]", "Luis Ortega"), ("input[password]", NEW_PASSWORD)],
            &Cookies::default(),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.set_cookie("nexus_at").is_some(), "{:?}", res.headers);
    let tokens = app.login_rest("luis@planta.test", NEW_PASSWORD).await;
    assert_eq!(tokens["user"]["role"], "manager");
    assert_eq!(tokens["user"]["display_name"], "Luis Ortega");

    // The link is spent; the owner's list says it was accepted.
    problem(&accept_rest(&app, &token, "Otro").await, StatusCode::GONE, "used");
    let owner_token = app.access_token(PLANT_OWNER).await;
    let list = app.get("/api/v1/invitations", Auth::Bearer(&owner_token)).await.json();
    assert_eq!(list["items"][0]["status"], "accepted", "{list}");
    assert_eq!(list["items"][0]["invited_by"], json!(tokens_name(&app, PLANT_OWNER).await), "{list}");
}

async fn tokens_name(app: &TestApp, login: &str) -> String {
    let t = app.access_token(login).await;
    app.get("/api/v1/auth/me", Auth::Bearer(&t)).await.json()["display_name"].as_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn with_a_mail_server_the_link_goes_by_mail_and_is_not_shown(opts: PgPoolOptions, conn: PgConnectOptions) {
    let dir = std::env::temp_dir().join(format!("nexus-mail-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = TestApp::with_mail_folder(opts, conn, &dir).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let body = json!({ "email": "ana@planta.test", "role": "operator", "lang": "en" });
    let res = app.post_json("/api/v1/invitations", &body, Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let invited = res.json();
    assert_eq!((&invited["mailed"], &invited["link"]), (&json!(true), &Value::Null), "{invited}");

    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("To: ana@planta.test"), "{eml}");
    assert!(eml.contains("as Operator") || eml.contains("as operator"), "{eml}");
    let link = eml.lines().find(|l| l.contains("/invitation/")).expect("the link in the mail").trim().to_owned();
    let res = accept_rest(&app, &token_of(&link), "Ana Ruiz").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(app.login_rest("ana@planta.test", NEW_PASSWORD).await["user"]["role"], "operator");
    let list = app.get("/api/v1/invitations", Auth::Bearer(&owner)).await.json();
    assert_eq!(list["items"][0]["mailed"], true, "{list}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn links_that_cannot_be_used_say_why_and_invitations_keep_to_the_organisation(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;

    // Revoked: the link stops working at once.
    let first = invite_rest(&app, &owner, "rev@planta.test", "viewer").await.json();
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.delete(&format!("/api/v1/invitations/{id}"), Auth::Bearer(&owner)).await.status,
        StatusCode::NO_CONTENT
    );
    problem(&accept_rest(&app, &token_of(first["link"].as_str().unwrap()), "X").await, StatusCode::GONE, "revoked");
    // Revoking again: there is no pending invitation of that id.
    assert_eq!(
        app.delete(&format!("/api/v1/invitations/{id}"), Auth::Bearer(&owner)).await.status,
        StatusCode::NOT_FOUND
    );

    // Inviting an address again replaces its open invitation: the first link is revoked.
    let a = invite_rest(&app, &owner, "twice@planta.test", "viewer").await.json();
    let b = invite_rest(&app, &owner, "twice@planta.test", "supply").await.json();
    problem(&accept_rest(&app, &token_of(a["link"].as_str().unwrap()), "X").await, StatusCode::GONE, "revoked");

    // Expired.
    app.admin_sql("update invitations set expires_at = now() - interval '1 second' where email = 'twice@planta.test'")
        .await;
    problem(&accept_rest(&app, &token_of(b["link"].as_str().unwrap()), "X").await, StatusCode::GONE, "expired");
    // Unknown, and a token longer than any of ours.
    problem(&accept_rest(&app, "no-such-token", "X").await, StatusCode::NOT_FOUND, "unknown");
    problem(&accept_rest(&app, &"x".repeat(101), "X").await, StatusCode::NOT_FOUND, "unknown");

    // Roles the organisation's kind does not have, an address with an account, and people who may not invite.
    invite_rest(&app, &owner, "x@planta.test", "warehouse").await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "role", "code": "role_not_allowed" }] }),
    );
    invite_rest(&app, &owner, "x@planta.test", "admin").await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "role", "code": "role_not_allowed" }] }),
    );
    invite_rest(&app, &owner, WORKSHOP, "viewer").await.assert_error(
        StatusCode::CONFLICT,
        json!({ "error": "validation", "fields": [{ "field": "email", "code": "email_taken" }] }),
    );
    let workshop = app.access_token(WORKSHOP).await;
    invite_rest(&app, &workshop, "y@taller.test", "owner")
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));

    // Another organisation's owner neither sees nor revokes this plant's invitations.
    let other = app.access_token(WAREHOUSE).await;
    let list = app.get("/api/v1/invitations", Auth::Bearer(&other)).await;
    assert_eq!(list.status, StatusCode::FORBIDDEN, "{}", list.text());
    let pending = invite_rest(&app, &owner, "p@planta.test", "viewer").await.json();
    let res =
        app.delete(&format!("/api/v1/invitations/{}", pending["id"].as_str().unwrap()), Auth::Bearer(&other)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Each change is in the plant's audit log.
    let audit = app.get("/api/v1/audit", Auth::Bearer(&owner)).await.json();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"invitation.created") && actions.contains(&"invitation.revoked"), "{actions:?}");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_platform_creates_a_plant_whose_invited_owner_runs_it(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let admin = app.access_token(ADMIN).await;
    let body = json!({
        "kind": "manufacturer", "name": "Estampados Norte", "owner_email": "Jefa@Estampados.Test",
    });
    let res = app.post_json("/api/v1/tenants", &body, Auth::Bearer(&admin)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let created = res.json();
    assert_eq!(created["invitation"]["role"], "owner", "{created}");
    let link = created["invitation"]["link"].as_str().unwrap().to_owned();

    // Only the platform creates organisations, and never a second platform.
    let owner = app.access_token(PLANT_OWNER).await;
    let res = app.post_json("/api/v1/tenants", &body, Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    let platform = json!({ "kind": "platform", "name": "Otra", "owner_email": "o@x.test" });
    app.post_json("/api/v1/tenants", &platform, Auth::Bearer(&admin)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "kind", "code": "kind_not_allowed" }] }),
    );

    let res = accept_rest(&app, &token_of(&link), "Marta Jefa").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let token = app.login_rest("jefa@estampados.test", NEW_PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/auth/me", Auth::Bearer(&token)).await.json();
    assert_eq!(
        (&me["role"], &me["tenant_kind"], &me["tenant_name"]),
        (&json!("owner"), &json!("manufacturer"), &json!("Estampados Norte")),
        "{me}"
    );
    // The new owner invites their own people in turn.
    let res = invite_rest(&app, &token, "op@estampados.test", "operator").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}
