//! `/inventory`, "my inventory": the bodega's items as its uploads left them, searched by part number and location,
//! sorted by any column, a page at a time (keyset cursors), and cleared all at once after a confirmation. Filters,
//! order and page live in the URL, so the page works as plain GET forms and links, and survives a reload.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::inventory::rules::stock::StockSort;
use std::sync::Arc;

use nexus::numbers::Money;
use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader,
    SuccessBanner,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, Sorting, href};
use crate::ui::number::{count, money};
use crate::ui::session::Protected;

/// Where a bodega uploads its spreadsheet.
pub const UPLOAD_PATH: &str = "/inventory/upload";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockQueryDto {
    /// A part number, whole or in part.
    pub q: Option<String>,
    /// Text in the location.
    pub location: Option<String>,
    #[serde(default)]
    pub sort: StockSort,
    #[serde(default)]
    pub desc: bool,
    /// The previous page's `next`.
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockItemDto {
    pub id: i64,
    pub number: String,
    pub brand: Option<String>,
    pub name: Option<String>,
    pub aftermarket: bool,
    /// `""`: the default location.
    pub location: String,
    pub price: Money,
    pub stock: i32,
    pub min_order_qty: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPageDto {
    pub items: Page<StockItemDto>,
    /// Items matching the filters, over every page.
    pub total: i64,
    /// No item at all: the page invites the first upload.
    pub inventory_empty: bool,
}

#[server(prefix = "/api", endpoint = "ui/inventory/stock")]
pub async fn list_stock(#[server(default)] q: StockQueryDto) -> Result<StockPageDto, AppError> {
    use nexus::inventory::service::stock::{StockQuery, list};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let query =
        StockQuery { number: q.q, location: q.location, sort: q.sort, desc: q.desc, after: q.after, limit: None };
    let page = list(&st.pool, &caller, &query).await?;
    Ok(StockPageDto {
        items: page.page.map(|i| StockItemDto {
            id: i.id,
            number: i.number,
            brand: i.brand,
            name: i.name,
            aftermarket: i.aftermarket,
            location: i.location,
            price: i.price,
            stock: i.stock,
            min_order_qty: i.min_order_qty,
            updated_at: i.updated_at,
        }),
        total: page.total,
        inventory_empty: page.inventory_empty,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearedDto {
    pub items: u64,
    pub locations: u64,
}

#[server(prefix = "/api", endpoint = "ui/inventory/clear")]
pub async fn clear_stock() -> Result<ClearedDto, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let c = nexus::inventory::service::stock::clear(&st.pool, &user, &crate::state::meta()).await?;
    Ok(ClearedDto { items: c.items, locations: c.locations })
}

/// The list's state as the URL says it (`?q=&loc=&sort=&dir=&after=`); anything unknown reads as the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ListState {
    q: String,
    loc: String,
    sort: StockSort,
    desc: bool,
    after: Option<String>,
}

impl ListState {
    fn from_url(q: &leptos_router::params::ParamsMap) -> Self {
        Self {
            q: q.get("q").unwrap_or_default(),
            loc: q.get("loc").unwrap_or_default(),
            sort: q.get("sort").and_then(|s| StockSort::parse(&s)).unwrap_or_default(),
            desc: q.get("dir").as_deref() == Some("desc"),
            after: q.get("after").filter(|a| !a.is_empty()),
        }
    }

    fn query(&self) -> StockQueryDto {
        StockQueryDto {
            q: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
            location: Some(self.loc.clone()).filter(|s| !s.trim().is_empty()),
            sort: self.sort,
            desc: self.desc,
            after: self.after.clone(),
        }
    }

    fn filtered(&self) -> bool {
        !self.q.trim().is_empty() || !self.loc.trim().is_empty()
    }

    /// `/inventory?…` with this view's filters, in `sort` order, from `after` (the first page when `None`).
    fn href(&self, sort: StockSort, desc: bool, after: Option<&str>) -> String {
        let (q, loc) = (self.q.as_str(), self.loc.as_str());
        href(
            "/inventory",
            &[
                ("q", q),
                ("loc", loc),
                ("sort", sort.as_str()),
                ("dir", dir(desc)),
                ("after", after.unwrap_or_default()),
            ],
        )
    }

    /// The link of a column's header: its order, the other way round when it is the current one. Newest first is the
    /// natural first look at "updated".
    fn sort_href(&self, by: StockSort) -> String {
        let desc = if by == self.sort { !self.desc } else { by == StockSort::Updated };
        self.href(by, desc, None)
    }
}

fn dir(desc: bool) -> &'static str {
    if desc { "desc" } else { "asc" }
}

/// The text of a location: the default one in the user's language.
pub fn location_text(locale: Locale, location: &str) -> String {
    if location.is_empty() { td_string!(locale, stock.default_location).to_owned() } else { location.to_owned() }
}

/// Resources and the clear action are created here, outside the `Protected` suspense, so the server and the browser
/// create them in the same order (their ids must match for hydration).
#[component]
pub fn StockPage() -> impl IntoView {
    let query = use_query_map();
    let clear = ServerAction::<ClearStock>::new();
    let page =
        Resource::new(move || (query.with(ListState::from_url).query(), clear.version().get()), |(q, _)| list_stock(q));
    view! {
        <Protected permission=Permission::InventoryManage>
            <Stock page clear />
        </Protected>
    }
}

#[component]
fn Stock(page: Resource<Result<StockPageDto, AppError>>, clear: ServerAction<ClearStock>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let view_state = move || query.with(ListState::from_url);
    let clear_error = Signal::derive(move || clear.value().get().and_then(Result::err));
    let cleared = move || clear.value().get().and_then(Result::ok);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), stock.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, stock.title))>
            <a href=UPLOAD_PATH class=BUTTON data-testid="stock-upload">{t!(i18n, stock.upload)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, stock.note)}</p>
        <form method="get" action="/inventory" class="mb-4 grid gap-2 sm:grid-cols-[1fr_1fr_auto_auto]" role="search" data-testid="stock-search">
            <input type="hidden" name="sort" value=move || view_state().sort.as_str() />
            <input type="hidden" name="dir" value=move || dir(view_state().desc) />
            <div>
                <label for="stock-q" class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, stock.number_label)}</label>
                <input id="stock-q" name="q" type="search" class=INPUT maxlength="40" autocomplete="off" data-testid="stock-q"
                    value=move || view_state().q placeholder=move || td_string!(i18n.get_locale(), stock.number_placeholder) />
            </div>
            <div>
                <label for="stock-loc" class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, stock.location_label)}</label>
                <input id="stock-loc" name="loc" type="search" class=INPUT maxlength="60" autocomplete="off" data-testid="stock-loc"
                    value=move || view_state().loc placeholder=move || td_string!(i18n.get_locale(), stock.location_placeholder) />
            </div>
            <button type="submit" class=format!("{BUTTON_SECONDARY} self-end sm:py-2") data-testid="stock-search-submit">{t!(i18n, common.search)}</button>
            {move || view_state().filtered().then(|| {
                let v = view_state();
                let href = ListState { q: String::new(), loc: String::new(), ..v.clone() }.href(v.sort, v.desc, None);
                view! { <a href=href class="self-end px-2 py-2 text-sm font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="stock-clear-filters">{t!(i18n, stock.clear_filters)}</a> }
            })}
        </form>
        <SuccessBanner show=Signal::derive(move || cleared().is_some())>
            {move || cleared().map(|c| td_string!(i18n.get_locale(), stock.cleared, items = count(i18n.get_locale(), c.items as i64)).to_string())}
        </SuccessBanner>
        <ErrorBanner error=clear_error />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(p) if p.inventory_empty => view! { <Empty /> }.into_any(),
                    Ok(p) => view! { <StockTable p state=view_state() clear /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// No item at all: what to do next.
#[component]
fn Empty() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=format!("{CARD} text-center") data-testid="stock-empty" aria-labelledby="stock-empty-h">
            <h2 id="stock-empty-h" class="mb-2 text-lg font-semibold">{t!(i18n, stock.empty_title)}</h2>
            <p class="mx-auto mb-4 max-w-xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, stock.empty_body)}</p>
            <a href=UPLOAD_PATH class=BUTTON data-testid="stock-empty-upload">{t!(i18n, stock.empty_action)}</a>
        </section>
    }
}

#[component]
fn StockTable(p: StockPageDto, state: ListState, clear: ServerAction<ClearStock>) -> impl IntoView {
    let i18n = use_i18n();
    let total = p.total;
    let later = state.after.is_some();
    let sorting = {
        let state = state.clone();
        Sorting {
            key: state.sort.as_str(),
            desc: state.desc,
            href: Arc::new(move |key| StockSort::parse(key).map(|by| state.sort_href(by)).unwrap_or_default()),
        }
    };
    let pages = move |after: Option<&str>| state.href(state.sort, state.desc, after);
    view! {
        <div class="mb-3 flex flex-wrap items-center justify-between gap-3">
            <p class="text-sm text-slate-600 dark:text-slate-300" data-testid="stock-total" aria-live="polite">
                {move || td_string!(i18n.get_locale(), stock.total, count = count(i18n.get_locale(), total)).to_string()}
            </p>
            <ClearInventory clear />
        </div>
        // Focusable: a keyboard user can scroll the wide table sideways (axe: scrollable-region-focusable).
        <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), stock.title)>
            <DataTable
                rows=p.items.items
                columns=stock_columns()
                caption=move || td_string!(i18n.get_locale(), stock.title)
                testid="stock-table"
                rows_meta=Rows { testid: "stock-row", key: |i: &StockItemDto| i.id.to_string(), state: None }
                sorting
                min_width="sm:min-w-[860px]"
                empty=ViewFn::from(move || view! { <span data-testid="stock-no-match">{t!(i18n, stock.no_match)}</span> })
            />
            <Pager next=p.items.next later href=Arc::new(pages) testid="stock" />
        </section>
    }
}

/// The inventory's columns; those it sorts by lead to their order.
fn stock_columns() -> Vec<Column<StockItemDto>> {
    let i18n = use_i18n();
    let numeric = "sm:text-right tabular-nums whitespace-nowrap";
    vec![
        Column::new(move || td_string!(i18n.get_locale(), stock.col_number), |i: &StockItemDto| {
            view! { <span data-testid="stock-number">{i.number.clone()}</span> }.into_any()
        })
        .class("whitespace-nowrap font-mono")
        .sort(StockSort::Number.as_str()),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_item), move |i: &StockItemDto| {
            let described = match (i.brand.clone(), i.name.clone()) {
                (Some(b), Some(n)) => format!("{b} · {n}"),
                (Some(b), None) => b,
                (None, Some(n)) => n,
                (None, None) => "—".to_owned(),
            };
            view! {
                <div>
                    <div class="max-w-[18rem] truncate" title=described.clone()>{described.clone()}</div>
                    {i.aftermarket.then(|| view! {
                        <span class="mt-0.5 inline-flex rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-900 dark:bg-sky-900/50 dark:text-sky-100">
                            {t!(i18n, stock.aftermarket)}
                        </span>
                    })}
                </div>
            }.into_any()
        }),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_location), move |i: &StockItemDto| {
            let location = i.location.clone();
            let title = location.clone();
            let class = if location.is_empty() { "max-w-[12rem] truncate italic text-slate-600 dark:text-slate-300" } else { "max-w-[12rem] truncate" };
            view! {
                <div class=class title=title data-testid="stock-location">{move || location_text(i18n.get_locale(), &location)}</div>
            }.into_any()
        })
        .sort(StockSort::Location.as_str()),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_price), move |i: &StockItemDto| {
            let price = i.price.clone();
            view! { <span data-testid="stock-price">{move || money(i18n.get_locale(), &price)}</span> }.into_any()
        })
        .class(numeric)
        .sort(StockSort::Price.as_str()),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_stock), move |i: &StockItemDto| {
            let stock = i64::from(i.stock);
            view! { <span data-testid="stock-stock">{move || count(i18n.get_locale(), stock)}</span> }.into_any()
        })
        .class(numeric)
        .sort(StockSort::Stock.as_str()),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_min_order), |i: &StockItemDto| {
            i.min_order_qty.map_or_else(|| "—".to_owned(), |q| q.to_string()).into_any()
        })
        .class(numeric),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_updated), |i: &StockItemDto| view! { <LocalTime at=i.updated_at /> }.into_any())
            .class("whitespace-nowrap")
            .sort(StockSort::Updated.as_str()),
    ]
}

/// "Clear inventory", confirmed in a native disclosure (keyboard and screen-reader friendly, with or without
/// JavaScript): the first button only opens the warning; the second clears.
#[component]
fn ClearInventory(clear: ServerAction<ClearStock>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="relative" data-testid="stock-clear">
            <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none") data-testid="stock-clear-open">{t!(i18n, stock.clear)}</summary>
            <div class="absolute right-0 z-10 mt-2 w-80 max-w-[calc(100vw-2rem)] rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 shadow-lg dark:border-red-800 dark:bg-red-950 dark:text-red-100"
                role="group" aria-labelledby="stock-clear-warning">
                <p id="stock-clear-warning" class="mb-3">{t!(i18n, stock.clear_warning)}</p>
                <ActionForm action=clear>
                    <button type="submit" class=BUTTON_DANGER data-testid="stock-clear-confirm" disabled=move || clear.pending().get()>
                        {t!(i18n, stock.clear_confirm)}
                    </button>
                </ActionForm>
            </div>
        </details>
    }
}
