//! Exporting the movement history: a person asks ([`request`]) with filters and gets an export at once, queued; the
//! `stock.exports` job ([`round`], run by the one job runner: a round at a time across instances) writes it as a
//! formula-safe CSV in parts of about a megabyte, reading the movements as one stream in time order and storing each
//! part as it fills, with the progress beside it; the page polls [`get`] and downloads [`file`] part by part. Neither
//! the writer nor a download ever holds more than a part: memory stays flat whatever the number of rows.

use futures_util::{Stream, TryStreamExt};
use serde_json::json;

use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::csv_safe::neutralize;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::ids::TenantId;
use crate::jobs::Report;
use crate::stockroom::rules::export::{COLUMNS, Export, ExportFilter, ExportStatus};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::store::export as store;

/// A part of the file is stored once it holds this much.
pub const PART_BYTES: usize = 1 << 20;
/// Exports a person's list shows.
const LISTED: i64 = 10;
/// Exports one round writes at most (the next round takes the rest a second later).
const PER_ROUND: usize = 10;

fn view(r: store::ExportRow) -> Result<Export> {
    Ok(Export {
        id: r.id,
        status: ExportStatus::decode(&r.status)?,
        filter: serde_json::from_value(r.filters).map_err(Error::internal)?,
        total: r.total,
        rows: r.rows_written,
        bytes: r.bytes,
        created_at: r.created_at,
        finished_at: r.finished_at,
    })
}

/// Queues an export of the movements `filter` names (`stock:read`; people: the export is theirs).
pub async fn request(pool: &PgPool, caller: &Caller, filter: &ExportFilter) -> Result<Export> {
    caller.require(ApiScope::StockRead)?;
    let user = caller.user()?;
    filter.check().map_err(Error::Validation)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let row = store::insert(&mut tx, user.tenant_id, user.user_id, &json!(filter)).await?;
    tx.commit().await?;
    view(row)
}

/// One of the caller's exports.
pub async fn get(pool: &PgPool, caller: &Caller, id: i64) -> Result<Export> {
    caller.require(ApiScope::StockRead)?;
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let row = store::get(&mut tx, user.tenant_id, user.user_id, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    view(row)
}

/// The caller's latest exports, newest first.
pub async fn list(pool: &PgPool, caller: &Caller) -> Result<Vec<Export>> {
    caller.require(ApiScope::StockRead)?;
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let rows = store::list(&mut tx, user.tenant_id, user.user_id, LISTED).await?;
    tx.commit().await?;
    rows.into_iter().map(view).collect()
}

/// A finished export's file, as a stream of its parts (each read when the one before has gone out); 409
/// `export_not_ready` before it is done.
pub async fn file(
    pool: &PgPool,
    caller: &Caller,
    id: i64,
) -> Result<(Export, impl Stream<Item = Result<Vec<u8>>> + Send + 'static)> {
    let export = get(pool, caller, id).await?;
    if export.status != ExportStatus::Done {
        return Err(Error::Conflict(ErrorCode::ExportNotReady));
    }
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let parts = store::parts(&mut tx, tenant, id).await?;
    tx.commit().await?;
    let pool = pool.clone();
    let stream = futures_util::stream::try_unfold(0, move |n| {
        let pool = pool.clone();
        async move {
            if n >= parts {
                return Ok(None);
            }
            let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await?;
            let data = store::part(&mut tx, tenant, id, n).await?;
            tx.commit().await?;
            Ok(Some((data, n + 1)))
        }
    });
    Ok((export, stream))
}

/// The job's round: exports an ended round left running are queued again; then the queued ones are written, oldest
/// first, a few per round.
pub async fn round(pool: PgPool) -> Result<Report> {
    let mut written = Vec::new();
    for _ in 0..PER_ROUND {
        let mut tx = db::begin(&pool, Scope::Platform).await?;
        let requeued = store::requeue_orphans(&mut tx).await?;
        let claimed = store::claim(&mut tx).await?;
        tx.commit().await?;
        if requeued > 0 {
            tracing::warn!(requeued, "stock exports left running by an ended round queued again");
        }
        let Some((tenant, id, filters)) = claimed else { break };
        let outcome = write(&pool, tenant, id, filters).await;
        let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await?;
        store::finish(&mut tx, tenant, id, if outcome.is_ok() { "done" } else { "failed" }).await?;
        tx.commit().await?;
        match outcome {
            Ok(rows) => written.push(format!("export {id}: {rows} movements")),
            Err(e) => tracing::error!(export = id, error = %e, "a stock export failed"),
        }
    }
    Ok((!written.is_empty()).then(|| written.join(", ")))
}

/// Writes export `id`: the movements in one read, the CSV in parts; how many rows.
async fn write(pool: &PgPool, tenant: TenantId, id: i64, filters: serde_json::Value) -> Result<i64> {
    let filter: ExportFilter = serde_json::from_value(filters).map_err(Error::internal)?;
    let f = store::Filters {
        items: filter.items.iter().map(|i| i.0).collect(),
        departments: filter.departments.iter().map(|d| d.0).collect(),
        kinds: filter.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        from: filter.from,
        to: filter.to,
    };
    let mut read = db::begin(pool, Scope::Tenant(tenant)).await?;
    let total = store::count(&mut read, tenant, &f).await?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    store::set_total(&mut tx, tenant, id, total).await?;
    tx.commit().await?;
    let new_part = || csv::Writer::from_writer(Vec::with_capacity(PART_BYTES + 64 * 1024));
    let mut csv = new_part();
    csv.write_record(COLUMNS).map_err(Error::internal)?;
    let (mut part, mut in_part, mut rows) = (0, 0_i64, 0_i64);
    {
        let mut lines = store::lines(&mut read, tenant, &f);
        while let Some(r) = lines.try_next().await? {
            let unit = Unit::decode(&r.unit)?;
            let cells = [
                r.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                r.id.to_string(),
                r.post_id.to_string(),
                r.kind,
                r.sku,
                r.item,
                r.unit,
                r.department,
                Qty(r.quantity_milli).text(unit, '.'),
                Qty(r.balance_after_milli).text(unit, '.'),
                r.person.unwrap_or_default(),
                r.other_department.unwrap_or_default(),
                r.reference,
                r.reason,
                r.author,
                r.source,
            ];
            csv.write_record(cells.iter().map(|c| neutralize(c).into_owned())).map_err(Error::internal)?;
            in_part += 1;
            rows += 1;
            if csv.get_ref().len() >= PART_BYTES {
                let data =
                    std::mem::replace(&mut csv, new_part()).into_inner().map_err(|e| Error::internal(e.to_string()))?;
                store_part(pool, tenant, id, part, &data, in_part).await?;
                part += 1;
                in_part = 0;
            }
        }
    }
    read.commit().await?;
    let data = csv.into_inner().map_err(|e| Error::internal(e.to_string()))?;
    if !data.is_empty() {
        store_part(pool, tenant, id, part, &data, in_part).await?;
    }
    Ok(rows)
}

async fn store_part(pool: &PgPool, tenant: TenantId, id: i64, n: i32, data: &[u8], rows: i64) -> Result<()> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    store::add_part(&mut tx, tenant, id, n, data, rows).await?;
    tx.commit().await?;
    Ok(())
}
