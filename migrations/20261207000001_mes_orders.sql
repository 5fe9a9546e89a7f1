-- MES production orders (issue 26; seed 002's "parts"): what a plant makes, the route of stages each order goes
-- through, and the stage facts people record against it (good and scrap per stage, day and plant shift).
--
-- Facts are append-only: a wrong one is corrected by a reversal (its quantities negated, naming it; at most one per
-- fact), never edited. Each order stage keeps Σ good and Σ scrap of its facts in the fact's own transaction (its
-- progress is good / ordered). The facts of a shift lock once it has ended plus the plant's grace period; a manager
-- can reopen a shift's facts for a while, and every reopening is kept.

-- The plant's MES settings: how long after a shift its facts can still be recorded or reversed.
create table mes_settings (
    tenant_id            uuid primary key references tenants (id),
    fact_grace_minutes   integer not null default 120
        constraint mes_settings_grace_check check (fact_grace_minutes between 0 and 10080)
);

-- What scrap is put down to (a burr, a wrong dimension…): data per organisation, for the Pareto of losses.
create table mes_scrap_reasons (
    tenant_id    uuid not null references tenants (id),
    id           integer generated always as identity,
    code         text not null constraint mes_scrap_reasons_code_check check (code ~ '^[a-z0-9_-]{1,40}$'),
    name         text not null constraint mes_scrap_reasons_name_check check (length(name) between 1 and 80),
    archived_at  timestamptz,
    primary key (tenant_id, id)
);
create unique index mes_scrap_reasons_code_key on mes_scrap_reasons (tenant_id, code);

-- The stages an order can go through (machining, fitting, inspection…): data per organisation. A stage that needs
-- a shift refuses a fact without the plant's shift and the operator (the seed's machining); an inspection stage's
-- scrap was made earlier, by the line and shift that made the units.
create table mes_stages (
    tenant_id    uuid not null references tenants (id),
    id           integer generated always as identity,
    code         text not null constraint mes_stages_code_check check (code ~ '^[a-z0-9_-]{1,40}$'),
    name         text not null constraint mes_stages_name_check check (length(name) between 1 and 80),
    needs_shift  boolean not null default false,
    inspection   boolean not null default false,
    line_id      integer,
    archived_at  timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id)
);
create unique index mes_stages_code_key on mes_stages (tenant_id, code);

create table mes_orders (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    code             text not null constraint mes_orders_code_check check (length(code) between 1 and 40),
    name             text not null constraint mes_orders_name_check check (length(name) between 1 and 200),
    product_id       integer,
    quantity         integer not null constraint mes_orders_quantity_check check (quantity between 1 and 10000000),
    due_date         date,
    -- open: nothing recorded yet; in_progress: facts recorded; done: its last stage has the quantity good; cancelled
    -- by a manager. Kept by the facts' transactions (a reversal can take a done order back to in_progress).
    state            text not null default 'open' constraint mes_orders_state_check
                         check (state in ('open', 'in_progress', 'done', 'cancelled')),
    creator_id       uuid not null references users (id),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    idempotency_key  text constraint mes_orders_key_check check (length(idempotency_key) between 1 and 100),
    primary key (tenant_id, id),
    foreign key (tenant_id, product_id) references production_products (tenant_id, id)
);
create unique index mes_orders_code_key on mes_orders (tenant_id, code);
create unique index mes_orders_key on mes_orders (tenant_id, idempotency_key) where idempotency_key is not null;
-- The list: newest first, the unfinished apart (what the floor looks at).
create index mes_orders_newest on mes_orders (tenant_id, id desc);
create index mes_orders_open on mes_orders (tenant_id, id desc) where state in ('open', 'in_progress');

-- An order's route: its stages in order, each with Σ good and Σ scrap of its facts (reversals included).
create table mes_order_stages (
    tenant_id  uuid not null references tenants (id),
    order_id   bigint not null,
    position   smallint not null constraint mes_order_stages_position_check check (position between 1 and 30),
    stage_id   integer not null,
    good       integer not null default 0 constraint mes_order_stages_good_check check (good >= 0),
    scrap      integer not null default 0 constraint mes_order_stages_scrap_check check (scrap >= 0),
    primary key (tenant_id, order_id, position),
    unique (tenant_id, order_id, stage_id),
    foreign key (tenant_id, order_id) references mes_orders (tenant_id, id),
    foreign key (tenant_id, stage_id) references mes_stages (tenant_id, id)
);
-- The orders through a stage (a line's orders on the terminal).
create index mes_order_stages_stage on mes_order_stages (tenant_id, stage_id, order_id);

create table mes_facts (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    order_id         bigint not null,
    stage_id         integer not null,
    -- The plant's day (its time zone) and, where the stage needs one or it was given, the shift that started on it.
    day              date not null,
    shift_id         integer,
    operator_id      uuid references users (id),
    good             integer not null,
    scrap            integer not null,
    scrap_reason_id  integer,
    comment          text constraint mes_facts_comment_check check (length(comment) between 1 and 2000),
    -- A reversal undoes the fact it names: its quantities negated, its day and shift the same.
    reverses         bigint,
    recorded_by      uuid not null references users (id),
    recorded_at      timestamptz not null default now(),
    source           text not null constraint mes_facts_source_check check (source in ('ui', 'terminal', 'api')),
    idempotency_key  text constraint mes_facts_key_check check (length(idempotency_key) between 1 and 100),
    primary key (tenant_id, id),
    foreign key (tenant_id, order_id, stage_id) references mes_order_stages (tenant_id, order_id, stage_id),
    foreign key (tenant_id, shift_id) references production_shifts (tenant_id, id),
    foreign key (tenant_id, scrap_reason_id) references mes_scrap_reasons (tenant_id, id),
    foreign key (tenant_id, reverses) references mes_facts (tenant_id, id),
    constraint mes_facts_quantities_check check (
        (reverses is null and good >= 0 and scrap >= 0 and good + scrap > 0 and good <= 1000000 and scrap <= 1000000)
        or (reverses is not null and good <= 0 and scrap <= 0)),
    constraint mes_facts_reason_check check (scrap = 0 or scrap_reason_id is not null)
);
-- A fact is reversed at most once.
create unique index mes_facts_reversal on mes_facts (tenant_id, reverses) where reverses is not null;
create unique index mes_facts_key on mes_facts (tenant_id, idempotency_key) where idempotency_key is not null;
-- An order's facts in order; a shift's facts (its lock, its figures).
create index mes_facts_order on mes_facts (tenant_id, order_id, id);
create index mes_facts_shift on mes_facts (tenant_id, day, shift_id);

-- A shift's facts reopened by a manager until `until` (the shift's day and shift; a day without a shift: null).
create table mes_shift_reopenings (
    tenant_id  uuid not null references tenants (id),
    id         bigint generated always as identity,
    day        date not null,
    shift_id   integer,
    until      timestamptz not null,
    reason     text not null constraint mes_shift_reopenings_reason_check check (length(reason) between 1 and 2000),
    by_id      uuid not null references users (id),
    at         timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, shift_id) references production_shifts (tenant_id, id),
    constraint mes_shift_reopenings_until_check check (until > at)
);
create index mes_shift_reopenings_shift on mes_shift_reopenings (tenant_id, day, shift_id, until desc);

do $$
declare
    t text;
begin
    foreach t in array array['mes_settings', 'mes_scrap_reasons', 'mes_stages', 'mes_orders', 'mes_order_stages',
                             'mes_facts', 'mes_shift_reopenings'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;

-- Facts and reopenings are history: never changed or removed. An order or a stage is cancelled or archived, not
-- deleted.
revoke update, delete, truncate on mes_facts, mes_shift_reopenings from nexus_app;
revoke delete, truncate on mes_orders, mes_order_stages, mes_stages, mes_scrap_reasons from nexus_app;

-- The floor's orders changed: their pages and the dashboards refresh through the live channel.
create trigger mes_orders_changed after insert or update on mes_orders
    for each row execute function mes_changed();
