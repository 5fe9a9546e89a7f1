//! Stops entered over the REST API by a line's terminal (`production:record`): one the sensors missed, added; one
//! with two causes, split; each refused with its reason when it cannot be.

use http::StatusCode;
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;
use crate::production::{demo_span, key};

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_terminal_adds_the_stops_the_sensors_missed_and_splits_one(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    let (from, _, (stop_start, stop_end)) = demo_span(&app).await;
    let terminal = key(&app, &["production:record", "production:read"]).await;
    let reader = key(&app, &["production:read"]).await;
    let at = |m: i64| (from + chrono::Duration::minutes(m)).to_rfc3339();

    // L1 stood from minute 60 to 70 (the sensors saw nothing): added, with its reason.
    let body = json!({"line": "L1", "start": at(60), "end": at(70), "reason": "FALLA-MEC", "note": "Banda atorada"});
    let res = app.post_json("/api/v1/production/stops", &body, Auth::Bearer(&terminal)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let added = res.json()["id"].as_i64().expect("its id");

    // Over the sensors' stop: 409, naming it; an end before the start: 422 naming `end`; a reader: 403.
    let over = json!({"line": "L1", "start": at(40), "end": at(50)});
    let res = app.post_json("/api/v1/production/stops", &over, Auth::Bearer(&terminal)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert!(res.text().contains("stop_overlaps"), "{}", res.text());
    let backwards = json!({"line": "L1", "start": at(100), "end": at(90)});
    let res = app.post_json("/api/v1/production/stops", &backwards, Auth::Bearer(&terminal)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert!(res.text().contains("\"end\""), "{}", res.text());
    let res = app.post_json("/api/v1/production/stops", &body, Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The sensors' stop had two causes: split at minute 40; the rest is a new stop, unclassified.
    let list = app.get("/api/v1/production/stops?line=L1", Auth::Bearer(&reader)).await.json();
    let sensed =
        list["items"].as_array().unwrap().iter().find(|s| s["id"].as_i64() != Some(added)).unwrap()["id"].clone();
    let res = app
        .post_json(&format!("/api/v1/production/stops/{sensed}/split"), &json!({"at": at(40)}), Auth::Bearer(&terminal))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let rest = res.json()["id"].as_i64().unwrap();
    let res = app
        .post_json(&format!("/api/v1/production/stops/{sensed}/split"), &json!({"at": at(50)}), Auth::Bearer(&terminal))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "outside it now: {}", res.text());
    let res =
        app.post_json("/api/v1/production/stops/99999/split", &json!({"at": at(40)}), Auth::Bearer(&terminal)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The list: newest first, all three entered by hand, the added one classified by the terminal.
    let list = app.get("/api/v1/production/stops?line=L1", Auth::Bearer(&reader)).await.json();
    let items = list["items"].as_array().unwrap();
    let ids: Vec<i64> = items.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [added, rest, sensed.as_i64().unwrap()]);
    assert!(items.iter().all(|s| s["manual"] == true), "{list}");
    assert_eq!(items[0]["reason"]["code"], "FALLA-MEC");
    assert!(items[0]["classified_by"].is_string());
    let instant = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().with_timezone(&chrono::Utc)
    };
    assert_eq!(
        (instant(&items[1]["start"]), instant(&items[1]["end"])),
        (from + chrono::Duration::minutes(40), stop_end)
    );
    assert_eq!(instant(&items[2]["start"]), stop_start);
}
