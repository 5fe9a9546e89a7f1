//! `bench production`'s `live` section: a dashboard's live stream open while a machine posts a batch every 1.5 s;
//! from sending each batch to the `changed` event on the stream.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use leptos::config::LeptosOptions;
use nexus::identity::rules::auth::ApiScope;
use sqlx::PgPool;
use uuid::Uuid;

use super::{INGEST_PLANT, Row, bench_tenant, ingest_key, key_with, pct_ms};
use crate::config::Config;
use crate::startup;

pub(super) async fn run(cfg: &Config, bench_url: &str, owner: &PgPool) -> Result<Vec<Row>> {
    use std::io::BufRead;
    let tenant = bench_tenant(owner, INGEST_PLANT).await?;
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let state = startup::state(cfg, bench_url, options).await?;
    let ingest = ingest_key(&state.pool, tenant.id).await?;
    let reader = key_with(&state.pool, tenant.id, &[ApiScope::ProductionRead]).await?;
    let app = crate::http::router::build_router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let base = format!("http://{addr}");
    // The dashboard's side: a thread reading the stream, telling when each event arrived.
    let (events, heard) = std::sync::mpsc::channel::<(String, Instant)>();
    {
        let (base, reader) = (base.clone(), reader.clone());
        std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new().timeout_read(Duration::from_secs(120)).build();
            let Ok(res) = agent
                .get(&format!("{base}/api/v1/production/live"))
                .set("Authorization", &format!("Bearer {reader}"))
                .call()
            else {
                return;
            };
            for line in std::io::BufReader::new(res.into_reader()).lines() {
                let Ok(line) = line else { return };
                if let Some(name) = line.strip_prefix("event:")
                    && events.send((name.trim().to_owned(), Instant::now())).is_err()
                {
                    return;
                }
            }
        });
    }
    let wait = |what: &str| -> Result<Instant> {
        loop {
            let (name, at) = heard.recv_timeout(Duration::from_secs(30)).with_context(|| format!("no {what} event"))?;
            if name == what {
                return Ok(at);
            }
        }
    };
    wait("ready")?;
    let (line, product) = (tenant.lines[0].1.clone(), tenant.products[0].1.clone());
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
    let mut latencies = Vec::new();
    for n in 0..40 {
        // Beyond the stream's one-event-a-second coalescing, so each batch is its own event.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        while heard.try_recv().is_ok() {}
        let at = Utc::now() - chrono::Duration::seconds(2);
        let units: Vec<serde_json::Value> = (0..100)
            .map(|i| {
                serde_json::json!({"line": line, "area": "SAL", "product": product,
                                        "at": (at + chrono::Duration::milliseconds(i * 10)).to_rfc3339(), "good": true})
            })
            .collect();
        let body =
            serde_json::json!({"batch_id": format!("live-{}-{n}", Uuid::new_v4().simple()), "detections": units});
        let (agent, url, key) = (agent.clone(), format!("{base}/api/v1/production/detections"), ingest.clone());
        // From the moment the batch is sent: its notice goes out at commit, before the answer reaches the machine.
        let sent = Instant::now();
        tokio::task::spawn_blocking(move || {
            agent
                .post(&url)
                .set("Authorization", &format!("Bearer {key}"))
                .set("Content-Type", "application/json")
                .send_string(&body.to_string())
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await?
        .map_err(|e| anyhow::anyhow!("posting a batch: {e}"))?;
        let event = tokio::task::block_in_place(|| wait("changed"))?;
        latencies.push(event.saturating_duration_since(sent));
    }
    server.abort();
    let (p50, p95) = (pct_ms(&mut latencies, 0.5), pct_ms(&mut latencies, 0.95));
    Ok(vec![Row {
        what: format!("live: batch sent → `changed` on the stream, p50 / p95 of {}", latencies.len()),
        value: format!("{p50:.1} / {p95:.1} ms"),
        target: "p95 ≤ 5 s".into(),
        pass: Some(p95 <= 5000.0),
    }])
}
