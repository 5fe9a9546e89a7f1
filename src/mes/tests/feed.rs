//! Stage facts in the production figures, against real PostgreSQL and through the production area's own
//! calculation (`production::service::oee::figures`, the dashboard's): a people line's facts are its units and its
//! reversal takes them back; an inspection's scrap lowers the quality of the shift that made the units, on a people
//! line and on a sensor line; a people line takes no machine's units and the downtime job leaves it alone.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{Plant, app_pool, plant};
use crate::caller::{Caller, RequestMeta, User};
use crate::db::{self, Scope};
use crate::error::Error;
use crate::ids::{LineId, OrderId, ProductId, ShiftId, StageId};
use crate::mes::rules::facts::{FactInput, Source};
use crate::mes::service::orders::{self, FactSettings, OrderInput, ScrapReasonInput, StageInput};
use crate::production::rules::ingest::{BatchProblem, DetectionIn, RowReason};
use crate::production::rules::kinds::Counting;
use crate::production::rules::oee::Totals;
use crate::production::rules::settings::LineInput;
use crate::production::service::{downtime, ingest, oee, settings};

const TZ: chrono_tz::Tz = chrono_tz::America::Mexico_City;

/// The plant's machine, sending units.
fn plc(p: &Plant) -> Caller {
    Caller::Machine(crate::caller::Machine {
        key_id: uuid::Uuid::new_v4(),
        tenant_id: p.tenant,
        name: "PLC".into(),
        scopes: vec![crate::identity::rules::auth::ApiScope::ProductionIngest],
        creator_role: crate::identity::rules::auth::Role::Manager,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Manufacturer,
    })
}

fn user(c: &Caller) -> &User {
    match c {
        Caller::User(u) => u,
        Caller::Machine(_) => unreachable!(),
    }
}

/// A new line of the plant (with its areas; `SAL` its output), counted as `counting` says.
async fn line(pool: &PgPool, p: &Plant, code: &str, counting: Counting) -> LineId {
    let input = LineInput {
        id: None,
        code: code.into(),
        name: format!("Línea {code}"),
        downtime_threshold_s: 300.0,
        micro_stop_s: 30.0,
        target_pct: 85.0,
        active: true,
        counting,
    };
    settings::save_line(pool, user(&p.master), &RequestMeta::default(), &input).await.unwrap()
}

async fn exec(pool: &PgPool, p: &Plant, sql: &str) -> i32 {
    let mut tx = db::begin(pool, Scope::Tenant(p.tenant)).await.unwrap();
    let id: i32 = sqlx::query_scalar(sql).bind(p.tenant).fetch_one(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A product of 6 s a unit, a shift of every day from midnight to noon, a scrap reason and a week's grace (the day
/// before yesterday's shift, long ended, still takes facts).
async fn setup(pool: &PgPool, p: &Plant) -> (ProductId, ShiftId, crate::ids::ScrapReasonId) {
    let product = ProductId(
        exec(
            pool,
            p,
            "insert into production_products (tenant_id, code, name, ideal_cycle_ms)
             values ($1, 'P-100', 'Soporte', 6000) returning id",
        )
        .await,
    );
    let shift = ShiftId(
        exec(
            pool,
            p,
            "insert into production_shifts (tenant_id, name, days, start_time, end_time)
             values ($1, 'Madrugada', 127, '00:00', '12:00') returning id",
        )
        .await,
    );
    let reason = ScrapReasonInput { code: "burr".into(), name: "Rebaba".into(), archived: false };
    let burr = orders::save_scrap_reason(pool, &p.master, None, &reason).await.unwrap().id;
    orders::save_settings(pool, &p.master, &FactSettings { grace_minutes: 7 * 24 * 60 }).await.unwrap();
    (product, shift, burr)
}

async fn stage(pool: &PgPool, p: &Plant, code: &str, line: Option<LineId>, inspection: bool) -> StageId {
    let input = StageInput {
        code: code.into(),
        name: code.into(),
        needs_shift: false,
        inspection,
        line_id: line,
        archived: false,
    };
    orders::save_stage(pool, &p.master, None, &input).await.unwrap().id
}

fn day() -> NaiveDate {
    Utc::now().with_timezone(&TZ).date_naive() - Duration::days(2)
}

fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()).and_local_timezone(TZ).unwrap().with_timezone(&Utc)
}

fn fact(stage: StageId, shift: ShiftId, good: i32, scrap: i32, reason: crate::ids::ScrapReasonId) -> FactInput {
    FactInput {
        stage_id: stage,
        day: day(),
        shift_id: Some(shift),
        operator_id: None,
        good,
        scrap,
        scrap_reason_id: (scrap > 0).then_some(reason),
        comment: None,
    }
}

/// The line's totals over the day's shift, as the dashboard and the REST figures compute them.
async fn shift_totals(pool: &PgPool, p: &Plant, line: LineId) -> Totals {
    let f = oee::figures(pool, &p.master, at(day(), 0, 0), at(day(), 12, 0)).await.unwrap();
    f.lines.iter().find(|l| l.line_id == line).map(|l| l.totals).unwrap_or_default()
}

async fn order(pool: &PgPool, p: &Plant, code: &str, product: ProductId, route: Vec<StageId>) -> OrderId {
    let input = OrderInput {
        code: code.into(),
        name: code.into(),
        product_id: Some(product),
        quantity: 100,
        due_date: None,
        route,
    };
    orders::create(pool, &p.master, &input, None).await.unwrap().order.id
}

#[sqlx::test]
async fn a_people_lines_facts_are_its_units_and_an_inspection_takes_its_rejects_from_them(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Manual").await;
    let (product, shift, burr) = setup(&pool, &p).await;
    let manual = line(&pool, &p, "L4", Counting::People).await;
    let assembly = stage(&pool, &p, "assembly", Some(manual), false).await;
    let inspection = stage(&pool, &p, "inspection", None, true).await;
    let o = order(&pool, &p, "OP-1", product, vec![assembly, inspection]).await;
    assert_eq!(shift_totals(&pool, &p, manual).await.total, 0);

    // 40 good and 2 scrapped at assembly: the line's units, in the shift's last minute (recorded after it).
    let made = orders::record(&pool, &p.operator, o, &fact(assembly, shift, 40, 2, burr), Source::Terminal, None)
        .await
        .unwrap();
    let t = shift_totals(&pool, &p, manual).await;
    assert_eq!((t.total, t.good, t.people_total, t.people_good), (42, 40, 42, 40));
    assert_eq!(t.ideal_ms, 42 * 6000);
    // The line's data begins with the shift its first fact was of: its whole planned time, no time without data.
    assert_eq!((t.planned_ms, t.no_data_ms), (12 * 3_600_000, 0), "{t:?}");
    // Inspection finds 5 of them bad: quality falls where they were made, no unit is added.
    let inspected =
        orders::record(&pool, &p.master, o, &fact(inspection, shift, 30, 5, burr), Source::Ui, None).await.unwrap();
    let t = shift_totals(&pool, &p, manual).await;
    assert_eq!((t.total, t.good, t.people_total, t.people_good), (42, 35, 42, 35));
    // Reversals take back exactly what each added.
    orders::reverse(&pool, &p.master, inspected.fact.id, "Mal contado", Source::Ui, None).await.unwrap();
    let t = shift_totals(&pool, &p, manual).await;
    assert_eq!((t.total, t.good), (42, 40));
    orders::reverse(&pool, &p.operator, made.fact.id, "Orden equivocada", Source::Ui, None).await.unwrap();
    let t = shift_totals(&pool, &p, manual).await;
    assert_eq!((t.total, t.good, t.people_total, t.people_good), (0, 0, 0, 0));

    // An order without a product feeds nothing (a unit's ideal time is its product's), nor does a stage on no line.
    let input = OrderInput {
        code: "OP-2".into(),
        name: "Sin producto".into(),
        product_id: None,
        quantity: 10,
        due_date: None,
        route: vec![assembly],
    };
    let bare = orders::create(&pool, &p.master, &input, None).await.unwrap().order.id;
    orders::record(&pool, &p.operator, bare, &fact(assembly, shift, 7, 0, burr), Source::Ui, None).await.unwrap();
    assert_eq!(shift_totals(&pool, &p, manual).await.total, 0);

    // A machine's units for a line counted by people are refused: they would be counted twice.
    let plc = plc(&p);
    let unit =
        DetectionIn { line: "L4".into(), area: "SAL".into(), product: "P-100".into(), at: Utc::now(), good: true };
    match ingest::ingest(&pool, &plc, "b-1", &[unit]).await {
        Err(Error::Rejected(r)) => {
            assert_eq!(r.status, 422);
            let expected = BatchProblem::Row { row: 1, field: "line".into(), reason: RowReason::CountedByPeople };
            assert_eq!(r.problem["reason"], serde_json::to_value(&expected).unwrap()["reason"], "{:?}", r.problem);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[sqlx::test]
async fn an_inspections_scrap_lowers_the_quality_of_the_sensor_shift_that_made_the_units(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Sensores").await;
    let (product, shift, burr) = setup(&pool, &p).await;
    let press = line(&pool, &p, "L2", Counting::Sensors).await;
    // The press counted 20 units in the minute from 08:00 and 5 from 09:00, on the day's shift.
    let plc = plc(&p);
    let unit = |at| DetectionIn { line: "L2".into(), area: "SAL".into(), product: "P-100".into(), at, good: true };
    let units: Vec<DetectionIn> = (0..20)
        .map(|s| unit(at(day(), 8, 0) + Duration::seconds(s)))
        .chain((0..5).map(|s| unit(at(day(), 9, 0) + Duration::seconds(s))))
        .collect();
    ingest::ingest(&pool, &plc, "b-1", &units).await.unwrap();
    let stamping = stage(&pool, &p, "stamping", Some(press), false).await;
    let inspection = stage(&pool, &p, "inspection", None, true).await;
    let o = order(&pool, &p, "OP-1", product, vec![stamping, inspection]).await;
    // The press's own stage: the machines counted those units; a fact there adds none.
    orders::record(&pool, &p.operator, o, &fact(stamping, shift, 25, 0, burr), Source::Terminal, None).await.unwrap();
    let t = shift_totals(&pool, &p, press).await;
    assert_eq!((t.total, t.good, t.people_total, t.people_good), (25, 25, 0, 0));
    // Inspection, the next day and without a shift, finds 3 bad: the stamping shift's quality falls.
    let later = FactInput { day: day() + Duration::days(1), shift_id: None, ..fact(inspection, shift, 22, 3, burr) };
    let inspected = orders::record(&pool, &p.master, o, &later, Source::Ui, None).await.unwrap();
    let t = shift_totals(&pool, &p, press).await;
    assert_eq!((t.total, t.good, t.people_total, t.people_good), (25, 22, 0, -3));
    let q = t.oee().quality.unwrap();
    assert!((q - 22.0 / 25.0).abs() < 1e-9, "{q}");
    // Taken from the minute that made most of them (08:00), never leaving a minute with fewer good than none.
    let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
    let (minute, good): (DateTime<Utc>, i32) = sqlx::query_as(
        "select oee_minute, (select good from production_minutes m where m.line_id = f.oee_line_id
                             and m.minute = f.oee_minute)
         from mes_facts f where id = $1",
    )
    .bind(inspected.fact.id.0)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert_eq!((minute, good), (at(day(), 8, 0), 17));
    orders::reverse(&pool, &p.master, inspected.fact.id, "Se reinspeccionó", Source::Ui, None).await.unwrap();
    let t = shift_totals(&pool, &p, press).await;
    assert_eq!((t.total, t.good, t.people_good), (25, 25, 0));
}

#[sqlx::test]
async fn a_line_that_comes_to_be_counted_by_people_has_no_stops_from_the_downtime_job(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Silenciosa").await;
    // A shift on now (six hours around it, every day).
    let now = Utc::now().with_timezone(&TZ);
    let (from, to) = ((now - Duration::hours(3)).time(), (now + Duration::hours(3)).time());
    let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
    sqlx::query(
        "insert into production_shifts (tenant_id, name, days, start_time, end_time) values ($1, 'Turno', 127, $2, $3)",
    )
    .bind(p.tenant)
    .bind(from)
    .bind(to)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "insert into production_products (tenant_id, code, name, ideal_cycle_ms) values ($1, 'P-100', 'Soporte', 6000)",
    )
    .bind(p.tenant)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let l = line(&pool, &p, "L5", Counting::Sensors).await;
    // It counted an hour ago and has been silent since: the job opens a stop.
    let plc = plc(&p);
    let then = Utc::now() - Duration::hours(1);
    let units: Vec<DetectionIn> = (0..10)
        .map(|s| DetectionIn {
            line: "L5".into(),
            area: "SAL".into(),
            product: "P-100".into(),
            at: then + Duration::seconds(s),
            good: true,
        })
        .collect();
    ingest::ingest(&pool, &plc, "b-1", &units).await.unwrap();
    downtime::run(&pool).await.unwrap();
    let open = |pool: PgPool| async move {
        let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
        let n: i64 =
            sqlx::query_scalar("select count(*) from production_downtime where line_id = $1 and end_at is null")
                .bind(l.0)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        n
    };
    assert_eq!(open(pool.clone()).await, 1);
    // Counted by people from now on: its open stop ends, and its silence between facts is no stop.
    let input = LineInput {
        id: Some(l),
        code: "L5".into(),
        name: "Línea L5".into(),
        downtime_threshold_s: 300.0,
        micro_stop_s: 30.0,
        target_pct: 85.0,
        active: true,
        counting: Counting::People,
    };
    settings::save_line(&pool, user(&p.master), &RequestMeta::default(), &input).await.unwrap();
    assert_eq!(open(pool.clone()).await, 0);
    downtime::run(&pool).await.unwrap();
    assert_eq!(open(pool.clone()).await, 0);
}
