//! Planta Demo's floor: task categories and tasks in every state (a blocker for supply open on a line, tasks
//! accepted, in progress, in review, rejected once and back in progress, done, cancelled); the stages orders go
//! through, scrap reasons, and orders in every state with a week of stage facts (one reversed). Made through the same
//! calls people make, as the demo's people, so each has its timeline, its notices and its facts' rules checked.

use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::caller::{Caller, User};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{ShiftId, TenantId, UserId};
use crate::mes::rules::facts::{FactInput, GRACE_MAX, Source};
use crate::mes::rules::orders::{FactSettings, OrderInput, ScrapReasonInput, StageInput};
use crate::mes::rules::tasks::{AssigneeType, TaskAction, TaskInput};
use crate::mes::rules::views::LineName;
use crate::mes::service::orders;
use crate::mes::service::tasks::{self, CategoryInput};
use crate::mes::store::tasks as store;

const MANAGER: &str = "gerente@planta.demo";
const OPERATOR: &str = "operador@planta.demo";
const SUPPLY: &str = "almacen@planta.demo";
const OWNER: &str = "dueno@planta.demo";

const CATEGORIES: [(&str, &str); 4] = [
    ("herramental", "Herramental"),
    ("mantenimiento", "Mantenimiento"),
    ("calidad", "Calidad"),
    ("limpieza", "Limpieza"),
];

/// A demo task: title, description, category (index), for a role or a person (by e-mail), a line (index), blocker,
/// due in days, and the actions taken on it, each by whom and with what comment.
struct Demo {
    title: &'static str,
    description: &'static str,
    category: usize,
    to: Result<&'static str, Role>,
    line: Option<usize>,
    blocker: bool,
    due_in: i64,
    steps: &'static [(TaskAction, &'static str, &'static str)],
}

const TASKS: [Demo; 7] = [
    Demo {
        title: "Entregar herramental para la operación 2",
        description: "Se necesita el portaherramientas especial de la operación 2 antes del cambio de turno.",
        category: 0,
        to: Err(Role::Supply),
        line: Some(0),
        blocker: true,
        due_in: 1,
        steps: &[],
    },
    Demo {
        title: "Revisar calibrador de la estación 3",
        description: "El calibrador marca 0.02 mm de más.",
        category: 2,
        to: Ok(OPERATOR),
        line: Some(0),
        blocker: false,
        due_in: 2,
        steps: &[(TaskAction::Accept, OPERATOR, "")],
    },
    Demo {
        title: "Cambiar inserto de torneado",
        description: "",
        category: 1,
        to: Err(Role::Operator),
        line: Some(1),
        blocker: false,
        due_in: 0,
        steps: &[(TaskAction::Accept, OPERATOR, ""), (TaskAction::Start, OPERATOR, "")],
    },
    Demo {
        title: "Reponer guantes de nitrilo en la línea 2",
        description: "Quedan dos pares en la estación de empaque.",
        category: 0,
        to: Err(Role::Supply),
        line: Some(1),
        blocker: false,
        due_in: -1,
        steps: &[
            (TaskAction::Accept, SUPPLY, ""),
            (TaskAction::Start, SUPPLY, ""),
            (TaskAction::SendToReview, SUPPLY, "Entregados 20 pares."),
        ],
    },
    Demo {
        title: "Limpieza de filtros del compresor",
        description: "",
        category: 3,
        to: Ok(OPERATOR),
        line: None,
        blocker: false,
        due_in: -3,
        steps: &[
            (TaskAction::Accept, OPERATOR, ""),
            (TaskAction::Start, OPERATOR, ""),
            (TaskAction::SendToReview, OPERATOR, ""),
            (TaskAction::Approve, MANAGER, ""),
        ],
    },
    Demo {
        title: "Ajustar guarda de la prensa",
        description: "La guarda no cierra del todo.",
        category: 1,
        to: Ok(OPERATOR),
        line: Some(0),
        blocker: false,
        due_in: 3,
        steps: &[
            (TaskAction::Accept, OPERATOR, ""),
            (TaskAction::Start, OPERATOR, ""),
            (TaskAction::SendToReview, OPERATOR, ""),
            (TaskAction::Reject, MANAGER, "Falta apretar los tornillos del lado derecho."),
        ],
    },
    Demo {
        title: "Pedido de aceite soluble",
        description: "",
        category: 0,
        to: Err(Role::Supply),
        line: None,
        blocker: false,
        due_in: 5,
        steps: &[(TaskAction::Cancel, MANAGER, "Ya llegó con el pedido semanal.")],
    },
];

/// Builds Planta Demo's tasks when it has none, and its orders when it has no stages (once its people and lines
/// exist); whether it built anything.
pub async fn configure(pool: &PgPool) -> Result<bool> {
    let emails: Vec<String> = [MANAGER, OPERATOR, SUPPLY, OWNER].iter().map(|e| (*e).to_owned()).collect();
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let people = store::people_by_email(&mut tx, &emails).await?;
    let Some(tenant) = people.first().map(|p| TenantId(p.tenant_id)) else { return Ok(false) };
    if people.len() < emails.len() {
        return Ok(false);
    }
    let has_tasks = store::has_tasks(&mut tx, tenant).await?;
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
    let manager = caller(MANAGER)?;
    let lines = tasks::lines(pool, &manager).await?;
    if lines.is_empty() {
        return Ok(false);
    }
    let mut built = false;
    if !has_tasks {
        demo_tasks(pool, &manager, &caller, &lines).await?;
        built = true;
    }
    if orders::stages(pool, &manager).await?.is_empty() {
        demo_orders(pool, &manager, &caller(OPERATOR)?, &lines).await?;
        built = true;
    }
    Ok(built)
}

async fn demo_tasks(
    pool: &PgPool,
    manager: &Caller,
    caller: &impl Fn(&str) -> Result<Caller>,
    lines: &[LineName],
) -> Result<()> {
    let mut categories = Vec::new();
    for (code, name) in CATEGORIES {
        let input = CategoryInput { code: code.into(), name: name.into(), archived: false };
        categories.push(tasks::save_category(pool, manager, None, &input).await?.id);
    }
    let today = Utc::now().date_naive();
    for d in &TASKS {
        let (assignee_type, assignee_id, assignee_role) = match d.to {
            Ok(email) => (AssigneeType::User, Some(caller(email)?.user()?.user_id), None),
            Err(role) => (AssigneeType::Role, None, Some(role)),
        };
        let input = TaskInput {
            title: d.title.into(),
            description: d.description.into(),
            category: categories.get(d.category).copied(),
            due_date: Some(today + Duration::days(d.due_in)),
            blocker: d.blocker,
            line: d.line.and_then(|i| lines.get(i).or(lines.first())).map(|l| l.id),
            assignee_type,
            assignee_id,
            assignee_role,
        };
        let id = tasks::create(pool, manager, &input, None).await?.task.id;
        for (action, by, comment) in d.steps {
            let comment = Some(*comment).filter(|c| !c.is_empty());
            tasks::transition(pool, &caller(by)?, id, *action, comment, None, None).await?;
        }
    }
    Ok(())
}

/// A demo stage: code, name, whether a fact names the shift, whether it inspects, its line (index).
const STAGES: [(&str, &str, bool, bool, Option<usize>); 4] = [
    ("EST", "Estampado", true, false, Some(0)),
    ("SOL", "Soldadura", true, false, Some(1)),
    ("ENS", "Ensamble", false, false, Some(3)),
    ("INS", "Inspección final", false, true, None),
];

const SCRAP_REASONS: [(&str, &str); 3] =
    [("MEDIDA", "Medida fuera de tolerancia"), ("REBABA", "Rebaba"), ("GOLPE", "Golpe en manejo")];

/// A demo order: code, name, product (its code), quantity, due in days, and how it is worked: `Week` a fact per stage
/// every shift of the past week, `Done` its whole quantity on the week's first day, `Started` its first stage two
/// days ago, `Waiting` nothing, `Cancelled` cancelled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Worked {
    Week,
    Done,
    Started,
    Waiting,
    Cancelled,
}

const ORDERS: [(&str, &str, &str, i32, i64, Worked); 5] = [
    ("OP-1001", "Soporte de motor · lote semanal", "SOP-100", 1500, 3, Worked::Week),
    ("OP-1002", "Brazo de suspensión · pedido urgente", "BRK-220", 150, -2, Worked::Done),
    ("OP-1003", "Base de amortiguador", "BAS-415", 80, -1, Worked::Started),
    ("OP-1004", "Tapa de válvulas", "TAP-310", 300, 6, Worked::Waiting),
    ("OP-1005", "Brazo de suspensión · muestra", "BRK-220", 60, 10, Worked::Cancelled),
];

/// The stages, scrap reasons and orders, with a week of facts: recorded through `orders::record` under a grace of a
/// week (so the past week's shifts are open), which then goes back to the default.
async fn demo_orders(pool: &PgPool, manager: &Caller, operator: &Caller, lines: &[LineName]) -> Result<()> {
    let mut stages = Vec::new();
    for (code, name, needs_shift, inspection, line) in STAGES {
        let input = StageInput {
            code: code.into(),
            name: name.into(),
            needs_shift,
            inspection,
            line_id: line.and_then(|i| lines.get(i)).map(|l| l.id),
            archived: false,
        };
        stages.push(orders::save_stage(pool, manager, None, &input).await?.id);
    }
    let mut reasons = Vec::new();
    for (code, name) in SCRAP_REASONS {
        let input = ScrapReasonInput { code: code.into(), name: name.into(), archived: false };
        reasons.push(orders::save_scrap_reason(pool, manager, None, &input).await?.id);
    }
    let choices = orders::choices(pool, manager, Utc::now()).await?;
    let (tz, shifts) = {
        let mut tx = db::begin(pool, Scope::Tenant(manager.tenant_id())).await?;
        let tz = crate::production::service::dashboard::time_zone(&mut tx).await?;
        let shifts = crate::production::service::settings::calendar(&mut tx).await?;
        tx.commit().await?;
        (tz, shifts)
    };
    let today = choices.clock.today;
    let now = Utc::now();
    // The week's shift runs that have begun, oldest first: (day, shift).
    let runs: Vec<(chrono::NaiveDate, ShiftId)> = (0..7)
        .rev()
        .map(|back| today - Duration::days(back))
        .flat_map(|day| {
            shifts
                .iter()
                .filter(move |(_, _, s)| s.runs_on(day) && s.on(tz, day).span.start <= now)
                .map(move |(id, _, _)| (day, *id))
        })
        .collect();
    orders::save_settings(pool, manager, &FactSettings { grace_minutes: GRACE_MAX }).await?;
    let operator_id = operator.user()?.user_id;
    let mut reversible = None;
    for (code, name, product, quantity, due_in, worked) in ORDERS {
        let input = OrderInput {
            code: code.into(),
            name: name.into(),
            product_id: choices.products.iter().find(|p| p.code == product).map(|p| p.id),
            quantity,
            due_date: Some(today + Duration::days(due_in)),
            route: stages.clone(),
        };
        let order = orders::create(pool, manager, &input, None).await?.order.id;
        let fact = |stage: usize, day, shift: Option<ShiftId>, good: i32, scrap: i32| FactInput {
            stage_id: stages[stage],
            day,
            // Every fact names its shift where one was on (a stage that does not need one takes it): a people
            // line's units count in their shift, an inspection's rejects in the shift that made them.
            shift_id: shift,
            operator_id: STAGES[stage].2.then_some(operator_id),
            good,
            scrap,
            scrap_reason_id: (scrap > 0).then(|| reasons[(stage + good as usize) % reasons.len()]),
            comment: None,
        };
        let mut facts = Vec::new();
        match worked {
            Worked::Week => {
                for (i, (day, shift)) in runs.iter().enumerate() {
                    let i = i as i32;
                    facts.push(fact(0, *day, Some(*shift), 60 + (i * 7) % 13, i32::from(i % 4 == 0) * 2));
                    facts.push(fact(1, *day, Some(*shift), 55 + (i * 5) % 11, i32::from(i % 5 == 0)));
                    facts.push(fact(2, *day, Some(*shift), 50 + (i * 3) % 9, 0));
                    facts.push(fact(3, *day, Some(*shift), 45 + (i * 11) % 7, i32::from(i % 3 == 0)));
                }
            }
            Worked::Done => {
                if let Some((day, shift)) = runs.first() {
                    facts.extend((0..STAGES.len()).map(|s| fact(s, *day, Some(*shift), quantity, 0)));
                }
            }
            Worked::Started => {
                if let Some((day, shift)) = runs.iter().find(|(d, _)| *d == today - Duration::days(2)) {
                    facts.push(fact(0, *day, Some(*shift), 30, 1));
                }
            }
            Worked::Waiting | Worked::Cancelled => {}
        }
        for f in &facts {
            // The stamping station's operator records on the floor's terminal; the rest are written at a desk.
            let (by, source) =
                if f.operator_id.is_some() { (operator, Source::Terminal) } else { (manager, Source::Ui) };
            let made = orders::record(pool, by, order, f, source, None).await?;
            if worked == Worked::Week && f.stage_id == stages[0] {
                reversible = Some(made.fact.id);
            }
        }
        if worked == Worked::Cancelled {
            orders::cancel(pool, manager, order).await?;
        }
    }
    // The last stamping count was typed twice: reversed, with the reason.
    if let Some(id) = reversible {
        orders::reverse(pool, operator, id, "Se contó dos veces la misma caja.", Source::Ui, None).await?;
    }
    orders::save_settings(pool, manager, &FactSettings { grace_minutes: orders::GRACE_DEFAULT }).await?;
    Ok(())
}
