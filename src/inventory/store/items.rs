//! An upload's rows against the bodega's inventory, set-based: the checked rows arrive by COPY into a staging table
//! (temporary, dropped at commit), each already matched to its catalog item as it was read (the catalog's number keys
//! kept in memory), the brands of ambiguous numbers are named, repeats are settled (the last line wins), and then
//! either counted against the inventory (the dry run) or written (the commit: the items it changes updated, the new
//! ones inserted). Never a query per row.
//!
//! The staging table does not exist when the crate compiles, hence `sqlx::query` (unchecked) here.

use crate::db::{self, Tx};
use crate::ids::{TenantId, UploadId};
use crate::inventory::rules::row::{Counts, Match, Problem, Row};

/// The COPY statement that fills the staging table.
const COPY: &str = "copy stage_inventory (line, number, key, price_cents, stock, location, moq, problem, part_id, \
                    aft_mfr, by_ref, ambiguous) from stdin";

/// Creates the staging table (dropped when the transaction ends). Rows the rules rejected are staged too, with
/// their reason and no values, so every count and every rejected row comes from one place. A row names a part
/// (`part_id`; `by_ref` when through a superseded or equivalent number) or an aftermarket product (`aft_mfr`, and its
/// `key`), or has a `problem`; `ambiguous` says which list made its number ambiguous until its brands are named.
pub(in crate::inventory) async fn create_stage(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "create temp table stage_inventory (
             line bigint not null, number text collate \"C\", key text collate \"C\",
             price_cents bigint, stock integer, location text collate \"C\", moq integer, problem jsonb,
             part_id bigint, aft_mfr integer, by_ref boolean not null, ambiguous smallint
         ) on commit drop",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One checked row (or the reason the rules reject it) as a COPY text line, with the catalog item its number names
/// (`found`; ignored for a rejected row).
pub(in crate::inventory) fn copy_line(line: u64, row: &Result<Row, Problem>, found: Match, out: &mut Vec<u8>) {
    use std::io::Write as _;
    let problem = |problem: &Problem, out: &mut Vec<u8>| {
        let json = serde_json::to_string(problem).unwrap_or_else(|_| "{}".to_owned());
        db::copy_field(&json, out);
    };
    // Writing into a Vec cannot fail; numbers are formatted in place (no allocation per field: a million rows).
    let row = match row {
        Ok(row) => row,
        Err(p) => {
            let _ = write!(out, "{line}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t");
            problem(p, out);
            out.extend_from_slice(b"\t\\N\t\\N\tf\t\\N\n");
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
        Some(q) => write!(out, "\t{q}\t"),
        None => write!(out, "\t\\N\t"),
    };
    let _ = match found {
        Match::Part(id) => writeln!(out, "\\N\t{id}\t\\N\tf\t\\N"),
        Match::Product(brand) => writeln!(out, "\\N\t\\N\t{brand}\tf\t\\N"),
        Match::Replaced(id) => writeln!(out, "\\N\t{id}\t\\N\tt\t\\N"),
        Match::Ambiguous(among) => writeln!(out, "\\N\t\\N\t\\N\tf\t{}", among as u8),
        Match::Unknown => {
            problem(&Problem::UnknownPart { number: row.number.display().to_owned() }, out);
            writeln!(out, "\t\\N\t\\N\tf\t\\N")
        }
    };
}

/// Stages rows (COPY, in chunks as they come).
pub(in crate::inventory) async fn stage(
    tx: &mut Tx,
    chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<u64, sqlx::Error> {
    db::copy_in(tx, COPY, chunks).await
}

/// Settles what matching as the rows were read left open: the brands of ambiguous numbers (`ambiguous`: whether any
/// row has one; looked up for those rows only), and repeats: of the valid rows naming one item at one location, all
/// but the last line. Updates of the few rows concerned, never of every row (each update of a large temporary table
/// writes every row again).
///
/// `suspects`: the lines of the valid rows whose key and location another row may share (the reader's hint); beyond
/// them, only a superseded or equivalent number can name the same item as another row: `replaced`, the parts such
/// numbers named, whose rows are looked at too. Neither: no repeats, nothing to look at.
pub(in crate::inventory) async fn resolve(
    tx: &mut Tx,
    suspects: &[i64],
    replaced: &[i64],
    ambiguous: bool,
) -> Result<(), sqlx::Error> {
    // A temporary table has no statistics until analyzed: without them the planner takes it for a few rows and
    // joins it by nested loops (quadratic on a million rows; writing an unchanged file took 12 minutes instead of a
    // second at 100,000 rows, measured). A small sample is enough for what the plans depend on (row counts,
    // distinct keys): a tenth of the default's cost.
    sqlx::query("set local default_statistics_target = 10").execute(&mut **tx).await?;
    sqlx::query("analyze stage_inventory").execute(&mut **tx).await?;
    if ambiguous {
        sqlx::query(
            "update stage_inventory s
             set problem = jsonb_build_object('problem', 'ambiguous_part', 'number', s.number, 'brands',
                 case s.ambiguous
                      when 1 then (select coalesce(string_agg(distinct b.name, ', ' order by b.name), '')
                                   from catalog_parts p join catalog_manufacturers b on b.id = p.manufacturer_id
                                   where p.number_key = s.key)
                      when 2 then (select coalesce(string_agg(distinct b.name, ', ' order by b.name), '')
                                   from catalog_aftermarket a join catalog_manufacturers b on b.id = a.manufacturer_id
                                   where a.number_key = s.key)
                      else (select coalesce(string_agg(distinct b.name, ', ' order by b.name), '')
                            from catalog_cross_refs c join catalog_parts p on p.id = c.part_id
                            join catalog_manufacturers b on b.id = p.manufacturer_id
                            where c.number_key = s.key)
                 end)
             where s.ambiguous is not null and s.problem is null",
        )
        .execute(&mut **tx)
        .await?;
    }
    if suspects.is_empty() && replaced.is_empty() {
        return Ok(());
    }
    // Repeats: two rows naming one item at one location have the same key (then both are among `suspects`), or one
    // was matched by a superseded or equivalent number: only those candidates are grouped (a window over few rows),
    // then marked by line.
    sqlx::query(
        "with c as (select line, part_id, aft_mfr, case when aft_mfr is not null then key end as aft_key, location
                    from stage_inventory
                    where problem is null
                      and (line in (select unnest($1::bigint[])) or part_id in (select unnest($2::bigint[])))),
              w as (select line, max(line) over (partition by part_id, aft_mfr, aft_key, location) as last from c)
         update stage_inventory s set problem = jsonb_build_object('problem', 'duplicate', 'line', w.last)
         from w where s.line = w.line and w.line < w.last",
    )
    .bind(suspects)
    .bind(replaced)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Each valid staged row beside the tenant's (`$1`) item it sets, if any: by part, or by aftermarket product (two
/// equality joins, each one an index or hash join; a staged row names one or the other).
const AGAINST_ITEMS: &str = "from stage_inventory s
     left join inventory_items ip
            on ip.part_id = s.part_id and ip.aftermarket_manufacturer_id is null and ip.tenant_id = $1
           and ip.location = s.location
     left join inventory_items ia
            on ia.part_id is null and ia.aftermarket_manufacturer_id = s.aft_mfr and ia.aftermarket_key = s.key
           and ia.tenant_id = $1 and ia.location = s.location";

/// The staged rows against the tenant's inventory: how many are new, change, or stay; how many are rejected; and
/// with `replace_location`, how many items of the file's locations would drop to zero.
pub(in crate::inventory) async fn dry_run(
    tx: &mut Tx,
    tenant: TenantId,
    locations: &[String],
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
    let zeroed = if replace_location { zeroed(tx, tenant, locations).await? } else { 0 };
    Ok(Counts { rows, new_items, price_changes, stock_changes, unchanged, rejected, zeroed })
}

/// Items at the file's locations that the file does not name and that still have stock.
async fn zeroed(tx: &mut Tx, tenant: TenantId, locations: &[String]) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("select count(*) {ABSENT}")).bind(tenant).bind(locations).fetch_one(&mut **tx).await
}

/// The tenant's (`$1`) items at the staged rows' locations that no valid staged row names, with stock left. (Two
/// anti-joins, by part and by product: one with an OR could only be a nested loop.)
const ABSENT: &str = "from inventory_items i
     where i.tenant_id = $1 and i.stock > 0
       and i.location = any($2::text[])
       and not exists (select 1 from stage_inventory s
                       where s.problem is null and s.part_id = i.part_id and s.location = i.location)
       and not exists (select 1 from stage_inventory s
                       where s.problem is null and s.aft_mfr = i.aftermarket_manufacturer_id
                         and s.key = i.aftermarket_key and s.location = i.location)";

/// Writes the staged valid rows: each item's price, stock, minimum order and number set (a snapshot, never added)
/// where they differ, and the items the bodega did not have added; with `replace_location`, the other items of the
/// file's `locations` (those of its valid rows) set to zero; those locations confirmed as of now by `upload`. The
/// caller holds the shared catalog lock ([`lock_catalog_shared`]) from before the rows were matched.
pub(in crate::inventory) async fn commit(
    tx: &mut Tx,
    tenant: TenantId,
    upload: UploadId,
    locations: &[String],
    replace_location: bool,
) -> Result<(), sqlx::Error> {
    // The new items go in in the item index's order (sorted in memory, not in temporary files: up to a million rows),
    // so each index page is visited once.
    sqlx::query("set local work_mem = '256MB'").execute(&mut **tx).await?;
    // One statement per kind of item (a part's; an aftermarket product's), each one join of the staged rows with the
    // bodega's items on the item index's equality: matched and different, updated; not matched, inserted. Not an
    // upsert: the commit lock (one commit per bodega at a time) is what keeps two writers of an item apart, and a
    // plain insert skips the upsert's speculative insertion (an eighth of the write's cost, measured).
    for (rows, same_item) in [
        (
            "part_id is not null order by part_id, location",
            "i.part_id = s.part_id and i.aftermarket_manufacturer_id is null",
        ),
        (
            "aft_mfr is not null order by aft_mfr, key, location",
            "i.part_id is null and i.aftermarket_manufacturer_id = s.aft_mfr and i.aftermarket_key = s.key",
        ),
    ] {
        sqlx::query(&format!(
            "merge into inventory_items i
             using (select * from stage_inventory where problem is null and {rows}) s
                on {same_item} and i.tenant_id = $1 and i.location = s.location
             when matched and (i.number, i.price_cents, i.stock, i.min_order_qty)
                              is distinct from (s.number, s.price_cents, s.stock, s.moq) then
                 update set number = s.number, price_cents = s.price_cents, stock = s.stock, min_order_qty = s.moq,
                            upload_id = $2, updated_at = now()
             when not matched then
                 insert (tenant_id, part_id, aftermarket_manufacturer_id, aftermarket_key, number, location,
                         price_cents, stock, min_order_qty, upload_id)
                 values ($1, s.part_id, s.aft_mfr, case when s.aft_mfr is not null then s.key end, s.number,
                         s.location, s.price_cents, s.stock, s.moq, $2)"
        ))
        .bind(tenant)
        .bind(upload)
        .execute(&mut **tx)
        .await?;
    }
    if replace_location {
        sqlx::query(&format!(
            "update inventory_items u set stock = 0, upload_id = $3, updated_at = now()
             where (u.tenant_id, u.id) in (select i.tenant_id, i.id {ABSENT})"
        ))
        .bind(tenant)
        .bind(locations)
        .bind(upload)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "insert into inventory_locations (tenant_id, location, upload_id, confirmed_at)
         select $1, l, $2, now() from unnest($3::text[]) l
         on conflict (tenant_id, location) do update set upload_id = excluded.upload_id, confirmed_at = now()",
    )
    .bind(tenant)
    .bind(upload)
    .bind(locations)
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
pub(in crate::inventory) async fn save_rejects(
    tx: &mut Tx,
    tenant: TenantId,
    upload: UploadId,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from inventory_upload_rejects where tenant_id = $1 and upload_id = $2")
        .bind(tenant)
        .bind(upload)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "insert into inventory_upload_rejects (tenant_id, upload_id, line, problem)
         select $1, $2, line, problem from stage_inventory where problem is not null",
    )
    .bind(tenant)
    .bind(upload)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
