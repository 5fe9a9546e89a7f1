//! `/production/queries`: the plant's log of dashboard queries as its owner reads it — who asked, with which filters,
//! how long it took — newest first, a hundred at a time, with the last day's count, median and 95th percentile.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
pub use nexus::production::rules::settings::QueryLog;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, Loading, LocalTime, PageHeader};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/production/queries")]
pub async fn production_queries(before: Option<i64>) -> Result<QueryLog, AppError> {
    let st = crate::state::state()?;
    Ok(nexus::production::service::settings::query_log(&st.pool, &crate::state::user()?, before).await?)
}

const TH: &str = "px-4 py-3";
const TD: &str = "px-4 py-2";

#[component]
pub fn QueriesPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || query.with(|q| q.get("before").and_then(|b| b.parse::<i64>().ok()));
    let page = Resource::new(before, production_queries);
    view! {
        <Protected permission=Permission::AuditRead>
            <Queries page first=Signal::derive(move || before().is_none()) />
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
                        let next = log.next;
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
                                {if log.entries.is_empty() {
                                    view! { <p class="p-6 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.queries_empty)}</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="w-full min-w-[760px] text-left text-sm" data-testid="queries-table">
                                            <thead class="border-b border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                                                <tr>
                                                    <th scope="col" class=TH>{t!(i18n, prodset.q_at)}</th>
                                                    <th scope="col" class=TH>{t!(i18n, prodset.q_who)}</th>
                                                    <th scope="col" class=TH>{t!(i18n, prodset.q_query)}</th>
                                                    <th scope="col" class=TH>{t!(i18n, prodset.q_filters)}</th>
                                                    <th scope="col" class=format!("{TH} text-right")>{t!(i18n, prodset.q_ms)}</th>
                                                </tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                                {log.entries.into_iter().map(|e| view! {
                                                    <tr>
                                                        <td class=format!("{TD} whitespace-nowrap")><LocalTime at=e.at /></td>
                                                        <td class=TD><div class="max-w-[16rem] truncate" title=e.who.clone()>{match e.who.clone() {
                                                            Some(w) => w.into_any(),
                                                            None => t!(i18n, prodset.q_key).into_any(),
                                                        }}</div></td>
                                                        <td class=format!("{TD} font-mono text-xs")>{e.query}</td>
                                                        <td class=format!("{TD} font-mono text-xs")><div class="max-w-md truncate" title=e.filters.clone()>{e.filters.clone()}</div></td>
                                                        <td class=format!("{TD} text-right tabular-nums")>{e.duration_ms}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                                <div class="flex gap-2 p-4">
                                    {move || (!first.get()).then(|| view! {
                                        <a class=BUTTON_SECONDARY href="/production/queries">{t!(i18n, common.first_page)}</a>
                                    })}
                                    {next.map(|n| view! {
                                        <a class=BUTTON_SECONDARY href=format!("/production/queries?before={n}") data-testid="queries-next">{t!(i18n, common.next_page)}</a>
                                    })}
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
