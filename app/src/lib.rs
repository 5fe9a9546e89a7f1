//! Nexus UI: the Leptos application rendered on the server and hydrated in the browser, with the server functions that
//! carry its calls. One folder per area (`identity`, `audit`, …) holds its pages, each with its server functions and
//! DTOs; `ui` holds what pages share. Server functions stay thin: who is calling, then one call into the area's
//! service in `nexus`, then error mapping.
//!
//! Hydration ids must match between server and browser, so resources are created in the page component, before
//! `Protected` and before any suspense boundary: both sides create them in the same order. `Protected` renders its
//! children inside a `Suspend`, and pages open `Transition` boundaries inside it that only read those resources
//! (leptos#2920 concerns resources and boundaries created at different moments on each side; here only boundaries are
//! created inside, and the end-to-end suite checks hydration on every page it visits). Pages render with
//! `SsrMode::Async`. Every page but the first visit's (home, login, register, pending) is a lazy route declared by
//! `ui::area_pages!` in its area's `mod.rs`, so each area's code is one WASM chunk fetched on the first visit to any
//! of its pages and never weighs on the login page.

#![recursion_limit = "256"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod audit;
pub mod catalog;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod error;
pub mod fabrication;
pub mod home;
pub mod identity;
pub mod inventory;
pub mod mes;
pub mod notify;
pub mod production;
#[cfg(feature = "ssr")]
pub mod state;
pub mod stockroom;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::Lazy;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::i18n::*;

/// The HTML document around the app. Rendered on the server only; the theme class comes from the cookie so the first
/// paint already has the user's theme.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let theme_class = use_context::<http::request::Parts>()
        .and_then(|p| {
            let cookies = p.headers.get_all(http::header::COOKIE);
            cookies.iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
                let (k, v) = c.trim().split_once('=')?;
                (k == cookies::THEME_COOKIE && v == "light").then_some("light")
            })
        })
        .unwrap_or("dark");
    #[cfg(not(feature = "ssr"))]
    let theme_class = "dark";
    view! {
        <!DOCTYPE html>
        <html class=theme_class>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="dark light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // /pkg/nexus.<hash>.css in a release build (hash.txt beside the server), else /pkg/nexus.css.
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                // After the load event and an idle moment, off the path of the first and largest paint (the
                // server-rendered page is complete, and its forms work before hydration): see ui::hydration.
                <ui::hydration::DeferredHydration options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-100 text-slate-800 antialiased dark:bg-[#0f172a] dark:text-slate-100">
                <App />
            </body>
        </html>
    }
}

/// Pages render with `SsrMode::Async`: the server sends each page once its data is loaded (our queries take
/// milliseconds), so the browser hydrates exactly the HTML it got, with no fallback-then-swap streaming.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    ui::time::provide_time_zone();
    view! {
        // Spanish unless the user picked English: the browser's Accept-Language is deliberately not consulted.
        <I18nContextProvider
            cookie_options=locale_cookie_options()
            ssr_lang_header_getter=leptos_use::UseLocalesOptions::default().ssr_lang_header_getter(|| None)
        >
            <Title formatter=|t: String| if t.is_empty() { "Nexus".to_owned() } else { format!("{t} · Nexus") } />
            <Router>
                <ui::session::SessionProvider>
                    <ui::layout::Layout>
                        <Routes fallback=ui::layout::NotFound>
                            <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async />
                            <Route path=path!("/login") view=identity::login::LoginPage ssr=SsrMode::Async />
                            <Route path=path!("/register") view=identity::register::RegisterPage ssr=SsrMode::Async />
                            <Route path=path!("/pending") view=identity::register::PendingPage ssr=SsrMode::Async />
                            <Route path=path!("/account") view={Lazy::<identity::AccountRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/account/api-keys") view={Lazy::<identity::ApiKeysRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/developers/api") view={Lazy::<identity::ApiReferenceRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/users") view={Lazy::<identity::UsersRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/tenants") view={Lazy::<identity::TenantsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/invitation/:token") view={Lazy::<identity::InvitationRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/audit") view={Lazy::<audit::AuditRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/catalog") view={Lazy::<catalog::CatalogRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/catalog/parts/:id") view={Lazy::<catalog::PartRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/catalog") view={Lazy::<catalog::CatalogAdminRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/inventory") view={Lazy::<inventory::StockRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/inventory/upload") view={Lazy::<inventory::UploadRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/production") view={Lazy::<production::ProductionRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/production/settings") view={Lazy::<production::SettingsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/production/queries") view={Lazy::<production::QueriesRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/production/report") view={Lazy::<production::ReportRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock") view={Lazy::<stockroom::ItemsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/items/new") view={Lazy::<stockroom::NewItemRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/items/:id") view={Lazy::<stockroom::ItemRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/items/:id/edit") view={Lazy::<stockroom::EditItemRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/counter") view={Lazy::<stockroom::CounterRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/alerts") view={Lazy::<stockroom::AlertsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/stocktakes") view={Lazy::<stockroom::StocktakesRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/stocktakes/:id") view={Lazy::<stockroom::StocktakeRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/labels") view={Lazy::<stockroom::LabelsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/setup") view={Lazy::<stockroom::SetupRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/stock/import") view={Lazy::<stockroom::ImportRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/parts") view={Lazy::<fabrication::PartsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/parts/new") view={Lazy::<fabrication::NewPartRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/parts/:id") view={Lazy::<fabrication::PartRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/parts/:id/edit") view={Lazy::<fabrication::EditPartRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/board") view={Lazy::<fabrication::BoardRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/stats") view={Lazy::<fabrication::StatsRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/fabrication/setup") view={Lazy::<fabrication::SetupRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/tasks") view={Lazy::<mes::TasksRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/tasks/new") view={Lazy::<mes::NewTaskRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/tasks/:id") view={Lazy::<mes::TaskRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/orders") view={Lazy::<mes::OrdersRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/orders/new") view={Lazy::<mes::NewOrderRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/orders/:id") view={Lazy::<mes::OrderRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/terminal") view={Lazy::<mes::TerminalRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/mes/setup") view={Lazy::<mes::FloorSetupRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/inbox") view={Lazy::<notify::InboxRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/account/webhooks") view={Lazy::<notify::WebhooksRoute>::new()} ssr=SsrMode::Async />
                        </Routes>
                    </ui::layout::Layout>
                </ui::session::SessionProvider>
            </Router>
        </I18nContextProvider>
    }
}

/// The language choice persists for a year on every path.
fn locale_cookie_options() -> leptos_i18n::context::CookieOptions<Locale> {
    leptos_use::UseCookieOptions::default()
        .path("/")
        .max_age(365_i64 * 24 * 3600 * 1000)
        .same_site(leptos_use::SameSite::Lax)
}
