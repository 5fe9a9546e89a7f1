//! A person's notification inbox over REST: a low-stock alert reaches the storekeeper's inbox, counted unread until
//! marked; each person chooses per kind; keys and other people have no way into it.

use axum::body::Body;
use http::{Method, StatusCode, header};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_low_stock_alert_reaches_the_storekeepers_inbox(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let supply = app.access_token("almacen@planta.demo").await;
    let res = app
        .post_json("/api/v1/stock/departments", &json!({"code": "HERR", "name": "Herramientas"}), Auth::Bearer(&owner))
        .await;
    let tools = res.json()["id"].as_i64().unwrap();
    let item =
        json!({"sku": "GU-1", "name": "Guantes", "unit": "pair", "levels": [{"department": tools, "threshold": 5}]});
    let gloves = app.post_json("/api/v1/stock/items", &item, Auth::Bearer(&owner)).await.json()["id"].as_i64().unwrap();
    for (key, action, n) in [("a", "receive", 6), ("b", "issue", 2)] {
        let body = json!({"idempotency_key": key, "lines": [{"action": action, "item": gloves, "department": tools, "quantity": n}]});
        let res = app.post_json("/api/v1/stock/postings", &body, Auth::Bearer(&supply)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    // The storekeeper (the plant's only supply person, in no department: every department's alerts) is told.
    assert_eq!(app.get("/api/v1/notifications/unread", Auth::Bearer(&supply)).await.json(), json!({"unread": 1}));
    let inbox = app.get("/api/v1/notifications", Auth::Bearer(&supply)).await.json();
    let notice = &inbox["items"][0];
    assert_eq!(notice["body"]["kind"], "stock_low");
    assert_eq!((notice["body"]["item"].clone(), notice["body"]["balance"].clone()), (json!("Guantes"), json!(4.0)));
    assert!(notice["link"].as_str().unwrap().starts_with("/stock/alerts"));
    // The owner's inbox is their own: empty, and marking the storekeeper's notice from it changes nothing.
    let id = notice["id"].as_i64().unwrap();
    let res = app.post_json("/api/v1/notifications/read", &json!({"ids": [id]}), Auth::Bearer(&owner)).await;
    assert_eq!(res.json(), json!({"marked": 0}));
    assert_eq!(app.get("/api/v1/notifications", Auth::Bearer(&owner)).await.json()["items"], json!([]));
    let res = app.post_json("/api/v1/notifications/read", &json!({}), Auth::Bearer(&supply)).await;
    assert_eq!(res.json(), json!({"marked": 1}));
    assert_eq!(app.get("/api/v1/notifications/unread", Auth::Bearer(&supply)).await.json(), json!({"unread": 0}));

    // Preferences per kind; an unknown kind or channel is 422; a key has no inbox.
    let put = |body: serde_json::Value| {
        TestApp::request(Method::PUT, "/api/v1/notifications/preferences")
            .header(header::AUTHORIZATION, format!("Bearer {supply}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap()
    };
    let res = app.send(put(json!({"kind": "stock_low", "channel": "email"}))).await;
    assert_eq!(res.json(), json!([{"kind": "stock_low", "channel": "email"}]), "{}", res.text());
    let res = app.send(put(json!({"kind": "stock_low", "channel": "pigeon"}))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Mail settings: the defaults, then a language, a zone and the digest; a zone nobody knows is 422 on its field.
    let defaults = json!({"language": "es", "time_zone": "America/Mexico_City", "digest": false});
    assert_eq!(app.get("/api/v1/notifications/mail", Auth::Bearer(&supply)).await.json(), defaults);
    let put_mail = |body: serde_json::Value| {
        TestApp::request(Method::PUT, "/api/v1/notifications/mail")
            .header(header::AUTHORIZATION, format!("Bearer {supply}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap()
    };
    let chosen = json!({"language": "en", "time_zone": "America/Bogota", "digest": true});
    let res = app.send(put_mail(chosen.clone())).await;
    assert_eq!(res.json(), chosen, "{}", res.text());
    let res = app.send(put_mail(json!({"language": "en", "time_zone": "Mars/Olympus", "digest": true}))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "time_zone", "{}", res.text());
    let res = app.send(put_mail(json!({"language": "fr", "time_zone": "UTC", "digest": true}))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/v1/notifications/mail", Auth::Bearer(&supply)).await.json(), chosen);
    let key = {
        let body = json!({"name": "Lector", "scopes": ["stock:read"]});
        app.post_json("/api/v1/api-keys", &body, Auth::Bearer(&owner)).await.json()["key"].as_str().unwrap().to_owned()
    };
    assert_eq!(app.get("/api/v1/notifications", Auth::Bearer(&key)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/notifications/mail", Auth::Bearer(&key)).await.status, StatusCode::FORBIDDEN);
    app.get("/api/v1/notifications/unread", Auth::None).await.assert_unauthorized("not_authenticated");
}

/// Reads events off `body` until one named `name` arrives (ten seconds at most); its data.
async fn event_named(body: &mut axum::body::BodyDataStream, name: &str) -> String {
    use futures_util::StreamExt;
    let mut seen = String::new();
    loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), body.next())
            .await
            .unwrap_or_else(|_| panic!("no {name} event within ten seconds; heard: {seen}"))
            .expect("the stream goes on")
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = seen.find("\n\n") {
            let event: String = seen.drain(..end + 2).collect();
            let field = |f: &str| {
                event.lines().find_map(|l| l.strip_prefix(f)).map(|v| v.trim().to_owned()).unwrap_or_default()
            };
            if field("event:") == name {
                return field("data:");
            }
        }
    }
}

/// The pages' one live channel: a signed-in page hears its unread count when it connects and again, without asking,
/// when a notice arrives or is read; a key has no such stream.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn the_live_channel_carries_the_unread_count(opts: PgPoolOptions, conn: PgConnectOptions) {
    use tower::ServiceExt;
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let supply = app.access_token("almacen@planta.demo").await;
    let req = TestApp::request(Method::GET, "/api/v1/live")
        .header(header::AUTHORIZATION, format!("Bearer {supply}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = res.into_body().into_data_stream();
    assert_eq!(event_named(&mut body, "ready").await, r#"{"unread":0}"#);

    let res = app
        .post_json("/api/v1/stock/departments", &json!({"code": "HERR", "name": "Herramientas"}), Auth::Bearer(&owner))
        .await;
    let tools = res.json()["id"].as_i64().unwrap();
    let item =
        json!({"sku": "GU-1", "name": "Guantes", "unit": "pair", "levels": [{"department": tools, "threshold": 5}]});
    let gloves = app.post_json("/api/v1/stock/items", &item, Auth::Bearer(&owner)).await.json()["id"].as_i64().unwrap();
    for (key, action, n) in [("a", "receive", 6), ("b", "issue", 2)] {
        let body = json!({"idempotency_key": key, "lines": [{"action": action, "item": gloves, "department": tools, "quantity": n}]});
        let res = app.post_json("/api/v1/stock/postings", &body, Auth::Bearer(&owner)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    assert_eq!(event_named(&mut body, "unread").await, "1");
    let res = app.post_json("/api/v1/notifications/read", &json!({}), Auth::Bearer(&supply)).await;
    assert_eq!(res.json(), json!({"marked": 1}));
    assert_eq!(event_named(&mut body, "unread").await, "0");

    let key = {
        let body = json!({"name": "Lector", "scopes": ["stock:read"]});
        app.post_json("/api/v1/api-keys", &body, Auth::Bearer(&owner)).await.json()["key"].as_str().unwrap().to_owned()
    };
    assert_eq!(app.get("/api/v1/live", Auth::Bearer(&key)).await.status, StatusCode::FORBIDDEN);
    app.get("/api/v1/live", Auth::None).await.assert_unauthorized("not_authenticated");
}
