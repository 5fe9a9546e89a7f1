-- Production dashboards: which lines each operator works on (they classify those lines' stops; managers and owners
-- classify any line's), and a notice per plant whenever its units or its stops change, which live dashboards listen
-- to (sent at commit; never with a rolled-back batch).

create table production_line_operators (
    tenant_id  uuid not null,
    user_id    uuid not null,
    line_id    integer not null,
    primary key (tenant_id, user_id, line_id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade,
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id) on delete cascade
);
alter table production_line_operators enable row level security;
alter table production_line_operators force row level security;
create policy tenant_isolation on production_line_operators
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

-- The payload is the plant's tenant id: a dashboard refreshes for its own plant only.
create function production_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('production_changed', coalesce(new.tenant_id, old.tenant_id)::text);
    return null;
end;
$$;
create trigger production_batches_changed after insert on production_batches
    for each row execute function production_changed();
create trigger production_downtime_changed after insert or update or delete on production_downtime
    for each row execute function production_changed();
