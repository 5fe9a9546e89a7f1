//! The audit log's SQL: one row per write, in the same transaction as the write it describes. Rows stay in this module's
//! area; the audit service hands out `AuditEntry`.

use chrono::{DateTime, Utc};
use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::audit) struct NewAuditEntry<'a> {
    pub tenant_id: TenantId,
    pub actor_user_id: Option<UserId>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<IpNetwork>,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

pub(in crate::audit) async fn insert(tx: &mut Tx, e: NewAuditEntry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into audit_log (tenant_id, actor_user_id, actor_email, action, target_type, target_id, before, after,
                                ip, user_agent, request_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        e.tenant_id.0,
        e.actor_user_id.map(|u| u.0),
        e.actor_email,
        e.action,
        e.target_type,
        e.target_id,
        e.before,
        e.after,
        e.ip,
        e.user_agent,
        e.request_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub(in crate::audit) struct AuditRow {
    pub tenant_id: Uuid,
    pub tenant_name: Option<String>,
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<IpNetwork>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

pub(in crate::audit) struct AuditFilter<'a> {
    /// Prefix of the action, e.g. `auth.` for every authentication event.
    pub action_prefix: Option<&'a str>,
    pub actor_email: Option<&'a str>,
    /// Keyset cursor: (at, id) of the last row of the previous page.
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

/// Newest first. The transaction's scope decides whose rows are visible (RLS); the index used is audit_log_at_idx
/// (platform) or audit_log_tenant_at_idx (tenant scope, where the policy adds the tenant equality).
pub(in crate::audit) async fn list(tx: &mut Tx, f: AuditFilter<'_>) -> Result<Vec<AuditRow>, sqlx::Error> {
    let (after_at, after_id) = f.after.unzip();
    let prefix =
        f.action_prefix.map(|p| format!("{}%", p.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    sqlx::query_as!(
        AuditRow,
        "select a.tenant_id, t.name as \"tenant_name?\", a.id, a.at, a.actor_user_id, a.actor_email, a.action,
                a.target_type, a.target_id, a.before, a.after, a.ip, a.user_agent, a.request_id
         from audit_log a left join tenants t on t.id = a.tenant_id
         where ($1::text is null or a.action like $1)
           and ($2::text is null or a.actor_email = $2)
           and ($3::timestamptz is null or (a.at, a.id) < ($3, $4))
         order by a.at desc, a.id desc
         limit $5",
        prefix,
        f.actor_email,
        after_at,
        after_id,
        f.limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// Index: audit_log_login_failed_idx (actor_email, at) where action = 'auth.login_failed'.
pub(in crate::audit) async fn failed_logins_since(
    tx: &mut Tx,
    login: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    let r = sqlx::query!(
        r#"select count(*) as "n!", min(at) as oldest from audit_log
           where action = 'auth.login_failed' and actor_email = $1 and at > $2"#,
        login,
        since
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.n, r.oldest))
}
