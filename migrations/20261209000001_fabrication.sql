-- Fabrication (issue 27, seed 004): the parts a tool room, a maintenance shop or a prototype cell makes for itself,
-- from review to a CNC or hand queue, claimed, completed; on the workflow mechanism MES tasks use (`workflow_events`:
-- one conditional update on the version read, one event per version), with claims as leases and drawings with
-- revisions kept through `files_blobs`.

-- The workflow's events name fabrication's parts too, and the person a step concerns besides its actor: whom a part
-- was assigned to, whose claim expired.
alter table workflow_events drop constraint workflow_events_subject_check;
alter table workflow_events add constraint workflow_events_subject_check
    check (subject in ('mes_task', 'fabrication_part'));
alter table workflow_events add column party_id uuid references users (id);

-- What a team files its parts under (drive, chassis, fixtures…): data per organisation.
create table fabrication_subsystems (
    tenant_id    uuid not null references tenants (id),
    id           integer generated always as identity,
    name         text not null constraint fabrication_subsystems_name_check check (length(name) between 1 and 80),
    archived_at  timestamptz,
    primary key (tenant_id, id)
);
create unique index fabrication_subsystems_name_key on fabrication_subsystems (tenant_id, lower(name));

-- An organisation's settings: how long a claim lasts before it expires into its queue (default 4 hours).
create table fabrication_settings (
    tenant_id      uuid not null references tenants (id),
    lease_minutes  integer not null default 240
                       constraint fabrication_settings_lease_check check (lease_minutes between 15 and 10080),
    primary key (tenant_id)
);

-- A state's place in the workflow's order (the table's sort by state; `rules::list::state_rank` says the same).
create function fabrication_state_rank(state text) returns integer
    language sql immutable parallel safe strict
    as $$ select case state when 'review' then 1 when 'rejected' then 2 when 'cnc' then 3 when 'hand' then 4
                            when 'claimed' then 5 when 'completed' then 6 else 7 end $$;

-- A part: what to make, of which type (the queue it waits in once approved), and where it stands. `state` and
-- `version` change only by the workflow's transitions; a claim is a lease (`claim_expires_at`) held by `assignee_id`.
create table fabrication_parts (
    tenant_id           uuid not null references tenants (id),
    id                  bigint generated always as identity,
    name                text not null constraint fabrication_parts_name_check check (length(name) between 1 and 200),
    kind                text not null constraint fabrication_parts_kind_check check (kind in ('cnc', 'hand')),
    subsystem_id        integer,
    quantity            integer not null default 1
                            constraint fabrication_parts_quantity_check check (quantity between 1 and 100000),
    material            text not null default ''
                            constraint fabrication_parts_material_check check (length(material) <= 120),
    notes               text not null default '' constraint fabrication_parts_notes_check check (length(notes) <= 4000),
    priority            text not null default 'normal'
                            constraint fabrication_parts_priority_check check (priority in ('low', 'normal', 'high', 'urgent')),
    due_date            date,
    cad_url             text constraint fabrication_parts_cad_url_check check (length(cad_url) between 1 and 500),
    state               text not null default 'review' constraint fabrication_parts_state_check
                            check (state in ('review', 'rejected', 'cnc', 'hand', 'claimed', 'completed', 'deleted')),
    version             integer not null default 1 constraint fabrication_parts_version_check check (version >= 1),
    requester_id        uuid not null references users (id),
    -- Who holds the claim (claimed), or who made it (completed).
    assignee_id         uuid references users (id),
    claimed_at          timestamptz,
    claim_expires_at    timestamptz,
    -- The current drawing: the last approved revision.
    drawing_revision    integer,
    -- The revision the holder works from: the current one when claimed, then each they acknowledge.
    seen_revision       integer,
    -- The revision a completed part was made from.
    made_from_revision  integer,
    -- When it entered its state (how long it has been there; the stays' rows say how long it was elsewhere).
    state_since         timestamptz not null default now(),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    idempotency_key     text constraint fabrication_parts_key_check check (length(idempotency_key) between 1 and 100),
    -- What the search reads of the part itself: its name, notes and material, folded (case and accents aside).
    words               text generated always as (catalog_fold(name || ' ' || notes || ' ' || material)) stored,
    primary key (tenant_id, id),
    foreign key (tenant_id, subsystem_id) references fabrication_subsystems (tenant_id, id),
    -- No illegal state, whatever the application does: a claim is held by someone until its lease ends; a part in
    -- review or a queue is nobody's.
    constraint fabrication_parts_claim_check check (
        (state = 'claimed') = (claim_expires_at is not null)
        and (state <> 'claimed' or (assignee_id is not null and claimed_at is not null))
        and (state not in ('review', 'rejected', 'cnc', 'hand') or (assignee_id is null and claimed_at is null)))
);
create unique index fabrication_parts_key on fabrication_parts (tenant_id, idempotency_key)
    where idempotency_key is not null;
-- The table's orders (keyset: the sort value, then the id) and filters; the board's columns, newest first.
-- A state's parts newest first: the board's columns, and the table's default order within one state (whatever else
-- it filters, the walk stays inside that state).
create index fabrication_parts_state on fabrication_parts (tenant_id, state, created_at desc, id desc);
create index fabrication_parts_created on fabrication_parts (tenant_id, created_at desc, id desc) where state <> 'deleted';
create index fabrication_parts_name on fabrication_parts (tenant_id, lower(name), id) where state <> 'deleted';
create index fabrication_parts_due on fabrication_parts (tenant_id, coalesce(due_date, 'infinity'::date), id)
    where state <> 'deleted';
create index fabrication_parts_state_order on fabrication_parts (tenant_id, fabrication_state_rank(state), id)
    where state <> 'deleted';
create index fabrication_parts_assignee on fabrication_parts (tenant_id, assignee_id, id desc);
create index fabrication_parts_subsystem on fabrication_parts (tenant_id, subsystem_id, id desc);
-- The expiry job's claims past their lease.
create index fabrication_parts_leases on fabrication_parts (claim_expires_at) where state = 'claimed';

-- The search's index: every word of each part (its folded name, notes and material, split at spaces and again at
-- anything not a letter or digit), a searched word found as a prefix of them by a range of this key. Not a trigram
-- index on `words`: under row-level security a condition the planner cannot prove leakproof (`like`, `%`, `@@`) is
-- only ever a filter after the policy, never an index's condition, so such an index is never used for the
-- application's role; text comparisons are leakproof, so this range is an index condition and is estimated from its
-- statistics. Kept by the parts' trigger below; the application only reads it.
create table fabrication_part_words (
    tenant_id  uuid not null references tenants (id),
    word       text collate "C" not null,
    part_id    bigint not null,
    primary key (tenant_id, word, part_id),
    foreign key (tenant_id, part_id) references fabrication_parts (tenant_id, id)
);
-- A part's words: whether a part met along an order's index has a word (index only), and what an edit replaces.
create index fabrication_part_words_part on fabrication_part_words (tenant_id, part_id, word);

-- A part's words (at most 100 characters each: a longer run is found by its first 100): each run between spaces, the
-- same without what precedes its first letter or digit (`±0,02` is found as `0,02`), and each run of letters and
-- digits (`A-001` is found as `001`).
create function fabrication_words(words text) returns setof text language sql immutable parallel safe as $$
    select left(w, 100) from (
        select t as w from regexp_split_to_table(words, '\s+') t
        union all
        select regexp_replace(t, '^[^[:alnum:]]+', '') from regexp_split_to_table(words, '\s+') t
        union all
        select t from regexp_split_to_table(words, '[^[:alnum:]]+') t) x
    where w <> ''
    group by 1
$$;

-- Runs as the migration's role (the application role only reads the words), under the caller's row-level security,
-- once per statement with the rows it changed: a part's words are replaced when its name, notes or material change.
create function fabrication_index_words() returns trigger
    language plpgsql security definer set search_path = public as $$
begin
    if tg_op = 'INSERT' then
        insert into fabrication_part_words (tenant_id, word, part_id)
        select distinct n.tenant_id, w, n.id from new_rows n cross join lateral fabrication_words(n.words) w;
    else
        delete from fabrication_part_words x
        using old_rows o join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
        where n.words is distinct from o.words and x.tenant_id = o.tenant_id and x.part_id = o.id;
        insert into fabrication_part_words (tenant_id, word, part_id)
        select distinct n.tenant_id, w, n.id
        from old_rows o join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
        cross join lateral fabrication_words(n.words) w
        where n.words is distinct from o.words;
    end if;
    return null;
end
$$;
create trigger fabrication_parts_words_insert after insert on fabrication_parts
    referencing new table as new_rows for each statement execute function fabrication_index_words();
create trigger fabrication_parts_words_update after update on fabrication_parts
    referencing old table as old_rows new table as new_rows for each statement execute function fabrication_index_words();

-- A part's drawings: each revision a file of the organisation (checked and kept once by its content), with its
-- uploader and note; current when approved (a lead's upload is approved as it is made).
create table fabrication_drawings (
    tenant_id    uuid not null references tenants (id),
    part_id      bigint not null,
    revision     integer not null constraint fabrication_drawings_revision_check check (revision >= 1),
    sha256       bytea not null,
    name         text not null constraint fabrication_drawings_name_check check (length(name) between 1 and 200),
    media_type   text not null,
    size         integer not null,
    note         text constraint fabrication_drawings_note_check check (length(note) between 1 and 500),
    uploaded_by  uuid not null references users (id),
    uploaded_at  timestamptz not null default now(),
    approved_by  uuid references users (id),
    approved_at  timestamptz,
    primary key (tenant_id, part_id, revision),
    foreign key (tenant_id, part_id) references fabrication_parts (tenant_id, id),
    foreign key (tenant_id, sha256) references files_blobs (tenant_id, sha256)
);

-- How long each part spent in each state: a row when it enters one, closed (`left_at`, by which action) when it
-- leaves. The statistics read them: completions per week, the median time in each state, the claims that expired.
create table fabrication_stays (
    tenant_id   uuid not null references tenants (id),
    id          bigint generated always as identity,
    part_id     bigint not null,
    state       text not null,
    entered_at  timestamptz not null,
    left_at     timestamptz,
    left_by     text,
    primary key (tenant_id, id),
    foreign key (tenant_id, part_id) references fabrication_parts (tenant_id, id),
    constraint fabrication_stays_left_check check ((left_at is null) = (left_by is null))
);
-- A part's open stay (closed by its next transition); the stays that ended in a window (medians, expiries); the
-- completions that began in one.
create unique index fabrication_stays_open on fabrication_stays (tenant_id, part_id) where left_at is null;
create index fabrication_stays_left on fabrication_stays (tenant_id, state, left_at) include (entered_at, left_by)
    where left_at is not null;
create index fabrication_stays_completed on fabrication_stays (tenant_id, entered_at) where state = 'completed';

-- How many parts each subsystem (0: none) has in each state, kept by the parts' trigger below in the transaction
-- that moves them: the statistics and the board read these few rows, never the parts (a count of 100,000 rows is
-- tens of milliseconds; these are a few dozen).
create table fabrication_part_counts (
    tenant_id     uuid not null references tenants (id),
    subsystem_id  integer not null,
    state         text not null,
    count         bigint not null constraint fabrication_part_counts_count_check check (count >= 0),
    primary key (tenant_id, subsystem_id, state)
);

-- Runs as the migration's role (security definer: the application role only reads the counts), under the caller's
-- row-level security, once per statement with the rows it changed. The counts' rows are taken in one order (by their
-- key) by every transaction, so two moving parts of one subsystem wait for each other, never deadlock. A decrement is
-- an update (the check would refuse a negative proposed row before `on conflict` found the existing one).
create function fabrication_count_add(tenant uuid, subsystem integer, st text, n bigint) returns void
    language plpgsql security definer set search_path = public as $$
begin
    update fabrication_part_counts c set count = c.count + n
    where c.tenant_id = tenant and c.subsystem_id = subsystem and c.state = st;
    if not found then
        insert into fabrication_part_counts as c (tenant_id, subsystem_id, state, count)
        values (tenant, subsystem, st, n)
        on conflict (tenant_id, subsystem_id, state) do update set count = c.count + excluded.count;
    end if;
end
$$;
revoke execute on function fabrication_count_add(uuid, integer, text, bigint) from public;
create function fabrication_count_parts() returns trigger
    language plpgsql security definer set search_path = public as $$
declare
    d record;
begin
    if tg_op = 'INSERT' then
        for d in select tenant_id, coalesce(subsystem_id, 0) as subsystem_id, state, count(*) as n from new_rows
                 group by 1, 2, 3 order by 1, 2, 3 loop
            perform fabrication_count_add(d.tenant_id, d.subsystem_id, d.state, d.n);
        end loop;
    else
        for d in select x.tenant_id, x.subsystem_id, x.state, sum(x.n)::bigint as n
                 from (select tenant_id, coalesce(subsystem_id, 0) as subsystem_id, state, 1 as n from new_rows
                       union all
                       select tenant_id, coalesce(subsystem_id, 0), state, -1 from old_rows) x
                 group by 1, 2, 3 having sum(x.n) <> 0 order by 1, 2, 3 loop
            perform fabrication_count_add(d.tenant_id, d.subsystem_id, d.state, d.n);
        end loop;
    end if;
    return null;
end
$$;
create trigger fabrication_parts_counted_insert after insert on fabrication_parts
    referencing new table as new_rows for each statement execute function fabrication_count_parts();
create trigger fabrication_parts_counted_update after update on fabrication_parts
    referencing old table as old_rows new table as new_rows for each statement execute function fabrication_count_parts();

do $$
declare
    t text;
begin
    foreach t in array array['fabrication_subsystems', 'fabrication_settings', 'fabrication_parts',
                             'fabrication_drawings', 'fabrication_stays', 'fabrication_part_counts',
                             'fabrication_part_words'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;

-- A part is never removed (deleting one is a transition: its history stays); a drawing revision is never replaced.
revoke delete, truncate on fabrication_parts, fabrication_drawings, fabrication_stays from nexus_app;
revoke insert, update, delete, truncate on fabrication_part_counts, fabrication_part_words from nexus_app;

-- The parts' notices.
alter table notify_inbox drop constraint notify_inbox_kind_check;
alter table notify_inbox add constraint notify_inbox_kind_check
    check (kind in ('stock_low', 'task_assigned', 'task_changed', 'task_mentioned', 'part_changed', 'claim_expired'));
alter table notify_preferences drop constraint notify_preferences_kind_check;
alter table notify_preferences add constraint notify_preferences_kind_check
    check (kind in ('stock_low', 'task_assigned', 'task_changed', 'task_mentioned', 'part_changed', 'claim_expired'));
alter table notify_deliveries drop constraint notify_deliveries_kind_check;
alter table notify_deliveries add constraint notify_deliveries_kind_check
    check (kind in ('stock_low', 'task_assigned', 'task_changed', 'task_mentioned', 'part_changed', 'claim_expired',
                    'ping'));

-- A part changed: the shop's open boards, tables and part pages refresh (`fabrication_changed`, with the tenant id, sent
-- at commit; a channel of its own, so a plant's units, which change every second, do not redraw a board mid-drag).
create function fabrication_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('fabrication_changed', new.tenant_id::text);
    return null;
end
$$;
create trigger fabrication_parts_changed after insert or update on fabrication_parts
    for each row execute function fabrication_changed();
