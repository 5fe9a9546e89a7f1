//! Identity: tenants, users, sessions, API keys and who may do what.
//!
//! `rules` holds the pure part: roles, the permission matrix (`permissions_of`) and the API scopes (`auth.rs`); tenant
//! kinds, tenant and user statuses, the admin actions and the one table of which roles a kind of tenant may hold
//! (`tenant.rs`); the password policy, e-mail and registration validation (`account.rs`); access-token claims.
//! `service` holds the flows: `auth` (login, refresh rotation, sessions, registration, password change, `me`), `users`
//! (approve, deactivate, roles; the platform's tenant list and tenant suspension), `api_keys`, `demo` (the demo tenants
//! and accounts), `maintenance` (the session purge, the job `purge_sessions` in `service::jobs()`), `passwords` (the
//! 10,000 most common, refused). `store` holds the SQL, private to this area.
//!
//! # Sessions and passwords
//!
//! Argon2id (19 MiB, t=2, p=1) on the blocking pool; unknown logins verify against a dummy hash. Logins longer than 254
//! characters are refused before any lookup or audit. Failed logins are throttled per account (10 in 15 minutes,
//! counted in the audit log so every instance agrees) and per address (the server's rate limiter). Browser: access JWT
//! (HS256, 15 min, names its session) in the HttpOnly SameSite=Lax cookie `nexus_at`, opaque refresh token (`nexus_rt`,
//! stored as SHA-256) rotated on use; both `__Host-` prefixed and Secure behind TLS. A session lives at most 12 hours
//! and ends after 30 idle minutes. A rotated token presented again within 20 s (a browser racing itself) gets the same
//! successor (derived from it by HMAC, so nothing new is minted); later, it revokes the session. A login that races a
//! password change re-checks the hash under the user's row lock. A fourth login revokes the oldest session. Every
//! session's end is audited, whether by logout, timeout, expiry, deactivation, suspension, theft detection or the
//! session cap. Sessions are deleted a day after they ended.
//!
//! # Machines
//!
//! `Authorization: Bearer nxk_…` is an API key of one tenant, stored hashed, revocable, with scopes (one enum,
//! `ApiScope`). A key works only while its tenant and its creator are active, with the scopes its creator's role holds
//! today; the machine caller also carries that role, for operations that need a permission beyond their scope
//! (`Caller::require_with`: a part's availability is `catalog:read` plus `AvailabilityRead`, so a key minted by a
//! bodega's staff, who may not compare bodegas' prices, gets 403 there while an owner's key passes).
//!
//! # Tenancy exceptions
//!
//! Tenant-owned tables have `tenant_id` leading their primary key, except where the lookup happens before the tenant is
//! known or the id is global anyway: the `tenants` table itself (keyed by `id`); unique indexes on `users.email` and
//! `users.username` (login), `refresh_tokens.token_hash` (refresh) and `api_keys.secret_hash` (key authentication); and
//! `unique (id)` on `users`, `sessions` and `api_keys` beside their `(tenant_id, id)` keys (ids are random UUIDs). A
//! distributed deployment would keep the lookup indexes in reference tables.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
