-- An upload writes up to a million items in one statement; what each written row costs is what a commit costs.
-- Measured on 100,000 items (bench inventory): the per-row foreign-key triggers took 1.2 s of 2.0 s, the text item
-- key and number indexes under the database's libc collation another 0.5 s. So:
--
-- 1. No per-row foreign keys on inventory_items. Their guarantees are kept set-based:
--    - a part deleted from the catalog takes its items with it: a statement-level trigger with the deleted rows
--      as a transition table (`inventory_forget_parts`), one join per delete, not one query per row;
--    - an upload's commit cannot write an item for a part deleted while it ran: the commit holds the shared
--      catalog lock (`hashtextextended('nexus.inventory.catalog', 0)`) from before it matches its rows until it
--      commits, and the trigger takes it exclusively before deleting, so a delete waits for running commits and
--      then sees (and deletes) what they wrote;
--    - the tenant is the caller's (row-level security checks it on every row written); tenants are never deleted
--      (they are suspended);
--    - an aftermarket item names its product by manufacturer and number key, as the catalog does; readers join
--      the catalog, so an item whose product is gone is shown nowhere.
-- 2. One row per item and location by a unique index that leads with the item (part, or manufacturer and key;
--    NULLS NOT DISTINCT, so a part's row and a product's row each have one slot), then tenant and location, in
--    place of the generated text key: the same index finds a part's or a product's stock for its page, so the two
--    partial availability indexes go (three indexes to maintain per row written instead of five).
-- 3. The item id's sequence hands out ids a thousand at a time (one sequence access per thousand rows).
-- 4. Numbers, locations and aftermarket keys compare bytewise (collation "C"): part numbers and bin codes are
--    codes, not words, and the libc collation's comparisons were most of each text index's cost.
-- 5. The catalog's number-key indexes carry what a match needs (the part; the product's manufacturer), so an
--    upload's rows are matched by index-only probes.

alter table inventory_items
    drop constraint inventory_items_part_id_fkey,
    drop constraint inventory_items_aftermarket_manufacturer_id_fkey,
    drop constraint inventory_items_tenant_id_fkey;

drop index inventory_items_item_key;
alter table inventory_items drop column item_key;

drop index inventory_items_number_idx;
drop index inventory_items_part_idx;
drop index inventory_items_aftermarket_idx;
alter table inventory_items
    alter column number type text collate "C",
    alter column location type text collate "C",
    alter column aftermarket_key type text collate "C",
    alter column id set cache 1000;

-- One row per item and location; a part's (part_id) or a product's (part_id null, manufacturer, key) stock.
create unique index inventory_items_item_key
    on inventory_items (part_id, aftermarket_manufacturer_id, aftermarket_key, tenant_id, location) nulls not distinct;
-- "My inventory", by number.
create index inventory_items_number_idx on inventory_items (tenant_id, number, id);

-- Availability as before, the products' branch naming `part_id is null` so it probes the item index.
create or replace function inventory_availability(p_part_id bigint)
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
        join inventory_items i on i.part_id is null and i.aftermarket_manufacturer_id = a.manufacturer_id
                              and i.aftermarket_key = a.number_key and i.stock > 0
        join tenants t on t.id = i.tenant_id and t.status = 'active' and t.kind = 'warehouse'
        left join inventory_locations l on l.tenant_id = i.tenant_id and l.location = i.location
        join catalog_manufacturers m on m.id = a.manufacturer_id
        order by 6, 1, 2
        limit 200
    $$;

-- An upload's file is kept with it (its rejected rows' cells are read back from it), in parts of 1 MB (written and
-- read a part at a time, so the server never holds extra copies of a large file), compressed with lz4 (many times
-- faster to write than the default compression).
alter table inventory_upload_files add column part integer not null default 0;
alter table inventory_upload_files drop constraint inventory_upload_files_pkey;
-- Found by upload (ids are unique across tenants; row-level security still keeps each tenant to its own).
alter table inventory_upload_files add primary key (upload_id, part);
alter table inventory_upload_files alter column bytes set compression lz4;

create function inventory_forget_parts() returns trigger
language plpgsql as $$
begin
    perform pg_advisory_xact_lock(hashtextextended('nexus.inventory.catalog', 0));
    delete from inventory_items i using gone g where i.part_id = g.id;
    return null;
end;
$$;

create trigger inventory_forget_parts after delete on catalog_parts
    referencing old table as gone
    for each statement execute function inventory_forget_parts();

-- Covering the match's probes (index-only scans).
drop index catalog_parts_number_key_idx;
create index catalog_parts_number_key_idx on catalog_parts (number_key) include (id, manufacturer_id);
drop index catalog_aftermarket_number_key_idx;
create index catalog_aftermarket_number_key_idx on catalog_aftermarket (number_key) include (manufacturer_id);
