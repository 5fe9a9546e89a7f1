//! Identity SQL, one module per aggregate. Functions take a transaction already scoped to a tenant (see [`crate::db`])
//! and return row types that never leave this area: the service turns them into its own public types.

pub(in crate::identity) mod api_keys;
pub(in crate::identity) mod invitations;
pub(in crate::identity) mod rate_limits;
pub(in crate::identity) mod sessions;
pub(in crate::identity) mod tenants;
pub(in crate::identity) mod users;
