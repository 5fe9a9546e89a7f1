//! `/production/queries`: the plant's log of dashboard queries as its owner reads it — who asked, with which filters,
//! how long it took — newest first, a hundred at a time, with the last day's count, median and 95th percentile.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
pub use nexus::production::rules::settings::{QueryLog, QueryLogEntry};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, Loading, LocalTime, PageHeader};
use crate::ui::list::{Column, DataTable, Pager, href};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/production/queries")]
pub async fn production_queries(after: Option<String>) -> Result<QueryLog, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::production::service::settings::query_log(&st.pool, &user, after.as_deref()).await?)
}

#[component]
pub fn QueriesPage() -> impl IntoView {
    let query = use_query_map();
    let after = move || query.with(|q| q.get("after")).filter(|a| !a.is_empty());
    let page = Resource::new(after, production_queries);
    view! {
        <Protected permission=Permission::AuditRead>
            <Queries page first=Signal::derive(move || after().is_none()) />
        </Protected>
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.0}"))
}

#[component]
fn Queries(page: Resource<Result<QueryLog, AppError>>, first: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), prodset.queries) />
        <PageHeader title=ViewFn::from(move || t!(i18n, prodset.queries))>
            <a href="/production" class=BUTTON_SECONDARY>{t!(i18n, prodset.back)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.queries_note)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(log) => {
                        view! {
                            <section class=format!("{CARD} mb-4") aria-labelledby="q-day-h" data-testid="queries-day">
                                <h2 id="q-day-h" class="mb-2 text-base font-semibold">{t!(i18n, prodset.queries_day)}</h2>
                                <dl class="grid grid-cols-3 gap-4 text-sm">
                                    <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, prodset.queries_count)}</dt><dd class="text-xl font-semibold">{log.day_count}</dd></div>
                                    <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, prodset.queries_p50)}</dt><dd class="text-xl font-semibold">{ms(log.day_p50_ms)}</dd></div>
                                    <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, prodset.queries_p95)}</dt><dd class="text-xl font-semibold">{ms(log.day_p95_ms)}</dd></div>
                                </dl>
                            </section>
                            // Focusable: a keyboard user can scroll the wide table sideways.
                            <section class=format!("{CARD_FLUSH} overflow-x-auto") tabindex="0" aria-label=move || td_string!(i18n.get_locale(), prodset.queries)>
                                <DataTable
                                    rows=log.entries.items
                                    columns=query_columns()
                                    caption=move || td_string!(i18n.get_locale(), prodset.queries)
                                    testid="queries-table"
                                    min_width="sm:min-w-[760px]"
                                    empty=ViewFn::from(move || t!(i18n, prodset.queries_empty))
                                />
                                <Pager next=log.entries.next later=!first.get_untracked() testid="queries"
                                    href=Arc::new(|after: Option<&str>| href("/production/queries", &[("after", after.unwrap_or_default())])) />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The log's columns: when, who, which query, with which filters, and how long it took.
fn query_columns() -> Vec<Column<QueryLogEntry>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prodset.q_at),
            |e: &QueryLogEntry| view! { <LocalTime at=e.at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), prodset.q_who),
            move |e: &QueryLogEntry| match e.who.clone() {
                Some(w) => view! { <div class="max-w-[16rem] truncate" title=w.clone()>{w.clone()}</div> }.into_any(),
                None => t!(i18n, prodset.q_key).into_any(),
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), prodset.q_query),
            |e: &QueryLogEntry| e.query.clone().into_any(),
        )
        .class("font-mono text-xs"),
        Column::text(
            move || td_string!(i18n.get_locale(), prodset.q_filters),
            "max-w-md",
            |e: &QueryLogEntry| Some(e.filters.clone()),
        )
        .class("font-mono text-xs"),
        Column::new(move || td_string!(i18n.get_locale(), prodset.q_ms), |e: &QueryLogEntry| e.duration_ms.into_any())
            .class("sm:text-right tabular-nums"),
    ]
}
