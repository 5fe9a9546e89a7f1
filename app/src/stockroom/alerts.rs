//! `/stock/alerts`: low-stock alerts, the open ones first (or all, `?all=1`): the item and department, what crossed the
//! threshold and who recorded it, what is there now and what to order; acknowledged and assigned here. A notice's link
//! (`?alert=<id>`) marks its alert. The list follows the live channel: a new notice refreshes it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{AlertId, UserId};
use nexus::paging::Page;
use nexus::stockroom::rules::views::Alert;
use std::sync::Arc;

use super::texts;
use super::{Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, LocalTime, PageHeader};
use crate::ui::list::{Pager, href};
use crate::ui::session::{Protected, use_me};

#[server(prefix = "/api", endpoint = "ui/stock/alerts")]
pub async fn stock_alerts(all: bool, after: Option<String>) -> Result<Page<Alert>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::alerts::list(&st.pool, &caller, all, after.as_deref(), None).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/alert-ack")]
pub async fn stock_acknowledge(id: AlertId) -> Result<Alert, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::alerts::acknowledge(&st.pool, &caller, id).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/alert-assign")]
pub async fn stock_assign(id: AlertId, to: Option<UserId>) -> Result<Alert, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::alerts::assign(&st.pool, &caller, id, to).await?)
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let query = use_query_map();
    let changed = RwSignal::new(0_u64);
    // A new notice (the live channel's unread count moving) may be a new alert.
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().and_then(|l| l.unread.get()));
    let room = Resource::new(|| (), |_| stock_room());
    let alerts = Resource::new(
        move || (query.with(|q| (q.get("all").as_deref() == Some("1"), q.get("after"))), changed.get(), heard.get()),
        |((all, after), _, _)| stock_alerts(all, after),
    );
    view! {
        <Protected permission=Permission::StockRead>
            <AlertsBody room alerts changed />
        </Protected>
    }
}

#[component]
fn AlertsBody(
    room: Resource<Result<Room, AppError>>,
    alerts: Resource<Result<Page<Alert>, AppError>>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let all = move || query.with(|q| q.get("all").as_deref() == Some("1"));
    let marked = move || query.with(|q| q.get("alert").and_then(|a| a.parse::<i64>().ok()));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), room.alerts_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, room.alerts_title))>
            <div class="flex flex-wrap gap-2">
                <a href=move || if all() { "/stock/alerts" } else { "/stock/alerts?all=1" } class=BUTTON_SECONDARY data-testid="alerts-toggle">
                    {move || if all() { td_string!(i18n.get_locale(), room.alerts_open_only) } else { td_string!(i18n.get_locale(), room.alerts_all) }}
                </a>
                <a href="/stock" class=BUTTON_SECONDARY>{t!(i18n, room.items_title)}</a>
            </div>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let (room, page) = match (room.await, alerts.await) {
                    (Ok(r), Ok(p)) => (r, p),
                    (Err(e), _) | (_, Err(e)) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                if page.items.is_empty() {
                    return view! {
                        <section class=format!("{CARD} text-center") data-testid="alerts-empty">
                            <h2 class="mb-2 text-lg font-semibold">{t!(i18n, room.alerts_none_title)}</h2>
                            <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.alerts_none_body)}</p>
                        </section>
                    }.into_any();
                }
                let room = StoredValue::new(room);
                let later = query.with_untracked(|q| q.get("after").is_some());
                let all = all();
                let pages = move |after: Option<&str>| href("/stock/alerts", &[("all", if all { "1" } else { "" }), ("after", after.unwrap_or_default())]);
                view! {
                    <ul class="space-y-3" data-testid="alerts">
                        {page.items.into_iter().map(|a| {
                            let mark = marked() == Some(a.id.0);
                            view! { <AlertCard a room changed mark /> }
                        }).collect_view()}
                    </ul>
                    <Pager next=page.next later href=Arc::new(pages) testid="alerts" />
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn AlertCard(a: Alert, room: StoredValue<Room>, changed: RwSignal<u64>, mark: bool) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let may_act = me.can(Permission::StockMove);
    let id = a.id;
    let unit = a.unit;
    let ack = Action::new(move |_: &()| stock_acknowledge(id));
    let assign = Action::new(move |to: &Option<UserId>| stock_assign(id, *to));
    let error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        for v in [ack.value().get().map(|r| r.map(|_| ())), assign.value().get().map(|r| r.map(|_| ()))]
            .into_iter()
            .flatten()
        {
            match v {
                Ok(()) => changed.update(|c| *c += 1),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let open = a.closed_at.is_none();
    let ring = if mark { " ring-2 ring-[#2b7cee]" } else { "" };
    let people = room.with_value(|r| r.people.clone());
    let assigned = a.assigned_to;
    let sel = format!("alert-assign-{}", id.0);
    let (threshold, then, now, on_order, reorder) =
        (a.threshold, a.balance_then, a.balance_now, a.on_order_then, a.reorder);
    view! {
        <li class=format!("{CARD}{ring}") data-testid="alert" data-state=if open { "open" } else { "closed" } data-key=a.sku.clone()
            id=format!("alert-{}", id.0)>
            <div class="flex flex-wrap items-start justify-between gap-2">
                <div>
                    <h2 class="text-base font-semibold">
                        <a href=format!("/stock/items/{}", a.item.0) class="hover:underline"><span class="font-mono">{a.sku.clone()}</span>" · "{a.item_name.clone()}</a>
                    </h2>
                    <p class="text-sm text-slate-600 dark:text-slate-300">{a.department_name.clone()} " · " <LocalTime at=a.opened_at /></p>
                </div>
                <span class=if open { "rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/50 dark:text-amber-100" } else { "rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100" }>
                    {move || if open { td_string!(i18n.get_locale(), room.alert_open) } else { td_string!(i18n.get_locale(), room.alert_closed) }}
                </span>
            </div>
            <dl class="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
                <div><dt class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.balance_now)}</dt><dd class="font-semibold tabular-nums" data-testid="alert-now">{move || texts::qty(i18n.get_locale(), now, unit)}</dd></div>
                <div><dt class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.threshold)}</dt><dd class="tabular-nums">{move || texts::qty(i18n.get_locale(), threshold, unit)}</dd></div>
                <div><dt class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.balance_then)}</dt><dd class="tabular-nums">{move || texts::qty(i18n.get_locale(), then, unit)}" (+"{move || texts::number(i18n.get_locale(), on_order)}" "{t!(i18n, room.on_order_short)}")"</dd></div>
                <div><dt class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.reorder)}</dt><dd class="tabular-nums">{move || reorder.map_or_else(|| "—".to_owned(), |r| texts::qty(i18n.get_locale(), r, unit))}</dd></div>
            </dl>
            <p class="mt-2 text-sm" data-testid="alert-cause">
                {match a.opened_by_author.clone() {
                    Some(by) => view! { {move || td_string!(i18n.get_locale(), room.crossed_by, name = by.clone()).to_string()} }.into_any(),
                    None => view! { {t!(i18n, room.crossed_by_level)} }.into_any(),
                }}
            </p>
            <p class="text-sm text-slate-600 dark:text-slate-300" data-testid="alert-ack">
                {match (a.acknowledged_by.clone(), a.acknowledged_at) {
                    (Some(by), Some(at)) => view! { {move || td_string!(i18n.get_locale(), room.acknowledged_by, name = by.clone()).to_string()} " " <LocalTime at /> }.into_any(),
                    _ => view! { {t!(i18n, room.not_acknowledged)} }.into_any(),
                }}
            </p>
            {(may_act && open).then(|| view! {
                <div class="mt-3 flex flex-wrap items-end gap-2">
                    {a.acknowledged_at.is_none().then(|| view! {
                        <button type="button" class=BUTTON data-testid="alert-acknowledge" disabled=move || ack.pending().get()
                            on:click=move |_| { ack.dispatch(()); }>{t!(i18n, room.acknowledge)}</button>
                    })}
                    <div>
                        <label for=sel.clone() class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, room.assigned_to)}</label>
                        <select id=sel class=INPUT data-testid="alert-assign"
                            on:change=move |ev| { assign.dispatch(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(UserId)); }>
                            <option value="" selected=assigned.is_none()>{t!(i18n, room.nobody)}</option>
                            {people.into_iter().map(|p| view! { <option value=p.id.0.to_string() selected=assigned == Some(p.id)>{p.name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
            })}
            <ErrorBanner error=error />
        </li>
    }
}
