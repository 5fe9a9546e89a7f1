//! The stock room over REST: the demo plant's owner sets it up, its storekeeper moves stock (postings all or nothing,
//! replayed by their key, refused with what is left), a key with `stock:write` works the counter, reads need
//! `stock:read`; every failure has its status, and another organisation sees nothing.

use axum::body::Body;
use http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

const SUPPLY: &str = "almacen@planta.demo";
const VIEWER: &str = "lector@planta.demo";
const OPERATOR: &str = "operador@planta.demo";

async fn put_json(app: &TestApp, uri: &str, body: &Value, token: &str) -> TestResponse {
    let req = TestApp::request(Method::PUT, uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    app.send(req).await
}

/// The owner's key of `scopes`.
async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let owner = app.access_token(PLANT_OWNER).await;
    let body = json!({"name": format!("Báscula {}", scopes.join(" ")), "scopes": scopes});
    let res = app.post_json("/api/v1/api-keys", &body, Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["key"].as_str().unwrap().to_owned()
}

/// Two departments (the tool crib lets operators issue to themselves) and an item with a threshold there.
async fn room(app: &TestApp, owner: &str) -> (i64, i64, i64) {
    let mut ids = Vec::new();
    for (code, name, self_issue) in [("HERR", "Herramientas", true), ("MANT", "Mantenimiento", false)] {
        let body = json!({"code": code, "name": name, "self_issue": self_issue});
        let res = app.post_json("/api/v1/stock/departments", &body, Auth::Bearer(owner)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        ids.push(res.json()["id"].as_i64().unwrap());
    }
    let body = json!({"sku": "GU-1", "name": "Guantes de nitrilo", "unit": "pair", "barcodes": ["7501"],
                      "levels": [{"department": ids[0], "threshold": 5, "reorder": 20}]});
    let res = app.post_json("/api/v1/stock/items", &body, Auth::Bearer(owner)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    (ids[0], ids[1], res.json()["id"].as_i64().unwrap())
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_storekeeper_moves_stock_and_the_ledger_answers_for_every_case(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let supply = app.access_token(SUPPLY).await;
    let viewer = app.access_token(VIEWER).await;
    let (tools, upkeep, gloves) = room(&app, &owner).await;

    // A delivery of 12 pairs: 201, each movement with the balance after it.
    let receive = json!({"idempotency_key": "rx-1", "source": "scan",
                         "lines": [{"action": "receive", "item": gloves, "department": tools, "quantity": 12}]});
    let res = app.post_json("/api/v1/stock/postings", &receive, Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["movements"][0]["balance_after"], json!(12));
    // The same key again: 200, the same posting, nothing new. With other lines: 409.
    let again = app.post_json("/api/v1/stock/postings", &receive, Auth::Bearer(&supply)).await;
    assert_eq!((again.status, again.json()["replayed"].clone()), (StatusCode::OK, json!(true)));
    assert_eq!(again.json()["post"], res.json()["post"]);
    let mut other = receive.clone();
    other["lines"][0]["quantity"] = json!(13);
    let res = app.post_json("/api/v1/stock/postings", &other, Auth::Bearer(&supply)).await;
    res.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "idempotency_key_reused"}));

    // Issue 10 and transfer 5 in one posting: more than there is, so nothing is recorded and the line is named.
    let short = json!({"idempotency_key": "tx-1", "lines": [
        {"action": "issue", "item": gloves, "department": tools, "quantity": 10, "reference": "OT-7"},
        {"action": "transfer", "item": gloves, "department": tools, "to_department": upkeep, "quantity": 5}]});
    let res = app.post_json("/api/v1/stock/postings", &short, Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let body = res.json();
    assert_eq!(body["problem"]["problem"], "insufficient");
    assert_eq!(
        body["problem"]["lines"],
        json!([{"line": 2, "item": gloves, "department": tools, "wanted": 5, "available": 2}])
    );
    let item = app.get(&format!("/api/v1/stock/items/{gloves}"), Auth::Bearer(&viewer)).await.json();
    assert_eq!(item["item"]["total"], json!(12));

    // Bad fields are named per line: a half pair, an unknown department, a transfer to itself.
    let bad = json!({"idempotency_key": "bad-1", "lines": [
        {"action": "issue", "item": gloves, "department": tools, "quantity": 0.5},
        {"action": "issue", "item": gloves, "department": 999999, "quantity": 1},
        {"action": "transfer", "item": gloves, "department": tools, "to_department": tools, "quantity": 1}]});
    let res = app.post_json("/api/v1/stock/postings", &bad, Auth::Bearer(&supply)).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [
        {"field": "lines.1.quantity", "code": "whole_units"},
        {"field": "lines.2.department", "code": "not_found"},
        {"field": "lines.3.to_department", "code": "same_department"}]}),
    );
    // Malformed bodies are 422 on their field, never a 500.
    for (body, field) in [
        (
            json!({"idempotency_key": "x", "lines": [{"action": "steal", "item": gloves, "department": tools, "quantity": 1}]}),
            "lines[0].action",
        ),
        (
            json!({"idempotency_key": "x", "lines": [{"action": "issue", "item": gloves, "department": tools, "quantity": 1e12}]}),
            "lines[0].quantity",
        ),
        (json!({"idempotency_key": "x", "lines": "all"}), "lines"),
    ] {
        let res = app.post_json("/api/v1/stock/postings", &body, Auth::Bearer(&supply)).await;
        res.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "validation", "fields": [{"field": field, "code": "invalid_input"}]}),
        );
    }

    // Issue 8: the balance falls to 4, under the threshold of 5: the alert opens, naming who crossed it.
    let issue = json!({"idempotency_key": "ix-1", "lines": [{"action": "issue", "item": gloves, "department": tools, "quantity": 8}]});
    let res = app.post_json("/api/v1/stock/postings", &issue, Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let alert = res.json()["alerts"][0].as_i64().expect("an alert opened");
    let list = app.get("/api/v1/stock/alerts", Auth::Bearer(&viewer)).await.json();
    assert_eq!(list["items"][0]["id"], json!(alert));
    assert_eq!(list["items"][0]["opened_by_author"], "Almacenista");
    let res =
        app.post_json(&format!("/api/v1/stock/alerts/{alert}/acknowledge"), &json!({}), Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res =
        app.post_json(&format!("/api/v1/stock/alerts/{alert}/acknowledge"), &json!({}), Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The history: newest first, with the running balance; as of before the delivery, nothing.
    let h = app.get(&format!("/api/v1/stock/items/{gloves}/history"), Auth::Bearer(&viewer)).await.json();
    let seen: Vec<_> =
        h["items"].as_array().unwrap().iter().map(|m| (m["kind"].clone(), m["balance_after"].clone())).collect();
    assert_eq!(seen, [(json!("issue"), json!(4)), (json!("receive"), json!(12))]);
    assert_eq!(h["items"][1]["source"], "scan");
    let res =
        app.get(&format!("/api/v1/stock/items/{gloves}/balance?at=2020-01-01T00:00:00Z"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["total"], json!(0), "{}", res.text());

    // The reversal of the issue brings the 8 back and closes the alert; a second reversal is refused.
    let issued = h["items"][0]["id"].as_i64().unwrap();
    let undo = json!({"idempotency_key": "rv-1", "reason": "Se registró dos veces"});
    let res = app.post_json(&format!("/api/v1/stock/movements/{issued}/reverse"), &undo, Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["movements"][0]["balance_after"], json!(12));
    let again = json!({"idempotency_key": "rv-2", "reason": "otra vez"});
    let res = app.post_json(&format!("/api/v1/stock/movements/{issued}/reverse"), &again, Auth::Bearer(&supply)).await;
    res.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "already_reversed"}));
    assert_eq!(app.get("/api/v1/stock/alerts", Auth::Bearer(&viewer)).await.json()["items"], json!([]));

    // The counter's lookup by barcode; unknown codes and ids are 404 and 422, never a 500.
    let found = app.get("/api/v1/stock/lookup?code=7501", Auth::Bearer(&viewer)).await;
    assert_eq!(found.json()["item"]["sku"], "GU-1", "{}", found.text());
    assert_eq!(app.get("/api/v1/stock/lookup?code=0000", Auth::Bearer(&viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/stock/items/abc", Auth::Bearer(&viewer)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.get("/api/v1/stock/items/99999999", Auth::Bearer(&viewer)).await.status, StatusCode::NOT_FOUND);

    // Viewers move nothing; nobody signed out reads anything.
    let res = app.post_json("/api/v1/stock/postings", &receive, Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    app.get("/api/v1/stock/items", Auth::None).await.assert_unauthorized("not_authenticated");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn keys_operators_and_other_organisations_get_what_their_role_allows(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let (tools, upkeep, gloves) = room(&app, &owner).await;
    let station = key(&app, &["stock:write", "stock:read"]).await;
    let reader = key(&app, &["stock:read"]).await;

    // A scanner station receives and issues; a read-only key reads.
    let rx = json!({"idempotency_key": "st-1", "source": "scan",
                    "lines": [{"action": "receive", "item": gloves, "department": tools, "quantity": 30}]});
    let res = app.post_json("/api/v1/stock/postings", &rx, Auth::Bearer(&station)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = app.post_json("/api/v1/stock/postings", &rx, Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let items = app.get("/api/v1/stock/items?q=guantes", Auth::Bearer(&reader)).await.json();
    assert_eq!(items["items"][0]["total"], json!(30));

    // An operator issues to themselves from the tool crib, not from maintenance.
    let operator = app.access_token(OPERATOR).await;
    let mine = json!({"idempotency_key": "op-1", "lines": [{"action": "issue", "item": gloves, "department": tools, "quantity": 1}]});
    let res = app.post_json("/api/v1/stock/postings", &mine, Auth::Bearer(&operator)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let theirs = json!({"idempotency_key": "op-2", "lines": [{"action": "issue", "item": gloves, "department": upkeep, "quantity": 1}]});
    assert_eq!(
        app.post_json("/api/v1/stock/postings", &theirs, Auth::Bearer(&operator)).await.status,
        StatusCode::FORBIDDEN
    );

    // Setting up needs someone who configures: the storekeeper may not add items; the owner renames a department,
    // and a code taken is 409.
    let supply = app.access_token(SUPPLY).await;
    let item = json!({"sku": "X-1", "name": "Otro", "unit": "piece"});
    assert_eq!(app.post_json("/api/v1/stock/items", &item, Auth::Bearer(&supply)).await.status, StatusCode::FORBIDDEN);
    let res = put_json(
        &app,
        &format!("/api/v1/stock/departments/{upkeep}"),
        &json!({"code": "herr", "name": "Mant."}),
        &owner,
    )
    .await;
    res.assert_error(
        StatusCode::CONFLICT,
        json!({"error": "validation", "fields": [{"field": "code", "code": "name_taken"}]}),
    );
    let res =
        put_json(&app, &format!("/api/v1/stock/departments/{upkeep}"), &json!({"code": "MT", "name": "Mant."}), &owner)
            .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // An item linked to a catalog part that is not there: 422 on the field (schemathesis found a 500).
    let linked = json!({"sku": "X-2", "name": "Lámina", "unit": "piece", "part": i64::MIN});
    app.post_json("/api/v1/stock/items", &linked, Auth::Bearer(&owner)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "part", "code": "not_found"}]}),
    );
    let res = put_json(
        &app,
        &format!("/api/v1/stock/items/{gloves}/level"),
        &json!({"department": tools, "threshold": 40}),
        &owner,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert_eq!(
        app.get("/api/v1/stock/alerts", Auth::Bearer(&reader)).await.json()["items"].as_array().unwrap().len(),
        1
    );

    // Another organisation (the workshop) sees none of it: the plant's item is not found there.
    let workshop = app.access_token(WORKSHOP).await;
    assert_eq!(
        app.get(&format!("/api/v1/stock/items/{gloves}"), Auth::Bearer(&workshop)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/stock/items", Auth::Bearer(&workshop)).await.json()["items"], json!([]));
    let steal = json!({"idempotency_key": "w-1", "lines": [{"action": "issue", "item": gloves, "department": tools, "quantity": 1}]});
    let res = app.post_json("/api/v1/stock/postings", &steal, Auth::Bearer(&workshop)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    // A bodega keeps no stock room.
    let bodega = app.access_token(WAREHOUSE).await;
    assert_eq!(app.get("/api/v1/stock/items", Auth::Bearer(&bodega)).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_stocktake_is_counted_and_posted_over_rest(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let supply = app.access_token(SUPPLY).await;
    let (tools, _, gloves) = room(&app, &owner).await;
    let rx = json!({"idempotency_key": "rx", "lines": [{"action": "receive", "item": gloves, "department": tools, "quantity": 10}]});
    assert_eq!(app.post_json("/api/v1/stock/postings", &rx, Auth::Bearer(&supply)).await.status, StatusCode::CREATED);
    let res = app.post_json("/api/v1/stock/stocktakes", &json!({"department": tools}), Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(res.json()["lines"][0]["expected"], json!(10));
    let again = app.post_json("/api/v1/stock/stocktakes", &json!({"department": tools}), Auth::Bearer(&supply)).await;
    again.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "stocktake_open"}));
    let res =
        put_json(&app, &format!("/api/v1/stock/stocktakes/{id}/lines/{gloves}"), &json!({"counted": 9}), &supply).await;
    assert_eq!(res.json()["lines"][0]["difference"], json!(-1), "{}", res.text());
    let res =
        put_json(&app, &format!("/api/v1/stock/stocktakes/{id}/lines/{gloves}"), &json!({"counted": -1}), &supply)
            .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let res = app
        .post_json(
            &format!("/api/v1/stock/stocktakes/{id}/post"),
            &json!({"idempotency_key": "st"}),
            Auth::Bearer(&supply),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["movements"][0]["balance_after"], json!(9));
    let res = app.post_json(&format!("/api/v1/stock/stocktakes/{id}/cancel"), &json!({}), Auth::Bearer(&supply)).await;
    res.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "stocktake_closed"}));
    let list = app.get("/api/v1/stock/stocktakes", Auth::Bearer(&app.access_token(VIEWER).await)).await.json();
    assert_eq!(list[0]["status"], "posted");
}

/// `nexus-server stock …` against the real router on a port, with a key: seed 003's commands, round trip.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_cli_adds_issues_counts_and_reports_over_rest(opts: PgPoolOptions, conn: PgConnectOptions) {
    use nexus_server::cli::stockroom::{Remote, StockArgs, StockCommand, run};
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let res = app
        .post_json("/api/v1/stock/departments", &json!({"code": "HERR", "name": "Herramientas"}), Auth::Bearer(&owner))
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = tokio::spawn(
        axum::serve(listener, app.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>())
            .into_future(),
    );
    let key = key(&app, &["stock:write", "stock:read"]).await;
    let cli = |command: StockCommand| {
        let args = StockArgs { remote: Remote { base_url: base.clone(), api_key: key.clone() }, command };
        tokio::task::spawn_blocking(move || run(&args))
    };
    // stock add headphones 10 --threshold 5: the item is created, 10 received (the only department is used).
    let add = StockCommand::Add {
        sku: "headphones".into(),
        quantity: 10.0,
        threshold: Some(5.0),
        department: None,
        name: None,
        unit: "piece".into(),
    };
    let out = cli(add).await.unwrap().unwrap();
    assert!(out.text.contains("receive 10 → balance 10"), "{}", out.text);
    let issue =
        StockCommand::Issue { sku: "headphones".into(), quantity: 6.0, department: None, reference: "OT-1".into() };
    let out = cli(issue).await.unwrap().unwrap();
    assert!(out.text.contains("balance 4") && out.text.contains("alert"), "{}", out.text);
    // Low: status flags it, and with --fail-on-low exits 3.
    let out = cli(StockCommand::Status { fail_on_low: true }).await.unwrap().unwrap();
    assert_eq!(out.code, 3, "{}", out.text);
    assert!(out.text.lines().any(|l| l.starts_with("headphones") && l.ends_with("LOW")), "{}", out.text);
    let ret = StockCommand::Return { sku: "headphones".into(), quantity: 1.0, department: Some("herr".into()) };
    cli(ret).await.unwrap().unwrap();
    let count = StockCommand::Count { sku: "headphones".into(), counted: 7.0, department: None };
    let out = cli(count).await.unwrap().unwrap();
    assert!(out.text.contains("corrected by 2 → balance 7"), "{}", out.text);
    let out = cli(StockCommand::Status { fail_on_low: true }).await.unwrap().unwrap();
    assert_eq!(out.code, 0, "{}", out.text);
    // Refusals come back in words, not as a panic: more than there is, an unknown item, a bad key.
    let too_many =
        StockCommand::Issue { sku: "headphones".into(), quantity: 50.0, department: None, reference: String::new() };
    let e = cli(too_many).await.unwrap().err().unwrap().to_string();
    assert!(e.contains("409") && e.contains("not enough: 50 wanted, 7 left"), "{e}");
    let unknown = StockCommand::Issue { sku: "nada".into(), quantity: 1.0, department: None, reference: String::new() };
    assert!(cli(unknown).await.unwrap().err().unwrap().to_string().contains("no item"));
    let args = StockArgs {
        remote: Remote { base_url: base.clone(), api_key: "nxk_falsa".into() },
        command: StockCommand::Status { fail_on_low: false },
    };
    let e = tokio::task::spawn_blocking(move || run(&args)).await.unwrap().err().unwrap().to_string();
    assert!(e.contains("401"), "{e}");
    serving.abort();
}

/// The movement export: asked for (202), written by the job's round, its progress and its file read back by the one
/// who asked only; a cell that a spreadsheet would run is written as text; the file before it is done is 409; a span
/// that ends before it starts is 422; a key has no exports.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_movement_history_is_exported_in_the_background(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let supply = app.access_token(SUPPLY).await;
    let (tools, _, gloves) = room(&app, &owner).await;
    for (key, action, n, reference) in [("e1", "receive", 10, "=HYPERLINK(\"http://x\")"), ("e2", "issue", 3, "OT-1")] {
        let body = json!({"idempotency_key": key, "lines": [{"action": action, "item": gloves, "department": tools,
                          "quantity": n, "reference": reference}]});
        let res = app.post_json("/api/v1/stock/postings", &body, Auth::Bearer(&supply)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let res = app.post_json("/api/v1/stock/exports", &json!({"departments": [tools]}), Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
    assert_eq!(res.json()["status"], "queued");
    let id = res.json()["id"].as_i64().unwrap();
    let file = format!("/api/v1/stock/exports/{id}/file");
    let res = app.get(&file, Auth::Bearer(&supply)).await;
    assert_eq!((res.status, res.json()["code"].clone()), (StatusCode::CONFLICT, json!("export_not_ready")));

    nexus::stockroom::service::export::round(app.pool.clone()).await.unwrap();
    let res = app.get(&format!("/api/v1/stock/exports/{id}"), Auth::Bearer(&supply)).await;
    let e = res.json();
    assert_eq!(
        (e["status"].clone(), e["rows"].clone(), e["total"].clone()),
        (json!("done"), json!(2), json!(2)),
        "{e}"
    );
    let res = app.get(&file, Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("at,movement,posting,kind,sku,item,unit,department,quantity,balance_after"));
    assert!(lines[1].contains(",receive,GU-1,") && lines[1].contains(",10,10,"), "{}", lines[1]);
    assert!(lines[1].contains("'=HYPERLINK"), "a formula is written as text: {}", lines[1]);
    assert!(lines[2].contains(",issue,") && lines[2].contains(",-3,7,"), "{}", lines[2]);
    assert_eq!(app.get("/api/v1/stock/exports", Auth::Bearer(&supply)).await.json().as_array().unwrap().len(), 1);

    // Another person's export is not theirs to see; a bad span; a key.
    assert_eq!(app.get(&file, Auth::Bearer(&owner)).await.status, StatusCode::NOT_FOUND);
    let bad = json!({"from": "2026-05-02T00:00:00Z", "to": "2026-05-01T00:00:00Z"});
    let res = app.post_json("/api/v1/stock/exports", &bad, Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "to");
    let reader = key(&app, &["stock:read"]).await;
    assert_eq!(
        app.post_json("/api/v1/stock/exports", &json!({}), Auth::Bearer(&reader)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Printable labels: a sheet of SVG with the item's name and code, as many copies as asked, sheet by sheet; another
/// organisation's item is not found; bad numbers are refused per field.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn labels_print_on_sheets_of_twenty_four(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let (_, _, gloves) = room(&app, &owner).await;
    let res = app.get(&format!("/api/v1/stock/labels?items={gloves}&copies=25"), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.get(&format!("/api/v1/stock/labels?items={gloves}&copies=24"), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.headers["content-type"], "image/svg+xml; charset=utf-8");
    assert_eq!(res.headers["x-sheets"], "1");
    let svg = res.text();
    assert!(svg.starts_with("<svg") && svg.contains("Guantes de nitrilo") && svg.contains(">7501<"), "{}", &svg[..300]);
    assert_eq!(svg.matches("<g transform=\"translate(").count(), 24);
    let res =
        app.get(&format!("/api/v1/stock/labels?items={gloves},{gloves}&copies=13&sheet=2"), Auth::Bearer(&owner)).await;
    assert_eq!((res.status, res.headers["x-sheets"].to_str().unwrap()), (StatusCode::OK, "2"));
    assert_eq!(res.text().matches("<g transform=\"translate(").count(), 2);
    let res = app.get(&format!("/api/v1/stock/labels?items={gloves}&sheet=2"), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get("/api/v1/stock/labels?items=1,x", Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let workshop = app.access_token(WORKSHOP).await;
    let res = app.get(&format!("/api/v1/stock/labels?items={gloves}"), Auth::Bearer(&workshop)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "another organisation's item");
}

/// Seed 003's registration per department: the owner invites someone into a department, and accepting makes them
/// one of its people (its alerts are theirs). An archived department, another organisation's or none at all is
/// refused by field, and nothing is sent.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_invitation_names_the_department_its_person_joins(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let (tools, upkeep, _) = room(&app, &owner).await;
    let invite = |department: Value| {
        let body = json!({ "email": "nuevo@planta.mx", "role": "supply", "department": department });
        let owner = owner.clone();
        let app = &app;
        async move { app.post_json("/api/v1/invitations", &body, Auth::Bearer(&owner)).await }
    };
    // An archived department, and one that is not the organisation's.
    let res = put_json(
        &app,
        &format!("/api/v1/stock/departments/{upkeep}"),
        &json!({ "code": "MANT", "name": "Mantenimiento", "self_issue": false, "archived": true }),
        &owner,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    invite(json!(upkeep)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "department", "code": "archived" }] }),
    );
    invite(json!(987_654)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "department", "code": "not_found" }] }),
    );
    // The tool crib: accepted, the new storekeeper is one of its people.
    let res = invite(json!(tools)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let link = res.json()["link"].as_str().unwrap().to_owned();
    let token = link.rsplit_once("/invitation/").unwrap().1.to_owned();
    let body = json!({ "token": token, "name": "Nuevo Almacenista", "password": "Turno-De-Noche-2026" });
    let res = app.post_json("/api/v1/invitations/accept", &body, Auth::None).await;
    assert!(res.status.is_success(), "{}", res.text());
    let people = app.get("/api/v1/stock/people", Auth::Bearer(&owner)).await.json();
    let new = people.as_array().unwrap().iter().find(|p| p["name"] == "Nuevo Almacenista").expect("listed").clone();
    assert_eq!(new["department"], json!(tools), "{new}");
}

/// The item list over REST: a store room's CSV dry-run, then imported (items, first stock); the list exported in the
/// columns the import reads; a file or a choice refused with its status and field; who may import and export.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_item_list_is_imported_and_exported_over_rest(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let viewer = app.access_token(VIEWER).await;
    room(&app, &owner).await;
    let uri = "/api/v1/stock/items/import";
    let csv = "Clave,Nombre,Unidad,Existencia,Departamento\nRX-1,Cinta aislante,pza,4,HERR\n\
               RX-2,Pegamento,litre,1.5,Herramientas\nRX-3,Malo,galón,1,HERR\n";
    let res = post_form(&app, uri, &owner, form("lista.csv", csv.as_bytes(), &[])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.json();
    assert_eq!((v["new_items"].clone(), v["receipts"].clone(), v["rejected"].clone()), (json!(2), json!(2), json!(1)));
    assert_eq!((v["committed"].clone(), v["mapping"]["sku"].clone()), (json!(false), json!(0)));
    assert_eq!(v["rejects"][0], json!({"line": 4, "sku": "RX-3", "problem": "unknown_unit", "value": "galón"}));
    assert_eq!(app.get("/api/v1/stock/lookup?code=RX-1", Auth::Bearer(&owner)).await.status, StatusCode::NOT_FOUND);

    let res = post_form(&app, uri, &owner, form("lista.csv", csv.as_bytes(), &[("dry_run", "false")])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["committed"], json!(true));
    let res = app.get("/api/v1/stock/lookup?code=rx-2", Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!((res.json()["item"]["unit"].clone(), res.json()["item"]["total"].clone()), (json!("litre"), json!(1.5)));

    let res = app.get("/api/v1/stock/items/export", Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").unwrap_or_default().starts_with("text/csv"));
    let text = res.text();
    assert!(text.contains("\nRX-2,Pegamento,,litre,,,,Herramientas,1.5,,\n"), "{text}");
    assert!(text.contains("\nGU-1,Guantes de nitrilo,,pair,,7501,,Herramientas,0,5,20\n"), "{text}");

    // Refused: a file that is no table (415), a department or a mapping that is not one (422 by field), a mapping
    // without the SKU (422 with the problem), no file; a viewer or a reading key may not import.
    let pdf = post_form(&app, uri, &owner, form("x.pdf", b"%PDF-1.7\n%\xe2\xe3\n", &[])).await;
    assert_eq!(pdf.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", pdf.text());
    for (field, value) in [("department", "herr"), ("department", "999999"), ("mapping", "{sku:"), ("header_row", "0")]
    {
        let res = post_form(&app, uri, &owner, form("lista.csv", csv.as_bytes(), &[(field, value)])).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}: {}", res.text());
        assert_eq!(res.json()["fields"][0]["field"], field, "{}", res.text());
    }
    let res = post_form(&app, uri, &owner, form("lista.csv", csv.as_bytes(), &[("mapping", r#"{"name": 1}"#)])).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["problem"]["field"], "sku", "{}", res.text());
    let empty = format!("--{BOUNDARY}--\r\n").into_bytes();
    let res = post_form(&app, uri, &owner, empty).await;
    assert_eq!(
        (res.status, res.json()["fields"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("file"))
    );
    assert_eq!(post_form(&app, uri, &viewer, form("l.csv", csv.as_bytes(), &[])).await.status, StatusCode::FORBIDDEN);
    let reader = key(&app, &["stock:read"]).await;
    assert_eq!(post_form(&app, uri, &reader, form("l.csv", csv.as_bytes(), &[])).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/stock/items/export", Auth::Bearer(&reader)).await.status, StatusCode::OK);
}
