//! `bench stock`'s `races` section, `--repeat` times over REST on the in-process server (each racer's connection
//! opened first, then all released at once): 500 concurrent issues of one
//! unit against a balance of 100 (exactly 100 recorded, 400 refused with 409, the balance 0 and the ledger check
//! clean), and 100 concurrent issues of one unit taking a balance of 100 across a threshold of 50 (exactly one alert,
//! and one notice for each of the department's supply people).

use std::sync::{Arc, Barrier};
use std::time::Duration;

use anyhow::Result;
use sqlx::PgPool;

use super::{Room, SUPPLY, Server, StockBenchArgs, disagreements, items_with, post_one};
use crate::cli::Row;

/// `n` threads, released together, each posting an issue of one unit of `item`: the statuses.
async fn race(srv: &Server, item: i64, department: i32, n: usize) -> Result<Vec<u16>> {
    let barrier = Arc::new(Barrier::new(n));
    let run = uuid::Uuid::new_v4().simple().to_string();
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (b, k, barrier) = (srv.base.clone(), srv.key.clone(), barrier.clone());
            let body = format!(
                r#"{{"idempotency_key":"race-{run}-{i}","lines":[{{"action":"issue","item":{item},"department":{department},"quantity":1}}]}}"#
            );
            std::thread::Builder::new().stack_size(256 * 1024).spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build();
                // Each racer's connection is open before the race (kept alive for its posting): the race is 500
                // issues in flight at once, not 500 connections opened at once.
                let _ = agent.get(&format!("{b}/api/v1/health")).call();
                barrier.wait();
                post_one(&agent, &b, &k, &body).unwrap_or_else(|e| {
                    eprintln!("a racer got no answer: {e:#}");
                    0
                })
            })
        })
        .collect::<std::io::Result<_>>()?;
    let mut statuses = Vec::with_capacity(n);
    for h in handles {
        let h: std::thread::JoinHandle<u16> = h;
        statuses.push(tokio::task::spawn_blocking(move || h.join()).await?.unwrap_or(0));
    }
    Ok(statuses)
}

pub(super) async fn run(srv: &Server, owner: &PgPool, room: &Room, args: &StockBenchArgs) -> Result<Vec<Row>> {
    let department = room.departments[0];
    let (mut last_ok, mut alerts_ok) = (0, 0);
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    for round in 1..=args.repeat {
        // The last units.
        let item = items_with(owner, room, &format!("RACE-{run}-{round}"), 1, 100, 0).await?[0];
        let statuses = race(srv, item, department, 500).await?;
        let ok = statuses.iter().filter(|s| **s == 201).count();
        let refused = statuses.iter().filter(|s| **s == 409).count();
        let balance: i64 = sqlx::query_scalar(
            "select quantity_milli from stockroom_balances where tenant_id = $1 and item_id = $2 and department_id = $3",
        )
        .bind(room.tenant)
        .bind(item)
        .bind(department)
        .fetch_one(owner)
        .await?;
        let wrong = disagreements(&srv.state, room).await?;
        let held = ok == 100 && refused == 400 && balance == 0 && wrong == 0;
        let mut other: Vec<u16> = statuses.iter().copied().filter(|s| !matches!(s, 201 | 409)).collect();
        other.sort_unstable();
        if !other.is_empty() {
            println!("races {round}: answers other than 201 and 409 (0: no answer): {other:?}");
        }
        last_ok += usize::from(held);
        // Across the threshold.
        let item = items_with(owner, room, &format!("EDGE-{run}-{round}"), 1, 100, 50).await?[0];
        let statuses = race(srv, item, department, 100).await?;
        let issued = statuses.iter().filter(|s| **s == 201).count();
        let alerts: Vec<i64> =
            sqlx::query_scalar("select id from stockroom_alerts where tenant_id = $1 and item_id = $2")
                .bind(room.tenant)
                .bind(item)
                .fetch_all(owner)
                .await?;
        let notices: i64 = match alerts.as_slice() {
            [one] => {
                sqlx::query_scalar("select count(*) from notify_inbox where tenant_id = $1 and link = $2")
                    .bind(room.tenant)
                    .bind(format!("/stock/alerts?alert={one}"))
                    .fetch_one(owner)
                    .await?
            }
            _ => 0,
        };
        let alerted = issued == 100 && alerts.len() == 1 && notices == SUPPLY as i64;
        alerts_ok += usize::from(alerted);
        println!(
            "races {round}/{}: last units {ok} recorded, {refused} refused, balance {} ({}); threshold: {issued} \
             issued, {} alert(s), {notices} notices ({})",
            args.repeat,
            balance / 1000,
            if held { "held" } else { "BROKEN" },
            alerts.len(),
            if alerted { "held" } else { "BROKEN" },
        );
    }
    Ok(vec![
        Row {
            what: "races: 500 issues of 1 against 100 → 100 recorded, 400 × 409".into(),
            value: format!("{last_ok} of {}", args.repeat),
            target: format!("{0} of {0}", args.repeat),
            pass: Some(last_ok == args.repeat),
        },
        Row {
            what: format!("races: 100 issues across a threshold → 1 alert, {SUPPLY} notices"),
            value: format!("{alerts_ok} of {}", args.repeat),
            target: format!("{0} of {0}", args.repeat),
            pass: Some(alerts_ok == args.repeat),
        },
    ])
}
