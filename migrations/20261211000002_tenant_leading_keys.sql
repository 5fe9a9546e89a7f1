-- Tenant-owned tables keep `tenant_id` leading their keys and indexes (issue 28), so a distributed PostgreSQL can
-- shard every one of them by it (README, "Past one machine"); `identity::tests` checks every table. Two primary keys
-- did not, and one index repeated another.
alter table inventory_upload_files
    drop constraint inventory_upload_files_pkey,
    add primary key (tenant_id, upload_id, part);
alter table inventory_upload_rejects
    drop constraint inventory_upload_rejects_pkey,
    add primary key (tenant_id, upload_id, line);
-- The same unique index on `id` as `inventory_uploads_id_key`.
drop index inventory_uploads_id_idx;
