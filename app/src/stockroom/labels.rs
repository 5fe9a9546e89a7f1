//! `/stock/labels?items=1,2,3&copies=1`: the items' printable labels, sheet by sheet at their true size (A4, 3 × 8),
//! to print from the browser (the page's frame is not printed) or download as SVG. Reached from an item's page and
//! from the item list (the labels of the page shown).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, PageHeader};
use crate::ui::session::Protected;

/// The labels of `items` (each `copies` times), one SVG document per sheet.
#[server(prefix = "/api", endpoint = "ui/stock/labels")]
pub async fn label_sheets(items: Vec<i64>, copies: u32) -> Result<Vec<String>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let items: Vec<nexus::ids::ItemId> = items.into_iter().map(nexus::ids::ItemId).collect();
    Ok(nexus::stockroom::service::labels::sheets(&st.pool, &caller, &items, copies).await?)
}

/// `items` of the address: ids, comma-separated (none that is not a number).
fn ids(raw: &str) -> Vec<i64> {
    raw.split(',').filter_map(|i| i.trim().parse().ok()).collect()
}

#[component]
pub fn LabelsPage() -> impl IntoView {
    let query = use_query_map();
    let asked = move || {
        query.with(|q| {
            let items = q.get("items").map(|i| ids(&i)).unwrap_or_default();
            let copies = q.get("copies").and_then(|c| c.parse::<u32>().ok()).unwrap_or(1);
            (items, copies)
        })
    };
    let sheets = Resource::new(asked, |(items, copies)| label_sheets(items, copies));
    view! {
        <Protected permission=Permission::StockRead>
            <Labels sheets />
        </Protected>
    }
}

#[component]
fn Labels(sheets: Resource<Result<Vec<String>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let items = move || query.with(|q| q.get("items").unwrap_or_default());
    let copies = move || query.with(|q| q.get("copies").unwrap_or_else(|| "1".into()));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), stock.labels_title) />
        <div class="print:hidden">
            <PageHeader title=ViewFn::from(move || t!(i18n, stock.labels_title))>
                <button type="button" class=BUTTON data-testid="labels-print" on:click=move |_| print()>{t!(i18n, stock.labels_print)}</button>
            </PageHeader>
            <p class="mb-4 max-w-3xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, stock.labels_note)}</p>
            <form method="get" action="/stock/labels" class=format!("{CARD} mb-6 flex flex-wrap items-end gap-3")>
                <input type="hidden" name="items" value=items />
                <div>
                    <label for="labels-copies" class="mb-1 block text-sm font-medium">{t!(i18n, stock.labels_copies)}</label>
                    <input id="labels-copies" name="copies" type="number" min="1" max="24" class=format!("{INPUT} w-28") value=copies />
                </div>
                <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, stock.labels_apply)}</button>
            </form>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match sheets.await {
                    Err(e) => view! { <div class="print:hidden"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                    Ok(list) => {
                        let (items, copies) = (items(), copies());
                        view! {
                            <div class="space-y-6 print:space-y-0" data-testid="label-sheets">
                                {list.into_iter().enumerate().map(|(n, svg)| {
                                    let download = format!("/api/v1/stock/labels?items={items}&copies={copies}&sheet={}", n + 1);
                                    view! {
                                        <section class="label-sheet" aria-label=move || td_string!(i18n.get_locale(), stock.labels_sheet, n = n + 1).to_string()>
                                            <p class="mb-2 flex items-center gap-3 text-sm print:hidden">
                                                <span class="font-medium">{move || td_string!(i18n.get_locale(), stock.labels_sheet, n = n + 1).to_string()}</span>
                                                <a href=download class="text-[#1a5bb5] underline dark:text-[#8fbfff]" download=format!("etiquetas-{}.svg", n + 1)>{t!(i18n, stock.labels_download)}</a>
                                            </p>
                                            <div class="w-full max-w-[210mm] overflow-hidden border border-slate-300 bg-white shadow-sm print:max-w-none print:border-0 print:shadow-none [&>svg]:h-auto [&>svg]:w-full print:[&>svg]:h-[297mm] print:[&>svg]:w-[210mm]"
                                                role="img" aria-label=move || td_string!(i18n.get_locale(), stock.labels_sheet, n = n + 1).to_string()
                                                data-testid="label-sheet" inner_html=svg></div>
                                        </section>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The browser's print dialog.
fn print() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}
