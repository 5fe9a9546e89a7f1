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
