//! `/stock/items/new` and `/stock/items/:id/edit`: an item as those who configure the room write it: SKU, name,
//! description, unit, category (the room's tree), unit cost in the organisation's currency, its barcodes (one per
//! line), the catalog part it is (found by the catalog's own search: "en tu almacén" follows from it) and, once it
//! exists, whether it is archived. Its levels per department are set on the item's page. Saving goes through
//! `nexus::stockroom::service::setup::save_item`, the call REST's `POST/PUT /api/v1/stock/items` makes; each refused
//! field says why under it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use nexus::codes::ErrorCode;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{ItemId, PartId};
use nexus::stockroom::rules::ItemInput;
use nexus::stockroom::rules::quantity::Unit;
use nexus::stockroom::rules::views::{Category, Item};
use serde::{Deserialize, Serialize};

use super::setup::{LABEL, field_problem, names};
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, PageHeader, error_text};
use crate::ui::session::{Protected, use_me};

/// A catalog part as the form names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartChoice {
    pub id: PartId,
    pub number: String,
    pub manufacturer: String,
    pub name: String,
}

/// What the form starts from: the item (none for a new one), the categories to choose from, its part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFormData {
    pub item: Option<Item>,
    pub categories: Vec<Category>,
    pub part: Option<PartChoice>,
}

#[server(prefix = "/api", endpoint = "ui/stock/item-form")]
pub async fn stock_item_form(id: Option<ItemId>) -> Result<ItemFormData, AppError> {
    use nexus::stockroom::service::setup;
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    user.require(Permission::StockConfigure)?;
    let caller = nexus::caller::Caller::User(user);
    let item = match id {
        Some(id) => Some(setup::get(&st.pool, &caller, id).await?.item),
        None => None,
    };
    let categories = setup::categories(&st.pool, &caller).await?;
    let part = match item.as_ref().and_then(|i| i.part) {
        Some(p) => {
            let d = nexus::catalog::service::parts::part(&st.pool, p).await?;
            Some(PartChoice { id: d.id, number: d.number, manufacturer: d.manufacturer, name: d.name })
        }
        None => None,
    };
    Ok(ItemFormData { item, categories, part })
}

#[server(prefix = "/api", endpoint = "ui/stock/item-save")]
pub async fn stock_save_item(id: Option<ItemId>, input: ItemInput) -> Result<ItemId, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::stockroom::service::setup::save_item(&st.pool, &caller, &meta, id, &input, &[]).await?)
}

/// Parts of the catalog a text finds (its number, its name), the best first: the catalog's search itself.
#[server(prefix = "/api", endpoint = "ui/stock/part-choices")]
pub async fn stock_part_choices(q: String) -> Result<Vec<PartChoice>, AppError> {
    use nexus::catalog::rules::search::SearchRequest;
    let st = crate::state::state()?;
    crate::state::user()?.require(Permission::CatalogRead)?;
    let q = nexus::codes::check_text("q", &q, true, 100)?;
    let req = SearchRequest { q, vehicle: Default::default(), group: None, after: None, limit: PART_CHOICES };
    let page = st.catalog_cache.search(&st.pool, &req).await?;
    Ok(page
        .hits
        .iter()
        .map(|h| PartChoice {
            id: h.id,
            number: h.number.clone(),
            manufacturer: h.manufacturer.clone(),
            name: h.name.iter().map(|s| s.text.as_str()).collect(),
        })
        .collect())
}

/// Parts a search in the form offers.
#[cfg(feature = "ssr")]
const PART_CHOICES: u16 = 6;

#[component]
pub fn NewItemPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| stock_item_form(None));
    view! {
        <Protected permission=Permission::StockConfigure>
            <FormPage data />
        </Protected>
    }
}

#[component]
pub fn EditItemPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<i64>().ok()).map(ItemId));
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => stock_item_form(Some(id)).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Protected permission=Permission::StockConfigure>
            <FormPage data />
        </Protected>
    }
}

#[component]
fn FormPage(data: Resource<Result<ItemFormData, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <ItemForm data=d /> }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::layout::NotFound /> }.into_any(),
                    Err(e) => view! {
                        <Title text=move || td_string!(i18n.get_locale(), room.items_title) />
                        <ErrorBanner error=Signal::stored(Some(e)) />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Cents as the organisation writes an amount in a field: `1250.50` (its decimal mark, no grouping).
fn cents_text(l: Locale, cents: i64) -> String {
    let mark = crate::ui::number::style(l).decimal;
    format!("{}{}{mark}{:02}", if cents < 0 { "-" } else { "" }, (cents / 100).abs(), (cents % 100).abs())
}

/// An amount typed in a field, in cents (`mark`: the organisation's decimal mark), a currency sign allowed; `Err`
/// for anything else or a negative amount.
fn parse_cents(text: &str, mark: Option<char>) -> Result<Option<i64>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let d = nexus::numbers::parse(t, mark).map_err(|_| ())?;
    d.to_cents().filter(|c| *c >= 0).map(Some).ok_or(())
}

#[component]
fn ItemForm(data: ItemFormData) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let existing = data.item.clone();
    let id = existing.as_ref().map(|i| i.id);
    let sku = RwSignal::new(existing.as_ref().map(|i| i.sku.clone()).unwrap_or_default());
    let name = RwSignal::new(existing.as_ref().map(|i| i.name.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|i| i.description.clone()).unwrap_or_default());
    let unit = RwSignal::new(existing.as_ref().map_or(Unit::Piece, |i| i.unit));
    let category = RwSignal::new(existing.as_ref().and_then(|i| i.category));
    let cost =
        RwSignal::new(existing.as_ref().and_then(|i| i.unit_cost_cents).map(|c| cents_text(l, c)).unwrap_or_default());
    let barcodes = RwSignal::new(existing.as_ref().map(|i| i.barcodes.join("\n")).unwrap_or_default());
    let archived = RwSignal::new(existing.as_ref().is_some_and(|i| i.archived));
    let part = RwSignal::new(data.part.clone());
    let currency = existing.as_ref().map(|i| i.currency.clone()).unwrap_or_else(|| use_me().numbers.currency.clone());
    let title = match &existing {
        Some(i) => format!("{} · {}", i.sku, i.name),
        None => String::new(),
    };
    let back = id.map_or_else(|| "/stock".to_owned(), |id| format!("/stock/items/{}", id.0));
    let save = Action::new(move |input: &ItemInput| stock_save_item(id, input.clone()));
    let error = RwSignal::new(None::<AppError>);
    let navigate = use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => navigate(&format!("/stock/items/{}", saved.0), Default::default()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mark = crate::ui::number::style(i18n.get_locale_untracked()).decimal.chars().next();
        let Ok(unit_cost_cents) = parse_cents(&cost.get_untracked(), mark) else {
            error.set(Some(AppError::field("unit_cost_cents", ErrorCode::InvalidInput)));
            return;
        };
        error.set(None);
        save.dispatch(ItemInput {
            sku: sku.get_untracked(),
            name: name.get_untracked(),
            description: description.get_untracked(),
            unit: unit.get_untracked(),
            category: category.get_untracked(),
            unit_cost_cents,
            part: part.get_untracked().map(|p| p.id),
            barcodes: barcodes.get_untracked().lines().map(str::to_owned).collect(),
            archived: archived.get_untracked(),
        });
    };
    let error_s: Signal<Option<AppError>> = error.into();
    // The banner says what no field below says (a refused barcode is said under the barcodes, by its line).
    let banner = Signal::derive(move || {
        error.get().and_then(|e| match e {
            AppError::Validation { fields } => {
                let rest: Vec<_> = fields.into_iter().filter(|f| !f.field.starts_with("barcodes")).collect();
                (!rest.is_empty()).then_some(AppError::Validation { fields: rest })
            }
            other => Some(other),
        })
    });
    let mut categories = data.categories.clone();
    categories.sort_by(|a, b| a.path.cmp(&b.path));
    let chosen_archived = move |c: &Category| c.archived && Some(c.id) != category.get_untracked();
    let categories: Vec<Category> = categories.into_iter().filter(|c| !chosen_archived(c)).collect();
    let heading = title.clone();
    let back2 = back.clone();
    view! {
        <Title text=move || if heading.is_empty() { td_string!(i18n.get_locale(), room.item_new).to_owned() } else { heading.clone() } />
        <PageHeader title=ViewFn::from(move || if title.is_empty() { td_string!(i18n.get_locale(), room.item_new).to_owned() } else { format!("{} · {}", td_string!(i18n.get_locale(), room.item_edit), title) })>
            <a href=back2 class=BUTTON_SECONDARY>{t!(i18n, common.cancel)}</a>
        </PageHeader>
        <form class=format!("{CARD} grid max-w-3xl gap-4") on:submit=submit data-testid="item-form" novalidate>
            <ErrorBanner error=banner fields=&["sku", "name", "description", "unit_cost_cents", "category"] />
            <div class="grid gap-4 sm:grid-cols-[14rem_1fr]">
                <div>
                    <label for="item-sku" class=LABEL>{t!(i18n, room.col_sku)}</label>
                    <input id="item-sku" class=format!("{INPUT} font-mono") maxlength="60" required autocomplete="off"
                        aria-invalid=names(error_s, "sku", "true") aria-describedby=names(error_s, "sku", "item-sku-error")
                        prop:value=move || sku.get() on:input=move |ev| sku.set(event_target_value(&ev)) data-testid="item-sku" />
                    {move || match error.get().and_then(|e| e.field_code("sku")) {
                        Some(ErrorCode::NameTaken) => Some(view! { <p id="item-sku-error" role="alert" class="mt-1 text-sm text-red-600 dark:text-red-400">{t!(i18n, room.sku_taken)}</p> }.into_any()),
                        Some(_) => Some(field_problem(error_s, "sku", "item-sku-error").into_any()),
                        None => None,
                    }}
                </div>
                <div>
                    <label for="item-name" class=LABEL>{t!(i18n, room.item_name)}</label>
                    <input id="item-name" class=INPUT maxlength="160" required
                        aria-invalid=names(error_s, "name", "true") aria-describedby=names(error_s, "name", "item-name-error")
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) data-testid="item-name" />
                    {field_problem(error_s, "name", "item-name-error")}
                </div>
            </div>
            <div>
                <label for="item-description" class=LABEL>{t!(i18n, room.description)}</label>
                <textarea id="item-description" class=INPUT rows="3" maxlength="2000"
                    aria-invalid=names(error_s, "description", "true") aria-describedby=names(error_s, "description", "item-description-error")
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) data-testid="item-description"></textarea>
                {field_problem(error_s, "description", "item-description-error")}
            </div>
            <div class="grid gap-4 sm:grid-cols-3">
                <div>
                    <label for="item-unit" class=LABEL>{t!(i18n, room.unit)}</label>
                    <select id="item-unit" class=INPUT data-testid="item-unit"
                        on:change=move |ev| if let Ok(u) = Unit::decode(&event_target_value(&ev)) { unit.set(u) }>
                        {Unit::ALL.into_iter().map(|u| view! {
                            <option value=u.as_str() selected=move || unit.get() == u>{move || texts::unit_name(i18n.get_locale(), u)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="item-category" class=LABEL>{t!(i18n, room.category)}</label>
                    <select id="item-category" class=INPUT data-testid="item-category"
                        aria-invalid=names(error_s, "category", "true") aria-describedby=names(error_s, "category", "item-category-error")
                        on:change=move |ev| category.set(event_target_value(&ev).parse::<i32>().ok().map(nexus::ids::CategoryId))>
                        <option value="" selected=move || category.get().is_none()>{t!(i18n, room.no_category)}</option>
                        {categories.into_iter().map(|c| {
                            let cid = c.id;
                            view! { <option value=c.id.0.to_string() selected=move || category.get() == Some(cid)>{c.path.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {field_problem(error_s, "category", "item-category-error")}
                </div>
                <div>
                    <label for="item-cost" class=LABEL>{move || format!("{} ({})", td_string!(i18n.get_locale(), room.unit_cost), currency)}</label>
                    <input id="item-cost" class=INPUT inputmode="decimal" autocomplete="off"
                        aria-invalid=names(error_s, "unit_cost_cents", "true") aria-describedby=names(error_s, "unit_cost_cents", "item-cost-error")
                        prop:value=move || cost.get() on:input=move |ev| cost.set(event_target_value(&ev)) data-testid="item-cost" />
                    {field_problem(error_s, "unit_cost_cents", "item-cost-error")}
                </div>
            </div>
            <Barcodes barcodes error />
            {use_me().can(Permission::CatalogRead).then(|| view! { <PartPicker part /> })}
            {id.is_some().then(|| view! {
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" prop:checked=move || archived.get() on:change=move |ev| archived.set(event_target_checked(&ev)) data-testid="item-archived" />
                    {t!(i18n, room.item_archive)}
                </label>
            })}
            <div class="flex flex-wrap gap-2">
                <button type="submit" class=BUTTON disabled=move || save.pending().get() data-testid="item-save">{t!(i18n, common.save)}</button>
                <a href=back class=BUTTON_SECONDARY>{t!(i18n, common.cancel)}</a>
            </div>
        </form>
    }
}

/// The item's barcodes, one per line; a refused one (taken by another item, too long) named by its line.
#[component]
fn Barcodes(barcodes: RwSignal<String>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let barcode_problem = move || {
        error.get().and_then(|e| match e {
            AppError::Validation { fields } => fields.into_iter().find(|f| f.field.starts_with("barcodes")),
            _ => None,
        })
    };
    view! {
            <div>
                <label for="item-barcodes" class=LABEL>{t!(i18n, room.barcodes)}</label>
                <p id="item-barcodes-hint" class="mb-1 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.barcodes_hint)}</p>
                <textarea id="item-barcodes" class=format!("{INPUT} font-mono") rows="3" aria-describedby="item-barcodes-hint item-barcodes-error"
                    aria-invalid=move || barcode_problem().map(|_| "true")
                    prop:value=move || barcodes.get() on:input=move |ev| barcodes.set(event_target_value(&ev)) data-testid="item-barcodes-input"></textarea>
                <p id="item-barcodes-error" role="alert" class="mt-1 text-sm text-red-600 dark:text-red-400">
                    {move || barcode_problem().map(|f| {
                        let l = i18n.get_locale();
                        match f.field.strip_prefix("barcodes.") {
                            Some(n) if f.code == ErrorCode::NameTaken => td_string!(l, room.barcode_taken, n = n).to_string(),
                            Some(n) => td_string!(l, room.barcode_line, n = n, problem = error_text(l, f.code)).to_string(),
                            None => td_string!(l, room.barcodes_too_many).to_owned(),
                        }
                    })}
                </p>
            </div>
    }
}

/// The catalog part the item is: the one linked (removable), and a search of the catalog to choose another.
#[component]
fn PartPicker(part: RwSignal<Option<PartChoice>>) -> impl IntoView {
    let i18n = use_i18n();
    let q = RwSignal::new(String::new());
    let find = Action::new(move |q: &String| stock_part_choices(q.clone()));
    let search = move || {
        let text = q.get_untracked();
        if !text.trim().is_empty() {
            find.dispatch(text);
        }
    };
    let label = |p: &PartChoice| format!("{} · {} · {}", p.number, p.manufacturer, p.name);
    view! {
        <fieldset class="rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="item-part">
            <legend class="px-1 text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, room.part_link)}</legend>
            <p class="mb-2 text-sm" data-testid="item-part-current">
                {move || match part.get() {
                    Some(p) => view! {
                        <span class="font-medium">{label(&p)}</span> " "
                        <button type="button" class="ml-2 text-sm font-medium text-[#1a5bb5] underline dark:text-[#8fbfff]" on:click=move |_| part.set(None) data-testid="item-part-remove">
                            {t!(i18n, room.part_unlink)}
                        </button>
                    }.into_any(),
                    None => view! { <span class="text-slate-600 dark:text-slate-300">{t!(i18n, room.part_none)}</span> }.into_any(),
                }}
            </p>
            <div class="flex flex-wrap items-end gap-2">
                <div class="min-w-0 flex-1">
                    <label for="item-part-q" class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, room.part_search)}</label>
                    <input id="item-part-q" type="search" class=INPUT maxlength="100" autocomplete="off" data-testid="item-part-q"
                        prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); search(); } />
                </div>
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| search() data-testid="item-part-find">{t!(i18n, common.search)}</button>
            </div>
            {move || find.value().get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-300" role="status">{t!(i18n, room.part_no_match)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="mt-2 divide-y divide-slate-200 text-sm dark:divide-slate-700" data-testid="item-part-choices">
                        {list.into_iter().map(|p| {
                            let text = label(&p);
                            view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 py-1.5">
                                    <span>{text}</span>
                                    <button type="button" class=BUTTON_SECONDARY data-testid="item-part-choose" on:click=move |_| {
                                        part.set(Some(p.clone()));
                                        find.value().set(None);
                                    }>{t!(i18n, room.part_choose)}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
            })}
        </fieldset>
    }
}
