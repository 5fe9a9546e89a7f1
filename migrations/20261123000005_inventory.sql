-- Bodega inventory: what each bodega (a warehouse tenant) has of each catalog item, per location, as its uploads
-- set it. Tenant data under row-level security like every other; workshops see other bodegas' stock only through
-- `inventory_availability`, which returns what a part page shows and nothing else.

-- One upload: the file, how it was read, what its dry run found, and how its commit ended.
create table inventory_uploads (
    tenant_id         uuid not null references tenants (id),
    id                uuid not null default gen_random_uuid(),
    created_by        uuid,
    api_key_id        uuid,
    file_name         text not null constraint inventory_uploads_file_name_check
                          check (length(file_name) between 1 and 255),
    file_size         bigint not null constraint inventory_uploads_file_size_check check (file_size >= 0),
    file_sha256       text not null,
    format            text not null constraint inventory_uploads_format_check
                          check (format in ('csv', 'xlsx', 'xls', 'ods')),
    -- How it was read (chosen or detected).
    sheet             text,
    header_row        integer,
    encoding          text,
    delimiter         text,
    mapping           jsonb,
    replace_location  boolean not null default false,
    status            text not null default 'received' constraint inventory_uploads_status_check
                          check (status in ('received', 'previewed', 'committing', 'committed', 'failed', 'discarded')),
    -- The dry run's counts, then the commit's.
    rows_total        integer,
    new_items         integer,
    price_changes     integer,
    stock_changes     integer,
    unchanged         integer,
    rejected          integer,
    zeroed            integer,
    -- Why it failed (an error code), when it did.
    problem           text,
    created_at        timestamptz not null default now(),
    finished_at       timestamptz,
    duration_ms       integer,
    primary key (tenant_id, id),
    constraint inventory_uploads_id_key unique (id)
);
-- History, newest first (keyset on created_at, id).
create index inventory_uploads_history_idx on inventory_uploads (tenant_id, created_at desc, id desc);
-- Restart recovery: uploads left committing.
create index inventory_uploads_open_idx on inventory_uploads (status) where status in ('received', 'previewed', 'committing');

-- The file while its upload is open (removed when it is committed or discarded): the mapping may change between
-- the preview and the commit, and any server instance may serve the next request.
create table inventory_upload_files (
    tenant_id  uuid not null,
    upload_id  uuid not null,
    bytes      bytea not null,
    primary key (tenant_id, upload_id),
    foreign key (tenant_id, upload_id) references inventory_uploads (tenant_id, id) on delete cascade
);

-- An upload's rejected rows, for the download: the row's cells as they were and why.
create table inventory_upload_rejects (
    tenant_id  uuid not null,
    upload_id  uuid not null,
    line       integer not null,
    cells      text[] not null,
    problem    jsonb not null,
    primary key (tenant_id, upload_id, line),
    foreign key (tenant_id, upload_id) references inventory_uploads (tenant_id, id) on delete cascade
);

-- Saved mappings, found by the folded header row (`rules::mapping::fingerprint`).
create table inventory_profiles (
    tenant_id    uuid not null references tenants (id),
    fingerprint  text not null,
    headers      text[] not null,
    mapping      jsonb not null,
    sheet        text,
    header_row   integer not null default 0,
    updated_at   timestamptz not null default now(),
    primary key (tenant_id, fingerprint)
);

-- What a bodega has: an OEM part, or an aftermarket product (its manufacturer and number key: one product may
-- replace several OEM parts), per location ('' is the bodega's default location).
create table inventory_items (
    tenant_id                    uuid not null references tenants (id),
    id                           bigint generated always as identity,
    part_id                      bigint references catalog_parts (id) on delete cascade,
    aftermarket_manufacturer_id  integer references catalog_manufacturers (id),
    aftermarket_key              text collate "C",
    item_key                     text not null generated always as (
                                     case when part_id is not null then 'p' || part_id::text
                                          else 'a' || aftermarket_manufacturer_id::text || ':' || aftermarket_key end
                                 ) stored,
    number                       text not null constraint inventory_items_number_check
                                     check (length(number) between 1 and 40),
    location                     text not null default '' constraint inventory_items_location_check
                                     check (length(location) <= 60),
    price_cents                  bigint not null constraint inventory_items_price_check check (price_cents >= 0),
    currency                     text not null default 'MXN',
    stock                        integer not null constraint inventory_items_stock_check check (stock >= 0),
    min_order_qty                integer constraint inventory_items_moq_check check (min_order_qty > 0),
    upload_id                    uuid,
    updated_at                   timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint inventory_items_what_check check (
        (part_id is not null and aftermarket_manufacturer_id is null and aftermarket_key is null)
        or (part_id is null and aftermarket_manufacturer_id is not null and aftermarket_key is not null))
);
-- The upsert's key: one row per item and location.
create unique index inventory_items_item_key on inventory_items (tenant_id, item_key, location);
-- Availability on a part's page: the part itself, and the aftermarket products that replace it.
create index inventory_items_part_idx on inventory_items (part_id) where part_id is not null and stock > 0;
create index inventory_items_aftermarket_idx on inventory_items (aftermarket_manufacturer_id, aftermarket_key)
    where aftermarket_key is not null and stock > 0;
-- "My inventory", by number.
create index inventory_items_number_idx on inventory_items (tenant_id, number, id);

-- When each location's figures were last confirmed: every committed upload is a snapshot of the locations it names,
-- so its time is how fresh their figures are, changed or not (items keep when they last changed).
create table inventory_locations (
    tenant_id     uuid not null references tenants (id),
    location      text not null,
    upload_id     uuid not null,
    confirmed_at  timestamptz not null,
    primary key (tenant_id, location)
);

alter table inventory_locations enable row level security;
alter table inventory_locations force row level security;
create policy tenant_isolation on inventory_locations
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table inventory_uploads enable row level security;
alter table inventory_uploads force row level security;
create policy tenant_isolation on inventory_uploads
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table inventory_upload_files enable row level security;
alter table inventory_upload_files force row level security;
create policy tenant_isolation on inventory_upload_files
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table inventory_upload_rejects enable row level security;
alter table inventory_upload_rejects force row level security;
create policy tenant_isolation on inventory_upload_rejects
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table inventory_profiles enable row level security;
alter table inventory_profiles force row level security;
create policy tenant_isolation on inventory_profiles
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table inventory_items enable row level security;
alter table inventory_items force row level security;
create policy tenant_isolation on inventory_items
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

-- What a part's page shows of every active bodega's stock: the part itself and its aftermarket alternatives, with
-- stock, cheapest first. The one window workshops have on other tenants' inventory: it runs in platform scope for
-- its own duration only (the function's SET clause restores the caller's scope on return) and returns these columns
-- only.
create function inventory_availability(p_part_id bigint)
    returns table (
        bodega           text,
        location         text,
        number           text,
        aftermarket      boolean,
        brand            text,
        price_cents      bigint,
        currency         text,
        stock            integer,
        min_order_qty    integer,
        confirmed_at     timestamptz
    )
    language sql stable
    set search_path = public, pg_temp
    set app.platform = 'on'
    as $$
        select t.name, i.location, i.number, false, m.name, i.price_cents, i.currency, i.stock, i.min_order_qty,
               coalesce(l.confirmed_at, i.updated_at)
        from inventory_items i
        join tenants t on t.id = i.tenant_id and t.status = 'active' and t.kind = 'warehouse'
        left join inventory_locations l on l.tenant_id = i.tenant_id and l.location = i.location
        join catalog_parts p on p.id = i.part_id
        join catalog_manufacturers m on m.id = p.manufacturer_id
        where i.part_id = p_part_id and i.stock > 0
        union all
        select t.name, i.location, i.number, true, m.name, i.price_cents, i.currency, i.stock, i.min_order_qty,
               coalesce(l.confirmed_at, i.updated_at)
        from (select distinct manufacturer_id, number_key from catalog_aftermarket where part_id = p_part_id) a
        join inventory_items i on i.aftermarket_manufacturer_id = a.manufacturer_id
                              and i.aftermarket_key = a.number_key and i.stock > 0
        join tenants t on t.id = i.tenant_id and t.status = 'active' and t.kind = 'warehouse'
        left join inventory_locations l on l.tenant_id = i.tenant_id and l.location = i.location
        join catalog_manufacturers m on m.id = a.manufacturer_id
        order by 6, 1, 2
        limit 200
    $$;
revoke all on function inventory_availability(bigint) from public;
grant execute on function inventory_availability(bigint) to nexus_app;
