-- Stops entered by people: a stop the sensors missed, added by hand, and the parts of a stop split by hand (one
-- stop, two causes). The downtime job never moves, ends or removes them, and writes no stop of its own over one; who
-- entered each is in the audit log.
alter table production_downtime add column manual boolean not null default false;
alter table production_downtime add constraint production_downtime_manual_ended check (not manual or end_at is not null);
