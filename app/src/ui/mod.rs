//! Shared UI: the app frame (header, navigation, language and theme), the session context, and the small components
//! and style tokens every page uses (fields, banners, tables), and dates in the
//! user's time zone.

pub mod components;
pub mod hydration;
pub mod layout;
#[cfg(feature = "ssr")]
pub mod paging;
pub mod session;
pub mod time;
