-- Production monitoring (issue 9): a manufacturer's plant as data (lines, their areas, products, shifts and their
-- planned stops, downtime reasons, the dashboard's filters and each role's dashboard), the units its machines count
-- (detections, partitioned by month), per-minute rollups kept as they arrive, downtime events, and the log of
-- dashboard queries. Every table is the tenant's, under row-level security; the widget catalog is the platform's.
--
-- Plant entities have small integer ids (a detection names four of them: 4 bytes each, not 16).

-- The plant's clock: shifts are local times of day.
create table production_plants (
    tenant_id  uuid primary key references tenants (id),
    time_zone  text not null default 'America/Mexico_City'
        constraint production_plants_time_zone_check check (length(time_zone) between 1 and 64)
);

create table production_lines (
    tenant_id             uuid not null references tenants (id),
    id                    integer generated always as identity,
    code                  text not null constraint production_lines_code_check check (length(code) between 1 and 40),
    name                  text not null constraint production_lines_name_check check (length(name) between 1 and 120),
    -- A gap between two output units longer than this is a stop; longer than the micro-stop threshold, lost speed.
    downtime_threshold_ms integer not null default 300000,
    micro_stop_ms         integer not null default 30000,
    oee_target            numeric(5, 4) not null default 0.85
        constraint production_lines_target_check check (oee_target > 0 and oee_target <= 1),
    active                boolean not null default true,
    primary key (tenant_id, id),
    unique (tenant_id, code),
    constraint production_lines_thresholds_check
        check (micro_stop_ms > 0 and downtime_threshold_ms > micro_stop_ms and downtime_threshold_ms <= 86400000)
);

create table production_areas (
    tenant_id  uuid not null,
    id         integer generated always as identity,
    line_id    integer not null,
    kind       text not null constraint production_areas_kind_check
                   check (kind in ('input', 'process', 'inspection', 'output')),
    code       text not null constraint production_areas_code_check check (length(code) between 1 and 40),
    name       text not null constraint production_areas_name_check check (length(name) between 1 and 120),
    primary key (tenant_id, id),
    unique (tenant_id, line_id, code),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id) on delete cascade
);
-- One output per line: where its units are counted.
create unique index production_areas_one_output on production_areas (tenant_id, line_id) where kind = 'output';

create table production_products (
    tenant_id       uuid not null references tenants (id),
    id              integer generated always as identity,
    code            text not null constraint production_products_code_check check (length(code) between 1 and 40),
    name            text not null constraint production_products_name_check check (length(name) between 1 and 120),
    ideal_cycle_ms  integer not null constraint production_products_cycle_check
                        check (ideal_cycle_ms > 0 and ideal_cycle_ms <= 86400000),
    active          boolean not null default true,
    primary key (tenant_id, id),
    unique (tenant_id, code)
);

create table production_shifts (
    tenant_id   uuid not null references tenants (id),
    id          integer generated always as identity,
    name        text not null constraint production_shifts_name_check check (length(name) between 1 and 60),
    -- Days it starts on: bit 0 Monday … bit 6 Sunday.
    days        smallint not null constraint production_shifts_days_check check (days between 1 and 127),
    start_time  time not null,
    end_time    time not null,
    primary key (tenant_id, id),
    unique (tenant_id, name),
    constraint production_shifts_span_check check (start_time <> end_time)
);

create table production_shift_stops (
    tenant_id   uuid not null,
    id          integer generated always as identity,
    shift_id    integer not null,
    name        text not null constraint production_shift_stops_name_check check (length(name) between 1 and 60),
    start_time  time not null,
    end_time    time not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, shift_id) references production_shifts (tenant_id, id) on delete cascade,
    constraint production_shift_stops_span_check check (start_time <> end_time)
);

create table production_reasons (
    tenant_id  uuid not null references tenants (id),
    id         integer generated always as identity,
    code       text not null constraint production_reasons_code_check check (length(code) between 1 and 40),
    name       text not null constraint production_reasons_name_check check (length(name) between 1 and 120),
    -- Planned reasons (changeover, maintenance window) take the time out of planned time: no availability lost.
    planned    boolean not null,
    colour     text not null constraint production_reasons_colour_check check (colour ~ '^#[0-9a-f]{6}$'),
    active     boolean not null default true,
    primary key (tenant_id, id),
    unique (tenant_id, code)
);

-- The units counted. Partitioned by month (created ahead by `production_partitions`, old ones dropped by the
-- maintenance job); no per-row foreign keys (a batch is checked as a whole against the plant before it is written).
create table production_detections (
    tenant_id   uuid not null,
    line_id     integer not null,
    area_id     integer not null,
    product_id  integer not null,
    at          timestamptz not null,
    good        boolean not null
) partition by range (at);
-- The downtime job walks a line's units in time order; drill-downs read a line's units of a span.
create index production_detections_line_at on production_detections (tenant_id, line_id, at);

-- What a batch was (idempotency on the client's batch id): sent again, it is acknowledged and not stored twice.
create table production_batches (
    tenant_id    uuid not null references tenants (id),
    batch_id     text not null constraint production_batches_id_check check (length(batch_id) between 1 and 100),
    received_at  timestamptz not null default now(),
    detections   integer not null,
    primary key (tenant_id, batch_id)
);

-- Units per line, area, product and minute, kept in the ingest's own transaction: dashboards read these, never the
-- raw units, for any range.
create table production_minutes (
    tenant_id   uuid not null,
    line_id     integer not null,
    minute      timestamptz not null,
    area_id     integer not null,
    product_id  integer not null,
    total       integer not null,
    good        integer not null,
    primary key (tenant_id, line_id, minute, area_id, product_id)
);

-- Stops found by the downtime job (a gap between output units longer than the line's threshold); `end_at` null while
-- the line is still stopped. Classified with a reason by operators and managers.
create table production_downtime (
    tenant_id      uuid not null,
    id             bigint generated always as identity,
    line_id        integer not null,
    start_at       timestamptz not null,
    end_at         timestamptz,
    reason_id      integer,
    classified_by  uuid,
    classified_at  timestamptz,
    note           text constraint production_downtime_note_check check (length(note) <= 500),
    primary key (tenant_id, id),
    unique (tenant_id, line_id, start_at),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id) on delete cascade,
    foreign key (tenant_id, reason_id) references production_reasons (tenant_id, id),
    constraint production_downtime_span_check check (end_at is null or end_at > start_at)
);
create index production_downtime_line_span on production_downtime (tenant_id, line_id, start_at);

-- Where the downtime job has got to per line: the last output unit it has looked at.
create table production_downtime_cursor (
    tenant_id  uuid not null,
    line_id    integer not null,
    last_at    timestamptz not null,
    primary key (tenant_id, line_id),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id) on delete cascade
);

-- The widgets a dashboard can hold (the platform's: type and the JSON Schema of its parameters).
create table production_widgets (
    kind          text primary key constraint production_widgets_kind_check check (kind ~ '^[a-z_]{1,40}$'),
    name_es       text not null,
    name_en       text not null,
    param_schema  jsonb not null
);

-- The filters a tenant's dashboard offers, in order, with their defaults (seed 001's FILTER).
create table production_filters (
    tenant_id      uuid not null references tenants (id),
    key            text not null constraint production_filters_key_check
                       check (key in ('date_range', 'line', 'area', 'product', 'shift')),
    position       smallint not null,
    enabled        boolean not null default true,
    required       boolean not null default false,
    default_value  jsonb not null default '{}',
    options        jsonb not null default '{}',
    primary key (tenant_id, key)
);

-- Each role's dashboard: which widgets, where (a grid of 12 columns), with their parameters.
create table production_dashboards (
    tenant_id   uuid not null references tenants (id),
    role        text not null constraint production_dashboards_role_check
                    check (role in ('owner', 'manager', 'operator', 'viewer')),
    widgets     jsonb not null,
    updated_by  uuid,
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, role)
);

-- Every dashboard query: who asked what, and how long it took (seed 001's USER_QUERY).
create table production_query_log (
    tenant_id    uuid not null,
    id           bigint generated always as identity,
    user_id      uuid,
    at           timestamptz not null default now(),
    query        text not null,
    filters      jsonb not null,
    duration_ms  integer not null,
    primary key (tenant_id, id)
);
create index production_query_log_at on production_query_log (tenant_id, at desc);

-- Monthly partitions from `from_month` for `months` months (at most 36), each created if missing (the maintenance job
-- calls this ahead). Runs as the tables' owner (the application's role cannot create tables), with month bounds in UTC
-- whatever the caller's time zone.
create function production_partitions(from_month date, months integer) returns integer
language plpgsql security definer set search_path = public, pg_temp set TimeZone = 'UTC' as $$
declare
    m date := date_trunc('month', from_month)::date;
    made integer := 0;
    name text;
begin
    for i in 0 .. least(months, 36) - 1 loop
        name := format('production_detections_%s', to_char(m + make_interval(months => i), 'YYYY_MM'));
        if to_regclass(name) is null then
            execute format('create table %I partition of production_detections for values from (%L) to (%L)',
                           name, m + make_interval(months => i), m + make_interval(months => i + 1));
            execute format('alter table %I enable row level security', name);
            execute format('alter table %I force row level security', name);
            execute format($p$create policy tenant_isolation on %I
                               using (tenant_id = app_tenant() or app_platform())
                               with check (tenant_id = app_tenant() or app_platform())$p$, name);
            made := made + 1;
        end if;
    end loop;
    return made;
end;
$$;
select production_partitions((now() - interval '2 months')::date, 5);

-- Drops the months wholly before `before` (their units and nothing else: rollups and downtime stay), returning how
-- many; never the current month nor the one before it, whatever it is asked. Runs as the tables' owner, in UTC.
create function production_drop_partitions(before date) returns integer
language plpgsql security definer set search_path = public, pg_temp set TimeZone = 'UTC' as $$
declare
    p record;
    dropped integer := 0;
begin
    before := least(before, (date_trunc('month', now()) - interval '1 month')::date);
    for p in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'production_detections'::regclass
               and to_date(substring(c.relname from '(\d{4}_\d{2})$'), 'YYYY_MM') + interval '1 month'
                   <= date_trunc('month', before)
    loop
        execute format('drop table %I', p.relname);
        dropped := dropped + 1;
    end loop;
    return dropped;
end;
$$;
revoke execute on function production_partitions(date, integer) from public;
revoke execute on function production_drop_partitions(date) from public;
grant execute on function production_partitions(date, integer) to nexus_app;
grant execute on function production_drop_partitions(date) to nexus_app;

do $$
declare t text;
begin
    foreach t in array array['production_plants', 'production_lines', 'production_areas', 'production_products',
                             'production_shifts', 'production_shift_stops', 'production_reasons',
                             'production_detections', 'production_batches', 'production_minutes',
                             'production_downtime', 'production_downtime_cursor', 'production_filters',
                             'production_dashboards', 'production_query_log'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
                           using (tenant_id = app_tenant() or app_platform())
                           with check (tenant_id = app_tenant() or app_platform())$p$, t);
    end loop;
end;
$$;

alter table production_widgets enable row level security;
alter table production_widgets force row level security;
create policy widgets_read on production_widgets for select using (true);
create policy widgets_write on production_widgets using (app_platform()) with check (app_platform());

-- The widget catalog (the platform's; a tenant's dashboards place these, with parameters their schema allows).
insert into production_widgets (kind, name_es, name_en, param_schema) values
    ('kpi_cards', 'Indicadores', 'Key figures', '{"type": "object", "additionalProperties": false,
        "required": ["figures"], "properties": {"figures": {"type": "array", "minItems": 1, "uniqueItems": true,
        "items": {"enum": ["oee", "availability", "performance", "quality", "total", "good", "downtime"]}}}}'),
    ('production_over_time', 'Producción en el tiempo', 'Production over time', '{"type": "object",
        "additionalProperties": false, "properties": {"bucket": {"enum": ["minute", "hour", "shift", "day"]}}}'),
    ('product_distribution', 'Producción por producto', 'Production by product', '{"type": "object",
        "additionalProperties": false, "properties": {}}'),
    ('line_comparison', 'Comparación de líneas', 'Line comparison', '{"type": "object",
        "additionalProperties": false, "properties": {"figure": {"enum": ["oee", "availability", "performance",
        "quality", "total"]}}}'),
    ('downtime_table', 'Paros', 'Downtime', '{"type": "object", "additionalProperties": false,
        "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 500}}}'),
    ('downtime_pareto', 'Pareto de paros', 'Downtime Pareto', '{"type": "object", "additionalProperties": false,
        "properties": {"by": {"enum": ["reason", "line"]}}}');
