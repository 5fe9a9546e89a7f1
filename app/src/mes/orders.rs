//! `/mes/orders`: the plant's production orders, unfinished by default (`?all=1` every one), of one stage's route or
//! found by code or name, newest first in pages: each with its route's progress as bars (good over ordered per
//! stage), its due date and state. The plant's current shift heads the page. Follows the live channel.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use nexus::identity::rules::auth::Permission;
use nexus::ids::StageId;
use nexus::mes::rules::facts::OrderState;
use nexus::mes::rules::views::{CurrentShift, OrderStage, OrderSummary, Stage};
use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, LABEL, Loading, PageHeader,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::{Protected, use_me};

/// What the list asks, as the URL keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub all: bool,
    pub stage: Option<StageId>,
    pub q: String,
    pub after: Option<String>,
}

impl Ask {
    fn from_url(q: &ParamsMap) -> Self {
        Ask {
            all: q.get("all").as_deref() == Some("1"),
            stage: q.get("stage").and_then(|s| s.parse().ok()),
            q: q.get("q").unwrap_or_default(),
            after: q.get("after").filter(|a| !a.is_empty()),
        }
    }

    fn href(&self, after: Option<&str>) -> String {
        let stage = self.stage.map(|s| s.to_string());
        href(
            "/mes/orders",
            &[
                ("all", if self.all { "1" } else { "" }),
                ("stage", stage.as_deref().unwrap_or_default()),
                ("q", &self.q),
                ("after", after.unwrap_or_default()),
            ],
        )
    }
}

/// A page of orders, the stages to filter by, and the plant's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersView {
    pub page: Page<OrderSummary>,
    pub stages: Vec<Stage>,
    pub clock: CurrentShift,
}

#[server(prefix = "/api", endpoint = "ui/mes/orders")]
pub async fn mes_orders(ask: Ask) -> Result<OrdersView, AppError> {
    use nexus::mes::service::orders;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let after = nexus::paging::after::<i64>(ask.after.as_deref(), ())?;
    let q = orders::OrderQuery {
        unfinished: !ask.all,
        stage: ask.stage,
        search: Some(ask.q.clone()).filter(|q| !q.trim().is_empty()),
        after,
        limit: None,
    };
    let page = orders::list(&st.pool, &caller, &q).await?;
    Ok(OrdersView {
        page,
        stages: orders::stages(&st.pool, &caller).await?,
        clock: orders::current_shift(&st.pool, &caller, chrono::Utc::now()).await?,
    })
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query_map();
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.production.get()));
    let orders = Resource::new(move || (query.with(Ask::from_url), heard.get()), |(ask, _)| mes_orders(ask));
    view! {
        <Protected permission=Permission::MesRead>
            <Orders orders />
        </Protected>
    }
}

/// An order's state in words.
pub fn state_text(l: Locale, s: OrderState) -> &'static str {
    match s {
        OrderState::Open => td_string!(l, ord.state_open),
        OrderState::InProgress => td_string!(l, ord.state_in_progress),
        OrderState::Done => td_string!(l, ord.state_done),
        OrderState::Cancelled => td_string!(l, ord.state_cancelled),
    }
}

/// The floor's pages one can go to from another: tasks, orders, the terminal for who works and the set-up for who
/// plans.
#[component]
pub fn FloorNav(current: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let plan = use_me().can(Permission::MesPlan);
    let work = use_me().can(Permission::MesWork);
    let link = move |href: &'static str, text: Signal<&'static str>| {
        let here = href == current;
        view! {
            <a href=href class=if here { BUTTON } else { BUTTON_SECONDARY } aria-current=here.then_some("page")>{text}</a>
        }
    };
    view! {
        <nav class="mb-4 flex flex-wrap gap-2" aria-label=move || td_string!(i18n.get_locale(), ord.floor_nav)>
            {link("/mes/tasks", Signal::derive(move || td_string!(i18n.get_locale(), mes.title)))}
            {link("/mes/orders", Signal::derive(move || td_string!(i18n.get_locale(), ord.title)))}
            {work.then(|| link("/mes/terminal", Signal::derive(move || td_string!(i18n.get_locale(), term.nav))))}
            {plan.then(|| link("/mes/setup", Signal::derive(move || td_string!(i18n.get_locale(), ord.setup_title))))}
        </nav>
    }
}

/// The plant's shift now (or that none is on, and the next), in the plant's time.
#[component]
pub fn ShiftBanner(clock: CurrentShift) -> impl IntoView {
    let i18n = use_i18n();
    let tz: Option<chrono_tz::Tz> = clock.time_zone.parse().ok();
    let hm = move |at: chrono::DateTime<chrono::Utc>| match tz {
        Some(tz) => at.with_timezone(&tz).format("%H:%M").to_string(),
        None => at.format("%H:%M UTC").to_string(),
    };
    let zone = clock.time_zone.clone();
    let on = clock_on(&clock);
    let today = clock.today;
    let text = move || {
        let l = i18n.get_locale();
        match (&clock.current, &clock.next) {
            (Some(c), _) => {
                td_string!(l, ord.shift_now, name = c.name.clone(), from = hm(c.start), to = hm(c.end)).to_string()
            }
            (None, Some(n)) => td_string!(l, ord.shift_none_next, name = n.name.clone(), at = hm(n.start)).to_string(),
            (None, None) => td_string!(l, ord.shift_none).to_string(),
        }
    };
    view! {
        <p class=format!("mb-4 flex flex-wrap items-center gap-2 rounded-lg border px-4 py-2 text-sm {}",
                if on { "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100" }
                else { "border-slate-300 bg-slate-50 text-slate-800 dark:border-slate-700 dark:bg-slate-800/60 dark:text-slate-100" })
            data-testid="shift-banner" data-on=on.to_string()>
            <span class="font-semibold">{text}</span>
            <span class="text-xs opacity-80">{move || td_string!(i18n.get_locale(), ord.plant_day, day = today.to_string(), zone = zone.clone()).to_string()}</span>
        </p>
    }
}

fn clock_on(c: &CurrentShift) -> bool {
    c.current.is_some()
}

/// A stage's progress: a bar of good over ordered, with the figures beside it.
#[component]
pub fn StageBar(stage: OrderStage, quantity: i32, #[prop(optional)] wide: bool) -> impl IntoView {
    let i18n = use_i18n();
    let pct = (stage.progress * 100.0).clamp(0.0, 100.0);
    let name = stage.name.clone();
    let label = move || {
        td_string!(i18n.get_locale(), ord.progress_of, stage = name.clone(), good = stage.good, quantity = quantity)
            .to_string()
    };
    let full = stage.good >= quantity;
    view! {
        <div class=if wide { "grid grid-cols-[8rem_1fr_8rem] items-center gap-3 text-sm" } else { "grid grid-cols-[6.5rem_1fr_7.5rem] items-center gap-2 text-xs" }
            data-testid="stage-progress" data-stage=stage.code.clone() data-good=stage.good>
            <span class="truncate" title=stage.name.clone()>{stage.name.clone()}</span>
            <div role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=format!("{pct:.0}") aria-label=label.clone()
                class=if wide { "h-3 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700" } else { "h-2 min-w-16 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700" }>
                <div class=if full { "h-full rounded-full bg-emerald-600" } else { "h-full rounded-full bg-[#2b7cee]" } style=format!("width: {pct:.1}%")></div>
            </div>
            <span class="text-right tabular-nums">{stage.good}"/"{quantity}
                {(stage.scrap != 0).then(|| view! { <span class="ml-1 text-red-700 dark:text-red-300">{move || td_string!(i18n.get_locale(), ord.scrap_short, n = stage.scrap).to_string()}</span> })}
            </span>
        </div>
    }
}

#[component]
fn Orders(orders: Resource<Result<OrdersView, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let ask = move || query.with(Ask::from_url);
    let plan = use_me().can(Permission::MesPlan);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), ord.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, ord.title))>
            {plan.then(|| view! {
                <a href="/mes/orders/new" class=BUTTON data-testid="order-new">{t!(i18n, ord.new_order)}</a>
            })}
        </PageHeader>
        <FloorNav current="/mes/orders" />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let v = match orders.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let a = ask();
                let filtered = a.all || a.stage.is_some() || !a.q.is_empty();
                let later = a.after.is_some();
                let empty = v.page.items.is_empty() && !filtered && !later;
                let pages = {
                    let a = a.clone();
                    move |after: Option<&str>| a.href(after)
                };
                view! {
                    <ShiftBanner clock=v.clock.clone() />
                    <Filters ask=a.clone() stages=v.stages.clone() />
                    {if empty {
                        view! {
                            <section class=format!("{CARD} text-center") data-testid="orders-empty">
                                <h2 class="mb-2 text-lg font-semibold">{t!(i18n, ord.empty_title)}</h2>
                                <p class="mx-auto max-w-xl text-sm text-slate-600 dark:text-slate-300">
                                    {if v.stages.is_empty() { td_string!(i18n.get_locale(), ord.empty_no_stages) } else { td_string!(i18n.get_locale(), ord.empty_body) }}
                                </p>
                            </section>
                        }.into_any()
                    } else {
                        view! {
                            <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), ord.title)>
                                <DataTable
                                    rows=v.page.items
                                    columns=columns()
                                    caption=move || td_string!(i18n.get_locale(), ord.title)
                                    testid="orders"
                                    rows_meta=Rows { testid: "order-row", key: |o: &OrderSummary| o.id.0.to_string(), state: Some(|o: &OrderSummary| o.state.as_str()) }
                                    empty=ViewFn::from(move || view! { <span data-testid="orders-no-match">{t!(i18n, ord.no_match)}</span> })
                                />
                                <Pager next=v.page.next later href=Arc::new(pages) testid="orders" />
                            </section>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

/// The filters, as a form the URL keeps (it works without JavaScript).
#[component]
fn Filters(ask: Ask, stages: Vec<Stage>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="get" action="/mes/orders" class="mb-4 grid gap-3 sm:grid-cols-[2fr_1fr_auto_auto]" role="search" data-testid="orders-filters">
            <div>
                <label for="orders-q" class=LABEL>{t!(i18n, ord.search)}</label>
                <input id="orders-q" name="q" type="search" class=INPUT maxlength="100" value=ask.q.clone() data-testid="orders-q" />
            </div>
            <div>
                <label for="orders-stage" class=LABEL>{t!(i18n, ord.filter_stage)}</label>
                <select id="orders-stage" name="stage" class=INPUT>
                    <option value="">{t!(i18n, ord.any_stage)}</option>
                    {stages.into_iter().map(|s| view! {
                        <option value=s.id.to_string() selected=ask.stage == Some(s.id)>{s.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="flex items-center gap-2 self-end py-2 text-sm">
                <input type="checkbox" name="all" value="1" checked=ask.all data-testid="orders-all" />
                {t!(i18n, ord.show_finished)}
            </label>
            <button type="submit" class=format!("{BUTTON_SECONDARY} self-end sm:py-2")>{t!(i18n, common.search)}</button>
        </form>
    }
}

/// An order's state as a badge, overdue marked.
#[component]
pub fn OrderBadges(state: OrderState, overdue: bool) -> impl IntoView {
    let i18n = use_i18n();
    let tone = match state {
        OrderState::Open => "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100",
        OrderState::InProgress => "bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-100",
        OrderState::Done => "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
        OrderState::Cancelled => "bg-slate-100 text-slate-600 line-through dark:bg-slate-800 dark:text-slate-300",
    };
    view! {
        <span class=format!("rounded px-1.5 py-0.5 text-xs font-semibold {tone}") data-testid="order-state" data-state=state.as_str()>
            {move || state_text(i18n.get_locale(), state)}
        </span>
        {overdue.then(|| view! {
            <span class="ml-1 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="order-overdue">
                {t!(i18n, mes.overdue)}
            </span>
        })}
    }
}

fn columns() -> Vec<Column<OrderSummary>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_order),
            |o: &OrderSummary| {
                view! {
                    <a href=format!("/mes/orders/{}", o.id) class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="order-link">
                        <span class="font-mono">{o.code.clone()}</span>" · "{o.name.clone()}
                    </a>
                    {o.product.as_ref().map(|p| view! { <div class="text-xs text-slate-600 dark:text-slate-300">{format!("{} · {}", p.code, p.name)}</div> })}
                }
                .into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_state),
            |o: &OrderSummary| view! { <OrderBadges state=o.state overdue=o.overdue /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_quantity),
            |o: &OrderSummary| o.quantity.to_string().into_any(),
        )
        .class("whitespace-nowrap tabular-nums text-right"),
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_due),
            |o: &OrderSummary| o.due_date.map(|d| d.to_string()).unwrap_or_default().into_any(),
        )
        .class("whitespace-nowrap tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_progress),
            |o: &OrderSummary| {
                let q = o.quantity;
                view! {
                    <div class="min-w-72 space-y-1">
                        {o.stages.iter().cloned().map(|s| view! { <StageBar stage=s quantity=q /> }).collect_view()}
                    </div>
                }
                .into_any()
            },
        ),
    ]
}
