//! `/fabrication/stats`: the shop's figures: parts in each state and by subsystem now (the counts the board's columns
//! show), and over the last weeks (`?weeks=`, 12 by default): parts completed each week, the median time parts spent
//! in each state, the claims whose lease ran out. Each chart has its figures beside it as text (screen readers, no
//! JavaScript, the exact numbers). Follows the live channel.

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Bar;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::fabrication::rules::parts::PartState;
use nexus::fabrication::rules::views::Stats;
use nexus::identity::rules::auth::Permission;

use super::parts::Tabs;
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::production::charts::ChartBox;
use crate::ui::components::{BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, LABEL, Loading, PageHeader};
use crate::ui::number::count;
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/fabrication/stats")]
pub async fn fab_stats(weeks: Option<i32>) -> Result<Stats, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::fabrication::service::stats::stats(&st.pool, &caller, weeks).await?)
}

#[component]
pub fn StatsPage() -> impl IntoView {
    let query = use_query_map();
    let weeks = move || query.with(|q| q.get("weeks").and_then(|w| w.parse::<i32>().ok()));
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.fabrication.get()));
    let stats = Resource::new(move || (weeks(), heard.get()), |(w, _)| fab_stats(w));
    view! {
        <Protected permission=Permission::FabRead>
            <Body stats />
        </Protected>
    }
}

const H2: &str = "mb-2 text-base font-semibold";

/// A bar chart of `values` by `names` (the y axis named `unit`, if any).
fn bars(names: Vec<String>, values: Vec<f64>, unit: Option<&str>) -> Chart {
    let mut y = Axis::new().type_(AxisType::Value);
    if let Some(u) = unit {
        y = y.name(u);
    }
    Chart::new()
        .background_color("transparent")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left("3%").right("3%").contain_label(true))
        .x_axis(Axis::new().type_(AxisType::Category).data(names))
        .y_axis(y)
        .series(Bar::new().data(values))
}

/// Hours, one decimal (a median stay).
fn hours(seconds: f64) -> String {
    format!("{:.1} h", seconds / 3600.0)
}

#[component]
fn Body(stats: Resource<Result<Stats, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let weeks = move || query.with(|q| q.get("weeks").unwrap_or_else(|| "12".into()));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), fab.stats_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, fab.stats_title)) />
        <Tabs current="stats" />
        <form method="get" action="/fabrication/stats" class="mb-4 flex flex-wrap items-end gap-3">
            <div>
                <label for="stats-weeks" class=LABEL>{t!(i18n, fab.weeks)}</label>
                <select id="stats-weeks" name="weeks" class=INPUT data-testid="stats-weeks">
                    {[4, 12, 26, 52, 104].into_iter().map(|w| view! {
                        <option value=w.to_string() selected=move || weeks() == w.to_string()>{w}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, fab.show)}</button>
        </form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(s) => view! { <Figures s /> }.into_any(),
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Figures(s: Stats) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let completed: i64 = s.completed_per_week.iter().map(|w| w.count).sum();
    let states: Vec<(String, i64)> =
        s.by_state.iter().map(|c| (texts::state(l, c.state).to_owned(), c.count)).collect();
    let by_state = {
        let states = states.clone();
        Signal::derive(move || {
            Some(bars(states.iter().map(|s| s.0.clone()).collect(), states.iter().map(|s| s.1 as f64).collect(), None))
        })
    };
    // Subsystems × states, stacked: a bar per subsystem, a colour per state.
    let mut subsystems: Vec<String> = Vec::new();
    for c in &s.by_subsystem {
        let name = c.subsystem.as_ref().map_or_else(|| td_string!(l, fab.no_subsystem).to_owned(), |x| x.name.clone());
        if !subsystems.contains(&name) {
            subsystems.push(name);
        }
    }
    let stacked: Vec<(String, Vec<i64>)> = PartState::SHOWN
        .iter()
        .map(|st| {
            let values = subsystems
                .iter()
                .map(|name| {
                    s.by_subsystem
                        .iter()
                        .filter(|c| c.state == *st)
                        .filter(|c| {
                            c.subsystem
                                .as_ref()
                                .map_or_else(|| td_string!(l, fab.no_subsystem).to_owned(), |x| x.name.clone())
                                == *name
                        })
                        .map(|c| c.count)
                        .sum()
                })
                .collect();
            (texts::state(l, *st).to_owned(), values)
        })
        .collect();
    let by_subsystem = {
        let (subsystems, stacked) = (subsystems.clone(), stacked.clone());
        Signal::derive(move || {
            let mut chart = Chart::new()
                .background_color("transparent")
                .tooltip(Tooltip::new().trigger(Trigger::Axis))
                .legend(Legend::new().bottom(0))
                .grid(Grid::new().left("3%").right("3%").bottom("15%").contain_label(true))
                .x_axis(Axis::new().type_(AxisType::Category).data(subsystems.clone()))
                .y_axis(Axis::new().type_(AxisType::Value));
            for (state, values) in &stacked {
                chart = chart.series(Bar::new().name(state.clone()).stack("parts").data(values.clone()));
            }
            Some(chart)
        })
    };
    let weeks: Vec<(String, i64)> =
        s.completed_per_week.iter().map(|w| (w.week.format("%d/%m").to_string(), w.count)).collect();
    let per_week = {
        let weeks = weeks.clone();
        Signal::derive(move || {
            Some(bars(weeks.iter().map(|w| w.0.clone()).collect(), weeks.iter().map(|w| w.1 as f64).collect(), None))
        })
    };
    let times: Vec<(String, f64, i64)> =
        s.time_in_state.iter().map(|t| (texts::state(l, t.state).to_owned(), t.median_seconds, t.stays)).collect();
    let in_state = {
        let times = times.clone();
        Signal::derive(move || {
            let values = times.iter().map(|t| (t.1 / 360.0).round() / 10.0).collect();
            Some(bars(times.iter().map(|t| t.0.clone()).collect(), values, Some("h")))
        })
    };
    view! {
        <div class="mb-4 grid gap-4 sm:grid-cols-3" data-testid="stats-kpis">
            <section class=CARD><p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.total_parts)}</p>
                <p class="text-3xl font-bold tabular-nums" data-testid="stats-total">{count(l, s.total)}</p></section>
            <section class=CARD><p class="text-sm text-slate-600 dark:text-slate-300">{move || td_string!(i18n.get_locale(), fab.completed_in, weeks = s.weeks).to_string()}</p>
                <p class="text-3xl font-bold tabular-nums" data-testid="stats-completed">{count(l, completed)}</p></section>
            <section class=CARD><p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.claims_expired)}</p>
                <p class="text-3xl font-bold tabular-nums" data-testid="stats-expired">{count(l, s.claims_expired)}</p></section>
        </div>
        <div class="grid gap-4 lg:grid-cols-2">
            <section class=CARD aria-labelledby="stats-state-h" data-testid="stats-by-state">
                <h2 id="stats-state-h" class=H2>{t!(i18n, fab.by_state)}</h2>
                <ChartBox id="chart-fab-states" label=Signal::derive(move || td_string!(i18n.get_locale(), fab.by_state).to_owned()) option=by_state />
                <ul class="mt-2 grid grid-cols-2 gap-1 text-sm sm:grid-cols-3">
                    {states.into_iter().map(|(name, n)| view! { <li class="flex justify-between gap-2"><span>{name}</span><span class="tabular-nums">{count(l, n)}</span></li> }).collect_view()}
                </ul>
            </section>
            <section class=CARD aria-labelledby="stats-subsystem-h" data-testid="stats-by-subsystem">
                <h2 id="stats-subsystem-h" class=H2>{t!(i18n, fab.by_subsystem)}</h2>
                <ChartBox id="chart-fab-subsystems" label=Signal::derive(move || td_string!(i18n.get_locale(), fab.by_subsystem).to_owned()) option=by_subsystem />
                <ul class="mt-2 space-y-1 text-sm">
                    {subsystems.iter().enumerate().map(|(i, name)| {
                        let total: i64 = stacked.iter().map(|(_, v)| v[i]).sum();
                        view! { <li class="flex justify-between gap-2"><span>{name.clone()}</span><span class="tabular-nums">{count(l, total)}</span></li> }
                    }).collect_view()}
                </ul>
            </section>
            <section class=CARD aria-labelledby="stats-week-h" data-testid="stats-per-week">
                <h2 id="stats-week-h" class=H2>{t!(i18n, fab.completed_per_week)}</h2>
                <ChartBox id="chart-fab-weeks" label=Signal::derive(move || td_string!(i18n.get_locale(), fab.completed_per_week).to_owned()) option=per_week />
                <details class="mt-2 text-sm"><summary class="cursor-pointer">{t!(i18n, fab.figures)}</summary>
                    <ul class="mt-1 grid grid-cols-3 gap-1 sm:grid-cols-4">
                        {weeks.into_iter().map(|(w, n)| view! { <li class="flex justify-between gap-2"><span>{w}</span><span class="tabular-nums">{count(l, n)}</span></li> }).collect_view()}
                    </ul>
                </details>
            </section>
            <section class=CARD aria-labelledby="stats-time-h" data-testid="stats-time">
                <h2 id="stats-time-h" class=H2>{t!(i18n, fab.median_time)}</h2>
                <ChartBox id="chart-fab-times" label=Signal::derive(move || td_string!(i18n.get_locale(), fab.median_time).to_owned()) option=in_state />
                {if times.is_empty() {
                    view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.no_stays)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-2 space-y-1 text-sm">
                            {times.into_iter().map(|(name, secs, stays)| view! {
                                <li class="flex justify-between gap-2"><span>{name}</span>
                                    <span class="tabular-nums">{hours(secs)}" · "{move || td_string!(i18n.get_locale(), fab.stays_of, count = stays).to_string()}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
