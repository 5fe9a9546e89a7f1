//! The app frame: header with navigation by role, language and theme switches, and the standard not-found and
//! no-access pages.

use leptos::prelude::*;
use leptos_router::components::A;
use nexus::identity::rules::auth::Permission;
use nexus::identity::rules::tenant::TenantKind;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD};
use crate::ui::session::{Me, use_session};

#[server(prefix = "/api", endpoint = "ui/theme")]
pub async fn set_theme(theme: String) -> Result<(), AppError> {
    use nexus::codes::ErrorCode;
    if !matches!(theme.as_str(), "dark" | "light") {
        return Err(AppError::field("theme", ErrorCode::InvalidInput).with_status());
    }
    let st = crate::state::state()?;
    let cookie = cookie::Cookie::build((crate::cookies::THEME_COOKIE, theme))
        .path("/")
        .same_site(cookie::SameSite::Lax)
        .secure(st.security.secure_cookies)
        .max_age(cookie::time::Duration::days(365))
        .build();
    crate::state::set_cookie(&cookie);
    Ok(())
}

/// What the navigation counts for the caller: pending registrations they may approve (0 for anyone who approves
/// nothing) and their unread notices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub pending: i64,
    pub unread: i64,
}

#[server(prefix = "/api", endpoint = "ui/nav-counts")]
pub async fn nav_counts() -> Result<Counts, AppError> {
    let st = crate::state::state()?;
    let Some(caller) = crate::state::signed_in() else {
        return Ok(Counts::default());
    };
    let pending = nexus::identity::service::users::pending_count(&st.pool, &caller).await?;
    let unread = nexus::notify::service::unread(&st.pool, &nexus::caller::Caller::User(caller)).await?;
    Ok(Counts { pending, unread })
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Created here, not inside the nav's suspense, so server and browser agree on resource ids.
    let counts = Resource::new(move || session.login.version().get(), |_| nav_counts());
    let live = crate::ui::live::provide_live();
    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
        >
            {t!(i18n, skip_to_content)}
        </a>
        <header class="border-b border-slate-200 bg-white/90 backdrop-blur print:hidden dark:border-slate-800 dark:bg-[#0f172a]/90">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
                <A href="/" attr:class="flex items-center gap-2 text-lg font-bold text-slate-900 dark:text-white">
                    <span aria-hidden="true" class="inline-block h-7 w-7 rounded-lg bg-[#1a5bb5] text-center leading-7 text-white">
                        "N"
                    </span>
                    {t!(i18n, app_name)}
                </A>
                <Transition fallback=|| ()>
                    {move || {
                        let live = live.clone();
                        Suspend::new(async move {
                        // Awaited here rather than under a nested <Transition>: a boundary created inside a Suspend
                        // takes its hydration id at different moments on server and browser (leptos#2920).
                        let counts = counts.await.unwrap_or_default();
                        session.me.await.ok().flatten().map(|me| view! { <MainNav me counts live /> })
                    })}}
                </Transition>
                <div class="ml-auto flex items-center gap-2">
                    <LanguageSwitch />
                    <ThemeToggle />
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match session.me.await.ok().flatten() {
                                Some(me) => view! { <UserMenu me /> }.into_any(),
                                None => view! {
                                    <A href="/login" attr:class="text-sm font-medium text-[#1a5bb5] dark:text-[#8fbfff] hover:underline">
                                        {t!(i18n, nav.login)}
                                    </A>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
        </header>
        <main id="main" class="mx-auto min-w-0 max-w-6xl px-4 py-6 sm:py-8">
            {children()}
        </main>
    }
}

const NAV_LINK: &str = "rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:bg-[#2b7cee]/10 aria-[current=page]:text-[#1a5bb5] dark:aria-[current=page]:text-[#8fbfff] dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white";

#[component]
fn MainNav(me: Me, counts: Counts, live: crate::ui::live::Live) -> impl IntoView {
    let i18n = use_i18n();
    let users = me.can(Permission::UsersManage);
    let pending = counts.pending;
    // The channel's count once it has spoken; the page's own until then.
    live.unread.set(None);
    crate::ui::live::connect(live.clone());
    let unread = Signal::derive(move || live.unread.get().unwrap_or(counts.unread));
    view! {
        // On a phone the items wrap onto as many rows as they need: none is hidden off-screen (outside testing found
        // 4 of the admin's 8 cut off with no hint that the bar scrolled).
        <nav aria-label=move || td_string!(i18n.get_locale(), nav.main) class="order-last w-full sm:order-none sm:w-auto sm:overflow-x-auto">
            <ul class="flex flex-wrap items-center gap-1 whitespace-nowrap sm:flex-nowrap">
                <li><A href="/" exact=true attr:class=NAV_LINK>{t!(i18n, nav.home)}</A></li>
                {me.can(Permission::CatalogRead).then(|| view! {
                    <li><A href="/catalog" attr:class=NAV_LINK>{t!(i18n, nav.catalog)}</A></li>
                })}
                {me.can(Permission::InventoryManage).then(|| view! {
                    <li><A href="/inventory" attr:class=NAV_LINK>{t!(i18n, stock.nav)}</A></li>
                })}
                {me.can(Permission::MesRead).then(|| view! {
                    <li><A href="/mes/tasks" attr:class=NAV_LINK>{t!(i18n, nav.tasks)}</A></li>
                    <li><A href="/mes/orders" attr:class=NAV_LINK>{t!(i18n, nav.orders)}</A></li>
                })}
                {me.can(Permission::StockRead).then(|| view! {
                    <li><A href="/stock" attr:class=NAV_LINK>{t!(i18n, room.nav)}</A></li>
                })}
                {me.can(Permission::FabRead).then(|| view! {
                    <li><A href="/fabrication/board" attr:class=NAV_LINK>{t!(i18n, fab.nav)}</A></li>
                })}
                {(me.can(Permission::ProductionRead) && me.tenant_kind == TenantKind::Manufacturer).then(|| view! {
                    <li><A href="/production" attr:class=NAV_LINK>{t!(i18n, prod.nav)}</A></li>
                })}
                {users.then(|| view! {
                    <li>
                        <A href="/admin/users" attr:class=NAV_LINK>
                            {t!(i18n, nav.users)}
                            {(pending > 0).then(|| {
                                    let n = pending;
                                    view! {
                                        <span
                                            class="ml-1.5 rounded-full bg-amber-700 px-1.5 py-0.5 text-xs font-bold text-white"
                                            data-testid="pending-badge"
                                        >
                                            <span class="sr-only">{move || td_string!(i18n.get_locale(), users.pending_badge, count = n).to_string()}</span>
                                            <span aria-hidden="true">{n}</span>
                                        </span>
                                    }
                            })}
                        </A>
                    </li>
                })}
                {(users && me.tenant_kind == TenantKind::Platform).then(|| view! {
                    <li><A href="/admin/tenants" attr:class=NAV_LINK>{t!(i18n, nav.tenants)}</A></li>
                    <li><A href="/admin/catalog" attr:class=NAV_LINK>{t!(i18n, nav.catalog_admin)}</A></li>
                })}
                {me.can(Permission::AuditRead).then(|| view! {
                    <li><A href="/admin/audit" attr:class=NAV_LINK>{t!(i18n, nav.audit)}</A></li>
                })}
                {me.can(Permission::ApiKeysManage).then(|| view! {
                    <li><A href="/account/api-keys" attr:class=NAV_LINK>{t!(i18n, nav.api_keys)}</A></li>
                })}
                <li>
                    <A href="/inbox" attr:class=NAV_LINK attr:data-testid="nav-inbox">
                        {t!(i18n, nav.inbox)}
                        <span
                            class=move || { if unread.get() > 0 { "ml-1.5 rounded-full bg-[#1a5bb5] px-1.5 py-0.5 text-xs font-bold text-white" } else { "hidden" } }
                            data-testid="unread-badge"
                        >
                            <span class="sr-only">{move || td_string!(i18n.get_locale(), nav.unread, count = unread.get()).to_string()}</span>
                            <span aria-hidden="true">{unread}</span>
                        </span>
                    </A>
                </li>
                <li><A href="/account" exact=true attr:class=NAV_LINK>{t!(i18n, nav.account)}</A></li>
            </ul>
        </nav>
    }
}

#[component]
fn UserMenu(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <span class="hidden text-sm text-slate-500 md:inline dark:text-slate-400" data-testid="user-name">
            {me.display_name.clone()}
        </span>
        <ActionForm action=session.logout>
            <button type="submit" class="rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" data-testid="logout">
                {t!(i18n, nav.logout)}
            </button>
        </ActionForm>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || match i18n.get_locale() {
        Locale::es => Locale::en,
        Locale::en => Locale::es,
    };
    view! {
        <button
            type="button"
            data-testid="lang-switch"
            class="rounded-md border border-slate-300 px-2 py-1 text-xs font-semibold text-slate-600 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800"
            on:click=move |_| i18n.set_locale(other())
        >
            // The accessible name starts with what it does and contains the visible word (WCAG 2.5.3).
            <span class="sr-only">{move || td_string!(i18n.get_locale(), lang.switch_label)} ": "</span>
            <span lang=move || other().as_str()>{move || td_string!(i18n.get_locale(), lang.switch)}</span>
        </button>
    }
}

#[component]
fn ThemeToggle() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetTheme>::new();
    let dark = RwSignal::new(is_dark_now());
    let next = move || if dark.get() { "light" } else { "dark" };
    view! {
        <ActionForm action>
            <input type="hidden" name="theme" value=next />
            <button
                type="submit"
                data-testid="theme-toggle"
                title=move || td_string!(i18n.get_locale(), theme.toggle)
                class="rounded-md border border-slate-300 px-2 py-1 text-xs font-semibold text-slate-600 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800"
                on:click=move |_| {
                    // The form posts the hidden input's value: the theme chosen by this click. The signal (which that
                    // value derives from) flips only after the submission has read it, in a later task; flipping it
                    // here stored the old theme (the bug where "Claro" did not survive a reload).
                    let chosen = !dark.get_untracked();
                    apply_theme(chosen);
                    set_timeout(move || dark.set(chosen), std::time::Duration::ZERO);
                }
            >
                <span class="sr-only">{move || td_string!(i18n.get_locale(), theme.toggle)} ": "</span>
                {move || if dark.get() { td_string!(i18n.get_locale(), theme.light) } else { td_string!(i18n.get_locale(), theme.dark) }}
            </button>
        </ActionForm>
    }
}

/// The theme the page was rendered with: the server reads the cookie, the browser reads the `<html>` class the server set.
fn is_dark_now() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|p| {
                !p.headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .any(|v| v.split(';').any(|c| c.trim() == format!("{}=light", crate::cookies::THEME_COOKIE)))
            })
            .unwrap_or(true)
    }
    #[cfg(not(feature = "ssr"))]
    {
        document().document_element().is_none_or(|e| e.class_list().contains("dark"))
    }
}

fn apply_theme(dark: bool) {
    #[cfg(not(feature = "ssr"))]
    if let Some(el) = document().document_element() {
        let list = el.class_list();
        let _ = if dark { list.add_1("dark") } else { list.remove_1("dark") };
        let _ = if dark { list.remove_1("light") } else { list.add_1("light") };
    }
    #[cfg(feature = "ssr")]
    let _ = dark;
}

/// Sets the page's HTTP status while it renders on the server (pages render `SsrMode::Async`, so a status found once
/// the data is loaded still reaches the response); nothing in the browser.
pub fn page_status(status: http::StatusCode) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    page_status(http::StatusCode::NOT_FOUND);
    view! {
        <leptos_meta::Title text=move || td_string!(i18n.get_locale(), notfound.title) />
        <div class=format!("{CARD} mx-auto max-w-lg text-center")>
            <h1 class="mb-2 text-2xl font-bold">{t!(i18n, notfound.title)}</h1>
            <p class="mb-6 text-slate-600 dark:text-slate-300">{t!(i18n, notfound.body)}</p>
            <A href="/" attr:class=BUTTON>{t!(i18n, common.back_home)}</A>
        </div>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_i18n();
    page_status(http::StatusCode::FORBIDDEN);
    view! {
        <leptos_meta::Title text=move || td_string!(i18n.get_locale(), forbidden.title) />
        <div class=format!("{CARD} mx-auto max-w-lg text-center") data-testid="forbidden">
            <h1 class="mb-2 text-2xl font-bold">{t!(i18n, forbidden.title)}</h1>
            <p class="mb-6 text-slate-600 dark:text-slate-300">{t!(i18n, forbidden.body)}</p>
            <A href="/" attr:class=BUTTON>{t!(i18n, common.back_home)}</A>
        </div>
    }
}
