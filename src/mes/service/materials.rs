//! An order's materials: what it needs from the stock room (a planner's list), what it consumed, and stock issued to
//! it. The stock room's ledger is the one record of stock: an issue to an order is a posting of the ledger whose lines
//! name the order's code as their reference (made here from the order's page or over REST, or at the stock room's
//! counter with the order's code scanned or typed as the reference), checked, kept from going below zero and
//! reversible there; the order reads its consumption back from the ledger. Nothing about stock is kept twice.

use crate::caller::Caller;
use crate::codes::{ErrorCode, FieldError};
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{ItemId, OrderId, TenantId};
use crate::mes::rules::facts::OrderState;
use crate::mes::rules::orders::{IssueInput, MATERIALS_MAX, MaterialInput, MaterialsInput};
use crate::mes::rules::views::{OrderMaterial, OrderMovement};
use crate::mes::store::materials as store;
use crate::stockroom::rules::ledger::{Action, MovementKind, PostLine, PostRequest, Source};
use crate::stockroom::rules::quantity::{Qty, Unit, check_moved};

/// What order `id` (its code `code`) needs and consumed, by item.
pub(crate) async fn of_order(tx: &mut Tx, tenant: TenantId, id: i64, code: &str) -> Result<Vec<OrderMaterial>> {
    store::materials(tx, tenant, id, code)
        .await?
        .into_iter()
        .map(|r| {
            let (needed, consumed) = (Qty(r.needed), Qty(r.consumed));
            Ok(OrderMaterial {
                item: ItemId(r.item_id),
                sku: r.sku,
                name: r.name,
                unit: Unit::decode(&r.unit).map_err(Error::internal)?,
                needed,
                consumed,
                remaining: Qty((needed.0 - consumed.0).max(0)),
                on_hand: Qty(r.on_hand),
            })
        })
        .collect()
}

/// The movements an order's page and REST list, newest first.
pub const MOVEMENTS_SHOWN: i64 = 200;

/// Order `code`'s movements in the ledger, newest first (the latest [`MOVEMENTS_SHOWN`]).
pub(crate) async fn movements_of(tx: &mut Tx, tenant: TenantId, code: &str) -> Result<Vec<OrderMovement>> {
    store::movements(tx, tenant, code, MOVEMENTS_SHOWN)
        .await?
        .into_iter()
        .map(|r| {
            Ok(OrderMovement {
                id: r.id,
                kind: MovementKind::decode(&r.kind).map_err(Error::internal)?,
                item: ItemId(r.item_id),
                sku: r.sku,
                name: r.name,
                unit: Unit::decode(&r.unit).map_err(Error::internal)?,
                department: r.department,
                quantity: Qty(r.quantity_milli),
                reverses: r.reverses,
                reversed_by: r.reversed_by,
                author: r.author,
                at: r.occurred_at,
            })
        })
        .collect()
}

/// Order `id`'s movements in the stock room's ledger, newest first (`mes:read`): the seed's movement journal.
pub async fn movements(pool: &PgPool, caller: &Caller, id: OrderId) -> Result<Vec<OrderMovement>> {
    caller.require(ApiScope::MesRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (code, _) = order(&mut tx, tenant, id).await?;
    let m = movements_of(&mut tx, tenant, &code).await?;
    tx.commit().await?;
    Ok(m)
}

/// The order's code and state, its row locked; not found when it is not the plant's.
async fn order(tx: &mut Tx, tenant: TenantId, id: OrderId) -> Result<(String, OrderState)> {
    let (code, state) = crate::mes::store::orders::code_and_state(tx, tenant, id.0).await?.ok_or(Error::NotFound)?;
    Ok((code, OrderState::decode(&state).map_err(Error::internal)?))
}

/// What order `id` needs and consumed (`mes:read`).
pub async fn materials(pool: &PgPool, caller: &Caller, id: OrderId) -> Result<Vec<OrderMaterial>> {
    caller.require(ApiScope::MesRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (code, _) = order(&mut tx, tenant, id).await?;
    let m = of_order(&mut tx, tenant, id.0, &code).await?;
    tx.commit().await?;
    Ok(m)
}

/// Sets what order `id` needs, the whole list (a planner): each item the stock room's and not archived, once, its
/// quantity more than zero and whole for an item counted whole; every problem named by its field at once
/// (`materials.2.quantity`). A cancelled order's list is kept as it was.
pub async fn set(pool: &PgPool, caller: &Caller, id: OrderId, input: &MaterialsInput) -> Result<Vec<OrderMaterial>> {
    caller.require(ApiScope::MesWrite)?;
    caller.user()?.require(Permission::MesPlan)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (code, state) = order(&mut tx, tenant, id).await?;
    let m = set_locked(&mut tx, tenant, (id, &code, state), input).await?;
    tx.commit().await?;
    Ok(m)
}

/// Sets how much of one item order `id` needs (a planner at the order's page, item by item; 0 takes it off the
/// list), the rest of the list as it stands: read and written under the order's row lock, so two planners adding
/// items at once both keep theirs. A refusal names `item_id` or `quantity`.
pub async fn set_item(
    pool: &PgPool,
    caller: &Caller,
    id: OrderId,
    item: ItemId,
    quantity: Qty,
) -> Result<Vec<OrderMaterial>> {
    caller.require(ApiScope::MesWrite)?;
    caller.user()?.require(Permission::MesPlan)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let (code, state) = order(&mut tx, tenant, id).await?;
    let mut list: Vec<MaterialInput> = of_order(&mut tx, tenant, id.0, &code)
        .await?
        .into_iter()
        .filter(|m| m.needed > Qty::ZERO && m.item != item)
        .map(|m| MaterialInput { item_id: m.item, quantity: m.needed })
        .collect();
    // The item set is the list's last (none when it is taken off): its problems are the form's own fields.
    let own = (quantity > Qty::ZERO).then(|| {
        list.push(MaterialInput { item_id: item, quantity });
        format!("materials.{}.", list.len())
    });
    let m = match set_locked(&mut tx, tenant, (id, &code, state), &MaterialsInput { materials: list }).await {
        Err(Error::Validation(errors)) => Err(Error::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    if let Some(f) = own.as_deref().and_then(|own| e.field.strip_prefix(own)) {
                        e.field = f.to_owned();
                    }
                    e
                })
                .collect(),
        )),
        other => other,
    }?;
    tx.commit().await?;
    Ok(m)
}

/// [`set`] with the order's row locked: `(id, code, state)`.
async fn set_locked(
    tx: &mut Tx,
    tenant: TenantId,
    (id, code, state): (OrderId, &str, OrderState),
    input: &MaterialsInput,
) -> Result<Vec<OrderMaterial>> {
    if state == OrderState::Cancelled {
        return Err(Error::field("order", ErrorCode::Archived));
    }
    if input.materials.len() > MATERIALS_MAX {
        return Err(Error::field("materials", ErrorCode::TooLong));
    }
    let ids: Vec<i64> = input.materials.iter().map(|m| m.item_id.0).collect();
    let known = store::items(tx, tenant, &ids).await?;
    let mut errors = Vec::new();
    for (n, m) in input.materials.iter().enumerate() {
        let field = |f: &str| format!("materials.{}.{f}", n + 1);
        match known.iter().find(|(id, _, _)| *id == m.item_id.0) {
            None => errors.push(FieldError::new(&field("item_id"), ErrorCode::NotFound)),
            Some((_, _, true)) => errors.push(FieldError::new(&field("item_id"), ErrorCode::Archived)),
            Some((_, unit, false)) => {
                let unit = Unit::decode(unit).map_err(Error::internal)?;
                if let Err(code) = check_moved(m.quantity, unit) {
                    errors.push(FieldError::new(&field("quantity"), code));
                }
            }
        }
        if input.materials[..n].iter().any(|o| o.item_id == m.item_id) {
            errors.push(FieldError::new(&field("item_id"), ErrorCode::Conflict));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let quantities: Vec<i64> = input.materials.iter().map(|m| m.quantity.0).collect();
    store::set(tx, tenant, id.0, &ids, &quantities).await?;
    of_order(tx, tenant, id.0, code).await
}

/// Issues stock to order `id` from a department: one posting of the stock room's ledger, its lines referencing the
/// order's code, under the request's key (sent again, nothing is issued twice). The ledger decides who may move
/// stock and refuses what would take a balance below zero, naming the line; a cancelled order takes nothing.
pub async fn issue(
    pool: &PgPool,
    caller: &Caller,
    id: OrderId,
    input: &IssueInput,
    source: Source,
) -> Result<Vec<OrderMaterial>> {
    caller.require(ApiScope::MesWrite)?;
    let tenant = caller.tenant_id();
    let code = {
        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        let (code, state) = order(&mut tx, tenant, id).await?;
        tx.commit().await?;
        if state == OrderState::Cancelled {
            return Err(Error::field("order", ErrorCode::Archived));
        }
        code
    };
    let req = PostRequest {
        idempotency_key: input.idempotency_key.clone(),
        source,
        note: code.clone(),
        lines: input
            .lines
            .iter()
            .map(|l| PostLine {
                action: Action::Issue,
                item: l.item_id,
                department: input.department_id,
                quantity: l.quantity,
                to_department: None,
                person: None,
                reference: code.clone(),
                reason: String::new(),
            })
            .collect(),
    };
    crate::stockroom::service::ledger::post(pool, caller, &req).await?;
    materials(pool, caller, id).await
}
