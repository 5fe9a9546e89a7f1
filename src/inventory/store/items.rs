//! An upload's rows against the bodega's inventory, set-based: the checked rows arrive by COPY into a staging table
//! (temporary, dropped at commit), each is matched to its catalog item in one statement per way of matching (OEM
//! number, aftermarket number, superseded or equivalent number), repeats are settled (the last line wins), and then
//! either counted against the inventory (the dry run) or written in one upsert (the commit). Never a query per row.
//!
//! The staging table does not exist when the crate compiles, hence `sqlx::query` (unchecked) here.

use uuid::Uuid;

use crate::db::{self, Tx};
use crate::inventory::rules::row::{Counts, Problem, Row};

/// The COPY statement that fills the staging table.
const COPY: &str = "copy stage_inventory (line, number, key, price_cents, stock, location, moq) from stdin";

/// Creates the staging table (dropped when the transaction ends).
pub(in crate::inventory) async fn create_stage(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "create temp table stage_inventory (
             line bigint primary key, number text not null, key text collate \"C\" not null,
             price_cents bigint not null, stock integer not null, location text not null, moq integer,
             part_id bigint, aft_mfr integer, aft_key text collate \"C\", item_key text, problem jsonb
         ) on commit drop",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One checked row as a COPY text line.
pub(in crate::inventory) fn copy_line(line: u64, row: &Row, out: &mut Vec<u8>) {
    let fields = [
        line.to_string(),
        row.number.display().to_owned(),
        row.number.key().to_owned(),
        row.price_cents.to_string(),
        row.stock.to_string(),
        row.location.clone(),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        db::copy_field(f, out);
    }
    out.push(b'\t');
    match row.min_order_qty {
        Some(q) => out.extend_from_slice(q.to_string().as_bytes()),
        None => out.extend_from_slice(b"\\N"),
    }
    out.push(b'\n');
}

/// Stages rows (COPY, in chunks as they come).
pub(in crate::inventory) async fn stage(
    tx: &mut Tx,
    chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<u64, sqlx::Error> {
    db::copy_in(tx, COPY, chunks).await
}

/// Matches every staged row to its catalog item: an OEM part by its number key; else an aftermarket product
/// (manufacturer and key); else the part a superseded or equivalent number names. A key several parts (or
/// products) share is ambiguous; a key nothing has is unknown. Then, of rows naming the same item at the same
/// location, all but the last line are repeats.
pub(in crate::inventory) async fn resolve(tx: &mut Tx) -> Result<(), sqlx::Error> {
    // A temporary table has no statistics until analyzed: without them the planner takes it for a few rows and
    // joins it by nested loops (quadratic on a million rows).
    sqlx::query("analyze stage_inventory").execute(&mut **tx).await?;
    sqlx::query(
        "with k as (select distinct key from stage_inventory),
              oem as (select p.number_key, min(p.id) as id, count(*) as n,
                             string_agg(distinct m.name, ', ' order by m.name) as brands
                      from catalog_parts p join k on k.key = p.number_key
                      join catalog_manufacturers m on m.id = p.manufacturer_id
                      group by p.number_key)
         update stage_inventory s
         set part_id = case when oem.n = 1 then oem.id end,
             problem = case when oem.n > 1 then jsonb_build_object(
                 'problem', 'ambiguous_part', 'number', s.number, 'brands', oem.brands) end
         from oem where oem.number_key = s.key",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "with k as (select distinct key from stage_inventory where part_id is null and problem is null),
              aft as (select a.number_key, min(a.manufacturer_id) as mfr, count(distinct a.manufacturer_id) as n,
                             string_agg(distinct m.name, ', ' order by m.name) as brands
                      from catalog_aftermarket a join k on k.key = a.number_key
                      join catalog_manufacturers m on m.id = a.manufacturer_id
                      group by a.number_key)
         update stage_inventory s
         set aft_mfr = case when aft.n = 1 then aft.mfr end,
             aft_key = case when aft.n = 1 then aft.number_key end,
             problem = case when aft.n > 1 then jsonb_build_object(
                 'problem', 'ambiguous_part', 'number', s.number, 'brands', aft.brands) end
         from aft where aft.number_key = s.key and s.part_id is null and s.problem is null",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "with k as (select distinct key from stage_inventory
                    where part_id is null and aft_key is null and problem is null),
              x as (select c.number_key, min(c.part_id) as id, count(distinct c.part_id) as n
                    from catalog_cross_refs c join k on k.key = c.number_key
                    group by c.number_key)
         update stage_inventory s
         set part_id = case when x.n = 1 then x.id end,
             problem = case when x.n > 1 then jsonb_build_object(
                 'problem', 'ambiguous_part', 'number', s.number, 'brands', '') end
         from x where x.number_key = s.key and s.part_id is null and s.aft_key is null and s.problem is null",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "update stage_inventory
         set problem = case when part_id is null and aft_key is null
                            then jsonb_build_object('problem', 'unknown_part', 'number', number) end,
             item_key = case when part_id is not null then 'p' || part_id::text
                             when aft_key is not null then 'a' || aft_mfr::text || ':' || aft_key end
         where problem is null",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query("analyze stage_inventory").execute(&mut **tx).await?;
    // Repeats: the same item at the same location again further down; the last line wins.
    sqlx::query(
        "with ranked as (select line, first_value(line) over w as last_line, row_number() over w as rn
                         from stage_inventory where problem is null
                         window w as (partition by item_key, location order by line desc))
         update stage_inventory s set problem = jsonb_build_object('problem', 'duplicate', 'line', r.last_line)
         from ranked r where r.line = s.line and r.rn > 1",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The staged rows against the tenant's inventory: how many are new, change, or stay; how many are rejected; and
/// with `replace_location`, how many items of the file's locations would drop to zero.
pub(in crate::inventory) async fn dry_run(
    tx: &mut Tx,
    tenant: Uuid,
    replace_location: bool,
    rejected_before: i64,
) -> Result<Counts, sqlx::Error> {
    let (rows, new_items, price_changes, stock_changes, unchanged, rejected): (i64, i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "select count(*),
                    count(*) filter (where s.problem is null and i.id is null),
                    count(*) filter (where s.problem is null and i.price_cents <> s.price_cents),
                    count(*) filter (where s.problem is null and i.stock <> s.stock),
                    count(*) filter (where s.problem is null and i.price_cents = s.price_cents and i.stock = s.stock
                                     and i.min_order_qty is not distinct from s.moq and i.number = s.number),
                    count(*) filter (where s.problem is not null)
             from stage_inventory s
             left join inventory_items i
                    on i.tenant_id = $1 and i.item_key = s.item_key and i.location = s.location",
        )
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await?;
    let zeroed = if replace_location { zeroed(tx, tenant).await? } else { 0 };
    Ok(Counts {
        rows: rows + rejected_before,
        new_items,
        price_changes,
        stock_changes,
        unchanged,
        rejected: rejected + rejected_before,
        zeroed,
    })
}

/// Items at the file's locations that the file does not name and that still have stock.
async fn zeroed(tx: &mut Tx, tenant: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("select count(*) {ABSENT}")).bind(tenant).fetch_one(&mut **tx).await
}

/// The tenant's (`$1`) items at the staged rows' locations that no valid staged row names, with stock left.
const ABSENT: &str = "from inventory_items i
     where i.tenant_id = $1 and i.stock > 0
       and i.location in (select location from stage_inventory where problem is null)
       and not exists (select 1 from stage_inventory s
                       where s.problem is null and s.item_key = i.item_key and s.location = i.location)";

/// Writes the staged valid rows: each item's price, stock, minimum order and number set (a snapshot, never added)
/// where they differ; with `replace_location`, the file's locations' other items set to zero; every location the
/// file names confirmed as of now by `upload`.
pub(in crate::inventory) async fn commit(
    tx: &mut Tx,
    tenant: Uuid,
    upload: Uuid,
    replace_location: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into inventory_items as i
             (tenant_id, part_id, aftermarket_manufacturer_id, aftermarket_key, number, location, price_cents, stock,
              min_order_qty, upload_id)
         select $1, s.part_id, s.aft_mfr, s.aft_key, s.number, s.location, s.price_cents, s.stock, s.moq, $2
         from stage_inventory s where s.problem is null
         order by s.item_key, s.location
         on conflict (tenant_id, item_key, location) do update
             set number = excluded.number, price_cents = excluded.price_cents, stock = excluded.stock,
                 min_order_qty = excluded.min_order_qty, upload_id = excluded.upload_id, updated_at = now()
             where (i.number, i.price_cents, i.stock, i.min_order_qty)
                   is distinct from (excluded.number, excluded.price_cents, excluded.stock, excluded.min_order_qty)",
    )
    .bind(tenant)
    .bind(upload)
    .execute(&mut **tx)
    .await?;
    if replace_location {
        sqlx::query(&format!(
            "update inventory_items u set stock = 0, upload_id = $2, updated_at = now()
             where (u.tenant_id, u.id) in (select i.tenant_id, i.id {ABSENT})"
        ))
        .bind(tenant)
        .bind(upload)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "insert into inventory_locations (tenant_id, location, upload_id, confirmed_at)
         select distinct $1, location, $2, now() from stage_inventory where problem is null
         on conflict (tenant_id, location) do update set upload_id = excluded.upload_id, confirmed_at = now()",
    )
    .bind(tenant)
    .bind(upload)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The rejected staged rows (line and reason), first lines first.
pub(in crate::inventory) async fn staged_rejects(tx: &mut Tx) -> Result<Vec<(u64, Problem)>, sqlx::Error> {
    let rows: Vec<(i64, sqlx::types::Json<Problem>)> =
        sqlx::query_as("select line, problem from stage_inventory where problem is not null order by line")
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(l, p)| (l as u64, p.0)).collect())
}
