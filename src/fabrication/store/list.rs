//! Reading parts: a page of the table (search, filters, five orders, keyset), parts by id (a part's page, the
//! board's cards), the board's newest per state, and the counts by state that the board and the statistics share.
//!
//! The table's order and its search's words are chosen at run time, hence `sqlx::query_as` (unchecked) over SQL
//! assembled from fixed pieces: no value is ever spliced into the text, only the fragments of [`PartSort`] and one
//! `and (…)` per searched word, each bound.
//!
//! Indexes, each order its own (all partial on `state <> 'deleted'`, which every list states literally):
//! `fabrication_parts_created`, `_name` (`lower(name)`), `_due` (no date last), `_state_order`
//! (`fabrication_state_rank`); one state in the default order walks `fabrication_parts_state` (state, then newest);
//! the assignee order sorts the rows the filters keep (no index: a name is the users' table's). Filters:
//! `fabrication_parts_state`, `_assignee`, `_subsystem`. A searched word is the start of one of the part's words or
//! within the name of its subsystem or holder (those found first by a query of their own, with how many parts each
//! word has up to [`RARE`], and bound as ids). The rarest word under [`RARE`] is a range of `fabrication_part_words`'
//! key the planner may lead from; the others are checked in each walked row's `tokens` (`strpos`, never a probe of
//! another index per row). The counts are `fabrication_part_counts`' rows, kept by a trigger.

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

/// What one searched word names besides the parts' own words: the subsystems and people whose names hold it, and how
/// many parts have a word it starts (counted up to [`RARE`]).
struct Named {
    subsystems: Vec<i32>,
    people: Vec<Uuid>,
    parts: i64,
}

/// Below this many parts, a searched word is rare: the page leads from its range of `fabrication_part_words` (at most
/// this many parts read by their key). At or above it, the page walks its order's index and checks the word in each
/// part's `tokens` (about 1/frequency rows to fill a page: 50 rows for a word of every part, 5,000 for one of 1%).
const RARE: i64 = 1000;

/// The range of `fabrication_part_words`' key (the rows `w`) that a searched word (`word`, an expression) starts: the
/// word folded as the parts' are.
fn prefix(w: &str, word: &str) -> String {
    format!(
        "{w}.word >= (left(catalog_fold({word}), 100) collate \"C\")
         and {w}.word < (left(catalog_fold({word}), 100) || chr(1114111)) collate \"C\""
    )
}

/// Each searched word's subsystems and people (the organisation's, by name, folded as the search folds), and its parts
/// up to [`RARE`].
async fn named(tx: &mut Tx, tenant: TenantId, words: &[String]) -> Result<Vec<Named>, sqlx::Error> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        r"select w.n, array(select s.id from fabrication_subsystems s
                           where s.tenant_id = $1 and catalog_fold(s.name) like w.pattern order by s.id),
                array(select u.id from users u
                      where u.tenant_id = $1 and catalog_fold(u.display_name) like w.pattern order by u.id),
                (select count(*) from (select 1 from fabrication_part_words c
                                       where c.tenant_id = $1 and {range} limit $3) c)
         from (select n, word,
                      '%' || replace(replace(replace(catalog_fold(word), '\', '\\'), '%', '\%'), '_', '\_') || '%'
                          as pattern
               from unnest($2::text[]) with ordinality as x(word, n)) w
         order by w.n",
        range = prefix("c", "w.word")
    );
    let rows: Vec<(i64, Vec<i32>, Vec<Uuid>, i64)> =
        sqlx::query_as(&sql).bind(tenant.0).bind(words).bind(RARE).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(_, subsystems, people, parts)| Named { subsystems, people, parts }).collect())
}

/// A value bound after the fixed ones (`$1` tenant … `$8` limit), in the order the text numbers them.
enum Bind<'a> {
    Word(&'a str),
    Ids(&'a [i32]),
    People(&'a [Uuid]),
}

/// A page of the table: the filter's parts in its order, after its cursor.
///
/// Planned for its values each time (an unnamed statement, never a cached generic plan): the planner sees the rarest
/// searched word's range (estimated from the words' statistics: a dozen parts or a tenth of them, not a guess), the
/// subsystems and people their names matched (found first) and one state as an equality, which walks that state's
/// index in the default order. A word no part has, and no name holds, is an empty page without a query.
pub(in crate::fabrication) async fn page(tx: &mut Tx, f: &Filter<'_>) -> Result<Vec<PartRow>, sqlx::Error> {
    let named = named(tx, f.tenant, f.words).await?;
    let only_parts = |n: &Named| n.subsystems.is_empty() && n.people.is_empty();
    if named.iter().any(|n| only_parts(n) && n.parts == 0) {
        return Ok(Vec::new());
    }
    // The one word the page may lead from: the rarest of those that only parts' words can match (a word that also
    // names a subsystem or a person matches parts that do not hold it).
    let lead = named.iter().enumerate().filter(|(_, n)| only_parts(n) && n.parts < RARE).min_by_key(|(_, n)| n.parts);
    let lead = lead.map(|(i, _)| i);
    let key = key(f.sort);
    let (dir, cmp) = if f.desc { ("desc", "<") } else { ("asc", ">") };
    let mut binds: Vec<Bind<'_>> = Vec::new();
    let mut words = String::new();
    for (i, (word, found)) in f.words.iter().zip(&named).enumerate() {
        binds.push(Bind::Word(word));
        let at = format!("${}", 8 + binds.len());
        let mut any = vec![if lead == Some(i) {
            // One of the part's words starts with it: a semi-join the planner leads from the word's range.
            let range = prefix("w", &at);
            format!("p.id in (select w.part_id from fabrication_part_words w where w.tenant_id = $1 and {range})")
        } else {
            // The same, checked in the part's row as the order's index walks it.
            format!("strpos(p.tokens, ' ' || left(catalog_fold({at}), 100)) > 0")
        }];
        if !found.subsystems.is_empty() {
            binds.push(Bind::Ids(&found.subsystems));
            any.push(format!("p.subsystem_id = any(${}::int[])", 8 + binds.len()));
        }
        if !found.people.is_empty() {
            binds.push(Bind::People(&found.people));
            any.push(format!("p.assignee_id = any(${}::uuid[])", 8 + binds.len()));
        }
        words.push_str(&format!(" and ({})", any.join(" or ")));
    }
    let cursor_at = 9 + binds.len();
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
    let states = match f.states.as_deref() {
        None => "and $2::text[] is null",
        Some([_]) => "and p.state = ($2::text[])[1]",
        Some(_) => "and p.state = any($2::text[])",
    };
    // The page's parts first, by their order's index (a subquery with its own limit: the names are joined to the
    // page's rows only). The tenant named, not only the policy's (whose `or` would keep the indexes out of the plan).
    let sql = format!(
        "select {COLUMNS}
         from (select p.* from fabrication_parts p
               where p.tenant_id = $1 and p.state <> 'deleted' {states}
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
        .persistent(false)
        .bind(f.tenant.0)
        .bind(f.states.as_deref())
        .bind(f.kind)
        .bind(f.subsystem)
        .bind(f.assignee)
        .bind(f.mine)
        .bind(f.overdue_before)
        .bind(f.limit);
    for b in binds {
        q = match b {
            Bind::Word(w) => q.bind(w),
            Bind::Ids(ids) => q.bind(ids),
            Bind::People(people) => q.bind(people),
        };
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
                             order by p.created_at desc, p.id desc limit $3) b",
    )
    .bind(tenant.0)
    .bind(states)
    .bind(per)
    .fetch_all(&mut **tx)
    .await
}

/// How many parts each state holds (deleted ones aside): the board's and the statistics' one count, summed from the
/// counts the parts' trigger keeps (a few rows, whatever the number of parts).
pub(in crate::fabrication) async fn counts(tx: &mut Tx, tenant: TenantId) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as::<_, (String, i64)>(
        "select state, sum(count)::bigint from fabrication_part_counts
         where tenant_id = $1 and state <> 'deleted' group by state",
    )
    .bind(tenant.0)
    .fetch_all(&mut **tx)
    .await
}
