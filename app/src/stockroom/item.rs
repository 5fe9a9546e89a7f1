//! `/stock/items/:id`: one item: what there is in each department against its level (threshold, reorder, on order;
//! set here by those who configure the room), its balance as of any past moment, and its history newest first with
//! the running balance: who, what, when, why and from where. A movement can be undone (a reversal, with its reason).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use nexus::identity::rules::auth::Permission;
use nexus::ids::{DepartmentId, ItemId, MovementId};
use nexus::paging::Page;
use nexus::stockroom::rules::LevelInput;
use nexus::stockroom::rules::ledger::MovementKind;
use nexus::stockroom::rules::quantity::{Qty, Unit};
use nexus::stockroom::rules::views::{BalanceAsOf, HistoryEntry, ItemDetail, Place, PostResult};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::texts;
use super::{COUNTER_PATH, Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::{Protected, use_me};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub detail: ItemDetail,
    pub history: Page<HistoryEntry>,
}

#[server(prefix = "/api", endpoint = "ui/stock/item")]
pub async fn stock_item(id: ItemId, after: Option<String>) -> Result<ItemView, AppError> {
    use nexus::stockroom::service::{ledger, setup};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let detail = setup::get(&st.pool, &caller, id).await?;
    let history = ledger::history(&st.pool, &caller, id, None, after.as_deref(), None).await?;
    Ok(ItemView { detail, history })
}

#[server(prefix = "/api", endpoint = "ui/stock/as-of")]
pub async fn stock_as_of(id: ItemId, at: DateTime<Utc>) -> Result<BalanceAsOf, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::ledger::balance_as_of(&st.pool, &caller, id, at).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/level")]
pub async fn stock_level(id: ItemId, level: LevelInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::setup::set_level(&st.pool, &caller, &crate::state::meta(), id, &level).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/reverse")]
pub async fn stock_reverse(movement: MovementId, key: String, reason: String) -> Result<PostResult, AppError> {
    use nexus::stockroom::service::ledger::{ReverseRequest, reverse};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(reverse(
        &st.pool,
        &caller,
        movement,
        &ReverseRequest { idempotency_key: key, source: nexus::stockroom::rules::ledger::Source::Ui, reason },
    )
    .await?)
}

#[component]
pub fn ItemPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<i64>().ok()).map(ItemId));
    let changed = RwSignal::new(0_u64);
    let room = Resource::new(|| (), |_| stock_room());
    let item = Resource::new(
        move || (id(), query.with(|q| q.get("after")), changed.get()),
        |(id, after, _)| async move {
            match id {
                Some(id) => stock_item(id, after).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Protected permission=Permission::StockRead>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match (room.await, item.await) {
                        (Ok(room), Ok(view)) => view! { <ItemBody room view changed /> }.into_any(),
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
fn ItemBody(room: Room, view: ItemView, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let configure = me.can(Permission::StockConfigure);
    let may_move = me.can(Permission::StockMove);
    let item = view.detail.item.clone();
    let unit = item.unit;
    let id = item.id;
    let room = StoredValue::new(room);
    let title = format!("{} · {}", item.sku, item.name);
    let title2 = title.clone();
    let query = use_query_map();
    let later = query.with_untracked(|q| q.get("after").is_some());
    let base = format!("/stock/items/{}", id.0);
    let pages = move |after: Option<&str>| href(&base, &[("after", after.unwrap_or_default())]);
    view! {
        <Title text=title.clone() />
        <PageHeader title=ViewFn::from(move || title2.clone())>
            <div class="flex flex-wrap gap-2">
                <a href=COUNTER_PATH rel="external" class=BUTTON>{t!(i18n, room.counter_title)}</a>
                <a href="/stock" class=BUTTON_SECONDARY>{t!(i18n, room.items_title)}</a>
                <a href=format!("/stock/labels?items={}", id.0) class=BUTTON_SECONDARY data-testid="item-label">{t!(i18n, stock.labels_one)}</a>
                {configure.then(|| view! {
                    <a href=format!("/stock/items/{}/edit", id.0) class=BUTTON_SECONDARY data-testid="item-edit">{t!(i18n, room.item_edit_link)}</a>
                })}
            </div>
        </PageHeader>
        <div class="mb-4 grid gap-4 lg:grid-cols-2">
            <section class=CARD aria-labelledby="item-facts-h">
                <h2 id="item-facts-h" class="mb-3 text-base font-semibold">{t!(i18n, room.facts)}</h2>
                <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                    <dt class="text-slate-600 dark:text-slate-300">{t!(i18n, room.col_sku)}</dt><dd class="font-mono">{item.sku.clone()}</dd>
                    <dt class="text-slate-600 dark:text-slate-300">{t!(i18n, room.unit)}</dt><dd>{move || texts::unit(i18n.get_locale(), unit)}</dd>
                    <dt class="text-slate-600 dark:text-slate-300">{t!(i18n, room.barcodes)}</dt>
                    <dd class="font-mono" data-testid="item-barcodes">{if item.barcodes.is_empty() { "—".to_owned() } else { item.barcodes.join(", ") }}</dd>
                    <dt class="text-slate-600 dark:text-slate-300">{t!(i18n, room.total)}</dt>
                    <dd data-testid="item-total">{move || texts::qty(i18n.get_locale(), item.total, unit)}</dd>
                    {(!item.description.is_empty()).then(|| view! {
                        <dt class="text-slate-600 dark:text-slate-300">{t!(i18n, room.description)}</dt><dd>{item.description.clone()}</dd>
                    })}
                </dl>
            </section>
            <AsOf id unit room />
        </div>
        <section class=format!("{CARD_FLUSH} mb-4") aria-labelledby="item-places-h">
            <h2 id="item-places-h" class="px-4 pt-4 text-base font-semibold">{t!(i18n, room.places)}</h2>
            <DataTable
                rows=view.detail.places.clone()
                columns=place_columns(room, unit)
                caption=move || td_string!(i18n.get_locale(), room.places)
                testid="item-places"
                rows_meta=Rows { testid: "item-place", key: |p: &Place| p.department.0.to_string(), state: Some(|p: &Place| if p.low { "low" } else { "ok" }) }
                min_width="sm:min-w-[560px]"
                empty=ViewFn::from(move || view! { <span>{t!(i18n, room.nowhere)}</span> })
            />
            {configure.then(|| view! { <LevelForm id room changed places=view.detail.places.clone() /> })}
        </section>
        <section class=CARD_FLUSH aria-labelledby="item-history-h">
            <h2 id="item-history-h" class="px-4 pt-4 text-base font-semibold">{t!(i18n, room.history)}</h2>
            {if view.history.items.is_empty() {
                view! { <p class="p-4 text-sm text-slate-600 dark:text-slate-300" data-testid="item-history-empty">{t!(i18n, room.no_history)}</p> }.into_any()
            } else {
                view! {
                    <ul class="divide-y divide-slate-200 dark:divide-slate-700" data-testid="item-history">
                        {view.history.items.into_iter().map(|h| view! { <HistoryRow h unit room may_move changed /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Pager next=view.history.next later href=Arc::new(pages) testid="item-history" />
        </section>
    }
}

/// An item's places: each department's balance against its level.
fn place_columns(room: StoredValue<Room>, unit: Unit) -> Vec<Column<Place>> {
    let i18n = use_i18n();
    let numeric = "sm:text-right tabular-nums whitespace-nowrap";
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), room.department),
            move |p: &Place| {
                let name = room.with_value(|r| r.department_name(p.department));
                let low = p.low;
                view! {
                <span class="font-medium">{name}</span>
                {low.then(|| view! { <span class="ml-2 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/50 dark:text-amber-100">{t!(i18n, room.low)}</span> })}
            }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), room.balance),
            move |p: &Place| {
                let b = p.balance;
                view! { <span data-testid="item-place-balance">{move || texts::qty(i18n.get_locale(), b, unit)}</span> }
                    .into_any()
            },
        )
        .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), room.threshold),
            move |p: &Place| {
                let q = p.threshold;
                (move || texts::number(i18n.get_locale(), q)).into_any()
            },
        )
        .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), room.reorder),
            move |p: &Place| {
                let q = p.reorder;
                (move || q.map_or_else(|| "—".to_owned(), |r| texts::number(i18n.get_locale(), r))).into_any()
            },
        )
        .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), room.on_order),
            move |p: &Place| {
                let q = p.on_order;
                (move || texts::number(i18n.get_locale(), q)).into_any()
            },
        )
        .class(numeric),
    ]
}

#[component]
fn HistoryRow(
    h: HistoryEntry,
    unit: Unit,
    room: StoredValue<Room>,
    may_move: bool,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let dept = room.with_value(|r| r.department_name(h.department));
    let other = h.other_department.map(|d| room.with_value(|r| r.department_name(d)));
    let whom = [h.person.clone(), Some(h.reference.clone()).filter(|r| !r.is_empty()), other]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let reversible = may_move && h.reversed_by.is_none() && h.kind != MovementKind::Reversal;
    let (kind, quantity, after, source) = (h.kind, h.quantity, h.balance_after, h.source);
    let sign =
        if quantity.0 >= 0 { "text-emerald-700 dark:text-emerald-300" } else { "text-red-700 dark:text-red-300" };
    view! {
        <li class="flex flex-wrap items-start gap-x-4 gap-y-1 px-4 py-2 text-sm" data-testid="item-movement" data-kind=kind.as_str()>
            <div class="w-40 shrink-0 text-slate-600 dark:text-slate-300"><LocalTime at=h.at /></div>
            <div class="min-w-0 flex-1">
                <div>
                    <span class="font-medium">{move || texts::kind(i18n.get_locale(), kind)}</span>
                    " · " {dept}
                    {(!whom.is_empty()).then(|| view! { " · " <span>{whom.clone()}</span> })}
                </div>
                <div class="text-xs text-slate-600 dark:text-slate-300">
                    {h.author.clone()} " · " {move || texts::source(i18n.get_locale(), source)}
                    {(!h.reason.is_empty()).then(|| view! { " · " <span>{h.reason.clone()}</span> })}
                    {h.reversed_by.is_some().then(|| view! { " · " <span class="font-medium">{t!(i18n, room.reversed)}</span> })}
                </div>
            </div>
            <div class=format!("w-20 text-right font-semibold tabular-nums {sign}")>{move || texts::delta(i18n.get_locale(), quantity)}</div>
            <div class="w-28 text-right tabular-nums" data-testid="item-movement-balance">{move || texts::qty(i18n.get_locale(), after, unit)}</div>
            {reversible.then(|| view! { <Reverse movement=h.id changed /> })}
        </li>
    }
}

/// Undoing a movement: asks why, then records the reversal.
#[component]
fn Reverse(movement: MovementId, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let act = Action::new(move |(reason, key): &(String, String)| stock_reverse(movement, key.clone(), reason.clone()));
    let key = StoredValue::new(format!("reverse-{}-{}", movement.0, Utc::now().timestamp_millis()));
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(act.value().get(), Some(Ok(_))) {
            changed.update(|c| *c += 1);
        }
    });
    let rid = format!("reverse-reason-{}", movement.0);
    view! {
        <details class="w-full sm:w-auto">
            <summary class="cursor-pointer text-xs font-medium text-[#1a5bb5] dark:text-[#8fbfff]" data-testid="item-reverse-open">{t!(i18n, room.reverse)}</summary>
            <form class="mt-2 flex flex-wrap items-end gap-2" on:submit=move |ev| {
                ev.prevent_default();
                act.dispatch((reason.get_untracked(), key.get_value()));
            }>
                <div>
                    <label for=rid.clone() class="mb-1 block text-xs">{t!(i18n, room.reverse_reason)}</label>
                    <input id=rid type="text" class=INPUT maxlength="300" required data-testid="item-reverse-reason"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class=BUTTON_SECONDARY data-testid="item-reverse" disabled=move || act.pending().get()>{t!(i18n, room.reverse_confirm)}</button>
            </form>
            <ErrorBanner error />
        </details>
    }
}

/// The balance of the item in each department as of a past moment (the browser's time).
#[component]
fn AsOf(id: ItemId, unit: Unit, room: StoredValue<Room>) -> impl IntoView {
    let i18n = use_i18n();
    let when = RwSignal::new(String::new());
    let act = Action::new(move |at: &DateTime<Utc>| stock_as_of(id, *at));
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(at) = texts::local_to_utc(&when.get_untracked()) {
            act.dispatch(at);
        }
    };
    view! {
        <section class=CARD aria-labelledby="item-asof-h">
            <h2 id="item-asof-h" class="mb-3 text-base font-semibold">{t!(i18n, room.as_of)}</h2>
            <form class="flex flex-wrap items-end gap-2" on:submit=submit>
                <div>
                    <label for="item-asof" class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, room.as_of_label)}</label>
                    <input id="item-asof" type="datetime-local" class=INPUT required data-testid="item-asof"
                        prop:value=move || when.get() on:input=move |ev| when.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class=BUTTON_SECONDARY data-testid="item-asof-go">{t!(i18n, room.as_of_go)}</button>
            </form>
            <ErrorBanner error />
            {move || act.value().get().and_then(Result::ok).map(|b| view! {
                <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="item-asof-result">
                    {b.departments.into_iter().map(|d| {
                        let name = room.with_value(|r| r.department_name(d.department));
                        view! { <dt>{name}</dt><dd class="tabular-nums">{move || texts::qty(i18n.get_locale(), d.balance, unit)}</dd> }
                    }).collect_view()}
                    <dt class="font-semibold">{t!(i18n, room.total)}</dt>
                    <dd class="font-semibold tabular-nums" data-testid="item-asof-total">{move || texts::qty(i18n.get_locale(), b.total, unit)}</dd>
                </dl>
            })}
        </section>
    }
}

/// Setting the item's level in a department (those who configure the room).
#[component]
fn LevelForm(id: ItemId, room: StoredValue<Room>, changed: RwSignal<u64>, places: Vec<Place>) -> impl IntoView {
    let i18n = use_i18n();
    let departments = room.with_value(Room::live_departments);
    let department = RwSignal::new(departments.first().map(|d| d.id));
    // The fields hold the chosen department's level as it is (empty where none is set), so a change starts from it.
    let places = StoredValue::new(places);
    let current = move |d: Option<DepartmentId>, l: Locale| {
        let place = places.with_value(|ps| ps.iter().find(|p| Some(p.department) == d).cloned());
        let show = |q: Qty| if q == Qty::ZERO { String::new() } else { texts::input(l, q) };
        (
            place.as_ref().map(|p| show(p.threshold)).unwrap_or_default(),
            place.as_ref().and_then(|p| p.reorder).map(|q| texts::input(l, q)).unwrap_or_default(),
            place.as_ref().map(|p| show(p.on_order)).unwrap_or_default(),
        )
    };
    let (t0, r0, o0) = current(department.get_untracked(), i18n.get_locale_untracked());
    let threshold = RwSignal::new(t0);
    let reorder = RwSignal::new(r0);
    let on_order = RwSignal::new(o0);
    let choose = move |d: Option<DepartmentId>| {
        department.set(d);
        let (t, r, o) = current(d, i18n.get_locale_untracked());
        threshold.set(t);
        reorder.set(r);
        on_order.set(o);
    };
    let act = Action::new(move |level: &LevelInput| stock_level(id, level.clone()));
    let error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match act.value().get() {
        Some(Ok(())) => {
            error.set(None);
            changed.update(|c| *c += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let read = |s: RwSignal<String>| {
            let t = s.get_untracked();
            if t.trim().is_empty() { Ok(None) } else { texts::parse(&t).map(Some).ok_or(()) }
        };
        let (Some(d), Ok(t), Ok(r), Ok(o)) =
            (department.get_untracked(), read(threshold), read(reorder), read(on_order))
        else {
            error.set(Some(AppError::field("threshold", nexus::codes::ErrorCode::InvalidInput)));
            return;
        };
        act.dispatch(LevelInput {
            department: d,
            threshold: t.unwrap_or(Qty::ZERO),
            reorder: r,
            on_order: o.unwrap_or(Qty::ZERO),
        });
    };
    let label = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";
    view! {
        <form class="grid gap-2 border-t border-slate-200 p-4 sm:grid-cols-5 dark:border-slate-700" on:submit=submit data-testid="item-level-form">
            <div>
                <label for="level-dept" class=label>{t!(i18n, room.department)}</label>
                <select id="level-dept" class=INPUT data-testid="level-dept" on:change=move |ev| choose(event_target_value(&ev).parse::<i32>().ok().map(DepartmentId))>
                    {departments.into_iter().map(|d| view! { <option value=d.id.0.to_string()>{d.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="level-threshold" class=label>{t!(i18n, room.threshold)}</label>
                <input id="level-threshold" type="text" inputmode="decimal" class=INPUT data-testid="level-threshold"
                    prop:value=move || threshold.get() on:input=move |ev| threshold.set(event_target_value(&ev)) />
            </div>
            <div>
                <label for="level-reorder" class=label>{t!(i18n, room.reorder)}</label>
                <input id="level-reorder" type="text" inputmode="decimal" class=INPUT data-testid="level-reorder"
                    prop:value=move || reorder.get() on:input=move |ev| reorder.set(event_target_value(&ev)) />
            </div>
            <div>
                <label for="level-onorder" class=label>{t!(i18n, room.on_order)}</label>
                <input id="level-onorder" type="text" inputmode="decimal" class=INPUT data-testid="level-onorder"
                    prop:value=move || on_order.get() on:input=move |ev| on_order.set(event_target_value(&ev)) />
            </div>
            <button type="submit" class=format!("{BUTTON} self-end") data-testid="level-save" disabled=move || act.pending().get()>{t!(i18n, room.level_save)}</button>
            <div class="sm:col-span-5"><ErrorBanner error=error /></div>
        </form>
    }
}
