//! Setting the stock room up: departments, categories (a tree), items with their barcodes and their levels per
//! department, and which department each person belongs to. Owners and managers (and a workshop's own account) set it
//! up; keys with `stock:write` may add and change items (the CLI's `stock add`). Every change is audited; nothing with
//! history is deleted, only archived.

use std::collections::HashMap;

use serde_json::json;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta};
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{CategoryId, DepartmentId, ItemId, PartId, TenantId, UserId};
use crate::paging::{self, Limit, Page};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::rules::views::{Category, Department, Item, ItemDetail, Person, Place};
use crate::stockroom::rules::{self, CategoryInput, DepartmentInput, ItemInput, LevelInput};
use crate::stockroom::store::setup::{self as store, ItemFields, ItemRow};

fn actor<'a>(caller: &'a Caller, meta: &'a RequestMeta) -> Actor<'a> {
    match caller {
        Caller::User(u) => Actor::of(u, meta),
        Caller::Machine(m) => Actor::machine(m, meta),
    }
}

/// Configuring needs `stock:write` and, for the person (or the key's creator), the stock room's set-up permission.
fn may_configure(caller: &Caller) -> Result<()> {
    caller.require_with(ApiScope::StockWrite, Permission::StockConfigure).or_else(|_| match caller {
        // A person who configures but does not move stock (a plant's manager).
        Caller::User(u) if u.may(Permission::StockConfigure) => Ok(()),
        _ => Err(Error::Forbidden),
    })
}

pub async fn departments(pool: &PgPool, caller: &Caller) -> Result<Vec<Department>> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::departments(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|d| Department {
            id: DepartmentId(d.id),
            code: d.code,
            name: d.name,
            self_issue: d.self_issue,
            archived: d.archived_at.is_some(),
        })
        .collect())
}

/// Adds a department (`id` none) or changes one; archiving keeps its history and its stock where it is.
pub async fn save_department(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    id: Option<DepartmentId>,
    input: &DepartmentInput,
) -> Result<DepartmentId> {
    may_configure(caller)?;
    let d = input.checked().map_err(Error::Validation)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let id = match id {
        None => store::insert_department(&mut tx, tenant, &d.code, &d.name, d.self_issue).await?,
        Some(id) => {
            if !store::update_department(&mut tx, tenant, id, &d.code, &d.name, d.self_issue, d.archived).await? {
                return Err(Error::NotFound);
            }
            id
        }
    };
    let after = json!({ "code": d.code, "name": d.name, "self_issue": d.self_issue, "archived": d.archived });
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.department_saved",
            target: Some(("stock_department", id.to_string())),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn category_map(tx: &mut Tx, tenant: TenantId) -> Result<Vec<store::CategoryRow>> {
    Ok(store::categories(tx, tenant).await?)
}

pub async fn categories(pool: &PgPool, caller: &Caller) -> Result<Vec<Category>> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = category_map(&mut tx, tenant).await?;
    tx.commit().await?;
    let names: HashMap<CategoryId, (Option<CategoryId>, String)> =
        rows.iter().map(|c| (CategoryId(c.id), (c.parent_id.map(CategoryId), c.name.clone()))).collect();
    let mut out: Vec<Category> = rows
        .into_iter()
        .map(|c| Category {
            id: CategoryId(c.id),
            parent: c.parent_id.map(CategoryId),
            path: rules::category_path(CategoryId(c.id), &names),
            name: c.name,
            archived: c.archived_at.is_some(),
        })
        .collect();
    out.sort_by_key(|a| a.path.to_lowercase());
    Ok(out)
}

/// Adds a category (`id` none) or changes one: its name, its parent (never under itself), archived or not.
pub async fn save_category(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    id: Option<CategoryId>,
    input: &CategoryInput,
) -> Result<CategoryId> {
    may_configure(caller)?;
    let name = crate::codes::check_text("name", &input.name, true, 80)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = category_map(&mut tx, tenant).await?;
    let parents: HashMap<CategoryId, Option<CategoryId>> =
        rows.iter().map(|c| (CategoryId(c.id), c.parent_id.map(CategoryId))).collect();
    if id.is_some_and(|i| !parents.contains_key(&i)) {
        return Err(Error::NotFound);
    }
    rules::check_parent(id, input.parent, &parents).map_err(|code| Error::field("parent", code))?;
    let id = match id {
        None => store::insert_category(&mut tx, tenant, input.parent, &name).await?,
        Some(id) => {
            store::update_category(&mut tx, tenant, id, input.parent, &name, input.archived).await?;
            id
        }
    };
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.category_saved",
            target: Some(("stock_category", id.to_string())),
            before: None,
            after: Some(json!({ "name": name, "parent": input.parent, "archived": input.archived })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn item(r: ItemRow) -> Result<Item> {
    Ok(Item {
        id: ItemId(r.id),
        sku: r.sku,
        name: r.name,
        description: r.description,
        unit: Unit::decode(&r.unit)?,
        category: r.category_id.map(CategoryId),
        unit_cost_cents: r.unit_cost_cents,
        currency: r.currency,
        part: r.part_id.map(PartId),
        barcodes: r.barcodes,
        total: Qty(r.total_milli),
        low_in: r.low,
        archived: r.archived_at.is_some(),
    })
}

/// What the item list is narrowed to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ItemsQuery {
    /// Part of a name or SKU, or a whole barcode.
    pub q: Option<String>,
    pub category: Option<CategoryId>,
    pub department: Option<DepartmentId>,
    /// Archived items instead of live ones.
    #[serde(default)]
    pub archived: bool,
    /// Only items below their threshold somewhere.
    #[serde(default)]
    pub low: bool,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// Items per page: 50 unless asked, at most 500.
pub const PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;

/// Items alphabetically, with their total balance and where they are low (`stock:read`).
pub async fn items(pool: &PgPool, caller: &Caller, q: &ItemsQuery) -> Result<Page<Item>> {
    caller.require(ApiScope::StockRead)?;
    let limit = Limit::new(q.limit, PAGE, MAX_PAGE)?;
    let after = paging::after::<i64>(q.after.as_deref(), ())?;
    let text = match q.q.as_deref() {
        Some(t) => Some(crate::codes::check_text("q", t, false, 100)?).filter(|t| !t.is_empty()),
        None => None,
    };
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let filter = store::ItemFilter {
        text: text.as_deref(),
        category: q.category,
        department: q.department,
        archived: Some(q.archived),
        low_only: q.low,
        after: after.map(ItemId),
        fetch: limit.fetch(),
    };
    let rows = store::items(&mut tx, tenant, &filter).await?;
    tx.commit().await?;
    let items = rows.into_iter().map(item).collect::<Result<Vec<_>>>()?;
    Ok(Page::cut(items, limit, |i: &Item| i.id.0))
}

async fn detail(tx: &mut Tx, tenant: TenantId, id: ItemId) -> Result<ItemDetail> {
    let row = store::item(tx, tenant, id).await?.ok_or(Error::NotFound)?;
    let places = store::places(tx, tenant, id)
        .await?
        .into_iter()
        .map(|p| Place {
            department: DepartmentId(p.department_id),
            balance: Qty(p.quantity_milli),
            threshold: Qty(p.threshold_milli),
            reorder: p.reorder_milli.map(Qty),
            on_order: Qty(p.on_order_milli),
            low: p.threshold_milli > 0 && p.quantity_milli + p.on_order_milli < p.threshold_milli,
        })
        .collect();
    Ok(ItemDetail { item: item(row)?, places })
}

/// One item with its balance and level in each department (`stock:read`).
pub async fn get(pool: &PgPool, caller: &Caller, id: ItemId) -> Result<ItemDetail> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let d = detail(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// What the counter finds for a scanned or typed code: the item whose barcode or SKU it is, exactly, with where it
/// is (`stock:read`); 404 when none.
pub async fn lookup(pool: &PgPool, caller: &Caller, code: &str) -> Result<ItemDetail> {
    caller.require(ApiScope::StockRead)?;
    let code = crate::codes::check_text("code", code, true, 80)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let id = store::lookup(&mut tx, tenant, &code).await?.ok_or(Error::NotFound)?;
    let d = detail(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// Adds an item (`id` none) or changes one, with its barcodes (replaced by those given) and its levels (those given
/// set; others left). A barcode of another item is refused, naming it.
pub async fn save_item(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    id: Option<ItemId>,
    input: &ItemInput,
    levels: &[LevelInput],
) -> Result<ItemId> {
    may_configure(caller)?;
    let i = input.checked().map_err(Error::Validation)?;
    let mut errors = Vec::new();
    for (n, l) in levels.iter().enumerate() {
        if let Err(fs) = l.check(i.unit) {
            errors.extend(fs.into_iter().map(|mut f| {
                f.field = format!("levels.{}.{}", n + 1, f.field);
                f
            }));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(c) = i.category
        && !store::categories(&mut tx, tenant).await?.iter().any(|r| r.id == c.0)
    {
        return Err(Error::field("category", ErrorCode::NotFound));
    }
    let departments = store::departments(&mut tx, tenant).await?;
    for (n, l) in levels.iter().enumerate() {
        if !departments.iter().any(|d| d.id == l.department.0) {
            return Err(Error::field(&format!("levels.{}.department", n + 1), ErrorCode::NotFound));
        }
    }
    let taken = store::barcodes_taken(&mut tx, tenant, id, &i.barcodes).await?;
    if let Some(code) = taken.first() {
        let n = i.barcodes.iter().position(|b| b == code).unwrap_or(0) + 1;
        return Err(Error::field(&format!("barcodes.{n}"), ErrorCode::NameTaken));
    }
    let currency = crate::identity::service::users::tenant_currency(&mut tx, tenant).await?;
    let fields = ItemFields {
        sku: &i.sku,
        name: &i.name,
        description: &i.description,
        unit: i.unit.as_str(),
        category: i.category,
        unit_cost_cents: i.unit_cost_cents,
        currency: &currency,
        part: i.part,
    };
    let id = match id {
        None => store::insert_item(&mut tx, tenant, &fields).await?,
        Some(id) => {
            if !store::update_item(&mut tx, tenant, id, &fields, i.archived).await? {
                return Err(Error::NotFound);
            }
            id
        }
    };
    store::set_barcodes(&mut tx, tenant, id, &i.barcodes).await?;
    for l in levels {
        store::set_level(&mut tx, tenant, id, l.department, l.threshold.0, l.reorder.map(|r| r.0), l.on_order.0)
            .await?;
    }
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.item_saved",
            target: Some(("stock_item", id.to_string())),
            before: None,
            after: Some(
                json!({ "sku": i.sku, "name": i.name, "unit": i.unit, "barcodes": i.barcodes, "levels": levels }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets an item's level in one department (threshold, reorder quantity, what is on order). The alert follows at once.
pub async fn set_level(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    id: ItemId,
    level: &LevelInput,
) -> Result<()> {
    caller.require(ApiScope::StockWrite).or_else(|_| may_configure(caller))?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let unit = Unit::decode(&store::item_unit(&mut tx, tenant, id.0).await?.ok_or(Error::NotFound)?)?;
    level.check(unit).map_err(Error::Validation)?;
    if !store::departments(&mut tx, tenant).await?.iter().any(|d| d.id == level.department.0) {
        return Err(Error::field("department", ErrorCode::NotFound));
    }
    store::set_level(
        &mut tx,
        tenant,
        id,
        level.department,
        level.threshold.0,
        level.reorder.map(|r| r.0),
        level.on_order.0,
    )
    .await?;
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.level_saved",
            target: Some(("stock_item", id.to_string())),
            before: None,
            after: Some(json!(level)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation's people with their department (`stock:read`).
pub async fn people(pool: &PgPool, caller: &Caller) -> Result<Vec<Person>> {
    caller.require(ApiScope::StockRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::people(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|p| Person { id: UserId(p.id), name: p.display_name, department: p.department_id.map(DepartmentId) })
        .collect())
}

/// Places a person in a department (none: in none).
pub async fn set_member(
    pool: &PgPool,
    caller: &Caller,
    meta: &RequestMeta,
    user: UserId,
    department: Option<DepartmentId>,
) -> Result<()> {
    may_configure(caller)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if !store::people(&mut tx, tenant).await?.iter().any(|p| p.id == user.0) {
        return Err(Error::NotFound);
    }
    if let Some(d) = department
        && !store::departments(&mut tx, tenant).await?.iter().any(|r| r.id == d.0 && r.archived_at.is_none())
    {
        return Err(Error::field("department", ErrorCode::NotFound));
    }
    store::set_member(&mut tx, tenant, user, department).await?;
    audit::record(
        &mut tx,
        &actor(caller, meta),
        Event {
            action: "stock.member_saved",
            target: Some(("user", user.to_string())),
            before: None,
            after: Some(json!({ "department": department })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
