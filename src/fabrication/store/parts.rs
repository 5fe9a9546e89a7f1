//! A part's own statements: created, moved by one conditional update on the version read, its stays, its settings
//! and subsystems, the people it may be assigned to, the leases past their end.
//!
//! Indexes: the primary key `(tenant_id, id)` for every statement on one part; `fabrication_parts_key` a request's
//! key; `fabrication_stays_open` a part's open stay; `fabrication_parts_leases` the claims past their lease.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

/// What a part is created with.
pub(in crate::fabrication) struct NewPart<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub subsystem: Option<i32>,
    pub quantity: i32,
    pub material: &'a str,
    pub notes: &'a str,
    pub priority: &'a str,
    pub due_date: Option<NaiveDate>,
    pub cad_url: Option<&'a str>,
    pub requester: Uuid,
    pub key: Option<&'a str>,
}

/// Inserts a part in review with its first stay; `None`: a request under the same key made one meanwhile.
pub(in crate::fabrication) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    p: &NewPart<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "insert into fabrication_parts
             (tenant_id, name, kind, subsystem_id, quantity, material, notes, priority, due_date, cad_url,
              requester_id, idempotency_key)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
         returning id",
        tenant.0,
        p.name,
        p.kind,
        p.subsystem,
        p.quantity,
        p.material,
        p.notes,
        p.priority,
        p.due_date,
        p.cad_url,
        p.requester,
        p.key,
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = id {
        sqlx::query!(
            "insert into fabrication_stays (tenant_id, part_id, state, entered_at) values ($1, $2, 'review', now())",
            tenant.0,
            id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// The part a request's key made, and who asked for it.
pub(in crate::fabrication) async fn by_key(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
) -> Result<Option<(i64, Uuid)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select id, requester_id from fabrication_parts where tenant_id = $1 and idempotency_key = $2",
        tenant.0,
        key
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.id, r.requester_id)))
}

/// A part's fields as written (an edit), on the version read.
pub(in crate::fabrication) struct Fields<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub subsystem: Option<i32>,
    pub quantity: i32,
    pub material: &'a str,
    pub notes: &'a str,
    pub priority: &'a str,
    pub due_date: Option<NaiveDate>,
    pub cad_url: Option<&'a str>,
}

/// Writes a part's fields if it is still at `version`: the version it made, or `None` when someone changed it first.
pub(in crate::fabrication) async fn write_fields(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    version: i32,
    f: &Fields<'_>,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "update fabrication_parts set name = $4, kind = $5, subsystem_id = $6, quantity = $7, material = $8,
                notes = $9, priority = $10, due_date = $11, cad_url = $12, version = version + 1, updated_at = now()
         where tenant_id = $1 and id = $2 and version = $3
         returning version",
        tenant.0,
        id,
        version,
        f.name,
        f.kind,
        f.subsystem,
        f.quantity,
        f.material,
        f.notes,
        f.priority,
        f.due_date,
        f.cad_url,
    )
    .fetch_optional(&mut **tx)
    .await
}

/// What a transition does to a part's claim: starts one (now, for the lease), extends it (from now), keeps it, or
/// ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::fabrication) enum Claim {
    Start,
    Extend,
    Keep,
    End,
}

impl Claim {
    fn as_str(self) -> &'static str {
        match self {
            Claim::Start => "start",
            Claim::Extend => "extend",
            Claim::Keep => "keep",
            Claim::End => "end",
        }
    }
}

/// What a transition writes.
pub(in crate::fabrication) struct Move<'a> {
    pub to: &'a str,
    pub assignee: Option<Uuid>,
    pub claim: Claim,
    pub lease_minutes: i32,
    /// The holder has seen the current drawing (a claim starts, a drawing acknowledged or uploaded by its holder).
    pub seen_current: bool,
    /// A drawing revision approved: the part's current one.
    pub drawing_revision: Option<i32>,
}

/// Moves a part that is still at `version` (one statement: of two people acting at once exactly one changes it): the
/// version it made, `None` when someone changed it first. A part completed keeps the drawing it was made from; one back in a queue
/// forgets it.
pub(in crate::fabrication) async fn transition(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    version: i32,
    m: &Move<'_>,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "update fabrication_parts p set
             state = $4, version = p.version + 1, updated_at = now(),
             state_since = case when p.state = $4 then p.state_since else now() end,
             assignee_id = $5,
             claimed_at = case $6 when 'start' then now() when 'end' then null else p.claimed_at end,
             claim_expires_at = case $6 when 'start' then now() + make_interval(mins => $7)
                                        when 'extend' then now() + make_interval(mins => $7)
                                        when 'end' then null else p.claim_expires_at end,
             drawing_revision = coalesce($9, p.drawing_revision),
             seen_revision = case when $8 then coalesce($9, p.drawing_revision)
                                  when $6 = 'end' then null else p.seen_revision end,
             made_from_revision = case when $4 = 'completed' and p.state <> 'completed' then p.drawing_revision
                                       when $4 = 'completed' then p.made_from_revision end
         where p.tenant_id = $1 and p.id = $2 and p.version = $3
         returning p.version",
        tenant.0,
        id,
        version,
        m.to,
        m.assignee,
        m.claim.as_str(),
        m.lease_minutes,
        m.seen_current,
        m.drawing_revision,
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Makes a drawing revision the part's current one (its row is locked by the transition just made); `holder_saw`:
/// its holder uploaded or approved it, so has seen it.
pub(in crate::fabrication) async fn make_current(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    revision: i32,
    holder_saw: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update fabrication_parts set drawing_revision = $3,
                seen_revision = case when $4 then $3 else seen_revision end
         where tenant_id = $1 and id = $2",
        tenant.0,
        id,
        revision,
        holder_saw
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes a part's open stay (left by `action`) and opens one in `to` (a transition that changed its state).
pub(in crate::fabrication) async fn stay(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    action: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update fabrication_stays set left_at = now(), left_by = $3
         where tenant_id = $1 and part_id = $2 and left_at is null",
        tenant.0,
        id,
        action
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "insert into fabrication_stays (tenant_id, part_id, state, entered_at) values ($1, $2, $3, now())",
        tenant.0,
        id,
        to
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The organisation's lease (minutes), if it set one.
pub(in crate::fabrication) async fn lease(tx: &mut Tx, tenant: TenantId) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!("select lease_minutes from fabrication_settings where tenant_id = $1", tenant.0)
        .fetch_optional(&mut **tx)
        .await
}

pub(in crate::fabrication) async fn set_lease(tx: &mut Tx, tenant: TenantId, minutes: i32) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into fabrication_settings (tenant_id, lease_minutes) values ($1, $2)
         on conflict (tenant_id) do update set lease_minutes = excluded.lease_minutes",
        tenant.0,
        minutes
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::fabrication) struct SubsystemRow {
    pub id: i32,
    pub name: String,
    pub archived: bool,
}

pub(in crate::fabrication) async fn subsystems(
    tx: &mut Tx,
    tenant: TenantId,
) -> Result<Vec<SubsystemRow>, sqlx::Error> {
    sqlx::query_as!(
        SubsystemRow,
        r#"select id, name, archived_at is not null as "archived!" from fabrication_subsystems
           where tenant_id = $1 order by archived_at is not null, lower(name)"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// Creates a subsystem, or changes the one `id` names (`None` when it does not exist). A name taken is the unique
/// index's error.
pub(in crate::fabrication) async fn save_subsystem(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<i32>,
    name: &str,
    archived: bool,
) -> Result<Option<i32>, sqlx::Error> {
    match id {
        None => {
            sqlx::query_scalar!(
                "insert into fabrication_subsystems (tenant_id, name, archived_at)
             values ($1, $2, case when $3 then now() end) returning id",
                tenant.0,
                name,
                archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_scalar!(
                "update fabrication_subsystems set name = $3,
                    archived_at = case when $4 then coalesce(archived_at, now()) end
             where tenant_id = $1 and id = $2 returning id",
                tenant.0,
                id,
                name,
                archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// Whether a subsystem of the organisation may file a part: it exists and is not archived.
pub(in crate::fabrication) async fn subsystem_usable(
    tx: &mut Tx,
    tenant: TenantId,
    id: i32,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from fabrication_subsystems where tenant_id = $1 and id = $2 and archived_at is null)
           as "usable!""#,
        tenant.0,
        id
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::fabrication) struct PersonRow {
    pub id: Uuid,
    pub display_name: String,
    pub role: String,
}

/// The organisation's active people of `roles` (those who make parts), by name.
pub(in crate::fabrication) async fn people(tx: &mut Tx, roles: &[String]) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        "select id, display_name, role from users where status = 'active' and role = any($1) order by display_name, id",
        roles
    )
    .fetch_all(&mut **tx)
    .await
}

/// A person's role, if they are an active member of the organisation the transaction is scoped to.
pub(in crate::fabrication) async fn active_role(tx: &mut Tx, user: UserId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select role from users where id = $1 and status = 'active'", user.0)
        .fetch_optional(&mut **tx)
        .await
}

/// A claim past its lease.
pub(in crate::fabrication) struct LapsedRow {
    pub tenant_id: Uuid,
    pub id: i64,
}

/// Claims whose lease has ended, oldest first, of every organisation (the platform's scope).
pub(in crate::fabrication) async fn lapsed(tx: &mut Tx, limit: i64) -> Result<Vec<LapsedRow>, sqlx::Error> {
    sqlx::query_as!(
        LapsedRow,
        "select tenant_id, id from fabrication_parts
         where state = 'claimed' and claim_expires_at <= now() order by claim_expires_at limit $1",
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// A demo account.
pub(in crate::fabrication) struct DemoPerson {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub display_name: String,
}

/// The demo's people by e-mail (the platform's scope).
pub(in crate::fabrication) async fn people_by_email(
    tx: &mut Tx,
    emails: &[String],
) -> Result<Vec<DemoPerson>, sqlx::Error> {
    sqlx::query_as!(
        DemoPerson,
        "select tenant_id, id, email, role, display_name from users where email = any($1) and status = 'active'",
        emails
    )
    .fetch_all(&mut **tx)
    .await
}

/// Whether `tenant` has any part.
pub(in crate::fabrication) async fn has_parts(tx: &mut Tx, tenant: TenantId) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("select 1 as one from fabrication_parts where tenant_id = $1 limit 1", tenant.0)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}
