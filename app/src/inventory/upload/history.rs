//! The bodega's uploads before this one, newest first, fifty at a time; each opens its upload.

use leptos::prelude::*;
use nexus::inventory::rules::upload::UploadSummary;

use super::list_uploads;
use crate::error::AppError;
use crate::i18n::*;
use crate::inventory::texts;
use crate::ui::components::{BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, Loading, LocalTime};
use crate::ui::number::count;

#[component]
pub(super) fn History(
    history: Resource<Result<Vec<UploadSummary>, AppError>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let _ = refresh;
    let more = RwSignal::new(Vec::<UploadSummary>::new());
    let loading_more = RwSignal::new(false);
    let exhausted = RwSignal::new(false);
    view! {
        <section class=CARD_FLUSH aria-labelledby="history-h" tabindex="0" data-testid="history">
            <h2 id="history-h" class="px-4 py-3 text-lg font-semibold">{t!(i18n, upload.history)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(e) => view! { <div class="px-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="px-4 pb-4 text-sm text-slate-600 dark:text-slate-300" data-testid="history-empty">{t!(i18n, upload.history_empty)}</p>
                        }.into_any(),
                        Ok(list) => {
                            more.set(Vec::new());
                            exhausted.set(list.len() < 50);
                            let first = list.clone();
                            let load_more = move |_| {
                                let last = more.with_untracked(|m| m.last().map(|u| u.id)).or_else(|| first.last().map(|u| u.id));
                                loading_more.set(true);
                                leptos::task::spawn_local(async move {
                                    if let Ok(page) = list_uploads(last).await {
                                        exhausted.set(page.len() < 50);
                                        more.update(|m| m.extend(page));
                                    }
                                    loading_more.set(false);
                                });
                            };
                            view! {
                                <table class="w-full min-w-[720px] text-left text-sm">
                                    <thead class="border-y border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                                        <tr>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_when)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_file)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_who)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_status)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_counts)}</th>
                                            <th scope="col" class="px-4 py-2 text-right">{t!(i18n, upload.h_duration)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {list.into_iter().map(|u| view! { <HistoryRow u /> }).collect_view()}
                                        {move || more.get().into_iter().map(|u| view! { <HistoryRow u /> }).collect_view()}
                                    </tbody>
                                </table>
                                {move || (!exhausted.get()).then(|| view! {
                                    <div class="px-4 py-3">
                                        <button type="button" class=BUTTON_SECONDARY disabled=move || loading_more.get() on:click=load_more.clone()>{t!(i18n, upload.more)}</button>
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

#[component]
fn HistoryRow(u: UploadSummary) -> impl IntoView {
    let i18n = use_i18n();
    let status = u.status;
    let counts = u.counts;
    let problem = u.problem.clone();
    view! {
        <tr data-testid="history-row" data-status=status.as_str()>
            <td class="px-4 py-2 whitespace-nowrap"><LocalTime at=u.created_at /></td>
            <td class="px-4 py-2 break-all">
                <a class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" href=format!("/inventory/upload?id={}", u.id)>{u.file_name.clone()}</a>
            </td>
            <td class="px-4 py-2">{u.created_by.clone().unwrap_or_default()}</td>
            <td class="px-4 py-2">
                {move || texts::status(i18n.get_locale(), status)}
                {problem.clone().map(|p| view! { <span class="block text-xs text-red-700 dark:text-red-300">{move || texts::file_problem(i18n.get_locale(), &p)}</span> })}
            </td>
            <td class="px-4 py-2 text-xs">
                {move || counts.map(|c| {
                    let l = i18n.get_locale();
                    td_string!(l, upload.counts_short, new = count(l, c.new_items), changed = count(l, c.price_changes.max(c.stock_changes)), rejected = count(l, c.rejected)).to_string()
                })}
            </td>
            <td class="px-4 py-2 text-right tabular-nums">{u.duration_ms.map(|d| format!("{:.1} s", d as f64 / 1000.0))}</td>
        </tr>
    }
}
