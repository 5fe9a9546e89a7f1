//! `bench production`'s `downtime` section: the downtime job over one day of one line's units not yet looked at, and
//! a line's first round over its whole loaded history.

use std::time::Instant;

use anyhow::{Context, Result};
use nexus::db;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use super::{ProductionBenchArgs, Row, load_plant};

pub(super) async fn run(bench: &PgConnectOptions, owner: &PgPool, args: &ProductionBenchArgs) -> Result<Vec<Row>> {
    let plant = load_plant(owner, args.days).await?;
    let (line, code) = plant.lines.first().cloned().context("the bench plant has no line")?;
    let day_from = plant.to - chrono::Duration::days(1);
    // Every other line of the database already looked at up to now; the measured line's last day not yet, and the
    // stops a previous run found in that day gone.
    sqlx::query(
        "insert into production_downtime_cursor (tenant_id, line_id, last_at)
         select tenant_id, id, now() from production_lines
         on conflict (tenant_id, line_id) do update set last_at = excluded.last_at",
    )
    .execute(owner)
    .await?;
    sqlx::query("update production_downtime_cursor set last_at = $3 where tenant_id = $1 and line_id = $2")
        .bind(plant.tenant)
        .bind(line)
        .bind(day_from)
        .execute(owner)
        .await?;
    sqlx::query("delete from production_downtime where tenant_id = $1 and line_id = $2 and start_at >= $3")
        .bind(plant.tenant)
        .bind(line)
        .bind(day_from)
        .execute(owner)
        .await?;
    let units: i64 = sqlx::query_scalar(
        "select count(*) from production_detections where tenant_id = $1 and line_id = $2 and at > $3",
    )
    .bind(plant.tenant)
    .bind(line)
    .bind(day_from)
    .fetch_one(owner)
    .await?;
    let pool = db::connect(bench.clone(), 4).await?;
    let t = Instant::now();
    let written = nexus::production::service::downtime::run(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("another instance held the downtime job's lock")?;
    let secs = t.elapsed().as_secs_f64();
    pool.close().await;
    println!("downtime: line {code}, {units} units of one day: {written} stops written or closed in {secs:.3} s");
    let mut rows = vec![Row {
        what: format!("downtime job: one day of line {code} ({units} units, {written} stops)"),
        value: format!("{:.0} ms", secs * 1000.0),
        target: "≤ 1,000 ms".into(),
        pass: Some(secs <= 1.0),
    }];
    // A line's first round over its whole history (a plant that backfilled a month): read in windows, never whole.
    if let Some((line, code)) = plant.lines.get(1).cloned() {
        sqlx::query("delete from production_downtime_cursor where tenant_id = $1 and line_id = $2")
            .bind(plant.tenant)
            .bind(line)
            .execute(owner)
            .await?;
        sqlx::query("delete from production_downtime where tenant_id = $1 and line_id = $2")
            .bind(plant.tenant)
            .bind(line)
            .execute(owner)
            .await?;
        let pool = db::connect(bench.clone(), 4).await?;
        let t = Instant::now();
        let written = nexus::production::service::downtime::run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .context("another instance held the downtime job's lock")?;
        let secs = t.elapsed().as_secs_f64();
        pool.close().await;
        println!("downtime: line {code}'s first round over {} days: {written} stops in {secs:.3} s", args.days);
        rows.push(Row {
            what: format!("downtime job: line {code}'s first round, {} days ({written} stops)", args.days),
            value: format!("{:.0} ms", secs * 1000.0),
            target: "— (windows of 100k)".into(),
            pass: None,
        });
    }
    Ok(rows)
}
