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
            move |e: &QueryLogEntry| {
                let query = e.query.clone();
                (move || match query.as_str() {
                    "dashboard" => td_string!(i18n.get_locale(), prodset.q_is_dashboard).to_owned(),
                    "oee" => td_string!(i18n.get_locale(), prodset.q_is_oee).to_owned(),
                    "causes" => td_string!(i18n.get_locale(), prodset.q_is_causes).to_owned(),
                    "minutes" => td_string!(i18n.get_locale(), prodset.q_is_minutes).to_owned(),
                    "shift_report" => td_string!(i18n.get_locale(), prodset.q_is_report).to_owned(),
                    other => other.to_owned(),
                })
                .into_any()
            },
        )
        .class("text-sm"),
        Column::new(
            move || td_string!(i18n.get_locale(), prodset.q_filters),
            move |e: &QueryLogEntry| {
                let filters = e.filters.clone();
                view! {
                <ul class="max-w-md space-y-0.5 text-xs" data-testid="query-filters">
                    {filters.into_iter().map(|f| {
                        let (key, value) = (f.key.clone(), f.value.clone());
                        view! {
                            <li>
                                <span class="font-medium">{move || filter_key_text(i18n.get_locale(), &key)} ": "</span>
                                {move || filter_value_text(i18n.get_locale(), &f.key, &value)}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any()
            },
        ),
        Column::new(move || td_string!(i18n.get_locale(), prodset.q_ms), |e: &QueryLogEntry| e.duration_ms.into_any())
            .class("sm:text-right tabular-nums"),
    ]
}

/// A logged filter's name in words.
fn filter_key_text(l: Locale, key: &str) -> String {
    match key {
        "range" => td_string!(l, prod.f_range).to_owned(),
        "from" => td_string!(l, prod.f_from).to_owned(),
        "to" => td_string!(l, prod.f_to).to_owned(),
        "line" => td_string!(l, prod.f_line).to_owned(),
        "product" => td_string!(l, prod.f_product).to_owned(),
        "shift" => td_string!(l, prod.f_shift).to_owned(),
        "bucket" => td_string!(l, prodset.q_bucket).to_owned(),
        "cause" => td_string!(l, prodset.q_cause).to_owned(),
        other => other.replace('_', " "),
    }
}

/// A logged filter's value in words: periods, buckets and causes named; names and times as the server wrote them.
fn filter_value_text(l: Locale, key: &str, value: &str) -> String {
    use nexus::production::rules::dashboard::{Bucket, Cause, Range};
    match key {
        "range" => match Range::parse(value) {
            Some(Range::Today) => td_string!(l, prod.range_today).to_owned(),
            Some(Range::Shift) => td_string!(l, prod.range_shift).to_owned(),
            Some(Range::Hours24) => td_string!(l, prod.range_24h).to_owned(),
            Some(Range::Days7) => td_string!(l, prod.range_7d).to_owned(),
            Some(Range::Days30) => td_string!(l, prod.range_30d).to_owned(),
            Some(Range::Custom) => td_string!(l, prod.range_custom).to_owned(),
            None => value.to_owned(),
        },
        "bucket" => match Bucket::parse(value) {
            Some(Bucket::Minute) => td_string!(l, prodset.q_by_minute).to_owned(),
            Some(Bucket::Hour) => td_string!(l, prodset.q_by_hour).to_owned(),
            Some(Bucket::Shift) => td_string!(l, prodset.q_by_shift).to_owned(),
            Some(Bucket::Day) => td_string!(l, prodset.q_by_day).to_owned(),
            None => value.to_owned(),
        },
        "cause" => match Cause::parse(value) {
            Some(Cause::Availability) => td_string!(l, prod.k_availability).to_owned(),
            Some(Cause::Performance) => td_string!(l, prod.k_performance).to_owned(),
            Some(Cause::Quality) => td_string!(l, prod.k_quality).to_owned(),
            None => value.to_owned(),
        },
        _ => value.to_owned(),
    }
}
