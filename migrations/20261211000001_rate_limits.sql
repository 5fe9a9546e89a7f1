-- Rate limits shared by every server instance (issue 28): each instance leases a few requests at a time of a key's
-- quota for the current minute (`claimed` never passes the quota, however many instances ask), and serves them from
-- memory. Unlogged: a count of the last minute is not worth a WAL record, nor a replica's copy; a crash empties it,
-- which only forgives one minute. Not a tenant's data (keys are a user, an API key or an address): no tenant column,
-- no row-level security; the application role reads and writes it, nothing else.
create unlogged table rate_limits (
    key text not null,
    -- The minute (Unix seconds / 60) the quota is for.
    window_start bigint not null,
    claimed integer not null check (claimed >= 0),
    -- What the last claim was granted (so one statement both claims and says how much it got).
    granted integer not null check (granted >= 0),
    primary key (key, window_start)
);
