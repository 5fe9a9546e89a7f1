//! Shared UI: the app frame (header, navigation, language and theme), the session context, and the small components
//! and style tokens every page uses (fields, banners, the one list: `list`), dates in the user's time zone and counts as each
//! language writes them.

pub mod components;
pub mod file_drop;
pub mod hydration;
pub mod layout;
pub mod list;
pub mod live;
pub mod number;
pub mod script;
pub mod session;
pub mod time;

/// Declares an area's pages past the first visit as lazy routes that share ONE split point, so the area's code is
/// one WASM chunk (plus the one chunk of code the areas share), fetched on the first visit to any of its pages, or before
/// hydrating when the visit starts there; it never weighs on the login page. In the area's `mod.rs`:
/// `area_pages!(catalog_pages; CatalogRoute => search::CatalogPage, PartRoute => part::PartPage);` makes the route
/// types (the first name is the chunk's: each area its own, or the areas would share one chunk), routed in
/// `lib.rs` as `view={Lazy::<catalog::CatalogRoute>::new()}` (a tidy test keeps every route past the first visit
/// lazy). One split point per area rather than per page: 13 of them gave 217 chunks (one per set of pages sharing
/// code), a hundred requests on a first visit; and scripts/build has wasm-split put the shared code in one chunk.
macro_rules! area_pages {
    ($chunk:ident; $($(#[$meta:meta])* $route:ident => $page:path),+ $(,)?) => {
        /// Which of the area's pages [`pages`] renders.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Page {
            $($route),+
        }

        /// The area's pages behind one split point (`#[lazy]`: in the browser build, this function and everything
        /// only it reaches is the area's chunk).
        // The split point's name is the chunk's: `#[lazy]` adds a hash of where it is written, which is this macro
        // for every area, so the name alone keeps the areas' chunks apart.
        #[::leptos::lazy($chunk)]
        fn pages(page: Page) -> ::leptos::prelude::AnyView {
            use ::leptos::prelude::IntoAny;
            match page {
                $(Page::$route => $page().into_any()),+
            }
        }

        $(
            $(#[$meta])*
            pub struct $route;

            impl ::leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> ::leptos::prelude::AnyView {
                    pages(Page::$route).await
                }

                async fn preload() {
                    // The chunk is loaded before a visit that starts on this page hydrates (the browser build only).
                    #[cfg(target_arch = "wasm32")]
                    __preload_pages().await;
                }
            }
        )+
    };
}
pub(crate) use area_pages;
