//! The dashboards against real PostgreSQL: the figures of a query from the plant's own data (the textbook example,
//! and its parts adding up to it), shift and product filters, the drill-down's minutes, the CSV, who classifies
//! which stops, and the notices live dashboards refresh on.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::{app_pool, plc, textbook_plant, unit};
use crate::caller::{Caller, RequestMeta, User};
use crate::db::{self, Scope};
use crate::error::Error;
use crate::identity::rules::auth::{ApiScope, Role};
use crate::ids::{LineId, ProductId, ReasonId, ShiftId, TenantId, UserId};
use crate::production::rules::dashboard::{Bucket, Query, Range};
use crate::production::rules::dashboard::{Cause, LineState};
use crate::production::rules::kinds::AreaKind;
use crate::production::rules::kinds::Template;
use crate::production::rules::oee::Totals;
use crate::production::service::causes::causes_csv;
use crate::production::service::dashboard::{classify, drill, export_csv, setup, view};

fn pct(x: Option<f64>) -> f64 {
    (x.expect("a figure") * 10_000.0).round() / 100.0
}

fn custom(from: DateTime<Utc>, to: DateTime<Utc>) -> Query {
    Query { range: Range::Custom, from: Some(from), to: Some(to), ..Query::default() }
}

#[sqlx::test]
async fn the_dashboard_shows_the_textbook_example_and_its_parts_add_up(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (tenant, midnight) = textbook_plant(&pool).await;
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let day = custom(midnight, midnight + Duration::days(1));
    let v = view(&pool, &reader, &Query { bucket: Some(Bucket::Hour), ..day.clone() }).await.unwrap();
    let by_hour = v.clone();
    let o = v.total.oee;
    assert_eq!((pct(o.availability), pct(o.performance), pct(o.quality), pct(o.oee)), (88.81, 86.11, 97.8, 74.79));
    assert_eq!(v.series.len(), 24, "a day of hours");
    assert_eq!(v.series.iter().map(|p| p.figure.totals).sum::<Totals>(), v.total.totals, "hours add up to the day");
    assert_eq!(v.lines.len(), 1);
    assert_eq!(v.lines[0].figure, v.total);
    assert_eq!(v.products.len(), 1);
    assert_eq!(v.products[0].figure.totals.total, 19_271);
    assert_eq!(v.products[0].figure, v.total, "one product: the line's time is all its");
    assert_eq!((v.stop_count, v.stops[0].ms, v.stops[0].planned_ms), (1, 47 * 60_000, 47 * 60_000));
    assert_eq!((v.pareto.len(), v.pareto[0].reason, v.pareto[0].ms), (1, None, 47 * 60_000));
    // Per day and per shift: the same whole.
    for bucket in [Bucket::Day, Bucket::Shift, Bucket::Minute] {
        let v = view(&pool, &reader, &Query { bucket: Some(bucket), ..day.clone() }).await.unwrap();
        assert_eq!(v.series.iter().map(|p| p.figure.totals).sum::<Totals>(), v.total.totals, "{bucket:?}");
        assert_eq!(pct(v.total.oee.oee), 74.79, "{bucket:?}");
        // Products share the line's time the same way whatever the bucket (in minutes, the stop's minutes made
        // nothing and once went to no product).
        assert_eq!(v.products, by_hour.products, "{bucket:?}");
    }

    // The shift filter (its only shift) and the product filter (its only product) change nothing here.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let (shift, product): (ShiftId, ProductId) = sqlx::query_as(
        "select (select id from production_shifts), (select id from production_products where code = 'P-100')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let by_shift = view(&pool, &reader, &Query { shift: Some(shift), ..day.clone() }).await.unwrap();
    assert_eq!(by_shift.total, v.total);
    let by_product = view(&pool, &reader, &Query { product: Some(product), ..day.clone() }).await.unwrap();
    assert_eq!(by_product.total.totals.total, 19_271);
    assert_eq!(pct(by_product.total.oee.quality), 97.8);

    // The line's own rate for the product is what its figures read: 1.1 s a unit there makes the same units 10 %
    // more of the ideal, and only the performance moves.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "insert into production_line_cycles (tenant_id, line_id, product_id, ideal_cycle_ms)
         select tenant_id, id, $1, 1100 from production_lines",
    )
    .bind(product)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let own = view(&pool, &reader, &day).await.unwrap().total.oee;
    assert_eq!((pct(own.availability), pct(own.performance), pct(own.quality)), (88.81, 94.72, 97.8));
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query("delete from production_line_cycles").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();

    // A filter naming what the plant does not have is the caller's mistake, said as such.
    for (q, field) in [
        (Query { line: Some(LineId(9_999)), ..day.clone() }, "line"),
        (Query { product: Some(ProductId(9_999)), ..day.clone() }, "product"),
        (Query { shift: Some(ShiftId(9_999)), ..day.clone() }, "shift"),
        (custom(midnight, midnight), "to"),
        (custom(midnight, midnight + Duration::days(500)), "to"),
    ] {
        match view(&pool, &reader, &q).await {
            Err(Error::Validation(f)) => assert_eq!(f[0].field, field),
            other => panic!("{field}: {other:?}"),
        }
    }

    // The drill-down: the minutes behind the figure, latest first; availability's timeline (running and stopped
    // are run time and downtime), quality's rejects by product and area.
    let d = drill(&pool, &reader, &day, Some(Cause::Availability)).await.unwrap();
    let rows = d.minutes;
    assert_eq!(rows.len(), 322, "19,271 units a second from 06:00 fill 322 minutes");
    assert!(rows.windows(2).all(|w| w[0].minute > w[1].minute));
    assert_eq!(rows.iter().map(|r| r.total).sum::<i64>(), 19_271);
    assert!(d.rejects.is_empty(), "availability's causes are no rejects");
    let line = &d.timeline[0];
    assert_eq!((line.ms(LineState::Running), line.ms(LineState::Stopped)), (373 * 60_000, 47 * 60_000));
    assert_eq!(line.ms(LineState::Running), v.total.totals.run_ms());
    let q = drill(&pool, &reader, &day, Some(Cause::Quality)).await.unwrap();
    assert!(q.timeline.is_empty());
    let out: Vec<_> = q.rejects.iter().filter(|r| r.area_kind == AreaKind::Output).collect();
    assert_eq!(out.iter().map(|r| (r.total, r.good, r.rejects())).collect::<Vec<_>>(), [(19_271, 18_848, 423)]);
    // Each cause exports, whole.
    let (_, csv) = causes_csv(&pool, &reader, &day, Cause::Availability).await.unwrap();
    assert!(csv.contains(",373.0,47.0,"), "{csv}");
    assert!(csv.contains(
        "stop_id,line,start,end,minutes,planned_minutes,reason_code,reason,planned_reason,setup,classified_by,manual,note"
    ));
    let (_, csv) = causes_csv(&pool, &reader, &day, Cause::Quality).await.unwrap();
    assert!(csv.contains(",19271,18848,423,2.20,"), "{csv}");
    let (_, csv) = causes_csv(&pool, &reader, &day, Cause::Performance).await.unwrap();
    assert!(csv.lines().any(|l| l.starts_with("P-100,") && l.contains(",19271,")), "{csv}");

    // The CSV: what the page shows, the figures exact.
    let (_, csv) = export_csv(&pool, &reader, &day).await.unwrap();
    let total = csv.lines().find(|l| l.starts_with("total,")).expect("a total row");
    assert!(total.contains(",420.0,47.0,373.0,19271,18848,74.79,88.81,86.11,97.80"), "{total}");
    assert!(csv.contains("stop_id,line,start,end,minutes,planned_minutes,reason_id,note"));

    // Every question is in the plant's query log.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let logged: Vec<String> = sqlx::query_scalar("select distinct query from production_query_log order by 1")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(logged, ["causes", "dashboard", "minutes"]);
}

/// A demo plant person of `role`.
pub(super) async fn person(pool: &PgPool, role: &str) -> User {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let (user_id, tenant_id, email, display_name): (UserId, TenantId, String, String) = sqlx::query_as(
        "select u.id, u.tenant_id, u.email, u.display_name from users u join tenants t on t.id = u.tenant_id
         where t.name = 'Planta Demo' and u.role = $1",
    )
    .bind(role)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    User {
        user_id,
        tenant_id,
        session_id: Uuid::new_v4(),
        role: Role::parse(role).unwrap(),
        tenant_kind: crate::identity::rules::tenant::TenantKind::Manufacturer,
        email,
        display_name,
    }
}

#[sqlx::test]
async fn operators_classify_their_own_lines_stops_and_managers_any(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    crate::identity::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    crate::production::service::demo::configure(&pool).await.unwrap();
    let (operator, manager, viewer) =
        (person(&pool, "operator").await, person(&pool, "manager").await, person(&pool, "viewer").await);
    let tenant = operator.tenant_id;
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    // Longer than any break: some of it is planned time whenever the test runs.
    let at = Utc::now() - Duration::hours(2);
    let ids: Vec<(i64, String)> = sqlx::query_as(
        "insert into production_downtime (tenant_id, line_id, start_at, end_at)
         select $1, id, $2, $2 + interval '40 minutes' from production_lines where code in ('L1', 'L2')
         returning id, (select code from production_lines l where l.id = line_id)",
    )
    .bind(tenant)
    .bind(at)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let reason = |code: &str| format!("select id from production_reasons where code = '{code}'");
    let failure: ReasonId = sqlx::query_scalar(&reason("FALLA-MEC")).fetch_one(&mut *tx).await.unwrap();
    let retired: ReasonId =
        sqlx::query_scalar("update production_reasons set active = false where code = 'CALIDAD' returning id")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let id = |line: &str| ids.iter().find(|(_, l)| l == line).unwrap().0;
    let meta = RequestMeta::default();

    // The operator works on L1 (the demo's assignment): theirs, yes; L2's, no.
    let s = setup(&pool, &Caller::User(operator.clone())).await.unwrap();
    assert_eq!(s.template, Template::Operator);
    assert_eq!(s.classify_lines.len(), 1);
    classify(&pool, &operator, &meta, id("L1"), Some(failure), Some(" atasco en prensa ")).await.unwrap();
    assert!(matches!(classify(&pool, &operator, &meta, id("L2"), Some(failure), None).await, Err(Error::Forbidden)));
    // The manager classifies any line's; a viewer none.
    classify(&pool, &manager, &meta, id("L2"), Some(failure), None).await.unwrap();
    assert!(matches!(classify(&pool, &viewer, &meta, id("L2"), None, None).await, Err(Error::Forbidden)));
    assert_eq!(setup(&pool, &Caller::User(viewer.clone())).await.unwrap().classify_lines, Vec::<LineId>::new());
    // A retired reason, a note too long, a stop that does not exist: refused, nothing changed.
    assert!(matches!(classify(&pool, &manager, &meta, id("L2"), Some(retired), None).await, Err(Error::Validation(_))));
    let long = "x".repeat(501);
    assert!(matches!(classify(&pool, &manager, &meta, id("L2"), None, Some(&long)).await, Err(Error::Validation(_))));
    assert!(matches!(classify(&pool, &manager, &meta, 987_654, None, None).await, Err(Error::NotFound)));

    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let rows: Vec<(Option<ReasonId>, Option<String>, Option<UserId>)> =
        sqlx::query_as("select reason_id, note, classified_by from production_downtime order by id")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(rows[0], (Some(failure), Some("atasco en prensa".into()), Some(operator.user_id)));
    assert_eq!(rows[1], (Some(failure), None, Some(manager.user_id)));
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_log where action = 'production.downtime_classified'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(audited, 2);
    tx.commit().await.unwrap();

    // The classification shows on the dashboard: the Pareto names the reason.
    let v = view(&pool, &Caller::User(manager), &Query { range: Range::Hours24, ..Query::default() }).await.unwrap();
    assert_eq!(v.pareto.iter().map(|p| (p.reason, p.stops)).collect::<Vec<_>>(), [(Some(failure), 2)]);
}

#[sqlx::test]
async fn a_stored_batch_and_a_classified_stop_tell_that_plants_dashboards(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::service::live::Live;
    let pool = app_pool(opts, conn).await;
    let tenant = super::plant(&pool, "Planta Sur").await;
    let live = Live::default();
    let mut heard = live.subscribe();
    let listening = tokio::spawn(live.clone().listen(pool.clone()));
    // Listening has begun (a `None`) before anything is sent.
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), heard.recv()).await.unwrap().unwrap();
    assert_eq!(first, None);
    let caller = plc(tenant, vec![ApiScope::ProductionIngest]);
    crate::production::service::ingest::ingest(&pool, &caller, "b1", &[unit("OUT", Utc::now(), true)]).await.unwrap();
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), heard.recv()).await.unwrap().unwrap();
    assert_eq!(next, Some(tenant));
    // A batch refused whole says nothing (its transaction never committed).
    let bad = crate::production::rules::ingest::DetectionIn { line: "L9".into(), ..unit("OUT", Utc::now(), true) };
    assert!(crate::production::service::ingest::ingest(&pool, &caller, "b2", &[bad]).await.is_err());
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query(
        "insert into production_downtime (tenant_id, line_id, start_at) select $1, id, now() from production_lines",
    )
    .bind(tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), heard.recv()).await.unwrap().unwrap();
    assert_eq!(next, Some(tenant), "the stop's notice, and nothing from the refused batch before it");
    // Its connection goes with it: PostgreSQL waits 5 s, then refuses to drop a test database still in use.
    listening.abort();
}

#[sqlx::test]
async fn a_stop_that_began_weeks_before_the_span_still_counts_in_it(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (tenant, midnight) = textbook_plant(&pool).await;
    // The line was idle from ten days before that day until 07:47 on it (the textbook stop's end).
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query("update production_downtime set start_at = $2 - interval '10 days' where tenant_id = $1")
        .bind(tenant)
        .bind(midnight)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let v = view(&pool, &reader, &custom(midnight, midnight + Duration::days(1))).await.unwrap();
    assert_eq!(v.stop_count, 1, "the stop is in the span");
    // Inside that day's planned time it covers 06:00–07:47: 107 minutes of downtime.
    assert_eq!(v.total.totals.downtime_ms, 107 * 60_000);
}

#[sqlx::test]
async fn the_paretos_downtime_is_the_downtime_figure(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let (tenant, midnight) = textbook_plant(&pool).await;
    let local = |h: i64, m: i64| midnight + Duration::hours(h) + Duration::minutes(m);
    // Besides the textbook's 47 minutes: a stop inside the break (no planned time lost), one running past the
    // shift's end (10 of its 50 minutes planned), one after the shift (none), and a changeover given a planned
    // reason (15 minutes out of planned time).
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let (line, changeover): (LineId, ReasonId) = sqlx::query_as(
        "select (select id from production_lines), (select id from production_reasons where code = 'CAMBIO')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    for (start, end, reason) in [
        (local(10, 5), local(10, 25), None),
        (local(13, 20), local(14, 10), None),
        (local(15, 0), local(15, 30), None),
        (local(12, 0), local(12, 15), Some(changeover)),
    ] {
        sqlx::query(
            "insert into production_downtime (tenant_id, line_id, start_at, end_at, reason_id) values ($1, $2, $3, $4, $5)",
        )
        .bind(tenant)
        .bind(line)
        .bind(start)
        .bind(end)
        .bind(reason)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let day = custom(midnight, midnight + Duration::days(1));
    for q in [day.clone(), Query { bucket: Some(Bucket::Minute), ..day.clone() }] {
        let v = view(&pool, &reader, &q).await.unwrap();
        assert_eq!(v.total.totals.downtime_ms, (47 + 10) * 60_000);
        assert_eq!(v.total.totals.planned_ms, (420 - 15) * 60_000);
        let rows = |rows: &[crate::production::rules::dashboard::ParetoRow]| -> Vec<_> {
            rows.iter().map(|r| (r.reason, r.line, r.planned, r.ms / 60_000, r.stops)).collect()
        };
        // Per reason: the unclassified downtime (the stops that cost planned time), then the changeover, marked.
        assert_eq!(rows(&v.pareto), [(None, None, false, 57, 2), (Some(changeover), None, true, 15, 1)]);
        // Per line: the same minutes.
        assert_eq!(rows(&v.pareto_lines), [(None, Some(line), false, 57, 2), (None, Some(line), true, 15, 1)]);
        for pareto in [&v.pareto, &v.pareto_lines] {
            let down: i64 = pareto.iter().filter(|r| !r.planned).map(|r| r.ms).sum();
            assert_eq!(down, v.total.totals.downtime_ms, "the Pareto's downtime is the KPI's");
        }
        // The downtime table says each stop's planned minutes beside its length: those of the stops without a
        // planned reason add up to the downtime figure too, and a stop over the break is longer than what counts.
        let table: i64 = v.stops.iter().filter(|s| s.reason != Some(changeover)).map(|s| s.planned_ms).sum();
        assert_eq!(table, v.total.totals.downtime_ms);
        assert!(v.stops.iter().any(|s| s.planned_ms < s.ms), "a stop partly outside planned time");
        assert!(v.stops.iter().all(|s| s.planned_ms <= s.ms));
    }
}

/// What the CSV says of the whole and of each line: scope, name, then every figure it writes (planned, downtime and
/// run minutes, units, good, OEE, availability, performance and quality percentages, no-data minutes) and its zone.
fn csv_figures(csv: &str) -> Vec<Vec<String>> {
    let mut reader = ::csv::ReaderBuilder::new().flexible(true).from_reader(csv.as_bytes());
    reader
        .records()
        .map(Result::unwrap)
        .filter(|r| matches!(r.get(0), Some("total" | "line")))
        .map(|r| [0, 1].into_iter().chain(4..15).map(|i| r.get(i).unwrap_or_default().to_owned()).collect())
        .collect()
}

/// A CSV row as the CSV would write these figures (`csv_figures`' columns).
fn csv_row(scope: &str, name: &str, t: Totals, o: crate::production::rules::oee::Oee) -> Vec<String> {
    let m = |ms: i64| format!("{:.1}", ms as f64 / 60_000.0);
    let p = |x: Option<f64>| x.map(|x| format!("{:.2}", x * 100.0)).unwrap_or_default();
    let figures = [m(t.planned_ms), m(t.downtime_ms), m(t.run_ms()), t.total.to_string(), t.good.to_string()];
    let ratios = [p(o.oee), p(o.availability), p(o.performance), p(o.quality)];
    let zone = [m(t.no_data_ms), "America/Mexico_City".to_owned()];
    [scope.to_owned(), name.to_owned()].into_iter().chain(figures).chain(ratios).chain(zone).collect()
}

#[sqlx::test]
async fn the_rest_figures_the_dashboard_and_its_csv_agree_on_a_span(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::rules::ingest::DetectionIn;
    use crate::production::service::ingest::ingest;
    use crate::production::service::oee::figures;
    let pool = app_pool(opts, conn).await;
    // The textbook line L1 (a shift 06:00–13:30 with a break at 10:00, 19,271 units from 06:00, a 47-minute stop
    // at 07:00), and a second line L2 making the same product every two seconds from 08:00 to 10:00, half of it good.
    let (tenant, midnight) = textbook_plant(&pool).await;
    let local = |h: i64, m: i64| midnight + Duration::hours(h) + Duration::minutes(m);
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    for sql in [
        "insert into production_lines (tenant_id, code, name) values ($1, 'L2', 'Línea 2')",
        "insert into production_areas (tenant_id, line_id, kind, code, name)
         select $1, id, 'output', 'OUT', 'Salida' from production_lines where tenant_id = $1 and code = 'L2'",
    ] {
        sqlx::query(sql).bind(tenant).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let units: Vec<DetectionIn> = (0..3_600)
        .map(|i| DetectionIn {
            line: "L2".into(),
            area: "OUT".into(),
            product: "P-100".into(),
            at: local(8, 0) + Duration::seconds(2 * i),
            good: i % 2 == 0,
        })
        .collect();
    ingest(&pool, &plc(tenant, vec![ApiScope::ProductionIngest]), "l2", &units).await.unwrap();

    // A span whose edges are off the hour, the break and the stop inside it.
    let (from, to) = (local(5, 30), local(12, 17));
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);
    let rest = figures(&pool, &reader, from, to).await.unwrap();
    let page = view(&pool, &reader, &custom(from, to)).await.unwrap();
    let (_, csv) = export_csv(&pool, &reader, &custom(from, to)).await.unwrap();

    // What the plant did: planned 06:00–12:17 less the break (347 min), L1 stopped 47 min of it.
    let min = |m: i64| m * 60_000;
    let l1 = &rest.lines[0];
    assert_eq!((l1.code.as_str(), l1.totals.planned_ms, l1.totals.downtime_ms), ("L1", min(347), min(47)));
    assert_eq!((l1.totals.total, l1.totals.good, l1.totals.ideal_ms), (19_271, 18_848, 19_271_000));
    let l2 = &rest.lines[1];
    // L2's first unit is at 08:00: the two planned hours before it are no data, not time it ran.
    assert_eq!((l2.code.as_str(), l2.totals.planned_ms, l2.totals.downtime_ms), ("L2", min(227), 0));
    assert_eq!((l1.totals.no_data_ms, l2.totals.no_data_ms), (0, min(120)));
    assert_eq!((l2.totals.total, l2.totals.good), (3_600, 1_800));
    assert_eq!(rest.plant, l1.totals + l2.totals, "the plant is its lines added");
    assert_eq!(pct(l1.oee.availability), 86.46, "(347 − 47) / 347");

    // The REST figures, the page's and the CSV's are the same numbers, line by line and for the plant.
    assert_eq!(rest.lines.len(), page.lines.len());
    for (r, p) in rest.lines.iter().zip(&page.lines) {
        assert_eq!((r.line_id, &r.code, r.totals, r.oee), (p.id, &p.code, p.figure.totals, p.figure.oee));
    }
    assert_eq!((rest.plant, rest.plant_oee), (page.total.totals, page.total.oee));
    // Every figure the CSV writes (minutes to the tenth, percentages to the hundredth), the same.
    assert_eq!(
        csv_figures(&csv),
        vec![
            csv_row("total", "", rest.plant, rest.plant_oee),
            csv_row("line", "L1 Línea 1", l1.totals, l1.oee),
            csv_row("line", "L2 Línea 2", l2.totals, l2.oee),
        ]
    );
}
