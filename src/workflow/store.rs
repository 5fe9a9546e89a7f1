//! The events' SQL. Index: the unique key `(tenant_id, subject, subject_id, version)` serves a subject's timeline
//! and its last event; `workflow_events_key (tenant_id, idempotency_key)` a request's key.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::TenantId;

/// What an event is written with.
pub(super) struct NewEvent<'a> {
    pub subject: &'a str,
    pub subject_id: i64,
    pub version: i32,
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub comment: Option<&'a str>,
    pub key: Option<&'a str>,
    pub party: Option<Uuid>,
}

pub(super) async fn insert(tx: &mut Tx, tenant: TenantId, e: &NewEvent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into workflow_events
             (tenant_id, subject, subject_id, version, actor_id, action, from_state, to_state, comment, idempotency_key,
              party_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        tenant.0,
        e.subject,
        e.subject_id,
        e.version,
        e.actor,
        e.action,
        e.from,
        e.to,
        e.comment,
        e.key,
        e.party,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) struct EventRow {
    pub version: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub comment: Option<String>,
    pub party_id: Option<Uuid>,
    pub party_name: Option<String>,
}

/// A subject's events, in order.
pub(super) async fn events(
    tx: &mut Tx,
    tenant: TenantId,
    subject: &str,
    id: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"select e.version, e.at, e.actor_id, u.display_name as "actor_name?", e.action, e.from_state, e.to_state,
                  e.comment, e.party_id, p.display_name as "party_name?"
           from workflow_events e left join users u on u.id = e.actor_id left join users p on p.id = e.party_id
           where e.tenant_id = $3 and e.subject = $1 and e.subject_id = $2
           order by e.version"#,
        subject,
        id,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// A subject's last event.
pub(super) async fn last(
    tx: &mut Tx,
    tenant: TenantId,
    subject: &str,
    id: i64,
) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"select e.version, e.at, e.actor_id, u.display_name as "actor_name?", e.action, e.from_state, e.to_state,
                  e.comment, e.party_id, p.display_name as "party_name?"
           from workflow_events e left join users u on u.id = e.actor_id left join users p on p.id = e.party_id
           where e.tenant_id = $3 and e.subject = $1 and e.subject_id = $2
           order by e.version desc limit 1"#,
        subject,
        id,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(super) struct KeyRow {
    pub subject: String,
    pub subject_id: i64,
    pub action: String,
    pub actor_id: Option<Uuid>,
}

/// The event a request's key made, if any.
pub(super) async fn by_key(tx: &mut Tx, tenant: TenantId, key: &str) -> Result<Option<KeyRow>, sqlx::Error> {
    sqlx::query_as!(
        KeyRow,
        "select subject, subject_id, action, actor_id from workflow_events where tenant_id = $2 and idempotency_key = $1",
        key,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await
}
