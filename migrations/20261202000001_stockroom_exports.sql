-- The movement history's exports (issue 25): asked for with their filters, written in the background by the
-- `stock.exports` job (one round at a time across instances; each export claimed by one round), the CSV kept in parts
-- of about a megabyte so neither the writer nor a download ever holds it whole, whatever the number of rows.
create table stockroom_exports (
    tenant_id     uuid not null references tenants (id),
    id            bigint generated always as identity,
    requested_by  uuid not null,
    -- items, departments, kinds, from, to: as asked (`stockroom::rules::export::ExportFilter`).
    filters       jsonb not null,
    status        text not null default 'queued'
                      constraint stockroom_exports_status_check check (status in ('queued', 'running', 'done', 'failed')),
    -- Movements the filters matched when writing began, and how many are written so far (the progress shown).
    total         bigint,
    rows_written  bigint not null default 0,
    bytes         bigint not null default 0,
    created_at    timestamptz not null default now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, requested_by) references users (tenant_id, id) on delete cascade
);
create index stockroom_exports_queue_idx on stockroom_exports (created_at) where status in ('queued', 'running');
create index stockroom_exports_list_idx on stockroom_exports (tenant_id, requested_by, id desc);

create table stockroom_export_parts (
    tenant_id  uuid not null,
    export_id  bigint not null,
    n          integer not null,
    data       bytea not null,
    primary key (tenant_id, export_id, n),
    foreign key (tenant_id, export_id) references stockroom_exports (tenant_id, id) on delete cascade
);

do $$
declare
    t text;
begin
    foreach t in array array['stockroom_exports', 'stockroom_export_parts'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;
