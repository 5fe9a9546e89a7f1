//! Planta Demo's floor: task categories and tasks in every state (a blocker for supply open on a line, tasks
//! accepted, in progress, in review, rejected once and back in progress, done, cancelled), made through the same
//! calls people make, as the demo's people, so each has its timeline and its notices.

use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::caller::{Caller, User};
use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{TenantId, UserId};
use crate::mes::rules::tasks::{AssigneeType, TaskAction, TaskInput};
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

/// Builds Planta Demo's tasks when it has none (and its people and lines exist); whether it did.
pub async fn configure(pool: &PgPool) -> Result<bool> {
    let emails: Vec<String> = [MANAGER, OPERATOR, SUPPLY, OWNER].iter().map(|e| (*e).to_owned()).collect();
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let people = store::people_by_email(&mut tx, &emails).await?;
    let Some(tenant) = people.first().map(|p| TenantId(p.tenant_id)) else { return Ok(false) };
    if people.len() < emails.len() || store::has_tasks(&mut tx, tenant).await? {
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
    let manager = caller(MANAGER)?;
    let lines = tasks::lines(pool, &manager).await?;
    if lines.is_empty() {
        return Ok(false);
    }
    let mut categories = Vec::new();
    for (code, name) in CATEGORIES {
        let input = CategoryInput { code: code.into(), name: name.into(), archived: false };
        categories.push(tasks::save_category(pool, &manager, None, &input).await?.id);
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
        let id = tasks::create(pool, &manager, &input, None).await?.task.id;
        for (action, by, comment) in d.steps {
            let comment = Some(*comment).filter(|c| !c.is_empty());
            tasks::transition(pool, &caller(by)?, id, *action, comment, None, None).await?;
        }
    }
    Ok(true)
}
