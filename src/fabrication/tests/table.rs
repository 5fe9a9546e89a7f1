//! The parts' table: search across a part's name, notes and material, its subsystem's name and its holder's name
//! (accents and case aside, every word found); filters; each order walked page by page by keyset, every part once.

use chrono::NaiveDate;

use super::*;
use crate::fabrication::rules::views::PartSummary;
use crate::ids::SubsystemId;

async fn all_pages(pool: &PgPool, who: &Caller, q: &PartQuery) -> Vec<PartSummary> {
    let mut seen = Vec::new();
    let mut q = PartQuery { limit: Some(3), ..q.clone() };
    loop {
        let page = parts::list(pool, who, &q).await.unwrap();
        seen.extend(page.items);
        match page.next {
            Some(n) => q.after = Some(n),
            None => return seen,
        }
    }
}

fn names(parts: &[PartSummary]) -> Vec<&str> {
    parts.iter().map(|p| p.name.as_str()).collect()
}

#[sqlx::test]
async fn the_table_searches_filters_and_walks_every_order_by_keyset(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Tabla").await;
    let meta = RequestMeta::default();
    let drive = setup::save_subsystem(&pool, &s.lead, None, "Tracción", false, &meta).await.unwrap();
    let frame = setup::save_subsystem(&pool, &s.lead, None, "Chasis", false, &meta).await.unwrap();
    let taken = setup::save_subsystem(&pool, &s.lead, None, "chasis", false, &meta).await.unwrap_err();
    assert!(matches!(taken, Error::Validation(f) if f[0].code == ErrorCode::NameTaken));
    let day = |d: u32| NaiveDate::from_ymd_opt(2020, 1, d);
    type Spec = (&'static str, PartKind, Option<SubsystemId>, Option<NaiveDate>, &'static str);
    let specs: [Spec; 7] = [
        ("Piñón de 12 dientes", PartKind::Cnc, Some(drive.id), day(3), "Acero templado"),
        ("Eje de salida", PartKind::Cnc, Some(drive.id), None, "Chavetero a 6 mm"),
        ("Placa lateral", PartKind::Cnc, Some(frame.id), day(1), "Aluminio"),
        ("Escuadra", PartKind::Hand, Some(frame.id), day(2), "Doblar a 90°"),
        ("Buje de bronce", PartKind::Hand, None, None, "Ajuste h7"),
        ("Tapa 100%_final", PartKind::Hand, None, day(9), ""),
        ("eje corto", PartKind::Cnc, None, None, ""),
    ];
    let mut ids = Vec::new();
    for (name, kind, subsystem, due, notes) in specs {
        let input = PartInput { subsystem, due_date: due, notes: notes.into(), ..bracket(name, kind) };
        let id = parts::create(&pool, &s.ana, &input, None).await.unwrap().part.id;
        go(&pool, &s.lead, id, PartAction::Approve).await.unwrap();
        ids.push(id);
    }
    // Beto holds the pinion and the bushing; Ana the plate.
    go(&pool, &s.beto, ids[0], PartAction::Claim).await.unwrap();
    go(&pool, &s.beto, ids[4], PartAction::Claim).await.unwrap();
    go(&pool, &s.ana, ids[2], PartAction::Claim).await.unwrap();
    let search = |text: &str| PartQuery { search: Some(text.into()), ..PartQuery::default() };
    let found = |q: PartQuery| {
        let (pool, viewer) = (pool.clone(), s.viewer.clone());
        async move {
            let mut n: Vec<String> = all_pages(&pool, &viewer, &q).await.into_iter().map(|p| p.name).collect();
            n.sort();
            n
        }
    };
    // By name, accents and case aside; by notes; by subsystem; by holder; every word must be found.
    assert_eq!(found(search("PINON")).await, ["Piñón de 12 dientes"]);
    assert_eq!(found(search("eje")).await, ["Eje de salida", "eje corto"]);
    assert_eq!(found(search("templado")).await, ["Piñón de 12 dientes"]);
    assert_eq!(found(search("traccion")).await, ["Eje de salida", "Piñón de 12 dientes"]);
    assert_eq!(found(search("beto")).await, ["Buje de bronce", "Piñón de 12 dientes"]);
    assert_eq!(found(search("chasis placa")).await, ["Placa lateral"]);
    // A word is found as the start of one of the part's words, its letters and digits alone too; `%` and `_` are
    // letters (as wildcards, `%` would find every part).
    assert_eq!(found(search("100%_")).await, ["Tapa 100%_final"]);
    assert_eq!(found(search("fin")).await, ["Tapa 100%_final"]);
    assert_eq!(found(search("%")).await, Vec::<String>::new());
    assert_eq!(found(search("h7")).await, ["Buje de bronce"]);
    // An edit's new words are found, its old ones no longer.
    let square = parts::get(&pool, &s.lead, ids[3]).await.unwrap().part;
    let input = PartInput {
        subsystem: Some(frame.id),
        due_date: day(2),
        notes: "Soldar a tope".into(),
        ..bracket("Escuadra", PartKind::Hand)
    };
    parts::edit(&pool, &s.lead, ids[3], &input, square.version).await.unwrap();
    assert_eq!(found(search("doblar")).await, Vec::<String>::new());
    assert_eq!(found(search("SOLDAR")).await, ["Escuadra"]);
    // Filters: state, type, subsystem, holder, mine, overdue.
    let q = PartQuery { states: vec![PartState::Claimed], ..PartQuery::default() };
    assert_eq!(found(q).await, ["Buje de bronce", "Piñón de 12 dientes", "Placa lateral"]);
    let q = PartQuery { kind: Some(PartKind::Hand), ..PartQuery::default() };
    assert_eq!(found(q).await, ["Buje de bronce", "Escuadra", "Tapa 100%_final"]);
    let q = PartQuery { subsystem: Some(frame.id), ..PartQuery::default() };
    assert_eq!(found(q).await, ["Escuadra", "Placa lateral"]);
    let q = PartQuery { assignee: Some(uid(&s.beto)), ..PartQuery::default() };
    assert_eq!(found(q).await, ["Buje de bronce", "Piñón de 12 dientes"]);
    let mine = parts::list(&pool, &s.ana, &PartQuery { mine: true, ..PartQuery::default() }).await.unwrap();
    assert_eq!(names(&mine.items), ["Placa lateral"]);
    go(&pool, &s.ana, ids[2], PartAction::Complete).await.unwrap();
    let q = PartQuery { overdue: true, ..PartQuery::default() };
    assert_eq!(found(q).await, ["Escuadra", "Piñón de 12 dientes", "Tapa 100%_final"], "completed is not overdue");
    // Every order, both ways, walked three at a time: each part once, in order.
    for sort in [PartSort::Name, PartSort::State, PartSort::Assignee, PartSort::Created, PartSort::Due] {
        for desc in [false, true] {
            let walked =
                all_pages(&pool, &s.viewer, &PartQuery { sort, desc: Some(desc), ..PartQuery::default() }).await;
            assert_eq!(walked.len(), 7, "{sort:?} desc {desc}");
            let mut once: Vec<i64> = walked.iter().map(|p| p.id.0).collect();
            once.sort_unstable();
            once.dedup();
            assert_eq!(once.len(), 7, "{sort:?} desc {desc}: a part twice");
            let key = |p: &PartSummary| match sort {
                PartSort::Name => p.name.to_lowercase(),
                PartSort::State => crate::fabrication::rules::list::state_rank(p.state).to_string(),
                PartSort::Assignee => p.assignee.as_ref().map(|a| a.name.to_lowercase()).unwrap_or_default(),
                PartSort::Created => p.created_at.to_rfc3339(),
                PartSort::Due => p.due_date.map_or("9999".into(), |d| d.to_string()),
            };
            let keys: Vec<String> = walked.iter().map(key).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            if desc {
                sorted.reverse();
            }
            assert_eq!(keys, sorted, "{sort:?} desc {desc}");
        }
    }
    // The default order is the newest first; a cursor of another order, a deleted state, too many words: 422.
    let first = parts::list(&pool, &s.viewer, &PartQuery::default()).await.unwrap();
    assert_eq!(first.items[0].name, "eje corto");
    for bad in [
        PartQuery { after: Some("1.x".into()), sort: PartSort::State, ..PartQuery::default() },
        PartQuery { states: vec![PartState::Deleted], ..PartQuery::default() },
        search("a b c d e f"),
        PartQuery { limit: Some(0), ..PartQuery::default() },
    ] {
        assert!(matches!(parts::list(&pool, &s.viewer, &bad).await, Err(Error::Validation(_))), "{bad:?}");
    }
}

/// The two ways the table checks a searched word (the words table's key range, which a rare word leads from, and
/// `strpos` in a part's `tokens`, for the rows a common word walks) find the same parts, for every word of the parts,
/// every prefix of them, words within words, and what no word starts.
#[sqlx::test]
async fn a_word_checked_in_a_parts_row_finds_what_the_words_table_finds(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 2).await;
    let s = shop(&pool, "Taller Palabras").await;
    let long = "x".repeat(150);
    let texts = [
        ("A-001 ±0,02 mm", "Ñandú; (Rosca) M8x1.25"),
        ("Tapa 100%_final", "tab\there  y\nlínea"),
        ("Cárter 3/8\" NPT", "a.x-b ...punto"),
        ("Pieza larga", long.as_str()),
    ];
    for (name, notes) in texts {
        let input = PartInput { notes: notes.into(), ..bracket(name, PartKind::Hand) };
        parts::create(&pool, &s.ana, &input, None).await.unwrap();
    }
    let mut tx = db::begin(&pool, Scope::Tenant(s.tenant)).await.unwrap();
    let (candidates,): (Vec<String>,) = sqlx::query_as(
        "select array_agg(distinct x) from (
             select left(t, n) as x from fabrication_parts p
             cross join lateral regexp_split_to_table(p.name || ' ' || p.notes || ' ' || p.material, '\\s+') t
             cross join generate_series(1, 160) n where n <= length(t)
             union all select substr(t, 2) from fabrication_parts p
             cross join lateral regexp_split_to_table(p.name || ' ' || p.notes, '\\s+') t) c where x <> ''",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut words = candidates;
    words.extend(["%", "_", "001", "x-b", ",02", "ÑANDU", "rosca)", "punto", "zafiro", "1.25"].map(String::from));
    assert!(words.len() > 200);
    let both: Vec<(String, i64, i64)> = sqlx::query_as(
        "select w, (select count(*) from fabrication_parts p
                    where p.id in (select part_id from fabrication_part_words x
                                   where x.word >= (left(catalog_fold(w), 100) collate \"C\")
                                     and x.word < (left(catalog_fold(w), 100) || chr(1114111)) collate \"C\")),
                   (select count(*) from fabrication_parts p
                    where strpos(p.tokens, ' ' || left(catalog_fold(w), 100)) > 0)
         from unnest($1::text[]) w",
    )
    .bind(&words)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let differ: Vec<_> = both.iter().filter(|(_, by_key, in_row)| by_key != in_row).collect();
    assert_eq!(differ, Vec::<&(String, i64, i64)>::new());
    let parts = |w: &str| both.iter().find(|(x, ..)| x == w).map(|(_, n, _)| *n);
    let expected =
        [("001", 1), ("±0,02", 1), ("ÑANDU", 1), ("punto", 1), (long.as_str(), 1), ("x-b", 0), ("zafiro", 0)];
    for (word, n) in expected {
        assert_eq!(parts(word), Some(n), "{word}");
    }
}

/// A searched word is matched in subsystems' and people's names as text, never as a pattern: a backslash is a letter
/// (as `like`'s escape, "eje\trasero" would find "EjeTrasero" and miss "Eje\Trasero").
#[sqlx::test]
async fn a_backslash_in_a_searched_word_is_a_letter(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 2).await;
    let s = shop(&pool, "Taller Barras").await;
    let meta = RequestMeta::default();
    let slash = setup::save_subsystem(&pool, &s.lead, None, "Eje\\Trasero", false, &meta).await.unwrap();
    let plain = setup::save_subsystem(&pool, &s.lead, None, "EjeTrasero", false, &meta).await.unwrap();
    for (name, subsystem) in [("Alfa", slash.id), ("Beta", plain.id)] {
        let input = PartInput { subsystem: Some(subsystem), ..bracket(name, PartKind::Hand) };
        let id = parts::create(&pool, &s.ana, &input, None).await.unwrap().part.id;
        go(&pool, &s.lead, id, PartAction::Approve).await.unwrap();
    }
    let found = |text: &str| {
        let q = PartQuery { search: Some(text.into()), ..PartQuery::default() };
        let (pool, viewer) = (pool.clone(), s.viewer.clone());
        async move { names(&all_pages(&pool, &viewer, &q).await).into_iter().map(String::from).collect::<Vec<_>>() }
    };
    assert_eq!(found("eje\\trasero").await, ["Alfa"]);
    assert_eq!(found("EJETRASERO").await, ["Beta"]);
    assert_eq!(found("\\").await, ["Alfa"]);
}
