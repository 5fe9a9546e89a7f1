//! Audit trail: recording (inside the caller's transaction) and reading/exporting it.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::auth::Permission;
use crate::domain::csv_safe::neutralize;
use crate::store::audit::{self as store, AuditFilter, AuditRow, NewAuditEntry};
use crate::store::db::{self, Tx};

use super::caller::{Caller, RequestMeta};
use super::error::{Error, Result};

/// Who did it and from where; `tenant_id` is the tenant the event belongs to.
pub struct Actor<'a> {
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    pub email: Option<&'a str>,
    pub meta: &'a RequestMeta,
}

impl<'a> Actor<'a> {
    pub fn of(caller: &'a Caller, meta: &'a RequestMeta) -> Self {
        Self { tenant_id: caller.tenant_id, user_id: Some(caller.user_id), email: Some(&caller.email), meta }
    }

    /// The same actor, recorded against another tenant (an admin acting on a tenant's user).
    pub fn in_tenant(&self, tenant_id: Uuid) -> Actor<'a> {
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

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action_prefix: Option<String>,
    pub actor_email: Option<String>,
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

/// Audit rows the caller may see (admins: every tenant; owners: their own), newest first.
pub async fn list(pool: &sqlx::PgPool, caller: &Caller, q: &AuditQuery) -> Result<Vec<AuditRow>> {
    caller.require(Permission::AuditRead)?;
    let mut tx = db::begin(pool, caller.scope()).await?;
    let rows = store::list(
        &mut tx,
        AuditFilter {
            action_prefix: q.action_prefix.as_deref().filter(|s| !s.is_empty()),
            actor_email: q.actor_email.as_deref().filter(|s| !s.is_empty()),
            after: q.after,
            limit: q.limit.clamp(1, 100_000),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}

/// The most rows one CSV export carries; the UI says so when a filter would exceed it.
pub const EXPORT_MAX_ROWS: i64 = 100_000;

/// CSV of the audit rows matching `q` (up to [`EXPORT_MAX_ROWS`]), every cell formula-neutralized.
pub async fn export_csv(pool: &sqlx::PgPool, caller: &Caller, q: &AuditQuery) -> Result<Vec<u8>> {
    let rows = list(pool, caller, &AuditQuery { limit: EXPORT_MAX_ROWS, ..q.clone() }).await?;
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
            r.actor_email.clone().unwrap_or_default(),
            r.action.clone(),
            r.target_type.clone().unwrap_or_default(),
            r.target_id.clone().unwrap_or_default(),
            r.before.as_ref().map(Value::to_string).unwrap_or_default(),
            r.after.as_ref().map(Value::to_string).unwrap_or_default(),
            r.ip.map(|i| i.ip().to_string()).unwrap_or_default(),
            r.user_agent.clone().unwrap_or_default(),
            r.request_id.clone().unwrap_or_default(),
        ];
        w.write_record(cells.iter().map(|c| neutralize(c).into_owned())).map_err(Error::internal)?;
    }
    w.into_inner().map_err(|e| Error::internal(e.to_string()))
}
