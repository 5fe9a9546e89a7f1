//! `/fabrication/setup`: a lead keeps the shop's set-up: its subsystems (added, renamed, archived: an archived one stays
//! on its parts and is offered for no new one; a name the shop has, whatever its case, is refused) and how long a
//! claim lasts before it expires into its queue (15 minutes to a week). Both audited.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::fabrication::rules::views::{FabSettings, Subsystem};
use nexus::identity::rules::auth::Permission;
use nexus::ids::SubsystemId;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, LABEL, Loading, PageHeader, field_problem,
};
use crate::ui::session::Protected;

/// The set-up as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupView {
    pub subsystems: Vec<Subsystem>,
    pub settings: FabSettings,
}

#[server(prefix = "/api", endpoint = "ui/fabrication/setup")]
pub async fn fab_setup() -> Result<SetupView, AppError> {
    use nexus::fabrication::service::setup;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(SetupView {
        subsystems: setup::subsystems(&st.pool, &caller).await?,
        settings: setup::settings(&st.pool, &caller).await?,
    })
}

#[server(prefix = "/api", endpoint = "ui/fabrication/subsystem")]
pub async fn fab_save_subsystem(id: Option<SubsystemId>, name: String, archived: bool) -> Result<Subsystem, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::fabrication::service::setup::save_subsystem(
        &st.pool,
        &caller,
        id,
        &name,
        archived,
        &crate::state::meta(),
    )
    .await?)
}

#[server(prefix = "/api", endpoint = "ui/fabrication/lease")]
pub async fn fab_save_lease(lease_minutes: i32) -> Result<FabSettings, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let s = FabSettings { lease_minutes };
    Ok(nexus::fabrication::service::setup::save_settings(&st.pool, &caller, &s, &crate::state::meta()).await?)
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let changed = RwSignal::new(0_u64);
    let setup = Resource::new(move || changed.get(), |_| fab_setup());
    view! {
        <Protected permission=Permission::FabLead>
            <Body setup changed />
        </Protected>
    }
}

#[component]
fn Body(setup: Resource<Result<SetupView, AppError>>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), fab.setup) />
        <PageHeader title=ViewFn::from(move || t!(i18n, fab.setup))>
            <a href="/fabrication/parts" class=BUTTON_SECONDARY>{t!(i18n, fab.title)}</a>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(v) => view! {
                        <div class="grid gap-4 lg:grid-cols-2">
                            <Subsystems list=v.subsystems changed />
                            <Lease minutes=v.settings.lease_minutes />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Subsystems(list: Vec<Subsystem>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let save = Action::new(|(id, name, archived): &(Option<SubsystemId>, String, bool)| {
        fab_save_subsystem(*id, name.clone(), *archived)
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            name.set(String::new());
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <section class=CARD aria-labelledby="fab-subsystems-h" data-testid="fab-subsystems">
            <h2 id="fab-subsystems-h" class="mb-1 text-base font-semibold">{t!(i18n, fab.subsystems)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.subsystems_note)}</p>
            <ErrorBanner error fields=&["name"] />
            {if list.is_empty() {
                view! { <p class="mb-3 text-sm" data-testid="fab-subsystems-empty">{t!(i18n, fab.no_subsystems)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mb-3 divide-y divide-slate-200 dark:divide-slate-700">
                        {list.into_iter().map(|s| {
                            let (id, archived) = (s.id, s.archived);
                            let rename = RwSignal::new(s.name.clone());
                            let input_id = format!("subsystem-{}", s.id);
                            view! {
                                <li class="flex flex-wrap items-end gap-2 py-2" data-testid="fab-subsystem" data-archived=archived.to_string()>
                                    <div class="min-w-40 flex-1">
                                        <label for=input_id.clone() class="sr-only">{t!(i18n, fab.f_name)}</label>
                                        <input id=input_id class=INPUT maxlength="80" prop:value=move || rename.get()
                                            on:input=move |ev| rename.set(event_target_value(&ev)) />
                                    </div>
                                    <button type="button" class=BUTTON_SECONDARY disabled=move || save.pending().get()
                                        on:click=move |_| { save.dispatch((Some(id), rename.get_untracked(), archived)); }>{t!(i18n, fab.save)}</button>
                                    <button type="button" class=BUTTON_SECONDARY disabled=move || save.pending().get() data-testid="fab-subsystem-archive"
                                        on:click=move |_| { save.dispatch((Some(id), rename.get_untracked(), !archived)); }>
                                        {move || if archived { td_string!(i18n.get_locale(), fab.unarchive) } else { td_string!(i18n.get_locale(), fab.archive) }}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="flex flex-wrap items-end gap-2" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save.dispatch((None, name.get_untracked(), false));
            }>
                <div class="min-w-40 flex-1">
                    <label for="fab-subsystem-new" class=LABEL>{t!(i18n, fab.new_subsystem)}</label>
                    <input id="fab-subsystem-new" class=INPUT maxlength="80" required data-testid="fab-subsystem-new"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class=BUTTON disabled=move || save.pending().get() data-testid="fab-subsystem-add">{t!(i18n, fab.add)}</button>
            </form>
        </section>
    }
}

#[component]
fn Lease(minutes: i32) -> impl IntoView {
    let i18n = use_i18n();
    let value = RwSignal::new(minutes.to_string());
    let save = Action::new(|m: &i32| fab_save_lease(*m));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    // Saved: said here; nothing else on the page depends on it (a redraw would drop what is typed in the other form).
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(_))));
    view! {
        <section class=CARD aria-labelledby="fab-lease-h" data-testid="fab-lease">
            <h2 id="fab-lease-h" class="mb-1 text-base font-semibold">{t!(i18n, fab.lease)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.lease_note)}</p>
            <form class="flex flex-wrap items-end gap-2" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save.dispatch(value.get_untracked().trim().parse().unwrap_or(0));
            }>
                <div>
                    <label for="fab-lease-minutes" class=LABEL>{t!(i18n, fab.lease_minutes)}</label>
                    <input id="fab-lease-minutes" type="number" min="15" max="10080" inputmode="numeric" class=INPUT data-testid="fab-lease-minutes"
                        aria-describedby="fab-lease-minutes-error" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                    {field_problem(error, "lease_minutes", "fab-lease-minutes-error")}
                </div>
                <button type="submit" class=BUTTON disabled=move || save.pending().get() data-testid="fab-lease-save">{t!(i18n, fab.save)}</button>
            </form>
            <p role="status" class="mt-2 text-sm text-green-700 dark:text-green-300" data-testid="fab-lease-saved">{move || saved.get().then(|| td_string!(i18n.get_locale(), fab.saved))}</p>
        </section>
    }
}
