//! Identity over HTTP: login, refresh, logout, registration, sessions, the pipeline around them (security headers,
//! CSRF, rate limits), API keys, and tenant isolation through the endpoints.
//!
//! Every error assertion checks the HTTP status and the exact JSON body, since both are part of the API contract.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::helpers::*;
use http::StatusCode;
use nexus::identity::rules::account::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use nexus::identity::rules::auth::{AccessClaims, ApiScope, Role};
use nexus::identity::rules::tenant::TenantKind;
use nexus_server::http::middleware::Limits;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

const NEW_PASSWORD: &str = "Nuevo-Passw0rd";

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no string {key:?} in {v}"))
}

/// The claims of an access token, read without checking it (tests forge variants of real tokens).
fn claims_of(token: &str) -> AccessClaims {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(claims: &AccessClaims, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

// 1 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn rest_login_returns_bearer_tokens_and_me_answers(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;

    let tokens = app.login_rest(WAREHOUSE, DEMO_PASSWORD).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["user"]["role"], "warehouse");
    assert_eq!(tokens["user"]["email"], WAREHOUSE);
    let expires_in = tokens["expires_in"].as_i64().unwrap();
    assert!((890..=900).contains(&expires_in), "expires_in {expires_in}");
    assert!(!str_of(&tokens, "refresh_token").is_empty());

    let me = app.get("/api/v1/auth/me", Auth::Bearer(str_of(&tokens, "access_token"))).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    let me = me.json();
    assert_eq!(me["email"], WAREHOUSE);
    assert_eq!(me["role"], "warehouse");
    assert_eq!(me["id"], tokens["user"]["id"]);
    assert_eq!(me["tenant_id"], tokens["user"]["tenant_id"]);

    // Login by any casing and surrounding spaces finds the same account.
    let again = app.login_rest("  BODEGA@Bodega.demo ", DEMO_PASSWORD).await;
    assert_eq!(again["user"]["id"], tokens["user"]["id"]);
}

// 2 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn bad_password_and_unknown_user_get_the_same_401(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;

    let wrong_password = app.try_login_rest(WAREHOUSE, "Wrong-Passw0rd").await;
    wrong_password.assert_unauthorized("invalid_credentials");
    let unknown_user = app.try_login_rest("nadie@nowhere.demo", DEMO_PASSWORD).await;
    unknown_user.assert_unauthorized("invalid_credentials");
    assert_eq!(wrong_password.body, unknown_user.body, "the answers must not tell the two apart");

    // Empty credentials and a malformed body.
    app.try_login_rest("", "").await.assert_unauthorized("invalid_credentials");
    let malformed = app.post_json("/api/v1/auth/login", &json!({ "login": WAREHOUSE }), Auth::None).await;
    malformed.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "body", "code": "invalid_input" }] }),
    );
}

// 3 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn registration_is_pending_unique_and_checks_the_password_policy(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;

    let res = app.register("Nuevo@Taller.test", NEW_PASSWORD, "Nuevo").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let body = res.json();
    assert_eq!(body["status"], "pending");
    assert!(body["user_id"].as_str().is_some_and(|id| id.parse::<uuid::Uuid>().is_ok()), "{body}");

    // The right password on a pending account says so (and only then).
    app.try_login_rest("nuevo@taller.test", NEW_PASSWORD).await.assert_unauthorized("account_pending");
    app.try_login_rest("nuevo@taller.test", "Wrong-Passw0rd").await.assert_unauthorized("invalid_credentials");

    // The same e-mail again, whatever its casing: a conflict with what exists (409), named by field.
    app.register(" NUEVO@taller.test", NEW_PASSWORD, "Otro").await.assert_error(
        StatusCode::CONFLICT,
        json!({ "error": "validation", "fields": [{ "field": "email", "code": "email_taken" }] }),
    );

    // Password policy: length (no composition rules, ASVS 2.1.9) and not among the most common.
    for (password, code) in [
        ("Ab1", "password_too_short"),
        ("Abcdefgh-10", "password_too_short"),
        (&"x".repeat(129), "password_too_long"),
        ("1qaz2wsx3edc", "password_too_common"),
    ] {
        app.register("debil@taller.test", password, "Débil").await.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "validation", "fields": [{ "field": "password", "code": code }] }),
        );
    }

    // Self-registration cannot pick a staff role.
    let admin_role = json!({
        "name": "X", "email": "x@taller.test", "password": NEW_PASSWORD, "business_name": "X",
        "phone": "1", "address": "a", "role": "admin",
    });
    app.post_json("/api/v1/auth/register", &admin_role, Auth::None).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "role", "code": "role_not_allowed" }] }),
    );
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_plant_registers_itself_and_its_owner_signs_in_once_approved(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let plant = |email: &str, kind: &str| {
        json!({
            "name": "Rosa Méndez", "email": email, "password": NEW_PASSWORD, "business_name": "Troqueles del Bajío",
            "phone": "+52 442 000 0000", "address": "Parque Industrial 4, Querétaro", "kind": kind,
        })
    };
    // The platform is never registered; an unknown kind is named as such.
    for kind in ["platform", "bank"] {
        app.post_json("/api/v1/auth/register", &plant("x@planta.test", kind), Auth::None).await.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "validation", "fields": [{ "field": "kind", "code": "kind_not_allowed" }] }),
        );
    }
    let res = app.post_json("/api/v1/auth/register", &plant("rosa@planta.test", "manufacturer"), Auth::None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let user_id = str_of(&res.json(), "user_id").to_owned();
    app.try_login_rest("rosa@planta.test", NEW_PASSWORD).await.assert_unauthorized("account_pending");

    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;
    let res = app
        .post_form(
            "/api/ui/users/update",
            &[("input[user_id]", &user_id), ("input[action]", "approve")],
            &admin,
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Its first account is the plant's owner, who may configure the plant and invite its people.
    let tokens = app.login_rest("rosa@planta.test", NEW_PASSWORD).await;
    assert_eq!(tokens["user"]["role"], "owner");
    let me = app.get("/api/v1/auth/me", Auth::Bearer(str_of(&tokens, "access_token"))).await.json();
    assert_eq!(
        (&me["tenant_kind"], &me["tenant_name"]),
        (&json!("manufacturer"), &json!("Troqueles del Bajío")),
        "{me}"
    );
    assert!(me["scopes"].as_array().unwrap().contains(&json!("production:ingest")), "{me}");
}

// 4 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn admin_approves_a_registration_through_the_server_function(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let registered = app.register("aprobar@taller.test", NEW_PASSWORD, "Aprobar").await.json();
    let user_id = str_of(&registered, "user_id").to_owned();
    app.try_login_rest("aprobar@taller.test", NEW_PASSWORD).await.assert_unauthorized("account_pending");

    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;
    let res = app
        .post_form(
            "/api/ui/users/update",
            &[("input[user_id]", &user_id), ("input[action]", "approve")],
            &admin,
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json(), json!("approve"));

    let tokens = app.login_rest("aprobar@taller.test", NEW_PASSWORD).await;
    assert_eq!(tokens["user"]["id"], json!(user_id));
    assert_eq!(tokens["user"]["role"], "workshop");

    // A user without UsersManage cannot approve anyone.
    let workshop = app.login_browser(WORKSHOP, DEMO_PASSWORD).await;
    let res = app
        .post_form(
            "/api/ui/users/update",
            &[("input[user_id]", &user_id), ("input[action]", "deactivate")],
            &workshop,
            Some(ORIGIN),
        )
        .await;
    res.assert_server_fn_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));
    // Nor can an anonymous caller.
    let res = app
        .post_form(
            "/api/ui/users/update",
            &[("input[user_id]", &user_id), ("input[action]", "deactivate")],
            &Cookies::default(),
            Some(ORIGIN),
        )
        .await;
    res.assert_server_fn_error(
        StatusCode::UNAUTHORIZED,
        json!({ "error": "unauthorized", "code": "not_authenticated" }),
    );
    app.login_rest("aprobar@taller.test", NEW_PASSWORD).await;
}

// 5 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn access_tokens_are_checked_for_expiry_algorithm_and_signature(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let real = app.access_token(WAREHOUSE).await;
    let claims = claims_of(&real);

    // Control: a token we sign ourselves with the server's secret is accepted, so every refusal below is about the
    // one thing changed.
    let forged_ok = sign(&claims, &JWT_SECRET);
    assert_eq!(app.get("/api/v1/auth/me", Auth::Bearer(&forged_ok)).await.status, StatusCode::OK);

    // Expired (well past the 5 s leeway).
    let now = chrono::Utc::now().timestamp();
    let expired = AccessClaims { iat: now - 3600, exp: now - 60, ..claims.clone() };
    app.get("/api/v1/auth/me", Auth::Bearer(&sign(&expired, &JWT_SECRET))).await.assert_unauthorized("session_expired");

    // alg "none", no signature.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let unsigned = format!("{header}.{payload}.");
    app.get("/api/v1/auth/me", Auth::Bearer(&unsigned)).await.assert_unauthorized("token_invalid");

    // Signed with another key.
    app.get("/api/v1/auth/me", Auth::Bearer(&sign(&claims, &[8u8; 32]))).await.assert_unauthorized("token_invalid");

    // Wrong audience or issuer, signed with the right key.
    let other_aud = AccessClaims { aud: "someone-else".into(), ..claims.clone() };
    app.get("/api/v1/auth/me", Auth::Bearer(&sign(&other_aud, &JWT_SECRET))).await.assert_unauthorized("token_invalid");
    let other_iss = AccessClaims { iss: "evil".into(), ..claims.clone() };
    app.get("/api/v1/auth/me", Auth::Bearer(&sign(&other_iss, &JWT_SECRET))).await.assert_unauthorized("token_invalid");

    // Garbage and no token at all.
    app.get("/api/v1/auth/me", Auth::Bearer("not-a-jwt")).await.assert_unauthorized("token_invalid");
    app.get("/api/v1/auth/me", Auth::None).await.assert_unauthorized("not_authenticated");
}

// 6 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn refresh_rotates_and_a_reused_token_revokes_the_session(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let first = app.login_rest(WAREHOUSE, DEMO_PASSWORD).await;
    let old_refresh = str_of(&first, "refresh_token");

    let res = app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": old_refresh }), Auth::None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let second = res.json();
    assert_eq!(second["token_type"], "Bearer");
    assert_eq!(second["user"]["id"], first["user"]["id"]);
    let new_refresh = str_of(&second, "refresh_token");
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(app.get("/api/v1/auth/me", Auth::Bearer(str_of(&second, "access_token"))).await.status, StatusCode::OK);

    // Within the grace window the old token yields the very same successor (a client racing itself), never a fresh
    // credential, and does not kill the session either.
    let again = app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": old_refresh }), Auth::None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(str_of(&again.json(), "refresh_token"), new_refresh);
    assert_eq!(str_of(&again.json(), "access_token"), str_of(&second, "access_token"));
    assert_eq!(app.get("/api/v1/auth/me", Auth::Bearer(str_of(&second, "access_token"))).await.status, StatusCode::OK);

    // Past the grace window a used token presented again is theft: the whole session ends.
    let aged = app
        .admin_sql("update refresh_tokens set used_at = now() - interval '5 minutes' where used_at is not null")
        .await;
    assert_eq!(aged, 1);
    app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": old_refresh }), Auth::None)
        .await
        .assert_unauthorized("refresh_reused");
    app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": new_refresh }), Auth::None)
        .await
        .assert_unauthorized("session_ended");
    app.get("/api/v1/auth/me", Auth::Bearer(str_of(&second, "access_token")))
        .await
        .assert_unauthorized("session_ended");

    // Unknown and malformed refresh requests.
    app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": "nope" }), Auth::None)
        .await
        .assert_unauthorized("token_invalid");
    app.post_json("/api/v1/auth/refresh", &json!({}), Auth::None).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "body", "code": "invalid_input" }] }),
    );
}

// 7 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_fourth_session_ends_the_oldest(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let mut tokens = Vec::new();
    for _ in 0..4 {
        tokens.push(app.access_token(WORKSHOP).await);
    }
    app.get("/api/v1/auth/me", Auth::Bearer(&tokens[0])).await.assert_unauthorized("session_ended");
    for t in &tokens[1..] {
        let res = app.get("/api/v1/auth/me", Auth::Bearer(t)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
}

// 8 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn login_is_rate_limited_per_ip(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::with_limits(opts, conn, Limits::new(1000, 3)).await;
    app.seed_demo().await;
    for i in 0..3 {
        let res = app.try_login_rest(WAREHOUSE, "Wrong-Passw0rd").await;
        assert_ne!(res.status, StatusCode::TOO_MANY_REQUESTS, "attempt {i} was limited");
        res.assert_unauthorized("invalid_credentials");
    }
    // The 4th is refused before the password is even looked at: the right password does not help.
    let res = app.try_login_rest(WAREHOUSE, DEMO_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.text());
    let body = res.json();
    assert_eq!(body["error"], "rate_limited");
    let secs = body["retry_after_secs"].as_u64().expect("retry_after_secs");
    assert!((1..=60).contains(&secs), "retry_after_secs {secs}");
    let retry_after: u64 = res.header("retry-after").expect("Retry-After header").parse().unwrap();
    assert!(retry_after >= 1, "Retry-After {retry_after}");
    assert_eq!(retry_after, secs.max(1));

    // The browser's login server function shares the same strict quota.
    let res = app
        .post_form(
            "/api/ui/login",
            &[("input[login]", WAREHOUSE), ("input[password]", DEMO_PASSWORD)],
            &Cookies::default(),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.text());
    assert_eq!(res.json()["error"], "rate_limited");

    // Other endpoints still answer: only the auth paths have the strict quota.
    assert_eq!(app.get("/api/v1/health", Auth::None).await.status, StatusCode::OK);
}

// 9 ---------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn cookie_authenticated_writes_need_our_origin(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let session = app.login_browser(WAREHOUSE, DEMO_PASSWORD).await;
    let csrf_rejected = json!({ "error": "validation", "fields": [{ "field": "origin", "code": "csrf_rejected" }] });

    // No Origin, no Referer.
    app.post_form("/api/ui/logout", &[], &session, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, csrf_rejected.clone());
    // A foreign Origin, also as a Referer, and the opaque "null" Origin.
    app.post_form("/api/ui/logout", &[], &session, Some("https://evil.example"))
        .await
        .assert_error(StatusCode::FORBIDDEN, csrf_rejected.clone());
    app.post_form("/api/ui/logout", &[], &session, Some("http://127.0.0.1:3000.evil.example"))
        .await
        .assert_error(StatusCode::FORBIDDEN, csrf_rejected.clone());
    app.post_form("/api/ui/logout", &[], &session, Some("null"))
        .await
        .assert_error(StatusCode::FORBIDDEN, csrf_rejected.clone());
    let req = TestApp::request(http::Method::POST, "/api/ui/logout")
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::REFERER, "https://evil.example/page")
        .header(http::header::COOKIE, session.header())
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(req).await.assert_error(StatusCode::FORBIDDEN, csrf_rejected.clone());

    // The refused requests did nothing: the session still works.
    assert_eq!(app.get("/api/v1/auth/me", Auth::Cookies(&session)).await.status, StatusCode::OK);

    // A same-origin Referer (no Origin) is accepted, as is our Origin.
    let req = TestApp::request(http::Method::POST, "/api/ui/logout")
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::REFERER, format!("{ORIGIN}/account"))
        .header(http::header::COOKIE, session.header())
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    let other = app.login_browser(WAREHOUSE, DEMO_PASSWORD).await;
    let res = app.post_form("/api/ui/logout", &[], &other, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Logout cleared the cookies and ended the session.
    assert!(res.set_cookie("nexus_at").is_some_and(|c| c.value().is_empty()));
    assert!(res.set_cookie("nexus_rt").is_some_and(|c| c.value().is_empty()));
    let me = app.get("/api/v1/auth/me", Auth::Cookies(&other.only(&["nexus_at"]))).await;
    me.assert_unauthorized("not_authenticated");
}

// 10 --------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn browser_login_sets_safe_cookies_and_refreshes_transparently(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;

    // A plain (no-JavaScript) form post: redirected home with the session cookies.
    let req = TestApp::request(http::Method::POST, "/api/ui/login")
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "text/html,application/xhtml+xml")
        .header(http::header::ORIGIN, ORIGIN)
        .header(http::header::REFERER, format!("{ORIGIN}/login"))
        .body(axum::body::Body::from(form_encode(&[("input[login]", WAREHOUSE), ("input[password]", DEMO_PASSWORD)])))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
    assert_eq!(res.header("location"), Some("/"));
    for name in ["nexus_at", "nexus_rt"] {
        let c = res.set_cookie(name).unwrap_or_else(|| panic!("no {name} cookie"));
        assert!(!c.value().is_empty());
        assert_eq!(c.http_only(), Some(true), "{name} must be HttpOnly");
        assert_eq!(c.same_site(), Some(cookie::SameSite::Lax), "{name} must be SameSite=Lax");
        assert_eq!(c.path(), Some("/"));
    }
    let session = res.cookies();

    // Only the refresh cookie (the access cookie expired and the browser dropped it): served, and re-issued.
    let res = app.get("/api/v1/auth/me", Auth::Cookies(&session.only(&["nexus_rt"]))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["email"], WAREHOUSE);
    let renewed_at = res.set_cookie("nexus_at").expect("a new access cookie");
    let renewed_rt = res.set_cookie("nexus_rt").expect("a rotated refresh cookie");
    assert!(!renewed_at.value().is_empty() && renewed_at.http_only() == Some(true));
    assert_ne!(Some(renewed_rt.value()), session.get("nexus_rt"));
    let renewed = res.cookies();
    let res = app.get("/api/v1/auth/me", Auth::Cookies(&renewed.only(&["nexus_at"]))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    // A bad login through the form: the error JSON of the server function, no cookies.
    let res = app
        .post_form(
            "/api/ui/login",
            &[("input[login]", WAREHOUSE), ("input[password]", "Wrong-Passw0rd")],
            &Cookies::default(),
            Some(ORIGIN),
        )
        .await;
    res.assert_server_fn_error(
        StatusCode::UNAUTHORIZED,
        json!({ "error": "unauthorized", "code": "invalid_credentials" }),
    );
    assert!(res.set_cookies().is_empty());

    // A bad cookie is cleared, not an error: the visitor is simply anonymous.
    let res = app.get("/api/v1/auth/me", Auth::Cookies(&Cookies(vec![("nexus_at".into(), "garbage".into())]))).await;
    res.assert_unauthorized("not_authenticated");
    assert!(res.set_cookie("nexus_at").is_some_and(|c| c.value().is_empty()));
}

/// Found by outside testing: a session ended elsewhere left the page saying only "Inicia sesión para continuar.".
/// Now the next request sends the browser to sign in with the page it asked for, the sign-in page says why the
/// session ended, and signing in returns to that page (and forgets the reason).
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_ended_session_says_why_and_signing_in_returns_to_the_page(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let browser = app.login_browser(WAREHOUSE, DEMO_PASSWORD).await;
    // Three sign-ins elsewhere: the browser's session, the oldest, is ended by the newest.
    for _ in 0..3 {
        app.access_token(WAREHOUSE).await;
    }
    let res = app.get("/inventory?q=filtro", Auth::Cookies(&browser)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.header("location"), Some("/login?next=%2Finventory%3Fq%3Dfiltro"));
    assert!(res.set_cookie("nexus_at").is_some_and(|c| c.value().is_empty()), "the session cookies are cleared");
    let why = res.set_cookie("nexus_ended").expect("the reason is kept for the sign-in page");
    assert_eq!((why.value(), why.http_only()), ("session_ended", Some(true)));

    let reason = Cookies(vec![("nexus_ended".into(), why.value().to_owned())]);
    let page = app.get("/login?next=%2Finventory%3Fq%3Dfiltro", Auth::Cookies(&reason)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(r#"data-code="session_ended""#), "the page says why: {html}");
    assert!(html.contains("entraste desde otro lugar"), "in Spanish");
    assert!(html.contains(r#"data-testid="login-returns""#), "and that signing in returns to the page");
    // A sign-in with no ended session says nothing of one.
    let plain = app.get("/login", Auth::None).await.text();
    assert!(!plain.contains("data-testid=\"session-ended\"") && !plain.contains("login-returns"));

    // Signing in returns to the page asked for, and forgets the reason.
    let req = TestApp::request(http::Method::POST, "/api/ui/login")
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "text/html,application/xhtml+xml")
        .header(http::header::ORIGIN, ORIGIN)
        .header(http::header::COOKIE, "nexus_ended=session_ended")
        .body(axum::body::Body::from(form_encode(&[
            ("input[login]", WAREHOUSE),
            ("input[password]", DEMO_PASSWORD),
            ("input[next]", "/inventory?q=filtro"),
        ])))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
    assert_eq!(res.header("location"), Some("/inventory?q=filtro"));
    assert!(res.set_cookie("nexus_ended").is_some_and(|c| c.value().is_empty()));
}

// 11 --------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn rest_logout_ends_the_session(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let tokens = app.login_rest(WAREHOUSE, DEMO_PASSWORD).await;
    let access = str_of(&tokens, "access_token");
    let refresh = str_of(&tokens, "refresh_token");

    let res = app.post_json("/api/v1/auth/logout", &json!({ "refresh_token": refresh }), Auth::Bearer(access)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(res.body.is_empty());

    app.get("/api/v1/auth/me", Auth::Bearer(access)).await.assert_unauthorized("session_expired");
    app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": refresh }), Auth::None)
        .await
        .assert_unauthorized("session_expired");

    // Logout by access token alone (empty body) works too; with nothing at all it is a 401.
    let access = app.access_token(WAREHOUSE).await;
    let req = TestApp::request(http::Method::POST, "/api/v1/auth/logout")
        .header(http::header::AUTHORIZATION, format!("Bearer {access}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::NO_CONTENT);
    app.get("/api/v1/auth/me", Auth::Bearer(&access)).await.assert_unauthorized("session_expired");
    app.post_json("/api/v1/auth/logout", &json!({}), Auth::None).await.assert_unauthorized("not_authenticated");
    // Something longer than any refresh token is refused as input, by logout and by refresh alike (found by
    // schemathesis: logout answered 204).
    let too_long = json!({ "refresh_token": "x".repeat(201) });
    let err = json!({ "error": "validation", "fields": [{ "field": "refresh_token", "code": "too_long" }] });
    app.post_json("/api/v1/auth/logout", &too_long, Auth::None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, err.clone());
    app.post_json("/api/v1/auth/refresh", &too_long, Auth::None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, err);
}

// 12 --------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn tenants_cannot_reach_each_other_through_the_endpoints(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let bodega = app.login_rest(WAREHOUSE, DEMO_PASSWORD).await;
    let bodega_user = str_of(&bodega["user"], "id").to_owned();
    let bodega_access = str_of(&bodega, "access_token").to_owned();

    // The plant's owner manages users, but only in the plant: the bodega's user does not exist for them.
    let owner = app.login_browser(PLANT_OWNER, DEMO_PASSWORD).await;
    for action in ["deactivate", "approve"] {
        let res = app
            .post_form(
                "/api/ui/users/update",
                &[("input[user_id]", &bodega_user), ("input[action]", action)],
                &owner,
                Some(ORIGIN),
            )
            .await;
        res.assert_server_fn_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    }
    let res = app
        .post_form(
            "/api/ui/users/update",
            &[("input[user_id]", &bodega_user), ("input[action]", "change_role"), ("input[role]", "owner")],
            &owner,
            Some(ORIGIN),
        )
        .await;
    res.assert_server_fn_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    // Nothing happened to the bodega's user: still active, still a warehouse, session intact.
    let me = app.get("/api/v1/auth/me", Auth::Bearer(&bodega_access)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(me.json()["role"], "warehouse");

    // The bodega creates an API key; another tenant's owner cannot revoke it.
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({ "name": "escáner", "scopes": ["inventory:write"] }),
            Auth::Bearer(&bodega_access),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let created = res.json();
    let key_id = str_of(&created, "id").to_owned();
    let key = str_of(&created, "key").to_owned();
    let owner_access = app.access_token(PLANT_OWNER).await;
    app.delete(&format!("/api/v1/api-keys/{key_id}"), Auth::Bearer(&owner_access))
        .await
        .assert_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    // ...nor see it.
    let listed = app.get("/api/v1/api-keys", Auth::Bearer(&owner_access)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    assert_eq!(listed.json(), json!([]));
    // The key still works and is listed, unrevoked, for its tenant.
    assert_eq!(app.get("/api/v1/auth/me", Auth::Bearer(&key)).await.status, StatusCode::OK);
    let listed = app.get("/api/v1/api-keys", Auth::Bearer(&bodega_access)).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], json!(key_id));
    assert_eq!(listed[0]["revoked_at"], Value::Null);
    assert_eq!(listed[0]["scopes"], json!(["inventory:write"]));
    assert_eq!(listed[0]["prefix"], json!(&key[..12]));

    // A workshop keeps keys for its own systems (its stock room, the catalog), none stronger than itself, and sees
    // only its own.
    let workshop_access = app.access_token(WORKSHOP).await;
    let own = app
        .post_json(
            "/api/v1/api-keys",
            &json!({ "name": "lector", "scopes": ["catalog:read", "stock:write"] }),
            Auth::Bearer(&workshop_access),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text());
    let theirs = app.get("/api/v1/api-keys", Auth::Bearer(&workshop_access)).await.json();
    assert_eq!(theirs.as_array().unwrap().len(), 1, "{theirs}");
    assert_eq!(theirs[0]["scopes"], json!(["catalog:read", "stock:write"]));
    app.post_json(
        "/api/v1/api-keys",
        &json!({ "name": "x", "scopes": ["inventory:write"] }),
        Auth::Bearer(&workshop_access),
    )
    .await
    .assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "scopes", "code": "forbidden" }] }),
    );
    // A bodega cannot mint a key stronger than itself.
    app.post_json(
        "/api/v1/api-keys",
        &json!({ "name": "x", "scopes": ["production:read"] }),
        Auth::Bearer(&bodega_access),
    )
    .await
    .assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "scopes", "code": "forbidden" }] }),
    );
}

// 13 --------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn api_keys_authenticate_machines_until_revoked(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let access = app.access_token(WAREHOUSE).await;
    let created = app
        .post_json(
            "/api/v1/api-keys",
            &json!({ "name": "lector", "scopes": ["inventory:write", "catalog:read"] }),
            Auth::Bearer(&access),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = created.json();
    let key = str_of(&created, "key").to_owned();
    let key_id = str_of(&created, "id").to_owned();
    assert!(key.starts_with("nxk_"), "{key}");

    let health = app.get("/api/v1/health", Auth::Bearer(&key)).await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.text());
    assert_eq!(health.json(), json!({ "status": "ok", "database": "ok" }));
    // "Me" answers a key with its tenant and scopes; operations for people refuse it.
    let me = app.get("/api/v1/auth/me", Auth::Bearer(&key)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    let me = me.json();
    assert_eq!(me["kind"], "api_key");
    assert_eq!(me["name"], "lector");
    assert_eq!(me["tenant_name"], "Bodega Demo");
    assert_eq!(me["tenant_kind"], "warehouse");
    assert_eq!(me["scopes"], json!(["catalog:read", "inventory:write"]));
    app.get("/api/v1/api-keys", Auth::Bearer(&key))
        .await
        .assert_error(StatusCode::FORBIDDEN, json!({ "error": "forbidden" }));

    let res = app.delete(&format!("/api/v1/api-keys/{key_id}"), Auth::Bearer(&access)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    app.get("/api/v1/auth/me", Auth::Bearer(&key)).await.assert_unauthorized("token_invalid");
    app.get("/api/v1/audit", Auth::Bearer(&key)).await.assert_unauthorized("token_invalid");
    // An operation open to anyone serves a revoked key as it serves no key (issue 22).
    assert_eq!(app.get("/api/v1/health", Auth::Bearer(&key)).await.status, StatusCode::OK);
    // Revoking twice, or an unknown key: not found.
    app.delete(&format!("/api/v1/api-keys/{key_id}"), Auth::Bearer(&access))
        .await
        .assert_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    // A made-up key of the right shape.
    app.get("/api/v1/auth/me", Auth::Bearer("nxk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .await
        .assert_unauthorized("token_invalid");
}

// 14 --------------------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn pages_carry_security_headers_and_the_api_is_documented(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;

    let page = app.get("/login", Auth::None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{:?}", page.headers);
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("'nonce-"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    // The nonce in the header is the one on the page's scripts.
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).unwrap();
    assert!(page.text().contains(&format!("nonce=\"{nonce}\"")), "the page's scripts do not carry the CSP nonce");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("referrer-policy"), Some("strict-origin-when-cross-origin"));
    assert!(page.header("x-request-id").is_some_and(|id| !id.is_empty()));
    // Plain HTTP (secure_cookies off): no HSTS.
    assert!(page.header("strict-transport-security").is_none());
    // A second render gets another nonce.
    let again = app.get("/login", Auth::None).await;
    assert_ne!(again.header("content-security-policy"), Some(csp));

    let doc = app.get("/api/v1/openapi.json", Auth::None).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text());
    assert!(doc.header("content-type").is_some_and(|c| c.starts_with("application/json")));
    let doc = doc.json();
    let paths = doc["paths"].as_object().expect("a paths object");
    for p in ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/me", "/api/v1/api-keys", "/api/v1/health"] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI paths");
    }
    // The document states the rules the server applies, from the same source.
    let schemas = &doc["components"]["schemas"];
    let names = |v: &Value| -> Vec<String> {
        v["enum"].as_array().expect("an enum").iter().map(|x| x.as_str().unwrap().to_owned()).collect()
    };
    let kinds: Vec<String> =
        TenantKind::ALL.into_iter().filter(|k| k.self_registrable()).map(|k| k.as_str().to_owned()).collect();
    assert_eq!(names(&schemas["RegistrableKind"]), kinds);
    let older: Vec<String> = Role::ALL
        .into_iter()
        .filter(|&r| TenantKind::for_registration(r).is_some())
        .map(|r| r.as_str().to_owned())
        .collect();
    assert_eq!(names(&schemas["SelfServiceRole"]), older);
    assert_eq!(names(&schemas["ApiScope"]), ApiScope::ALL.map(|s| s.as_str().to_owned()));
    assert_eq!(names(&schemas["Role"]), Role::ALL.map(|r| r.as_str().to_owned()));
    let password = &schemas["RegisterRequest"]["properties"]["password"];
    assert_eq!(password["minLength"], PASSWORD_MIN_CHARS);
    assert_eq!(password["maxLength"], PASSWORD_MAX_CHARS);
    // Each list's cursor is stated exactly as its kind reads it (every text of the pattern is a position).
    use nexus::paging::{At, Cursor};
    for (path, pattern) in [
        ("/api/v1/audit", <At<i64> as Cursor>::PATTERN),
        ("/api/v1/inventory/uploads", <At<uuid::Uuid> as Cursor>::PATTERN),
        ("/api/v1/parts/search", <nexus::catalog::rules::search::SearchCursor as Cursor>::PATTERN),
    ] {
        let after = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "after")
            .expect("the after parameter");
        assert_eq!(after["schema"]["pattern"], pattern, "{path}");
    }
    // API answers get the strict default CSP and the same headers.
    let health = app.get("/api/v1/health", Auth::None).await;
    assert!(health.header("content-security-policy").is_some_and(|c| c.contains("default-src 'self'")));
    assert_eq!(health.header("x-frame-options"), Some("DENY"));
    // An unknown API path is a JSON 404, not an HTML page.
    app.get("/api/v1/nope", Auth::None).await.assert_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
}

/// Found by schemathesis: a NUL character reached PostgreSQL (which cannot store it in text) and answered 500.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn control_characters_are_input_errors_not_server_errors(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let invalid =
        |field: &str| json!({ "error": "validation", "fields": [{ "field": field, "code": "invalid_input" }] });

    app.post_json(
        "/api/v1/api-keys",
        &json!({ "name": "es\u{0}cáner", "scopes": ["audit:read"] }),
        Auth::Bearer(&owner),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, invalid("name"));
    app.try_login_rest("dueno\u{0}@planta.demo", "whatever")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, invalid("login"));
    app.get("/api/v1/audit?actor=%00x", Auth::Bearer(&owner))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, invalid("actor"));
    app.get("/api/v1/audit/export.csv?action=a%00", Auth::Bearer(&owner))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, invalid("action"));
    let res = app
        .post_json(
            "/api/v1/auth/register",
            &json!({ "name": "Ana\nPérez", "email": "ana@bodega.test", "password": NEW_PASSWORD,
                     "business_name": "Bodega", "phone": "555", "address": "Centro", "role": "warehouse" }),
            Auth::None,
        )
        .await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, invalid("name"));
    // Nothing was stored by any of them.
    let keys = app.get("/api/v1/api-keys", Auth::Bearer(&owner)).await.json();
    assert_eq!(keys.as_array().map(Vec::len), Some(0), "{keys}");
}

/// Issue 22: a bodega's user made owner by the platform got the plant's configuration and figures (the code checked
/// the role only). What a person may do is their role narrowed by their organisation's kind, everywhere.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_bodegas_owner_gets_the_bodega_not_a_plant(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let bodega_user = str_of(&app.login_rest(WAREHOUSE, DEMO_PASSWORD).await["user"], "id").to_owned();
    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;
    let res = app
        .post_form(
            "/api/ui/users/update",
            &[("input[user_id]", &bodega_user), ("input[action]", "change_role"), ("input[role]", "owner")],
            &admin,
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let access = app.access_token(WAREHOUSE).await;
    let me = app.get("/api/v1/auth/me", Auth::Bearer(&access)).await.json();
    assert_eq!((me["role"].as_str(), me["tenant_kind"].as_str()), (Some("owner"), Some("warehouse")));
    // The scopes an owner of a bodega passes: no production, no availability of competitors.
    assert_eq!(me["scopes"], json!(["catalog:read", "inventory:read", "inventory:write", "audit:read"]));
    for uri in ["/api/v1/production/oee?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", "/api/v1/production/live"] {
        let res = app.get(uri, Auth::Bearer(&access)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{uri}: {}", res.text());
    }
    let browser = app.login_browser(WAREHOUSE, DEMO_PASSWORD).await;
    for path in ["/api/ui/production/settings", "/api/ui/production/setup"] {
        let res = app.post_form(path, &[], &browser, Some(ORIGIN)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}: {}", res.text());
    }
    // Nor can it mint a key that does what the bodega may not.
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({ "name": "plc", "scopes": ["production:ingest"] }),
            Auth::Bearer(&access),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    // What a bodega's owner does is there: users and the bodega's stock.
    assert_eq!(app.post_form("/api/ui/users", &[], &browser, Some(ORIGIN)).await.status, StatusCode::OK);
    assert_eq!(app.post_form("/api/ui/inventory/stock", &[], &browser, Some(ORIGIN)).await.status, StatusCode::OK);
}

/// Issue 22: `POST /api/v1/api-keys` with `["name",["catalog:read"]]` created a key (serde fills a struct from an
/// array in field order). A body declared as an object must be one.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_json_array_is_not_an_object_body(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let not_an_object = json!({ "error": "validation", "fields": [{ "field": "body", "code": "expected_object" }] });
    for body in [json!(["escáner", ["catalog:read"]]), json!("escáner"), json!(7), json!(null)] {
        app.post_json("/api/v1/api-keys", &body, Auth::Bearer(&owner))
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, not_an_object.clone());
    }
    assert_eq!(app.get("/api/v1/api-keys", Auth::Bearer(&owner)).await.json(), json!([]), "no key was made");
    app.post_json("/api/v1/auth/login", &json!([PLANT_OWNER, DEMO_PASSWORD]), Auth::None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, not_an_object);
    // A field of the wrong type is named.
    app.post_json("/api/v1/api-keys", &json!({ "name": "x", "scopes": "catalog:read" }), Auth::Bearer(&owner))
        .await
        .assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "validation", "fields": [{ "field": "scopes", "code": "invalid_input" }] }),
        );
}

/// Issue 22: a stale `Authorization: Bearer` made registration answer 401, a status its document does not name.
/// Every operation the document says needs no caller answers with a bad or expired credential as it does without one.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn operations_that_need_no_caller_ignore_a_bad_credential(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let doc = serde_json::to_value(nexus_server::http::api::document()).unwrap();
    let expired = {
        let now = chrono::Utc::now().timestamp() - 3_600;
        let claims = AccessClaims::new(
            nexus::ids::UserId::new_v4(),
            nexus::ids::TenantId::new_v4(),
            uuid::Uuid::new_v4(),
            Role::Owner,
            now,
        );
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&JWT_SECRET),
        )
        .unwrap()
    };
    // A body each open operation takes (registration: a new e-mail each time, so each answer is a fresh one).
    let mut n = 0;
    let mut body_for = |path: &str| {
        n += 1;
        if path.ends_with("/login") {
            json!({ "login": PLANT_OWNER, "password": DEMO_PASSWORD })
        } else if path.ends_with("/register") {
            json!({ "name": "Ana", "email": format!("ana{n}@taller-sur.test"), "password": "Caballo-Bateria-Grapa",
                    "business_name": format!("Taller Sur {n}"), "phone": "+57 300 000 0000", "address": "Calle 1",
                    "role": "workshop" })
        } else {
            json!({ "refresh_token": "nope" })
        }
    };
    let mut checked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (verb, op) in item.as_object().unwrap() {
            let reqs = op["security"].as_array().cloned().unwrap_or_default();
            if !reqs.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())) || path.contains('{') {
                continue;
            }
            for bad in ["garbage", expired.as_str(), "nxk_notakey"] {
                let (without, with) = if verb == "get" {
                    (app.get(path, Auth::None).await, app.get(path, Auth::Bearer(bad)).await)
                } else {
                    let (a, b) = (body_for(path), body_for(path));
                    (app.post_json(path, &a, Auth::None).await, app.post_json(path, &b, Auth::Bearer(bad)).await)
                };
                assert_eq!(with.status, without.status, "{verb} {path} with {bad:.12}: {}", with.text());
            }
            checked.push(format!("{verb} {path}"));
        }
    }
    for must in
        ["post /api/v1/auth/login", "post /api/v1/auth/register", "post /api/v1/auth/refresh", "get /api/v1/health"]
    {
        assert!(checked.iter().any(|c| c == must), "{must} not checked: {checked:?}");
    }
}

/// A script signing in through REST gets tokens, never a cookie: a client that keeps cookies would send them with
/// its next POST, which cookie-authenticated writes refuse without our Origin (the end-to-end suite's API client met
/// exactly that when the REST login set the device cookie).
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn rest_sign_in_sets_no_cookie(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let res = app.try_login_rest(WORKSHOP, DEMO_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.set_cookies().is_empty(), "{:?}", res.set_cookies());
    // So the same client signs in again, as the end-to-end suite's does.
    assert_eq!(app.try_login_rest(WORKSHOP, DEMO_PASSWORD).await.status, StatusCode::OK);
}
