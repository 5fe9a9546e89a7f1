//! The search's SQL. Catalog rows are readable by every role (their read policy is `true`), so searches run on a pooled
//! connection without a transaction, one statement per step (a broad search's walk excepted: a read-only transaction
//! carries its planner settings).
//!
//! The main statement is assembled from fragments (`QueryBuilder`, every value bound) because its shape depends on
//! what was asked: each filter left out is left out of the SQL, so each shape gets its own prepared statement and plan
//! (`$1 is null or …` would make one plan serve every shape, and the vehicle filter's index could not be used).
//! Assembled SQL cannot be checked at compile time, hence unchecked here (the walk's planner settings, which name no
//! table, too); the search's store tests run every shape against a real database. The other steps are `query!`.
//!
//! Indexes behind each part (see the migrations):
//! - number exact and prefix: `catalog_parts_number_key_idx`, `catalog_aftermarket_number_key_idx`,
//!   `catalog_cross_refs_number_key_idx` (btree range `key >= $k and key < $k || U+10FFFF`, "C" collation);
//! - number infix: the `*_number_key_trgm_idx` GIN trigram indexes (`like '%' || $k || '%'`);
//! - words: `catalog_parts_search_idx` (GIN over the `nexus_es` tsvector);
//! - vehicle filter: `catalog_parts_vehicles_idx` (GIN over `vehicle_ids`), ANDed with the words' bitmap;
//! - a broad search's page: `catalog_parts_rank_idx` (`fitment_count desc, id`), walked in order; its counts: a
//!   `tablesample system` of the parts' pages (no index);
//! - a page's alternatives: `catalog_aftermarket_part_idx`.

use serde::Deserialize;
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::catalog::rules::search::{INFIX_LIMIT, SearchCursor, VehicleFilter};

/// What the query's words and runs of words are, in the catalog's terms.
#[derive(Debug, Default)]
pub(in crate::catalog) struct Lookup {
    /// Runs of tokens (as given) that name a make, a model.
    pub makes: Vec<String>,
    pub models: Vec<String>,
    /// Synonym groups that hold one of the runs (folded), each as its terms.
    pub synonyms: Vec<Vec<String>>,
    /// The words folded (lower case, no accents), in the order given.
    pub folded: Vec<String>,
    /// The folded words the catalog uses.
    pub known: Vec<String>,
    /// Whether some catalog word starts with the last word (it is probably being typed).
    pub last_is_prefix: bool,
}

pub(in crate::catalog) async fn lookup(
    pool: &PgPool,
    grams: &[String],
    words: &[String],
    last: Option<&str>,
) -> Result<Lookup, sqlx::Error> {
    let row = sqlx::query!(
        r#"with g as (select x as gram, catalog_fold(x) as f from unnest($1::text[]) as x),
                w as (select x, catalog_fold(x) as f, ord from unnest($2::text[]) with ordinality as t(x, ord))
           select
             coalesce((select array_agg(distinct g.gram) from g
                       where exists (select 1 from catalog_vehicles v where v.make_key = g.f)), '{}') as "makes!",
             coalesce((select array_agg(distinct g.gram) from g
                       where exists (select 1 from catalog_vehicles v where v.model_key = g.f)), '{}') as "models!",
             coalesce((select array_agg(array_to_string(s.terms, '|')) from catalog_synonyms s
                       where s.terms && (select array_agg(f) from g)), '{}') as "synonyms!",
             coalesce((select array_agg(w.f order by w.ord) from w), '{}') as "folded!",
             coalesce((select array_agg(w.f) from w
                       where exists (select 1 from catalog_words cw where cw.word = w.f)), '{}') as "known!",
             ($3::text is not null and length($3) >= 3
              and exists (select 1 from catalog_words cw where cw.word like catalog_fold($3) || '%')) as "last_is_prefix!""#,
        grams,
        words,
        last,
    )
    .fetch_one(pool)
    .await?;
    Ok(Lookup {
        makes: row.makes,
        models: row.models,
        synonyms: row.synonyms.iter().map(|s| s.split('|').map(str::to_owned).collect()).collect(),
        folded: row.folded,
        known: row.known,
        last_is_prefix: row.last_is_prefix,
    })
}

/// The closest catalog word to each given (folded) word, if one is close enough: among its one-edit neighbours
/// (`edits`: pairs of a word and one neighbour, see `rules::search::one_edit`) the one most parts use, looked up by
/// the words' primary key; else the most similar by trigrams (similarity at least `pg_trgm.similarity_threshold`,
/// 0.3, through `catalog_words_trgm_idx`), the most used first among equals.
pub(in crate::catalog) async fn corrections(
    pool: &PgPool,
    words: &[String],
    edits: &[(String, String)],
) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    let (of, near): (Vec<String>, Vec<String>) = edits.iter().cloned().unzip();
    let rows = sqlx::query!(
        r#"with e as (select * from unnest($2::text[], $3::text[]) as e(of, near))
           select w.f as "word!",
                  coalesce(
                    (select cw.word from e join catalog_words cw on cw.word = e.near where e.of = w.f
                     order by cw.parts desc, cw.word limit 1),
                    (select cw.word from catalog_words cw where cw.word % w.f
                     order by similarity(cw.word, w.f) desc, cw.parts desc, cw.word limit 1)) as correction
           from unnest($1::text[]) as w(f)"#,
        words,
        &of,
        &near,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.word, r.correction)).collect())
}

/// The vehicles a filter and the vehicle words of a query leave (ids, sorted); `None` when neither limits anything.
pub(in crate::catalog) async fn vehicle_ids(
    pool: &PgPool,
    filter: &VehicleFilter,
    named_makes: &[String],
    named_models: &[String],
    named_year: Option<i16>,
) -> Result<Vec<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(array_agg(id order by id), '{}') as "ids!" from catalog_vehicles
           where ($1::text is null or make_key = catalog_fold($1))
             and ($2::text is null or model_key = catalog_fold($2))
             and ($3::int2 is null or $3 between year_from and year_to)
             and ($4::text is null or engine = $4)
             and (cardinality($5::text[]) = 0 or make_key = any (select catalog_fold(x) from unnest($5::text[]) x))
             and (cardinality($6::text[]) = 0 or model_key = any (select catalog_fold(x) from unnest($6::text[]) x))
             and ($7::int2 is null or $7 between year_from and year_to)"#,
        filter.make.as_deref(),
        filter.model.as_deref(),
        filter.year,
        filter.engine.as_deref(),
        named_makes,
        named_models,
        named_year,
    )
    .fetch_one(pool)
    .await
}

/// One search, as the service planned it.
#[derive(Debug, Default, Clone, Copy)]
pub(in crate::catalog) struct Plan<'a> {
    /// Number keys, any of which may match (exact, prefix, infix from 3 characters).
    pub keys: &'a [String],
    /// The word query (`to_tsquery` syntax), and the same restricted to names (ranks name matches first).
    pub words: Option<(&'a str, &'a str)>,
    pub vehicles: Option<&'a [i32]>,
    pub group: Option<i32>,
    pub after: Option<SearchCursor>,
    /// Results on the page (0: only the counts).
    pub limit: i64,
    /// Count the results and spread them over groups (first pages).
    pub counts: bool,
    /// Take at most this many candidates (a search without numbers): when all of them come back, the search is
    /// broad and its page and counts are read another way ([`walk`], [`estimate`]).
    pub cap: Option<i64>,
    /// Only the parts whose name matches the words (`Some(true)`), or only the others (`Some(false)`).
    pub name_tier: Option<bool>,
    /// Only these parts (a workshop's own shelf, searched the same way): a few ids, read by the primary key.
    pub only: Option<&'a [i64]>,
}

/// Where a word search's candidates end and a broad search begins: below, every match is fetched, ranked and counted
/// (a few milliseconds); above, the page is read in rank order and the counts from a sample.
pub(in crate::catalog) const BROAD_AT: i64 = 3000;

/// Rows a broad search's sample reads (whatever the catalog's size): estimates within a few percent for the
/// searches that reach it.
const SAMPLE_ROWS: f64 = 12_000.0;

/// A result as the statement returns it (JSON: one row carries the page, the groups and the total).
#[derive(Debug, Deserialize)]
pub(in crate::catalog) struct HitRow {
    pub id: i64,
    pub tier: i16,
    pub score: i32,
    pub number: String,
    pub manufacturer: String,
    pub name: String,
    pub group: Option<String>,
    pub fitment_count: i32,
    /// How a number found it: `oem`, `aftermarket`, `equivalent`, `supersedes`; the number, its brand, the key.
    pub src: Option<String>,
    pub matched_number: Option<String>,
    pub brand: Option<String>,
    pub key: Option<String>,
    pub alternatives: i64,
    pub price_from_cents: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(in crate::catalog) struct GroupRow {
    pub id: i32,
    pub path: String,
    pub parts: i64,
}

#[derive(Debug, Default)]
pub(in crate::catalog) struct Found {
    pub hits: Vec<HitRow>,
    pub groups: Vec<GroupRow>,
    pub total: Option<i64>,
    /// The counts are a sample's estimates.
    pub approximate: bool,
    /// Candidates fetched (ignoring the group filter): a capped plan's reach the cap when the search is broad.
    pub candidates: i64,
}

/// A broad search's counts, estimated from a sample of the catalog's pages.
#[derive(Debug, Default)]
pub(in crate::catalog) struct Estimate {
    /// Matches (within the group filter, when there is one).
    pub total: i64,
    /// Of those, the parts whose name matches the words.
    pub name: i64,
    /// Matches per group, ignoring the group filter.
    pub groups: Vec<GroupRow>,
    /// Whether a sample was read (a small catalog is read whole: exact counts).
    pub approximate: bool,
    /// Parts in the catalog (the planner's figure).
    pub rows: f64,
}

/// The largest character: `key || MAX_CHAR` bounds the keys that start with `key` ("C" collation compares bytes).
const PREFIX_END: &str = "chr(1114111)";

/// Number candidates from one table (`x`): exact and prefix matches through the btree, infix matches through the
/// trigram index, each capped at [`INFIX_LIMIT`] per key. `part`, `src` and `brand` are SQL over `x`.
fn push_number_source(b: &mut QueryBuilder<'_, Postgres>, table: &str, part: &str, src: &str, brand: &str) {
    let starts = format!("x.number_key >= k.k collate \"C\" and x.number_key < (k.k || {PREFIX_END}) collate \"C\"");
    for infix in [false, true] {
        let class = if infix { "2" } else { "case when c.number_key = k.k then 0 else 1 end" };
        let condition = if infix {
            format!("length(k.k) >= 3 and x.number_key like '%' || k.k || '%' and not ({starts})")
        } else {
            format!("{starts} order by x.number_key")
        };
        b.push(format!(
            " union all select c.part_id, {class} as class, length(c.number_key) as len, c.src, c.number, c.brand, \
             k.k as key from keys k cross join lateral (select {part} as part_id, x.number_key, x.number, \
             {src} as src, {brand} as brand from {table} x where {condition} limit "
        ));
        b.push_bind(INFIX_LIMIT).push(") c");
    }
}

type Row = (sqlx::types::Json<Vec<HitRow>>, sqlx::types::Json<Vec<GroupRow>>, Option<i64>, i64);

pub(in crate::catalog) async fn search(pool: &PgPool, plan: &Plan<'_>) -> Result<Found, sqlx::Error> {
    let row: Row = build(plan, "", false).build_query_as().fetch_one(pool).await?;
    Ok(Found { hits: row.0.0, groups: row.1.0, total: row.2, approximate: false, candidates: row.3 })
}

/// A broad search's page: the candidates read in rank order (`catalog_parts_rank_idx`: most fitted first, then by
/// id), each checked against the words and filters, until the page is full. Dense matches fill a page within a few
/// hundred rows; the planner, which cannot know how dense they are, is told to walk (bitmap scans, which read every
/// match, and sorts are off for this one statement).
pub(in crate::catalog) async fn walk(pool: &PgPool, plan: &Plan<'_>) -> Result<Vec<HitRow>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    walk_settings(&mut tx).await?;
    let row: Row = build(plan, "", true).build_query_as().fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row.0.0)
}

async fn walk_settings(tx: &mut sqlx::Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    sqlx::query("set transaction read only").execute(&mut **tx).await?;
    sqlx::query("set local enable_bitmapscan = off").execute(&mut **tx).await?;
    sqlx::query("set local enable_seqscan = off").execute(&mut **tx).await?;
    sqlx::query("set local enable_sort = off").execute(&mut **tx).await?;
    Ok(())
}

/// A broad search's counts from a sample of the catalog's pages (`tablesample system`, about [`SAMPLE_ROWS`] rows,
/// the same pages every time), scaled to the catalog's size; a catalog that small is read whole.
pub(in crate::catalog) async fn estimate(pool: &PgPool, plan: &Plan<'_>) -> Result<Estimate, sqlx::Error> {
    let mut b = estimate_sql(plan, "");
    let (groups, total, name, percent, rows): (sqlx::types::Json<Vec<GroupRow>>, i64, i64, f64, f64) =
        b.build_query_as().fetch_one(pool).await?;
    Ok(Estimate { total, name, groups: groups.0, approximate: percent < 100.0, rows })
}

fn estimate_sql<'a>(plan: &Plan<'a>, prefix: &str) -> QueryBuilder<'a, Postgres> {
    let mut b = QueryBuilder::new(format!("{prefix}with recursive "));
    push_words(&mut b, plan);
    push_group(&mut b, plan);
    b.push(format!(
        "pct as (select least(100, greatest(0.01, 100 * {SAMPLE_ROWS} / greatest(reltuples, 1)))::float8 as percent,
                        greatest(reltuples, 0)::float8 as rows
                 from pg_class where oid = 'catalog_parts'::regclass),
         s as materialized (select p.group_id, "
    ));
    b.push(if plan.words.is_some() { "p.search @@ tq.qa" } else { "false" });
    b.push(" as named, ");
    b.push(if plan.group.is_some() { "p.group_id in (select id from grp)" } else { "true" });
    b.push(
        " as in_group, true as hit from catalog_parts p tablesample system ((select percent from pct)) repeatable (0)",
    );
    if plan.words.is_some() {
        b.push(" cross join tq where p.search @@ tq.q");
    } else {
        b.push(" where true");
    }
    push_filters(&mut b, plan);
    if plan.words.is_none() && plan.vehicles.is_none() && plan.group.is_some() {
        // Browsing a group: its parts are the candidates.
        b.push(" and p.group_id in (select id from grp)");
    }
    // The sample holds about `percent` of the rows (of the pages, in truth: a few percent either way).
    b.push(
        "), scale as (select case when (select percent from pct) >= 100 then 1 else 100 / (select percent from pct) end as f),
         per as (select group_id, count(*) as n, count(*) filter (where named) as named,
                        count(*) filter (where in_group) as n_in, count(*) filter (where named and in_group) as named_in
                 from s group by group_id)
         select coalesce((select json_agg(json_build_object('id', g.id, 'path', g.path,
                                                            'parts', round(per.n * (select f from scale))::int8)
                                          order by per.n desc, g.path)
                          from per join catalog_groups g on g.id = per.group_id), '[]'),
                round(coalesce((select sum(n_in) from per), 0) * (select f from scale))::int8,
                round(coalesce((select sum(named_in) from per), 0) * (select f from scale))::int8,
                (select percent from pct),
                case when (select percent from pct) >= 100 then (select count(*) from catalog_parts)::float8
                     else (select rows from pct) end",
    );
    b
}

/// The plan PostgreSQL runs for `plan`, run once (`EXPLAIN (ANALYZE, BUFFERS)`): for benchmarks and their notes.
pub(in crate::catalog) async fn explain(
    pool: &PgPool,
    plan: &Plan<'_>,
    kind: Statement,
) -> Result<String, sqlx::Error> {
    let prefix = "explain (analyze, buffers, costs off) ";
    let mut tx = pool.begin().await?;
    let mut b = match kind {
        Statement::Search => build(plan, prefix, false),
        Statement::Walk => {
            walk_settings(&mut tx).await?;
            build(plan, prefix, true)
        }
        Statement::Estimate => estimate_sql(plan, prefix),
    };
    let lines: Vec<String> = b.build_query_scalar().fetch_all(&mut *tx).await?;
    tx.rollback().await?;
    Ok(lines.join("\n"))
}

/// Which of the statements [`explain`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::catalog) enum Statement {
    Search,
    Walk,
    Estimate,
}

/// The word queries, parsed once (`tq`).
fn push_words<'a>(b: &mut QueryBuilder<'a, Postgres>, plan: &Plan<'a>) {
    if let Some((all, names)) = plan.words {
        b.push("tq as materialized (select to_tsquery('nexus_es', ")
            .push_bind(all.to_owned())
            .push(") as q, to_tsquery('nexus_es', ")
            .push_bind(names.to_owned())
            .push(") as qa), ");
    }
}

/// The group and the groups below it (`grp`).
fn push_group<'a>(b: &mut QueryBuilder<'a, Postgres>, plan: &Plan<'a>) {
    if let Some(g) = plan.group {
        b.push("grp(id) as (select id from catalog_groups where id = ")
            .push_bind(g)
            .push(" union all select c.id from catalog_groups c join grp on c.parent_id = grp.id), ");
    }
}

/// The vehicle filter and the name tier, over `p`.
fn push_filters<'a>(b: &mut QueryBuilder<'a, Postgres>, plan: &Plan<'a>) {
    if let Some(v) = plan.vehicles {
        b.push(" and p.vehicle_ids && ").push_bind(v.to_vec()).push("::int4[]");
    }
    if let Some(ids) = plan.only {
        b.push(" and p.id = any(").push_bind(ids.to_vec()).push("::int8[])");
    }
    match (plan.name_tier, plan.words.is_some()) {
        (Some(true), true) => {
            b.push(" and p.search @@ tq.qa");
        }
        (Some(false), true) => {
            b.push(" and not p.search @@ tq.qa");
        }
        _ => {}
    }
}

fn build<'a>(plan: &Plan<'a>, prefix: &str, walk: bool) -> QueryBuilder<'a, Postgres> {
    let mut b: QueryBuilder<'a, Postgres> = QueryBuilder::new(format!("{prefix}with recursive "));
    push_words(&mut b, plan);
    push_group(&mut b, plan);
    let numbers = !plan.keys.is_empty();
    if numbers {
        b.push("keys as (select distinct k from unnest(").push_bind(plan.keys.to_vec()).push("::text[]) as k), ");
        b.push("num as (select distinct on (part_id) part_id, class, len, src, number, brand, key from (select null::bigint as part_id, 0 as class, 0 as len, null::text as src, null::text as number, \
                 null::text as brand, null::text as key where false");
        push_number_source(&mut b, "catalog_parts", "x.id", "'oem'", "''");
        push_number_source(
            &mut b,
            "catalog_aftermarket",
            "x.part_id",
            "'aftermarket'",
            "(select m.name from catalog_manufacturers m where m.id = x.manufacturer_id)",
        );
        push_number_source(&mut b, "catalog_cross_refs", "x.part_id", "x.kind", "x.source");
        b.push(") s order by part_id, class, len, src), ");
    }
    // The candidates: id, place in the order (tier, score), group, and how a number found them.
    b.push("m as materialized (select p.id, ");
    if numbers {
        b.push(
            "n.class::int2 as tier, n.len::int4 as score, p.group_id, n.src, n.number as matched_number, n.brand, n.key \
             from num n join catalog_parts p on p.id = n.part_id",
        );
        if plan.words.is_some() {
            b.push(" cross join tq where p.search @@ tq.q");
        } else {
            b.push(" where true");
        }
    } else {
        b.push("3::int2 as tier, ");
        if plan.words.is_some() {
            b.push("(case when p.search @@ tq.qa then 0 else 1000000 end - least(p.fitment_count, 999999))::int4");
        } else {
            b.push("(1000000 - least(p.fitment_count, 999999))::int4");
        }
        b.push(
            " as score, p.group_id, null::text as src, null::text as matched_number, null::text as brand, \
             null::text as key from catalog_parts p",
        );
        if plan.words.is_some() {
            b.push(" cross join tq where p.search @@ tq.q");
        } else {
            b.push(" where true");
        }
    }
    push_filters(&mut b, plan);
    if plan.keys.is_empty() && plan.words.is_none() && plan.vehicles.is_none() {
        // Browsing a group: only its parts are candidates (and without a group, nothing is asked: no candidates).
        b.push(if plan.group.is_some() { " and p.group_id in (select id from grp)" } else { " and false" });
    }
    let in_group = if plan.group.is_some() { " and m.group_id in (select id from grp)" } else { "" };
    if walk {
        // In rank order through `catalog_parts_rank_idx`: the score is a tier's base less the fitment count, so
        // "after the cursor" is a bound on the fitment count (a cursor of an earlier tier bounds nothing; of a
        // later one, everything).
        if plan.group.is_some() {
            b.push(" and p.group_id in (select id from grp)");
        }
        if let Some(c) = plan.after {
            let base = if plan.words.is_some() && plan.name_tier == Some(true) { 0 } else { 1_000_000 };
            let bound = i64::from(base) - i64::from(c.score);
            b.push(" and p.fitment_count <= ")
                .push_bind(bound)
                .push(" and (p.fitment_count < ")
                .push_bind(bound)
                .push(" or p.id > ")
                .push_bind(c.id)
                .push(")");
        }
        b.push(" order by p.fitment_count desc, p.id limit ").push_bind(plan.limit).push("), ");
        b.push("page as (select * from m) ");
    } else {
        if let Some(cap) = plan.cap.filter(|_| plan.keys.is_empty()) {
            b.push(" limit ").push_bind(cap + 1);
        }
        b.push("), ");
        b.push(format!("page as (select * from m where true{in_group}"));
        if let Some(c) = plan.after {
            b.push(" and (m.tier, m.score, m.id) > (")
                .push_bind(c.tier)
                .push(", ")
                .push_bind(c.score)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        b.push(" order by m.tier, m.score, m.id limit ").push_bind(plan.limit).push(") ");
    }
    // The page's details.
    let name = if plan.words.is_some() {
        "ts_headline('nexus_es', p.name, (select q from tq), \
         'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3))"
    } else {
        "p.name"
    };
    b.push(format!(
        "select (select coalesce(json_agg(h order by h.tier, h.score, h.id), '[]') from (
             select pg.id, pg.tier, pg.score, p.number, mf.name as manufacturer, {name} as name, g.path as group,
                    p.fitment_count, pg.src, pg.matched_number, pg.brand, pg.key,
                    alt.n as alternatives, (alt.price_from * 100)::bigint as price_from_cents, alt.currency
             from page pg join catalog_parts p on p.id = pg.id
             join catalog_manufacturers mf on mf.id = p.manufacturer_id
             left join catalog_groups g on g.id = p.group_id
             cross join lateral (select count(*) as n, min(a.reference_price) as price_from,
                                        (array_agg(a.currency order by a.reference_price))[1] as currency
                                 from catalog_aftermarket a where a.part_id = p.id) alt
         ) h) as hits, "
    ));
    if plan.counts && !walk {
        b.push(format!(
            "(select coalesce(json_agg(json_build_object('id', g.id, 'path', g.path, 'parts', f.n)
                                      order by f.n desc, g.path), '[]')
              from (select group_id, count(*) as n from m where group_id is not null group by group_id) f
              join catalog_groups g on g.id = f.group_id) as groups,
             (select count(*) from m where true{in_group}) as total"
        ));
    } else {
        b.push("'[]'::json as groups, null::bigint as total");
    }
    b.push(if walk { ", 0::int8 as candidates" } else { ", (select count(*) from m) as candidates" });
    b
}
