//! Files over REST, as a task's attachments take them (the files area keeps them; MES names them): a photo attached
//! and read back as it went up, one content kept once, renamed programs, types not kept and oversize files refused.

use http::StatusCode;
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

const MANAGER: &str = "gerente@planta.demo";
const SUPPLY: &str = "almacen@planta.demo";
const VIEWER: &str = "lector@planta.demo";

/// A task's attachments over REST: a photo attached by the person working it (201) and read back as it went up, the
/// same content twice kept once; a renamed program, a type not kept and a file over 10 MiB refused (422 `file_type`,
/// 413); a viewer attaches nothing; another organisation's people see none.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_task_takes_photos_and_documents_and_refuses_what_is_not_one(opts: PgPoolOptions, conn: PgConnectOptions) {
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 1, 2];
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    assert!(nexus::production::service::demo::configure(&app.pool).await.unwrap());
    let manager = app.access_token(MANAGER).await;
    let supply = app.access_token(SUPPLY).await;
    let viewer = app.access_token(VIEWER).await;
    let body = json!({"title": "Cambiar la broca", "assignee_type": "role", "assignee_role": "supply"});
    let res = app.post_json("/api/v1/mes/tasks", &body, Auth::Bearer(&manager)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let task = res.json()["task"]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/mes/tasks/{task}/attachments");
    let res = post_form(&app, &uri, &supply, form("broca rota.png", PNG, &[])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!((res.json()["media_type"].clone(), res.json()["size"].clone()), (json!("image/png"), json!(PNG.len())));
    let first = res.json()["id"].as_i64().unwrap();
    let res = post_form(&app, &uri, &manager, form("otra vez.png", PNG, &[])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = app.get(&format!("{uri}/{first}"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!((res.header("content-type"), res.body.as_slice()), (Some("image/png"), PNG));
    assert!(
        res.header("content-disposition").is_some_and(|d| d.starts_with("inline") && d.contains("broca%20rota.png"))
    );
    let res = app.get(&format!("/api/v1/mes/tasks/{task}"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.json()["attachments"].as_array().map(Vec::len), Some(2), "{}", res.text());
    let kept = app.admin_sql("select 1 from files_blobs").await;
    assert_eq!(kept, 1, "the same content is kept once");
    // A program named as a drawing, and a script: refused by what they are.
    let exe = [b'M', b'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0];
    for (name, bytes) in [("plano.pdf", &exe[..]), ("limpiar.sh", b"rm -rf /".as_slice())] {
        let res = post_form(&app, &uri, &supply, form(name, bytes, &[])).await;
        res.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "validation", "fields": [{"field": "file", "code": "file_type"}]}),
        );
    }
    let big = vec![b'a'; nexus::files::rules::MAX_BYTES + 1];
    let res = post_form(&app, &uri, &supply, form("grande.txt", &big, &[])).await;
    res.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({"error": "validation", "fields": [{"field": "file", "code": "file_too_large"}]}),
    );
    // A viewer reads but attaches nothing; a task that is not there.
    let res = post_form(&app, &uri, &viewer, form("foto.png", PNG, &[])).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    let res = app.get(&format!("{uri}/999999"), Auth::Bearer(&viewer)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = post_form(&app, "/api/v1/mes/tasks/999999/attachments", &supply, form("foto.png", PNG, &[])).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text());
}
