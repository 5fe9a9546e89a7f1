//! `/mes/setup`: the floor's data, for who plans it: the stages orders go through (code, name, whether a fact there
//! names the shift and operator, whether it inspects earlier work, the line it runs on; renamed and archived, never
//! deleted), the reasons scrap is put down to, how long after a shift its facts can still be recorded or reversed, and a
//! shift's facts reopened for a while, with the reason (audited).

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{LineId, ScrapReasonId, ShiftId, StageId};
use nexus::mes::rules::orders::{FactSettings, ReopenInput, ScrapReasonInput, StageInput};
use nexus::mes::rules::views::{LineName, ScrapReason, ShiftName, Stage};
use serde::{Deserialize, Serialize};

use super::orders::FloorNav;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, EditorFoot, ErrorBanner, INPUT, LABEL, Loading, LocalTime, PageHeader,
    field_problem, names,
};
use crate::ui::session::Protected;

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorSetup {
    pub stages: Vec<Stage>,
    pub reasons: Vec<ScrapReason>,
    pub lines: Vec<LineName>,
    pub shifts: Vec<ShiftName>,
    pub settings: FactSettings,
    pub today: NaiveDate,
}

#[server(prefix = "/api", endpoint = "ui/mes/setup")]
pub async fn mes_setup() -> Result<FloorSetup, AppError> {
    use nexus::mes::service::{orders, tasks};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let choices = orders::choices(&st.pool, &caller, Utc::now()).await?;
    Ok(FloorSetup {
        stages: orders::stages(&st.pool, &caller).await?,
        reasons: orders::scrap_reasons(&st.pool, &caller).await?,
        lines: tasks::lines(&st.pool, &caller).await?,
        shifts: choices.shifts,
        settings: orders::settings(&st.pool, &caller).await?,
        today: choices.clock.today,
    })
}

#[server(prefix = "/api", endpoint = "ui/mes/stage-save")]
pub async fn mes_save_stage(id: Option<StageId>, input: StageInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::mes::service::orders::save_stage(&st.pool, &caller, id, &input).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "ui/mes/scrap-reason-save")]
pub async fn mes_save_reason(id: Option<ScrapReasonId>, input: ScrapReasonInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::mes::service::orders::save_scrap_reason(&st.pool, &caller, id, &input).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "ui/mes/settings-save")]
pub async fn mes_save_settings(input: FactSettings) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::mes::service::orders::save_settings(&st.pool, &caller, &input).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "ui/mes/shift-reopen")]
pub async fn mes_reopen(input: ReopenInput) -> Result<DateTime<Utc>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::mes::service::orders::reopen(&st.pool, &caller, &meta, &input).await?)
}

#[component]
pub fn FloorSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let changed = RwSignal::new(0_u64);
    let data = Resource::new(move || changed.get(), |_| mes_setup());
    view! {
        <Protected permission=Permission::MesPlan>
            <Title text=move || td_string!(i18n.get_locale(), ord.setup_title) />
            <PageHeader title=ViewFn::from(move || t!(i18n, ord.setup_title)) />
            <FloorNav current="/mes/setup" />
            <p class="mb-6 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.setup_intro)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! {
                            <div class="grid gap-6 lg:grid-cols-2">
                                <Stages list=d.stages.clone() lines=d.lines.clone() changed />
                                <Reasons list=d.reasons.clone() changed />
                                <Grace settings=d.settings changed />
                                <Reopen shifts=d.shifts.clone() today=d.today />
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

const ARCHIVED: &str = "ml-2 rounded bg-slate-200 px-1.5 text-xs dark:bg-slate-700";
const NOTE: &str = "ml-2 text-xs text-slate-600 dark:text-slate-300";

/// The stages, and one form that makes a new one or changes the one chosen.
#[component]
fn Stages(list: Vec<Stage>, lines: Vec<LineName>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(None::<StageId>);
    let (code, name) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (needs_shift, inspection, archived) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(false));
    let line = RwSignal::new(None::<LineId>);
    let save = Action::new(move |(id, input): &(Option<StageId>, StageInput)| mes_save_stage(*id, input.clone()));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let clear = move || {
        editing.set(None);
        code.set(String::new());
        name.set(String::new());
        needs_shift.set(false);
        inspection.set(false);
        archived.set(false);
        line.set(None);
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            clear();
            changed.update(|n| *n += 1);
        }
    });
    let empty = list.is_empty();
    view! {
            <section class=CARD aria-labelledby="stages-h" data-testid="setup-stages">
                <h2 id="stages-h" class="mb-1 text-lg font-semibold">{t!(i18n, ord.stages)}</h2>
                <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.stages_note)}</p>
                {empty.then(|| view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.no_stages)}</p> })}
                <ul class="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-700">
                    {list.into_iter().map(|s| {
                        let pick = s.clone();
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="setup-stage">
                                <span>
                                    <span class="font-mono">{s.code.clone()}</span>" · "<span class="font-medium">{s.name.clone()}</span>
                                    {s.line.as_ref().map(|l| view! { <span class=NOTE>{l.code.clone()}</span> })}
                                    {s.needs_shift.then(|| view! { <span class=NOTE>{t!(i18n, ord.needs_shift_short)}</span> })}
                                    {s.inspection.then(|| view! { <span class=NOTE>{t!(i18n, ord.inspection_short)}</span> })}
                                    {s.archived.then(|| view! { <span class=ARCHIVED>{t!(i18n, ord.archived)}</span> })}
                                </span>
                                <button type="button" class=BUTTON_SECONDARY on:click=move |_| {
                                    editing.set(Some(pick.id));
                                    code.set(pick.code.clone());
                                    name.set(pick.name.clone());
                                    needs_shift.set(pick.needs_shift);
                                    inspection.set(pick.inspection);
                                    archived.set(pick.archived);
                                    line.set(pick.line.as_ref().map(|l| l.id));
                                }>
                                    {t!(i18n, ord.edit)}<span class="sr-only">" "{s.name.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form class="grid gap-3" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    let input = StageInput {
                        code: code.get_untracked(),
                        name: name.get_untracked(),
                        needs_shift: needs_shift.get_untracked(),
                        inspection: inspection.get_untracked(),
                        line_id: line.get_untracked(),
                        archived: archived.get_untracked(),
                    };
                    save.dispatch((editing.get_untracked(), input));
                }>
                    <h3 class="text-sm font-semibold">
                        {move || if editing.get().is_some() { td_string!(i18n.get_locale(), ord.edit_stage) } else { td_string!(i18n.get_locale(), ord.new_stage) }}
                    </h3>
                    <ErrorBanner error fields=&["code", "name", "line_id"] />
                    <div class="grid gap-3 sm:grid-cols-[8rem_1fr]">
                        <div>
                            <label for="stage-code" class=LABEL>{t!(i18n, ord.f_code)}</label>
                            <input id="stage-code" class=INPUT maxlength="40" required data-testid="stage-code"
                                aria-invalid=names(error, "code", "true") aria-describedby=names(error, "code", "stage-code-error")
                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                            {field_problem(error, "code", "stage-code-error")}
                        </div>
                        <div>
                            <label for="stage-name" class=LABEL>{t!(i18n, ord.f_name)}</label>
                            <input id="stage-name" class=INPUT maxlength="80" required data-testid="stage-name"
                                aria-invalid=names(error, "name", "true") aria-describedby=names(error, "name", "stage-name-error")
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            {field_problem(error, "name", "stage-name-error")}
                        </div>
                    </div>
                    <div>
                        <label for="stage-line" class=LABEL>{t!(i18n, ord.f_line)}</label>
                        <select id="stage-line" class=INPUT data-testid="stage-line"
                            aria-invalid=names(error, "line_id", "true") aria-describedby=names(error, "line_id", "stage-line-error")
                            prop:value=move || line.get().map(|l| l.0.to_string()).unwrap_or_default()
                            on:change=move |ev| line.set(event_target_value(&ev).parse::<i32>().ok().map(LineId))>
                            <option value="">{t!(i18n, mes.f_none)}</option>
                            {lines.into_iter().map(|l| view! { <option value=l.id.0.to_string()>{format!("{} · {}", l.code, l.name)}</option> }).collect_view()}
                        </select>
                        {field_problem(error, "line_id", "stage-line-error")}
                    </div>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" prop:checked=move || needs_shift.get() on:change=move |ev| needs_shift.set(event_target_checked(&ev)) data-testid="stage-needs-shift" />
                        {t!(i18n, ord.needs_shift)}
                    </label>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" prop:checked=move || inspection.get() on:change=move |ev| inspection.set(event_target_checked(&ev)) data-testid="stage-inspection" />
                        {t!(i18n, ord.inspection)}
                    </label>
    <EditorFoot editing=Signal::derive(move || editing.get().is_some()) archived=archived archive_label=Signal::derive(move || td_string!(i18n.get_locale(), ord.archive))
                        pending=save.pending() save_testid="stage-save" on_cancel=Callback::new(move |_| clear()) />
                </form>
            </section>
        }
}

/// The scrap reasons, and one form that makes a new one or changes the one chosen.
#[component]
fn Reasons(list: Vec<ScrapReason>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(None::<ScrapReasonId>);
    let (code, name, archived) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(false));
    let save =
        Action::new(move |(id, input): &(Option<ScrapReasonId>, ScrapReasonInput)| mes_save_reason(*id, input.clone()));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let clear = move || {
        editing.set(None);
        code.set(String::new());
        name.set(String::new());
        archived.set(false);
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            clear();
            changed.update(|n| *n += 1);
        }
    });
    let empty = list.is_empty();
    view! {
            <section class=CARD aria-labelledby="reasons-h" data-testid="setup-reasons">
                <h2 id="reasons-h" class="mb-3 text-lg font-semibold">{t!(i18n, ord.scrap_reasons)}</h2>
                {empty.then(|| view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.no_reasons)}</p> })}
                <ul class="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-700">
                    {list.into_iter().map(|r| {
                        let pick = r.clone();
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="setup-reason">
                                <span>
                                    <span class="font-mono">{r.code.clone()}</span>" · "<span class="font-medium">{r.name.clone()}</span>
                                    {r.archived.then(|| view! { <span class=ARCHIVED>{t!(i18n, ord.archived)}</span> })}
                                </span>
                                <button type="button" class=BUTTON_SECONDARY on:click=move |_| {
                                    editing.set(Some(pick.id));
                                    code.set(pick.code.clone());
                                    name.set(pick.name.clone());
                                    archived.set(pick.archived);
                                }>
                                    {t!(i18n, ord.edit)}<span class="sr-only">" "{r.name.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form class="grid gap-3" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    let input = ScrapReasonInput { code: code.get_untracked(), name: name.get_untracked(), archived: archived.get_untracked() };
                    save.dispatch((editing.get_untracked(), input));
                }>
                    <h3 class="text-sm font-semibold">
                        {move || if editing.get().is_some() { td_string!(i18n.get_locale(), ord.edit_reason) } else { td_string!(i18n.get_locale(), ord.new_reason) }}
                    </h3>
                    <ErrorBanner error fields=&["code", "name"] />
                    <div class="grid gap-3 sm:grid-cols-[8rem_1fr]">
                        <div>
                            <label for="reason-code" class=LABEL>{t!(i18n, ord.f_code)}</label>
                            <input id="reason-code" class=INPUT maxlength="40" required data-testid="reason-code"
                                aria-invalid=names(error, "code", "true") aria-describedby=names(error, "code", "reason-code-error")
                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                            {field_problem(error, "code", "reason-code-error")}
                        </div>
                        <div>
                            <label for="reason-name" class=LABEL>{t!(i18n, ord.f_name)}</label>
                            <input id="reason-name" class=INPUT maxlength="80" required data-testid="reason-name"
                                aria-invalid=names(error, "name", "true") aria-describedby=names(error, "name", "reason-name-error")
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            {field_problem(error, "name", "reason-name-error")}
                        </div>
                    </div>
    <EditorFoot editing=Signal::derive(move || editing.get().is_some()) archived=archived archive_label=Signal::derive(move || td_string!(i18n.get_locale(), ord.archive))
                        pending=save.pending() save_testid="reason-save" on_cancel=Callback::new(move |_| clear()) />
                </form>
            </section>
        }
}

/// How long after a shift its facts stay open.
#[component]
fn Grace(settings: FactSettings, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let minutes = RwSignal::new(settings.grace_minutes.to_string());
    let save = Action::new(move |s: &FactSettings| mes_save_settings(*s));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))));
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <section class=CARD aria-labelledby="grace-h" data-testid="setup-grace">
            <h2 id="grace-h" class="mb-1 text-lg font-semibold">{t!(i18n, ord.grace_title)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.grace_note)}</p>
            <form class="flex flex-wrap items-end gap-3" novalidate on:submit=move |ev| {
                ev.prevent_default();
                let m = minutes.get_untracked();
                save.dispatch(FactSettings { grace_minutes: m.trim().parse().unwrap_or(-1) });
            }>
                <div>
                    <label for="grace-minutes" class=LABEL>{t!(i18n, ord.grace_minutes)}</label>
                    <input id="grace-minutes" type="number" min="0" max="10080" step="1" inputmode="numeric" class=format!("{INPUT} w-32 tabular-nums") data-testid="grace-minutes"
                        aria-invalid=names(error, "grace_minutes", "true") aria-describedby=names(error, "grace_minutes", "grace-minutes-error")
                        prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class=BUTTON disabled=move || save.pending().get() data-testid="grace-save">{t!(i18n, common.save)}</button>
            </form>
            {field_problem(error, "grace_minutes", "grace-minutes-error")}
            <ErrorBanner error fields=&["grace_minutes"] />
            <p role="status" class="mt-2 text-sm text-emerald-800 dark:text-emerald-200">{move || saved.get().then(|| td_string!(i18n.get_locale(), ord.saved))}</p>
        </section>
    }
}

/// A shift's facts reopened for a while (audited, with the reason).
#[component]
fn Reopen(shifts: Vec<ShiftName>, today: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let day = RwSignal::new(today.to_string());
    let shift = RwSignal::new(shifts.first().map(|s| s.id));
    let minutes = RwSignal::new("60".to_owned());
    let reason = RwSignal::new(String::new());
    let reopen = Action::new(move |input: &ReopenInput| mes_reopen(input.clone()));
    let error = Signal::derive(move || reopen.value().get().and_then(Result::err));
    let until = Signal::derive(move || reopen.value().get().and_then(Result::ok));
    view! {
        <section class=CARD aria-labelledby="reopen-h" data-testid="setup-reopen">
            <h2 id="reopen-h" class="mb-1 text-lg font-semibold">{t!(i18n, ord.reopen_title)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, ord.reopen_note)}</p>
            <form class="grid gap-3" novalidate on:submit=move |ev| {
                ev.prevent_default();
                let m = minutes.get_untracked();
                reopen.dispatch(ReopenInput {
                    day: NaiveDate::parse_from_str(&day.get_untracked(), "%Y-%m-%d").unwrap_or(today),
                    shift_id: shift.get_untracked(),
                    minutes: m.trim().parse().unwrap_or(-1),
                    reason: reason.get_untracked(),
                });
            }>
                <ErrorBanner error fields=&["day", "shift_id", "minutes", "reason"] />
                <div class="grid gap-3 sm:grid-cols-3">
                    <div>
                        <label for="reopen-day" class=LABEL>{t!(i18n, ord.f_day)}</label>
                        <input id="reopen-day" type="date" class=INPUT prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="reopen-shift" class=LABEL>{t!(i18n, ord.f_shift)}</label>
                        <select id="reopen-shift" class=INPUT aria-invalid=names(error, "shift_id", "true") aria-describedby=names(error, "shift_id", "reopen-shift-error")
                            on:change=move |ev| shift.set(event_target_value(&ev).parse::<i32>().ok().map(ShiftId))>
                            {shifts.into_iter().map(|s| view! { <option value=s.id.0.to_string() selected=move || shift.get() == Some(s.id)>{s.name.clone()}</option> }).collect_view()}
                            <option value="" selected=move || shift.get().is_none()>{t!(i18n, ord.no_shift)}</option>
                        </select>
                        {field_problem(error, "shift_id", "reopen-shift-error")}
                    </div>
                    <div>
                        <label for="reopen-minutes" class=LABEL>{t!(i18n, ord.reopen_minutes)}</label>
                        <input id="reopen-minutes" type="number" min="1" max="1440" step="1" inputmode="numeric" class=format!("{INPUT} tabular-nums")
                            aria-invalid=names(error, "minutes", "true") aria-describedby=names(error, "minutes", "reopen-minutes-error")
                            prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev)) />
                        {field_problem(error, "minutes", "reopen-minutes-error")}
                    </div>
                </div>
                <div>
                    <label for="reopen-reason" class=LABEL>{t!(i18n, ord.reopen_reason)}</label>
                    <textarea id="reopen-reason" rows="2" class=INPUT maxlength="2000" required data-testid="reopen-reason"
                        aria-invalid=names(error, "reason", "true") aria-describedby=names(error, "reason", "reopen-reason-error")
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    {field_problem(error, "reason", "reopen-reason-error")}
                </div>
                <div>
                    <button type="submit" class=BUTTON disabled=move || reopen.pending().get() data-testid="reopen-save">{t!(i18n, ord.reopen)}</button>
                </div>
                <p role="status" class="text-sm text-emerald-800 dark:text-emerald-200" data-testid="reopen-done">
                    {move || until.get().map(|at| view! { {t!(i18n, ord.reopened_until)}" "<LocalTime at /> })}
                </p>
            </form>
        </section>
    }
}
