//! The plant's settings against real PostgreSQL: lines, products and reasons saved whole or refused naming the field
//! (a taken code included), a dashboard's widgets checked against the widget catalog's schemas, operators' lines,
//! and only owners and managers may change any of it.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::app_pool;
use super::dashboard::person;
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::error::Error;
use crate::ids::{LineId, ShiftId};
use crate::production::rules::dashboard::{Query, Range};
use crate::production::rules::kinds::Template;
use crate::production::rules::settings::{
    FilterInput, LineCycleInput, LineInput, ProductInput, ReasonInput, ShiftInput, StopInput,
};
use crate::production::service::dashboard::{setup, view};
use crate::production::service::settings::{
    delete_shift, delete_stop, query_log, save_dashboard, save_filter, save_line, save_line_cycle, save_product,
    save_reason, save_shift, save_stop, set_operator_lines, settings,
};

fn fields(e: Error) -> Vec<(String, ErrorCode)> {
    match e {
        Error::Validation(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

/// Planta Demo as a demo start configures it.
async fn demo_plant(opts: PgPoolOptions, conn: PgConnectOptions) -> sqlx::PgPool {
    let pool = app_pool(opts, conn).await;
    crate::identity::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    crate::production::service::demo::configure(&pool).await.unwrap();
    pool
}

#[sqlx::test]
async fn a_manager_sets_the_plant_and_every_change_is_checked_whole(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = demo_plant(opts, conn).await;
    let (manager, viewer, operator) =
        (person(&pool, "manager").await, person(&pool, "viewer").await, person(&pool, "operator").await);
    let meta = RequestMeta::default();
    let line = LineInput {
        id: None,
        code: "L5".into(),
        name: "Línea 5 · Pintura".into(),
        downtime_threshold_s: 240.0,
        micro_stop_s: 25.0,
        target_pct: 80.0,
        active: true,
        counting: Default::default(),
    };
    let id = save_line(&pool, &manager, &meta, &line).await.unwrap();
    // The new line has its output area: its units count from the first batch.
    let s = settings(&pool, &manager).await.unwrap();
    let saved = s.lines.iter().find(|l| l.id == id).unwrap();
    assert_eq!((saved.downtime_threshold_s, saved.micro_stop_s, saved.target_pct), (240.0, 25.0, 80.0));
    assert!(setup(&pool, &Caller::User(manager.clone())).await.unwrap().lines.iter().any(|l| l.code == "L5"));
    // A second L5, and a line with its thresholds the wrong way round: refused, naming the field.
    assert_eq!(
        fields(save_line(&pool, &manager, &meta, &line).await.unwrap_err()),
        [("code".to_owned(), ErrorCode::NameTaken)]
    );
    let wrong = LineInput { code: "L6".into(), micro_stop_s: 300.0, ..line.clone() };
    assert_eq!(fields(save_line(&pool, &manager, &meta, &wrong).await.unwrap_err())[0].0, "micro_stop_s");
    // Edited in place.
    save_line(
        &pool,
        &manager,
        &meta,
        &LineInput { id: Some(id), name: "Línea 4 · Pintura final".into(), ..line.clone() },
    )
    .await
    .unwrap();
    assert!(settings(&pool, &manager).await.unwrap().lines.iter().any(|l| l.name == "Línea 4 · Pintura final"));
    // A line of another plant (or none) is not found.
    assert!(matches!(
        save_line(&pool, &manager, &meta, &LineInput { id: Some(LineId(999_999)), ..line.clone() }).await,
        Err(Error::NotFound)
    ));

    let product =
        ProductInput { id: None, code: "PUE-500".into(), name: "Puerta".into(), ideal_cycle_s: 2.5, active: true };
    save_product(&pool, &manager, &meta, &product).await.unwrap();
    assert!(
        settings(&pool, &manager).await.unwrap().products.iter().any(|p| p.code == "PUE-500" && p.ideal_cycle_s == 2.5)
    );
    // A line's own rate for a product: set, changed, listed; a line or product of no one refused; 0 s removes it.
    let s = settings(&pool, &manager).await.unwrap();
    let door = s.products.iter().find(|p| p.code == "PUE-500").unwrap().id;
    let cycle = LineCycleInput { line_id: id, product_id: door, ideal_cycle_s: 90.0 };
    save_line_cycle(&pool, &manager, &meta, &cycle).await.unwrap();
    save_line_cycle(&pool, &manager, &meta, &LineCycleInput { ideal_cycle_s: 75.5, ..cycle.clone() }).await.unwrap();
    let own = |s: crate::production::rules::settings::Settings| {
        let theirs = s.line_cycles.into_iter().filter(|c| c.line_id == id);
        theirs.map(|c| (c.line_id, c.product_id, c.ideal_cycle_s)).collect::<Vec<_>>()
    };
    assert_eq!(own(settings(&pool, &manager).await.unwrap()), [(id, door, 75.5)]);
    let nowhere = LineCycleInput { line_id: LineId(999_999), ..cycle.clone() };
    assert!(matches!(save_line_cycle(&pool, &manager, &meta, &nowhere).await, Err(Error::NotFound)));
    let wrong = LineCycleInput { ideal_cycle_s: -3.0, ..cycle.clone() };
    assert_eq!(fields(save_line_cycle(&pool, &manager, &meta, &wrong).await.unwrap_err())[0].0, "ideal_cycle_s");
    assert!(matches!(save_line_cycle(&pool, &viewer, &meta, &cycle).await, Err(Error::Forbidden)));
    save_line_cycle(&pool, &manager, &meta, &LineCycleInput { ideal_cycle_s: 0.0, ..cycle.clone() }).await.unwrap();
    assert!(own(settings(&pool, &manager).await.unwrap()).is_empty());

    let reason = ReasonInput {
        id: None,
        code: "LIMPIEZA".into(),
        name: "Limpieza".into(),
        planned: true,
        setup: false,
        colour: "#22C55E".into(),
        active: true,
        category: " Limpieza y orden ".into(),
    };
    save_reason(&pool, &manager, &meta, &reason).await.unwrap();
    assert!(
        settings(&pool, &manager).await.unwrap().reasons.iter().any(|r| r.code == "LIMPIEZA"
            && r.colour == "#22c55e"
            && r.category.as_deref() == Some("Limpieza y orden"))
    );
    // The Pareto widget groups by category too (its schema allows it).
    let by_category = r#"[{"kind": "downtime_pareto", "x": 0, "y": 0, "w": 12, "h": 4, "params": {"by": "category"}}]"#;
    save_dashboard(&pool, &manager, &meta, Template::Viewer, by_category).await.unwrap();

    // Dashboards: the catalog's kinds, parameters as their schemas say, inside the grid.
    let ok = r#"[{"kind": "kpi_cards", "x": 0, "y": 0, "w": 12, "h": 2, "params": {"figures": ["oee", "good"]}},
                 {"kind": "downtime_table", "x": 0, "y": 2, "w": 12, "h": 6, "params": {"limit": 10}}]"#;
    save_dashboard(&pool, &manager, &meta, Template::Operator, ok).await.unwrap();
    assert_eq!(setup(&pool, &Caller::User(operator.clone())).await.unwrap().widgets.len(), 2);
    let bad = r#"[{"kind": "kpi_cards", "w": 12, "params": {"figures": ["speed"]}},
                  {"kind": "gauge", "w": 6, "params": {}},
                  {"kind": "downtime_table", "w": 6, "params": {"limit": 9999}}]"#;
    assert_eq!(
        fields(save_dashboard(&pool, &manager, &meta, Template::Operator, bad).await.unwrap_err()),
        [
            ("widgets[0].params.figures".to_owned(), ErrorCode::InvalidInput),
            ("widgets[1].kind".to_owned(), ErrorCode::InvalidInput),
            ("widgets[2].params.limit".to_owned(), ErrorCode::InvalidInput)
        ]
    );
    let outside = r#"[{"kind": "kpi_cards", "x": 8, "w": 8, "params": {"figures": ["oee"]}}]"#;
    assert_eq!(
        fields(save_dashboard(&pool, &manager, &meta, Template::Operator, outside).await.unwrap_err())[0].0,
        "widgets[0]"
    );
    assert_eq!(
        fields(save_dashboard(&pool, &manager, &meta, Template::Operator, "not json").await.unwrap_err())[0].0,
        "widgets"
    );
    assert_eq!(setup(&pool, &Caller::User(operator.clone())).await.unwrap().widgets.len(), 2, "nothing changed");

    // The operator now works on L1 and L5.
    set_operator_lines(&pool, &manager, &meta, operator.user_id, &[s.lines[0].id, id]).await.unwrap();
    assert_eq!(setup(&pool, &Caller::User(operator.clone())).await.unwrap().classify_lines.len(), 2);
    assert!(matches!(set_operator_lines(&pool, &manager, &meta, manager.user_id, &[id]).await, Err(Error::NotFound)));

    // Viewers and operators change nothing.
    assert!(matches!(save_line(&pool, &viewer, &meta, &line).await, Err(Error::Forbidden)));
    assert!(matches!(save_dashboard(&pool, &operator, &meta, Template::Operator, ok).await, Err(Error::Forbidden)));
    assert!(matches!(settings(&pool, &operator).await, Err(Error::Forbidden)));
}

#[sqlx::test]
async fn shifts_and_their_planned_stops_set_the_planned_time(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = demo_plant(opts, conn).await;
    let (manager, viewer) = (person(&pool, "manager").await, person(&pool, "viewer").await);
    let meta = RequestMeta::default();
    let s = settings(&pool, &manager).await.unwrap();
    let morning = s.shifts.iter().find(|s| s.name == "Matutino").unwrap().clone();
    assert_eq!((morning.start.as_str(), morning.end.as_str(), morning.days), ("06:00", "14:00", 0b111_1111));
    assert_eq!(morning.stops.len(), 1);
    // Monday 2 November 2026, 06:00–14:00 in Mexico City (UTC−6), line L1.
    let l1 = s.lines.iter().find(|l| l.code == "L1").unwrap().id;
    let q = Query {
        range: Range::Custom,
        from: Some("2026-11-02T12:00:00Z".parse().unwrap()),
        to: Some("2026-11-02T20:00:00Z".parse().unwrap()),
        line: Some(l1),
        ..Query::default()
    };
    let caller = Caller::User(manager.clone());
    // The line has counted nothing yet: its planned time is all time with no data (the calendar's all the same).
    let planned = || async {
        let t = view(&pool, &caller, &q).await.unwrap().total.totals;
        assert_eq!(t.planned_ms, 0, "no unit yet: no time with data");
        t.no_data_ms / 60_000
    };
    assert_eq!(planned().await, 450, "eight hours less the half-hour break");

    // A daily meeting at the start of the shift: a quarter of an hour less planned.
    let meeting =
        StopInput { id: None, shift_id: morning.id, name: "Junta".into(), start: "06:00".into(), end: "06:15".into() };
    let meeting_id = save_stop(&pool, &manager, &meta, &meeting).await.unwrap();
    assert_eq!(planned().await, 435);
    // Overlapping the break, outside the shift, or of no shift: refused, naming the field; nothing changes.
    let clash = StopInput { start: "10:15".into(), end: "10:45".into(), ..meeting.clone() };
    assert_eq!(
        fields(save_stop(&pool, &manager, &meta, &clash).await.unwrap_err()),
        [("start".to_owned(), ErrorCode::InvalidInput)]
    );
    let outside = StopInput { start: "14:00".into(), end: "14:30".into(), ..meeting.clone() };
    assert_eq!(fields(save_stop(&pool, &manager, &meta, &outside).await.unwrap_err())[0].0, "end");
    let nowhere = StopInput { shift_id: ShiftId(999_999), ..meeting.clone() };
    assert_eq!(fields(save_stop(&pool, &manager, &meta, &nowhere).await.unwrap_err())[0].0, "shift_id");
    assert_eq!(planned().await, 435);
    // Moved to the end of the shift, then removed.
    let moved = StopInput { id: Some(meeting_id), start: "13:30".into(), end: "14:00".into(), ..meeting.clone() };
    save_stop(&pool, &manager, &meta, &moved).await.unwrap();
    assert_eq!(planned().await, 420);
    delete_stop(&pool, &manager, &meta, meeting_id).await.unwrap();
    assert_eq!(planned().await, 450);
    assert!(matches!(delete_stop(&pool, &manager, &meta, meeting_id).await, Err(Error::NotFound)));

    // The shift shortened to end at noon, with its break inside: four hours less half an hour.
    let edit = ShiftInput {
        id: Some(morning.id),
        name: "Matutino".into(),
        mon: true,
        tue: true,
        wed: true,
        thu: true,
        fri: true,
        start: "06:00".into(),
        end: "12:00".into(),
        ..ShiftInput::default()
    };
    save_shift(&pool, &manager, &meta, &edit).await.unwrap();
    assert_eq!(planned().await, 330);
    assert_eq!(
        settings(&pool, &manager).await.unwrap().shifts.iter().find(|s| s.id == morning.id).unwrap().days,
        0b1_1111
    );
    // Moved so its break would fall outside it: refused until the break moves.
    let late = ShiftInput { start: "11:00".into(), end: "19:00".into(), ..edit.clone() };
    assert_eq!(fields(save_shift(&pool, &manager, &meta, &late).await.unwrap_err()).len(), 2);
    // A second shift of the same name: 409 on the name.
    let twin = ShiftInput { id: None, ..edit.clone() };
    assert_eq!(
        fields(save_shift(&pool, &manager, &meta, &twin).await.unwrap_err()),
        [("name".to_owned(), ErrorCode::NameTaken)]
    );
    // A shift on weekends only leaves Monday unplanned there.
    let weekend = ShiftInput { id: None, name: "Fin de semana".into(), sat: true, sun: true, ..edit.clone() };
    let weekend = ShiftInput { mon: false, tue: false, wed: false, thu: false, fri: false, ..weekend };
    let weekend_id = save_shift(&pool, &manager, &meta, &weekend).await.unwrap();
    assert_eq!(planned().await, 330);
    assert!(setup(&pool, &caller).await.unwrap().shifts.iter().any(|s| s.name == "Fin de semana"));
    delete_shift(&pool, &manager, &meta, weekend_id).await.unwrap();
    delete_shift(&pool, &manager, &meta, morning.id).await.unwrap();
    assert_eq!(planned().await, 0, "no shift runs then");
    assert!(!setup(&pool, &caller).await.unwrap().shifts.iter().any(|s| s.name == "Matutino"));

    // Viewers change nothing.
    assert!(matches!(save_shift(&pool, &viewer, &meta, &weekend).await, Err(Error::Forbidden)));
    assert!(matches!(save_stop(&pool, &viewer, &meta, &meeting).await, Err(Error::Forbidden)));
    let mut tx = crate::db::begin(&pool, crate::db::Scope::Tenant(manager.tenant_id)).await.unwrap();
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action like 'production.shift%' or action like 'production.planned_stop%'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(audited, 7);
}

#[sqlx::test]
async fn the_dashboards_filters_are_the_plants_to_set(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = demo_plant(opts, conn).await;
    let (manager, viewer) = (person(&pool, "manager").await, person(&pool, "viewer").await);
    let meta = RequestMeta::default();
    let s = settings(&pool, &manager).await.unwrap();
    let keys: Vec<_> = s.filters.iter().map(|f| (f.key.as_str(), f.enabled, f.default.as_str())).collect();
    assert_eq!(keys, [("date_range", true, "24h"), ("line", true, ""), ("shift", true, ""), ("product", true, "")]);

    // The product filter off, the line filter first and required, opening on L2; the range a week by default.
    let f = |key: &str, position, enabled, required, default: &str| FilterInput {
        key: key.into(),
        position,
        enabled,
        required,
        default: default.into(),
    };
    save_filter(&pool, &manager, &meta, &f("product", 4, false, false, "")).await.unwrap();
    save_filter(&pool, &manager, &meta, &f("line", 1, true, true, "L2")).await.unwrap();
    save_filter(&pool, &manager, &meta, &f("date_range", 2, true, true, "7d")).await.unwrap();
    let viewer_setup = setup(&pool, &Caller::User(viewer.clone())).await.unwrap();
    let offered: Vec<_> = viewer_setup.filters.iter().map(|f| (f.key.as_str(), f.required)).collect();
    assert_eq!(offered, [("line", true), ("date_range", true), ("shift", false)]);
    assert_eq!(viewer_setup.filters[0].default_value, serde_json::json!({ "code": "L2" }));
    assert_eq!(Range::from_default(&viewer_setup.filters[1].default_value), Range::Days7);

    // A line that does not exist, a custom default range, the date range switched off: refused, nothing changes.
    let e = save_filter(&pool, &manager, &meta, &f("line", 1, true, true, "L99")).await.unwrap_err();
    assert_eq!(fields(e)[0].0, "default");
    let e = save_filter(&pool, &manager, &meta, &f("date_range", 2, false, true, "custom")).await.unwrap_err();
    assert_eq!(fields(e).into_iter().map(|f| f.0).collect::<Vec<_>>(), ["default", "enabled"]);
    assert_eq!(setup(&pool, &Caller::User(viewer.clone())).await.unwrap().filters, viewer_setup.filters);
    assert!(matches!(save_filter(&pool, &viewer, &meta, &f("line", 1, true, false, "")).await, Err(Error::Forbidden)));
}

#[sqlx::test]
async fn the_owner_reads_who_queried_what_and_how_long_it_took(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = demo_plant(opts, conn).await;
    let (owner, manager) = (person(&pool, "owner").await, person(&pool, "manager").await);
    let q = Query { range: Range::Hours24, ..Query::default() };
    for _ in 0..3 {
        view(&pool, &Caller::User(manager.clone()), &q).await.unwrap();
    }
    let log = query_log(&pool, &owner, None).await.unwrap();
    assert_eq!((log.entries.items.len(), log.day_count, log.entries.next.clone()), (3, 3, None));
    let e = &log.entries.items[0];
    assert_eq!(e.query, "dashboard");
    assert!(e.who.as_deref().is_some_and(|w| w.contains(&manager.email)), "{:?}", e.who);
    // The filters in words: no nulls, the times in the plant's zone with its offset said.
    let value = |k: &str| e.filters.iter().find(|f| f.key == k).map(|f| f.value.clone());
    assert_eq!(value("range").as_deref(), Some("24h"), "{:?}", e.filters);
    assert!(value("from").is_some_and(|v| v.ends_with("(UTC−6)")), "{:?}", e.filters);
    assert!(e.filters.iter().all(|f| f.value != "null" && f.key != "line"), "{:?}", e.filters);
    assert!(log.day_p95_ms.is_some());
    assert!(log.entries.items.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    // Read on from an entry: the older ones only; a cursor that is not one is the caller's error, named.
    let from_second = log.entries.items[1].id.to_string();
    assert_eq!(query_log(&pool, &owner, Some(&from_second)).await.unwrap().entries.items.len(), 1);
    let bad = query_log(&pool, &owner, Some("ayer")).await;
    assert!(matches!(bad, Err(Error::Validation(f)) if f[0].field == "after"), "a bad cursor is named");
    // Managers run the plant; what people look at is the owner's to read.
    assert!(matches!(query_log(&pool, &manager, None).await, Err(Error::Forbidden)));
}

/// The widgets' parameter types and the catalog's JSON Schemas (`production_widgets.param_schema`, what a reader of
/// the catalog sees) give the same verdict on every input here: each kind's keys, values, missing and extra keys,
/// nulls, bounds, repeats and non-objects.
#[sqlx::test]
async fn the_widgets_parameter_types_say_what_the_catalogs_schemas_say(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::rules::dashboard::WidgetParams;
    use crate::production::rules::kinds::WidgetKind;
    use serde_json::json;

    let pool = app_pool(opts, conn).await;
    let mut tx = crate::db::begin(&pool, crate::db::Scope::Platform).await.unwrap();
    let schemas = crate::production::store::settings::widget_schemas(&mut tx).await.unwrap();
    assert_eq!(schemas.len(), WidgetKind::ALL.len(), "a kind without a schema, or a schema without a kind");
    let inputs = [
        json!({}),
        json!(null),
        json!([]),
        json!("oee"),
        json!({"figures": ["oee", "good"]}),
        json!({"figures": ["oee", "oee"]}),
        json!({"figures": []}),
        json!({"figures": ["speed"]}),
        json!({"figures": null}),
        json!({"figures": ["downtime"], "extra": 1}),
        json!({"bucket": "shift"}),
        json!({"bucket": "week"}),
        json!({"bucket": null}),
        json!({"figure": "total"}),
        json!({"figure": "good"}),
        json!({"limit": 1}),
        json!({"limit": 500}),
        json!({"limit": 0}),
        json!({"limit": 501}),
        json!({"limit": -3}),
        json!({"limit": "10"}),
        json!({"by": "line"}),
        json!({"by": "product"}),
        json!({"other": true}),
    ];
    let mut accepted = 0;
    for (kind, schema) in &schemas {
        let kind = WidgetKind::parse(kind).unwrap_or_else(|| panic!("the catalog's kind {kind} is not a WidgetKind"));
        let validator = jsonschema::validator_for(schema).unwrap();
        for input in &inputs {
            // The service reads a missing or null `params` as `{}`, as it always has before checking the schema.
            let as_schema_sees = if input.is_null() { json!({}) } else { input.clone() };
            let by_schema = validator.is_valid(&as_schema_sees);
            let by_type = WidgetParams::read(kind, input).is_some();
            assert_eq!(by_type, by_schema, "{kind:?} with {input}: the type says {by_type}, the schema {by_schema}");
            accepted += usize::from(by_type);
        }
    }
    // Not a table of refusals only: each kind accepts something here.
    assert!(accepted >= schemas.len() * 2, "{accepted} accepted");
}

/// The plant's first steps are shown to those who set it up, each done or not from what the plant has: the demo has
/// lines, products, shifts, reasons and people, and no unit until a machine sends one.
#[sqlx::test]
async fn the_first_steps_say_what_the_plant_still_lacks(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::production::rules::dashboard::FirstSteps;
    let pool = demo_plant(opts, conn).await;
    let (manager, viewer) = (person(&pool, "manager").await, person(&pool, "viewer").await);
    let steps = setup(&pool, &Caller::User(manager.clone())).await.unwrap().first_steps;
    let all_but_units =
        FirstSteps { lines: true, products: true, shifts: true, reasons: true, units: false, people: true };
    assert_eq!(steps, Some(all_but_units));
    assert!(!all_but_units.done());
    assert_eq!(setup(&pool, &Caller::User(viewer)).await.unwrap().first_steps, None, "not the viewer's to do");
    // A machine's first unit.
    let plc = Caller::Machine(crate::caller::Machine {
        key_id: uuid::Uuid::new_v4(),
        tenant_id: manager.tenant_id,
        name: "PLC".into(),
        scopes: vec![crate::identity::rules::auth::ApiScope::ProductionIngest],
        creator_role: crate::identity::rules::auth::Role::Manager,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Manufacturer,
    });
    let unit = crate::production::rules::ingest::DetectionIn {
        line: "L1".into(),
        area: "SAL".into(),
        product: "SOP-100".into(),
        at: chrono::Utc::now(),
        good: true,
    };
    crate::production::service::ingest::ingest(&pool, &plc, "first", &[unit]).await.unwrap();
    let steps = setup(&pool, &Caller::User(manager)).await.unwrap().first_steps.unwrap();
    assert!(steps.done(), "{steps:?}");
}
