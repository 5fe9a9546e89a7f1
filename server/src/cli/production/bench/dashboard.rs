//! `bench production`'s `dashboard` section: the dashboard's figures over the loaded plant, as the page asks for
//! them, through the application's role under row-level security; p50 and p95.

use std::time::Instant;

use anyhow::{Context, Result};
use nexus::db::{self, Scope};
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::production::rules::dashboard::{Bucket, Query, Range};
use nexus::production::service::dashboard::view;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;

use super::{ProductionBenchArgs, Row, load_plant, pct_ms};

/// p50 and p95 of `runs` calls of the dashboard's figures for `q` (after five to warm up).
async fn time_view(pool: &PgPool, caller: &nexus::caller::Caller, q: &Query, runs: usize) -> Result<(f64, f64, i64)> {
    let mut units = 0;
    for _ in 0..5 {
        units = view(pool, caller, q).await.map_err(|e| anyhow::anyhow!("{e}"))?.total.totals.total;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        view(pool, caller, q).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed());
    }
    Ok((pct_ms(&mut times, 0.5), pct_ms(&mut times, 0.95), units))
}

pub(super) async fn run(bench: &PgConnectOptions, owner: &PgPool, args: &ProductionBenchArgs) -> Result<Vec<Row>> {
    let plant = load_plant(owner, args.days).await?;
    for table in ["production_minutes", "production_hours"] {
        sqlx::query(&format!("analyze {table}")).execute(owner).await?;
    }
    // The application's pool: its role, its row-level security, as a dashboard runs.
    let app = db::connect(bench.clone(), 4).await?;
    let caller = nexus::caller::Caller::Machine(nexus::caller::Machine {
        key_id: Uuid::nil(),
        tenant_id: plant.tenant,
        name: "bench".into(),
        scopes: vec![ApiScope::ProductionRead],
        creator_role: Role::Owner,
        tenant_kind: nexus::identity::rules::tenant::TenantKind::Manufacturer,
    });
    let (line, code) = plant.lines.first().cloned().context("the bench plant has no line")?;
    let month = Query {
        range: Range::Custom,
        from: Some(plant.from),
        to: Some(plant.to),
        line: Some(nexus::ids::LineId(line)),
        bucket: Some(Bucket::Day),
        ..Query::default()
    };
    // The morning shift of the last whole day loaded, every line, by the hour.
    let mut tx = db::begin(&app, Scope::Tenant(plant.tenant)).await?;
    let shift: nexus::ids::ShiftId =
        sqlx::query_scalar("select id from production_shifts where name = 'Matutino'").fetch_one(&mut *tx).await?;
    tx.commit().await?;
    let day = Query {
        range: Range::Custom,
        from: Some(plant.to - chrono::Duration::days(1)),
        to: Some(plant.to),
        shift: Some(shift),
        bucket: Some(Bucket::Hour),
        ..Query::default()
    };
    let runs = 200;
    let (p50, p95, units) = time_view(&app, &caller, &month, runs).await?;
    let (s50, s95, shift_units) = time_view(&app, &caller, &day, runs).await?;
    app.close().await;
    Ok(vec![
        Row {
            what: format!("dashboard: line {code}, {} days by day ({units} units), p50 / p95 of {runs}", args.days),
            value: format!("{p50:.1} / {p95:.1} ms"),
            target: "p95 ≤ 100 ms".into(),
            pass: Some(p95 <= 100.0),
        },
        Row {
            what: format!(
                "dashboard: {} lines, one shift by hour ({shift_units} units), p50 / p95 of {runs}",
                plant.lines.len()
            ),
            value: format!("{s50:.1} / {s95:.1} ms"),
            target: "p95 ≤ 100 ms".into(),
            pass: Some(s95 <= 100.0),
        },
    ])
}
