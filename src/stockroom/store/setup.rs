//! The stock room's set-up: departments, categories, items with their barcodes and levels, and who belongs to which
//! department. Names are unique per organisation (departments by code, items by SKU, categories among siblings),
//! whatever their case: the unique indexes say so and the service reads their violations as `name_taken`.
//!
//! Indexes: `stockroom_items_sku_key (tenant_id, lower(sku))` for a scan or a typed SKU; `stockroom_barcodes` primary
//! key `(tenant_id, code)` for a scanned code; `stockroom_items_name_trgm` for a typed part of a name.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{CategoryId, DepartmentId, ItemId, PartId, TenantId, UserId};

pub(in crate::stockroom) struct DepartmentRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub self_issue: bool,
    pub archived_at: Option<DateTime<Utc>>,
}

pub(in crate::stockroom) async fn departments(
    tx: &mut Tx,
    tenant: TenantId,
) -> Result<Vec<DepartmentRow>, sqlx::Error> {
    sqlx::query_as!(
        DepartmentRow,
        "select id, code, name, self_issue, archived_at from stockroom_departments where tenant_id = $1
         order by archived_at is not null, lower(name), id",
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::stockroom) async fn insert_department(
    tx: &mut Tx,
    tenant: TenantId,
    code: &str,
    name: &str,
    self_issue: bool,
) -> Result<DepartmentId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into stockroom_departments (tenant_id, code, name, self_issue) values ($1, $2, $3, $4)
           returning id as "id: DepartmentId""#,
        tenant.0,
        code,
        name,
        self_issue
    )
    .fetch_one(&mut **tx)
    .await
}

/// Renames, recodes, and sets whether operators issue to themselves; `archived` archives or restores. `false`: none.
pub(in crate::stockroom) async fn update_department(
    tx: &mut Tx,
    tenant: TenantId,
    id: DepartmentId,
    code: &str,
    name: &str,
    self_issue: bool,
    archived: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update stockroom_departments
         set code = $3, name = $4, self_issue = $5,
             archived_at = case when $6 then coalesce(archived_at, now()) end
         where tenant_id = $1 and id = $2",
        tenant.0,
        id.0,
        code,
        name,
        self_issue,
        archived
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(in crate::stockroom) struct CategoryRow {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub name: String,
    pub archived_at: Option<DateTime<Utc>>,
}

pub(in crate::stockroom) async fn categories(tx: &mut Tx, tenant: TenantId) -> Result<Vec<CategoryRow>, sqlx::Error> {
    sqlx::query_as!(
        CategoryRow,
        "select id, parent_id, name, archived_at from stockroom_categories where tenant_id = $1 order by lower(name), id",
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::stockroom) async fn insert_category(
    tx: &mut Tx,
    tenant: TenantId,
    parent: Option<CategoryId>,
    name: &str,
) -> Result<CategoryId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into stockroom_categories (tenant_id, parent_id, name) values ($1, $2, $3)
           returning id as "id: CategoryId""#,
        tenant.0,
        parent.map(|p| p.0),
        name
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::stockroom) async fn update_category(
    tx: &mut Tx,
    tenant: TenantId,
    id: CategoryId,
    parent: Option<CategoryId>,
    name: &str,
    archived: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update stockroom_categories
         set parent_id = $3, name = $4, archived_at = case when $5 then coalesce(archived_at, now()) end
         where tenant_id = $1 and id = $2",
        tenant.0,
        id.0,
        parent.map(|p| p.0),
        name,
        archived
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An item's own fields, as written.
pub(in crate::stockroom) struct ItemFields<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub unit: &'a str,
    pub category: Option<CategoryId>,
    pub unit_cost_cents: Option<i64>,
    pub currency: &'a str,
    pub part: Option<PartId>,
}

pub(in crate::stockroom) async fn insert_item(
    tx: &mut Tx,
    tenant: TenantId,
    f: &ItemFields<'_>,
) -> Result<ItemId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into stockroom_items (tenant_id, sku, name, description, unit, category_id, unit_cost_cents,
                                        currency, part_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           returning id as "id: ItemId""#,
        tenant.0,
        f.sku,
        f.name,
        f.description,
        f.unit,
        f.category.map(|c| c.0),
        f.unit_cost_cents,
        f.currency,
        f.part.map(|p| p.0)
    )
    .fetch_one(&mut **tx)
    .await
}

pub(in crate::stockroom) async fn update_item(
    tx: &mut Tx,
    tenant: TenantId,
    id: ItemId,
    f: &ItemFields<'_>,
    archived: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update stockroom_items
         set sku = $3, name = $4, description = $5, unit = $6, category_id = $7, unit_cost_cents = $8,
             currency = $9, part_id = $10, updated_at = now(),
             archived_at = case when $11 then coalesce(archived_at, now()) end
         where tenant_id = $1 and id = $2",
        tenant.0,
        id.0,
        f.sku,
        f.name,
        f.description,
        f.unit,
        f.category.map(|c| c.0),
        f.unit_cost_cents,
        f.currency,
        f.part.map(|p| p.0),
        archived
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces an item's barcodes with `codes` (one statement each way).
pub(in crate::stockroom) async fn set_barcodes(
    tx: &mut Tx,
    tenant: TenantId,
    item: ItemId,
    codes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from stockroom_barcodes where tenant_id = $1 and item_id = $2 and not (code = any($3))",
        tenant.0,
        item.0,
        codes
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "insert into stockroom_barcodes (tenant_id, code, item_id) select $1, c, $2 from unnest($3::text[]) c
         on conflict (tenant_id, code) do update set item_id = excluded.item_id
         where stockroom_barcodes.item_id = excluded.item_id",
        tenant.0,
        item.0,
        codes
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which of `codes` name another item of the organisation than `item`.
pub(in crate::stockroom) async fn barcodes_taken(
    tx: &mut Tx,
    tenant: TenantId,
    item: Option<ItemId>,
    codes: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "select code from stockroom_barcodes where tenant_id = $1 and code = any($2) and item_id is distinct from $3",
        tenant.0,
        codes,
        item.map(|i| i.0)
    )
    .fetch_all(&mut **tx)
    .await
}

/// Sets an item's level in a department. The balance row is locked first, as a movement locks it (balance, then
/// level), so the level's trigger judges the alert against a balance no movement is changing meanwhile.
pub(in crate::stockroom) async fn set_level(
    tx: &mut Tx,
    tenant: TenantId,
    item: ItemId,
    department: DepartmentId,
    threshold_milli: i64,
    reorder_milli: Option<i64>,
    on_order_milli: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!("select 1 as one from stockroom_lock_balances($1, $2)", &[item.0][..], &[department.0][..])
        .fetch_all(&mut **tx)
        .await?;
    sqlx::query!(
        "insert into stockroom_levels (tenant_id, item_id, department_id, threshold_milli, reorder_milli, on_order_milli)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (tenant_id, item_id, department_id) do update
         set threshold_milli = excluded.threshold_milli, reorder_milli = excluded.reorder_milli,
             on_order_milli = excluded.on_order_milli",
        tenant.0,
        item.0,
        department.0,
        threshold_milli,
        reorder_milli,
        on_order_milli
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An item's unit (none: the organisation has no such item). Index: primary key.
pub(in crate::stockroom) async fn item_unit(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select unit from stockroom_items where tenant_id = $1 and id = $2", tenant.0, id)
        .fetch_optional(&mut **tx)
        .await
}

/// An item as lists and the scan screen show it, with its total balance.
pub(in crate::stockroom) struct ItemRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub category_id: Option<i32>,
    pub unit_cost_cents: Option<i64>,
    pub currency: String,
    pub part_id: Option<i64>,
    pub archived_at: Option<DateTime<Utc>>,
    pub barcodes: Vec<String>,
    pub total_milli: i64,
    /// Departments where it is below its threshold (counting what is on order).
    pub low: i64,
}

/// What the item list is narrowed to.
pub(in crate::stockroom) struct ItemFilter<'a> {
    /// Part of a name or SKU, or a whole barcode.
    pub text: Option<&'a str>,
    pub category: Option<CategoryId>,
    pub department: Option<DepartmentId>,
    /// Archived items or live ones (none: either).
    pub archived: Option<bool>,
    pub low_only: bool,
    /// The last item of the previous page (alphabetical by name, then id).
    pub after: Option<ItemId>,
    pub fetch: i64,
}

/// Items alphabetically. A text matches a SKU or barcode exactly or by prefix, or a name by its words (trigram
/// index); the department narrows to the items with a balance or a level there.
pub(in crate::stockroom) async fn items(
    tx: &mut Tx,
    tenant: TenantId,
    f: &ItemFilter<'_>,
) -> Result<Vec<ItemRow>, sqlx::Error> {
    let text = f.text.map(|t| t.to_lowercase());
    let like = text.as_ref().map(|t| crate::db::like_contains(t));
    sqlx::query_as!(
        ItemRow,
        r#"with page as (
               select i.* from stockroom_items i
               where i.tenant_id = $1
                 and ($2::text is null
                      or lower(i.sku) like $3 or lower(i.name) like $3
                      or exists (select 1 from stockroom_barcodes b
                                 where b.tenant_id = i.tenant_id and b.item_id = i.id and lower(b.code) = $2))
                 and ($4::int is null or i.category_id = $4)
                 and ($5::int is null or exists (select 1 from stockroom_balances b
                                                 where b.tenant_id = i.tenant_id and b.item_id = i.id and b.department_id = $5)
                                     or exists (select 1 from stockroom_levels l
                                                where l.tenant_id = i.tenant_id and l.item_id = i.id and l.department_id = $5))
                 and ($6::bool is null or (i.archived_at is not null) = $6)
                 and (not $7 or exists (select 1 from stockroom_levels l
                                        left join stockroom_balances b on b.tenant_id = l.tenant_id
                                             and b.item_id = l.item_id and b.department_id = l.department_id
                                        where l.tenant_id = i.tenant_id and l.item_id = i.id and l.threshold_milli > 0
                                          and coalesce(b.quantity_milli, 0) + l.on_order_milli < l.threshold_milli))
                 and ($8::bigint is null or (lower(i.name), i.id) > (select lower(a.name), a.id from stockroom_items a
                                                                     where a.tenant_id = $1 and a.id = $8))
               order by lower(i.name), i.id
               limit $9
           )
           select p.id, p.sku, p.name, p.description, p.unit, p.category_id, p.unit_cost_cents, p.currency, p.part_id,
                  p.archived_at,
                  coalesce((select array_agg(b.code order by b.code) from stockroom_barcodes b
                            where b.tenant_id = p.tenant_id and b.item_id = p.id), '{}') as "barcodes!",
                  coalesce((select sum(b.quantity_milli) from stockroom_balances b
                            where b.tenant_id = p.tenant_id and b.item_id = p.id), 0)::bigint as "total_milli!",
                  (select count(*) from stockroom_levels l
                   left join stockroom_balances b on b.tenant_id = l.tenant_id and b.item_id = l.item_id
                        and b.department_id = l.department_id
                   where l.tenant_id = p.tenant_id and l.item_id = p.id and l.threshold_milli > 0
                     and coalesce(b.quantity_milli, 0) + l.on_order_milli < l.threshold_milli) as "low!"
           from page p
           order by lower(p.name), p.id"#,
        tenant.0,
        text,
        like,
        f.category.map(|c| c.0),
        f.department.map(|d| d.0),
        f.archived,
        f.low_only,
        f.after.map(|a| a.0),
        f.fetch
    )
    .fetch_all(&mut **tx)
    .await
}

/// One item, archived or not, by its key (`stockroom_items` primary key; the list's query with one id would plan a
/// walk of the organisation's items once its plan is generic).
pub(in crate::stockroom) async fn item(
    tx: &mut Tx,
    tenant: TenantId,
    id: ItemId,
) -> Result<Option<ItemRow>, sqlx::Error> {
    sqlx::query_as!(
        ItemRow,
        r#"select p.id, p.sku, p.name, p.description, p.unit, p.category_id, p.unit_cost_cents, p.currency, p.part_id,
                  p.archived_at,
                  coalesce((select array_agg(b.code order by b.code) from stockroom_barcodes b
                            where b.tenant_id = p.tenant_id and b.item_id = p.id), '{}') as "barcodes!",
                  coalesce((select sum(b.quantity_milli) from stockroom_balances b
                            where b.tenant_id = p.tenant_id and b.item_id = p.id), 0)::bigint as "total_milli!",
                  (select count(*) from stockroom_levels l
                   left join stockroom_balances b on b.tenant_id = l.tenant_id and b.item_id = l.item_id
                        and b.department_id = l.department_id
                   where l.tenant_id = p.tenant_id and l.item_id = p.id and l.threshold_milli > 0
                     and coalesce(b.quantity_milli, 0) + l.on_order_milli < l.threshold_milli) as "low!"
           from stockroom_items p
           where p.tenant_id = $1 and p.id = $2"#,
        tenant.0,
        id.0
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The item a scanned or typed code names: a barcode, else a SKU, exactly (either's case). One index probe each.
pub(in crate::stockroom) async fn lookup(
    tx: &mut Tx,
    tenant: TenantId,
    code: &str,
) -> Result<Option<ItemId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(
               (select item_id from stockroom_barcodes where tenant_id = $1 and code = $2),
               (select id from stockroom_items where tenant_id = $1 and lower(sku) = lower($2))) as "id: ItemId""#,
        tenant.0,
        code
    )
    .fetch_one(&mut **tx)
    .await
}

/// An item's levels and balances per department (every department with either).
pub(in crate::stockroom) struct PlaceRow {
    pub department_id: i32,
    pub quantity_milli: i64,
    pub threshold_milli: i64,
    pub reorder_milli: Option<i64>,
    pub on_order_milli: i64,
}

pub(in crate::stockroom) async fn places(
    tx: &mut Tx,
    tenant: TenantId,
    item: ItemId,
) -> Result<Vec<PlaceRow>, sqlx::Error> {
    sqlx::query_as!(
        PlaceRow,
        r#"select coalesce(b.department_id, l.department_id) as "department_id!",
                  coalesce(b.quantity_milli, 0) as "quantity_milli!",
                  coalesce(l.threshold_milli, 0) as "threshold_milli!", l.reorder_milli,
                  coalesce(l.on_order_milli, 0) as "on_order_milli!"
           from (select * from stockroom_balances where tenant_id = $1 and item_id = $2) b
           full join (select * from stockroom_levels where tenant_id = $1 and item_id = $2) l
                on l.department_id = b.department_id
           order by 1"#,
        tenant.0,
        item.0
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::stockroom) async fn set_member(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    department: Option<DepartmentId>,
) -> Result<(), sqlx::Error> {
    match department {
        Some(d) => {
            sqlx::query!(
                "insert into stockroom_members (tenant_id, user_id, department_id) values ($1, $2, $3)
                 on conflict (tenant_id, user_id) do update set department_id = excluded.department_id",
                tenant.0,
                user.0,
                d.0
            )
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query!("delete from stockroom_members where tenant_id = $1 and user_id = $2", tenant.0, user.0)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// The organisation's people with their department: who stock may be issued to, and who hears a department's alerts.
pub(in crate::stockroom) struct PersonRow {
    pub id: uuid::Uuid,
    pub display_name: String,
    pub role: String,
    pub department_id: Option<i32>,
}

pub(in crate::stockroom) async fn people(tx: &mut Tx, tenant: TenantId) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        r#"select u.id, u.display_name, u.role, m.department_id as "department_id?"
           from users u
           left join stockroom_members m on m.tenant_id = u.tenant_id and m.user_id = u.id
           where u.tenant_id = $1 and u.status = 'active'
           order by lower(u.display_name), u.id"#,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// What a label of an item says.
pub(in crate::stockroom) struct LabelRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    /// The item's first barcode (by its text), if it has one.
    pub barcode: Option<String>,
}

/// The labels of the organisation's items `ids` (those it has; one statement). Index: primary keys,
/// `stockroom_barcodes_item_idx`.
pub(in crate::stockroom) async fn labels(
    tx: &mut Tx,
    tenant: TenantId,
    ids: &[i64],
) -> Result<Vec<LabelRow>, sqlx::Error> {
    sqlx::query_as!(
        LabelRow,
        r#"select i.id, i.sku, i.name,
                  (select b.code from stockroom_barcodes b where b.tenant_id = i.tenant_id and b.item_id = i.id
                   order by b.code limit 1) as barcode
           from stockroom_items i where i.tenant_id = $1 and i.id = any($2)"#,
        tenant.0,
        ids
    )
    .fetch_all(&mut **tx)
    .await
}
