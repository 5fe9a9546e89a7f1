//! `nexus-server simulate`: a plant's machines, simulated, sending what they count through the real REST ingest
//! (`POST /api/v1/production/detections`), so dashboards have history and move while someone watches.
//!
//! The plant is read from the database as configured (lines counted by sensors with their areas — a line counted by
//! people has no machine to simulate —, products and ideal cycle times, shifts
//! and their planned stops, the time zone): adding a line or a shift to the tenant's data changes what is simulated,
//! never this code. Each line runs only inside the shift calendar and outside its planned stops; a unit passes the
//! line's input, process, inspection and output areas in turn (a few seconds apart), judged at inspection (1–4 %
//! rejected, per line); the output counts every unit that leaves the line, its rejects as not good, so quality shows
//! in the output's rollups as OEE reads them. The real cycle is a little slower than the product's ideal, with jitter
//! and micro-stops; a few unplanned stops per shift (1–45 minutes); a product changeover every few hours (a stop of
//! 10–20 minutes, for the operator to classify as planned); and the plant's last line drifts (its cycle worsens as the
//! day goes on, as a wearing tool does).
//!
//! First the last `--backfill-hours` are sent in time order (from where each line's data ends, when a previous run
//! already sent some: a restart never counts a span twice), in batches of `--batch-size`; then, live, every 1–2 s a
//! batch with each line's units since the last one. One batch carries every line: the server allows a key (and an
//! address) 100 requests a minute by default, which a batch per line per second would exceed on a plant of three
//! lines. Batch ids are unique per run; a batch is retried with the same id on a network error, a 5xx or a 429 (the
//! server stores it once), and dropped with a log line on any other refusal.
//!
//! Without `--api-key` (or `NEXUS_SIMULATOR_KEY`), a key named "Simulador" with scope `production:ingest` is minted
//! through the identity service as the tenant's owner (earlier "Simulador" keys of the tenant revoked), in the
//! database the server uses (`DATABASE_URL`, or the private cluster the server already runs).

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use clap::Args;
use nexus::caller::{RequestMeta, User};
use nexus::db::{self, Scope};
use nexus::identity::rules::auth::{ApiScope, Role};
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::{TenantId, UserId};
use nexus::production::rules::calendar::{Shift, Span, Stop, planned_spans};
use nexus::production::rules::ingest::{DetectionIn, MAX_BATCH};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;

use crate::config::Config;
use crate::startup;

/// The name of the key the simulator mints (and of those it revokes first).
pub const KEY_NAME: &str = "Simulador";

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// The server to send to.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub base_url: String,
    /// An API key with `production:ingest`; without one, a "Simulador" key is minted in the database.
    #[arg(long, env = "NEXUS_SIMULATOR_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The manufacturer whose plant is simulated: its name or that name as a slug (`planta-demo`).
    #[arg(long, default_value = "planta-demo")]
    pub tenant: String,
    /// Hours of history sent first, in time order (from where each line's data ends, if later).
    #[arg(long, default_value_t = 72)]
    pub backfill_hours: u32,
    /// Units per backfill batch (the API takes up to 10,000).
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    /// How fast the lines run: 1 is a realistic pace (a little slower than the products' ideal cycle); 2 sends
    /// twice the units (performance over 100 %, as a wrong ideal cycle would show).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed of every random choice: the same seed and start give the same units. Random when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Send the backfill, then exit (no live mode).
    #[arg(long)]
    pub once: bool,
}

/// One area a unit passes, in the line's order.
const AREA_ORDER: [&str; 4] = ["input", "process", "inspection", "output"];
/// Time a unit takes from one area to the next.
const TRANSIT: Duration = Duration::seconds(4);

/// A line as configured.
#[derive(Debug, Clone, Default)]
pub struct LineConfig {
    pub code: String,
    /// The line's area codes in the order a unit passes them (input, process, inspection, output; those it has).
    pub areas: Vec<(String, String)>,
    /// Its last output unit already stored (a previous run's), where the simulation resumes.
    pub last_at: Option<DateTime<Utc>>,
    /// Its own ideal cycle (ms) for a product, by the product's code, where it has one.
    pub cycles: HashMap<String, i64>,
}

/// A product as configured.
#[derive(Debug, Clone)]
pub struct ProductConfig {
    pub code: String,
    pub ideal_cycle_ms: i64,
}

/// The plant as configured: what is simulated.
#[derive(Debug, Clone)]
pub struct Plant {
    pub tz: Tz,
    pub lines: Vec<LineConfig>,
    pub products: Vec<ProductConfig>,
    pub shifts: Vec<Shift>,
}

/// One line's machine: where it is in time and what it is doing.
struct LineSim {
    code: String,
    areas: Vec<String>,
    /// Its own ideal cycle (ms) for a product, by code (the product's own where none).
    cycles: HashMap<String, i64>,
    /// Index of the inspection area in `areas` (where rejects are found), if it has one.
    inspection: Option<usize>,
    rng: StdRng,
    /// When the next unit may enter the line.
    clock: DateTime<Utc>,
    product: usize,
    /// How much slower than ideal this line runs (1.04–1.12), and its reject rate (1–4 %).
    slowness: f64,
    reject_rate: f64,
    /// Whether its cycle worsens over the day.
    drifts: bool,
    /// Production time (ms) left before the next unplanned stop and the next changeover.
    stop_in_ms: f64,
    changeover_in_ms: f64,
}

/// The plant's machines.
pub struct Simulator {
    tz: Tz,
    shifts: Vec<Shift>,
    products: Vec<ProductConfig>,
    lines: Vec<LineSim>,
    speed: f64,
    /// Planned production spans known so far (merged, in order) and the instant they are known up to.
    planned: Vec<Span>,
    planned_to: DateTime<Utc>,
}

/// Mean production time between two unplanned stops: a few per shift.
const MEAN_RUN_BETWEEN_STOPS_MS: f64 = 2.5 * 3_600_000.0;

/// How much slower the drifting line runs at a local time of day (seconds from midnight): a wearing tool, up to a
/// third slower by the end of the day, fresh again the next morning.
fn drift(local_secs: u32) -> f64 {
    1.0 + 0.33 * f64::from(local_secs.min(86_400)) / 86_400.0
}

fn exponential(rng: &mut StdRng, mean: f64) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    -u.ln() * mean
}

impl Simulator {
    /// The plant's machines from `start` (each line from its own last stored unit, when later), seeded.
    pub fn new(plant: &Plant, start: DateTime<Utc>, seed: u64, speed: f64) -> Self {
        let last = plant.lines.len().saturating_sub(1);
        let lines = plant
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(i as u64));
                let areas: Vec<String> = l.areas.iter().map(|(_, code)| code.clone()).collect();
                let inspection = l.areas.iter().position(|(kind, _)| kind == "inspection");
                let clock = l.last_at.map_or(start, |at| at.max(start) + Duration::seconds(1));
                let product = rng.gen_range(0..plant.products.len().max(1));
                LineSim {
                    code: l.code.clone(),
                    areas,
                    cycles: l.cycles.clone(),
                    inspection,
                    clock,
                    product,
                    slowness: rng.gen_range(1.04..1.12),
                    reject_rate: rng.gen_range(0.01..0.04),
                    drifts: i == last && plant.lines.len() > 1,
                    stop_in_ms: exponential(&mut rng, MEAN_RUN_BETWEEN_STOPS_MS),
                    changeover_in_ms: rng.gen_range(2.0..5.0) * 3_600_000.0,
                    rng,
                }
            })
            .collect();
        Simulator {
            tz: plant.tz,
            shifts: plant.shifts.clone(),
            products: plant.products.clone(),
            lines,
            speed: speed.clamp(0.01, 100.0),
            planned: Vec::new(),
            planned_to: start - Duration::days(2),
        }
    }

    /// The line codes, in order.
    pub fn line_codes(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.code.clone()).collect()
    }

    /// The planned span holding `at`, or the next one, among those known up to at least `until`.
    fn span_at(&mut self, at: DateTime<Utc>, until: DateTime<Utc>) -> Option<Span> {
        if self.planned_to < until + Duration::days(2) {
            let from = at.min(until) - Duration::days(1);
            let to = until + Duration::days(4);
            self.planned = planned_spans(&self.shifts, self.tz, &Span::new(from, to));
            self.planned_to = to;
        }
        self.planned.iter().find(|s| s.end > at).copied()
    }

    /// Every detection of units whose output comes at or before `until`, from each line's clock on; each line's units
    /// in time order, the lines one after another.
    pub fn advance(&mut self, until: DateTime<Utc>) -> Vec<DetectionIn> {
        let mut out = Vec::new();
        for i in 0..self.lines.len() {
            self.advance_line(i, until, &mut out);
        }
        out
    }

    fn advance_line(&mut self, i: usize, until: DateTime<Utc>, out: &mut Vec<DetectionIn>) {
        if self.products.is_empty() || self.lines[i].areas.is_empty() {
            return;
        }
        let through = TRANSIT * (self.lines[i].areas.len() as i32 - 1);
        loop {
            let clock = self.lines[i].clock;
            if clock + through > until {
                return;
            }
            let Some(span) = self.span_at(clock, until) else {
                // No shift in the next days: nothing planned before `until`.
                self.lines[i].clock = until;
                return;
            };
            if span.start > clock {
                self.lines[i].clock = span.start;
                continue;
            }
            // A unit started now must leave the line before the planned span ends (a break, the shift's end).
            if clock + through >= span.end {
                self.lines[i].clock = span.end;
                continue;
            }
            let tz = self.tz;
            let speed = self.speed;
            let products = &self.products;
            let line = &mut self.lines[i];
            if line.stop_in_ms <= 0.0 {
                // An unplanned stop of 1–45 minutes, most of them short.
                let u: f64 = line.rng.r#gen();
                let minutes = 1.0 + 44.0 * u * u;
                line.clock = clock + Duration::milliseconds((minutes * 60_000.0) as i64);
                line.stop_in_ms = exponential(&mut line.rng, MEAN_RUN_BETWEEN_STOPS_MS);
                continue;
            }
            if line.changeover_in_ms <= 0.0 && products.len() > 1 {
                let next = line.rng.gen_range(0..products.len() - 1);
                line.product = if next >= line.product { next + 1 } else { next };
                let minutes: f64 = line.rng.gen_range(10.0..20.0);
                line.clock = clock + Duration::milliseconds((minutes * 60_000.0) as i64);
                line.changeover_in_ms = line.rng.gen_range(2.0..5.0) * 3_600_000.0;
                continue;
            }
            let product = &products[line.product];
            let ideal = line.cycles.get(&product.code).copied().unwrap_or(product.ideal_cycle_ms);
            let mut cycle = ideal as f64 * line.slowness * line.rng.gen_range(0.95..1.05) / speed;
            if line.drifts {
                cycle *= drift(clock.with_timezone(&tz).num_seconds_from_midnight());
            }
            // Micro-stops: a jam cleared within a minute or so, about one unit in 150.
            if line.rng.gen_bool(1.0 / 150.0) {
                cycle += line.rng.gen_range(20_000.0..90_000.0);
            }
            let rejected = line.rng.gen_bool(line.reject_rate);
            for (k, area) in line.areas.iter().enumerate() {
                // Judged at inspection: good before it, and the verdict carried to the output.
                let good = !(rejected && line.inspection.is_some_and(|ins| k >= ins));
                out.push(DetectionIn {
                    line: line.code.clone(),
                    area: area.clone(),
                    product: product.code.clone(),
                    at: clock + TRANSIT * k as i32,
                    good,
                });
            }
            line.clock = clock + Duration::milliseconds(cycle as i64);
            line.stop_in_ms -= cycle;
            line.changeover_in_ms -= cycle;
        }
    }

    /// Whether each line is running at `at` (inside planned time and producing), by code: for the summary line.
    fn states(&self, now: DateTime<Utc>) -> Vec<(String, &'static str, String)> {
        let planned = self.planned.iter().any(|s| s.start <= now && now < s.end);
        self.lines
            .iter()
            .map(|l| {
                let state = if !planned {
                    "fuera de turno"
                } else if l.clock > now + Duration::seconds(60) {
                    "parada"
                } else {
                    "produce"
                };
                (l.code.clone(), state, self.products.get(l.product).map(|p| p.code.clone()).unwrap_or_default())
            })
            .collect()
    }
}

/// Runs the simulator (see the module's documentation).
pub async fn run(cfg: Config, args: SimulateArgs) -> Result<()> {
    anyhow::ensure!((1..=MAX_BATCH).contains(&args.batch_size), "--batch-size must be 1 to {MAX_BATCH}");
    anyhow::ensure!(args.speed > 0.0 && args.speed <= 100.0, "--speed must be above 0 and at most 100");
    let base = args.base_url.trim_end_matches('/').to_owned();
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(StdDuration::from_secs(5))
        .timeout(StdDuration::from_secs(60))
        .build();
    // The server must be up: its database is the one to read (a second cluster is never started beside it).
    let health = {
        let (agent, url) = (agent.clone(), format!("{base}/api/v1/health"));
        tokio::task::spawn_blocking(move || agent.get(&url).call().map(|_| ()).map_err(|e| e.to_string())).await?
    };
    if let Err(e) = health {
        bail!(
            "the Nexus server at {base} does not answer ({e}): start it first (scripts/start or `nexus-server serve`)"
        );
    }
    let (url, cluster) = startup::database(&cfg)?;
    let prepared = prepare(&cfg, &url, &args).await;
    // Only a cluster this process started is stopped (one the server runs stays up).
    drop(cluster);
    let (tenant_name, plant, key) = prepared?;
    let seed = args.seed.unwrap_or_else(|| rand::rngs::OsRng.r#gen());
    let now = Utc::now();
    let start = now - Duration::hours(i64::from(args.backfill_hours));
    let sim = Simulator::new(&plant, start, seed, args.speed);
    tracing::info!(
        tenant = %tenant_name, lines = plant.lines.len(), products = plant.products.len(), shifts = plant.shifts.len(),
        seed, "simulating the plant"
    );
    tokio::task::spawn_blocking(move || send_loop(agent, &base, &key, sim, &args, start)).await?
}

/// The tenant, its plant and the key to send with.
async fn prepare(_cfg: &Config, url: &str, args: &SimulateArgs) -> Result<(String, Plant, String)> {
    let options: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let pool = db::connect(options, 2).await.context("connecting to PostgreSQL")?;
    let (tenant, name) = find_tenant(&pool, &args.tenant).await?;
    let plant = read_plant(&pool, tenant).await?;
    anyhow::ensure!(
        !plant.lines.is_empty() && !plant.products.is_empty() && !plant.shifts.is_empty(),
        "{name} has no active line, product or shift configured: nothing to simulate"
    );
    let key = match &args.api_key {
        Some(k) => k.clone(),
        None => mint_key(&pool, tenant).await?,
    };
    pool.close().await;
    Ok((name, plant, key))
}

/// A name as a slug: lower case, ASCII letters and digits, words joined by `-` ("Planta Demo" → `planta-demo`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'á' | 'à' | 'ä' | 'Á' => 'a',
            'é' | 'è' | 'ë' | 'É' => 'e',
            'í' | 'ì' | 'ï' | 'Í' => 'i',
            'ó' | 'ò' | 'ö' | 'Ó' => 'o',
            'ú' | 'ù' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The manufacturer named (or slugged) `wanted`.
async fn find_tenant(pool: &db::PgPool, wanted: &str) -> Result<(TenantId, String)> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let tenants: Vec<(TenantId, String)> =
        sqlx::query_as("select id, name from tenants where kind = 'manufacturer' and status = 'active' order by name")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    let wanted_slug = slug(wanted);
    let found = tenants.iter().find(|(_, n)| n.eq_ignore_ascii_case(wanted.trim()) || slug(n) == wanted_slug);
    match found {
        Some(t) => Ok(t.clone()),
        None => bail!(
            "no active manufacturer named {wanted:?} (there are: {}); on a first start the demo plant is configured \
             a moment after the server answers",
            tenants.iter().map(|(_, n)| slug(n)).collect::<Vec<_>>().join(", ")
        ),
    }
}

type ShiftRow = (i32, i16, chrono::NaiveTime, chrono::NaiveTime, Option<chrono::NaiveTime>, Option<chrono::NaiveTime>);

/// The tenant's plant as configured, read under its own scope.
pub async fn read_plant(pool: &db::PgPool, tenant: TenantId) -> Result<Plant> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let zone: Option<String> =
        sqlx::query_scalar("select time_zone from production_plants").fetch_optional(&mut *tx).await?;
    let tz: Tz = match zone {
        None => chrono_tz::America::Mexico_City,
        Some(z) => z.parse().map_err(|_| anyhow::anyhow!("the plant's stored time zone {z:?} is no zone"))?,
    };
    let areas: Vec<(i32, String, String, String)> = sqlx::query_as(
        "select l.id, l.code, a.kind, a.code from production_lines l
         join production_areas a on a.tenant_id = l.tenant_id and a.line_id = l.id
         where l.active and l.counting = 'sensors' order by l.code, l.id, a.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    // Each line's last output unit: where a previous run stopped (served by the index on (tenant, line, at)). Units
    // another sender stamped ahead of the clock (the ingest allows five minutes) do not count: the simulated line
    // would stay silent until the clock caught up with them.
    let last: HashMap<i32, DateTime<Utc>> = sqlx::query_as(
        "select l.id, (select max(d.at) from production_detections d
                       where d.tenant_id = l.tenant_id and d.line_id = l.id and d.at <= now()) as last_at
         from production_lines l where l.active",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .filter_map(|(id, at): (i32, Option<DateTime<Utc>>)| at.map(|a| (id, a)))
    .collect();
    // Each line's own rates (the product's own where none).
    let mut cycles: HashMap<i32, HashMap<String, i64>> = HashMap::new();
    let own: Vec<(i32, String, i32)> = sqlx::query_as(
        "select c.line_id, p.code, c.ideal_cycle_ms from production_line_cycles c
         join production_products p on p.tenant_id = c.tenant_id and p.id = c.product_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (line, product, ms) in own {
        cycles.entry(line).or_default().insert(product, i64::from(ms));
    }
    let mut lines: Vec<(i32, LineConfig)> = Vec::new();
    for (id, line, kind, area) in areas {
        if lines.last().is_none_or(|(l, _)| *l != id) {
            let (last_at, cycles) = (last.get(&id).copied(), cycles.remove(&id).unwrap_or_default());
            lines.push((id, LineConfig { code: line, areas: Vec::new(), last_at, cycles }));
        }
        if let Some((_, l)) = lines.last_mut() {
            l.areas.push((kind, area));
        }
    }
    let mut lines: Vec<LineConfig> = lines.into_iter().map(|(_, l)| l).collect();
    for l in &mut lines {
        l.areas.sort_by_key(|(kind, _)| AREA_ORDER.iter().position(|k| k == kind).unwrap_or(AREA_ORDER.len()));
    }
    // A line without an output counts nothing OEE reads.
    lines.retain(|l| l.areas.iter().any(|(kind, _)| kind == "output"));
    let products: Vec<ProductConfig> = sqlx::query_as::<_, (String, i32)>(
        "select code, ideal_cycle_ms from production_products where active order by code",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(code, ms)| ProductConfig { code, ideal_cycle_ms: i64::from(ms) })
    .collect();
    let rows: Vec<ShiftRow> = sqlx::query_as(
        "select s.id, s.days, s.start_time, s.end_time, t.start_time, t.end_time from production_shifts s
         left join production_shift_stops t on t.tenant_id = s.tenant_id and t.shift_id = s.id order by s.id, t.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut shifts: Vec<(i32, Shift)> = Vec::new();
    for (id, days, start, end, stop_start, stop_end) in rows {
        if shifts.last().is_none_or(|(s, _)| *s != id) {
            let days = u8::try_from(days).unwrap_or(0);
            shifts.push((id, Shift { days, start, end, stops: Vec::new() }));
        }
        if let (Some(start), Some(end), Some((_, s))) = (stop_start, stop_end, shifts.last_mut()) {
            s.stops.push(Stop { start, end });
        }
    }
    Ok(Plant { tz, lines, products, shifts: shifts.into_iter().map(|(_, s)| s).collect() })
}

/// Mints a "Simulador" key (`production:ingest`) as the tenant's owner (or a manager), revoking earlier ones.
async fn mint_key(pool: &db::PgPool, tenant: TenantId) -> Result<String> {
    use nexus::identity::service::api_keys;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let creator: Option<(UserId, String, String, String, String)> = sqlx::query_as(
        "select u.id, u.email, u.display_name, u.role, t.kind from users u join tenants t on t.id = u.tenant_id
         where u.status = 'active' and u.role in ('owner', 'manager')
         order by u.role = 'owner' desc, u.created_at limit 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some((user_id, email, display_name, role, kind)) = creator else {
        bail!("the tenant has no active owner or manager to mint the simulator's key: pass --api-key");
    };
    let role = Role::parse(&role).context("unknown role")?;
    let tenant_kind = TenantKind::parse(&kind).context("unknown tenant kind")?;
    // Acting as that person, as the key page would (its audit log names them).
    let user = User { user_id, tenant_id: tenant, session_id: Uuid::nil(), role, tenant_kind, email, display_name };
    let meta = RequestMeta { user_agent: "nexus-server simulate".into(), ..RequestMeta::default() };
    let err = |e: nexus::Error| anyhow::anyhow!("{e}");
    for k in api_keys::list(pool, &user).await.map_err(err)? {
        if k.name == KEY_NAME && k.revoked_at.is_none() {
            api_keys::revoke(pool, &user, k.id, &meta).await.map_err(err)?;
        }
    }
    let created = api_keys::create(pool, &user, KEY_NAME, &[ApiScope::ProductionIngest], &meta).await.map_err(err)?;
    tracing::info!("minted the simulator's API key \"{KEY_NAME}\" (production:ingest)");
    Ok(created.key)
}

/// What was sent since the last summary.
#[derive(Default)]
struct Tally {
    batches: u64,
    units: u64,
    retries: u64,
    dropped: u64,
}

/// Sends one batch, retrying with the same id until the server answers with anything but a network error, a 5xx or a
/// 429; whether it was stored (or had been).
fn send(agent: &ureq::Agent, url: &str, key: &str, batch_id: &str, units: &[DetectionIn], tally: &mut Tally) -> bool {
    let body = match serde_json::to_vec(&serde_json::json!({ "batch_id": batch_id, "detections": units })) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "encoding a batch");
            return false;
        }
    };
    let mut wait = StdDuration::from_millis(500);
    loop {
        let res = agent
            .post(url)
            .set("authorization", &format!("Bearer {key}"))
            .set("content-type", "application/json")
            .send_bytes(&body);
        let retry_after = match res {
            Ok(_) => {
                tally.batches += 1;
                tally.units += units.len() as u64;
                return true;
            }
            Err(ureq::Error::Status(429, r)) => {
                r.header("retry-after").and_then(|s| s.parse::<u64>().ok()).map(StdDuration::from_secs)
            }
            Err(ureq::Error::Status(code, r)) if code < 500 => {
                let text = r.into_string().unwrap_or_default();
                tracing::error!(batch_id, status = code, answer = %text, "batch refused; dropped");
                tally.dropped += 1;
                return false;
            }
            Err(e) => {
                tracing::warn!(batch_id, error = %e, "sending a batch failed; retrying with the same id");
                None
            }
        };
        tally.retries += 1;
        std::thread::sleep(retry_after.unwrap_or(wait));
        wait = (wait * 2).min(StdDuration::from_secs(10));
    }
}

fn send_loop(
    agent: ureq::Agent,
    base: &str,
    key: &str,
    mut sim: Simulator,
    args: &SimulateArgs,
    start: DateTime<Utc>,
) -> Result<()> {
    let url = format!("{base}/api/v1/production/detections");
    let run = &Uuid::new_v4().simple().to_string()[..12];
    let mut seq = 0u64;
    let mut next_id = || {
        seq += 1;
        format!("sim-{run}-{seq:07}")
    };
    let mut tally = Tally::default();
    let started = Instant::now();
    // History: the simulated clock walks to now in ten-minute steps; units go out in time order, full batches only,
    // the rest with the next step's.
    let mut pending: Vec<DetectionIn> = Vec::new();
    let mut at = start;
    let step = Duration::minutes(10);
    loop {
        let now = Utc::now();
        at = (at + step).min(now);
        let done = at == now;
        let mut units = sim.advance(at);
        units.sort_by_key(|u| u.at);
        pending.extend(units);
        while pending.len() >= args.batch_size || (done && !pending.is_empty()) {
            let rest = pending.split_off(pending.len().min(args.batch_size));
            send(&agent, &url, key, &next_id(), &pending, &mut tally);
            pending = rest;
        }
        if done {
            break;
        }
    }
    tracing::info!(
        batches = tally.batches,
        units = tally.units,
        retries = tally.retries,
        dropped = tally.dropped,
        seconds = started.elapsed().as_secs(),
        "backfill sent"
    );
    if args.once {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(args.seed.unwrap_or(0) ^ 0x5eed);
    let mut summary = (Instant::now(), Tally::default());
    loop {
        std::thread::sleep(StdDuration::from_millis(rng.gen_range(1000..=2000)));
        let now = Utc::now();
        let mut units = sim.advance(now);
        units.sort_by_key(|u| u.at);
        for chunk in units.chunks(MAX_BATCH) {
            send(&agent, &url, key, &next_id(), chunk, &mut summary.1);
        }
        if summary.0.elapsed() >= StdDuration::from_secs(60) {
            let t = &summary.1;
            let lines: Vec<String> = sim
                .states(now)
                .into_iter()
                .map(|(code, state, product)| format!("{code} {state} ({product})"))
                .collect();
            tracing::info!(
                "simulator, last minute: {} units in {} batches, {} retries, {} dropped; {}",
                t.units,
                t.batches,
                t.retries,
                t.dropped,
                lines.join(", ")
            );
            summary = (Instant::now(), Tally::default());
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime, TimeZone};

    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// Planta Demo's shape: three lines of four areas, two products, a morning and an evening shift (Monday to
    /// Saturday) with a meal break each.
    fn plant() -> Plant {
        let areas =
            |_: usize| AREA_ORDER.iter().map(|k| ((*k).to_owned(), k[..3].to_ascii_uppercase())).collect::<Vec<_>>();
        Plant {
            tz: chrono_tz::America::Mexico_City,
            lines: (1..=3)
                .map(|i| LineConfig { code: format!("L{i}"), areas: areas(i), ..Default::default() })
                .collect(),
            products: vec![
                ProductConfig { code: "SOP-100".into(), ideal_cycle_ms: 1000 },
                ProductConfig { code: "TAP-310".into(), ideal_cycle_ms: 2000 },
            ],
            shifts: vec![
                Shift {
                    days: 63,
                    start: t(6, 0),
                    end: t(14, 0),
                    stops: vec![Stop { start: t(10, 0), end: t(10, 30) }],
                },
                Shift {
                    days: 63,
                    start: t(14, 0),
                    end: t(22, 0),
                    stops: vec![Stop { start: t(18, 0), end: t(18, 30) }],
                },
            ],
        }
    }

    fn monday() -> DateTime<Utc> {
        // Monday 2026-11-23, 00:00 in Mexico City.
        chrono_tz::America::Mexico_City
            .from_local_datetime(&NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_time(t(0, 0)))
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn units_come_only_inside_shifts_and_outside_their_breaks() {
        let plant = plant();
        let start = monday();
        let mut sim = Simulator::new(&plant, start, 7, 1.0);
        // Through Sunday: no shift runs then.
        let units = sim.advance(start + Duration::days(7));
        assert!(units.len() > 100_000, "a week of three lines: {}", units.len());
        let planned = planned_spans(&plant.shifts, plant.tz, &Span::new(start, start + Duration::days(7)));
        for u in &units {
            assert!(
                planned.iter().any(|s| s.start <= u.at && u.at < s.end),
                "{} {} at {} is outside planned time",
                u.line,
                u.area,
                u.at.with_timezone(&plant.tz)
            );
        }
        let sunday = start + Duration::days(6);
        assert!(units.iter().all(|u| u.at < sunday), "nothing on Sunday");
    }

    #[test]
    fn a_line_with_its_own_rate_for_the_products_makes_them_at_that_rate() {
        let mut plant = plant();
        let (start, until) = (monday(), monday() + Duration::days(1));
        let at_l2 = |u: &DetectionIn| u.line == "L2" && u.area == "OUT";
        let outputs =
            |plant: &Plant| Simulator::new(plant, start, 5, 1.0).advance(until).into_iter().filter(at_l2).count();
        let usual = outputs(&plant);
        plant.lines[1].cycles = [("SOP-100".to_owned(), 10_000), ("TAP-310".to_owned(), 20_000)].into();
        let own = outputs(&plant); // ten times slower: a tenth, give or take its stops and changeovers
        assert!(own * 7 < usual && own * 14 > usual, "{own} at its own rate, {usual} at the products'");
    }

    #[test]
    fn the_same_seed_and_start_give_the_same_units_and_another_seed_others() {
        let plant = plant();
        let until = monday() + Duration::days(1);
        let a = Simulator::new(&plant, monday(), 42, 1.0).advance(until);
        let b = Simulator::new(&plant, monday(), 42, 1.0).advance(until);
        let c = Simulator::new(&plant, monday(), 43, 1.0).advance(until);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Sent in steps or at once: the same units.
        let mut stepped = Simulator::new(&plant, monday(), 42, 1.0);
        let mut d = Vec::new();
        let mut at = monday();
        while at < until {
            at += Duration::minutes(7);
            d.extend(stepped.advance(at.min(until)));
        }
        let key = |u: &DetectionIn| (u.line.clone(), u.at, u.area.clone());
        let (mut a, mut d) = (a, d);
        a.sort_by_key(key);
        d.sort_by_key(key);
        assert_eq!(a, d);
    }

    #[test]
    fn a_unit_passes_every_area_in_order_is_judged_at_inspection_and_lines_stop_and_drift() {
        let plant = plant();
        let start = monday();
        let units = Simulator::new(&plant, start, 3, 1.0).advance(start + Duration::days(1));
        let output: Vec<&DetectionIn> = units.iter().filter(|u| u.line == "L1" && u.area == "OUT").collect();
        let input = units.iter().filter(|u| u.line == "L1" && u.area == "INP").count();
        assert_eq!(output.len(), input, "every unit that enters leaves");
        assert!(units.iter().filter(|u| u.area == "INP" || u.area == "PRO").all(|u| u.good), "judged at inspection");
        let rejects = output.iter().filter(|u| !u.good).count() as f64 / output.len() as f64;
        assert!((0.005..0.05).contains(&rejects), "reject rate {rejects}");
        // Stops (gaps over two minutes: micro-stops are shorter) inside planned time: a few per shift (two shifts).
        let planned = planned_spans(&plant.shifts, plant.tz, &Span::new(start, start + Duration::days(1)));
        let stops = output
            .windows(2)
            .filter(|w| w[1].at - w[0].at > Duration::minutes(2))
            .filter(|w| planned.iter().any(|s| s.start <= w[0].at && w[1].at < s.end))
            .count();
        assert!((3..=30).contains(&stops), "{stops} stops in a day");
        // The drifting line's cycle worsens through the day, and only that line drifts.
        assert!(drift(6 * 3600) < drift(14 * 3600) && drift(14 * 3600) < drift(21 * 3600));
        let sim = Simulator::new(&plant, start, 3, 1.0);
        assert_eq!(sim.lines.iter().filter(|l| l.drifts).map(|l| l.code.as_str()).collect::<Vec<_>>(), ["L3"]);
    }

    #[test]
    fn names_become_slugs() {
        assert_eq!(slug("Planta Demo"), "planta-demo");
        assert_eq!(slug("  Fundición  Núñez, S.A. "), "fundicion-nunez-s-a");
    }
}
