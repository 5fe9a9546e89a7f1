-- The platform's tenant list pages newest first on (created_at, id).
create index tenants_created_idx on tenants (created_at desc, id desc);
