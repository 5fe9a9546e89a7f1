//! `bench stock`'s `throughput` section: `--clients` storekeepers (threads, each its own HTTP connection) issue and
//! return one unit of a random item of 1,000 at a time over REST for `--seconds`, each posting under its own
//! idempotency key; then the ledger check.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use sqlx::PgPool;

use super::{Room, Server, StockBenchArgs, disagreements, items_with, post_one, spread};
use crate::cli::Row;

/// Items the storekeepers share.
const HOT: i64 = 1_000;

struct Tally {
    times: Vec<Duration>,
    refused: u64,
    errors: u64,
}

fn storekeeper(base: &str, key: &str, items: &[i64], department: i32, me: usize, stop: &AtomicBool) -> Tally {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut t = Tally { times: Vec::new(), refused: 0, errors: 0 };
    // A small xorshift per storekeeper: which item next.
    let mut x = 0x9E37_79B9_7F4A_7C15_u64 ^ (me as u64 + 1);
    let mut n = 0u64;
    let mut out: Option<i64> = None;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        // Issue an item, then return it: balances stay where they were, on average.
        let (action, item) = match out.take() {
            Some(item) => ("return", item),
            None => {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let item = items[(x % items.len() as u64) as usize];
                out = Some(item);
                ("issue", item)
            }
        };
        let body = format!(
            r#"{{"idempotency_key":"bench-{run}-{n}","source":"api","lines":[{{"action":"{action}","item":{item},"department":{department},"quantity":1,"reference":"OT-{me}"}}]}}"#
        );
        let started = Instant::now();
        match post_one(&agent, base, key, &body) {
            Ok(201) => t.times.push(started.elapsed()),
            Ok(409) => {
                t.times.push(started.elapsed());
                t.refused += 1;
                out = None;
            }
            _ => t.errors += 1,
        }
    }
    t
}

pub(super) async fn run(srv: &Server, owner: &PgPool, room: &Room, args: &StockBenchArgs) -> Result<Vec<Row>> {
    let items: Vec<i64> = {
        let found: Vec<i64> =
            sqlx::query_scalar("select id from stockroom_items where tenant_id = $1 and sku like 'HOT-%' order by id")
                .bind(room.tenant)
                .fetch_all(owner)
                .await?;
        if found.len() as i64 == HOT { found } else { items_with(owner, room, "HOT", HOT, 1_000_000, 0).await? }
    };
    let items = Arc::new(items);
    let stop = Arc::new(AtomicBool::new(false));
    // A moment to warm up (connections, plans), not counted.
    {
        let warm = Arc::new(AtomicBool::new(false));
        let (b, k, i, w) = (srv.base.clone(), srv.key.clone(), items.clone(), warm.clone());
        let d = room.departments[0];
        let h = std::thread::spawn(move || storekeeper(&b, &k, &i, d, 999, &w));
        tokio::time::sleep(Duration::from_secs(2)).await;
        warm.store(true, Ordering::Relaxed);
        let _ = tokio::task::spawn_blocking(move || h.join()).await?;
    }
    let (cpu_all0, cpu_pg0) = (crate::cli::process_cpu(), crate::cli::postgres_cpu());
    let started = Instant::now();
    let handles: Vec<_> = (0..args.clients)
        .map(|me| {
            let (b, k, i, s) = (srv.base.clone(), srv.key.clone(), items.clone(), stop.clone());
            let d = room.departments[0];
            std::thread::Builder::new().name(format!("keeper-{me}")).spawn(move || storekeeper(&b, &k, &i, d, me, &s))
        })
        .collect::<std::io::Result<_>>()?;
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut times, mut refused, mut errors) = (Vec::new(), 0, 0);
    for h in handles {
        let h: std::thread::JoinHandle<Tally> = h;
        let t =
            tokio::task::spawn_blocking(move || h.join()).await?.map_err(|_| anyhow::anyhow!("a client panicked"))?;
        times.extend(t.times);
        refused += t.refused;
        errors += t.errors;
    }
    let wall = started.elapsed().as_secs_f64();
    let (cpu_all, cpu_pg) = (crate::cli::process_cpu() - cpu_all0, crate::cli::postgres_cpu() - cpu_pg0);
    let recorded = times.len() as u64 - refused;
    let rate = recorded as f64 / wall;
    let (p50, p95, p99) = spread(&mut times);
    let wrong = disagreements(&srv.state, room).await?;
    println!(
        "throughput: {} storekeepers, {recorded} movements in {wall:.1} s ({rate:.0}/s), {refused} refused (409), \
         {errors} errors; p50 {p50:.1} p95 {p95:.1} p99 {p99:.1} ms; CPU s: this process (server and clients) \
         {cpu_all:.0}, PostgreSQL {cpu_pg:.0} of {:.0}; ledger check: {wrong} disagreeing balances",
        args.clients,
        wall * 2.0
    );
    Ok(vec![
        Row {
            what: format!("throughput: movements/s, {} storekeepers over REST", args.clients),
            value: format!("{rate:.0}/s"),
            target: "≥ 1,000/s".into(),
            pass: Some(rate >= 1000.0),
        },
        Row {
            what: "throughput: posting latency p50 / p95 / p99".into(),
            value: format!("{p50:.1} / {p95:.1} / {p99:.1} ms"),
            target: "p99 ≤ 100 ms".into(),
            pass: Some(p99 <= 100.0),
        },
        Row {
            what: "throughput: errors other than 409 (409s beside)".into(),
            value: format!("{errors} ({refused})"),
            target: "0".into(),
            pass: Some(errors == 0),
        },
        Row {
            what: "throughput: ledger check after (balances ≠ Σ movements or < 0)".into(),
            value: wrong.to_string(),
            target: "0".into(),
            pass: Some(wrong == 0),
        },
    ])
}
