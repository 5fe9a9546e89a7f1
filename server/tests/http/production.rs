//! Production over HTTP: a line's machine sends batches of units, JSON or CSV, through the real router.

use axum::body::Body;
use http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

/// Planta Demo's line L1 with its output area OUT, and product P-100.
async fn plant(app: &TestApp) {
    app.admin_sql(
        "with t as (select id from tenants where name = 'Planta Demo'),
              l as (insert into production_lines (tenant_id, code, name) select id, 'L1', 'Línea 1' from t
                    returning tenant_id, id)
         insert into production_areas (tenant_id, line_id, kind, code, name) select tenant_id, id, 'output', 'OUT', 'Salida' from l",
    )
    .await;
    app.admin_sql(
        "insert into production_products (tenant_id, code, name, ideal_cycle_ms)
         select id, 'P-100', 'Soporte', 1000 from tenants where name = 'Planta Demo'",
    )
    .await;
}

pub(crate) async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let owner = app.access_token(PLANT_OWNER).await;
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({"name": format!("PLC línea 1 {}", scopes.join(" ")), "scopes": scopes}),
            Auth::Bearer(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["key"].as_str().unwrap().to_owned()
}

async fn post_csv(app: &TestApp, uri: &str, csv: &str, key: &str) -> TestResponse {
    let req = TestApp::request(Method::POST, uri)
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(Body::from(csv.to_owned()))
        .unwrap();
    app.send(req).await
}

async fn units(app: &TestApp) -> u64 {
    app.admin_sql("select 1 from production_detections").await
}

fn unit(at: &str, good: Value) -> Value {
    json!({"line": "L1", "area": "OUT", "product": "P-100", "at": at, "good": good})
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_machine_sends_batches_as_json_or_csv_once_each(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let plc = key(&app, &["production:ingest"]).await;
    let now = chrono::Utc::now();
    let at = |secs: i64| (now - chrono::Duration::seconds(secs)).to_rfc3339();

    let batch =
        json!({"batch_id": "plc-1:0001", "detections": [unit(&at(30), json!(true)), unit(&at(20), json!(false))]});
    let res = app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&plc)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json(), json!({"batch_id": "plc-1:0001", "stored": 2, "repeated": false}));
    // The same batch again (a retry after a lost answer): acknowledged, nothing stored twice.
    let res = app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&plc)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["repeated"], true);
    assert_eq!(units(&app).await, 2);
    // The same id with other units (a sender whose counter wrapped): refused, naming the id, nothing stored.
    let other = json!({"batch_id": "plc-1:0001", "detections": [unit(&at(15), json!(true))]});
    let res = app.post_json("/api/v1/production/detections", &other, Auth::Bearer(&plc)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert_eq!(res.json()["problem"]["problem"], "batch_id_reused", "{}", res.text());
    assert_eq!(res.json()["problem"]["batch_id"], "plc-1:0001");
    assert_eq!(units(&app).await, 2);

    let csv = format!("line,area,product,at,good\nL1,OUT,P-100,{},true\nL1,OUT,P-100,{},0\n", at(10), at(5));
    let res = post_csv(&app, "/api/v1/production/detections?batch_id=plc-1:0002", &csv, &plc).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["stored"], 2);
    assert_eq!(units(&app).await, 4);
    // Their minutes' rollups hold all four units, one good in two.
    let rollup = "select 1 from production_minutes having sum(total) = 4 and sum(good) = 2";
    assert_eq!(app.admin_sql(rollup).await, 1);
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_bad_row_refuses_the_batch_naming_it_and_stores_nothing(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let plc = key(&app, &["production:ingest"]).await;
    let now = chrono::Utc::now().to_rfc3339();
    let mut unknown = unit(&now, json!(true));
    unknown["product"] = json!("P-999");
    let cases = [
        (
            json!({"batch_id": "b1", "detections": [unit(&now, json!(true)), unknown]}),
            json!({"problem": "row", "row": 2, "field": "product", "reason": "unknown"}),
        ),
        (
            json!({"batch_id": "b1", "detections": [unit(&now, json!("sí"))]}),
            json!({"problem": "row", "row": 1, "field": "good", "reason": "invalid"}),
        ),
        (
            json!({"batch_id": "b1", "detections": [unit("2999-01-01T00:00:00Z", json!(true))]}),
            json!({"problem": "row", "row": 1, "field": "at", "reason": "in_future"}),
        ),
        (json!({"batch_id": "b1", "detections": []}), json!({"problem": "empty"})),
        (json!({"batch_id": "", "detections": [unit(&now, json!(true))]}), json!({"problem": "bad_batch_id"})),
    ];
    for (batch, problem) in cases {
        let res = app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&plc)).await;
        res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, json!({"error": "rejected", "problem": problem}));
    }
    let res = post_csv(
        &app,
        "/api/v1/production/detections?batch_id=b2",
        "line,area,product,at,good\nL1,OUT,P-100,ayer,1\n",
        &plc,
    )
    .await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "rejected", "problem": {"problem": "row", "row": 1, "field": "at", "reason": "invalid"}}),
    );
    assert_eq!(units(&app).await, 0);

    // Not JSON at all, or neither JSON nor CSV: refused, as input.
    let req = TestApp::request(Method::POST, "/api/v1/production/detections")
        .header(header::AUTHORIZATION, format!("Bearer {plc}"))
        .header(header::CONTENT_TYPE, "application/xml")
        .body(Body::from("<batch/>"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn only_callers_that_may_record_production_send_units(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let reader = key(&app, &["production:read"]).await;
    let batch = json!({"batch_id": "b1", "detections": [unit(&chrono::Utc::now().to_rfc3339(), json!(true))]});
    assert_eq!(
        app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&reader)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json("/api/v1/production/detections", &batch, Auth::None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A workshop's person is not a plant's.
    let workshop = app.access_token(WORKSHOP).await;
    assert_eq!(
        app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&workshop)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(units(&app).await, 0);
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_plants_oee_is_read_per_line_over_a_span(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let plc = key(&app, &["production:ingest"]).await;
    let now = chrono::Utc::now();
    let batch = json!({"batch_id": "b1", "detections": [unit(&(now - chrono::Duration::minutes(5)).to_rfc3339(), json!(true))]});
    assert_eq!(
        app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&plc)).await.status,
        StatusCode::CREATED
    );

    let span = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>| {
        format!(
            "/api/v1/production/oee?from={}&to={}",
            from.format("%Y-%m-%dT%H:%M:%SZ"),
            to.format("%Y-%m-%dT%H:%M:%SZ")
        )
    };
    let manager = app.access_token("gerente@planta.demo").await;
    let res = app.get(&span(now - chrono::Duration::hours(1), now), Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.json();
    assert_eq!(v["lines"][0]["code"], "L1");
    assert_eq!(v["lines"][0]["totals"]["total"], 1);
    assert_eq!(v["plant"]["good"], 1);
    // No shift is set up: no planned time, so no availability (absent, not 0 and not NaN); quality is there.
    assert_eq!(v["plant_oee"]["availability"], Value::Null);
    assert_eq!(v["plant_oee"]["quality"], 1.0);

    // Outside the years a plant has data for: refused, not a database error.
    let res = app
        .get("/api/v1/production/oee?from=-5000-01-01T00:00:00Z&to=-5000-01-02T00:00:00Z", Auth::Bearer(&manager))
        .await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "from", "code": "invalid_input"}]}),
    );
    // A span backwards, or over 400 days: refused, naming `to` and saying why.
    for (from, to) in [(now, now - chrono::Duration::hours(1)), (now - chrono::Duration::days(401), now)] {
        let res = app.get(&span(from, to), Auth::Bearer(&manager)).await;
        res.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "validation", "fields": [{"field": "to", "code": "range_invalid"}]}),
        );
    }
    // A key that only sends units does not read figures.
    assert_eq!(
        app.get(&span(now - chrono::Duration::hours(1), now), Auth::Bearer(&plc)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The next server-sent event's name (`event: …`), waiting at most ten seconds; keep-alive comments are skipped.
async fn next_event(body: &mut axum::body::BodyDataStream) -> String {
    use futures_util::StreamExt;
    loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), body.next())
            .await
            .expect("an event within ten seconds")
            .expect("the stream goes on")
            .unwrap();
        let text = String::from_utf8_lossy(&chunk).to_string();
        if let Some(line) = text.lines().find(|l| l.starts_with("event:")) {
            return line.trim_start_matches("event:").trim().to_owned();
        }
    }
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_live_dashboard_hears_its_plants_batches(opts: PgPoolOptions, conn: PgConnectOptions) {
    use tower::ServiceExt;
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let plc = key(&app, &["production:ingest"]).await;
    let reader = key(&app, &["production:read"]).await;
    // Without production:read: no stream.
    let res = app.get("/api/v1/production/live", Auth::Bearer(&plc)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let req = TestApp::request(Method::GET, "/api/v1/production/live")
        .header(header::AUTHORIZATION, format!("Bearer {reader}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = res.into_body().into_data_stream();
    assert_eq!(next_event(&mut body).await, "ready");
    let batch = json!({"batch_id": "live-1", "detections": [unit(&chrono::Utc::now().to_rfc3339(), json!(true))]});
    let res = app.post_json("/api/v1/production/detections", &batch, Auth::Bearer(&plc)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(next_event(&mut body).await, "changed");
}

/// A CSV time (`to_rfc3339`) or a JSON one, as an instant.
fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text:?}: {e}")).to_utc()
}

/// Asserts that a CSV row's figures (`planned_min` to `quality_pct`) are the JSON figure's: units exactly, minutes
/// to the tenth the CSV writes, percentages to the hundredth, an absent ratio as an empty cell.
#[track_caller]
fn same_figure(row: &[&str], figure: &Value, what: &str) {
    let t = &figure["totals"];
    let ms = |k: &str| t[k].as_i64().unwrap_or_else(|| panic!("{what}: no {k} in {t}"));
    let run_ms = (ms("planned_ms") - ms("downtime_ms").max(0)).max(0);
    for (cell, want, name) in [
        (row[0], ms("planned_ms"), "planned_min"),
        (row[1], ms("downtime_ms"), "downtime_min"),
        (row[2], run_ms, "run_min"),
        (row[9], ms("no_data_ms"), "no_data_min"),
    ] {
        let got: f64 = cell.parse().unwrap_or_else(|_| panic!("{what}: {name} {cell:?}"));
        assert!((got - want as f64 / 60_000.0).abs() <= 0.051, "{what}: {name} {got} for {want} ms");
    }
    assert_eq!(row[3], t["total"].to_string(), "{what}: units");
    assert_eq!(row[4], t["good"].to_string(), "{what}: good");
    for (cell, key) in row[5..9].iter().zip(["oee", "availability", "performance", "quality"]) {
        match figure["oee"][key].as_f64() {
            None => assert_eq!(*cell, "", "{what}: {key} is absent on the page"),
            Some(x) => {
                let got: f64 = cell.parse().unwrap_or_else(|_| panic!("{what}: {key} {cell:?}"));
                assert!((got - x * 100.0).abs() <= 0.0051, "{what}: {key} {got} % for {x}");
            }
        }
    }
}

pub(crate) type Instant = chrono::DateTime<chrono::Utc>;

/// The demo plant over three whole hours that are over (three lines, shifts round the clock with their breaks, so
/// planned time and every ratio): L1 makes 30 supports (3 rejected) in the first hour and stops a quarter of an hour
/// (unclassified: downtime), L2 ten arms in the second, L3 nothing. Returns the span and the stop.
pub(crate) async fn demo_span(app: &TestApp) -> (Instant, Instant, (Instant, Instant)) {
    use chrono::{Duration, DurationRound, Utc};
    app.seed_demo().await;
    assert!(nexus::production::service::demo::configure(&app.pool).await.unwrap());
    let plc = key(app, &["production:ingest"]).await;
    let to = Utc::now().duration_trunc(Duration::hours(1)).unwrap();
    let from = to - Duration::hours(3);
    let at = |minutes: i64, secs: i64| (from + Duration::minutes(minutes) + Duration::seconds(secs)).to_rfc3339();
    let unit = |line: &str, product: &str, at: String, good: bool| json!({"line": line, "area": "SAL", "product": product, "at": at, "good": good});
    let mut units: Vec<Value> = (0..30).map(|i| unit("L1", "SOP-100", at(10, i * 20), i % 10 != 9)).collect();
    units.extend((0..10).map(|i| unit("L2", "BRK-220", at(70, i * 30), true)));
    let res = app
        .post_json(
            "/api/v1/production/detections",
            &json!({"batch_id": "csv-1", "detections": units}),
            Auth::Bearer(&plc),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    // The downtime job's kind of row (no endpoint writes one).
    let stop = (from + Duration::minutes(30), from + Duration::minutes(45));
    app.admin_sql(&format!(
        "insert into production_downtime (tenant_id, line_id, start_at, end_at)
         select tenant_id, id, '{}', '{}' from production_lines
         where code = 'L1' and tenant_id = (select id from tenants where name = 'Planta Demo')",
        stop.0.to_rfc3339(),
        stop.1.to_rfc3339()
    ))
    .await;
    (from, to, stop)
}

/// A span's ends as a query string writes them.
pub(crate) fn query_time(t: Instant) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What the page gets for a custom span: its server function, as a manager's browser calls it.
async fn page_view(app: &TestApp, from: Instant, to: Instant) -> Value {
    let manager = app.login_browser("gerente@planta.demo", DEMO_PASSWORD).await;
    let (f, t) = (query_time(from), query_time(to));
    let res = app
        .post_form(
            "/api/ui/production/view",
            &[("q[range]", "custom"), ("q[from]", f.as_str()), ("q[to]", t.as_str())],
            &manager,
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// The dashboard's CSV of a custom span, as a key downloads it, without its byte-order mark.
async fn dashboard_csv(app: &TestApp, from: Instant, to: Instant, key: &str) -> String {
    let (f, t) = (query_time(from), query_time(to));
    let res =
        app.get(&format!("/api/v1/production/dashboard.csv?range=custom&from={f}&to={t}"), Auth::Bearer(key)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.header("content-disposition").unwrap().starts_with("attachment; filename=\"produccion-"));
    let text = res.text();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark, for spreadsheets");
    assert!(!text.contains('"'), "no quoted cells in this fixture, so commas split: {text}");
    text.to_owned()
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_dashboard_csv_is_what_the_page_shows(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    let (from, to, stop) = demo_span(&app).await;
    let reader = key(&app, &["production:read"]).await;
    // The page and the CSV are asked the very same span.
    let view = page_view(&app, from, to).await;
    // The figures are the fixture's, so the comparison below compares something.
    assert_eq!(
        (view["total"]["totals"]["total"].as_i64(), view["total"]["totals"]["good"].as_i64()),
        (Some(40), Some(37))
    );
    assert!(view["total"]["oee"]["availability"].as_f64().is_some(), "planned time: {}", view["total"]);
    // The demo's four lines (L4 counted by people, with no facts here).
    assert_eq!(view["lines"].as_array().unwrap().len(), 4);
    assert_eq!(view["stops"].as_array().unwrap().len(), 1);

    // The CSV of the same query, as a key downloads it.
    let text = dashboard_csv(&app, from, to, &reader).await;
    let (figures, stops) = text.split_once("\n\n").expect("the figures, a blank line, the stops");
    let figures: Vec<Vec<&str>> = figures.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        figures[0],
        [
            "scope",
            "name",
            "from",
            "to",
            "planned_min",
            "downtime_min",
            "run_min",
            "units",
            "good",
            "oee_pct",
            "availability_pct",
            "performance_pct",
            "quality_pct",
            "no_data_min",
            "time_zone"
        ]
    );
    // Every row the page's view has, in its order: the whole, each line, each product, each bucket.
    let str_of = |v: &Value| v.as_str().unwrap().to_owned();
    let mut want: Vec<(String, String, String, String, &Value)> =
        vec![("total".into(), String::new(), str_of(&view["from"]), str_of(&view["to"]), &view["total"])];
    for l in view["lines"].as_array().unwrap() {
        let name = format!("{} {}", str_of(&l["code"]), str_of(&l["name"]));
        want.push(("line".into(), name, str_of(&view["from"]), str_of(&view["to"]), &l["figure"]));
    }
    for p in view["products"].as_array().unwrap() {
        let name = format!("{} {}", str_of(&p["code"]), str_of(&p["name"]));
        want.push(("product".into(), name, str_of(&view["from"]), str_of(&view["to"]), &p["figure"]));
    }
    for s in view["series"].as_array().unwrap() {
        let shift = s["shift"].as_str().unwrap_or_default().to_owned();
        want.push((str_of(&view["bucket"]), shift, str_of(&s["start"]), str_of(&s["end"]), &s["figure"]));
    }
    assert_eq!(view["bucket"], "minute", "a custom span of three hours is read by the minute");
    assert_eq!(view["series"].as_array().unwrap().len(), 180);
    assert_eq!(figures.len() - 1, want.len(), "one CSV row per figure of the page: {text}");
    for (row, (scope, name, from, to, figure)) in figures[1..].iter().zip(&want) {
        let what = format!("{scope} {name} {from}");
        assert_eq!(row.len(), 15, "{what}: {row:?}");
        // Times in the plant's zone, named on the row.
        assert!(row[2].ends_with("-06:00"), "{what}: {}", row[2]);
        assert_eq!(row[14], "America/Mexico_City", "{what}");
        assert_eq!((row[0], row[1]), (scope.as_str(), name.as_str()), "{what}");
        assert_eq!((instant(row[2]), instant(row[3])), (instant(from), instant(to)), "{what}");
        same_figure(&row[4..], figure, &what);
    }

    // The stops, as the downtime table lists them.
    let stops: Vec<Vec<&str>> = stops.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        stops[0],
        ["stop_id", "line", "start", "end", "minutes", "planned_minutes", "reason_id", "note", "time_zone"]
    );
    let shown = view["stops"].as_array().unwrap();
    assert_eq!(stops.len() - 1, shown.len());
    for (row, s) in stops[1..].iter().zip(shown) {
        assert_eq!(row[0], s["id"].to_string());
        assert_eq!(row[1], str_of(&s["line"]));
        assert_eq!((instant(row[2]), instant(row[3])), (instant(&str_of(&s["start"])), instant(&str_of(&s["end"]))));
        assert_eq!((instant(row[2]), instant(row[3])), stop);
        for (cell, key) in [(row[4], "ms"), (row[5], "planned_ms")] {
            let got: f64 = cell.parse().unwrap();
            assert!((got - s[key].as_f64().unwrap() / 60_000.0).abs() <= 0.051, "{key}: {got} for {}", s[key]);
        }
        assert_eq!((row[6], row[7]), ("", ""), "unclassified, no note");
    }

    // A range the dashboard does not know is the caller's mistake, said as such.
    let res = app.get("/api/v1/production/dashboard.csv?range=forever", Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let res = app.get("/api/v1/production/dashboard.csv?range=custom", Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    // Without credentials: 401.
    let res = app.get("/api/v1/production/dashboard.csv", Auth::None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

/// The REST figures over a span (`GET /api/v1/production/oee`), the page's and its CSV's are the same numbers, line by
/// line and for the plant: one calculation behind the three edges.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_rest_figures_are_the_pages_and_its_csvs(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    let (from, to, _) = demo_span(&app).await;
    let reader = key(&app, &["production:read"]).await;
    let uri = format!("/api/v1/production/oee?from={}&to={}", query_time(from), query_time(to));
    let res = app.get(&uri, Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let rest = res.json();
    let view = page_view(&app, from, to).await;
    let csv = dashboard_csv(&app, from, to, &reader).await;

    // What the plant did, so the comparisons compare something: the calendar plans three hours (less a break if one
    // falls in them) on every line; L1's first unit ever is 10 minutes in, L2's 70 (the time before is no data), L3
    // never counted (all no data); L1 made 30 units (27 good) and stopped a quarter of an hour, L2 10.
    let lines = rest["lines"].as_array().unwrap();
    let did: Vec<(&str, i64, i64, i64, bool)> = lines
        .iter()
        .map(|l| {
            let t = |k: &str| l["totals"][k].as_i64().unwrap();
            let calendar = [150, 180].map(|m| m * 60_000).contains(&(t("planned_ms") + t("no_data_ms")));
            (l["code"].as_str().unwrap(), t("total"), t("good"), t("downtime_ms"), calendar)
        })
        .collect();
    assert_eq!(
        did,
        [("L1", 30, 27, 15 * 60_000, true), ("L2", 10, 10, 0, true), ("L3", 0, 0, 0, true), ("L4", 0, 0, 0, true)]
    );
    let no_data: Vec<i64> = lines.iter().map(|l| l["totals"]["no_data_ms"].as_i64().unwrap() / 60_000).collect();
    // (less the part of a half-hour break that falls in those first minutes)
    assert!(matches!(no_data[..], [0..=10, 40..=70, 150 | 180, 150 | 180]), "{no_data:?}");
    let plant: i64 = lines.iter().map(|l| l["totals"]["planned_ms"].as_i64().unwrap()).sum();
    assert_eq!(rest["plant"]["planned_ms"].as_i64(), Some(plant), "the plant is its lines added");

    // The page's figures, line by line and for the plant: every total and every ratio.
    let page = view["lines"].as_array().unwrap();
    assert_eq!(lines.len(), page.len());
    for (r, p) in lines.iter().zip(page) {
        assert_eq!((&r["line_id"], &r["code"], &r["name"]), (&p["id"], &p["code"], &p["name"]));
        assert_eq!((&r["totals"], &r["oee"]), (&p["figure"]["totals"], &p["figure"]["oee"]), "{}", r["code"]);
    }
    assert_eq!((&rest["plant"], &rest["plant_oee"]), (&view["total"]["totals"], &view["total"]["oee"]));

    // The CSV's: its whole and its lines, in the REST figures' order.
    let (figures, _) = csv.split_once("\n\n").expect("the figures, a blank line, the stops");
    let rows: Vec<Vec<&str>> = figures
        .lines()
        .map(|l| l.split(',').collect())
        .filter(|r: &Vec<&str>| matches!(r[0], "total" | "line"))
        .collect();
    let mut want = vec![("total", String::new(), json!({"totals": rest["plant"], "oee": rest["plant_oee"]}))];
    for l in lines {
        let name = format!("{} {}", l["code"].as_str().unwrap(), l["name"].as_str().unwrap());
        want.push(("line", name, json!({"totals": l["totals"], "oee": l["oee"]})));
    }
    assert_eq!(rows.len(), want.len(), "{csv}");
    for (row, (scope, name, figure)) in rows.iter().zip(&want) {
        assert_eq!((row[0], row[1]), (*scope, name.as_str()));
        same_figure(&row[4..], figure, &format!("{scope} {name}"));
    }
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn live_streams_end_when_the_server_shuts_down(opts: PgPoolOptions, conn: PgConnectOptions) {
    use futures_util::StreamExt;
    use tower::ServiceExt;
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let reader = key(&app, &["production:read"]).await;
    let req = TestApp::request(Method::GET, "/api/v1/production/live")
        .header(header::AUTHORIZATION, format!("Bearer {reader}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let mut body = res.into_body().into_data_stream();
    assert_eq!(next_event(&mut body).await, "ready");
    // A graceful shutdown waits for every response: the stream must end, not wait for the next change forever.
    app.state.live.close();
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await.expect("the stream ends");
    assert!(end.is_none());
}

/// The plant's settings as the manager's page reads them.
async fn settings(app: &TestApp, manager: &Cookies) -> Value {
    let res = app.post_form("/api/ui/production/settings", &[], manager, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_operators_lines_are_line_ids_and_a_bad_one_loses_nothing(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    assert!(nexus::production::service::demo::configure(&app.pool).await.unwrap());
    let manager = app.login_browser("gerente@planta.demo", DEMO_PASSWORD).await;
    let before = settings(&app, &manager).await;
    let operator = before["operators"][0].clone();
    let user = operator["user_id"].as_str().unwrap().to_owned();
    // Ids travel as numbers.
    let ids: Vec<i64> = before["lines"].as_array().unwrap().iter().map(|l| l["id"].as_i64().unwrap()).collect();
    assert!(ids.len() >= 2, "{before}");
    let (l1, l2) = (ids[0].to_string(), ids[1].to_string());

    // A ticked value that is no line's id is the form's error, on its field; the operator keeps their lines.
    for bad in ["L2", "0", "-1", "2147483648"] {
        let form = [("user", user.as_str()), ("lines[a]", l1.as_str()), ("lines[b]", bad)];
        let res = app.post_form("/api/ui/production/settings/operator", &form, &manager, Some(ORIGIN)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", res.text());
        assert_eq!(res.json()["fields"][0]["field"], "lines", "{bad}");
        assert_eq!(settings(&app, &manager).await["operators"][0]["lines"], operator["lines"], "{bad}");
    }
    let form = [("user", user.as_str()), ("lines[a]", l1.as_str()), ("lines[b]", l2.as_str())];
    let res = app.post_form("/api/ui/production/settings/operator", &form, &manager, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(settings(&app, &manager).await["operators"][0]["lines"], json!([ids[0], ids[1]]));
}

/// Opens `/production/live` with `token`; the response as it starts.
async fn open_stream(app: &TestApp, token: &str) -> axum::response::Response {
    use tower::ServiceExt;
    let req = TestApp::request(Method::GET, "/api/v1/production/live")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.router.clone().oneshot(req).await.unwrap()
}

/// Reads `body` until it ends; false if it is still open after `secs` seconds.
async fn ends_within(body: &mut axum::body::BodyDataStream, secs: u64) -> bool {
    use futures_util::StreamExt;
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(until, body.next()).await {
            Err(_) => return false,
            Ok(None) => return true,
            Ok(Some(_)) => {}
        }
    }
}

/// Issue 22: one user held 300 streams open, and a stream kept running after its key was revoked or its session
/// logged out. A caller holds a few at most (429 with Retry-After beyond), and a stream ends within seconds of its
/// credential.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn live_streams_are_bounded_and_end_with_their_credential(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    plant(&app).await;
    let reader = key(&app, &["production:read"]).await;
    let mut open = Vec::new();
    for _ in 0..nexus::identity::service::streams::PER_HOLDER {
        let res = open_stream(&app, &reader).await;
        assert_eq!(res.status(), StatusCode::OK);
        open.push(res.into_body().into_data_stream());
    }
    let refused = open_stream(&app, &reader).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    // A stream that ends frees its place.
    drop(open.pop());
    let again = open_stream(&app, &reader).await;
    assert_eq!(again.status(), StatusCode::OK);
    open.push(again.into_body().into_data_stream());
    // Another caller is not held back by this one.
    let manager = app.access_token("gerente@planta.demo").await;
    let res = open_stream(&app, &manager).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut managers = res.into_body().into_data_stream();
    assert_eq!(next_event(&mut managers).await, "ready");

    // The key is revoked: every stream it holds ends within seconds.
    let owner = app.access_token(PLANT_OWNER).await;
    let keys = app.get("/api/v1/api-keys", Auth::Bearer(&owner)).await.json();
    let id = keys.as_array().unwrap().iter().find(|k| k["name"] == "PLC línea 1 production:read").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app.delete(&format!("/api/v1/api-keys/{id}"), Auth::Bearer(&owner)).await;
    assert!(res.status.is_success(), "{}", res.text());
    for body in &mut open {
        assert!(ends_within(body, 10).await, "a revoked key's stream is still open");
    }
    // The manager logs out: their stream ends too.
    let res = app.post_json("/api/v1/auth/logout", &json!({}), Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(ends_within(&mut managers, 10).await, "a logged-out session's stream is still open");
}

/// Puts `body` to `uri` with a bearer token.
async fn put_json(app: &TestApp, uri: &str, body: &Value, token: &str) -> TestResponse {
    let req = TestApp::request(Method::PUT, uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    app.send(req).await
}

/// The stops over REST: listed newest first with their planned minutes, filtered and paged; classified by a line's
/// terminal (a key with `production:record`), named as who did it, audited; refused for a read-only key, an unknown
/// reason or stop.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn stops_are_listed_and_classified_over_rest(opts: PgPoolOptions, conn: PgConnectOptions) {
    use chrono::Duration;
    let app = TestApp::new(opts, conn).await;
    let (from, to, stop) = demo_span(&app).await;
    // An earlier stop of L2, already over.
    let earlier = (from + Duration::minutes(5), from + Duration::minutes(12));
    app.admin_sql(&format!(
        "insert into production_downtime (tenant_id, line_id, start_at, end_at)
         select tenant_id, id, '{}', '{}' from production_lines
         where code = 'L2' and tenant_id = (select id from tenants where name = 'Planta Demo')",
        earlier.0.to_rfc3339(),
        earlier.1.to_rfc3339()
    ))
    .await;
    let reader = key(&app, &["production:read"]).await;
    let terminal = key(&app, &["production:read", "production:record"]).await;

    let list = |q: String| {
        let app = &app;
        let reader = reader.clone();
        async move { app.get(&format!("/api/v1/production/stops{q}"), Auth::Bearer(&reader)).await }
    };
    let res = list(String::new()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let all = res.json();
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!((items[0]["line"].as_str(), items[1]["line"].as_str()), (Some("L1"), Some("L2")), "newest first");
    assert_eq!(items[0]["ms"], 15 * 60_000);
    assert!(items[0]["planned_ms"].as_i64().unwrap() <= 15 * 60_000);
    assert_eq!(items[0]["reason"], Value::Null);
    // Filters and pages.
    let span = format!("?from={}&to={}", query_time(stop.0), query_time(to));
    assert_eq!(list(span).await.json()["items"].as_array().unwrap().len(), 1, "only the stop going on in the span");
    assert_eq!(list("?line=L2".into()).await.json()["items"][0]["line"], "L2");
    let first = list("?limit=1".into()).await.json();
    let next = first["next"].as_str().expect("a next page").to_owned();
    let second = list(format!("?limit=1&after={next}")).await.json();
    assert_eq!(second["items"][0]["id"], items[1]["id"]);
    assert_eq!(second["next"], Value::Null);
    for (q, field) in
        [("?line=ZZ", "line"), ("?reason=NADA", "reason"), ("?after=ayer", "after"), ("?limit=0", "limit")]
    {
        let res = list(q.into()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {}", res.text());
        assert_eq!(res.json()["fields"][0]["field"], field, "{q}");
    }

    // Classified by the terminal; not by a read-only key, not with a reason the plant does not have.
    let id = items[0]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/production/stops/{id}");
    let body = json!({"reason": "FALLA-MEC", "note": "Banda rota"});
    assert_eq!(put_json(&app, &uri, &body, &reader).await.status, StatusCode::FORBIDDEN);
    let res = put_json(&app, &uri, &json!({"reason": "NADA"}), &terminal).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "reason", "code": "invalid_input"}]}),
    );
    assert_eq!(put_json(&app, "/api/v1/production/stops/999999", &body, &terminal).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        put_json(&app, "/api/v1/production/stops/uno", &body, &terminal).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = put_json(&app, &uri, &body, &terminal).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    // A note alone never takes the reason away: the reason is required (null to unclassify).
    let res = put_json(&app, &uri, &json!({"note": "otra"}), &terminal).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "reason", "code": "required"}]}),
    );
    let done = list("?classified=true".into()).await.json();
    let s = &done["items"][0];
    assert_eq!(
        (s["id"].as_i64(), s["reason"]["code"].as_str(), s["note"].as_str()),
        (Some(id), Some("FALLA-MEC"), Some("Banda rota"))
    );
    assert_eq!(s["classified_by"], "PLC línea 1 production:read production:record");
    assert_eq!(list("?classified=false".into()).await.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(list("?reason=FALLA-MEC".into()).await.json()["items"].as_array().unwrap().len(), 1);
    // In the plant's audit log, by the key.
    let owner = app.access_token(PLANT_OWNER).await;
    let audit = app.get("/api/v1/audit?action=production.downtime_classified", Auth::Bearer(&owner)).await.json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
}

/// A line's areas are the plant's to list and edit: a machine's own name for the output is set as its code, a second
/// output or a line without one is refused naming `kind`, and a unit naming an area the line lacks is refused with
/// the line's area codes.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn areas_are_listed_edited_and_named_to_the_machines(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    assert!(nexus::production::service::demo::configure(&app.pool).await.unwrap());
    let plc = key(&app, &["production:ingest"]).await;
    let now = chrono::Utc::now().to_rfc3339();
    let unit = |area: &str| json!({"line": "L1", "area": area, "product": "SOP-100", "at": now, "good": true});
    let send = |area: &str, id: &str| {
        let body = json!({"batch_id": id, "detections": [unit(area)]});
        let app = &app;
        let plc = plc.clone();
        async move { app.post_json("/api/v1/production/detections", &body, Auth::Bearer(&plc)).await }
    };
    let res = send("salida", "b1").await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "rejected", "problem": {"problem": "unknown_area", "row": 1, "line": "L1", "area": "salida",
                                                "known": ["ENT", "INS", "PRO", "SAL"]}}),
    );

    // The manager's settings list every line's areas; renaming the output's code to what the machine sends works.
    let manager = app.login_browser("gerente@planta.demo", DEMO_PASSWORD).await;
    let settings = app.post_form("/api/ui/production/settings", &[], &manager, Some(ORIGIN)).await.json();
    let areas = settings["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 16, "four lines, four areas each");
    let l1_out = areas.iter().find(|a| a["line"] == "L1" && a["kind"] == "output").unwrap();
    let l1_ins = areas.iter().find(|a| a["line"] == "L1" && a["kind"] == "inspection").unwrap();
    let save = |id: &Value, code: &str, kind: &str| {
        let (id, line) = (id["id"].to_string(), id["line_id"].to_string());
        let form = [
            ("input[id]", id),
            ("input[line_id]", line),
            ("input[code]", code.to_owned()),
            ("input[name]", "Salida".to_owned()),
            ("input[kind]", kind.to_owned()),
        ];
        let app = &app;
        let manager = manager.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form("/api/ui/production/settings/area", &form, &manager, Some(ORIGIN)).await
        }
    };
    let res = save(l1_ins, "INS", "output").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert_eq!(res.json()["fields"][0], json!({"field": "kind", "code": "output_taken"}));
    let res = save(l1_out, "SAL", "process").await;
    assert_eq!(res.json()["fields"][0], json!({"field": "kind", "code": "output_needed"}), "{}", res.text());
    let res = save(l1_out, "INS", "output").await;
    assert_eq!(res.json()["fields"][0], json!({"field": "code", "code": "name_taken"}), "{}", res.text());
    let res = save(l1_out, "salida", "output").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = send("salida", "b2").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}
