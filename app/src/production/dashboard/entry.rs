//! Stops entered by hand, beside the stops table: a stop the sensors missed (added, with its line, times in the
//! plant's zone, reason and note) and a stop with two causes (split at a time inside it). For people whose lines'
//! stops they classify; refused entries say why (the stop in the way, the time that is no stop).

use leptos::prelude::*;
use nexus::production::rules::dashboard::{Setup, StopRow};
use nexus::production::rules::stops::StopProblem;

use super::MUTED;
use crate::error::AppError;
use crate::i18n::*;
use crate::production::settings::Problems;
use crate::production::{AddStop, SplitStop};
use crate::ui::components::{BUTTON as BUTTON_PRIMARY, BUTTON_SECONDARY};

const FIELD: &str = "mt-1 block min-h-11 w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900";

/// Bumped when a stop is classified, added or split: the figures and the drill-down are fetched again.
#[derive(Clone, Copy)]
pub(super) struct StopEdits(pub RwSignal<u64>);

/// A local date and time for a `datetime-local` field, in the plant's zone.
fn local(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

fn label(l: Locale, field: &str) -> String {
    match field {
        "line" => td_string!(l, prod.col_line),
        "start" => td_string!(l, prod.col_start),
        "end" => td_string!(l, prod.end),
        "at" => td_string!(l, prod.split_at),
        "reason" => td_string!(l, prod.col_reason),
        "note" => td_string!(l, prod.note),
        _ => field,
    }
    .to_owned()
}

/// Why an entry was refused: the stop in its way or still going on, said with its times; else each field wrong.
#[component]
fn Refusal(error: Signal<Option<AppError>>, tz: chrono_tz::Tz) -> impl IntoView {
    let i18n = use_i18n();
    let problem = move || error.get().and_then(|e| e.reason::<StopProblem>());
    let plain = Signal::derive(move || error.get().filter(|e| e.reason::<StopProblem>().is_none()));
    view! {
        {move || problem().map(|p| {
            let l = i18n.get_locale();
            let text = match p {
                StopProblem::StopOverlaps { start, end: Some(end), .. } => {
                    td_string!(l, prod.e_overlaps, from = local(start, tz).replace('T', " "), to = local(end, tz).replace('T', " ")).to_string()
                }
                StopProblem::StopOverlaps { start, end: None, .. } => {
                    td_string!(l, prod.e_overlaps_open, from = local(start, tz).replace('T', " ")).to_string()
                }
                StopProblem::StopOngoing { .. } => td_string!(l, prod.e_ongoing).to_string(),
                StopProblem::StopUnjudged { until } => {
                    td_string!(l, prod.e_unjudged, until = local(until, tz).replace('T', " ")).to_string()
                }
            };
            view! { <p role="alert" data-testid="form-error" class="mb-3 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200">{text}</p> }
        })}
        <Problems error=plain label />
    }
}

/// "Add a stop": the form (line, start, end, reason, note) opened from a button.
#[component]
pub(super) fn AddStopPanel(setup: StoredValue<Setup>, id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AddStop>::new();
    let open = RwSignal::new(false);
    let edits = use_context::<StopEdits>();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            open.set(false);
            if let Some(StopEdits(e)) = edits {
                e.update(|n| *n += 1);
            }
        }
    });
    let (tz, lines, reasons) = setup.with_value(|s| {
        let lines: Vec<_> = s.lines.iter().filter(|l| s.classify_lines.contains(&l.id)).cloned().collect();
        let reasons: Vec<_> = s.reasons.iter().filter(|r| r.active).cloned().collect();
        (s.time_zone, lines, reasons)
    });
    let form_id = format!("{id}-add");
    let now = chrono::Utc::now();
    view! {
        <div class="px-4 pb-2">
            <button type="button" class=BUTTON_SECONDARY aria-expanded=move || open.get().to_string() aria-controls=form_id.clone()
                on:click=move |_| open.update(|o| *o = !*o) data-testid="stop-add-open">{t!(i18n, prod.add_stop)}</button>
            <div id=form_id class="mt-3 rounded-lg border border-slate-200 p-3 dark:border-slate-700" hidden=move || !open.get() data-testid="stop-add">
                <p class=format!("{MUTED} mb-2 text-xs")>{move || td_string!(i18n.get_locale(), prod.add_stop_note, zone = tz.name()).to_string()}</p>
                <Refusal error tz />
                <ActionForm action attr:class="grid grid-cols-1 gap-2 sm:grid-cols-[8rem_12rem_12rem_1fr_1fr_auto] sm:items-end">
                    <label class="text-xs">{t!(i18n, prod.col_line)}
                        <select name="line" class=FIELD required>
                            {lines.into_iter().map(|l| view! { <option value=l.id.to_string()>{l.code}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="text-xs">{t!(i18n, prod.col_start)}<input name="start" type="datetime-local" class=FIELD required value=local(now - chrono::Duration::minutes(30), tz) /></label>
                    <label class="text-xs">{t!(i18n, prod.end)}<input name="end" type="datetime-local" class=FIELD required value=local(now - chrono::Duration::minutes(15), tz) /></label>
                    <label class="text-xs">{t!(i18n, prod.col_reason)}
                        <select name="reason" class=FIELD>
                            <option value="">{t!(i18n, prod.unclassified)}</option>
                            {super::downtime::reason_options(reasons, None, i18n.get_locale_untracked())}
                        </select>
                    </label>
                    <label class="text-xs">{t!(i18n, prod.note)}<input name="note" type="text" maxlength="500" class=FIELD /></label>
                    <button type="submit" class=format!("{BUTTON_PRIMARY} min-h-11") disabled=move || action.pending().get() data-testid="stop-add-save">{t!(i18n, prod.add_stop_save)}</button>
                </ActionForm>
            </div>
        </div>
    }
}

/// "Split this stop": the form for the stop chosen in the table (`splitting`), at a time inside it.
#[component]
pub(super) fn SplitPanel(splitting: RwSignal<Option<StopRow>>, tz: chrono_tz::Tz) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SplitStop>::new();
    let edits = use_context::<StopEdits>();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            splitting.set(None);
            if let Some(StopEdits(e)) = edits {
                e.update(|n| *n += 1);
            }
        }
    });
    move || {
        splitting.get().and_then(|s| s.end.map(|end| (s, end))).map(|(s, end)| {
            let middle = s.start + (end - s.start) / 2;
            let (from, to) = (local(s.start, tz).replace('T', " "), local(end, tz).replace('T', " "));
            let title = {
                let line = s.line.clone();
                move || td_string!(i18n.get_locale(), prod.split_title, line = line.clone(), from = from.clone(), to = to.clone()).to_string()
            };
            view! {
                <div class="mx-4 mb-3 rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="stop-split">
                    <Refusal error tz />
                    <ActionForm action attr:class="flex flex-wrap items-end gap-2">
                        <input type="hidden" name="id" value=s.id.to_string() />
                        <label class="text-sm">{title}
                            <input name="at" type="datetime-local" class=FIELD required value=local(middle, tz)
                                min=local(s.start, tz) max=local(end, tz) data-testid="stop-split-at" />
                        </label>
                        <button type="submit" class=format!("{BUTTON_PRIMARY} min-h-11") disabled=move || action.pending().get() data-testid="stop-split-save">{t!(i18n, prod.split)}</button>
                        <button type="button" class=format!("{BUTTON_SECONDARY} min-h-11") on:click=move |_| splitting.set(None)>{t!(i18n, prod.cancel)}</button>
                    </ActionForm>
                </div>
            }
        })
    }
}
