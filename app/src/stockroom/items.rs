//! `/stock`: the stock room's items with what there is of each, searched by name, SKU or barcode, filtered by
//! department and by "low only", a page at a time; the way to the counter, the alerts and each item's history. The
//! filters live in the URL (plain GET forms and links; a reload keeps them).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::ids::DepartmentId;
use nexus::paging::Page;
use nexus::stockroom::rules::views::Item;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::texts;
use super::{COUNTER_PATH, Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, PageHeader};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::{Protected, use_me};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemsAsk {
    pub q: Option<String>,
    pub department: Option<DepartmentId>,
    #[serde(default)]
    pub low: bool,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemsView {
    pub items: Page<Item>,
    pub open_alerts: i64,
}

#[server(prefix = "/api", endpoint = "ui/stock/items")]
pub async fn stock_items(#[server(default)] ask: ItemsAsk) -> Result<ItemsView, AppError> {
    use nexus::stockroom::service::{alerts, setup};
    // Reads only: the replica may serve it.
    let from = crate::state::read_pool()?;
    let caller = crate::state::person()?;
    let q = setup::ItemsQuery {
        q: ask.q,
        department: ask.department,
        low: ask.low,
        after: ask.after,
        ..setup::ItemsQuery::default()
    };
    let (caller, q) = (&caller, &q);
    let (items, open_alerts) = from
        .run(|p| async move {
            Ok::<_, nexus::Error>((setup::items(&p.pool, caller, q).await?, alerts::open_count(&p.pool, caller).await?))
        })
        .await?;
    Ok(ItemsView { items, open_alerts })
}

/// The list's state as the URL says it (`?q=&dept=&low=1&after=`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ListState {
    q: String,
    dept: Option<DepartmentId>,
    low: bool,
    after: Option<String>,
}

impl ListState {
    fn from_url(q: &leptos_router::params::ParamsMap) -> Self {
        Self {
            q: q.get("q").unwrap_or_default(),
            dept: q.get("dept").and_then(|d| d.parse::<i32>().ok()).map(DepartmentId),
            low: q.get("low").as_deref() == Some("1"),
            after: q.get("after").filter(|a| !a.is_empty()),
        }
    }

    fn ask(&self) -> ItemsAsk {
        ItemsAsk {
            q: Some(self.q.trim().to_owned()).filter(|s| !s.is_empty()),
            department: self.dept,
            low: self.low,
            after: self.after.clone(),
        }
    }

    fn href(&self, after: Option<&str>) -> String {
        let dept = self.dept.map(|d| d.0.to_string()).unwrap_or_default();
        href(
            "/stock",
            &[
                ("q", &self.q),
                ("dept", &dept),
                ("low", if self.low { "1" } else { "" }),
                ("after", after.unwrap_or_default()),
            ],
        )
    }
}

#[component]
pub fn ItemsPage() -> impl IntoView {
    let query = use_query_map();
    let room = Resource::new(|| (), |_| stock_room());
    let page = Resource::new(move || query.with(ListState::from_url).ask(), stock_items);
    let tick = RwSignal::new(0_u64);
    let exports = Resource::new(move || tick.get(), |_| super::export::stock_exports());
    view! {
        <Protected permission=Permission::StockRead>
            <Items room page exports tick />
        </Protected>
    }
}

#[component]
fn Items(
    room: Resource<Result<Room, AppError>>,
    page: Resource<Result<ItemsView, AppError>>,
    exports: Resource<Result<Vec<nexus::stockroom::rules::export::Export>, AppError>>,
    tick: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let state = move || query.with(ListState::from_url);
    let label = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";
    view! {
        <Title text=move || td_string!(i18n.get_locale(), room.items_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, room.items_title))>
            <div class="flex flex-wrap gap-2">
                // A full load: the counter's document alone may use the camera.
                <a href=COUNTER_PATH rel="external" class=BUTTON data-testid="stock-counter">{t!(i18n, room.counter_title)}</a>
                <a href="/stock/alerts" class=BUTTON_SECONDARY data-testid="stock-alerts">{t!(i18n, room.alerts_title)}</a>
                <a href="/stock/stocktakes" class=BUTTON_SECONDARY data-testid="stock-stocktakes">{t!(i18n, room.st_title)}</a>
                {use_me().can(Permission::StockConfigure).then(|| view! {
                    <a href="/stock/items/new" class=BUTTON_SECONDARY data-testid="stock-new-item">{t!(i18n, room.item_new)}</a>
                    <a href="/stock/import" class=BUTTON_SECONDARY data-testid="stock-import">{t!(i18n, room.import_link)}</a>
                    <a href="/stock/setup" class=BUTTON_SECONDARY data-testid="stock-setup">{t!(i18n, room.setup_link)}</a>
                })}
            </div>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let room = match room.await {
                    Ok(r) => r,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let view = match page.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let s = state();
                let departments = room.live_departments();
                let filtered = !s.q.trim().is_empty() || s.dept.is_some() || s.low;
                let empty_room = view.items.items.is_empty() && !filtered && s.after.is_none();
                let open = view.open_alerts;
                view! {
                    {(open > 0).then(|| view! {
                        <p class="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100" data-testid="stock-open-alerts">
                            <a href="/stock/alerts" class="font-medium underline">{move || td_string!(i18n.get_locale(), room.open_alerts, count = open).to_string()}</a>
                        </p>
                    })}
                    <form method="get" action="/stock" class="mb-4 grid gap-2 sm:grid-cols-[2fr_1fr_auto_auto]" role="search" data-testid="stock-items-search">
                        <div>
                            <label for="items-q" class=label>{t!(i18n, room.search_label)}</label>
                            <input id="items-q" name="q" type="search" class=INPUT maxlength="80" autocomplete="off" value=s.q.clone()
                                placeholder=move || td_string!(i18n.get_locale(), room.search_placeholder) data-testid="items-q" />
                        </div>
                        <div>
                            <label for="items-dept" class=label>{t!(i18n, room.department)}</label>
                            <select id="items-dept" name="dept" class=INPUT data-testid="items-dept">
                                <option value="">{t!(i18n, room.all_departments)}</option>
                                {departments.into_iter().map(|d| view! {
                                    <option value=d.id.0.to_string() selected=s.dept == Some(d.id)>{d.name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <label class="flex items-center gap-2 self-end py-2 text-sm">
                            <input type="checkbox" name="low" value="1" checked=s.low data-testid="items-low" />
                            {t!(i18n, room.low_only)}
                        </label>
                        <button type="submit" class=format!("{BUTTON_SECONDARY} self-end sm:py-2")>{t!(i18n, common.search)}</button>
                    </form>
                    {if empty_room {
                        view! {
                            <section class=format!("{CARD} text-center") data-testid="stock-items-empty">
                                <h2 class="mb-2 text-lg font-semibold">{t!(i18n, room.empty_title)}</h2>
                                <p class="mx-auto max-w-xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.empty_body)}</p>
                                {use_me().can(Permission::StockConfigure).then(|| view! {
                                    <div class="mt-4 flex flex-wrap justify-center gap-2">
                                        <a href="/stock/items/new" class=BUTTON>{t!(i18n, room.item_new)}</a>
                                        <a href="/stock/import" class=BUTTON_SECONDARY>{t!(i18n, room.import_link)}</a>
                                    </div>
                                })}
                            </section>
                        }.into_any()
                    } else {
                        let later = s.after.is_some();
                        let pages = move |after: Option<&str>| s.href(after);
                        let shown: Vec<String> = view.items.items.iter().map(|i| i.id.0.to_string()).collect();
                        let labels = format!("/stock/labels?items={}", shown.join(","));
                        view! {
                            <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), room.items_title)>
                                <DataTable
                                    rows=view.items.items
                                    columns=columns()
                                    caption=move || td_string!(i18n.get_locale(), room.items_title)
                                    testid="stock-items"
                                    rows_meta=Rows { testid: "stock-item", key: |i: &Item| i.sku.clone(), state: Some(|i: &Item| if i.low_in > 0 { "low" } else { "ok" }) }
                                    empty=ViewFn::from(move || view! { <span data-testid="stock-items-no-match">{t!(i18n, room.no_match)}</span> })
                                />
                                <Pager next=view.items.next later href=Arc::new(pages) testid="stock-items" />
                                {(!shown.is_empty()).then(|| view! {
                                    <p class="border-t border-slate-200 px-4 py-3 text-sm dark:border-slate-700">
                                        <a href=labels class="font-medium text-[#1a5bb5] underline dark:text-[#8fbfff]" data-testid="stock-labels">{t!(i18n, stock.labels_page)}</a>
                                    </p>
                                })}
                            </section>
                        }.into_any()
                    }}
                    <super::export::ExportPanel room exports tick />
                }.into_any()
            })}
        </Transition>
    }
}

fn columns() -> Vec<Column<Item>> {
    let i18n = use_i18n();
    vec![
        Column::new(move || td_string!(i18n.get_locale(), room.col_sku), |i: &Item| {
            view! { <a href=format!("/stock/items/{}", i.id.0) class="font-mono text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="stock-item-link">{i.sku.clone()}</a> }.into_any()
        })
        .class("whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), room.col_name), |i: &Item| {
            let name = i.name.clone();
            view! { <div class="max-w-[20rem] truncate" title=name.clone()>{name.clone()}</div> }.into_any()
        }),
        Column::new(move || td_string!(i18n.get_locale(), room.col_total), move |i: &Item| {
            let (total, unit) = (i.total, i.unit);
            view! { <span data-testid="stock-item-total">{move || texts::qty(i18n.get_locale(), total, unit)}</span> }.into_any()
        })
        .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), room.col_state), move |i: &Item| {
            let low = i.low_in;
            if low > 0 {
                view! {
                    <span class="inline-flex rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/50 dark:text-amber-100" data-testid="stock-item-low">
                        {move || td_string!(i18n.get_locale(), room.low_in, count = low).to_string()}
                    </span>
                }.into_any()
            } else {
                view! { <span class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.ok)}</span> }.into_any()
            }
        }),
    ]
}
