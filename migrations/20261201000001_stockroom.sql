-- The stock room (issue 25): a plant's or a workshop's store of tools, consumables, spare parts and raw material.
-- Departments hold stock; items have a unit, a category (a tree), barcodes, a cost and optionally a catalog part.
-- Every change of stock is a movement in one append-only ledger; the balance of each item in each department is kept
-- by the database itself, in the statement that records the movement (a trigger), and can never be negative (a check
-- constraint on the balance): whatever the application does, however many movements race, the ledger and the balances
-- agree and no balance goes below zero. The application role may read balances but never write them, and may insert
-- movements but never change or remove one.
--
-- Quantities are whole thousandths of the item's unit (`*_milli`, bigint): 1 piece is 1000, 2.5 kg is 2500. Exact
-- sums, no rounding, and the unit's own rule (pieces are whole) is the rules' (nexus::stockroom::rules::unit).

-- Where stock is held: the seed's departments (tool crib, maintenance, raw material…). Archived, never deleted.
create table stockroom_departments (
    tenant_id    uuid not null references tenants (id),
    id           integer generated always as identity,
    code         text not null constraint stockroom_departments_code_check check (length(code) between 1 and 20),
    name         text not null constraint stockroom_departments_name_check check (length(name) between 1 and 80),
    -- Whether operators may issue to themselves here (the counter is not always staffed).
    self_issue   boolean not null default false,
    created_at   timestamptz not null default now(),
    archived_at  timestamptz,
    primary key (tenant_id, id)
);
create unique index stockroom_departments_code_key on stockroom_departments (tenant_id, lower(code));

-- The categories' tree (tools › hand tools › wrenches). Archived, never deleted.
create table stockroom_categories (
    tenant_id    uuid not null references tenants (id),
    id           integer generated always as identity,
    parent_id    integer,
    name         text not null constraint stockroom_categories_name_check check (length(name) between 1 and 80),
    archived_at  timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, parent_id) references stockroom_categories (tenant_id, id),
    constraint stockroom_categories_not_own_parent check (parent_id is distinct from id)
);
-- Siblings have distinct names.
create unique index stockroom_categories_name_key
    on stockroom_categories (tenant_id, coalesce(parent_id, 0), lower(name));

create table stockroom_items (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    sku              text not null constraint stockroom_items_sku_check check (length(sku) between 1 and 60),
    name             text not null constraint stockroom_items_name_check check (length(name) between 1 and 160),
    description      text not null default ''
                         constraint stockroom_items_description_check check (length(description) <= 2000),
    unit             text not null constraint stockroom_items_unit_check
                         check (unit in ('piece', 'pair', 'box', 'kg', 'g', 'litre', 'ml', 'metre', 'cm', 'm2')),
    category_id      integer,
    -- What one unit costs, in the organisation's currency's cents.
    unit_cost_cents  bigint constraint stockroom_items_cost_check check (unit_cost_cents >= 0),
    currency         text not null default 'MXN' constraint stockroom_items_currency_check check (currency ~ '^[A-Z]{3}$'),
    -- The catalog part this item is, when it is one (a workshop's shelf of catalog parts).
    part_id          bigint references catalog_parts (id),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    archived_at      timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, category_id) references stockroom_categories (tenant_id, id)
);
-- One item per SKU, whatever its case (a scanner sends what the label says).
create unique index stockroom_items_sku_key on stockroom_items (tenant_id, lower(sku));
-- Typing part of a name or SKU at the counter finds the item (pg_trgm).
create index stockroom_items_name_trgm on stockroom_items using gin (lower(name) gin_trgm_ops);
create index stockroom_items_part_idx on stockroom_items (tenant_id, part_id) where part_id is not null;

-- Barcodes: an item has one or more; a code names one item of an organisation.
create table stockroom_barcodes (
    tenant_id  uuid not null,
    code       text not null constraint stockroom_barcodes_code_check
                   check (length(code) between 1 and 80 and code !~ '[[:cntrl:]]'),
    item_id    bigint not null,
    primary key (tenant_id, code),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id) on delete cascade
);
create index stockroom_barcodes_item_idx on stockroom_barcodes (tenant_id, item_id);

-- Per item and department: below `threshold_milli` (counting what is on order) an alert opens; `reorder_milli` is
-- what to order then.
create table stockroom_levels (
    tenant_id        uuid not null,
    item_id          bigint not null,
    department_id    integer not null,
    threshold_milli  bigint not null default 0 constraint stockroom_levels_threshold_check check (threshold_milli >= 0),
    reorder_milli    bigint constraint stockroom_levels_reorder_check check (reorder_milli > 0),
    on_order_milli   bigint not null default 0 constraint stockroom_levels_on_order_check check (on_order_milli >= 0),
    primary key (tenant_id, item_id, department_id),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id),
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id)
);

-- People and their department: where their alerts come from, and the department the counter proposes them.
create table stockroom_members (
    tenant_id      uuid not null,
    user_id        uuid not null,
    department_id  integer not null,
    primary key (tenant_id, user_id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade,
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id)
);
create index stockroom_members_department_idx on stockroom_members (tenant_id, department_id);

-- A posting: one write of one or more movements, all or nothing, under the caller's idempotency key (the same key
-- sent again returns what the first one recorded, whatever happened to the reply).
create table stockroom_posts (
    tenant_id        uuid not null references tenants (id),
    id               bigint generated always as identity,
    idempotency_key  text not null constraint stockroom_posts_key_check check (length(idempotency_key) between 1 and 100),
    -- SHA-256 of what was asked: the key sent again with something else is refused, not mistaken for a retry.
    request_hash     bytea not null,
    source           text not null constraint stockroom_posts_source_check check (source in ('ui', 'scan', 'cli', 'api')),
    author_user      uuid,
    author_key       uuid,
    -- The author's name as it was (an account renamed later does not rewrite history).
    author_name      text not null,
    note             text not null default '' constraint stockroom_posts_note_check check (length(note) <= 500),
    posted_at        timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint stockroom_posts_author_check check (num_nonnulls(author_user, author_key) = 1)
);
create unique index stockroom_posts_key on stockroom_posts (tenant_id, idempotency_key);

-- The ledger. `quantity_milli` is the signed change; `balance_after_milli` the department's balance of the item right
-- after it (set by the database, in ledger order): an item's history shows its running balance without summing.
create table stockroom_movements (
    tenant_id            uuid not null,
    id                   bigint generated always as identity,
    post_id              bigint not null,
    -- The posting's line this movement is (a transfer's two legs share theirs).
    line                 integer not null,
    kind                 text not null constraint stockroom_movements_kind_check
                             check (kind in ('receive', 'issue', 'return', 'transfer_out', 'transfer_in', 'count', 'reversal')),
    item_id              bigint not null,
    department_id        integer not null,
    quantity_milli       bigint not null constraint stockroom_movements_quantity_check check (quantity_milli <> 0),
    balance_after_milli  bigint not null default 0,
    -- Whom it went to or came from: a person, another department (a transfer's other leg), a reference (a work order).
    person_id            uuid,
    other_department_id  integer,
    reference            text not null default '' constraint stockroom_movements_reference_check check (length(reference) <= 120),
    reason               text not null default '' constraint stockroom_movements_reason_check check (length(reason) <= 300),
    -- The movement a reversal undoes: each at most once.
    reverses             bigint,
    -- When it happened: set by the ledger's trigger (below) when not given. Only the demo data and the benchmark give
    -- it, writing a past in order; the application never does.
    occurred_at          timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, post_id) references stockroom_posts (tenant_id, id),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id),
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id),
    foreign key (tenant_id, reverses) references stockroom_movements (tenant_id, id),
    constraint stockroom_movements_reversal_check check ((kind = 'reversal') = (reverses is not null)),
    constraint stockroom_movements_sign_check check (
        case kind
            when 'receive' then quantity_milli > 0
            when 'return' then quantity_milli > 0
            when 'transfer_in' then quantity_milli > 0
            when 'issue' then quantity_milli < 0
            when 'transfer_out' then quantity_milli < 0
            else true
        end)
);
create unique index stockroom_movements_reversed_once on stockroom_movements (tenant_id, reverses) where reverses is not null;
-- An item's history (in a department), its running balance; and (below) its balance as of a moment.
create index stockroom_movements_item_idx on stockroom_movements (tenant_id, item_id, department_id, id);
create index stockroom_movements_item_at_idx on stockroom_movements (tenant_id, item_id, department_id, occurred_at, id);
-- The ledger by time (exports, the day's movements).
create index stockroom_movements_at_idx on stockroom_movements (tenant_id, occurred_at, id);
create index stockroom_movements_post_idx on stockroom_movements (tenant_id, post_id);

-- Balances: kept by the ledger's trigger only; never below zero.
create table stockroom_balances (
    tenant_id       uuid not null,
    item_id         bigint not null,
    department_id   integer not null,
    quantity_milli  bigint not null constraint stockroom_balances_never_negative check (quantity_milli >= 0),
    last_movement   bigint not null,
    updated_at      timestamptz not null,
    primary key (tenant_id, item_id, department_id),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id),
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id)
);

-- Low-stock alerts: one open per item and department at a time (the index), opened by the movement that crossed the
-- threshold and closed by the one that brought the stock back.
create table stockroom_alerts (
    tenant_id        uuid not null,
    id               bigint generated always as identity,
    item_id          bigint not null,
    department_id    integer not null,
    threshold_milli  bigint not null,
    -- The balance and what was on order when it opened.
    balance_milli    bigint not null,
    on_order_milli   bigint not null,
    -- The movement that crossed the threshold (none: the threshold was raised, or what is on order lowered, past
    -- the balance).
    opened_by        bigint,
    opened_at        timestamptz not null,
    acknowledged_by  uuid,
    acknowledged_at  timestamptz,
    assigned_to      uuid,
    closed_by        bigint,
    closed_at        timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id),
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id),
    -- Deferred: the movement is being inserted when its trigger opens or closes the alert.
    foreign key (tenant_id, opened_by) references stockroom_movements (tenant_id, id) deferrable initially deferred,
    foreign key (tenant_id, closed_by) references stockroom_movements (tenant_id, id) deferrable initially deferred
);
create unique index stockroom_alerts_open_key on stockroom_alerts (tenant_id, item_id, department_id)
    where closed_at is null;
create index stockroom_alerts_list_idx on stockroom_alerts (tenant_id, opened_at desc, id desc);
create index stockroom_alerts_opened_by_idx on stockroom_alerts (tenant_id, opened_by);

-- Stocktakes: per department, the expected quantities frozen at the start, counts entered line by line, posted as
-- one set of corrections.
create table stockroom_counts (
    tenant_id      uuid not null,
    id             bigint generated always as identity,
    department_id  integer not null,
    status         text not null default 'open'
                       constraint stockroom_counts_status_check check (status in ('open', 'posted', 'cancelled')),
    -- Who started it: a person or an API key (a script's one-item count), by name as it was.
    started_by     text not null,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    post_id        bigint,
    primary key (tenant_id, id),
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id),
    foreign key (tenant_id, post_id) references stockroom_posts (tenant_id, id)
);
-- One open stocktake per department.
create unique index stockroom_counts_open_key on stockroom_counts (tenant_id, department_id) where status = 'open';

create table stockroom_count_lines (
    tenant_id       uuid not null,
    count_id        bigint not null,
    item_id         bigint not null,
    expected_milli  bigint not null,
    counted_milli   bigint constraint stockroom_count_lines_counted_check check (counted_milli >= 0),
    counted_by      text,
    counted_at      timestamptz,
    primary key (tenant_id, count_id, item_id),
    foreign key (tenant_id, count_id) references stockroom_counts (tenant_id, id),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id)
);

-- The ledger keeps the balances. Runs as the migration's role (security definer: the application role cannot write
-- balances or alerts' opening itself), under the same row-level security as the caller's transaction.
create function stockroom_apply_movement() returns trigger
    language plpgsql security definer set search_path = public as $$
declare
    balance bigint;
    level record;
begin
    -- An update first: `insert … on conflict` checks the proposed row (a negative first quantity) before it finds
    -- the conflict, so an issue could not go through it.
    update stockroom_balances b
    set quantity_milli = b.quantity_milli + new.quantity_milli, last_movement = new.id, updated_at = clock_timestamp()
    where b.tenant_id = new.tenant_id and b.item_id = new.item_id and b.department_id = new.department_id
    returning b.quantity_milli into balance;
    if not found then
        -- The first movement of this item here (a second one racing it lands in the update).
        insert into stockroom_balances as b (tenant_id, item_id, department_id, quantity_milli, last_movement, updated_at)
        values (new.tenant_id, new.item_id, new.department_id, new.quantity_milli, new.id, clock_timestamp())
        on conflict (tenant_id, item_id, department_id) do update
            set quantity_milli = b.quantity_milli + excluded.quantity_milli,
                last_movement = excluded.last_movement,
                updated_at = clock_timestamp()
        returning b.quantity_milli into balance;
    end if;
    new.balance_after_milli := balance;
    -- Timed once the balance row is ours: movements of one balance are timed in the order they apply to it, so its
    -- balance as of any moment is its last movement's at or before it.
    new.occurred_at := coalesce(new.occurred_at, clock_timestamp());

    -- A delivery arrives against what was on order.
    if new.kind = 'receive' then
        update stockroom_levels l
        set on_order_milli = greatest(0, l.on_order_milli - new.quantity_milli)
        where l.tenant_id = new.tenant_id and l.item_id = new.item_id and l.department_id = new.department_id
        returning l.threshold_milli, l.on_order_milli into level;
    else
        select l.threshold_milli, l.on_order_milli into level
        from stockroom_levels l
        where l.tenant_id = new.tenant_id and l.item_id = new.item_id and l.department_id = new.department_id;
    end if;
    if found and level.threshold_milli > 0 then
        if balance + level.on_order_milli < level.threshold_milli then
            -- The balance row is locked by this transaction: movements of this item and department cross one at a
            -- time, and the open alert's index makes a second opening impossible anyway.
            insert into stockroom_alerts (tenant_id, item_id, department_id, threshold_milli, balance_milli,
                                          on_order_milli, opened_by, opened_at)
            values (new.tenant_id, new.item_id, new.department_id, level.threshold_milli, balance,
                    level.on_order_milli, new.id, new.occurred_at)
            on conflict (tenant_id, item_id, department_id) where closed_at is null do nothing;
        else
            update stockroom_alerts
            set closed_by = new.id, closed_at = new.occurred_at
            where tenant_id = new.tenant_id and item_id = new.item_id and department_id = new.department_id
              and closed_at is null;
        end if;
    end if;
    return new;
end
$$;
create trigger stockroom_movements_apply before insert on stockroom_movements
    for each row execute function stockroom_apply_movement();

-- A level changed (threshold, what is on order): the alert follows at once, as after a movement. The service locks
-- the balance row first, in the order movements lock (balance, then level), so the two never cross.
create function stockroom_apply_level() returns trigger
    language plpgsql security definer set search_path = public as $$
declare
    balance bigint;
begin
    -- A delivery lowering what is on order: the movement's own trigger judges it, naming the movement.
    if pg_trigger_depth() > 1 then
        return null;
    end if;
    select b.quantity_milli into balance
    from stockroom_balances b
    where b.tenant_id = new.tenant_id and b.item_id = new.item_id and b.department_id = new.department_id;
    balance := coalesce(balance, 0);
    if new.threshold_milli > 0 and balance + new.on_order_milli < new.threshold_milli then
        insert into stockroom_alerts (tenant_id, item_id, department_id, threshold_milli, balance_milli,
                                      on_order_milli, opened_by, opened_at)
        values (new.tenant_id, new.item_id, new.department_id, new.threshold_milli, balance,
                new.on_order_milli, null, now())
        on conflict (tenant_id, item_id, department_id) where closed_at is null do nothing;
    else
        update stockroom_alerts
        set closed_at = now()
        where tenant_id = new.tenant_id and item_id = new.item_id and department_id = new.department_id
          and closed_at is null;
    end if;
    return null;
end
$$;
create trigger stockroom_levels_apply after insert or update of threshold_milli, on_order_milli on stockroom_levels
    for each row execute function stockroom_apply_level();

-- The ledger is append-only for everyone, the migration's role included (the grants below stop the application
-- role before this does).
create function stockroom_ledger_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the stock ledger is append-only: % refused on %', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end
$$;
create trigger stockroom_movements_append_only before update or delete on stockroom_movements
    for each statement execute function stockroom_ledger_is_append_only();
create trigger stockroom_posts_append_only before update or delete on stockroom_posts
    for each statement execute function stockroom_ledger_is_append_only();

do $$
declare
    t text;
begin
    foreach t in array array['stockroom_departments', 'stockroom_categories', 'stockroom_items', 'stockroom_barcodes',
                             'stockroom_levels', 'stockroom_members', 'stockroom_posts', 'stockroom_movements',
                             'stockroom_balances', 'stockroom_alerts', 'stockroom_counts', 'stockroom_count_lines'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;

-- A posting locks the balances it will change before it writes (`select … for update` needs the UPDATE privilege,
-- which the application role has not): this function locks and reads them, the caller's own tenant's only.
create function stockroom_lock_balances(items bigint[], departments integer[])
    returns table (item_id bigint, department_id integer, quantity_milli bigint)
    language sql security definer set search_path = public as $$
    select b.item_id, b.department_id, b.quantity_milli
    from stockroom_balances b
    join unnest(items, departments) as p(item_id, department_id)
         on p.item_id = b.item_id and p.department_id = b.department_id
    where b.tenant_id = (select app_tenant())
    order by b.item_id, b.department_id
    for update of b
$$;

revoke update, delete, truncate on stockroom_movements, stockroom_posts from nexus_app;
revoke insert, update, delete, truncate on stockroom_balances from nexus_app;
-- Alerts open and close with the ledger; people only acknowledge and assign them.
revoke insert, update, delete, truncate on stockroom_alerts from nexus_app;
grant update (acknowledged_by, acknowledged_at, assigned_to) on stockroom_alerts to nexus_app;
