//! Identity pages: sign-in, registration, the pending notice, my account (password, sessions), API keys, the
//! administration of users and organisations, the REST API's reference, and invitations (the owner's form and list, the link's page). Each page sits with its server functions and their DTOs.

pub mod account;
pub mod api_keys;
pub mod api_reference;
pub mod invitations;
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
    /// `/developers/api`.
    ApiReferenceRoute => api_reference::ApiReferencePage,
    /// `/admin/users`.
    UsersRoute => users::UsersPage,
    /// `/admin/tenants`.
    TenantsRoute => tenants::TenantsPage,
    /// `/invitation/:token`.
    InvitationRoute => invitations::InvitationPage,
);
