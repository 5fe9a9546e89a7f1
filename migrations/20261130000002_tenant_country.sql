-- The country an organisation is in: how its people write numbers and money (Mexico 1,311.74; Argentina and Colombia
-- 1.311,74) and its home currency. Chosen at registration (or by the platform admin who creates it); the platform's
-- markets are listed in src/numbers.rs (COUNTRIES). Existing organisations are Mexican, the platform's home.
alter table tenants add column country text not null default 'MX'
    constraint tenants_country_check check (country ~ '^[A-Z]{2}$');
