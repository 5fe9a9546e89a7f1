//! A bodega's stock as its own people see it ("my inventory": a page of items in any order, with each item's catalog
//! brand and name; clearing it all), and other bodegas' stock as a part's page shows it (through the SQL function
//! `inventory_availability`, the only window one tenant has on another's inventory).
//!
//! The list's order is chosen at run time, hence `sqlx::query_as` (unchecked) over SQL assembled from fixed pieces:
//! no value is ever spliced into the text, only the column names of [`StockSort`].
//!
//! Indexes: none by order. Every order reads the tenant's items and keeps the top of the page (a top-N sort: 110 ms
//! for a bodega of a million items, measured, as long as the page's count takes); an index by number cost a third of
//! writing an upload's new items. Number and location filters are infix matches, checked on the rows read.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::TenantId;
use crate::inventory::rules::stock::{CursorValue, StockCursor, StockSort};

/// One item, with what the catalog says of it.
#[derive(Debug, sqlx::FromRow)]
pub(in crate::inventory) struct StockRow {
    pub id: i64,
    pub number: String,
    pub brand: Option<String>,
    pub name: Option<String>,
    pub aftermarket: bool,
    pub location: String,
    pub price_cents: i64,
    pub currency: String,
    pub stock: i32,
    pub min_order_qty: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

pub(in crate::inventory) struct StockFilter<'a> {
    /// A part number key (letters and digits, upper case) found anywhere in the item's number's key.
    pub number_key: Option<&'a str>,
    /// Text found anywhere in the location, ignoring case (LIKE wildcards in it are literal).
    pub location: Option<&'a str>,
    pub sort: StockSort,
    pub desc: bool,
    pub after: Option<&'a StockCursor>,
    pub limit: i64,
}

/// The sort column of each order (fixed text: never user input).
fn column(sort: StockSort) -> &'static str {
    match sort {
        StockSort::Number => "i.number",
        StockSort::Location => "i.location",
        StockSort::Price => "i.price_cents",
        StockSort::Stock => "i.stock",
        StockSort::Updated => "i.updated_at",
    }
}

/// `$1` tenant, `$2` number key, `$3` location pattern.
const FILTER: &str = "i.tenant_id = $1
       and ($2::text is null or upper(regexp_replace(i.number, '[^[:alnum:]]+', '', 'g')) like '%' || $2 || '%')
       and ($3::text is null or i.location ilike $3)";

fn location_pattern(location: Option<&str>) -> Option<String> {
    location.map(crate::db::like_contains)
}

/// A page of the tenant's items in the filter's order, after its cursor.
pub(in crate::inventory) async fn list(
    tx: &mut Tx,
    tenant: TenantId,
    f: &StockFilter<'_>,
) -> Result<Vec<StockRow>, sqlx::Error> {
    let col = column(f.sort);
    let (dir, cmp) = if f.desc { ("desc", "<") } else { ("asc", ">") };
    let keyset = match f.after.map(|c| &c.value) {
        None => String::new(),
        Some(CursorValue::Text(_)) => format!("and ({col}, i.id) {cmp} ($5::text, $6)"),
        Some(CursorValue::Int(_)) => format!("and ({col}, i.id) {cmp} ($5::bigint, $6)"),
        Some(CursorValue::At(_)) => format!("and ({col}, i.id) {cmp} ($5::timestamptz, $6)"),
    };
    let sql = format!(
        "select i.id, i.number, coalesce(pm.name, am.name) as brand, coalesce(p.name, a.name) as name,
                i.part_id is null as aftermarket, i.location, i.price_cents, i.currency, i.stock, i.min_order_qty,
                i.updated_at
         from inventory_items i
         left join catalog_parts p on p.id = i.part_id
         left join catalog_manufacturers pm on pm.id = p.manufacturer_id
         left join catalog_manufacturers am on am.id = i.aftermarket_manufacturer_id
         left join lateral (select a.name from catalog_aftermarket a
                            where a.manufacturer_id = i.aftermarket_manufacturer_id and a.number_key = i.aftermarket_key
                            order by a.id limit 1) a on true
         where {FILTER} {keyset}
         order by {col} {dir}, i.id {dir}
         limit $4"
    );
    let mut q = sqlx::query_as::<_, StockRow>(&sql)
        .bind(tenant)
        .bind(f.number_key)
        .bind(location_pattern(f.location))
        .bind(f.limit);
    if let Some(c) = f.after {
        q = match &c.value {
            CursorValue::Text(t) => q.bind(t.clone()),
            CursorValue::Int(n) => q.bind(*n),
            CursorValue::At(at) => q.bind(*at),
        }
        .bind(c.id);
    }
    q.fetch_all(&mut **tx).await
}

/// How many of the tenant's items the filter keeps (every page).
pub(in crate::inventory) async fn count(
    tx: &mut Tx,
    tenant: TenantId,
    f: &StockFilter<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("select count(*) from inventory_items i where {FILTER}"))
        .bind(tenant)
        .bind(f.number_key)
        .bind(location_pattern(f.location))
        .fetch_one(&mut **tx)
        .await
}

/// Whether the tenant has any item at all.
pub(in crate::inventory) async fn any(tx: &mut Tx, tenant: TenantId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from inventory_items where tenant_id = $1)")
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await
}

/// Deletes every item of the tenant and every location it confirmed; (items, locations) deleted.
pub(in crate::inventory) async fn clear(tx: &mut Tx, tenant: TenantId) -> Result<(u64, u64), sqlx::Error> {
    let items = sqlx::query("delete from inventory_items where tenant_id = $1").bind(tenant).execute(&mut **tx).await?;
    let locations =
        sqlx::query("delete from inventory_locations where tenant_id = $1").bind(tenant).execute(&mut **tx).await?;
    Ok((items.rows_affected(), locations.rows_affected()))
}

/// Whether the catalog has the part.
pub(in crate::inventory) async fn part_exists(tx: &mut Tx, part: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from catalog_parts where id = $1)")
        .bind(part)
        .fetch_one(&mut **tx)
        .await
}

/// One bodega's offer of a part (or of an aftermarket product replacing it), as `inventory_availability` returns it.
#[derive(Debug, sqlx::FromRow)]
pub(in crate::inventory) struct OfferRow {
    pub bodega: String,
    pub location: String,
    pub number: String,
    pub aftermarket: bool,
    pub brand: String,
    pub price_cents: i64,
    pub currency: String,
    pub stock: i32,
    pub min_order_qty: Option<i32>,
    pub confirmed_at: DateTime<Utc>,
    pub phone: String,
    pub address: String,
    pub hours: String,
    pub country: String,
}

/// Every active bodega's stock of the part and its aftermarket alternatives, cheapest first (the function runs in
/// platform scope for its own duration and returns these columns only).
pub(in crate::inventory) async fn availability(tx: &mut Tx, part: i64) -> Result<Vec<OfferRow>, sqlx::Error> {
    sqlx::query_as(
        "select bodega, location, number, aftermarket, brand, price_cents, currency, stock, min_order_qty, confirmed_at,
                phone, address, hours, country
         from inventory_availability($1)",
    )
    .bind(part)
    .fetch_all(&mut **tx)
    .await
}

/// One part's availability at a glance, as `inventory_availability_summary` returns it.
#[derive(Debug, sqlx::FromRow)]
pub(in crate::inventory) struct SummaryRow {
    pub part_id: i64,
    pub bodegas: i32,
    pub price_cents: i64,
    pub currency: String,
}

/// For each of `parts` that some active bodega holds: how many bodegas, and the lowest price (one statement for a
/// page of results; the function probes `inventory_items_item_key` per part and product).
pub(in crate::inventory) async fn availability_summary(
    tx: &mut Tx,
    parts: &[i64],
) -> Result<Vec<SummaryRow>, sqlx::Error> {
    sqlx::query_as("select part_id, bodegas, price_cents, currency from inventory_availability_summary($1)")
        .bind(parts)
        .fetch_all(&mut **tx)
        .await
}
