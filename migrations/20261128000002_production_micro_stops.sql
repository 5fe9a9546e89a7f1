-- Micro-stops per line and hour (UTC hours, the hour a micro-stop starts in): gaps between a line's output units with
-- more planned time than its micro-stop threshold and no more than its downtime threshold. A loss of their own (the
-- six big losses' "minor stops"), inside run time: performance already pays for them, this says how much of its loss
-- they are. Written by the downtime job as it walks each line's units in order, once each (the job's cursor).
create table production_micro_stops (
    tenant_id   uuid not null,
    line_id     integer not null,
    hour        timestamptz not null constraint production_micro_stops_whole_hour
                    check (hour = date_bin('1 hour', hour, timestamptz '2000-01-01 00:00:00+00')),
    -- Their planned time, and how many.
    ms          bigint not null,
    stops       integer not null,
    primary key (tenant_id, line_id, hour)
);

alter table production_micro_stops enable row level security;
alter table production_micro_stops force row level security;
create policy tenant_isolation on production_micro_stops
    using (tenant_id = (select app_tenant()) or (select app_platform()))
    with check (tenant_id = (select app_tenant()) or (select app_platform()));

-- A plant's stops newest first, for the stops list over the REST API (its keyset pages).
create index production_downtime_tenant_start on production_downtime (tenant_id, start_at desc, id desc);

-- A reason for set-ups and changeovers: its stops are the six big losses' "set-up and adjustments", not a breakdown
-- (a planned one leaves planned time whatever it is).
alter table production_reasons add column setup boolean not null default false;
select set_config('app.platform', 'on', true);
update production_reasons set setup = true where code = 'CAMBIO';
select set_config('app.platform', '', true);
