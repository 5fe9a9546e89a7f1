-- The notification centre (issue 25), for every area: a per-user inbox of notices, each of a kind with its values
-- (the page writes it in the reader's language), read or not; each person's choice per kind (in the app, also by
-- e-mail, or off); and a notice to the live channel at commit, so an open page's count moves at once.
create table notify_inbox (
    tenant_id   uuid not null references tenants (id),
    id          bigint generated always as identity,
    user_id     uuid not null,
    kind        text not null constraint notify_inbox_kind_check check (kind in ('stock_low')),
    -- The kind's values (an item, a department, quantities…), read back by the kind's own type.
    params      jsonb not null,
    -- Where the notice leads (a path of the application).
    link        text not null constraint notify_inbox_link_check check (link like '/%' and length(link) <= 300),
    created_at  timestamptz not null default now(),
    read_at     timestamptz,
    -- Whether it goes out by e-mail too (the person's choice when it was made), and when it went.
    by_mail     boolean not null default false,
    mailed_at   timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
-- A person's inbox, newest first; their unread count; the mail still to send.
create index notify_inbox_user_idx on notify_inbox (tenant_id, user_id, id desc);
create index notify_inbox_unread_idx on notify_inbox (tenant_id, user_id) where read_at is null;
create index notify_inbox_mail_idx on notify_inbox (created_at) where by_mail and mailed_at is null;

create table notify_preferences (
    tenant_id  uuid not null,
    user_id    uuid not null,
    kind       text not null constraint notify_preferences_kind_check check (kind in ('stock_low')),
    channel    text not null constraint notify_preferences_channel_check check (channel in ('app', 'email', 'off')),
    primary key (tenant_id, user_id, kind),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);

-- An inbox changed: the person's id, at commit, for the live channel.
create function notify_inbox_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('notify_inbox', coalesce(new.user_id, old.user_id)::text);
    return null;
end
$$;
create trigger notify_inbox_changed after insert or update of read_at on notify_inbox
    for each row execute function notify_inbox_changed();

do $$
declare
    t text;
begin
    foreach t in array array['notify_inbox', 'notify_preferences'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;
