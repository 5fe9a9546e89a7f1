-- A posting in one call, for the common case: claim the idempotency key, insert the movements in the order given
-- (the ledger's trigger applies each to its balance, locking it, and refuses any that would take one below zero),
-- and answer with each movement as recorded beside the alert it opened, if any. Nothing is returned when the key was
-- claimed before (the caller answers with that posting). A posting that would take a balance below zero fails with
-- `stockroom_balances_never_negative`: the service then rolls back and posts the careful way (lock the balances, name
-- each line that lacks and what is left), which is also how reversals and stocktakes post.
--
-- Why: the careful way is seven statements, one of them a SQL function planned on every call, and under `bench stock`
-- (50 storekeepers) it held a posting to ~2.9 ms of PostgreSQL CPU. Here one round trip does the work; the plans are
-- generic (made once per connection), since every parameter is an array or a key the plan does not depend on.
-- Security invoker: the caller's own grants (insert into posts and movements) and its row-level security apply.
create function stockroom_post(
    p_tenant uuid, p_key text, p_hash bytea, p_source text, p_user uuid, p_api_key uuid, p_author text, p_note text,
    p_line integer[], p_kind text[], p_item bigint[], p_department integer[], p_quantity bigint[], p_person uuid[],
    p_other integer[], p_reference text[], p_reason text[])
    returns table (post_id bigint, id bigint, line integer, kind text, item_id bigint, department_id integer,
                   quantity_milli bigint, balance_after_milli bigint, occurred_at timestamptz, alert_id bigint)
    language plpgsql set plan_cache_mode = force_generic_plan set search_path = public as $$
#variable_conflict use_column
declare
    post bigint;
    ids bigint[];
begin
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
    return query
        select post, m.id, m.line, m.kind, m.item_id, m.department_id, m.quantity_milli, m.balance_after_milli,
               m.occurred_at, a.id
        from stockroom_movements m
        left join stockroom_alerts a on a.tenant_id = m.tenant_id and a.opened_by = m.id
        where m.tenant_id = p_tenant and m.id = any(ids)
        order by m.id;
end
$$;
