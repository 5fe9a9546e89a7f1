//! The parts' workflow actions: approve, reject, resubmit, claim, assign, extend, acknowledge, unclaim, complete,
//! revert, delete (and expire, the lease job's; see `leases`).
//!
//! An action reads the part, asks the rules whether it exists from the part's state (and, where it has one target
//! per queue, which: the part's type's) and whether the caller may take it, then moves the row only at the version it
//! read (one statement) and records the event in the same transaction: of two people claiming at once exactly one
//! changes it, and the other is told who holds it (409). A request sent again under its idempotency key is answered
//! with the part as it is, and changes nothing. A caller who named no version and lost a race to something that
//! left the action possible (a drawing uploaded meanwhile) is tried again on the row as it now is.

use crate::caller::{Caller, User};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::fabrication::rules::parts::{
    self as rules, Part, PartAction, PartKind, PartProblem, PartState, Parties, check_reason, holder_after,
    needs_reason, target,
};
use crate::fabrication::rules::views::PartDetail;
use crate::fabrication::store::{list::PartRow, parts as store};
use crate::identity::rules::auth::{ApiScope, Permission, Role, permits};
use crate::ids::{FabPartId, TenantId, UserId};
use crate::notify::rules::Body;
use crate::workflow::machine::{Machine, Person, Subject, TransitionProblem};
use crate::workflow::service::{self as workflow, Step, check_key};

use super::parts::{actor, detail, detail_of, lease, parties, row};

/// Times an action without a version is tried on a part changed under it before giving up (409).
const TRIES: usize = 3;

/// What an action is sent with.
#[derive(Debug, Clone, Copy, Default)]
pub struct ActInput<'a> {
    /// Why (required to reject and revert, and for a lead taking someone else's claim away).
    pub comment: Option<&'a str>,
    /// The part's version the caller saw: changed since, the action is refused as overtaken (409).
    pub version: Option<i32>,
    pub key: Option<&'a str>,
    /// Whom a lead assigns the part to (`assign` only).
    pub assignee: Option<UserId>,
}

fn holder_of(r: &PartRow) -> Option<Person> {
    r.assignee_id.map(|h| Person { id: UserId(h), name: r.assignee_name.clone().unwrap_or_default() })
}

/// The refusal of `action` on a part found in `state`: not from that state, or (`overtaken`) changed since the caller
/// read it; either names who made it so, and who holds it.
pub(super) async fn refuse(
    tx: &mut Tx,
    tenant: TenantId,
    id: FabPartId,
    action: PartAction,
    state: PartState,
    overtaken: bool,
    holder: Option<Person>,
) -> Result<Error> {
    let subject = Subject::FabricationPart;
    workflow::refusal(tx, tenant, subject, id.0, action.as_str(), state.as_str(), overtaken, holder).await
}

/// The refusal of an action whose write found the part changed: read again in a transaction of its own.
pub(super) async fn overtaken(pool: &PgPool, tenant: TenantId, id: FabPartId, action: PartAction) -> Error {
    let answer = async {
        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        let now = row(&mut tx, tenant, id.0).await?;
        let state = PartState::decode(&now.state).map_err(Error::internal)?;
        refuse(&mut tx, tenant, id, action, state, true, holder_of(&now)).await
    };
    answer.await.unwrap_or_else(|e| e)
}

/// Whether `user` may take `action` on a part in `state` (403 naming the rule otherwise).
pub(super) fn allowed(action: PartAction, state: PartState, parties: &Parties, user: &User) -> Result<()> {
    user.require(Permission::FabWork)?;
    rules::may(action, state, parties, &actor(user))
        .map_err(|rule| Error::rejected(TransitionProblem::NotAllowed { action: action.as_str().to_owned(), rule }))
}

/// What one step writes, beyond the state it goes to.
pub(super) struct Plan<'a> {
    pub action: PartAction,
    pub to: PartState,
    pub actor: Option<UserId>,
    /// Whom it concerns besides its actor (the event's party).
    pub party: Option<UserId>,
    pub comment: Option<&'a str>,
    pub key: Option<&'a str>,
    /// A drawing revision it makes current.
    pub drawing_revision: Option<i32>,
    /// The holder has seen the current drawing after it.
    pub seen_current: bool,
}

/// Moves the part `before` by `plan` at the version read, closing and opening its stays and recording the event;
/// `None` when someone changed it first (nothing written).
pub(super) async fn apply(tx: &mut Tx, tenant: TenantId, before: &PartRow, plan: &Plan<'_>) -> Result<Option<i32>> {
    let from = PartState::decode(&before.state).map_err(Error::internal)?;
    let claim = match plan.action {
        PartAction::Claim | PartAction::Assign => store::Claim::Start,
        PartAction::Extend => store::Claim::Extend,
        PartAction::Unclaim | PartAction::Expire | PartAction::Complete | PartAction::Revert => store::Claim::End,
        _ => store::Claim::Keep,
    };
    let holder = holder_after(plan.action, before.assignee_id.map(UserId), plan.actor, plan.party);
    let m = store::Move {
        to: plan.to.as_str(),
        assignee: holder.map(|u| u.0),
        claim,
        lease_minutes: lease(tx, tenant).await?,
        seen_current: plan.seen_current,
        drawing_revision: plan.drawing_revision,
    };
    let Some(made) = store::transition(tx, tenant, before.id, before.version, &m).await? else { return Ok(None) };
    if plan.to != from {
        store::stay(tx, tenant, before.id, plan.action.as_str(), plan.to.as_str()).await?;
    }
    let step = Step {
        subject: Subject::FabricationPart,
        id: before.id,
        version: made,
        actor: plan.actor,
        action: plan.action.as_str(),
        from: Some(from.as_str()),
        to: plan.to.as_str(),
        comment: plan.comment,
        key: plan.key,
        party: plan.party,
    };
    workflow::record(tx, tenant, &step).await?;
    Ok(Some(made))
}

/// Tells the people an action on `before` concerns (its requester, its holder before and after), but not whoever
/// took it.
pub(super) async fn tell(tx: &mut Tx, tenant: TenantId, before: &PartRow, by: &User, plan: &Plan<'_>) -> Result<()> {
    let (action, to, party, comment) = (plan.action, plan.to, plan.party, plan.comment);
    let mut told: Vec<UserId> = match action {
        PartAction::Approve | PartAction::Reject | PartAction::Delete => vec![UserId(before.requester_id)],
        PartAction::Assign => party.into_iter().collect(),
        PartAction::Unclaim | PartAction::Revert => before.assignee_id.map(UserId).into_iter().collect(),
        PartAction::Complete => {
            let mut v = vec![UserId(before.requester_id)];
            v.extend(before.assignee_id.map(UserId));
            v
        }
        // A drawing made current while someone holds the part: the holder must see it.
        PartAction::AddDrawing | PartAction::ApproveDrawing if to == PartState::Claimed => {
            before.assignee_id.map(UserId).into_iter().collect()
        }
        _ => Vec::new(),
    };
    told.retain(|u| *u != by.user_id);
    told.dedup();
    if told.is_empty() {
        return Ok(());
    }
    let body = Body::PartChanged {
        part: before.id,
        name: before.name.clone(),
        by: by.display_name.clone(),
        action: action.as_str().to_owned(),
        state: to.as_str().to_owned(),
        comment: comment.map(str::to_owned),
    };
    crate::notify::service::send(tx, tenant, &told, &body, &link(before.id)).await?;
    Ok(())
}

pub(super) fn link(id: i64) -> String {
    format!("/fabrication/parts/{id}")
}

/// Checks the person a lead assigns a part to: an active member of the organisation who makes parts.
async fn check_assignee(tx: &mut Tx, user: &User, assignee: Option<UserId>) -> Result<UserId> {
    let Some(a) = assignee else { return Err(Error::field("assignee", ErrorCode::Required)) };
    let makes = store::active_role(tx, a)
        .await?
        .map(|r| Role::decode(&r).map_err(Error::internal))
        .transpose()?
        .is_some_and(|r| permits(user.tenant_kind, r, Permission::FabWork));
    if makes { Ok(a) } else { Err(Error::field("assignee", ErrorCode::InvalidInput)) }
}

/// Takes `action` on the part (`fabrication:write`, a person, as the workflow's table allows); the part as it is
/// after it.
pub async fn act(
    pool: &PgPool,
    caller: &Caller,
    id: FabPartId,
    action: PartAction,
    input: &ActInput<'_>,
) -> Result<PartDetail> {
    caller.require(ApiScope::FabricationWrite)?;
    let user = caller.user()?;
    if !PartAction::BUTTONS.contains(&action) && action != PartAction::Assign {
        // Editing and drawings have their own flows; expiring is the system's.
        return Err(Error::field("action", ErrorCode::InvalidInput));
    }
    let key = check_key(input.key)?;
    let tenant = user.tenant_id;
    for _ in 0..TRIES {
        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        if let Some(k) = key
            && let Some(seen) = workflow::seen(&mut tx, tenant, k).await?
        {
            // The same request again: answered with the part as it is now. A key used for something else is refused.
            if seen.subject != Subject::FabricationPart
                || seen.id != id.0
                || seen.action != action.as_str()
                || seen.actor != Some(user.user_id)
            {
                return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
            }
            let detail = detail_of(&mut tx, user, id.0).await?;
            tx.commit().await?;
            return Ok(detail);
        }
        let before = row(&mut tx, tenant, id.0).await?;
        let state = PartState::decode(&before.state).map_err(Error::internal)?;
        let kind = PartKind::decode(&before.kind).map_err(Error::internal)?;
        let Some(to) = target(state, action, kind) else {
            return Err(refuse(&mut tx, tenant, id, action, state, false, holder_of(&before)).await?);
        };
        if input.version.is_some_and(|v| v != before.version) {
            return Err(refuse(&mut tx, tenant, id, action, state, true, holder_of(&before)).await?);
        }
        let parties = parties(&before);
        allowed(action, state, &parties, user)?;
        let comment = check_reason(needs_reason(action, &parties, &actor(user)), input.comment)
            .map_err(|e| Error::Validation(vec![e]))?;
        let party = match action {
            PartAction::Assign => Some(check_assignee(&mut tx, user, input.assignee).await?),
            // A claim taken away names whose it was.
            PartAction::Unclaim if before.assignee_id != Some(user.user_id.0) => before.assignee_id.map(UserId),
            _ => None,
        };
        if action == PartAction::Complete
            && let Some(revision) = before.drawing_revision
            && before.seen_revision != Some(revision)
        {
            return Err(Error::rejected(PartProblem::DrawingNotAcknowledged { revision, seen: before.seen_revision }));
        }
        let plan = Plan {
            action,
            to,
            actor: Some(user.user_id),
            party,
            comment: comment.as_deref(),
            key,
            drawing_revision: None,
            seen_current: matches!(action, PartAction::Claim | PartAction::Assign | PartAction::Acknowledge),
        };
        if apply(&mut tx, tenant, &before, &plan).await?.is_none() {
            drop(tx);
            if input.version.is_none() {
                continue;
            }
            return Err(overtaken(pool, tenant, id, action).await);
        }
        tell(&mut tx, tenant, &before, user, &plan).await?;
        let detail = detail_of(&mut tx, user, id.0).await?;
        tx.commit().await?;
        return Ok(detail);
    }
    Err(overtaken(pool, tenant, id, action).await)
}

/// The part as read, for a flow that has its own transaction (drawings): its row, state and type.
pub(super) async fn read(tx: &mut Tx, tenant: TenantId, id: FabPartId) -> Result<(PartRow, PartState, PartKind)> {
    let r = row(tx, tenant, id.0).await?;
    let state = PartState::decode(&r.state).map_err(Error::internal)?;
    let kind = PartKind::decode(&r.kind).map_err(Error::internal)?;
    Ok((r, state, kind))
}

/// The part's page after a flow of its own, in its transaction.
pub(super) async fn page_of(tx: &mut Tx, user: &User, r: &PartRow) -> Result<PartDetail> {
    let r = row(tx, user.tenant_id, r.id).await?;
    detail(tx, user.tenant_id, Some(user), &r).await
}

/// Whether `action` exists from `state` as a step that keeps it there (editing, drawings).
pub(super) fn in_place(state: PartState, action: PartAction) -> bool {
    Part::allows(state, action, state)
}

/// The lease now (what extending gives), for pages that show it without a part.
pub async fn lease_minutes(pool: &PgPool, caller: &Caller) -> Result<i32> {
    caller.require(ApiScope::FabricationRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let minutes = lease(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(minutes)
}
