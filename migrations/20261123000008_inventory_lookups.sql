-- Inventory: what an upload's write maintains, and how uploads are found.

-- No index by number: it cost a third of writing an upload's new items (2.8 s of a 1M-row upload), and "my
-- inventory" sorted by number then reads the bodega's items as every other order does (110 ms for a million,
-- measured; the page's count already reads them all).
drop index inventory_items_number_idx;

-- An upload and its rejected rows are looked up by the upload's id alone (the tenant is the session's, applied by
-- row-level security, which an index cannot use): without these, every lookup read every tenant's uploads and
-- rejects.
create unique index inventory_uploads_id_idx on inventory_uploads (id);
alter table inventory_upload_rejects
    drop constraint inventory_upload_rejects_pkey,
    add primary key (upload_id, line);

-- Which OEM number keys the catalog has, as of which change: an upload matches its rows' keys against a copy kept in
-- the server's memory, valid while this version is the one it was read at. Every statement that changes the parts'
-- keys sets it to its own transaction's id, unique in the cluster (so databases of one cluster never share one), and
-- the row lock orders two writers.
create table catalog_parts_version (
    only_row boolean primary key default true check (only_row),
    version bigint not null
);
insert into catalog_parts_version (version) values (pg_current_xact_id()::text::bigint);
alter table catalog_parts_version enable row level security;
alter table catalog_parts_version force row level security;
create policy catalog_read on catalog_parts_version for select using (true);
create policy catalog_write on catalog_parts_version for update using (app_platform()) with check (app_platform());

create function catalog_parts_versioned() returns trigger language plpgsql as $$
begin
    update catalog_parts_version set version = pg_current_xact_id()::text::bigint;
    return null;
end
$$;
create trigger catalog_parts_versioned after insert or delete or truncate or update of id, number_key on catalog_parts
    for each statement execute function catalog_parts_versioned();
