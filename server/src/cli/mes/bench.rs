//! `nexus-server bench mes`: the floor's tasks at the scale, on a database of its own (`nexus_bench_mes`, kept
//! between runs), through the services the REST handlers call (the application's role, row-level security, the
//! server's pool), each section selectable with `--only`:
//!
//! - `list`: `--tasks` tasks (100,000) given to the supply role, loaded once set-based (most of them done); then a
//!   supply person's list of their role's tasks, the first page and pages further on, all states and the unfinished
//!   only: p95 ≤ 20 ms.
//! - `race`: `--runs` runs (20) of `--tasks-per-run` tasks (20), each accepted at once by `--racers` (50) holders of
//!   the role: exactly one winner per task, and every other told with 409 who won.
//! - `transitions`: `--racers` people (50) each taking their own tasks through accept, start and send to review at
//!   once while a manager approves them, twice: at a floor's pace (each person a transition every `--pace-ms`, 1 s:
//!   50 people then make 50 transitions a second, far more than a floor does), where the target (p95 ≤ 40 ms) is
//!   judged, and flat out (each person's next transition as soon as the last is answered: what the server can take,
//!   its latency then the queue's); then every task's events replayed to its state (0 lost or doubled transitions).
//! - `replay`: an operator terminal's queue of 200 actions (40 tasks accepted, started and sent to review, with 80
//!   stage facts between them), each under its key, sent in order as the terminal sends them; then the whole queue
//!   sent again, as a terminal does when the answers were lost: 0 rows added, every action answered as the first time.
//! - `feed`: `--facts` stage facts (100) recorded one after another on a line counted by people, each timed from
//!   the request to the plant's change notice (what wakes its open dashboards, which coalesce a second's notices
//!   into one refresh) and to the production figures (the dashboard's calculation, `oee::figures`) showing it:
//!   p95 + the dashboards' 1 s coalescing ≤ 5 s.
//!
//! The bench's own cluster: `NEXUS_DATA_DIR=.data/bench NEXUS_PG_PORT=54329` (or `DATABASE_URL`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Args, ValueEnum};
use leptos::config::LeptosOptions;
use nexus::caller::{Caller, User};
use nexus::error::Error;
use nexus::identity::rules::auth::Role;
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::{TaskId, TenantId, UserId};
use nexus::mes::rules::tasks::{AssigneeType, Task, TaskAction, TaskInput, TaskState, View};
use nexus::mes::service::tasks::{self, ListQuery};
use nexus::workflow::machine::replay;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::cli::{Row, ms, percentile};
use crate::config::Config;
use crate::startup;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    List,
    Race,
    Transitions,
    Replay,
    Feed,
}

#[derive(Debug, Clone, Args)]
pub struct MesBenchArgs {
    /// Sections to run, in this order.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Section::List, Section::Race, Section::Transitions, Section::Replay, Section::Feed])]
    pub only: Vec<Section>,
    /// Tasks of the role the list section reads.
    #[arg(long, default_value_t = 100_000)]
    pub tasks: i64,
    /// People racing (and working at once in `transitions`).
    #[arg(long, default_value_t = 50)]
    pub racers: usize,
    /// Runs of the race.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// Tasks raced per run.
    #[arg(long, default_value_t = 20)]
    pub tasks_per_run: usize,
    /// Tasks each person takes through in `transitions`, in each of its two runs.
    #[arg(long, default_value_t = 10)]
    pub per_person: usize,
    /// A person's pace in the paced run of `transitions`: one transition every this many milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub pace_ms: u64,
    /// Facts recorded and timed into the figures in `feed`.
    #[arg(long, default_value_t = 100)]
    pub facts: usize,
}

const DB: &str = "nexus_bench_mes";
const TENANT: &str = "Planta Bench MES";

/// The bench's plant: a manager and `racers` supply people.
struct Plant {
    tenant: TenantId,
    manager: Caller,
    supply: Vec<Caller>,
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

async fn plant(owner: &PgPool, racers: usize) -> Result<Plant> {
    let found: Option<TenantId> =
        sqlx::query_scalar("select id from tenants where name = $1").bind(TENANT).fetch_optional(owner).await?;
    let tenant = match found {
        Some(t) => t,
        None => {
            sqlx::query_scalar(
                "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
            )
            .bind(TENANT)
            .fetch_one(owner)
            .await?
        }
    };
    sqlx::query(
        "insert into users (tenant_id, email, display_name, password_hash, role, status)
         values ($1, 'gerente@mes.bench', 'Gerente bench', 'not-a-password', 'manager', 'active')
         on conflict do nothing",
    )
    .bind(tenant)
    .execute(owner)
    .await?;
    sqlx::query(
        "insert into users (tenant_id, email, display_name, password_hash, role, status)
         select $1, 'almacen' || i || '@mes.bench', 'Almacén ' || i, 'not-a-password', 'supply', 'active'
         from generate_series(1, $2) i on conflict do nothing",
    )
    .bind(tenant)
    .bind(i32::try_from(racers)?)
    .execute(owner)
    .await?;
    let manager: (Uuid, String) =
        sqlx::query_as("select id, display_name from users where tenant_id = $1 and role = 'manager'")
            .bind(tenant)
            .fetch_one(owner)
            .await?;
    let supply: Vec<(Uuid, String)> = sqlx::query_as(
        "select id, display_name from users where tenant_id = $1 and role = 'supply' order by email limit $2",
    )
    .bind(tenant)
    .bind(i64::try_from(racers)?)
    .fetch_all(owner)
    .await?;
    Ok(Plant {
        tenant,
        manager: person(tenant, manager.0, Role::Manager, manager.1),
        supply: supply.into_iter().map(|(id, name)| person(tenant, id, Role::Supply, name)).collect(),
    })
}

pub async fn run(cfg: Config, args: MesBenchArgs) -> Result<()> {
    let cfg = crate::cli::bench_config(cfg);
    let (url, _cluster) = startup::database(&cfg)?;
    let (bench, bench_url) = crate::cli::bench_database(&url, DB).await?;
    let owner = PgPoolOptions::new().max_connections(3).connect_with(bench.clone()).await?;
    let plant = plant(&owner, args.racers).await?;
    let options = LeptosOptions::builder().output_name("nexus").site_root("target/site").build();
    let state = startup::state(&cfg, &bench_url, options).await?;
    let mut rows = Vec::new();
    for section in &args.only {
        match section {
            Section::List => rows.extend(list(&state.pool, &owner, &plant, &args).await?),
            Section::Race => rows.extend(race(&state.pool, &plant, &args).await?),
            Section::Transitions => rows.extend(transitions(&state.pool, &plant, &args).await?),
            Section::Replay => rows.extend(replay_queue(&state.pool, &owner, &plant).await?),
            Section::Feed => rows.extend(feed(&state.pool, &owner, &plant, &args).await?),
        }
    }
    owner.close().await;
    crate::cli::print_rows("bench mes", rows);
    Ok(())
}

fn role_task(title: String) -> TaskInput {
    TaskInput {
        title,
        description: String::new(),
        category: None,
        due_date: None,
        blocker: false,
        line: None,
        assignee_type: AssigneeType::Role,
        assignee_id: None,
        assignee_role: Some(Role::Supply),
    }
}

/// `--tasks` tasks of the supply role, loaded once (nine in ten done), then its lists read.
async fn list(pool: &PgPool, owner: &PgPool, plant: &Plant, args: &MesBenchArgs) -> Result<Vec<Row>> {
    let have: i64 = sqlx::query_scalar("select count(*) from mes_tasks where tenant_id = $1 and title like 'Lista %'")
        .bind(plant.tenant)
        .fetch_one(owner)
        .await?;
    if have < args.tasks {
        let started = Instant::now();
        let creator = plant.manager.user().map_err(|e| anyhow::anyhow!("{e}"))?.user_id;
        sqlx::query(
            "insert into mes_tasks (tenant_id, title, assignee_role, assignee_id, creator_id, state, version, created_at)
             select $1, 'Lista ' || i, 'supply', case when i % 10 = 0 then null else $2 end, $2,
                    case when i % 10 = 0 then 'open' else 'done' end, case when i % 10 = 0 then 1 else 5 end,
                    now() - make_interval(mins => ($3 - i)::int)
             from generate_series($4 + 1, $3) i",
        )
        .bind(plant.tenant)
        .bind(creator)
        .bind(args.tasks)
        .bind(have)
        .execute(owner)
        .await?;
        sqlx::query("analyze mes_tasks").execute(owner).await?;
        println!("loaded {} tasks in {:.1} s", args.tasks - have, started.elapsed().as_secs_f64());
    }
    let reader = &plant.supply[0];
    let mut rows = Vec::new();
    for (what, open) in [("all states", false), ("unfinished only", true)] {
        let mut times = Vec::new();
        let mut after: Option<i64> = None;
        for i in 0..300 {
            // Every tenth read is a page further on (its cursor from the one before), the rest the first page.
            let q = ListQuery {
                view: View::Role,
                open,
                after: if i % 10 == 9 { after } else { None },
                ..ListQuery::default()
            };
            let t = Instant::now();
            let page = tasks::list(pool, reader, &q).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed());
            after = page.next.as_deref().and_then(|n| n.parse().ok());
            anyhow::ensure!(page.items.len() == 50, "a page of the role's tasks has {} tasks", page.items.len());
        }
        times.sort();
        let p95 = percentile(&times, 0.95);
        rows.push(Row {
            what: format!("role's task list, {} tasks, {what}: p95", args.tasks),
            value: format!("{} (p50 {})", ms(p95), ms(percentile(&times, 0.5))),
            target: "≤ 20 ms".into(),
            pass: Some(p95 <= Duration::from_millis(20)),
        });
    }
    Ok(rows)
}

/// Who won and how each loser was told, for one task raced by every supply person at once.
async fn race_one(pool: &PgPool, plant: &Plant, n: usize) -> Result<(usize, usize, bool)> {
    let id = tasks::create(pool, &plant.manager, &role_task(format!("Carrera {n}")), None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .task
        .id;
    let gate = Arc::new(tokio::sync::Barrier::new(plant.supply.len()));
    let mut handles = Vec::new();
    for p in &plant.supply {
        let (pool, p, gate) = (pool.clone(), p.clone(), gate.clone());
        handles.push(tokio::spawn(async move {
            gate.wait().await;
            tasks::transition(&pool, &p, id, TaskAction::Accept, None, None, None).await
        }));
    }
    let (mut winners, mut refused, mut named) = (Vec::new(), 0, Vec::new());
    for h in handles {
        match h.await? {
            Ok(t) => winners.push(t.task.assignee.map(|a| a.name).unwrap_or_default()),
            Err(Error::Rejected(r)) if r.status == 409 => {
                refused += 1;
                named.push(r.problem["by"]["name"].as_str().unwrap_or_default().to_owned());
            }
            Err(e) => anyhow::bail!("a racer failed: {e}"),
        }
    }
    let all_named = winners.len() == 1 && named.iter().all(|n| *n == winners[0]);
    Ok((winners.len(), refused, all_named))
}

async fn race(pool: &PgPool, plant: &Plant, args: &MesBenchArgs) -> Result<Vec<Row>> {
    let (mut clean, mut total, mut five_hundreds) = (0, 0, 0);
    let started = Instant::now();
    for run in 0..args.runs {
        for t in 0..args.tasks_per_run {
            total += 1;
            match race_one(pool, plant, run * 1000 + t).await {
                Ok((1, refused, true)) if refused == plant.supply.len() - 1 => clean += 1,
                Ok(_) => {}
                Err(e) => {
                    five_hundreds += 1;
                    eprintln!("race {run}/{t}: {e:#}");
                }
            }
        }
    }
    Ok(vec![
        Row {
            what: format!(
                "{} people accepting one task at once: 1 winner, {} × 409 naming it",
                plant.supply.len(),
                plant.supply.len() - 1
            ),
            value: format!("{clean}/{total} races ({:.1} s)", started.elapsed().as_secs_f64()),
            target: format!("{total}/{total}"),
            pass: Some(clean == total),
        },
        Row {
            what: "races with any other answer (an error)".into(),
            value: five_hundreds.to_string(),
            target: "0".into(),
            pass: Some(five_hundreds == 0),
        },
    ])
}

/// Each person takes their own tasks through accept, start and send to review; a manager approves each as it
/// arrives in review. Latency per transition at a floor's pace and flat out; then every task's events replayed.
async fn transitions(pool: &PgPool, plant: &Plant, args: &MesBenchArgs) -> Result<Vec<Row>> {
    let pace = Duration::from_millis(args.pace_ms.max(1));
    let mut rows = Vec::new();
    let mut all = Vec::new();
    for (label, pace) in [("at one each per second a person", Some(pace)), ("flat out", None)] {
        let ids = tasks_for_each(pool, plant, args.per_person, label).await?;
        let (mut times, wall) = work(pool, plant, &ids, pace).await?;
        times.sort();
        let p95 = percentile(&times, 0.95);
        let rate = times.len() as f64 / wall.as_secs_f64();
        rows.push(Row {
            what: match pace {
                Some(p) => format!(
                    "transitions, {} people at once, each one every {} ms: p95",
                    plant.supply.len(),
                    p.as_millis()
                ),
                None => format!("transitions, {} people at once, flat out: p95", plant.supply.len()),
            },
            value: format!("{} (p50 {}, {rate:.0}/s)", ms(p95), ms(percentile(&times, 0.5))),
            target: if pace.is_some() { "≤ 40 ms".into() } else { "(capacity)".into() },
            pass: pace.is_some().then_some(p95 <= Duration::from_millis(40)),
        });
        all.extend(ids.into_iter().flatten());
    }
    // Every task done, and its events a history of the machine that leads there: none lost, none doubled.
    let mut replayed = 0;
    for id in &all {
        let t = tasks::get(pool, &plant.manager, *id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if t.task.state == TaskState::Done
            && t.timeline.len() == 5
            && replay::<Task>(&t.timeline) == Some(TaskState::Done)
        {
            replayed += 1;
        }
    }
    rows.push(Row {
        what: "tasks whose events replay to their state (4 transitions each)".into(),
        value: format!("{replayed}/{}", all.len()),
        target: format!("{}/{}", all.len(), all.len()),
        pass: Some(replayed == all.len()),
    });
    Ok(rows)
}

/// `per_person` tasks given to each supply person.
async fn tasks_for_each(pool: &PgPool, plant: &Plant, per_person: usize, label: &str) -> Result<Vec<Vec<TaskId>>> {
    let mut ids = Vec::new();
    for (i, p) in plant.supply.iter().enumerate() {
        let me = p.user().map_err(|e| anyhow::anyhow!("{e}"))?.user_id;
        let mut mine = Vec::new();
        for k in 0..per_person {
            let input = TaskInput {
                assignee_type: AssigneeType::User,
                assignee_id: Some(me),
                assignee_role: None,
                ..role_task(format!("Trabajo {label} {i}-{k}"))
            };
            mine.push(
                tasks::create(pool, &plant.manager, &input, None).await.map_err(|e| anyhow::anyhow!("{e}"))?.task.id,
            );
        }
        ids.push(mine);
    }
    Ok(ids)
}

/// Each person works through their tasks at once (paced, or each transition as soon as the last is answered); each
/// transition's latency, and the run's wall time.
async fn work(
    pool: &PgPool,
    plant: &Plant,
    ids: &[Vec<TaskId>],
    pace: Option<Duration>,
) -> Result<(Vec<Duration>, Duration)> {
    let started = Instant::now();
    let people = plant.supply.len().max(1) as u32;
    let mut handles = Vec::new();
    for (n, (p, mine)) in plant.supply.iter().zip(ids.to_vec()).enumerate() {
        let (pool, p, manager) = (pool.clone(), p.clone(), plant.manager.clone());
        handles.push(tokio::spawn(async move {
            // Paced people start spread over one interval, as people on a floor do, not all on the same tick.
            let mut tick = pace.map(|every| {
                let mut i = tokio::time::interval_at(
                    tokio::time::Instant::now() + every * u32::try_from(n).unwrap_or(0) / people,
                    every,
                );
                i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                i
            });
            let mut times = Vec::new();
            for id in mine {
                for (who, action) in [
                    (&p, TaskAction::Accept),
                    (&p, TaskAction::Start),
                    (&p, TaskAction::SendToReview),
                    (&manager, TaskAction::Approve),
                ] {
                    if let Some(t) = tick.as_mut() {
                        t.tick().await;
                    }
                    let t = Instant::now();
                    tasks::transition(&pool, who, id, action, None, None, None)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    times.push(t.elapsed());
                }
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::new();
    for h in handles {
        times.extend(h.await??);
    }
    Ok((times, started.elapsed()))
}

/// A terminal's queued action: a task's step or a stage fact, under its key.
enum Queued {
    Step(TaskId, TaskAction),
    Fact,
}

/// The facts and workflow events of the bench's plant.
async fn rows_of(owner: &PgPool, tenant: TenantId) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "select (select count(*) from mes_facts where tenant_id = $1), (select count(*) from workflow_events where tenant_id = $1)",
    )
    .bind(tenant)
    .fetch_one(owner)
    .await?)
}

/// 200 queued terminal actions sent, then sent again under the same keys: what the second pass added.
async fn replay_queue(pool: &PgPool, owner: &PgPool, plant: &Plant) -> Result<Vec<Row>> {
    use nexus::mes::rules::facts::{FactInput, Source};
    use nexus::mes::rules::orders::{OrderInput, StageInput};
    use nexus::mes::service::orders;
    let e = |e: Error| anyhow::anyhow!("{e}");
    let worker = plant.supply.first().ok_or_else(|| anyhow::anyhow!("no supply person"))?;
    let stage = match orders::stages(pool, &plant.manager).await.map_err(e)?.into_iter().find(|s| s.code == "terminal")
    {
        Some(s) => s.id,
        None => {
            let input = StageInput { code: "terminal".into(), name: "Terminal".into(), ..Default::default() };
            orders::save_stage(pool, &plant.manager, None, &input).await.map_err(e)?.id
        }
    };
    let order = OrderInput {
        code: format!("BENCH-{}", chrono::Utc::now().timestamp_millis()),
        name: "Terminal replay".into(),
        product_id: None,
        quantity: 1_000,
        due_date: None,
        route: vec![stage],
    };
    let order = orders::create(pool, &plant.manager, &order, None).await.map_err(e)?.order.id;
    let today = orders::current_shift(pool, worker, chrono::Utc::now()).await.map_err(e)?.today;
    let me = worker.user().map_err(e)?.user_id;
    let mut queue = Vec::new();
    for i in 0..40 {
        let input = TaskInput {
            assignee_type: AssigneeType::User,
            assignee_id: Some(me),
            assignee_role: None,
            ..role_task(format!("Terminal {i}"))
        };
        let id = tasks::create(pool, &plant.manager, &input, None).await.map_err(e)?.task.id;
        queue.push(Queued::Step(id, TaskAction::Accept));
        queue.push(Queued::Fact);
        queue.push(Queued::Step(id, TaskAction::Start));
        queue.push(Queued::Fact);
        queue.push(Queued::Step(id, TaskAction::SendToReview));
    }
    let fact = FactInput {
        stage_id: stage,
        day: today,
        shift_id: None,
        operator_id: None,
        good: 1,
        scrap: 0,
        scrap_reason_id: None,
        comment: None,
    };
    let run = format!("{}", Uuid::new_v4().simple());
    // One pass through the queue: each action under its key, in order, as the terminal sends them; the facts made.
    let send = || {
        let (queue, fact, run) = (&queue, &fact, &run);
        async move {
            let mut times = Vec::new();
            let mut made = Vec::new();
            for (n, a) in queue.iter().enumerate() {
                let key = format!("{run}-{n}");
                let t = Instant::now();
                match a {
                    Queued::Step(id, action) => {
                        tasks::transition(pool, worker, *id, *action, None, None, Some(&key)).await.map_err(e)?;
                    }
                    Queued::Fact => {
                        made.push(
                            orders::record(pool, worker, order, fact, Source::Terminal, Some(&key))
                                .await
                                .map_err(e)?
                                .fact
                                .id,
                        );
                    }
                }
                times.push(t.elapsed());
            }
            anyhow::Ok((times, made))
        }
    };
    let (mut first, made) = send().await?;
    let before = rows_of(owner, plant.tenant).await?;
    let (mut again, remade) = send().await?;
    let after = rows_of(owner, plant.tenant).await?;
    first.sort();
    again.sort();
    let added = (after.0 - before.0) + (after.1 - before.1);
    Ok(vec![
        Row {
            what: format!("{} queued terminal actions sent in order: p95", queue.len()),
            value: format!("{} (p50 {})", ms(percentile(&first, 0.95)), ms(percentile(&first, 0.5))),
            target: "(latency, no target)".into(),
            pass: None,
        },
        Row {
            what: format!("the same {} sent again under their keys: rows added", queue.len()),
            value: format!(
                "{added} (facts {} → {}, task events {} → {}; every fact answered as the first: {}; p95 {})",
                before.0,
                after.0,
                before.1,
                after.1,
                made == remade,
                ms(percentile(&again, 0.95))
            ),
            target: "0".into(),
            pass: Some(added == 0 && made == remade),
        },
    ])
}

/// `--facts` facts on a people line, each timed to the plant's change notice and to the figures that count it.
async fn feed(pool: &PgPool, owner: &PgPool, plant: &Plant, args: &MesBenchArgs) -> Result<Vec<Row>> {
    use nexus::mes::rules::facts::{FactInput, Source};
    use nexus::mes::rules::orders::{OrderInput, StageInput};
    use nexus::mes::service::orders;
    use nexus::production::rules::kinds::Counting;
    use nexus::production::rules::settings::LineInput;
    use nexus::production::service::{oee, settings};
    let e = |e: Error| anyhow::anyhow!("{e}");
    let manager = plant.manager.user().map_err(e)?;
    let operator = plant.supply.first().ok_or_else(|| anyhow::anyhow!("no person"))?;
    sqlx::query(
        "insert into production_products (tenant_id, code, name, ideal_cycle_ms)
         values ($1, 'BENCH-P', 'Pieza bench', 20000) on conflict do nothing",
    )
    .bind(plant.tenant)
    .execute(owner)
    .await?;
    let product: i32 =
        sqlx::query_scalar("select id from production_products where tenant_id = $1 and code = 'BENCH-P'")
            .bind(plant.tenant)
            .fetch_one(owner)
            .await?;
    let line: Option<i32> =
        sqlx::query_scalar("select id from production_lines where tenant_id = $1 and code = 'MANUAL'")
            .bind(plant.tenant)
            .fetch_optional(owner)
            .await?;
    let line = match line {
        Some(id) => nexus::ids::LineId(id),
        None => {
            let input = LineInput {
                id: None,
                code: "MANUAL".into(),
                name: "Banco manual".into(),
                downtime_threshold_s: 600.0,
                micro_stop_s: 60.0,
                target_pct: 70.0,
                active: true,
                counting: Counting::People,
            };
            settings::save_line(pool, manager, &nexus::caller::RequestMeta::default(), &input).await.map_err(e)?
        }
    };
    let stage = match orders::stages(pool, &plant.manager).await.map_err(e)?.into_iter().find(|s| s.code == "manual") {
        Some(s) => s.id,
        None => {
            let input = StageInput {
                code: "manual".into(),
                name: "Banco manual".into(),
                line_id: Some(line),
                ..Default::default()
            };
            orders::save_stage(pool, &plant.manager, None, &input).await.map_err(e)?.id
        }
    };
    let order = OrderInput {
        code: format!("FEED-{}", chrono::Utc::now().timestamp_millis()),
        name: "Hechos a la OEE".into(),
        product_id: Some(nexus::ids::ProductId(product)),
        quantity: 1_000_000,
        due_date: None,
        route: vec![stage],
    };
    let order = orders::create(pool, &plant.manager, &order, None).await.map_err(e)?.order.id;
    let today = orders::current_shift(pool, operator, chrono::Utc::now()).await.map_err(e)?.today;
    let fact = FactInput {
        stage_id: stage,
        day: today,
        shift_id: None,
        operator_id: None,
        good: 3,
        scrap: 1,
        scrap_reason_id: None,
        comment: None,
    };
    let reason = orders::scrap_reasons(pool, &plant.manager).await.map_err(e)?.into_iter().next();
    let reason = match reason {
        Some(r) => r.id,
        None => {
            let input = nexus::mes::rules::orders::ScrapReasonInput {
                code: "bench".into(),
                name: "Bench".into(),
                archived: false,
            };
            orders::save_scrap_reason(pool, &plant.manager, None, &input).await.map_err(e)?.id
        }
    };
    let fact = FactInput { scrap_reason_id: Some(reason), ..fact };
    // The plant's change notices, heard as the server's listener hears them.
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(nexus::production::service::live::CHANNEL).await?;
    let units = |f: &oee::Figures| f.lines.iter().find(|l| l.line_id == line).map_or(0, |l| l.totals.people_total);
    let span = || {
        let now = chrono::Utc::now();
        (now - chrono::Duration::hours(24), now + chrono::Duration::minutes(2))
    };
    let (from, to) = span();
    let mut seen = units(&oee::figures(pool, &plant.manager, from, to).await.map_err(e)?);
    let (mut noticed, mut counted) = (Vec::new(), Vec::new());
    let tenant = plant.tenant.to_string();
    for _ in 0..args.facts {
        let t = Instant::now();
        orders::record(pool, operator, order, &fact, Source::Terminal, None).await.map_err(e)?;
        loop {
            let n = tokio::time::timeout(Duration::from_secs(10), listener.recv())
                .await
                .map_err(|_| anyhow::anyhow!("no change notice within 10 s"))??;
            if n.payload() == tenant {
                break;
            }
        }
        noticed.push(t.elapsed());
        loop {
            let (from, to) = span();
            let now = units(&oee::figures(pool, &plant.manager, from, to).await.map_err(e)?);
            if now == seen + 4 {
                seen = now;
                break;
            }
            anyhow::ensure!(t.elapsed() < Duration::from_secs(10), "the fact is not in the figures after 10 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        counted.push(t.elapsed());
    }
    noticed.sort();
    counted.sort();
    let p95 = percentile(&counted, 0.95);
    Ok(vec![
        Row {
            what: format!("{} facts on a people line, recorded → the plant's change notice: p95", args.facts),
            value: format!("{} (p50 {})", ms(percentile(&noticed, 0.95)), ms(percentile(&noticed, 0.5))),
            target: "(latency, no target)".into(),
            pass: None,
        },
        Row {
            what: "recorded → in the production figures (oee::figures, the dashboard's calculation): p95, + the \
                   dashboards' 1 s coalescing of notices"
                .into(),
            value: format!(
                "{} + 1 s (p50 {}, max {})",
                ms(p95),
                ms(percentile(&counted, 0.5)),
                ms(counted.last().copied().unwrap_or_default())
            ),
            target: "≤ 5 s".into(),
            pass: Some(p95 + Duration::from_secs(1) <= Duration::from_secs(5)),
        },
    ])
}
