-- How a workshop reaches the bodega that has its part: the phone and address given at registration were shown
-- nowhere (not even to the admin approving it). An organisation now also states its opening hours, and availability
-- returns the bodega's phone, address, hours and country (its phone's calling code) with each offer.

alter table tenants add column hours text not null default ''
    constraint tenants_hours_check check (length(hours) <= 200);

drop function inventory_availability(bigint);
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
        confirmed_at     timestamptz,
        phone            text,
        address          text,
        hours            text,
        country          text
    )
    language sql stable
    set search_path = public, pg_temp
    set app.platform = 'on'
    as $$
        select t.name, i.location, i.number, false, m.name, i.price_cents, i.currency, i.stock, i.min_order_qty,
               coalesce(l.confirmed_at, i.updated_at), t.phone, t.address, t.hours, t.country
        from inventory_items i
        join tenants t on t.id = i.tenant_id and t.status = 'active' and t.kind = 'warehouse'
        left join inventory_locations l on l.tenant_id = i.tenant_id and l.location = i.location
        join catalog_parts p on p.id = i.part_id
        join catalog_manufacturers m on m.id = p.manufacturer_id
        where i.part_id = p_part_id and i.stock > 0
        union all
        select t.name, i.location, i.number, true, m.name, i.price_cents, i.currency, i.stock, i.min_order_qty,
               coalesce(l.confirmed_at, i.updated_at), t.phone, t.address, t.hours, t.country
        from (select distinct manufacturer_id, number_key from catalog_aftermarket where part_id = p_part_id) a
        join inventory_items i on i.part_id is null and i.aftermarket_manufacturer_id = a.manufacturer_id
                              and i.aftermarket_key = a.number_key and i.stock > 0
        join tenants t on t.id = i.tenant_id and t.status = 'active' and t.kind = 'warehouse'
        left join inventory_locations l on l.tenant_id = i.tenant_id and l.location = i.location
        join catalog_manufacturers m on m.id = a.manufacturer_id
        order by 6, 1, 2
        limit 200
    $$;

-- A page of search results' availability at a glance: per part, how many active bodegas hold it (or a product that
-- replaces it) in stock, and the lowest price among them, by currency (the lowest currency code first when a part
-- is offered in several). One statement for the page (probing inventory_items_item_key per part and product).
create function inventory_availability_summary(p_part_ids bigint[])
    returns table (part_id bigint, bodegas integer, price_cents bigint, currency text)
    language sql stable
    set search_path = public, pg_temp
    set app.platform = 'on'
    as $$
        with offers as (
            select i.part_id, i.tenant_id, i.price_cents, i.currency
            from inventory_items i
            where i.part_id = any (p_part_ids) and i.stock > 0
            union all
            select a.part_id, i.tenant_id, i.price_cents, i.currency
            from (select distinct part_id, manufacturer_id, number_key from catalog_aftermarket
                  where part_id = any (p_part_ids)) a
            join inventory_items i on i.part_id is null and i.aftermarket_manufacturer_id = a.manufacturer_id
                                  and i.aftermarket_key = a.number_key and i.stock > 0
        ),
        live as (
            select o.* from offers o
            join tenants t on t.id = o.tenant_id and t.status = 'active' and t.kind = 'warehouse'
        ),
        lowest as (select part_id, currency, min(price_cents) as price_cents from live group by part_id, currency),
        holders as (select part_id, count(distinct tenant_id)::int as bodegas from live group by part_id)
        select distinct on (l.part_id) l.part_id, h.bodegas, l.price_cents, l.currency
        from lowest l join holders h on h.part_id = l.part_id
        order by l.part_id, l.currency
    $$;
