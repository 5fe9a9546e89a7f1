//! The dashboard's downtime widgets: the Pareto of stops (per reason or per line) and the stops table, where a person
//! whose lines they are classifies each stop.

use charming::Chart;
use charming::component::{Axis, Grid};
use charming::element::{AxisType, ItemStyle, Tooltip, Trigger};
use charming::series::{Bar, Line};
use leptos::prelude::*;
use nexus::production::rules::dashboard::{ParetoBy, ParetoRow, ReasonRef, Setup, StopRow, View, by_category};

use super::entry::{AddStopPanel, SplitPanel};
use super::{H2, MUTED, PlantTime, minutes_text};
use crate::i18n::*;
use crate::production::ClassifyStop;
use crate::production::charts::ChartBox;
use crate::ui::components::{BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner};
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::number::count;

fn reason_name(setup: &Setup, reason: Option<nexus::ids::ReasonId>, locale: Locale) -> (String, String) {
    match reason.and_then(|r| setup.reasons.iter().find(|x| x.id == r)) {
        Some(r) => (r.name.clone(), r.colour.clone()),
        None => (td_string!(locale, prod.unclassified).to_owned(), "#94a3b8".to_owned()),
    }
}

/// A Pareto row's name and colour: its reason's (by reason) or its line's code (by line), tagged when its stops had a
/// planned reason.
fn pareto_name(setup: &Setup, row: &ParetoRow, locale: Locale) -> (String, String) {
    let (name, colour) = match (row.line, &row.category) {
        (Some(id), _) => (
            setup.lines.iter().find(|l| l.id == id).map(|l| l.code.clone()).unwrap_or_else(|| id.to_string()),
            "#2b7cee".to_owned(),
        ),
        // A category in the colour of its first reason.
        (None, Some(c)) => (
            c.clone(),
            setup
                .reasons
                .iter()
                .find(|r| r.category.as_ref() == Some(c))
                .map_or_else(|| "#64748b".to_owned(), |r| r.colour.clone()),
        ),
        (None, None) => reason_name(setup, row.reason, locale),
    };
    if row.planned {
        (format!("{name}{}", td_string!(locale, prod.planned_tag)), "#94a3b8".to_owned())
    } else {
        (name, colour)
    }
}

/// The stops' minutes inside planned time per reason or per line: the chart the downtime (longest first, and its
/// cumulative share, which the downtime card's minutes make up), the list that and then the stops given a planned
/// reason, marked.
#[component]
pub(super) fn Pareto(by: ParetoBy, setup: StoredValue<Setup>, current: Signal<Option<View>>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move |v: View| match by {
        ParetoBy::Line => v.pareto_lines,
        ParetoBy::Category => setup.with_value(|s| by_category(&v.pareto, &s.reasons)),
        ParetoBy::Reason => v.pareto,
    };
    let title = move || match by {
        ParetoBy::Reason => td_string!(i18n.get_locale(), prod.w_pareto),
        ParetoBy::Category => td_string!(i18n.get_locale(), prod.w_pareto_category),
        ParetoBy::Line => td_string!(i18n.get_locale(), prod.w_pareto_line),
    };
    let option = Signal::derive(move || {
        let down: Vec<ParetoRow> = rows(current.get()?).into_iter().filter(|p| !p.planned).collect();
        let l = i18n.get_locale();
        let total: i64 = down.iter().map(|p| p.ms).sum();
        let mut running = 0;
        let mut names = Vec::new();
        let mut minutes = Vec::new();
        let mut cumulative = Vec::new();
        for p in &down {
            let (name, colour) = setup.with_value(|s| pareto_name(s, p, l));
            names.push(name.clone());
            minutes.push(
                charming::datatype::DataPointItem::new((p.ms as f64 / 6000.0).round() / 10.0)
                    .item_style(ItemStyle::new().color(colour)),
            );
            running += p.ms;
            cumulative.push(if total > 0 { (running as f64 * 1000.0 / total as f64).round() / 10.0 } else { 0.0 });
        }
        Some(
            Chart::new()
                .background_color("transparent")
                .tooltip(Tooltip::new().trigger(Trigger::Axis))
                .grid(Grid::new().left(8).right(8).top(24).bottom(24).contain_label(true))
                .x_axis(Axis::new().type_(AxisType::Category).data(names))
                .y_axis(Axis::new().type_(AxisType::Value).name("min"))
                .y_axis(Axis::new().type_(AxisType::Value).name("%").min(0).max(100))
                .series(Bar::new().name(td_string!(l, prod.k_downtime)).data(minutes))
                .series(
                    Line::new()
                        .name(td_string!(l, prod.cumulative))
                        .y_axis_index(1)
                        .item_style(ItemStyle::new().color("#f59e0b"))
                        .data(cumulative),
                ),
        )
    });
    view! {
        <section class=CARD aria-labelledby="w-pareto-h" data-testid="w-pareto" data-by=by.as_str()>
            <h2 id="w-pareto-h" class=H2>{title}</h2>
            <ChartBox id="chart-pareto" label=Signal::derive(title) option height="h-64" />
            <ul class="mt-2 space-y-1 text-sm" data-testid="pareto-list">
                {move || current.get().map(|v| rows(v).into_iter().map(|p| {
                    let (name, colour) = setup.with_value(|s| pareto_name(s, &p, i18n.get_locale_untracked()));
                    view! {
                        <li class="flex items-center justify-between gap-2" data-planned=p.planned.then_some("true")>
                            <span class="flex items-center gap-2"><span class="inline-block h-3 w-3 rounded-sm" style=format!("background:{colour}") aria-hidden="true"></span>{name}</span>
                            <span class="tabular-nums">{minutes_text(p.ms)} " · " {p.stops}</span>
                        </li>
                    }
                }).collect_view())}
            </ul>
        </section>
    }
}

#[component]
pub(super) fn Stops(
    limit: usize,
    setup: StoredValue<Setup>,
    current: Signal<Option<View>>,
    classify: ServerAction<ClassifyStop>,
    /// Its test id and the prefix of its elements' ids (the widget's, or the drill-down's beside it).
    #[prop(default = "w-stops")]
    id: &'static str,
    /// Its CSV (all the stops, not only those shown), where it has one.
    #[prop(optional)]
    export: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || classify.value().get().and_then(Result::err));
    let (heading, labelled_by) = (format!("{id}-h"), format!("{id}-h"));
    // Stops are entered by hand by those who classify some line's.
    let enters = setup.with_value(|s| !s.classify_lines.is_empty());
    let splitting = RwSignal::new(None::<StopRow>);
    let tz = setup.with_value(|s| s.time_zone);
    // Pages of `limit` stops over those loaded (the latest ones, up to `STOPS_SHOWN`): every stop can be reached and
    // classified, not only the first page. A page past the end after a refresh shows the last one.
    let page = RwSignal::new(0usize);
    let limit = limit.max(1);
    let loaded = move || current.with(|v| v.as_ref().map_or(0, |v| v.stops.len()));
    let pages = move || loaded().div_ceil(limit).max(1);
    let at = move || page.get().min(pages() - 1);
    // A classification saved says so where the user looks (announced to screen readers too).
    let saved = Signal::derive(move || matches!(classify.value().get(), Some(Ok(()))));
    view! {
        <section class=CARD_FLUSH aria-labelledby=labelled_by data-testid=id tabindex="0">
            <div class="flex flex-wrap items-baseline justify-between gap-2 px-4 pt-4">
                <h2 id=heading class=H2>{t!(i18n, prod.w_stops)}</h2>
                <p class=MUTED data-testid="stops-count">{move || current.get().map(|v| {
                    let l = i18n.get_locale();
                    let first = at() * limit;
                    let last = (first + limit).min(v.stops.len());
                    if v.stops.is_empty() {
                        td_string!(l, prod.stops_shown_none).to_string()
                    } else {
                        td_string!(l, prod.stops_range, first = count(l, first as i64 + 1), last = count(l, last as i64), total = count(l, v.stop_count as i64)).to_string()
                    }
                })}</p>
                {export.map(|href| view! { <a href=href class=BUTTON_SECONDARY download data-testid=format!("{id}-csv")>{t!(i18n, prod.export_causes)}</a> })}
            </div>
            <div class="px-4">
                <ErrorBanner error />
                <p role="status" class="text-sm font-medium text-emerald-800 dark:text-emerald-300" data-testid="classify-saved">
                    {move || saved.get().then(|| td_string!(i18n.get_locale(), prod.classify_saved))}
                </p>
            </div>
            {enters.then(|| view! { <AddStopPanel setup id /> <SplitPanel splitting tz /> })}
            {move || current.get().map(|v| view! {
                <DataTable
                    rows={ v.stops.into_iter().skip(at() * limit).take(limit).collect::<Vec<_>>() }
                    columns=stop_columns(setup, classify, id, splitting)
                    caption=move || td_string!(i18n.get_locale(), prod.w_stops)
                    testid="stops-table"
                    rows_meta=Rows { testid: "stop-row", key: |s: &StopRow| s.id.to_string(), state: Some(|s: &StopRow| if s.end.is_none() { "ongoing" } else { "ended" }) }
                    empty=ViewFn::from(move || view! { <span data-testid="stops-none">{t!(i18n, prod.stops_none)}</span> })
                />
            })}
            {move || (pages() > 1).then(|| view! {
                <nav class="flex flex-wrap items-center gap-2 px-4 pb-4" aria-label=move || td_string!(i18n.get_locale(), list.pages) data-testid="stops-pager">
                    <button type="button" class=BUTTON_SECONDARY disabled=move || at() == 0 data-testid="stops-prev"
                        on:click=move |_| page.set(at().saturating_sub(1))>{t!(i18n, prod.stops_newer)}</button>
                    <span class=MUTED>{move || td_string!(i18n.get_locale(), prod.stops_page, page = at() + 1, pages = pages()).to_string()}</span>
                    <button type="button" class=BUTTON_SECONDARY disabled=move || at() + 1 >= pages() data-testid="stops-next"
                        on:click=move |_| page.set(at() + 1)>{t!(i18n, prod.stops_older)}</button>
                </nav>
            })}
            {move || current.get().filter(|v| v.stop_count > v.stops.len()).map(|v| view! {
                <p class=format!("{MUTED} px-4 pb-4") data-testid="stops-capped">
                    {td_string!(i18n.get_locale(), prod.stops_capped, shown = v.stops.len(), total = v.stop_count).to_string()}
                </p>
            })}
        </section>
    }
}

/// The stops' columns: line, start (and whether it goes on), length (and what of it is planned time), and the
/// reason: a form where the caller classifies that line's stops, the reason's name and colour elsewhere.
fn stop_columns(
    setup: StoredValue<Setup>,
    classify: ServerAction<ClassifyStop>,
    id: &'static str,
    splitting: RwSignal<Option<StopRow>>,
) -> Vec<Column<StopRow>> {
    let i18n = use_i18n();
    let tz = setup.with_value(|s| s.time_zone);
    vec![
        Column::new(move || td_string!(i18n.get_locale(), prod.col_line), |s: &StopRow| s.line.clone().into_any()).class("font-medium"),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_start), move |s: &StopRow| view! {
            <div>
                <PlantTime at=s.start tz=tz />
                {s.end.is_none().then(|| view! { <span class="ml-2 rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900 dark:bg-red-900/50 dark:text-red-100">{t!(i18n, prod.ongoing)}</span> })}
                {s.manual.then(|| view! { <span class="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-800 dark:bg-slate-700 dark:text-slate-100" data-testid="stop-manual">{t!(i18n, prod.manual_tag)}</span> })}
            </div>
        }.into_any())
        .class("whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_duration), move |s: &StopRow| view! {
            <div>
                {minutes_text(s.ms)}
                // Time outside planned time (a break, between shifts) is no downtime: what counts is said beside it.
                {(s.planned_ms != s.ms).then(|| view! {
                    <span class=format!("{MUTED} block text-xs") data-testid="stop-planned">{minutes_text(s.planned_ms)} " " {t!(i18n, prod.in_planned)}</span>
                })}
                // A stop that has ended and had two causes is split where the second began.
                {(s.end.is_some() && setup.with_value(|st| st.classify_lines.contains(&s.line_id))).then(|| {
                    let row = s.clone();
                    view! {
                        <button type="button" class="mt-1 block min-h-6 text-xs text-[#1a5bb5] underline sm:ml-auto dark:text-[#8fbfff]" data-testid="stop-split-open"
                            on:click=move |_| splitting.set(Some(row.clone()))>{t!(i18n, prod.split)}</button>
                    }
                })}
            </div>
        }.into_any())
        .class("sm:text-right tabular-nums"),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_reason), move |s: &StopRow| view! { <StopReason s=s.clone() setup classify id /> }.into_any()),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_classified_by), |s: &StopRow| {
            s.classified_by.clone().unwrap_or_else(|| "—".to_owned()).into_any()
        })
        .class("text-sm"),
    ]
}

#[component]
fn StopReason(
    s: StopRow,
    setup: StoredValue<Setup>,
    classify: ServerAction<ClassifyStop>,
    id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let can = setup.with_value(|st| st.classify_lines.contains(&s.line_id));
    let (name, colour) = setup.with_value(|st| reason_name(st, s.reason, i18n.get_locale_untracked()));
    let reasons: Vec<_> =
        setup.with_value(|st| st.reasons.iter().filter(|r| r.active || Some(r.id) == s.reason).cloned().collect());
    let select_id = format!("{id}-reason-{}", s.id);
    let note_id = format!("{id}-note-{}", s.id);
    if can {
        view! {
            <ActionForm action=classify attr:class="flex flex-wrap items-center gap-2" attr:data-testid="classify-form">
                <input type="hidden" name="id" value=s.id.to_string() />
                <label for=select_id.clone() class="sr-only">{t!(i18n, prod.col_reason)}</label>
                <select id=select_id name="reason" class="min-h-11 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900" data-testid="classify-reason">
                    <option value="" selected=s.reason.is_none()>{t!(i18n, prod.unclassified)}</option>
                    {reason_options(reasons, s.reason, i18n.get_locale_untracked())}
                </select>
                <label for=note_id.clone() class="sr-only">{t!(i18n, prod.note)}</label>
                <input id=note_id name="note" type="text" maxlength="500" value=s.note.clone().unwrap_or_default()
                    class="min-h-11 w-40 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900"
                    placeholder=move || td_string!(i18n.get_locale(), prod.note) />
                <button type="submit" class=format!("{BUTTON_SECONDARY} min-h-11") data-testid="classify-save" disabled=move || classify.pending().get()>{t!(i18n, prod.save)}</button>
            </ActionForm>
        }.into_any()
    } else {
        view! { <span class="flex items-center gap-2"><span class="inline-block h-3 w-3 rounded-sm" style=format!("background:{colour}") aria-hidden="true"></span>{name}</span> }.into_any()
    }
}

/// The reasons to choose from, under their categories (an `optgroup` each, in the order the store gives: planned last,
/// categories by name), a reason without one on its own.
pub(super) fn reason_options(reasons: Vec<ReasonRef>, chosen: Option<nexus::ids::ReasonId>, locale: Locale) -> AnyView {
    let option = move |r: &ReasonRef| {
        let planned = if r.planned { td_string!(locale, prod.planned_tag) } else { "" };
        view! { <option value=r.id.to_string() selected=Some(r.id) == chosen>{format!("{}{}", r.name, planned)}</option> }
    };
    let mut groups: Vec<(Option<String>, Vec<ReasonRef>)> = Vec::new();
    for r in reasons {
        match groups.last_mut() {
            Some((c, rs)) if *c == r.category && c.is_some() => rs.push(r),
            _ => groups.push((r.category.clone(), vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|(category, rs)| match category {
            Some(label) => view! { <optgroup label=label>{rs.iter().map(option).collect_view()}</optgroup> }.into_any(),
            None => rs.iter().map(option).collect_view().into_any(),
        })
        .collect_view()
        .into_any()
}
