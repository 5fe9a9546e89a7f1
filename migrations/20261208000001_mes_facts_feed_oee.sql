-- Stage facts feed the production figures (issue 26): a line counts its units by sensors (the machines' batches)
-- or by people (the MES stage facts recorded on it). On a people line a fact's good and scrap are its units, added to
-- the output's per-minute and per-hour rollups that every figure reads; the scrap an inspection stage finds lowers
-- the good units of the line and shift that made them, sensors or people. The downtime job judges only sensor lines
-- (a people line records a shift's work in a few facts: its silence between them is no stop).
alter table production_lines add column counting text not null default 'sensors'
    constraint production_lines_counting_check check (counting in ('sensors', 'people'));

-- What of each rollup came from people's facts (units, good units; an inspection's rejects on a sensor line are
-- negative good): the dashboard says which figures came from people and which from sensors.
alter table production_minutes add column people_total integer not null default 0,
    add column people_good integer not null default 0;
alter table production_hours add column people_total bigint not null default 0,
    add column people_good bigint not null default 0;

-- Where a fact landed in the figures: the line, minute and product it was added to and what it added there (units, good
-- units: a people line's fact adds its good and scrap; an inspection's scrap takes good units from the line and
-- shift that made them), so its reversal takes exactly that back, whatever the stage has become since. Null when
-- it feeds none (no line on its stage, a sensor line's own stage, an order without a product, an inspection with no
-- line before it).
alter table mes_facts add column oee_line_id integer, add column oee_minute timestamptz,
    add column oee_product_id integer, add column oee_total integer, add column oee_good integer,
    add constraint mes_facts_oee_check check (
        (oee_line_id is null and oee_minute is null and oee_product_id is null and oee_total is null
         and oee_good is null)
        or (oee_line_id is not null and oee_minute is not null and oee_product_id is not null
            and oee_total is not null and oee_good is not null and oee_minute = date_trunc('minute', oee_minute))),
    add constraint mes_facts_oee_line_fkey foreign key (tenant_id, oee_line_id)
        references production_lines (tenant_id, id),
    add constraint mes_facts_oee_product_fkey foreign key (tenant_id, oee_product_id)
        references production_products (tenant_id, id);
-- The dashboard's "from people" figures: a line's facts inside a span.
create index mes_facts_oee on mes_facts (tenant_id, oee_line_id, oee_minute) where oee_line_id is not null;

-- A fact that changes the figures refreshes the plant's open dashboards, as a stored batch does (migration
-- 20261206000001's notice on the channel they hear).
create trigger mes_facts_production_changed after insert on mes_facts
    for each row when (new.oee_line_id is not null) execute function mes_changed();
