//! The bodega's uploads before this one, newest first, fifty a page (the page in the URL); each opens its upload.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use nexus::inventory::rules::upload::UploadSummary;
use nexus::paging::Page;

use crate::error::AppError;
use crate::i18n::*;
use crate::inventory::texts;
use crate::ui::components::{CARD_FLUSH, ErrorBanner, Loading, LocalTime};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::number::count;

#[component]
pub(super) fn History(
    history: Resource<Result<Page<UploadSummary>, AppError>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let _ = refresh;
    let query = use_query_map();
    let later = move || query.with(|q| q.get("after")).is_some_and(|a| !a.is_empty());
    view! {
        <section class=CARD_FLUSH aria-labelledby="history-h" tabindex="0" data-testid="history">
            <h2 id="history-h" class="px-4 py-3 text-lg font-semibold">{t!(i18n, upload.history)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(e) => view! { <div class="px-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(page) => view! {
                            <DataTable
                                rows=page.items
                                columns=history_columns()
                                caption=move || td_string!(i18n.get_locale(), upload.history)
                                rows_meta=Rows { testid: "history-row", key: |u: &UploadSummary| u.id.to_string(), state: Some(|u: &UploadSummary| u.status.as_str()) }
                                empty=ViewFn::from(move || view! { <span data-testid="history-empty">{t!(i18n, upload.history_empty)}</span> })
                            />
                            <Pager next=page.next later=later() testid="history"
                                href=Arc::new(|after: Option<&str>| href("/inventory/upload", &[("after", after.unwrap_or_default())])) />
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The history's columns: when, which file (a link to it), who, how it ended, its counts and how long it took.
fn history_columns() -> Vec<Column<UploadSummary>> {
    let i18n = use_i18n();
    vec![
        Column::new(move || td_string!(i18n.get_locale(), upload.h_when), |u: &UploadSummary| view! { <LocalTime at=u.created_at /> }.into_any())
            .class("whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), upload.h_file), |u: &UploadSummary| view! {
            <a class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" href=format!("/inventory/upload?id={}", u.id)>{u.file_name.clone()}</a>
        }.into_any())
        .class("break-all"),
        Column::new(move || td_string!(i18n.get_locale(), upload.h_who), |u: &UploadSummary| u.created_by.clone().unwrap_or_default().into_any()),
        Column::new(move || td_string!(i18n.get_locale(), upload.h_status), move |u: &UploadSummary| {
            let (status, problem) = (u.status, u.problem.clone());
            view! {
                <div>
                    {move || texts::status(i18n.get_locale(), status)}
                    {problem.map(|p| view! { <span class="block text-xs text-red-700 dark:text-red-300">{move || texts::file_problem(i18n.get_locale(), &p)}</span> })}
                </div>
            }.into_any()
        }),
        Column::new(move || td_string!(i18n.get_locale(), upload.h_counts), move |u: &UploadSummary| {
            let counts = u.counts;
            (move || counts.map(|c| {
                let l = i18n.get_locale();
                td_string!(l, upload.counts_short, new = count(l, c.new_items), changed = count(l, c.price_changes.max(c.stock_changes)), rejected = count(l, c.rejected)).to_string()
            })).into_any()
        })
        .class("text-xs"),
        Column::new(move || td_string!(i18n.get_locale(), upload.h_duration), |u: &UploadSummary| {
            u.duration_ms.map(|d| format!("{:.1} s", d as f64 / 1000.0)).into_any()
        })
        .class("sm:text-right tabular-nums"),
    ]
}
