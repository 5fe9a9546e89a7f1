//! A part's drawings: revisions uploaded (a print or a picture of one, checked by `files` and kept once by its
//! content), approved by a lead who did not upload them (a lead's own upload is approved as it is made), read back.
//!
//! The current drawing is the last approved revision. One made current while someone holds the part is a drawing
//! they have not seen: the part cannot be completed until they acknowledge it (`actions`), and they are told.
//! Uploading and approving are events of the part's timeline, on its version like every action (so two uploads at
//! once are numbered one after the other, the part's row serializing them).

use crate::caller::Caller;
use crate::codes::{ErrorCode, FieldError};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::fabrication::rules::parts::{PartAction, PartProblem, check_note, is_drawing};
use crate::fabrication::rules::views::{Drawing, PartDetail};
use crate::fabrication::store::{drawings as store, parts as part_store};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{FabPartId, UserId};
use crate::workflow::machine::Person;

use super::actions::{Plan, allowed, apply, in_place, overtaken, page_of, read, refuse, tell};
use super::parts::parties;

/// Uploads a new revision of the part's drawing (`fabrication:write`: its requester, its holder or a lead), with a
/// note; a lead's is current at once, anyone else's waits for a lead. A PDF or a picture (PNG, JPEG, WebP) of at
/// most 10 MiB, told by its content (a renamed program is 422 `file_type`).
pub async fn add(
    pool: &PgPool,
    caller: &Caller,
    id: FabPartId,
    file_name: &str,
    bytes: &[u8],
    note: &str,
) -> Result<PartDetail> {
    caller.require(ApiScope::FabricationWrite)?;
    let user = caller.user()?;
    let note = check_note(note).map_err(|e| Error::Validation(vec![e]))?;
    let checked = crate::files::rules::check(file_name, bytes).map_err(|e| Error::Validation(vec![e]))?;
    if !is_drawing(checked.media_type) {
        return Err(Error::Validation(vec![FieldError::new("file", ErrorCode::FileType)]));
    }
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (before, state, _) = read(&mut tx, tenant, id).await?;
    if !in_place(state, PartAction::AddDrawing) {
        let holder = before
            .assignee_id
            .map(|h| Person { id: UserId(h), name: before.assignee_name.clone().unwrap_or_default() });
        return Err(refuse(&mut tx, tenant, id, PartAction::AddDrawing, state, false, holder).await?);
    }
    allowed(PartAction::AddDrawing, state, &parties(&before), user)?;
    let lead = user.may(Permission::FabLead);
    let mut plan = Plan {
        action: PartAction::AddDrawing,
        to: state,
        actor: Some(user.user_id),
        party: None,
        comment: note.as_deref(),
        key: None,
        drawing_revision: None,
        seen_current: false,
    };
    // The part's row first (its version, its lock): the revision's number is then the part's next.
    if apply(&mut tx, tenant, &before, &plan).await?.is_none() {
        drop(tx);
        return Err(overtaken(pool, tenant, id, PartAction::AddDrawing).await);
    }
    crate::files::service::keep(&mut tx, tenant, &checked.name, bytes).await?;
    let new = store::NewDrawing {
        part: id.0,
        sha256: &checked.sha256,
        name: &checked.name,
        media_type: checked.media_type,
        size: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
        note: note.as_deref(),
        by: user.user_id,
        approved: lead,
    };
    let revision = store::insert(&mut tx, tenant, &new).await?;
    if lead {
        let holder_saw = before.assignee_id == Some(user.user_id.0);
        part_store::make_current(&mut tx, tenant, id.0, revision, holder_saw).await?;
        plan.drawing_revision = Some(revision);
        tell(&mut tx, tenant, &before, user, &plan).await?;
    }
    let detail = page_of(&mut tx, user, &before).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Approves a revision of the part's drawing (`fabrication:write`, a lead who did not upload it): it becomes the
/// current drawing. One not newer than the current is 409 `drawing_superseded`.
pub async fn approve(pool: &PgPool, caller: &Caller, id: FabPartId, revision: i32) -> Result<PartDetail> {
    caller.require(ApiScope::FabricationWrite)?;
    let user = caller.user()?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (before, state, _) = read(&mut tx, tenant, id).await?;
    let drawings = store::of_part(&mut tx, tenant, id.0).await?;
    let d = drawings.iter().find(|d| d.revision == revision).ok_or(Error::NotFound)?;
    if !in_place(state, PartAction::ApproveDrawing) {
        return Err(refuse(&mut tx, tenant, id, PartAction::ApproveDrawing, state, false, None).await?);
    }
    let theirs =
        crate::fabrication::rules::parts::Parties { uploader: Some(UserId(d.uploaded_by)), ..parties(&before) };
    allowed(PartAction::ApproveDrawing, state, &theirs, user)?;
    if let Some(current) = before.drawing_revision
        && revision <= current
    {
        return Err(Error::rejected(PartProblem::DrawingSuperseded { revision, current }));
    }
    let plan = Plan {
        action: PartAction::ApproveDrawing,
        to: state,
        actor: Some(user.user_id),
        party: Some(UserId(d.uploaded_by)),
        comment: None,
        key: None,
        drawing_revision: Some(revision),
        seen_current: before.assignee_id == Some(user.user_id.0),
    };
    if apply(&mut tx, tenant, &before, &plan).await?.is_none() {
        drop(tx);
        return Err(overtaken(pool, tenant, id, PartAction::ApproveDrawing).await);
    }
    store::approve(&mut tx, tenant, id.0, revision, user.user_id).await?;
    tell(&mut tx, tenant, &before, user, &plan).await?;
    let detail = page_of(&mut tx, user, &before).await?;
    tx.commit().await?;
    Ok(detail)
}

/// A revision's file (`fabrication:read`): what it is and its bytes.
pub async fn file(pool: &PgPool, caller: &Caller, id: FabPartId, revision: i32) -> Result<(Drawing, Vec<u8>)> {
    caller.require(ApiScope::FabricationRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (part, _, _) = read(&mut tx, tenant, id).await?;
    let d = store::of_part(&mut tx, tenant, id.0)
        .await?
        .into_iter()
        .find(|d| d.revision == revision)
        .ok_or(Error::NotFound)?;
    let (_, bytes) = crate::files::service::read(&mut tx, tenant, &d.sha256).await?;
    tx.commit().await?;
    let drawing = Drawing {
        revision: d.revision,
        name: d.name,
        media_type: d.media_type,
        size: d.size,
        note: d.note,
        uploaded_by: Person { id: UserId(d.uploaded_by), name: d.uploader_name },
        uploaded_at: d.uploaded_at,
        approved_by: d.approved_by.map(|a| Person { id: UserId(a), name: d.approver_name.unwrap_or_default() }),
        approved_at: d.approved_at,
        current: part.drawing_revision == Some(d.revision),
    };
    Ok((drawing, bytes))
}
