-- Sign-in throttling that cannot lock the owner out (issue 22). Failed sign-ins are still counted from the audit log
-- (audit_log_login_failed_idx), now per source network and per trust; a client is trusted for an account when it
-- holds the account's device cookie or comes from a network the account signed in from lately, which this index
-- answers (auth.login events of one user, newest first).
create index audit_log_login_idx on audit_log (actor_user_id, at) where action = 'auth.login';

-- How many failed sign-ins of the account came before this session's sign-in: the account owner is told on their
-- home page (an attack on their password is news to them).
alter table sessions add column failed_before integer not null default 0 check (failed_before >= 0);
