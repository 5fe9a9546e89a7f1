-- Identity hardening (issue 6): machine scopes renamed, sessions end for tenant suspension and last at most 12 hours,
-- failed logins are counted per account, ended sessions are purged.

-- The detection-ingest scope is named after its area, like every other scope.
update api_keys set scopes = array_replace(scopes, 'detections:write', 'production:ingest')
where 'detections:write' = any (scopes);

-- A suspended tenant's sessions end with their own reason.
alter table sessions drop constraint sessions_revoked_reason_check;
alter table sessions add constraint sessions_revoked_reason_check
    check (revoked_reason in ('logout', 'user_revoked', 'session_cap', 'refresh_reuse', 'password_changed',
                              'deactivated', 'tenant_suspended', 'idle', 'expired'));

-- Absolute session lifetime is 12 hours (OWASP ASVS 3.3.2): live sessions opened under the old 30-day rule are cut.
update sessions set expires_at = least(expires_at, created_at + interval '12 hours') where revoked_at is null;

-- Per-account login throttle: failures of one login in the last 15 minutes (audit::failed_logins_since).
create index audit_log_login_failed_idx on audit_log (actor_email, at) where action = 'auth.login_failed';

-- The purge job deletes sessions that ended more than a day ago (sessions::purge_ended).
create index sessions_ended_idx on sessions ((coalesce(revoked_at, expires_at)));
