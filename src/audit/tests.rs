//! Audit store and service tests on a real PostgreSQL: a fresh migrated database per test (`#[sqlx::test]`), the pool
//! built as production builds it (every connection runs as `nexus_app`, under row-level security). Entries are
//! written through [`record`] and read back through [`list`] and [`export_csv`], as every area and edge does.

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::{Actor, AuditEntry, AuditQuery, Event, LOGIN_FAILED, export_csv, list, login_failures, record};
use crate::caller::{Caller, Machine, RequestMeta, User};
use crate::db::{self, PLATFORM_TENANT, Scope};
use crate::error::Error;
use crate::identity::rules::auth::{ApiScope, Role};
use crate::identity::rules::tenant::TenantKind;
use crate::identity::rules::throttle::Failures;
use crate::ids::{TenantId, UserId};

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions) -> PgPool {
    db::app_pool_options(opts.max_connections(5)).connect_with(conn).await.unwrap()
}

/// A tenant of `kind` named `name`.
async fn tenant(pool: &PgPool, kind: &str, name: &str) -> TenantId {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let id = sqlx::query_scalar("insert into tenants (kind, name, status) values ($1, $2, 'active') returning id")
        .bind(kind)
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A person of `role` in `tenant` (the audit reads only the caller's role, kind and tenant): the platform's admin, a
/// bodega's staff, or a plant's people.
fn person(tenant: TenantId, role: Role, email: &str) -> User {
    let tenant_kind = match role {
        Role::Admin => TenantKind::Platform,
        Role::Warehouse => TenantKind::Warehouse,
        _ => TenantKind::Manufacturer,
    };
    User {
        user_id: UserId::new_v4(),
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role,
        tenant_kind,
        email: email.into(),
        display_name: email.into(),
    }
}

fn meta() -> RequestMeta {
    RequestMeta {
        ip: Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))),
        user_agent: "Firefox".into(),
        request_id: "req-1".into(),
        device: None,
    }
}

/// Records `actions` by `email` in `tenant`, all in one transaction (so all at one instant, told apart by id).
async fn recorded(pool: &PgPool, tenant: TenantId, email: &str, actions: &[&str]) {
    let meta = meta();
    let actor = Actor { tenant_id: tenant, user_id: None, email: Some(email), meta: &meta };
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    for action in actions {
        record(&mut tx, &actor, Event::new(action)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn query(limit: i64) -> AuditQuery {
    AuditQuery { limit: Some(limit), ..AuditQuery::default() }
}

fn actions(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.action.as_str()).collect()
}

#[sqlx::test]
async fn an_event_is_recorded_with_who_what_and_where_in_its_writes_transaction(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let norte = tenant(&pool, "manufacturer", "Planta Norte").await;
    let owner = person(norte, Role::Owner, "dueno@norte.test");
    let meta = meta();

    let mut tx = db::begin(&pool, Scope::Tenant(norte)).await.unwrap();
    let event = Event::new("users.role_changed")
        .target("user", 42)
        .before(json!({"role": "viewer"}))
        .after(json!({"role": "manager"}));
    record(&mut tx, &Actor::of(&owner, &meta), event).await.unwrap();
    tx.commit().await.unwrap();
    // A write rolled back takes its entry with it.
    let mut tx = db::begin(&pool, Scope::Tenant(norte)).await.unwrap();
    record(&mut tx, &Actor::of(&owner, &meta), Event::new("users.deactivated")).await.unwrap();
    tx.rollback().await.unwrap();

    let entries = list(&pool, &Caller::User(owner.clone()), &query(50)).await.unwrap().items;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert!(e.id > 0 && (Utc::now() - e.at).num_seconds().abs() < 60, "{e:?}");
    assert_eq!(
        (e.tenant_id, e.tenant_name.as_deref(), e.actor_user_id, e.actor.as_deref(), e.action.as_str()),
        (norte, Some("Planta Norte"), Some(owner.user_id), Some("dueno@norte.test"), "users.role_changed")
    );
    assert_eq!((e.target_type.as_deref(), e.target_id.as_deref()), (Some("user"), Some("42")));
    assert_eq!((&e.before, &e.after), (&Some(json!({"role": "viewer"})), &Some(json!({"role": "manager"}))));
    assert_eq!(
        (e.ip.as_deref(), e.user_agent.as_deref(), e.request_id.as_deref()),
        (Some("203.0.113.7"), Some("Firefox"), Some("req-1"))
    );

    // The server itself (a job) is recorded as no one, without request facts it does not have.
    let none = RequestMeta::default();
    let mut tx = db::begin(&pool, Scope::Tenant(norte)).await.unwrap();
    record(&mut tx, &Actor::system(norte, &none), Event::new("sessions.expired")).await.unwrap();
    tx.commit().await.unwrap();
    let e = list(&pool, &Caller::User(owner), &query(1)).await.unwrap().items.remove(0);
    assert_eq!(
        (e.action.as_str(), e.actor_user_id, e.actor, e.ip, e.user_agent, e.request_id),
        ("sessions.expired", None, None, None, None, None)
    );
}

#[sqlx::test]
async fn lists_filter_by_action_and_actor_and_page_by_keyset_without_repeats(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let norte = tenant(&pool, "manufacturer", "Planta Norte").await;
    let owner = Caller::User(person(norte, Role::Owner, "dueno@norte.test"));
    // Three transactions, so three instants; entries of one transaction share theirs.
    recorded(&pool, norte, "ana@norte.test", &["auth.login", "auth.logout", "users.approved"]).await;
    recorded(&pool, norte, "beto@norte.test", &["auth.login", "auth_x.forged", "api_keys.created"]).await;
    recorded(&pool, norte, "ana@norte.test", &["auth.login"]).await;

    let all = list(&pool, &owner, &query(100)).await.unwrap().items;
    assert_eq!(all.len(), 7);
    // Newest first: by instant, then by id.
    assert!(all.windows(2).all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)), "{all:?}");
    assert_eq!(
        actions(&all),
        [
            "auth.login",
            "api_keys.created",
            "auth_x.forged",
            "auth.login",
            "users.approved",
            "auth.logout",
            "auth.login"
        ]
    );

    // An action prefix is a prefix, its `_` and `%` taken as written.
    let by = |prefix: &str| AuditQuery { action_prefix: Some(prefix.into()), ..query(100) };
    assert_eq!(
        actions(&list(&pool, &owner, &by("auth.")).await.unwrap().items),
        ["auth.login", "auth.login", "auth.logout", "auth.login"]
    );
    assert_eq!(actions(&list(&pool, &owner, &by("auth_")).await.unwrap().items), ["auth_x.forged"]);
    assert!(list(&pool, &owner, &by("%")).await.unwrap().items.is_empty());
    // The actor as typed, in any case; both filters at once.
    let ana = AuditQuery { actor_email: Some("ANA@Norte.test".into()), ..by("auth.") };
    let got = list(&pool, &owner, &ana).await.unwrap().items;
    assert_eq!(actions(&got), ["auth.login", "auth.logout", "auth.login"]);
    assert!(got.iter().all(|e| e.actor.as_deref() == Some("ana@norte.test")));
    // A filter that is not one line of text is refused, naming it.
    let bad = AuditQuery { action_prefix: Some("auth\n".into()), ..query(10) };
    assert!(matches!(list(&pool, &owner, &bad).await, Err(Error::Validation(f)) if f[0].field == "action"));

    // Pages of two: each starts after the last entry of the one before (ties of instant included), so together
    // they are the whole list, in order, each entry once; the last page names no next one.
    let mut paged: Vec<AuditEntry> = Vec::new();
    let mut after = None;
    loop {
        let page = list(&pool, &owner, &AuditQuery { after: after.clone(), ..query(2) }).await.unwrap();
        assert!(page.items.len() <= 2);
        paged.extend(page.items);
        assert!(paged.len() <= all.len(), "paging never loops");
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, all);
    // A page size out of bounds, or a cursor that is no position, is the caller's error, named.
    for bad in [query(0), query(501), AuditQuery { after: Some("1_x".into()), ..query(2) }] {
        let field = if bad.after.is_some() { "after" } else { "limit" };
        assert!(matches!(list(&pool, &owner, &bad).await, Err(Error::Validation(f)) if f[0].field == field), "{bad:?}");
    }
}

#[sqlx::test]
async fn a_tenant_never_sees_another_tenants_entries(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let norte = tenant(&pool, "manufacturer", "Planta Norte").await;
    let sur = tenant(&pool, "warehouse", "Bodega Sur").await;
    recorded(&pool, norte, "ana@norte.test", &["auth.login", "users.approved"]).await;
    recorded(&pool, sur, "eva@sur.test", &["auth.login"]).await;

    let tenants_of = |entries: &[AuditEntry]| entries.iter().map(|e| e.tenant_id).collect::<Vec<_>>();
    // An owner, and a key with audit:read: their own tenant's entries only, whatever the filter.
    let norte_owner = Caller::User(person(norte, Role::Owner, "dueno@norte.test"));
    assert_eq!(tenants_of(&list(&pool, &norte_owner, &query(100)).await.unwrap().items), [norte, norte]);
    let sur_key = Caller::Machine(Machine {
        key_id: Uuid::new_v4(),
        tenant_id: sur,
        name: "SIEM".into(),
        scopes: vec![ApiScope::AuditRead],
        creator_role: Role::Owner,
        tenant_kind: TenantKind::Warehouse,
    });
    let sur_seen = list(&pool, &sur_key, &query(100)).await.unwrap().items;
    assert_eq!(tenants_of(&sur_seen), [sur]);
    assert_eq!(sur_seen[0].tenant_name.as_deref(), Some("Bodega Sur"));
    let ana = AuditQuery { actor_email: Some("ana@norte.test".into()), ..query(100) };
    assert!(list(&pool, &sur_key, &ana).await.unwrap().items.is_empty(), "another tenant's actor finds nothing");
    let csv = String::from_utf8(export_csv(&pool, &sur_key, &query(100)).await.unwrap()).unwrap();
    assert!(!csv.contains("Planta Norte") && !csv.contains("ana@norte.test"), "{csv}");
    // Even a query that forgets its tenant filter sees only its tenant's rows, and cannot write into another's.
    let mut tx = db::begin(&pool, Scope::Tenant(sur)).await.unwrap();
    let seen: Vec<TenantId> = sqlx::query_scalar("select tenant_id from audit_log").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(seen, [sur]);
    let meta = meta();
    let forged = record(&mut tx, &Actor::system(norte, &meta), Event::new("forged")).await;
    assert!(forged.is_err(), "a row for another tenant is refused");
    drop(tx);

    // A platform admin sees every tenant; the admin role outside the platform tenant does not.
    let admin = Caller::User(person(PLATFORM_TENANT, Role::Admin, "admin@nexus.test"));
    let mut everyone = tenants_of(&list(&pool, &admin, &query(100)).await.unwrap().items);
    everyone.sort();
    let mut want = vec![norte, norte, sur];
    want.sort();
    assert_eq!(everyone, want);
    let local_admin = Caller::User(person(sur, Role::Admin, "admin@sur.test"));
    assert_eq!(tenants_of(&list(&pool, &local_admin, &query(100)).await.unwrap().items), [sur]);

    // Roles and keys without the audit permission read nothing.
    for caller in [
        Caller::User(person(sur, Role::Warehouse, "staff@sur.test")),
        Caller::User(person(norte, Role::Manager, "gerente@norte.test")),
        Caller::Machine(Machine {
            key_id: Uuid::new_v4(),
            tenant_id: sur,
            name: "ERP".into(),
            scopes: vec![ApiScope::CatalogRead],
            creator_role: Role::Owner,
            tenant_kind: TenantKind::Warehouse,
        }),
    ] {
        assert!(matches!(list(&pool, &caller, &query(10)).await, Err(Error::Forbidden)), "{caller:?}");
        assert!(matches!(export_csv(&pool, &caller, &query(10)).await, Err(Error::Forbidden)), "{caller:?}");
    }
}

#[sqlx::test]
async fn the_csv_export_neutralizes_every_formula_cell(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let norte = tenant(&pool, "manufacturer", "=Planta").await;
    let owner = Caller::User(person(norte, Role::Owner, "dueno@norte.test"));
    // What a hostile user controls: the name they sign in with, what they name things, their user agent.
    let meta = RequestMeta { ip: None, user_agent: "@SUM(A1)".into(), request_id: "-1+2".into(), device: None };
    let actor = Actor { tenant_id: norte, user_id: None, email: Some("=HYPERLINK(\"http://x\")"), meta: &meta };
    let mut tx = db::begin(&pool, Scope::Tenant(norte)).await.unwrap();
    let event = Event::new("api_keys.created").target("+api_key", "\tx").after(json!({"name": "=1+1"}));
    record(&mut tx, &actor, event).await.unwrap();
    tx.commit().await.unwrap();
    recorded(&pool, norte, "ana@norte.test", &["auth.login"]).await;

    let csv =
        export_csv(&pool, &owner, &AuditQuery { action_prefix: Some("api_keys.".into()), ..query(1) }).await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "at",
            "tenant",
            "actor",
            "action",
            "target_type",
            "target_id",
            "before",
            "after",
            "ip",
            "user_agent",
            "request_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "the filter applies");
    let row: Vec<&str> = rows[0].iter().collect();
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339(row[0]).unwrap().to_utc();
    assert!((Utc::now() - at).num_seconds().abs() < 60);
    assert_eq!(
        row[1..],
        [
            "'=Planta",
            "'=HYPERLINK(\"http://x\")",
            "api_keys.created",
            "'+api_key",
            "'\tx",
            "",
            "{\"name\":\"=1+1\"}",
            "",
            "'@SUM(A1)",
            "'-1+2"
        ]
    );
    // Every entry: the export is not cut to the page size asked for.
    let all = export_csv(&pool, &owner, &query(1)).await.unwrap();
    assert_eq!(csv::Reader::from_reader(all.as_slice()).records().count(), 2);
}

#[sqlx::test]
async fn failed_logins_are_counted_per_login_source_and_trust_since_a_moment(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let before = Utc::now() - chrono::Duration::seconds(1);
    // meta()'s address is 203.0.113.7.
    recorded(&pool, PLATFORM_TENANT, "ana@norte.test", &[LOGIN_FAILED, LOGIN_FAILED, "auth.login"]).await;
    recorded(&pool, PLATFORM_TENANT, "beto@norte.test", &[LOGIN_FAILED]).await;
    // A failure of a client the account trusts, from elsewhere.
    let elsewhere = RequestMeta { ip: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1))), ..meta() };
    let actor = Actor { tenant_id: PLATFORM_TENANT, user_id: None, email: Some("ana"), meta: &elsewhere };
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    record(&mut tx, &actor, Event::new(LOGIN_FAILED).after(json!({ "trusted": true }))).await.unwrap();
    tx.commit().await.unwrap();

    let net = |s: &str| s.parse::<sqlx::types::ipnetwork::IpNetwork>().unwrap();
    let ana = ["ana@norte.test".to_owned(), "ana".to_owned()];
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let f = login_failures(&mut tx, &ana, Some(net("203.0.113.0/24")), before).await.unwrap();
    assert_eq!((f.from_source, f.untrusted), (2, 2), "{f:?}");
    assert!(f.source_oldest.is_some_and(|o| o > before) && f.untrusted_oldest == f.source_oldest, "{f:?}");
    // The trusted failure counts for its own network only.
    let f = login_failures(&mut tx, &ana, Some(net("198.51.100.0/24")), before).await.unwrap();
    assert_eq!((f.from_source, f.untrusted), (1, 2), "{f:?}");
    // Without an address, the source is the attempts without one.
    assert_eq!(login_failures(&mut tx, &ana, None, before).await.unwrap().from_source, 0);
    assert_eq!(
        login_failures(&mut tx, &ana, Some(net("203.0.113.0/24")), Utc::now()).await.unwrap(),
        Failures::default()
    );
    let nobody = ["nadie@norte.test".to_owned()];
    assert_eq!(login_failures(&mut tx, &nobody, None, before).await.unwrap(), Failures::default());
}
