-- `stockroom_lock_balances` (20261201000001) joined the balances to the arrays it was given, and its plan, made for
-- arrays of unknown length, read the organisation's balances whole for each posting: 6 ms and 445 buffers on the
-- bench's 11,000 items, most of a posting's time on the database (`bench stock`, 2026-11-26). Each (item, department)
-- is now found by its primary key, in the one global order (item, then department), duplicates once: 5 buffers.
create or replace function stockroom_lock_balances(items bigint[], departments integer[])
    returns table (item_id bigint, department_id integer, quantity_milli bigint)
    language sql security definer set search_path = public as $$
    select b.item_id, b.department_id, b.quantity_milli
    from (select distinct p.item_id, p.department_id from unnest(items, departments) as p(item_id, department_id)
          order by p.item_id, p.department_id) p
    cross join lateral (
        select s.item_id, s.department_id, s.quantity_milli from stockroom_balances s
        where s.tenant_id = (select app_tenant()) and s.item_id = p.item_id and s.department_id = p.department_id
        for update) b
$$;
