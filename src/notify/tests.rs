//! The notification centre against real PostgreSQL: notices follow each person's choice, the inbox is one's own,
//! read marks and counts hold, and a notice is sent only with the transaction that tells of it.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use crate::caller::{Caller, User};
use crate::db::{self, Scope};
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{TenantId, UserId};
use crate::notify::rules::{Body, Channel, Kind, Preference};
use crate::notify::service;

fn body(n: usize) -> Body {
    Body::StockLow {
        sku: format!("SKU-{n}"),
        item: "Guantes".into(),
        department: "Herramientas".into(),
        balance: 4.0,
        threshold: 5.0,
        unit: "pair".into(),
        by: Some("Almacenista".into()),
    }
}

/// A plant and its supply people (e-mail, name), made in the platform's scope: the plant, the people as callers,
/// and their ids.
async fn plant<'a>(
    pool: &sqlx::PgPool,
    people: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (TenantId, Vec<Caller>, Vec<UserId>) {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('manufacturer', 'Planta', 'active') returning id",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut callers = Vec::new();
    for (email, name) in people {
        let id: UserId = sqlx::query_scalar(
            "insert into users (tenant_id, email, display_name, password_hash, role, status)
             values ($1, $2, $3, 'x', 'supply', 'active') returning id",
        )
        .bind(tenant)
        .bind(email)
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        callers.push(Caller::User(User {
            user_id: id,
            tenant_id: tenant,
            session_id: Uuid::new_v4(),
            role: Role::Supply,
            tenant_kind: TenantKind::Manufacturer,
            email: email.into(),
            display_name: name.into(),
        }));
    }
    tx.commit().await.unwrap();
    let ids = callers.iter().map(|p| p.user().unwrap().user_id).collect();
    (tenant, callers, ids)
}

#[sqlx::test]
async fn notices_follow_each_persons_choice_and_each_inbox_is_its_own(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = db::app_pool_options(opts.max_connections(4)).connect_with(conn).await.unwrap();
    let people = ["p0@planta.test", "p1@planta.test", "p2@planta.test"].into_iter().zip(["Ana", "Beto", "Carla"]);
    let (tenant, people, ids) = plant(&pool, people).await;
    // Beto wants them by e-mail too, Carla not at all.
    service::set_preference(&pool, &people[1], Preference { kind: Kind::StockLow, channel: Channel::Email })
        .await
        .unwrap();
    service::set_preference(&pool, &people[2], Preference { kind: Kind::StockLow, channel: Channel::Off })
        .await
        .unwrap();
    // Every kind is listed: the one chosen as chosen, the others at their default (in the app).
    let chosen = service::preferences(&pool, &people[2]).await.unwrap();
    assert_eq!(chosen.len(), Kind::ALL.len());
    assert_eq!(chosen[0], Preference { kind: Kind::StockLow, channel: Channel::Off });
    assert!(chosen[1..].iter().all(|p| p.channel == Channel::App), "{chosen:?}");
    // A notice sent in a transaction that rolls back never arrives.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    assert_eq!(service::send(&mut tx, tenant, &ids, &body(0), "/stock/alerts").await.unwrap(), 2);
    drop(tx);
    assert_eq!(service::unread(&pool, &people[0]).await.unwrap(), 0);
    for n in 1..=3 {
        let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
        service::send(&mut tx, tenant, &ids, &body(n), "/stock/alerts").await.unwrap();
        tx.commit().await.unwrap();
    }
    let counts = [
        service::unread(&pool, &people[0]).await.unwrap(),
        service::unread(&pool, &people[1]).await.unwrap(),
        service::unread(&pool, &people[2]).await.unwrap(),
    ];
    assert_eq!(counts, [3, 3, 0]);
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let by_mail: Vec<(UserId, i64)> =
        sqlx::query_as("select user_id, count(*) from notify_inbox where by_mail group by user_id")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(by_mail, [(ids[1], 3)]);
    // Newest first, by pages; marking one read, then all.
    let page = service::inbox(&pool, &people[0], false, None, Some(2)).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(matches!(&page.items[0].body, Body::StockLow { sku, .. } if sku == "SKU-3"));
    let rest = service::inbox(&pool, &people[0], false, page.next.as_deref(), Some(2)).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(service::mark_read(&pool, &people[0], Some(&[page.items[0].id])).await.unwrap(), 1);
    assert_eq!(service::unread(&pool, &people[0]).await.unwrap(), 2);
    // Someone else's notice is not marked by another person.
    assert_eq!(service::mark_read(&pool, &people[1], Some(&[page.items[1].id])).await.unwrap(), 0);
    assert_eq!(service::mark_read(&pool, &people[0], None).await.unwrap(), 2);
    assert_eq!(service::unread(&pool, &people[0]).await.unwrap(), 0);
    assert_eq!(service::unread(&pool, &people[1]).await.unwrap(), 3);
    assert!(service::inbox(&pool, &people[0], true, None, None).await.unwrap().items.is_empty());
}

/// A real SMTP server on loopback (mailin): what it was sent, as `(to, message)`; it refuses any address with
/// "refused" in it, as a mail server refuses an unknown mailbox.
mod smtp {
    use std::sync::{Arc, Mutex};

    use mailin_embedded::{Handler, Response, Server, SslConfig, response};

    pub type Inbox = Arc<Mutex<Vec<(String, String)>>>;

    #[derive(Clone, Default)]
    struct Catch {
        inbox: Inbox,
        to: Vec<String>,
        data: Vec<u8>,
    }

    impl Handler for Catch {
        fn rcpt(&mut self, to: &str) -> Response {
            if to.contains("refused") { response::NO_MAILBOX } else { response::OK }
        }
        fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
            self.to = to.to_vec();
            self.data.clear();
            response::OK
        }
        fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
            self.data.extend_from_slice(buf);
            Ok(())
        }
        fn data_end(&mut self) -> Response {
            let text = String::from_utf8_lossy(&self.data).into_owned();
            let mut inbox = self.inbox.lock().unwrap();
            for to in &self.to {
                inbox.push((to.clone(), text.clone()));
            }
            response::OK
        }
    }

    /// Starts one on a free loopback port: its port and what it receives.
    pub fn start() -> (u16, Inbox) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Inbox::default();
        let mut server = Server::new(Catch { inbox: inbox.clone(), ..Catch::default() });
        server.with_name("smtp.test").with_ssl(SslConfig::None).unwrap().with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve().map_err(|e| e.to_string());
        });
        (port, inbox)
    }
}

fn render(lang: crate::notify::rules::Language, body: &Body) -> String {
    match body {
        Body::StockLow { sku, .. } => format!("{lang:?}: {sku} low"),
        Body::TaskAssigned { title, .. } | Body::TaskChanged { title, .. } | Body::TaskMentioned { title, .. } => {
            format!("{lang:?}: {title}")
        }
        Body::PartChanged { name, .. } | Body::ClaimExpired { name, .. } => format!("{lang:?}: {name}"),
    }
}

/// A message as read: its quoted-printable body decoded.
fn plain(message: &str) -> String {
    let bytes = quoted_printable::decode(message.as_bytes(), quoted_printable::ParseMode::Robust).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[sqlx::test]
async fn notices_chosen_by_mail_and_the_daily_digest_go_through_a_real_smtp_server(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use chrono::{Duration, TimeZone, Utc};

    use crate::notify::mail::{self, Outbox};
    use crate::notify::rules::{Language, MailSettings};

    let pool = db::app_pool_options(opts.max_connections(4)).connect_with(conn).await.unwrap();
    let (port, received) = smtp::start();
    let outbox = Outbox {
        mailer: crate::mail::Mailer::from_settings(Some(&format!("smtp://127.0.0.1:{port}")), None, None).unwrap(),
        origin: None,
        render,
    };
    let people = [("ana@planta.test", "Ana"), ("refused@planta.test", "Beto"), ("carla@planta.test", "Carla")];
    let (tenant, people, ids) = plant(&pool, people).await;
    // Ana and Beto want the notices by e-mail, Ana in English (as her app is); Carla wants the daily digest, in UTC.
    for p in &people[..2] {
        service::set_preference(&pool, p, Preference { kind: Kind::StockLow, channel: Channel::Email }).await.unwrap();
    }
    service::remember(&pool, &people[0], Language::En, Some("America/Bogota"), Some("https://planta.example"))
        .await
        .unwrap();
    let digest = MailSettings { language: Language::Es, time_zone: "UTC".into(), digest: true };
    assert_eq!(service::set_mail_settings(&pool, &people[2], &digest, None).await.unwrap(), digest);
    // A zone nobody knows is refused on its field, and nothing changes.
    let bad = MailSettings { time_zone: "Mars/Olympus".into(), ..digest.clone() };
    assert!(matches!(
        service::set_mail_settings(&pool, &people[2], &bad, None).await,
        Err(crate::error::Error::Validation(e)) if e[0].field == "time_zone"
    ));
    assert_eq!(service::mail_settings(&pool, &people[2]).await.unwrap(), digest);

    for n in 1..=2 {
        let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
        service::send(&mut tx, tenant, &ids, &body(n), "/stock/alerts").await.unwrap();
        tx.commit().await.unwrap();
    }
    mail::notices(&pool, &outbox).await.unwrap();
    {
        let got = received.lock().unwrap();
        let to_ana: Vec<String> = got.iter().filter(|(to, _)| to == "ana@planta.test").map(|(_, m)| plain(m)).collect();
        assert_eq!(to_ana.len(), 2, "{got:?}");
        assert!(to_ana.iter().any(|m| m.contains("Subject: Nexus: En: SKU-1 low")), "{to_ana:?}");
        assert!(to_ana[0].contains("https://planta.example/stock/alerts"), "{}", to_ana[0]);
        assert!(got.iter().all(|(to, _)| to == "ana@planta.test"), "Beto's address is refused, Carla chose the app");
    }
    // Mailed notices are not mailed again; the refused ones are tried again, up to the limit, then left.
    for _ in 0..6 {
        mail::notices(&pool, &outbox).await.unwrap();
    }
    assert_eq!(received.lock().unwrap().len(), 2);
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let attempts: Vec<(bool, i16)> = sqlx::query_as(
        "select mailed_at is not null, mail_attempts from notify_inbox where by_mail order by user_id = $1 desc, id",
    )
    .bind(ids[0])
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert_eq!(attempts, [(true, 0), (true, 0), (false, mail::ATTEMPTS), (false, mail::ATTEMPTS)]);
    // The notices came at 05:00 (UTC) of a day; Carla's digest is not due before 07:00 of her day.
    let day = Utc::now().date_naive() + Duration::days(1);
    let at = |d: chrono::NaiveDate, h: u32, m: u32| Utc.from_utc_datetime(&d.and_hms_opt(h, m, 0).unwrap());
    sqlx::query("update notify_inbox set created_at = $1").bind(at(day, 5, 0)).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    received.lock().unwrap().clear();
    assert_eq!(mail::digests(&pool, &outbox, at(day, 6, 59)).await.unwrap(), None);
    mail::digests(&pool, &outbox, at(day, 7, 5)).await.unwrap();
    {
        let got = received.lock().unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        let (to, m) = (&got[0].0, plain(&got[0].1));
        assert_eq!(to, "carla@planta.test");
        assert!(m.contains("Subject: Nexus: 2 avisos sin leer"), "{m}");
        assert!(m.contains("05:00 · Es: SKU-2 low") && m.contains("05:00 · Es: SKU-1 low"), "{m}");
    }
    // Once a day: later the same day nothing goes; the next day, only what came since (and is unread).
    assert_eq!(mail::digests(&pool, &outbox, at(day, 18, 0)).await.unwrap(), None);
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    service::send(&mut tx, tenant, &ids[2..], &body(3), "/stock/alerts").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update notify_inbox set created_at = $1 where params->>'sku' = 'SKU-3'")
        .bind(at(day, 20, 0))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    mail::digests(&pool, &outbox, at(day + Duration::days(1), 7, 1)).await.unwrap();
    let got = received.lock().unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    let m = plain(&got[1].1);
    assert!(m.contains("Subject: Nexus: 1 aviso sin leer") && m.contains("SKU-3") && !m.contains("SKU-1"), "{m}");
}

/// A person's test of a webhook is claimed before a backlog of deliveries to receivers that do not answer (CI once
/// waited 30 s for a test behind the deliveries schemathesis's webhooks had piled up).
#[sqlx::test]
async fn a_test_delivery_is_claimed_before_a_backlog(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = db::app_pool_options(opts.max_connections(3)).connect_with(conn).await.unwrap();
    let (tenant, _, _) = plant(&pool, [("a@planta.test", "Ana")]).await;
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let hooks: Vec<i64> = sqlx::query_scalar(
        "insert into notify_webhooks (tenant_id, url, secret, kinds, description, created_by)
         select $1, 'https://hooks.example.com/' || n, repeat('s', 40), '{}', '', (select id from users limit 1)
         from generate_series(1, 2) n returning id",
    )
    .bind(tenant)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "insert into notify_deliveries (tenant_id, webhook_id, kind, payload, next_at)
         select $1, $2, 'stock_low', '{}', now() - interval '1 hour' from generate_series(1, 60)",
    )
    .bind(tenant)
    .bind(hooks[0])
    .execute(&mut *tx)
    .await
    .unwrap();
    let ping: i64 = sqlx::query_scalar(
        "insert into notify_deliveries (tenant_id, webhook_id, kind, payload) values ($1, $2, 'ping', '{}') returning id",
    )
    .bind(tenant)
    .bind(hooks[1])
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let claimed = crate::notify::store::claim(&mut tx, 10, 60.0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 10);
    assert_eq!(claimed.iter().filter(|d| d.id == ping).count(), 1, "the test is among the first claimed");
}
