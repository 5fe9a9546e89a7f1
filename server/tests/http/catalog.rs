//! The parts catalog over REST, on the production router: the one-box search (numbers ranked exact, prefix, infix;
//! words; keyset pages), the vehicle cascade, a part's page and its aftermarket alternatives, and a part's
//! availability, each for those who may read it. The catalog is loaded by the import every catalog comes through,
//! and the bodega's stock by its own upload.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

const PARTS: &str = "manufacturer,number,name,group,description
Toyota,04465-02220,Pastillas de freno delanteras,Frenos > Pastillas,Juego de 4
Toyota,04465-0K290,Pastillas de freno delanteras,Frenos > Pastillas,
Toyota,04466-12345,Balatas traseras,Frenos > Pastillas,
Toyota,90915-YZZD2,Filtro de aceite,Motor > Filtros > Aceite,
Nissan,157B2210,Amortiguador delantero,Suspensión > Amortiguadores,
Nissan,B2210,Bujía de iridio,Motor > Encendido,
Nissan,B2210-X1,Bujía,Motor > Encendido,
Nissan,41060-EL00A,Pastillas de freno delanteras,Frenos > Pastillas,
";

const VEHICLES: &str = "code,make,model,year_from,year_to,engine,displacement_l,fuel
TOY-HILUX-2015,Toyota,Hilux,2015,2015,2GD-FTV,2.4,diesel
TOY-HILUX-2016,Toyota,Hilux,2016,2016,2GD-FTV,2.4,diesel
TOY-HILUX-2016G,Toyota,Hilux,2016,2016,2TR-FE,2.7,gasoline
NIS-TSURU-2010,Nissan,Tsuru,2010,2010,GA16DE,1.6,gasoline
";

const FITMENT: &str = "manufacturer,number,vehicle_code,position
Toyota,04465-02220,TOY-HILUX-2015,delantera
Toyota,04465-02220,TOY-HILUX-2016,delantera
Toyota,90915-YZZD2,TOY-HILUX-2015,
Toyota,04465-0K290,TOY-HILUX-2016G,delantera
Nissan,41060-EL00A,NIS-TSURU-2010,delantera
Nissan,157B2210,NIS-TSURU-2010,delantera
";

const AFTERMARKET: &str = "manufacturer,number,name,tier,reference_price,currency,oem_manufacturer,oem_number
Brembo,P 83 152,Pastillas cerámicas,premium,1234.50,MXN,Toyota,04465-02220
Bosch,0 986 494 123,Pastillas,standard,899,MXN,Toyota,04465-02220
Monroe,G16400,Amortiguador,premium,1500,MXN,Nissan,157B2210
";

const CROSS_REFS: &str = "oem_manufacturer,oem_number,number,source,kind
Toyota,04465-02220,04465-02200,Toyota,supersedes
";

/// Loads the catalog above through the catalog import (files in a folder of their own, removed afterwards).
async fn catalog(app: &TestApp) {
    let dir = std::env::temp_dir().join(format!("nexus-http-catalog-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in [
        ("parts.csv", PARTS),
        ("vehicles.csv", VEHICLES),
        ("fitment.csv", FITMENT),
        ("aftermarket.csv", AFTERMARKET),
        ("cross_refs.csv", CROSS_REFS),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let outcome = nexus::catalog::service::import::import_dir(
        &app.pool,
        &dir,
        "test",
        Arc::new(nexus::catalog::service::import::Silent),
    )
    .await;
    std::fs::remove_dir_all(&dir).unwrap();
    outcome.unwrap().expect("the fixture imports");
}

/// Bodega Demo's stock, uploaded and committed by its own staff through the REST upload: the Toyota pads at
/// "Pasillo 2", and Brembo's pads that replace them.
async fn stock(app: &TestApp) {
    let token = app.access_token(WAREHOUSE).await;
    let file = "Nº Parte;Descripción;Precio ($);Existencia;Ubicación\n\
                04465-02220;Pastillas;1.234,50;3;Pasillo 2\nP 83 152;Brembo;899,00;10;\n";
    let res = post_upload(app, &token, form("existencias.csv", file.as_bytes(), &[("dry_run", "false")])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["status"], "committed", "{}", res.text());
}

/// A search as `token`, which must answer 200.
async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/parts/search?{query}"), Auth::Bearer(token)).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text());
    res.json()
}

/// The vehicle cascade's options for `query` (`?make=…&model=…`), as `token`.
async fn vehicles(app: &TestApp, token: &str, query: String) -> Value {
    let res = app.get(&format!("/api/v1/vehicles{query}"), Auth::Bearer(token)).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text());
    res.json()
}

fn numbers(page: &Value) -> Vec<String> {
    page["hits"].as_array().unwrap().iter().map(|h| h["number"].as_str().unwrap().to_owned()).collect()
}

/// The id of the part numbered `number`, found by searching it.
async fn part_id(app: &TestApp, token: &str, number: &str) -> i64 {
    let page = search(app, token, &format!("q={number}")).await;
    let hit = &page["hits"][0];
    assert_eq!(hit["number"], number, "{page}");
    hit["id"].as_i64().unwrap()
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_number_finds_exact_then_prefix_then_infix_and_words_find_names(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    let workshop = app.access_token(WORKSHOP).await;

    let page = search(&app, &workshop, "q=b2210").await;
    let ranked: Vec<(String, String)> = page["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["number"].as_str().unwrap().to_owned(), h["found_by"]["matched"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        ranked,
        [
            ("B2210".to_owned(), "exact".to_owned()),
            ("B2210-X1".to_owned(), "prefix".to_owned()),
            ("157B2210".to_owned(), "infix".to_owned())
        ]
    );
    assert_eq!(page["total"], 3);
    // Any way of writing a number finds it on its key; an aftermarket or superseded number finds its OEM part.
    for typed in ["04465%2002220", "0446502220", "p%2083%20152", "04465-02200"] {
        assert_eq!(numbers(&search(&app, &workshop, &format!("q={typed}")).await), ["04465-02220"], "{typed}");
    }
    let by = &search(&app, &workshop, "q=P83152").await["hits"][0]["found_by"];
    assert_eq!(
        (&by["source"], &by["brand"], &by["matched"]),
        (&json!("aftermarket"), &json!("Brembo"), &json!("exact"))
    );

    // Words: accents and case aside, stems, synonyms said back, a typo corrected and said.
    assert_eq!(numbers(&search(&app, &workshop, "q=BUJ%C3%8DAS").await), ["B2210", "B2210-X1"]);
    let pads = search(&app, &workshop, "q=pastillas%20delanteras").await;
    assert_eq!(pads["total"], 3);
    let mut found = numbers(&pads);
    found.sort();
    assert_eq!(found, ["04465-02220", "04465-0K290", "41060-EL00A"]);
    let balatas = search(&app, &workshop, "q=balatas").await;
    assert_eq!(balatas["total"], 4);
    assert!(balatas["understood"]["synonyms"].as_array().unwrap().contains(&json!("pastillas")), "{balatas}");
    let typo = search(&app, &workshop, "q=amortiguadro").await;
    assert_eq!(
        (numbers(&typo), &typo["understood"]["corrected"]),
        (vec!["157B2210".to_owned()], &json!("amortiguador"))
    );

    // Keyset pages: one at a time, the same parts in the same order, each once.
    let all = numbers(&balatas);
    let mut paged = Vec::new();
    let mut after = String::new();
    loop {
        let page = search(&app, &workshop, &format!("q=balatas&limit=1&after={after}")).await;
        paged.extend(numbers(&page));
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
        assert!(paged.len() <= all.len(), "pagination never loops");
    }
    assert_eq!(paged, all);

    // A cursor that is not one, or a limit past the page size: 422 naming the parameter.
    for (query, field) in
        [("q=balatas&after=xyz", "after"), ("q=balatas&after=9.1.1", "after"), ("q=x&limit=101", "limit")]
    {
        let res = app.get(&format!("/api/v1/parts/search?{query}"), Auth::Bearer(&workshop)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", res.text());
        assert_eq!(res.json()["fields"][0]["field"], field, "{query}");
    }
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_vehicle_cascade_lists_each_step_and_filters_the_search(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    let workshop = app.access_token(WORKSHOP).await;
    let options = |query: &str| vehicles(&app, &workshop, query.to_owned());
    assert_eq!(options("").await["makes"], json!(["Nissan", "Toyota"]));
    assert_eq!(options("?make=Toyota").await["models"], json!(["Hilux"]));
    let years = options("?make=Toyota&model=Hilux").await["years"].clone();
    let mut years: Vec<i64> = years.as_array().unwrap().iter().map(|y| y.as_i64().unwrap()).collect();
    years.sort_unstable();
    assert_eq!(years, [2015, 2016]);
    let engines = options("?make=Toyota&model=Hilux&year=2016").await["engines"].clone();
    let mut engines: Vec<String> = engines.as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_owned()).collect();
    engines.sort();
    assert_eq!(engines, ["2GD-FTV", "2TR-FE"]);
    assert_eq!(options("?make=Chevrolet").await["models"], json!([]));

    // Each step narrows the same search.
    let pads = |vehicle: &str| format!("q=pastillas&{vehicle}");
    assert_eq!(numbers(&search(&app, &workshop, &pads("make=Toyota&model=Hilux&year=2015")).await), ["04465-02220"]);
    let mut hilux = numbers(&search(&app, &workshop, &pads("make=Toyota&model=Hilux")).await);
    hilux.sort();
    assert_eq!(hilux, ["04465-02220", "04465-0K290"]);
    let engine = pads("make=Toyota&model=Hilux&year=2016&engine=2TR-FE");
    assert_eq!(numbers(&search(&app, &workshop, &engine).await), ["04465-0K290"]);
    // Nothing for this vehicle: the page says how many there are without it.
    let none = search(&app, &workshop, "q=amortiguador&make=Toyota&model=Hilux").await;
    assert_eq!((&none["total"], &none["without_vehicle"]), (&json!(0), &json!(1)));
    // A year no vehicle can have is refused, naming it.
    let res = app.get("/api/v1/parts/search?q=x&make=Toyota&model=Hilux&year=1800", Auth::Bearer(&workshop)).await;
    res.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "validation", "fields": [{"field": "year", "code": "invalid_input"}]}),
    );
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_parts_page_has_its_vehicles_alternatives_and_other_numbers(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    let workshop = app.access_token(WORKSHOP).await;
    let pads = part_id(&app, &workshop, "04465-02220").await;

    let res = app.get(&format!("/api/v1/parts/{pads}"), Auth::Bearer(&workshop)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let p = res.json();
    assert_eq!(
        (&p["id"], &p["number"], &p["manufacturer"], &p["name"], &p["description"], &p["group"]),
        (
            &json!(pads),
            &json!("04465-02220"),
            &json!("Toyota"),
            &json!("Pastillas de freno delanteras"),
            &json!("Juego de 4"),
            &json!("Frenos › Pastillas")
        )
    );
    // Hilux 2015 and 2016, same engine and position: one line of consecutive years.
    assert_eq!(p["fitment_count"], 2);
    let fits = p["fits"].as_array().unwrap();
    assert_eq!(fits.len(), 1, "{p}");
    assert_eq!(
        (&fits[0]["make"], &fits[0]["model"], &fits[0]["year_from"], &fits[0]["year_to"], &fits[0]["engine"]),
        (&json!("Toyota"), &json!("Hilux"), &json!(2015), &json!(2016), &json!("2GD-FTV"))
    );
    assert_eq!(fits[0]["position"], "delantera");
    // The superseded number is among its other numbers.
    assert_eq!(p["other_numbers"], json!([{"number": "04465-02200", "source": "Toyota", "kind": "supersedes"}]));

    // Its alternatives, best tier first: the same on the page and on their own.
    let brands = |alts: &Value| -> Vec<(String, String, String, String)> {
        alts.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
                let price = &a["reference_price"];
                (
                    s("brand"),
                    s("number"),
                    s("tier"),
                    format!("{} {}", price["cents"], price["currency"].as_str().unwrap()),
                )
            })
            .collect()
    };
    let want = [
        ("Brembo".to_owned(), "P 83 152".to_owned(), "premium".to_owned(), "123450 MXN".to_owned()),
        ("Bosch".to_owned(), "0 986 494 123".to_owned(), "standard".to_owned(), "89900 MXN".to_owned()),
    ];
    assert_eq!(brands(&p["alternatives"]), want);
    let res = app.get(&format!("/api/v1/parts/{pads}/aftermarket"), Auth::Bearer(&workshop)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json(), p["alternatives"]);
    // A part without alternatives has none.
    let filter = part_id(&app, &workshop, "90915-YZZD2").await;
    let res = app.get(&format!("/api/v1/parts/{filter}/aftermarket"), Auth::Bearer(&workshop)).await;
    assert_eq!((res.status, res.json()), (StatusCode::OK, json!([])));

    // A part that does not exist is 404; an id that is not one, 422.
    for uri in ["/api/v1/parts/999999", "/api/v1/parts/999999/aftermarket"] {
        app.get(uri, Auth::Bearer(&workshop)).await.assert_error(StatusCode::NOT_FOUND, json!({"error": "not_found"}));
    }
    for uri in ["/api/v1/parts/abc", "/api/v1/parts/0/aftermarket"] {
        app.get(uri, Auth::Bearer(&workshop)).await.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "validation", "fields": [{"field": "id", "code": "invalid_input"}]}),
        );
    }
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn availability_shows_the_bodegas_offers_to_those_who_compare_them(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    stock(&app).await;
    let workshop = app.access_token(WORKSHOP).await;
    let pads = part_id(&app, &workshop, "04465-02220").await;
    let uri = format!("/api/v1/parts/{pads}/availability");

    // A workshop sees Bodega Demo's offers, cheapest first: Brembo's replacement, then the part itself.
    let res = app.get(&uri, Auth::Bearer(&workshop)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let offers: Vec<Value> = res
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            json!({
                "bodega": o["bodega"], "number": o["number"], "aftermarket": o["aftermarket"], "brand": o["brand"],
                "location": o["location"], "price_cents": o["price_cents"], "currency": o["currency"],
                "stock": o["stock"]
            })
        })
        .collect();
    assert_eq!(
        offers,
        [
            json!({"bodega": "Bodega Demo", "number": "P 83 152", "aftermarket": true, "brand": "Brembo",
                   "location": "", "price_cents": 89900, "currency": "MXN", "stock": 10}),
            json!({"bodega": "Bodega Demo", "number": "04465-02220", "aftermarket": false, "brand": "Toyota",
                   "location": "Pasillo 2", "price_cents": 123450, "currency": "MXN", "stock": 3}),
        ]
    );
    // A part no bodega has: no offers.
    let other = part_id(&app, &workshop, "41060-EL00A").await;
    let res = app.get(&format!("/api/v1/parts/{other}/availability"), Auth::Bearer(&workshop)).await;
    assert_eq!((res.status, res.json()), (StatusCode::OK, json!([])));

    // A bodega's staff read the catalog but not their competitors' prices: 403.
    let warehouse = app.access_token(WAREHOUSE).await;
    assert_eq!(numbers(&search(&app, &warehouse, "q=0446502220").await), ["04465-02220"]);
    app.get(&uri, Auth::Bearer(&warehouse)).await.assert_error(StatusCode::FORBIDDEN, json!({"error": "forbidden"}));
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_catalog_needs_credentials_and_a_role_that_reads_it(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    catalog(&app).await;
    let workshop = app.access_token(WORKSHOP).await;
    let pads = part_id(&app, &workshop, "04465-02220").await;
    let uris = [
        "/api/v1/parts/search?q=pastillas".to_owned(),
        format!("/api/v1/parts/{pads}"),
        format!("/api/v1/parts/{pads}/aftermarket"),
        format!("/api/v1/parts/{pads}/availability"),
        "/api/v1/vehicles".to_owned(),
    ];
    // Without credentials: 401 everywhere.
    for uri in &uris {
        app.get(uri, Auth::None).await.assert_unauthorized("not_authenticated");
    }
    // A plant's manager does not read the catalog, nor does a key without catalog:read: 403 everywhere.
    let manager = app.access_token("gerente@planta.demo").await;
    let owner = app.access_token(PLANT_OWNER).await;
    let res = app
        .post_json("/api/v1/api-keys", &json!({"name": "plc", "scopes": ["production:read"]}), Auth::Bearer(&owner))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let plc = res.json()["key"].as_str().unwrap().to_owned();
    for token in [&manager, &plc] {
        for uri in &uris {
            app.get(uri, Auth::Bearer(token)).await.assert_error(StatusCode::FORBIDDEN, json!({"error": "forbidden"}));
        }
    }
    // A key with catalog:read searches.
    let res = app
        .post_json("/api/v1/api-keys", &json!({"name": "erp", "scopes": ["catalog:read"]}), Auth::Bearer(&owner))
        .await;
    let erp = res.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(numbers(&search(&app, &erp, "q=b2210").await), ["B2210", "B2210-X1", "157B2210"]);
}
