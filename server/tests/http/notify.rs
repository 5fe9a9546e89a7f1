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
    // Every kind, the one chosen as chosen and the others in the app.
    assert_eq!(res.json()[0], json!({"kind": "stock_low", "channel": "email"}), "{}", res.text());
    assert_eq!(res.json()[1], json!({"kind": "task_assigned", "channel": "app"}), "{}", res.text());
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

/// A webhook receiver on loopback: what it was sent (headers and body), answering 503 to the first `fail_first`.
mod receiver {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::routing::post;

    pub type Got = Arc<Mutex<Vec<(http::HeaderMap, String)>>>;

    pub async fn start(fail_first: usize) -> (String, Got) {
        let got = Got::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let keep = got.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: http::HeaderMap, body: String| {
                let (keep, seen) = (keep.clone(), seen.clone());
                async move {
                    keep.lock().unwrap().push((headers, body));
                    if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                        http::StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        http::StatusCode::NO_CONTENT
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, got)
    }
}

/// An organisation's webhook: made with its secret shown once, told of its notices by signed POSTs, a failed
/// delivery tried again later (the same event id), delivered ones logged, and nobody else's to read or retry.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn webhooks_are_signed_retried_and_logged(opts: PgPoolOptions, conn: PgConnectOptions) {
    use nexus::db::{self, Scope};
    use nexus::notify::webhooks;

    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    let supply = app.access_token("almacen@planta.demo").await;
    let (url, got) = receiver::start(1).await;

    // The document's pattern of an address is the server's own.
    let doc = app.get("/api/v1/openapi.json", Auth::None).await.json();
    assert_eq!(
        doc["components"]["schemas"]["WebhookInput"]["properties"]["url"]["pattern"],
        nexus::notify::rules::URL_PATTERN
    );
    // Bad input is refused per field; only those who keep the API keys keep webhooks.
    let res = app.post_json("/api/v1/webhooks", &json!({"url": "hooks.example.com"}), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"], json!([{"field": "url", "code": "url_invalid"}]));
    let res = app.post_json("/api/v1/webhooks", &json!({"url": url}), Auth::Bearer(&supply)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": url, "kinds": ["stock_low"], "description": "ERP"}),
            Auth::Bearer(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let made = res.json();
    let id = made["webhook"]["id"].as_i64().unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
    let list = app.get("/api/v1/webhooks", Auth::Bearer(&owner)).await.json();
    assert_eq!(list[0]["url"], url.as_str());
    assert!(list[0].get("secret").is_none(), "the secret is never shown again: {list}");

    // A test delivery: the receiver fails it once; it waits ~30 s, then goes again with the same event id.
    let res = app.post_json(&format!("/api/v1/webhooks/{id}/ping"), &json!({}), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
    assert_eq!(res.json()["state"], "pending");
    webhooks::deliver(&app.pool, &app.state.courier).await.unwrap();
    let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Auth::Bearer(&owner)).await.json();
    let first = &log["items"][0];
    assert_eq!(
        (first["state"].as_str(), first["attempts"].as_i64(), first["last_status"].as_i64()),
        (Some("pending"), Some(1), Some(503))
    );
    assert_eq!(first["last_error"], "answered 503");
    let next: chrono::DateTime<chrono::Utc> = first["next_at"].as_str().unwrap().parse().unwrap();
    let wait = (next - chrono::Utc::now()).num_seconds();
    assert!((20..=31).contains(&wait), "tried again in ~30 s, not {wait} s");
    // Not due yet: nothing goes.
    assert_eq!(webhooks::deliver(&app.pool, &app.state.courier).await.unwrap(), None);
    let mut tx = db::begin(&app.pool, Scope::Platform).await.unwrap();
    sqlx::query("update notify_deliveries set next_at = now()").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    webhooks::deliver(&app.pool, &app.state.courier).await.unwrap();
    {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0["x-nexus-delivery"], got[1].0["x-nexus-delivery"], "a retry is the same event");
        let (headers, body) = &got[1];
        assert_eq!(headers["x-nexus-event"], "ping");
        let signed = headers["x-nexus-signature"].to_str().unwrap();
        let t: i64 = signed.strip_prefix("t=").unwrap().split(',').next().unwrap().parse().unwrap();
        assert_eq!(signed, webhooks::signature(&secret, t, body.as_bytes()), "the signature holds with the secret");
        assert_ne!(signed, webhooks::signature("another secret", t, body.as_bytes()));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["kind"], "ping");
        assert_eq!(body["id"], headers["x-nexus-delivery"].to_str().unwrap());
    }
    let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Auth::Bearer(&owner)).await.json();
    let ping = log["items"][0].clone();
    assert_eq!((ping["state"].as_str(), ping["attempts"].as_i64()), (Some("delivered"), Some(2)));
    assert!(ping["next_at"].is_null() && ping["delivered_at"].is_string(), "{ping}");
    let res = app
        .post_json(&format!("/api/v1/webhooks/deliveries/{}/retry", ping["id"]), &json!({}), Auth::Bearer(&owner))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "a delivered one is not sent again");

    // A stock alert is told to the webhook, in the alert's transaction.
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
    webhooks::deliver(&app.pool, &app.state.courier).await.unwrap();
    {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 3);
        let body: serde_json::Value = serde_json::from_str(&got[2].1).unwrap();
        assert_eq!(body["kind"], "stock_low");
        assert_eq!(body["data"]["notice"]["sku"], "GU-1");
        assert_eq!(body["data"]["notice"]["balance"], 4.0);
        assert!(body["data"]["link"].as_str().unwrap().starts_with("/stock/"), "{body}");
    }

    // Another organisation reads, retries and deletes none of it.
    let workshop = app.access_token(WORKSHOP).await;
    let res = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Auth::Bearer(&workshop)).await;
    assert!(matches!(res.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{}", res.status);
    let other = app.access_token(WAREHOUSE).await;
    assert_eq!(
        app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Auth::Bearer(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post_json(&format!("/api/v1/webhooks/deliveries/{}/retry", ping["id"]), &json!({}), Auth::Bearer(&other))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/webhooks", Auth::Bearer(&other)).await.json(), json!([]));

    // A server that does not allow internal addresses gives up on this one at once, and says why.
    app.post_json(&format!("/api/v1/webhooks/{id}/ping"), &json!({}), Auth::Bearer(&owner)).await;
    webhooks::deliver(&app.pool, &webhooks::Courier::new(false, None)).await.unwrap();
    let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Auth::Bearer(&owner)).await.json();
    assert_eq!(log["items"][0]["state"], "failed");
    assert_eq!(log["items"][0]["last_error"], "the address is on an internal network");
    // Sent again by hand, it goes (this server allows the receiver).
    let res = app
        .post_json(
            &format!("/api/v1/webhooks/deliveries/{}/retry", log["items"][0]["id"]),
            &json!({}),
            Auth::Bearer(&owner),
        )
        .await;
    assert_eq!(res.json()["state"], "pending", "{}", res.text());
    webhooks::deliver(&app.pool, &app.state.courier).await.unwrap();
    assert_eq!(got.lock().unwrap().len(), 4);

    // A new secret signs from now on; deleting the webhook takes its log with it.
    let res = app.post_json(&format!("/api/v1/webhooks/{id}/secret"), &json!({}), Auth::Bearer(&owner)).await;
    assert_ne!(res.json()["secret"].as_str().unwrap(), secret);
    let res = app.delete(&format!("/api/v1/webhooks/{id}"), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/webhooks", Auth::Bearer(&owner)).await.json(), json!([]));
    assert_eq!(
        app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Auth::Bearer(&owner)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// A webhook deleted while a round of deliveries is calling its receiver (one that takes the connection and never
/// answers) goes at once: the round's claim is committed before it sends, so nothing waits on its rows. Once, the
/// round held them locked through every unanswered call and the delete waited out the database's lock timeout.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_webhook_is_deleted_at_once_while_its_receiver_hangs(opts: PgPoolOptions, conn: PgConnectOptions) {
    use nexus::notify::webhooks;

    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let owner = app.access_token(PLANT_OWNER).await;
    // A receiver that accepts and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let res = app.post_json("/api/v1/webhooks", &json!({"url": url}), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["webhook"]["id"].as_i64().unwrap();
    app.post_json(&format!("/api/v1/webhooks/{id}/ping"), &json!({}), Auth::Bearer(&owner)).await;
    let (pool, courier) = (app.pool.clone(), app.state.courier.clone());
    let round = tokio::spawn(async move { webhooks::deliver(&pool, &courier).await });
    // The round is calling the receiver.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let res = app.delete(&format!("/api/v1/webhooks/{id}"), Auth::Bearer(&owner)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "the delete waited {:?}", started.elapsed());
    // The round ends (its call timed out) with nothing left to record for the deleted webhook.
    round.await.unwrap().unwrap();
    held.abort();
}
