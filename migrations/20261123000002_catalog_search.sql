-- Catalog search: the vehicle filter meets the word and number matches inside one index scan.
--
-- `vehicle_ids` holds the ids of the vehicles a part fits (kept by the fitment import, beside `fitment_count`). A
-- filtered search asks `vehicle_ids && $vehicles`: a GIN index answers it, and the planner ANDs that bitmap with the
-- words' (catalog_parts_search_idx), so only parts that match both are read. Joining catalog_fitment instead reads
-- every part of the vehicle (thousands) and every part of the words (tens of thousands) to intersect them.
alter table catalog_parts add column vehicle_ids integer[] not null default '{}';
create index catalog_parts_vehicles_idx on catalog_parts using gin (vehicle_ids);

update catalog_parts p set vehicle_ids = f.ids
from (select part_id, array_agg(vehicle_id order by vehicle_id) as ids from catalog_fitment group by part_id) f
where p.id = f.part_id;

-- The cascade lists years one by one: a vehicle row covers year_from..year_to.
create index catalog_vehicles_years_idx on catalog_vehicles (make_key, model_key, year_from, year_to, engine);
drop index catalog_vehicles_make_model_idx;

-- Words a query may use: the parts' names, their groups' names and descriptions (the typo vocabulary was names only,
-- so "suspension" would have been "corrected"). Rebuilt by each parts import from now on.
delete from catalog_words;
insert into catalog_words (word, parts)
select w, count(*) from (
    select regexp_split_to_table(catalog_fold(p.name || ' ' || coalesce(g.path, '') || ' ' || p.description),
                                       '[^a-z]+') as w
    from catalog_parts p left join catalog_groups g on g.id = p.group_id
) t
where length(w) >= 3
group by w;
