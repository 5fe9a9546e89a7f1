//! A bodega's stock over HTTP: a part's availability on the REST API (who may read it, people and keys) and the
//! "my inventory" server functions (listing and clearing), on the production router.

use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

/// A small catalog (Toyota pads, and Brembo pads replacing them) and Bodega Demo's stock of both; a part no bodega
/// has. Returns the ids of (the stocked part, the part nobody has).
async fn stocked(app: &TestApp) -> (i64, i64) {
    for sql in [
        "insert into catalog_manufacturers (name, key) values ('Toyota', 'TOYOTA'), ('Brembo', 'BREMBO')",
        "insert into catalog_parts (manufacturer_id, number, number_key, name)
         select m.id, v.number, v.key, v.name from catalog_manufacturers m,
                (values ('04465-02220', '0446502220', 'Pastillas delanteras'), ('90915-YZZD2', '90915YZZD2', 'Filtro'))
                v(number, key, name)
         where m.key = 'TOYOTA'",
        "insert into catalog_aftermarket (manufacturer_id, number, number_key, name, tier, part_id)
         select (select id from catalog_manufacturers where key = 'BREMBO'), 'P 83 152', 'P83152', 'Pastillas',
                'premium', (select id from catalog_parts where number_key = '0446502220')",
        "insert into inventory_items (tenant_id, part_id, number, location, price_cents, stock, min_order_qty, updated_at)
         select t.id, p.id, '04465-02220', 'Pasillo 2', 123450, 3, null, '2026-11-23T10:02:00Z'
         from tenants t, catalog_parts p where t.name = 'Bodega Demo' and p.number_key = '0446502220'",
        "insert into inventory_items (tenant_id, aftermarket_manufacturer_id, aftermarket_key, number, location,
                                      price_cents, stock, min_order_qty, updated_at)
         select t.id, m.id, 'P83152', 'P83152', '', 89900, 10, 2, '2026-11-20T08:00:00Z'
         from tenants t, catalog_manufacturers m where t.name = 'Bodega Demo' and m.key = 'BREMBO'",
        "insert into inventory_locations (tenant_id, location, upload_id, confirmed_at)
         select id, '', gen_random_uuid(), '2026-11-23T09:00:00Z' from tenants where name = 'Bodega Demo'",
    ] {
        app.admin_sql(sql).await;
    }
    (part(app, "0446502220").await, part(app, "90915YZZD2").await)
}

/// A catalog part's id by its number key.
async fn part(app: &TestApp, key: &str) -> i64 {
    let mut tx = nexus::db::begin(&app.pool, nexus::db::Scope::Platform).await.unwrap();
    sqlx::query_scalar("select id from catalog_parts where number_key = $1")
        .bind(key)
        .fetch_one(&mut *tx)
        .await
        .unwrap()
}

/// Bodega Demo's offers, each with how to reach it (found by outside testing: a workshop saw who had the part and at
/// what price, but not the bodega's phone, address or hours, given at registration).
fn offers() -> Value {
    let contact = json!({
        "phone": "55 5123 4567", "address": "Av. Tlalpan 1234, Col. Portales, Ciudad de México",
        "hours": "Lun–Vie 9:00–18:00, Sáb 9:00–14:00", "country": "MX"
    });
    let mut all = json!([
        {
            "bodega": "Bodega Demo", "location": "", "number": "P83152", "aftermarket": true, "brand": "Brembo",
            "price_cents": 89900, "currency": "MXN", "stock": 10, "min_order_qty": 2,
            "confirmed_at": "2026-11-23T09:00:00Z"
        },
        {
            "bodega": "Bodega Demo", "location": "Pasillo 2", "number": "04465-02220", "aftermarket": false,
            "brand": "Toyota", "price_cents": 123450, "currency": "MXN", "stock": 3, "min_order_qty": null,
            "confirmed_at": "2026-11-23T10:02:00Z"
        }
    ]);
    for offer in all.as_array_mut().unwrap() {
        offer.as_object_mut().unwrap().extend(contact.as_object().unwrap().clone());
    }
    all
}

fn forbidden() -> Value {
    json!({ "error": "forbidden" })
}

/// An API key with `scopes`, created by `login` through the REST API.
async fn key(app: &TestApp, login: &str, name: &str, scopes: Value) -> String {
    let token = app.access_token(login).await;
    let res = app.post_json("/api/v1/api-keys", &json!({ "name": name, "scopes": scopes }), Auth::Bearer(&token)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["key"].as_str().unwrap().to_owned()
}

/// Found by outside testing: no REST operation listed a bodega's inventory, so an ERP could not read back what it sent.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_erp_reads_back_its_inventory_with_inventory_read(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    stocked(&app).await;
    let reader = key(&app, WAREHOUSE, "erp lectura", json!(["inventory:read"])).await;
    let res = app.get("/api/v1/inventory/items?sort=price", Auth::Bearer(&reader)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let page = res.json();
    assert_eq!(page["total"], 2, "{page}");
    let numbers: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["P83152", "04465-02220"], "cheapest first");
    assert_eq!(page["items"][1]["location"], "Pasillo 2");
    assert_eq!(page["items"][1]["price_cents"], 123450);
    // Filters and pages, as the page has them.
    let one = app.get("/api/v1/inventory/items?q=4465&limit=1", Auth::Bearer(&reader)).await.json();
    assert_eq!((one["total"].clone(), one["items"].as_array().unwrap().len()), (json!(1), 1), "{one}");
    let first = app.get("/api/v1/inventory/items?limit=1", Auth::Bearer(&reader)).await.json();
    let next = first["next"].as_str().expect("a next page").to_owned();
    let second = app
        .get(
            &format!("/api/v1/inventory/items?limit=1&after={}", nexus_app::ui::list::encode(&next)),
            Auth::Bearer(&reader),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text());
    assert_ne!(second.json()["items"][0]["id"], first["items"][0]["id"]);
    app.get("/api/v1/inventory/items?sort=colour", Auth::Bearer(&reader)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "sort", "code": "invalid_input" }] }),
    );
    // A key that only uploads, and people who do not manage an inventory: 403.
    let writer = key(&app, WAREHOUSE, "erp escritura", json!(["inventory:write"])).await;
    app.get("/api/v1/inventory/items", Auth::Bearer(&writer)).await.assert_error(StatusCode::FORBIDDEN, forbidden());
    let workshop = app.access_token(WORKSHOP).await;
    app.get("/api/v1/inventory/items", Auth::Bearer(&workshop)).await.assert_error(StatusCode::FORBIDDEN, forbidden());
    // The bodega's own people read it with their session.
    let staff = app.access_token(WAREHOUSE).await;
    assert_eq!(app.get("/api/v1/inventory/items", Auth::Bearer(&staff)).await.json()["total"], 2);
    let doc = app.get("/api/v1/openapi.json", Auth::None).await.json();
    assert_eq!(doc["paths"]["/api/v1/inventory/items"]["get"]["security"], json!([{ "bearer": ["inventory:read"] }]));
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_parts_availability_is_for_those_who_may_compare_bodegas(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let (pads, filter) = stocked(&app).await;
    let uri = format!("/api/v1/parts/{pads}/availability");

    // Workshops, owners (a plant's too) and platform admins: the offers, cheapest first.
    for login in [WORKSHOP, PLANT_OWNER, ADMIN] {
        let token = app.access_token(login).await;
        let res = app.get(&uri, Auth::Bearer(&token)).await;
        assert_eq!(res.status, StatusCode::OK, "{login}: {}", res.text());
        assert_eq!(res.json(), offers(), "{login}");
    }
    let workshop = app.access_token(WORKSHOP).await;
    let res = app.get(&format!("/api/v1/parts/{filter}/availability"), Auth::Bearer(&workshop)).await;
    assert_eq!((res.status, res.json()), (StatusCode::OK, json!([])), "a part nobody has: no offers");

    // Without credentials: 401. A bodega's staff (their competitors' prices) and roles without the catalog: 403.
    app.get(&uri, Auth::None).await.assert_unauthorized("not_authenticated");
    for login in [WAREHOUSE, "gerente@planta.demo"] {
        let token = app.access_token(login).await;
        app.get(&uri, Auth::Bearer(&token)).await.assert_error(StatusCode::FORBIDDEN, forbidden());
        // Who may ask comes first: a 403 even for an id that is not one.
        app.get("/api/v1/parts/abc/availability", Auth::Bearer(&token))
            .await
            .assert_error(StatusCode::FORBIDDEN, forbidden());
    }

    // Keys: catalog:read minted by an owner passes; minted by a bodega's staff, or without the scope, 403.
    let erp = key(&app, PLANT_OWNER, "erp", json!(["catalog:read"])).await;
    let res = app.get(&uri, Auth::Bearer(&erp)).await;
    assert_eq!((res.status, res.json()), (StatusCode::OK, offers()));
    let bodega_key = key(&app, WAREHOUSE, "erp bodega", json!(["catalog:read", "inventory:write"])).await;
    assert_eq!(app.get(&format!("/api/v1/parts/{pads}"), Auth::Bearer(&bodega_key)).await.status, StatusCode::OK);
    app.get(&uri, Auth::Bearer(&bodega_key)).await.assert_error(StatusCode::FORBIDDEN, forbidden());
    let plc = key(&app, PLANT_OWNER, "plc", json!(["production:read"])).await;
    app.get(&uri, Auth::Bearer(&plc)).await.assert_error(StatusCode::FORBIDDEN, forbidden());

    // An unknown part is 404; an id that is not one, 422.
    app.get("/api/v1/parts/999999/availability", Auth::Bearer(&workshop))
        .await
        .assert_error(StatusCode::NOT_FOUND, json!({ "error": "not_found" }));
    for bad in ["abc", "0", "-3"] {
        app.get(&format!("/api/v1/parts/{bad}/availability"), Auth::Bearer(&workshop)).await.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "validation", "fields": [{ "field": "id", "code": "invalid_input" }] }),
        );
    }

    // The operation is in the OpenAPI document, with the scope it needs.
    let doc = app.get("/api/v1/openapi.json", Auth::None).await.json();
    let op = &doc["paths"]["/api/v1/parts/{id}/availability"]["get"];
    assert_eq!(op["security"], json!([{ "bearer": ["catalog:read"] }]), "{op}");
    assert!(op["responses"]["403"].is_object(), "{op}");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_bodega_lists_and_clears_its_inventory_through_the_pages_server_functions(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let (pads, _) = stocked(&app).await;
    let bodega = app.login_browser(WAREHOUSE, DEMO_PASSWORD).await;
    let workshop = app.login_browser(WORKSHOP, DEMO_PASSWORD).await;

    let res = app
        .post_form("/api/ui/inventory/stock", &[("q[sort]", "price"), ("q[desc]", "true")], &bodega, Some(ORIGIN))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let page = res.json();
    assert_eq!((page["total"].clone(), page["inventory_empty"].clone()), (json!(2), json!(false)));
    let items = page["items"]["items"].as_array().unwrap();
    assert_eq!(
        items.iter().map(|i| (i["number"].clone(), i["brand"].clone())).collect::<Vec<_>>(),
        [(json!("04465-02220"), json!("Toyota")), (json!("P83152"), json!("Brembo"))]
    );
    // A cursor that is not one is the caller's error.
    app.post_form("/api/ui/inventory/stock", &[("q[after]", "nonsense")], &bodega, Some(ORIGIN))
        .await
        .assert_server_fn_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "validation", "fields": [{ "field": "after", "code": "invalid_input" }] }),
        );

    // Only the bodega clears its inventory; a workshop gets 403 and nothing changes.
    app.post_form("/api/ui/inventory/clear", &[], &workshop, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::FORBIDDEN, forbidden());
    app.post_form("/api/ui/inventory/stock", &[], &workshop, Some(ORIGIN))
        .await
        .assert_server_fn_error(StatusCode::FORBIDDEN, forbidden());
    let res = app.post_form("/api/ui/inventory/clear", &[], &bodega, Some(ORIGIN)).await;
    assert_eq!((res.status, res.json()), (StatusCode::OK, json!({ "items": 2, "locations": 1 })), "{}", res.text());
    let page = app.post_form("/api/ui/inventory/stock", &[], &bodega, Some(ORIGIN)).await.json();
    assert_eq!((page["total"].clone(), page["inventory_empty"].clone()), (json!(0), json!(true)));
    // A write: without our Origin it is refused (CSRF).
    let res = app.post_form("/api/ui/inventory/clear", &[], &bodega, None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    let token = app.access_token(WORKSHOP).await;
    let res = app.get(&format!("/api/v1/parts/{pads}/availability"), Auth::Bearer(&token)).await;
    assert_eq!((res.status, res.json()), (StatusCode::OK, json!([])), "cleared stock is offered no more");
}
