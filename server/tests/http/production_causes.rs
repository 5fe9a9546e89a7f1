//! The causes behind a figure as CSVs (`GET /api/v1/production/causes.csv`): what the drill-downs list, whole, for the
//! dashboard's filters; and a shift report's (`GET /api/v1/production/shift-report.csv`).

use http::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;
use crate::production::{demo_span, key, query_time};

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn each_figures_causes_export_for_the_dashboards_filters(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    let (from, to, _) = demo_span(&app).await;
    let reader = key(&app, &["production:read"]).await;
    let span = format!("range=custom&from={}&to={}", query_time(from), query_time(to));
    let csv = |cause: &'static str| {
        let (app, reader, span) = (&app, &reader, &span);
        async move {
            let res =
                app.get(&format!("/api/v1/production/causes.csv?{span}&cause={cause}"), Auth::Bearer(reader)).await;
            assert_eq!(res.status, StatusCode::OK, "{cause}: {}", res.text());
            let name = res.header("content-disposition").unwrap();
            assert!(name.starts_with(&format!("attachment; filename=\"causas-{cause}-")), "{name}");
            res.text().strip_prefix('\u{feff}').expect("a byte-order mark").to_owned()
        }
    };

    // Availability: each line's time by state (L1 stopped a quarter of an hour, unclassified), then the stops.
    let text = csv("availability").await;
    let (lines, stops) = text.split_once("\n\n").expect("the lines, a blank line, the stops");
    let l1: Vec<&str> = lines.lines().find(|l| l.starts_with("L1,")).expect("L1's row").split(',').collect();
    assert_eq!(l1[4], "15.0", "stopped minutes: {lines}");
    assert_eq!(l1.last(), Some(&"America/Mexico_City"));
    assert!(stops.starts_with("stop_id,line,start,end,minutes,planned_minutes,reason_code,reason,"), "{stops}");
    assert_eq!(stops.lines().count(), 2, "one stop: {stops}");

    // Quality: units, good and rejected per product and area (3 of L1's 30 supports rejected at its output).
    let text = csv("quality").await;
    let row = text.lines().find(|l| l.starts_with("SOP-100,")).expect("the supports' row");
    assert!(row.contains(",SAL,") && row.contains(",30,27,3,10.00,"), "{row}");

    // Performance: cycles by product, then micro-stops by line.
    let text = csv("performance").await;
    assert!(text.starts_with("product,name,from,to,units,ideal_cycle_s,actual_cycle_s,"), "{text}");
    assert!(text.contains("\n\nline,from,to,micro_stops,micro_stop_min,reduced_speed_min,time_zone"), "{text}");

    // A cause that is none, or none given: the parameter is named.
    for bad in [format!("{span}&cause=everything"), span.clone()] {
        let res = app.get(&format!("/api/v1/production/causes.csv?{bad}"), Auth::Bearer(&reader)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
        assert!(res.text().contains("cause"), "{}", res.text());
    }
    let res = app.get("/api/v1/production/causes.csv?cause=quality", Auth::None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    // The last ended shift's report of the first line, as a CSV; a day that is no date is named.
    let res = app.get("/api/v1/production/shift-report.csv", Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.header("content-disposition").unwrap().starts_with("attachment; filename=\"turno-L1-"));
    let text = res.text();
    assert!(text.trim_start_matches('\u{feff}').starts_with("line,shift,day,from,to,planned_min,"), "{text}");
    let res = app.get("/api/v1/production/shift-report.csv?day=ayer", Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert!(res.text().contains("day"), "{}", res.text());
}
