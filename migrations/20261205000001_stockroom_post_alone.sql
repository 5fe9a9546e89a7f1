-- A posting in one statement, outside any transaction the server opens: the common case of `bench stock`'s 50
-- storekeepers. `stockroom_post` in a transaction was five round trips (BEGIN with the scope, the facts, the call,
-- COMMIT, and the API key before them), and on a 2-core machine the round trips were most of what a posting cost.
--
-- `stockroom_post` gains `p_whole_units`. Given (the service's list of units counted whole, so the rule is not written
-- twice), the call stands alone: it sets the organisation's scope itself (transaction-local, so it ends with this
-- statement's own transaction), checks the facts the service would have read (each item is the organisation's, an
-- archived one is not received, each department is the organisation's and open, a quantity with a fraction only of an
-- item whose unit is not counted whole), and gives up, changing nothing, where the service must take the careful way:
-- a fact the service would refuse (SQLSTATE NX001: the service then posts in a transaction and names what is wrong),
-- or a movement that opened a low-stock alert (NX002: its notices are sent in the posting's transaction). Null (a
-- transaction's call, its facts read and checked by the service): as before. A balance that would go below zero fails
-- either way with `stockroom_balances_never_negative`. Security invoker: the caller's grants and row-level security
-- apply, under the scope set here or by the transaction.
drop function stockroom_post(uuid, text, bytea, text, uuid, uuid, text, text, integer[], text[], bigint[], integer[],
                             bigint[], uuid[], integer[], text[], text[]);

create function stockroom_post(
    p_tenant uuid, p_key text, p_hash bytea, p_source text, p_user uuid, p_api_key uuid, p_author text, p_note text,
    p_line integer[], p_kind text[], p_item bigint[], p_department integer[], p_quantity bigint[], p_person uuid[],
    p_other integer[], p_reference text[], p_reason text[], p_whole_units text[])
    returns table (post_id bigint, id bigint, line integer, kind text, item_id bigint, department_id integer,
                   quantity_milli bigint, balance_after_milli bigint, occurred_at timestamptz, alert_id bigint)
    language plpgsql set plan_cache_mode = force_generic_plan set search_path = public as $$
#variable_conflict use_column
declare
    alone constant boolean := p_whole_units is not null;
    post bigint;
    ids bigint[];
begin
    if alone then
        perform set_config('app.tenant_id', p_tenant::text, true);
        if exists (
            select 1
            from unnest(p_kind, p_item, p_department, p_quantity) as m(kind, item, department, quantity)
            left join stockroom_items i on i.tenant_id = p_tenant and i.id = m.item
            left join stockroom_departments d on d.tenant_id = p_tenant and d.id = m.department
            where i.id is null
               or (m.kind = 'receive' and i.archived_at is not null)
               or d.id is null or d.archived_at is not null
               or (m.quantity % 1000 <> 0 and i.unit = any(p_whole_units)))
        then
            raise exception 'a fact of the posting is refused' using errcode = 'NX001';
        end if;
    end if;
    insert into stockroom_posts (tenant_id, idempotency_key, request_hash, source, author_user, author_key,
                                 author_name, note)
    values (p_tenant, p_key, p_hash, p_source, p_user, p_api_key, p_author, p_note)
    on conflict (tenant_id, idempotency_key) do nothing
    returning stockroom_posts.id into post;
    if post is null then
        return;
    end if;
    with recorded as (
        insert into stockroom_movements (tenant_id, post_id, line, kind, item_id, department_id, quantity_milli,
                                         person_id, other_department_id, reference, reason)
        select p_tenant, post, m.line, m.kind, m.item, m.department, m.quantity, m.person, m.other, m.reference,
               m.reason
        from unnest(p_line, p_kind, p_item, p_department, p_quantity, p_person, p_other, p_reference, p_reason)
             with ordinality as m(line, kind, item, department, quantity, person, other, reference, reason, n)
        order by m.n
        returning stockroom_movements.id)
    select array_agg(recorded.id) into ids from recorded;
    if alone and exists (select 1 from stockroom_alerts a where a.tenant_id = p_tenant and a.opened_by = any(ids)) then
        raise exception 'a movement opened a low-stock alert' using errcode = 'NX002';
    end if;
    return query
        select post, m.id, m.line, m.kind, m.item_id, m.department_id, m.quantity_milli, m.balance_after_milli,
               m.occurred_at, a.id
        from stockroom_movements m
        left join stockroom_alerts a on a.tenant_id = m.tenant_id and a.opened_by = m.id
        where m.tenant_id = p_tenant and m.id = any(ids)
        order by m.id;
end
$$;
