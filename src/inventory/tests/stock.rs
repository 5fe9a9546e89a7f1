//! "My inventory" (search, sort, keyset pages, clearing) and a part's availability, through the service as the pages
//! and REST call it. Items are put in place with plain SQL in the bodega's own scope (the upload flow has its own
//! tests), so these tests say exactly what each bodega holds.

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::{app_pool, catalog, tenant};
use crate::caller::{Caller, Machine, RequestMeta, User};
use crate::db::{self, PLATFORM_TENANT, Scope};
use crate::error::Error;
use crate::identity::rules::auth::{ApiScope, Role};
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{PartId, TenantId, UserId};
use crate::inventory::rules::stock::StockSort;
use crate::inventory::service::stock::{Cleared, StockItem, StockPage, StockQuery, availability, clear, list};

/// An item to put in place: (number as written, what it is: an OEM maker's key or `aft:<brand key>`, location, price
/// in cents, stock, minimum order, minutes since it last changed).
type Put<'a> = (&'a str, &'a str, &'a str, i64, i32, Option<i32>, i32);

async fn put(pool: &PgPool, bodega: TenantId, items: &[Put<'_>]) {
    let mut tx = db::begin(pool, Scope::Tenant(bodega)).await.unwrap();
    for &(number, what, location, price, stock, moq, minutes) in items {
        let key = crate::catalog::rules::number::number_key(number);
        let (part, brand) = match what.strip_prefix("aft:") {
            Some(brand) => (None, Some(brand)),
            None => (Some(what), None),
        };
        sqlx::query(
            "insert into inventory_items (tenant_id, part_id, aftermarket_manufacturer_id, aftermarket_key, number,
                                          location, price_cents, stock, min_order_qty, updated_at)
             select $1,
                    (select p.id from catalog_parts p join catalog_manufacturers m on m.id = p.manufacturer_id
                     where $2::text is not null and m.key = $2 and p.number_key = $4),
                    (select id from catalog_manufacturers where key = $3),
                    case when $3::text is not null then $4 end,
                    $5, $6, $7, $8, $9, now() - make_interval(mins => $10)",
        )
        .bind(bodega)
        .bind(part)
        .bind(brand)
        .bind(&key)
        .bind(number)
        .bind(location)
        .bind(price)
        .bind(stock)
        .bind(moq)
        .bind(minutes)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Marks the bodega's locations confirmed `minutes` ago (as a committed upload does).
async fn confirm(pool: &PgPool, bodega: TenantId, locations: &[&str], minutes: i32) {
    let mut tx = db::begin(pool, Scope::Tenant(bodega)).await.unwrap();
    for location in locations {
        sqlx::query(
            "insert into inventory_locations (tenant_id, location, upload_id, confirmed_at)
             values ($1, $2, gen_random_uuid(), now() - make_interval(mins => $3))",
        )
        .bind(bodega)
        .bind(location)
        .bind(minutes)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// A person of `role` in `tenant`, of the kind that role is found in (an owner: a bodega's, as Norte and Sur are).
fn person(tenant: TenantId, role: Role) -> User {
    let kind = match role {
        Role::Admin => TenantKind::Platform,
        Role::Workshop => TenantKind::Workshop,
        Role::Warehouse | Role::Owner => TenantKind::Warehouse,
        _ => TenantKind::Manufacturer,
    };
    person_in(tenant, kind, role)
}

fn person_in(tenant: TenantId, tenant_kind: TenantKind, role: Role) -> User {
    User {
        user_id: UserId::new_v4(),
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role,
        tenant_kind,
        email: format!("{}@test", role.as_str()),
        display_name: String::new(),
    }
}

/// Bodega Norte's stock: seven items of five catalog items in three locations.
const NORTE: [Put<'static>; 7] = [
    ("04465-02220", "TOYOTA", "", 130_000, 5, None, 70),
    ("0446502220", "TOYOTA", "Pasillo 2", 125_000, 1, None, 60),
    ("90915-YZZD2", "TOYOTA", "", 15_000, 40, None, 50),
    ("41060-EL00A", "NISSAN", "Pasillo 2", 99_000, 3, None, 40),
    ("P 83 152", "aft:BREMBO", "", 89_900, 10, Some(2), 30),
    ("P83152", "aft:BREMBO", "Sucursal Centro", 90_500, 0, None, 20),
    ("90915 YZZD2", "NISSAN", "Sucursal Centro", 16_000, 12, None, 10),
];

fn query(sort: StockSort, desc: bool, limit: i64) -> StockQuery {
    StockQuery { sort, desc, limit: Some(limit), ..Default::default() }
}

/// Every page of the query, walked by its cursors; each page states the same total.
async fn walk(pool: &PgPool, user: &User, mut q: StockQuery) -> Vec<StockItem> {
    let mut all = Vec::new();
    let first_total = list(pool, &Caller::User(user.clone()), &q).await.unwrap().total;
    for _ in 0..20 {
        let page = list(pool, &Caller::User(user.clone()), &q).await.unwrap();
        assert!(page.page.items.len() as i64 <= q.limit.unwrap());
        assert_eq!(page.total, first_total, "every page states the same total");
        all.extend(page.page.items);
        match page.page.next {
            Some(next) => q.after = Some(next),
            None => return all,
        }
    }
    panic!("the walk does not end");
}

fn numbers(items: &[StockItem]) -> Vec<&str> {
    items.iter().map(|i| i.number.as_str()).collect()
}

#[sqlx::test]
async fn my_inventory_is_searched_sorted_and_walked_page_by_page(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let norte = tenant(&pool, "warehouse", "Bodega Norte").await;
    let sur = tenant(&pool, "warehouse", "Bodega Sur").await;
    put(&pool, norte, &NORTE).await;
    put(&pool, sur, &[("04465-02220", "TOYOTA", "", 1, 1, None, 0)]).await;
    let me = person(norte, Role::Warehouse);

    // Every order, walked two or three at a time, gives the same rows as one long page, and every row once.
    for sort in StockSort::ALL.iter().copied() {
        for desc in [false, true] {
            let whole = list(&pool, &Caller::User(me.clone()), &query(sort, desc, 200)).await.unwrap();
            assert_eq!((whole.page.items.len(), whole.total, whole.page.next.clone()), (7, 7, None), "{sort:?}");
            for limit in [2, 3] {
                assert_eq!(walk(&pool, &me, query(sort, desc, limit)).await, whole.page.items, "{sort:?} desc={desc}");
            }
        }
    }
    let prices = |items: Vec<StockItem>| items.into_iter().map(|i| i.price.cents).collect::<Vec<_>>();
    assert_eq!(
        prices(walk(&pool, &me, query(StockSort::Price, true, 3)).await),
        [130_000, 125_000, 99_000, 90_500, 89_900, 16_000, 15_000]
    );
    let stock = walk(&pool, &me, query(StockSort::Stock, false, 2)).await;
    assert_eq!(stock.iter().map(|i| i.stock).collect::<Vec<_>>(), [0, 1, 3, 5, 10, 12, 40]);
    let newest = walk(&pool, &me, query(StockSort::Updated, true, 4)).await;
    assert_eq!(
        numbers(&newest),
        ["90915 YZZD2", "P83152", "P 83 152", "41060-EL00A", "90915-YZZD2", "0446502220", "04465-02220"]
    );
    let by_location = list(&pool, &Caller::User(me.clone()), &query(StockSort::Location, false, 3)).await.unwrap();
    assert!(by_location.page.items.iter().all(|i| i.location.is_empty()), "the default location sorts first");

    // What the catalog says of each item: the OEM part's maker and name, or the aftermarket product's brand.
    let brembo = stock.iter().find(|i| i.number == "P 83 152").unwrap();
    assert_eq!(
        (brembo.brand.as_deref(), brembo.name.as_deref(), brembo.aftermarket, brembo.min_order_qty),
        (Some("Brembo"), Some("Pastillas"), true, Some(2))
    );
    let toyota = stock.iter().find(|i| i.number == "04465-02220").unwrap();
    assert_eq!(
        (toyota.brand.as_deref(), toyota.name.as_deref(), toyota.aftermarket, toyota.price.currency.as_str()),
        (Some("Toyota"), Some("Pastillas de freno delanteras"), false, "MXN")
    );

    // Searches: a number whole or in part, written any way, compared on its key; text anywhere in the location.
    let search = |number: &str, location: &str| StockQuery {
        number: Some(number.into()).filter(|n: &String| !n.is_empty()),
        location: Some(location.into()).filter(|l: &String| !l.is_empty()),
        limit: Some(50),
        ..Default::default()
    };
    let found = |page: StockPage| {
        let mut n: Vec<String> = page.page.items.into_iter().map(|i| format!("{}@{}", i.number, i.location)).collect();
        n.sort();
        (page.total, n)
    };
    assert_eq!(
        found(list(&pool, &Caller::User(me.clone()), &search("4465 022", "")).await.unwrap()),
        (2, vec!["04465-02220@".to_string(), "0446502220@Pasillo 2".to_string()]),
        "infix on the key, this bodega's items only"
    );
    assert_eq!(
        found(list(&pool, &Caller::User(me.clone()), &search("yzzd", "")).await.unwrap()).0,
        2,
        "lower case, part of the key"
    );
    assert_eq!(
        found(list(&pool, &Caller::User(me.clone()), &search("p-83", "")).await.unwrap()).0,
        2,
        "a prefix with a separator"
    );
    assert_eq!(
        found(list(&pool, &Caller::User(me.clone()), &search("", "PASILLO")).await.unwrap()).0,
        2,
        "location, any case"
    );
    assert_eq!(
        found(list(&pool, &Caller::User(me.clone()), &search("P83", "centro")).await.unwrap()),
        (1, vec!["P83152@Sucursal Centro".to_string()]),
        "both filters"
    );
    assert_eq!(
        found(list(&pool, &Caller::User(me.clone()), &search("-/", "")).await.unwrap()).0,
        7,
        "separators only: no filter"
    );
    let none = list(&pool, &Caller::User(me.clone()), &search("", "%")).await.unwrap();
    assert_eq!((none.total, none.inventory_empty), (0, false), "a wildcard is literal; the inventory is not empty");

    // The filters are walked by their cursors too.
    let mut q = search("", "o");
    q.limit = Some(1);
    q.sort = StockSort::Price;
    let walked = walk(&pool, &me, q).await;
    assert_eq!(numbers(&walked), ["90915 YZZD2", "P83152", "41060-EL00A", "0446502220"]);

    // Sur sees its own item only; a workshop or a plant's manager has no inventory to list.
    let sur_page =
        list(&pool, &Caller::User(person(sur, Role::Warehouse)), &query(StockSort::Number, false, 50)).await.unwrap();
    assert_eq!((sur_page.total, sur_page.page.items[0].price.cents), (1, 1));
    for role in [Role::Workshop, Role::Manager, Role::Viewer, Role::Admin] {
        let refused = list(&pool, &Caller::User(person(norte, role)), &StockQuery::default()).await;
        assert!(matches!(refused, Err(Error::Forbidden)), "{role:?}");
    }
    // A hostile search is the caller's input error.
    let long = StockQuery { number: Some("9".repeat(41)), ..Default::default() };
    assert!(matches!(list(&pool, &Caller::User(me.clone()), &long).await, Err(Error::Validation(_))));
    let control = StockQuery { location: Some("a\0b".into()), ..Default::default() };
    assert!(matches!(list(&pool, &Caller::User(me.clone()), &control).await, Err(Error::Validation(_))));
    // So is a cursor of another order (a location's cursor, the default location's, for the price order).
    let by_location =
        list(&pool, &Caller::User(me.clone()), &query(StockSort::Location, false, 2)).await.unwrap().page.next;
    let mixed = StockQuery { sort: StockSort::Price, after: by_location, ..Default::default() };
    assert!(
        matches!(list(&pool, &Caller::User(me.clone()), &mixed).await, Err(Error::Validation(f)) if f[0].field == "after")
    );
}

#[sqlx::test]
async fn clearing_empties_the_bodegas_inventory_only_in_one_audited_step(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let norte = tenant(&pool, "warehouse", "Bodega Norte").await;
    let sur = tenant(&pool, "warehouse", "Bodega Sur").await;
    put(&pool, norte, &NORTE).await;
    confirm(&pool, norte, &["", "Pasillo 2", "Sucursal Centro"], 5).await;
    put(&pool, sur, &NORTE[..2]).await;
    confirm(&pool, sur, &["", "Pasillo 2"], 5).await;
    let me = person(norte, Role::Warehouse);
    let meta = RequestMeta { request_id: "req-1".into(), ..Default::default() };

    // Only those who manage the inventory clear it.
    for role in [Role::Workshop, Role::Manager] {
        assert!(matches!(clear(&pool, &person(norte, role), &meta).await, Err(Error::Forbidden)), "{role:?}");
    }
    assert_eq!(list(&pool, &Caller::User(me.clone()), &StockQuery::default()).await.unwrap().total, 7);

    assert_eq!(clear(&pool, &me, &meta).await.unwrap(), Cleared { items: 7, locations: 3 });
    let empty = list(&pool, &Caller::User(me.clone()), &StockQuery::default()).await.unwrap();
    assert_eq!((empty.total, empty.page.items.len(), empty.inventory_empty), (0, 0, true));
    let mut tx = db::begin(&pool, Scope::Tenant(norte)).await.unwrap();
    let locations: i64 =
        sqlx::query_scalar("select count(*) from inventory_locations").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(locations, 0);
    let audit: Vec<(String, Option<UserId>, serde_json::Value, Option<String>)> = sqlx::query_as(
        "select action, actor_user_id, before, request_id from audit_log where action like 'inventory.%'",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert_eq!(
        audit,
        [(
            "inventory.cleared".into(),
            Some(me.user_id),
            serde_json::json!({ "items": 7, "locations": 3 }),
            Some("req-1".into())
        )]
    );
    drop(tx);

    // The other bodega keeps every item and location; clearing an empty inventory again is harmless.
    let sur_page = list(&pool, &Caller::User(person(sur, Role::Owner)), &StockQuery::default()).await.unwrap();
    assert_eq!(sur_page.total, 2);
    let mut tx = db::begin(&pool, Scope::Tenant(sur)).await.unwrap();
    let locations: i64 =
        sqlx::query_scalar("select count(*) from inventory_locations").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(locations, 2);
    drop(tx);
    assert_eq!(clear(&pool, &me, &meta).await.unwrap(), Cleared { items: 0, locations: 0 });
}

fn key(tenant_kind: TenantKind, creator_role: Role, scopes: &[ApiScope]) -> Caller {
    Caller::Machine(Machine {
        key_id: Uuid::new_v4(),
        tenant_id: TenantId::new_v4(),
        name: "erp".into(),
        scopes: scopes.to_vec(),
        creator_role,
        tenant_kind,
    })
}

#[sqlx::test]
async fn availability_offers_active_bodegas_stock_to_those_who_may_compare_it(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let norte = tenant(&pool, "warehouse", "Bodega Norte").await;
    let sur = tenant(&pool, "warehouse", "Bodega Sur").await;
    let taller = tenant(&pool, "workshop", "Taller Demo").await;
    put(&pool, norte, &NORTE).await;
    confirm(&pool, norte, &[""], 180).await;
    put(&pool, sur, &[("04465-02220", "TOYOTA", "Centro", 128_000, 2, Some(1), 30)]).await;
    let pads = PartId({
        let mut tx = db::begin(&pool, Scope::Tenant(taller)).await.unwrap();
        sqlx::query_scalar::<_, i64>("select id from catalog_parts where number_key = '0446502220'")
            .fetch_one(&mut *tx)
            .await
            .unwrap()
    });

    let workshop = Caller::User(person(taller, Role::Workshop));
    let offers = availability(&pool, &workshop, pads).await.unwrap();
    let seen: Vec<(&str, &str, &str, bool, &str, i64, i32)> = offers
        .iter()
        .map(|o| {
            (
                o.bodega.as_str(),
                o.location.as_str(),
                o.number.as_str(),
                o.aftermarket,
                o.brand.as_str(),
                o.price.cents,
                o.stock,
            )
        })
        .collect();
    // Cheapest first: the Brembo pads that replace the part, then the part itself; nothing out of stock (Norte's
    // P83152 at Sucursal Centro has none).
    assert_eq!(
        seen,
        [
            ("Bodega Norte", "", "P 83 152", true, "Brembo", 89_900, 10),
            ("Bodega Norte", "Pasillo 2", "0446502220", false, "Toyota", 125_000, 1),
            ("Bodega Sur", "Centro", "04465-02220", false, "Toyota", 128_000, 2),
            ("Bodega Norte", "", "04465-02220", false, "Toyota", 130_000, 5),
        ]
    );
    // How fresh: a confirmed location says when its last upload was; otherwise the item's last change.
    let age = |o: &crate::inventory::service::stock::Offer| (chrono::Utc::now() - o.confirmed_at).num_minutes();
    assert_eq!(offers.iter().map(age).collect::<Vec<_>>(), [180, 60, 30, 180]);

    // A workshop's owner, a plant's owner and platform admins see the same; a machine passes with catalog:read
    // minted by such a role.
    for caller in [
        Caller::User(person_in(taller, TenantKind::Workshop, Role::Owner)),
        Caller::User(person_in(TenantId::new_v4(), TenantKind::Manufacturer, Role::Owner)),
        Caller::User(person(PLATFORM_TENANT, Role::Admin)),
        key(TenantKind::Workshop, Role::Owner, &[ApiScope::CatalogRead]),
        key(TenantKind::Workshop, Role::Workshop, &[ApiScope::CatalogRead]),
    ] {
        assert_eq!(availability(&pool, &caller, pads).await.unwrap(), offers, "{caller:?}");
    }
    // A bodega's staff and its owner (their competitors' prices), other roles, keys without the scope or minted in
    // a bodega: refused.
    for caller in [
        Caller::User(person(norte, Role::Warehouse)),
        Caller::User(person(norte, Role::Owner)),
        Caller::User(person(taller, Role::Manager)),
        Caller::User(person(taller, Role::Viewer)),
        key(TenantKind::Warehouse, Role::Warehouse, &[ApiScope::CatalogRead]),
        key(TenantKind::Warehouse, Role::Owner, &[ApiScope::CatalogRead]),
        key(TenantKind::Workshop, Role::Owner, &[ApiScope::InventoryWrite, ApiScope::AuditRead]),
    ] {
        assert!(matches!(availability(&pool, &caller, pads).await, Err(Error::Forbidden)), "{caller:?}");
    }
    // An unknown part is not found; a part nobody stocks has no offers.
    assert!(matches!(availability(&pool, &workshop, PartId(999_999)).await, Err(Error::NotFound)));
    let nissan_pads = PartId({
        let mut tx = db::begin(&pool, Scope::Tenant(taller)).await.unwrap();
        sqlx::query_scalar::<_, i64>("select id from catalog_parts where number_key = '41060EL00A'")
            .fetch_one(&mut *tx)
            .await
            .unwrap()
    });
    assert_eq!(availability(&pool, &workshop, nissan_pads).await.unwrap().len(), 1);
    clear(&pool, &person(norte, Role::Warehouse), &RequestMeta::default()).await.unwrap();
    assert!(availability(&pool, &workshop, nissan_pads).await.unwrap().is_empty());
}
