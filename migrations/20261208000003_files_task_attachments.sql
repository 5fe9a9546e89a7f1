-- Files people attach (issue 26: a task's photos and documents; fabrication's drawings next), kept once per
-- organisation by their content (SHA-256): the same file attached twice is stored once. In PostgreSQL, so every
-- instance serves them and a backup holds them. Size and type are checked before a byte is stored (the type from the
-- content, and a name whose extension says otherwise is refused: no renamed binaries).
create table files_blobs (
    tenant_id   uuid not null references tenants (id),
    sha256      bytea not null constraint files_blobs_sha256_check check (length(sha256) = 32),
    size        integer not null constraint files_blobs_size_check check (size between 1 and 10485760),
    media_type  text not null constraint files_blobs_media_type_check check (media_type in (
                    'image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf', 'text/plain',
                    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
    bytes       bytea not null,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, sha256)
);

-- A task's attachments: a file of the organisation under the name it was uploaded with, by whom and when (its type
-- and size as the file's, kept with it: a list reads no file).
create table mes_task_attachments (
    tenant_id    uuid not null references tenants (id),
    id           bigint generated always as identity,
    task_id      bigint not null,
    sha256       bytea not null,
    name         text not null constraint mes_task_attachments_name_check check (length(name) between 1 and 200),
    media_type   text not null,
    size         integer not null,
    uploaded_by  uuid not null references users (id),
    uploaded_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, task_id) references mes_tasks (tenant_id, id),
    foreign key (tenant_id, sha256) references files_blobs (tenant_id, sha256)
);
-- A task's attachments, in order.
create index mes_task_attachments_task on mes_task_attachments (tenant_id, task_id, id);

do $$
declare
    t text;
begin
    foreach t in array array['files_blobs', 'mes_task_attachments'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = (select app_tenant()) or (select app_platform())) '
                       'with check (tenant_id = (select app_tenant()) or (select app_platform()))', t);
    end loop;
end
$$;
-- Files and attachments are history: kept, never changed.
revoke update, delete, truncate on files_blobs, mes_task_attachments from nexus_app;
