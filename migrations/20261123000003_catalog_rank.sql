-- Broad searches (thousands of matches: "filtro", a make without a model) read their page by walking the parts in
-- rank order, most fitted first, and stop at the page's end, instead of fetching and sorting every match.
create index catalog_parts_rank_idx on catalog_parts (fitment_count desc, id);
