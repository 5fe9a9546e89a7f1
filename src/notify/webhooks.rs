//! Outgoing webhooks: an organisation's endpoints (kept by whoever keeps its API keys), each told of the kinds of
//! notice it chose by a POST of JSON signed with HMAC-SHA256 (`X-Nexus-Signature: t=<unix>,v1=<hex>` over
//! `"<t>.<body>"`, Stripe's scheme, so a receiver can check it and refuse a replay), and every POST a delivery in a log
//! the organisation reads.
//!
//! A notice enqueues its deliveries in the transaction that makes it ([`announce`]); the `notify.webhooks` job (one
//! instance at a time; a round claims what is due with `skip locked` and a lease, and commits the claim before it
//! sends anything, so no row stays locked while a receiver is called) sends what is due, eight at once, each bounded by
//! [`ATTEMPT_TIMEOUT`]; a receiver that does not answer 2xx is tried again later ([`retry_in`]: 30 s, 2 min, 8 min…)
//! until `DELIVERY_ATTEMPTS`, then the delivery is failed and can be sent again by hand.
//!
//! The server calls only the internet: an address in a loopback, private or link-local network is refused when the
//! webhook is made (by number) and when it is looked up (by name, every time), unless the server's setting allows it
//! (`NEXUS_WEBHOOKS_ALLOW_INTERNAL`, for a receiver on the same network). Redirects are not followed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::audit::{self, Actor, Event};
use crate::caller::{RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::Permission;
use crate::jobs::{Job, Report};
use crate::notify::rules::{
    Body, Delivery, DeliveryState, Kind, PING, Webhook, WebhookInput, WebhookMade, names_internal, retry_in, url,
};
use crate::notify::store;
use crate::paging::{self, Limit, Page};

/// The longest one attempt waits for its receiver.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries per round, and at once.
const BATCH: i64 = 40;
const AT_ONCE: usize = 8;
/// How long a round's claim holds its deliveries: longer than the round can take (every attempt timed out, eight
/// at once), so no other round sends them meanwhile.
const LEASE: Duration = Duration::from_secs(ATTEMPT_TIMEOUT.as_secs() * (BATCH as u64 / AT_ONCE as u64 + 1) + 60);

/// How deliveries go out: one HTTP client whose lookups refuse internal addresses (unless allowed), and the public
/// origin that makes a notice's link a whole address.
#[derive(Clone)]
pub struct Courier {
    client: reqwest::Client,
    allow_internal: bool,
    origin: Option<String>,
}

impl std::fmt::Debug for Courier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Courier").field("allow_internal", &self.allow_internal).finish_non_exhaustive()
    }
}

/// The lookup of a webhook's host: its addresses, none of them internal unless allowed.
struct Lookup {
    allow_internal: bool,
}

impl reqwest::dns::Resolve for Lookup {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_internal = self.allow_internal;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let fine: Vec<SocketAddr> =
                found.into_iter().filter(|a| allow_internal || !crate::notify::rules::internal(a.ip())).collect();
            if fine.is_empty() {
                return Err(Box::new(InternalAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(fine.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the address is on an internal network")]
struct InternalAddress;

impl Courier {
    /// `allow_internal`: whether receivers on loopback or private networks may be called (tests, a closed plant).
    pub fn new(allow_internal: bool, origin: Option<String>) -> Courier {
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Nexus-Webhooks/1")
            .dns_resolver(Arc::new(Lookup { allow_internal }))
            .build()
            .expect("an HTTP client with these settings builds");
        Courier { client, allow_internal, origin }
    }
}

/// The delivery job: every 5 s.
pub fn jobs(courier: Courier) -> Vec<Job> {
    let courier = Arc::new(courier);
    vec![Job::new("notify.webhooks", Duration::from_secs(5), move |pool| {
        let c = courier.clone();
        async move { deliver(&pool, &c).await }
    })]
}

/// What a notice's deliveries to the organisation's webhooks carry (enqueued with the notice, in its transaction).
pub fn payload(body: &Body, link: &str) -> serde_json::Value {
    json!({ "notice": body, "link": link })
}

/// The `X-Nexus-Signature` of `body` sent at `t` (unix seconds).
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// How one attempt went.
struct Outcome {
    delivered: bool,
    /// Not worth trying again (the address may not be called).
    hopeless: bool,
    status: Option<i16>,
    error: Option<String>,
}

impl Courier {
    async fn attempt(&self, d: &store::DueDelivery) -> Outcome {
        let fail =
            |hopeless, status, error: &str| Outcome { delivered: false, hopeless, status, error: Some(error.into()) };
        let Ok(target) = url::Url::parse(&d.url) else {
            return fail(true, None, "not a web address");
        };
        if !self.allow_internal && names_internal(&target) {
            return fail(true, None, "the address is on an internal network");
        }
        let mut data = d.payload.clone();
        if let (Some(origin), Some(link)) = (self.origin.as_deref(), d.payload.get("link").and_then(|l| l.as_str())) {
            data["url"] = json!(url(Some(origin), link));
        }
        let body = json!({
            "id": d.event,
            "kind": d.kind,
            "created_at": d.created_at,
            "organisation": d.tenant_id,
            "data": data,
        })
        .to_string();
        let t = Utc::now().timestamp();
        let sent = self
            .client
            .post(target)
            .header("content-type", "application/json")
            .header("x-nexus-event", &d.kind)
            .header("x-nexus-delivery", d.event.to_string())
            .header("x-nexus-signature", signature(&d.secret, t, body.as_bytes()))
            .body(body)
            .send()
            .await;
        match sent {
            Ok(res) if res.status().is_success() => {
                Outcome { delivered: true, hopeless: false, status: Some(res.status().as_u16() as i16), error: None }
            }
            Ok(res) => {
                let code = res.status().as_u16();
                fail(false, Some(code as i16), &format!("answered {code}"))
            }
            Err(e) if is_internal(&e) => fail(true, None, "the address is on an internal network"),
            Err(e) if e.is_timeout() => fail(false, None, "no answer within 10 s"),
            Err(e) if e.is_connect() => fail(false, None, "could not connect"),
            Err(_) => fail(false, None, "the request failed"),
        }
    }
}

fn is_internal(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<InternalAddress>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// One round of `notify.webhooks`: what is due, sent, and how each went recorded.
pub async fn deliver(pool: &PgPool, courier: &Courier) -> Result<Report> {
    // Claimed and committed first: nothing stays locked while the receivers are called.
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let due = store::claim(&mut tx, BATCH, LEASE.as_secs_f64()).await?;
    tx.commit().await?;
    if due.is_empty() {
        return Ok(None);
    }
    let attempts = due.iter().cloned().map(|d| {
        let c = courier.clone();
        async move { c.attempt(&d).await }
    });
    let outcomes: Vec<Outcome> = futures_util::stream::iter(attempts).buffered(AT_ONCE).collect().await;
    let now = Utc::now();
    let mut a = store::Attempts {
        tenants: Vec::new(),
        ids: Vec::new(),
        states: Vec::new(),
        next_at: Vec::new(),
        statuses: Vec::new(),
        errors: Vec::new(),
    };
    let mut delivered = 0;
    for (d, o) in due.iter().zip(outcomes) {
        let again = if o.delivered || o.hopeless { None } else { retry_in(d.attempts + 1) };
        let state = match (o.delivered, again) {
            (true, _) => DeliveryState::Delivered,
            (false, Some(_)) => DeliveryState::Pending,
            (false, None) => DeliveryState::Failed,
        };
        delivered += usize::from(o.delivered);
        a.tenants.push(d.tenant_id);
        a.ids.push(d.id);
        a.states.push(state.as_str().to_owned());
        a.next_at.push(now + again.unwrap_or_default());
        a.statuses.push(o.status);
        a.errors.push(o.error);
    }
    // A delivery whose webhook was deleted meanwhile is gone: nothing to record for it.
    let mut tx = db::begin(pool, Scope::Platform).await?;
    store::record_attempts(&mut tx, &a).await?;
    tx.commit().await?;
    Ok(Some(format!("{delivered} of {} deliveries taken", due.len())))
}

fn webhook(r: store::WebhookRow) -> Result<Webhook> {
    Ok(Webhook {
        id: r.id,
        url: r.url,
        kinds: r.kinds.iter().map(|k| Kind::decode(k).map_err(Error::internal)).collect::<Result<_>>()?,
        description: r.description,
        created_at: r.created_at,
        last: r.last.as_deref().map(DeliveryState::decode).transpose().map_err(Error::internal)?,
    })
}

fn delivery(r: store::DeliveryRow) -> Result<Delivery> {
    let state = DeliveryState::decode(&r.state).map_err(Error::internal)?;
    Ok(Delivery {
        id: r.id,
        event: r.event,
        kind: r.kind,
        state,
        attempts: r.attempts,
        created_at: r.created_at,
        next_at: (state == DeliveryState::Pending).then_some(r.next_at),
        last_at: r.last_at,
        last_status: r.last_status,
        last_error: r.last_error,
        delivered_at: r.delivered_at,
    })
}

/// The organisation's webhooks, oldest first.
pub async fn list(pool: &PgPool, user: &User) -> Result<Vec<Webhook>> {
    user.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let rows = store::webhooks(&mut tx, user.tenant_id, None).await?;
    tx.commit().await?;
    rows.into_iter().map(webhook).collect()
}

/// Makes a webhook: its secret comes back this once.
pub async fn create(
    pool: &PgPool,
    courier: &Courier,
    user: &User,
    input: &WebhookInput,
    meta: &RequestMeta,
) -> Result<WebhookMade> {
    user.require(Permission::ApiKeysManage)?;
    let new = input.validate().map_err(Error::Validation)?;
    if !courier.allow_internal && names_internal(&new.url) {
        return Err(Error::field("url", ErrorCode::UrlNotAllowed));
    }
    let secret = format!("whsec_{}", crate::identity::service::auth::random_token());
    let kinds: Vec<String> = new.kinds.iter().map(|k| k.as_str().to_owned()).collect();
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let id = store::insert_webhook(
        &mut tx,
        user.tenant_id,
        new.url.as_str(),
        &secret,
        &kinds,
        &new.description,
        user.user_id,
    )
    .await?;
    let event =
        Event::new("webhook.created").target("webhook", id).after(json!({ "url": new.url.as_str(), "kinds": kinds }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    let made = store::webhooks(&mut tx, user.tenant_id, Some(id)).await?.pop().ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(WebhookMade { webhook: webhook(made)?, secret })
}

/// Deletes a webhook and its delivery log.
pub async fn delete(pool: &PgPool, user: &User, id: i64, meta: &RequestMeta) -> Result<()> {
    user.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let url = store::delete_webhook(&mut tx, user.tenant_id, id).await?.ok_or(Error::NotFound)?;
    let event = Event::new("webhook.deleted").target("webhook", id).before(json!({ "url": url }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces a webhook's secret (the old one stops signing at once): the new one comes back this once.
pub async fn replace_secret(pool: &PgPool, user: &User, id: i64, meta: &RequestMeta) -> Result<WebhookMade> {
    user.require(Permission::ApiKeysManage)?;
    let secret = format!("whsec_{}", crate::identity::service::auth::random_token());
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    if !store::set_secret(&mut tx, user.tenant_id, id, &secret).await? {
        return Err(Error::NotFound);
    }
    audit::record(&mut tx, &Actor::of(user, meta), Event::new("webhook.secret_replaced").target("webhook", id)).await?;
    let row = store::webhooks(&mut tx, user.tenant_id, Some(id)).await?.pop().ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(WebhookMade { webhook: webhook(row)?, secret })
}

/// Sends a test (`ping`) to a webhook: its delivery, sent within seconds.
pub async fn ping(pool: &PgPool, user: &User, id: i64) -> Result<Delivery> {
    user.require(Permission::ApiKeysManage)?;
    let payload = json!({ "message": "Nexus test delivery", "by": user.display_name });
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let row = store::enqueue_to(&mut tx, user.tenant_id, id, PING, &payload).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    delivery(row)
}

/// Deliveries per page.
pub const PAGE: i64 = 20;

/// A page of a webhook's delivery log, newest first.
pub async fn deliveries(
    pool: &PgPool,
    user: &User,
    id: i64,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Delivery>> {
    user.require(Permission::ApiKeysManage)?;
    let limit = Limit::new(limit, PAGE, 100)?;
    let before = paging::after::<i64>(after, ())?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    if store::webhooks(&mut tx, user.tenant_id, Some(id)).await?.is_empty() {
        return Err(Error::NotFound);
    }
    let rows = store::deliveries(&mut tx, user.tenant_id, id, before, limit.fetch()).await?;
    tx.commit().await?;
    let items = rows.into_iter().map(delivery).collect::<Result<Vec<_>>>()?;
    Ok(Page::cut(items, limit, |d: &Delivery| d.id))
}

/// Sends a delivery again now (one that failed, or one still waiting): 409 when it was delivered.
pub async fn retry(pool: &PgPool, user: &User, delivery_id: i64) -> Result<Delivery> {
    user.require(Permission::ApiKeysManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let row = store::retry(&mut tx, user.tenant_id, delivery_id).await?;
    let row = match row {
        Some(r) => r,
        None if store::delivery_exists(&mut tx, user.tenant_id, delivery_id).await? => {
            return Err(Error::Conflict(ErrorCode::Conflict));
        }
        None => return Err(Error::NotFound),
    };
    tx.commit().await?;
    delivery(row)
}
