//! The shop's parts over REST, seed 004's endpoints under `/api/v1/fabrication/…`: the demo plant's operator asks
//! for a part, the manager approves it, two people claim it at once and one is told who won, a drawing revision
//! uploaded while it is held must be acknowledged before it is completed, the owner reverts it; the table's search,
//! the board, a category and the statistics agree; every refusal has its status, and a key reads but does not work.

use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

const OWNER: &str = "dueno@planta.demo";
const MANAGER: &str = "gerente@planta.demo";
const OPERATOR: &str = "operador@planta.demo";
const SUPPLY: &str = "almacen@planta.demo";
const VIEWER: &str = "lector@planta.demo";

async fn act(app: &TestApp, id: i64, action: &str, body: Option<Value>, token: &str) -> TestResponse {
    let uri = format!("/api/v1/fabrication/parts/{id}/{action}");
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

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
const EXE: &[u8] = &[b'M', b'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0];

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_part_goes_from_request_to_completed_and_back_with_one_winner_per_claim(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(OWNER).await;
    let manager = app.access_token(MANAGER).await;
    let operator = app.access_token(OPERATOR).await;
    let supply = app.access_token(SUPPLY).await;
    let viewer = app.access_token(VIEWER).await;

    // A subsystem, then a part filed under it, under a key (twice: one part).
    let res =
        app.post_json("/api/v1/fabrication/subsystems", &json!({"name": "Troqueles"}), Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let subsystem = res.json()["id"].as_i64().unwrap();
    let res =
        app.post_json("/api/v1/fabrication/subsystems", &json!({"name": "troqueles"}), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert_eq!(
        app.post_json("/api/v1/fabrication/subsystems", &json!({"name": "X"}), Auth::Bearer(&operator)).await.status,
        StatusCode::FORBIDDEN
    );
    let body = json!({"name": "Punzón de 8 mm", "type": "cnc", "subsystem": subsystem, "quantity": 4,
                      "material": "Acero D2", "notes": "Templar después", "priority": "high",
                      "due_date": "2026-12-01", "cad_url": "https://cad.onshape.com/documents/p8",
                      "idempotency_key": "p-1"});
    let res = app.post_json("/api/v1/fabrication/parts", &body, Auth::Bearer(&operator)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let part = res.json();
    let id = part["part"]["id"].as_i64().unwrap();
    assert_eq!((part["part"]["state"].clone(), part["part"]["type"].clone()), (json!("review"), json!("cnc")));
    let again = app.post_json("/api/v1/fabrication/parts", &body, Auth::Bearer(&operator)).await;
    assert_eq!(again.json()["part"]["id"].as_i64(), Some(id));
    // Bad input: every field named; a bad link; an unknown field type.
    let res = app
        .post_json(
            "/api/v1/fabrication/parts",
            &json!({"name": "", "type": "cnc", "quantity": 0, "cad_url": "ftp://x"}),
            Auth::Bearer(&operator),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let body = res.json();
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "quantity", "cad_url"]);
    let res = app
        .post_json("/api/v1/fabrication/parts", &json!({"name": "x", "type": "laser"}), Auth::Bearer(&operator))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());

    // The operator cannot approve what they asked for (nor anything: a lead's); the manager does.
    let res = act(&app, id, "approve", None, &operator).await;
    assert_eq!((res.status, res.json()["problem"]["rule"].clone()), (StatusCode::FORBIDDEN, json!("four_eyes")));
    let res = act(&app, id, "approve", None, &manager).await;
    assert_eq!((res.status, res.json()["part"]["state"].clone()), (StatusCode::OK, json!("cnc")), "{}", res.text());

    // Two people claim it at once: one gets it, the other is told who.
    let (a, b) = tokio::join!(act(&app, id, "claim", None, &operator), act(&app, id, "claim", None, &owner));
    let (won, lost) = if a.status == StatusCode::OK { (a, b) } else { (b, a) };
    assert_eq!((won.status, lost.status), (StatusCode::OK, StatusCode::CONFLICT), "{} / {}", won.text(), lost.text());
    let holder = won.json()["part"]["assignee"]["name"].clone();
    assert_eq!(lost.json()["problem"]["holder"]["name"], holder);
    assert_eq!(lost.json()["problem"]["state"], json!("claimed"));
    let holder_token = if holder == json!("Operador de línea") { &operator } else { &owner };

    // The manager uploads revision 1 while it is held: the holder must acknowledge it before completing.
    let res =
        post_form(&app, &format!("/api/v1/fabrication/parts/{id}/drawings"), &manager, form("p8.pdf", EXE, &[])).await;
    assert_eq!(
        (res.status, res.json()["fields"][0]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("file_type"))
    );
    let res = post_form(
        &app,
        &format!("/api/v1/fabrication/parts/{id}/drawings"),
        &manager,
        form("p8.pdf", PDF, &[("note", "Radio de 0,5 mm")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["part"]["drawing_changed"], json!(true));
    let res = act(&app, id, "complete", Some(json!({})), holder_token).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert_eq!(res.json()["problem"]["problem"], json!("drawing_not_acknowledged"));
    let res = app.get(&format!("/api/v1/fabrication/parts/{id}/drawings/1"), Auth::Bearer(&viewer)).await;
    assert_eq!((res.status, res.header("content-type")), (StatusCode::OK, Some("application/pdf")));
    assert_eq!(act(&app, id, "acknowledge", None, holder_token).await.status, StatusCode::OK);
    let res = act(&app, id, "complete", Some(json!({"idempotency_key": "done-1"})), holder_token).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        (res.json()["part"]["state"].clone(), res.json()["made_from_revision"].clone()),
        (json!("completed"), json!(1))
    );
    let again = act(&app, id, "complete", Some(json!({"idempotency_key": "done-1"})), holder_token).await;
    assert_eq!(
        (again.status, again.json()["part"]["version"].clone()),
        (StatusCode::OK, res.json()["part"]["version"].clone())
    );

    // Revert says why; then the owner reverts it.
    let res = act(&app, id, "revert", None, &owner).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let res = act(&app, id, "revert", Some(json!({"comment": "Medida fuera de tolerancia"})), &owner).await;
    assert_eq!((res.status, res.json()["part"]["state"].clone()), (StatusCode::OK, json!("cnc")));
    // A lead assigns it to the storekeeper? A storekeeper makes no parts: 422; to the operator: claimed.
    let supply_id = app.get("/api/v1/auth/me", Auth::Bearer(&supply)).await.json()["id"].clone();
    let res = act(&app, id, "assign", Some(json!({"assignee": supply_id})), &manager).await;
    assert_eq!(
        (res.status, res.json()["fields"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("assignee"))
    );
    let operator_id = app.get("/api/v1/auth/me", Auth::Bearer(&operator)).await.json()["id"].clone();
    let res = act(&app, id, "assign", Some(json!({"assignee": operator_id})), &manager).await;
    assert_eq!(res.json()["part"]["assignee"]["name"], json!("Operador de línea"), "{}", res.text());
    assert_eq!(act(&app, id, "claim", None, &supply).await.status, StatusCode::FORBIDDEN, "supply makes no parts");

    // The table finds it by its subsystem's name and its holder; the category, the board and the stats agree.
    let res = app.get("/api/v1/fabrication/parts?search=troquel%20operador&sort_by=name", Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["items"].as_array().map(Vec::len), Some(1), "{}", res.text());
    let res = app.get("/api/v1/fabrication/parts/categories/claimed", Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["items"][0]["id"].as_i64(), Some(id), "{}", res.text());
    let board = app.get("/api/v1/fabrication/parts/board?per=5", Auth::Bearer(&viewer)).await.json();
    let stats = app.get("/api/v1/fabrication/parts/stats?weeks=4", Auth::Bearer(&viewer)).await.json();
    assert_eq!(board["counts"], stats["by_state"]);
    assert_eq!(stats["completed_per_week"].as_array().map(Vec::len), Some(4));
    for bad in [
        "/api/v1/fabrication/parts?state=deleted",
        "/api/v1/fabrication/parts?sort_by=color",
        "/api/v1/fabrication/parts?sort_by=state&after=1.x",
        "/api/v1/fabrication/parts/categories/deleted",
        "/api/v1/fabrication/parts/stats?weeks=0",
        "/api/v1/fabrication/parts/board?per=0",
        "/api/v1/fabrication/parts/x",
        "/api/v1/fabrication/parts/1/drawings/0",
    ] {
        assert_eq!(app.get(bad, Auth::Bearer(&viewer)).await.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(app.get("/api/v1/fabrication/parts/999999", Auth::Bearer(&viewer)).await.status, StatusCode::NOT_FOUND);

    // Edit at a stale version: 409; a lease too short: 422; a key reads but does not work parts.
    let res = app
        .put_json(
            &format!("/api/v1/fabrication/parts/{id}"),
            &json!({"name": "Punzón", "type": "cnc", "version": 1}),
            Auth::Bearer(&manager),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let res = app.put_json("/api/v1/fabrication/settings", &json!({"lease_minutes": 5}), Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.put_json("/api/v1/fabrication/settings", &json!({"lease_minutes": 60}), Auth::Bearer(&manager)).await;
    assert_eq!(res.json()["lease_minutes"], json!(60));
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({"name": "Tablero taller", "scopes": ["fabrication:read", "fabrication:write"]}),
            Auth::Bearer(&manager),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let key = res.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/api/v1/fabrication/parts/{id}"), Auth::Bearer(&key)).await.status, StatusCode::OK);
    assert_eq!(act(&app, id, "unclaim", None, &key).await.status, StatusCode::FORBIDDEN);
    // A viewer reads; a workshop has no shop.
    assert_eq!(act(&app, id, "unclaim", None, &viewer).await.status, StatusCode::FORBIDDEN);
    let workshop = app.access_token(WORKSHOP).await;
    assert_eq!(app.get("/api/v1/fabrication/parts", Auth::Bearer(&workshop)).await.status, StatusCode::FORBIDDEN);
}
