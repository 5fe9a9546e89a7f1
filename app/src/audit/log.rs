//! The audit log page: every write in the caller's tenant (platform admins: every tenant), newest first, filtered by
//! action and actor, keyset-paginated, exportable as CSV. Long cells are truncated with the full text on hover.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader};
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageDto {
    pub entries: Vec<AuditEntryDto>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQueryDto {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub after: Option<String>,
}

#[cfg(feature = "ssr")]
const AUDIT_PAGE: i64 = 100;

#[server(prefix = "/api", endpoint = "ui/audit")]
pub async fn list_audit(#[server(default)] q: AuditQueryDto) -> Result<AuditPageDto, AppError> {
    let st = crate::state::state()?;
    use crate::ui::paging::{cursor, parse_cursor};
    let caller = crate::state::person()?;
    let rows = nexus::audit::list(
        &st.pool,
        &caller,
        &nexus::audit::AuditQuery {
            action_prefix: q.action.clone(),
            actor_email: q.actor.clone(),
            after: parse_cursor(&q.after)?,
            limit: AUDIT_PAGE + 1,
        },
    )
    .await?;
    let mut entries: Vec<AuditEntryDto> = rows
        .into_iter()
        .map(|r| AuditEntryDto {
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
        })
        .collect();
    let next = (entries.len() as i64 > AUDIT_PAGE).then(|| {
        entries.truncate(AUDIT_PAGE as usize);
        let last = entries.last().expect("non-empty");
        cursor(last.at, last.id)
    });
    Ok(AuditPageDto { entries, next })
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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
fn Audit(page: Resource<Result<AuditPageDto, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let export_href =
        move || format!("/api/v1/audit/export.csv?action={}&actor={}", url_encode(&action()), url_encode(&actor()));
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
                        Ok(p) if p.entries.is_empty() => view! {
                            <p class="p-6 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, audit.empty)}</p>
                        }.into_any(),
                        Ok(p) => {
                            let next = p.next.clone();
                            view! {
                                <table class="w-full min-w-[860px] text-left text-sm" data-testid="audit-table">
                                    <thead class="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-700 dark:text-slate-400">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.at)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.tenant)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.actor)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.action)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.target)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.ip)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.details)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {p.entries.into_iter().map(|e| view! {
                                            <tr>
                                                <td class="whitespace-nowrap px-4 py-2"><LocalTime at=e.at /></td>
                                                <td class="px-4 py-2"><div class="max-w-[10rem] truncate" title=e.tenant.clone()>{e.tenant.clone()}</div></td>
                                                <td class="px-4 py-2"><div class="max-w-[14rem] truncate" title=e.actor.clone()>{match e.actor.clone() {
                                                    Some(a) => a.into_any(),
                                                    None => t!(i18n, audit.system).into_any(),
                                                }}</div></td>
                                                <td class="px-4 py-2 font-mono text-xs"><div class="max-w-[12rem] truncate" title=e.action.clone()>{e.action.clone()}</div></td>
                                                <td class="px-4 py-2 font-mono text-xs"><div class="max-w-[12rem] truncate" title=e.target.clone()>{e.target.clone().unwrap_or_default()}</div></td>
                                                <td class="px-4 py-2"><div class="max-w-[10rem] truncate" title=e.ip.clone()>{e.ip.clone().unwrap_or_default()}</div></td>
                                                <td class="px-4 py-2 font-mono text-xs"><div class="max-w-xs truncate" title=e.details.clone()>{e.details.clone().unwrap_or_default()}</div></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|n| view! {
                                    <div class="p-4">
                                        <a class=BUTTON_SECONDARY href=move || format!("/admin/audit?action={}&actor={}&after={n}", url_encode(&action()), url_encode(&actor()))>
                                            {t!(i18n, common.next_page)}
                                        </a>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
