//! Low-stock alerts: opened and closed by the ledger's trigger (the application role cannot insert one), read here
//! with what crossed them, acknowledged and assigned by people.
//!
//! Indexes: `stockroom_alerts_list_idx (tenant_id, opened_at desc, id desc)` for the list; `stockroom_alerts_opened_by_idx`
//! for the alerts a posting opened.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{AlertId, TenantId, UserId};

pub(in crate::stockroom) struct AlertRow {
    pub id: AlertId,
    pub item_id: i64,
    pub sku: String,
    pub item: String,
    pub unit: String,
    pub department_id: i32,
    pub department: String,
    pub threshold_milli: i64,
    pub balance_milli: i64,
    pub on_order_milli: i64,
    pub reorder_milli: Option<i64>,
    /// The balance now.
    pub current_milli: i64,
    pub opened_by: Option<i64>,
    pub opened_by_author: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub assigned_to: Option<Uuid>,
    pub assigned_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Which alerts: open ones only, or all; one; those opened by some movements; from a cursor on.
pub(in crate::stockroom) struct Filter<'a> {
    pub open_only: bool,
    pub id: Option<AlertId>,
    pub opened_by: Option<&'a [i64]>,
    pub after: Option<(DateTime<Utc>, i64)>,
    pub fetch: i64,
}

impl Default for Filter<'_> {
    fn default() -> Self {
        Filter { open_only: false, id: None, opened_by: None, after: None, fetch: i64::MAX }
    }
}

/// Alerts newest first.
pub(in crate::stockroom) async fn list(
    tx: &mut Tx,
    tenant: TenantId,
    f: &Filter<'_>,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    let (after_at, after_id) = f.after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    sqlx::query_as!(
        AlertRow,
        r#"select a.id as "id: AlertId", a.item_id, i.sku, i.name as item, i.unit, a.department_id, d.name as department,
                  a.threshold_milli, a.balance_milli, a.on_order_milli, l.reorder_milli as "reorder_milli?",
                  coalesce(b.quantity_milli, 0) as "current_milli!", a.opened_by, p.author_name as "opened_by_author?",
                  a.opened_at, ack.display_name as "acknowledged_by?", a.acknowledged_at, a.assigned_to,
                  asg.display_name as "assigned_name?", a.closed_at
           from stockroom_alerts a
           join stockroom_items i on i.tenant_id = a.tenant_id and i.id = a.item_id
           join stockroom_departments d on d.tenant_id = a.tenant_id and d.id = a.department_id
           left join stockroom_levels l on l.tenant_id = a.tenant_id and l.item_id = a.item_id
                and l.department_id = a.department_id
           left join stockroom_balances b on b.tenant_id = a.tenant_id and b.item_id = a.item_id
                and b.department_id = a.department_id
           left join stockroom_movements m on m.tenant_id = a.tenant_id and m.id = a.opened_by
           left join stockroom_posts p on p.tenant_id = m.tenant_id and p.id = m.post_id
           left join users ack on ack.tenant_id = a.tenant_id and ack.id = a.acknowledged_by
           left join users asg on asg.tenant_id = a.tenant_id and asg.id = a.assigned_to
           where a.tenant_id = $1 and (not $2 or a.closed_at is null)
             and ($3::bigint[] is null or a.opened_by = any($3))
             and ($4::timestamptz is null or (a.opened_at, a.id) < ($4, $5))
             and ($7::bigint is null or a.id = $7)
           order by a.opened_at desc, a.id desc
           limit $6"#,
        tenant.0,
        f.open_only,
        f.opened_by,
        after_at,
        after_id,
        f.fetch,
        f.id.map(|i| i.0)
    )
    .fetch_all(&mut **tx)
    .await
}

/// The alerts some movements opened (`stockroom_alerts_opened_by_idx`): what every posting asks, and for most the
/// answer is none, so it is its own small query: the list's, planned afresh for its filters, was 0.35 ms of planning
/// per posting (`pg_stat_statements` under `bench stock`).
pub(in crate::stockroom) async fn opened_by(
    tx: &mut Tx,
    tenant: TenantId,
    movements: &[i64],
) -> Result<Vec<AlertId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select id as "id: AlertId" from stockroom_alerts where tenant_id = $1 and opened_by = any($2) order by id"#,
        tenant.0,
        movements
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many alerts are open.
pub(in crate::stockroom) async fn open_count(tx: &mut Tx, tenant: TenantId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from stockroom_alerts where tenant_id = $1 and closed_at is null"#,
        tenant.0
    )
    .fetch_one(&mut **tx)
    .await
}

/// Marks an open alert seen by `user`: `false` when there is no such open alert.
pub(in crate::stockroom) async fn acknowledge(
    tx: &mut Tx,
    tenant: TenantId,
    id: AlertId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update stockroom_alerts set acknowledged_by = $3, acknowledged_at = now()
         where tenant_id = $1 and id = $2 and closed_at is null",
        tenant.0,
        id.0,
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives an open alert to a person (none: to nobody).
pub(in crate::stockroom) async fn assign(
    tx: &mut Tx,
    tenant: TenantId,
    id: AlertId,
    user: Option<UserId>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update stockroom_alerts set assigned_to = $3 where tenant_id = $1 and id = $2 and closed_at is null",
        tenant.0,
        id.0,
        user.map(|u| u.0)
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who hears a department's alerts: its people who move stock (supply, and a workshop's own account); when it has
/// none, every such person of the organisation; when there is none, its owners.
pub(in crate::stockroom) async fn recipients(
    tx: &mut Tx,
    tenant: TenantId,
    department: i32,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"with movers as (
               select u.id, m.department_id from users u
               left join stockroom_members m on m.tenant_id = u.tenant_id and m.user_id = u.id
               where u.tenant_id = $1 and u.status = 'active' and u.role in ('supply', 'workshop'))
           select id as "id!" from movers where department_id = $2
           union
           select id from movers where not exists (select 1 from movers where department_id = $2)
           union
           select u.id from users u
           where u.tenant_id = $1 and u.status = 'active' and u.role = 'owner' and not exists (select 1 from movers)"#,
        tenant.0,
        department
    )
    .fetch_all(&mut **tx)
    .await
}
