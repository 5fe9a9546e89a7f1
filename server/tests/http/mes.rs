//! The floor's tasks over REST, seed 002's endpoints under `/api/v1/mes/…`: the demo plant's manager gives a blocker
//! to the supply role, its storekeeper accepts, starts and sends it to review (no body needed), the manager rejects
//! with a reason and approves; every refusal has its status and names what it should, a replayed key changes
//! nothing, a key reads but does not work tasks, and an organisation without a plant has no tasks.

use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

const MANAGER: &str = "gerente@planta.demo";
const SUPPLY: &str = "almacen@planta.demo";
const OPERATOR: &str = "operador@planta.demo";
const VIEWER: &str = "lector@planta.demo";

async fn first_line(app: &TestApp, token: &str) -> i64 {
    let res =
        app.get("/api/v1/production/oee?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", Auth::Bearer(token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["lines"][0]["line_id"].as_i64().unwrap()
}

async fn act(app: &TestApp, id: i64, action: &str, body: Option<Value>, token: &str) -> TestResponse {
    let uri = format!("/api/v1/mes/tasks/{id}/{action}");
    match body {
        Some(b) => app.post_json(&uri, &b, Auth::Bearer(token)).await,
        None => {
            let req = TestApp::request(http::Method::POST, &uri)
                .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            app.send(req).await
        }
    }
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_blocker_goes_from_the_manager_to_supply_and_back_through_review(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    assert!(nexus::production::service::demo::configure(&app.pool).await.unwrap());
    let manager = app.access_token(MANAGER).await;
    let supply = app.access_token(SUPPLY).await;
    let operator = app.access_token(OPERATOR).await;
    let viewer = app.access_token(VIEWER).await;
    let line = first_line(&app, &manager).await;

    // Seed 002's curl: a blocker for the supply role.
    let body = json!({"title": "Entregar herramental", "description": "Para la operación 2", "assignee_type": "role",
                      "assignee_role": "supply", "blocker": true, "line": line, "due_date": "2026-02-10",
                      "idempotency_key": "t-1"});
    let res = app.post_json("/api/v1/mes/tasks", &body, Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let task = res.json();
    let id = task["task"]["id"].as_i64().unwrap();
    assert_eq!((task["task"]["state"].clone(), task["task"]["assignee"].clone()), (json!("open"), Value::Null));
    assert_eq!(task["timeline"][0]["action"], json!("created"));
    // The same key: the same task.
    let again = app.post_json("/api/v1/mes/tasks", &body, Auth::Bearer(&manager)).await;
    assert_eq!((again.status, again.json()["task"]["id"].as_i64()), (StatusCode::CREATED, Some(id)));
    // Its line's open blocker.
    let res = app.get(&format!("/api/v1/mes/blockers?line={line}"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.json().as_array().map(Vec::len), Some(1), "{}", res.text());

    // The storekeeper accepts it with no body at all, and holds it.
    let res = act(&app, id, "accept", None, &supply).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["task"]["assignee"]["name"], json!("Almacenista"));
    assert_eq!(res.json()["actions"], json!(["start"]));
    // The operator, too late: 409 naming the state and who made it so.
    let res = act(&app, id, "accept", None, &operator).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert_eq!(res.json()["problem"]["problem"], json!("not_from"));
    assert_eq!(res.json()["problem"]["state"], json!("accepted"));
    assert_eq!(res.json()["problem"]["by"]["name"], json!("Almacenista"));
    // A stale version: overtaken.
    let res = act(&app, id, "start", Some(json!({"version": 1})), &supply).await;
    assert_eq!((res.status, res.json()["problem"]["problem"].clone()), (StatusCode::CONFLICT, json!("overtaken")));
    let res = act(&app, id, "start", Some(json!({"version": 2})), &supply).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Sent to review under a key, twice: one transition.
    let key = json!({"idempotency_key": "rev-1", "comment": "Entregado en la estación 2"});
    for _ in 0..2 {
        let res = act(&app, id, "send-to-review", Some(key.clone()), &supply).await;
        assert_eq!((res.status, res.json()["task"]["version"].as_i64()), (StatusCode::OK, Some(4)), "{}", res.text());
    }
    // Four eyes: the storekeeper cannot approve their own work.
    let res = act(&app, id, "review", Some(json!({"decision": "approve"})), &supply).await;
    assert_eq!((res.status, res.json()["problem"]["rule"].clone()), (StatusCode::FORBIDDEN, json!("four_eyes")));
    // A rejection needs its reason.
    let res = act(&app, id, "review", Some(json!({"decision": "reject"})), &manager).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "comment", "code": "required"}]}),
    );
    let res =
        act(&app, id, "review", Some(json!({"decision": "reject", "comment": "Falta la llave de 13"})), &manager).await;
    assert_eq!((res.status, res.json()["task"]["state"].clone()), (StatusCode::OK, json!("in_progress")));
    act(&app, id, "send-to-review", None, &supply).await;
    let res = act(&app, id, "review", Some(json!({"decision": "approve"})), &manager).await;
    assert_eq!((res.status, res.json()["task"]["state"].clone()), (StatusCode::OK, json!("done")));
    let timeline = res.json()["timeline"].clone();
    let steps: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, ["created", "accept", "start", "send_to_review", "reject", "send_to_review", "approve"]);
    // Done: no longer a blocker; in the list of done tasks.
    let res = app.get(&format!("/api/v1/mes/blockers?line={line}"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.json(), json!([]));
    let res = app.get("/api/v1/mes/tasks?view=all&state=done,cancelled", Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["items"][0]["id"].as_i64(), Some(id), "{}", res.text());

    // Comments, read marks, the people to give tasks to.
    let res = app
        .post_json(
            &format!("/api/v1/mes/tasks/{id}/comments"),
            &json!({"body": "Gracias @operador"}),
            Auth::Bearer(&manager),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(act(&app, id, "read", None, &operator).await.status, StatusCode::NO_CONTENT);
    let res = app.get("/api/v1/mes/users/by-role/supply", Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()[0]["name"], json!("Almacenista"), "{}", res.text());
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn what_is_refused_is_refused_with_its_status(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let manager = app.access_token(MANAGER).await;
    let viewer = app.access_token(VIEWER).await;
    let workshop = app.access_token(WORKSHOP).await;
    // A viewer reads but does not create; a workshop has no floor.
    let body = json!({"title": "x", "assignee_type": "role", "assignee_role": "supply"});
    assert_eq!(app.post_json("/api/v1/mes/tasks", &body, Auth::Bearer(&viewer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/mes/tasks", Auth::Bearer(&workshop)).await.status, StatusCode::FORBIDDEN);
    // Field by field.
    let bad = json!({"title": "", "assignee_type": "user", "blocker": true});
    let res = app.post_json("/api/v1/mes/tasks", &bad, Auth::Bearer(&manager)).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "title", "code": "required"},
              {"field": "line", "code": "required"}, {"field": "assignee_id", "code": "required"}]}),
    );
    let res = app
        .post_json("/api/v1/mes/tasks", &json!({"title": "x", "assignee_type": "nadie"}), Auth::Bearer(&manager))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Lists: a state that is none, a cursor that is none.
    for q in ["state=hecha", "after=abc", "view=otra", "limit=0"] {
        let res = app.get(&format!("/api/v1/mes/tasks?{q}"), Auth::Bearer(&viewer)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {}", res.text());
    }
    assert_eq!(app.get("/api/v1/mes/tasks/999999", Auth::Bearer(&viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/mes/tasks/x", Auth::Bearer(&viewer)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/mes/users/by-role/nadie", Auth::Bearer(&viewer)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A key with mes:read lists every task; with mes:write it still works none (people accept and review).
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({"name": "Tablero", "scopes": ["mes:read", "mes:write"]}),
            Auth::Bearer(&manager),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let key = res.json()["key"].as_str().unwrap().to_owned();
    let made = app
        .post_json(
            "/api/v1/mes/tasks",
            &json!({"title": "Limpieza", "assignee_type": "role", "assignee_role": "operator"}),
            Auth::Bearer(&manager),
        )
        .await;
    let id = made.json()["task"]["id"].as_i64().unwrap();
    let res = app.get("/api/v1/mes/tasks?view=mine", Auth::Bearer(&key)).await;
    assert_eq!(res.json()["items"][0]["id"].as_i64(), Some(id), "{}", res.text());
    assert_eq!(act(&app, id, "accept", None, &key).await.status, StatusCode::FORBIDDEN);
    // A transition's body is an object or nothing.
    let res = act(&app, id, "cancel", Some(json!(["x"])), &manager).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Categories: a manager's, codes unique.
    let cat = json!({"code": "herramental", "name": "Herramental"});
    assert_eq!(
        app.post_json("/api/v1/mes/task-categories", &cat, Auth::Bearer(&manager)).await.status,
        StatusCode::CREATED
    );
    let res = app.post_json("/api/v1/mes/task-categories", &cat, Auth::Bearer(&manager)).await;
    res.assert_error(
        StatusCode::CONFLICT,
        json!({"error": "validation", "fields": [{"field": "code", "code": "name_taken"}]}),
    );
}

/// Seed 002's parts and facts over REST: a manager sets up stages and a scrap reason and makes an order; the operator
/// records facts (machining refuses one without its shift and operator, a message each; fitting takes one without),
/// sent again under its key once; a fact of a shift long closed is 409; a reversal once; the order's progress and
/// state follow; the plant's current shift; a key reads orders but records no fact.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_order_goes_through_its_stages_by_facts_over_rest(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    assert!(nexus::production::service::demo::configure(&app.pool).await.unwrap());
    let manager = app.access_token(MANAGER).await;
    let operator = app.access_token(OPERATOR).await;
    let viewer = app.access_token(VIEWER).await;
    let mut stages = Vec::new();
    for (code, needs_shift) in [("mecanizado", true), ("ajuste", false)] {
        let body = json!({"code": code, "name": code, "needs_shift": needs_shift});
        let res = app.post_json("/api/v1/mes/stages", &body, Auth::Bearer(&manager)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        stages.push(res.json()["id"].as_i64().unwrap());
    }
    let res = app.post_json("/api/v1/mes/stages", &json!({"code": "x", "name": "x"}), Auth::Bearer(&operator)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post_json("/api/v1/mes/scrap-reasons", &json!({"code": "rebaba", "name": "Rebaba"}), Auth::Bearer(&manager))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let reason = res.json()["id"].as_i64().unwrap();
    let body =
        json!({"code": "OP-100", "name": "Eje trasero", "quantity": 50, "route": stages, "idempotency_key": "o-1"});
    let res = app.post_json("/api/v1/mes/orders", &body, Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let order = res.json()["order"]["id"].as_i64().unwrap();
    assert_eq!(res.json()["order"]["state"], json!("open"));
    // A route of a stage that is none, and a code taken.
    let res = app
        .post_json(
            "/api/v1/mes/orders",
            &json!({"code": "OP-2", "name": "x", "quantity": 1, "route": [999999]}),
            Auth::Bearer(&manager),
        )
        .await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "route", "code": "not_found"}]}),
    );
    let res = app
        .post_json(
            "/api/v1/mes/orders",
            &json!({"code": "OP-100", "name": "x", "quantity": 1, "route": stages}),
            Auth::Bearer(&manager),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());

    let uri = format!("/api/v1/mes/orders/{order}/facts");
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Mexico_City).date_naive();
    // Machining without its shift and operator: a message each (the seed's rule).
    let res =
        app.post_json(&uri, &json!({"stage_id": stages[0], "day": today, "good": 10}), Auth::Bearer(&operator)).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "shift_id", "code": "required"},
              {"field": "operator_id", "code": "required"}]}),
    );
    // Fitting takes one without; scrap names its reason; sent again under its key, once.
    let fact = json!({"stage_id": stages[1], "day": today, "good": 48, "scrap": 2, "scrap_reason_id": reason,
                      "comment": "Ajuste final", "idempotency_key": "f-1"});
    let res = app.post_json(&uri, &fact, Auth::Bearer(&operator)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["fact"]["id"].as_i64().unwrap();
    assert_eq!(res.json()["fact"]["source"], json!("api"));
    assert_eq!(res.json()["order"]["state"], json!("in_progress"));
    assert_eq!(res.json()["order"]["stages"][1]["good"], json!(48));
    let again = app.post_json(&uri, &fact, Auth::Bearer(&operator)).await;
    assert_eq!((again.status, again.json()["fact"]["id"].as_i64()), (StatusCode::CREATED, Some(id)));
    assert_eq!(again.json()["order"]["stages"][1]["good"], json!(48));
    let res =
        app.post_json(&uri, &json!({"stage_id": stages[1], "day": today, "good": 2}), Auth::Bearer(&operator)).await;
    assert_eq!(res.json()["order"]["state"], json!("done"), "{}", res.text());
    // A day a month ago: its facts closed long since.
    let old = today - chrono::Duration::days(30);
    let res =
        app.post_json(&uri, &json!({"stage_id": stages[1], "day": old, "good": 1}), Auth::Bearer(&operator)).await;
    res.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "facts_locked"}));
    // Reversed once, with its reason; the order is back in progress.
    let rev = format!("/api/v1/mes/facts/{id}/reverse");
    let res = app.post_json(&rev, &json!({"comment": "Mal contado"}), Auth::Bearer(&operator)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(
        (res.json()["fact"]["good"].clone(), res.json()["order"]["state"].clone()),
        (json!(-48), json!("in_progress"))
    );
    let res = app.post_json(&rev, &json!({"comment": "Otra vez"}), Auth::Bearer(&operator)).await;
    res.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "already_reversed"}));
    // Read: the order with its facts, the list, the current shift.
    let res = app.get(&format!("/api/v1/mes/orders/{order}"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["facts"].as_array().map(Vec::len), Some(3), "{}", res.text());
    let res = app.get("/api/v1/mes/orders?unfinished=true&q=op-100", Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["items"].as_array().map(Vec::len), Some(1), "{}", res.text());
    let res = app.get("/api/v1/mes/current-shift", Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["time_zone"], json!("America/Mexico_City"));
    assert!(res.json()["current"].is_object() || res.json()["next"].is_object(), "{}", res.text());
    // A change keeps the route; its body names no route and no key (a key of any length was once taken and ignored).
    let change = json!({"code": "OP-100", "name": "Eje trasero largo", "quantity": 60});
    let res = app.put_json(&format!("/api/v1/mes/orders/{order}"), &change, Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["order"]["stages"].as_array().map(Vec::len), Some(stages.len()));
    assert_eq!(res.json()["facts"][0]["source"], json!("api"));
    let keyed = json!({"code": "OP-100", "name": "x", "quantity": 60, "idempotency_key": "k".repeat(101)});
    let res = app.put_json(&format!("/api/v1/mes/orders/{order}"), &keyed, Auth::Bearer(&manager)).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "idempotency_key", "code": "invalid_input"}]}),
    );
    // Its materials over REST: what it needs (each wrong field named), stock issued from the order through the
    // stock room's ledger (once per key, never below zero), read back as consumed.
    let owner = app.access_token(PLANT_OWNER).await;
    let res = app
        .post_json("/api/v1/stock/departments", &json!({"code": "ALM", "name": "Almacén"}), Auth::Bearer(&owner))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let store = res.json()["id"].as_i64().unwrap();
    let body = json!({"sku": "LAM-2", "name": "Lámina 2 mm", "unit": "kg", "barcodes": ["7502"]});
    let res = app.post_json("/api/v1/stock/items", &body, Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let sheet = res.json()["id"].as_i64().unwrap();
    let receive = json!({"idempotency_key": "rx-m", "lines": [{"action": "receive", "item": sheet, "department": store,
                         "quantity": 30}]});
    assert_eq!(
        app.post_json("/api/v1/stock/postings", &receive, Auth::Bearer(&owner)).await.status,
        StatusCode::CREATED
    );
    let materials = format!("/api/v1/mes/orders/{order}/materials");
    let res = app
        .put_json(&materials, &json!({"materials": [{"item_id": sheet, "quantity": -1}]}), Auth::Bearer(&manager))
        .await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "materials.1.quantity", "code": "invalid_input"}]}),
    );
    let res = app
        .put_json(&materials, &json!({"materials": [{"item_id": sheet, "quantity": 12.5}]}), Auth::Bearer(&manager))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!((res.json()[0]["needed"].clone(), res.json()[0]["on_hand"].clone()), (json!(12.5), json!(30)));
    let issue =
        json!({"idempotency_key": "is-1", "department_id": store, "lines": [{"item_id": sheet, "quantity": 10}]});
    let uri_issue = format!("/api/v1/mes/orders/{order}/issues");
    let res = app.post_json(&uri_issue, &issue, Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let again = app.post_json(&uri_issue, &issue, Auth::Bearer(&owner)).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());
    let res = app.get(&materials, Auth::Bearer(&viewer)).await;
    assert_eq!(
        (res.json()[0]["consumed"].clone(), res.json()[0]["remaining"].clone(), res.json()[0]["on_hand"].clone()),
        (json!(10), json!(2.5), json!(20)),
        "{}",
        res.text()
    );
    let greedy =
        json!({"idempotency_key": "is-2", "department_id": store, "lines": [{"item_id": sheet, "quantity": 21}]});
    let res = app.post_json(&uri_issue, &greedy, Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    // The ledger now names the order by its code: the code stays.
    let recode = json!({"code": "OP-101", "name": "Eje trasero largo", "quantity": 60});
    let res = app.put_json(&format!("/api/v1/mes/orders/{order}"), &recode, Auth::Bearer(&manager)).await;
    res.assert_error(
        StatusCode::CONFLICT,
        json!({"error": "validation", "fields": [{"field": "code", "code": "code_referenced"}]}),
    );
    // A key reads orders but records no fact (a fact names the person who recorded it).
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({"name": "Tablero", "scopes": ["mes:read", "mes:write"]}),
            Auth::Bearer(&manager),
        )
        .await;
    let key = res.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/mes/orders", Auth::Bearer(&key)).await.status, StatusCode::OK);
    let res = app.post_json(&uri, &json!({"stage_id": stages[1], "day": today, "good": 1}), Auth::Bearer(&key)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
}
