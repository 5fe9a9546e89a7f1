-- A product's ideal cycle on one line (issue 26): the product's own ideal cycle is its rate where nothing else is said;
-- a line that makes it at another rate (a manual assembly line making what a press stamps, an older machine) says so
-- here, and every figure of that line reads this one. As OEE systems keep a standard rate per line and product.
create table production_line_cycles (
    tenant_id      uuid not null references tenants (id),
    line_id        integer not null,
    product_id     integer not null,
    ideal_cycle_ms integer not null constraint production_line_cycles_cycle_check
                       check (ideal_cycle_ms > 0 and ideal_cycle_ms <= 86400000),
    primary key (tenant_id, line_id, product_id),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id),
    foreign key (tenant_id, product_id) references production_products (tenant_id, id)
);

alter table production_line_cycles enable row level security;
alter table production_line_cycles force row level security;
create policy tenant_isolation on production_line_cycles
    using (tenant_id = (select app_tenant()) or (select app_platform()))
    with check (tenant_id = (select app_tenant()) or (select app_platform()));

-- A changed rate changes the figures: the plant's open dashboards refresh (migration 20261123000013's channel).
create trigger production_line_cycles_changed after insert or update or delete on production_line_cycles
    for each row execute function production_changed();
