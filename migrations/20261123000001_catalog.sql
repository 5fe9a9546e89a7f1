-- Catalog: the auto-parts workshops search. Platform data: no tenant owns a row. Everyone the application serves reads
-- it (row-level security still binds writes: only platform work, i.e. admins and the import CLI, may change it).
--
-- Part numbers are compared on their key (letters and digits, upper-cased: see src/catalog/rules/number.rs), stored in
-- a "C"-collated column so a btree serves both the exact and the prefix match; a trigram index serves the infix match
-- ("B2210" finds "157B2210"). Words are matched through `search`, a tsvector in the `nexus_es` configuration (Spanish
-- stems, accents ignored), kept by the import from the part's name, its group path and its description.

create extension if not exists pg_trgm;
create extension if not exists unaccent;

-- Spanish without accents: "bujía" and "bujia" meet, "pastillas" and "pastilla" share a stem.
create text search configuration nexus_es (copy = pg_catalog.spanish);
alter text search configuration nexus_es
    alter mapping for hword, hword_part, word with unaccent, spanish_stem;

-- How the catalog's text is compared outside full-text search (vehicle names, synonyms, the typo vocabulary):
-- lower-cased, without accents, inner spaces made one. `unaccent` is only stable, hence the wrapper that pins its
-- dictionary: immutable, so indexes and generated columns may use it.
create function catalog_fold(t text) returns text
    language sql immutable parallel safe strict
    as $$ select btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)), '\s+', ' ', 'g')) $$;

create table catalog_manufacturers (
    id          integer generated always as identity primary key,
    name        text not null constraint catalog_manufacturers_name_check check (length(name) between 1 and 80),
    -- src/catalog/rules/legacy.rs manufacturer_key: trimmed, one space, upper-cased.
    key         text not null constraint catalog_manufacturers_key_key unique,
    created_at  timestamptz not null default now()
);

-- The group tree (Frenos › Pastillas). `path` is the natural key the import files use.
create table catalog_groups (
    id          integer generated always as identity primary key,
    parent_id   integer references catalog_groups (id),
    name        text not null constraint catalog_groups_name_check check (length(name) between 1 and 80),
    path        text not null constraint catalog_groups_path_key unique
);
create index catalog_groups_parent_idx on catalog_groups (parent_id);

-- OEM parts.
create table catalog_parts (
    id               bigint generated always as identity primary key,
    manufacturer_id  integer not null references catalog_manufacturers (id),
    number           text not null constraint catalog_parts_number_check check (length(number) between 1 and 40),
    number_key       text collate "C" not null constraint catalog_parts_number_key_check check (number_key <> ''),
    name             text not null constraint catalog_parts_name_check check (length(name) between 1 and 200),
    description      text not null default '' constraint catalog_parts_description_check check (length(description) <= 2000),
    group_id         integer references catalog_groups (id),
    -- Vehicles the part fits, kept by the fitment import (results show it; no count per query).
    fitment_count    integer not null default 0,
    search           tsvector not null default ''::tsvector,
    updated_at       timestamptz not null default now(),
    constraint catalog_parts_number_unique unique (manufacturer_id, number_key)
);
-- Exact and prefix number matches: number_key = $1, number_key like $1 || '%' ("C" collation: a plain btree serves both).
create index catalog_parts_number_key_idx on catalog_parts (number_key);
-- Infix number matches (from 3 characters): number_key like '%' || $1 || '%'.
create index catalog_parts_number_key_trgm_idx on catalog_parts using gin (number_key gin_trgm_ops);
-- Word matches.
create index catalog_parts_search_idx on catalog_parts using gin (search);
create index catalog_parts_group_idx on catalog_parts (group_id);

create table catalog_vehicles (
    id               integer generated always as identity primary key,
    -- The source catalog's own id for the vehicle (its natural key: fitment files refer to vehicles by it).
    code             text not null constraint catalog_vehicles_code_key unique
                         constraint catalog_vehicles_code_check check (length(code) between 1 and 40),
    make             text not null constraint catalog_vehicles_make_check check (length(make) between 1 and 60),
    model            text not null constraint catalog_vehicles_model_check check (length(model) between 1 and 80),
    year_from        smallint not null,
    year_to          smallint not null,
    -- Engine code ("2KD-FTV", "1.6 16V"); '' when the catalog does not say.
    engine           text not null default '' constraint catalog_vehicles_engine_check check (length(engine) <= 60),
    displacement_l   numeric(3, 1) constraint catalog_vehicles_displacement_check check (displacement_l > 0),
    fuel             text constraint catalog_vehicles_fuel_check
                         check (fuel in ('gasoline', 'diesel', 'hybrid', 'electric', 'lpg', 'cng')),
    make_key         text generated always as (catalog_fold(make)) stored,
    model_key        text generated always as (catalog_fold(model)) stored,
    constraint catalog_vehicles_years_check check (year_from between 1900 and 2100 and year_to between year_from and 2100)
);
-- The cascade (make → model → year → engine) and query words that name a make or a model.
create index catalog_vehicles_make_model_idx on catalog_vehicles (make_key, model_key, year_from, year_to);
create index catalog_vehicles_model_idx on catalog_vehicles (model_key);

create table catalog_fitment (
    part_id     bigint not null references catalog_parts (id) on delete cascade,
    vehicle_id  integer not null references catalog_vehicles (id) on delete cascade,
    -- Where on the vehicle ("delantera", "trasera izquierda"); '' when it does not matter.
    position    text not null default '' constraint catalog_fitment_position_check check (length(position) <= 60),
    notes       text not null default '' constraint catalog_fitment_notes_check check (length(notes) <= 500),
    primary key (part_id, vehicle_id, position)
);
-- The vehicle filter: the parts that fit a set of vehicles.
create index catalog_fitment_vehicle_idx on catalog_fitment (vehicle_id, part_id);

-- Aftermarket parts, one row per OEM part they replace (a pad set often crosses to several OEM numbers).
create table catalog_aftermarket (
    id               bigint generated always as identity primary key,
    manufacturer_id  integer not null references catalog_manufacturers (id),
    number           text not null constraint catalog_aftermarket_number_check check (length(number) between 1 and 40),
    number_key       text collate "C" not null constraint catalog_aftermarket_number_key_check check (number_key <> ''),
    name             text not null constraint catalog_aftermarket_name_check check (length(name) between 1 and 200),
    tier             text not null constraint catalog_aftermarket_tier_check
                         check (tier in ('oe', 'premium', 'standard', 'economy')),
    reference_price  numeric(12, 2) constraint catalog_aftermarket_price_check check (reference_price >= 0),
    currency         text not null default 'MXN' constraint catalog_aftermarket_currency_check check (currency ~ '^[A-Z]{3}$'),
    part_id          bigint not null references catalog_parts (id) on delete cascade,
    updated_at       timestamptz not null default now(),
    constraint catalog_aftermarket_unique unique (manufacturer_id, number_key, part_id)
);
create index catalog_aftermarket_number_key_idx on catalog_aftermarket (number_key);
create index catalog_aftermarket_number_key_trgm_idx on catalog_aftermarket using gin (number_key gin_trgm_ops);
-- A part page's alternatives.
create index catalog_aftermarket_part_idx on catalog_aftermarket (part_id);

-- Other numbers for an OEM part: equivalents from other catalogs, and superseded numbers (searching an old number finds
-- the current part).
create table catalog_cross_refs (
    part_id     bigint not null references catalog_parts (id) on delete cascade,
    number      text not null constraint catalog_cross_refs_number_check check (length(number) between 1 and 40),
    number_key  text collate "C" not null constraint catalog_cross_refs_number_key_check check (number_key <> ''),
    -- Who says so: a brand or a catalog ("BOSCH", "TecDoc"); '' when unknown.
    source      text not null default '' constraint catalog_cross_refs_source_check check (length(source) <= 80),
    kind        text not null constraint catalog_cross_refs_kind_check check (kind in ('equivalent', 'supersedes')),
    primary key (part_id, number_key, source)
);
create index catalog_cross_refs_number_key_idx on catalog_cross_refs (number_key);
create index catalog_cross_refs_number_key_trgm_idx on catalog_cross_refs using gin (number_key gin_trgm_ops);

-- Words that mean the same to a mechanic (pastillas / balatas, amortiguador / shock). One row per group; terms are
-- folded (catalog_fold). Data an admin extends; the search expands a query word to its group.
create table catalog_synonyms (
    id     integer generated always as identity primary key,
    terms  text[] not null constraint catalog_synonyms_terms_check check (cardinality(terms) between 2 and 20)
);
create index catalog_synonyms_terms_idx on catalog_synonyms using gin (terms);

-- The words of the catalog's names (folded), for typo tolerance: a query word found nowhere is replaced by the most
-- similar known word ("amortiguadro" → "amortiguador"). Rebuilt by each import.
create table catalog_words (
    word   text primary key,
    parts  integer not null
);
create index catalog_words_trgm_idx on catalog_words using gin (word gin_trgm_ops);

-- Imports, migrations and generated data: who ran what, when, and the report.
create table catalog_runs (
    id           uuid primary key default gen_random_uuid(),
    kind         text not null constraint catalog_runs_kind_check check (kind in ('import', 'migration', 'generate')),
    status       text not null default 'running' constraint catalog_runs_status_check
                     check (status in ('running', 'succeeded', 'failed')),
    actor        text not null,
    source       text not null default '',
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    report       jsonb not null default '{}'::jsonb
);
create index catalog_runs_started_idx on catalog_runs (started_at desc, id desc);

-- Everyone reads; only platform work writes.
do $$
declare
    t text;
begin
    foreach t in array array['catalog_manufacturers', 'catalog_groups', 'catalog_parts', 'catalog_vehicles',
                             'catalog_fitment', 'catalog_aftermarket', 'catalog_cross_refs', 'catalog_synonyms',
                             'catalog_words', 'catalog_runs']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy catalog_read on %I for select using (true)', t);
        execute format('create policy catalog_write on %I for all using (app_platform()) with check (app_platform())', t);
    end loop;
end
$$;

-- The synonyms a Mexican or Colombian workshop uses every day; admins add more.
insert into catalog_synonyms (terms) values
    (array['pastillas', 'balatas', 'pastillas de freno']),
    (array['pastilla', 'balata']),
    (array['amortiguador', 'amortiguadores', 'shock', 'shocks']),
    (array['bujia', 'bujias']),
    (array['banda', 'correa']),
    (array['banda de distribucion', 'correa de distribucion', 'banda de tiempo']),
    (array['filtro de aceite', 'filtro aceite']),
    (array['filtro de aire', 'filtro aire']),
    (array['bomba de agua', 'bomba agua']),
    (array['disco de freno', 'rotor', 'disco']),
    (array['soporte de motor', 'base de motor', 'soporte motor']),
    (array['terminal de direccion', 'rotula de direccion']),
    (array['horquilla', 'tijera', 'brazo de control']),
    (array['embrague', 'clutch', 'croche']),
    (array['radiador', 'enfriador']),
    (array['faro', 'farol', 'optica']),
    (array['calavera', 'piloto trasero', 'stop']),
    (array['llanta', 'neumatico', 'cubierta']);
