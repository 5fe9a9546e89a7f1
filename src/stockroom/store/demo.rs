//! The demo store room's SQL: which organisation still needs one, and movements written with their (past) times.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{PostId, TenantId, UserId};
use crate::stockroom::store::ledger::NewMovements;

/// The demo organisation of this name and kind when it has no store room yet: its id, its storekeeper (id and name:
/// supply, else the owner, else the workshop's own account) and its operators.
pub(in crate::stockroom) async fn unconfigured(
    tx: &mut Tx,
    name: &str,
    kind: &str,
) -> Result<Option<(TenantId, (UserId, String), Vec<UserId>)>, sqlx::Error> {
    let Some(tenant) = sqlx::query_scalar!(
        r#"select t.id as "id: TenantId" from tenants t
           where t.name = $1 and t.kind = $2
             and not exists (select 1 from stockroom_departments d where d.tenant_id = t.id)"#,
        name,
        kind
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let people = sqlx::query!(
        r#"select id as "id: UserId", display_name, role from users
           where tenant_id = $1 and status = 'active' and role in ('supply', 'operator', 'owner', 'workshop')
           order by role, created_at"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await?;
    let keeper = people
        .iter()
        .find(|p| p.role == "supply")
        .or_else(|| people.iter().find(|p| p.role == "owner"))
        .or_else(|| people.iter().find(|p| p.role == "workshop"))
        .map(|p| (p.id, p.display_name.clone()));
    let operators = people.iter().filter(|p| p.role == "operator").map(|p| p.id).collect();
    Ok(keeper.map(|k| (tenant, k, operators)))
}

/// Inserts movements with the times given (in order: each balance's movements in time order).
pub(in crate::stockroom) async fn insert_at(
    tx: &mut Tx,
    tenant: TenantId,
    post: PostId,
    m: &NewMovements,
    at: &[DateTime<Utc>],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into stockroom_movements (tenant_id, post_id, line, kind, item_id, department_id, quantity_milli,
                                            person_id, reference, occurred_at)
           select $1, $2, m.line, m.kind, m.item, m.department, m.quantity, m.person, m.reference, m.at
           from unnest($3::int[], $4::text[], $5::bigint[], $6::int[], $7::bigint[], $8::uuid[], $9::text[],
                       $10::timestamptz[])
                with ordinality as m(line, kind, item, department, quantity, person, reference, at, n)
           order by m.n"#,
        tenant.0,
        post.0,
        &m.line,
        &m.kind,
        &m.item,
        &m.department,
        &m.quantity,
        &m.person as &[Option<uuid::Uuid>],
        &m.reference,
        at
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
