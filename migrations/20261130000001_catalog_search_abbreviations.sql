-- Abbreviations written with a slash between single letters ("A/C", "A/A", "T/M") are one word to a mechanic, but
-- PostgreSQL's text search parser reads "A/C" as a file path: the lexeme "a/c", which no query word ever meets, so
-- "Compresor de A/C" found nothing, not even typed exactly. A part's searchable text now joins such letters ("AC"),
-- the way the search box reads the query (src/catalog/rules/query.rs), and the document is built by one function
-- that the import uses too.

create function catalog_search_text(t text) returns text
    language sql immutable parallel safe strict
    as $$ select regexp_replace(t, '\m([[:alpha:]])/([[:alpha:]])\M', '\1\2', 'g') $$;

-- A part's search document: its name (weight A), its group path (B) and its description (C).
create function catalog_part_search(name text, group_path text, description text) returns tsvector
    language sql immutable parallel safe
    as $$
        select setweight(to_tsvector('nexus_es', catalog_search_text(coalesce(name, ''))), 'A')
            || setweight(to_tsvector('nexus_es', catalog_search_text(coalesce(group_path, ''))), 'B')
            || setweight(to_tsvector('nexus_es', catalog_search_text(coalesce(description, ''))), 'C')
    $$;

-- Only the parts whose text has such an abbreviation change.
update catalog_parts p
set search = catalog_part_search(p.name, (select g.path from catalog_groups g where g.id = p.group_id), p.description)
where p.name ~ '[[:alpha:]]/[[:alpha:]]' or p.description ~ '[[:alpha:]]/[[:alpha:]]'
   or exists (select 1 from catalog_groups g where g.id = p.group_id and g.path ~ '[[:alpha:]]/[[:alpha:]]');
