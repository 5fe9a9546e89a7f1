//! The floor's store and service tests against real PostgreSQL (a fresh database per test): a task's whole workflow
//! with its timeline rebuilt from the events, transitions raced on one pool (exactly one winner, the others told who),
//! idempotent replays, lists by view and filter, read marks, mentions, a line's blockers.

use std::sync::Arc;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use crate::caller::{Caller, User};
use crate::codes::ErrorCode;
use crate::db::{self, Scope};
use crate::error::Error;
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{LineId, TaskId, TenantId, UserId};
use crate::mes::rules::tasks::{AssigneeType, TaskAction, TaskInput, TaskState, View};
use crate::mes::service::tasks::{self, ListQuery};
use crate::workflow::machine::replay;

mod feed;
mod materials;
mod orders;

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions, size: u32) -> PgPool {
    db::app_pool_options(opts.max_connections(size)).connect_with(conn).await.unwrap()
}

/// A plant, its people and a line.
struct Plant {
    tenant: TenantId,
    master: Caller,
    supply: Caller,
    supply2: Caller,
    operator: Caller,
    viewer: Caller,
    line: LineId,
}

async fn person(pool: &PgPool, tenant: TenantId, role: Role, name: &str) -> Caller {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let handle = name.to_lowercase().replace(' ', ".");
    let id: UserId = sqlx::query_scalar(
        "insert into users (tenant_id, email, username, display_name, password_hash, role, status)
         values ($1, $2, $3, $4, 'x', $5, 'active') returning id",
    )
    .bind(tenant)
    .bind(format!("{handle}@{}.test", tenant.0.simple()))
    .bind(format!("{handle}-{}", &tenant.0.simple().to_string()[..8]))
    .bind(name)
    .bind(role.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Caller::User(User {
        user_id: id,
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role,
        tenant_kind: TenantKind::Manufacturer,
        email: String::new(),
        display_name: name.into(),
    })
}

async fn plant(pool: &PgPool, name: &str) -> Plant {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
    )
    .bind(name)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let line: i32 = sqlx::query_scalar(
        "insert into production_lines (tenant_id, code, name) values ($1, 'L1', 'Línea 1') returning id",
    )
    .bind(tenant)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Plant {
        tenant,
        master: person(pool, tenant, Role::Manager, "Maestro Kolchin").await,
        supply: person(pool, tenant, Role::Supply, "Sidorov").await,
        supply2: person(pool, tenant, Role::Supply, "Ivanova").await,
        operator: person(pool, tenant, Role::Operator, "Petrov").await,
        viewer: person(pool, tenant, Role::Viewer, "Visitante").await,
        line: LineId(line),
    }
}

fn uid(c: &Caller) -> UserId {
    match c {
        Caller::User(u) => u.user_id,
        Caller::Machine(_) => unreachable!(),
    }
}

fn blocker_for_supply(p: &Plant) -> TaskInput {
    TaskInput {
        title: "Traer herramental para la operación 2".into(),
        description: "Se necesita herramental especial".into(),
        category: None,
        due_date: None,
        blocker: true,
        line: Some(p.line),
        assignee_type: AssigneeType::Role,
        assignee_id: None,
        assignee_role: Some(Role::Supply),
    }
}

fn problem(e: Error) -> (u16, serde_json::Value) {
    match e {
        Error::Rejected(r) => (r.status, r.problem),
        e => panic!("expected a refusal, got {e:?}"),
    }
}

async fn notices(pool: &PgPool, tenant: TenantId, user: UserId) -> Vec<String> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    let kinds: Vec<String> = sqlx::query_scalar("select kind from notify_inbox where user_id = $1 order by id")
        .bind(user)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    kinds
}

#[sqlx::test]
async fn a_role_task_goes_through_review_by_four_eyes_and_its_events_rebuild_it(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Norte").await;
    let t = tasks::create(&pool, &p.master, &blocker_for_supply(&p), None).await.unwrap();
    let id = t.task.id;
    assert_eq!(
        (t.task.state, t.task.assignee.clone(), t.task.assignee_role),
        (TaskState::Open, None, Some(Role::Supply))
    );
    // Every holder of the role is told; its creator is not.
    assert_eq!(notices(&pool, p.tenant, uid(&p.supply)).await, ["task_assigned"]);
    assert_eq!(notices(&pool, p.tenant, uid(&p.supply2)).await, ["task_assigned"]);
    assert!(notices(&pool, p.tenant, uid(&p.master)).await.is_empty());
    // The operator holds no supply role: not theirs to accept.
    let (status, body) =
        problem(tasks::transition(&pool, &p.operator, id, TaskAction::Accept, None, None, None).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("assignee_or_role")));
    // A holder of the role accepts it and becomes its assignee; the other holder may no longer start it.
    let t = tasks::transition(&pool, &p.supply, id, TaskAction::Accept, None, None, None).await.unwrap();
    assert_eq!(t.task.assignee.as_ref().map(|a| a.id), Some(uid(&p.supply)));
    assert_eq!(t.actions, [TaskAction::Start]);
    let (status, body) =
        problem(tasks::transition(&pool, &p.supply2, id, TaskAction::Start, None, None, None).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("assignee_only")));
    // Sending to review before starting does not exist from "accepted": 409 naming the state and who made it so.
    let (status, body) =
        problem(tasks::transition(&pool, &p.supply, id, TaskAction::SendToReview, None, None, None).await.unwrap_err());
    assert_eq!(status, 409);
    assert_eq!((body["problem"].as_str(), body["state"].as_str()), (Some("not_from"), Some("accepted")));
    assert_eq!(body["by"]["name"].as_str(), Some("Sidorov"));
    tasks::transition(&pool, &p.supply, id, TaskAction::Start, None, None, None).await.unwrap();
    let t = tasks::transition(&pool, &p.supply, id, TaskAction::SendToReview, None, None, None).await.unwrap();
    assert_eq!(t.task.state, TaskState::Review);
    // The assignee cannot approve their own work (the API says so, whatever a page shows); nor can someone who is
    // neither its creator nor a manager.
    let (status, body) =
        problem(tasks::transition(&pool, &p.supply, id, TaskAction::Approve, None, None, None).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("four_eyes")));
    let (status, body) =
        problem(tasks::transition(&pool, &p.operator, id, TaskAction::Approve, None, None, None).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("reviewer_only")));
    // A rejection says why.
    match tasks::transition(&pool, &p.master, id, TaskAction::Reject, Some("  "), None, None).await.unwrap_err() {
        Error::Validation(f) => assert_eq!((f[0].field.as_str(), f[0].code), ("comment", ErrorCode::Required)),
        e => panic!("{e:?}"),
    }
    let t = tasks::transition(&pool, &p.master, id, TaskAction::Reject, Some("Falta la llave de 13"), None, None)
        .await
        .unwrap();
    assert_eq!(t.task.state, TaskState::InProgress);
    tasks::transition(&pool, &p.supply, id, TaskAction::SendToReview, None, None, None).await.unwrap();
    let t = tasks::transition(&pool, &p.master, id, TaskAction::Approve, None, None, None).await.unwrap();
    assert_eq!((t.task.state, t.task.version, t.actions.len()), (TaskState::Done, 7, 0));
    // The timeline: who, from, to, why; and it rebuilds the state.
    let steps: Vec<(&str, Option<&str>, &str)> =
        t.timeline.iter().map(|e| (e.action.as_str(), e.by.as_ref().map(|b| b.name.as_str()), e.to.as_str())).collect();
    assert_eq!(
        steps,
        [
            ("created", Some("Maestro Kolchin"), "open"),
            ("accept", Some("Sidorov"), "accepted"),
            ("start", Some("Sidorov"), "in_progress"),
            ("send_to_review", Some("Sidorov"), "review"),
            ("reject", Some("Maestro Kolchin"), "in_progress"),
            ("send_to_review", Some("Sidorov"), "review"),
            ("approve", Some("Maestro Kolchin"), "done"),
        ]
    );
    assert_eq!(t.timeline[4].comment.as_deref(), Some("Falta la llave de 13"));
    assert_eq!(replay::<crate::mes::rules::tasks::Task>(&t.timeline), Some(TaskState::Done));
    // The creator heard of each step the assignee took (accepted, started, sent to review twice), the assignee of
    // each review.
    assert_eq!(notices(&pool, p.tenant, uid(&p.master)).await.len(), 4);
    assert_eq!(notices(&pool, p.tenant, uid(&p.supply)).await, ["task_assigned", "task_changed", "task_changed"]);
    // Done, it is no longer its line's blocker.
    assert!(tasks::blockers(&pool, &p.viewer, &[p.line]).await.unwrap().is_empty());
}

#[sqlx::test]
async fn of_twenty_people_accepting_one_task_at_once_exactly_one_wins_and_the_rest_are_told_who(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 20).await;
    let p = plant(&pool, "Planta Carrera").await;
    let mut racers = Vec::new();
    for n in 0..20 {
        racers.push(Arc::new(person(&pool, p.tenant, Role::Supply, &format!("Almacén {n}")).await));
    }
    for round in 0..5 {
        let t = tasks::create(&pool, &p.master, &blocker_for_supply(&p), None).await.unwrap();
        let id = t.task.id;
        let mut handles = Vec::new();
        for r in &racers {
            let (pool, r) = (pool.clone(), r.clone());
            handles.push(tokio::spawn(async move {
                tasks::transition(&pool, &r, id, TaskAction::Accept, None, None, None).await
            }));
        }
        let (mut winners, mut named) = (Vec::new(), Vec::new());
        for h in handles {
            match h.await.unwrap() {
                Ok(t) => winners.push(t.task.assignee.unwrap().name),
                Err(e) => {
                    let (status, body) = problem(e);
                    assert_eq!(status, 409, "round {round}: {body}");
                    assert_eq!(body["state"].as_str(), Some("accepted"));
                    named.push(body["by"]["name"].as_str().unwrap().to_owned());
                }
            }
        }
        assert_eq!(winners.len(), 1, "round {round}");
        assert_eq!(named.len(), 19);
        assert!(named.iter().all(|n| *n == winners[0]), "round {round}: {named:?} vs {winners:?}");
        // One transition recorded, and the events still rebuild the task.
        let t = tasks::get(&pool, &p.viewer, id).await.unwrap();
        assert_eq!((t.timeline.len(), t.task.version), (2, 2));
        assert_eq!(replay::<crate::mes::rules::tasks::Task>(&t.timeline), Some(TaskState::Accepted));
    }
}

#[sqlx::test]
async fn a_request_sent_again_under_its_key_changes_nothing(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Eco").await;
    let input =
        TaskInput { assignee_type: AssigneeType::User, assignee_id: Some(uid(&p.operator)), ..blocker_for_supply(&p) };
    let a = tasks::create(&pool, &p.master, &input, Some("crear-1")).await.unwrap();
    let b = tasks::create(&pool, &p.master, &input, Some("crear-1")).await.unwrap();
    assert_eq!(a.task.id, b.task.id);
    let id = a.task.id;
    for _ in 0..3 {
        let t = tasks::transition(&pool, &p.operator, id, TaskAction::Accept, None, None, Some("acc-1")).await.unwrap();
        assert_eq!((t.task.state, t.timeline.len()), (TaskState::Accepted, 2));
    }
    for _ in 0..2 {
        tasks::comment(&pool, &p.operator, id, "Voy en camino", Some("com-1")).await.unwrap();
    }
    let t = tasks::get(&pool, &p.master, id).await.unwrap();
    assert_eq!(t.comments.len(), 1);
    // A key reused for another action, or by someone else, is refused: it names a different request.
    let e = tasks::transition(&pool, &p.operator, id, TaskAction::Start, None, None, Some("acc-1")).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ErrorCode::IdempotencyKeyReused)), "{e:?}");
    let e = tasks::create(&pool, &p.operator, &input, Some("crear-1")).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ErrorCode::IdempotencyKeyReused)), "{e:?}");
    // A version the caller saw that is no longer the task's: overtaken, and told by whom.
    let (status, body) =
        problem(tasks::transition(&pool, &p.operator, id, TaskAction::Start, None, Some(1), None).await.unwrap_err());
    assert_eq!(
        (status, body["problem"].as_str(), body["by"]["name"].as_str()),
        (409, Some("overtaken"), Some("Petrov"))
    );
}

#[sqlx::test]
async fn lists_by_view_and_filter_with_read_marks_mentions_and_blockers(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Sur").await;
    let other = plant(&pool, "Otra Planta").await;
    let role_task = tasks::create(&pool, &p.master, &blocker_for_supply(&p), None).await.unwrap().task.id;
    let mine = TaskInput {
        title: "Revisar calibrador".into(),
        blocker: false,
        line: None,
        due_date: Some(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
        assignee_type: AssigneeType::User,
        assignee_id: Some(uid(&p.operator)),
        ..blocker_for_supply(&p)
    };
    let op_task = tasks::create(&pool, &p.master, &mine, None).await.unwrap().task.id;
    tasks::create(&pool, &other.master, &blocker_for_supply(&other), None).await.unwrap();
    let ids = |page: crate::paging::Page<crate::mes::rules::views::TaskSummary>| -> Vec<TaskId> {
        page.items.into_iter().map(|t| t.id).collect()
    };
    let q = |view| ListQuery { view, ..ListQuery::default() };
    assert_eq!(ids(tasks::list(&pool, &p.operator, &q(View::Mine)).await.unwrap()), [op_task]);
    assert_eq!(ids(tasks::list(&pool, &p.supply, &q(View::Role)).await.unwrap()), [role_task]);
    assert!(ids(tasks::list(&pool, &p.supply, &q(View::Mine)).await.unwrap()).is_empty());
    // All: this plant's only.
    assert_eq!(ids(tasks::list(&pool, &p.viewer, &q(View::All)).await.unwrap()), [op_task, role_task]);
    let overdue = ListQuery { view: View::All, overdue: true, ..ListQuery::default() };
    let page = tasks::list(&pool, &p.viewer, &overdue).await.unwrap();
    assert_eq!((ids(page.clone()), page.items[0].overdue), (vec![op_task], true));
    let blockers = ListQuery { view: View::All, blocker: Some(true), line: Some(p.line), ..ListQuery::default() };
    assert_eq!(ids(tasks::list(&pool, &p.viewer, &blockers).await.unwrap()), [role_task]);
    let states = ListQuery { view: View::All, states: vec![TaskState::Accepted], ..ListQuery::default() };
    assert!(ids(tasks::list(&pool, &p.viewer, &states).await.unwrap()).is_empty());
    // Pages: one task a page, then the next.
    let first = tasks::list(&pool, &p.viewer, &ListQuery { view: View::All, limit: Some(1), ..ListQuery::default() })
        .await
        .unwrap();
    assert_eq!(first.next.as_deref(), Some(op_task.0.to_string().as_str()));
    let after = ListQuery { view: View::All, limit: Some(1), after: Some(op_task.0), ..ListQuery::default() };
    assert_eq!(ids(tasks::list(&pool, &p.viewer, &after).await.unwrap()), [role_task]);
    // Unread until read; a comment makes it unread again for the others, and tells whom it mentions.
    let unread = |page: crate::paging::Page<crate::mes::rules::views::TaskSummary>| page.items[0].unread;
    assert!(unread(tasks::list(&pool, &p.operator, &q(View::Mine)).await.unwrap()));
    tasks::mark_read(&pool, &p.operator, op_task).await.unwrap();
    assert!(!unread(tasks::list(&pool, &p.operator, &q(View::Mine)).await.unwrap()));
    let handle = tasks::workers(&pool, &p.master, Some(Role::Operator)).await.unwrap()[0].handle.clone();
    tasks::comment(&pool, &p.master, op_task, &format!("@{handle} usa el de 0.01"), None).await.unwrap();
    assert!(unread(tasks::list(&pool, &p.operator, &q(View::Mine)).await.unwrap()));
    assert_eq!(notices(&pool, p.tenant, uid(&p.operator)).await, ["task_assigned", "task_mentioned"]);
    // The line's open blockers; another plant's task is not found here at all.
    let b = tasks::blockers(&pool, &p.viewer, &[p.line]).await.unwrap();
    assert_eq!((b.len(), b[0].id, b[0].assignee_role), (1, role_task, Some(Role::Supply)));
    let theirs = tasks::list(&pool, &other.viewer, &q(View::All)).await.unwrap().items[0].id;
    assert!(matches!(tasks::get(&pool, &p.viewer, theirs).await, Err(Error::NotFound)));
    // A viewer reads but does not work tasks.
    assert!(matches!(tasks::create(&pool, &p.viewer, &mine, None).await, Err(Error::Forbidden)));
    let e = tasks::transition(&pool, &p.viewer, role_task, TaskAction::Cancel, None, None, None).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden), "{e:?}");
}

#[sqlx::test]
async fn a_task_is_refused_field_by_field_and_the_events_refuse_any_change(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Campos").await;
    let bad = TaskInput {
        title: String::new(),
        category: Some(crate::ids::TaskCategoryId(999)),
        line: Some(LineId(999)),
        assignee_type: AssigneeType::User,
        assignee_id: Some(uid(&p.viewer)),
        ..blocker_for_supply(&p)
    };
    match tasks::create(&pool, &p.master, &bad, None).await.unwrap_err() {
        Error::Validation(f) => assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["title"]),
        e => panic!("{e:?}"),
    }
    let bad = TaskInput { title: "x".into(), ..bad };
    match tasks::create(&pool, &p.master, &bad, None).await.unwrap_err() {
        Error::Validation(f) => {
            assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["category", "line", "assignee_id"])
        }
        e => panic!("{e:?}"),
    }
    let id = tasks::create(&pool, &p.master, &blocker_for_supply(&p), None).await.unwrap().task.id;
    // The timeline is history: the application's role can neither change nor remove an event.
    let mut tx = db::begin(&pool, Scope::Tenant(p.tenant)).await.unwrap();
    let e = sqlx::query("update workflow_events set comment = 'x' where subject_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("permission denied"), "{e}");
    drop(tx);
    // Cancelled by its creator, it offers nothing more.
    let t = tasks::transition(&pool, &p.master, id, TaskAction::Cancel, None, None, None).await.unwrap();
    assert_eq!((t.task.state, t.actions.len()), (TaskState::Cancelled, 0));
    let (status, body) =
        problem(tasks::transition(&pool, &p.supply, id, TaskAction::Accept, None, None, None).await.unwrap_err());
    assert_eq!((status, body["state"].as_str()), (409, Some("cancelled")));
}

/// A board shows each state's newest tasks however many another state has (it once showed the newest 200 of all,
/// and a floor with many open tasks had empty review and done columns), and says which states have more.
#[sqlx::test]
async fn a_board_shows_every_state_however_many_tasks_another_has(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let p = plant(&pool, "Planta Sur").await;
    let other = plant(&pool, "Otra Planta").await;
    let accepted = tasks::create(&pool, &p.master, &blocker_for_supply(&p), None).await.unwrap().task.id;
    tasks::transition(&pool, &p.supply, accepted, TaskAction::Accept, None, None, None).await.unwrap();
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(tasks::create(&pool, &p.master, &blocker_for_supply(&p), None).await.unwrap().task.id);
    }
    tasks::create(&pool, &other.master, &blocker_for_supply(&other), None).await.unwrap();
    let all = ListQuery { view: View::All, ..ListQuery::default() };
    let board = tasks::board(&pool, &p.viewer, &all, 2).await.unwrap();
    let shown: Vec<(TaskId, TaskState)> = board.tasks.iter().map(|t| (t.id, t.state)).collect();
    assert_eq!(shown, [(open[3], TaskState::Open), (open[2], TaskState::Open), (accepted, TaskState::Accepted)]);
    assert_eq!(board.more, [TaskState::Open]);
    // The filters hold on a board too: a state asked for alone, the role's view.
    let accepted_only = ListQuery { states: vec![TaskState::Accepted], ..all.clone() };
    let board = tasks::board(&pool, &p.viewer, &accepted_only, 2).await.unwrap();
    assert_eq!((board.tasks.len(), board.tasks[0].id, board.more.len()), (1, accepted, 0));
    let role = ListQuery { view: View::Role, ..ListQuery::default() };
    assert_eq!(tasks::board(&pool, &p.supply, &role, 10).await.unwrap().tasks.len(), 5);
    assert!(tasks::board(&pool, &p.operator, &role, 10).await.unwrap().tasks.is_empty());
}
