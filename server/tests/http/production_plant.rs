//! The plant as a whole over HTTP: its time zone, read by anyone who reads its production and set by its owner or
//! managers; the shifts are read in it.

use http::StatusCode;
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_plant_zone_is_set_by_its_managers_and_its_shifts_are_read_in_it(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    app.admin_sql(
        "with t as (select id from tenants where name = 'Planta Demo')
         insert into production_lines (tenant_id, code, name) select id, 'L1', 'Línea 1' from t",
    )
    .await;
    // One shift, 06:00–14:00 every day, local to the plant.
    app.admin_sql(
        "insert into production_shifts (tenant_id, name, days, start_time, end_time)
         select id, 'Mañana', 127, '06:00', '14:00' from tenants where name = 'Planta Demo'",
    )
    .await;
    let manager = app.access_token("gerente@planta.demo").await;
    let viewer = app.access_token("lector@planta.demo").await;

    // A plant not yet set is in Mexico City's zone; anyone who reads its production may read it.
    let res = app.get("/api/v1/production/plant", Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json(), json!({ "time_zone": "America/Mexico_City" }));

    // 19:00–20:00 UTC on 2026-11-18 is 13:00–14:00 in Mexico City (UTC−6): the last planned hour of the shift.
    let span = "/api/v1/production/oee?from=2026-11-18T19:00:00Z&to=2026-11-18T20:00:00Z";
    // The line has counted nothing: the calendar's planned time is all time with no data.
    let planned = |v: serde_json::Value| {
        assert_eq!(v["plant"]["planned_ms"], 0, "no unit, no time with data: {v}");
        v["plant"]["no_data_ms"].as_i64().unwrap()
    };
    assert_eq!(planned(app.get(span, Auth::Bearer(&manager)).await.json()), 3_600_000);

    // Only the plant's managers set it, and only to a zone that exists.
    let set = |zone: &str| json!({ "time_zone": zone });
    let res = put_json(&app, &set("America/Bogota"), &viewer).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    put_json(&app, &set("Bogota"), &manager).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "time_zone", "code": "time_zone_unknown" }] }),
    );
    let res = put_json(&app, &set("America/Bogota"), &manager).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json(), json!({ "time_zone": "America/Bogota" }));
    assert_eq!(app.get("/api/v1/production/plant", Auth::Bearer(&viewer)).await.json()["time_zone"], "America/Bogota");

    // In Bogotá (UTC−5) the same hour is 14:00–15:00: after the shift, nothing planned.
    assert_eq!(planned(app.get(span, Auth::Bearer(&manager)).await.json()), 0);
    // The change is in the plant's audit log, with the zone before and after.
    let owner = app.access_token(PLANT_OWNER).await;
    let audit = app.get("/api/v1/audit", Auth::Bearer(&owner)).await.json();
    let entry = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "production.plant_saved").cloned();
    let entry = entry.expect("the change audited");
    assert_eq!((&entry["before"]["time_zone"], &entry["after"]["time_zone"]), (&json!(null), &json!("America/Bogota")));
}

async fn put_json(app: &TestApp, body: &serde_json::Value, token: &str) -> TestResponse {
    let req = TestApp::request(http::Method::PUT, "/api/v1/production/plant")
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    app.send(req).await
}
