//! Tasks: created for a person or a role, listed by view and filters, read with their timeline and comments,
//! moved through the workflow, commented (with @mentions), marked read; a line's open blockers.
//!
//! A transition reads the task, asks the rules whether the action exists from its state and whether the caller may
//! take it, then updates the row only at the version it read (one statement) and records the event in the same
//! transaction: of two people acting at once exactly one changes it, and the other is told who did (409). A request
//! sent again under its idempotency key is answered with the task as it is, and changes nothing.

use crate::caller::{Caller, User};
use crate::codes::{ErrorCode, FieldError, check_text};
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission, Role};
use crate::ids::{CommentId, LineId, TaskCategoryId, TaskId, TenantId, UserId};
use crate::mes::rules::tasks::{
    self as rules, Actor, Assignee, Parties, Task, TaskAction, TaskInput, TaskState, View, check_comment,
    check_comment_body, mentions,
};
use crate::mes::rules::views::{Blocker, Board, Category, Comment, LineName, TaskDetail, TaskSummary};
use crate::mes::store::tasks as store;
use crate::notify::rules::Body;
use crate::paging::{Limit, Page};
use crate::workflow::machine::{CREATED, Machine, Person, Subject, TransitionProblem};
pub(super) use crate::workflow::service::check_key;
use crate::workflow::service::{self as workflow, Step};
use chrono::NaiveDate;

/// Tasks a page of a list holds.
pub const PAGE: i64 = 50;

/// What a list asks for (its query string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub view: View,
    pub states: Vec<TaskState>,
    /// Unfinished only (open, accepted, in progress, in review), when no state is named.
    pub open: bool,
    pub category: Option<TaskCategoryId>,
    pub blocker: Option<bool>,
    pub overdue: bool,
    pub line: Option<LineId>,
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

fn actor(user: &User) -> Actor {
    Actor { user: user.user_id, role: user.role, manages: user.may(Permission::MesPlan) }
}

fn summary(r: store::SummaryRow, today: NaiveDate) -> Result<TaskSummary> {
    let state = TaskState::decode(&r.state).map_err(Error::internal)?;
    Ok(TaskSummary {
        id: TaskId(r.id),
        title: r.title,
        state,
        version: r.version,
        category: match (r.category_id, r.category_code, r.category_name) {
            (Some(id), Some(code), Some(name)) => {
                Some(Category { id: TaskCategoryId(id), code, name, archived: r.category_archived.unwrap_or(false) })
            }
            _ => None,
        },
        due_date: r.due_date,
        overdue: r.due_date.is_some_and(|d| d < today) && !state.finished(),
        blocker: r.blocker,
        line: match (r.line_id, r.line_code, r.line_name) {
            (Some(id), Some(code), Some(name)) => Some(LineName { id: LineId(id), code, name }),
            _ => None,
        },
        assignee: r.assignee_id.map(|id| Person { id: UserId(id), name: r.assignee_name.unwrap_or_default() }),
        assignee_role: r.assignee_role.as_deref().map(Role::decode).transpose().map_err(Error::internal)?,
        creator: Person { id: UserId(r.creator_id), name: r.creator_name },
        created_at: r.created_at,
        updated_at: r.updated_at,
        unread: r.unread,
    })
}

/// The task categories (`mes:read`).
pub async fn categories(pool: &PgPool, caller: &Caller) -> Result<Vec<Category>> {
    caller.require(ApiScope::MesRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let rows = store::categories(&mut tx).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| Category { id: TaskCategoryId(r.id), code: r.code, name: r.name, archived: r.archived })
        .collect())
}

/// A category as written: a code (lower-case letters, digits, `-`, `_`) and a name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub archived: bool,
}

/// Creates a category, or changes the one `id` names (`mes.plan`).
pub async fn save_category(
    pool: &PgPool,
    caller: &Caller,
    id: Option<TaskCategoryId>,
    input: &CategoryInput,
) -> Result<Category> {
    let user = caller.user()?;
    user.require(Permission::MesPlan)?;
    let mut errors = Vec::new();
    let code = rules::check_code("code", &input.code).map_err(|e| errors.push(e)).unwrap_or_default();
    let name = check_text("name", &input.name, true, 80).map_err(|e| errors.push(e)).unwrap_or_default();
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let saved = store::save_category(&mut tx, user.tenant_id, id.map(|i| i.0), &code, &name, input.archived)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(Category { id: TaskCategoryId(saved), code, name, archived: input.archived })
}

/// Creates a task (`mes:write`, a person), telling its assignee or its role's holders. Sent again under its key, it
/// is the task the first request made.
pub async fn create(pool: &PgPool, caller: &Caller, input: &TaskInput, key: Option<&str>) -> Result<TaskDetail> {
    caller.require(ApiScope::MesWrite)?;
    let user = caller.user()?;
    let key = check_key(key)?;
    let input = input.check().map_err(Error::Validation)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(k) = key
        && let Some((id, creator)) = store::by_key(&mut tx, tenant, k).await?
    {
        if creator != user.user_id.0 {
            return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
        }
        let detail = detail(&mut tx, user, id).await?;
        tx.commit().await?;
        return Ok(detail);
    }
    let mut errors = Vec::new();
    if let Some(c) = input.category
        && !store::category_usable(&mut tx, tenant, c.0).await?
    {
        errors.push(FieldError::new("category", ErrorCode::InvalidInput));
    }
    if let Some(l) = input.line
        && !store::line_usable(&mut tx, tenant, l.0).await?
    {
        errors.push(FieldError::new("line", ErrorCode::InvalidInput));
    }
    let (assignee, role) = match input.assignee().ok_or(Error::field("assignee_type", ErrorCode::Required))? {
        Assignee::User(assignee_id) => {
            let works = store::active_role(&mut tx, assignee_id)
                .await?
                .map(|r| Role::decode(&r).map_err(Error::internal))
                .transpose()?
                .is_some_and(|r| crate::identity::rules::auth::permits(user.tenant_kind, r, Permission::MesWork));
            if !works {
                errors.push(FieldError::new("assignee_id", ErrorCode::InvalidInput));
            }
            (Some(assignee_id.0), None)
        }
        Assignee::Role(assignee_role) => (None, Some(assignee_role.as_str())),
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let new = store::NewTask {
        title: &input.title,
        description: &input.description,
        category: input.category.map(|c| c.0),
        due_date: input.due_date,
        blocker: input.blocker,
        line: input.line.map(|l| l.0),
        assignee_role: role,
        assignee,
        creator: user.user_id.0,
        key,
    };
    // A key raced by its own twin: the other request made the task.
    let Some(id) = store::insert(&mut tx, tenant, &new).await? else {
        return Err(Error::Conflict(ErrorCode::Conflict));
    };
    let step = Step {
        subject: Subject::MesTask,
        id,
        version: 1,
        actor: Some(user.user_id),
        action: CREATED,
        from: None,
        to: Task::FIRST.as_str(),
        comment: None,
        key: None,
        party: None,
    };
    workflow::record(&mut tx, tenant, &step).await?;
    let recipients: Vec<UserId> = match (assignee, role) {
        (Some(a), _) => vec![UserId(a)],
        (None, Some(r)) => store::holders(&mut tx, r).await?.into_iter().map(UserId).collect(),
        (None, None) => Vec::new(),
    };
    let recipients: Vec<UserId> = recipients.into_iter().filter(|u| *u != user.user_id).collect();
    let body = Body::TaskAssigned {
        task: id,
        title: input.title.clone(),
        by: user.display_name.clone(),
        role: role.map(str::to_owned),
        blocker: input.blocker,
    };
    crate::notify::service::send(&mut tx, tenant, &recipients, &body, &link(id)).await?;
    let detail = detail(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(detail)
}

fn link(id: i64) -> String {
    format!("/mes/tasks/{id}")
}

/// The filter a list query asks for, as the caller may see it.
fn filter<'a>(caller: &'a Caller, q: &ListQuery, today: NaiveDate, limit: i64) -> store::Filter<'a> {
    let (me, role) = match caller {
        Caller::User(u) => (Some(u.user_id.0), Some(u.role)),
        Caller::Machine(_) => (None, None),
    };
    // A machine has no tasks of its own nor a role: it lists all.
    let view = if me.is_none() { View::All } else { q.view };
    let states: Option<Vec<String>> = if !q.states.is_empty() {
        Some(q.states.iter().map(|s| s.as_str().to_owned()).collect())
    } else if q.open {
        Some(TaskState::ALL.iter().filter(|s| !s.finished()).map(|s| s.as_str().to_owned()).collect())
    } else {
        None
    };
    store::Filter {
        tenant: caller.tenant_id(),
        me,
        view: view.as_str(),
        role: role.map(Role::as_str),
        ids: None,
        states,
        category: q.category.map(|c| c.0),
        blocker: q.blocker,
        overdue: q.overdue,
        line: q.line.map(|l| l.0),
        today,
        after: q.after,
        limit,
    }
}

/// A page of tasks (`mes:read`): the caller's, their role's or all, filtered, newest first.
pub async fn list(pool: &PgPool, caller: &Caller, q: &ListQuery) -> Result<Page<TaskSummary>> {
    caller.require(ApiScope::MesRead)?;
    let limit = Limit::new(q.limit, PAGE, 200).map_err(|e| Error::Validation(vec![e]))?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let today = crate::production::service::dashboard::today(&mut tx).await?;
    let rows = store::summaries(&mut tx, &filter(caller, q, today, limit.fetch())).await?;
    tx.commit().await?;
    let page = Page::cut(rows, limit, |r| r.id);
    page.try_map(|r| summary(r, today))
}

/// A board (`mes:read`): the newest `per` tasks of each state the query asks for (`after` and `limit` aside), and
/// the states that have more than it shows. A state with few tasks shows them however many the others have.
pub async fn board(pool: &PgPool, caller: &Caller, q: &ListQuery, per: i64) -> Result<Board> {
    caller.require(ApiScope::MesRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let today = crate::production::service::dashboard::today(&mut tx).await?;
    let mut f = filter(caller, q, today, 0);
    let all: Vec<String> = TaskState::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    let found = store::board_ids(&mut tx, &f, &all, per + 1).await?;
    let mut more = Vec::new();
    let mut ids = Vec::with_capacity(found.len());
    for state in TaskState::ALL {
        let of: Vec<i64> = found.iter().filter(|(s, _)| s == state.as_str()).map(|(_, id)| *id).collect();
        if of.len() as i64 > per {
            more.push(state);
        }
        ids.extend(of.into_iter().take(usize::try_from(per).unwrap_or(0)));
    }
    f.limit = ids.len() as i64;
    f.states = None;
    f.ids = Some(ids);
    let rows = if f.limit == 0 { Vec::new() } else { store::summaries(&mut tx, &f).await? };
    tx.commit().await?;
    Ok(Board { tasks: rows.into_iter().map(|r| summary(r, today)).collect::<Result<_>>()?, more })
}

/// The task, its timeline, its comments and what `user` may do to it.
async fn detail(tx: &mut Tx, user: &User, id: i64) -> Result<TaskDetail> {
    detail_for(tx, user.tenant_id, Some(user), id).await
}

/// The task as lists show it (and its description), without its timeline and comments: what a transition decides on.
pub(super) async fn summary_of(
    tx: &mut Tx,
    tenant: TenantId,
    user: Option<&User>,
    id: i64,
) -> Result<(TaskSummary, String)> {
    let today = crate::production::service::dashboard::today(tx).await?;
    let f = store::Filter {
        tenant,
        me: user.map(|u| u.user_id.0),
        view: View::All.as_str(),
        role: None,
        ids: Some(vec![id]),
        states: None,
        category: None,
        blocker: None,
        overdue: false,
        line: None,
        today,
        after: None,
        limit: 1,
    };
    let row = store::summaries(tx, &f).await?.into_iter().next().ok_or(Error::NotFound)?;
    let description = row.description.clone();
    Ok((summary(row, today)?, description))
}

async fn detail_for(tx: &mut Tx, tenant: TenantId, user: Option<&User>, id: i64) -> Result<TaskDetail> {
    let (task, description) = summary_of(tx, tenant, user, id).await?;
    detail_of(tx, tenant, user, task, description).await
}

/// The task (as read) with its timeline, comments and what `user` may do to it.
async fn detail_of(
    tx: &mut Tx,
    tenant: TenantId,
    user: Option<&User>,
    task: TaskSummary,
    description: String,
) -> Result<TaskDetail> {
    let id = task.id.0;
    let timeline = workflow::timeline(tx, tenant, Subject::MesTask, id).await?;
    let comments = store::comments(tx, tenant, id)
        .await?
        .into_iter()
        .map(|c| Comment {
            id: CommentId(c.id),
            by: Person { id: UserId(c.author_id), name: c.author_name },
            body: c.body,
            at: c.at,
        })
        .collect();
    let actions = user.map(|u| doable(u, &task)).unwrap_or_default();
    let attachments = super::attachments::of_task(tx, tenant, id).await?;
    Ok(TaskDetail { task, description, timeline, comments, actions, attachments })
}

/// What `user` may do to `task` now (none without `mes:work`).
pub fn doable(user: &User, task: &TaskSummary) -> Vec<TaskAction> {
    if !user.may(Permission::MesWork) {
        return Vec::new();
    }
    let parties = parties(task);
    Task::actions_from(task.state).into_iter().filter(|a| rules::may(*a, &parties, &actor(user)).is_ok()).collect()
}

fn parties(t: &TaskSummary) -> Parties {
    Parties { creator: t.creator.id, assignee: t.assignee.as_ref().map(|p| p.id), role: t.assignee_role }
}

/// A task with its timeline and comments (`mes:read`).
pub async fn get(pool: &PgPool, caller: &Caller, id: TaskId) -> Result<TaskDetail> {
    caller.require(ApiScope::MesRead)?;
    let user = match caller {
        Caller::User(u) => Some(u),
        Caller::Machine(_) => None,
    };
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let detail = detail_for(&mut tx, caller.tenant_id(), user, id.0).await?;
    tx.commit().await?;
    Ok(detail)
}

/// A task's transition refused: not from its `state`, or (`overtaken`) changed since the caller read it; either
/// names who made it so.
async fn refuse(
    tx: &mut Tx,
    tenant: TenantId,
    id: TaskId,
    action: TaskAction,
    state: TaskState,
    overtaken: bool,
) -> Result<Error> {
    workflow::refusal(tx, tenant, Subject::MesTask, id.0, action.as_str(), state.as_str(), overtaken, None).await
}

/// Takes `action` on the task (`mes:write`, a person, as the workflow's table allows), with its comment (required
/// to reject); the task as it is after it. `version`, when given, is the version the caller saw: a task changed
/// since is refused as overtaken (409) even where the action would still exist.
pub async fn transition(
    pool: &PgPool,
    caller: &Caller,
    id: TaskId,
    action: TaskAction,
    comment: Option<&str>,
    version: Option<i32>,
    key: Option<&str>,
) -> Result<TaskDetail> {
    caller.require(ApiScope::MesWrite)?;
    let user = caller.user()?;
    let key = check_key(key)?;
    let comment = check_comment(action, comment).map_err(|e| Error::Validation(vec![e]))?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    if let Some(k) = key
        && let Some(seen) = workflow::seen(&mut tx, tenant, k).await?
    {
        // The same request again: answered with the task as it is now. A key used for something else is refused.
        if seen.subject != Subject::MesTask
            || seen.id != id.0
            || seen.action != action.as_str()
            || seen.actor != Some(user.user_id)
        {
            return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
        }
        let detail = detail(&mut tx, user, id.0).await?;
        tx.commit().await?;
        return Ok(detail);
    }
    let (before, description) = summary_of(&mut tx, user.tenant_id, Some(user), id.0).await?;
    let Some(to) = Task::next(before.state, action) else {
        return Err(refuse(&mut tx, tenant, id, action, before.state, false).await?);
    };
    if version.is_some_and(|v| v != before.version) {
        return Err(refuse(&mut tx, tenant, id, action, before.state, true).await?);
    }
    let becomes = rules::may(action, &parties(&before), &actor(user))
        .map_err(|rule| Error::rejected(TransitionProblem::NotAllowed { action: action.as_str().to_owned(), rule }))?;
    let Some((made, at)) =
        store::transition(&mut tx, tenant, id.0, before.version, to.as_str(), becomes.map(|u| u.0), user.user_id)
            .await?
    else {
        // Someone changed it between our reading and writing: the row as it is now says who and what.
        drop(tx);
        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        let now = summary_of(&mut tx, user.tenant_id, Some(user), id.0).await?.0;
        return Err(refuse(&mut tx, tenant, id, action, now.state, true).await?);
    };
    let step = Step {
        subject: Subject::MesTask,
        id: id.0,
        version: made,
        actor: Some(user.user_id),
        action: action.as_str(),
        from: Some(before.state.as_str()),
        to: to.as_str(),
        comment: comment.as_deref(),
        key,
        party: None,
    };
    workflow::record(&mut tx, tenant, &step).await?;
    // Those it concerns are told: the creator and the assignee, but not whoever moved it.
    let mut told: Vec<UserId> = vec![before.creator.id];
    told.extend(before.assignee.as_ref().map(|p| p.id));
    told.retain(|u| *u != user.user_id);
    told.dedup();
    let body = Body::TaskChanged {
        task: id.0,
        title: before.title.clone(),
        by: user.display_name.clone(),
        action: action.as_str().to_owned(),
        state: to.as_str().to_owned(),
        comment,
    };
    crate::notify::service::send(&mut tx, tenant, &told, &body, &link(id.0)).await?;
    // The task as it now is, from the row read and what changed (the actor has read it: the transition marked it).
    let after = TaskSummary {
        state: to,
        version: made,
        overdue: before.overdue && !to.finished(),
        assignee: match becomes {
            Some(u) => Some(Person { id: u, name: user.display_name.clone() }),
            None => before.assignee.clone(),
        },
        updated_at: at,
        unread: false,
        ..before
    };
    let detail = detail_of(&mut tx, tenant, Some(user), after, description).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Comments on the task (`mes:write`, a person), telling the people it @mentions. Sent again under its key, it is
/// the comment the first request made.
pub async fn comment(pool: &PgPool, caller: &Caller, id: TaskId, body: &str, key: Option<&str>) -> Result<Comment> {
    caller.require(ApiScope::MesWrite)?;
    let user = caller.user()?;
    let key = check_key(key)?;
    let body = check_comment_body(body).map_err(|e| Error::Validation(vec![e]))?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let task = summary_of(&mut tx, user.tenant_id, Some(user), id.0).await?.0;
    let made = match store::insert_comment(&mut tx, tenant, id.0, user.user_id.0, &body, key).await? {
        Some(c) => {
            store::touch(&mut tx, tenant, id.0).await?;
            store::mark_read(&mut tx, tenant, id.0, user.user_id).await?;
            let names = mentions(&body);
            if !names.is_empty() {
                let to: Vec<UserId> = store::mentioned(&mut tx, &names)
                    .await?
                    .into_iter()
                    .map(UserId)
                    .filter(|u| *u != user.user_id)
                    .collect();
                let notice = Body::TaskMentioned {
                    task: id.0,
                    title: task.title.clone(),
                    by: user.display_name.clone(),
                    excerpt: body.chars().take(140).collect(),
                };
                crate::notify::service::send(&mut tx, tenant, &to, &notice, &link(id.0)).await?;
            }
            c
        }
        None => {
            let (c, task_id, author) = store::comment_by_key(&mut tx, tenant, key.unwrap_or_default())
                .await?
                .ok_or(Error::Conflict(ErrorCode::Conflict))?;
            if task_id != id.0 || author != user.user_id.0 {
                return Err(Error::Conflict(ErrorCode::IdempotencyKeyReused));
            }
            c
        }
    };
    let comment = store::comments(&mut tx, tenant, id.0)
        .await?
        .into_iter()
        .find(|c| c.id == made)
        .map(|c| Comment {
            id: CommentId(c.id),
            by: Person { id: UserId(c.author_id), name: c.author_name },
            body: c.body,
            at: c.at,
        })
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(comment)
}

/// The caller has read the task as it is now (`mes:read`, a person).
pub async fn mark_read(pool: &PgPool, caller: &Caller, id: TaskId) -> Result<()> {
    caller.require(ApiScope::MesRead)?;
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    // A task the organisation does not have is not found (the mark's foreign key would say so less clearly).
    summary_of(&mut tx, user.tenant_id, Some(user), id.0).await?;
    store::mark_read(&mut tx, user.tenant_id, id.0, user.user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A person a task may be given to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Worker {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    /// What a comment mentions them by: their username, else their e-mail's name.
    pub handle: String,
}

/// The active people who work tasks (`mes:read`), of one role or of every role tasks are given to.
pub async fn workers(pool: &PgPool, caller: &Caller, role: Option<Role>) -> Result<Vec<Worker>> {
    caller.require(ApiScope::MesRead)?;
    let roles: Vec<String> = match role {
        Some(r) => vec![r.as_str().to_owned()],
        None => rules::ASSIGNABLE_ROLES.iter().map(|r| r.as_str().to_owned()).collect(),
    };
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let rows = store::people(&mut tx, &roles).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| {
            let handle = r.username.unwrap_or_else(|| r.email.split('@').next().unwrap_or_default().to_owned());
            Ok(Worker {
                id: UserId(r.id),
                name: r.display_name,
                role: Role::decode(&r.role).map_err(Error::internal)?,
                handle,
            })
        })
        .collect()
}

/// The open blockers of `lines` (none named: every line's; `mes:read`, someone without it sees none), oldest first.
pub async fn blockers(pool: &PgPool, caller: &Caller, lines: &[LineId]) -> Result<Vec<Blocker>> {
    if caller.require(ApiScope::MesRead).is_err() {
        return Ok(Vec::new());
    }
    let tenant: TenantId = caller.tenant_id();
    let ids: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let rows = store::blockers(&mut tx, tenant, &ids).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| {
            Ok(Blocker {
                id: TaskId(r.id),
                title: r.title,
                state: TaskState::decode(&r.state).map_err(Error::internal)?,
                line: LineId(r.line_id),
                assignee: r.assignee_name,
                assignee_role: r.assignee_role.as_deref().map(Role::decode).transpose().map_err(Error::internal)?,
                since: r.created_at,
            })
        })
        .collect()
}

/// The plant's active lines a task may concern (`mes:read`).
pub async fn lines(pool: &PgPool, caller: &Caller) -> Result<Vec<LineName>> {
    caller.require(ApiScope::MesRead)?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id())).await?;
    let rows = store::lines(&mut tx).await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|r| LineName { id: LineId(r.id), code: r.code, name: r.name }).collect())
}
