//! An order's materials against real PostgreSQL, through the stock room's own ledger: a planner's list checked
//! field by field; stock issued from the order (once per key, never below zero) and at the stock room's counter with
//! the order's code as the reference, returns and reversals, all read back as the order's consumption.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::{app_pool, plant};
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::error::Error;
use crate::ids::{DepartmentId, ItemId, OrderId};
use crate::mes::rules::orders::{IssueInput, MaterialInput, MaterialsInput, OrderInput, StageInput};
use crate::mes::rules::views::OrderMaterial;
use crate::mes::service::{materials, orders};
use crate::stockroom::rules::ledger::{Action, PostLine, PostRequest, Source};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::rules::{DepartmentInput, ItemInput};
use crate::stockroom::service::{ledger, setup};

async fn item(pool: &sqlx::PgPool, owner: &Caller, sku: &str, unit: Unit) -> ItemId {
    let input = ItemInput {
        sku: sku.into(),
        name: format!("Material {sku}"),
        description: String::new(),
        unit,
        category: None,
        unit_cost_cents: None,
        part: None,
        barcodes: vec![format!("75{sku}")],
        archived: false,
    };
    setup::save_item(pool, owner, &RequestMeta::default(), None, &input, &[]).await.unwrap()
}

fn line(action: Action, item: ItemId, department: DepartmentId, quantity: Qty, reference: &str) -> PostLine {
    PostLine {
        action,
        item,
        department,
        quantity,
        to_department: None,
        person: None,
        reference: reference.into(),
        reason: String::new(),
    }
}

fn post(lines: Vec<PostLine>) -> PostRequest {
    PostRequest { idempotency_key: Uuid::new_v4().to_string(), source: Source::Ui, note: String::new(), lines }
}

fn of(list: &[OrderMaterial], item: ItemId) -> (Qty, Qty, Qty, Qty) {
    let m = list.iter().find(|m| m.item == item).expect("the item is listed");
    (m.needed, m.consumed, m.remaining, m.on_hand)
}

fn fields(e: Error) -> Vec<(String, ErrorCode)> {
    match e {
        Error::Validation(v) => v.into_iter().map(|e| (e.field, e.code)).collect(),
        e => panic!("expected a validation error, got {e:?}"),
    }
}

#[sqlx::test]
async fn an_order_consumes_what_the_ledger_issued_to_its_code(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Materiales").await;
    let owner = super::person(&pool, p.tenant, crate::identity::rules::auth::Role::Owner, "Dueña").await;
    let dept = DepartmentInput { code: "ALM".into(), name: "Almacén".into(), self_issue: false, archived: false };
    let store = setup::save_department(&pool, &owner, &RequestMeta::default(), None, &dept).await.unwrap();
    let sheet = item(&pool, &owner, "LAM-2MM", Unit::Kg).await;
    let bolts = item(&pool, &owner, "TOR-M8", Unit::Piece).await;
    ledger::post(&pool, &owner, &post(vec![line(Action::Receive, sheet, store, Qty::units(100), "")])).await.unwrap();
    ledger::post(&pool, &owner, &post(vec![line(Action::Receive, bolts, store, Qty::units(500), "")])).await.unwrap();
    let stage = orders::save_stage(
        &pool,
        &p.master,
        None,
        &StageInput { code: "corte".into(), name: "Corte".into(), ..Default::default() },
    )
    .await
    .unwrap()
    .id;
    let input = OrderInput {
        code: "OP-77".into(),
        name: "Soportes".into(),
        product_id: None,
        quantity: 40,
        due_date: None,
        route: vec![stage],
    };
    let order: OrderId = orders::create(&pool, &p.master, &input, None).await.unwrap().order.id;
    assert!(materials::materials(&pool, &p.master, order).await.unwrap().is_empty());

    // What it needs, checked whole: an item it does not have, a fraction of a piece, an item twice.
    let need = |item, units: f64| MaterialInput { item_id: item, quantity: Qty::from_units_f64(units).unwrap() };
    let bad = MaterialsInput {
        materials: vec![need(ItemId(i64::MAX), 1.0), need(bolts, 2.5), need(sheet, 1.0), need(sheet, 2.0)],
    };
    assert_eq!(
        fields(materials::set(&pool, &p.master, order, &bad).await.unwrap_err()),
        [
            ("materials.1.item_id".into(), ErrorCode::NotFound),
            ("materials.2.quantity".into(), ErrorCode::WholeUnits),
            ("materials.4.item_id".into(), ErrorCode::Conflict),
        ]
    );
    // Operators do not plan.
    let plan = MaterialsInput { materials: vec![need(sheet, 12.5), need(bolts, 160.0)] };
    assert!(matches!(materials::set(&pool, &p.operator, order, &plan).await, Err(Error::Forbidden)));
    let m = materials::set(&pool, &p.master, order, &plan).await.unwrap();
    assert_eq!(of(&m, sheet), (Qty(12_500), Qty::ZERO, Qty(12_500), Qty::units(100)));
    // Two planners adding an item each at once from the order's page: both kept (the list is read and written under
    // the order's lock). One item's problem is the form's own field; 0 takes it off again.
    let (oil, gloves) =
        (item(&pool, &owner, "ACE-1L", Unit::Piece).await, item(&pool, &owner, "GUA-01", Unit::Piece).await);
    let (a, b) = tokio::join!(
        materials::set_item(&pool, &p.master, order, oil, Qty::units(3)),
        materials::set_item(&pool, &p.master, order, gloves, Qty::units(4)),
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(materials::materials(&pool, &p.master, order).await.unwrap().len(), 4);
    assert_eq!(
        fields(materials::set_item(&pool, &p.master, order, oil, Qty(1_500)).await.unwrap_err()),
        [("quantity".into(), ErrorCode::WholeUnits)]
    );
    for extra in [oil, gloves] {
        materials::set_item(&pool, &p.master, order, extra, Qty::ZERO).await.unwrap();
    }
    assert_eq!(materials::materials(&pool, &p.master, order).await.unwrap().len(), 2);

    // Issued from the order: the ledger's posting, under its key once.
    let issue = IssueInput {
        idempotency_key: "issue-1".into(),
        department_id: store,
        lines: vec![need(sheet, 10.0), need(bolts, 100.0)],
    };
    let m = materials::issue(&pool, &owner, order, &issue, Source::Ui).await.unwrap();
    assert_eq!(of(&m, sheet), (Qty(12_500), Qty::units(10), Qty(2_500), Qty::units(90)));
    let again = materials::issue(&pool, &owner, order, &issue, Source::Ui).await.unwrap();
    assert_eq!(of(&again, bolts), (Qty::units(160), Qty::units(100), Qty::units(60), Qty::units(400)));
    // More than there is: refused by the ledger, nothing issued.
    let greedy = IssueInput { idempotency_key: "issue-2".into(), department_id: store, lines: vec![need(sheet, 91.0)] };
    let e = materials::issue(&pool, &owner, order, &greedy, Source::Ui).await.unwrap_err();
    assert!(matches!(&e, Error::Rejected(r) if r.status == 409), "{e:?}");
    assert_eq!(of(&materials::materials(&pool, &p.master, order).await.unwrap(), sheet).1, Qty::units(10));

    // At the counter with the order's code as the reference: the order's too, an item it did not plan included;
    // another order's reference is not.
    let grease = item(&pool, &owner, "GRASA", Unit::Kg).await;
    ledger::post(&pool, &owner, &post(vec![line(Action::Receive, grease, store, Qty::units(5), "")])).await.unwrap();
    let counter = ledger::post(
        &pool,
        &owner,
        &post(vec![
            line(Action::Issue, bolts, store, Qty::units(20), "OP-77"),
            line(Action::Issue, grease, store, Qty(500), "OP-77"),
            line(Action::Issue, bolts, store, Qty::units(7), "OP-78"),
        ]),
    )
    .await
    .unwrap();
    let m = materials::materials(&pool, &p.master, order).await.unwrap();
    assert_eq!(of(&m, bolts).1, Qty::units(120));
    assert_eq!(of(&m, grease), (Qty::ZERO, Qty(500), Qty::ZERO, Qty(4_500)));
    // A return and a reversal take consumption back.
    ledger::post(&pool, &owner, &post(vec![line(Action::Return, bolts, store, Qty::units(5), "OP-77")])).await.unwrap();
    let reverse =
        ledger::ReverseRequest { idempotency_key: "rev-1".into(), source: Source::Ui, reason: "Equivocado".into() };
    ledger::reverse(&pool, &owner, counter.movements[1].id, &reverse).await.unwrap();
    let m = materials::materials(&pool, &p.master, order).await.unwrap();
    assert_eq!(of(&m, bolts), (Qty::units(160), Qty::units(115), Qty::units(45), Qty::units(378)));
    assert_eq!(of(&m, grease).1, Qty::ZERO);
    // Its journal: every movement of its code and their reversals, newest first (OP-78's not among them).
    let journal = materials::movements(&pool, &p.master, order).await.unwrap();
    assert_eq!(journal.len(), 6, "{journal:?}");
    assert!(journal[0].reverses.is_some() && journal.iter().filter(|m| m.reversed_by.is_some()).count() == 1);
    assert!(journal.iter().all(|m| m.author == "Dueña"));

    // The ledger names the order by its code: the code stays (its name may change).
    let renamed = OrderInput { code: "OP-77B".into(), name: "Soportes, lote 2".into(), ..input.clone() };
    let e = orders::update(&pool, &p.master, order, &renamed).await.unwrap_err();
    assert_eq!(fields(e), [("code".into(), ErrorCode::CodeReferenced)]);
    let renamed = OrderInput { code: "OP-77".into(), ..renamed };
    assert_eq!(orders::update(&pool, &p.master, order, &renamed).await.unwrap().order.name, "Soportes, lote 2");

    // A cancelled order takes no more.
    orders::cancel(&pool, &p.master, order).await.unwrap();
    let late = IssueInput { idempotency_key: "issue-3".into(), department_id: store, lines: vec![need(sheet, 1.0)] };
    assert_eq!(
        fields(materials::issue(&pool, &owner, order, &late, Source::Ui).await.unwrap_err()),
        [("order".into(), ErrorCode::Archived)]
    );
}
