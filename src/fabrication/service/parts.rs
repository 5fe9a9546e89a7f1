//! Parts: asked for, edited, listed (search, filters, five orders, keyset pages), shown as a board, read with their
//! drawings and timeline and what the caller may do. What every flow of the area shares is here too: a part's row
//! read and turned into its public values, the plant's today, a request's key.

use chrono::NaiveDate;

use crate::caller::{Caller, User};
use crate::codes::{ErrorCode, FieldError};
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::fabrication::rules::list::{PartCursor, PartQuery, PartSort, SEARCH_MAX};
use crate::fabrication::rules::parts::{
    self as rules, Actor, LEASE_DEFAULT, Part, PartAction, PartInput, PartKind, PartState, Parties, Priority,
};
use crate::fabrication::rules::views::{Board, Drawing, PartDetail, PartSummary, StateCount, Subsystem};
use crate::fabrication::store::{drawings as drawing_store, list as store, parts as part_store};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{FabPartId, SubsystemId, TenantId, UserId};
use crate::paging::{Cursor, Limit, Page};
use crate::workflow::machine::{CREATED, Machine, Person, Subject};
use crate::workflow::service::{self as workflow, Step, check_key};

/// Parts a page of the table holds.
pub const PAGE: i64 = 50;
/// Words a search looks for, at most (each must be found).
pub const WORDS_MAX: usize = 5;

pub(super) fn actor(user: &User) -> Actor {
    Actor { user: user.user_id, lead: user.may(Permission::FabLead) }
}

fn person(id: uuid::Uuid, name: Option<String>) -> Person {
    Person { id: UserId(id), name: name.unwrap_or_default() }
}

/// A part's row as the wire carries it.
pub(super) fn summary(r: &store::PartRow, today: NaiveDate) -> Result<PartSummary> {
    let state = PartState::decode(&r.state).map_err(Error::internal)?;
    Ok(PartSummary {
        id: FabPartId(r.id),
        name: r.name.clone(),
        kind: PartKind::decode(&r.kind).map_err(Error::internal)?,
        subsystem: match (r.subsystem_id, &r.subsystem_name) {
            (Some(id), Some(name)) => Some(Subsystem {
                id: SubsystemId(id),
                name: name.clone(),
                archived: r.subsystem_archived.unwrap_or(false),
            }),
            _ => None,
        },
        quantity: r.quantity,
        material: r.material.clone(),
        priority: Priority::decode(&r.priority).map_err(Error::internal)?,
        due_date: r.due_date,
        overdue: r.due_date.is_some_and(|d| d < today) && !matches!(state, PartState::Completed | PartState::Deleted),
        state,
        version: r.version,
        requester: person(r.requester_id, Some(r.requester_name.clone())),
        assignee: r.assignee_id.map(|id| person(id, r.assignee_name.clone())),
        claimed_at: r.claimed_at,
        claim_expires_at: r.claim_expires_at,
        drawing_revision: r.drawing_revision,
        drawing_changed: state == PartState::Claimed
            && r.drawing_revision.is_some()
            && r.seen_revision != r.drawing_revision,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub(super) fn parties(r: &store::PartRow) -> Parties {
    Parties { requester: UserId(r.requester_id), holder: r.assignee_id.map(UserId), uploader: None }
}

/// A part's row (deleted ones too), or 404.
pub(super) async fn row(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<store::PartRow> {
    store::by_ids(tx, tenant, &[id]).await?.into_iter().next().ok_or(Error::NotFound)
}

/// The organisation's lease, in minutes.
pub(super) async fn lease(tx: &mut Tx, tenant: TenantId) -> Result<i32> {
    Ok(part_store::lease(tx, tenant).await?.unwrap_or(LEASE_DEFAULT))
}

/// The part (as read) with its drawings, timeline and what `user` may do to it.
pub(super) async fn detail(
    tx: &mut Tx,
    tenant: TenantId,
    user: Option<&User>,
    r: &store::PartRow,
) -> Result<PartDetail> {
    let today = crate::production::service::dashboard::today(tx).await?;
    let part = summary(r, today)?;
    let timeline = workflow::timeline(tx, tenant, Subject::FabricationPart, r.id).await?;
    let rows = drawing_store::of_part(tx, tenant, r.id).await?;
    let works = user.filter(|u| u.may(Permission::FabWork));
    let parties = parties(r);
    let state = part.state;
    let may = |action: PartAction, parties: &Parties| {
        works.is_some_and(|u| {
            Part::actions_from(state).contains(&action) && rules::may(action, state, parties, &actor(u)).is_ok()
        })
    };
    // Acknowledging is offered while there is a new drawing to see.
    let actions = PartAction::BUTTONS
        .into_iter()
        .filter(|a| *a != PartAction::Acknowledge || part.drawing_changed)
        .filter(|a| may(*a, &parties))
        .collect();
    let current = r.drawing_revision;
    let mut may_approve_drawings = Vec::new();
    let drawings = rows
        .into_iter()
        .map(|d| {
            let pending = d.approved_at.is_none() && current.is_none_or(|c| d.revision > c);
            let theirs = Parties { uploader: Some(UserId(d.uploaded_by)), ..parties };
            if pending && may(PartAction::ApproveDrawing, &theirs) {
                may_approve_drawings.push(d.revision);
            }
            Drawing {
                revision: d.revision,
                name: d.name,
                media_type: d.media_type,
                size: d.size,
                note: d.note,
                uploaded_by: person(d.uploaded_by, Some(d.uploader_name)),
                uploaded_at: d.uploaded_at,
                approved_by: d.approved_by.map(|id| person(id, d.approver_name)),
                approved_at: d.approved_at,
                current: Some(d.revision) == current,
            }
        })
        .collect();
    Ok(PartDetail {
        part,
        notes: r.notes.clone(),
        cad_url: r.cad_url.clone(),
        seen_revision: r.seen_revision,
        made_from_revision: r.made_from_revision,
        drawings,
        timeline,
        actions,
        may_edit: may(PartAction::Edit, &parties),
        may_add_drawing: may(PartAction::AddDrawing, &parties),
        may_approve_drawings,
        lease_minutes: lease(tx, tenant).await?,
    })
}

/// The part by id, read again in the caller's transaction, with all its page shows.
pub(super) async fn detail_of(tx: &mut Tx, user: &User, id: i64) -> Result<PartDetail> {
    let r = row(tx, user.tenant_id, id).await?;
    detail(tx, user.tenant_id, Some(user), &r).await
}

/// Checks what a part is written with against the organisation's data (its subsystem).
async fn check_input(tx: &mut Tx, tenant: TenantId, input: &PartInput) -> Result<PartInput> {
    let input = input.check().map_err(Error::Validation)?;
    if let Some(s) = input.subsystem
        && !part_store::subsystem_usable(tx, tenant, s.0).await?
    {
        return Err(Error::field("subsystem", ErrorCode::InvalidInput));
    }
    Ok(input)
}

/// Asks for a part (`fabrication:write`, a person who makes parts): it waits in review for a lead other than its
/// requester. Sent again under its key, it is the part the first request made.
pub async fn create(pool: &PgPool, caller: &Caller, input: &PartInput, key: Option<&str>) -> Result<PartDetail> {
    caller.require(ApiScope::FabricationWrite)?;
    let user = caller.user()?;
    let key = check_key(key)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(k) = key
        && let Some((id, requester)) = part_store::by_key(&mut tx, tenant, k).await?
    {
        if requester != user.user_id.0 {
            return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
        }
        let detail = detail_of(&mut tx, user, id).await?;
        tx.commit().await?;
        return Ok(detail);
    }
    let input = check_input(&mut tx, tenant, input).await?;
    let new = part_store::NewPart {
        name: &input.name,
        kind: input.kind.as_str(),
        subsystem: input.subsystem.map(|s| s.0),
        quantity: input.quantity,
        material: &input.material,
        notes: &input.notes,
        priority: input.priority.as_str(),
        due_date: input.due_date,
        cad_url: input.cad_url.as_deref(),
        requester: user.user_id.0,
        key,
    };
    // A key raced by its own twin: the other request made the part.
    let Some(id) = part_store::insert(&mut tx, tenant, &new).await? else {
        return Err(Error::Conflict(ErrorCode::Conflict));
    };
    let step = Step {
        subject: Subject::FabricationPart,
        id,
        version: 1,
        actor: Some(user.user_id),
        action: CREATED,
        from: None,
        to: Part::FIRST.as_str(),
        comment: None,
        key: None,
        party: None,
    };
    workflow::record(&mut tx, tenant, &step).await?;
    let detail = detail_of(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Changes a part's fields (`fabrication:write`; its requester while it is a request, a lead any time), at the
/// version the caller saw (changed since: 409 naming who). Its type is fixed once approved (it decides the queue).
pub async fn edit(
    pool: &PgPool,
    caller: &Caller,
    id: FabPartId,
    input: &PartInput,
    version: i32,
) -> Result<PartDetail> {
    caller.require(ApiScope::FabricationWrite)?;
    let user = caller.user()?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let before = row(&mut tx, tenant, id.0).await?;
    let state = PartState::decode(&before.state).map_err(Error::internal)?;
    let holder =
        before.assignee_id.map(|h| Person { id: UserId(h), name: before.assignee_name.clone().unwrap_or_default() });
    if !Part::allows(state, PartAction::Edit, state) {
        return Err(super::actions::refuse(&mut tx, tenant, id, PartAction::Edit, state, false, holder).await?);
    }
    if version != before.version {
        return Err(super::actions::refuse(&mut tx, tenant, id, PartAction::Edit, state, true, holder).await?);
    }
    super::actions::allowed(PartAction::Edit, state, &parties(&before), user)?;
    let input = check_input(&mut tx, tenant, input).await?;
    if input.kind.as_str() != before.kind && !state.requested() {
        return Err(Error::Validation(vec![FieldError::new("type", ErrorCode::InvalidInput)]));
    }
    let fields = part_store::Fields {
        name: &input.name,
        kind: input.kind.as_str(),
        subsystem: input.subsystem.map(|s| s.0),
        quantity: input.quantity,
        material: &input.material,
        notes: &input.notes,
        priority: input.priority.as_str(),
        due_date: input.due_date,
        cad_url: input.cad_url.as_deref(),
    };
    let Some(made) = part_store::write_fields(&mut tx, tenant, id.0, version, &fields).await? else {
        drop(tx);
        return Err(super::actions::overtaken(pool, tenant, id, PartAction::Edit).await);
    };
    let step = Step {
        subject: Subject::FabricationPart,
        id: id.0,
        version: made,
        actor: Some(user.user_id),
        action: PartAction::Edit.as_str(),
        from: Some(state.as_str()),
        to: state.as_str(),
        comment: None,
        key: None,
        party: None,
    };
    workflow::record(&mut tx, tenant, &step).await?;
    let detail = detail_of(&mut tx, user, id.0).await?;
    tx.commit().await?;
    Ok(detail)
}

/// A part with its drawings and timeline (`fabrication:read`).
pub async fn get(pool: &PgPool, caller: &Caller, id: FabPartId) -> Result<PartDetail> {
    caller.require(ApiScope::FabricationRead)?;
    let user = match caller {
        Caller::User(u) => Some(u),
        Caller::Machine(_) => None,
    };
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let r = row(&mut tx, tenant, id.0).await?;
    let detail = detail(&mut tx, tenant, user, &r).await?;
    tx.commit().await?;
    Ok(detail)
}

/// The words a search looks for: folded by the database, here only split and bounded.
fn words(search: Option<&str>) -> Result<Vec<String>> {
    let Some(text) = crate::codes::check_filter("search", search, SEARCH_MAX)? else { return Ok(Vec::new()) };
    let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    if words.len() > WORDS_MAX {
        return Err(Error::field("search", ErrorCode::TooLong));
    }
    Ok(words)
}

/// A page of the table (`fabrication:read`): searched, filtered, in one of five orders, after its cursor.
pub async fn list(pool: &PgPool, caller: &Caller, q: &PartQuery) -> Result<Page<PartSummary>> {
    caller.require(ApiScope::FabricationRead)?;
    let limit = Limit::new(q.limit, PAGE, 200).map_err(|e| Error::Validation(vec![e]))?;
    let after =
        crate::paging::after::<PartCursor>(q.after.as_deref(), q.sort).map_err(|e| Error::Validation(vec![e]))?;
    let words = words(q.search.as_deref())?;
    if q.states.contains(&PartState::Deleted) {
        return Err(Error::field("state", ErrorCode::InvalidInput));
    }
    let me = match caller {
        Caller::User(u) => Some(u.user_id.0),
        Caller::Machine(_) => None,
    };
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let today = crate::production::service::dashboard::today(&mut tx).await?;
    let f = store::Filter {
        tenant,
        words: &words,
        states: (!q.states.is_empty()).then(|| q.states.iter().map(|s| s.as_str().to_owned()).collect()),
        kind: q.kind.map(PartKind::as_str),
        subsystem: q.subsystem.map(|s| s.0),
        assignee: q.assignee.map(|u| u.0),
        // A machine has no claims of its own: "mine" is nobody's.
        mine: if q.mine { Some(me.unwrap_or_else(uuid::Uuid::nil)) } else { None },
        overdue_before: q.overdue.then_some(today),
        sort: q.sort,
        desc: q.desc.unwrap_or(q.sort.descending_by_default()),
        after: after.as_ref(),
        limit: limit.fetch(),
    };
    let rows = store::page(&mut tx, &f).await?;
    tx.commit().await?;
    let sort = q.sort;
    let page = Page::cut(rows, limit, |r| cursor(sort, r));
    page.try_map(|r| summary(&r, today))
}

/// The cursor of a row in the order `sort`.
fn cursor(sort: PartSort, r: &store::PartRow) -> PartCursor {
    use crate::fabrication::rules::list::CursorValue;
    let value = match sort {
        PartSort::Name => CursorValue::Text(r.name_key.clone()),
        PartSort::Assignee => CursorValue::Text(r.assignee_key.clone()),
        PartSort::State => CursorValue::Int(i64::from(r.state_rank)),
        PartSort::Created => CursorValue::At(r.created_at),
        PartSort::Due => CursorValue::Date(r.due_date),
    };
    PartCursor { value, id: r.id }
}

/// The counts by state now (every shown state, zeros included).
pub(super) fn by_state(counts: &[(String, i64)]) -> Vec<StateCount> {
    PartState::SHOWN
        .iter()
        .map(|s| StateCount { state: *s, count: counts.iter().filter(|(c, _)| c == s.as_str()).map(|(_, n)| n).sum() })
        .collect()
}

/// The board (`fabrication:read`): the newest `per` parts of each column and every column's count.
pub async fn board(pool: &PgPool, caller: &Caller, per: i64) -> Result<Board> {
    caller.require(ApiScope::FabricationRead)?;
    let tenant = caller.tenant_id();
    let per = per.clamp(1, 200);
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let today = crate::production::service::dashboard::today(&mut tx).await?;
    let states: Vec<String> = PartState::SHOWN.iter().map(|s| s.as_str().to_owned()).collect();
    let found = store::board_ids(&mut tx, tenant, &states, per + 1).await?;
    let mut more = Vec::new();
    let mut ids = Vec::with_capacity(found.len());
    for state in PartState::SHOWN {
        let of: Vec<i64> = found.iter().filter(|(s, _)| s == state.as_str()).map(|(_, id)| *id).collect();
        if of.len() as i64 > per {
            more.push(state);
        }
        ids.extend(of.into_iter().take(usize::try_from(per).unwrap_or(0)));
    }
    let rows = if ids.is_empty() { Vec::new() } else { store::by_ids(&mut tx, tenant, &ids).await? };
    let counts = store::counts(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(Board { parts: rows.iter().map(|r| summary(r, today)).collect::<Result<_>>()?, counts: by_state(&counts), more })
}

/// The encoded cursor of a page's row (the REST document states its pattern).
pub const CURSOR_PATTERN: &str = <PartCursor as Cursor>::PATTERN;
