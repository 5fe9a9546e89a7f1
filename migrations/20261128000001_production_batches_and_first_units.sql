-- A batch's content, so that its id sent again with other units is refused (409) instead of acknowledged while the
-- new units are dropped: the SHA-256 of its units in a canonical order. Batches stored before this have none (a
-- repeat of one of them is acknowledged, as it was).
alter table production_batches add column digest bytea;

-- When a line's first unit was counted (at any of its areas): planned time before it is time with no data, neither
-- running nor stopped (a line not yet connected is not a line running at 0 %). Kept by the ingest's own statement
-- (only ever moved earlier); filled here from what is already counted.
alter table production_lines add column first_unit_at timestamptz;
select set_config('app.platform', 'on', true);
update production_lines l set first_unit_at = d.first
from (select tenant_id, line_id, min(at) as first from production_detections group by 1, 2) d
where d.tenant_id = l.tenant_id and d.line_id = l.id;
select set_config('app.platform', '', true);
