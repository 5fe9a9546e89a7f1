//! Store tests of production against real PostgreSQL (a fresh database per test).

mod dashboard;
mod report;
mod settings;
mod stops;

use chrono::{DateTime, Datelike, Duration, DurationRound, Utc};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use crate::caller::{Caller, Machine};
use crate::db::{self, Scope};
use crate::error::Error;
use crate::identity::rules::auth::{ApiScope, Role};
use crate::ids::TenantId;
use crate::production::rules::ingest::{BatchProblem, DetectionIn, RowReason};
use crate::production::service::ingest::ingest;

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions) -> PgPool {
    db::app_pool_options(opts.max_connections(5)).connect_with(conn).await.unwrap()
}

/// A manufacturer with line L1 (areas IN and OUT) and product P-100 (ideal cycle 1 s).
async fn plant(pool: &PgPool, name: &str) -> TenantId {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
    )
    .bind(name)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    for sql in [
        "insert into production_lines (tenant_id, code, name) values ($1, 'L1', 'Línea 1')",
        "insert into production_areas (tenant_id, line_id, kind, code, name)
         select $1, id, k.kind, k.code, k.name from production_lines, (values ('input', 'IN', 'Entrada'),
             ('output', 'OUT', 'Salida')) k(kind, code, name) where tenant_id = $1",
        "insert into production_products (tenant_id, code, name, ideal_cycle_ms) values ($1, 'P-100', 'Soporte', 1000)",
    ] {
        sqlx::query(sql).bind(tenant).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    tenant
}

/// [`plant`], on shift around the clock every day with no break (two shifts handing over at noon and midnight): every
/// moment is planned, so a gap is judged by the clock alone.
async fn plant_on_shift(pool: &PgPool, name: &str) -> TenantId {
    let tenant = plant(pool, name).await;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "insert into production_shifts (tenant_id, name, days, start_time, end_time)
         values ($1, 'Día', 127, '00:00', '12:00'), ($1, 'Noche', 127, '12:00', '00:00')",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tenant
}

fn plc(tenant: TenantId, scopes: Vec<ApiScope>) -> Caller {
    Caller::Machine(Machine {
        key_id: Uuid::new_v4(),
        tenant_id: tenant,
        name: "PLC".into(),
        scopes,
        creator_role: Role::Manager,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Manufacturer,
    })
}

fn unit(area: &str, at: DateTime<Utc>, good: bool) -> DetectionIn {
    DetectionIn { line: "L1".into(), area: area.into(), product: "P-100".into(), at, good }
}

/// (minute, area code, total, good) of the tenant's rollups, in order.
async fn minutes(pool: &PgPool, tenant: TenantId) -> Vec<(DateTime<Utc>, String, i32, i32)> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query_as(
        "select m.minute, a.code, m.total, m.good from production_minutes m
         join production_areas a on a.tenant_id = m.tenant_id and a.id = m.area_id order by 1, 2",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap()
}

async fn stored(pool: &PgPool, tenant: TenantId) -> i64 {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query_scalar("select count(*) from production_detections").fetch_one(&mut *tx).await.unwrap()
}

#[sqlx::test]
async fn a_batch_is_stored_with_its_minutes_once_however_often_it_is_sent(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    let minute = Utc::now().duration_trunc(Duration::minutes(1)).unwrap() - Duration::minutes(10);
    let units = [
        unit("OUT", minute + Duration::seconds(1), true),
        unit("OUT", minute + Duration::seconds(59), false),
        unit("OUT", minute + Duration::seconds(60), true),
        unit("IN", minute + Duration::seconds(2), true),
    ];
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let first = ingest(&pool, &caller, "plc-1:0001", &units).await.unwrap();
    assert_eq!((first.stored, first.repeated), (4, false));
    let want = vec![
        (minute, "IN".to_owned(), 1, 1),
        (minute, "OUT".to_owned(), 2, 1),
        (minute + Duration::minutes(1), "OUT".to_owned(), 1, 1),
    ];
    assert_eq!(minutes(&pool, tenant).await, want);

    // Sent again (the answer was lost): acknowledged, not counted twice.
    let again = ingest(&pool, &caller, "plc-1:0001", &units).await.unwrap();
    assert_eq!((again.stored, again.repeated), (0, true));
    assert_eq!(minutes(&pool, tenant).await, want);
    assert_eq!(stored(&pool, tenant).await, 4);

    // A new batch adds to the same minute.
    ingest(&pool, &caller, "plc-1:0002", &[unit("OUT", minute + Duration::seconds(30), true)]).await.unwrap();
    assert_eq!(minutes(&pool, tenant).await[1], (minute, "OUT".to_owned(), 3, 2));
}

#[sqlx::test]
async fn a_bad_row_refuses_the_whole_batch_and_its_id_stays_free(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    // Another plant's codes are not this one's.
    let other = plant(&pool, "Planta Sur").await;
    let mut tx = db::begin(&pool, Scope::Tenant(other)).await.unwrap();
    sqlx::query(
        "insert into production_products (tenant_id, code, name, ideal_cycle_ms) values ($1, 'P-200', 'Otro', 500)",
    )
    .bind(other)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let now = Utc::now();
    let mut foreign = unit("OUT", now, true);
    foreign.product = "P-200".into();
    for (bad, field, reason) in [
        (foreign, "product", RowReason::Unknown),
        (unit("OUT", now + Duration::hours(1), true), "at", RowReason::InFuture),
    ] {
        let units = [unit("OUT", now, true), bad];
        let refused = ingest(&pool, &caller, "plc-1:0003", &units).await;
        assert!(
            matches!(&refused, Err(Error::Rejected(r)) if r.status == 422 && matches!(r.reason(), Some(BatchProblem::Row { row: 2, field: f, reason: rr }) if f == field && rr == reason)),
            "{refused:?}"
        );
    }
    assert_eq!(stored(&pool, tenant).await, 0);
    assert!(minutes(&pool, tenant).await.is_empty());
    // Corrected, the same batch id goes through.
    let ok = ingest(&pool, &caller, "plc-1:0003", &[unit("OUT", now, true)]).await.unwrap();
    assert_eq!((ok.stored, ok.repeated), (1, false));
}

#[sqlx::test]
async fn only_keys_with_the_ingest_scope_send_units(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let refused = ingest(&pool, &reader, "b1", &[unit("OUT", Utc::now(), true)]).await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    assert_eq!(stored(&pool, tenant).await, 0);
}

#[sqlx::test]
async fn units_land_in_their_months_partition_and_months_ahead_exist(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let last_month = Utc::now() - Duration::days(35);
    ingest(&pool, &caller, "b1", &[unit("OUT", Utc::now(), true), unit("OUT", last_month, true)]).await.unwrap();
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let parts: Vec<(String, i64)> =
        sqlx::query_as("select tableoid::regclass::text, count(*) from production_detections group by 1 order by 1")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    let name = |t: DateTime<Utc>| format!("production_detections_{}", t.format("%Y_%m"));
    assert_eq!(parts, [(name(last_month), 1), (name(Utc::now()), 1)]);
    // Two months ahead are ready; creating them again makes none.
    let made: i32 =
        sqlx::query_scalar("select production_partitions(now()::date, 3)").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(made, 0);
}

#[sqlx::test]
async fn the_partition_job_makes_months_ahead_and_drops_those_past_retention(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::maintenance::partitions;
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    // An hour into the month two before this one (its partition is the oldest the migration made).
    let this_month = Utc::now().date_naive().with_day(1).unwrap();
    let two_months_ago = (this_month - chrono::Months::new(2)).and_hms_opt(1, 0, 0).unwrap().and_utc();
    ingest(&pool, &caller, "old", &[unit("OUT", two_months_ago, true)]).await.unwrap();
    ingest(&pool, &caller, "new", &[unit("OUT", Utc::now(), true)]).await.unwrap();

    // The migration made two months back to two ahead; the job makes every month kept (24 back) and the third ahead.
    let (made, dropped) = partitions(&pool, 24).await.unwrap().expect("the job's lock is free");
    assert_eq!((made, dropped), (24 + 1 + 3 - 5, 0));
    // Units are accepted as far back as they are kept: the first day of the month 24 months back, and not before.
    let kept_from = (this_month - chrono::Months::new(24)).and_hms_opt(0, 0, 0).unwrap().and_utc();
    ingest(&pool, &caller, "old-but-kept", &[unit("OUT", kept_from, true)]).await.unwrap();
    let refused = ingest(&pool, &caller, "older", &[unit("OUT", kept_from - Duration::seconds(1), true)]).await;
    assert!(
        matches!(&refused, Err(Error::Rejected(r)) if matches!(r.reason(), Some(BatchProblem::TooOld { row: 1, oldest }) if oldest == kept_from)),
        "{refused:?}"
    );
    assert_eq!(stored(&pool, tenant).await, 3);
    // Keeping one whole month before the current one drops the month two back, and its units only.
    let (made, dropped) = partitions(&pool, 1).await.unwrap().unwrap();
    assert_eq!(made, 0);
    assert!(dropped >= 1, "{dropped}");
    assert_eq!(stored(&pool, tenant).await, 1);
    assert_eq!(minutes(&pool, tenant).await.len(), 3, "rollups stay");
    // Units of a dropped month are now before the oldest kept: refused, not an error of ours.
    let refused = ingest(&pool, &caller, "late", &[unit("OUT", two_months_ago, true)]).await;
    assert!(
        matches!(&refused, Err(Error::Rejected(r)) if matches!(r.reason(), Some(BatchProblem::TooOld { row: 1, .. }))),
        "{refused:?}"
    );
}

/// The tenant's stops: (start, end) in order.
async fn stops(pool: &PgPool, tenant: TenantId) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query_as("select start_at, end_at from production_downtime order by start_at")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_downtime_job_finds_each_stop_once_even_when_two_instances_race(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::downtime::{DOWNTIME_LOCK, run};
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(2);
    let s = |secs| t0 + Duration::seconds(secs);
    // Output units every 10 s, then a 390 s gap (a stop: the threshold is 300 s), then a 200 s gap (a micro-stop
    // only), and units at the input area that do not count.
    let mut units: Vec<DetectionIn> = [0, 10, 20, 410, 420, 620].iter().map(|&x| unit("OUT", s(x), true)).collect();
    units.push(unit("IN", s(700), true));
    ingest(&pool, &caller, "b1", &units).await.unwrap();

    // While another instance holds the round, a round skips: nothing read, nothing written.
    let mut other = db::begin(&pool, Scope::Platform).await.unwrap();
    assert!(db::try_job_lock(&mut other, DOWNTIME_LOCK).await.unwrap());
    assert_eq!(run(&pool).await.unwrap(), None);
    assert!(stops(&pool, tenant).await.is_empty());
    other.rollback().await.unwrap();

    // Two instances at once: exactly one writes the two stops; the other skips the round (it ran while the first
    // held it) or, coming after it, finds nothing new. Never both writing, never neither.
    let (a, b) = tokio::join!(run(&pool), run(&pool));
    let mut rounds = [a.unwrap(), b.unwrap()];
    rounds.sort();
    assert!(matches!(rounds, [None | Some(0), Some(2)]), "{rounds:?}");
    // The 390 s gap is a stop; the line has been silent since 620 s (far longer than 300 s): a stop still open.
    assert_eq!(stops(&pool, tenant).await, [(s(20), Some(s(410))), (s(620), None)]);
    // Again: nothing new.
    assert_eq!(run(&pool).await.unwrap(), Some(0));
    assert_eq!(stops(&pool, tenant).await.len(), 2);

    // The line counts again (a moment ago): the open stop ends there, and no new one opens.
    let again = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::seconds(15);
    ingest(&pool, &caller, "b2", &[unit("OUT", again, true)]).await.unwrap();
    run(&pool).await.unwrap();
    assert_eq!(stops(&pool, tenant).await, [(s(20), Some(s(410))), (s(620), Some(again))]);
}

#[sqlx::test]
async fn the_downtime_job_reads_a_long_history_in_windows_and_finds_the_same_stops(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::downtime::run_in_windows;
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(2);
    let s = |secs| t0 + Duration::seconds(secs);
    // Stops (gaps over 300 s) at a window's edge, inside one, and spanning two, then silence.
    let at = [0, 10, 400, 410, 420, 430, 440, 900, 910, 920, 1300, 1310];
    let units: Vec<DetectionIn> = at.iter().map(|&x| unit("OUT", s(x), true)).collect();
    ingest(&pool, &caller, "b1", &units).await.unwrap();
    // Windows of three units: four windows in one round.
    run_in_windows(&pool, 3).await.unwrap();
    assert_eq!(
        stops(&pool, tenant).await,
        [(s(10), Some(s(400))), (s(440), Some(s(900))), (s(920), Some(s(1300))), (s(1310), None)]
    );
    // Nothing new: nothing written, and the stop still open stays one.
    assert_eq!(run_in_windows(&pool, 3).await.unwrap(), Some(0));
    assert_eq!(stops(&pool, tenant).await.len(), 4);
}

#[sqlx::test]
async fn the_demo_plant_is_configured_once_as_data(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::service::demo::configure;
    let pool = app_pool(opts, conn).await;
    crate::identity::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    assert!(configure(&pool).await.unwrap());
    assert!(!configure(&pool).await.unwrap(), "once");
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let counts: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from production_lines), (select count(*) from production_areas where kind = 'output'),
                (select count(*) from production_shifts), (select count(*) from production_shift_stops),
                (select count(*) from production_reasons where planned),
                (select count(*) from production_dashboards d
                 where exists (select 1 from jsonb_array_elements(d.widgets) w
                               where not exists (select 1 from production_widgets c where c.kind = w->>'kind')))",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(
        counts,
        (4, 4, 3, 3, 2, 0),
        "four lines (one counted by people) each with an output, three shifts with a break each, two \
                                          planned reasons, and every dashboard widget in the catalog"
    );
}

/// The textbook example as a plant's own data, a week ago: one shift 06:00–13:30 with a half-hour break (420
/// minutes planned), 19,271 units at the output from 06:00, one a second, of which 18,848 good (ideal cycle 1.0 s),
/// and a 47-minute stop from 07:00 with no reason yet. Returns the plant and that day's local midnight.
async fn textbook_plant(pool: &PgPool) -> (TenantId, DateTime<Utc>) {
    use chrono::{NaiveTime, TimeZone};
    use chrono_tz::America::Mexico_City;
    let pool = pool.clone();
    let tenant = plant(&pool, "Planta Norte").await;
    // One shift, every day, 06:00 to 13:30 with a half-hour break: 420 minutes planned.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    for sql in [
        "insert into production_plants (tenant_id, time_zone) values ($1, 'America/Mexico_City')",
        "insert into production_shifts (tenant_id, name, days, start_time, end_time) values ($1, 'Matutino', 127, '06:00', '13:30')",
        "insert into production_shift_stops (tenant_id, shift_id, name, start_time, end_time)
         select $1, id, 'Comida', '10:00', '10:30' from production_shifts where tenant_id = $1",
        "insert into production_reasons (tenant_id, code, name, planned, colour)
         values ($1, 'CAMBIO', 'Cambio de modelo', true, '#6366f1')",
    ] {
        sqlx::query(sql).bind(tenant).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let day = (Utc::now().with_timezone(&Mexico_City) - Duration::days(7)).date_naive();
    let local = |h, m| {
        Mexico_City
            .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
            .unwrap()
            .with_timezone(&Utc)
    };
    // 19,271 units at the output from 06:00, one a second, of which 18,848 good (ideal cycle 1.0 s).
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let all: Vec<DetectionIn> =
        (0..19_271).map(|i| unit("OUT", local(6, 0) + Duration::seconds(i), i < 18_848)).collect();
    for (n, chunk) in all.chunks(10_000).enumerate() {
        ingest(&pool, &caller, &format!("b{n}"), chunk).await.unwrap();
    }
    // A 47-minute stop inside planned time, not given a planned reason.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "insert into production_downtime (tenant_id, line_id, start_at, end_at)
         select $1, id, $2, $3 from production_lines where tenant_id = $1",
    )
    .bind(tenant)
    .bind(local(7, 0))
    .bind(local(7, 47))
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    (tenant, local(0, 0))
}

#[sqlx::test]
async fn the_textbook_example_comes_out_of_the_plants_own_data(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::service::oee::figures;
    let pool = app_pool(opts, conn).await;
    let (tenant, midnight) = textbook_plant(&pool).await;
    let local = |h: i64, m: i64| midnight + Duration::hours(h) + Duration::minutes(m);
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let (from, to) = (local(0, 0), local(0, 0) + Duration::days(1));
    let f = figures(&pool, &reader, from, to).await.unwrap();
    let pct = |x: Option<f64>| (x.unwrap() * 10_000.0).round() / 100.0;
    let o = f.lines[0].oee;
    assert_eq!(f.lines[0].totals.planned_ms, 420 * 60_000);
    assert_eq!((pct(o.availability), pct(o.performance), pct(o.quality), pct(o.oee)), (88.81, 86.11, 97.8, 74.79));
    assert_eq!(f.plant, f.lines[0].totals, "one line: the plant is that line");

    // A changeover given a planned reason takes its time out of planned time instead: no availability lost.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "update production_downtime set reason_id = (select id from production_reasons where code = 'CAMBIO')
         where tenant_id = $1",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let f = figures(&pool, &reader, from, to).await.unwrap();
    assert_eq!((f.lines[0].totals.planned_ms, f.lines[0].totals.downtime_ms), (373 * 60_000, 0));
    assert_eq!(f.lines[0].oee.availability, Some(1.0));

    // Both questions are in the plant's query log.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let logged: i64 =
        sqlx::query_scalar("select count(*) from production_query_log where query = 'oee' and filters ? 'from'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(logged, 2);
}

#[sqlx::test]
async fn a_stop_a_late_batch_disproves_is_dropped_or_if_classified_ends_where_the_line_counted(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::downtime::run;
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(1);
    let s = |secs| t0 + Duration::seconds(secs);
    ingest(&pool, &caller, "b1", &[unit("OUT", s(0), true)]).await.unwrap();
    run(&pool).await.unwrap();
    assert_eq!(stops(&pool, tenant).await, [(s(0), None)], "silent for an hour: a stop, open");
    // Someone gives it a reason; then a late batch shows the line counted every 10 s after all.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "insert into production_reasons (tenant_id, code, name, planned, colour) values ($1, 'X', 'X', false, '#000000')",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("update production_downtime set reason_id = (select id from production_reasons where code = 'X')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let late: Vec<DetectionIn> = (1..=354).map(|i| unit("OUT", s(i * 10), true)).collect();
    ingest(&pool, &caller, "b2", &late).await.unwrap();
    run(&pool).await.unwrap();
    assert_eq!(stops(&pool, tenant).await, [(s(0), Some(s(10)))], "kept for its reason, ending at the first unit");
}

/// The tenant's stops with their ids and whether they have a reason, in order.
async fn stops_full(pool: &PgPool, tenant: TenantId) -> Vec<(i64, DateTime<Utc>, Option<DateTime<Utc>>, bool)> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query_as("select id, start_at, end_at, reason_id is not null from production_downtime order by start_at")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

/// Gives the tenant's stop starting at `start` a reason of its own.
async fn give_reason(pool: &PgPool, tenant: TenantId, start: DateTime<Utc>) {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "insert into production_reasons (tenant_id, code, name, planned, colour) values ($1, 'X', 'X', false, '#000000')",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "update production_downtime set reason_id = (select id from production_reasons where code = 'X')
         where start_at = $1",
    )
    .bind(start)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Two instances at once: one runs the round, the other skips it or finds nothing left to do. Returns what the
/// round changed.
async fn race(pool: &PgPool) -> u64 {
    use crate::production::service::downtime::run;
    let (a, b) = tokio::join!(run(pool), run(pool));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_some() || b.is_some(), "one of them ran");
    a.unwrap_or(0) + b.unwrap_or(0)
}

#[sqlx::test]
async fn late_units_filling_a_stop_take_it_away_or_if_classified_end_it_where_they_begin(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::downtime::run;
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(2);
    let s = |secs| t0 + Duration::seconds(secs);
    let units =
        |from: i64, to: i64| -> Vec<DetectionIn> { (from..to).step_by(10).map(|x| unit("OUT", s(x), true)).collect() };
    // Two gaps over the threshold (300 s), then silence.
    ingest(&pool, &caller, "b1", &[units(0, 30), units(600, 630), units(1300, 1320)].concat()).await.unwrap();
    run(&pool).await.unwrap();
    assert_eq!(stops(&pool, tenant).await, [(s(20), Some(s(600))), (s(620), Some(s(1300))), (s(1310), None)]);
    give_reason(&pool, tenant, s(620)).await;

    // The units of both gaps arrive late (a machine that buffered them), behind the job's cursor.
    ingest(&pool, &caller, "b2", &[units(30, 600), units(630, 1300)].concat()).await.unwrap();
    assert_eq!(race(&pool).await, 2, "one stop taken away, one ended; once");
    assert_eq!(
        stops(&pool, tenant).await,
        [(s(620), Some(s(630))), (s(1310), None)],
        "the first was no stop; the classified one kept for its reason, ending at the first late unit"
    );
    assert_eq!(run(&pool).await.unwrap(), Some(0), "nothing left to correct");

    // A stop given a reason whose late units turn up just after its start: the line ran a moment, then stopped;
    // the reason stays with the stop that is left, not with the moment before.
    ingest(&pool, &caller, "b3", &units(1320, 1330)).await.unwrap();
    run(&pool).await.unwrap();
    assert_eq!(run(&pool).await.unwrap(), Some(0));
    ingest(&pool, &caller, "b4", &units(2400, 2410)).await.unwrap();
    run(&pool).await.unwrap();
    let stopped = stops(&pool, tenant).await;
    assert_eq!(stopped.last(), Some(&(s(2400), None)), "{stopped:?}");
    let long = *stopped.iter().find(|(a, _)| *a == s(1320)).expect("the stop from 1,320 s");
    assert_eq!(long.1, Some(s(2400)));
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "update production_downtime set reason_id = (select id from production_reasons where code = 'X')
         where start_at = $1",
    )
    .bind(s(1320))
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    ingest(&pool, &caller, "b5", &units(1330, 1400)).await.unwrap();
    assert_eq!(race(&pool).await, 1);
    let after = stops_full(&pool, tenant).await;
    let moved = after.iter().find(|&&(_, a, _, _)| a == s(1390)).expect("the stop now from 1,390 s");
    assert_eq!(moved.2, Some(s(2400)));
    assert!(moved.3, "its reason kept: {after:?}");
    assert!(!after.iter().any(|&(_, a, _, _)| a == s(1320)), "no remnant at 1,320 s: {after:?}");
}

#[sqlx::test]
async fn late_units_inside_a_stop_end_it_earlier_and_a_gap_between_them_is_a_stop(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::downtime::run;
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(2);
    let s = |secs| t0 + Duration::seconds(secs);
    let units =
        |from: i64, to: i64| -> Vec<DetectionIn> { (from..to).step_by(10).map(|x| unit("OUT", s(x), true)).collect() };
    // A later batch first: the job sees 0–20 s, then nothing until 3,000 s.
    ingest(&pool, &caller, "b1", &[units(0, 30), units(3000, 3020)].concat()).await.unwrap();
    run(&pool).await.unwrap();
    let before = stops_full(&pool, tenant).await;
    assert_eq!(stops(&pool, tenant).await, [(s(20), Some(s(3000))), (s(3010), None)]);
    give_reason(&pool, tenant, s(20)).await;

    // The batch sent before it arrives now: the line ran 1,000–1,290 s and 1,700–2,990 s.
    ingest(&pool, &caller, "b0", &[units(1000, 1300), units(1700, 3000)].concat()).await.unwrap();
    assert_eq!(race(&pool).await, 2, "one stop ended earlier, one found; once");
    let after = stops_full(&pool, tenant).await;
    assert_eq!(
        after.iter().map(|&(_, a, b, _)| (a, b)).collect::<Vec<_>>(),
        [(s(20), Some(s(1000))), (s(1290), Some(s(1700))), (s(3010), None)],
        "the stop ends where the late units begin; the gap between them is a stop of its own"
    );
    assert_eq!((after[0].0, after[0].3), (before[0].0, true), "the same stop, its reason kept");
    assert!(!after[1].3, "the new stop has no reason yet");
    assert_eq!(run(&pool).await.unwrap(), Some(0), "nothing left to correct");
}

/// The hourly rollup holds what the minutes hold, hour by hour, however the units arrive (a minute two batches fill
/// counts once among its hour's minutes), and the dashboard's hourly read (whole hours from it, the minutes of the
/// hours a window cuts from the per-minute rollup) gives what the minutes alone give.
#[sqlx::test]
async fn the_hours_hold_what_the_minutes_hold_and_read_the_same(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::ids::LineId;
    use crate::production::rules::calendar::Span;
    use crate::production::store;
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let hour = Utc::now().duration_trunc(Duration::hours(1)).unwrap() - Duration::hours(3);
    let at = |minutes: i64, seconds: i64| hour + Duration::minutes(minutes) + Duration::seconds(seconds);
    let first: Vec<DetectionIn> = (0..36).map(|i| unit("OUT", at(5 * i, 7), i % 4 != 0)).collect();
    // The same minutes again, at both areas, and new minutes between them.
    let second: Vec<DetectionIn> =
        (0..36).map(|i| unit(if i % 2 == 0 { "OUT" } else { "IN" }, at(5 * i, 40), true)).collect();
    let third: Vec<DetectionIn> = (0..20).map(|i| unit("OUT", at(3 + 9 * i, 0), i % 3 != 0)).collect();
    for (id, units) in [("b1", &first), ("b2", &second), ("b3", &third)] {
        ingest(&pool, &caller, id, units).await.unwrap();
    }

    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let (hours, differing): (i64, i64) = sqlx::query_as(
        "select (select count(*) from production_hours),
                (select count(*) from (select line_id, area_id, product_id,
                                              date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00') as hour,
                                              sum(total) as total, sum(good) as good, count(*) as minutes
                                       from production_minutes group by 1, 2, 3, 4) m
                 full join production_hours h using (line_id, area_id, product_id, hour)
                 where h.total is distinct from m.total or h.good is distinct from m.good
                    or h.minutes is distinct from m.minutes)",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    // Three hours at the output, three at the input.
    assert_eq!((hours, differing), (6, 0));

    let line = LineId(sqlx::query_scalar("select id from production_lines").fetch_one(&mut *tx).await.unwrap());
    let cells = |cells: Vec<crate::production::rules::dashboard::OutputCell>| {
        let mut by_hour = std::collections::BTreeMap::new();
        for c in cells {
            let e = by_hour
                .entry((c.line.0, c.product.0, c.at.duration_trunc(Duration::hours(1)).unwrap()))
                .or_insert((0, 0, 0, 0));
            *e = (e.0 + c.total, e.1 + c.good, e.2 + c.ideal_ms, e.3 + c.minutes);
        }
        by_hour
    };
    let windows = [
        vec![Span::new(at(10, 0), at(170, 0))],
        vec![Span::new(hour, at(180, 0))],
        vec![Span::new(at(20, 0), at(40, 0))],
        vec![Span::new(at(30, 30), at(90, 0)), Span::new(at(100, 0), at(160, 0))],
    ];
    for w in windows {
        let hourly = store::dashboard::output(&mut tx, tenant, &[line], &w, true).await.unwrap();
        let minutely = store::dashboard::output(&mut tx, tenant, &[line], &w, false).await.unwrap();
        assert!(!minutely.is_empty());
        assert_eq!(cells(hourly), cells(minutely), "windows {w:?}");
    }
}

/// The micro-stop setting has an effect: gaps over a line's micro-stop threshold and under its downtime threshold, in
/// planned time, are counted once each as the line's micro-stops (the job may run any number of times), and the
/// dashboard's figures carry them; a gap across a planned break counts only its planned seconds.
#[sqlx::test]
async fn micro_stops_are_counted_once_in_planned_time_and_reach_the_figures(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::rules::dashboard::{Query, Range};
    use crate::production::service::dashboard::view;
    use crate::production::service::downtime::run;
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let t0 = Utc::now().duration_trunc(Duration::hours(1)).unwrap() - Duration::hours(3);
    let s = |secs| t0 + Duration::seconds(secs);
    // Units every 10 s, then gaps of 40 s and 100 s (micro-stops: over 30 s, not over 300 s), 30 s (at the threshold:
    // nothing), and 400 s (a stop).
    let at: Vec<i64> = vec![0, 10, 20, 60, 160, 190, 590, 600];
    ingest(&pool, &caller, "b1", &at.iter().map(|&x| unit("OUT", s(x), true)).collect::<Vec<_>>()).await.unwrap();
    run(&pool).await.unwrap();
    run(&pool).await.unwrap();
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let (ms, n): (i64, i32) = sqlx::query_as("select sum(ms)::bigint, sum(stops)::int from production_micro_stops")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((ms, n), (140_000, 2), "40 s and 100 s, once");
    assert_eq!(stops(&pool, tenant).await[0], (s(190), Some(s(590))));

    let manager = crate::caller::Caller::Machine(crate::caller::Machine {
        scopes: vec![ApiScope::ProductionRead],
        ..match plc(tenant, vec![]) {
            crate::caller::Caller::Machine(m) => m,
            crate::caller::Caller::User(_) => unreachable!(),
        }
    });
    let q = Query { range: Range::Custom, from: Some(t0), to: Some(t0 + Duration::hours(1)), ..Query::default() };
    let v = view(&pool, &manager, &q).await.unwrap();
    assert_eq!((v.total.totals.micro_stop_ms, v.total.totals.micro_stops), (140_000, 2));
    assert_eq!(v.series.iter().map(|p| p.figure.totals.micro_stops).sum::<i64>(), 2, "in the buckets too");
}

/// A stop opened where a shift started (the job cuts stops at time off shift), given a reason, then a late batch
/// covering it whose first unit is the day before: the stop ends where the line counted after it, keeps its reason,
/// and is never left open (the bug: it was closed only when it started before the batch's first unit).
#[sqlx::test]
async fn a_classified_stop_opened_at_a_shift_start_ends_where_the_line_counted_after_it(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::production::service::downtime::run;
    use chrono::Timelike;
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Norte").await;
    // In UTC, a 23-hour shift whose hour off was three hours ago: it ended at T0 and started again an hour later.
    let t0 = Utc::now().duration_trunc(Duration::hours(1)).unwrap() - Duration::hours(3);
    let (start, end) = ((t0 + Duration::hours(1)).hour(), t0.hour());
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query("insert into production_plants (tenant_id, time_zone) values ($1, 'UTC')")
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(&format!(
        "insert into production_shifts (tenant_id, name, days, start_time, end_time)
         values ($1, 'Largo', 127, '{start:02}:00', '{end:02}:00')"
    ))
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    let every = |from: DateTime<Utc>, to: DateTime<Utc>| -> Vec<DetectionIn> {
        (0..).map(|k| from + Duration::seconds(10 * k)).take_while(|t| *t < to).map(|t| unit("OUT", t, true)).collect()
    };
    // The line counts until ten minutes before the shift ends, then nothing.
    ingest(&pool, &caller, "b1", &every(t0 - Duration::minutes(50), t0 - Duration::minutes(10))).await.unwrap();
    run(&pool).await.unwrap();
    let restart = t0 + Duration::hours(1);
    let open = stops(&pool, tenant).await;
    assert!(open.contains(&(restart, None)), "a stop going on from the shift's start: {open:?}");
    give_reason(&pool, tenant, restart).await;
    // The machine's buffer arrives: it counted across the hour off and ten minutes into the shift.
    ingest(&pool, &caller, "b2", &every(t0 - Duration::minutes(10), restart + Duration::minutes(10))).await.unwrap();
    run(&pool).await.unwrap();
    let after = stops_full(&pool, tenant).await;
    let kept = after.iter().find(|s| s.1 == restart).unwrap_or_else(|| panic!("{after:?}"));
    assert_eq!((kept.2, kept.3), (Some(restart + Duration::seconds(10)), true), "{after:?}");
}

/// A new plant starts with each role's default dashboard and the default filters, not an empty page with every
/// filter hidden; the settings page lists them as they are shown, and the default saves as it is.
#[sqlx::test]
async fn a_new_plant_starts_from_the_default_dashboards_and_filters(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::rules::kinds::{FilterKey, Template};
    use crate::production::service::dashboard::setup;
    let pool = app_pool(opts, conn).await;
    let tenant = plant(&pool, "Planta Nueva").await;
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let s = setup(&pool, &reader).await.unwrap();
    assert_eq!(s.template, Template::Manager);
    let kinds: Vec<&str> = s.widgets.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert!(kinds.contains(&"kpi_cards") && kinds.contains(&"downtime_table"));
    let keys: Vec<FilterKey> = s.filters.iter().map(|f| f.key).collect();
    assert_eq!(keys, [FilterKey::DateRange, FilterKey::Line, FilterKey::Shift, FilterKey::Product]);
    // Every template's default is a layout the settings accept as it is.
    for t in Template::ALL {
        let widgets: Vec<crate::production::rules::dashboard::Widget> =
            serde_json::from_str(t.default_widgets()).unwrap();
        assert_eq!(crate::production::rules::settings::check_layout(&widgets), Ok(()), "{t:?}");
    }
}
