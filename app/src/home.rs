//! The home page of each role: what the user can do today, and what is coming (said plainly, not pretended).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use nexus::identity::rules::auth::{Permission, Role};
use nexus::identity::rules::tenant::TenantKind;

use crate::i18n::*;
use crate::ui::components::{CARD, role_text};
use crate::ui::session::{Protected, use_me};

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Protected>
            <RoleHome />
        </Protected>
    }
}

#[component]
fn RoleHome() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let name = me.display_name.clone();
    let tenant = me.tenant_name.clone();
    let role = me.role;
    let link = "font-medium text-[#1a5bb5] dark:text-[#8fbfff] hover:underline";
    let soon: Vec<&'static str> = match role {
        Role::Admin => vec!["soon_catalog_edit"],
        Role::Workshop => vec![],
        Role::Warehouse => vec![],
        Role::Owner | Role::Manager | Role::Viewer | Role::Operator | Role::Supply => vec!["soon_mes"],
    };
    let nothing_soon = soon.is_empty();
    let failed_before = me.failed_before;
    view! {
        <Title text=move || td_string!(i18n.get_locale(), nav.home) />
        <section class="mb-6" data-testid="home" data-role=role.as_str()>
            <h1 class="text-2xl font-bold tracking-tight text-slate-900 dark:text-white">
                {t!(i18n, home.welcome, name = name.clone())}
            </h1>
            <p class="mt-1 text-slate-600 dark:text-slate-300">
                {t!(i18n, home.tenant, tenant = tenant.clone())} " · "
                {move || td_string!(i18n.get_locale(), home.role, role = role_text(i18n.get_locale(), role)).to_string()}
            </p>
        </section>
        {(failed_before > 0).then(|| view! {
            <section
                role="alert"
                data-testid="failed-sign-ins"
                class="mb-6 rounded-lg border border-amber-400 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-500/60 dark:bg-amber-950/40 dark:text-amber-100"
            >
                <p class="font-semibold">{t!(i18n, home.failed_sign_ins, count = failed_before)}</p>
                <p class="mt-1">
                    {t!(i18n, home.failed_sign_ins_note)} " "
                    <A href="/account" attr:class=link>{t!(i18n, home.failed_sign_ins_action)}</A>
                </p>
            </section>
        })}
        <div class="grid gap-6 md:grid-cols-2">
            <section class=CARD>
                <h2 class="mb-3 text-lg font-semibold">{t!(i18n, home.available)}</h2>
                <ul class="space-y-2 text-sm text-slate-700 dark:text-slate-200">
                    {me.can(Permission::CatalogRead).then(|| view! { <li><A href="/catalog" attr:class=link>{t!(i18n, home.do_catalog)}</A></li> })}
                    {me.can(Permission::AvailabilityRead).then(|| view! { <li>{t!(i18n, stock.home_availability)}</li> })}
                    {me.can(Permission::InventoryManage).then(|| view! { <li><A href="/inventory" attr:class=link>{t!(i18n, stock.home_link)}</A></li> })}
                    {me.can(Permission::ProductionRead).then(|| view! { <li><A href="/production" attr:class=link>{t!(i18n, home.do_production)}</A></li> })}
                    {me.can(Permission::PlantConfigure).then(|| view! { <li><A href="/production/settings" attr:class=link>{t!(i18n, home.do_plant)}</A></li> })}
                    {me.can(Permission::UsersManage).then(|| view! { <li><A href="/admin/users" attr:class=link>{t!(i18n, home.do_users)}</A></li> })}
                    {(me.can(Permission::UsersManage) && me.tenant_kind == TenantKind::Platform).then(|| view! { <li><A href="/admin/tenants" attr:class=link>{t!(i18n, home.do_tenants)}</A></li> })}
                    {(me.can(Permission::UsersManage) && me.tenant_kind == TenantKind::Platform).then(|| view! { <li><A href="/admin/catalog" attr:class=link>{t!(i18n, home.do_catalog_admin)}</A></li> })}
                    {me.can(Permission::AuditRead).then(|| view! { <li><A href="/admin/audit" attr:class=link>{t!(i18n, home.do_audit)}</A></li> })}
                    {me.can(Permission::ApiKeysManage).then(|| view! { <li><A href="/account/api-keys" attr:class=link>{t!(i18n, home.do_api_keys)}</A></li> })}
                    <li><A href="/account" attr:class=link>{t!(i18n, home.do_account)}</A></li>
                </ul>
            </section>
            <section class=CARD class:hidden=nothing_soon>
                <h2 class="mb-1 text-lg font-semibold">{t!(i18n, home.coming)}</h2>
                <p class="mb-3 text-xs text-slate-500 dark:text-slate-400">{t!(i18n, home.coming_note)}</p>
                <ul class="list-disc space-y-2 pl-5 text-sm text-slate-700 dark:text-slate-200">
                    {soon.into_iter().map(|key| view! { <li>{move || soon_text(i18n.get_locale(), key)}</li> }).collect_view()}
                </ul>
            </section>
        </div>
    }
}

fn soon_text(l: Locale, key: &str) -> &'static str {
    match key {
        "soon_catalog_edit" => td_string!(l, home.soon_catalog_edit),
        _ => td_string!(l, home.soon_mes),
    }
}
