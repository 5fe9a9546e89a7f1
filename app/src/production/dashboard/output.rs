//! The dashboard's output widgets, each a chart with its figures beside it as text: production over time, the product
//! distribution and the line comparison.

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Color, ItemStyle, Label, LineStyle, Symbol, Tooltip, Trigger};
use charming::series::{Bar, Line, Pie};
use leptos::prelude::*;
use nexus::production::rules::dashboard::{Bucket, Figure, LineRow, Point, Setup, View};
use nexus::production::rules::kinds::Counting;

use super::kpis::kpi_label;
use super::{H2, minutes_text, pct};
use crate::i18n::*;
use crate::production::charts::ChartBox;
use crate::ui::components::CARD;
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::number::count;

/// A bucket's start on the chart's axis, on the plant's clock (the one its shifts run on).
fn axis_time(v: &View, start: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    let local = start.with_timezone(&tz);
    match v.bucket {
        Bucket::Day => local.format("%d/%m").to_string(),
        Bucket::Minute | Bucket::Hour if v.to - v.from <= chrono::Duration::days(1) => {
            local.format("%H:%M").to_string()
        }
        _ => local.format("%d/%m %H:%M").to_string(),
    }
}

#[component]
pub(super) fn OverTime(setup: StoredValue<Setup>, current: Signal<Option<View>>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = setup.with_value(|s| s.time_zone);
    let labels = move |v: &View| -> Vec<String> {
        v.series
            .iter()
            .map(|p| match &p.shift {
                Some(name) => format!("{} {name}", axis_time(v, p.start, tz)),
                None => axis_time(v, p.start, tz),
            })
            .collect()
    };
    let option = {
        Signal::derive(move || {
            let v = current.get()?;
            let l = i18n.get_locale();
            let good: Vec<i64> = v.series.iter().map(|p| p.figure.totals.good).collect();
            let rejects: Vec<i64> = v.series.iter().map(|p| p.figure.totals.total - p.figure.totals.good).collect();
            // A bucket with no planned time with data (off shift, before the line counted) has no OEE: no point, and
            // the line is broken there rather than drawn down to 0 %.
            let oee: Vec<Option<f64>> =
                v.series.iter().map(|p| p.figure.oee.oee.map(|o| (o * 1000.0).round() / 10.0)).collect();
            Some(
                Chart::new()
                    .background_color("transparent")
                    .tooltip(Tooltip::new().trigger(Trigger::Axis))
                    .legend(Legend::new().bottom(0))
                    .grid(Grid::new().left(8).right(8).top(24).bottom(40).contain_label(true))
                    .x_axis(Axis::new().type_(AxisType::Category).data(labels(&v)))
                    .y_axis(Axis::new().type_(AxisType::Value).name(td_string!(l, prod.units_axis)))
                    .y_axis(Axis::new().type_(AxisType::Value).name("OEE %").min(0).max(100))
                    .series(
                        Bar::new()
                            .name(td_string!(l, prod.k_good))
                            .stack("u")
                            .item_style(ItemStyle::new().color("#2b7cee"))
                            .data(good),
                    )
                    .series(
                        Bar::new()
                            .name(td_string!(l, prod.rejects))
                            .stack("u")
                            .item_style(ItemStyle::new().color("#ef4444"))
                            .data(rejects),
                    )
                    .series(
                        Line::new()
                            .name("OEE %")
                            .y_axis_index(1)
                            .item_style(ItemStyle::new().color("#10b981"))
                            .data(oee),
                    ),
            )
        })
    };
    view! {
        <section class=CARD aria-labelledby="w-time-h" data-testid="w-over-time">
            <h2 id="w-time-h" class=H2>{t!(i18n, prod.w_over_time)}</h2>
            <ChartBox id="chart-over-time" label=Signal::derive(move || td_string!(i18n.get_locale(), prod.w_over_time).to_owned()) option />
            <details class="mt-2 text-sm">
                <summary class="cursor-pointer text-[#1a5bb5] dark:text-[#8fbfff]">{t!(i18n, prod.show_data)}</summary>
                <div class="max-h-64 overflow-y-auto" tabindex="0" aria-label=move || td_string!(i18n.get_locale(), prod.w_over_time)>
                    {move || current.get().map(|v| {
                        let names = labels(&v);
                        view! {
                            <DataTable
                                rows={ names.into_iter().zip(v.series).collect::<Vec<_>>() }
                                columns=point_columns()
                                caption=move || td_string!(i18n.get_locale(), prod.w_over_time)
                                min_width=""
                                empty=ViewFn::from(move || t!(i18n, prod.no_units))
                            />
                        }
                    })}
                </div>
            </details>
        </section>
    }
}

#[component]
pub(super) fn Products(current: Signal<Option<View>>) -> impl IntoView {
    let i18n = use_i18n();
    let option = Signal::derive(move || {
        let v = current.get()?;
        let data: Vec<(i64, String)> = v.products.iter().map(|p| (p.figure.totals.total, p.code.clone())).collect();
        Some(
            Chart::new()
                .background_color("transparent")
                .tooltip(Tooltip::new().trigger(Trigger::Item))
                .legend(Legend::new().bottom(0))
                .series(Pie::new().radius(vec!["40%", "70%"]).label(Label::new().show(false)).data(data)),
        )
    });
    view! {
        <section class=CARD aria-labelledby="w-products-h" data-testid="w-products">
            <h2 id="w-products-h" class=H2>{t!(i18n, prod.w_products)}</h2>
            <ChartBox id="chart-products" label=Signal::derive(move || td_string!(i18n.get_locale(), prod.w_products).to_owned()) option />
            <ul class="mt-2 space-y-1 text-sm">
                {move || current.get().map(|v| v.products.into_iter().map(|p| view! {
                    <li class="flex justify-between gap-2"><span>{format!("{} · {}", p.code, p.name)}</span>
                        <span class="tabular-nums">{count(i18n.get_locale_untracked(), p.figure.totals.total)} " · OEE " {pct(i18n.get_locale_untracked(), p.figure.oee.oee, 1)}</span></li>
                }).collect_view())}
            </ul>
        </section>
    }
}

#[component]
pub(super) fn Lines(figure: String, current: Signal<Option<View>>) -> impl IntoView {
    let i18n = use_i18n();
    let key = figure.clone();
    // A line with no figure (no planned time with data) has no bar, not one at 0 %.
    let value = move |f: &Figure| -> Option<f64> {
        match key.as_str() {
            "total" => Some(f.totals.total as f64),
            "availability" => f.oee.availability.map(|x| x * 100.0),
            "performance" => f.oee.performance.map(|x| x * 100.0),
            "quality" => f.oee.quality.map(|x| x * 100.0),
            _ => f.oee.oee.map(|x| x * 100.0),
        }
    };
    let option = {
        let figure = figure.clone();
        Signal::derive(move || {
            let v = current.get()?;
            let names: Vec<String> = v.lines.iter().map(|l| l.code.clone()).collect();
            let data: Vec<Option<f64>> =
                v.lines.iter().map(|l| value(&l.figure).map(|x| (x * 10.0).round() / 10.0)).collect();
            let targets: Vec<f64> = v.lines.iter().map(|l| l.target * 100.0).collect();
            let mut chart = Chart::new()
                .background_color("transparent")
                .tooltip(Tooltip::new().trigger(Trigger::Axis))
                .grid(Grid::new().left(8).right(8).top(24).bottom(24).contain_label(true))
                .x_axis(Axis::new().type_(AxisType::Category).data(names))
                .y_axis(Axis::new().type_(AxisType::Value))
                .series(
                    Bar::new()
                        .name(kpi_label(i18n.get_locale(), &figure))
                        .item_style(ItemStyle::new().color("#2b7cee"))
                        .data(data),
                );
            if figure == "oee" {
                chart = chart.series(
                    Line::new()
                        .name(td_string!(i18n.get_locale(), prod.target_short))
                        .symbol(Symbol::Diamond)
                        .symbol_size(14)
                        .line_style(LineStyle::new().width(0))
                        .item_style(ItemStyle::new().color(Color::from("#f59e0b")))
                        .data(targets),
                );
            }
            Some(chart)
        })
    };
    let title = figure.clone();
    view! {
        <section class=CARD aria-labelledby="w-lines-h" data-testid="w-lines">
            <h2 id="w-lines-h" class=H2>{move || format!("{} · {}", td_string!(i18n.get_locale(), prod.w_lines), kpi_label(i18n.get_locale(), &title))}</h2>
            <ChartBox id="chart-lines" label=Signal::derive(move || td_string!(i18n.get_locale(), prod.w_lines).to_owned()) option height="h-64" />
            {move || current.get().map(|v| view! {
                <DataTable
                    rows=v.lines
                    columns=line_columns()
                    caption=move || td_string!(i18n.get_locale(), prod.w_lines)
                    testid="lines-table"
                    rows_meta=Rows { testid: "line-row", key: |l: &LineRow| l.code.clone(), state: None }
                    min_width=""
                    empty=ViewFn::from(move || t!(i18n, prod.no_units))
                />
            })}
        </section>
    }
}

/// The line comparison's columns: the line, its OEE, units and downtime.
fn line_columns() -> Vec<Column<LineRow>> {
    let i18n = use_i18n();
    let numeric = "sm:text-right tabular-nums";
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_line),
            |l: &LineRow| format!("{} · {}", l.code, l.name).into_any(),
        ),
        Column::new("OEE", move |l: &LineRow| pct(i18n.get_locale_untracked(), l.figure.oee.oee, 1).into_any())
            .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_total),
            move |l: &LineRow| count(i18n.get_locale_untracked(), l.figure.totals.total).into_any(),
        )
        .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_downtime),
            |l: &LineRow| minutes_text(l.figure.totals.downtime_ms).into_any(),
        )
        .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_counting),
            move |l: &LineRow| counting_text(i18n.get_locale_untracked(), l).into_any(),
        ),
    ]
}

/// Where a line's units came from: its machines or its people's facts, and what a later inspection found bad of a
/// machine line's units.
fn counting_text(locale: Locale, l: &LineRow) -> String {
    match l.counting {
        Counting::People => td_string!(locale, prod.by_people).to_owned(),
        Counting::Sensors if l.figure.totals.people_good < 0 => format!(
            "{} · {}",
            td_string!(locale, prod.by_sensors),
            td_string!(locale, prod.inspected_out, n = count(locale, -l.figure.totals.people_good))
        ),
        Counting::Sensors => td_string!(locale, prod.by_sensors).to_owned(),
    }
}

/// The production chart's data as a table: each bucket's good units, rejects and OEE.
fn point_columns() -> Vec<Column<(String, Point)>> {
    let i18n = use_i18n();
    let numeric = "sm:text-right tabular-nums";
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), prod.col_when),
            |(name, _): &(String, Point)| name.clone().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.k_good),
            |(_, p): &(String, Point)| p.figure.totals.good.into_any(),
        )
        .class(numeric),
        Column::new(
            move || td_string!(i18n.get_locale(), prod.rejects),
            |(_, p): &(String, Point)| (p.figure.totals.total - p.figure.totals.good).into_any(),
        )
        .class(numeric),
        Column::new("OEE", move |(_, p): &(String, Point)| {
            pct(i18n.get_locale_untracked(), p.figure.oee.oee, 1).into_any()
        })
        .class(numeric),
    ]
}
