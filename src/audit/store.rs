//! The audit log's SQL: one row per write, in the same transaction as the write it describes. Rows stay in this module's
//! area; the audit service hands out `AuditEntry`.

use chrono::{DateTime, Utc};
use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use crate::db::Tx;
use crate::identity::rules::throttle::Failures;
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
/// Failed sign-ins of any of `logins` since `since`: from `network` (without one, from attempts without an address),
/// and from untrusted clients (the failure's `after.trusted` is not true). Index: audit_log_login_failed_idx.
pub(in crate::audit) async fn login_failures(
    tx: &mut Tx,
    logins: &[String],
    network: Option<IpNetwork>,
    since: DateTime<Utc>,
) -> Result<Failures, sqlx::Error> {
    let r = sqlx::query!(
        r#"select count(*) filter (where ip <<= $3 or ($3 is null and ip is null)) as "from_source!",
                  min(at) filter (where ip <<= $3 or ($3 is null and ip is null)) as source_oldest,
                  count(*) filter (where (after ->> 'trusted') is distinct from 'true') as "untrusted!",
                  min(at) filter (where (after ->> 'trusted') is distinct from 'true') as untrusted_oldest
           from audit_log
           where action = 'auth.login_failed' and actor_email = any($1) and at > $2"#,
        logins,
        since,
        network as Option<IpNetwork>
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Failures {
        from_source: r.from_source,
        source_oldest: r.source_oldest,
        untrusted: r.untrusted,
        untrusted_oldest: r.untrusted_oldest,
    })
}

/// Whether `user` signed in from `network` since `since`. Index: audit_log_login_idx.
pub(in crate::audit) async fn signed_in_from(
    tx: &mut Tx,
    user: UserId,
    network: IpNetwork,
    since: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query_scalar!(
        r#"select exists (select 1 from audit_log
                          where action = 'auth.login' and actor_user_id = $1 and at > $2 and ip <<= $3) as "known!""#,
        user.0,
        since,
        network
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r)
}

/// Failed sign-ins of any of `logins` since `user` last signed in (over the last `horizon`), and when the last was.
/// Indexes: audit_log_login_idx for the last sign-in, audit_log_login_failed_idx for the failures.
pub(in crate::audit) async fn failures_since_last_sign_in(
    tx: &mut Tx,
    logins: &[String],
    user: UserId,
    horizon: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    let r = sqlx::query!(
        r#"select count(*) as "n!", max(at) as last from audit_log
           where action = 'auth.login_failed' and actor_email = any($1)
             and at > greatest($3, (select max(at) from audit_log
                                    where action = 'auth.login' and actor_user_id = $2 and at > $3))"#,
        logins,
        user.0,
        horizon
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.n, r.last))
}
