//! Moving stock: a posting (receive, issue, return, transfer; one or many lines, all or nothing) under an
//! idempotency key; a reversal; an item's history with its running balance; its balance as of a moment; the scan
//! lookup.
//!
//! A posting by whoever moves stock (a key, a person with the permission) whose shape holds is first tried as one
//! statement of its own (`stockroom_post` given the whole units: the scope, the facts and the call below in one round trip, no
//! transaction of the server's). It gives up, keeping nothing, when a fact fails, an alert opens or the key was
//! claimed before; the posting then goes the transactional way, which says why, tells the alert, or replays the key.
//!
//! The transactional way, in one transaction: check the lines against the organisation's items and departments (422
//! per field); then, in one call, claim the key (sent before: the first posting's movements, nothing new; with other lines: 409)
//! and insert the movements in one global order (item, then department). The database applies each to its balance,
//! locking it, and refuses any that would take one below zero. Refused so, the posting is tried again the careful
//! way, in a transaction of its own: lock the balances in that order and say, line by line, what would be lacking
//! (409 with what is left: nothing recorded). Reversals and stocktakes always post the careful way. Alerts the
//! movements open come back with the result, and their recipients are notified in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{AlertId, DepartmentId, ItemId, MovementId, PostId, TenantId};
use crate::paging::{self, Limit, Page};
use crate::stockroom::rules::ledger::{
    self, Action, Balances, ItemFacts, MovementKind, PostLine, PostProblem, PostRequest, Source,
};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::rules::views::{BalanceAsOf, DepartmentBalance, HistoryEntry, PostResult, Recorded};
use crate::stockroom::store::ledger::{self as store, Author, NewMovements, NewPost, RecordedRow};
use crate::stockroom::store::setup as setup_store;

/// Who may post these lines: people and keys who move stock; an operator only issues to themselves, from a department
/// that lets operators do so.
async fn may_post(tx: &mut Tx, caller: &Caller, tenant: TenantId, lines: &mut [PostLine]) -> Result<()> {
    match caller {
        Caller::User(u) if u.may(Permission::StockMove) => Ok(()),
        Caller::User(u) if u.may(Permission::StockIssueSelf) => {
            let departments = setup_store::departments(tx, tenant).await?;
            for l in lines.iter_mut() {
                let open =
                    departments.iter().any(|d| d.id == l.department.0 && d.self_issue && d.archived_at.is_none());
                let to_self = l.person.is_none_or(|p| p == u.user_id);
                if l.action != Action::Issue || !open || !to_self {
                    return Err(Error::Forbidden);
                }
                l.person = Some(u.user_id);
            }
            Ok(())
        }
        _ => caller.require(ApiScope::StockWrite),
    }
}

/// A posting's row as the ledger keeps it: its key, what was asked (hashed), from where, by whom, with its note.
fn header<'a>(caller: &'a Caller, req: &'a PostRequest, hash: &'a [u8]) -> NewPost<'a> {
    NewPost {
        key: &req.idempotency_key,
        hash,
        source: req.source.as_str(),
        author: author(caller),
        note: req.note.trim(),
    }
}

/// Who the posting is recorded as.
pub(super) fn author(caller: &Caller) -> Author<'_> {
    match caller {
        Caller::User(u) => Author { user: Some(u.user_id), key: None, name: &u.display_name },
        Caller::Machine(m) => Author { user: None, key: Some(m.key_id), name: &m.name },
    }
}

/// What a request is, for its key: the same lines, note and source hash the same.
fn request_hash(req: &PostRequest) -> Vec<u8> {
    let body = serde_json::json!({ "source": req.source, "note": req.note.trim(), "lines": req.lines });
    Sha256::digest(body.to_string().as_bytes()).to_vec()
}

/// The movements as the result names them, in the order of the request's lines.
fn recorded(rows: Vec<RecordedRow>) -> Result<Vec<Recorded>> {
    let mut movements = rows
        .into_iter()
        .map(|r| {
            Ok(Recorded {
                id: r.id,
                line: usize::try_from(r.line).unwrap_or_default(),
                kind: MovementKind::decode(&r.kind)?,
                item: r.item_id,
                department: r.department_id,
                quantity: Qty(r.quantity_milli),
                balance_after: Qty(r.balance_after_milli),
                at: r.occurred_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    movements.sort_by_key(|r| (r.line, r.id));
    Ok(movements)
}

/// Records a posting (see the module's documentation). The common case takes one call (`store::post_at_once`); a
/// posting that would take a balance below zero is then posted again the careful way, which names what is lacking.
pub async fn post(pool: &PgPool, caller: &Caller, req: &PostRequest) -> Result<PostResult> {
    let tenant = caller.tenant_id();
    let mut req = req.clone();
    req.idempotency_key = req.idempotency_key.trim().to_owned();
    if let Some(done) = post_alone(pool, caller, &req).await? {
        return Ok(done);
    }
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (hash, planned) = prepare(&mut tx, caller, &mut req).await?;
    let header = header(caller, &req, &hash);
    let rows = match store::post_at_once(&mut *tx, tenant, &header, &new_movements(planned), None)
        .await
        .map_err(Error::from)
    {
        Err(Error::Conflict(ErrorCode::InsufficientStock)) => {
            drop(tx);
            return post_carefully(pool, caller, &mut req).await;
        }
        other => other?,
    };
    let Some(post) = rows.first().map(|r| r.post_id) else {
        return replay(tx, tenant, &req.idempotency_key, &hash).await;
    };
    let opened = rows.iter().any(|r| r.alert_id.is_some());
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let movements = recorded(rows.into_iter().map(RecordedRow::from).collect())?;
    let alerts = if opened { super::alerts::opened(&mut tx, tenant, &ids).await? } else { Vec::new() };
    tx.commit().await?;
    Ok(PostResult { post, replayed: false, movements, alerts })
}

/// The common case in one statement (`store::post_at_once` standing alone), without a transaction of the server's: a caller who moves
/// stock (a key or a person; an operator's departments need reading first), a request whose shape holds, and, as the
/// database finds, facts that hold and no alert opened. `None` when any of that is not so, or the key was claimed
/// before: nothing was kept, and the posting goes the transactional way, which says why or replays the key. A balance
/// that would go below zero goes straight to the careful way.
async fn post_alone(pool: &PgPool, caller: &Caller, req: &PostRequest) -> Result<Option<PostResult>> {
    match caller {
        Caller::User(u) if u.may(Permission::StockMove) => {}
        Caller::Machine(_) => caller.require(ApiScope::StockWrite)?,
        Caller::User(_) => return Ok(None),
    }
    // The shape alone (every fact taken as holding, the unit as one with fractions: the statement checks those).
    let any_unit = ItemFacts { unit: Unit::Kg, archived: false };
    if ledger::check_post(req, |_| Some(any_unit), |_| Some(true)).is_err() {
        return Ok(None);
    }
    let planned = plan(req);
    let hash = request_hash(req);
    let header = header(caller, req, &hash);
    let whole: Vec<String> = Unit::ALL.iter().filter(|u| u.whole()).map(|u| u.as_str().to_owned()).collect();
    let rows = match store::post_at_once(pool, caller.tenant_id(), &header, &new_movements(planned), Some(&whole)).await
    {
        Ok(rows) => rows,
        Err(e) if gave_up(&e) => return Ok(None),
        Err(e) => {
            return match Error::from(e) {
                Error::Conflict(ErrorCode::InsufficientStock) => {
                    post_carefully(pool, caller, &mut req.clone()).await.map(Some)
                }
                other => Err(other),
            };
        }
    };
    let Some(post) = rows.first().map(|r| r.post_id) else {
        return Ok(None);
    };
    let movements = recorded(rows.into_iter().map(RecordedRow::from).collect())?;
    Ok(Some(PostResult { post, replayed: false, movements, alerts: Vec::new() }))
}

/// `stockroom_post` standing alone gave up: a fact to be named, or an alert to be told, in the transactional way.
fn gave_up(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).is_some_and(|c| c == "NX001" || c == "NX002")
}

/// A posting refused by the ledger's check: in a transaction of its own, the balances are locked and read, and the
/// posting is refused line by line with what is left (or, if stock came back meanwhile, recorded).
async fn post_carefully(pool: &PgPool, caller: &Caller, req: &mut PostRequest) -> Result<PostResult> {
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (hash, planned) = prepare(&mut tx, caller, req).await?;
    let Some(post) = store::claim(
        &mut tx,
        tenant,
        &req.idempotency_key,
        &hash,
        req.source.as_str(),
        &author(caller),
        req.note.trim(),
    )
    .await?
    else {
        return replay(tx, tenant, &req.idempotency_key, &hash).await;
    };
    let (movements, alerts) = record(&mut tx, tenant, post, planned).await?;
    tx.commit().await?;
    Ok(PostResult { post, replayed: false, movements, alerts })
}

/// Checks a posting's lines against who posts and the organisation's items and departments (a refused shape claims no
/// key), and plans its changes in apply order: the request's hash, and the changes.
async fn prepare(tx: &mut Tx, caller: &Caller, req: &mut PostRequest) -> Result<(Vec<u8>, Vec<Planned>)> {
    let tenant = caller.tenant_id();
    may_post(tx, caller, tenant, &mut req.lines).await?;
    let item_ids: Vec<i64> = req.lines.iter().map(|l| l.item.0).collect();
    let mut facts: HashMap<ItemId, ItemFacts> = HashMap::new();
    let mut departments: HashMap<DepartmentId, bool> = HashMap::new();
    for r in store::post_facts(tx, tenant, &item_ids).await? {
        if r.department {
            departments.insert(DepartmentId(i32::try_from(r.id).unwrap_or_default()), !r.archived);
        } else {
            facts.insert(ItemId(r.id), ItemFacts { unit: Unit::decode(&r.unit)?, archived: r.archived });
        }
    }
    ledger::check_post(req, |i| facts.get(&i).copied(), |d| departments.get(&d).copied()).map_err(Error::Validation)?;
    Ok((request_hash(req), plan(req)))
}

/// A checked posting's changes in apply order, with what the ledger keeps beside each.
fn plan(req: &PostRequest) -> Vec<Planned> {
    let mut changes = ledger::changes(&req.lines);
    ledger::apply_order(&mut changes);
    changes
        .into_iter()
        .map(|c| {
            let l = &req.lines[c.line - 1];
            Planned {
                person: l.person,
                reference: l.reference.trim().to_owned(),
                reason: l.reason.trim().to_owned(),
                reverses: None,
                change: c,
            }
        })
        .collect()
}

/// A change with what the ledger keeps beside it.
pub(super) struct Planned {
    pub change: ledger::Change,
    pub person: Option<crate::ids::UserId>,
    pub reference: String,
    pub reason: String,
    pub reverses: Option<MovementId>,
}

/// Records a posting's changes (in apply order) in its transaction: locks their balances in the one global order,
/// refuses the whole posting with what is left when any would go below zero (the database would refuse it too), inserts
/// the movements, and tells the recipients of the alerts they opened. Posting, reversal and stocktake all write here.
pub(super) async fn record(
    tx: &mut Tx,
    tenant: TenantId,
    post: PostId,
    planned: Vec<Planned>,
) -> Result<(Vec<Recorded>, Vec<AlertId>)> {
    let (items, depts): (Vec<i64>, Vec<i32>) = planned.iter().map(|p| (p.change.item.0, p.change.department.0)).unzip();
    let mut balances: Balances =
        store::lock_balances(tx, &items, &depts).await?.into_iter().map(|(i, d, q)| ((i, d), Qty(q))).collect();
    let changes: Vec<ledger::Change> = planned.iter().map(|p| p.change.clone()).collect();
    let short = ledger::apply(&mut balances, &changes);
    if !short.is_empty() {
        return Err(Error::rejected(PostProblem::Insufficient { lines: short }));
    }
    let rows = store::insert(tx, tenant, post, &new_movements(planned)).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let alerts = super::alerts::opened(tx, tenant, &ids).await?;
    let movements = recorded(rows)?;
    Ok((movements, alerts))
}

/// Planned changes as the columns the ledger's insert takes.
fn new_movements(planned: Vec<Planned>) -> NewMovements {
    let mut m = NewMovements::default();
    for p in planned {
        let c = p.change;
        m.line.push(i32::try_from(c.line).unwrap_or(i32::MAX));
        m.kind.push(c.kind.as_str().to_owned());
        m.item.push(c.item.0);
        m.department.push(c.department.0);
        m.quantity.push(c.delta.0);
        m.person.push(p.person.map(|u| u.0));
        m.other_department.push(c.other_department.map(|d| d.0));
        m.reference.push(p.reference);
        m.reason.push(p.reason);
        m.reverses.push(p.reverses.map(|r| r.0));
    }
    m
}

/// The key was claimed before: the same request gets what that posting recorded; another request is refused.
pub(super) async fn replay(mut tx: Tx, tenant: TenantId, key: &str, hash: &[u8]) -> Result<PostResult> {
    let (post, stored) = store::claimed(&mut tx, tenant, key).await?.ok_or(Error::Conflict(ErrorCode::Conflict))?;
    if stored != hash {
        return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
    }
    let rows = store::of_post(&mut tx, tenant, post).await?;
    tx.commit().await?;
    let movements = recorded(rows)?;
    Ok(PostResult { post, replayed: true, movements, alerts: Vec::new() })
}

/// A reversal as asked: the movement to undo, under the caller's idempotency key, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReverseRequest {
    pub idempotency_key: String,
    #[serde(default)]
    pub source: Source,
    /// Why it is undone (required: a reversal explains itself).
    pub reason: String,
}

/// Undoes movement `id` with a reversal at the same place (a transfer: both its legs), as one posting. A movement is
/// reversed at most once, and a reversal is not reversed; a reversal that would take a balance below zero (what a
/// receipt brought was issued since) is refused with what is left.
pub async fn reverse(pool: &PgPool, caller: &Caller, id: MovementId, req: &ReverseRequest) -> Result<PostResult> {
    caller.require(ApiScope::StockWrite)?;
    let tenant = caller.tenant_id();
    let key = crate::codes::check_text("idempotency_key", &req.idempotency_key, true, 100)?;
    let reason = crate::codes::check_text("reason", &req.reason, true, 300)?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let first = store::movement(&mut tx, tenant, id).await?.ok_or(Error::NotFound)?;
    let kind = MovementKind::decode(&first.kind)?;
    // A transfer is undone whole: both legs.
    let mut undo = vec![(id, first)];
    let other = match kind {
        MovementKind::TransferOut => Some("transfer_in"),
        MovementKind::TransferIn => Some("transfer_out"),
        _ => None,
    };
    if let Some(other) = other {
        let (post, line) = (undo[0].1.post_id, undo[0].1.line);
        if let Some(leg) = store::other_leg(&mut tx, tenant, post, line, other).await? {
            let facts = store::movement(&mut tx, tenant, leg).await?.ok_or(Error::NotFound)?;
            undo.push((leg, facts));
        }
    }
    let mut planned = Vec::new();
    for (mid, f) in &undo {
        if f.reversed_by.is_some() {
            return Err(Error::Conflict(ErrorCode::AlreadyReversed));
        }
        let delta =
            ledger::reversal_of(MovementKind::decode(&f.kind)?, Qty(f.quantity_milli)).map_err(Error::Conflict)?;
        let change = ledger::Change {
            line: 1,
            kind: MovementKind::Reversal,
            item: f.item_id,
            department: f.department_id,
            delta,
            other_department: None,
        };
        planned.push(Planned {
            change,
            person: None,
            reference: String::new(),
            reason: reason.clone(),
            reverses: Some(*mid),
        });
    }
    planned.sort_by_key(|p| (p.change.item, p.change.department));
    let hash = Sha256::digest(format!("reverse {id} {reason}").as_bytes()).to_vec();
    let Some(post) = store::claim(&mut tx, tenant, &key, &hash, req.source.as_str(), &author(caller), &reason).await?
    else {
        return replay(tx, tenant, &key, &hash).await;
    };
    let (movements, alerts) = record(&mut tx, tenant, post, planned).await?;
    tx.commit().await?;
    Ok(PostResult { post, replayed: false, movements, alerts })
}

/// Movements per history page: 50 unless asked, at most 500.
pub const HISTORY_PAGE: i64 = 50;
pub const HISTORY_MAX: i64 = 500;

/// An item's history, newest first, each movement with the balance right after it (`stock:read`).
pub async fn history(
    pool: &PgPool,
    caller: &Caller,
    item: ItemId,
    department: Option<DepartmentId>,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<HistoryEntry>> {
    caller.require(ApiScope::StockRead)?;
    let limit = Limit::new(limit, HISTORY_PAGE, HISTORY_MAX)?;
    let before = paging::after::<i64>(after, ())?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if setup_store::item_unit(&mut tx, tenant, item.0).await?.is_none() {
        return Err(Error::NotFound);
    }
    let rows = store::history(&mut tx, tenant, item, department, before, limit.fetch()).await?;
    tx.commit().await?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(HistoryEntry {
                id: r.id,
                post: r.post_id,
                kind: MovementKind::decode(&r.kind)?,
                department: r.department_id,
                quantity: Qty(r.quantity_milli),
                balance_after: Qty(r.balance_after_milli),
                person: r.person,
                other_department: r.other_department_id.map(DepartmentId),
                reference: r.reference,
                reason: r.reason,
                reverses: r.reverses.map(MovementId),
                reversed_by: r.reversed_by.map(MovementId),
                at: r.occurred_at,
                author: r.author,
                source: Source::decode(&r.source)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::cut(items, limit, |h: &HistoryEntry| h.id.0))
}

/// An item's balance in each department as of `at` (`stock:read`).
pub async fn balance_as_of(pool: &PgPool, caller: &Caller, item: ItemId, at: DateTime<Utc>) -> Result<BalanceAsOf> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if setup_store::item_unit(&mut tx, tenant, item.0).await?.is_none() {
        return Err(Error::NotFound);
    }
    let rows = store::balances_as_of(&mut tx, tenant, item, at).await?;
    tx.commit().await?;
    let departments: Vec<DepartmentBalance> =
        rows.into_iter().map(|(department, q)| DepartmentBalance { department, balance: Qty(q) }).collect();
    let total = departments.iter().map(|d| d.balance).sum();
    Ok(BalanceAsOf { item, at, departments, total })
}

/// Whether every balance of the organisation is the sum of its movements and none is negative: the count of those
/// that are not (0, always). The benchmark's and the tests' check after concurrent runs.
pub async fn disagreements(pool: &PgPool, tenant: TenantId) -> Result<i64> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let n = store::disagreements(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(n)
}

/// The posting a key names, if any (tests).
pub async fn post_of_key(pool: &PgPool, tenant: TenantId, key: &str) -> Result<Option<PostId>> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let found = store::claimed(&mut tx, tenant, key).await?.map(|(p, _)| p);
    tx.commit().await?;
    Ok(found)
}
