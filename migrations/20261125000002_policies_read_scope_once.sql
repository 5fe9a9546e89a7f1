-- Row-level security reads the transaction's scope once per query, not once per row. The policies compared each row
-- with `app_tenant()` and `app_platform()`: stable SQL functions that the planner inlines into `current_setting(..)`
-- calls made for every row a query touches. Wrapped in a subquery, each becomes an init plan evaluated once per
-- query (the usual pattern for functions in policies). The production dashboard's 30-day query of
-- one line (41,550 rows per minute) went from 207.6 / 263.7 ms to 92.8 / 111.6 ms (p50 / p95 of 200, bench
-- production, 2026-11-25). Same rows either way: the settings do not change within a query.
-- Every policy is rewritten here; a policy added later writes `(select app_tenant())` and `(select app_platform())`
-- itself (identity::tests::policies_read_the_scope_once_per_query checks them all).
do $$
declare
    p record;
    clauses text;
begin
    for p in select tablename, policyname, qual, with_check from pg_policies where schemaname = 'public' loop
        clauses := concat_ws(' ',
            'using (' || replace(replace(p.qual, 'app_tenant()', '(select app_tenant())'),
                                 'app_platform()', '(select app_platform())') || ')',
            'with check (' || replace(replace(p.with_check, 'app_tenant()', '(select app_tenant())'),
                                      'app_platform()', '(select app_platform())') || ')');
        if clauses <> '' and (p.qual like '%app\_%()%' or p.with_check like '%app\_%()%') then
            execute format('alter policy %I on public.%I %s', p.policyname, p.tablename, clauses);
        end if;
    end loop;
end
$$;
