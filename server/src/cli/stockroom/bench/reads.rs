//! `bench stock`'s `reads` section: `--items` items (`READ-<n>`, barcode `RB<n>`) and `--movements` movements spread
//! over them (receipts and issues in turn, a day apart, written once, set-based, through the ledger's own trigger in
//! time order, a transaction per 1,000 items), then the three reads a counter and an item's page make, through the
//! application's role under row-level security as REST makes them: the balance as of a random past moment
//! (`stockroom_movements_item_at_idx`), the first page of a random item's history (`stockroom_movements_item_idx`), the
//! lookup of a random barcode (`stockroom_barcodes` primary key, then the item's balances and levels). 1,000 each after
//! a warm-up; p50 and p95. Then the whole loaded history exported to CSV as a person asks for it (queued, then
//! written by the export job's round in this process): its time (≤ 15 s) and the process's memory growth (≤ 64 MiB).

use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Utc};
use nexus::caller::{Caller, Machine};
use nexus::db;
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::ItemId;
use nexus::stockroom::service::{ledger, setup};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;

use super::{Room, StockBenchArgs, spread};
use crate::cli::Row;

const RUNS: usize = 1_000;
/// Items per loading transaction.
const CHUNK: i64 = 1_000;

/// Loads what is missing; the first moment of the history.
async fn load(owner: &PgPool, room: &Room, args: &StockBenchArgs) -> Result<DateTime<Utc>> {
    let per_item = (args.movements / args.items).max(1);
    let start = Utc::now() - chrono::Duration::days(per_item + 1);
    let have: i64 =
        sqlx::query_scalar("select count(*) from stockroom_items where tenant_id = $1 and sku like 'READ-%'")
            .bind(room.tenant)
            .fetch_one(owner)
            .await?;
    if have >= args.items {
        let first: Option<DateTime<Utc>> = sqlx::query_scalar(
            "select min(m.occurred_at) from stockroom_movements m join stockroom_items i
             on i.tenant_id = m.tenant_id and i.id = m.item_id where i.tenant_id = $1 and i.sku = 'READ-1'",
        )
        .bind(room.tenant)
        .fetch_one(owner)
        .await?;
        return Ok(first.unwrap_or(start));
    }
    anyhow::ensure!(have == 0, "a partial load of READ items is there: drop the database {} and run again", super::DB);
    let t = Instant::now();
    let mut from = 1;
    while from <= args.items {
        let to = (from + CHUNK - 1).min(args.items);
        let mut tx = owner.begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "insert into stockroom_items (tenant_id, sku, name, unit)
             select $1, 'READ-' || i, 'Artículo de lectura ' || i, 'piece' from generate_series($2::bigint, $3::bigint) i
             returning id",
        )
        .bind(room.tenant)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "insert into stockroom_barcodes (tenant_id, code, item_id)
             select tenant_id, 'RB' || lpad(substr(sku, 6), 8, '0'), id from stockroom_items
             where tenant_id = $1 and id = any($2)",
        )
        .bind(room.tenant)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
        let post: i64 = sqlx::query_scalar(
            "insert into stockroom_posts (tenant_id, idempotency_key, request_hash, source, author_user, author_name)
             values ($1, 'bench-reads-' || $2, '\\x00', 'api', $3, 'Bench') returning id",
        )
        .bind(room.tenant)
        .bind(from)
        .bind(room.owner.0)
        .fetch_one(&mut *tx)
        .await?;
        // Receipts of 5 and issues of 3 in turn, a day apart per item: never below zero, in time order.
        sqlx::query(
            "insert into stockroom_movements
                 (tenant_id, post_id, line, kind, item_id, department_id, quantity_milli, reference, occurred_at)
             select $1, $2, row_number() over (order by k, id), case when k % 2 = 0 then 'receive' else 'issue' end,
                    id, $3, case when k % 2 = 0 then 5000 else -3000 end,
                    case when k % 2 = 0 then '' else 'OT-' || k end,
                    $4 + make_interval(days => k::int, secs => (id % 86400)::double precision)
             from unnest($5::bigint[]) id cross join generate_series(0, $6::bigint - 1) k
             order by k, id",
        )
        .bind(room.tenant)
        .bind(post)
        .bind(room.departments[0])
        .bind(start)
        .bind(&ids)
        .bind(per_item)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        println!(
            "reads: loaded items {from}–{to} ({} movements) after {:.0} s",
            (to - from + 1) * per_item,
            t.elapsed().as_secs_f64()
        );
        from = to + 1;
    }
    for table in ["stockroom_movements", "stockroom_items", "stockroom_barcodes", "stockroom_balances"] {
        sqlx::query(&format!("vacuum analyze {table}")).execute(owner).await?;
    }
    Ok(start)
}

pub(super) async fn run(
    bench: &PgConnectOptions,
    owner: &PgPool,
    room: &Room,
    args: &StockBenchArgs,
) -> Result<Vec<Row>> {
    let start = load(owner, room, args).await?;
    let (items, movements): (i64, i64) = sqlx::query_as(
        "select (select count(*) from stockroom_items where tenant_id = $1),
                (select count(*) from stockroom_movements where tenant_id = $1)",
    )
    .bind(room.tenant)
    .fetch_one(owner)
    .await?;
    let ids: Vec<i64> = sqlx::query_scalar("select id from stockroom_items where tenant_id = $1 and sku like 'READ-%'")
        .bind(room.tenant)
        .fetch_all(owner)
        .await?;
    let app = db::connect(bench.clone(), 4).await?;
    let caller = Caller::Machine(Machine {
        key_id: Uuid::nil(),
        tenant_id: room.tenant,
        name: "bench".into(),
        scopes: vec![ApiScope::StockRead],
        creator_role: Role::Owner,
        tenant_kind: TenantKind::Manufacturer,
    });
    let span = (Utc::now() - start).num_seconds().max(1);
    let mut x = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let err = |e: nexus::Error| anyhow::anyhow!("{e}");
    let (mut as_of, mut history, mut lookup) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..(RUNS + 20) {
        let item = ItemId(ids[next(ids.len() as u64) as usize]);
        let at = start + chrono::Duration::seconds(next(span as u64) as i64);
        let t = Instant::now();
        ledger::balance_as_of(&app, &caller, item, at).await.map_err(err)?;
        let a = t.elapsed();
        let t = Instant::now();
        ledger::history(&app, &caller, item, None, None, None).await.map_err(err)?;
        let h = t.elapsed();
        let code = format!("RB{:08}", next(args.items as u64) + 1);
        let t = Instant::now();
        setup::lookup(&app, &caller, &code).await.map_err(err)?;
        let l = t.elapsed();
        if i >= 20 {
            as_of.push(a);
            history.push(h);
            lookup.push(l);
        }
    }
    let export = export_all(&app, room, start).await?;
    app.close().await;
    let row = |what: &str, times: &mut Vec<Duration>, target: f64| {
        let (p50, p95, _) = spread(times);
        Row {
            what: format!("reads: {what} ({items} items, {movements} movements), p50 / p95 of {RUNS}"),
            value: format!("{p50:.2} / {p95:.2} ms"),
            target: format!("p95 ≤ {target} ms"),
            pass: Some(p95 <= target),
        }
    };
    let (rows, secs, grown) = export;
    Ok(vec![
        row("balance as of a past moment", &mut as_of, 10.0),
        row("an item's history page", &mut history, 20.0),
        row("scan lookup", &mut lookup, 5.0),
        Row {
            what: format!("export: {rows} movements to CSV in the background, time"),
            value: format!("{secs:.1} s"),
            target: "≤ 15 s".into(),
            pass: Some(secs <= 15.0),
        },
        Row {
            what: "export: the process's RSS growth while it writes".into(),
            value: format!("{:.1} MiB", grown as f64 / 1024.0),
            target: "≤ 64 MiB".into(),
            pass: Some(grown <= 64 * 1024),
        },
    ])
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Exports every movement of the loaded history as the owner (queued, then written by the job's round, in this
/// process): rows written, seconds, and how far the process's RSS rose above where it was (sampled every 20 ms).
async fn export_all(app: &PgPool, room: &Room, start: DateTime<Utc>) -> Result<(i64, f64, u64)> {
    use nexus::stockroom::rules::export::{ExportFilter, ExportStatus};
    use nexus::stockroom::service::export;
    let owner = Caller::User(nexus::caller::User {
        user_id: room.owner,
        tenant_id: room.tenant,
        session_id: Uuid::nil(),
        role: Role::Owner,
        tenant_kind: TenantKind::Manufacturer,
        email: "dueno@almacen.bench".into(),
        display_name: "Dueña bench".into(),
    });
    // The loaded history only (the other sections' movements are today's).
    let filter = ExportFilter {
        from: Some(start),
        to: Some(Utc::now() - chrono::Duration::hours(12)),
        ..ExportFilter::default()
    };
    let queued = export::request(app, &owner, &filter).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let base = rss_kib();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_kib());
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    let t = Instant::now();
    export::round(app.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak = watcher.join().map_err(|_| anyhow::anyhow!("the memory watcher panicked"))?;
    let e = export::get(app, &owner, queued.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        e.status == ExportStatus::Done && Some(e.rows) == e.total,
        "the export ended {:?} with {} of {:?} rows",
        e.status,
        e.rows,
        e.total
    );
    println!("export: {} movements, {} MB of CSV in {secs:.1} s", e.rows, e.bytes / 1_000_000);
    Ok((e.rows, secs, peak.saturating_sub(base)))
}
