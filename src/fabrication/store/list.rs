//! Reading parts: a page of the table (search, filters, five orders, keyset), parts by id (a part's page, the
//! board's cards), the board's newest per state, and the counts by state that the board and the statistics share.
//!
//! The table's order and its search's words are chosen at run time, hence `sqlx::query_as` (unchecked) over SQL
//! assembled from fixed pieces: no value is ever spliced into the text, only the fragments of [`PartSort`] and one
//! `and (…)` per searched word, each bound.
//!
//! Indexes, each order its own (all partial on `state <> 'deleted'`, which every list states literally):
//! `fabrication_parts_created`, `_name` (`lower(name)`), `_due` (no date last), `_state_order`
//! (`fabrication_state_rank`); the assignee order sorts the rows the filters keep (no index: a name is the users'
//! table's). Filters: `fabrication_parts_state`, `_assignee`, `_subsystem`; a searched word is a trigram match on
//! `words` (`fabrication_parts_words`, GIN with the tenant first) or its subsystem's or holder's name, whose ids are
//! found first (`= any(array(…))`, so the three combine as one bitmap).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::fabrication::rules::list::{CursorValue, PartCursor, PartSort};
use crate::ids::TenantId;

/// A part with the names it shows.
#[derive(Debug, sqlx::FromRow)]
pub(in crate::fabrication) struct PartRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub subsystem_id: Option<i32>,
    pub subsystem_name: Option<String>,
    pub subsystem_archived: Option<bool>,
    pub quantity: i32,
    pub material: String,
    pub notes: String,
    pub priority: String,
    pub due_date: Option<NaiveDate>,
    pub cad_url: Option<String>,
    pub state: String,
    pub version: i32,
    pub requester_id: Uuid,
    pub requester_name: String,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claim_expires_at: Option<DateTime<Utc>>,
    pub drawing_revision: Option<i32>,
    pub seen_revision: Option<i32>,
    pub made_from_revision: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The row's place in the name and assignee orders (as the database lower-cases them).
    pub name_key: String,
    pub assignee_key: String,
    pub state_rank: i32,
}

/// What a page of the table asks for.
pub(in crate::fabrication) struct Filter<'a> {
    pub tenant: TenantId,
    /// Each word, folded as the search folds (`catalog_fold`) by the query itself.
    pub words: &'a [String],
    pub states: Option<Vec<String>>,
    pub kind: Option<&'a str>,
    pub subsystem: Option<i32>,
    pub assignee: Option<Uuid>,
    /// Claimed parts this person holds.
    pub mine: Option<Uuid>,
    /// Due before this day and not completed.
    pub overdue_before: Option<NaiveDate>,
    pub sort: PartSort,
    pub desc: bool,
    pub after: Option<&'a PartCursor>,
    pub limit: i64,
}

/// The sort expression of each order (fixed text: never user input).
fn key(sort: PartSort) -> &'static str {
    match sort {
        PartSort::Name => "lower(p.name)",
        PartSort::State => "fabrication_state_rank(p.state)",
        PartSort::Assignee => "coalesce((select lower(u.display_name) from users u where u.id = p.assignee_id), '')",
        PartSort::Created => "p.created_at",
        PartSort::Due => "coalesce(p.due_date, 'infinity'::date)",
    }
}

/// The columns of a part and its names, read from `p` (the page's parts) and the joins of [`JOINS`].
const COLUMNS: &str = "p.id, p.name, p.kind, p.subsystem_id, s.name as subsystem_name,
       s.archived_at is not null as subsystem_archived, p.quantity, p.material, p.notes, p.priority, p.due_date,
       p.cad_url, p.state, p.version, p.requester_id, r.display_name as requester_name, p.assignee_id,
       a.display_name as assignee_name, p.claimed_at, p.claim_expires_at, p.drawing_revision, p.seen_revision,
       p.made_from_revision, p.created_at, p.updated_at, lower(p.name) as name_key,
       coalesce(lower(a.display_name), '') as assignee_key, fabrication_state_rank(p.state) as state_rank";

const JOINS: &str = "left join fabrication_subsystems s on s.tenant_id = p.tenant_id and s.id = p.subsystem_id
       join users r on r.id = p.requester_id
       left join users a on a.id = p.assignee_id";

/// The first bind of the search's words (`$1` tenant … `$8` limit come first).
const FIRST_WORD: usize = 9;

/// A page of the table: the filter's parts in its order, after its cursor.
pub(in crate::fabrication) async fn page(tx: &mut Tx, f: &Filter<'_>) -> Result<Vec<PartRow>, sqlx::Error> {
    let key = key(f.sort);
    let (dir, cmp) = if f.desc { ("desc", "<") } else { ("asc", ">") };
    let cursor_at = FIRST_WORD + f.words.len();
    let keyset = match f.after.map(|c| &c.value) {
        None => String::new(),
        Some(CursorValue::Text(_)) => format!("and ({key}, p.id) {cmp} (${cursor_at}::text, ${})", cursor_at + 1),
        Some(CursorValue::Int(_)) => format!("and ({key}, p.id) {cmp} (${cursor_at}::int, ${})", cursor_at + 1),
        Some(CursorValue::At(_)) => {
            format!("and ({key}, p.id) {cmp} (${cursor_at}::timestamptz, ${})", cursor_at + 1)
        }
        Some(CursorValue::Date(_)) => {
            format!("and ({key}, p.id) {cmp} (coalesce(${cursor_at}::date, 'infinity'::date), ${})", cursor_at + 1)
        }
    };
    let mut words = String::new();
    for i in 0..f.words.len() {
        let n = FIRST_WORD + i;
        // The word as a pattern: folded like `words`, its LIKE wildcards literal.
        let pattern = format!(
            "('%' || replace(replace(replace(catalog_fold(${n}), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
        );
        words.push_str(&format!(
            " and (p.words like {pattern}
                   or p.subsystem_id = any(array(select s.id from fabrication_subsystems s
                                                 where s.tenant_id = $1 and catalog_fold(s.name) like {pattern}))
                   or p.assignee_id = any(array(select u.id from users u
                                                where catalog_fold(u.display_name) like {pattern})))"
        ));
    }
    // The page's parts first, by their order's index (a subquery with its own limit: the names are joined to the
    // page's rows only). The tenant named, not only the policy's (whose `or` would keep the indexes out of the plan).
    let sql = format!(
        "select {COLUMNS}
         from (select p.* from fabrication_parts p
               where p.tenant_id = $1 and p.state <> 'deleted'
                 and ($2::text[] is null or p.state = any($2))
                 and ($3::text is null or p.kind = $3)
                 and ($4::int is null or p.subsystem_id = $4)
                 and ($5::uuid is null or p.assignee_id = $5)
                 and ($6::uuid is null or (p.assignee_id = $6 and p.state = 'claimed'))
                 and ($7::date is null or (p.due_date < $7 and p.state <> 'completed'))
                 {words} {keyset}
               order by {key} {dir}, p.id {dir}
               limit $8) p
         {JOINS}
         order by {key} {dir}, p.id {dir}"
    );
    let mut q = sqlx::query_as::<_, PartRow>(&sql)
        .bind(f.tenant.0)
        .bind(f.states.as_deref())
        .bind(f.kind)
        .bind(f.subsystem)
        .bind(f.assignee)
        .bind(f.mine)
        .bind(f.overdue_before)
        .bind(f.limit);
    for w in f.words {
        q = q.bind(w);
    }
    if let Some(c) = f.after {
        q = match &c.value {
            CursorValue::Text(t) => q.bind(t.clone()),
            CursorValue::Int(n) => q.bind(i32::try_from(*n).unwrap_or(i32::MAX)),
            CursorValue::At(at) => q.bind(*at),
            CursorValue::Date(d) => q.bind(*d),
        }
        .bind(c.id);
    }
    q.fetch_all(&mut **tx).await
}

/// Parts by id (deleted ones too: a part's page shows what became of it), newest first.
pub(in crate::fabrication) async fn by_ids(
    tx: &mut Tx,
    tenant: TenantId,
    ids: &[i64],
) -> Result<Vec<PartRow>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS} from fabrication_parts p {JOINS}
         where p.tenant_id = $1 and p.id = any($2) order by p.id desc"
    );
    sqlx::query_as::<_, PartRow>(&sql).bind(tenant.0).bind(ids).fetch_all(&mut **tx).await
}

/// The board's parts: the newest `per` of each state (one index walk per state, `fabrication_parts_state`).
pub(in crate::fabrication) async fn board_ids(
    tx: &mut Tx,
    tenant: TenantId,
    states: &[String],
    per: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as::<_, (String, i64)>(
        "select st, b.id from unnest($2::text[]) st
         cross join lateral (select p.id from fabrication_parts p where p.tenant_id = $1 and p.state = st
                             order by p.id desc limit $3) b",
    )
    .bind(tenant.0)
    .bind(states)
    .bind(per)
    .fetch_all(&mut **tx)
    .await
}

/// How many parts each state holds (deleted ones aside): the board's and the statistics' one count.
pub(in crate::fabrication) async fn counts(tx: &mut Tx, tenant: TenantId) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as::<_, (String, i64)>(
        "select state, count(*) from fabrication_parts where tenant_id = $1 and state <> 'deleted' group by state",
    )
    .bind(tenant.0)
    .fetch_all(&mut **tx)
    .await
}
