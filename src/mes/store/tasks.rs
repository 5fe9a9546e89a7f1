//! Tasks' SQL: categories, tasks, the conditional update a transition is, comments, read marks, the people a task
//! reaches.
//!
//! Indexes: a list of one view walks `mes_tasks_assignee (tenant_id, assignee_id, id desc)` (mine),
//! `mes_tasks_role (tenant_id, assignee_role, id desc)` (my role's) or the primary key (all), newest first, cut by
//! `id < after`; a line's open blockers `mes_tasks_line_blockers` (partial); comments `mes_task_comments_task`;
//! keys `mes_tasks_key`, `mes_task_comments_key`; a read mark is its primary key.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

pub(in crate::mes) struct CategoryRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub archived: bool,
}

pub(in crate::mes) async fn categories(tx: &mut Tx) -> Result<Vec<CategoryRow>, sqlx::Error> {
    sqlx::query_as!(
        CategoryRow,
        r#"select id, code, name, archived_at is not null as "archived!" from mes_task_categories order by name, id"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// Inserts a category, or changes the one `id` names; its id (`None`: no such category).
pub(in crate::mes) async fn save_category(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<i32>,
    code: &str,
    name: &str,
    archived: bool,
) -> Result<Option<i32>, sqlx::Error> {
    match id {
        None => sqlx::query_scalar!(
            "insert into mes_task_categories (tenant_id, code, name, archived_at)
             values ($1, $2, $3, case when $4 then now() end) returning id",
            tenant.0,
            code,
            name,
            archived
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => {
            sqlx::query_scalar!(
                "update mes_task_categories
                 set code = $2, name = $3,
                     archived_at = case when $4 then coalesce(archived_at, now()) end
                 where id = $1 returning id",
                id,
                code,
                name,
                archived
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// Whether a category may be given to a new task (it exists and is not archived).
pub(in crate::mes) async fn category_usable(tx: &mut Tx, tenant: TenantId, id: i32) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "select 1 as one from mes_task_categories where tenant_id = $2 and id = $1 and archived_at is null",
        id,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// Whether the plant has an active line `id`.
pub(in crate::mes) async fn line_usable(tx: &mut Tx, tenant: TenantId, id: i32) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "select 1 as one from production_lines where tenant_id = $2 and id = $1 and active",
        id,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// An active person of the organisation, with their role.
pub(in crate::mes) async fn active_role(tx: &mut Tx, user: UserId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select role from users where id = $1 and status = 'active'", user.0)
        .fetch_optional(&mut **tx)
        .await
}

/// The active holders of `role` in the organisation.
pub(in crate::mes) async fn holders(tx: &mut Tx, role: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("select id from users where role = $1 and status = 'active' order by display_name, id", role)
        .fetch_all(&mut **tx)
        .await
}

pub(in crate::mes) struct PersonRow {
    pub id: Uuid,
    pub display_name: String,
    pub role: String,
    pub email: String,
    pub username: Option<String>,
}

/// The active people of the organisation holding one of `roles`, by name.
pub(in crate::mes) async fn people(tx: &mut Tx, roles: &[String]) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as!(
        PersonRow,
        "select id, display_name, role, email, username from users
         where status = 'active' and role = any($1) order by display_name, id",
        roles
    )
    .fetch_all(&mut **tx)
    .await
}

/// The active people a comment's `@names` name: by username or by their e-mail's name.
pub(in crate::mes) async fn mentioned(tx: &mut Tx, names: &[String]) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from users
         where status = 'active' and (username = any($1) or split_part(email, '@', 1) = any($1))",
        names
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::mes) struct NewTask<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: Option<i32>,
    pub due_date: Option<NaiveDate>,
    pub blocker: bool,
    pub line: Option<i32>,
    pub assignee_role: Option<&'a str>,
    pub assignee: Option<Uuid>,
    pub creator: Uuid,
    pub key: Option<&'a str>,
}

/// Inserts a task; its id, or `None` when its key was already used (the task it made is [`by_key`]'s).
pub(in crate::mes) async fn insert(tx: &mut Tx, tenant: TenantId, t: &NewTask<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into mes_tasks (tenant_id, title, description, category_id, due_date, blocker, line_id, assignee_role,
                                assignee_id, creator_id, idempotency_key)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
         returning id",
        tenant.0,
        t.title,
        t.description,
        t.category,
        t.due_date,
        t.blocker,
        t.line,
        t.assignee_role,
        t.assignee,
        t.creator,
        t.key,
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The task a creation key made, and who made it.
pub(in crate::mes) async fn by_key(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
) -> Result<Option<(i64, Uuid)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select id, creator_id from mes_tasks where tenant_id = $2 and idempotency_key = $1",
        key,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.id, r.creator_id)))
}

/// What a list asks for.
pub(in crate::mes) struct Filter<'a> {
    pub tenant: TenantId,
    pub me: Option<Uuid>,
    /// `mine`, `role` or `all`.
    pub view: &'a str,
    pub role: Option<&'a str>,
    /// These tasks only.
    pub ids: Option<Vec<i64>>,
    pub states: Option<Vec<String>>,
    pub category: Option<i32>,
    pub blocker: Option<bool>,
    pub overdue: bool,
    pub line: Option<i32>,
    pub today: NaiveDate,
    pub after: Option<i64>,
    pub limit: i64,
}

pub(in crate::mes) struct SummaryRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub state: String,
    pub version: i32,
    pub category_id: Option<i32>,
    pub category_code: Option<String>,
    pub category_name: Option<String>,
    pub category_archived: Option<bool>,
    pub due_date: Option<NaiveDate>,
    pub blocker: bool,
    pub line_id: Option<i32>,
    pub line_code: Option<String>,
    pub line_name: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub assignee_role: Option<String>,
    pub creator_id: Uuid,
    pub creator_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub unread: bool,
}

/// A page of tasks, newest first (or the one `id` names).
pub(in crate::mes) async fn summaries(tx: &mut Tx, f: &Filter<'_>) -> Result<Vec<SummaryRow>, sqlx::Error> {
    sqlx::query_as!(
        SummaryRow,
        r#"select t.id as "id!", t.title as "title!", t.description as "description!", t.state as "state!",
                  t.version as "version!", t.category_id,
                  c.code as "category_code?", c.name as "category_name?",
                  c.archived_at is not null as "category_archived?",
                  t.due_date, t.blocker as "blocker!", t.line_id, l.code as "line_code?", l.name as "line_name?",
                  t.assignee_id, a.display_name as "assignee_name?", t.assignee_role,
                  t.creator_id as "creator_id!", cr.display_name as creator_name, t.created_at as "created_at!",
                  t.updated_at as "updated_at!",
                  ($1::uuid is not null and (r.read_at is null or r.read_at < t.updated_at)) as "unread!"
           -- The page's tasks first, by their index newest first (a subquery with its own limit: the names are
           -- joined to the page's rows only, not to every task of the role before the page is cut).
           -- The tenant named, not only the policy's (whose `or` would keep the index out of the plan).
           from (select * from mes_tasks t
                 where t.tenant_id = $13
                   and ($2 <> 'mine' or t.assignee_id = $1)
                   and ($2 <> 'role' or t.assignee_role = $3)
                   and ($4::bigint[] is null or t.id = any($4))
                   and ($5::text[] is null or t.state = any($5))
                   and ($6::int is null or t.category_id = $6)
                   and ($7::bool is null or t.blocker = $7)
                   and (not $8 or (t.due_date < $9 and t.state not in ('done', 'cancelled')))
                   and ($10::int is null or t.line_id = $10)
                   and ($11::bigint is null or t.id < $11)
                 order by t.id desc
                 limit $12) t
           left join mes_task_categories c on c.tenant_id = t.tenant_id and c.id = t.category_id
           left join production_lines l on l.tenant_id = t.tenant_id and l.id = t.line_id
           left join users a on a.id = t.assignee_id
           join users cr on cr.id = t.creator_id
           left join mes_task_reads r on r.tenant_id = t.tenant_id and r.task_id = t.id and r.user_id = $1
           order by t.id desc"#,
        f.me,
        f.view,
        f.role,
        f.ids.as_deref(),
        f.states.as_deref(),
        f.category,
        f.blocker,
        f.overdue,
        f.today,
        f.line,
        f.after,
        f.limit,
        f.tenant.0,
    )
    .fetch_all(&mut **tx)
    .await
}

/// A board's tasks: the newest `per` of each of `f.states` (every state when none is named) under the filters,
/// so a state with few tasks shows them however many the others have. One index walk per state, newest first
/// (`mes_tasks_state`, or the assignee's or role's index with the state as a filter).
pub(in crate::mes) async fn board_ids(
    tx: &mut Tx,
    f: &Filter<'_>,
    all: &[String],
    per: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select st.state as "state!", s.id as "id!"
           from unnest(coalesce($5::text[], $12::text[])) st(state)
           cross join lateral (
               select t.id from mes_tasks t
               where t.tenant_id = $13
                 and t.state = st.state
                 and ($2 <> 'mine' or t.assignee_id = $1)
                 and ($2 <> 'role' or t.assignee_role = $3)
                 and ($4::bigint[] is null or t.id = any($4))
                 and ($6::int is null or t.category_id = $6)
                 and ($7::bool is null or t.blocker = $7)
                 and (not $8 or (t.due_date < $9 and t.state not in ('done', 'cancelled')))
                 and ($10::int is null or t.line_id = $10)
               order by t.id desc
               limit $11) s"#,
        f.me,
        f.view,
        f.role,
        f.ids.as_deref(),
        f.states.as_deref(),
        f.category,
        f.blocker,
        f.overdue,
        f.today,
        f.line,
        per,
        all,
        f.tenant.0,
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.state, r.id))
    .collect())
}

/// The transition itself: the task moves to `to` (and to `assignee`, when it gets one) only if it is still at the
/// version the actor saw, and the actor has read it as it now is (one statement); the version it is at now and when
/// it changed, or `None` when someone changed it first.
pub(in crate::mes) async fn transition(
    tx: &mut Tx,
    tenant: TenantId,
    id: i64,
    seen: i32,
    to: &str,
    assignee: Option<Uuid>,
    actor: UserId,
) -> Result<Option<(i32, DateTime<Utc>)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"with moved as (
               update mes_tasks set state = $3, version = version + 1, assignee_id = coalesce($4, assignee_id),
                                    updated_at = now()
               where tenant_id = $5 and id = $1 and version = $2
               returning version, updated_at),
           read as (
               insert into mes_task_reads (tenant_id, task_id, user_id, read_at)
               select $5, $1, $6, updated_at from moved
               on conflict (tenant_id, task_id, user_id) do update set read_at = excluded.read_at)
           select version as "version!", updated_at as "updated_at!" from moved"#,
        id,
        seen,
        to,
        assignee,
        tenant.0,
        actor.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.version, r.updated_at)))
}

/// Marks the task changed (a comment): unread again for everyone but whoever reads it next.
pub(in crate::mes) async fn touch(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("update mes_tasks set updated_at = now() where tenant_id = $2 and id = $1", id, tenant.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(in crate::mes) struct CommentRow {
    pub id: i64,
    pub author_id: Uuid,
    pub author_name: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

pub(in crate::mes) async fn comments(tx: &mut Tx, tenant: TenantId, task: i64) -> Result<Vec<CommentRow>, sqlx::Error> {
    sqlx::query_as!(
        CommentRow,
        "select c.id, c.author_id, u.display_name as author_name, c.body, c.at
         from mes_task_comments c join users u on u.id = c.author_id
         where c.tenant_id = $2 and c.task_id = $1 order by c.id",
        task,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await
}

/// Inserts a comment; its id, or `None` when its key was already used.
pub(in crate::mes) async fn insert_comment(
    tx: &mut Tx,
    tenant: TenantId,
    task: i64,
    author: Uuid,
    body: &str,
    key: Option<&str>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into mes_task_comments (tenant_id, task_id, author_id, body, idempotency_key)
         values ($1, $2, $3, $4, $5)
         on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
         returning id",
        tenant.0,
        task,
        author,
        body,
        key
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The comment a key made: its task and author.
pub(in crate::mes) async fn comment_by_key(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
) -> Result<Option<(i64, i64, Uuid)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select id, task_id, author_id from mes_task_comments where tenant_id = $2 and idempotency_key = $1",
        key,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.id, r.task_id, r.author_id)))
}

/// `user` has read the task as it is now.
pub(in crate::mes) async fn mark_read(
    tx: &mut Tx,
    tenant: TenantId,
    task: i64,
    user: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into mes_task_reads (tenant_id, task_id, user_id, read_at) values ($1, $2, $3, now())
         on conflict (tenant_id, task_id, user_id) do update set read_at = excluded.read_at",
        tenant.0,
        task,
        user.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::mes) struct BlockerRow {
    pub id: i64,
    pub title: String,
    pub state: String,
    pub line_id: i32,
    pub assignee_name: Option<String>,
    pub assignee_role: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The open blockers of `lines` (none named: of every line), oldest first.
pub(in crate::mes) async fn blockers(
    tx: &mut Tx,
    tenant: TenantId,
    lines: &[i32],
) -> Result<Vec<BlockerRow>, sqlx::Error> {
    sqlx::query_as!(
        BlockerRow,
        r#"select t.id, t.title, t.state, t.line_id as "line_id!", a.display_name as "assignee_name?", t.assignee_role,
                  t.created_at
           from mes_tasks t left join users a on a.id = t.assignee_id
           where t.tenant_id = $1 and (cardinality($2::int[]) = 0 or t.line_id = any($2)) and t.blocker and t.state not in ('done', 'cancelled')
           order by t.created_at, t.id"#,
        tenant.0,
        lines
    )
    .fetch_all(&mut **tx)
    .await
}

pub(in crate::mes) struct LineRow {
    pub id: i32,
    pub code: String,
    pub name: String,
}

/// The plant's active lines, by code.
pub(in crate::mes) async fn lines(tx: &mut Tx) -> Result<Vec<LineRow>, sqlx::Error> {
    sqlx::query_as!(LineRow, "select id, code, name from production_lines where active order by code")
        .fetch_all(&mut **tx)
        .await
}

pub(in crate::mes) struct DemoPerson {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub display_name: String,
}

/// The active people of `emails` (the demo plant's, found by their addresses in the platform's scope).
pub(in crate::mes) async fn people_by_email(tx: &mut Tx, emails: &[String]) -> Result<Vec<DemoPerson>, sqlx::Error> {
    sqlx::query_as!(
        DemoPerson,
        "select tenant_id, id, email, role, display_name from users where email = any($1) and status = 'active'",
        emails
    )
    .fetch_all(&mut **tx)
    .await
}

/// Whether `tenant` has any task.
pub(in crate::mes) async fn has_tasks(tx: &mut Tx, tenant: TenantId) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("select 1 as one from mes_tasks where tenant_id = $1 limit 1", tenant.0)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}
