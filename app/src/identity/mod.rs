//! Identity pages: sign-in, registration, the pending notice, my account (password, sessions), API keys, and the
//! administration of users. Each page sits with its server functions and their DTOs.

pub mod account;
pub mod api_keys;
pub mod login;
pub mod register;
pub mod tenants;
pub mod users;

crate::ui::area_pages!(
    identity_pages;
    /// `/account`.
    AccountRoute => account::AccountPage,
    /// `/account/api-keys`.
    ApiKeysRoute => api_keys::ApiKeysPage,
    /// `/admin/users`.
    UsersRoute => users::UsersPage,
    /// `/admin/tenants`.
    TenantsRoute => tenants::TenantsPage,
);
