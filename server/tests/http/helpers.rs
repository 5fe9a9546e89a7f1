//! In-process HTTP test harness: the production router (`build_router` / `build_router_with_limits`) over a fresh,
//! migrated database per test, driven with `tower::ServiceExt::oneshot`, no socket involved.
//!
//! Helpers go through the public HTTP API (REST and the browser's server functions) wherever possible; the only direct
//! database access is `TestApp::admin_sql`, a superuser connection for fixtures no endpoint can produce (ageing a
//! token past a time window).

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use nexus_app::state::{AppState, SecurityConfig};
use nexus_server::http::middleware::Limits;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt;

/// The JWT secret every test app signs with.
pub const JWT_SECRET: [u8; 32] = [7u8; 32];
/// Password of the demo accounts seeded by `TestApp::seed_demo`.
pub const DEMO_PASSWORD: &str = "Admin-Passw0rd";
/// The Host the requests claim; cookie-authenticated writes send the matching Origin.
pub const HOST: &str = "127.0.0.1:3000";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

pub const ADMIN: &str = "admin@nexus.demo";
pub const PLANT_OWNER: &str = "dueno@planta.demo";
pub const WAREHOUSE: &str = "bodega@bodega.demo";
pub const WORKSHOP: &str = "taller@taller.demo";

pub struct TestApp {
    pub router: Router,
    /// The application pool, built as production builds it (every connection runs as `nexus_app`).
    pub pool: PgPool,
    conn: PgConnectOptions,
    /// The router's state (its live hub, say).
    pub state: AppState,
    /// The listeners spawned beside the router (the catalog cache, the live hub, the session streams).
    tasks: Vec<tokio::task::AbortHandle>,
}

/// The test's database is dropped once the test returns, and PostgreSQL refuses to drop a database in use: it waits
/// 5 s for the other sessions to go, then fails (and the database stays). With this app's pool and listeners still
/// connected, every HTTP test took 5 s longer than its work (measured 2026-11-25: 58 refused drops in one run). So
/// the listeners stop and the pool closes as the app goes, while the test harness is still running its runtime.
impl Drop for TestApp {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        let pool = self.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { pool.close().await });
        }
    }
}

impl TestApp {
    /// The production router with generous rate limits.
    pub async fn new(opts: PgPoolOptions, conn: PgConnectOptions) -> Self {
        Self::build(opts, conn, None, "target/site").await
    }

    /// With inventory uploads limited to `max_bytes` and `max_rows`.
    pub async fn with_upload_limits(
        opts: PgPoolOptions,
        conn: PgConnectOptions,
        max_bytes: u64,
        max_rows: u64,
    ) -> Self {
        let mut app = Self::build(opts, conn, None, "target/site").await;
        let limits = nexus::inventory::rules::file::UploadLimits { max_bytes, max_rows };
        app.router = app.router_with(limits);
        app
    }

    /// With the built site (`pkg/` and public files) served from `site_root`.
    pub async fn with_site(opts: PgPoolOptions, conn: PgConnectOptions, site_root: &str) -> Self {
        Self::build(opts, conn, None, site_root).await
    }

    /// With outgoing mail written into `dir` as `.eml` files (`NEXUS_MAIL_DIR`).
    pub async fn with_mail_folder(opts: PgPoolOptions, conn: PgConnectOptions, dir: &std::path::Path) -> Self {
        let mut app = Self::build(opts, conn, None, "target/site").await;
        app.state.mailer = nexus::mail::Mailer::from_settings(None, Some(dir.to_owned()), None).unwrap();
        app.router = nexus_server::http::router::build_router(app.state.clone());
        app
    }

    /// The production router with the given rate limiter.
    pub async fn with_limits(opts: PgPoolOptions, conn: PgConnectOptions, limits: Arc<Limits>) -> Self {
        Self::build(opts, conn, Some(limits), "target/site").await
    }

    async fn build(opts: PgPoolOptions, conn: PgConnectOptions, limits: Option<Arc<Limits>>, site_root: &str) -> Self {
        let pool = nexus::db::app_pool_options(opts.max_connections(5)).connect_with(conn.clone()).await.unwrap();
        let auth = nexus::identity::service::auth::Auth::new(&JWT_SECRET).await.unwrap();
        let leptos_options = leptos::config::LeptosOptions::builder().output_name("nexus").site_root(site_root).build();
        let security = Arc::new(SecurityConfig {
            public_origin: None,
            secure_cookies: false,
            trust_proxy: false,
            rate_limit_per_min: 1000,
            auth_rate_limit_per_min: 1000,
            request_timeout: std::time::Duration::from_secs(30),
            wrote_cookie_secs: 7,
        });
        let catalog_cache = nexus::catalog::service::cache::SearchCache::default();
        let mut tasks = Vec::new();
        tasks.push(
            tokio::spawn(nexus::catalog::service::cache::listen(pool.clone(), catalog_cache.clone())).abort_handle(),
        );
        let upload_limits = nexus::inventory::rules::file::UploadLimits::default();
        let live = nexus::production::service::live::Live::default();
        let shop = nexus::fabrication::service::live::Live::default();
        tasks.push(tokio::spawn(shop.clone().listen_with(live.clone(), pool.clone())).abort_handle());
        let inbox = nexus::notify::live::Live::default();
        tasks.push(tokio::spawn(inbox.clone().listen(pool.clone())).abort_handle());
        let streams = nexus::identity::service::streams::Streams::default();
        tasks.push(tokio::spawn(streams.clone().watch(pool.clone())).abort_handle());
        let state = AppState {
            leptos_options,
            pool: pool.clone(),
            reads: nexus::db::reads::Reads::primary_only(pool.clone()),
            auth,
            security,
            catalog_cache,
            upload_limits,
            live,
            shop,
            inbox,
            streams,
            mailer: nexus::mail::Mailer::off(),
            // The tests' webhook receivers listen on loopback.
            courier: nexus::notify::webhooks::Courier::new(true, None),
        };
        let router = match limits {
            Some(l) => nexus_server::http::router::build_router_with_limits(state.clone(), l),
            None => nexus_server::http::router::build_router(state.clone()),
        };
        Self { router, pool, conn, state, tasks }
    }

    /// The production router over this app's state with other upload limits.
    fn router_with(&self, upload_limits: nexus::inventory::rules::file::UploadLimits) -> Router {
        nexus_server::http::router::build_router(AppState { upload_limits, ..self.state.clone() })
    }

    /// How to reach the test's database as its superuser (fixtures and checks only).
    pub fn conn(&self) -> &PgConnectOptions {
        &self.conn
    }

    /// Seeds the demo tenants and accounts (all with `DEMO_PASSWORD`).
    pub async fn seed_demo(&self) {
        nexus::identity::service::demo::seed(&self.pool, DEMO_PASSWORD).await.unwrap();
    }

    /// Runs one SQL statement as the test's superuser (bypasses row-level security). Fixtures only.
    pub async fn admin_sql(&self, sql: &str) -> u64 {
        let raw = PgPoolOptions::new().max_connections(1).connect_with(self.conn.clone()).await.unwrap();
        let n = sqlx::query(sql).execute(&raw).await.unwrap().rows_affected();
        raw.close().await;
        n
    }

    // ---- raw requests -------------------------------------------------------------------------------------------

    /// A request builder with the Host header set.
    pub fn request(method: Method, uri: &str) -> http::request::Builder {
        Request::builder().method(method).uri(uri).header(header::HOST, HOST)
    }

    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.expect("the router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        TestResponse { status, headers, body }
    }

    pub async fn get(&self, uri: &str, auth: Auth<'_>) -> TestResponse {
        self.send(auth.apply(Self::request(Method::GET, uri)).body(Body::empty()).unwrap()).await
    }

    pub async fn delete(&self, uri: &str, auth: Auth<'_>) -> TestResponse {
        self.send(auth.apply(Self::request(Method::DELETE, uri)).body(Body::empty()).unwrap()).await
    }

    /// A JSON POST as a machine client sends it (no cookies, no Origin).
    pub async fn post_json(&self, uri: &str, body: &Value, auth: Auth<'_>) -> TestResponse {
        let req = auth
            .apply(Self::request(Method::POST, uri))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        self.send(req).await
    }

    /// A JSON PUT as a machine client sends it.
    pub async fn put_json(&self, uri: &str, body: &Value, auth: Auth<'_>) -> TestResponse {
        let req = auth
            .apply(Self::request(Method::PUT, uri))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        self.send(req).await
    }

    /// A form-urlencoded POST to a server function, as the hydrated app sends it. `origin` is the Origin header to send
    /// (None: no Origin and no Referer at all).
    pub async fn post_form(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        cookies: &Cookies,
        origin: Option<&str>,
    ) -> TestResponse {
        let mut req = Self::request(Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies.header());
        }
        self.send(req.body(Body::from(form_encode(fields))).unwrap()).await
    }

    // ---- flows --------------------------------------------------------------------------------------------------

    /// REST login that must succeed; returns the token response.
    pub async fn login_rest(&self, login: &str, password: &str) -> Value {
        let res = self.try_login_rest(login, password).await;
        assert_eq!(res.status, StatusCode::OK, "login of {login} failed: {}", res.text());
        res.json()
    }

    pub async fn try_login_rest(&self, login: &str, password: &str) -> TestResponse {
        self.post_json("/api/v1/auth/login", &json!({ "login": login, "password": password }), Auth::None).await
    }

    /// REST login that must succeed; returns the access token.
    pub async fn access_token(&self, login: &str) -> String {
        self.login_rest(login, DEMO_PASSWORD).await["access_token"].as_str().unwrap().to_owned()
    }

    /// Browser login through the `/api/ui/login` server function; returns the session cookies it set.
    pub async fn login_browser(&self, login: &str, password: &str) -> Cookies {
        let res = self
            .post_form(
                "/api/ui/login",
                &[("input[login]", login), ("input[password]", password)],
                &Cookies::default(),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "browser login of {login} failed: {}", res.text());
        let jar = res.cookies();
        assert!(
            jar.get("nexus_at").is_some() && jar.get("nexus_rt").is_some(),
            "no session cookies: {:?}",
            res.headers
        );
        jar
    }

    /// Registers a workshop through the REST API (`POST /api/v1/auth/register`).
    pub async fn register(&self, email: &str, password: &str, name: &str) -> TestResponse {
        let body = json!({
            "name": name,
            "email": email,
            "password": password,
            "business_name": format!("Taller de {name}"),
            "phone": "+57 300 000 0000",
            "address": "Calle 1 # 2-3",
            "role": "workshop",
        });
        self.post_json("/api/v1/auth/register", &body, Auth::None).await
    }
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    /// `Authorization: Bearer <token>` (access JWT or `nxk_` API key).
    Bearer(&'a str),
    /// A `Cookie` header, as a browser sends it.
    Cookies(&'a Cookies),
}

impl Auth<'_> {
    fn apply(self, req: http::request::Builder) -> http::request::Builder {
        match self {
            Auth::None => req,
            Auth::Bearer(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
            Auth::Cookies(c) => req.header(header::COOKIE, c.header()),
        }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every Set-Cookie of the response, parsed.
    pub fn set_cookies(&self) -> Vec<cookie::Cookie<'static>> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| cookie::Cookie::parse(v.to_str().unwrap().to_owned()).unwrap())
            .collect()
    }

    pub fn set_cookie(&self, name: &str) -> Option<cookie::Cookie<'static>> {
        self.set_cookies().into_iter().find(|c| c.name() == name)
    }

    /// The cookies a browser would keep from this response (removals dropped).
    pub fn cookies(&self) -> Cookies {
        Cookies(
            self.set_cookies()
                .into_iter()
                .filter(|c| !c.value().is_empty())
                .map(|c| (c.name().to_owned(), c.value().to_owned()))
                .collect(),
        )
    }

    /// Asserts the status and the exact JSON body of an error.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, body: Value) {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text());
        assert_eq!(self.json(), body);
    }

    /// Asserts the answer of a server function that failed: the error's own status, the marker header Leptos sets on
    /// server-function errors, and the exact JSON body.
    #[track_caller]
    pub fn assert_server_fn_error(&self, status: StatusCode, body: Value) {
        assert!(self.header("serverfnerror").is_some(), "not a server-function error: {:?}", self.headers);
        self.assert_error(status, body);
    }

    /// Asserts a 401 with the given code.
    #[track_caller]
    pub fn assert_unauthorized(&self, code: &str) {
        self.assert_error(StatusCode::UNAUTHORIZED, json!({ "error": "unauthorized", "code": code }));
    }
}

/// A browser's cookie jar, reduced to name/value pairs.
#[derive(Debug, Clone, Default)]
pub struct Cookies(pub Vec<(String, String)>);

impl Cookies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Only the named cookies.
    pub fn only(&self, names: &[&str]) -> Cookies {
        Cookies(self.0.iter().filter(|(n, _)| names.contains(&n.as_str())).cloned().collect())
    }

    pub fn header(&self) -> String {
        self.0.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }
}

/// The multipart boundary upload bodies use.
pub const BOUNDARY: &str = "nexus-test-boundary-7d1f";

/// A multipart/form-data body as an inventory upload sends it: the file part, then text fields.
pub fn form(file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n");
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /api/v1/inventory/uploads` with a multipart body, as `token` (an access token or an API key).
pub async fn post_upload(app: &TestApp, token: &str, body: Vec<u8>) -> TestResponse {
    post_form(app, "/api/v1/inventory/uploads", token, body).await
}

/// A multipart body POSTed to `uri`, as `token`.
pub async fn post_form(app: &TestApp, uri: &str, token: &str, body: Vec<u8>) -> TestResponse {
    let req = TestApp::request(Method::POST, uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// `application/x-www-form-urlencoded` encoding.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (b as char).to_string(),
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}
