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

#[sqlx::test]
async fn notices_follow_each_persons_choice_and_each_inbox_is_its_own(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = db::app_pool_options(opts.max_connections(4)).connect_with(conn).await.unwrap();
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('manufacturer', 'Planta', 'active') returning id",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut people = Vec::new();
    for (i, name) in ["Ana", "Beto", "Carla"].into_iter().enumerate() {
        let id: UserId = sqlx::query_scalar(
            "insert into users (tenant_id, email, display_name, password_hash, role, status)
             values ($1, $2, $3, 'x', 'supply', 'active') returning id",
        )
        .bind(tenant)
        .bind(format!("p{i}@planta.test"))
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        people.push(Caller::User(User {
            user_id: id,
            tenant_id: tenant,
            session_id: Uuid::new_v4(),
            role: Role::Supply,
            tenant_kind: TenantKind::Manufacturer,
            email: String::new(),
            display_name: name.into(),
        }));
    }
    tx.commit().await.unwrap();
    let ids: Vec<UserId> = people.iter().map(|p| p.user().unwrap().user_id).collect();
    // Beto wants them by e-mail too, Carla not at all.
    service::set_preference(&pool, &people[1], Preference { kind: Kind::StockLow, channel: Channel::Email })
        .await
        .unwrap();
    service::set_preference(&pool, &people[2], Preference { kind: Kind::StockLow, channel: Channel::Off })
        .await
        .unwrap();
    assert_eq!(
        service::preferences(&pool, &people[2]).await.unwrap(),
        [Preference { kind: Kind::StockLow, channel: Channel::Off }]
    );
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
