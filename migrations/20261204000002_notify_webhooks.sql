-- Outgoing webhooks (issue 25; seed 003's Slack hook made generic): an organisation's endpoints, each told of the
-- kinds of notice it chose (none chosen: every kind) by a signed POST, and each such POST a delivery kept with its
-- attempts, retried with back-off until it is taken (2xx) or given up, so the organisation can see what went out.
create table notify_webhooks (
    tenant_id    uuid not null references tenants (id),
    id           bigint generated always as identity,
    url          text not null constraint notify_webhooks_url_check check (url ~ '^https?://' and length(url) <= 600),
    -- The HMAC-SHA256 key of the signature header; shown to the organisation once, when made or replaced.
    secret       text not null constraint notify_webhooks_secret_check check (length(secret) between 32 and 128),
    kinds        text[] not null default '{}',
    description  text not null default '' constraint notify_webhooks_description_check check (length(description) <= 200),
    created_at   timestamptz not null default now(),
    created_by   uuid not null,
    primary key (tenant_id, id)
);

create table notify_deliveries (
    tenant_id     uuid not null,
    id            bigint generated always as identity,
    webhook_id    bigint not null,
    -- The event's id, sent in the body and a header: a receiver that sees it twice (a retry after a lost answer)
    -- can tell.
    event         uuid not null default gen_random_uuid(),
    kind          text not null constraint notify_deliveries_kind_check check (kind in ('stock_low', 'ping')),
    payload       jsonb not null,
    created_at    timestamptz not null default now(),
    state         text not null default 'pending'
                      constraint notify_deliveries_state_check check (state in ('pending', 'delivered', 'failed')),
    attempts      smallint not null default 0,
    next_at       timestamptz not null default now(),
    -- The last attempt: when, the receiver's HTTP status (none: no answer), and why it failed, in a few words.
    last_at       timestamptz,
    last_status   smallint,
    last_error    text constraint notify_deliveries_last_error_check check (length(last_error) <= 300),
    delivered_at  timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, webhook_id) references notify_webhooks (tenant_id, id) on delete cascade
);
-- The delivery job's scan (across organisations): the pending, by when they are due.
create index notify_deliveries_due_idx on notify_deliveries (next_at) where state = 'pending';
-- A webhook's delivery log, newest first.
create index notify_deliveries_webhook_idx on notify_deliveries (tenant_id, webhook_id, id desc);

do $$
declare
    t text;
begin
    foreach t in array array['notify_webhooks', 'notify_deliveries'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;
