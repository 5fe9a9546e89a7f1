//! Units counted by people, for the MES stage facts that feed the figures (`mes::rules::feed`): a line's counting,
//! units added to (or taken from) its output rollups inside the caller's transaction, so a fact is in the figures
//! the moment it commits; and the minute of a shift in which a line made most of a product (where an inspection's
//! rejects are taken from on a sensor line). The figures read those rollups as they read a machine's units.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::{LineId, ProductId, TenantId};
use crate::production::rules::kinds::Counting;
use crate::production::store::people as store;

/// Every line's counting.
pub(crate) async fn counting(tx: &mut Tx) -> Result<HashMap<LineId, Counting>> {
    store::counting(tx)
        .await?
        .into_iter()
        .map(|(id, c)| Ok((id, Counting::decode(&c).map_err(Error::internal)?)))
        .collect()
}

/// Adds `(total, good)` units of `product` at `line`'s output at `minute` (whole), as people's, made in a shift (or
/// day) that began at `since`: a line counted by people has data from the start of its first such shift, not from
/// the minute its first fact was recorded in (its units counted at the end of a shift are the whole shift's work).
/// False when the line has no output area (nothing added).
pub(crate) async fn add(
    tx: &mut Tx,
    tenant: TenantId,
    (line, product): (LineId, ProductId),
    minute: DateTime<Utc>,
    since: DateTime<Utc>,
    (total, good): (i32, i32),
) -> Result<bool> {
    Ok(store::add(tx, tenant, line, product, minute, since.min(minute), total, good).await?)
}

/// The minute of `[from, to)` in which `line` counted most good units of `product`, if any.
pub(crate) async fn busiest_minute(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
    product: ProductId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    Ok(store::busiest_minute(tx, tenant, line, product, from, to).await?)
}
