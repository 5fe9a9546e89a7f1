-- An upload matches its rows' numbers against all of the catalog's number keys kept in the server's memory (OEM,
-- aftermarket, superseded or equivalent), not only the OEM ones: probing the aftermarket and cross-reference indexes
-- and writing every row again into a second staging table was an eighth of an upload (measured: 135 ms of 1.05 s at
-- 100,000 rows).
--
-- So the version the copy is valid for covers the three lists: every statement that changes what a key names sets
-- it (renamed from the parts' version it was).
alter table catalog_parts_version rename to catalog_keys_version;
alter function catalog_parts_versioned() rename to catalog_keys_versioned;
create or replace function catalog_keys_versioned() returns trigger language plpgsql as $$
begin
    update catalog_keys_version set version = pg_current_xact_id()::text::bigint;
    return null;
end
$$;
alter trigger catalog_parts_versioned on catalog_parts rename to catalog_keys_versioned;
create trigger catalog_keys_versioned
    after insert or delete or truncate or update of manufacturer_id, number_key on catalog_aftermarket
    for each statement execute function catalog_keys_versioned();
create trigger catalog_keys_versioned
    after insert or delete or truncate or update of part_id, number_key on catalog_cross_refs
    for each statement execute function catalog_keys_versioned();

-- The cross references' keys are read in key order with the part each names: an index-only walk.
drop index catalog_cross_refs_number_key_idx;
create index catalog_cross_refs_number_key_idx on catalog_cross_refs (number_key) include (part_id);
