-- A shift report signed off: one line's run of one shift (the shift that starts on `day`, the plant's local date), who
-- signed it, when, a note, and the figures as they were signed (so a report whose figures changed since — late units,
-- a stop classified — says so and can be signed again).
create table production_shift_signoffs (
    tenant_id  uuid not null references tenants (id),
    line_id    integer not null,
    shift_id   integer not null,
    day        date not null,
    signed_by  uuid not null,
    signed_at  timestamptz not null default now(),
    note       text constraint production_shift_signoffs_note_check check (length(note) <= 500),
    figures    jsonb not null,
    primary key (tenant_id, line_id, shift_id, day),
    foreign key (tenant_id, line_id) references production_lines (tenant_id, id) on delete cascade,
    foreign key (tenant_id, shift_id) references production_shifts (tenant_id, id) on delete cascade
);

alter table production_shift_signoffs enable row level security;
alter table production_shift_signoffs force row level security;
create policy tenant_isolation on production_shift_signoffs
    using (tenant_id = (select app_tenant()) or (select app_platform()))
    with check (tenant_id = (select app_tenant()) or (select app_platform()));
