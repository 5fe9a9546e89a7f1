//! The dashboard's KPI cards (each a link that drills into its figure) and the drill-down: how a figure is computed,
//! with its numbers, and the minutes behind it.

use leptos::prelude::*;
use nexus::production::rules::dashboard::{Cause, DrillData, Figure, Losses, MinuteRow, Setup, View};
use nexus::production::rules::kinds::{Counting, WidgetKind};

use super::causes::{Cycles, Rejects, Timeline, causes_href};
use super::downtime::Stops;
use super::filters::Filters;
use super::{H2, MUTED, PlantTime, minutes_text, pct, run_text};
use crate::error::AppError;
use crate::i18n::*;
use crate::production::ClassifyStop;
use crate::ui::components::{BUTTON_SECONDARY, CARD, ErrorBanner, Loading};
use crate::ui::list::{Column, DataTable};
use crate::ui::number::count;

#[component]
pub(super) fn KpiCards(
    figures: Vec<String>,
    current: Signal<Option<View>>,
    filters: Memo<Filters>,
    setup: StoredValue<Setup>,
) -> impl IntoView {
    let i18n = use_i18n();
    let target = move || {
        let line = filters.with(|f| setup.with_value(|s| f.query(s).line));
        setup.with_value(|s| match line {
            Some(id) => s.lines.iter().find(|l| l.id == id).map(|l| l.target),
            None => None,
        })
    };
    let sources = move || current.get().and_then(|v| sources_text(i18n.get_locale(), &v));
    view! {
        <section aria-label=move || td_string!(i18n.get_locale(), prod.kpis) class="grid grid-cols-2 gap-3 sm:grid-cols-4 xl:grid-cols-7" data-testid="prod-kpis">
            {figures.into_iter().map(|key| {
                let k = key.clone();
                let label = move || kpi_label(i18n.get_locale(), &k);
                let k = key.clone();
                let value = move || current.get().map(|v| kpi_value(i18n.get_locale(), &k, &v.total)).unwrap_or_else(|| "—".into());
                let k = key.clone();
                let href = move || filters.get().href(Some(&k));
                let k = key.clone();
                let flag = move || k == "performance" && current.get().is_some_and(|v| v.total.oee.performance_over_100);
                let k = key.clone();
                let below = move || k == "oee" && matches!((current.get().and_then(|v| v.total.oee.oee), target()), (Some(o), Some(t)) if o < t);
                let is_oee = key == "oee";
                view! {
                    <a href=href class="block rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-[#2b7cee] focus:outline-none focus-visible:ring-2 focus-visible:ring-[#2b7cee] dark:border-slate-700 dark:bg-[#1e293b]"
                        data-testid=format!("kpi-{key}")>
                        <span class="block text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-300">{label}</span>
                        <span class=move || if below() { "mt-1 block text-2xl font-bold tabular-nums text-red-700 dark:text-red-300" } else { "mt-1 block text-2xl font-bold tabular-nums" }
                            data-testid=format!("kpi-{key}-value")>{value}</span>
                        {move || (is_oee).then(|| target().map(|t| view! {
                            <span class="block text-xs text-slate-600 dark:text-slate-300">{move || td_string!(i18n.get_locale(), prod.target, pct = pct(i18n.get_locale(), Some(t), 0)).to_string()}</span>
                        })).flatten()}
                        {move || flag().then(|| view! {
                            <span class="mt-1 block text-xs font-medium text-amber-800 dark:text-amber-300" data-testid="kpi-over-100">{t!(i18n, prod.performance_over)}</span>
                        })}
                    </a>
                }
            }).collect_view()}
            // Always there, empty when every unit is a machine's: the figures may arrive after the page was drawn on
            // the server, and an element that comes and goes with them would not hydrate.
            <p class=move || if sources().is_some() { "col-span-full -mt-1 text-xs text-slate-600 dark:text-slate-300" } else { "hidden" }
                data-testid="kpi-sources">{move || sources().unwrap_or_default()}</p>
        </section>
    }
}

/// Where the units came from, when people's facts are among them: units from machines and from people, and the
/// units of machine lines a later inspection found bad. None when every unit is a machine's.
fn sources_text(locale: Locale, v: &View) -> Option<String> {
    let t = &v.total.totals;
    let inspected: i64 =
        v.lines.iter().filter(|l| l.counting == Counting::Sensors).map(|l| -l.figure.totals.people_good.min(0)).sum();
    if t.people_total == 0 && inspected == 0 {
        return None;
    }
    let mut text = td_string!(
        locale,
        prod.sources,
        sensors = count(locale, t.total - t.people_total),
        people = count(locale, t.people_total)
    )
    .to_string();
    if inspected > 0 {
        text.push_str(&td_string!(locale, prod.sources_inspected, n = count(locale, inspected)).to_string());
    }
    Some(text)
}

pub(crate) fn kpi_label(locale: Locale, key: &str) -> &'static str {
    match key {
        "oee" => td_string!(locale, prod.k_oee),
        "availability" => td_string!(locale, prod.k_availability),
        "performance" => td_string!(locale, prod.k_performance),
        "quality" => td_string!(locale, prod.k_quality),
        "total" => td_string!(locale, prod.k_total),
        "good" => td_string!(locale, prod.k_good),
        _ => td_string!(locale, prod.k_downtime),
    }
}

fn kpi_value(locale: Locale, key: &str, f: &Figure) -> String {
    match key {
        "oee" => pct(locale, f.oee.oee, 1),
        "availability" => pct(locale, f.oee.availability, 1),
        "performance" => pct(locale, f.oee.performance, 1),
        "quality" => pct(locale, f.oee.quality, 1),
        "total" => count(locale, f.totals.total),
        "good" => count(locale, f.totals.good),
        _ => minutes_text(f.totals.downtime_ms),
    }
}

/// The drill-down: how a figure is computed, with its numbers, and the minutes behind it.
#[component]
pub(super) fn Drill(
    figure: String,
    drill: Resource<Result<DrillData, AppError>>,
    filters: Memo<Filters>,
    current: Signal<Option<View>>,
    setup: StoredValue<Setup>,
    classify: ServerAction<ClassifyStop>,
    /// The dashboard's CSV for the same filters (the causes' CSVs are beside it).
    csv_href: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The plant's zone, the minutes' times are in.
    let tz = setup.with_value(|s| s.time_zone);
    let cause = Cause::of_figure(&figure);
    let href = move |c: Cause| causes_href(&csv_href.get_untracked(), c);
    // Each list reads only its part of the figures, so the live refresh (about once a second) draws none of them
    // again unless its part changed.
    let (stops, lines, products) = (
        super::part_of(WidgetKind::DowntimeTable, current),
        super::part_of(WidgetKind::LineComparison, current),
        super::part_of(WidgetKind::ProductDistribution, current),
    );
    let key = figure.clone();
    let formula = move || {
        let v = current.get()?;
        let t = v.total.totals;
        let o = v.total.oee;
        let l = i18n.get_locale();
        let run = run_text(&t);
        Some(match key.as_str() {
            "availability" => format!(
                "{} = {} / {} = {} / {} = {}",
                td_string!(l, prod.k_availability),
                td_string!(l, prod.run_time),
                td_string!(l, prod.planned_time),
                run,
                minutes_text(t.planned_ms),
                pct(l, o.availability, 2)
            ),
            "performance" => format!(
                "{} = {} / {} = {} / {} = {}",
                td_string!(l, prod.k_performance),
                td_string!(l, prod.ideal_time),
                td_string!(l, prod.run_time),
                minutes_text(t.ideal_ms),
                run,
                pct(l, o.performance, 2)
            ),
            "quality" | "good" | "total" => format!(
                "{} = {} / {} = {} / {} = {}",
                td_string!(l, prod.k_quality),
                td_string!(l, prod.k_good),
                td_string!(l, prod.k_total),
                count(l, t.good),
                count(l, t.total),
                pct(l, o.quality, 2)
            ),
            "downtime" => format!(
                "{} = {} − {} = {} − {} = {}",
                td_string!(l, prod.run_time),
                td_string!(l, prod.planned_time),
                td_string!(l, prod.k_downtime),
                minutes_text(t.planned_ms),
                minutes_text(t.downtime_ms),
                run
            ),
            _ => format!(
                "OEE = {} × {} × {} = {} × {} × {} = {}",
                td_string!(l, prod.k_availability),
                td_string!(l, prod.k_performance),
                td_string!(l, prod.k_quality),
                pct(l, o.availability, 2),
                pct(l, o.performance, 2),
                pct(l, o.quality, 2),
                pct(l, o.oee, 2)
            ),
        })
    };
    let close = move || filters.get().href(None);
    let title = figure.clone();
    view! {
        <section class=format!("{CARD} mb-4") aria-labelledby="drill-h" data-testid="prod-drill">
            <div class="mb-2 flex items-start justify-between gap-3">
                <h2 id="drill-h" class=H2>{move || td_string!(i18n.get_locale(), prod.drill_title, figure = kpi_label(i18n.get_locale(), &title)).to_string()}</h2>
                <a href=close class=BUTTON_SECONDARY data-testid="drill-close">{t!(i18n, prod.close)}</a>
            </div>
            <p class="mb-2 font-mono text-sm" data-testid="drill-formula">{formula}</p>
            {(figure == "oee").then_some(move || current.get().and_then(|v| v.losses).map(|l| view! { <Waterfall l /> }))}
            {(cause == Some(Cause::Availability)).then_some(move || lines.get().map(|v| view! { <Reliability v /> }))}
            {(figure == "performance").then_some(move || current.get().map(|v| {
                // Performance's loss split: micro-stops (their own loss) and the rest, reduced speed.
                let t = v.total.totals;
                let micro = minutes_text(t.micro_stop_ms);
                let slow = minutes_text((t.run_ms() - t.ideal_ms.max(0) - t.micro_stop_ms).max(0));
                let n = count(i18n.get_locale_untracked(), t.micro_stops);
                view! { <p class=format!("{MUTED} mb-2") data-testid="drill-micro">{move || td_string!(i18n.get_locale(), prod.micro_note, n = n.clone(), time = micro.clone(), slow = slow.clone()).to_string()}</p> }
            }))}
            {move || current.get().filter(|v| v.total.totals.no_data_ms > 0).map(|v| {
                let time = minutes_text(v.total.totals.no_data_ms);
                view! { <p class=format!("{MUTED} mb-2") data-testid="drill-no-data">{move || td_string!(i18n.get_locale(), prod.no_data_note, time = time.clone()).to_string()}</p> }
            })}
            {(cause == Some(Cause::Performance)).then_some(move || {
                let (products, lines) = (products.get()?, lines.get()?);
                Some(view! { <Cycles products=products.products lines=lines.lines href=href(Cause::Performance) /> })
            })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match drill.await {
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                        Ok(DrillData { minutes: rows, timeline, rejects }) => view! {
                            {(cause == Some(Cause::Availability)).then(|| view! {
                                <Timeline lines=timeline tz href=href(Cause::Availability) />
                                <div class="mt-4"><Stops limit=nexus::production::rules::dashboard::STOPS_SHOWN setup current=stops classify id="drill-stops" /></div>
                            })}
                            {(cause == Some(Cause::Quality)).then(|| view! { <Rejects rows=rejects href=href(Cause::Quality) /> })}
                            <h3 class="mb-2 mt-4 text-sm font-semibold">{t!(i18n, prod.minutes)}</h3>
                            <p class=format!("{MUTED} mb-3")>{t!(i18n, prod.drill_note)}</p>
                            <div class="max-h-96 overflow-y-auto" tabindex="0" aria-label=move || td_string!(i18n.get_locale(), prod.minutes)>
                                <DataTable
                                    rows
                                    columns=minute_columns(tz)
                                    caption=move || td_string!(i18n.get_locale(), prod.minutes)
                                    testid="drill-minutes"
                                    min_width=""
                                    empty=ViewFn::from(move || view! { <span class=MUTED>{t!(i18n, prod.no_units)}</span> })
                                />
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The drill-down's columns: the minute, line and product, and the units counted in it.
fn minute_columns(tz: chrono_tz::Tz) -> Vec<Column<MinuteRow>> {
    let i18n = use_i18n();
    let numeric = "sm:text-right tabular-nums";
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_minute),
            move |m: &MinuteRow| view! { <PlantTime at=m.minute tz /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_line), |m: &MinuteRow| m.line.clone().into_any()),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_product),
            |m: &MinuteRow| m.product.clone().into_any(),
        ),
        Column::new(move || td_string!(i18n.get_locale(), prod.k_total), |m: &MinuteRow| m.total.into_any())
            .class(numeric),
        Column::new(move || td_string!(i18n.get_locale(), prod.k_good), |m: &MinuteRow| m.good.into_any())
            .class(numeric),
    ]
}

/// The six big losses as a waterfall, from the time the calendar plans (with data) to fully productive time: each
/// step's minutes and its share of the scheduled time, drawn as a bar (the numbers are in the table itself).
#[component]
pub(crate) fn Waterfall(l: Losses) -> impl IntoView {
    let i18n = use_i18n();
    let whole = l.scheduled_ms.max(1) as f64;
    // (label key, ms, a loss or a level)
    type Step = (fn(Locale) -> &'static str, i64, bool);
    let steps: Vec<Step> = vec![
        (|loc| td_string!(loc, prod.l_scheduled), l.scheduled_ms, false),
        (|loc| td_string!(loc, prod.l_planned_stops), l.planned_stops_ms, true),
        (|loc| td_string!(loc, prod.planned_time), l.planned_ms, false),
        (|loc| td_string!(loc, prod.l_breakdowns), l.breakdowns_ms, true),
        (|loc| td_string!(loc, prod.l_setup), l.setup_ms, true),
        (|loc| td_string!(loc, prod.run_time), l.run_ms, false),
        (|loc| td_string!(loc, prod.l_minor), l.minor_stops_ms, true),
        (|loc| td_string!(loc, prod.l_speed), l.reduced_speed_ms, true),
        (|loc| td_string!(loc, prod.l_net), l.net_run_ms, false),
        (|loc| td_string!(loc, prod.l_startup), l.startup_rejects_ms, true),
        (|loc| td_string!(loc, prod.l_rejects), l.production_rejects_ms, true),
        (|loc| td_string!(loc, prod.l_fully), l.fully_productive_ms, false),
    ];
    let columns = vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.l_step),
            move |s: &Step| {
                let (label, loss) = (s.0, s.2);
                view! { <span class=if loss { "pl-4" } else { "font-medium" }>{if loss { "− " } else { "" }}{move || label(i18n.get_locale())}</span> }.into_any()
            },
        ),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_duration), |s: &Step| minutes_text(s.1).into_any())
            .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new("%", move |s: &Step| {
            let width = format!("width: {:.1}%", (s.1 as f64 / whole * 100.0).clamp(0.0, 100.0));
            let bar = if s.2 { "h-3 rounded bg-red-500" } else { "h-3 rounded bg-[#2b7cee]" };
            view! { <div class="w-32 sm:w-48"><div class=bar style=width></div></div> }.into_any()
        }),
    ];
    view! {
        <div class="mb-3">
            <DataTable rows=steps columns caption=move || td_string!(i18n.get_locale(), prod.l_title) testid="drill-losses"
                min_width="" empty=ViewFn::from(|| ()) />
        </div>
    }
}

/// Each line's breakdowns, MTBF (run time per breakdown) and MTTR (breakdown time per breakdown).
#[component]
fn Reliability(v: View) -> impl IntoView {
    let i18n = use_i18n();
    let rows: Vec<(String, Losses)> = v.lines.iter().filter_map(|l| l.losses.map(|x| (l.code.clone(), x))).collect();
    let text = |ms: Option<i64>| ms.map_or_else(|| "—".to_owned(), minutes_text);
    let numeric = "sm:text-right tabular-nums";
    let columns = vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_line),
            |r: &(String, Losses)| r.0.clone().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.l_breakdowns),
            |r: &(String, Losses)| format!("{} · {}", r.1.breakdowns, minutes_text(r.1.breakdowns_ms)).into_any(),
        )
        .class(numeric),
        Column::new("MTBF", move |r: &(String, Losses)| text(r.1.mtbf_ms).into_any()).class(numeric),
        Column::new("MTTR", move |r: &(String, Losses)| text(r.1.mttr_ms).into_any()).class(numeric),
    ];
    view! {
        <div class="mb-3">
            <DataTable rows columns caption=move || td_string!(i18n.get_locale(), prod.l_reliability) testid="drill-reliability"
                min_width="" empty=ViewFn::from(|| ()) />
        </div>
    }
}
