-- The department an invited person joins on accepting (seed 003's registration per department, made the owner's
-- choice on the invitation): optional. The invitation keeps which one (identity's table, a foreign key so it names one
-- of the organisation's); the stock room owns what it means, here: an archived department is refused when the
-- invitation names it (`invitations_department_open`, a field error for the owner), and accepting makes the new
-- person a member of it (as the owner would on the people page), unless it was archived meanwhile.
alter table invitations add column department_id integer;
alter table invitations add constraint invitations_department_fkey
    foreign key (tenant_id, department_id) references stockroom_departments (tenant_id, id);

create function stockroom_invitation_department() returns trigger
    language plpgsql set search_path = public as $$
begin
    if new.department_id is not null
       and (tg_op = 'INSERT' or new.department_id is distinct from old.department_id)
       and exists (select 1 from stockroom_departments d
                   where d.tenant_id = new.tenant_id and d.id = new.department_id and d.archived_at is not null)
    then
        raise exception 'the department is archived' using errcode = '23514', constraint = 'invitations_department_open';
    end if;
    if tg_op = 'UPDATE' and new.accepted_user is not null and old.accepted_user is null
       and new.department_id is not null
    then
        insert into stockroom_members (tenant_id, user_id, department_id)
        select new.tenant_id, new.accepted_user, d.id
        from stockroom_departments d
        where d.tenant_id = new.tenant_id and d.id = new.department_id and d.archived_at is null
        on conflict (tenant_id, user_id) do update set department_id = excluded.department_id;
    end if;
    return new;
end
$$;

create trigger stockroom_invitation_department before insert or update on invitations
    for each row execute function stockroom_invitation_department();
