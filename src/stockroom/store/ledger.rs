//! The ledger's SQL: a posting claims its idempotency key, locks the balances it will change in one global order,
//! and inserts its movements in one statement (arrays unnested in apply order); the database's trigger keeps each
//! balance and its alert. Reads: a posting's movements (a replay), an item's history with its running balance, its
//! balance as of a moment, one movement (to reverse it).
//!
//! Indexes: `stockroom_posts_key (tenant_id, idempotency_key)` for the claim; `stockroom_movements_item_idx (tenant_id,
//! item_id, department_id, id)` for a history page; `stockroom_movements_item_at_idx (tenant_id, item_id, department_id,
//! occurred_at, id)` for a department's balance as of a moment (its last movement at or before it, read backwards);
//! `stockroom_movements_post_idx` for a replay.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{AlertId, DepartmentId, ItemId, MovementId, PostId, TenantId, UserId};

/// Who posts, as stored with the posting.
pub(in crate::stockroom) struct Author<'a> {
    pub user: Option<UserId>,
    pub key: Option<Uuid>,
    pub name: &'a str,
}

/// Claims `key` for a new posting: its id, or `None` when the key was claimed before (by a committed posting; a
/// posting in flight with the same key makes this wait for its end).
pub(in crate::stockroom) async fn claim(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
    hash: &[u8],
    source: &str,
    author: &Author<'_>,
    note: &str,
) -> Result<Option<PostId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into stockroom_posts (tenant_id, idempotency_key, request_hash, source, author_user, author_key,
                                        author_name, note)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (tenant_id, idempotency_key) do nothing
           returning id as "id: PostId""#,
        tenant.0,
        key,
        hash,
        source,
        author.user.map(|u| u.0),
        author.key,
        author.name,
        note
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The posting that claimed `key`, with the hash of what it asked.
pub(in crate::stockroom) async fn claimed(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
) -> Result<Option<(PostId, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select id as "id: PostId", request_hash from stockroom_posts where tenant_id = $1 and idempotency_key = $2"#,
        tenant.0,
        key
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.id, r.request_hash)))
}

/// Locks the balances of these (item, department) pairs, in the one order every posting locks them, and reads them
/// (`stockroom_lock_balances`: the transaction's tenant's only). Pairs with no balance yet are absent (nothing to
/// lock: their first movement creates the row).
pub(in crate::stockroom) async fn lock_balances(
    tx: &mut Tx,
    items: &[i64],
    departments: &[i32],
) -> Result<Vec<(ItemId, DepartmentId, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select item_id as "item_id!: ItemId", department_id as "department_id!: DepartmentId",
                  quantity_milli as "quantity_milli!"
           from stockroom_lock_balances($1, $2)"#,
        items,
        departments
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.item_id, r.department_id, r.quantity_milli)).collect())
}

/// The movements of one posting, as columns (one element per movement, in apply order).
#[derive(Default)]
pub(in crate::stockroom) struct NewMovements {
    pub line: Vec<i32>,
    pub kind: Vec<String>,
    pub item: Vec<i64>,
    pub department: Vec<i32>,
    pub quantity: Vec<i64>,
    pub person: Vec<Option<Uuid>>,
    pub other_department: Vec<Option<i32>>,
    pub reference: Vec<String>,
    pub reason: Vec<String>,
    pub reverses: Vec<Option<i64>>,
}

/// A movement as recorded.
pub(in crate::stockroom) struct RecordedRow {
    pub id: MovementId,
    pub line: i32,
    pub kind: String,
    pub item_id: ItemId,
    pub department_id: DepartmentId,
    pub quantity_milli: i64,
    pub balance_after_milli: i64,
    pub occurred_at: DateTime<Utc>,
}

/// Inserts a posting's movements in the order given (the trigger applies each to its balance as it is inserted).
pub(in crate::stockroom) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    post: PostId,
    m: &NewMovements,
) -> Result<Vec<RecordedRow>, sqlx::Error> {
    // Persons and references travel as arrays of nullable values; sqlx binds `Vec<Option<_>>` as such.
    sqlx::query_as!(
        RecordedRow,
        r#"insert into stockroom_movements (tenant_id, post_id, line, kind, item_id, department_id, quantity_milli,
                                            person_id, other_department_id, reference, reason, reverses)
           select $1, $2, m.line, m.kind, m.item, m.department, m.quantity, m.person, m.other, m.reference, m.reason,
                  m.reverses
           from unnest($3::int[], $4::text[], $5::bigint[], $6::int[], $7::bigint[], $8::uuid[], $9::int[],
                       $10::text[], $11::text[], $12::bigint[])
                with ordinality as m(line, kind, item, department, quantity, person, other, reference, reason, reverses, n)
           order by m.n
           returning id as "id: MovementId", line, kind, item_id as "item_id: ItemId",
                     department_id as "department_id: DepartmentId", quantity_milli, balance_after_milli, occurred_at"#,
        tenant.0,
        post.0,
        &m.line,
        &m.kind,
        &m.item,
        &m.department,
        &m.quantity,
        &m.person as &[Option<Uuid>],
        &m.other_department as &[Option<i32>],
        &m.reference,
        &m.reason,
        &m.reverses as &[Option<i64>]
    )
    .fetch_all(&mut **tx)
    .await
}

/// An item a posting names (`department` false: its unit, whether archived) or one of the organisation's departments
/// (`department` true: whether archived).
pub(in crate::stockroom) struct PostFactRow {
    pub department: bool,
    pub id: i64,
    pub unit: String,
    pub archived: bool,
}

/// What a posting's lines are checked against, in one call (`stockroom_post_facts`).
pub(in crate::stockroom) async fn post_facts(
    tx: &mut Tx,
    tenant: TenantId,
    items: &[i64],
) -> Result<Vec<PostFactRow>, sqlx::Error> {
    sqlx::query_as!(
        PostFactRow,
        r#"select department as "department!", id as "id!", unit as "unit!", archived as "archived!"
           from stockroom_post_facts($1, $2)"#,
        tenant.0,
        items
    )
    .fetch_all(&mut **tx)
    .await
}

/// A posting as claimed: its key, the hash of what it asks, where it comes from, who posts and why.
pub(in crate::stockroom) struct NewPost<'a> {
    pub key: &'a str,
    pub hash: &'a [u8],
    pub source: &'a str,
    pub author: Author<'a>,
    pub note: &'a str,
}

/// A movement recorded by `post_at_once`, with its posting and the alert it opened.
pub(in crate::stockroom) struct AtOnceRow {
    pub post_id: PostId,
    pub id: MovementId,
    pub line: i32,
    pub kind: String,
    pub item_id: ItemId,
    pub department_id: DepartmentId,
    pub quantity_milli: i64,
    pub balance_after_milli: i64,
    pub occurred_at: DateTime<Utc>,
    pub alert_id: Option<AlertId>,
}

impl From<AtOnceRow> for RecordedRow {
    fn from(r: AtOnceRow) -> Self {
        RecordedRow {
            id: r.id,
            line: r.line,
            kind: r.kind,
            item_id: r.item_id,
            department_id: r.department_id,
            quantity_milli: r.quantity_milli,
            balance_after_milli: r.balance_after_milli,
            occurred_at: r.occurred_at,
        }
    }
}

/// Claims `key` and inserts the movements (in apply order) in one call (`stockroom_post`): nothing when the key was
/// claimed before; `stockroom_balances_never_negative` when a balance would go below zero (the transaction is then
/// spent). Movements that reverse another are not posted this way. In a transaction whose facts the service checked,
/// `whole_units` is `None`; given, the call stands alone (on the pool, its own transaction): it sets the scope and checks
/// the facts itself (SQLSTATE `NX001` when one is refused, `NX002` when a movement opened an alert: nothing was kept).
pub(in crate::stockroom) async fn post_at_once<'e>(
    db: impl sqlx::PgExecutor<'e>,
    tenant: TenantId,
    p: &NewPost<'_>,
    m: &NewMovements,
    whole_units: Option<&[String]>,
) -> Result<Vec<AtOnceRow>, sqlx::Error> {
    let NewPost { key, hash, source, author, note } = p;
    sqlx::query_as!(
        AtOnceRow,
        r#"select post_id as "post_id!: PostId", id as "id!: MovementId", line as "line!", kind as "kind!",
                  item_id as "item_id!: ItemId", department_id as "department_id!: DepartmentId",
                  quantity_milli as "quantity_milli!", balance_after_milli as "balance_after_milli!",
                  occurred_at as "occurred_at!", alert_id as "alert_id: AlertId"
           from stockroom_post($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"#,
        tenant.0,
        key,
        hash,
        source,
        author.user.map(|u| u.0),
        author.key,
        author.name,
        note,
        &m.line,
        &m.kind,
        &m.item,
        &m.department,
        &m.quantity,
        &m.person as &[Option<Uuid>],
        &m.other_department as &[Option<i32>],
        &m.reference,
        &m.reason,
        whole_units as Option<&[String]>
    )
    .fetch_all(db)
    .await
}

/// A posting's movements (a replay of its idempotency key answers with them).
pub(in crate::stockroom) async fn of_post(
    tx: &mut Tx,
    tenant: TenantId,
    post: PostId,
) -> Result<Vec<RecordedRow>, sqlx::Error> {
    sqlx::query_as!(
        RecordedRow,
        r#"select id as "id: MovementId", line, kind, item_id as "item_id: ItemId",
                  department_id as "department_id: DepartmentId", quantity_milli, balance_after_milli, occurred_at
           from stockroom_movements where tenant_id = $1 and post_id = $2 order by id"#,
        tenant.0,
        post.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// One movement, and the movement that reversed it, if one did.
pub(in crate::stockroom) struct MovementFacts {
    pub kind: String,
    pub item_id: ItemId,
    pub department_id: DepartmentId,
    pub quantity_milli: i64,
    pub post_id: PostId,
    pub line: i32,
    pub reversed_by: Option<i64>,
}

pub(in crate::stockroom) async fn movement(
    tx: &mut Tx,
    tenant: TenantId,
    id: MovementId,
) -> Result<Option<MovementFacts>, sqlx::Error> {
    sqlx::query_as!(
        MovementFacts,
        r#"select m.kind, m.item_id as "item_id: ItemId", m.department_id as "department_id: DepartmentId",
                  m.quantity_milli, m.post_id as "post_id: PostId", m.line,
                  (select r.id from stockroom_movements r where r.tenant_id = m.tenant_id and r.reverses = m.id) as reversed_by
           from stockroom_movements m where m.tenant_id = $1 and m.id = $2"#,
        tenant.0,
        id.0
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The other leg of a transfer (the same posting's line, the other kind).
pub(in crate::stockroom) async fn other_leg(
    tx: &mut Tx,
    tenant: TenantId,
    post: PostId,
    line: i32,
    kind: &str,
) -> Result<Option<MovementId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select id as "id: MovementId" from stockroom_movements
           where tenant_id = $1 and post_id = $2 and line = $3 and kind = $4"#,
        tenant.0,
        post.0,
        line,
        kind
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A movement as an item's history shows it.
pub(in crate::stockroom) struct HistoryRow {
    pub id: MovementId,
    pub kind: String,
    pub department_id: DepartmentId,
    pub quantity_milli: i64,
    pub balance_after_milli: i64,
    pub person: Option<String>,
    pub other_department_id: Option<i32>,
    pub reference: String,
    pub reason: String,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub author: String,
    pub source: String,
    pub post_id: PostId,
}

/// An item's movements newest first (in one department, or all), from the cursor on.
pub(in crate::stockroom) async fn history(
    tx: &mut Tx,
    tenant: TenantId,
    item: ItemId,
    department: Option<DepartmentId>,
    before: Option<i64>,
    fetch: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    sqlx::query_as!(
        HistoryRow,
        r#"select m.id as "id: MovementId", m.kind, m.department_id as "department_id: DepartmentId", m.quantity_milli,
                  m.balance_after_milli, u.display_name as "person?", m.other_department_id, m.reference, m.reason,
                  m.reverses,
                  (select r.id from stockroom_movements r where r.tenant_id = m.tenant_id and r.reverses = m.id) as reversed_by,
                  m.occurred_at, p.author_name as author, p.source, m.post_id as "post_id: PostId"
           from stockroom_movements m
           join stockroom_posts p on p.tenant_id = m.tenant_id and p.id = m.post_id
           left join users u on u.tenant_id = m.tenant_id and u.id = m.person_id
           where m.tenant_id = $1 and m.item_id = $2 and ($3::int is null or m.department_id = $3)
             and ($4::bigint is null or m.id < $4)
           order by m.id desc
           limit $5"#,
        tenant.0,
        item.0,
        department.map(|d| d.0),
        before,
        fetch
    )
    .fetch_all(&mut **tx)
    .await
}

/// An item's balance in each department as of `at`: each department's last movement at or before it.
pub(in crate::stockroom) async fn balances_as_of(
    tx: &mut Tx,
    tenant: TenantId,
    item: ItemId,
    at: DateTime<Utc>,
) -> Result<Vec<(DepartmentId, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select d.id as "department_id: DepartmentId", last.balance_after_milli
           from stockroom_departments d
           cross join lateral (
               select m.balance_after_milli from stockroom_movements m
               where m.tenant_id = d.tenant_id and m.item_id = $2 and m.department_id = d.id and m.occurred_at <= $3
               order by m.occurred_at desc, m.id desc limit 1) last
           where d.tenant_id = $1
           order by d.id"#,
        tenant.0,
        item.0,
        at
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.department_id, r.balance_after_milli)).collect())
}

/// Every balance against the sum of its movements: the pairs where they differ or the balance is negative (none,
/// ever: the benchmark and the tests check it after their runs).
pub(in crate::stockroom) async fn disagreements(tx: &mut Tx, tenant: TenantId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from (
               select coalesce(b.item_id, s.item_id), coalesce(b.quantity_milli, 0), coalesce(s.total, 0)
               from (select * from stockroom_balances where tenant_id = $1) b
               full join (select item_id, department_id, sum(quantity_milli) as total from stockroom_movements
                          where tenant_id = $1 group by item_id, department_id) s
                    on s.item_id = b.item_id and s.department_id = b.department_id
               where coalesce(b.quantity_milli, 0) <> coalesce(s.total, 0) or b.quantity_milli < 0) bad"#,
        tenant.0
    )
    .fetch_one(&mut **tx)
    .await
}
