//! The home page of each role: what the user can do today, and what is coming (said plainly, not pretended).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use nexus::identity::rules::auth::{Permission, Role};
use nexus::identity::rules::tenant::TenantKind;

use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD, role_text};
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
    // The one thing to do next, by what the role is for: the button the page leads with.
    let (next_href, next_key) = next_step(&me);
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
        <section class=format!("{CARD} mb-6") data-testid="next-step" aria-labelledby="next-step-h">
            <h2 id="next-step-h" class="mb-1 text-lg font-semibold">{t!(i18n, home.next_title)}</h2>
            <p class="mb-3 text-sm text-slate-700 dark:text-slate-200">{move || next_text(i18n.get_locale(), next_key)}</p>
            <A href=next_href attr:class=BUTTON attr:data-testid="next-step-go">{move || next_action(i18n.get_locale(), next_key)}</A>
        </section>
        <div class="grid gap-6">
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
                    {me.can(Permission::ApiKeysManage).then(|| view! { <li><A href="/account/webhooks" attr:class=link>{t!(i18n, home.do_webhooks)}</A></li> })}
                    <li><A href="/account" attr:class=link>{t!(i18n, home.do_account)}</A></li>
                </ul>
            </section>
        </div>
    }
}

/// The next step of a user: where it leads, and which texts say it.
fn next_step(me: &crate::ui::session::Me) -> (&'static str, NextStep) {
    use NextStep::*;
    let step = match me.role {
        Role::Admin => Approve,
        Role::Workshop => Search,
        Role::Warehouse => Upload,
        // A new plant's dashboard leads with its set-up checklist, so the owner's next step is there too.
        Role::Owner | Role::Manager if me.can(Permission::ProductionRead) => WatchLines,
        Role::Owner if me.can(Permission::InventoryManage) => Upload,
        Role::Owner => Search,
        Role::Operator => ClassifyStops,
        Role::Manager | Role::Viewer | Role::Supply => WatchLines,
    };
    let href = match step {
        Approve => "/admin/users",
        Search => "/catalog",
        Upload => "/inventory/upload",
        WatchLines | ClassifyStops => "/production",
    };
    (href, step)
}

#[derive(Clone, Copy)]
enum NextStep {
    Approve,
    Search,
    Upload,
    WatchLines,
    ClassifyStops,
}

fn next_text(l: Locale, step: NextStep) -> &'static str {
    match step {
        NextStep::Approve => td_string!(l, home.next_approve),
        NextStep::Search => td_string!(l, home.next_search),
        NextStep::Upload => td_string!(l, home.next_upload),
        NextStep::WatchLines => td_string!(l, home.next_watch),
        NextStep::ClassifyStops => td_string!(l, home.next_classify),
    }
}

fn next_action(l: Locale, step: NextStep) -> &'static str {
    match step {
        NextStep::Approve => td_string!(l, home.go_approve),
        NextStep::Search => td_string!(l, home.go_search),
        NextStep::Upload => td_string!(l, home.go_upload),
        NextStep::WatchLines => td_string!(l, home.go_watch),
        NextStep::ClassifyStops => td_string!(l, home.go_classify),
    }
}
