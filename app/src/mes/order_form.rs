//! `/mes/orders/new`: a production order as a planner writes it: its code and name, the product it makes, how many,
//! by when, and its route: the plant's stages in the order the pieces go through them (added one by one, moved up
//! or down, taken out). Sent under a key of its own (a double tap makes one order); each refused field says why.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{OrderId, ProductId, StageId};
use nexus::mes::rules::orders::OrderInput;
use nexus::mes::rules::views::Choices;

use super::orders::FloorNav;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, LABEL, Loading, PageHeader, field_problem, names, new_key,
};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/mes/choices")]
pub async fn mes_choices() -> Result<Choices, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::orders::choices(&st.pool, &caller, chrono::Utc::now()).await?)
}

#[server(prefix = "/api", endpoint = "ui/mes/order-create")]
pub async fn mes_create_order(input: OrderInput, key: String) -> Result<OrderId, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::orders::create(&st.pool, &caller, &input, Some(&key)).await?.order.id)
}

#[component]
pub fn NewOrderPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| mes_choices());
    view! {
        <Protected permission=Permission::MesPlan>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(c) => view! { <OrderForm c /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn OrderForm(c: Choices) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let product = RwSignal::new(None::<ProductId>);
    let quantity = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    // The plant's stages in their usual order make the route a new order starts with.
    let route = RwSignal::new(c.stages.iter().map(|s| s.id).collect::<Vec<StageId>>());
    let adding = RwSignal::new(None::<StageId>);
    let key = StoredValue::new(new_key("order"));
    let create = Action::new(move |input: &OrderInput| mes_create_order(input.clone(), key.get_value()));
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/mes/orders/{id}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = quantity.get_untracked();
        create.dispatch(OrderInput {
            code: code.get_untracked(),
            name: name.get_untracked(),
            product_id: product.get_untracked(),
            quantity: if q.trim().is_empty() { 0 } else { q.trim().parse().unwrap_or(-1) },
            due_date: chrono::NaiveDate::parse_from_str(&due.get_untracked(), "%Y-%m-%d").ok(),
            route: route.get_untracked(),
        });
    };
    let stages = StoredValue::new(c.stages.clone());
    let name_of = move |id: StageId| {
        stages.with_value(|s| {
            s.iter().find(|s| s.id == id).map(|s| format!("{} · {}", s.code, s.name)).unwrap_or_default()
        })
    };
    let swap = move |i: usize, j: usize| route.update(|r| r.swap(i, j));
    let no_stages = c.stages.is_empty();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), ord.new_order) />
        <PageHeader title=ViewFn::from(move || t!(i18n, ord.new_order)) />
        <FloorNav current="" />
        {no_stages.then(|| view! {
            <p class="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100" data-testid="order-no-stages">
                {t!(i18n, ord.empty_no_stages)}" "<a href="/mes/setup" class="font-medium underline">{t!(i18n, ord.setup_title)}</a>
            </p>
        })}
        <form class=format!("{CARD} max-w-2xl space-y-4") on:submit=submit data-testid="order-form" novalidate>
            <ErrorBanner error fields=&["code", "name", "product_id", "quantity", "due_date", "route"] />
            <div class="grid gap-4 sm:grid-cols-[10rem_1fr]">
                <div>
                    <label for="order-code" class=LABEL>{t!(i18n, ord.f_code)}</label>
                    <input id="order-code" class=INPUT maxlength="40" required data-testid="order-code"
                        aria-invalid=names(error, "code", "true") aria-describedby=names(error, "code", "order-code-error")
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    {field_problem(error, "code", "order-code-error")}
                </div>
                <div>
                    <label for="order-name" class=LABEL>{t!(i18n, ord.f_name)}</label>
                    <input id="order-name" class=INPUT maxlength="200" required data-testid="order-name"
                        aria-invalid=names(error, "name", "true") aria-describedby=names(error, "name", "order-name-error")
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    {field_problem(error, "name", "order-name-error")}
                </div>
            </div>
            <div class="grid gap-4 sm:grid-cols-3">
                <div>
                    <label for="order-product" class=LABEL>{t!(i18n, ord.f_product)}</label>
                    <select id="order-product" class=INPUT data-testid="order-product"
                        aria-invalid=names(error, "product_id", "true") aria-describedby=names(error, "product_id", "order-product-error")
                        on:change=move |ev| product.set(event_target_value(&ev).parse::<i32>().ok().map(ProductId))>
                        <option value="">{t!(i18n, mes.f_none)}</option>
                        {c.products.into_iter().map(|p| view! { <option value=p.id.0.to_string()>{format!("{} · {}", p.code, p.name)}</option> }).collect_view()}
                    </select>
                    {field_problem(error, "product_id", "order-product-error")}
                </div>
                <div>
                    <label for="order-quantity" class=LABEL>{t!(i18n, ord.col_quantity)}</label>
                    <input id="order-quantity" type="number" min="1" step="1" inputmode="numeric" class=format!("{INPUT} tabular-nums") required data-testid="order-quantity-input"
                        aria-invalid=names(error, "quantity", "true") aria-describedby=names(error, "quantity", "order-quantity-error")
                        prop:value=move || quantity.get() on:input=move |ev| quantity.set(event_target_value(&ev)) />
                    {field_problem(error, "quantity", "order-quantity-error")}
                </div>
                <div>
                    <label for="order-due" class=LABEL>{t!(i18n, mes.f_due)}</label>
                    <input id="order-due" type="date" class=INPUT data-testid="order-due"
                        prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                </div>
            </div>
            <fieldset aria-describedby=names(error, "route", "order-route-error")>
                <legend class=LABEL>{t!(i18n, ord.route)}</legend>
                <p class="mb-2 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, ord.route_hint)}</p>
                <ol class="mb-3 space-y-2" data-testid="order-route-list">
                    {move || {
                        let r = route.get();
                        let n = r.len();
                        r.into_iter().enumerate().map(|(i, id)| {
                            let label = name_of(id);
                            let l2 = label.clone();
                            let l3 = label.clone();
                            view! {
                                <li class="flex flex-wrap items-center gap-2 rounded-lg bg-slate-50 px-3 py-2 text-sm dark:bg-slate-800" data-testid="route-stage">
                                    <span class="w-6 tabular-nums text-slate-600 dark:text-slate-300">{i + 1}"."</span>
                                    <span class="flex-1 font-medium">{label}</span>
                                    <button type="button" class=BUTTON_SECONDARY disabled=i == 0 on:click=move |_| swap(i - 1, i)
                                        aria-label=move || td_string!(i18n.get_locale(), ord.route_up, stage = l2.clone()).to_string()>"↑"</button>
                                    <button type="button" class=BUTTON_SECONDARY disabled=i + 1 == n on:click=move |_| swap(i, i + 1)
                                        aria-label=move || td_string!(i18n.get_locale(), ord.route_down, stage = l3.clone()).to_string()>"↓"</button>
                                    <button type="button" class=BUTTON_SECONDARY data-testid="route-remove" on:click=move |_| route.update(|r| { r.remove(i); })>
                                        {t!(i18n, ord.route_remove)}<span class="sr-only">" "{name_of(id)}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()
                    }}
                </ol>
                <div class="flex flex-wrap items-end gap-2">
                    <div class="min-w-48 flex-1">
                        <label for="order-add-stage" class=LABEL>{t!(i18n, ord.route_add_label)}</label>
                        <select id="order-add-stage" class=INPUT data-testid="route-add-stage"
                            on:change=move |ev| adding.set(event_target_value(&ev).parse::<i32>().ok().map(StageId))>
                            <option value="">{t!(i18n, mes.choose)}</option>
                            {move || {
                                let r = route.get();
                                stages.get_value().into_iter().filter(|s| !r.contains(&s.id)).map(|s| view! {
                                    <option value=s.id.0.to_string()>{format!("{} · {}", s.code, s.name)}</option>
                                }).collect_view()
                            }}
                        </select>
                    </div>
                    <button type="button" class=BUTTON_SECONDARY data-testid="route-add" on:click=move |_| {
                        if let Some(s) = adding.get_untracked() && !route.get_untracked().contains(&s) {
                            route.update(|r| r.push(s));
                            adding.set(None);
                        }
                    }>{t!(i18n, ord.route_add)}</button>
                </div>
                {field_problem(error, "route", "order-route-error")}
            </fieldset>
            <button type="submit" class=format!("{BUTTON} min-h-12") disabled=move || create.pending().get() data-testid="order-create">{t!(i18n, ord.create)}</button>
        </form>
    }
}
