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
const COPY: &str = "copy stage_inventory (line, number, key, price_cents, stock, location, moq, problem) from stdin";

/// Creates the staging table (dropped when the transaction ends). Rows the rules rejected are staged too, with
/// their reason and no values, so every count and every rejected row comes from one place.
pub(in crate::inventory) async fn create_stage(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "create temp table stage_inventory (
             line bigint primary key, number text, key text collate \"C\",
             price_cents bigint, stock integer, location text, moq integer, problem jsonb
         ) on commit drop",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One checked row (or the reason the rules reject it) as a COPY text line.
pub(in crate::inventory) fn copy_line(line: u64, row: &Result<Row, Problem>, out: &mut Vec<u8>) {
    let row = match row {
        Ok(row) => row,
        Err(problem) => {
            out.extend_from_slice(line.to_string().as_bytes());
            out.extend_from_slice(b"\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t");
            let json = serde_json::to_string(problem).unwrap_or_else(|_| "{}".to_owned());
            db::copy_field(&json, out);
            out.push(b'\n');
            return;
        }
    };
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
    out.extend_from_slice(b"\t\\N\n");
}

/// Stages rows (COPY, in chunks as they come).
pub(in crate::inventory) async fn stage(
    tx: &mut Tx,
    chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<u64, sqlx::Error> {
    db::copy_in(tx, COPY, chunks).await
}

/// Matches every staged row to its catalog item, in one pass into `stage_resolved`: an OEM part by its number key;
/// else an aftermarket product (manufacturer and key); else the part a superseded or equivalent number names. A key
/// several parts (or products) share is ambiguous; a key nothing has is unknown. Of rows naming the same item at the
/// same location, all but the last line are repeats. (One statement, no chain of updates: each update of a large
/// temporary table writes every row again.)
pub(in crate::inventory) async fn resolve(tx: &mut Tx) -> Result<(), sqlx::Error> {
    // A temporary table has no statistics until analyzed: without them the planner takes it for a few rows and
    // joins it by nested loops (quadratic on a million rows).
    sqlx::query("analyze stage_inventory").execute(&mut **tx).await?;
    sqlx::query(
        "create temp table stage_resolved on commit drop as
         with k as (select distinct key from stage_inventory where problem is null),
              oem as (select p.number_key, min(p.id) as id, count(*) as n
                      from catalog_parts p join k on k.key = p.number_key group by p.number_key),
              aft as (select a.number_key, min(a.manufacturer_id) as mfr, count(distinct a.manufacturer_id) as n
                      from catalog_aftermarket a join k on k.key = a.number_key
                      where not exists (select 1 from oem where oem.number_key = a.number_key)
                      group by a.number_key),
              x as (select c.number_key, min(c.part_id) as id, count(distinct c.part_id) as n
                    from catalog_cross_refs c join k on k.key = c.number_key
                    where not exists (select 1 from oem where oem.number_key = c.number_key)
                      and not exists (select 1 from aft where aft.number_key = c.number_key)
                    group by c.number_key),
              r as (select s.line, s.number, s.key, s.price_cents, s.stock, s.location, s.moq, s.problem as rule,
                           case when oem.n = 1 then oem.id when aft.n is null and x.n = 1 then x.id end as part_id,
                           case when aft.n = 1 then aft.mfr end as aft_mfr,
                           case when aft.n = 1 then aft.number_key end as aft_key,
                           case when s.problem is not null then null
                                when oem.n > 1 then 'oem' when aft.n > 1 then 'aftermarket' when x.n > 1 then 'cross_ref'
                                when oem.n is null and aft.n is null and x.n is null then 'unknown' end as miss
                    from stage_inventory s
                    left join oem on oem.number_key = s.key
                    left join aft on aft.number_key = s.key
                    left join x on x.number_key = s.key),
              i as (select r.*, case when r.part_id is not null then 'p' || r.part_id::text
                                     when r.aft_key is not null then 'a' || r.aft_mfr::text || ':' || r.aft_key end
                                as item_key
                    from r)
         select i.line, i.number, i.key, i.price_cents, i.stock, i.location, i.moq, i.part_id, i.aft_mfr, i.aft_key,
                i.item_key, i.miss,
                case when i.rule is not null then i.rule
                     when i.miss = 'unknown' then jsonb_build_object('problem', 'unknown_part', 'number', i.number)
                     when i.miss is not null then jsonb_build_object(
                         'problem', 'ambiguous_part', 'number', i.number, 'brands', '')
                     when i.item_key is not null and row_number() over w > 1 then jsonb_build_object('problem', 'duplicate', 'line',
                                                                           first_value(i.line) over w)
                end as problem
         from i
         window w as (partition by i.item_key, i.location order by i.line desc)",
    )
    .execute(&mut **tx)
    .await?;
    // The brands behind each ambiguous number (few rows).
    sqlx::query(
        "with b as (select t.miss, t.key, string_agg(distinct m.name, ', ' order by m.name) as brands
                    from (select s.miss, s.key, p.manufacturer_id from stage_resolved s
                          join catalog_parts p on p.number_key = s.key where s.miss = 'oem'
                          union all
                          select s.miss, s.key, a.manufacturer_id from stage_resolved s
                          join catalog_aftermarket a on a.number_key = s.key where s.miss = 'aftermarket'
                          union all
                          select s.miss, s.key, p.manufacturer_id from stage_resolved s
                          join catalog_cross_refs c on c.number_key = s.key
                          join catalog_parts p on p.id = c.part_id where s.miss = 'cross_ref') t
                    join catalog_manufacturers m on m.id = t.manufacturer_id
                    group by t.miss, t.key)
         update stage_resolved s set problem = jsonb_set(s.problem, '{brands}', to_jsonb(b.brands))
         from b where s.miss = b.miss and s.key = b.key",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query("analyze stage_resolved").execute(&mut **tx).await?;
    Ok(())
}

/// The staged rows against the tenant's inventory: how many are new, change, or stay; how many are rejected; and
/// with `replace_location`, how many items of the file's locations would drop to zero.
pub(in crate::inventory) async fn dry_run(
    tx: &mut Tx,
    tenant: Uuid,
    replace_location: bool,
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
             from stage_resolved s
             left join inventory_items i
                    on i.tenant_id = $1 and i.item_key = s.item_key and i.location = s.location",
        )
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

/// The tenant's (`$1`) items at the staged rows' locations that no valid staged row names, with stock left.
const ABSENT: &str = "from inventory_items i
     where i.tenant_id = $1 and i.stock > 0
       and i.location in (select location from stage_resolved where problem is null)
       and not exists (select 1 from stage_resolved s
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
         from stage_resolved s where s.problem is null
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
         select distinct $1, location, $2, now() from stage_resolved where problem is null
         on conflict (tenant_id, location) do update set upload_id = excluded.upload_id, confirmed_at = now()",
    )
    .bind(tenant)
    .bind(upload)
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
