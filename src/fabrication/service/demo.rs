//! Planta Demo's tool room: its subsystems and a few hundred parts in every state (in review, sent back, waiting in
//! the CNC and hand queues, claimed by the operator or the owner, completed, one reverted, a few deleted), some with
//! drawings (a revision approved, one pending, one changed while held). Made through the same calls people make, as
//! the demo's people (the requester never approves their own), so each part has its timeline, stays and notices.
//! Drawn from a seeded generator: every start builds the same shop.

use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::caller::{Caller, RequestMeta, User};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::fabrication::rules::parts::{PartAction, PartInput, PartKind, Priority};
use crate::fabrication::store::parts as store;
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{FabPartId, TenantId, UserId};

use super::actions::{ActInput, act};
use super::{drawings, parts, setup};

const MANAGER: &str = "gerente@planta.demo";
const OPERATOR: &str = "operador@planta.demo";
const OWNER: &str = "dueno@planta.demo";

/// How many parts the demo shop has.
pub const PARTS: usize = 240;

const SUBSYSTEMS: [&str; 5] = ["Troqueles", "Moldes", "Dispositivos de control", "Mantenimiento", "Prototipos"];
const NAMES: [&str; 16] = [
    "Punzón",
    "Matriz",
    "Buje",
    "Eje",
    "Placa base",
    "Soporte",
    "Guía",
    "Leva",
    "Perno calibrado",
    "Brida",
    "Espaciador",
    "Tope",
    "Pasador",
    "Inserto",
    "Mordaza",
    "Escuadra",
];
const MATERIALS: [&str; 6] =
    ["Acero D2", "Acero 1045", "Aluminio 6061", "Bronce SAE 64", "Nylon", "Acero inoxidable 304"];
const NOTES: [&str; 5] = [
    "Templar y revenir después de maquinar.",
    "Rebabar todas las aristas.",
    "Tolerancia ±0,02 mm en el diámetro de ajuste.",
    "",
    "Urge para el cambio de molde del lunes.",
];

/// A minimal PDF of one page (a demo drawing), distinct per `n`.
fn pdf(n: usize) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n% plano {n}\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// Builds Planta Demo's tool room when it has no part (once its people exist); whether it built it.
pub async fn configure(pool: &PgPool) -> Result<bool> {
    let emails: Vec<String> = [MANAGER, OPERATOR, OWNER].iter().map(|e| (*e).to_owned()).collect();
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let people = store::people_by_email(&mut tx, &emails).await?;
    let Some(tenant) = people.first().map(|p| TenantId(p.tenant_id)) else { return Ok(false) };
    if people.len() < emails.len() || store::has_parts(&mut tx, tenant).await? {
        return Ok(false);
    }
    tx.commit().await?;
    let caller = |email: &str| -> Result<Caller> {
        let p = people.iter().find(|p| p.email == email).ok_or(Error::NotFound)?;
        Ok(Caller::User(User {
            user_id: UserId(p.id),
            tenant_id: tenant,
            session_id: Uuid::nil(),
            role: Role::decode(&p.role)?,
            tenant_kind: TenantKind::Manufacturer,
            email: p.email.clone(),
            display_name: p.display_name.clone(),
        }))
    };
    let (manager, operator, owner) = (caller(MANAGER)?, caller(OPERATOR)?, caller(OWNER)?);
    let meta = RequestMeta::default();
    let mut subsystems = Vec::new();
    for name in SUBSYSTEMS {
        subsystems.push(setup::save_subsystem(pool, &manager, None, name, false, &meta).await?.id);
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2027);
    let today = chrono::Utc::now().date_naive();
    for n in 0..PARTS {
        let requester = [&operator, &owner, &manager][n % 3];
        let approver = if std::ptr::eq(requester, &manager) { &owner } else { &manager };
        let kind = if rng.gen_ratio(3, 5) { PartKind::Cnc } else { PartKind::Hand };
        let name = NAMES[rng.gen_range(0..NAMES.len())];
        let input = PartInput {
            name: format!("{name} {}-{:03}", ["A", "B", "C", "D"][rng.gen_range(0..4)], n + 1),
            kind,
            subsystem: Some(subsystems[rng.gen_range(0..subsystems.len())]),
            quantity: [1, 1, 2, 4, 10, 25][rng.gen_range(0..6)],
            material: MATERIALS[rng.gen_range(0..MATERIALS.len())].to_owned(),
            notes: NOTES[rng.gen_range(0..NOTES.len())].to_owned(),
            priority: [Priority::Low, Priority::Normal, Priority::Normal, Priority::High, Priority::Urgent]
                [rng.gen_range(0..5)],
            due_date: rng.gen_ratio(2, 3).then(|| today + chrono::Duration::days(rng.gen_range(-10..30))),
            cad_url: rng.gen_ratio(1, 3).then(|| format!("https://cad.onshape.com/documents/demo{n:03}")),
        };
        let id = parts::create(pool, requester, &input, None).await?.part.id;
        // Most parts carry a drawing: the requester's, approved by a lead (or a lead's own, current at once).
        if rng.gen_ratio(2, 3) {
            drawings::add(pool, requester, id, &format!("plano-{:03}.pdf", n + 1), &pdf(n), "Primera versión").await?;
            if !matches!(requester, Caller::User(u) if u.role != Role::Operator) {
                drawings::approve(pool, approver, id, 1).await?;
            }
        }
        let path = rng.gen_range(0..100);
        step_through(pool, id, path, requester, approver, &operator, &owner, &mut rng).await?;
    }
    Ok(true)
}

/// Takes the part `id` along one of the demo's paths (chosen by `path`, 0–99): leaves it in review, sends it back,
/// deletes it, or approves it and then leaves it queued, claimed, completed or reverted.
#[allow(clippy::too_many_arguments)]
async fn step_through(
    pool: &PgPool,
    id: FabPartId,
    path: u32,
    requester: &Caller,
    approver: &Caller,
    operator: &Caller,
    owner: &Caller,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Result<()> {
    let go = |who: &Caller, action: PartAction, why: Option<&'static str>| {
        let (pool, who) = (pool.clone(), who.clone());
        async move { act(&pool, &who, id, action, &ActInput { comment: why, ..ActInput::default() }).await.map(|_| ()) }
    };
    match path {
        0..=11 => return Ok(()),
        12..=16 => return go(approver, PartAction::Reject, Some("Falta la cota del chavetero en el plano.")).await,
        17..=18 => return go(requester, PartAction::Delete, None).await,
        _ => go(approver, PartAction::Approve, None).await?,
    }
    if path < 40 {
        return Ok(());
    }
    let maker = if rng.gen_ratio(2, 3) { operator } else { owner };
    go(maker, PartAction::Claim, None).await?;
    if path < 44 {
        // A drawing changed while it is held: its holder acknowledges it before completing.
        let file = format!("plano-{}-r2.pdf", id.0);
        drawings::add(pool, approver, id, &file, &pdf(10_000 + id.0 as usize), "Cambia el radio de la esquina").await?;
    }
    if path < 62 {
        return Ok(());
    }
    go(maker, PartAction::Complete, None).await?;
    if path == 99 {
        go(approver, PartAction::Revert, Some("El diámetro quedó fuera de tolerancia.")).await?;
    }
    Ok(())
}
