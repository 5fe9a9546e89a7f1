//! Store and service tests on a real PostgreSQL: a fresh migrated database per test (`#[sqlx::test]`), with the pool
//! built exactly as production builds it (every connection runs as the unprivileged `nexus_app` role).

use nexus::Error;
use nexus::domain::auth::Role;
use nexus::domain::codes::ErrorCode;
use nexus::services::auth::{Auth, Refreshed};
use nexus::services::caller::RequestMeta;
use nexus::store::db::{self, PLATFORM_TENANT, Scope};
use nexus::store::{tenants, users};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

const PASSWORD: &str = "Secreta123";

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions) -> PgPool {
    db::app_pool_options(opts.max_connections(5)).connect_with(conn).await.unwrap()
}

async fn auth() -> Auth {
    Auth::new(&[7u8; 32]).await.unwrap()
}

/// A tenant with one active user; returns (tenant, user, email).
async fn tenant_with_user(pool: &PgPool, name: &str, role: Role) -> (Uuid, Uuid, String) {
    let email = format!("{}@{}.test", role.as_str(), name.to_lowercase());
    let hash = nexus::services::auth::hash_password(PASSWORD.into()).await.unwrap();
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant = tenants::insert(
        &mut tx,
        tenants::NewTenant { kind: "warehouse", name, status: "active", phone: "", address: "" },
    )
    .await
    .unwrap();
    let user = users::insert(
        &mut tx,
        users::NewUser {
            tenant_id: tenant,
            email: &email,
            username: None,
            display_name: name,
            password_hash: &hash,
            role: role.as_str(),
            status: "active",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (tenant, user, email)
}

#[sqlx::test]
async fn rls_hides_other_tenants_even_without_a_tenant_filter(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (a, _, _) = tenant_with_user(&pool, "Alfa", Role::Warehouse).await;
    let (b, user_b, _) = tenant_with_user(&pool, "Beta", Role::Warehouse).await;

    // A query that "forgets" its tenant filter, in tenant A's scope, sees only A.
    let mut tx = db::begin(&pool, Scope::Tenant(a)).await.unwrap();
    let seen: Vec<Uuid> = sqlx::query_scalar("select tenant_id from users").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(seen, vec![a]);
    let tenants_seen: Vec<Uuid> = sqlx::query_scalar("select id from tenants").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(tenants_seen, vec![a]);
    // ...cannot read B's user by id...
    assert!(users::get(&mut tx, user_b).await.unwrap().is_none());
    // ...cannot change it...
    let changed =
        sqlx::query("update users set display_name = 'x' where id = $1").bind(user_b).execute(&mut *tx).await.unwrap();
    assert_eq!(changed.rows_affected(), 0);
    // ...and cannot write a row into B.
    let err = sqlx::query("insert into audit_log (tenant_id, action) values ($1, 'forged')")
        .bind(b)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(tx);

    // Platform scope sees both; a connection with no scope at all sees nothing.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let n: i64 = sqlx::query_scalar("select count(*) from users").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(n, 2);
    drop(tx);
    let n: i64 = sqlx::query_scalar("select count(*) from users").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 0, "an unscoped query must see no tenant rows");
}

#[sqlx::test]
async fn the_application_role_is_neither_superuser_nor_owner(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (role, superuser, bypass): (String, bool, bool) =
        sqlx::query_as("select current_user::text, rolsuper, rolbypassrls from pg_roles where rolname = current_user")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(role, "nexus_app");
    assert!(!superuser && !bypass);
    let owned: i64 =
        sqlx::query_scalar("select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(owned, 0);
    // The audit log is append-only for the application.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let err = sqlx::query("delete from audit_log").execute(&mut *tx).await.unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[sqlx::test]
async fn refresh_rotates_and_reuse_revokes_the_family(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Gamma", Role::Warehouse).await;
    let meta = RequestMeta::default();
    let first = auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();

    let Refreshed::Rotated(second) = auth.refresh(&pool, &first.tokens.refresh_token, &meta).await.unwrap() else {
        panic!("a fresh token must rotate");
    };
    assert_ne!(second.tokens.refresh_token, first.tokens.refresh_token);
    assert_eq!(second.caller.session_id, first.caller.session_id, "rotation stays in the same session");

    // Presented again at once: a browser race, served without rotating.
    assert!(matches!(auth.refresh(&pool, &first.tokens.refresh_token, &meta).await.unwrap(), Refreshed::Grace(_)));

    // Presented again after the grace window: theft. The whole family dies, including the newest token.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update refresh_tokens set used_at = now() - interval '5 minutes' where used_at is not null")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let err = auth.refresh(&pool, &first.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::RefreshReused)), "{err:?}");
    let err = auth.refresh(&pool, &second.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)), "{err:?}");
    let err = auth.authenticate(&pool, &second.tokens.access_token).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)), "{err:?}");
}

#[sqlx::test]
async fn a_fourth_session_revokes_the_oldest(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Delta", Role::Warehouse).await;
    let meta = RequestMeta::default();
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(auth.login(&pool, &email, PASSWORD, &meta).await.unwrap());
    }
    let err = auth.authenticate(&pool, &sessions[0].tokens.access_token).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)));
    for s in &sessions[1..] {
        auth.authenticate(&pool, &s.tokens.access_token).await.unwrap();
    }
    let live = nexus::services::auth::my_sessions(&pool, &sessions[3].caller).await.unwrap();
    assert_eq!(live.len(), 3);
    assert_eq!(live.iter().filter(|s| s.current).count(), 1);
}

#[sqlx::test]
async fn an_idle_session_expires(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Eps", Role::Warehouse).await;
    let meta = RequestMeta::default();
    let s = auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();
    auth.authenticate(&pool, &s.tokens.access_token).await.unwrap();
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update sessions set last_seen_at = now() - interval '31 minutes'").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let err = auth.authenticate(&pool, &s.tokens.access_token).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)));
    let err = auth.refresh(&pool, &s.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)));
}

#[sqlx::test]
async fn logins_are_audited_and_failures_do_not_reveal_the_account(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (tenant, _, email) = tenant_with_user(&pool, "Zeta", Role::Warehouse).await;
    let meta =
        RequestMeta { ip: Some("10.1.2.3".parse().unwrap()), user_agent: "test".into(), request_id: "r1".into() };
    let wrong = auth.login(&pool, &email, "Wrong12345", &meta).await.unwrap_err();
    let unknown = auth.login(&pool, "nobody@zeta.test", "Wrong12345", &meta).await.unwrap_err();
    assert!(matches!(wrong, Error::Unauthorized(ErrorCode::InvalidCredentials)));
    assert!(matches!(unknown, Error::Unauthorized(ErrorCode::InvalidCredentials)));
    auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();

    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let rows: Vec<(Uuid, String, Option<String>)> =
        sqlx::query_as("select tenant_id, action, host(ip) from audit_log order by id")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![
            (PLATFORM_TENANT, "auth.login_failed".into(), Some("10.1.2.3".into())),
            (PLATFORM_TENANT, "auth.login_failed".into(), Some("10.1.2.3".into())),
            (tenant, "auth.login".into(), Some("10.1.2.3".into())),
        ]
    );
}

#[sqlx::test]
async fn pending_accounts_cannot_log_in_until_approved(opts: PgPoolOptions, conn: PgConnectOptions) {
    use nexus::domain::account::RegistrationInput;
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let meta = RequestMeta::default();
    let input = RegistrationInput {
        name: "Ana".into(),
        email: "Ana@Bodega.mx".into(),
        password: PASSWORD.into(),
        business_name: "Bodega Ana".into(),
        phone: "555".into(),
        address: "Centro".into(),
        role: "warehouse".into(),
    };
    let user = nexus::services::auth::register(&pool, &input, &meta).await.unwrap();
    let err = nexus::services::auth::register(&pool, &input, &meta).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f[0].code == ErrorCode::EmailTaken), "{err:?}");
    let err = auth.login(&pool, "ana@bodega.mx", PASSWORD, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::AccountPending)));

    nexus::services::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    let admin = auth.login(&pool, "admin@nexus.demo", "Admin-Passw0rd", &meta).await.unwrap().caller;
    let row = nexus::services::users::act(&pool, &admin, user, nexus::services::users::UserAction::Approve, &meta)
        .await
        .unwrap();
    assert_eq!(row.status, "active");
    let logged = auth.login(&pool, "ana@bodega.mx", PASSWORD, &meta).await.unwrap();
    assert_eq!(logged.caller.role, Role::Warehouse);
    // The tenant became active with its first approved user.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let status: String = sqlx::query_scalar("select status from tenants where id = $1")
        .bind(logged.caller.tenant_id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(status, "active");
}
