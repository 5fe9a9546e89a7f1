//! `/fabrication/parts/new` and `/fabrication/parts/:id/edit`: a part as whoever asks for it writes it: its name, type
//! (the queue it waits in once approved; fixed then), subsystem, quantity, material, notes, priority, due date and CAD
//! link. A new one is sent under a key of its own (a double tap asks once); an edit at the version the form was
//! opened on (changed meanwhile: refused, naming who). Each refused field says why under it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use nexus::fabrication::rules::parts::{PartInput, PartKind, PartState, Priority};
use nexus::fabrication::rules::views::{PartDetail, Subsystem};
use nexus::identity::rules::auth::Permission;
use nexus::ids::{FabPartId, SubsystemId};
use serde::{Deserialize, Serialize};

use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, CARD, ErrorBanner, INPUT, LABEL, Loading, PageHeader, field_problem, names, new_key,
};
use crate::ui::session::Protected;

/// What the form offers, and the part an edit starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartFormData {
    pub subsystems: Vec<Subsystem>,
    pub part: Option<PartDetail>,
}

#[server(prefix = "/api", endpoint = "ui/fabrication/part-form")]
pub async fn fab_part_form(id: Option<FabPartId>) -> Result<PartFormData, AppError> {
    use nexus::fabrication::service::{parts, setup};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let part = match id {
        Some(id) => Some(parts::get(&st.pool, &caller, id).await?),
        None => None,
    };
    Ok(PartFormData { subsystems: setup::subsystems(&st.pool, &caller).await?, part })
}

#[server(prefix = "/api", endpoint = "ui/fabrication/part-save")]
pub async fn fab_save_part(
    id: Option<FabPartId>,
    input: PartInput,
    version: i32,
    key: String,
) -> Result<FabPartId, AppError> {
    use nexus::fabrication::service::parts;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(match id {
        Some(id) => parts::edit(&st.pool, &caller, id, &input, version).await?.part.id,
        None => parts::create(&st.pool, &caller, &input, Some(&key)).await?.part.id,
    })
}

#[component]
pub fn NewPartPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| fab_part_form(None));
    view! {
        <Protected permission=Permission::FabWork>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <PartForm data=d /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
pub fn EditPartPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<FabPartId>().ok()));
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => fab_part_form(Some(id)).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Protected permission=Permission::FabWork>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <PartForm data=d /> }.into_any(),
                        Err(AppError::NotFound) => view! { <crate::ui::layout::NotFound /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn PartForm(data: PartFormData) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let PartFormData { subsystems, part } = data;
    let editing = part.as_ref().map(|d| (d.part.id, d.part.version, d.part.state));
    let fixed_type = editing.is_some_and(|(_, _, s)| !matches!(s, PartState::Review | PartState::Rejected));
    let p = part.as_ref();
    let name = RwSignal::new(p.map(|d| d.part.name.clone()).unwrap_or_default());
    let kind = RwSignal::new(p.map_or(PartKind::Cnc, |d| d.part.kind));
    let subsystem = RwSignal::new(p.and_then(|d| d.part.subsystem.as_ref().map(|s| s.id)));
    let quantity = RwSignal::new(p.map_or(1, |d| d.part.quantity).to_string());
    let material = RwSignal::new(p.map(|d| d.part.material.clone()).unwrap_or_default());
    let notes = RwSignal::new(p.map(|d| d.notes.clone()).unwrap_or_default());
    let priority = RwSignal::new(p.map_or(Priority::Normal, |d| d.part.priority));
    let due = RwSignal::new(p.and_then(|d| d.part.due_date).map(|d| d.to_string()).unwrap_or_default());
    let cad = RwSignal::new(p.and_then(|d| d.cad_url.clone()).unwrap_or_default());
    let key = StoredValue::new(new_key("part"));
    let save = Action::new(move |input: &PartInput| {
        let (id, version) = editing.map_or((None, 0), |(id, v, _)| (Some(id), v));
        fab_save_part(id, input.clone(), version, key.get_value())
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            navigate(&format!("/fabrication/parts/{id}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(PartInput {
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            subsystem: subsystem.get_untracked(),
            // Not a number: 0, which the server refuses on `quantity`.
            quantity: quantity.get_untracked().trim().parse().unwrap_or(0),
            material: material.get_untracked(),
            notes: notes.get_untracked(),
            priority: priority.get_untracked(),
            due_date: chrono::NaiveDate::parse_from_str(&due.get_untracked(), "%Y-%m-%d").ok(),
            cad_url: Some(cad.get_untracked()),
        });
    };
    let title = move || {
        if editing.is_some() {
            td_string!(i18n.get_locale(), fab.edit_part)
        } else {
            td_string!(i18n.get_locale(), fab.new_part)
        }
    };
    view! {
        <Title text=title />
        <PageHeader title=ViewFn::from(title) />
        <form class=format!("{CARD} max-w-2xl space-y-4") on:submit=submit data-testid="part-form" novalidate>
            <ErrorBanner error fields=&["name", "type", "subsystem", "quantity", "material", "notes", "cad_url"] />
            <p role="alert" class="text-sm text-red-700 dark:text-red-300">{move || error.get().and_then(|e| texts::refusal(i18n.get_locale(), &e))}</p>
            <div>
                <label for="part-name" class=LABEL>{t!(i18n, fab.f_name)}</label>
                <input id="part-name" class=INPUT maxlength="200" required data-testid="part-name"
                    aria-invalid=names(error, "name", "true") aria-describedby=names(error, "name", "part-name-error")
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                {field_problem(error, "name", "part-name-error")}
            </div>
            <fieldset disabled=fixed_type>
                <legend class=LABEL>{t!(i18n, fab.f_type)}</legend>
                <div class="flex flex-wrap gap-4 text-sm">
                    {[PartKind::Cnc, PartKind::Hand].into_iter().map(|k| view! {
                        <label class="flex items-center gap-2">
                            <input type="radio" name="part-type" checked=move || kind.get() == k on:change=move |_| kind.set(k)
                                data-testid=format!("part-type-{}", k.as_str()) />
                            {move || texts::kind(i18n.get_locale(), k)}
                        </label>
                    }).collect_view()}
                </div>
                {fixed_type.then(|| view! { <p class="mt-1 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, fab.type_fixed)}</p> })}
                {field_problem(error, "type", "part-type-error")}
            </fieldset>
            <div class="grid gap-4 sm:grid-cols-2">
                <div>
                    <label for="part-subsystem" class=LABEL>{t!(i18n, fab.f_subsystem)}</label>
                    <select id="part-subsystem" class=INPUT data-testid="part-subsystem"
                        on:change=move |ev| subsystem.set(event_target_value(&ev).parse::<SubsystemId>().ok())>
                        <option value="">{t!(i18n, fab.none)}</option>
                        {subsystems.into_iter().filter(|s| !s.archived || Some(s.id) == subsystem.get_untracked()).map(|s| view! {
                            <option value=s.id.to_string() selected=move || subsystem.get() == Some(s.id)>{s.name}</option>
                        }).collect_view()}
                    </select>
                    {field_problem(error, "subsystem", "part-subsystem-error")}
                </div>
                <div>
                    <label for="part-quantity" class=LABEL>{t!(i18n, fab.col_quantity)}</label>
                    <input id="part-quantity" type="number" min="1" max="100000" inputmode="numeric" class=INPUT data-testid="part-quantity"
                        aria-invalid=names(error, "quantity", "true") aria-describedby=names(error, "quantity", "part-quantity-error")
                        prop:value=move || quantity.get() on:input=move |ev| quantity.set(event_target_value(&ev)) />
                    {field_problem(error, "quantity", "part-quantity-error")}
                </div>
                <div>
                    <label for="part-material" class=LABEL>{t!(i18n, fab.f_material)}</label>
                    <input id="part-material" class=INPUT maxlength="120" data-testid="part-material"
                        prop:value=move || material.get() on:input=move |ev| material.set(event_target_value(&ev)) />
                    {field_problem(error, "material", "part-material-error")}
                </div>
                <div>
                    <label for="part-priority" class=LABEL>{t!(i18n, fab.f_priority)}</label>
                    <select id="part-priority" class=INPUT on:change=move |ev| {
                        if let Some(p) = Priority::parse(&event_target_value(&ev)) { priority.set(p); }
                    }>
                        {[Priority::Low, Priority::Normal, Priority::High, Priority::Urgent].into_iter().map(|p| view! {
                            <option value=p.as_str() selected=move || priority.get() == p>{move || texts::priority(i18n.get_locale(), p)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="part-due" class=LABEL>{t!(i18n, fab.col_due)}</label>
                    <input id="part-due" type="date" class=INPUT data-testid="part-due"
                        prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="part-cad" class=LABEL>{t!(i18n, fab.f_cad)}</label>
                    <input id="part-cad" type="url" class=INPUT maxlength="500" placeholder="https://" data-testid="part-cad-input"
                        aria-invalid=names(error, "cad_url", "true") aria-describedby=names(error, "cad_url", "part-cad-error")
                        prop:value=move || cad.get() on:input=move |ev| cad.set(event_target_value(&ev)) />
                    {field_problem(error, "cad_url", "part-cad-error")}
                </div>
            </div>
            <div>
                <label for="part-notes" class=LABEL>{t!(i18n, fab.f_notes)}</label>
                <textarea id="part-notes" rows="3" class=INPUT maxlength="4000" data-testid="part-notes"
                    prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                {field_problem(error, "notes", "part-notes-error")}
            </div>
            <button type="submit" class=format!("{BUTTON} min-h-12") disabled=move || save.pending().get() data-testid="part-save">
                {move || if editing.is_some() { td_string!(i18n.get_locale(), fab.save) } else { td_string!(i18n.get_locale(), fab.ask_for) }}
            </button>
        </form>
    }
}
