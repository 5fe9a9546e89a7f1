-- MES work control, its tasks (issue 26), and the workflow mechanism every area whose things move through states
-- shares (MES tasks now, fabrication parts next).
--
-- The mechanism: a subject (a task) carries its state and a version; a transition is one conditional UPDATE of the
-- subject on the version its actor saw (so of two people acting at once exactly one changes it, and the other is
-- told who did), and one event in `workflow_events` in the same transaction: who, when, from, to, why. The events are
-- append-only for everyone; a subject's state can be rebuilt from them, and two transitions from one version can
-- never both be recorded (a unique key on the version each made).

create table workflow_events (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    subject          text not null constraint workflow_events_subject_check check (subject in ('mes_task')),
    subject_id       bigint not null,
    -- The subject's version this event made: 1 when it was created, then one more per transition.
    version          integer not null constraint workflow_events_version_check check (version >= 1),
    at               timestamptz not null default now(),
    actor_id         uuid references users (id),
    action           text not null constraint workflow_events_action_check check (action ~ '^[a-z_]{1,30}$'),
    from_state       text constraint workflow_events_from_check check (from_state ~ '^[a-z_]{1,30}$'),
    to_state         text not null constraint workflow_events_to_check check (to_state ~ '^[a-z_]{1,30}$'),
    comment          text constraint workflow_events_comment_check check (length(comment) between 1 and 2000),
    -- The client's key for the request that made it: the same request sent again is answered, not applied twice.
    idempotency_key  text constraint workflow_events_key_check check (length(idempotency_key) between 1 and 100),
    primary key (tenant_id, id),
    -- A subject's timeline, in order; and no version made twice.
    unique (tenant_id, subject, subject_id, version)
);
create unique index workflow_events_key on workflow_events (tenant_id, idempotency_key)
    where idempotency_key is not null;

create function workflow_events_are_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'workflow events are append-only: % refused on %', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end
$$;
create trigger workflow_events_append_only before update or delete on workflow_events
    for each statement execute function workflow_events_are_append_only();

-- What a plant files its tasks under (tooling, maintenance, quality…): data per organisation.
create table mes_task_categories (
    tenant_id    uuid not null references tenants (id),
    id           integer generated always as identity,
    code         text not null constraint mes_task_categories_code_check check (code ~ '^[a-z0-9_-]{1,40}$'),
    name         text not null constraint mes_task_categories_name_check check (length(name) between 1 and 80),
    archived_at  timestamptz,
    primary key (tenant_id, id)
);
create unique index mes_task_categories_code_key on mes_task_categories (tenant_id, code);

-- A task: what is to be done, for whom (a person, or a role whose holder who accepts it becomes its assignee), about
-- which line, and where it stands. `state` and `version` change only by the workflow's transitions.
create table mes_tasks (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    title            text not null constraint mes_tasks_title_check check (length(title) between 1 and 200),
    description      text not null default '' constraint mes_tasks_description_check check (length(description) <= 4000),
    category_id      integer,
    due_date         date,
    -- A blocker stops its line's work: it shows at the top of the line's dashboard until it is done.
    blocker          boolean not null default false,
    line_id          integer,
    assignee_role    text constraint mes_tasks_role_check
                         check (assignee_role in ('owner', 'manager', 'operator', 'supply', 'viewer')),
    assignee_id      uuid references users (id),
    creator_id       uuid not null references users (id),
    state            text not null default 'open' constraint mes_tasks_state_check
                         check (state in ('open', 'accepted', 'in_progress', 'review', 'done', 'cancelled')),
    version          integer not null default 1 constraint mes_tasks_version_check check (version >= 1),
    created_at       timestamptz not null default now(),
    -- Last change of any kind (a transition, a comment): what "unread" is judged against.
    updated_at       timestamptz not null default now(),
    idempotency_key  text constraint mes_tasks_key_check check (length(idempotency_key) between 1 and 100),
    primary key (tenant_id, id),
    foreign key (tenant_id, category_id) references mes_task_categories (tenant_id, id),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id),
    constraint mes_tasks_assignee_check check (assignee_id is not null or assignee_role is not null)
);
create unique index mes_tasks_key on mes_tasks (tenant_id, idempotency_key) where idempotency_key is not null;
-- The lists: mine, my role's, all; each newest first, the unfinished apart (what the floor looks at).
create index mes_tasks_assignee on mes_tasks (tenant_id, assignee_id, id desc);
create index mes_tasks_role on mes_tasks (tenant_id, assignee_role, id desc);
create index mes_tasks_open_role on mes_tasks (tenant_id, assignee_role, id desc)
    where state not in ('done', 'cancelled');
create index mes_tasks_open_assignee on mes_tasks (tenant_id, assignee_id, id desc)
    where state not in ('done', 'cancelled');
create index mes_tasks_open on mes_tasks (tenant_id, id desc) where state not in ('done', 'cancelled');
-- A state's tasks, newest first: the board's columns, and a list filtered by state.
create index mes_tasks_state on mes_tasks (tenant_id, state, id desc);
-- A line's open blockers (its dashboard's banner).
create index mes_tasks_line_blockers on mes_tasks (tenant_id, line_id)
    where blocker and state not in ('done', 'cancelled');

create table mes_task_comments (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    task_id          bigint not null,
    author_id        uuid not null references users (id),
    body             text not null constraint mes_task_comments_body_check check (length(body) between 1 and 4000),
    at               timestamptz not null default now(),
    idempotency_key  text constraint mes_task_comments_key_check check (length(idempotency_key) between 1 and 100),
    primary key (tenant_id, id),
    foreign key (tenant_id, task_id) references mes_tasks (tenant_id, id)
);
create index mes_task_comments_task on mes_task_comments (tenant_id, task_id, id);
create unique index mes_task_comments_key on mes_task_comments (tenant_id, idempotency_key)
    where idempotency_key is not null;

-- When each person last read each task: unread while the task changed after it.
create table mes_task_reads (
    tenant_id  uuid not null references tenants (id),
    task_id    bigint not null,
    user_id    uuid not null references users (id),
    read_at    timestamptz not null,
    primary key (tenant_id, task_id, user_id),
    foreign key (tenant_id, task_id) references mes_tasks (tenant_id, id)
);

do $$
declare
    t text;
begin
    foreach t in array array['workflow_events', 'mes_task_categories', 'mes_tasks', 'mes_task_comments',
                             'mes_task_reads'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;

-- The events are history: the application writes them and never changes or removes one; a comment is never edited.
revoke update, delete, truncate on workflow_events, mes_task_comments from nexus_app;
revoke delete, truncate on mes_tasks from nexus_app;

-- The task's notices.
alter table notify_inbox drop constraint notify_inbox_kind_check;
alter table notify_inbox add constraint notify_inbox_kind_check
    check (kind in ('stock_low', 'task_assigned', 'task_changed', 'task_mentioned'));
alter table notify_preferences drop constraint notify_preferences_kind_check;
alter table notify_preferences add constraint notify_preferences_kind_check
    check (kind in ('stock_low', 'task_assigned', 'task_changed', 'task_mentioned'));
alter table notify_deliveries drop constraint notify_deliveries_kind_check;
alter table notify_deliveries add constraint notify_deliveries_kind_check
    check (kind in ('stock_low', 'task_assigned', 'task_changed', 'task_mentioned', 'ping'));

-- The floor's work changed: open task pages and the lines' dashboards (their blockers) refresh, through the live
-- channel the dashboards already hear (`production_changed`, with the plant's tenant id, sent at commit).
create function mes_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('production_changed', new.tenant_id::text);
    return null;
end
$$;
create trigger mes_tasks_changed after insert or update on mes_tasks
    for each row execute function mes_changed();
