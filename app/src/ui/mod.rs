//! Shared UI: the app frame (header, navigation, language and theme), the session context, and the small components
//! and style tokens every page uses (fields, banners, tables), dates in the user's time zone and counts as each
//! language writes them.

pub mod components;
pub mod hydration;
pub mod layout;
pub mod number;
#[cfg(feature = "ssr")]
pub mod paging;
pub mod session;
pub mod time;

/// Declares a page past the first visit as a lazy route: `lazy_page!(AccountRoute => AccountPage);` makes
/// `AccountRoute`, whose code (the page and what only it uses) becomes its own WASM chunk, fetched on the first visit
/// or before hydrating when the visit starts there, so it never weighs on the login page. Routed in `lib.rs` as
/// `view={Lazy::<…::AccountRoute>::new()}` (a tidy test keeps every route past the first visit lazy).
macro_rules! lazy_page {
    ($(#[$meta:meta])* $route:ident => $page:ident) => {
        $(#[$meta])*
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> ::leptos::prelude::AnyView {
                use ::leptos::prelude::IntoAny;
                ::leptos::view! { <$page /> }.into_any()
            }
        }
    };
}
pub(crate) use lazy_page;
