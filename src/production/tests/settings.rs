//! The plant's settings against real PostgreSQL: lines, products and reasons saved whole or refused naming the field
//! (a taken code included), a dashboard's widgets checked against the widget catalog's schemas, operators' lines,
//! and only owners and managers may change any of it.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::app_pool;
use super::dashboard::person;
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::error::Error;
use crate::production::rules::settings::{LineInput, ProductInput, ReasonInput};
use crate::production::service::dashboard::setup;
use crate::production::service::settings::{
    save_dashboard, save_line, save_product, save_reason, set_operator_lines, settings,
};

fn fields(e: Error) -> Vec<(String, ErrorCode)> {
    match e {
        Error::Validation(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[sqlx::test]
async fn a_manager_sets_the_plant_and_every_change_is_checked_whole(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    crate::identity::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    crate::production::service::demo::configure(&pool).await.unwrap();
    let (manager, viewer, operator) =
        (person(&pool, "manager").await, person(&pool, "viewer").await, person(&pool, "operator").await);
    let meta = RequestMeta::default();
    let line = LineInput {
        id: None,
        code: "L4".into(),
        name: "Línea 4 · Pintura".into(),
        downtime_threshold_s: 240.0,
        micro_stop_s: 25.0,
        target_pct: 80.0,
        active: true,
    };
    let id = save_line(&pool, &manager, &meta, &line).await.unwrap();
    // The new line has its output area: its units count from the first batch.
    let s = settings(&pool, &manager).await.unwrap();
    let saved = s.lines.iter().find(|l| l.id == id).unwrap();
    assert_eq!((saved.downtime_threshold_s, saved.micro_stop_s, saved.target_pct), (240.0, 25.0, 80.0));
    assert!(setup(&pool, &Caller::User(manager.clone())).await.unwrap().lines.iter().any(|l| l.code == "L4"));
    // A second L4, and a line with its thresholds the wrong way round: refused, naming the field.
    assert_eq!(
        fields(save_line(&pool, &manager, &meta, &line).await.unwrap_err()),
        [("code".to_owned(), ErrorCode::NameTaken)]
    );
    let wrong = LineInput { code: "L5".into(), micro_stop_s: 300.0, ..line.clone() };
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
        save_line(&pool, &manager, &meta, &LineInput { id: Some(999_999), ..line.clone() }).await,
        Err(Error::NotFound)
    ));

    let product =
        ProductInput { id: None, code: "PUE-500".into(), name: "Puerta".into(), ideal_cycle_s: 2.5, active: true };
    save_product(&pool, &manager, &meta, &product).await.unwrap();
    assert!(
        settings(&pool, &manager).await.unwrap().products.iter().any(|p| p.code == "PUE-500" && p.ideal_cycle_s == 2.5)
    );
    let reason = ReasonInput {
        id: None,
        code: "LIMPIEZA".into(),
        name: "Limpieza".into(),
        planned: true,
        colour: "#22C55E".into(),
        active: true,
    };
    save_reason(&pool, &manager, &meta, &reason).await.unwrap();
    assert!(
        settings(&pool, &manager).await.unwrap().reasons.iter().any(|r| r.code == "LIMPIEZA" && r.colour == "#22c55e")
    );

    // Dashboards: the catalog's kinds, parameters as their schemas say, inside the grid.
    let ok = r#"[{"kind": "kpi_cards", "x": 0, "y": 0, "w": 12, "h": 2, "params": {"figures": ["oee", "good"]}},
                 {"kind": "downtime_table", "x": 0, "y": 2, "w": 12, "h": 6, "params": {"limit": 10}}]"#;
    save_dashboard(&pool, &manager, &meta, "operator", ok).await.unwrap();
    assert_eq!(setup(&pool, &Caller::User(operator.clone())).await.unwrap().widgets.len(), 2);
    let bad = r#"[{"kind": "kpi_cards", "w": 12, "params": {"figures": ["speed"]}},
                  {"kind": "gauge", "w": 6, "params": {}},
                  {"kind": "downtime_table", "w": 6, "params": {"limit": 9999}}]"#;
    assert_eq!(
        fields(save_dashboard(&pool, &manager, &meta, "operator", bad).await.unwrap_err()),
        [
            ("widgets[0].params".to_owned(), ErrorCode::InvalidInput),
            ("widgets[1].kind".to_owned(), ErrorCode::InvalidInput),
            ("widgets[2].params".to_owned(), ErrorCode::InvalidInput)
        ]
    );
    let outside = r#"[{"kind": "kpi_cards", "x": 8, "w": 8, "params": {"figures": ["oee"]}}]"#;
    assert_eq!(
        fields(save_dashboard(&pool, &manager, &meta, "operator", outside).await.unwrap_err())[0].0,
        "widgets[0]"
    );
    assert_eq!(
        fields(save_dashboard(&pool, &manager, &meta, "operator", "not json").await.unwrap_err())[0].0,
        "widgets"
    );
    assert_eq!(fields(save_dashboard(&pool, &manager, &meta, "admin", ok).await.unwrap_err())[0].0, "role");
    assert_eq!(setup(&pool, &Caller::User(operator.clone())).await.unwrap().widgets.len(), 2, "nothing changed");

    // The operator now works on L1 and L4.
    set_operator_lines(&pool, &manager, &meta, operator.user_id, &[s.lines[0].id, id]).await.unwrap();
    assert_eq!(setup(&pool, &Caller::User(operator.clone())).await.unwrap().classify_lines.len(), 2);
    assert!(matches!(set_operator_lines(&pool, &manager, &meta, manager.user_id, &[id]).await, Err(Error::NotFound)));

    // Viewers and operators change nothing.
    assert!(matches!(save_line(&pool, &viewer, &meta, &line).await, Err(Error::Forbidden)));
    assert!(matches!(save_dashboard(&pool, &operator, &meta, "operator", ok).await, Err(Error::Forbidden)));
    assert!(matches!(settings(&pool, &operator).await, Err(Error::Forbidden)));
}
