//! `nexus-server bench fabrication`: the shop's parts at the scale, on a database of its own
//! (`nexus_bench_fabrication`, kept between runs), through the services the REST handlers call (the application's
//! role, row-level security, the server's pool), each section selectable with `--only`:
//!
//! - `race`: `--runs` runs (20) of `--parts-per-run` parts (20), each claimed at once by `--racers` (100) people:
//!   exactly one winner per part, and every other told with 409 who holds it.
//! - `fuzz`: `--actions` random actions (100,000) by `--people` (20) people, `--workers` (8) at once, on `--parts`
//!   (2,000) parts: each action mostly one the workflow has from the part's last known state, sometimes any at all
//!   (what a hostile client sends); every answer a part or a refusal (403, 409, 422), never an error; then every
//!   part's events rebuild its row (state, version, holder), and the statistics equal the counts by state.
//! - `table`: `--table` parts (100,000) loaded once set-based over two years (with their stays), then the table's
//!   mix, each query 100 times: the first page, a state, a type and subsystem by name, a holder, "my claims",
//!   overdue, a search of one common word and of two, of a subsystem, of a part's number (a dozen parts), of a
//!   material most parts have and of a word no part has, the next page, each order: p95 ≤ 20 ms.
//! - `stats`: the statistics over those parts (12 weeks), 300 times: p95 ≤ 50 ms.
//!
//! The bench's own cluster: `NEXUS_DATA_DIR=.data/bench NEXUS_PG_PORT=54329` (or `DATABASE_URL`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Args, ValueEnum};
use leptos::config::LeptosOptions;
use nexus::caller::{Caller, User};
use nexus::error::Error;
use nexus::fabrication::rules::list::{PartQuery, PartSort};
use nexus::fabrication::rules::parts::{PartAction, PartInput, PartKind, PartState, Priority, rebuild};
use nexus::fabrication::service::actions::{ActInput, act};
use nexus::fabrication::service::{parts, stats};
use nexus::identity::rules::auth::Role;
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::{FabPartId, TenantId, UserId};
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::cli::{Row, ms, percentile};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    Race,
    Fuzz,
    Table,
    Stats,
}

#[derive(Debug, Clone, Args)]
pub struct FabricationBenchArgs {
    /// Sections to run, in this order.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Section::Race, Section::Fuzz, Section::Table, Section::Stats])]
    pub only: Vec<Section>,
    /// People claiming one part at once.
    #[arg(long, default_value_t = 100)]
    pub racers: usize,
    /// Runs of the race.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// Parts raced per run.
    #[arg(long, default_value_t = 20)]
    pub parts_per_run: usize,
    /// Random actions of the fuzz.
    #[arg(long, default_value_t = 100_000)]
    pub actions: usize,
    /// Parts the fuzz acts on.
    #[arg(long, default_value_t = 2_000)]
    pub parts: usize,
    /// People the fuzz acts as (the first two lead).
    #[arg(long, default_value_t = 20)]
    pub people: usize,
    /// Fuzz workers at once.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Parts of the table and statistics sections.
    #[arg(long, default_value_t = 100_000)]
    pub table: i64,
}

const DB: &str = "nexus_bench_fabrication";

/// A shop of the bench: its tenant and people (the first two lead).
struct Shop {
    tenant: TenantId,
    people: Vec<Caller>,
}

fn person(tenant: TenantId, id: Uuid, role: Role, name: String) -> Caller {
    Caller::User(User {
        user_id: UserId(id),
        tenant_id: tenant,
        session_id: Uuid::nil(),
        role,
        tenant_kind: TenantKind::Manufacturer,
        email: String::new(),
        display_name: name,
    })
}

fn uid(c: &Caller) -> UserId {
    match c {
        Caller::User(u) => u.user_id,
        Caller::Machine(_) => UserId(Uuid::nil()),
    }
}

/// The shop named `name` with two leads and `makers` operators, made once.
async fn shop(owner: &PgPool, name: &str, makers: usize) -> Result<Shop> {
    let found: Option<TenantId> =
        sqlx::query_scalar("select id from tenants where name = $1").bind(name).fetch_optional(owner).await?;
    let tenant = match found {
        Some(t) => t,
        None => {
            sqlx::query_scalar(
                "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
            )
            .bind(name)
            .fetch_one(owner)
            .await?
        }
    };
    let slug = name.to_lowercase().replace(' ', "-");
    sqlx::query(
        "insert into users (tenant_id, email, display_name, password_hash, role, status)
         select $1, 'p' || i || '@' || $3 || '.bench', case when i <= 2 then 'Líder ' else 'Tornero ' end || i,
                'not-a-password', case when i <= 2 then 'manager' else 'operator' end, 'active'
         from generate_series(1, $2) i on conflict do nothing",
    )
    .bind(tenant)
    .bind(i32::try_from(makers + 2)?)
    .bind(&slug)
    .execute(owner)
    .await?;
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select id, display_name, role from users where tenant_id = $1 order by length(email), email limit $2",
    )
    .bind(tenant)
    .bind(i64::try_from(makers + 2)?)
    .fetch_all(owner)
    .await?;
    let people = rows
        .into_iter()
        .map(|(id, name, role)| {
            let role = if role == "manager" { Role::Manager } else { Role::Operator };
            person(tenant, id, role, name)
        })
        .collect();
    Ok(Shop { tenant, people })
}

fn any_err(e: Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn part(name: String, kind: PartKind) -> PartInput {
    PartInput {
        name,
        kind,
        subsystem: None,
        quantity: 1,
        material: String::new(),
        notes: String::new(),
        priority: Priority::Normal,
        due_date: None,
        cad_url: None,
    }
}

pub async fn run(cfg: Config, args: FabricationBenchArgs) -> Result<()> {
    let cfg = crate::cli::bench_config(cfg);
    let (url, _cluster) = startup::database(&cfg)?;
    let (bench, bench_url) = crate::cli::bench_database(&url, DB).await?;
    let owner = PgPoolOptions::new().max_connections(3).connect_with(bench.clone()).await?;
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let state = startup::state(&cfg, &bench_url, options).await?;
    let mut rows = Vec::new();
    for section in &args.only {
        match section {
            Section::Race => rows.extend(race(&state.pool, &owner, &args).await?),
            Section::Fuzz => rows.extend(fuzz(&state.pool, &owner, &args).await?),
            Section::Table => rows.extend(table(&state.pool, &owner, &args).await?),
            Section::Stats => rows.extend(statistics(&state.pool, &owner, &args).await?),
        }
    }
    owner.close().await;
    crate::cli::print_rows("bench fabrication", rows);
    Ok(())
}

/// One part raced by every racer at once: winners, refusals naming the winner, and whether all did.
async fn race_one(pool: &PgPool, lead: &Caller, racers: &[Caller], n: usize) -> Result<(usize, usize, bool)> {
    let id = parts::create(pool, &racers[0], &part(format!("Carrera {n}"), PartKind::Cnc), None)
        .await
        .map_err(any_err)?
        .part
        .id;
    act(pool, lead, id, PartAction::Approve, &ActInput::default()).await.map_err(any_err)?;
    let gate = Arc::new(tokio::sync::Barrier::new(racers.len()));
    let mut handles = Vec::new();
    for p in racers {
        let (pool, p, gate) = (pool.clone(), p.clone(), gate.clone());
        handles.push(tokio::spawn(async move {
            gate.wait().await;
            act(&pool, &p, id, PartAction::Claim, &ActInput::default()).await
        }));
    }
    let (mut winners, mut refused, mut named) = (Vec::new(), 0, Vec::new());
    for h in handles {
        match h.await? {
            Ok(d) => winners.push(d.part.assignee.map(|a| a.name).unwrap_or_default()),
            Err(Error::Rejected(r)) if r.status == 409 => {
                refused += 1;
                named.push(r.problem["holder"]["name"].as_str().unwrap_or_default().to_owned());
            }
            Err(e) => anyhow::bail!("a racer failed: {e}"),
        }
    }
    let all_named = winners.len() == 1 && named.iter().all(|n| *n == winners[0]);
    Ok((winners.len(), refused, all_named))
}

async fn race(pool: &PgPool, owner: &PgPool, args: &FabricationBenchArgs) -> Result<Vec<Row>> {
    let shop = shop(owner, "Taller Bench Carrera", args.racers).await?;
    let (lead, racers) = (&shop.people[0], &shop.people[2..]);
    let (mut clean, mut total, mut errors) = (0, 0, 0);
    let started = Instant::now();
    for run in 0..args.runs {
        for t in 0..args.parts_per_run {
            total += 1;
            match race_one(pool, lead, racers, run * 1000 + t).await {
                Ok((1, refused, true)) if refused == racers.len() - 1 => clean += 1,
                Ok(other) => eprintln!("race {run}/{t}: {other:?}"),
                Err(e) => {
                    errors += 1;
                    eprintln!("race {run}/{t}: {e:#}");
                }
            }
        }
    }
    Ok(vec![
        Row {
            what: format!(
                "{} people claiming one part at once: 1 winner, {} × 409 naming it",
                racers.len(),
                racers.len() - 1
            ),
            value: format!("{clean}/{total} races ({:.1} s)", started.elapsed().as_secs_f64()),
            target: format!("{total}/{total}"),
            pass: Some(clean == total),
        },
        Row {
            what: "races with any other answer (an error)".into(),
            value: errors.to_string(),
            target: "0".into(),
            pass: Some(errors == 0),
        },
    ])
}

/// What a fuzz worker may try on a part last seen in `state`: the workflow's actions from it, as a walk would.
fn plausible(state: PartState) -> &'static [PartAction] {
    use PartAction::*;
    match state {
        PartState::Review => &[Approve, Approve, Approve, Reject],
        PartState::Rejected => &[Resubmit],
        PartState::Cnc | PartState::Hand => &[Claim, Claim, Assign],
        PartState::Claimed => &[Complete, Complete, Unclaim, Extend, Acknowledge],
        PartState::Completed => &[Revert],
        PartState::Deleted => &[],
    }
}

async fn fuzz(pool: &PgPool, owner: &PgPool, args: &FabricationBenchArgs) -> Result<Vec<Row>> {
    let shop =
        Arc::new(shop(owner, &format!("Taller Bench Azar {}", chrono::Utc::now().timestamp()), args.people).await?);
    let started = Instant::now();
    let mut ids = Vec::with_capacity(args.parts);
    for n in 0..args.parts {
        let who = &shop.people[2 + n % (shop.people.len() - 2)];
        let kind = if n % 3 == 0 { PartKind::Hand } else { PartKind::Cnc };
        ids.push(parts::create(pool, who, &part(format!("Azar {n}"), kind), None).await.map_err(any_err)?.part.id);
    }
    let ids = Arc::new(ids);
    let known: Arc<Vec<std::sync::Mutex<PartState>>> =
        Arc::new((0..args.parts).map(|_| std::sync::Mutex::new(PartState::Review)).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let (taken, refused, errors) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut handles = Vec::new();
    for w in 0..args.workers {
        let (pool, shop, ids, known, next) = (pool.clone(), shop.clone(), ids.clone(), known.clone(), next.clone());
        let (taken, refused, errors) = (taken.clone(), refused.clone(), errors.clone());
        let total = args.actions;
        handles.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(27 + w as u64);
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let i = rng.gen_range(0..ids.len());
                let who = &shop.people[rng.gen_range(0..shop.people.len())];
                let last = *known[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let choices = plausible(last);
                let action = if choices.is_empty() || rng.gen_ratio(1, 10) {
                    PartAction::BUTTONS[rng.gen_range(0..PartAction::BUTTONS.len())]
                } else {
                    choices[rng.gen_range(0..choices.len())]
                };
                let input = ActInput {
                    comment: rng.gen_ratio(4, 5).then_some("Motivo del fuzz"),
                    assignee: Some(uid(&shop.people[rng.gen_range(0..shop.people.len())])),
                    ..ActInput::default()
                };
                match act(&pool, who, ids[i], action, &input).await {
                    Ok(d) => {
                        taken.fetch_add(1, Ordering::Relaxed);
                        *known[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner) = d.part.state;
                    }
                    Err(Error::Rejected(r)) if matches!(r.status, 403 | 409) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        if let Some(s) = r.problem["state"].as_str().and_then(PartState::parse) {
                            *known[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner) = s;
                        }
                    }
                    Err(Error::Validation(_) | Error::Forbidden) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("fuzz: {action:?} on {}: {e}", ids[i]);
                    }
                }
            }
        }));
    }
    for h in handles {
        h.await?;
    }
    let wall = started.elapsed();
    // Every part's events rebuild its row; the statistics equal the counts.
    let viewer = &shop.people[0];
    let mut rebuilt = 0;
    for id in ids.iter() {
        let d = parts::get(pool, viewer, *id).await.map_err(any_err)?;
        let r = rebuild(&d.timeline);
        let row = (d.part.state, d.part.version, d.part.assignee.map(|a| a.id));
        if r.is_some_and(|r| (r.state, r.version, r.holder) == row) {
            rebuilt += 1;
        } else {
            eprintln!("part {id}: events {r:?}, row {row:?}");
        }
    }
    let st = stats::stats(pool, viewer, None).await.map_err(any_err)?;
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "select state, count(*) from fabrication_parts where tenant_id = $1 and state <> 'deleted' group by state",
    )
    .bind(shop.tenant)
    .fetch_all(owner)
    .await?;
    let agree = st
        .by_state
        .iter()
        .all(|c| c.count == counts.iter().find(|(s, _)| s == c.state.as_str()).map_or(0, |(_, n)| *n));
    let (taken, refused, errors) =
        (taken.load(Ordering::Relaxed), refused.load(Ordering::Relaxed), errors.load(Ordering::Relaxed));
    Ok(vec![
        Row {
            what: format!("random actions on {} parts by {} people, {} at once", args.parts, args.people, args.workers),
            value: format!(
                "{} ({taken} taken, {refused} refused; {:.0} s)",
                taken + refused + errors,
                wall.as_secs_f64()
            ),
            target: "0 errors".into(),
            pass: Some(errors == 0),
        },
        Row {
            what: "parts whose events rebuild their row (state, version, holder)".into(),
            value: format!("{rebuilt}/{}", ids.len()),
            target: format!("{}/{}", ids.len(), ids.len()),
            pass: Some(rebuilt == ids.len()),
        },
        Row {
            what: "statistics equal the counts by state".into(),
            value: if agree { "yes".into() } else { "no".into() },
            target: "yes".into(),
            pass: Some(agree),
        },
    ])
}

/// The table's and statistics' shop: `--table` parts over two years with their stays, loaded once.
async fn big_shop(owner: &PgPool, args: &FabricationBenchArgs) -> Result<Shop> {
    let shop = shop(owner, "Taller Bench Tabla", 40).await?;
    let have: i64 = sqlx::query_scalar("select count(*) from fabrication_parts where tenant_id = $1")
        .bind(shop.tenant)
        .fetch_one(owner)
        .await?;
    if have >= args.table {
        return Ok(shop);
    }
    let started = Instant::now();
    // The parts this load adds are those past the newest one already there: their stays are made once.
    let newest: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from fabrication_parts").fetch_one(owner).await?;
    sqlx::query(
        "insert into fabrication_subsystems (tenant_id, name)
         select $1, s from unnest(array['Troqueles','Moldes','Dispositivos','Mantenimiento','Prototipos','Chasis',
                                        'Tracción','Hidráulica','Eléctrico','Neumática']) s
         on conflict do nothing",
    )
    .bind(shop.tenant)
    .execute(owner)
    .await?;
    let holders: Vec<Uuid> = shop.people.iter().skip(2).map(|p| uid(p).0).collect();
    let requester = uid(&shop.people[2]).0;
    // Parts: a name from a vocabulary, a state by their age (old ones completed, recent ones anywhere), a holder when
    // claimed or completed, a due date for two in three; the type, subsystem, state and holder each drawn by a hash
    // of their own (independent of each other, as a shop's are: no subsystem without parts in some state).
    sqlx::query(
        "with s as (select array_agg(id order by id) ids from fabrication_subsystems where tenant_id = $1)
         insert into fabrication_parts (tenant_id, name, kind, subsystem_id, quantity, material, notes, priority,
                                        due_date, state, version, requester_id, assignee_id, claimed_at,
                                        claim_expires_at, state_since, created_at, updated_at)
         select $1,
                (array['Punzón','Matriz','Buje','Eje','Placa base','Soporte','Guía','Leva','Perno','Brida','Espaciador',
                       'Tope','Pasador','Inserto','Mordaza','Escuadra'])[1 + i % 16] || ' ' || i,
                case when h.k % 3 = 0 then 'hand' else 'cnc' end, s.ids[1 + h.s % 10], 1 + i % 25,
                (array['Acero D2','Acero 1045','Aluminio 6061','Bronce','Nylon'])[1 + i % 5],
                case when i % 7 = 0 then 'Templar después de maquinar' else '' end,
                (array['low','normal','normal','high','urgent'])[1 + i % 5],
                case when i % 3 <> 0 then (now() - make_interval(days => (i % 730) - 20))::date end,
                st, 4, $3,
                case when st in ('claimed', 'completed') then ($4::uuid[])[1 + h.h % array_length($4::uuid[], 1)] end,
                case when st = 'claimed' then now() - interval '1 hour' end,
                case when st = 'claimed' then now() + interval '3 hours' end,
                now() - make_interval(days => i % 730), now() - make_interval(days => i % 730, mins => i % 1440),
                now() - make_interval(days => i % 730)
         from s, generate_series($5::int + 1, $2::int) i,
              lateral (select hashint4(i) & 2147483647 as s, hashint4(i + 1000003) & 2147483647 as k,
                              hashint4(i + 2000003) & 2147483647 as h, hashint4(i + 3000017) & 2147483647 as t) h,
              lateral (select case when i % 730 > 60 then (case when h.t % 50 = 0 then 'cnc' else 'completed' end)
                                   else (array['review','rejected','cnc','hand','claimed','completed'])[1 + h.t % 6]
                              end as st) x",
    )
    .bind(shop.tenant)
    .bind(args.table)
    .bind(requester)
    .bind(&holders)
    .bind(have)
    .execute(owner)
    .await?;
    // Their stays: review, a queue, claimed, completed, as far as each got, with plausible lengths.
    sqlx::query(
        "insert into fabrication_stays (tenant_id, part_id, state, entered_at, left_at, left_by)
         select p.tenant_id, p.id, st.state, p.created_at + st.enter, p.created_at + st.leave, st.left_by
         from fabrication_parts p
         cross join lateral (select (p.id % 200)::int as k) k
         cross join lateral (values
             ('review', interval '0', make_interval(hours => 2 + k.k % 30), 'approve', 1),
             (case when p.kind = 'hand' then 'hand' else 'cnc' end, make_interval(hours => 2 + k.k % 30),
              make_interval(hours => 30 + k.k % 90), 'claim', 3),
             ('claimed', make_interval(hours => 30 + k.k % 90), make_interval(hours => 34 + k.k),
              case when k.k % 40 = 0 then 'expire' else 'complete' end, 5)) st(state, enter, leave, left_by, rank)
         where p.tenant_id = $1 and p.state = 'completed' and p.id > $2",
    )
    .bind(shop.tenant)
    .bind(newest)
    .execute(owner)
    .await?;
    sqlx::query(
        "insert into fabrication_stays (tenant_id, part_id, state, entered_at)
         select p.tenant_id, p.id, p.state, p.state_since from fabrication_parts p
         where p.tenant_id = $1 and p.id > $2",
    )
    .bind(shop.tenant)
    .bind(newest)
    .execute(owner)
    .await?;
    // What autovacuum does to a table loaded in bulk, at once (the statistics, and the visibility the index-only
    // scans of the parts' words rely on).
    for table in ["fabrication_parts", "fabrication_stays", "fabrication_part_words"] {
        sqlx::query(&format!("vacuum analyze {table}")).execute(owner).await?;
    }
    println!("loaded {} parts in {:.1} s", args.table - have, started.elapsed().as_secs_f64());
    Ok(shop)
}

async fn table(pool: &PgPool, owner: &PgPool, args: &FabricationBenchArgs) -> Result<Vec<Row>> {
    let shop = big_shop(owner, args).await?;
    let reader = &shop.people[3];
    let holder = uid(&shop.people[4]);
    let subsystem: i32 = sqlx::query_scalar("select min(id) from fabrication_subsystems where tenant_id = $1")
        .bind(shop.tenant)
        .fetch_one(owner)
        .await?;
    let q = PartQuery::default;
    let mix: Vec<(&str, PartQuery)> = vec![
        ("first page", q()),
        ("claimed", PartQuery { states: vec![PartState::Claimed], ..q() }),
        (
            "hand, a subsystem, by name",
            PartQuery {
                kind: Some(PartKind::Hand),
                subsystem: Some(nexus::ids::SubsystemId(subsystem)),
                sort: PartSort::Name,
                ..q()
            },
        ),
        ("a holder's", PartQuery { assignee: Some(holder), ..q() }),
        ("my claims", PartQuery { mine: true, ..q() }),
        ("overdue, by due date", PartQuery { overdue: true, sort: PartSort::Due, ..q() }),
        ("search one word", PartQuery { search: Some("pasador".into()), ..q() }),
        ("search two words", PartQuery { search: Some("brida bronce".into()), ..q() }),
        ("search a subsystem", PartQuery { search: Some("hidraulica".into()), states: vec![PartState::Cnc], ..q() }),
        ("search a part's number", PartQuery { search: Some("4321".into()), ..q() }),
        ("search a material of most parts", PartQuery { search: Some("acero".into()), ..q() }),
        ("search a word no part has", PartQuery { search: Some("zafiro".into()), ..q() }),
        ("by state", PartQuery { sort: PartSort::State, ..q() }),
        ("by holder, claimed", PartQuery { sort: PartSort::Assignee, states: vec![PartState::Claimed], ..q() }),
        ("by name, descending", PartQuery { sort: PartSort::Name, desc: Some(true), ..q() }),
    ];
    let mut rows = Vec::new();
    let mut all = Vec::new();
    for (what, query) in mix {
        let mut times = Vec::new();
        let mut after = None;
        for i in 0..100 {
            // Every fifth read is the next page (its cursor from the one before).
            let q = PartQuery { after: if i % 5 == 4 { after.clone() } else { None }, ..query.clone() };
            let t = Instant::now();
            let page = parts::list(pool, reader, &q).await.map_err(any_err)?;
            times.push(t.elapsed());
            after = page.next;
        }
        times.sort();
        let p95 = percentile(&times, 0.95);
        all.extend(times.iter().copied());
        rows.push(Row {
            what: format!("table, {} parts: {what}: p95", args.table),
            value: format!("{} (p50 {})", ms(p95), ms(percentile(&times, 0.5))),
            target: "≤ 20 ms".into(),
            pass: Some(p95 <= Duration::from_millis(20)),
        });
    }
    all.sort();
    let p95 = percentile(&all, 0.95);
    rows.push(Row {
        what: format!("table, {} parts: the whole mix: p95", args.table),
        value: format!("{} (p50 {})", ms(p95), ms(percentile(&all, 0.5))),
        target: "≤ 20 ms".into(),
        pass: Some(p95 <= Duration::from_millis(20)),
    });
    Ok(rows)
}

async fn statistics(pool: &PgPool, owner: &PgPool, args: &FabricationBenchArgs) -> Result<Vec<Row>> {
    let shop = big_shop(owner, args).await?;
    let reader = &shop.people[3];
    let mut times = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        let st = stats::stats(pool, reader, None).await.map_err(any_err)?;
        times.push(t.elapsed());
        anyhow::ensure!(st.total > 0, "the statistics count no part");
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    let _ = FabPartId(0);
    Ok(vec![Row {
        what: format!("statistics, {} parts, 12 weeks: p95", args.table),
        value: format!("{} (p50 {})", ms(p95), ms(percentile(&times, 0.5))),
        target: "≤ 50 ms".into(),
        pass: Some(p95 <= Duration::from_millis(50)),
    }])
}
