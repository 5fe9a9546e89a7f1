-- What a production order needs from the stock room (issue 26): items and quantities (in the item's unit, as the
-- ledger keeps them, thousandths). What it consumed is the ledger's own: the issues and returns whose reference is the
-- order's code (from the order's page or the stock room's counter, where the order's code is typed or scanned as the
-- reference), less their reversals. Nothing about stock is kept twice.
create table mes_order_materials (
    tenant_id      uuid not null references tenants (id),
    order_id       bigint not null,
    item_id        bigint not null,
    quantity_milli bigint not null constraint mes_order_materials_quantity_check
                       check (quantity_milli > 0 and quantity_milli <= 1000000000000),
    primary key (tenant_id, order_id, item_id),
    foreign key (tenant_id, order_id) references mes_orders (tenant_id, id),
    foreign key (tenant_id, item_id) references stockroom_items (tenant_id, id)
);

alter table mes_order_materials enable row level security;
alter table mes_order_materials force row level security;
create policy tenant_isolation on mes_order_materials
    using (tenant_id = (select app_tenant()) or (select app_platform()))
    with check (tenant_id = (select app_tenant()) or (select app_platform()));

-- An order's movements: the ledger's issues and returns by their reference (the order's code).
create index stockroom_movements_reference on stockroom_movements (tenant_id, reference, item_id)
    where reference <> '' and kind in ('issue', 'return');
