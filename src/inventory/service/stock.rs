//! A bodega's stock as it stands: "my inventory" (searched, sorted, a page at a time; or cleared, all of it, in one
//! audited transaction), and the availability of a part across every active bodega, for those who may compare them.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta, User};
use crate::catalog::rules::number::{NUMBER_MAX_CHARS, number_key};
use crate::codes::check_filter;
use crate::db::{self, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::PartId;
use crate::inventory::rules::stock::{StockCursor, StockSort};
use crate::inventory::store::stock::{self as store, OfferRow, StockFilter, StockRow};
use crate::numbers::Money;
use crate::paging::{self, Limit, Page};

/// The longest location text searched for (a location holds at most 60 characters).
pub const LOCATION_MAX_CHARS: usize = 60;
/// Items one page holds unless the caller asks for another number, and the most it may ask for.
pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;

/// What to list: filters, order and where the page starts.
#[derive(Debug, Clone, Default)]
pub struct StockQuery {
    /// A part number, whole or in part, written any way ("04465", "4465-022", "p 83"): compared on its key.
    pub number: Option<String>,
    /// Text anywhere in the location, ignoring case.
    pub location: Option<String>,
    pub sort: StockSort,
    pub desc: bool,
    /// The previous page's `next` (a cursor of the same order; anything else is a 422 on `after`).
    pub after: Option<String>,
    /// Items per page (1 to [`PAGE_MAX`]; [`PAGE_DEFAULT`] when absent).
    pub limit: Option<i64>,
}

/// One item of the bodega's inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockItem {
    pub id: i64,
    /// As the bodega writes it.
    pub number: String,
    /// The catalog item's brand and name (an OEM part's maker, or the aftermarket product's brand).
    pub brand: Option<String>,
    pub name: Option<String>,
    pub aftermarket: bool,
    /// `""` is the bodega's default location.
    pub location: String,
    pub price: Money,
    pub stock: i32,
    pub min_order_qty: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

impl From<StockRow> for StockItem {
    fn from(r: StockRow) -> Self {
        Self {
            id: r.id,
            number: r.number,
            brand: r.brand,
            name: r.name,
            aftermarket: r.aftermarket,
            location: r.location,
            price: Money::new(r.price_cents, r.currency),
            stock: r.stock,
            min_order_qty: r.min_order_qty,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockPage {
    pub page: Page<StockItem>,
    /// Items the filters keep, over every page.
    pub total: i64,
    /// The bodega has no item at all (not merely none matching the filters): the page invites an upload.
    pub inventory_empty: bool,
}

/// A page of the caller's own inventory: a person managing it, or a key with `inventory:read` (an ERP reading back
/// what it sent).
pub async fn list(pool: &PgPool, caller: &Caller, q: &StockQuery) -> Result<StockPage> {
    caller.require(ApiScope::InventoryRead)?;
    let number = check_filter("q", q.number.as_deref(), NUMBER_MAX_CHARS)?.map(|n| number_key(&n));
    let location = check_filter("location", q.location.as_deref(), LOCATION_MAX_CHARS)?;
    let after = paging::after::<StockCursor>(q.after.as_deref(), q.sort)?;
    let limit = Limit::new(q.limit, PAGE_DEFAULT, PAGE_MAX)?;
    let filter = StockFilter {
        // Only separators ("-", "/") say nothing about a number: no filter.
        number_key: number.as_deref().filter(|k| !k.is_empty()),
        location: location.as_deref(),
        sort: q.sort,
        desc: q.desc,
        after: after.as_ref(),
        limit: limit.fetch(),
    };
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::list(&mut tx, tenant, &filter).await?;
    let total = store::count(&mut tx, tenant, &filter).await?;
    let inventory_empty = total == 0 && !store::any(&mut tx, tenant).await?;
    tx.commit().await?;
    let page = Page::cut(rows, limit, |r| {
        StockCursor::of(q.sort, r.id, &r.number, &r.location, r.price_cents, r.stock.into(), r.updated_at)
    });
    Ok(StockPage { page: page.map(StockItem::from), total, inventory_empty })
}

/// What clearing the inventory removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleared {
    pub items: u64,
    pub locations: u64,
}

/// Deletes every item of the caller's inventory and every location it confirmed, in one transaction, recorded in the
/// audit log (`inventory.cleared`, with the counts). Upload history and saved column mappings stay.
pub async fn clear(pool: &PgPool, user: &User, meta: &RequestMeta) -> Result<Cleared> {
    user.require(Permission::InventoryManage)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (items, locations) = store::clear(&mut tx, tenant).await?;
    audit::record(
        &mut tx,
        &Actor::of(user, meta),
        Event::new("inventory.cleared")
            .target("tenant", tenant)
            .before(json!({ "items": items, "locations": locations }))
            .after(json!({ "items": 0, "locations": 0 })),
    )
    .await?;
    tx.commit().await?;
    Ok(Cleared { items, locations })
}

/// One bodega's offer of a part: the part itself or an aftermarket product that replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The bodega's name.
    pub bodega: String,
    /// `""` is the bodega's default location.
    pub location: String,
    /// The number as the bodega writes it.
    pub number: String,
    /// An aftermarket product (else the part itself).
    pub aftermarket: bool,
    /// The part's maker, or the aftermarket product's brand.
    pub brand: String,
    pub price: Money,
    pub stock: i32,
    pub min_order_qty: Option<i32>,
    /// When the bodega last confirmed the figure (its location's last upload; else when the item last changed).
    pub confirmed_at: DateTime<Utc>,
    /// How to reach the bodega: its phone, address and opening hours as it gave them, and its country (the phone's
    /// calling code).
    pub phone: String,
    pub address: String,
    pub hours: String,
    pub country: String,
}

pub use crate::inventory::rules::stock::AvailabilitySummary;

/// [`AvailabilitySummary`] of each of `parts` some active bodega holds (those no one holds are left out). The same
/// permission as [`availability`].
pub async fn availability_summary(
    pool: &PgPool,
    caller: &Caller,
    parts: &[PartId],
) -> Result<Vec<AvailabilitySummary>> {
    caller.require_with(ApiScope::CatalogRead, Permission::AvailabilityRead)?;
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = parts.iter().map(|p| p.0).collect();
    let mut tx = db::begin(pool, caller.scope()).await?;
    let rows = store::availability_summary(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| AvailabilitySummary {
            part: PartId(r.part_id),
            bodegas: r.bodegas,
            from: Money::new(r.price_cents, r.currency),
        })
        .collect())
}

impl From<OfferRow> for Offer {
    fn from(r: OfferRow) -> Self {
        Self {
            bodega: r.bodega,
            location: r.location,
            number: r.number,
            aftermarket: r.aftermarket,
            brand: r.brand,
            price: Money::new(r.price_cents, r.currency),
            stock: r.stock,
            min_order_qty: r.min_order_qty,
            confirmed_at: r.confirmed_at,
            phone: r.phone,
            address: r.address,
            hours: r.hours,
            country: r.country,
        }
    }
}

/// Which active bodegas have the part or an aftermarket product replacing it in stock, cheapest first (at most
/// 200 offers). People need [`Permission::AvailabilityRead`] (workshops, owners, platform admins: a bodega's staff
/// do not see their competitors' prices); API keys need `catalog:read` and a creator whose role holds that
/// permission. An unknown part is 404.
pub async fn availability(pool: &PgPool, caller: &Caller, part: PartId) -> Result<Vec<Offer>> {
    let part = part.0;
    caller.require_with(ApiScope::CatalogRead, Permission::AvailabilityRead)?;
    let mut tx = db::begin(pool, caller.scope()).await?;
    if !store::part_exists(&mut tx, part).await? {
        return Err(Error::NotFound);
    }
    let rows = store::availability(&mut tx, part).await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(Offer::from).collect())
}
