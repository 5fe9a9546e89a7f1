//! `/mes/orders/:id`: a production order: what it makes, how many, by when, its state; its route with each stage's
//! progress as a bar; the form that records a stage fact (started on the stage still short, the plant's day and its
//! current shift, the reader as operator; sent under a key of its own, so a double tap is one fact; each refused field
//! says why under it); its facts, newest first, each reversible with a reason (a reversal is a fact of its own; the
//! reversed one stays, struck through); its materials (`materials`). A planner cancels it here. Follows the live
//! channel.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{FactId, OrderId, ScrapReasonId, ShiftId, StageId, UserId};
use nexus::mes::rules::facts::{FactInput, OrderState};
use nexus::mes::rules::views::{Choices, Fact, OrderDetail, OrderSummary, Recorded};
use serde::{Deserialize, Serialize};

use super::orders::{FloorNav, OrderBadges, ShiftBanner, StageBar};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, LABEL, Loading, LocalTime,
    PageHeader, field_problem, names, new_key,
};
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::session::{Protected, use_me};

/// An order with its facts, and what the fact form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPage {
    pub detail: OrderDetail,
    pub choices: Choices,
    /// The stock room's departments the reader may issue from (none when they move no stock).
    #[serde(default)]
    pub departments: Vec<nexus::stockroom::rules::views::Department>,
}

#[server(prefix = "/api", endpoint = "ui/mes/order")]
pub async fn mes_order(id: OrderId) -> Result<OrderPage, AppError> {
    use nexus::mes::service::orders;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let moves_stock = caller.user().is_ok_and(|u| u.may(Permission::StockMove));
    let departments = if moves_stock {
        nexus::stockroom::service::setup::departments(&st.pool, &caller)
            .await?
            .into_iter()
            .filter(|d| !d.archived)
            .collect()
    } else {
        Vec::new()
    };
    Ok(OrderPage {
        detail: orders::get(&st.pool, &caller, id).await?,
        choices: orders::choices(&st.pool, &caller, chrono::Utc::now()).await?,
        departments,
    })
}

#[server(prefix = "/api", endpoint = "ui/mes/fact-record")]
pub async fn mes_record(order: OrderId, input: FactInput, key: String) -> Result<Recorded, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::orders::record(
        &st.pool,
        &caller,
        order,
        &input,
        nexus::mes::rules::facts::Source::Ui,
        Some(&key),
    )
    .await?)
}

#[server(prefix = "/api", endpoint = "ui/mes/fact-reverse")]
pub async fn mes_reverse(fact: FactId, reason: String, key: String) -> Result<Recorded, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::orders::reverse(
        &st.pool,
        &caller,
        fact,
        &reason,
        nexus::mes::rules::facts::Source::Ui,
        Some(&key),
    )
    .await?)
}

#[server(prefix = "/api", endpoint = "ui/mes/order-cancel")]
pub async fn mes_cancel_order(id: OrderId) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::mes::service::orders::cancel(&st.pool, &caller, id).await?;
    Ok(())
}

#[component]
pub fn OrderRoutePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<OrderId>().ok()));
    let changed = RwSignal::new(0_u64);
    // What the reader's last fact did: kept here, above the page the refetch draws again.
    let notice = RwSignal::new(None::<String>);
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.production.get()));
    let order = Resource::new(
        move || (id(), changed.get(), heard.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => mes_order(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let i18n = use_i18n();
    view! {
        <Protected permission=Permission::MesRead>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match order.await {
                        Ok(p) => view! { <Detail p changed notice /> }.into_any(),
                        Err(AppError::NotFound) => view! { <crate::ui::layout::NotFound /> }.into_any(),
                        Err(e) => view! {
                            <Title text=move || td_string!(i18n.get_locale(), ord.title) />
                            <ErrorBanner error=Signal::stored(Some(e)) />
                        }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn Detail(p: OrderPage, changed: RwSignal<u64>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let o = p.detail.order.clone();
    let title = format!("{} · {}", o.code, o.name);
    let live = matches!(o.state, OrderState::Open | OrderState::InProgress);
    let may_record = live && me.can(Permission::MesWork) && !o.stages.is_empty();
    let may_cancel = live && me.can(Permission::MesPlan);
    let heading = title.clone();
    view! {
        <Title text=title.clone() />
        <PageHeader title=ViewFn::from(move || heading.clone())>
            <a href="/mes/orders" class=BUTTON_SECONDARY>{t!(i18n, ord.title)}</a>
        </PageHeader>
        <FloorNav current="" />
        <ShiftBanner clock=p.choices.clock.clone() />
        <div class="grid gap-4 lg:grid-cols-[3fr_2fr]">
            <div class="space-y-4">
                <Summary o=o.clone() may_cancel changed />
                {may_record.then(|| view! { <FactForm o=o.clone() choices=p.choices.clone() changed notice /> })}
            </div>
            <Route o=o.clone() />
        </div>
        <super::materials::Materials order=o.id materials=p.detail.materials.clone() movements=p.detail.movements.clone()
            departments=p.departments.clone() live=o.state != OrderState::Cancelled changed />
        <Facts facts=p.detail.facts.clone() o changed />
    }
}

#[component]
fn Summary(o: OrderSummary, may_cancel: bool, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let id = o.id;
    let cancel = Action::new(move |_: &()| mes_cancel_order(id));
    let error = Signal::derive(move || cancel.value().get().and_then(Result::err));
    let asking = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = cancel.value().get() {
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <section class=CARD data-testid="order" data-state=o.state.as_str() aria-labelledby="order-h">
            <h2 id="order-h" class="sr-only">{t!(i18n, ord.about)}</h2>
            <div class="mb-3 flex flex-wrap items-center gap-2"><OrderBadges state=o.state overdue=o.overdue /></div>
            <dl class="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, ord.f_product)}</dt>
                    <dd>{o.product.as_ref().map(|p| format!("{} · {}", p.code, p.name)).unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, ord.col_quantity)}</dt>
                    <dd class="tabular-nums font-medium" data-testid="order-quantity">{o.quantity}</dd></div>
                <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, mes.col_due)}</dt>
                    <dd class="tabular-nums">{o.due_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, ord.created)}</dt>
                    <dd><LocalTime at=o.created_at /></dd></div>
            </dl>
            <ErrorBanner error />
            {may_cancel.then(|| view! {
                <div class="mt-4 flex flex-wrap items-center gap-2">
                    <Show when=move || asking.get() fallback=move || view! {
                        <button type="button" class=BUTTON_SECONDARY on:click=move |_| asking.set(true) data-testid="order-cancel">{t!(i18n, ord.cancel_order)}</button>
                    }>
                        <span class="text-sm">{t!(i18n, ord.cancel_sure)}</span>
                        <button type="button" class=BUTTON_DANGER disabled=move || cancel.pending().get()
                            on:click=move |_| { cancel.dispatch(()); } data-testid="order-cancel-yes">{t!(i18n, ord.cancel_yes)}</button>
                        <button type="button" class=BUTTON_SECONDARY on:click=move |_| asking.set(false)>{t!(i18n, common.cancel)}</button>
                    </Show>
                </div>
            })}
        </section>
    }
}

/// The route, a bar per stage.
#[component]
fn Route(o: OrderSummary) -> impl IntoView {
    let i18n = use_i18n();
    let q = o.quantity;
    view! {
        <section class=CARD aria-labelledby="route-h" data-testid="order-route">
            <h2 id="route-h" class="mb-3 text-base font-semibold">{t!(i18n, ord.route)}</h2>
            <ol class="space-y-3">
                {o.stages.into_iter().map(|s| view! { <li><StageBar stage=s quantity=q wide=true /></li> }).collect_view()}
            </ol>
        </section>
    }
}

/// A whole number typed in a field: empty is 0; anything else that does not read is -1, which the server refuses
/// for that field.
fn pieces(text: &str) -> i32 {
    let t = text.trim();
    if t.is_empty() { 0 } else { t.parse().unwrap_or(-1) }
}

#[component]
fn FactForm(
    o: OrderSummary,
    choices: Choices,
    changed: RwSignal<u64>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let order = o.id;
    // The stage still short of the quantity, else the last.
    let start_stage = o.stages.iter().find(|s| s.good < o.quantity).or(o.stages.last()).map(|s| s.stage);
    let (start_day, start_shift) = match &choices.clock.current {
        Some(c) => (c.day, Some(c.id)),
        None => (choices.clock.today, None),
    };
    let start_operator = choices.people.iter().any(|p| p.id == me.user_id).then_some(me.user_id);
    let stage = RwSignal::new(start_stage);
    let day = RwSignal::new(start_day.to_string());
    let shift = RwSignal::new(start_shift);
    let operator = RwSignal::new(start_operator);
    let good = RwSignal::new(String::new());
    let scrap = RwSignal::new(String::new());
    let reason = RwSignal::new(None::<ScrapReasonId>);
    let comment = RwSignal::new(String::new());
    let key = RwSignal::new(new_key("fact"));
    let record = Action::new(move |(input, key): &(FactInput, String)| mes_record(order, input.clone(), key.clone()));
    let error = Signal::derive(move || record.value().get().and_then(Result::err));
    let done = notice;
    Effect::new(move |_| {
        if let Some(Ok(r)) = record.value().get() {
            good.set(String::new());
            scrap.set(String::new());
            reason.set(None);
            comment.set(String::new());
            key.set(new_key("fact"));
            let l = i18n.get_locale_untracked();
            done.set(Some(td_string!(l, ord.recorded, good = r.fact.good, scrap = r.fact.scrap).to_string()));
            changed.update(|c| *c += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let Some(stage_id) = stage.get_untracked() else { return };
        let input = FactInput {
            stage_id,
            day: chrono::NaiveDate::parse_from_str(&day.get_untracked(), "%Y-%m-%d").unwrap_or(start_day),
            shift_id: shift.get_untracked(),
            operator_id: operator.get_untracked(),
            good: pieces(&good.get_untracked()),
            scrap: pieces(&scrap.get_untracked()),
            scrap_reason_id: reason.get_untracked(),
            comment: Some(comment.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        record.dispatch((input, key.get_untracked()));
    };
    let route = o.stages.clone();
    let Choices { shifts, people, scrap_reasons, .. } = choices;
    view! {
        <form class=format!("{CARD} space-y-4") on:submit=submit data-testid="fact-form" novalidate aria-labelledby="fact-h">
            <h2 id="fact-h" class="text-base font-semibold">{t!(i18n, ord.record_fact)}</h2>
            <ErrorBanner error fields=&["stage_id", "day", "shift_id", "operator_id", "good", "scrap", "scrap_reason_id", "comment"] />
            <p role="status" class="text-sm font-medium text-emerald-800 dark:text-emerald-200" data-testid="fact-recorded">{move || done.get()}</p>
            <div class="grid gap-4 sm:grid-cols-2">
                <div>
                    <label for="fact-stage" class=LABEL>{t!(i18n, ord.f_stage)}</label>
                    <select id="fact-stage" class=INPUT data-testid="fact-stage"
                        aria-invalid=names(error, "stage_id", "true") aria-describedby=names(error, "stage_id", "fact-stage-error")
                        on:change=move |ev| stage.set(event_target_value(&ev).parse::<StageId>().ok())>
                        {route.into_iter().map(|s| view! {
                            <option value=s.stage.to_string() selected=move || stage.get() == Some(s.stage)>{s.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    {field_problem(error, "stage_id", "fact-stage-error")}
                </div>
                <div>
                    <label for="fact-day" class=LABEL>{t!(i18n, ord.f_day)}</label>
                    <input id="fact-day" type="date" class=INPUT data-testid="fact-day"
                        aria-invalid=names(error, "day", "true") aria-describedby=names(error, "day", "fact-day-error")
                        prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                    {field_problem(error, "day", "fact-day-error")}
                </div>
                <div>
                    <label for="fact-shift" class=LABEL>{t!(i18n, ord.f_shift)}</label>
                    <select id="fact-shift" class=INPUT data-testid="fact-shift"
                        aria-invalid=names(error, "shift_id", "true") aria-describedby=names(error, "shift_id", "fact-shift-error")
                        on:change=move |ev| shift.set(event_target_value(&ev).parse::<i32>().ok().map(ShiftId))>
                        <option value="" selected=move || shift.get().is_none()>{t!(i18n, ord.no_shift)}</option>
                        {shifts.into_iter().map(|s| view! {
                            <option value=s.id.0.to_string() selected=move || shift.get() == Some(s.id)>{s.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    {field_problem(error, "shift_id", "fact-shift-error")}
                </div>
                <div>
                    <label for="fact-operator" class=LABEL>{t!(i18n, ord.f_operator)}</label>
                    <select id="fact-operator" class=INPUT data-testid="fact-operator"
                        aria-invalid=names(error, "operator_id", "true") aria-describedby=names(error, "operator_id", "fact-operator-error")
                        on:change=move |ev| operator.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(UserId))>
                        <option value="" selected=move || operator.get().is_none()>{t!(i18n, mes.f_none)}</option>
                        {people.into_iter().map(|p| view! {
                            <option value=p.id.0.to_string() selected=move || operator.get() == Some(p.id)>{p.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    {field_problem(error, "operator_id", "fact-operator-error")}
                </div>
                <div>
                    <label for="fact-good" class=LABEL>{t!(i18n, ord.f_good)}</label>
                    <input id="fact-good" type="number" min="0" step="1" inputmode="numeric" class=format!("{INPUT} text-lg tabular-nums") data-testid="fact-good"
                        aria-invalid=names(error, "good", "true") aria-describedby=names(error, "good", "fact-good-error")
                        prop:value=move || good.get() on:input=move |ev| good.set(event_target_value(&ev)) />
                    {field_problem(error, "good", "fact-good-error")}
                </div>
                <div>
                    <label for="fact-scrap" class=LABEL>{t!(i18n, ord.f_scrap)}</label>
                    <input id="fact-scrap" type="number" min="0" step="1" inputmode="numeric" class=format!("{INPUT} text-lg tabular-nums") data-testid="fact-scrap"
                        aria-invalid=names(error, "scrap", "true") aria-describedby=names(error, "scrap", "fact-scrap-error")
                        prop:value=move || scrap.get() on:input=move |ev| scrap.set(event_target_value(&ev)) />
                    {field_problem(error, "scrap", "fact-scrap-error")}
                </div>
                <div>
                    <label for="fact-reason" class=LABEL>{t!(i18n, ord.f_scrap_reason)}</label>
                    <select id="fact-reason" class=INPUT data-testid="fact-reason"
                        aria-invalid=names(error, "scrap_reason_id", "true") aria-describedby=names(error, "scrap_reason_id", "fact-reason-error")
                        on:change=move |ev| reason.set(event_target_value(&ev).parse::<i32>().ok().map(ScrapReasonId))>
                        <option value="" selected=move || reason.get().is_none()>{t!(i18n, mes.f_none)}</option>
                        {scrap_reasons.into_iter().map(|r| view! {
                            <option value=r.id.0.to_string() selected=move || reason.get() == Some(r.id)>{r.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    {field_problem(error, "scrap_reason_id", "fact-reason-error")}
                </div>
                <div>
                    <label for="fact-comment" class=LABEL>{t!(i18n, ord.f_comment)}</label>
                    <input id="fact-comment" class=INPUT maxlength="2000" data-testid="fact-comment"
                        aria-invalid=names(error, "comment", "true") aria-describedby=names(error, "comment", "fact-comment-error")
                        prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) />
                    {field_problem(error, "comment", "fact-comment-error")}
                </div>
            </div>
            <button type="submit" class=format!("{BUTTON} min-h-12 min-w-40 text-base") disabled=move || record.pending().get() data-testid="fact-save">
                {t!(i18n, ord.record)}
            </button>
        </form>
    }
}

/// The order's facts, newest first; a fact the reader may reverse has its button, which asks the reason first.
#[component]
fn Facts(facts: Vec<Fact>, o: OrderSummary, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let may_all = me.can(Permission::MesPlan);
    let may_any = me.can(Permission::MesWork) && o.state != OrderState::Cancelled;
    let mine = me.user_id;
    let stage_names: Vec<(StageId, String)> = o.stages.iter().map(|s| (s.stage, s.name.clone())).collect();
    let reversing = RwSignal::new(None::<Fact>);
    let reason = RwSignal::new(String::new());
    let reverse =
        Action::new(move |(id, reason, key): &(FactId, String, String)| mes_reverse(*id, reason.clone(), key.clone()));
    let error = Signal::derive(move || reverse.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = reverse.value().get() {
            reversing.set(None);
            reason.set(String::new());
            changed.update(|c| *c += 1);
        }
    });
    let stage_name =
        move |id: StageId| stage_names.iter().find(|(s, _)| *s == id).map(|(_, n)| n.clone()).unwrap_or_default();
    let reversible = move |f: &Fact| {
        may_any && f.reverses.is_none() && f.reversed_by.is_none() && (may_all || f.recorded_by.id == mine)
    };
    let columns = vec![
        Column::new(
            move || td_string!(i18n.get_locale(), ord.f_day),
            |f: &Fact| view! { <span class="tabular-nums">{f.day.to_string()}</span><div class="text-xs">{f.shift.as_ref().map(|s| s.name.clone())}</div> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), ord.f_stage), {
            let stage_name = stage_name.clone();
            move |f: &Fact| stage_name(f.stage).into_any()
        }),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.f_good),
            |f: &Fact| view! { <span class=if f.reversed_by.is_some() { "tabular-nums line-through" } else { "tabular-nums" } data-testid="fact-good-cell">{f.good}</span> }.into_any(),
        )
        .class("text-right"),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.f_scrap),
            |f: &Fact| view! {
                <span class=if f.reversed_by.is_some() { "tabular-nums line-through" } else { "tabular-nums" }>{f.scrap}</span>
                {f.scrap_reason.as_ref().map(|r| view! { <div class="text-xs">{r.name.clone()}</div> })}
            }.into_any(),
        )
        .class("text-right"),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.f_operator),
            |f: &Fact| f.operator.as_ref().map(|p| p.name.clone()).unwrap_or_default().into_any(),
        ),
        Column::new(move || td_string!(i18n.get_locale(), ord.f_comment), |f: &Fact| {
            let mark = match (f.reverses, f.reversed_by) {
                (Some(of), _) => Some(("ord-reversal", of)),
                (None, Some(by)) => Some(("ord-reversed", by)),
                _ => None,
            };
            view! {
                {mark.map(|(kind, other)| {
                    let reversal = kind == "ord-reversal";
                    view! {
                        <span class="mr-1 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid=kind>
                            {move || if reversal { td_string!(use_i18n().get_locale(), ord.reversal_of, id = other.0).to_string() } else { td_string!(use_i18n().get_locale(), ord.reversed_by, id = other.0).to_string() }}
                        </span>
                    }
                })}
                <span class="whitespace-pre-line">{f.comment.clone()}</span>
                <div class="mt-1 text-xs text-slate-600 dark:text-slate-300">
                    {let name = f.recorded_by.name.clone(); move || td_string!(use_i18n().get_locale(), ord.recorded_by_name, name = name.clone()).to_string()}
                    " · "<LocalTime at=f.recorded_at />
                </div>
            }
            .into_any()
        }),
        Column::new(move || td_string!(i18n.get_locale(), ord.actions), move |f: &Fact| {
            if !reversible(f) {
                return ().into_any();
            }
            let pick = f.clone();
            let id = f.id.0;
            view! {
                <button type="button" class=BUTTON_SECONDARY data-testid="fact-reverse" on:click=move |_| { reason.set(String::new()); reversing.set(Some(pick.clone())); }>
                    {t!(use_i18n(), ord.reverse)}<span class="sr-only">" #"{id}</span>
                </button>
            }
            .into_any()
        }),
    ];
    view! {
        <Show when=move || reversing.get().is_some()>
            <form class=format!("{CARD} mt-4 space-y-3 border border-amber-300 dark:border-amber-800") data-testid="reverse-form" novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if let Some(f) = reversing.get_untracked() {
                        reverse.dispatch((f.id, reason.get_untracked(), new_key("reverse")));
                    }
                }>
                <h2 class="text-base font-semibold">
                    {move || reversing.get().map(|f| td_string!(i18n.get_locale(), ord.reverse_title, id = f.id.0, good = f.good, scrap = f.scrap, day = f.day.to_string()).to_string())}
                </h2>
                <ErrorBanner error fields=&["comment"] />
                <div>
                    <label for="reverse-reason" class=LABEL>{t!(i18n, ord.reverse_reason)}</label>
                    <textarea id="reverse-reason" rows="2" class=INPUT maxlength="2000" required data-testid="reverse-reason"
                        aria-invalid=names(error, "comment", "true") aria-describedby=names(error, "comment", "reverse-reason-error")
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    {field_problem(error, "comment", "reverse-reason-error")}
                </div>
                <div class="flex flex-wrap gap-2">
                    <button type="submit" class=BUTTON_DANGER disabled=move || reverse.pending().get() data-testid="reverse-confirm">{t!(i18n, ord.reverse_confirm)}</button>
                    <button type="button" class=BUTTON_SECONDARY on:click=move |_| reversing.set(None)>{t!(i18n, common.cancel)}</button>
                </div>
            </form>
        </Show>
        <section class=format!("{CARD_FLUSH} mt-4") tabindex="0" aria-labelledby="facts-h">
            <h2 id="facts-h" class="px-4 pt-4 text-base font-semibold">{t!(i18n, ord.facts)}</h2>
            <DataTable
                rows=facts
                columns
                caption=move || td_string!(i18n.get_locale(), ord.facts)
                testid="facts"
                rows_meta=Rows { testid: "fact-row", key: |f: &Fact| f.id.0.to_string(), state: None }
                empty=ViewFn::from(move || view! { <span data-testid="facts-empty">{t!(i18n, ord.no_facts)}</span> })
            />
        </section>
    }
}
