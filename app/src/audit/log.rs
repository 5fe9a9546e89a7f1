//! The audit log page: every write in the caller's tenant (platform admins: every tenant), newest first, filtered by
//! action and actor, keyset-paginated, exportable as CSV. Long cells are truncated with the full text on hover.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use std::sync::Arc;

use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader};
use crate::ui::list::{Column, DataTable, Pager, href};
use crate::ui::session::Protected;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub tenant: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub details: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQueryDto {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub after: Option<String>,
}

#[server(prefix = "/api", endpoint = "ui/audit")]
pub async fn list_audit(#[server(default)] q: AuditQueryDto) -> Result<Page<AuditEntryDto>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let query = nexus::audit::AuditQuery { action_prefix: q.action, actor_email: q.actor, after: q.after, limit: None };
    Ok(nexus::audit::list(&st.pool, &caller, &query).await?.map(|r| AuditEntryDto {
        id: r.id,
        at: r.at,
        tenant: r.tenant_name.unwrap_or_else(|| r.tenant_id.to_string()),
        actor: r.actor,
        action: r.action,
        target: r.target_type.map(|t| format!("{t} {}", r.target_id.unwrap_or_default())),
        ip: r.ip,
        details: match (r.before, r.after) {
            (None, None) => None,
            (b, a) => Some(format!(
                "{}{}",
                b.map(|b| format!("{b} → ")).unwrap_or_default(),
                a.map(|a| a.to_string()).unwrap_or_default()
            )),
        },
    }))
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after"));
    let page = Resource::new(
        move || (action(), actor(), after()),
        |(action, actor, after)| {
            list_audit(AuditQueryDto {
                action: Some(action).filter(|s| !s.is_empty()),
                actor: Some(actor).filter(|s| !s.is_empty()),
                after,
            })
        },
    );
    view! {
        <Protected permission=Permission::AuditRead>
            <Audit page />
        </Protected>
    }
}

#[component]
fn Audit(page: Resource<Result<Page<AuditEntryDto>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let later = move || query.with(|q| q.get("after")).is_some_and(|a| !a.is_empty());
    let export_href = move || href("/api/v1/audit/export.csv", &[("action", &action()), ("actor", &actor())]);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), audit.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, audit.title))>
            <a href=export_href class=BUTTON download="audit.csv" rel="external" data-testid="audit-export">{t!(i18n, audit.export)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, audit.note)}</p>
        <form method="get" action="/admin/audit" class="mb-4 grid gap-2 sm:grid-cols-[1fr_1fr_auto]" role="search">
            <div>
                <label for="audit-action" class="sr-only">{t!(i18n, audit.action_filter)}</label>
                <input id="audit-action" name="action" value=action class=INPUT placeholder=move || td_string!(i18n.get_locale(), audit.action_filter) />
            </div>
            <div>
                <label for="audit-actor" class="sr-only">{t!(i18n, audit.actor_filter)}</label>
                <input id="audit-actor" name="actor" type="search" value=actor class=INPUT placeholder=move || td_string!(i18n.get_locale(), audit.actor_filter) />
            </div>
            <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, common.filter)}</button>
        </form>
        // Focusable: a keyboard user can scroll the wide table sideways (axe: scrollable-region-focusable).
        <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), audit.title)>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(p) => {
                            let list_href = move |after: Option<&str>| {
                                href("/admin/audit", &[("action", &action()), ("actor", &actor()), ("after", after.unwrap_or_default())])
                            };
                            view! {
                                <DataTable
                                    rows=p.items
                                    columns=audit_columns()
                                    caption=move || td_string!(i18n.get_locale(), audit.title)
                                    testid="audit-table"
                                    min_width="sm:min-w-[860px]"
                                    empty=ViewFn::from(move || t!(i18n, audit.empty))
                                />
                                <Pager next=p.next later=later() href=Arc::new(list_href) testid="audit" />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The log's columns: when, which organization, who, what, on what, from where, and the change.
fn audit_columns() -> Vec<Column<AuditEntryDto>> {
    let i18n = use_i18n();
    let mono = "font-mono text-xs";
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), audit.at),
            |e: &AuditEntryDto| view! { <LocalTime at=e.at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.tenant),
            "max-w-[10rem]",
            |e: &AuditEntryDto| Some(e.tenant.clone()),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), audit.actor),
            move |e: &AuditEntryDto| match e.actor.clone() {
                Some(a) => view! { <div class="max-w-[14rem] truncate" title=a.clone()>{a.clone()}</div> }.into_any(),
                None => t!(i18n, audit.system).into_any(),
            },
        ),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.action),
            "max-w-[12rem]",
            |e: &AuditEntryDto| Some(e.action.clone()),
        )
        .class(mono),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.target),
            "max-w-[12rem]",
            |e: &AuditEntryDto| e.target.clone(),
        )
        .class(mono),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.ip),
            "max-w-[10rem]",
            |e: &AuditEntryDto| e.ip.clone(),
        ),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.details),
            "max-w-xs",
            |e: &AuditEntryDto| e.details.clone(),
        )
        .class(mono),
    ]
}
