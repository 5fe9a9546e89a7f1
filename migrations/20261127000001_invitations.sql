-- Invitations: how an organisation gets its people. An owner (or the platform, creating an organisation with its first
-- owner) invites an e-mail address into a role; the invitee opens a one-time link, sets their own name and password,
-- and their account is active at once. Only the SHA-256 of the link's token is stored, as for refresh tokens.
create table invitations (
    tenant_id     uuid not null references tenants (id),
    id            uuid not null default gen_random_uuid(),
    email         text not null constraint invitations_email_check check (email = lower(email) and length(email) <= 254),
    role          text not null constraint invitations_role_check
                      check (role in ('admin', 'owner', 'manager', 'operator', 'supply', 'viewer', 'workshop', 'warehouse')),
    token_hash    bytea not null,
    -- Who invited: an owner of the organisation, or a platform admin creating it (whose account is in the platform
    -- tenant, out of the organisation's sight: their name is kept here, and no foreign key crosses tenants).
    invited_by       uuid not null,
    invited_by_name  text not null,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null,
    accepted_at   timestamptz,
    accepted_user uuid,
    revoked_at    timestamptz,
    -- Whether the link went out by e-mail (false: the owner was shown it to pass on).
    mailed        boolean not null default false,
    primary key (tenant_id, id),
    constraint invitations_id_key unique (id),
    constraint invitations_once check (accepted_at is null or revoked_at is null)
);
-- The link's token is looked up before its tenant is known.
create unique index invitations_token_key on invitations (token_hash);
-- One open invitation per address and organisation: inviting again replaces it (the service revokes the old one).
create unique index invitations_open_email_key on invitations (tenant_id, email)
    where accepted_at is null and revoked_at is null;
-- The owner's list: newest first.
create index invitations_created_idx on invitations (tenant_id, created_at desc, id desc);

alter table invitations enable row level security;
alter table invitations force row level security;
create policy tenant_isolation on invitations
    using (tenant_id = (select app_tenant()) or (select app_platform()))
    with check (tenant_id = (select app_tenant()) or (select app_platform()));
