//! The platform's organizations (platform admins only): every workshop, bodega and manufacturer with its status and
//! number of accounts; a new one of any kind, with its first owner invited; suspending one ends all its sessions and stops its API keys at once, reactivating lets it back.
//! Filters live in the URL (plain GET forms); suspension asks for confirmation in a native disclosure, with or without
//! JavaScript.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::identity::rules::invitation::Language;
use nexus::identity::rules::tenant::{OrganisationInput, TenantKind, TenantStatus};
use std::sync::Arc;

use nexus::ids::TenantId;
use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use super::invitations::{Invited, InvitedDto};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, CARD_FLUSH, CountrySelect, ErrorBanner, INPUT, Loading, LocalTime,
    PageHeader, SuccessBanner, TextField,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::{Protected, use_me};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantDto {
    pub id: TenantId,
    pub name: String,
    pub kind: TenantKind,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
    pub users: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantsQuery {
    /// None: every status.
    pub status: Option<TenantStatus>,
    pub search: Option<String>,
    pub after: Option<String>,
}

#[server(prefix = "/api", endpoint = "ui/tenants")]
pub async fn list_tenants(#[server(default)] q: TenantsQuery) -> Result<Page<TenantDto>, AppError> {
    use nexus::identity::service::users;
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let query = users::TenantQuery { status: q.status, search: q.search, after: q.after };
    Ok(users::list_tenants(&st.pool, &user, &query).await?.map(|t| TenantDto {
        id: t.id,
        name: t.name,
        kind: t.kind,
        status: t.status,
        created_at: t.created_at,
        users: t.users,
    }))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetTenantStatusInput {
    pub tenant_id: TenantId,
    pub status: TenantStatus,
}

#[server(prefix = "/api", endpoint = "ui/tenants/status")]
pub async fn set_tenant_status(input: SetTenantStatusInput) -> Result<TenantStatus, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    nexus::identity::service::users::set_tenant_status(
        &st.pool,
        &user,
        input.tenant_id,
        input.status,
        &crate::state::meta(),
    )
    .await?;
    Ok(input.status)
}

/// An organisation the platform created, and how its first account's invitation went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedTenantDto {
    pub id: TenantId,
    pub invitation: InvitedDto,
}

#[server(prefix = "/api", endpoint = "ui/tenants/create")]
pub async fn create_tenant(
    input: OrganisationInput,
    #[server(default)] lang: Language,
) -> Result<CreatedTenantDto, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let origin = crate::state::site_origin()?;
    let out = super::invitations::outgoing(&origin, lang);
    let created =
        nexus::identity::service::users::create_tenant(&st.pool, &st.mailer, &user, &input, out, &crate::state::meta())
            .await?;
    Ok(CreatedTenantDto { id: created.id, invitation: created.invitation.into() })
}

/// The status tab in the URL (`?status=`): a status, or every status when absent or `all`.
fn status_filter(raw: Option<String>) -> Option<TenantStatus> {
    raw.as_deref().and_then(TenantStatus::parse)
}

fn filter_value(f: Option<TenantStatus>) -> &'static str {
    f.map_or("all", TenantStatus::as_str)
}

pub fn kind_text(locale: Locale, kind: TenantKind) -> &'static str {
    match kind {
        TenantKind::Platform => td_string!(locale, kinds.platform),
        TenantKind::Workshop => td_string!(locale, kinds.workshop),
        TenantKind::Warehouse => td_string!(locale, kinds.warehouse),
        TenantKind::Manufacturer => td_string!(locale, kinds.manufacturer),
    }
}

fn tenant_status_text(locale: Locale, status: TenantStatus) -> &'static str {
    match status {
        TenantStatus::Pending => td_string!(locale, tenant_status.pending),
        TenantStatus::Active => td_string!(locale, tenant_status.active),
        TenantStatus::Suspended => td_string!(locale, tenant_status.suspended),
    }
}

/// Resources are created here, outside the `Protected` suspense, so the server and the browser create them in the same
/// order (their ids must match for hydration).
#[component]
pub fn TenantsPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || status_filter(query.with(|q| q.get("status")));
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after"));
    let change = ServerAction::<SetTenantStatus>::new();
    let create = ServerAction::<CreateTenant>::new();
    let page = Resource::new(
        move || (status(), search(), after(), change.version().get(), create.version().get()),
        |(status, search, after, _, _)| {
            list_tenants(TenantsQuery { status, search: Some(search).filter(|s| !s.is_empty()), after })
        },
    );
    view! {
        <Protected permission=Permission::UsersManage>
            <Tenants page change create />
        </Protected>
    }
}

#[component]
fn Tenants(
    page: Resource<Result<Page<TenantDto>, AppError>>,
    change: ServerAction<SetTenantStatus>,
    create: ServerAction<CreateTenant>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Owners manage their users too, but only the platform's admins see every organization.
    if use_me().tenant_kind != TenantKind::Platform {
        return view! { <crate::ui::layout::Forbidden /> }.into_any();
    }
    let query = use_query_map();
    let status = move || status_filter(query.with(|q| q.get("status")));
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let later = move || query.with(|q| q.get("after")).is_some_and(|a| !a.is_empty());
    let change_error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || change.value().get().and_then(Result::ok);
    let tab = move |value: Option<TenantStatus>| {
        let current = move || status() == value;
        view! {
            <a
                href=move || href("/admin/tenants", &[("status", filter_value(value)), ("q", &search())])
                aria-current=move || current().then_some("page")
                class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-[#1a5bb5] aria-[current=page]:text-white dark:text-slate-300 dark:hover:bg-slate-800"
            >
                {move || match value {
                    Some(TenantStatus::Active) => td_string!(i18n.get_locale(), tenants.tab_active),
                    Some(TenantStatus::Pending) => td_string!(i18n.get_locale(), tenants.tab_pending),
                    Some(TenantStatus::Suspended) => td_string!(i18n.get_locale(), tenants.tab_suspended),
                    None => td_string!(i18n.get_locale(), tenants.tab_all),
                }}
            </a>
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), tenants.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, tenants.title)) />
        <NewTenant create />
        <div class="mb-4 flex flex-wrap items-center gap-3">
            <nav class="flex flex-wrap gap-1" aria-label=move || td_string!(i18n.get_locale(), common.filter)>
                {tab(None)} {TenantStatus::ALL.iter().map(|s| tab(Some(*s))).collect_view()}
            </nav>
            <form method="get" action="/admin/tenants" class="relative ml-auto flex w-full gap-2 sm:w-auto" role="search">
                <input type="hidden" name="status" value=move || filter_value(status()) />
                <label for="tenant-search" class="sr-only">{t!(i18n, common.search)}</label>
                <input id="tenant-search" name="q" type="search" value=search class=format!("{INPUT} min-w-0 flex-1 sm:w-72 sm:flex-none") maxlength="160"
                    placeholder=move || td_string!(i18n.get_locale(), tenants.search_placeholder) />
                <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, common.search)}</button>
            </form>
        </div>
        <SuccessBanner show=Signal::derive(move || done().is_some())>
            {move || match done() {
                Some(TenantStatus::Suspended) => td_string!(i18n.get_locale(), tenants.done_suspended),
                _ => td_string!(i18n.get_locale(), tenants.done_reactivated),
            }}
        </SuccessBanner>
        <ErrorBanner error=change_error />
        <section class=CARD_FLUSH>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(p) => {
                            let list_href = move |after: Option<&str>| {
                                href("/admin/tenants", &[("status", filter_value(status())), ("q", &search()), ("after", after.unwrap_or_default())])
                            };
                            view! {
                                <DataTable
                                    rows=p.items
                                    columns=tenant_columns(change)
                                    caption=move || td_string!(i18n.get_locale(), tenants.title)
                                    testid="tenants-table"
                                    rows_meta=Rows { testid: "tenant-row", key: |t: &TenantDto| t.name.clone(), state: Some(|t: &TenantDto| t.status.as_str()) }
                                    empty=ViewFn::from(move || view! { <span data-testid="tenants-empty">{t!(i18n, tenants.empty)}</span> })
                                />
                                <Pager next=p.next later=later() href=Arc::new(list_href) testid="tenants" />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }.into_any()
}

/// "New organisation": any kind with its first owner, who is invited (the form opens in a native disclosure).
#[component]
fn NewTenant(create: ServerAction<CreateTenant>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let done = move || create.value().get().and_then(Result::ok);
    let open = move || error.get().is_some();
    view! {
        {move || done().map(|d| view! { <Invited invited=d.invitation /> })}
        <details class=format!("{CARD} mb-6") open=open>
            <summary class="cursor-pointer text-base font-semibold text-slate-900 dark:text-white" data-testid="tenant-new">
                {t!(i18n, tenants.create)}
            </summary>
            <p class="mb-4 mt-2 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, tenants.new_intro)}</p>
            <ErrorBanner error fields=&["kind", "name", "phone", "address", "owner_email"] />
            <ActionForm action=create>
                <input type="hidden" name="lang" value=move || match super::invitations::language(i18n.get_locale()) { Language::Es => "es", Language::En => "en" } />
                <div class="grid gap-x-4 sm:grid-cols-2">
                    <div class="mb-4">
                        <label for="new-tenant-kind" class="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, tenants.kind)}</label>
                        <select id="new-tenant-kind" name="input[kind]" class=INPUT data-testid="tenant-new-kind">
                            {[TenantKind::Manufacturer, TenantKind::Workshop, TenantKind::Warehouse].into_iter().map(|k| view! {
                                <option value=k.as_str()>{move || kind_text(i18n.get_locale(), k)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <TextField name="input[name]" field="name" label=ViewFn::from(move || t!(i18n, tenants.name)) error autocomplete="off" />
                    <TextField name="input[owner_email]" field="owner_email" kind="email" label=ViewFn::from(move || t!(i18n, tenants.owner_email)) error autocomplete="off" />
                    <TextField name="input[phone]" field="phone" kind="tel" label=ViewFn::from(move || t!(i18n, register.phone)) error required=false autocomplete="off" />
                </div>
                <TextField name="input[address]" field="address" label=ViewFn::from(move || t!(i18n, register.address)) error required=false autocomplete="off" />
                <TextField name="input[hours]" field="hours" label=ViewFn::from(move || t!(i18n, register.hours)) error required=false autocomplete="off" />
                <CountrySelect error />
                <button type="submit" class=BUTTON data-testid="tenant-new-submit" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { td_string!(i18n.get_locale(), common.working) } else { td_string!(i18n.get_locale(), tenants.new_submit) }}
                </button>
            </ActionForm>
        </details>
    }
}

/// The organizations list's columns: name, kind, status, accounts, since when, and suspend or reactivate.
fn tenant_columns(change: ServerAction<SetTenantStatus>) -> Vec<Column<TenantDto>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), tenants.name),
            |t: &TenantDto| {
                view! {
            <p class="max-w-[20rem] truncate font-medium text-slate-900 dark:text-white" title=t.name.clone()>{t.name.clone()}</p>
        }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), tenants.kind),
            move |t: &TenantDto| {
                let kind = t.kind;
                (move || kind_text(i18n.get_locale(), kind)).into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), tenants.status),
            move |t: &TenantDto| {
                let status = t.status;
                let badge = match status {
                    TenantStatus::Pending => "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100",
                    TenantStatus::Active => {
                        "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100"
                    }
                    TenantStatus::Suspended => "bg-red-100 text-red-900 dark:bg-red-900/50 dark:text-red-100",
                };
                view! {
                    <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {badge}")>
                        {move || tenant_status_text(i18n.get_locale(), status)}
                    </span>
                }
                .into_any()
            },
        ),
        Column::new(move || td_string!(i18n.get_locale(), tenants.users), |t: &TenantDto| t.users.into_any())
            .class("sm:text-right tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), tenants.created),
            |t: &TenantDto| view! { <LocalTime at=t.created_at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), common.actions),
            move |t: &TenantDto| view! { <TenantAction tenant=t.clone() change /> }.into_any(),
        ),
    ]
}

#[component]
fn TenantAction(tenant: TenantDto, change: ServerAction<SetTenantStatus>) -> impl IntoView {
    let i18n = use_i18n();
    let id = tenant.id.to_string();
    match tenant.status {
        TenantStatus::Suspended => view! {
            <ActionForm action=change>
                <input type="hidden" name="input[tenant_id]" value=id />
                <input type="hidden" name="input[status]" value=TenantStatus::Active.as_str() />
                <button type="submit" class=BUTTON_SECONDARY data-testid="tenant-reactivate">{t!(i18n, tenants.reactivate)}</button>
            </ActionForm>
        }
        .into_any(),
        TenantStatus::Active | TenantStatus::Pending => view! {
            <details class="group">
                <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none") data-testid="tenant-suspend">
                    {t!(i18n, tenants.suspend)}
                </summary>
                <div class="mt-2 max-w-xs rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
                    <p class="mb-2">{t!(i18n, tenants.suspend_warning)}</p>
                    <ActionForm action=change>
                        <input type="hidden" name="input[tenant_id]" value=id />
                        <input type="hidden" name="input[status]" value=TenantStatus::Suspended.as_str() />
                        <button type="submit" class=BUTTON_DANGER data-testid="tenant-suspend-confirm">{t!(i18n, tenants.suspend_confirm)}</button>
                    </ActionForm>
                </div>
            </details>
        }
        .into_any(),
    }
}
