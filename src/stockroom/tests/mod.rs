//! Store and service tests of the stock room against real PostgreSQL (a fresh database per test): the ledger keeps
//! balances that never go negative under real concurrency (many tasks, one pool), a crossing opens one alert and one
//! notice per recipient, idempotency keys record once, reversals undo once, and the database itself refuses what the
//! application role must never do.

use std::sync::Arc;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use crate::caller::{Caller, Machine, RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, Scope};
use crate::error::Error;
use crate::identity::rules::auth::{ApiScope, Role};
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{DepartmentId, ItemId, MovementId, TenantId, UserId};
use crate::stockroom::rules::ledger::{Action, PostLine, PostRequest, Source};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::rules::{DepartmentInput, ItemInput, LevelInput};
use crate::stockroom::service::{alerts, ledger, setup};

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions, size: u32) -> PgPool {
    db::app_pool_options(opts.max_connections(size)).connect_with(conn).await.unwrap()
}

/// A plant and its people.
struct Plant {
    tenant: TenantId,
    owner: Caller,
    supply: Caller,
    operator: Caller,
    viewer: Caller,
    tools: DepartmentId,
    upkeep: DepartmentId,
}

async fn person(pool: &PgPool, tenant: TenantId, kind: TenantKind, role: Role, name: &str) -> Caller {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let id: UserId = sqlx::query_scalar(
        "insert into users (tenant_id, email, display_name, password_hash, role, status)
         values ($1, $2, $3, 'x', $4, 'active') returning id",
    )
    .bind(tenant)
    .bind(format!("{}@{}.test", name.to_lowercase().replace(' ', "."), tenant.0.simple()))
    .bind(name)
    .bind(role.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Caller::User(User {
        user_id: id,
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role,
        tenant_kind: kind,
        email: String::new(),
        display_name: name.into(),
    })
}

async fn plant(pool: &PgPool, name: &str) -> Plant {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
    )
    .bind(name)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let k = TenantKind::Manufacturer;
    let owner = person(pool, tenant, k, Role::Owner, "Dueña").await;
    let supply = person(pool, tenant, k, Role::Supply, "Almacenista").await;
    let operator = person(pool, tenant, k, Role::Operator, "Operador").await;
    let viewer = person(pool, tenant, k, Role::Viewer, "Visitante").await;
    let meta = RequestMeta::default();
    let dept = |code: &str, name: &str, self_issue| DepartmentInput {
        code: code.into(),
        name: name.into(),
        self_issue,
        archived: false,
    };
    let tools = setup::save_department(pool, &owner, &meta, None, &dept("HERR", "Herramientas", true)).await.unwrap();
    let upkeep =
        setup::save_department(pool, &owner, &meta, None, &dept("MANT", "Mantenimiento", false)).await.unwrap();
    Plant { tenant, owner, supply, operator, viewer, tools, upkeep }
}

async fn item(pool: &PgPool, p: &Plant, sku: &str, unit: Unit, levels: &[LevelInput]) -> ItemId {
    let input = ItemInput {
        sku: sku.into(),
        name: format!("Artículo {sku}"),
        description: String::new(),
        unit,
        category: None,
        unit_cost_cents: Some(1250),
        part: None,
        barcodes: vec![format!("75{sku}")],
        archived: false,
    };
    setup::save_item(pool, &p.owner, &RequestMeta::default(), None, &input, levels).await.unwrap()
}

fn line(action: Action, item: ItemId, department: DepartmentId, units: i64) -> PostLine {
    PostLine {
        action,
        item,
        department,
        quantity: Qty::units(units),
        to_department: None,
        person: None,
        reference: String::new(),
        reason: String::new(),
    }
}

fn post(lines: Vec<PostLine>) -> PostRequest {
    PostRequest { idempotency_key: Uuid::new_v4().to_string(), source: Source::Ui, note: String::new(), lines }
}

async fn balance(pool: &PgPool, caller: &Caller, item: ItemId, dept: DepartmentId) -> Qty {
    let d = setup::get(pool, caller, item).await.unwrap();
    d.places.iter().find(|p| p.department == dept).map(|p| p.balance).unwrap_or_default()
}

#[sqlx::test]
async fn a_posting_moves_stock_and_the_ledger_keeps_each_balance_with_its_history(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let wrench = item(&pool, &p, "LL-10", Unit::Piece, &[]).await;
    let oil = item(&pool, &p, "AC-15", Unit::Litre, &[]).await;
    let mut receive_oil = line(Action::Receive, oil, p.upkeep, 0);
    receive_oil.quantity = Qty(20_500);
    let before_all = chrono::Utc::now();
    let r = ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, wrench, p.tools, 10), receive_oil]))
        .await
        .unwrap();
    assert_eq!(r.movements.len(), 2);
    assert!(!r.replayed);
    let mut issue = line(Action::Issue, wrench, p.tools, 3);
    issue.person = Some(p.operator.user().unwrap().user_id);
    issue.reference = "OT-4411".into();
    let mut transfer = line(Action::Transfer, wrench, p.tools, 2);
    transfer.to_department = Some(p.upkeep);
    let mut half = line(Action::Issue, oil, p.upkeep, 0);
    half.quantity = Qty(500);
    let after_receipt = chrono::Utc::now();
    let r = ledger::post(&pool, &p.supply, &post(vec![issue, transfer, half])).await.unwrap();
    // The transfer is two movements; each says the balance right after it.
    let kinds: Vec<_> = r.movements.iter().map(|m| (m.line, m.kind.as_str(), m.balance_after)).collect();
    assert_eq!(
        kinds,
        vec![
            (1, "issue", Qty::units(7)),
            (2, "transfer_out", Qty::units(5)),
            (2, "transfer_in", Qty::units(2)),
            (3, "issue", Qty(20_000)),
        ]
    );
    assert_eq!(balance(&pool, &p.viewer, wrench, p.tools).await, Qty::units(5));
    assert_eq!(balance(&pool, &p.viewer, wrench, p.upkeep).await, Qty::units(2));
    assert_eq!(setup::get(&pool, &p.viewer, wrench).await.unwrap().item.total, Qty::units(7));
    // The history, newest first, with the running balance, who and what.
    let h = ledger::history(&pool, &p.viewer, wrench, Some(p.tools), None, None).await.unwrap();
    let seen: Vec<_> = h.items.iter().map(|e| (e.kind.as_str(), e.quantity, e.balance_after)).collect();
    assert_eq!(
        seen,
        vec![
            ("transfer_out", Qty::units(-2), Qty::units(5)),
            ("issue", Qty::units(-3), Qty::units(7)),
            ("receive", Qty::units(10), Qty::units(10)),
        ]
    );
    assert_eq!(h.items[1].person.as_deref(), Some("Operador"));
    assert_eq!((h.items[1].reference.as_str(), h.items[1].author.as_str()), ("OT-4411", "Almacenista"));
    assert_eq!(h.items[0].other_department, Some(p.upkeep));
    // Pages of one.
    let first = ledger::history(&pool, &p.viewer, wrench, None, None, Some(1)).await.unwrap();
    let second = ledger::history(&pool, &p.viewer, wrench, None, first.next.as_deref(), Some(1)).await.unwrap();
    assert!(second.items[0].id < first.items[0].id);
    // As of a past moment: before anything, nothing; after the receipt, what it brought.
    let then = ledger::balance_as_of(&pool, &p.viewer, wrench, before_all).await.unwrap();
    assert_eq!(then.total, Qty::ZERO);
    let then = ledger::balance_as_of(&pool, &p.viewer, wrench, after_receipt).await.unwrap();
    assert_eq!(then.total, Qty::units(10));
    assert_eq!(ledger::disagreements(&pool, p.tenant).await.unwrap(), 0);
    // A scanner's code, or the SKU in any case, finds the item.
    assert_eq!(setup::lookup(&pool, &p.viewer, "75LL-10").await.unwrap().item.id, wrench);
    assert_eq!(setup::lookup(&pool, &p.viewer, "ll-10").await.unwrap().item.id, wrench);
    assert!(matches!(setup::lookup(&pool, &p.viewer, "nada").await, Err(Error::NotFound)));
    // Viewers read and move nothing.
    assert!(matches!(
        ledger::post(&pool, &p.viewer, &post(vec![line(Action::Receive, wrench, p.tools, 1)])).await,
        Err(Error::Forbidden)
    ));
}

#[sqlx::test]
async fn issues_racing_for_the_last_units_never_take_a_balance_below_zero(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 20).await;
    let p = plant(&pool, "Planta Norte").await;
    let bolt = item(&pool, &p, "TOR-8", Unit::Piece, &[]).await;
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, bolt, p.tools, 100)])).await.unwrap();
    let supply = Arc::new(p.supply.clone());
    let mut tasks = Vec::new();
    for _ in 0..250 {
        let (pool, supply) = (pool.clone(), supply.clone());
        tasks.push(tokio::spawn(async move {
            ledger::post(&pool, &supply, &post(vec![line(Action::Issue, bolt, p.tools, 1)])).await
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Rejected(r)) => {
                assert_eq!(r.status, 409);
                assert_eq!(r.problem["lines"][0]["available"], serde_json::json!(0));
                refused += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((ok, refused), (100, 150));
    assert_eq!(balance(&pool, &p.viewer, bolt, p.tools).await, Qty::ZERO);
    assert_eq!(ledger::disagreements(&pool, p.tenant).await.unwrap(), 0);
}

#[sqlx::test]
async fn a_threshold_crossed_by_racing_movements_opens_one_alert_and_one_notice_per_recipient(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 20).await;
    let p = plant(&pool, "Planta Norte").await;
    let meta = RequestMeta::default();
    // Two supply people belong to the tool crib; a third, elsewhere, hears nothing.
    let second = person(&pool, p.tenant, TenantKind::Manufacturer, Role::Supply, "Segunda").await;
    let elsewhere = person(&pool, p.tenant, TenantKind::Manufacturer, Role::Supply, "Otro").await;
    for (who, dept) in [(&p.supply, p.tools), (&second, p.tools), (&elsewhere, p.upkeep)] {
        setup::set_member(&pool, &p.owner, &meta, who.user().unwrap().user_id, Some(dept)).await.unwrap();
    }
    let level = LevelInput {
        department: p.tools,
        threshold: Qty::units(50),
        reorder: Some(Qty::units(100)),
        on_order: Qty::ZERO,
    };
    let gloves = item(&pool, &p, "GU-1", Unit::Pair, &[level]).await;
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, gloves, p.tools, 100)])).await.unwrap();
    // Nothing is low: the level was set before any stock, and the receipt closed the alert that opened then.
    assert_eq!(alerts::list(&pool, &p.viewer, true, None, None).await.unwrap().items.len(), 1);
    assert_eq!(alerts::open_count(&pool, &p.viewer).await.unwrap(), 0);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (pool, supply) = (pool.clone(), p.supply.clone());
        tasks.push(tokio::spawn(async move {
            ledger::post(&pool, &supply, &post(vec![line(Action::Issue, gloves, p.tools, 1)])).await.unwrap()
        }));
    }
    let mut opened = Vec::new();
    for t in tasks {
        opened.extend(t.await.unwrap().alerts);
    }
    assert_eq!(opened.len(), 1, "exactly one posting opened it");
    let open = alerts::list(&pool, &p.viewer, false, None, None).await.unwrap().items;
    let a = open.iter().find(|a| a.closed_at.is_none()).unwrap();
    assert_eq!((a.id, a.balance_then, a.threshold), (opened[0], Qty::units(49), Qty::units(50)));
    assert_eq!(a.opened_by_author.as_deref(), Some("Almacenista"));
    // One notice for each of the tool crib's supply people; none for the one elsewhere.
    for (who, n) in [(&p.supply, 1), (&second, 1), (&elsewhere, 0), (&p.owner, 0)] {
        let inbox = crate::notify::service::inbox(&pool, who, false, None, None).await.unwrap().items;
        assert_eq!(inbox.len(), n, "{:?}", who.user().unwrap().display_name);
    }
    // Acknowledged and assigned; a delivery brings it back above: closed.
    alerts::acknowledge(&pool, &second, a.id).await.unwrap();
    let assigned = alerts::assign(&pool, &second, a.id, Some(p.supply.user().unwrap().user_id)).await.unwrap();
    assert_eq!(
        (assigned.acknowledged_by.as_deref(), assigned.assigned_name.as_deref()),
        (Some("Segunda"), Some("Almacenista"))
    );
    assert!(matches!(
        alerts::assign(&pool, &second, a.id, Some(p.viewer.user().unwrap().user_id)).await,
        Err(Error::Validation(_))
    ));
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, gloves, p.tools, 60)])).await.unwrap();
    assert_eq!(alerts::open_count(&pool, &p.viewer).await.unwrap(), 0);
    assert!(matches!(alerts::acknowledge(&pool, &second, a.id).await, Err(Error::NotFound)));
}

#[sqlx::test]
async fn an_idempotency_key_records_once_and_refuses_other_content(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 10).await;
    let p = plant(&pool, "Planta Norte").await;
    let tape = item(&pool, &p, "CI-2", Unit::Piece, &[]).await;
    let req = post(vec![line(Action::Receive, tape, p.tools, 5)]);
    // Sent five times at once (a scanner retrying): one posting, the others replay it.
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (pool, supply, req) = (pool.clone(), p.supply.clone(), req.clone());
        tasks.push(tokio::spawn(async move { ledger::post(&pool, &supply, &req).await.unwrap() }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| !r.replayed).count(), 1);
    assert!(results.iter().all(|r| r.post == results[0].post && r.movements == results[0].movements));
    assert_eq!(balance(&pool, &p.viewer, tape, p.tools).await, Qty::units(5));
    let mut other = req.clone();
    other.lines[0].quantity = Qty::units(6);
    assert!(matches!(
        ledger::post(&pool, &p.supply, &other).await,
        Err(Error::Conflict(ErrorCode::IdempotencyKeyReused))
    ));
    // A refused posting leaves its key free.
    let mut short = post(vec![line(Action::Issue, tape, p.tools, 50)]);
    assert!(matches!(ledger::post(&pool, &p.supply, &short).await, Err(Error::Rejected(_))));
    assert_eq!(ledger::post_of_key(&pool, p.tenant, &short.idempotency_key).await.unwrap(), None);
    short.lines[0].quantity = Qty::units(2);
    assert!(!ledger::post(&pool, &p.supply, &short).await.unwrap().replayed);
}

#[sqlx::test]
async fn a_reversal_undoes_a_movement_once(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let drill = item(&pool, &p, "BR-6", Unit::Piece, &[]).await;
    let got = ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, drill, p.tools, 8)])).await.unwrap();
    let mut t = line(Action::Transfer, drill, p.tools, 3);
    t.to_department = Some(p.upkeep);
    let moved = ledger::post(&pool, &p.supply, &post(vec![t])).await.unwrap();
    let undo = |reason: &str| ledger::ReverseRequest {
        idempotency_key: Uuid::new_v4().to_string(),
        source: Source::Ui,
        reason: reason.into(),
    };
    // A transfer is undone whole, from either leg.
    let r = ledger::reverse(&pool, &p.supply, moved.movements[1].id, &undo("Destino equivocado")).await.unwrap();
    assert_eq!(r.movements.len(), 2);
    assert_eq!(balance(&pool, &p.viewer, drill, p.tools).await, Qty::units(8));
    assert_eq!(balance(&pool, &p.viewer, drill, p.upkeep).await, Qty::ZERO);
    // Once; a reversal itself is not reversed.
    for id in [moved.movements[0].id, r.movements[0].id] {
        assert!(matches!(
            ledger::reverse(&pool, &p.supply, id, &undo("Otra vez")).await,
            Err(Error::Conflict(ErrorCode::AlreadyReversed))
        ));
    }
    // A receipt whose stock went out since cannot be undone: it would take the balance below zero.
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Issue, drill, p.tools, 6)])).await.unwrap();
    match ledger::reverse(&pool, &p.supply, got.movements[0].id, &undo("Recepción duplicada")).await {
        Err(Error::Rejected(r)) => assert_eq!(r.problem["lines"][0]["available"], serde_json::json!(2)),
        other => panic!("{other:?}"),
    }
    // A reason is required; another organisation's movement is not found.
    assert!(matches!(
        ledger::reverse(&pool, &p.supply, got.movements[0].id, &undo(" ")).await,
        Err(Error::Validation(_))
    ));
    let q = plant(&pool, "Planta Sur").await;
    assert!(matches!(ledger::reverse(&pool, &q.supply, got.movements[0].id, &undo("x")).await, Err(Error::NotFound)));
    assert!(matches!(ledger::reverse(&pool, &p.supply, MovementId(i64::MAX), &undo("x")).await, Err(Error::NotFound)));
    assert_eq!(ledger::disagreements(&pool, p.tenant).await.unwrap(), 0);
}

#[sqlx::test]
async fn bad_lines_are_named_by_field_and_operators_issue_only_to_themselves(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let q = plant(&pool, "Planta Sur").await;
    let rag = item(&pool, &p, "TR-1", Unit::Kg, &[]).await;
    let theirs = item(&pool, &q, "TR-1", Unit::Kg, &[]).await;
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, rag, p.tools, 10)])).await.unwrap();
    // Another organisation's item is not found here (row-level security, whatever the id).
    let mut t = line(Action::Transfer, rag, p.tools, 1);
    t.to_department = Some(p.tools);
    match ledger::post(&pool, &p.supply, &post(vec![line(Action::Issue, theirs, p.tools, 1), t])).await {
        Err(Error::Validation(f)) => {
            let fields: Vec<_> = f.iter().map(|f| (f.field.as_str(), f.code)).collect();
            assert_eq!(
                fields,
                [("lines.1.item", ErrorCode::NotFound), ("lines.2.to_department", ErrorCode::SameDepartment)]
            );
        }
        other => panic!("{other:?}"),
    }
    // An operator issues to themselves from the tool crib (it allows it), not from maintenance, not to someone else,
    // and does not receive.
    let op = p.operator.user().unwrap().user_id;
    let mine = ledger::post(&pool, &p.operator, &post(vec![line(Action::Issue, rag, p.tools, 1)])).await.unwrap();
    let h = ledger::history(&pool, &p.viewer, rag, None, None, None).await.unwrap();
    assert_eq!((h.items[0].id, h.items[0].person.as_deref()), (mine.movements[0].id, Some("Operador")));
    let mut to_other = line(Action::Issue, rag, p.tools, 1);
    to_other.person = Some(p.supply.user().unwrap().user_id);
    let mut to_me = line(Action::Issue, rag, p.tools, 1);
    to_me.person = Some(op);
    for l in [line(Action::Issue, rag, p.upkeep, 1), to_other, line(Action::Receive, rag, p.tools, 1)] {
        assert!(matches!(ledger::post(&pool, &p.operator, &post(vec![l])).await, Err(Error::Forbidden)));
    }
    ledger::post(&pool, &p.operator, &post(vec![to_me])).await.unwrap();
    // A key with stock:write moves stock and is recorded under its name.
    let key = Caller::Machine(Machine {
        key_id: Uuid::new_v4(),
        tenant_id: p.tenant,
        name: "Báscula".into(),
        scopes: vec![ApiScope::StockWrite],
        creator_role: Role::Owner,
        tenant_kind: TenantKind::Manufacturer,
    });
    ledger::post(&pool, &key, &post(vec![line(Action::Receive, rag, p.tools, 1)])).await.unwrap();
    let h = ledger::history(&pool, &p.viewer, rag, None, None, None).await.unwrap();
    assert_eq!(h.items[0].author, "Báscula");
}

#[sqlx::test]
async fn the_database_refuses_what_the_application_must_never_do(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let nut = item(&pool, &p, "TU-8", Unit::Piece, &[]).await;
    let r = ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, nut, p.tools, 4)])).await.unwrap();
    let (movement, post_id) = (r.movements[0].id.0, r.post.0);
    let refused = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
            let e = sqlx::query(sql)
                .bind(p.tenant)
                .bind(movement)
                .bind(post_id)
                .bind(nut.0)
                .bind(p.tools.0)
                .execute(&mut *tx)
                .await;
            assert!(e.is_err(), "{sql} was allowed");
        }
    };
    // The ledger is append-only; balances and alert openings are the ledger's own.
    refused("update stockroom_movements set quantity_milli = 1 where tenant_id = $1 and id = $2 and $3 > 0 and $4 > 0 and $5 > 0").await;
    refused("delete from stockroom_movements where tenant_id = $1 and id = $2 and $3 > 0 and $4 > 0 and $5 > 0").await;
    refused("delete from stockroom_posts where tenant_id = $1 and id = $3 and $2 > 0 and $4 > 0 and $5 > 0").await;
    refused("update stockroom_balances set quantity_milli = 999 where tenant_id = $1 and $2 > 0 and $3 > 0 and $4 > 0 and $5 > 0").await;
    refused(
        "insert into stockroom_balances (tenant_id, item_id, department_id, quantity_milli, last_movement, updated_at)
             select $1, $4, $5, 1, $2, now() where $3 > 0",
    )
    .await;
    refused("insert into stockroom_alerts (tenant_id, item_id, department_id, threshold_milli, balance_milli, on_order_milli, opened_at)
             select $1, $4, $5, 1, 0, 0, now() where $2 > 0 and $3 > 0").await;
    // A movement written straight into the ledger that would go below zero is refused by the balance's check.
    let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
    let e = sqlx::query(
        "insert into stockroom_movements (tenant_id, post_id, line, kind, item_id, department_id, quantity_milli)
         values ($1, $2, 1, 'issue', $3, $4, -5000)",
    )
    .bind(p.tenant)
    .bind(post_id)
    .bind(nut.0)
    .bind(p.tools.0)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(e.as_database_error().and_then(|d| d.constraint()), Some("stockroom_balances_never_negative"));
    drop(tx);
    assert_eq!(balance(&pool, &p.viewer, nut, p.tools).await, Qty::units(4));
}

#[sqlx::test]
async fn items_are_found_by_name_sku_or_barcode_and_a_barcode_names_one_item(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let meta = RequestMeta::default();
    let low = LevelInput { department: p.tools, threshold: Qty::units(5), reorder: None, on_order: Qty::ZERO };
    let a = item(&pool, &p, "LL-10", Unit::Piece, std::slice::from_ref(&low)).await;
    let b = item(&pool, &p, "LL-12", Unit::Piece, &[]).await;
    let query = |q: &str| setup::ItemsQuery { q: Some(q.into()), ..Default::default() };
    let ids = |page: crate::paging::Page<crate::stockroom::rules::views::Item>| {
        page.items.iter().map(|i| i.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(setup::items(&pool, &p.viewer, &query("ll-1")).await.unwrap()), [a, b]);
    assert_eq!(ids(setup::items(&pool, &p.viewer, &query("75LL-12")).await.unwrap()), [b]);
    assert_eq!(ids(setup::items(&pool, &p.viewer, &query("artículo ll-10")).await.unwrap()), [a]);
    let only_low = setup::ItemsQuery { low: true, ..Default::default() };
    assert_eq!(ids(setup::items(&pool, &p.viewer, &only_low).await.unwrap()), [a]);
    // The same SKU in any case, or another item's barcode, is refused by field.
    let mut dup = ItemInput {
        sku: "ll-10".into(),
        name: "Otra".into(),
        description: String::new(),
        unit: Unit::Piece,
        category: None,
        unit_cost_cents: None,
        part: None,
        barcodes: vec![],
        archived: false,
    };
    match setup::save_item(&pool, &p.owner, &meta, None, &dup, &[]).await {
        Err(Error::Validation(f)) => assert_eq!((f[0].field.as_str(), f[0].code), ("sku", ErrorCode::NameTaken)),
        other => panic!("{other:?}"),
    }
    dup.sku = "LL-14".into();
    dup.barcodes = vec!["nuevo".into(), "75LL-10".into()];
    match setup::save_item(&pool, &p.owner, &meta, None, &dup, &[]).await {
        Err(Error::Validation(f)) => assert_eq!((f[0].field.as_str(), f[0].code), ("barcodes.2", ErrorCode::NameTaken)),
        other => panic!("{other:?}"),
    }
    // Pages of one walk the list in order.
    let first =
        setup::items(&pool, &p.viewer, &setup::ItemsQuery { limit: Some(1), ..Default::default() }).await.unwrap();
    let next = setup::ItemsQuery { limit: Some(1), after: first.next.clone(), ..Default::default() };
    assert_eq!(ids(setup::items(&pool, &p.viewer, &next).await.unwrap()), [b]);
    // Supply people move stock but do not set the room up.
    assert!(matches!(setup::save_item(&pool, &p.supply, &meta, None, &dup, &[]).await, Err(Error::Forbidden)));
}

#[sqlx::test]
async fn a_stocktake_freezes_what_is_expected_and_posts_its_corrections_at_once(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::stockroom::rules::views::StocktakeStatus;
    use crate::stockroom::service::stocktake;
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let level = LevelInput { department: p.tools, threshold: Qty::units(1), reorder: None, on_order: Qty::ZERO };
    // C has a level there but no stock: it is expected at zero.
    let (a, b, _) = (
        item(&pool, &p, "A-1", Unit::Piece, &[]).await,
        item(&pool, &p, "B-1", Unit::Kg, &[]).await,
        item(&pool, &p, "C-1", Unit::Piece, &[level]).await,
    );
    let found = item(&pool, &p, "D-1", Unit::Piece, &[]).await;
    ledger::post(
        &pool,
        &p.supply,
        &post(vec![line(Action::Receive, a, p.tools, 10), line(Action::Receive, b, p.tools, 5)]),
    )
    .await
    .unwrap();
    let st = stocktake::start(&pool, &p.supply, p.tools).await.unwrap();
    let expected: Vec<_> = st.lines.iter().map(|l| (l.sku.as_str(), l.expected)).collect();
    assert_eq!(expected, [("A-1", Qty::units(10)), ("B-1", Qty::units(5)), ("C-1", Qty::ZERO)]);
    assert!(matches!(
        stocktake::start(&pool, &p.supply, p.tools).await,
        Err(Error::Conflict(ErrorCode::StocktakeOpen))
    ));
    // Stock moves while counting: 2 of A go out. The frozen expectation stays.
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Issue, a, p.tools, 2)])).await.unwrap();
    stocktake::count(&pool, &p.supply, st.id, a, Qty::units(7)).await.unwrap();
    stocktake::count(&pool, &p.supply, st.id, b, Qty::units(5)).await.unwrap();
    // An item found on the shelf that was not expected there joins the stocktake.
    let v = stocktake::count(&pool, &p.supply, st.id, found, Qty::units(2)).await.unwrap();
    let diffs: Vec<_> = v.lines.iter().map(|l| (l.sku.as_str(), l.difference)).collect();
    assert_eq!(
        diffs,
        [("A-1", Some(Qty::units(-3))), ("B-1", Some(Qty::ZERO)), ("C-1", None), ("D-1", Some(Qty::units(2)))]
    );
    assert!(matches!(
        stocktake::count(&pool, &p.supply, st.id, a, Qty(500)).await,
        Err(Error::Validation(f)) if f[0].code == ErrorCode::WholeUnits
    ));
    // Posting writes every correction in one posting: A's 8 corrected by -3 to 5, D brought to 2, nothing else.
    let key = Uuid::new_v4().to_string();
    let r = stocktake::post(&pool, &p.supply, st.id, &key).await.unwrap();
    let moved: Vec<_> = r.movements.iter().map(|m| (m.item, m.kind.as_str(), m.quantity, m.balance_after)).collect();
    assert_eq!(moved, [(a, "count", Qty::units(-3), Qty::units(5)), (found, "count", Qty::units(2), Qty::units(2))]);
    assert_eq!(stocktake::get(&pool, &p.viewer, st.id).await.unwrap().status, StocktakeStatus::Posted);
    // The same key again: the same posting; another key, or a count after it: closed.
    assert!(stocktake::post(&pool, &p.supply, st.id, &key).await.unwrap().replayed);
    assert!(matches!(
        stocktake::post(&pool, &p.supply, st.id, "otra").await,
        Err(Error::Conflict(ErrorCode::StocktakeClosed))
    ));
    assert!(matches!(
        stocktake::count(&pool, &p.supply, st.id, a, Qty::units(1)).await,
        Err(Error::Conflict(ErrorCode::StocktakeClosed))
    ));
    // A cancelled stocktake corrects nothing; viewers only read them.
    let second = stocktake::start(&pool, &p.supply, p.tools).await.unwrap();
    stocktake::count(&pool, &p.supply, second.id, a, Qty::ZERO).await.unwrap();
    assert_eq!(stocktake::cancel(&pool, &p.supply, second.id).await.unwrap().status, StocktakeStatus::Cancelled);
    assert_eq!(balance(&pool, &p.viewer, a, p.tools).await, Qty::units(5));
    assert!(matches!(stocktake::start(&pool, &p.viewer, p.tools).await, Err(Error::Forbidden)));
    assert_eq!(stocktake::list(&pool, &p.viewer).await.unwrap().len(), 2);
    assert_eq!(ledger::disagreements(&pool, p.tenant).await.unwrap(), 0);
}

#[sqlx::test]
async fn the_demo_store_room_is_built_once_through_the_ledger(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::stockroom::service::demo;
    let pool = app_pool(opts, conn, 5).await;
    crate::identity::service::demo::seed(&pool, "Admin-Passw0rd").await.unwrap();
    let started = std::time::Instant::now();
    assert!(demo::configure(&pool).await.unwrap());
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "a demo start waits for it");
    assert!(!demo::configure(&pool).await.unwrap(), "once");
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let (tenant, keeper): (TenantId, UserId) = sqlx::query_as(
        "select t.id, u.id from tenants t join users u on u.tenant_id = t.id
         where t.name = 'Planta Demo' and u.role = 'supply'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let supply = Caller::User(User {
        user_id: keeper,
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role: Role::Supply,
        tenant_kind: TenantKind::Manufacturer,
        email: String::new(),
        display_name: String::new(),
    });
    assert_eq!(ledger::disagreements(&pool, tenant).await.unwrap(), 0);
    let q = setup::ItemsQuery { limit: Some(500), ..Default::default() };
    let items = setup::items(&pool, &supply, &q).await.unwrap().items;
    assert!(items.len() >= 180, "{}", items.len());
    // Months of history: an item's first movement is about four months old, and issues name operators and orders.
    let h = ledger::history(&pool, &supply, items[0].id, None, None, Some(500)).await.unwrap().items;
    let oldest = h.last().unwrap().at;
    assert!(chrono::Utc::now() - oldest > chrono::Duration::days(100), "{oldest}");
    assert!(setup::departments(&pool, &supply).await.unwrap().len() == 3);
    // And it goes on from there: a new posting lands after the history.
    let (item, dept) = (items[0].id, setup::get(&pool, &supply, items[0].id).await.unwrap().places[0].department);
    let r = ledger::post(&pool, &supply, &post(vec![line(Action::Receive, item, dept, 1)])).await.unwrap();
    assert!(r.movements[0].at > h[0].at);
}

/// The common posting is one statement that checks its facts in the database (`stockroom_post` standing alone); where one
/// fails, or an alert opens, it gives up without keeping anything and the transactional way speaks: the same 422s per
/// field, the same notices, the same replay of a key.
#[sqlx::test]
async fn a_posting_in_one_statement_gives_up_where_the_service_must_speak(opts: PgPoolOptions, conn: PgConnectOptions) {
    // The owner's pool sees past row-level security: what was kept, whoever kept it.
    let admin = PgPoolOptions::new().max_connections(1).connect_with(conn.clone()).await.unwrap();
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let nut = item(&pool, &p, "TU-8", Unit::Piece, &[]).await;
    let oil = item(&pool, &p, "AC-1", Unit::Litre, &[]).await;
    let count = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("select count(*) from stockroom_movements").fetch_one(&pool).await.unwrap()
    };
    // A fraction of an item counted whole: named by the rules, nothing kept, no key claimed.
    let mut half = line(Action::Receive, nut, p.tools, 1);
    half.quantity = Qty(500);
    let halves = post(vec![half.clone()]);
    assert!(matches!(
        ledger::post(&pool, &p.supply, &halves).await,
        Err(Error::Validation(f)) if f[0].field == "lines.1.quantity" && f[0].code == ErrorCode::WholeUnits
    ));
    // ...while a litre and a half of oil is fine, and the same key again is the same posting.
    let mut oil_line = line(Action::Receive, oil, p.tools, 1);
    oil_line.quantity = Qty(1500);
    let req = post(vec![oil_line]);
    let first = ledger::post(&pool, &p.supply, &req).await.unwrap();
    let again = ledger::post(&pool, &p.supply, &req).await.unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.movements, again.movements);
    assert_eq!(first.movements[0].balance_after, Qty(1500));
    // An archived item is not received (it may still be issued); an archived department takes nothing.
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, nut, p.tools, 3)])).await.unwrap();
    let input = ItemInput {
        sku: "TU-8".into(),
        name: "Artículo TU-8".into(),
        description: String::new(),
        unit: Unit::Piece,
        category: None,
        unit_cost_cents: None,
        part: None,
        barcodes: Vec::new(),
        archived: true,
    };
    setup::save_item(&pool, &p.owner, &RequestMeta::default(), Some(nut), &input, &[]).await.unwrap();
    assert!(matches!(
        ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, nut, p.tools, 1)])).await,
        Err(Error::Validation(f)) if f[0].field == "lines.1.item" && f[0].code == ErrorCode::Archived
    ));
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Issue, nut, p.tools, 1)])).await.unwrap();
    let closed =
        DepartmentInput { code: "MANT".into(), name: "Mantenimiento".into(), self_issue: false, archived: true };
    setup::save_department(&pool, &p.owner, &RequestMeta::default(), Some(p.upkeep), &closed).await.unwrap();
    assert!(matches!(
        ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, oil, p.upkeep, 1)])).await,
        Err(Error::Validation(f)) if f[0].field == "lines.1.department" && f[0].code == ErrorCode::Archived
    ));
    // Three movements kept: the oil, the three nuts and the one issued.
    assert_eq!(count(admin.clone()).await, 3);
    let keys: i64 = sqlx::query_scalar("select count(*) from stockroom_posts where idempotency_key = $1")
        .bind(&halves.idempotency_key)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(keys, 0);
}

/// A store room's items that are catalog parts: which parts it holds some of (none of an archived item, none at zero),
/// and what there is of each, for its own readers only.
#[sqlx::test]
async fn the_shelf_says_which_catalog_parts_are_held_and_how_many(opts: PgPoolOptions, conn: PgConnectOptions) {
    use crate::ids::PartId;
    use crate::stockroom::service::shelf;
    let admin = PgPoolOptions::new().max_connections(1).connect_with(conn.clone()).await.unwrap();
    let pool = app_pool(opts, conn, 5).await;
    let maker: i32 =
        sqlx::query_scalar("insert into catalog_manufacturers (name, key) values ('Toyota', 'TOYOTA') returning id")
            .fetch_one(&admin)
            .await
            .unwrap();
    let mut parts = Vec::new();
    for (number, name) in
        [("04465-02220", "Pastillas de freno"), ("90915-YZZD2", "Filtro de aceite"), ("B2210", "Bujía")]
    {
        let id: i64 = sqlx::query_scalar(
            "insert into catalog_parts (manufacturer_id, number, number_key, name) values ($1, $2, $2, $3) returning id",
        )
        .bind(maker)
        .bind(number)
        .bind(name)
        .fetch_one(&admin)
        .await
        .unwrap();
        parts.push(PartId(id));
    }
    let p = plant(&pool, "Planta Norte").await;
    let q = plant(&pool, "Planta Sur").await;
    let linked = |sku: &'static str, part: PartId| ItemInput {
        sku: sku.into(),
        name: format!("Artículo {sku}"),
        description: String::new(),
        unit: Unit::Piece,
        category: None,
        unit_cost_cents: None,
        part: Some(part),
        barcodes: Vec::new(),
        archived: false,
    };
    let meta = RequestMeta::default();
    let pads = setup::save_item(&pool, &p.owner, &meta, None, &linked("PF-1", parts[0]), &[]).await.unwrap();
    let pads_too = setup::save_item(&pool, &p.owner, &meta, None, &linked("PF-2", parts[0]), &[]).await.unwrap();
    let filter = setup::save_item(&pool, &p.owner, &meta, None, &linked("FA-1", parts[1]), &[]).await.unwrap();
    let theirs = setup::save_item(&pool, &q.owner, &meta, None, &linked("BU-1", parts[2]), &[]).await.unwrap();
    ledger::post(
        &pool,
        &p.supply,
        &post(vec![line(Action::Receive, pads, p.tools, 3), line(Action::Receive, pads_too, p.upkeep, 2)]),
    )
    .await
    .unwrap();
    ledger::post(&pool, &q.supply, &post(vec![line(Action::Receive, theirs, q.tools, 5)])).await.unwrap();
    // The filter is linked but none is there: not held. The other plant's spark plug is not this plant's.
    assert_eq!(shelf::stocked_parts(&pool, &p.viewer).await.unwrap(), [parts[0]]);
    assert_eq!(shelf::stocked_parts(&pool, &q.viewer).await.unwrap(), [parts[2]]);
    let entries = shelf::of_parts(&pool, &p.viewer, &parts).await.unwrap();
    let seen: Vec<_> = entries.iter().map(|e| (e.part, e.item, e.balance)).collect();
    assert_eq!(
        seen,
        [(parts[0], pads, Qty::units(3)), (parts[0], pads_too, Qty::units(2)), (parts[1], filter, Qty::ZERO)]
    );
    assert!(shelf::of_parts(&pool, &p.viewer, &[]).await.unwrap().is_empty());
}

mod import;
