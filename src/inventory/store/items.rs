//! An upload's rows against the bodega's inventory, set-based: the checked rows arrive by COPY into a staging table
//! (temporary, dropped at commit), each is matched to its catalog item in one statement per way of matching (OEM
//! number, aftermarket number, superseded or equivalent number), repeats are settled (the last line wins), and then
//! either counted against the inventory (the dry run) or written (the commit: the items it changes updated, the new
//! ones inserted). Never a query per row.
//!
//! The staging table does not exist when the crate compiles, hence `sqlx::query` (unchecked) here.

use uuid::Uuid;

use crate::db::{self, Tx};
use crate::inventory::rules::row::{Counts, OemMatch, Problem, Row};

/// The COPY statement that fills the staging table.
const COPY: &str =
    "copy stage_inventory (line, number, key, price_cents, stock, location, moq, problem, oem_id, oem_n) from stdin";

/// Creates the staging table (dropped when the transaction ends). Rows the rules rejected are staged too, with
/// their reason and no values, so every count and every rejected row comes from one place.
pub(in crate::inventory) async fn create_stage(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "create temp table stage_inventory (
             line bigint not null, number text collate \"C\", key text collate \"C\",
             price_cents bigint, stock integer, location text collate \"C\", moq integer, problem jsonb,
             oem_id bigint, oem_n integer not null
         ) on commit drop",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One checked row (or the reason the rules reject it) as a COPY text line, with what the catalog's OEM number keys
/// have under its key (`oem`; [`OemMatch::None`] for a rejected row).
pub(in crate::inventory) fn copy_line(line: u64, row: &Result<Row, Problem>, oem: OemMatch, out: &mut Vec<u8>) {
    use std::io::Write as _;
    // Writing into a Vec cannot fail; numbers are formatted in place (no allocation per field: a million rows).
    let row = match row {
        Ok(row) => row,
        Err(problem) => {
            let _ = write!(out, "{line}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t");
            let json = serde_json::to_string(problem).unwrap_or_else(|_| "{}".to_owned());
            db::copy_field(&json, out);
            out.extend_from_slice(b"\t\\N\t0\n");
            return;
        }
    };
    let _ = write!(out, "{line}\t");
    db::copy_field(row.number.display(), out);
    out.push(b'\t');
    db::copy_field(row.number.key(), out);
    let _ = write!(out, "\t{}\t{}\t", row.price_cents, row.stock);
    db::copy_field(&row.location, out);
    let _ = match row.min_order_qty {
        Some(q) => write!(out, "\t{q}\t\\N\t"),
        None => write!(out, "\t\\N\t\\N\t"),
    };
    let _ = match oem {
        OemMatch::None => writeln!(out, "\\N\t0"),
        OemMatch::One(id) => writeln!(out, "{id}\t1"),
        OemMatch::Several => writeln!(out, "\\N\t2"),
    };
}

/// Stages rows (COPY, in chunks as they come).
pub(in crate::inventory) async fn stage(
    tx: &mut Tx,
    chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<u64, sqlx::Error> {
    db::copy_in(tx, COPY, chunks).await
}

/// Matches every staged row to its catalog item into `stage_resolved`: an OEM part by its number key (looked up as
/// the rows were read: `oem_id`, `oem_n`); else an aftermarket product (manufacturer and key); else the part a
/// superseded or equivalent number names. A key several parts (or products) share is ambiguous (its brands named,
/// looked up for those rows only); a key nothing has is unknown. Of rows naming the same item at the same location, all but the last line are repeats. Never a chain
/// of updates over every row (each update of a large temporary table writes every row again): one statement, then
/// updates of the few rows that need one.
///
/// Only the rows no OEM part has are probed, in key order, in the aftermarket and cross-reference number-key indexes
/// (index-only scans walking the indexes' pages in order): the cost follows those rows, not the catalog. Repeats are
/// found by hash aggregation over the matched rows (not by sorting them all), and only where there can be some.
///
/// `suspects`: the lines of the valid rows whose key and location another row may share (the reader's hint; beyond
/// them, only a superseded or equivalent number can name the same item as another row, and those are looked at).
pub(in crate::inventory) async fn resolve(tx: &mut Tx, suspects: &[i64]) -> Result<(), sqlx::Error> {
    // A temporary table has no statistics until analyzed: without them the planner takes it for a few rows and
    // joins it by nested loops (quadratic on a million rows). A small sample is enough for what the plans depend on
    // (row counts, distinct keys): a tenth of the default's cost. No memoizing of the probes: rows come in key
    // order, so a repeated key is the one just probed, and hashing every row's key for a cache cost an eighth of
    // the match (measured).
    sqlx::query("set local default_statistics_target = 10").execute(&mut **tx).await?;
    sqlx::query("set local enable_memoize = off").execute(&mut **tx).await?;
    sqlx::query("analyze stage_inventory").execute(&mut **tx).await?;
    sqlx::query(
        "create temp table stage_resolved on commit drop as
         select s.line, s.number, s.key, s.price_cents, s.stock, s.location, s.moq,
                case when s.oem_n = 1 then s.oem_id end as part_id, null::integer as aft_mfr, null::text as aft_key,
                false as by_ref,
                case when s.problem is not null then s.problem
                     when s.oem_n > 1 then jsonb_build_object('problem', 'ambiguous_part', 'number', s.number,
                         'brands', (select coalesce(string_agg(distinct b.name, ', ' order by b.name), '')
                                    from catalog_parts p join catalog_manufacturers b on b.id = p.manufacturer_id
                                    where p.number_key = s.key))
                end as problem
         from stage_inventory s where s.oem_n > 0 or s.problem is not null
         union all
         select s.line, s.number, s.key, s.price_cents, s.stock, s.location, s.moq,
                case when a.n = 0 and x.n = 1 then x.id end, case when a.n = 1 then a.mfr end,
                case when a.n = 1 then s.key end, a.n = 0 and x.n = 1,
                case when m.miss = 'unknown' then jsonb_build_object('problem', 'unknown_part', 'number', s.number)
                     when m.miss = 'aftermarket' then jsonb_build_object('problem', 'ambiguous_part',
                         'number', s.number,
                         'brands', (select coalesce(string_agg(distinct b.name, ', ' order by b.name), '')
                                    from catalog_aftermarket a join catalog_manufacturers b on b.id = a.manufacturer_id
                                    where a.number_key = s.key))
                     when m.miss = 'cross_ref' then jsonb_build_object('problem', 'ambiguous_part',
                         'number', s.number,
                         'brands', (select coalesce(string_agg(distinct b.name, ', ' order by b.name), '')
                                    from catalog_cross_refs c join catalog_parts p on p.id = c.part_id
                                    join catalog_manufacturers b on b.id = p.manufacturer_id
                                    where c.number_key = s.key))
                end
         from (select * from stage_inventory where oem_n = 0 and problem is null order by key) s
         cross join lateral (select min(a.manufacturer_id) as mfr, count(distinct a.manufacturer_id) as n
                             from catalog_aftermarket a where a.number_key = s.key) a
         cross join lateral (select min(c.part_id) as id, count(distinct c.part_id) as n
                             from catalog_cross_refs c where c.number_key = s.key and a.n = 0) x
         cross join lateral (select case when a.n > 1 then 'aftermarket' when x.n > 1 then 'cross_ref'
                                         when a.n = 0 and x.n = 0 then 'unknown' end as miss) m",
    )
    .execute(&mut **tx)
    .await?;
    // Analyzed before anything reads it: without statistics the write of an unchanged file was planned as a nested
    // loop over the bodega's items (measured: 12 minutes instead of a second at 100,000 rows).
    sqlx::query("analyze stage_resolved").execute(&mut **tx).await?;
    // Repeats: of the valid rows naming one item at one location (a part; or a product), all but the last line.
    // Two such rows have the same key (then both are among `suspects`), or one was matched by a superseded or
    // equivalent number: only those candidates are grouped (a window over few rows), then marked by line.
    sqlx::query(
        "with c as (select line, part_id, aft_mfr, aft_key, location from stage_resolved
                    where problem is null
                      and (line in (select unnest($1::bigint[]))
                           or part_id in (select part_id from stage_resolved where by_ref))),
              w as (select line, max(line) over (partition by part_id, aft_mfr, aft_key, location) as last from c)
         update stage_resolved s set problem = jsonb_build_object('problem', 'duplicate', 'line', w.last)
         from w where s.line = w.line and w.line < w.last",
    )
    .bind(suspects)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Each valid staged row beside the tenant's (`$1`) item it sets, if any: by part, or by aftermarket product (two
/// equality joins, each one an index or hash join; a staged row names one or the other).
const AGAINST_ITEMS: &str = "from stage_resolved s
     left join inventory_items ip
            on ip.part_id = s.part_id and ip.aftermarket_manufacturer_id is null and ip.tenant_id = $1
           and ip.location = s.location
     left join inventory_items ia
            on ia.part_id is null and ia.aftermarket_manufacturer_id = s.aft_mfr and ia.aftermarket_key = s.aft_key
           and ia.tenant_id = $1 and ia.location = s.location";

/// The staged rows against the tenant's inventory: how many are new, change, or stay; how many are rejected; and
/// with `replace_location`, how many items of the file's locations would drop to zero.
pub(in crate::inventory) async fn dry_run(
    tx: &mut Tx,
    tenant: Uuid,
    replace_location: bool,
) -> Result<Counts, sqlx::Error> {
    let (rows, new_items, price_changes, stock_changes, unchanged, rejected): (i64, i64, i64, i64, i64, i64) =
        sqlx::query_as(&format!(
            "select count(*),
                    count(*) filter (where problem is null and id is null),
                    count(*) filter (where problem is null and price_cents <> new_price),
                    count(*) filter (where problem is null and stock <> new_stock),
                    count(*) filter (where problem is null and price_cents = new_price and stock = new_stock
                                     and min_order_qty is not distinct from new_moq and number = new_number),
                    count(*) filter (where problem is not null)
             from (select s.problem, s.price_cents as new_price, s.stock as new_stock, s.moq as new_moq,
                          s.number as new_number, coalesce(ip.id, ia.id) as id,
                          coalesce(ip.price_cents, ia.price_cents) as price_cents, coalesce(ip.stock, ia.stock) as stock,
                          coalesce(ip.min_order_qty, ia.min_order_qty) as min_order_qty,
                          coalesce(ip.number, ia.number) as number
                   {AGAINST_ITEMS}) t"
        ))
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await?;
    let zeroed = if replace_location { zeroed(tx, tenant).await? } else { 0 };
    Ok(Counts { rows, new_items, price_changes, stock_changes, unchanged, rejected, zeroed })
}

/// Items at the file's locations that the file does not name and that still have stock.
async fn zeroed(tx: &mut Tx, tenant: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("select count(*) {ABSENT}")).bind(tenant).fetch_one(&mut **tx).await
}

/// The tenant's (`$1`) items at the staged rows' locations that no valid staged row names, with stock left. (Two
/// anti-joins, by part and by product: one with an OR could only be a nested loop.)
const ABSENT: &str = "from inventory_items i
     where i.tenant_id = $1 and i.stock > 0
       and i.location in (select location from stage_resolved where problem is null)
       and not exists (select 1 from stage_resolved s
                       where s.problem is null and s.part_id = i.part_id and s.location = i.location)
       and not exists (select 1 from stage_resolved s
                       where s.problem is null and s.aft_mfr = i.aftermarket_manufacturer_id
                         and s.aft_key = i.aftermarket_key and s.location = i.location)";

/// Writes the staged valid rows: each item's price, stock, minimum order and number set (a snapshot, never added)
/// where they differ; with `replace_location`, the file's locations' other items set to zero; every location the
/// file names confirmed as of now by `upload`. The caller holds the shared catalog lock
/// ([`lock_catalog_shared`]) from before the rows were matched.
pub(in crate::inventory) async fn commit(
    tx: &mut Tx,
    tenant: Uuid,
    upload: Uuid,
    replace_location: bool,
) -> Result<(), sqlx::Error> {
    // Items the file changes, by part and by product (a staged row names one or the other), then the items it adds.
    // Not one upsert: the commit lock (one commit per bodega at a time) is what keeps two writers of an item apart,
    // and a plain insert skips the upsert's speculative insertion (an eighth of the write's cost, measured).
    for by in [
        "i.part_id = s.part_id and i.aftermarket_manufacturer_id is null",
        "i.part_id is null and i.aftermarket_manufacturer_id = s.aft_mfr and i.aftermarket_key = s.aft_key",
    ] {
        sqlx::query(&format!(
            "update inventory_items i
             set number = s.number, price_cents = s.price_cents, stock = s.stock, min_order_qty = s.moq,
                 upload_id = $2, updated_at = now()
             from stage_resolved s
             where s.problem is null and {by} and i.tenant_id = $1 and i.location = s.location
               and (i.number, i.price_cents, i.stock, i.min_order_qty)
                   is distinct from (s.number, s.price_cents, s.stock, s.moq)"
        ))
        .bind(tenant)
        .bind(upload)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(&format!(
        "insert into inventory_items
             (tenant_id, part_id, aftermarket_manufacturer_id, aftermarket_key, number, location, price_cents, stock,
              min_order_qty, upload_id)
         select $1, s.part_id, s.aft_mfr, s.aft_key, s.number, s.location, s.price_cents, s.stock, s.moq, $2
         {AGAINST_ITEMS}
         where s.problem is null and ip.id is null and ia.id is null
         order by s.part_id, s.aft_mfr, s.aft_key, s.location"
    ))
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
         select distinct $1, location, $2, now() from stage_resolved where problem is null
         on conflict (tenant_id, location) do update set upload_id = excluded.upload_id, confirmed_at = now()",
    )
    .bind(tenant)
    .bind(upload)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the catalog lock shared until `tx` ends: a part cannot be deleted from the catalog (whose trigger takes it
/// exclusively, then deletes the part's items) between an upload matching its rows and committing them.
pub(in crate::inventory) async fn lock_catalog_shared(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_xact_lock_shared(hashtextextended('nexus.inventory.catalog', 0))")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Keeps the staged rows' rejects as `upload`'s (replacing those of an earlier read of it): line and reason.
pub(in crate::inventory) async fn save_rejects(tx: &mut Tx, tenant: Uuid, upload: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("delete from inventory_upload_rejects where tenant_id = $1 and upload_id = $2")
        .bind(tenant)
        .bind(upload)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "insert into inventory_upload_rejects (tenant_id, upload_id, line, problem)
         select $1, $2, line, problem from stage_resolved where problem is not null",
    )
    .bind(tenant)
    .bind(upload)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
