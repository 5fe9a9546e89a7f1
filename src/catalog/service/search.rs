//! The one search box: part numbers (OEM, aftermarket, equivalents, superseded numbers) and Spanish words, with
//! vehicles named in the query or chosen in the cascade, and a group. See `rules::query` for how a query is read and
//! `store::search` for the SQL and the index behind each step.
//!
//! A search is three statements at most: what the query's words are (vehicle names, synonyms, catalog words), the
//! closest catalog words for unknown ones (only when there are some), and the search itself with its page, counts
//! and groups. A query written as one number with spaces ("1K0 615 301 AA") is first looked for as that number.

use std::collections::HashMap;

use crate::catalog::rules::number::number_key;
use crate::catalog::rules::query::{INFIX_MIN_CHARS, NumberMatch, SearchQuery};
use crate::catalog::rules::search::{
    CORRECT_MIN_CHARS, GroupCount, NumberHit, NumberSource, PAGE_MAX, PartHit, SearchCursor, SearchPage, SearchRequest,
    Understood, VehicleFilter, WordTerm, grams, mark_number, marked_segments, model_year, one_edit, plain, tsquery,
};
use crate::catalog::store::search as store;
use crate::codes::ErrorCode;
use crate::db::PgPool;
use crate::error::{Error, Result};
use crate::ids::PartId;
use crate::numbers::Money;

/// The query's words, once vehicle names are taken out: the terms to search, and what changed.
struct Words {
    terms: Vec<WordTerm>,
    corrected: Option<String>,
    synonyms: Vec<String>,
    /// Words neither in the catalog nor close to one of its words, as typed: perhaps the letters of a part number
    /// ("DXFVC" of 17173-DXFVC), looked for as one when the words find nothing.
    unknown: Vec<String>,
}

pub async fn search(pool: &PgPool, req: &SearchRequest) -> Result<SearchPage> {
    run(pool, req, None, None).await
}

/// The same search among some parts only (a workshop's shelf: the parts its store room holds), the first `limit`, best
/// first: what of its own stock the query finds. Nothing when no part is given.
pub async fn among(pool: &PgPool, req: &SearchRequest, parts: &[PartId], limit: u16) -> Result<Vec<PartHit>> {
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = parts.iter().map(|p| p.0).collect();
    let first = SearchRequest { after: None, limit, ..req.clone() };
    Ok(run(pool, &first, None, Some(&ids)).await?.hits)
}

/// Runs a search and returns PostgreSQL's plan of each statement it ran, in order (`EXPLAIN (ANALYZE, BUFFERS)`): what
/// the benchmark prints and its note quotes.
pub async fn explain(pool: &PgPool, req: &SearchRequest) -> Result<Vec<String>> {
    let mut plans = Vec::new();
    run(pool, req, Some(&mut plans), None).await?;
    Ok(plans)
}

/// One statement's plan, when asked for.
async fn explain_into(
    pool: &PgPool,
    plan: &store::Plan<'_>,
    kind: store::Statement,
    plans: &mut Option<&mut Vec<String>>,
) -> Result<()> {
    if let Some(out) = plans.as_deref_mut() {
        out.push(store::explain(pool, plan, kind).await.map_err(Error::from)?);
    }
    Ok(())
}

/// The search a plan describes. A capped plan (no numbers) may be broad, its page then from [`broad`]: without a
/// vehicle, a word search over a large catalog usually is, so a sample tells first (a few milliseconds, where
/// fetching the candidates up to the cap costs more); with a vehicle it usually is not, so the candidates are
/// fetched and, should they reach the cap, the search turns broad.
async fn run_plan(pool: &PgPool, plan: &store::Plan<'_>, plans: &mut Option<&mut Vec<String>>) -> Result<store::Found> {
    let capped = plan.cap.is_some() && plan.keys.is_empty();
    if capped && plan.vehicles.is_none() {
        explain_into(pool, plan, store::Statement::Estimate, plans).await?;
        let est = store::estimate(pool, plan).await.map_err(Error::from)?;
        if est.approximate && est.total > store::BROAD_AT {
            return broad(pool, plan, plans, Some(est)).await;
        }
    }
    explain_into(pool, plan, store::Statement::Search, plans).await?;
    let found = store::search(pool, plan).await.map_err(Error::from)?;
    if capped && found.candidates > store::BROAD_AT {
        return broad(pool, plan, plans, None).await;
    }
    Ok(found)
}

/// Rows a broad search's page may expect to read in rank order before it is full; a tier sparser than that is
/// fetched whole and sorted instead (it is then small: a few thousand parts at most).
const WALK_ROWS: f64 = 2000.0;

/// A broad search (thousands of matches): counts from a sample, the page tier by tier (name matches first), each
/// tier walked in rank order when its matches are dense enough to fill the page soon, else fetched and sorted.
async fn broad(
    pool: &PgPool,
    plan: &store::Plan<'_>,
    plans: &mut Option<&mut Vec<String>>,
    est: Option<store::Estimate>,
) -> Result<store::Found> {
    let est = match est {
        Some(e) => e,
        None => {
            explain_into(pool, plan, store::Statement::Estimate, plans).await?;
            store::estimate(pool, plan).await.map_err(Error::from)?
        }
    };
    let tiers: &[Option<bool>] = if plan.words.is_some() { &[Some(true), Some(false)] } else { &[None] };
    let matches = |tier: Option<bool>| match tier {
        Some(true) => est.name,
        Some(false) => est.total - est.name,
        None => est.total,
    };
    let dense = |matches: i64, want: i64| matches > 0 && matches as f64 >= want as f64 * est.rows / WALK_ROWS;
    if !tiers.iter().any(|t| dense(matches(*t), plan.limit)) {
        // Broad for the cap, too sparse in this catalog to walk (some thousands of matches in a million): fetched
        // whole once, ranked and counted exactly.
        let p = store::Plan { cap: None, counts: true, ..*plan };
        explain_into(pool, &p, store::Statement::Search, plans).await?;
        return store::search(pool, &p).await.map_err(Error::from);
    }
    let mut hits = Vec::new();
    for tier in tiers {
        let want = plan.limit - hits.len() as i64;
        if want <= 0 {
            break;
        }
        let p = store::Plan { name_tier: *tier, limit: want, counts: false, cap: None, ..*plan };
        if dense(matches(*tier), want) {
            explain_into(pool, &p, store::Statement::Walk, plans).await?;
            hits.extend(store::walk(pool, &p).await.map_err(Error::from)?);
        } else {
            explain_into(pool, &p, store::Statement::Search, plans).await?;
            hits.extend(store::search(pool, &p).await.map_err(Error::from)?.hits);
        }
    }
    Ok(store::Found { hits, groups: est.groups, total: Some(est.total), approximate: est.approximate, candidates: 0 })
}

/// A search; among `only` parts when given (then no counts, and never broad: the ids are few).
async fn run(
    pool: &PgPool,
    req: &SearchRequest,
    mut plans: Option<&mut Vec<String>>,
    only: Option<&[i64]>,
) -> Result<SearchPage> {
    let vehicle: VehicleFilter = req.vehicle.clone().checked().map_err(|(field, code)| Error::field(field, code))?;
    let query = SearchQuery::parse(&req.q).map_err(|code| Error::field("q", code))?;
    if req.group.is_some_and(|g| g < 1) {
        return Err(Error::field("group", ErrorCode::InvalidInput));
    }
    let limit = i64::from(req.limit.clamp(1, PAGE_MAX));
    if query.is_empty() && vehicle.is_empty() && req.group.is_none() {
        return Ok(SearchPage::default());
    }

    // What the words are.
    let all_grams = grams(&query.tokens);
    let gram_texts: Vec<String> = all_grams.iter().map(|(g, _)| g.clone()).collect();
    let typing = query.words.last().filter(|w| query.tokens.last() == Some(*w)).map(String::as_str);
    let lookup = store::lookup(pool, &gram_texts, &query.words, typing).await.map_err(Error::from)?;

    // Vehicle names in the query ("hilux", "grand i10"), longest first, then a model year beside them.
    let mut consumed: Vec<usize> = Vec::new();
    let (mut named_makes, mut named_models) = (Vec::new(), Vec::new());
    let mut by_length = all_grams.clone();
    by_length.sort_by_key(|(_, r)| std::cmp::Reverse(r.len()));
    for (gram, range) in by_length {
        if range.clone().any(|i| consumed.contains(&i)) {
            continue;
        }
        let (is_make, is_model) = (lookup.makes.contains(&gram), lookup.models.contains(&gram));
        if is_make || is_model {
            consumed.extend(range);
            if is_model { named_models.push(gram) } else { named_makes.push(gram) }
        }
    }
    let mut named_year = None;
    if !consumed.is_empty()
        && let Some((i, y)) = query
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| !consumed.contains(i))
            .find_map(|(i, t)| model_year(t).map(|y| (i, y)))
    {
        named_year = Some(y);
        consumed.push(i);
    }
    let rest = if consumed.is_empty() { query.clone() } else { query.without(&consumed) };

    let folded: HashMap<&str, &str> =
        query.words.iter().map(String::as_str).zip(lookup.folded.iter().map(String::as_str)).collect();
    let words = plan_words(pool, &rest, &folded, &lookup, typing).await?;

    let vehicles = if vehicle.is_empty() && consumed.is_empty() {
        None
    } else {
        Some(
            store::vehicle_ids(pool, &vehicle, &named_makes, &named_models, named_year)
                .await
                .map_err(Error::internal)?,
        )
    };

    let understood = Understood {
        corrected: words.corrected.clone(),
        vehicle_words: (!consumed.is_empty()).then(|| {
            let mut c = consumed.clone();
            c.sort_unstable();
            c.iter().map(|i| query.tokens[*i].as_str()).collect::<Vec<_>>().join(" ")
        }),
        synonyms: words.synonyms.clone(),
        as_number: None,
    };
    let word_queries =
        (!words.terms.is_empty()).then(|| (tsquery(&words.terms, None), tsquery(&words.terms, Some('A'))));
    let word_refs = word_queries.as_ref().map(|(a, n)| (a.as_str(), n.as_str()));
    let first_page = req.after.is_none();
    let base = store::Plan {
        keys: &[],
        words: None,
        vehicles: vehicles.as_deref(),
        group: req.group,
        after: req.after,
        limit: limit + 1,
        counts: only.is_none(),
        cap: None,
        name_tier: None,
        only,
    };

    // A number written with spaces, as one number first (counted on every page, so every page picks the same way).
    let mut chosen: Option<(store::Found, store::Plan<'_>)> = None;
    if let Some(whole) = &rest.whole_key {
        let p = store::Plan { keys: std::slice::from_ref(whole), ..base };
        let f = run_plan(pool, &p, &mut plans).await?;
        // (Among a shelf nothing is counted: what it found is what the page holds.)
        if f.total.unwrap_or(0) > 0 || (only.is_some() && !f.hits.is_empty()) {
            chosen = Some((f, p));
        }
    }
    let (mut found, used) = match chosen {
        Some(c) => c,
        None => {
            if rest.numbers.is_empty() && word_refs.is_none() && vehicles.is_none() && req.group.is_none() {
                // Only stop words, or vehicle words that matched nothing: nothing to search by.
                return Ok(SearchPage { understood, ..SearchPage::default() });
            }
            // Without numbers, capped: a broad search is read another way (and needs its count on every page).
            let cap = (rest.numbers.is_empty() && only.is_none()).then_some(store::BROAD_AT);
            let counts = only.is_none() && (first_page || cap.is_some());
            let p = store::Plan { keys: &rest.numbers, words: word_refs, counts, cap, ..base };
            (run_plan(pool, &p, &mut plans).await?, p)
        }
    };

    // Words that found nothing, some of them known to no catalog: perhaps the letters of a part number ("DXFVC" of
    // 17173-DXFVC), looked for as numbers (one more statement, only for an empty first page).
    let tails: Vec<String> =
        words.unknown.iter().map(|w| number_key(w)).filter(|k| k.chars().count() >= INFIX_MIN_CHARS).collect();
    let mut as_number = None;
    if first_page && found.total == Some(0) && rest.numbers.is_empty() && used.words.is_some() && !tails.is_empty() {
        let p = store::Plan { keys: &tails, words: None, cap: None, counts: true, ..used };
        let f = run_plan(pool, &p, &mut plans).await?;
        if f.total.unwrap_or(0) > 0 {
            as_number = Some(tails.join(" "));
            found = f;
        }
    }
    let understood = Understood { as_number, ..understood };

    // Nothing for this vehicle: say how many there are for any vehicle.
    let mut without_vehicle = None;
    // (Only when something besides the vehicle was asked: a vehicle alone has no "without".)
    if first_page && found.total == Some(0) && vehicles.is_some() && (!used.keys.is_empty() || used.words.is_some()) {
        let p = store::Plan { vehicles: None, limit: 0, counts: true, ..used };
        without_vehicle = run_plan(pool, &p, &mut plans).await?.total;
    }

    Ok(page_of(found, limit, word_refs.is_some(), first_page, understood, without_vehicle))
}

/// The page a search's statement found: `limit` hits (one more was asked for: whether a next page exists), and on a
/// first page its counts.
fn page_of(
    mut found: store::Found,
    limit: i64,
    words: bool,
    first_page: bool,
    understood: Understood,
    without_vehicle: Option<i64>,
) -> SearchPage {
    let more = found.hits.len() as i64 > limit;
    found.hits.truncate(limit as usize);
    let hits: Vec<PartHit> = found.hits.into_iter().map(|h| hit(h, words)).collect();
    SearchPage {
        understood,
        next: more.then(|| hits.last().map(|h| h.cursor.clone())).flatten(),
        hits,
        total: if first_page { found.total } else { None },
        approximate: first_page && found.approximate,
        groups: found.groups.into_iter().map(|g| GroupCount { id: g.id, path: g.path, parts: g.parts }).collect(),
        without_vehicle,
    }
}

/// The word terms: synonyms (longest runs first), the word being typed as a prefix, unknown words corrected. Each
/// term is shown back as the user wrote it unless it was corrected ("balatas trazeras" is searched as balatas or
/// pastillas, and traseras, and shown as «balatas traseras»).
async fn plan_words(
    pool: &PgPool,
    rest: &SearchQuery,
    folded: &HashMap<&str, &str>,
    lookup: &store::Lookup,
    typing: Option<&str>,
) -> Result<Words> {
    let words: Vec<String> =
        rest.words.iter().map(|w| folded.get(w.as_str()).map_or_else(|| w.clone(), |f| (*f).to_owned())).collect();
    // Each slot: the term, and the words shown for it (empty: covered by the run before it).
    let mut slots: Vec<Option<(WordTerm, String)>> = vec![None; words.len()];
    let mut synonyms = Vec::new();
    for n in (1..=3).rev() {
        for start in 0..words.len().saturating_sub(n - 1) {
            if slots[start..start + n].iter().any(Option::is_some) {
                continue;
            }
            let run = words[start..start + n].join(" ");
            if let Some(group) = lookup.synonyms.iter().find(|g| g.contains(&run)) {
                synonyms.extend(group.iter().filter(|t| **t != run).cloned());
                slots[start] = Some((WordTerm::AnyOf(group.clone()), rest.words[start..start + n].join(" ")));
                for slot in &mut slots[start + 1..start + n] {
                    // Covered by the run's term.
                    *slot = Some((WordTerm::AnyOf(Vec::new()), String::new()));
                }
            }
        }
    }
    // The rest: known words as they are; the word being typed as a prefix; the others corrected when a catalog word
    // is close.
    let typing_folded = typing.and_then(|t| folded.get(t)).copied();
    let mut to_correct = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if slots[i].is_some() {
            continue;
        }
        let is_last = i + 1 == words.len();
        let shown = rest.words[i].clone();
        if lookup.known.contains(w) {
            slots[i] = Some((WordTerm::Word { word: w.clone(), prefix: false }, shown));
        } else if is_last && typing_folded == Some(w.as_str()) && lookup.last_is_prefix {
            slots[i] = Some((WordTerm::Word { word: w.clone(), prefix: true }, shown));
        } else if w.chars().count() >= CORRECT_MIN_CHARS {
            to_correct.push(w.clone());
        } else {
            slots[i] = Some((WordTerm::Word { word: w.clone(), prefix: false }, shown));
        }
    }
    let mut corrected_any = false;
    let mut unknown = Vec::new();
    if !to_correct.is_empty() {
        let edits: Vec<(String, String)> =
            to_correct.iter().flat_map(|w| one_edit(w).into_iter().map(move |e| (w.clone(), e))).collect();
        let found: HashMap<String, Option<String>> =
            store::corrections(pool, &to_correct, &edits).await.map_err(Error::from)?.into_iter().collect();
        for (i, w) in words.iter().enumerate() {
            if slots[i].is_none() {
                let (word, shown) = match found.get(w).cloned().flatten() {
                    Some(c) if c != *w => {
                        corrected_any = true;
                        (c.clone(), c)
                    }
                    _ => {
                        unknown.push(rest.words[i].clone());
                        (w.clone(), rest.words[i].clone())
                    }
                };
                slots[i] = Some((WordTerm::Word { word, prefix: false }, shown));
            }
        }
    }
    let (terms, shown): (Vec<WordTerm>, Vec<String>) =
        slots.into_iter().flatten().filter(|(t, _)| !matches!(t, WordTerm::AnyOf(g) if g.is_empty())).unzip();
    let corrected = corrected_any.then(|| {
        let mut all: Vec<String> = rest.numbers.clone();
        all.extend(shown);
        all.join(" ")
    });
    synonyms.sort();
    synonyms.dedup();
    Ok(Words { terms, corrected, synonyms, unknown })
}

fn hit(h: store::HitRow, words: bool) -> PartHit {
    let found_by = h.src.as_deref().map(|src| NumberHit {
        source: match src {
            "aftermarket" => NumberSource::Aftermarket,
            "equivalent" => NumberSource::Equivalent,
            "supersedes" => NumberSource::Superseded,
            _ => NumberSource::Oem,
        },
        matched: match h.tier {
            0 => NumberMatch::Exact,
            1 => NumberMatch::Prefix,
            _ => NumberMatch::Infix,
        },
        number: mark_number(h.matched_number.as_deref().unwrap_or(&h.number), h.key.as_deref().unwrap_or_default()),
        brand: h.brand.clone().unwrap_or_default(),
    });
    PartHit {
        cursor: SearchCursor { tier: h.tier, score: h.score, id: h.id }.to_string(),
        id: PartId(h.id),
        number: h.number,
        manufacturer: h.manufacturer,
        name: if words { marked_segments(&h.name) } else { plain(&h.name) },
        group: h.group,
        fitment_count: h.fitment_count,
        alternatives: h.alternatives,
        price_from: Money::of(h.price_from_cents, h.currency),
        found_by,
    }
}
