//! The request pipeline under abuse and failure: floods of made-up credentials, oversized input, and a database that
//! is down. Each answer must be the right status with a clear body, and nothing may be stored.

use axum::body::Body;
use http::{Method, StatusCode, header};
use nexus_server::http::middleware::Limits;
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::*;

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn made_up_bearer_tokens_spend_the_address_rate_limit(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::with_limits(opts, conn, Limits::new(100, 10)).await;
    let mut statuses = Vec::new();
    for i in 0..130 {
        let token = if i % 2 == 0 { format!("nxk_made-up-{i}") } else { format!("eyJ.forged.{i}") };
        statuses.push(app.get("/api/v1/auth/me", Auth::Bearer(&token)).await.status);
    }
    let unauthorized = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(unauthorized, 100, "{statuses:?}");
    assert_eq!(limited, 30, "{statuses:?}");
    let res = app.get("/api/v1/auth/me", Auth::Bearer("nxk_again")).await;
    assert!(res.header("retry-after").is_some());
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn an_overlong_login_is_refused_and_not_recorded(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    let huge = "a".repeat(1024 * 1024);
    app.post_json("/api/v1/auth/login", &json!({ "login": huge, "password": "x" }), Auth::None).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": "validation", "fields": [{ "field": "login", "code": "too_long" }] }),
    );
    assert_eq!(app.admin_sql("select 1 from audit_log").await, 0, "nothing of it reaches the audit log");
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_database_outage_is_503_not_signed_out(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let access = app.access_token(WAREHOUSE).await;
    let cookies = app.login_browser(WAREHOUSE, DEMO_PASSWORD).await;
    app.pool.close().await;
    let api = app.get("/api/v1/auth/me", Auth::Bearer(&access)).await;
    api.assert_error(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "unavailable" }));
    assert!(api.header("retry-after").is_some());
    let page = app.get("/account", Auth::Cookies(&cookies)).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.text());
    assert!(page.set_cookies().is_empty(), "the session cookies are kept: {:?}", page.set_cookies());
    let health = app.get("/api/v1/health", Auth::None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn every_operation_declares_its_security_and_keys_see_their_scope(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    let doc = app.get("/api/v1/openapi.json", Auth::None).await.json();
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");
    let mut scoped = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"].as_array().unwrap_or_else(|| panic!("{method} {path} declares no security"));
            for requirement in security {
                if let Some(scopes) = requirement.get("bearer") {
                    scoped.extend(
                        scopes.as_array().unwrap().iter().map(|s| (path.clone(), s.as_str().unwrap().to_owned())),
                    );
                }
            }
            for status in ["429", "503"] {
                assert!(op["responses"].get(status).is_some(), "{method} {path} does not document {status}");
            }
        }
    }
    assert!(scoped.contains(&("/api/v1/audit".to_owned(), "audit:read".to_owned())), "{scoped:?}");
    for (_, scope) in &scoped {
        assert!(nexus::identity::rules::auth::ApiScope::parse(scope).is_some(), "unknown scope {scope}");
    }
}

#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn server_function_arguments_that_do_not_decode_are_422(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let admin = app.login_browser(ADMIN, DEMO_PASSWORD).await;
    for fields in [
        vec![("input[user_id]", "not-a-uuid"), ("input[action]", "approve")],
        vec![("input[user_id]", "00000000-0000-0000-0000-000000000001"), ("input[action]", "explode")],
    ] {
        let res = app.post_form("/api/ui/users/update", &fields, &admin, Some(ORIGIN)).await;
        res.assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "validation", "fields": [{ "field": "input", "code": "invalid_input" }] }),
        );
    }
}

/// What a phone downloads: built assets precompressed with a year of caching when their name carries a hash, pages
/// and JSON compressed on the fly.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn assets_are_sent_precompressed_and_cached_pages_compressed(opts: PgPoolOptions, conn: PgConnectOptions) {
    let site = std::env::temp_dir().join(format!("nexus-site-{}", uuid::Uuid::new_v4()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = "nexus.0123456789abcdef.wasm";
    std::fs::write(pkg.join(wasm), b"\0asm plain").unwrap();
    std::fs::write(pkg.join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    std::fs::write(pkg.join(format!("{wasm}.gz")), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("nexus.js"), b"export default 1;").unwrap();
    let app = TestApp::with_site(opts, conn, site.to_str().unwrap()).await;
    let get = |uri: &str, encoding: Option<&str>| {
        let mut req = TestApp::request(http::Method::GET, uri);
        if let Some(e) = encoding {
            req = req.header(http::header::ACCEPT_ENCODING, e);
        }
        app.send(req.body(axum::body::Body::empty()).unwrap())
    };

    let res = get(&format!("/pkg/{wasm}"), Some("gzip, deflate, br, zstd")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-encoding"), Some("br"));
    assert_eq!(res.body, b"brotli bytes");
    assert_eq!(res.header("content-type"), Some("application/wasm"));
    assert_eq!(res.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(res.header("vary"), Some("accept-encoding"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    let res = get(&format!("/pkg/{wasm}"), Some("gzip")).await;
    assert_eq!((res.header("content-encoding"), res.body.as_slice()), (Some("gzip"), b"gzip bytes".as_slice()));
    let res = get(&format!("/pkg/{wasm}"), None).await;
    assert_eq!((res.header("content-encoding"), res.body.as_slice()), (None, b"\0asm plain".as_slice()));
    // A name without a hash may change under the same URL: revalidated, never kept blindly.
    assert_eq!(get("/pkg/nexus.js", Some("br")).await.header("cache-control"), Some("no-cache"));
    assert_eq!(get("/pkg/missing.0123456789abcdef.js", None).await.status, StatusCode::NOT_FOUND);

    // Pages and JSON are compressed when the browser accepts it, and sent plain otherwise.
    let page = get("/login", Some("br")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-encoding"), Some("br"));
    assert_eq!(get("/login", None).await.header("content-encoding"), None);
    assert_eq!(get("/api/v1/openapi.json", Some("gzip")).await.header("content-encoding"), Some("gzip"));
    std::fs::remove_dir_all(&site).unwrap();
}

/// Issue 22: a signed-out `GET /` or `/production` answered 200 with a Location header and an empty page. A page for
/// signed-in people sends everyone else to sign in (303), naming the page to return to; sign-in returns there, and
/// only to a page of ours.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn signed_out_pages_redirect_to_sign_in_and_back(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    for (page, to) in [
        ("/", "/login"),
        ("/production", "/login?next=%2Fproduction"),
        ("/inventory?sort=price", "/login?next=%2Finventory%3Fsort%3Dprice"),
    ] {
        for accept in ["text/html", "*/*"] {
            let req = TestApp::request(Method::GET, page).header(header::ACCEPT, accept).body(Body::empty()).unwrap();
            let res = app.send(req).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{page} ({accept}): {}", res.text());
            assert_eq!(res.header("location"), Some(to), "{page}");
        }
    }
    // Signing in with the page to return to goes there; a page elsewhere is not followed.
    for (next, to) in [
        ("/production", "/production"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\\\evil.example", "/"),
    ] {
        let res = app
            .send(
                TestApp::request(Method::POST, "/api/ui/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "text/html")
                    .header(header::ORIGIN, ORIGIN)
                    .body(Body::from(form_encode(&[
                        ("input[login]", PLANT_OWNER),
                        ("input[password]", DEMO_PASSWORD),
                        ("input[next]", next),
                    ])))
                    .unwrap(),
            )
            .await;
        assert_eq!(res.header("location"), Some(to), "next={next}: {} {}", res.status, res.text());
        // The browser that signed in keeps a device cookie for a year (sign-in throttling trusts it).
        let device = res.set_cookie("nexus_device").expect("a device cookie");
        assert!(device.http_only() == Some(true) && device.max_age().is_some_and(|a| a.whole_days() == 365));
    }
}

/// Issue 22: a rate-limited client sending a large body saw a broken pipe instead of its 429: the server answered and
/// closed the connection on the unread body, and the kernel reset it. The answer goes out before the body is read,
/// and the rest of the body is read and dropped, so the client finishes sending and reads its 429 and Retry-After.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn a_refused_client_still_sending_its_body_reads_its_429(opts: PgPoolOptions, conn: PgConnectOptions) {
    use std::io::{Read, Write};
    let app = TestApp::with_limits(opts, conn, Limits::new(1, 1)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app.router.clone()).into_future());
    // The minute's one request.
    assert_eq!(app.get("/api/v1/health", Auth::None).await.status, StatusCode::OK);
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let len = 8 << 20;
        write!(
            s,
            "POST /api/v1/auth/register HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
        )
        .unwrap();
        let chunk = vec![b' '; 64 << 10];
        let mut sent = 0;
        while sent < len {
            s.write_all(&chunk).map_err(|e| format!("sending the body after {sent} bytes: {e}"))?;
            sent += chunk.len();
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).map_err(|e| format!("reading the answer: {e}"))?;
            if n == 0 {
                return Err("the connection closed without an answer".to_owned());
            }
            got.extend_from_slice(&buf[..n]);
        }
        Ok::<_, String>(String::from_utf8_lossy(&got).to_lowercase())
    })
    .await
    .unwrap()
    .unwrap();
    assert!(answer.starts_with("http/1.1 429"), "{answer}");
    assert!(answer.contains("\r\nretry-after: "), "{answer}");
}

/// Read-your-writes across instances: a request that wrote gives its caller the `nexus_wrote` cookie (their reads then
/// stay on the primary until a replica holds the write); a GET, and a server function that declared itself a reader
/// (the catalog search), never do, so a caller who only reads is served by the replica.
#[sqlx::test(migrator = "nexus::db::MIGRATOR")]
async fn only_a_request_that_wrote_marks_its_caller_as_having_written(opts: PgPoolOptions, conn: PgConnectOptions) {
    let app = TestApp::new(opts, conn).await;
    app.seed_demo().await;
    let login = app
        .post_form(
            "/api/ui/login",
            &[("input[login]", WORKSHOP), ("input[password]", DEMO_PASSWORD)],
            &Cookies::default(),
            Some(ORIGIN),
        )
        .await;
    let wrote = login.set_cookie("nexus_wrote").expect("a sign-in writes a session");
    let at: i64 = wrote.value().parse().unwrap();
    assert!((chrono::Utc::now().timestamp_millis() - at).abs() < 60_000, "the time of the write: {at}");
    assert!(wrote.http_only().unwrap_or(false));
    let cookies = login.cookies().only(&["nexus_at", "nexus_rt"]);

    let page = app.get("/catalog", Auth::Cookies(&cookies)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.set_cookie("nexus_wrote").is_none(), "a page is read, not written");
    let search = app.post_form("/api/ui/catalog/search", &[("query[q]", "filtro")], &cookies, Some(ORIGIN)).await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.text());
    assert!(search.set_cookie("nexus_wrote").is_none(), "the search only reads");
    let refused = app.post_form("/api/ui/password", &[("current", "x")], &cookies, Some(ORIGIN)).await;
    assert!(refused.status.is_client_error());
    assert!(refused.set_cookie("nexus_wrote").is_none(), "a refused request wrote nothing");
}
