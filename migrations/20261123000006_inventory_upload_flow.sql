-- The upload flow: what a read of the file found (kept so an open upload is shown without reading its file again),
-- progress while a large file is processed, rejected rows kept by line and reason (their cells are read back from
-- the file when they are downloaded), and the lookups the flow makes.

alter table inventory_uploads
    add column sheets text[] not null default '{}',
    add column headers text[] not null default '{}',
    -- The first rows under the header, raw and as understood (`rules::upload::PreviewRow`).
    add column preview jsonb not null default '[]',
    add column mapping_source text constraint inventory_uploads_mapping_source_check
        check (mapping_source in ('suggested', 'saved', 'adapted', 'chosen')),
    -- With an adapted mapping, how the headers differ from the saved ones (`rules::upload::HeaderChange`).
    add column header_change jsonb,
    -- Why it failed (`rules::file::FileProblem`), beside the `problem` code.
    add column problem_detail jsonb;

-- Rejected rows are kept by line and reason; the file (kept with its upload) gives their cells back.
alter table inventory_upload_rejects alter column cells drop not null;

-- How far the processing of an upload has got: written on a connection of its own, outside the upload's
-- transaction (which may hold the upload's row for seconds), so the browser can show it while the work goes on.
create table inventory_upload_progress (
    tenant_id   uuid not null,
    upload_id   uuid not null,
    phase       text not null constraint inventory_upload_progress_phase_check
                    check (phase in ('reading', 'matching', 'writing')),
    rows_read   bigint not null default 0,
    fraction    real not null default 0,
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, upload_id),
    foreign key (tenant_id, upload_id) references inventory_uploads (tenant_id, id) on delete cascade
);
alter table inventory_upload_progress enable row level security;
alter table inventory_upload_progress force row level security;
create policy tenant_isolation on inventory_upload_progress
    using (tenant_id = app_tenant() or app_platform())
    with check (tenant_id = app_tenant() or app_platform());

-- "This file with this mapping was committed before": the committed uploads of a file, by its hash.
create index inventory_uploads_sha_idx on inventory_uploads (tenant_id, file_sha256) where status = 'committed';
-- Profiles most recently used first (a changed header row is compared with the latest few).
create index inventory_profiles_recent_idx on inventory_profiles (tenant_id, updated_at desc);
