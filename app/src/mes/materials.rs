//! An order's materials on its page: what it needs from the stock room and what it consumed (the ledger's issues
//! referencing the order's code, less returns and reversals), what is still to issue and what is in stock. A planner
//! sets what it needs (an item by its code or SKU, scanned or typed, and a quantity); whoever moves stock issues to
//! it from a department, through the stock room's ledger (never below zero; each refusal named on its field).

use leptos::prelude::*;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{DepartmentId, ItemId, OrderId};
use nexus::mes::rules::views::{OrderMaterial, OrderMovement};
use nexus::stockroom::rules::quantity::Qty;
use nexus::stockroom::rules::views::Department;

use crate::error::AppError;
use crate::i18n::*;
use crate::stockroom::texts;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, INPUT, LABEL, LocalTime, field_problem, names, new_key,
};
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::session::use_me;

/// A quantity typed on the page, or the field's refusal.
#[cfg(feature = "ssr")]
fn typed(field: &str, text: &str) -> Result<Qty, AppError> {
    Qty::parse(text, false).map_err(|code| AppError::field(field, code))
}

/// Sets how much of the item with `code` (its barcode or SKU) the order needs; 0 takes it off the list.
#[server(prefix = "/api", endpoint = "ui/mes/order-material")]
pub async fn mes_set_material(order: OrderId, code: String, quantity: String) -> Result<Vec<OrderMaterial>, AppError> {
    use nexus::mes::service::materials;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let quantity = typed("quantity", &quantity)?;
    let item = match nexus::stockroom::service::setup::lookup(&st.pool, &caller, &code).await {
        Ok(d) => d.item.id,
        Err(nexus::error::Error::NotFound) => {
            return Err(AppError::field("code", nexus::codes::ErrorCode::NotFound));
        }
        Err(e) => return Err(e.into()),
    };
    match materials::set_item(&st.pool, &caller, order, item, quantity).await {
        // The item is the one the code named: say it of the code typed or scanned.
        Err(nexus::error::Error::Validation(mut fields)) => {
            fields.iter_mut().filter(|f| f.field == "item_id").for_each(|f| f.field = "code".into());
            Err(nexus::error::Error::Validation(fields).into())
        }
        other => Ok(other?),
    }
}

/// Issues `quantity` of `item` to the order from `department`, under `key`.
#[server(prefix = "/api", endpoint = "ui/mes/order-issue")]
pub async fn mes_issue(
    order: OrderId,
    department: DepartmentId,
    item: ItemId,
    quantity: String,
    key: String,
) -> Result<Vec<OrderMaterial>, AppError> {
    use nexus::mes::rules::orders::{IssueInput, MaterialInput};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let quantity = typed("quantity", &quantity)?;
    let input = IssueInput {
        idempotency_key: key,
        department_id: department,
        lines: vec![MaterialInput { item_id: item, quantity }],
    };
    let ui = nexus::stockroom::rules::ledger::Source::Ui;
    Ok(nexus::mes::service::materials::issue(&st.pool, &caller, order, &input, ui).await?)
}

#[component]
pub fn Materials(
    order: OrderId,
    materials: Vec<OrderMaterial>,
    movements: Vec<OrderMovement>,
    /// The departments stock may be issued from (none: the reader moves no stock).
    departments: Vec<Department>,
    /// The order takes material (not cancelled).
    live: bool,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let may_plan = live && me.can(Permission::MesPlan);
    let may_issue = live && me.can(Permission::StockMove) && !departments.is_empty() && !materials.is_empty();
    let columns = vec![
        Column::new(move || td_string!(i18n.get_locale(), ord.col_item), |m: &OrderMaterial| {
            view! { <span class="font-mono text-xs">{m.sku.clone()}</span>" · "{m.name.clone()} }.into_any()
        }),
        Column::new(move || td_string!(i18n.get_locale(), ord.col_needed), move |m: &OrderMaterial| {
            let (q, u) = (m.needed, m.unit);
            (move || texts::qty(i18n.get_locale(), q, u)).into_any()
        })
        .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), ord.col_consumed), move |m: &OrderMaterial| {
            let (q, u) = (m.consumed, m.unit);
            view! { <span data-testid="material-consumed">{move || texts::qty(i18n.get_locale(), q, u)}</span> }.into_any()
        })
        .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), ord.col_remaining), move |m: &OrderMaterial| {
            let (q, u, short) = (m.remaining, m.unit, m.remaining > m.on_hand);
            view! {
                <span data-testid="material-remaining" class=if short { "font-semibold text-amber-800 dark:text-amber-300" } else { "" }>
                    {move || texts::qty(i18n.get_locale(), q, u)}
                </span>
            }
            .into_any()
        })
        .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), ord.col_on_hand), move |m: &OrderMaterial| {
            let (q, u) = (m.on_hand, m.unit);
            (move || texts::qty(i18n.get_locale(), q, u)).into_any()
        })
        .class("sm:text-right tabular-nums whitespace-nowrap"),
    ];
    let items: Vec<(ItemId, String, Qty)> =
        materials.iter().map(|m| (m.item, format!("{} · {}", m.sku, m.name), m.remaining)).collect();
    view! {
        <section class=format!("{CARD_FLUSH} mt-4") aria-labelledby="materials-h" data-testid="order-materials">
            <h2 id="materials-h" class="px-4 pt-4 text-base font-semibold">{t!(i18n, ord.materials)}</h2>
            <p class="px-4 pb-2 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.materials_note)}</p>
            <DataTable
                rows=materials
                columns
                caption=move || td_string!(i18n.get_locale(), ord.materials)
                testid="materials"
                rows_meta=Rows { testid: "material-row", key: |m: &OrderMaterial| m.item.0.to_string(), state: None }
                empty=ViewFn::from(move || view! { <span data-testid="materials-empty">{t!(i18n, ord.materials_none)}</span> })
            />
            <div class="grid gap-4 p-4 lg:grid-cols-2">
                {may_plan.then(|| view! { <PlanForm order changed /> })}
                {may_issue.then(|| view! { <IssueForm order departments items changed /> })}
            </div>
            {(!movements.is_empty()).then(|| view! { <Movements movements /> })}
        </section>
    }
}

/// The order's movements in the stock room's ledger, newest first.
#[component]
fn Movements(movements: Vec<OrderMovement>) -> impl IntoView {
    let i18n = use_i18n();
    let columns = vec![
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_when),
            |m: &OrderMovement| view! { <LocalTime at=m.at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_movement),
            move |m: &OrderMovement| {
                let (kind, struck) = (m.kind, m.reversed_by.is_some());
                view! { <span class=if struck { "line-through" } else { "" }>{move || texts::kind(i18n.get_locale(), kind)}</span> }
                .into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.col_item),
            |m: &OrderMovement| {
                view! { <span class="font-mono text-xs">{m.sku.clone()}</span>" · "{m.name.clone()} }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.material_quantity),
            move |m: &OrderMovement| {
                let (q, u) = (m.quantity, m.unit);
                (move || format!("{} {}", texts::delta(i18n.get_locale(), q), texts::unit(i18n.get_locale(), u)))
                    .into_any()
            },
        )
        .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), ord.issue_department),
            |m: &OrderMovement| m.department.clone().into_any(),
        ),
        Column::new(move || td_string!(i18n.get_locale(), ord.col_by), |m: &OrderMovement| m.author.clone().into_any()),
    ];
    view! {
        <h3 class="px-4 pt-2 text-sm font-semibold" id="movements-h">{t!(i18n, ord.movements)}</h3>
        <DataTable
            rows=movements
            columns
            caption=move || td_string!(i18n.get_locale(), ord.movements)
            testid="movements"
            rows_meta=Rows { testid: "movement-row", key: |m: &OrderMovement| m.id.to_string(), state: None }
            empty=ViewFn::from(|| ())
        />
    }
}

/// A planner's line: an item by code or SKU and how much the order needs (0 takes it off).
#[component]
fn PlanForm(order: OrderId, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let (code, quantity) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let save = Action::new(move |(c, q): &(String, String)| mes_set_material(order, c.clone(), q.clone()));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            code.set(String::new());
            quantity.set(String::new());
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <form class="space-y-3" data-testid="material-form" novalidate
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save.dispatch((code.get_untracked(), quantity.get_untracked()));
            }>
            <h3 class="text-sm font-semibold">{t!(i18n, ord.material_plan)}</h3>
            <ErrorBanner error fields=&["code", "quantity"] />
            <div class="grid gap-3 sm:grid-cols-[2fr_1fr]">
                <div>
                    <label for="material-code" class=LABEL>{t!(i18n, ord.material_code)}</label>
                    <input id="material-code" class=INPUT required autocomplete="off" data-testid="material-code"
                        aria-invalid=names(error, "code", "true") aria-describedby=names(error, "code", "material-code-error")
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    {field_problem(error, "code", "material-code-error")}
                </div>
                <div>
                    <label for="material-quantity" class=LABEL>{t!(i18n, ord.material_quantity)}</label>
                    <input id="material-quantity" class=INPUT inputmode="decimal" required data-testid="material-quantity"
                        aria-invalid=names(error, "quantity", "true") aria-describedby=names(error, "quantity", "material-quantity-error")
                        prop:value=move || quantity.get() on:input=move |ev| quantity.set(event_target_value(&ev)) />
                    {field_problem(error, "quantity", "material-quantity-error")}
                </div>
            </div>
            <button type="submit" class=BUTTON_SECONDARY disabled=move || save.pending().get() data-testid="material-save">{t!(i18n, ord.material_save)}</button>
        </form>
    }
}

/// Stock issued to the order: from a department, an item of its list, a quantity (what is still to issue to start
/// with).
#[component]
fn IssueForm(
    order: OrderId,
    departments: Vec<Department>,
    items: Vec<(ItemId, String, Qty)>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let department = RwSignal::new(departments.first().map(|d| d.id));
    let first = items.first().map(|(id, _, q)| (*id, *q));
    let item = RwSignal::new(first.map(|(id, _)| id));
    let quantity = RwSignal::new(first.map(|(_, q)| texts::input(i18n.get_locale_untracked(), q)).unwrap_or_default());
    let remaining: Vec<(ItemId, Qty)> = items.iter().map(|(id, _, q)| (*id, *q)).collect();
    let issue = Action::new(move |(d, i, q, k): &(DepartmentId, ItemId, String, String)| {
        mes_issue(order, *d, *i, q.clone(), k.clone())
    });
    let error = Signal::derive(move || issue.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = issue.value().get() {
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <form class="space-y-3" data-testid="issue-form" novalidate
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if let (Some(d), Some(i)) = (department.get_untracked(), item.get_untracked()) {
                    issue.dispatch((d, i, quantity.get_untracked(), new_key("issue")));
                }
            }>
            <h3 class="text-sm font-semibold">{t!(i18n, ord.issue_title)}</h3>
            <ErrorBanner error fields=&["quantity"] />
            <div class="grid gap-3 sm:grid-cols-3">
                <div>
                    <label for="issue-department" class=LABEL>{t!(i18n, ord.issue_department)}</label>
                    <select id="issue-department" class=INPUT data-testid="issue-department"
                        on:change=move |ev| department.set(event_target_value(&ev).parse().ok().map(DepartmentId))>
                        {departments.into_iter().map(|d| view! { <option value=d.id.0.to_string()>{format!("{} · {}", d.code, d.name)}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="issue-item" class=LABEL>{t!(i18n, ord.col_item)}</label>
                    <select id="issue-item" class=INPUT data-testid="issue-item"
                        on:change=move |ev| {
                            let id = event_target_value(&ev).parse().ok().map(ItemId);
                            item.set(id);
                            if let Some((_, q)) = remaining.iter().find(|(i, _)| Some(*i) == id) {
                                quantity.set(texts::input(i18n.get_locale_untracked(), *q));
                            }
                        }>
                        {items.into_iter().map(|(id, label, _)| view! { <option value=id.0.to_string()>{label}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="issue-quantity" class=LABEL>{t!(i18n, ord.material_quantity)}</label>
                    <input id="issue-quantity" class=INPUT inputmode="decimal" required data-testid="issue-quantity"
                        aria-invalid=names(error, "quantity", "true") aria-describedby=names(error, "quantity", "issue-quantity-error")
                        prop:value=move || quantity.get() on:input=move |ev| quantity.set(event_target_value(&ev)) />
                    {field_problem(error, "quantity", "issue-quantity-error")}
                </div>
            </div>
            <button type="submit" class=BUTTON disabled=move || issue.pending().get() data-testid="issue-send">{t!(i18n, ord.issue_send)}</button>
        </form>
    }
}
