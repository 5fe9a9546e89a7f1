-- Every change to the catalog's data, however made (an import, a migration, an admin's SQL), notifies the channel
-- `catalog_changed` when its transaction commits: server instances empty their search caches on it. One notice per
-- statement; PostgreSQL folds a transaction's identical notices into one.
create function catalog_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('catalog_changed', '');
    return null;
end
$$;

create trigger catalog_parts_changed after insert or update or delete or truncate on catalog_parts
    for each statement execute function catalog_changed();
create trigger catalog_vehicles_changed after insert or update or delete or truncate on catalog_vehicles
    for each statement execute function catalog_changed();
create trigger catalog_fitment_changed after insert or update or delete or truncate on catalog_fitment
    for each statement execute function catalog_changed();
create trigger catalog_aftermarket_changed after insert or update or delete or truncate on catalog_aftermarket
    for each statement execute function catalog_changed();
create trigger catalog_cross_refs_changed after insert or update or delete or truncate on catalog_cross_refs
    for each statement execute function catalog_changed();
create trigger catalog_manufacturers_changed after insert or update or delete or truncate on catalog_manufacturers
    for each statement execute function catalog_changed();
create trigger catalog_groups_changed after insert or update or delete or truncate on catalog_groups
    for each statement execute function catalog_changed();
create trigger catalog_synonyms_changed after insert or update or delete or truncate on catalog_synonyms
    for each statement execute function catalog_changed();
create trigger catalog_words_changed after insert or update or delete or truncate on catalog_words
    for each statement execute function catalog_changed();
