//! What a drilled figure's loss is made of, each list with its CSV (`causes.csv`): availability → each line's
//! timeline (running, stopped, planned stop, no data, off shift) and the stops, classified there; performance →
//! cycles by product and micro-stops by line; quality → rejects by product and area.

use leptos::prelude::*;
use nexus::production::rules::dashboard::{Cause, LineState, LineTimeline, RejectRow, Segment};

use super::{MUTED, PlantTime, minutes_text, pct};
use crate::i18n::*;
use crate::ui::components::BUTTON_SECONDARY;
use crate::ui::list::{Column, DataTable};
use crate::ui::number::count;

const NUMERIC: &str = "sm:text-right tabular-nums whitespace-nowrap";

/// A cause list's heading and the link that exports it.
#[component]
pub(super) fn CauseHeading(title: fn(Locale) -> &'static str, id: &'static str, href: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="mb-2 mt-4 flex flex-wrap items-baseline justify-between gap-2">
            <h3 id=id class="text-sm font-semibold">{move || title(i18n.get_locale())}</h3>
            <a href=href class=BUTTON_SECONDARY download data-testid=format!("{id}-csv")>{t!(i18n, prod.export_causes)}</a>
        </div>
    }
}

pub(super) fn state_label(l: Locale, s: LineState) -> &'static str {
    match s {
        LineState::Running => td_string!(l, prod.s_running),
        LineState::Stopped => td_string!(l, prod.s_stopped),
        LineState::PlannedStop => td_string!(l, prod.s_planned_stop),
        LineState::NoData => td_string!(l, prod.s_no_data),
        LineState::OffShift => td_string!(l, prod.s_off_shift),
    }
}

/// A state's colour in the bars and the legend.
fn colour(s: LineState) -> &'static str {
    match s {
        LineState::Running => "#16a34a",
        LineState::Stopped => "#dc2626",
        LineState::PlannedStop => "#f59e0b",
        LineState::NoData => "#94a3b8",
        LineState::OffShift => "#e2e8f0",
    }
}

/// Each line's timeline as a bar (states in their colours, time running left to right over the span looked at, up
/// to now) with its minutes per state beside it: the numbers are in the table, the bar draws them.
#[component]
pub(super) fn Timeline(lines: Vec<LineTimeline>, tz: chrono_tz::Tz, href: String) -> impl IntoView {
    let i18n = use_i18n();
    let span = lines.iter().find_map(|l| Some((l.segments.first()?.start, l.segments.last()?.end)));
    let mut columns = vec![
        Column::new(move || td_string!(i18n.get_locale(), prod.col_line), |t: &LineTimeline| t.code.clone().into_any())
            .class("font-medium"),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_timeline),
            move |t: &LineTimeline| {
                let label = {
                    let t = t.clone();
                    move || {
                        let l = i18n.get_locale();
                        LineState::ALL
                            .iter()
                            .filter(|s| t.ms(**s) > 0)
                            .map(|s| format!("{} {}", state_label(l, *s), minutes_text(t.ms(*s))))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                view! { <Bar segments=t.segments.clone() label /> }.into_any()
            },
        )
        .class("w-full min-w-48"),
    ];
    for s in [LineState::Running, LineState::Stopped, LineState::PlannedStop, LineState::NoData] {
        columns.push(
            Column::new(
                move || state_label(i18n.get_locale(), s),
                move |t: &LineTimeline| minutes_text(t.ms(s)).into_any(),
            )
            .class(NUMERIC),
        );
    }
    view! {
        <section aria-labelledby="cause-timeline-h" data-testid="drill-timeline">
            <CauseHeading title=|l| td_string!(l, prod.c_timeline) id="cause-timeline-h" href />
            <ul class="mb-2 flex flex-wrap gap-3 text-xs" aria-hidden="true">
                {LineState::ALL.into_iter().map(|s| view! {
                    <li class="flex items-center gap-1"><span class="inline-block h-3 w-3 rounded-sm border border-slate-300 dark:border-slate-600" style=format!("background:{}", colour(s))></span>{move || state_label(i18n.get_locale(), s)}</li>
                }).collect_view()}
            </ul>
            {span.map(|(a, b)| view! { <p class=format!("{MUTED} mb-2 text-xs")><PlantTime at=a tz /> " – " <PlantTime at=b tz /></p> })}
            <DataTable rows=lines columns caption=move || td_string!(i18n.get_locale(), prod.c_timeline) testid="timeline-table" min_width=""
                empty=ViewFn::from(move || view! { <span>{t!(i18n, prod.c_none)}</span> }) />
        </section>
    }
}

/// One line's segments, side by side in proportion to their lengths.
#[component]
fn Bar(segments: Vec<Segment>, label: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    let whole: i64 = segments.iter().map(Segment::ms).sum::<i64>().max(1);
    let mut x = 0i64;
    let rects = segments
        .into_iter()
        .map(|s| {
            let (at, w) = (x as f64 * 1000.0 / whole as f64, s.ms() as f64 * 1000.0 / whole as f64);
            x += s.ms();
            view! { <rect x=format!("{at:.2}") y="0" width=format!("{w:.2}") height="10" fill=colour(s.state) data-state=s.state.as_str() /> }
        })
        .collect_view();
    view! {
        <svg viewBox="0 0 1000 10" preserveAspectRatio="none" class="h-6 w-full rounded" role="img" aria-label=label data-testid="timeline-bar">
            {rects}
        </svg>
    }
}

/// Performance's causes: each product's cycles (ideal and actual, per unit: run time over units) and the speed lost,
/// then each line's micro-stops and reduced speed.
#[component]
pub(super) fn Cycles(
    products: Vec<nexus::production::rules::dashboard::ProductRow>,
    lines: Vec<nexus::production::rules::dashboard::LineRow>,
    href: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let mut by_loss = products;
    by_loss.sort_by_key(|p| std::cmp::Reverse(p.figure.totals.run_ms() - p.figure.totals.ideal_ms));
    let secs =
        |ms: i64, n: i64| if n > 0 { format!("{:.1} s", ms as f64 / n as f64 / 1000.0) } else { "—".to_owned() };
    type P = nexus::production::rules::dashboard::ProductRow;
    type L = nexus::production::rules::dashboard::LineRow;
    let products = vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_product),
            |p: &P| format!("{} {}", p.code, p.name).into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_total),
            move |p: &P| count(i18n.get_locale_untracked(), p.figure.totals.total).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_ideal_cycle),
            move |p: &P| secs(p.figure.totals.ideal_ms, p.figure.totals.total).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_actual_cycle),
            move |p: &P| secs(p.figure.totals.run_ms(), p.figure.totals.total).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.l_speed),
            |p: &P| minutes_text((p.figure.totals.run_ms() - p.figure.totals.ideal_ms).max(0)).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_performance),
            move |p: &P| pct(i18n.get_locale_untracked(), p.figure.oee.performance, 1).into_any(),
        )
        .class(NUMERIC),
    ];
    let line_rows = lines;
    let lines = vec![
        Column::new(move || td_string!(i18n.get_locale(), prod.col_line), |l: &L| l.code.clone().into_any())
            .class("font-medium"),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_micro),
            move |l: &L| count(i18n.get_locale_untracked(), l.figure.totals.micro_stops).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.l_minor),
            |l: &L| minutes_text(l.figure.totals.micro_stop_ms).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.l_speed),
            |l: &L| {
                let t = l.figure.totals;
                minutes_text((t.run_ms() - t.ideal_ms.max(0) - t.micro_stop_ms).max(0)).into_any()
            },
        )
        .class(NUMERIC),
    ];
    let none = move || view! { <span>{t!(i18n, prod.c_none)}</span> };
    view! {
        <section aria-labelledby="cause-cycles-h" data-testid="drill-cycles">
            <CauseHeading title=|l| td_string!(l, prod.c_cycles) id="cause-cycles-h" href />
            <p class=format!("{MUTED} mb-2 text-xs")>{t!(i18n, prod.c_cycles_note)}</p>
            <DataTable rows=by_loss columns=products caption=move || td_string!(i18n.get_locale(), prod.c_cycles) testid="cycles-table" min_width=""
                empty=ViewFn::from(none) />
            <h3 class="mb-2 mt-4 text-sm font-semibold">{t!(i18n, prod.c_micro)}</h3>
            <DataTable rows=line_rows columns=lines caption=move || td_string!(i18n.get_locale(), prod.c_micro) testid="micro-table" min_width=""
                empty=ViewFn::from(none) />
        </section>
    }
}

/// Quality's causes: units, good and rejected per product and area, the most rejects first.
#[component]
pub(crate) fn Rejects(rows: Vec<RejectRow>, href: String) -> impl IntoView {
    let i18n = use_i18n();
    let columns = vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_product),
            |r: &RejectRow| format!("{} {}", r.product, r.product_name).into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_area),
            move |r: &RejectRow| {
                let kind = r.area_kind;
                view! { <span>{format!("{} {}", r.area, r.area_name)} <span class=format!("{MUTED} block text-xs")>{move || crate::production::settings::kind_label(i18n.get_locale(), kind)}</span></span> }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_total),
            move |r: &RejectRow| count(i18n.get_locale_untracked(), r.total).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_good),
            move |r: &RejectRow| count(i18n.get_locale_untracked(), r.good).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_rejects),
            move |r: &RejectRow| count(i18n.get_locale_untracked(), r.rejects()).into_any(),
        )
        .class(NUMERIC),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_reject_rate),
            move |r: &RejectRow| {
                pct(i18n.get_locale_untracked(), (r.total > 0).then(|| r.rejects() as f64 / r.total as f64), 2)
                    .into_any()
            },
        )
        .class(NUMERIC),
    ];
    view! {
        <section aria-labelledby="cause-rejects-h" data-testid="drill-rejects">
            <CauseHeading title=|l| td_string!(l, prod.c_rejects) id="cause-rejects-h" href />
            <DataTable rows columns caption=move || td_string!(i18n.get_locale(), prod.c_rejects) testid="rejects-table" min_width=""
                empty=ViewFn::from(move || view! { <span>{t!(i18n, prod.c_none)}</span> }) />
        </section>
    }
}

/// The href of `cause`'s CSV for the dashboard's query.
pub(super) fn causes_href(dashboard_csv: &str, cause: Cause) -> String {
    format!("{}&cause={}", dashboard_csv.replacen("/dashboard.csv", "/causes.csv", 1), cause.as_str())
}
