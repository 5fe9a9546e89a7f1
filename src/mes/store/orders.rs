//! Production orders' SQL: stages and scrap reasons (data per organisation), orders with their route, stage facts and
//! the sums they keep, the plant's grace and the shifts a manager reopened.
//!
//! Indexes: a page of orders walks `mes_orders_newest (tenant_id, id desc)` or, unfinished only, `mes_orders_open`
//! (partial), cut by `id < after`; an order's stages are its primary key's prefix `(tenant_id, order_id, position)`;
//! an order's facts `mes_facts_order (tenant_id, order_id, id)`; a reopening `mes_shift_reopenings_shift`; keys
//! `mes_orders_key`, `mes_facts_key`; a fact reversed once `mes_facts_reversal` (unique).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::mes) struct StageRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub needs_shift: bool,
    pub inspection: bool,
    pub line_id: Option<i32>,
    pub line_code: Option<String>,
    pub line_name: Option<String>,
    pub archived: bool,
}

pub(in crate::mes) async fn stages(tx: &mut Tx) -> Result<Vec<StageRow>, sqlx::Error> {
    sqlx::query_as!(
        StageRow,
        r#"select s.id, s.code, s.name, s.needs_shift, s.inspection, s.line_id, l.code as "line_code?",
                  l.name as "line_name?", s.archived_at is not null as "archived!"
           from mes_stages s left join production_lines l on l.tenant_id = s.tenant_id and l.id = s.line_id
           order by s.archived_at nulls first, s.id"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// What a stage is written with.
pub(in crate::mes) struct StageWrite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub needs_shift: bool,
    pub inspection: bool,
    pub line: Option<i32>,
    pub archived: bool,
}

/// Inserts a stage, or changes the one `id` names; its id (`None`: no such stage).
pub(in crate::mes) async fn save_stage(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<i32>,
    s: &StageWrite<'_>,
) -> Result<Option<i32>, sqlx::Error> {
    match id {
        None => {
            sqlx::query_scalar!(
                "insert into mes_stages (tenant_id, code, name, needs_shift, inspection, line_id,
                                     archived_at)
             values ($1, $2, $3, $4, $5, $6, case when $7 then now() end) returning id",
                tenant.0,
                s.code,
                s.name,
                s.needs_shift,
                s.inspection,
                s.line,
                s.archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_scalar!(
                "update mes_stages set code = $3, name = $4, needs_shift = $5, inspection = $6, line_id = $7,
                    archived_at = case when $8 then coalesce(archived_at, now()) end
             where tenant_id = $1 and id = $2 returning id",
                tenant.0,
                id,
                s.code,
                s.name,
                s.needs_shift,
                s.inspection,
                s.line,
                s.archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

pub(in crate::mes) struct ReasonRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub archived: bool,
}

pub(in crate::mes) async fn scrap_reasons(tx: &mut Tx) -> Result<Vec<ReasonRow>, sqlx::Error> {
    sqlx::query_as!(
        ReasonRow,
        r#"select id, code, name, archived_at is not null as "archived!" from mes_scrap_reasons
           order by archived_at nulls first, name, id"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// Inserts a scrap reason, or changes the one `id` names; its id (`None`: no such reason).
pub(in crate::mes) async fn save_scrap_reason(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<i32>,
    code: &str,
    name: &str,
    archived: bool,
) -> Result<Option<i32>, sqlx::Error> {
    match id {
        None => {
            sqlx::query_scalar!(
                "insert into mes_scrap_reasons (tenant_id, code, name, archived_at)
             values ($1, $2, $3, case when $4 then now() end) returning id",
                tenant.0,
                code,
                name,
                archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_scalar!(
                "update mes_scrap_reasons set code = $3, name = $4,
                    archived_at = case when $5 then coalesce(archived_at, now()) end
             where tenant_id = $1 and id = $2 returning id",
                tenant.0,
                id,
                code,
                name,
                archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// The plant's grace after a shift (minutes; the default when it set none).
pub(in crate::mes) async fn grace(tx: &mut Tx, tenant: TenantId) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!("select fact_grace_minutes from mes_settings where tenant_id = $1", tenant.0)
        .fetch_optional(&mut **tx)
        .await
}

pub(in crate::mes) async fn set_grace(tx: &mut Tx, tenant: TenantId, minutes: i32) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into mes_settings (tenant_id, fact_grace_minutes) values ($1, $2)
         on conflict (tenant_id) do update set fact_grace_minutes = excluded.fact_grace_minutes",
        tenant.0,
        minutes
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an order is written with.
pub(in crate::mes) struct OrderWrite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub product: Option<i32>,
    pub quantity: i32,
    pub due_date: Option<NaiveDate>,
}

/// Inserts an order and its route (stages in order); its id, or `None` when its key was already used.
pub(in crate::mes) async fn insert_order(
    tx: &mut Tx,
    tenant: TenantId,
    o: &OrderWrite<'_>,
    route: &[i32],
    creator: Uuid,
    key: Option<&str>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"with o as (
               insert into mes_orders (tenant_id, code, name, product_id, quantity, due_date, creator_id,
                                       idempotency_key)
               values ($1, $2, $3, $4, $5, $6, $7, $8)
               on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
               returning id),
           r as (
               insert into mes_order_stages (tenant_id, order_id, position, stage_id)
               select $1, o.id, s.position, s.stage_id
               from o, unnest($9::int[]) with ordinality as s(stage_id, position))
           select id as "id!" from o"#,
        tenant.0,
        o.code,
        o.name,
        o.product,
        o.quantity,
        o.due_date,
        creator,
        key,
        route
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The order a key made.
pub(in crate::mes) async fn order_by_key(tx: &mut Tx, tenant: TenantId, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!("select id from mes_orders where tenant_id = $1 and idempotency_key = $2", tenant.0, key)
        .fetch_optional(&mut **tx)
        .await
}

/// Changes an order's name, product, quantity and due date; its id (`None`: no such order).
pub(in crate::mes) async fn update_order(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    o: &OrderWrite<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "update mes_orders set code = $3, name = $4, product_id = $5, quantity = $6, due_date = $7, updated_at = now()
         where tenant_id = $1 and id = $2 returning id",
        tenant.0,
        id,
        o.code,
        o.name,
        o.product,
        o.quantity,
        o.due_date
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(in crate::mes) async fn set_state(tx: &mut Tx, tenant: TenantId, id: i64, state: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update mes_orders set state = $3, updated_at = now() where tenant_id = $1 and id = $2 and state <> $3",
        tenant.0,
        id,
        state
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::mes) struct OrderRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub product_id: Option<i32>,
    pub product_code: Option<String>,
    pub product_name: Option<String>,
    pub quantity: i32,
    pub due_date: Option<NaiveDate>,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The route: stage ids, positions' order, with each stage's Σ good and Σ scrap.
    pub stage_ids: Vec<i32>,
    pub goods: Vec<i32>,
    pub scraps: Vec<i32>,
}

/// A page of orders, newest first (or the one `id` names): each with its route and sums.
#[allow(clippy::too_many_arguments)]
pub(in crate::mes) async fn orders(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<i64>,
    unfinished: bool,
    stage: Option<i32>,
    search: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<OrderRow>, sqlx::Error> {
    sqlx::query_as!(
        OrderRow,
        r#"select o.id as "id!", o.code as "code!", o.name as "name!", o.product_id, p.code as "product_code?",
                  p.name as "product_name?", o.quantity as "quantity!", o.due_date, o.state as "state!",
                  o.created_at as "created_at!", o.updated_at as "updated_at!",
                  r.stage_ids as "stage_ids!", r.goods as "goods!", r.scraps as "scraps!"
           -- The page's orders first (a subquery with its own limit), then their routes.
           from (select * from mes_orders o
                 where o.tenant_id = $1
                   and ($2::bigint is null or o.id = $2)
                   and (not $3 or o.state in ('open', 'in_progress'))
                   and ($4::int is null or exists (select 1 from mes_order_stages s
                                                   where s.tenant_id = o.tenant_id and s.order_id = o.id
                                                     and s.stage_id = $4))
                   and ($5::text is null or o.code ilike $5 or o.name ilike $5)
                   and ($6::bigint is null or o.id < $6)
                 order by o.id desc
                 limit $7) o
           left join production_products p on p.tenant_id = o.tenant_id and p.id = o.product_id
           cross join lateral (
               select coalesce(array_agg(s.stage_id order by s.position), '{}') as stage_ids,
                      coalesce(array_agg(s.good order by s.position), '{}') as goods,
                      coalesce(array_agg(s.scrap order by s.position), '{}') as scraps
               from mes_order_stages s where s.tenant_id = o.tenant_id and s.order_id = o.id) r
           order by o.id desc"#,
        tenant.0,
        id,
        unfinished,
        stage,
        search.map(crate::db::like_contains),
        after,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// An order's state and quantity, and whether its route has `stage`, its row locked: what a fact is judged on.
pub(in crate::mes) struct OrderForFact {
    pub state: String,
    pub quantity: i32,
    pub on_route: bool,
    pub product_id: Option<i32>,
    /// Its stages in route order.
    pub route: Vec<i32>,
}

pub(in crate::mes) async fn order_for_fact(
    tx: &mut Tx,
    tenant: TenantId,
    order: i64,
    stage: i32,
) -> Result<Option<OrderForFact>, sqlx::Error> {
    sqlx::query_as!(
        OrderForFact,
        r#"select o.state, o.quantity,
                  exists (select 1 from mes_order_stages s
                          where s.tenant_id = o.tenant_id and s.order_id = o.id and s.stage_id = $3) as "on_route!",
                  o.product_id,
                  array(select s.stage_id from mes_order_stages s where s.tenant_id = o.tenant_id and s.order_id = o.id
                        order by s.position) as "route!"
           from mes_orders o where o.tenant_id = $1 and o.id = $2 for update"#,
        tenant.0,
        order,
        stage
    )
    .fetch_optional(&mut **tx)
    .await
}

/// An order's code and state, its row locked.
pub(in crate::mes) async fn code_and_state(
    tx: &mut Tx,
    tenant: TenantId,
    order: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    Ok(sqlx::query!("select code, state from mes_orders where tenant_id = $1 and id = $2 for update", tenant.0, order)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| (r.code, r.state)))
}

/// What a fact added to the production figures: units and good units of a product at a line's output, in a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::mes) struct Landing {
    pub line: i32,
    pub minute: DateTime<Utc>,
    pub product: i32,
    pub total: i32,
    pub good: i32,
}

/// What a fact is written with.
pub(in crate::mes) struct FactWrite<'a> {
    pub order: i64,
    pub stage: i32,
    pub day: NaiveDate,
    pub shift: Option<i32>,
    pub operator: Option<UserId>,
    pub good: i32,
    pub scrap: i32,
    pub reason: Option<i32>,
    pub comment: Option<&'a str>,
    pub reverses: Option<i64>,
    pub by: UserId,
    pub source: &'a str,
    pub key: Option<&'a str>,
    /// What it added to the production figures.
    pub feed: Option<Landing>,
}

/// Inserts a fact and adds its pieces to its order stage's sums (one statement); the fact's id and the route's Σ good
/// in order after it, or `None` when its key was already used.
pub(in crate::mes) async fn insert_fact(
    tx: &mut Tx,
    tenant: TenantId,
    f: &FactWrite<'_>,
) -> Result<Option<(i64, Vec<i32>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"with f as (
               insert into mes_facts (tenant_id, order_id, stage_id, day, shift_id, operator_id, good, scrap,
                                      scrap_reason_id, comment, reverses, recorded_by, source, idempotency_key,
                                      oee_line_id, oee_minute, oee_product_id, oee_total, oee_good)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
               on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
               returning id, order_id, stage_id, good, scrap),
           s as (
               update mes_order_stages s set good = s.good + f.good, scrap = s.scrap + f.scrap
               from f where s.tenant_id = $1 and s.order_id = f.order_id and s.stage_id = f.stage_id
               returning s.position, s.good)
           select f.id as "id!",
                  array(select coalesce(s.good, r.good) from mes_order_stages r left join s on s.position = r.position
                        where r.tenant_id = $1 and r.order_id = $2 order by r.position) as "goods!"
           from f"#,
        tenant.0,
        f.order,
        f.stage,
        f.day,
        f.shift,
        f.operator.map(|u| u.0),
        f.good,
        f.scrap,
        f.reason,
        f.comment,
        f.reverses,
        f.by.0,
        f.source,
        f.key,
        f.feed.map(|x| x.line),
        f.feed.map(|x| x.minute),
        f.feed.map(|x| x.product),
        f.feed.map(|x| x.total),
        f.feed.map(|x| x.good)
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.id, r.goods)))
}

/// The latest fact of `order` at `stage` that made good pieces and stands (no reversal, not reversed): its day,
/// shift and, where it fed the figures, its minute. Walks `mes_facts_order` backwards.
pub(in crate::mes) async fn making_fact(
    tx: &mut Tx,
    tenant: TenantId,
    order: i64,
    stage: i32,
) -> Result<Option<(NaiveDate, Option<i32>, Option<DateTime<Utc>>)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select f.day, f.shift_id, f.oee_minute from mes_facts f
         where f.tenant_id = $1 and f.order_id = $2 and f.stage_id = $3 and f.good > 0 and f.reverses is null
           and not exists (select 1 from mes_facts r where r.tenant_id = f.tenant_id and r.reverses = f.id)
         order by f.id desc
         limit 1",
        tenant.0,
        order,
        stage
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.day, r.shift_id, r.oee_minute)))
}

/// The fact a key made: its id and order.
pub(in crate::mes) async fn fact_by_key(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
) -> Result<Option<(i64, i64, Uuid)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select id, order_id, recorded_by from mes_facts where tenant_id = $1 and idempotency_key = $2",
        tenant.0,
        key
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.id, r.order_id, r.recorded_by)))
}

pub(in crate::mes) struct FactRow {
    pub id: i64,
    pub order_id: i64,
    pub stage_id: i32,
    pub day: NaiveDate,
    pub shift_id: Option<i32>,
    pub shift_name: Option<String>,
    pub operator_id: Option<Uuid>,
    pub operator_name: Option<String>,
    pub good: i32,
    pub scrap: i32,
    pub scrap_reason_id: Option<i32>,
    pub scrap_reason_name: Option<String>,
    pub comment: Option<String>,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub recorded_by: Uuid,
    pub recorder_name: String,
    pub recorded_at: DateTime<Utc>,
    pub source: String,
    pub oee_line_id: Option<i32>,
    pub oee_minute: Option<DateTime<Utc>>,
    pub oee_product_id: Option<i32>,
    pub oee_total: Option<i32>,
    pub oee_good: Option<i32>,
}

impl FactRow {
    /// What it added to the production figures, if anything.
    pub fn landing(&self) -> Option<Landing> {
        Some(Landing {
            line: self.oee_line_id?,
            minute: self.oee_minute?,
            product: self.oee_product_id?,
            total: self.oee_total?,
            good: self.oee_good?,
        })
    }
}

/// An order's facts, newest first (at most `limit`), or the one `id` names.
pub(in crate::mes) async fn facts(
    tx: &mut Tx,
    tenant: TenantId,
    order: Option<i64>,
    id: Option<i64>,
    limit: i64,
) -> Result<Vec<FactRow>, sqlx::Error> {
    sqlx::query_as!(
        FactRow,
        r#"select f.id, f.order_id, f.stage_id, f.day, f.shift_id, sh.name as "shift_name?", f.operator_id,
                  op.display_name as "operator_name?", f.good, f.scrap, f.scrap_reason_id,
                  sr.name as "scrap_reason_name?", f.comment, f.reverses, rv.id as "reversed_by?", f.recorded_by,
                  rb.display_name as recorder_name, f.recorded_at, f.source,
                  f.oee_line_id, f.oee_minute, f.oee_product_id, f.oee_total, f.oee_good
           from mes_facts f
           left join production_shifts sh on sh.tenant_id = f.tenant_id and sh.id = f.shift_id
           left join users op on op.id = f.operator_id
           left join mes_scrap_reasons sr on sr.tenant_id = f.tenant_id and sr.id = f.scrap_reason_id
           left join mes_facts rv on rv.tenant_id = f.tenant_id and rv.reverses = f.id
           join users rb on rb.id = f.recorded_by
           where f.tenant_id = $1 and ($2::bigint is null or f.order_id = $2) and ($3::bigint is null or f.id = $3)
           order by f.id desc
           limit $4"#,
        tenant.0,
        order,
        id,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// Until when a manager reopened the facts of a day's shift (or of a day without a shift), the latest reopening.
pub(in crate::mes) async fn reopened_until(
    tx: &mut Tx,
    tenant: TenantId,
    day: NaiveDate,
    shift: Option<i32>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select max(until) as "until" from mes_shift_reopenings
           where tenant_id = $1 and day = $2 and shift_id is not distinct from $3"#,
        tenant.0,
        day,
        shift
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::mes) async fn reopen(
    tx: &mut Tx,
    tenant: TenantId,
    day: NaiveDate,
    shift: Option<i32>,
    until: DateTime<Utc>,
    reason: &str,
    by: UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into mes_shift_reopenings (tenant_id, day, shift_id, until, reason, by_id)
         values ($1, $2, $3, $4, $5, $6) returning id",
        tenant.0,
        day,
        shift,
        until,
        reason,
        by.0
    )
    .fetch_one(&mut **tx)
    .await
}
