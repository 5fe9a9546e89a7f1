//! A bodega's uploads over REST, on the production router: a file dry-run then committed, its rejected rows as CSV,
//! the same file again, an ERP's one-call commit with an API key, who may upload, and every kind of hostile file:
//! each refused with its 4xx and reason, and the inventory (and the history) unchanged.

use axum::body::Body;
use http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

/// Toyota pads and filter, and Brembo pads replacing the Toyota ones.
async fn catalog(app: &TestApp) {
    for sql in [
        "insert into catalog_manufacturers (name, key) values ('Toyota', 'TOYOTA'), ('Brembo', 'BREMBO')",
        "insert into catalog_parts (manufacturer_id, number, number_key, name)
         select id, v.number, v.key, v.name from catalog_manufacturers,
                (values ('04465-02220', '0446502220', 'Pastillas delanteras'), ('90915-YZZD2', '90915YZZD2', 'Filtro'))
                v(number, key, name)
         where catalog_manufacturers.key = 'TOYOTA'",
        "insert into catalog_aftermarket (manufacturer_id, number, number_key, name, tier, part_id)
         select (select id from catalog_manufacturers where key = 'BREMBO'), 'P 83 152', 'P83152', 'Pastillas',
                'premium', (select id from catalog_parts where number_key = '0446502220')",
    ] {
        app.admin_sql(sql).await;
    }
}

/// The bodega's items, as (number, location, price in cents, stock), and how many uploads its history holds.
async fn state(app: &TestApp) -> (Vec<(String, String, i64, i32)>, i64) {
    let items = sqlx::query_as(
        "select number, location, price_cents, stock from inventory_items i join tenants t on t.id = i.tenant_id
         where t.name = 'Bodega Demo' order by number, location",
    );
    let raw = PgPoolOptions::new().max_connections(1).connect_with(app.conn().clone()).await.unwrap();
    let items = items.fetch_all(&raw).await.unwrap();
    let uploads: i64 = sqlx::query_scalar("select count(*) from inventory_uploads").fetch_one(&raw).await.unwrap();
    raw.close().await;
    (items, uploads)
}

const FILE: &str = "Existencias al 31/10/2026\n\nNº Parte;Descripción;Precio ($);Existencia;Ubicación\n\
                    04465-02220;Pastillas;1.234,50;3;Pasillo 2\nP 83 152;Brembo;899,00;10;\n\
                    99999;Nada;1,00;1;\n90915-YZZD2;Filtro;=1+1;4;\n";

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_file_is_dry_run_then_committed_and_its_rejects_download_as_csv(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    let token = app.access_token(WAREHOUSE).await;

    let res = post_upload(&app, &token, form("existencias.csv", FILE.as_bytes(), &[])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let v = res.json();
    assert_eq!(v["status"], "previewed");
    assert_eq!(
        (v["format"].as_str(), v["delimiter"].as_str(), v["header_row"].as_u64()),
        (Some("csv"), Some(";"), Some(3))
    );
    assert_eq!(v["mapping"], json!({"part_number": 0, "price": 2, "stock": 3, "location": 4}));
    assert_eq!(v["mapping_source"], "suggested");
    assert_eq!(
        v["preview"][0]["parsed"],
        json!({
            "result": "valid", "key": "0446502220", "price_cents": 123450, "stock": 3, "location": "Pasillo 2",
            "min_order_qty": null
        })
    );
    assert_eq!(v["counts"]["rows"], 4);
    assert_eq!(v["counts"]["new_items"], 2);
    assert_eq!(v["counts"]["rejected"], 2);
    assert_eq!(
        v["rejects"],
        json!([
            {"line": 6, "problem": {"problem": "unknown_part", "number": "99999"}},
            {"line": 7, "problem": {"problem": "not_a_number", "field": "price", "value": "=1+1"}}
        ])
    );
    assert_eq!(state(&app).await.0, [], "a dry run writes nothing");
    let id = v["id"].as_str().unwrap().to_owned();

    // The rejected rows: the file's own cells and the reason, formula-safe, in the language asked for.
    let csv = app.get(&format!("/api/v1/inventory/uploads/{id}/rejects.csv"), Auth::Bearer(&token)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.text(),
        "Fila,Nº Parte,Descripción,Precio ($),Existencia,Ubicación,Motivo\n\
         6,99999,Nada,\"1,00\",1,,Parte desconocida: 99999 no está en el catálogo\n\
         7,90915-YZZD2,Filtro,'=1+1,4,,Precio no es un número: «=1+1»\n"
    );
    let en = app.get(&format!("/api/v1/inventory/uploads/{id}/rejects.csv?lang=en"), Auth::Bearer(&token)).await;
    assert!(en.text().starts_with("Row,"), "{}", en.text());

    // Commit: the valid rows land, the mapping is saved for these headers.
    let res = app.post_json(&format!("/api/v1/inventory/uploads/{id}/commit"), &json!({}), Auth::Bearer(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "committed");
    assert_eq!(
        state(&app).await.0,
        [("04465-02220".into(), "Pasillo 2".into(), 123_450, 3), ("P 83 152".into(), "".into(), 89_900, 10)]
    );
    // A committed upload cannot change.
    let again =
        app.post_json(&format!("/api/v1/inventory/uploads/{id}/commit"), &json!({}), Auth::Bearer(&token)).await;
    again.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "upload_closed"}));

    // The same file again: its saved mapping applies, and the repeat is said; committing it needs a yes.
    let res = post_upload(&app, &token, form("existencias.csv", FILE.as_bytes(), &[])).await;
    let v = res.json();
    assert_eq!(v["mapping_source"], "saved");
    assert_eq!(v["repeat_of"]["upload_id"].as_str(), Some(id.as_str()));
    assert_eq!(v["counts"]["unchanged"], 2);
    let second = v["id"].as_str().unwrap().to_owned();
    let res =
        app.post_json(&format!("/api/v1/inventory/uploads/{second}/commit"), &json!({}), Auth::Bearer(&token)).await;
    res.assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "upload_repeated"}));
    let res = app
        .post_json(
            &format!("/api/v1/inventory/uploads/{second}/commit"),
            &json!({"allow_repeat": true}),
            Auth::Bearer(&token),
        )
        .await;
    assert_eq!(res.json()["status"], "committed");

    // The history lists both, newest first, with who and how they ended.
    let h = app.get("/api/v1/inventory/uploads", Auth::Bearer(&token)).await.json();
    assert_eq!(h["next"], serde_json::Value::Null, "one page");
    let h = &h["items"];
    assert_eq!(h.as_array().unwrap().len(), 2);
    assert_eq!(h[0]["id"].as_str(), Some(second.as_str()));
    assert_eq!(h[0]["created_by"], "Encargado de bodega");
    assert_eq!(h[1]["counts"]["new_items"], 2);

    // A dry run discarded: nothing written, it stays in the history as discarded, and it can no longer be committed.
    let third = post_upload(&app, &token, form("existencias.csv", FILE.as_bytes(), &[])).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = state(&app).await.0;
    let res =
        app.post_json(&format!("/api/v1/inventory/uploads/{third}/discard"), &json!({}), Auth::Bearer(&token)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert_eq!(
        app.get(&format!("/api/v1/inventory/uploads/{third}"), Auth::Bearer(&token)).await.json()["status"],
        "discarded"
    );
    app.post_json(&format!("/api/v1/inventory/uploads/{third}/commit"), &json!({}), Auth::Bearer(&token))
        .await
        .assert_error(StatusCode::CONFLICT, json!({"error": "conflict", "code": "upload_closed"}));
    assert_eq!(state(&app).await.0, before);
    let h = app.get("/api/v1/inventory/uploads", Auth::Bearer(&token)).await.json();
    assert_eq!(
        (h["items"][0]["id"].as_str(), h["items"][0]["status"].as_str()),
        (Some(third.as_str()), Some("discarded"))
    );
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_erp_commits_in_one_call_with_a_key_and_a_changed_header_reuses_the_saved_mapping(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    let owner = app.access_token(WAREHOUSE).await;
    let key = app
        .post_json("/api/v1/api-keys", &json!({"name": "ERP", "scopes": ["inventory:write"]}), Auth::Bearer(&owner))
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // Headers no suggestion understands: the mapping is given.
    let file = "Col A,Col B,Col C\n04465-02220,100.50,7\n";
    let mapping = r#"{"part_number":0,"price":1,"stock":2}"#;
    let res =
        post_upload(&app, &key, form("erp.csv", file.as_bytes(), &[("mapping", mapping), ("dry_run", "false")])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["status"], "committed");
    assert_eq!(res.json()["created_by"], "ERP");
    assert_eq!(state(&app).await.0, [("04465-02220".into(), "".into(), 10_050, 7)]);

    // Next day the export has one more column: the saved mapping follows its headers by name.
    let file = "Col A,Col X,Col B,Col C\n04465-02220,z,99.00,5\n";
    let res = post_upload(&app, &key, form("erp.csv", file.as_bytes(), &[("dry_run", "false")])).await;
    let v = res.json();
    assert_eq!(v["mapping_source"], "adapted", "{v}");
    assert_eq!(v["header_change"], json!({"added": ["Col X"], "removed": []}));
    assert_eq!(v["mapping"], json!({"part_number": 0, "price": 2, "stock": 3}));
    assert_eq!(v["status"], "committed");
    assert_eq!(state(&app).await.0, [("04465-02220".into(), "".into(), 9_900, 5)]);

    // A key without inventory:write, a workshop, and no credentials at all may not upload.
    let reader = app
        .post_json("/api/v1/api-keys", &json!({"name": "lector", "scopes": ["catalog:read"]}), Auth::Bearer(&owner))
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(post_upload(&app, &reader, form("a.csv", b"a,b\n1,2\n", &[])).await.status, StatusCode::FORBIDDEN);
    let workshop = app.access_token(WORKSHOP).await;
    assert_eq!(post_upload(&app, &workshop, form("a.csv", b"a,b\n1,2\n", &[])).await.status, StatusCode::FORBIDDEN);
    let anonymous = TestApp::request(Method::POST, "/api/v1/inventory/uploads")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(form("a.csv", b"a,b\n1,2\n", &[])))
        .unwrap();
    assert_eq!(app.send(anonymous).await.status, StatusCode::UNAUTHORIZED);
    // Nor read another bodega's upload.
    let id = v["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/inventory/uploads/{id}"), Auth::Bearer(&workshop)).await.status,
        StatusCode::FORBIDDEN
    );
    // A plant's owner: a plant has no bodega stock (the kind of organisation, before any lookup; another bodega's
    // upload does not exist for a bodega: src/inventory/tests).
    let other_owner = app.access_token(PLANT_OWNER).await;
    assert_eq!(
        app.get(&format!("/api/v1/inventory/uploads/{id}"), Auth::Bearer(&other_owner)).await.status,
        StatusCode::FORBIDDEN,
    );
}

/// A workbook as a zip of the given entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn hostile_files_are_refused_with_their_reason_and_change_nothing(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::with_upload_limits(opts, conn, 512 * 1024, 3).await;
    app.seed_demo().await;
    catalog(&app).await;
    let token = app.access_token(WAREHOUSE).await;
    // Something in the inventory already, which no refused file may touch.
    let ok = post_upload(
        &app,
        &token,
        form("ok.csv", b"Parte,Precio,Existencia\n04465-02220,10,1\n", &[("dry_run", "false")]),
    )
    .await;
    assert_eq!(ok.json()["status"], "committed");
    let before = state(&app).await;

    // Beyond any spreadsheet cell (a line that never ends): refused whole, naming the row and the column.
    let long_cell = format!("Parte,Precio,Existencia\n1,{},1\n", "9".repeat(100_001));
    let damaged = zip_of(&[("word/document.xml", b"<w:document/>")]);
    let bomb = include_bytes!("fixtures/bomb.xlsx");
    let cases: Vec<(&str, Vec<u8>, StatusCode, Value)> = vec![
        ("vacio.csv", vec![], StatusCode::UNPROCESSABLE_ENTITY, json!({"problem": "empty"})),
        ("blancos.csv", b"\n\n  \n".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, json!({"problem": "empty"})),
        (
            "factura.csv",
            b"%PDF-1.7\n...".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"problem": "unsupported_type", "looks_like": "PDF"}),
        ),
        (
            "programa.xlsx.csv",
            b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"problem": "unsupported_type", "looks_like": "EXE"}),
        ),
        (
            "datos.csv",
            b"Parte,Precio\n\x00\x01\x02\x03".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"problem": "unsupported_type", "looks_like": "binary"}),
        ),
        ("inventario.xlsx", damaged, StatusCode::UNPROCESSABLE_ENTITY, json!({"problem": "corrupt"})),
        (
            "inventario.xlsx",
            b"PK\x03\x04garbage".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"problem": "corrupt"}),
        ),
        (
            "bomba.xlsx",
            bomb.to_vec(),
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"problem": "unpacks_too_large", "limit_bytes": 256 * 1024 * 1024}),
        ),
        (
            "grande.csv",
            vec![b'a'; 600 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"problem": "too_large", "limit_bytes": 512 * 1024}),
        ),
        (
            "celda.csv",
            long_cell.into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"problem": "cell_too_long", "line": 2, "column": 2}),
        ),
        (
            "filas.csv",
            b"Parte,Precio,Existencia\n1,1,1\n2,1,1\n3,1,1\n4,1,1\n".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"problem": "too_many_rows", "limit": 3}),
        ),
    ];
    for (name, bytes, status, problem) in cases {
        let res = post_upload(&app, &token, form(name, &bytes, &[("dry_run", "false")])).await;
        res.assert_error(status, json!({"error": "rejected", "problem": problem}));
        assert_eq!(state(&app).await.0, before.0, "{name} changed the inventory");
    }
    // Refused before anything was kept; a file refused while its rows were read is in the history as failed.
    let h = app.get("/api/v1/inventory/uploads", Auth::Bearer(&token)).await.json()["items"].clone();
    let statuses: Vec<&str> = h.as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["failed", "committed"], "{h}");
    assert_eq!(h[0]["problem"], json!({"problem": "too_many_rows", "limit": 3}));

    // Forms that are not a file upload at all.
    let no_file =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n--{BOUNDARY}--\r\n");
    post_upload(&app, &token, no_file.into_bytes()).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "file", "code": "required"}]}),
    );
    post_upload(&app, &token, form("a.csv", b"a,b\n1,2\n", &[("mapping", "{not json")])).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "mapping", "code": "invalid_input"}]}),
    );
    post_upload(&app, &token, form("a.csv", b"a,b\n1,2\n", &[("mapping", r#"{"part_number":7}"#)])).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "rejected", "problem": {"problem": "mapping", "field": "part_number"}}),
    );
    let res = app.get("/api/v1/inventory/uploads/not-a-uuid", Auth::Bearer(&token)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.get(&format!("/api/v1/inventory/uploads/{}", uuid::Uuid::new_v4()), Auth::Bearer(&token)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(state(&app).await.0, before.0);
}
