//! Recording a transition's event, reading a timeline, and the refusals that name who got there first.

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::{TenantId, UserId};
use crate::workflow::machine::{Event, Person, Subject, TransitionProblem};
use crate::workflow::store;

/// The longest idempotency key a request may send.
pub const KEY_MAX: usize = 100;

/// A request's idempotency key: 1 to 100 characters, no control characters (a bad one is 422 on `idempotency_key`).
pub fn check_key(key: Option<&str>) -> Result<Option<&str>> {
    match key {
        None => Ok(None),
        Some(k) if k.is_empty() || k.chars().count() > KEY_MAX || k.chars().any(char::is_control) => {
            Err(Error::field("idempotency_key", crate::codes::ErrorCode::InvalidInput))
        }
        Some(k) => Ok(Some(k)),
    }
}

/// One step to record: the subject's version it made, who, what, from where to where, why, under which key.
pub struct Step<'a> {
    pub subject: Subject,
    pub id: i64,
    pub version: i32,
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub comment: Option<&'a str>,
    pub key: Option<&'a str>,
    /// Whom the step concerns besides its actor (see [`Event::party`]).
    pub party: Option<UserId>,
}

/// Records `step` in the transaction of the subject's own change (the version it made is unique per subject: a
/// second event for one version fails the transaction).
pub async fn record(tx: &mut Tx, tenant: TenantId, step: &Step<'_>) -> Result<()> {
    let e = store::NewEvent {
        subject: step.subject.as_str(),
        subject_id: step.id,
        version: step.version,
        actor: step.actor.map(|u| u.0),
        action: step.action,
        from: step.from,
        to: step.to,
        comment: step.comment,
        key: step.key,
        party: step.party.map(|u| u.0),
    };
    store::insert(tx, tenant, &e).await?;
    Ok(())
}

fn event(r: store::EventRow) -> Event {
    Event {
        version: r.version,
        at: r.at,
        by: r.actor_id.map(|id| Person { id: UserId(id), name: r.actor_name.unwrap_or_default() }),
        action: r.action,
        from: r.from_state,
        to: r.to_state,
        comment: r.comment,
        party: r.party_id.map(|id| Person { id: UserId(id), name: r.party_name.unwrap_or_default() }),
    }
}

/// A subject's timeline, oldest first.
pub async fn timeline(tx: &mut Tx, tenant: TenantId, subject: Subject, id: i64) -> Result<Vec<Event>> {
    Ok(store::events(tx, tenant, subject.as_str(), id).await?.into_iter().map(event).collect())
}

/// The refusal of `action` on a subject found in `state`: not from that state, or (`overtaken`) changed by someone
/// since the caller read it; either names who made the subject what it is, and when, and who holds it (`holder`).
#[allow(clippy::too_many_arguments)]
pub async fn refusal(
    tx: &mut Tx,
    tenant: TenantId,
    subject: Subject,
    id: i64,
    action: &str,
    state: &str,
    overtaken: bool,
    holder: Option<Person>,
) -> Result<Error> {
    let last = store::last(tx, tenant, subject.as_str(), id).await?.map(event);
    let (by, at) = match last {
        Some(e) => (e.by, e.at),
        None => (None, chrono::Utc::now()),
    };
    let (action, state) = (action.to_owned(), state.to_owned());
    Ok(Error::rejected(if overtaken {
        TransitionProblem::Overtaken { action, state, by, at, holder }
    } else {
        TransitionProblem::NotFrom { action, state, by, at, holder }
    }))
}

/// What a request's key already made: the subject, the action, and who sent it.
pub struct Seen {
    pub subject: Subject,
    pub id: i64,
    pub action: String,
    pub actor: Option<UserId>,
}

/// The event `key` made, if a request under it was already applied.
pub async fn seen(tx: &mut Tx, tenant: TenantId, key: &str) -> Result<Option<Seen>> {
    let Some(row) = store::by_key(tx, tenant, key).await? else { return Ok(None) };
    Ok(Some(Seen {
        subject: Subject::decode(&row.subject).map_err(Error::internal)?,
        id: row.subject_id,
        action: row.action,
        actor: row.actor_id.map(UserId),
    }))
}
