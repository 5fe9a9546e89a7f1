//! Identity store and service tests on a real PostgreSQL: a fresh migrated database per test (`#[sqlx::test]`), with
//! the pool built exactly as production builds it (every connection runs as the unprivileged `nexus_app` role). They
//! live inside the area so fixtures can use its private store; assertions go through the services.

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::rules::auth::Role;
use super::rules::tenant::{TenantStatus, UserStatus};
use super::rules::throttle;
use super::service::auth::Auth;
use super::service::users::{UserChange, set_tenant_status};
use super::store::{tenants, users};
use crate::caller::{RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, PLATFORM_TENANT, Scope};
use crate::error::Error;
use crate::ids::{TenantId, UserId};

const PASSWORD: &str = "Secreta-Larga-123";

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions) -> PgPool {
    db::app_pool_options(opts.max_connections(5)).connect_with(conn).await.unwrap()
}

async fn auth() -> Auth {
    Auth::new(&[7u8; 32]).await.unwrap()
}

/// A tenant with one active user; returns (tenant, user, email).
async fn tenant_with_user(pool: &PgPool, name: &str, role: Role) -> (TenantId, UserId, String) {
    let email = format!("{}@{}.test", role.as_str(), name.to_lowercase());
    let hash = super::service::auth::hash_password(PASSWORD.into()).await.unwrap();
    let kind = if role == Role::Warehouse { "warehouse" } else { "manufacturer" };
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant = tenants::insert(
        &mut tx,
        tenants::NewTenant { kind, name, status: "active", phone: "", address: "", country: "MX", hours: "" },
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

/// Every policy reads the transaction's scope once per query (an init plan), never once per row: `app_tenant()` and
/// `app_platform()` only inside a subquery. Bare, they made the production dashboard's 30-day query twice as slow.
#[sqlx::test]
async fn policies_read_the_scope_once_per_query(pool: PgPool) {
    let policies: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("select tablename::text, qual, with_check from pg_policies where schemaname = 'public'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let scoped = |e: &Option<String>| e.as_deref().is_some_and(|e| e.contains("app_tenant()"));
    assert!(policies.iter().filter(|(_, q, _)| scoped(q)).count() >= 15, "the tenant policies were not found");
    let per_row = |e: &Option<String>| {
        let rest = e.as_deref().unwrap_or("").replace("SELECT app_tenant()", "").replace("SELECT app_platform()", "");
        rest.contains("app_tenant()") || rest.contains("app_platform()")
    };
    let offenders: Vec<&String> =
        policies.iter().filter(|(_, q, c)| per_row(q) || per_row(c)).map(|(table, _, _)| table).collect();
    assert!(offenders.is_empty(), "policies reading the scope once per row: {offenders:?}");
}

/// Indexes of tenant-owned tables that do not lead with `tenant_id`, each for a stated reason: a lookup made before the
/// tenant is known, a global id, a scan across tenants by a platform job or a platform admin's screen, or (the one
/// query of the product that is across tenants by design) a part's availability in every bodega. A distributed
/// deployment keeps these as they are on each shard (README, "Past one machine"). The list is exact: an entry that no
/// longer names such an index fails too.
const NOT_LED_BY_TENANT: [(&str, &str); 24] = [
    ("api_keys_id_key", "global id (random UUID)"),
    ("api_keys_secret_hash_key", "key authentication, before the tenant is known"),
    ("audit_log_at_idx", "the platform admin's audit view, across tenants"),
    ("audit_log_login_failed_idx", "failed sign-ins by address, before the tenant is known"),
    ("audit_log_login_idx", "sign-in history by user, before the tenant is known"),
    ("fabrication_parts_leases", "the lease-expiry job, across tenants"),
    ("inventory_items_item_key", "a part's availability in every bodega (across tenants by design)"),
    ("inventory_uploads_id_key", "global id (random UUID)"),
    ("inventory_uploads_open_idx", "the interrupted-commit recovery, across tenants"),
    ("invitations_id_key", "global id (random UUID)"),
    ("invitations_token_key", "an invitation's link, before the tenant is known"),
    ("notify_deliveries_due_idx", "the webhook job, across tenants"),
    ("notify_inbox_mail_idx", "the mail job, across tenants"),
    ("notify_settings_digest_idx", "the digest job, across tenants"),
    ("refresh_tokens_hash_key", "refreshing a session, before the tenant is known"),
    ("sessions_ended_idx", "the session purge, across tenants"),
    ("sessions_id_key", "global id (random UUID)"),
    ("stockroom_exports_queue_idx", "the export job, across tenants"),
    ("stockroom_items_name_trgm", "a trigram (GIN) index of names; the tenant comes from the policy"),
    ("users_created_idx", "the platform admin's people list, across tenants"),
    ("users_email_key", "sign-in by e-mail, before the tenant is known"),
    ("users_id_key", "global id (random UUID)"),
    ("users_status_created_idx", "the platform admin's people list, across tenants"),
    ("users_username_key", "sign-in by username, before the tenant is known"),
];

/// Every key and index of every tenant-owned table leads with `tenant_id` (the shard key of a distributed
/// PostgreSQL, and what the row-level security policies filter by), but the reasoned exceptions above.
#[sqlx::test]
async fn tenant_id_leads_every_key_and_index_of_tenant_owned_tables(pool: PgPool) {
    let found: Vec<(String, String)> = sqlx::query_as(
        "select i.relname::text, c.relname::text
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
         join pg_index ix on ix.indrelid = c.oid
         join pg_class i on i.oid = ix.indexrelid
         left join pg_attribute a on a.attrelid = c.oid and a.attnum = ix.indkey[0]
         where c.relkind in ('r', 'p') and not c.relispartition
           and exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id'
                       and not t.attisdropped)
           and a.attname is distinct from 'tenant_id'
         order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let tables: i64 = sqlx::query_scalar(
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
         where c.relkind in ('r', 'p') and not c.relispartition
           and exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(tables > 50, "the tenant-owned tables were found: {tables}");
    let unexplained: Vec<String> = found
        .iter()
        .filter(|(index, _)| !NOT_LED_BY_TENANT.iter().any(|(e, _)| e == index))
        .map(|(index, table)| format!("{table}.{index}"))
        .collect();
    assert!(unexplained.is_empty(), "keys or indexes not led by tenant_id: {unexplained:?}");
    let stale: Vec<&str> =
        NOT_LED_BY_TENANT.iter().map(|(e, _)| *e).filter(|e| !found.iter().any(|(i, _)| i == e)).collect();
    assert!(stale.is_empty(), "exceptions that no longer name such an index: {stale:?}");
}

#[sqlx::test]
async fn rls_hides_other_tenants_even_without_a_tenant_filter(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (a, _, _) = tenant_with_user(&pool, "Alfa", Role::Warehouse).await;
    let (b, user_b, _) = tenant_with_user(&pool, "Beta", Role::Warehouse).await;

    // A query that "forgets" its tenant filter, in tenant A's scope, sees only A.
    let mut tx = db::begin(&pool, Scope::Tenant(a)).await.unwrap();
    let seen: Vec<TenantId> = sqlx::query_scalar("select tenant_id from users").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(seen, vec![a]);
    let tenants_seen: Vec<TenantId> = sqlx::query_scalar("select id from tenants").fetch_all(&mut *tx).await.unwrap();
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

    let second = auth.refresh(&pool, &first.tokens.refresh_token, &meta).await.unwrap();
    assert_ne!(second.tokens.refresh_token, first.tokens.refresh_token);
    assert_eq!(second.user.session_id, first.user.session_id, "rotation stays in the same session");

    // Presented again at once (a browser racing itself): the very same successor and access token, however often.
    for _ in 0..3 {
        let again = auth.refresh(&pool, &first.tokens.refresh_token, &meta).await.unwrap();
        assert_eq!(again.tokens.refresh_token, second.tokens.refresh_token);
        assert_eq!(again.tokens.access_token, second.tokens.access_token);
    }
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let tokens: i64 = sqlx::query_scalar("select count(*) from refresh_tokens").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(tokens, 2, "replays inside the grace window mint nothing");
    drop(tx);

    // Presented again after the grace window: theft. The whole family dies, including the newest token.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update refresh_tokens set used_at = now() - interval '5 minutes' where used_at is not null")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let err = auth.refresh(&pool, &first.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::RefreshReused)), "{err:?}");
    // Ended by the theft, not by time: the user is told so.
    let err = auth.refresh(&pool, &second.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionEnded)), "{err:?}");
    let err = auth.authenticate(&pool, &second.tokens.access_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionEnded)), "{err:?}");
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
    // The oldest is told a newer sign-in ended it (not that it timed out).
    let err = auth.authenticate(&pool, &sessions[0].tokens.access_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionEnded)), "{err:?}");
    for s in &sessions[1..] {
        auth.authenticate(&pool, &s.tokens.access_token, &meta).await.unwrap();
    }
    let live = super::service::auth::my_sessions(&pool, &sessions[3].user).await.unwrap();
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
    auth.authenticate(&pool, &s.tokens.access_token, &meta).await.unwrap();
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update sessions set last_seen_at = now() - interval '31 minutes'").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let err = auth.authenticate(&pool, &s.tokens.access_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)));
    let err = auth.refresh(&pool, &s.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)));
    // The timeout that ended it is on the record.
    assert_eq!(ended_reasons(&pool).await, vec![("auth.session_ended".to_owned(), Some("idle".to_owned()))]);
}

/// The audit entries that record a session ending, with their reason.
async fn ended_reasons(pool: &PgPool) -> Vec<(String, Option<String>)> {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    sqlx::query_as(
        "select action, after->>'reason' from audit_log
         where action in ('auth.session_ended', 'tenant.status_changed', 'user.deactivated') order by id",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap()
}

#[sqlx::test]
async fn sessions_last_twelve_hours_at_most(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Doce", Role::Warehouse).await;
    let meta = RequestMeta::default();
    let s = auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();
    let lifetime = s.tokens.refresh_expires_at - chrono::Utc::now();
    assert!(lifetime <= chrono::Duration::hours(12) && lifetime > chrono::Duration::hours(11), "{lifetime}");
    // Past its lifetime, refreshing (however recently used) ends it, and the end is audited.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update sessions set expires_at = now() - interval '1 second'").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let err = auth.refresh(&pool, &s.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::SessionExpired)), "{err:?}");
    assert_eq!(ended_reasons(&pool).await, vec![("auth.session_ended".to_owned(), Some("expired".to_owned()))]);
}

#[sqlx::test]
async fn a_key_in_use_is_marked_used_and_its_lookup_leaves_no_platform_scope_behind(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let meta = RequestMeta::default();
    super::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    let bodega = auth.login(&pool, "bodega@bodega.demo", "Admin-Passw0rd", &meta).await.unwrap().user;
    let key = super::service::api_keys::create(
        &pool,
        &bodega,
        "ERP",
        &[crate::identity::rules::auth::ApiScope::InventoryWrite],
        &meta,
    )
    .await
    .unwrap();
    let used = |pool: PgPool, user: User| async move {
        super::service::api_keys::list(&pool, &user).await.unwrap()[0].last_used_at
    };
    assert_eq!(used(pool.clone(), bodega.clone()).await, None);
    let machine = super::service::api_keys::authenticate(&pool, &key.key).await.unwrap();
    assert_eq!(machine.tenant_id, bodega.tenant_id);
    assert!(used(pool.clone(), bodega.clone()).await.is_some());

    // Looked up inside a tenant's transaction, the key's platform scope ends with the lookup: the transaction still
    // sees its own organisation only.
    let mut tx = db::begin(&pool, Scope::Tenant(bodega.tenant_id)).await.unwrap();
    let found: i64 = sqlx::query_scalar("select count(*) from api_key_caller($1)")
        .bind(super::service::auth::token_hash(&key.key))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(found, 1);
    let tenants: i64 = sqlx::query_scalar("select count(*) from tenants").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(tenants, 1);
}

#[sqlx::test]
async fn suspending_a_tenant_ends_its_sessions_refreshes_and_keys(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let meta = RequestMeta::default();
    super::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    let admin = auth.login(&pool, "admin@nexus.demo", "Admin-Passw0rd", &meta).await.unwrap().user;
    let bodega = auth.login(&pool, "bodega@bodega.demo", "Admin-Passw0rd", &meta).await.unwrap();
    let key = super::service::api_keys::create(
        &pool,
        &bodega.user,
        "ERP",
        &[crate::identity::rules::auth::ApiScope::InventoryWrite],
        &meta,
    )
    .await
    .unwrap();
    super::service::api_keys::authenticate(&pool, &key.key).await.unwrap();

    // Only a platform admin may suspend.
    let err = set_tenant_status(&pool, &bodega.user, bodega.user.tenant_id, TenantStatus::Suspended, &meta)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden), "{err:?}");
    set_tenant_status(&pool, &admin, bodega.user.tenant_id, TenantStatus::Suspended, &meta).await.unwrap();

    // Its people are told the organisation is suspended, not that their own account is deactivated.
    let err = auth.authenticate(&pool, &bodega.tokens.access_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::OrganisationSuspended)), "{err:?}");
    let err = auth.refresh(&pool, &bodega.tokens.refresh_token, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::OrganisationSuspended)), "{err:?}");
    let err = super::service::api_keys::authenticate(&pool, &key.key).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::TokenInvalid)), "{err:?}");
    let err = auth.login(&pool, "bodega@bodega.demo", "Admin-Passw0rd", &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::OrganisationSuspended)), "{err:?}");

    // Reactivated, the tenant's people sign in again and its keys work again.
    set_tenant_status(&pool, &admin, bodega.user.tenant_id, TenantStatus::Active, &meta).await.unwrap();
    auth.login(&pool, "bodega@bodega.demo", "Admin-Passw0rd", &meta).await.unwrap();
    super::service::api_keys::authenticate(&pool, &key.key).await.unwrap();
    // A key is kept in memory a few seconds once resolved; its creator deactivated, it stops at once all the same.
    super::service::users::act(&pool, &admin, bodega.user.user_id, UserChange::Deactivate, &meta).await.unwrap();
    let err = super::service::api_keys::authenticate(&pool, &key.key).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::TokenInvalid)), "{err:?}");
}

#[sqlx::test]
async fn an_admin_role_outside_the_platform_tenant_is_not_platform_wide(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (a, _, _) = tenant_with_user(&pool, "Alfa", Role::Warehouse).await;
    let (_, user_b, _) = tenant_with_user(&pool, "Beta", Role::Warehouse).await;
    // A forged state: an "admin" row in an ordinary tenant (no flow can create one; the scope must not trust it).
    let rogue = User {
        user_id: UserId::new_v4(),
        tenant_id: a,
        session_id: Uuid::new_v4(),
        role: Role::Admin,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Warehouse,
        email: "rogue@alfa.test".into(),
        display_name: String::new(),
    };
    assert_eq!(rogue.scope(), Scope::Tenant(a));
    // A bodega has no admin role: the row grants nothing at all.
    let refused = super::service::users::list(&pool, &rogue, &Default::default()).await;
    assert!(matches!(refused, Err(Error::Forbidden)));
    // Were the kind forged too, the scope is still the tenant's own: it sees and touches only its tenant.
    let forged = User { tenant_kind: crate::identity::rules::tenant::TenantKind::Platform, ..rogue };
    assert_eq!(forged.scope(), Scope::Tenant(a));
    let page = super::service::users::list(&pool, &forged, &Default::default()).await.unwrap();
    assert!(page.users.items.iter().all(|u| u.tenant_id == a));
    let err = super::service::users::act(&pool, &forged, user_b, UserChange::Deactivate, &RequestMeta::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
}

fn from(ip: &str) -> RequestMeta {
    RequestMeta { ip: Some(ip.parse().unwrap()), ..Default::default() }
}

fn with_device(ip: &str, device: Option<String>) -> RequestMeta {
    RequestMeta { device, ..from(ip) }
}

fn throttled(r: Result<super::service::auth::LoggedIn, Error>) -> bool {
    matches!(r, Err(Error::RateLimited { retry_after_secs }) if retry_after_secs > 0 && retry_after_secs <= 900)
}

/// Issue 22: wrong passwords for an e-mail sent from many addresses locked its owner out for 15 minutes. Guessing from
/// many networks is still held back, but the owner's browser (its device cookie) and the owner's usual network pass.
#[sqlx::test]
async fn guessing_from_many_networks_is_throttled_but_the_owner_still_signs_in(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Theta", Role::Warehouse).await;
    // Yesterday's sign-in at the office gave this browser its device cookie.
    let office = auth.login(&pool, &email, PASSWORD, &from("192.0.2.10")).await.unwrap();
    let device = office.device.clone();
    assert!(device.is_some());
    assert_eq!(office.failed_before, 0);

    // Twenty wrong passwords, each from a network of its own: no network's own limit is reached.
    for i in 0..throttle::PER_ACCOUNT_UNTRUSTED {
        let err = auth.login(&pool, &email, "Wrong-Passw0rd", &from(&format!("10.{i}.0.1"))).await.unwrap_err();
        assert!(matches!(err, Error::Unauthorized(ErrorCode::InvalidCredentials)), "{err:?}");
    }
    // A stranger on yet another network waits, right password or not, and so does one with a forged device cookie.
    assert!(throttled(auth.login(&pool, &email, PASSWORD, &from("198.51.100.7")).await));
    // A forged cookie: the account's own, its MAC changed in the middle (still valid base64).
    let forged = device.as_ref().map(|d| {
        let (body, mac) = d.rsplit_once('.').unwrap();
        let mut mac: Vec<char> = mac.chars().collect();
        mac[10] = if mac[10] == 'A' { 'B' } else { 'A' };
        format!("{body}.{}", mac.into_iter().collect::<String>())
    });
    assert!(throttled(auth.login(&pool, &email, PASSWORD, &with_device("198.51.100.7", forged)).await));
    // The owner passes: from any network with their browser's device cookie...
    let home = auth.login(&pool, &email, PASSWORD, &with_device("203.0.113.50", device.clone())).await.unwrap();
    // ...and is told of the attack on their account.
    assert_eq!(home.failed_before, throttle::PER_ACCOUNT_UNTRUSTED);
    let me = super::service::auth::me(&pool, &home.user).await.unwrap();
    assert_eq!(me.failed_before, throttle::PER_ACCOUNT_UNTRUSTED);
    // From the office network they signed in from, even without the cookie (another browser there).
    let again = auth.login(&pool, &email, PASSWORD, &from("192.0.2.99")).await.unwrap();
    assert_eq!(again.failed_before, 0, "told once: failures before the previous sign-in are not news");
    // A device cookie of another account is no trust for this one.
    let (_, _, other) = tenant_with_user(&pool, "Iota", Role::Warehouse).await;
    let others = auth.login(&pool, &other, PASSWORD, &from("192.0.2.10")).await.unwrap().device;
    assert!(throttled(auth.login(&pool, &email, PASSWORD, &with_device("198.51.100.8", others)).await));
    // The other account is not held back by this one's attack.
    auth.login(&pool, &other, PASSWORD, &from("198.51.100.7")).await.unwrap();
    // A new password (the remedy for an attacked account) ends the trust of the browsers that signed in before it.
    super::service::auth::change_password(&pool, &home.user, PASSWORD, "Caballo-Bateria-Grapa-9", &from("192.0.2.10"))
        .await
        .unwrap();
    let old = with_device("198.18.0.1", device);
    assert!(throttled(auth.login(&pool, &email, "Caballo-Bateria-Grapa-9", &old).await));
}

#[sqlx::test]
async fn a_network_that_keeps_failing_waits_whoever_it_is(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Kappa", Role::Warehouse).await;
    let device = auth.login(&pool, &email, PASSWORD, &from("192.0.2.10")).await.unwrap().device;
    // Five failures from addresses of one /24 (the guesser rotating within their network), whatever the case of the e-mail typed.
    for i in 0..throttle::PER_SOURCE {
        let err = auth.login(&pool, &email.to_uppercase(), "Wrong-Passw0rd", &from(&format!("10.9.8.{i}"))).await;
        assert!(matches!(err, Err(Error::Unauthorized(ErrorCode::InvalidCredentials))), "{err:?}");
    }
    // That network waits, even with the device cookie (it is the network failing, not the account's guessers).
    assert!(throttled(auth.login(&pool, &email, PASSWORD, &from("10.9.8.200")).await));
    assert!(throttled(auth.login(&pool, &email, PASSWORD, &with_device("10.9.8.201", device)).await));
    // Other networks are not held back: five failures are far from the account's limit.
    let ok = auth.login(&pool, &email, PASSWORD, &from("10.9.9.1")).await.unwrap();
    assert_eq!(ok.failed_before, throttle::PER_SOURCE);
}

#[sqlx::test]
async fn an_overlong_login_is_refused_before_it_is_looked_up_or_recorded(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let huge = "a".repeat(2 * 1024 * 1024);
    let err = auth.login(&pool, &huge, PASSWORD, &RequestMeta::default()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(f) if f[0].field == "login" && f[0].code == ErrorCode::TooLong),
        "{err:?}"
    );
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let n: i64 = sqlx::query_scalar("select count(*) from audit_log").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(n, 0);
}

#[sqlx::test]
async fn a_login_racing_a_password_change_needs_the_new_password(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (tenant, user, email) = tenant_with_user(&pool, "Kappa", Role::Warehouse).await;
    // The old password verified, then the hash changed before the login took the row lock: simulated by changing the
    // hash while a transaction holds the lock the login waits for.
    let mut blocker = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    users::lock(&mut blocker, tenant, user).await.unwrap();
    let login = {
        let (pool, auth, email) = (pool.clone(), auth.clone(), email.clone());
        tokio::spawn(async move { auth.login(&pool, &email, PASSWORD, &RequestMeta::default()).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let new_hash = super::service::auth::hash_password("Nueva-Clave-2026".into()).await.unwrap();
    users::set_password(&mut blocker, user, &new_hash).await.unwrap();
    blocker.commit().await.unwrap();
    let err = login.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::InvalidCredentials)), "{err:?}");
    auth.login(&pool, &email, "Nueva-Clave-2026", &RequestMeta::default()).await.unwrap();
}

#[sqlx::test]
async fn common_passwords_are_refused(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let input = super::rules::account::RegistrationInput {
        name: "Ana".into(),
        email: "ana@bodega.mx".into(),
        password: "Qwerty123456".into(),
        business_name: "Bodega Ana".into(),
        phone: "555".into(),
        address: "Centro".into(),
        kind: "warehouse".into(),
        role: String::new(),
        country: String::new(),
        hours: String::new(),
    };
    let err = super::service::auth::register(&pool, &input, &RequestMeta::default()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(f) if f[0].field == "password" && f[0].code == ErrorCode::PasswordTooCommon),
        "{err:?}"
    );
    let err = super::service::demo::seed(&pool, "Qwerty123").await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
}

#[sqlx::test]
async fn the_purge_deletes_sessions_a_day_after_they_end(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (_, _, email) = tenant_with_user(&pool, "Lambda", Role::Warehouse).await;
    let meta = RequestMeta::default();
    let live = auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();
    let old = auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update sessions set revoked_at = now() - interval '2 days', revoked_reason = 'logout' where id = $1")
        .bind(old.user.session_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(super::service::maintenance::purge_sessions(&pool).await.unwrap(), Some(1));
    assert_eq!(super::service::maintenance::purge_sessions(&pool).await.unwrap(), Some(0));
    auth.authenticate(&pool, &live.tokens.access_token, &meta).await.unwrap();
    // While another instance runs the job, this one skips it.
    let mut other = pool.begin().await.unwrap();
    sqlx::query("select pg_advisory_lock($1)").bind(0x6e65_7875_7301_i64).execute(&mut *other).await.unwrap();
    assert_eq!(super::service::maintenance::purge_sessions(&pool).await.unwrap(), None);
}

#[sqlx::test]
async fn logins_are_audited_and_failures_do_not_reveal_the_account(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let (tenant, _, email) = tenant_with_user(&pool, "Zeta", Role::Warehouse).await;
    let meta = RequestMeta {
        ip: Some("10.1.2.3".parse().unwrap()),
        user_agent: "test".into(),
        request_id: "r1".into(),
        device: None,
    };
    let wrong = auth.login(&pool, &email, "Wrong12345", &meta).await.unwrap_err();
    let unknown = auth.login(&pool, "nobody@zeta.test", "Wrong12345", &meta).await.unwrap_err();
    assert!(matches!(wrong, Error::Unauthorized(ErrorCode::InvalidCredentials)));
    assert!(matches!(unknown, Error::Unauthorized(ErrorCode::InvalidCredentials)));
    auth.login(&pool, &email, PASSWORD, &meta).await.unwrap();

    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let rows: Vec<(TenantId, String, Option<String>)> =
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
    use super::rules::account::RegistrationInput;
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
        kind: "warehouse".into(),
        role: String::new(),
        country: String::new(),
        hours: String::new(),
    };
    let user = super::service::auth::register(&pool, &input, &meta).await.unwrap();
    let err = super::service::auth::register(&pool, &input, &meta).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f[0].code == ErrorCode::EmailTaken), "{err:?}");
    let err = auth.login(&pool, "ana@bodega.mx", PASSWORD, &meta).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::AccountPending)));

    super::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    let admin = auth.login(&pool, "admin@nexus.demo", "Admin-Passw0rd", &meta).await.unwrap().user;
    let row = super::service::users::act(&pool, &admin, user, UserChange::Approve, &meta).await.unwrap();
    assert_eq!(row.status, UserStatus::Active);
    let logged = auth.login(&pool, "ana@bodega.mx", PASSWORD, &meta).await.unwrap();
    assert_eq!(logged.user.role, Role::Warehouse);
    // The tenant became active with its first approved user.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let status: String = sqlx::query_scalar("select status from tenants where id = $1")
        .bind(logged.user.tenant_id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(status, "active");
}

#[sqlx::test]
async fn a_key_never_carries_a_scope_its_creator_lost(opts: PgPoolOptions, conn: PgConnectOptions) {
    use super::rules::auth::ApiScope;
    let pool = app_pool(opts, conn).await;
    let auth = auth().await;
    let meta = RequestMeta::default();
    super::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    let admin = auth.login(&pool, "admin@nexus.demo", "Admin-Passw0rd", &meta).await.unwrap().user;
    let owner = auth.login(&pool, "dueno@planta.demo", "Admin-Passw0rd", &meta).await.unwrap().user;
    // Listed in the enum's order, which is the order keys keep them in.
    let scopes = [ApiScope::ProductionRead, ApiScope::AuditRead];
    let key = super::service::api_keys::create(&pool, &owner, "siem", &scopes, &meta).await.unwrap();
    let machine = super::service::api_keys::authenticate(&pool, &key.key).await.unwrap();
    assert_eq!(machine.scopes, scopes);

    // The creator becomes a viewer: the key keeps only what a viewer holds.
    super::service::users::act(&pool, &admin, owner.user_id, UserChange::Role(Role::Viewer), &meta).await.unwrap();
    let machine = super::service::api_keys::authenticate(&pool, &key.key).await.unwrap();
    assert_eq!(machine.scopes, vec![ApiScope::ProductionRead]);
    // The creator is deactivated: the key stops working.
    super::service::users::act(&pool, &admin, owner.user_id, UserChange::Deactivate, &meta).await.unwrap();
    let err = super::service::api_keys::authenticate(&pool, &key.key).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(ErrorCode::TokenInvalid)), "{err:?}");
}
