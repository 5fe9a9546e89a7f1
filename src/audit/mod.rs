//! Audit trail: recording (inside the transaction of the write it describes) and reading/exporting it. Cross-cutting:
//! every area records through [`record`]; people with the audit permission and keys with `audit:read` read it.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::ipnetwork::IpNetwork;

use self::store::{AuditFilter, AuditRow, NewAuditEntry};
use crate::caller::{Caller, Machine, RequestMeta, User};
use crate::codes::check_filter;
use crate::csv_safe::neutralize;
use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::identity::rules::throttle::Failures;
use crate::ids::{TenantId, UserId};
use crate::paging::{self, At, Limit, Page};

mod store;
#[cfg(test)]
mod tests;

/// The action recorded for a failed login (also what sign-in throttling counts).
pub const LOGIN_FAILED: &str = "auth.login_failed";

/// Who did it and from where; `tenant_id` is the tenant the event belongs to.
pub struct Actor<'a> {
    pub tenant_id: TenantId,
    pub user_id: Option<UserId>,
    pub email: Option<&'a str>,
    pub meta: &'a RequestMeta,
}

impl<'a> Actor<'a> {
    pub fn of(user: &'a User, meta: &'a RequestMeta) -> Self {
        Self { tenant_id: user.tenant_id, user_id: Some(user.user_id), email: Some(&user.email), meta }
    }

    /// A machine: recorded under its key's name, with no user.
    pub fn machine(machine: &'a Machine, meta: &'a RequestMeta) -> Self {
        Self { tenant_id: machine.tenant_id, user_id: None, email: Some(&machine.name), meta }
    }

    /// No one: the server itself (background jobs).
    pub fn system(tenant_id: TenantId, meta: &'a RequestMeta) -> Self {
        Self { tenant_id, user_id: None, email: None, meta }
    }

    /// The same actor, recorded against another tenant (an admin acting on a tenant's user).
    pub fn in_tenant(&self, tenant_id: TenantId) -> Actor<'a> {
        Actor { tenant_id, user_id: self.user_id, email: self.email, meta: self.meta }
    }
}

/// What changed.
pub struct Event<'a> {
    pub action: &'a str,
    pub target: Option<(&'a str, String)>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str) -> Self {
        Self { action, target: None, before: None, after: None }
    }
    pub fn target(mut self, kind: &'a str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }
    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }
    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }
}

pub async fn record(tx: &mut Tx, actor: &Actor<'_>, event: Event<'_>) -> Result<()> {
    let (target_type, target_id) = event.target.unzip();
    store::insert(
        tx,
        NewAuditEntry {
            tenant_id: actor.tenant_id,
            actor_user_id: actor.user_id,
            actor_email: actor.email,
            action: event.action,
            target_type,
            target_id,
            before: event.before,
            after: event.after,
            ip: actor.meta.ip_network(),
            user_agent: Some(actor.meta.user_agent.as_str()).filter(|s| !s.is_empty()),
            request_id: Some(actor.meta.request_id.as_str()).filter(|s| !s.is_empty()),
        },
    )
    .await?;
    Ok(())
}

/// Which entries to list: the filters, and the page as the caller asked for it (checked here, for every edge).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action_prefix: Option<String>,
    pub actor_email: Option<String>,
    /// The previous page's `next` (an [`At`] cursor).
    pub after: Option<String>,
    /// Entries per page (1 to [`PAGE_MAX`]; [`PAGE_DEFAULT`] when absent).
    pub limit: Option<i64>,
}

/// Entries per page unless the caller asks for another number, and the most it may ask for.
pub const PAGE_DEFAULT: i64 = 100;
pub const PAGE_MAX: i64 = 500;

/// One entry of the log, as the audit page, the REST API and the CSV export show it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub tenant_id: TenantId,
    pub tenant_name: Option<String>,
    pub actor_user_id: Option<UserId>,
    pub actor: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            at: r.at,
            tenant_id: TenantId(r.tenant_id),
            tenant_name: r.tenant_name,
            actor_user_id: r.actor_user_id.map(UserId),
            actor: r.actor_email,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            before: r.before,
            after: r.after,
            ip: r.ip.map(|i| i.ip().to_string()),
            user_agent: r.user_agent,
            request_id: r.request_id,
        }
    }
}

/// A page of the audit entries the caller may see (platform admins: every tenant; everyone else: their own), newest
/// first.
pub async fn list(pool: &sqlx::PgPool, caller: &Caller, q: &AuditQuery) -> Result<Page<AuditEntry>> {
    let limit = Limit::new(q.limit, PAGE_DEFAULT, PAGE_MAX)?;
    let rows = entries(pool, caller, q, limit.fetch()).await?;
    Ok(Page::cut(rows, limit, |e| At::new(e.at, e.id)))
}

/// Up to `limit` entries matching `q`, newest first, from its cursor on.
async fn entries(pool: &sqlx::PgPool, caller: &Caller, q: &AuditQuery, limit: i64) -> Result<Vec<AuditEntry>> {
    caller.require(ApiScope::AuditRead)?;
    let action_prefix = check_filter("action", q.action_prefix.as_deref(), 100)?;
    let actor_email = check_filter("actor", q.actor_email.as_deref(), 254)?.map(|a| a.to_lowercase());
    let after = paging::after::<At<i64>>(q.after.as_deref(), ())?;
    let mut tx = db::begin(pool, caller.scope()).await?;
    let rows = store::list(
        &mut tx,
        AuditFilter {
            action_prefix: action_prefix.as_deref(),
            actor_email: actor_email.as_deref(),
            after: after.map(|a| (a.at, a.id)),
            limit,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

/// Failed logins recorded for `login` since `since`: how many, and when the oldest of them was. Counted in the
/// platform tenant, where failures are recorded. Index: audit_log_login_failed_idx.
/// Failed sign-ins of any of `logins` since `since`, as sign-in throttling counts them (`identity::rules::throttle`):
/// from the source `network` of the attempt, and from untrusted clients anywhere.
pub async fn login_failures(
    tx: &mut Tx,
    logins: &[String],
    network: Option<IpNetwork>,
    since: DateTime<Utc>,
) -> Result<Failures> {
    Ok(store::login_failures(tx, logins, network, since).await?)
}

/// Whether `user` signed in from `network` since `since` (a known network makes a client trusted).
pub async fn signed_in_from(tx: &mut Tx, user: UserId, network: IpNetwork, since: DateTime<Utc>) -> Result<bool> {
    Ok(store::signed_in_from(tx, user, network, since).await?)
}

/// Failed sign-ins of any of `logins` since `user`'s last sign-in (looking back to `horizon` at most), and the time
/// of the last one: what the owner of an attacked account is told when they sign in.
pub async fn failures_since_last_sign_in(
    tx: &mut Tx,
    logins: &[String],
    user: UserId,
    horizon: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>)> {
    Ok(store::failures_since_last_sign_in(tx, logins, user, horizon).await?)
}

/// The most rows one CSV export carries; the UI says so when a filter would exceed it.
pub const EXPORT_MAX_ROWS: i64 = 100_000;

/// CSV of the audit rows matching `q`'s filters (up to [`EXPORT_MAX_ROWS`], from its cursor on), every cell
/// formula-neutralized.
pub async fn export_csv(pool: &sqlx::PgPool, caller: &Caller, q: &AuditQuery) -> Result<Vec<u8>> {
    let rows = entries(pool, caller, q, EXPORT_MAX_ROWS).await?;
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    w.write_record([
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
        "request_id",
    ])
    .map_err(Error::internal)?;
    for r in &rows {
        let cells = [
            r.at.to_rfc3339(),
            r.tenant_name.clone().unwrap_or_else(|| r.tenant_id.to_string()),
            r.actor.clone().unwrap_or_default(),
            r.action.clone(),
            r.target_type.clone().unwrap_or_default(),
            r.target_id.clone().unwrap_or_default(),
            r.before.as_ref().map(Value::to_string).unwrap_or_default(),
            r.after.as_ref().map(Value::to_string).unwrap_or_default(),
            r.ip.clone().unwrap_or_default(),
            r.user_agent.clone().unwrap_or_default(),
            r.request_id.clone().unwrap_or_default(),
        ];
        w.write_record(cells.iter().map(|c| neutralize(c).into_owned())).map_err(Error::internal)?;
    }
    w.into_inner().map_err(|e| Error::internal(e.to_string()))
}
