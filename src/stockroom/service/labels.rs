//! Printable labels of items (`stock:read`): the sheets ([`rules::labels`]) of the items asked for, in the order
//! asked, each as many times as asked (at most [`MOST_ITEMS`] items, [`MOST_COPIES`] copies each), drawn one sheet at
//! a time.

use std::collections::HashMap;

use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::ItemId;
use crate::stockroom::rules::labels::{self as rules, Label};
use crate::stockroom::store::setup as store;

/// Items per request, and copies of each.
pub const MOST_ITEMS: usize = 480;
pub const MOST_COPIES: u32 = 24;

/// Sheet `sheet` (from 1) of the labels of `items` (each `copies` times), as an SVG document, and how many sheets
/// there are. An item the organisation does not have, or a sheet past the last, is 404; no items, too many, or copies
/// out of 1–24 are 422.
pub async fn sheet(
    pool: &PgPool,
    caller: &Caller,
    items: &[ItemId],
    copies: u32,
    sheet: usize,
) -> Result<(String, usize)> {
    let labels = labels(pool, caller, items, copies).await?;
    let count = labels.len().div_ceil(rules::PER_SHEET);
    let Some(chunk) = sheet.checked_sub(1).and_then(|s| labels.chunks(rules::PER_SHEET).nth(s)) else {
        return Err(Error::NotFound);
    };
    Ok((rules::sheets(chunk).remove(0), count))
}

/// Every sheet of the labels of `items` (the print page's; it asks for a page of items at a time).
pub async fn sheets(pool: &PgPool, caller: &Caller, items: &[ItemId], copies: u32) -> Result<Vec<String>> {
    Ok(rules::sheets(&labels(pool, caller, items, copies).await?))
}

async fn labels(pool: &PgPool, caller: &Caller, items: &[ItemId], copies: u32) -> Result<Vec<Label>> {
    caller.require(ApiScope::StockRead)?;
    if items.is_empty() {
        return Err(Error::field("items", ErrorCode::Required));
    }
    if items.len() > MOST_ITEMS {
        return Err(Error::field("items", ErrorCode::TooLong));
    }
    if !(1..=MOST_COPIES).contains(&copies) {
        return Err(Error::field("copies", ErrorCode::InvalidInput));
    }
    let tenant = caller.tenant_id();
    let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::labels(&mut tx, tenant, &ids).await?;
    tx.commit().await?;
    let found: HashMap<i64, Label> = rows
        .into_iter()
        .map(|r| (r.id, Label { code: r.barcode.unwrap_or_else(|| r.sku.clone()), name: r.name, sku: r.sku }))
        .collect();
    let mut labels = Vec::with_capacity(items.len() * copies as usize);
    for id in &ids {
        let label = found.get(id).ok_or(Error::NotFound)?;
        labels.extend(std::iter::repeat_n(label.clone(), copies as usize));
    }
    Ok(labels)
}
