//! Production orders and their stage facts against real PostgreSQL: the seed's rules through the service, progress
//! and the order's state, reversal once, a closed shift refused and reopened by a manager (audited), a fact sent
//! again under its key recorded once, and many facts on one order at once all counted.

use std::sync::Arc;

use chrono::{Duration, NaiveTime, Utc};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{Plant, app_pool, plant, uid};
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::db::{self, Scope};
use crate::error::Error;
use crate::ids::{FactId, OrderId, ScrapReasonId, ShiftId, StageId};
use crate::mes::rules::facts::{FactInput, OrderState, Source};
use crate::mes::service::orders::{
    self, FactSettings, OrderInput, OrderQuery, ReopenInput, ScrapReasonInput, StageInput,
};

/// A plant's floor: machining (needs a shift), fitting and inspection; a scrap reason; a shift of every day from
/// midnight to noon (so the day before yesterday's has long ended).
struct Floor {
    p: Plant,
    machining: StageId,
    fitting: StageId,
    inspection: StageId,
    burr: ScrapReasonId,
    shift: ShiftId,
}

async fn floor(pool: &PgPool) -> Floor {
    let p = plant(pool, "Planta Norte").await;
    let stage = |code: &str, needs_shift, inspection| StageInput {
        code: code.into(),
        name: code.to_uppercase(),
        needs_shift,
        inspection,
        line_id: Some(p.line),
        archived: false,
    };
    let machining = orders::save_stage(pool, &p.master, None, &stage("machining", true, false)).await.unwrap().id;
    let fitting = orders::save_stage(pool, &p.master, None, &stage("fitting", false, false)).await.unwrap().id;
    let inspection = orders::save_stage(pool, &p.master, None, &stage("inspection", false, true)).await.unwrap().id;
    let burr = orders::save_scrap_reason(
        pool,
        &p.master,
        None,
        &ScrapReasonInput { code: "burr".into(), name: "Rebaba".into(), archived: false },
    )
    .await
    .unwrap()
    .id;
    let mut tx = db::begin(pool, Scope::Tenant(p.tenant)).await.unwrap();
    let shift: ShiftId = sqlx::query_scalar(
        "insert into production_shifts (tenant_id, name, days, start_time, end_time)
         values ($1, 'Madrugada', 127, '00:00', '12:00') returning id",
    )
    .bind(p.tenant)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Floor { p, machining, fitting, inspection, burr, shift }
}

fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&chrono_tz::America::Mexico_City).date_naive()
}

fn order(f: &Floor, code: &str, quantity: i32) -> OrderInput {
    OrderInput {
        code: code.into(),
        name: format!("Eje {code}"),
        product_id: None,
        quantity,
        due_date: None,
        route: vec![f.machining, f.fitting, f.inspection],
    }
}

/// A fact at machining on the day before yesterday's shift (long ended).
fn machining(f: &Floor, good: i32, scrap: i32) -> FactInput {
    FactInput {
        stage_id: f.machining,
        day: today() - Duration::days(2),
        shift_id: Some(f.shift),
        operator_id: Some(uid(&f.p.operator)),
        good,
        scrap,
        scrap_reason_id: (scrap > 0).then_some(f.burr),
        comment: Some("Turno normal".into()),
    }
}

fn refused(e: Error) -> Vec<(String, ErrorCode)> {
    match e {
        Error::Validation(v) => v.into_iter().map(|e| (e.field, e.code)).collect(),
        e => panic!("expected a validation error, got {e:?}"),
    }
}

#[sqlx::test]
async fn facts_move_an_order_through_its_stages_to_done_and_a_reversal_takes_it_back(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let f = floor(&pool).await;
    let p = &f.p;
    // A week's grace: the day before yesterday's shift is still open.
    orders::save_settings(&pool, &p.master, &FactSettings { grace_minutes: 7 * 24 * 60 }).await.unwrap();
    let o = orders::create(&pool, &p.master, &order(&f, "OP-1", 100), Some("op-1")).await.unwrap().order;
    assert_eq!((o.state, o.stages.len(), o.stages[0].code.as_str()), (OrderState::Open, 3, "machining"));
    // The same request again is the same order; an operator cannot make one.
    let again = orders::create(&pool, &p.master, &order(&f, "OP-1", 100), Some("op-1")).await.unwrap();
    assert_eq!(again.order.id, o.id);
    assert!(matches!(orders::create(&pool, &p.operator, &order(&f, "OP-2", 5), None).await, Err(Error::Forbidden)));

    // The seed's rules: machining without a shift nor an operator, one message each.
    let bare = FactInput { shift_id: None, operator_id: None, ..machining(&f, 10, 0) };
    let e = orders::record(&pool, &p.operator, o.id, &bare, Source::Ui, None).await.unwrap_err();
    assert_eq!(refused(e), [("shift_id".into(), ErrorCode::Required), ("operator_id".into(), ErrorCode::Required)]);
    // Fitting takes a fact without them.
    let fitting = FactInput { stage_id: f.fitting, shift_id: None, operator_id: None, ..machining(&f, 60, 0) };
    // A day to come is refused.
    let tomorrow = FactInput { day: today() + Duration::days(1), ..fitting.clone() };
    let e = orders::record(&pool, &p.operator, o.id, &tomorrow, Source::Ui, None).await.unwrap_err();
    assert_eq!(refused(e), [("day".into(), ErrorCode::NotYet)]);

    let r =
        orders::record(&pool, &p.operator, o.id, &machining(&f, 100, 5), Source::Terminal, Some("k1")).await.unwrap();
    assert_eq!((r.order.state, r.order.stages[0].good, r.order.stages[0].scrap), (OrderState::InProgress, 100, 5));
    assert_eq!((r.fact.scrap_reason.as_ref().unwrap().name.as_str(), r.fact.source), ("Rebaba", Source::Terminal));
    // Sent again under its key: the same fact, nothing added.
    let twice =
        orders::record(&pool, &p.operator, o.id, &machining(&f, 100, 5), Source::Terminal, Some("k1")).await.unwrap();
    assert_eq!((twice.fact.id, twice.order.stages[0].good), (r.fact.id, 100));
    orders::record(&pool, &p.operator, o.id, &FactInput { good: 100, ..fitting.clone() }, Source::Ui, None)
        .await
        .unwrap();
    let inspect = FactInput { stage_id: f.inspection, ..fitting.clone() };
    let done = orders::record(&pool, &p.supply, o.id, &FactInput { good: 100, ..inspect.clone() }, Source::Ui, None)
        .await
        .unwrap();
    assert_eq!(done.order.state, OrderState::Done);
    assert!((done.order.stages[2].progress - 1.0).abs() < 1e-9);

    // A reversal takes the last stage back, once; it needs its reason; a reversal is not reversed.
    let e = orders::reverse(&pool, &p.supply, done.fact.id, " ", Source::Ui, None).await.unwrap_err();
    assert_eq!(refused(e), [("comment".into(), ErrorCode::Required)]);
    // Another operator's fact is not theirs to reverse; a manager may.
    assert!(matches!(
        orders::reverse(&pool, &p.operator, done.fact.id, "Contado dos veces", Source::Ui, None).await,
        Err(Error::Forbidden)
    ));
    let back = orders::reverse(&pool, &p.master, done.fact.id, "Contado dos veces", Source::Ui, None).await.unwrap();
    assert_eq!(
        (back.fact.good, back.fact.reverses, back.order.state),
        (-100, Some(done.fact.id), OrderState::InProgress)
    );
    assert_eq!(back.order.stages[2].good, 0);
    let twice = orders::reverse(&pool, &p.master, done.fact.id, "Otra vez", Source::Ui, None).await.unwrap_err();
    assert!(matches!(twice, Error::Conflict(ErrorCode::AlreadyReversed)), "{twice:?}");
    let of_reversal = orders::reverse(&pool, &p.master, back.fact.id, "Otra vez", Source::Ui, None).await.unwrap_err();
    assert!(matches!(of_reversal, Error::Conflict(ErrorCode::AlreadyReversed)), "{of_reversal:?}");
    let detail = orders::get(&pool, &p.viewer, o.id).await.unwrap();
    assert_eq!(detail.facts.len(), 4);
    assert_eq!(detail.facts.iter().find(|x| x.id == done.fact.id).unwrap().reversed_by, Some(back.fact.id));

    // The list: unfinished, by stage, by search; another plant sees none of it.
    let q =
        OrderQuery { unfinished: true, stage: Some(f.inspection), search: Some("op-1".into()), ..Default::default() };
    assert_eq!(orders::list(&pool, &p.viewer, &q).await.unwrap().items.len(), 1);
    // A search is the text as written: `\`, `%` and `_` are letters, not a pattern (nor a database error).
    for text in ["op\\", "%", "op_1"] {
        let q = OrderQuery { search: Some(text.into()), ..Default::default() };
        assert!(orders::list(&pool, &p.viewer, &q).await.unwrap().items.is_empty(), "{text}");
    }
    let other = plant(&pool, "Otra Planta").await;
    assert!(orders::list(&pool, &other.viewer, &OrderQuery::default()).await.unwrap().items.is_empty());
    assert!(matches!(orders::get(&pool, &other.viewer, o.id).await, Err(Error::NotFound)));
}

#[sqlx::test]
async fn a_closed_shift_refuses_facts_until_a_manager_reopens_it(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let f = floor(&pool).await;
    let p = &f.p;
    let o = orders::create(&pool, &p.master, &order(&f, "OP-9", 10), None).await.unwrap().order;
    // The plant's default grace (2 h): the day before yesterday's shift ended long ago.
    let e = orders::record(&pool, &p.operator, o.id, &machining(&f, 5, 0), Source::Ui, None).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ErrorCode::FactsLocked)), "{e:?}");
    // A shift that does not exist, and the reopening's own checks.
    let reopen = ReopenInput {
        day: today() - Duration::days(2),
        shift_id: Some(f.shift),
        minutes: 30,
        reason: "Faltó un registro".into(),
    };
    let meta = RequestMeta::default();
    assert!(matches!(orders::reopen(&pool, &p.operator, &meta, &reopen).await, Err(Error::Forbidden)));
    let bad = ReopenInput { minutes: 0, reason: String::new(), ..reopen.clone() };
    assert_eq!(
        refused(orders::reopen(&pool, &p.master, &meta, &bad).await.unwrap_err()),
        [("minutes".into(), ErrorCode::InvalidInput), ("reason".into(), ErrorCode::Required)]
    );
    let until = orders::reopen(&pool, &p.master, &meta, &reopen).await.unwrap();
    assert!(until > Utc::now() + Duration::minutes(29));
    let r = orders::record(&pool, &p.operator, o.id, &machining(&f, 5, 0), Source::Ui, None).await.unwrap();
    assert_eq!(r.order.stages[0].good, 5);
    // Reopened and audited.
    let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_log where action = 'mes.shift_reopened'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    // The facts are history: the application cannot change or remove one.
    let update = sqlx::query("update mes_facts set good = 1").execute(&mut *tx).await;
    assert!(update.is_err());
    drop(tx);
    assert_eq!(audited, 1);
    // Another day's shift stays closed.
    let other_day = FactInput { day: today() - Duration::days(3), ..machining(&f, 5, 0) };
    let e = orders::record(&pool, &p.operator, o.id, &other_day, Source::Ui, None).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ErrorCode::FactsLocked)), "{e:?}");
    // A stage off the order's route, and an order that is not there.
    let off = FactInput { stage_id: StageId(i32::MAX), ..machining(&f, 5, 0) };
    assert_eq!(
        refused(orders::record(&pool, &p.operator, o.id, &off, Source::Ui, None).await.unwrap_err()),
        [("stage_id".into(), ErrorCode::NotFound)]
    );
    let none = orders::record(&pool, &p.operator, OrderId(i64::MAX), &machining(&f, 5, 0), Source::Ui, None).await;
    assert!(matches!(none, Err(Error::NotFound)));
    // A cancelled order takes no facts.
    orders::cancel(&pool, &p.master, o.id).await.unwrap();
    let e = orders::record(&pool, &p.operator, o.id, &machining(&f, 5, 0), Source::Ui, None).await.unwrap_err();
    assert_eq!(refused(e), [("order".into(), ErrorCode::Archived)]);
}

/// Twenty people recording on one order at once: every fact counted, the sums those of the facts.
#[sqlx::test]
async fn facts_recorded_at_once_on_one_order_are_all_counted(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 20).await;
    let f = floor(&pool).await;
    orders::save_settings(&pool, &f.p.master, &FactSettings { grace_minutes: 7 * 24 * 60 }).await.unwrap();
    let o = orders::create(&pool, &f.p.master, &order(&f, "OP-R", 1000), None).await.unwrap().order;
    let (pool, f) = (Arc::new(pool), Arc::new(f));
    let mut handles = Vec::new();
    for i in 0..20 {
        let (pool, f) = (pool.clone(), f.clone());
        handles.push(tokio::spawn(async move {
            let who: &Caller = if i % 2 == 0 { &f.p.operator } else { &f.p.master };
            orders::record(&pool, who, o.id, &machining(&f, 7, 1), Source::Terminal, Some(&format!("r{i}"))).await
        }));
    }
    let mut ids: Vec<FactId> = Vec::new();
    for h in handles {
        ids.push(h.await.unwrap().unwrap().fact.id);
    }
    ids.sort();
    ids.dedup();
    let now = orders::get(&pool, &f.p.viewer, o.id).await.unwrap();
    assert_eq!((ids.len(), now.order.stages[0].good, now.order.stages[0].scrap), (20, 140, 20));
    let listed: i32 = now.facts.iter().map(|x| x.good).sum();
    assert_eq!(listed, 140);
}

#[sqlx::test]
async fn the_current_shift_comes_from_the_plant_calendar(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let f = floor(&pool).await;
    let tz = chrono_tz::America::Mexico_City;
    let at = |h: u32| {
        let local = today().and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap());
        chrono::TimeZone::from_local_datetime(&tz, &local).unwrap().with_timezone(&Utc)
    };
    let morning = orders::current_shift(&pool, &f.p.operator, at(9)).await.unwrap();
    let run = morning.current.unwrap();
    assert_eq!(
        (run.id, run.name.as_str(), run.day, morning.time_zone.as_str()),
        (f.shift, "Madrugada", today(), "America/Mexico_City")
    );
    let afternoon = orders::current_shift(&pool, &f.p.operator, at(15)).await.unwrap();
    assert!(afternoon.current.is_none());
    assert_eq!(afternoon.next.unwrap().day, today() + Duration::days(1));
}

#[sqlx::test]
async fn the_demo_floor_has_orders_in_every_state_and_a_week_of_facts_built_once(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::identity::rules::auth::Role;
    let pool = app_pool(opts, conn, 5).await;
    crate::identity::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    assert!(crate::production::service::demo::configure(&pool).await.unwrap());
    assert!(crate::mes::service::demo::configure(&pool).await.unwrap());
    assert!(!crate::mes::service::demo::configure(&pool).await.unwrap(), "once");
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let (tenant, manager): (crate::ids::TenantId, crate::ids::UserId) = sqlx::query_as(
        "select t.id, u.id from tenants t join users u on u.tenant_id = t.id
         where t.name = 'Planta Demo' and u.role = 'manager'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let manager = Caller::User(crate::caller::User {
        user_id: manager,
        tenant_id: tenant,
        session_id: uuid::Uuid::new_v4(),
        role: Role::Manager,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Manufacturer,
        email: String::new(),
        display_name: String::new(),
    });
    let all = orders::list(&pool, &manager, &OrderQuery { limit: Some(50), ..Default::default() }).await.unwrap().items;
    let states: std::collections::HashSet<OrderState> = all.iter().map(|o| o.state).collect();
    assert_eq!(states.len(), 4, "every state: {states:?}");
    assert!(all.iter().any(|o| o.overdue), "one is late");
    let week = all.iter().find(|o| o.code == "OP-1001").unwrap();
    assert_eq!(week.state, OrderState::InProgress);
    assert!(week.stages.iter().all(|s| s.good > 0), "every stage has work: {:?}", week.stages);
    let detail = orders::get(&pool, &manager, week.id).await.unwrap();
    let days: std::collections::HashSet<_> = detail.facts.iter().map(|f| f.day).collect();
    assert!(days.len() >= 6, "a week of facts: {days:?}");
    assert_eq!(detail.facts.iter().filter(|f| f.reverses.is_some()).count(), 1, "one reversed");
    assert!(
        detail.facts.iter().any(|f| f.source == Source::Terminal)
            && detail.facts.iter().any(|f| f.source == Source::Ui)
    );
    // The week's grace was for building it: the plant's is the default again.
    assert_eq!(orders::settings(&pool, &manager).await.unwrap().grace_minutes, orders::GRACE_DEFAULT);
    // Assembly runs on the manual line: its week of facts is that line's OEE, counted by people, less what the
    // final inspection found.
    let now = Utc::now();
    let week = crate::production::service::oee::figures(&pool, &manager, now - Duration::days(8), now).await.unwrap();
    let manual = week.lines.iter().find(|l| l.code == "L4").expect("the manual line");
    let t = manual.totals;
    assert!(t.total > 0 && t.people_total == t.total && t.people_good == t.good, "{t:?}");
    // At its own rates (minutes a unit by hand, not the presses' second): a bench's performance, not 0.3 %.
    assert!(manual.oee.performance.is_some_and(|x| x > 0.3 && x <= 1.0), "{:?}", manual.oee);
    assert!(manual.oee.oee.is_some_and(|x| x > 0.2), "{:?}", manual.oee);
    assert!(week.lines.iter().filter(|l| l.code != "L4").all(|l| l.totals.people_total == 0));
    // And its tasks are there too.
    let q = crate::mes::service::tasks::ListQuery { view: crate::mes::rules::tasks::View::All, ..Default::default() };
    assert!(crate::mes::service::tasks::list(&pool, &manager, &q).await.unwrap().items.len() >= 5);
}
