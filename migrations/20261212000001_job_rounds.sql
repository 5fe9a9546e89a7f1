-- When each background job's latest round began, across every server instance (issue 28). The runner's advisory lock
-- keeps two rounds of a job from overlapping; this keeps the job from running once per instance per period (three
-- instances whose timers tick apart would otherwise each run it in turn). The transaction holding the lock records
-- the round and commits when the round has ended well; a round cut short (its instance killed, or failed) is not
-- recorded, so the next tick on any instance runs it again. Not a tenant's data: no tenant column, no row-level security.
create table job_rounds (
    job text primary key,
    started_at timestamptz not null
);
