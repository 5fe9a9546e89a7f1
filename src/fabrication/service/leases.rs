//! Claims are leases: a claim past its lease goes back to its part's queue, never silently. The job
//! `fabrication.leases` (every 15 seconds, so a claim is released within that of its end) finds the claims past their
//! lease across organisations (`fabrication_parts_leases`), and for each, in its organisation's transaction: the
//! workflow's `expire` (the system's action, naming the holder as the event's party, on the version read, so a holder
//! extending at that instant wins), its stay closed as expired (the statistics' count), and a notice to the holder.
//! Claims past their lease are few (each its own small transaction, at most [`BATCH`] a round).

use crate::db::{self, PgPool, Scope};
use crate::error::Result;
use crate::fabrication::rules::parts::{PartAction, PartState, target};
use crate::fabrication::store::parts as store;
use crate::ids::{FabPartId, TenantId, UserId};
use crate::notify::rules::Body;

use super::actions::{Plan, apply, link, read};

/// Claims expired in one round, at most.
pub const BATCH: i64 = 500;

/// Expires every claim past its lease: how many it expired.
pub async fn expire(pool: &PgPool) -> Result<usize> {
    let mut platform = db::begin(pool, Scope::Platform).await?;
    let lapsed = store::lapsed(&mut platform, BATCH).await?;
    platform.commit().await?;
    let mut expired = 0;
    for l in lapsed {
        let tenant = TenantId(l.tenant_id);
        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        let (before, state, kind) = read(&mut tx, tenant, FabPartId(l.id)).await?;
        // Extended or moved since it was found: nothing to do.
        let still = state == PartState::Claimed && before.claim_expires_at.is_some_and(|t| t <= chrono::Utc::now());
        let Some(to) = still.then(|| target(state, PartAction::Expire, kind)).flatten() else { continue };
        let holder = before.assignee_id.map(UserId);
        let plan = Plan {
            action: PartAction::Expire,
            to,
            actor: None,
            party: holder,
            comment: None,
            key: None,
            drawing_revision: None,
            seen_current: false,
        };
        if apply(&mut tx, tenant, &before, &plan).await?.is_none() {
            continue;
        }
        if let Some(h) = holder {
            let body = Body::ClaimExpired { part: before.id, name: before.name.clone(), state: to.as_str().to_owned() };
            crate::notify::service::send(&mut tx, tenant, &[h], &body, &link(before.id)).await?;
        }
        tx.commit().await?;
        expired += 1;
    }
    Ok(expired)
}

/// The job's round.
pub(super) async fn round(pool: PgPool) -> Result<crate::jobs::Report> {
    let n = expire(&pool).await?;
    Ok((n > 0).then(|| format!("{n} claims past their lease went back to their queue")))
}
