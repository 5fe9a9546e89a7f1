-- Foundation: tenants, users, sessions, refresh tokens, API keys, audit log, and row-level security.
--
-- Tenancy model: every tenant-owned row carries tenant_id, and tenant_id leads its primary key so the schema could be
-- distributed by tenant. The application never touches these tables as a superuser or as their owner: every pooled
-- connection runs `set role nexus_app`, and every transaction states its scope with `app.tenant_id` (one tenant) or
-- `app.platform = 'on'` (platform work: login lookups, admin screens). A query that forgets its tenant filter still
-- sees only its tenant, because the policies below refuse every other row.

-- The role the application runs as. Roles are cluster-wide: several databases (one per test) may race to create it.
do $$
begin
    create role nexus_app nologin;
exception when duplicate_object or unique_violation then null;
end
$$;

do $$
begin
    execute format('grant nexus_app to %I', current_user);
exception when others then null; -- already a member, or a concurrent grant
end
$$;

grant usage on schema public to nexus_app;
alter default privileges in schema public grant select, insert, update, delete on tables to nexus_app;
alter default privileges in schema public grant usage, select on sequences to nexus_app;

-- Scope helpers used by every policy. NULLIF: a custom setting reset at the end of a transaction reads as ''.
create function app_tenant() returns uuid
    language sql stable
    as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create function app_platform() returns boolean
    language sql stable
    as $$ select coalesce(current_setting('app.platform', true), '') = 'on' $$;

create table tenants (
    id          uuid primary key default gen_random_uuid(),
    kind        text not null constraint tenants_kind_check
                    check (kind in ('platform', 'workshop', 'warehouse', 'manufacturer')),
    name        text not null constraint tenants_name_check check (length(name) between 1 and 160),
    status      text not null default 'pending' constraint tenants_status_check
                    check (status in ('pending', 'active', 'suspended')),
    phone       text not null default '',
    address     text not null default '',
    created_at  timestamptz not null default now()
);

-- The platform tenant holds the platform admins; its id is fixed so code and data agree without a lookup.
insert into tenants (id, kind, name, status) values ('00000000-0000-0000-0000-000000000000', 'platform', 'Nexus', 'active');

create table users (
    tenant_id      uuid not null references tenants (id),
    id             uuid not null default gen_random_uuid(),
    email          text not null constraint users_email_check check (email = lower(email) and length(email) <= 254),
    username       text constraint users_username_check check (username = lower(username)),
    display_name   text not null,
    password_hash  text not null,
    role           text not null constraint users_role_check
                       check (role in ('admin', 'owner', 'manager', 'operator', 'supply', 'viewer', 'workshop', 'warehouse')),
    status         text not null default 'pending' constraint users_status_check
                       check (status in ('pending', 'active', 'deactivated')),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    approved_at    timestamptz,
    approved_by    uuid,
    primary key (tenant_id, id),
    constraint users_id_key unique (id)
);
-- Login is by e-mail or username before the tenant is known, so both are unique platform-wide. This is the one
-- deliberate exception to "tenant_id leads every key" (a distributed deployment would keep these in a reference table).
create unique index users_email_key on users (email);
create unique index users_username_key on users (username) where username is not null;
-- Admin users page: pending first, then newest (serves `list_users` ordering by status, created_at).
create index users_status_created_idx on users (status, created_at desc, id desc);
create index users_created_idx on users (created_at desc, id desc);

create table sessions (
    tenant_id       uuid not null,
    id              uuid not null default gen_random_uuid(),
    user_id         uuid not null,
    created_at      timestamptz not null default now(),
    last_seen_at    timestamptz not null default now(),
    expires_at      timestamptz not null,
    revoked_at      timestamptz,
    revoked_reason  text constraint sessions_revoked_reason_check
                        check (revoked_reason in ('logout', 'user_revoked', 'session_cap', 'refresh_reuse',
                                                  'password_changed', 'deactivated', 'idle', 'expired')),
    ip              inet,
    user_agent      text not null default '',
    primary key (tenant_id, id),
    constraint sessions_id_key unique (id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
-- Live sessions of a user, oldest first (session cap, "my sessions").
create index sessions_live_by_user_idx on sessions (tenant_id, user_id, created_at) where revoked_at is null;

-- Refresh tokens are opaque random strings; only their SHA-256 is stored. Each use rotates: the presented token gets
-- used_at and a new one is issued in the same session (the family). A used token presented again means it was copied.
create table refresh_tokens (
    tenant_id   uuid not null,
    token_hash  bytea not null,
    session_id  uuid not null,
    created_at  timestamptz not null default now(),
    used_at     timestamptz,
    primary key (tenant_id, token_hash),
    foreign key (tenant_id, session_id) references sessions (tenant_id, id) on delete cascade
);
-- Lookup of a presented token before its tenant is known.
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);

create table api_keys (
    tenant_id     uuid not null references tenants (id),
    id            uuid not null default gen_random_uuid(),
    name          text not null constraint api_keys_name_check check (length(name) between 1 and 80),
    prefix        text not null,
    secret_hash   bytea not null,
    scopes        text[] not null,
    created_by    uuid not null,
    created_at    timestamptz not null default now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    primary key (tenant_id, id),
    constraint api_keys_id_key unique (id)
);
create unique index api_keys_secret_hash_key on api_keys (secret_hash);
create unique index api_keys_tenant_name_key on api_keys (tenant_id, name) where revoked_at is null;

create table audit_log (
    tenant_id      uuid not null,
    id             bigint generated always as identity,
    at             timestamptz not null default now(),
    actor_user_id  uuid,
    actor_email    text,
    action         text not null,
    target_type    text,
    target_id      text,
    before         jsonb,
    after          jsonb,
    ip             inet,
    user_agent     text,
    request_id     text,
    primary key (tenant_id, id)
);
-- Audit browsing is newest first, per tenant (owner) or across tenants (admin): keyset on (at, id).
create index audit_log_tenant_at_idx on audit_log (tenant_id, at desc, id desc);
create index audit_log_at_idx on audit_log (at desc, id desc);

-- Row-level security on every tenant-owned table. FORCE makes the policies bind the table owner too.
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants
    using (id = app_tenant() or app_platform())
    with check (id = app_tenant() or app_platform());

alter table users enable row level security;
alter table users force row level security;
create policy tenant_isolation on users
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table sessions enable row level security;
alter table sessions force row level security;
create policy tenant_isolation on sessions
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table refresh_tokens enable row level security;
alter table refresh_tokens force row level security;
create policy tenant_isolation on refresh_tokens
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table api_keys enable row level security;
alter table api_keys force row level security;
create policy tenant_isolation on api_keys
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

alter table audit_log enable row level security;
alter table audit_log force row level security;
create policy tenant_isolation on audit_log
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

-- The audit log is append-only for the application.
revoke update, delete on audit_log from nexus_app;
