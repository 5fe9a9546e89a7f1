-- An API key presented with a request, resolved in one statement (no transaction of its own): the key with its
-- tenant's and creator's state as they are now, and its last use recorded when it is more than a minute old. Every
-- request a script makes starts here; three round trips (begin, select, commit) were a tenth of a posting's time under
-- `bench stock`. Security invoker, in the platform's scope for the call only (the SET clause is undone when it returns,
-- also inside a caller's transaction): a key is found by its hash before anyone knows its tenant.
create function api_key_caller(p_hash bytea)
    returns table (tenant_id uuid, id uuid, name text, scopes text[], revoked_at timestamptz,
                   last_used_at timestamptz, tenant_status text, tenant_kind text, creator_role text,
                   creator_status text)
    language plpgsql set app.platform = 'on' set search_path = public as $$
#variable_conflict use_column
begin
    return query
        select k.tenant_id, k.id, k.name, k.scopes, k.revoked_at, k.last_used_at, t.status, t.kind, u.role, u.status
        from api_keys k
        join tenants t on t.id = k.tenant_id
        join users u on u.tenant_id = k.tenant_id and u.id = k.created_by
        where k.secret_hash = p_hash;
    update api_keys k set last_used_at = now()
    from tenants t, users u
    where k.secret_hash = p_hash and t.id = k.tenant_id and u.tenant_id = k.tenant_id and u.id = k.created_by
      and k.revoked_at is null and t.status = 'active' and u.status = 'active'
      and (k.last_used_at is null or k.last_used_at < now() - interval '60 seconds');
end
$$;
