-- Notices by e-mail (issue 25): each person's mail settings (the language and time zone their mail is written in,
-- the address of Nexus they use for its links, and whether they want a daily digest of what they have not read),
-- and a count of failed attempts per notice, so a mail server that refuses one address does not stall the rest.
create table notify_settings (
    tenant_id       uuid not null,
    user_id         uuid not null,
    language        text not null default 'es' constraint notify_settings_language_check check (language in ('es', 'en')),
    time_zone       text not null default 'America/Mexico_City'
                        constraint notify_settings_time_zone_check check (length(time_zone) between 1 and 64),
    -- Where the person uses Nexus (scheme://host[:port]), for the links of their mail; the server's public origin,
    -- when it has one, wins.
    origin          text constraint notify_settings_origin_check check (origin ~ '^https?://[^/]+$' and length(origin) <= 200),
    digest          boolean not null default false,
    -- When the last digest was made (its notices are those after the one before).
    digest_last_at  timestamptz,
    primary key (tenant_id, user_id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
-- The digest job's scan: the people who want one.
create index notify_settings_digest_idx on notify_settings (digest_last_at) where digest;

alter table notify_inbox add column mail_attempts smallint not null default 0;

alter table notify_settings enable row level security;
alter table notify_settings force row level security;
create policy tenant_isolation on notify_settings
    using (tenant_id = (select app_tenant()) or (select app_platform()))
    with check (tenant_id = (select app_tenant()) or (select app_platform()));
