//! `/stock/stocktakes`: a department's physical counts. Starting one freezes what each item there is expected to be;
//! `/stock/stocktakes/:id` counts it line by line (a scan adds one to its item's count, an item not expected joins
//! the count; a typed number sets it), shows each difference, and posts every correction at once, or is cancelled.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{DepartmentId, ItemId, StocktakeId};
use nexus::stockroom::rules::quantity::Qty;
use nexus::stockroom::rules::views::{PostResult, Stocktake, StocktakeLine, StocktakeStatus};

use super::texts;
use super::{Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, LocalTime, PageHeader,
};
use crate::ui::session::{Protected, use_me};

#[server(prefix = "/api", endpoint = "ui/stock/stocktakes")]
pub async fn stocktake_list() -> Result<Vec<Stocktake>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::stocktake::list(&st.pool, &caller).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/stocktake-start")]
pub async fn stocktake_start(department: DepartmentId) -> Result<Stocktake, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::stocktake::start(&st.pool, &caller, department).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/stocktake")]
pub async fn stocktake_one(id: StocktakeId) -> Result<Stocktake, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::stocktake::get(&st.pool, &caller, id).await?)
}

/// Counts `item` (found by `code` when no item is given: a barcode or SKU scanned) as `counted`, or one more than
/// counted so far when `counted` is `None`.
#[server(prefix = "/api", endpoint = "ui/stock/stocktake-count")]
pub async fn stocktake_count(
    id: StocktakeId,
    item: Option<ItemId>,
    code: Option<String>,
    counted: Option<Qty>,
) -> Result<Stocktake, AppError> {
    use nexus::stockroom::service::{setup, stocktake};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let item = match (item, code) {
        (Some(i), _) => i,
        (None, Some(code)) => setup::lookup(&st.pool, &caller, &code).await?.item.id,
        (None, None) => return Err(AppError::field("code", nexus::codes::ErrorCode::Required)),
    };
    let counted = match counted {
        Some(c) => c,
        None => {
            let now = stocktake::get(&st.pool, &caller, id).await?;
            let so_far = now.lines.iter().find(|l| l.item == item).and_then(|l| l.counted).unwrap_or(Qty::ZERO);
            so_far + Qty::units(1)
        }
    };
    Ok(stocktake::count(&st.pool, &caller, id, item, counted).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/stocktake-post")]
pub async fn stocktake_post(id: StocktakeId, key: String) -> Result<PostResult, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::stocktake::post(&st.pool, &caller, id, &key).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/stocktake-cancel")]
pub async fn stocktake_cancel(id: StocktakeId) -> Result<Stocktake, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::stocktake::cancel(&st.pool, &caller, id).await?)
}

fn status_text(l: Locale, s: StocktakeStatus) -> &'static str {
    match s {
        StocktakeStatus::Open => td_string!(l, room.st_open),
        StocktakeStatus::Posted => td_string!(l, room.st_posted),
        StocktakeStatus::Cancelled => td_string!(l, room.st_cancelled),
    }
}

#[component]
pub fn StocktakesPage() -> impl IntoView {
    let room = Resource::new(|| (), |_| stock_room());
    let list = Resource::new(|| (), |_| stocktake_list());
    view! {
        <Protected permission=Permission::StockRead>
            <Stocktakes room list />
        </Protected>
    }
}

#[component]
fn Stocktakes(
    room: Resource<Result<Room, AppError>>,
    list: Resource<Result<Vec<Stocktake>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let may_count = use_me().can(Permission::StockMove);
    let start = Action::new(|d: &DepartmentId| stocktake_start(*d));
    let error = Signal::derive(move || start.value().get().and_then(Result::err));
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(s)) = start.value().get() {
            navigate(&format!("/stock/stocktakes/{}", s.id.0), Default::default());
        }
    });
    let department = RwSignal::new(None::<DepartmentId>);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), room.st_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, room.st_title))>
            <a href="/stock" class=BUTTON_SECONDARY>{t!(i18n, room.items_title)}</a>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let (room, list) = match (room.await, list.await) {
                    (Ok(r), Ok(l)) => (r, l),
                    (Err(e), _) | (_, Err(e)) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let departments = room.live_departments();
                department.set(departments.first().map(|d| d.id));
                let room = StoredValue::new(room);
                view! {
                    {may_count.then(|| view! {
                        <section class=format!("{CARD} mb-4") aria-labelledby="st-start-h">
                            <h2 id="st-start-h" class="mb-1 text-base font-semibold">{t!(i18n, room.st_start_title)}</h2>
                            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.st_start_note)}</p>
                            <form class="flex flex-wrap items-end gap-2" on:submit=move |ev| {
                                ev.prevent_default();
                                if let Some(d) = department.get_untracked() { start.dispatch(d); }
                            }>
                                <div>
                                    <label for="st-dept" class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, room.department)}</label>
                                    <select id="st-dept" class=INPUT data-testid="st-dept"
                                        on:change=move |ev| department.set(event_target_value(&ev).parse::<i32>().ok().map(DepartmentId))>
                                        {departments.into_iter().map(|d| view! { <option value=d.id.0.to_string()>{d.name.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class=BUTTON data-testid="st-start" disabled=move || start.pending().get()>{t!(i18n, room.st_start)}</button>
                            </form>
                            <ErrorBanner error />
                        </section>
                    })}
                    {if list.is_empty() {
                        view! { <p class=format!("{CARD} text-center text-sm text-slate-600 dark:text-slate-300") data-testid="st-empty">{t!(i18n, room.st_none)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="space-y-2" data-testid="stocktakes">
                                {list.into_iter().map(|s| {
                                    let name = room.with_value(|r| r.department_name(s.department));
                                    let status = s.status;
                                    let counted = s.lines.iter().filter(|l| l.counted.is_some()).count();
                                    let lines = s.lines.len();
                                    view! {
                                        <li class=CARD data-testid="stocktake" data-state=status.as_str()>
                                            <a href=format!("/stock/stocktakes/{}", s.id.0) class="font-semibold text-[#1a5bb5] hover:underline dark:text-[#8fbfff]">{name}</a>
                                            <p class="text-sm text-slate-600 dark:text-slate-300">
                                                {move || status_text(i18n.get_locale(), status)} " · " {s.started_by.clone()} " · " <LocalTime at=s.started_at />
                                                " · " {move || td_string!(i18n.get_locale(), room.st_counted_of, counted = counted, lines = lines).to_string()}
                                            </p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn StocktakePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<i64>().ok()).map(StocktakeId));
    let changed = RwSignal::new(0_u64);
    let room = Resource::new(|| (), |_| stock_room());
    let take = Resource::new(
        move || (id(), changed.get()),
        |(id, _)| async move {
            match id {
                Some(id) => stocktake_one(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Protected permission=Permission::StockRead>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match (room.await, take.await) {
                        (Ok(room), Ok(s)) => view! { <Counting room s changed /> }.into_any(),
                        // Not this organisation's (or no such one): the not-found page, its title and 404.
                        (_, Err(AppError::NotFound)) => view! { <crate::ui::layout::NotFound /> }.into_any(),
                        (Err(e), _) | (_, Err(e)) => view! {
                            <Title text=move || td_string!(i18n.get_locale(), room.items_title) />
                            <ErrorBanner error=Signal::stored(Some(e)) />
                        }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn Counting(room: Room, s: Stocktake, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let id = s.id;
    let open = s.status == StocktakeStatus::Open && use_me().can(Permission::StockMove);
    let name = room.department_name(s.department);
    let title = td_string!(i18n.get_locale_untracked(), room.st_of, department = name.clone()).to_string();
    let count = Action::new(move |(item, code, counted): &CountAsk| stocktake_count(id, *item, code.clone(), *counted));
    let post = Action::new(move |key: &String| stocktake_post(id, key.clone()));
    let cancel = Action::new(move |_: &()| stocktake_cancel(id));
    let error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        let results = [
            count.value().get().map(|r| r.map(|_| ())),
            post.value().get().map(|r| r.map(|_| ())),
            cancel.value().get().map(|r| r.map(|_| ())),
        ];
        for r in results.into_iter().flatten() {
            match r {
                Ok(()) => changed.update(|c| *c += 1),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let scan_ref = NodeRef::<leptos::html::Input>::new();
    let on_scan = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = scan_ref.get_untracked() else { return };
        let code = input.value().trim().to_owned();
        input.set_value("");
        if !code.is_empty() {
            error.set(None);
            count.dispatch((None, Some(code), None));
        }
    };
    let differences = s.lines.iter().filter(|l| l.difference.is_some_and(|d| d.0 != 0)).count();
    let key = format!("stocktake-{}", id.0);
    view! {
        <Title text=title.clone() />
        <PageHeader title=ViewFn::from(move || title.clone())>
            <a href="/stock/stocktakes" class=BUTTON_SECONDARY>{t!(i18n, room.st_title)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300" data-testid="st-status" data-state=s.status.as_str()>
            {move || status_text(i18n.get_locale(), s.status)} " · " {s.started_by.clone()} " · " <LocalTime at=s.started_at />
        </p>
        <ErrorBanner error=error />
        {open.then(|| view! {
            <form on:submit=on_scan class=format!("{CARD} mb-4") role="search">
                <label for="st-scan" class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, room.st_scan)}</label>
                <input id="st-scan" node_ref=scan_ref type="text" class=INPUT autofocus autocomplete="off" maxlength="80" data-testid="st-scan"
                    placeholder=move || td_string!(i18n.get_locale(), room.scan_placeholder) />
            </form>
        })}
        <section class="mb-4 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-[#1e293b]" aria-label=move || td_string!(i18n.get_locale(), room.lines)>
            <ul class="divide-y divide-slate-200 dark:divide-slate-700" data-testid="st-lines">
                {s.lines.into_iter().map(|l| view! { <CountLine l open count /> }).collect_view()}
            </ul>
        </section>
        {open.then(|| view! {
            <div class="flex flex-wrap items-center gap-3">
                <button type="button" class=BUTTON data-testid="st-post" disabled=move || post.pending().get()
                    on:click=move |_| { post.dispatch(key.clone()); }>
                    {move || td_string!(i18n.get_locale(), room.st_post, count = differences).to_string()}
                </button>
                <button type="button" class=BUTTON_DANGER data-testid="st-cancel" disabled=move || cancel.pending().get()
                    on:click=move |_| { cancel.dispatch(()); }>{t!(i18n, room.st_cancel)}</button>
            </div>
        })}
    }
}

/// What counting a line asks: the item (or the code scanned) and the count (none: one more).
type CountAsk = (Option<ItemId>, Option<String>, Option<Qty>);

#[component]
fn CountLine(l: StocktakeLine, open: bool, count: Action<CountAsk, Result<Stocktake, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let (item, unit, expected, counted, difference) = (l.item, l.unit, l.expected, l.counted, l.difference);
    let typed = RwSignal::new(counted.map(|c| texts::number(Locale::en, c)).unwrap_or_default());
    let fid = format!("st-count-{}", item.0);
    let tone = match difference {
        Some(d) if d.0 < 0 => "text-red-700 dark:text-red-300",
        Some(d) if d.0 > 0 => "text-emerald-700 dark:text-emerald-300",
        _ => "text-slate-600 dark:text-slate-300",
    };
    view! {
        <li class="flex flex-wrap items-center gap-3 px-4 py-2 text-sm" data-testid="st-line" data-key=l.sku.clone()>
            <div class="min-w-0 flex-1"><span class="font-mono">{l.sku.clone()}</span>" · "{l.name.clone()}</div>
            <div class="w-28 text-right tabular-nums">{t!(i18n, room.st_expected)}" "{move || texts::qty(i18n.get_locale(), expected, unit)}</div>
            {if open {
                view! {
                    <form class="flex items-center gap-1" on:submit=move |ev| {
                        ev.prevent_default();
                        if let Some(q) = texts::parse(&typed.get_untracked()).or_else(|| typed.with_untracked(|t| (t.trim() == "0").then_some(Qty::ZERO))) {
                            count.dispatch((Some(item), None, Some(q)));
                        }
                    }>
                        <label for=fid.clone() class="sr-only">{t!(i18n, room.st_counted)}</label>
                        <input id=fid type="text" inputmode="decimal" class=format!("{} text-right", INPUT.replace("w-full", "w-24")) data-testid="st-count"
                            prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                        <button type="submit" class=BUTTON_SECONDARY data-testid="st-save">{t!(i18n, room.st_save)}</button>
                    </form>
                }.into_any()
            } else {
                view! { <div class="w-28 text-right tabular-nums">{move || counted.map_or_else(|| "—".to_owned(), |c| texts::qty(i18n.get_locale(), c, unit))}</div> }.into_any()
            }}
            <div class=format!("w-20 text-right font-semibold tabular-nums {tone}") data-testid="st-difference">
                {move || difference.map_or_else(|| "—".to_owned(), |d| if d.0 == 0 { "0".to_owned() } else { texts::delta(i18n.get_locale(), d) })}
            </div>
        </li>
    }
}
