//! `/production`: the dashboard of the person's role, its widgets where the plant's template puts them, filtered
//! by the filters the plant offers. The filters (and the figure drilled into) live in the URL, so a view is a link
//! and survives a reload; the figures refresh on their own within seconds of new units or stops (server-sent
//! events: the `production` events of the page's live channel, `ui::live`), without a reload and without losing the place.
//!
//! Here the page, its resources and the board that lays the widgets out; beside it `filters.rs` (the URL's filters and
//! the filter bar), `kpis.rs` (the KPI cards and the drill-down behind a figure), `causes.rs` (what a drilled figure's loss is made of: timelines, stops, cycles, rejects), `output.rs` (production over time,
//! product distribution, line comparison) and `downtime.rs` (the Pareto and the stops table, where stops are
//! classified).

mod blockers;
mod causes;
mod downtime;
mod entry;
mod filters;
mod kpis;
mod output;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::production::rules::dashboard::{DrillData, ParetoBy, Query, Setup, View, Widget};
use nexus::production::rules::kinds::WidgetKind;

use self::blockers::{Blockers, production_blockers};
pub(crate) use self::causes::Rejects;
use self::downtime::{Pareto, Stops};
use self::filters::{FilterBar, Filters};
use self::kpis::{Drill, KpiCards};
pub(crate) use self::kpis::{Waterfall, kpi_label};
use self::output::{Lines, OverTime, Products};
use super::{ClassifyStop, production_drill, production_setup, production_view};
use crate::catalog::search::enc;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, ErrorBanner, Loading, PageHeader};
use crate::ui::hydration::later;
use crate::ui::session::Protected;

// What the widgets share: heading and muted text styles, percentages and durations as shown.
const H2: &str = "mb-3 text-base font-semibold";
const MUTED: &str = "text-sm text-slate-600 dark:text-slate-300";

pub(crate) fn pct(locale: Locale, x: Option<f64>, decimals: usize) -> String {
    match x {
        None => "—".to_owned(),
        Some(x) => format!("{} %", crate::ui::number::decimal(locale, x * 100.0, decimals)),
    }
}

/// Milliseconds as whole minutes, to the nearest (half a minute up).
fn whole_minutes(ms: i64) -> i64 {
    (ms + 30_000).div_euclid(60_000)
}

/// A duration to the nearest minute: `4 h 44 min`, `12 min`.
pub(crate) fn minutes_text(ms: i64) -> String {
    minutes_shown(whole_minutes(ms))
}

fn minutes_shown(m: i64) -> String {
    if m >= 60 { format!("{} h {:02} min", m / 60, m % 60) } else { format!("{m} min") }
}

/// Run time as a formula shows it: planned time less downtime, each as shown, so that what the formula shows adds up
/// (`6 h 30 min − 1 h 46 min = 4 h 44 min`, never a minute off from rounding each on its own).
fn run_text(t: &nexus::production::rules::oee::Totals) -> String {
    minutes_shown((whole_minutes(t.planned_ms) - whole_minutes(t.downtime_ms.max(0))).max(0))
}

/// A moment in the plant's zone (the one its shifts and days are in), whatever the browser's: `2026-11-23 14:05`,
/// the zone in its title and the exact instant in `datetime`.
#[component]
pub(crate) fn PlantTime(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> impl IntoView {
    use chrono::Offset;
    let local = at.with_timezone(&tz);
    let text = format!(
        "{} ({})",
        local.format("%Y-%m-%d %H:%M"),
        crate::ui::time::offset_label(local.offset().fix().local_minus_utc())
    );
    view! { <time datetime=at.to_rfc3339() title=tz.name()>{text}</time> }
}

#[component]
pub fn ProductionPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(Filters::from_url));
    // Bumped by the live stream: the figures are fetched again.
    let tick = RwSignal::new(0u64);
    // Bumped when a stop is classified, added or split here.
    let edits = RwSignal::new(0u64);
    provide_context(entry::StopEdits(edits));
    let setup = Resource::new(|| (), |_| production_setup());
    // Filters the server refused (a custom range that ends before it starts): asked once, not again on every live
    // tick (outside testing counted 21 failed requests in 30 s) until they change.
    let refused = RwSignal::new(None::<Filters>);
    let view = Resource::new(
        move || {
            let f = filters.get();
            let live = if refused.with(|r| r.as_ref() == Some(&f)) { 0 } else { tick.get() };
            (f, live, edits.get())
        },
        move |(f, _, _)| async move {
            let s = setup.await?;
            let got = production_view(f.query(&s)).await;
            if matches!(got, Err(AppError::Validation { .. })) {
                refused.set(Some(f));
            }
            got
        },
    );
    let classify = ServerAction::<ClassifyStop>::new();
    // The lines' open blockers, asked again with the figures.
    let blockers = Resource::new(move || (filters.with(|f| f.line), tick.get()), |(line, _)| production_blockers(line));
    // The drill-down's minutes and causes, created here with the others (the server and the browser must create
    // resources in the same order); nothing is fetched while no figure is drilled into. Fetched again when the filters
    // change or a stop is classified, added or split (the timeline shows them), not on every live refresh.
    let drill = Resource::new(
        move || (filters.get(), edits.get()),
        move |(f, _)| async move {
            let Some(figure) = f.drill.clone() else { return Ok(DrillData::default()) };
            let s = setup.await?;
            production_drill(f.query(&s), figure).await
        },
    );
    Effect::new(move |_| {
        if classify.version().get() > 0 && matches!(classify.value().get_untracked(), Some(Ok(()))) {
            edits.update(|t| *t += 1);
        }
    });
    view! {
        <Protected permission=Permission::ProductionRead>
            <Dashboard setup view drill filters tick classify blockers />
        </Protected>
    }
}

#[component]
fn Dashboard(
    setup: Resource<Result<Setup, AppError>>,
    view: Resource<Result<View, AppError>>,
    drill: Resource<Result<DrillData, AppError>>,
    filters: Memo<Filters>,
    tick: RwSignal<u64>,
    classify: ServerAction<ClassifyStop>,
    blockers: Resource<Result<Vec<nexus::mes::rules::views::Blocker>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The page's live channel (`ui::live`): each production change, and each (re)connection, fetches the figures
    // again; the first value is what the page loaded with.
    let channel = crate::ui::live::use_live();
    // Copied in an effect (after hydration): the channel may be open before this chunk hydrates, and the server
    // rendered "not live".
    let live = RwSignal::new(false);
    let connected = channel.as_ref().map(|c| c.connected.clone());
    Effect::new(move |_| live.set(connected.as_ref().is_some_and(|c| c.get())));
    let changes = channel.map(|c| c.production);
    Effect::new(move |seen: Option<u64>| {
        let now = changes.as_ref().map_or(0, |c| c.get());
        if seen.is_some_and(|s| s != now) {
            tick.update(|t| *t += 1);
        }
        now
    });
    view! {
        <Title text=move || td_string!(i18n.get_locale(), prod.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, prod.title))>
            <div class="flex flex-wrap items-center gap-3">
                <span class=MUTED data-testid="prod-live" aria-live="polite">
                    {move || if live.get() {
                        view! { <span class="mr-1 inline-block h-2 w-2 rounded-full bg-emerald-500" aria-hidden="true"></span> {t!(i18n, prod.live)} }.into_any()
                    } else {
                        view! { <span>{t!(i18n, prod.not_live)}</span> }.into_any()
                    }}
                </span>

            </div>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(s) if s.lines.is_empty() => view! {
                        {s.first_steps.map(|steps| view! { <FirstStepsCard steps /> })}
                        <section class=format!("{CARD} text-center") data-testid="prod-unconfigured">
                            <h2 class=H2>{t!(i18n, prod.unconfigured_title)}</h2>
                            <p class=MUTED>{t!(i18n, prod.unconfigured_body)}</p>
                        </section>
                    }.into_any(),
                    Ok(s) => {
                        first_load(view).await;
                        let steps = s.first_steps.filter(|f| !f.done());
                        let lines = s.lines.iter().map(|l| (l.id, l.code.clone())).collect();
                        view! {
                            <Blockers blockers lines />
                            {steps.map(|steps| view! { <FirstStepsCard steps /> })}
                            <Board setup=s view drill filters classify />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A new plant's way to its first live figure: each step, done or with the link that does it.
#[component]
fn FirstStepsCard(steps: nexus::production::rules::dashboard::FirstSteps) -> impl IntoView {
    let i18n = use_i18n();
    type Label = fn(Locale) -> &'static str;
    let items: [(bool, Label, &'static str, &'static str); 6] = [
        (steps.lines, |l| td_string!(l, prod.step_lines), "/production/settings#set-lines-h", "step-lines"),
        (steps.products, |l| td_string!(l, prod.step_products), "/production/settings#set-products-h", "step-products"),
        (steps.shifts, |l| td_string!(l, prod.step_shifts), "/production/settings#set-shifts-h", "step-shifts"),
        (steps.reasons, |l| td_string!(l, prod.step_reasons), "/production/settings#set-reasons-h", "step-reasons"),
        (steps.units, |l| td_string!(l, prod.step_units), "/account/api-keys", "step-units"),
        (steps.people, |l| td_string!(l, prod.step_people), "/admin/users", "step-people"),
    ];
    let done = items.iter().filter(|i| i.0).count();
    view! {
        <section class=format!("{CARD} mb-4") aria-labelledby="first-steps-h" data-testid="first-steps">
            <h2 id="first-steps-h" class=H2>{move || td_string!(i18n.get_locale(), prod.steps_title, done = done, of = 6).to_string()}</h2>
            <ol class="space-y-2 text-sm">
                {items.into_iter().map(|(ok, label, href, id)| view! {
                    <li class="flex items-start gap-2" data-testid=id data-done=ok.to_string()>
                        <span aria-hidden="true" class=if ok { "text-emerald-600 dark:text-emerald-400" } else { "text-slate-400" }>{if ok { "✔" } else { "○" }}</span>
                        {if ok {
                            view! { <span><span class="sr-only">{move || td_string!(i18n.get_locale(), prod.step_done)}" "</span>{move || label(i18n.get_locale())}</span> }.into_any()
                        } else {
                            view! { <a href=href class="text-[#1a5bb5] underline dark:text-[#8fbfff]">{move || label(i18n.get_locale())}</a> }.into_any()
                        }}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Waits until `resource` has loaded, without subscribing to it: the caller renders once the first value is in, and
/// later loads (filters changed, the live stream's refreshes) update what reads it in place instead of rendering the
/// caller again.
async fn first_load<T: Clone + Send + Sync + 'static>(resource: Resource<T>) {
    let mut loading = Box::pin(resource.into_future());
    std::future::poll_fn(move |cx| untrack(|| loading.as_mut().poll(cx))).await;
}

fn export_href(q: &Query) -> String {
    let mut s = format!("/api/v1/production/dashboard.csv?range={}", q.range.as_str());
    if let (Some(f), Some(t)) = (q.from, q.to) {
        s.push_str(&format!("&from={}&to={}", enc(&f.to_rfc3339()), enc(&t.to_rfc3339())));
    }
    let ids = [("line", q.line.map(|l| l.0)), ("product", q.product.map(|p| p.0)), ("shift", q.shift.map(|s| s.0))];
    for (k, v) in ids {
        if let Some(v) = v {
            s.push_str(&format!("&{k}={v}"));
        }
    }
    if let Some(b) = q.bucket {
        s.push_str(&format!("&bucket={}", b.as_str()));
    }
    s
}

#[component]
fn Board(
    setup: Setup,
    view: Resource<Result<View, AppError>>,
    drill: Resource<Result<DrillData, AppError>>,
    filters: Memo<Filters>,
    classify: ServerAction<ClassifyStop>,
) -> impl IntoView {
    let i18n = use_i18n();
    let setup = StoredValue::new(setup);
    // The board is rendered once the first figures are in (`first_load`), on the server and in hydration alike: they
    // are in the page's HTML, its largest paint needs no WASM, and each refresh later updates them in place.
    let current = Signal::derive(move || view.get().and_then(Result::ok));
    let error = Signal::derive(move || view.get().and_then(Result::err));
    let mut widgets = setup.with_value(|s| s.widgets.clone());
    widgets.sort_by_key(|w| (w.y, w.x));
    // Rendered once the setup is known, on the server and in the browser alike (an attribute the server rendered
    // empty is not set again by hydration).
    let csv_href = move || filters.with(|f| setup.with_value(|s| export_href(&f.query(s))));
    let me = use_context::<crate::ui::session::Me>();
    let configure = me.as_ref().is_some_and(|me| me.can(Permission::PlantConfigure));
    let queries = me.is_some_and(|me| me.can(Permission::AuditRead));
    view! {
        <div class="mb-3 flex flex-wrap justify-end gap-2">
            <a href=csv_href class=BUTTON_SECONDARY data-testid="prod-export" download>{t!(i18n, prod.export)}</a>
            {configure.then(|| view! {
                <a href="/production/settings" class=BUTTON_SECONDARY data-testid="prod-settings">{t!(i18n, prodset.title)}</a>
            })}
            <a href="/production/report" class=BUTTON_SECONDARY data-testid="prod-report">{t!(i18n, report.title)}</a>
            {queries.then(|| view! {
                <a href="/production/queries" class=BUTTON_SECONDARY data-testid="prod-queries">{t!(i18n, prodset.queries)}</a>
            })}
        </div>
        {later(move || view! { <FilterBar setup filters /> })}
        <ErrorBanner error />
        {move || current.get().map(|v| view! {
            <p class=format!("{MUTED} mb-4") data-testid="prod-span">
                <PlantTime at=v.from tz=v.time_zone /> " – " <PlantTime at=v.to tz=v.time_zone />
                <span class="ml-1" data-testid="prod-zone">{move || td_string!(i18n.get_locale(), prod.zone_note, zone = v.time_zone.name()).to_string()}</span>
                {move || (v.total.totals.total == 0).then(|| view! { <span class="ml-2">{t!(i18n, prod.no_units)}</span> })}
                {move || (v.total.totals.no_data_ms > 0).then(|| {
                    let time = minutes_text(v.total.totals.no_data_ms);
                    view! { <span class="mt-1 block" data-testid="prod-no-data">{move || td_string!(i18n.get_locale(), prod.no_data_note, time = time.clone()).to_string()}</span> }
                })}
            </p>
        })}
        {move || filters.get().drill.map(|d| view! { <Drill figure=d drill filters current setup classify csv_href=Signal::derive(csv_href) /> })}
        <div class="grid grid-cols-1 gap-4 lg:grid-cols-12">
            {widgets.into_iter().map(|w| {
                let span = match w.w { 0..=4 => "lg:col-span-4", 5..=6 => "lg:col-span-6", 7..=8 => "lg:col-span-8", _ => "lg:col-span-12" };
                // Each widget hydrates in a task of its own (a first visit compiles the code of each).
                view! { <div class=span>{later(move || widget(w, setup, current, filters, classify))}</div> }
            }).collect_view()}
        </div>
    }
}

fn widget(
    w: Widget,
    setup: StoredValue<Setup>,
    current: Signal<Option<View>>,
    filters: Memo<Filters>,
    classify: ServerAction<ClassifyStop>,
) -> AnyView {
    let param = |k: &str| w.params.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let current = part_of(w.kind, current);
    match w.kind {
        WidgetKind::KpiCards => {
            let figures: Vec<String> = w
                .params
                .get("figures")
                .and_then(|f| f.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_else(|| ["oee", "availability", "performance", "quality"].map(str::to_owned).to_vec());
            view! { <KpiCards figures current filters setup /> }.into_any()
        }
        WidgetKind::ProductionOverTime => view! { <OverTime setup current /> }.into_any(),
        WidgetKind::ProductDistribution => view! { <Products current /> }.into_any(),
        WidgetKind::LineComparison => {
            let figure = param("figure").unwrap_or_else(|| "oee".to_owned());
            view! { <Lines figure current /> }.into_any()
        }
        WidgetKind::DowntimePareto => {
            let by = param("by").and_then(|b| ParetoBy::parse(&b)).unwrap_or_default();
            view! { <Pareto by setup current /> }.into_any()
        }
        WidgetKind::DowntimeTable => {
            let limit = w.params.get("limit").and_then(|v| v.as_u64()).unwrap_or(50) as usize;
            view! { <Stops limit setup current classify /> }.into_any()
        }
    }
}

/// What one widget shows of the figures: equal to the last one when the widget's own part of them is. A running plant
/// refreshes the figures about once a second (the live stream), mostly its totals and series: the Pareto and the stops
/// table (up to 200 rows) are not rendered again for those (measured on `/production` at 4× CPU slowdown: 230 ms of
/// main-thread work per refresh before, the stops table most of it).
#[derive(Clone)]
struct Part(WidgetKind, View);

impl PartialEq for Part {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.1, &other.1);
        self.0 == other.0
            && match self.0 {
                WidgetKind::KpiCards => a.total == b.total,
                WidgetKind::ProductionOverTime => {
                    (a.from, a.to, a.bucket, &a.series) == (b.from, b.to, b.bucket, &b.series)
                }
                WidgetKind::ProductDistribution => a.products == b.products,
                WidgetKind::LineComparison => a.lines == b.lines,
                WidgetKind::DowntimePareto => (&a.pareto, &a.pareto_lines) == (&b.pareto, &b.pareto_lines),
                WidgetKind::DowntimeTable => (&a.stops, a.stop_count) == (&b.stops, b.stop_count),
            }
    }
}

/// `current` as `kind`'s widget sees it: changed only when its part of the figures has ([`Part`]).
pub(super) fn part_of(kind: WidgetKind, current: Signal<Option<View>>) -> Signal<Option<View>> {
    let part = Memo::new(move |_| current.get().map(|v| Part(kind, v)));
    Signal::derive(move || part.get().map(|p| p.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use nexus::production::rules::dashboard::{Bucket, Figure};
    use nexus::production::rules::oee::Totals;

    fn view(total: i64, stops: usize) -> View {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
        View {
            from: at,
            to: at + chrono::Duration::hours(8),
            time_zone: chrono_tz::America::Mexico_City,
            at: at + chrono::Duration::seconds(total),
            bucket: Bucket::Hour,
            total: Figure::from(Totals { total, good: total, ..Totals::default() }),
            series: Vec::new(),
            lines: Vec::new(),
            products: Vec::new(),
            stops: Vec::new(),
            stop_count: stops,
            pareto: Vec::new(),
            pareto_lines: Vec::new(),
            losses: None,
        }
    }

    #[test]
    fn a_refresh_renders_again_only_the_widgets_whose_figures_changed() {
        // More units, the same stops: the KPI cards change, the stops table and the Pareto do not.
        let (before, after) = (view(10, 3), view(11, 3));
        let part = |k, v: &View| Part(k, v.clone());
        assert!(part(WidgetKind::KpiCards, &before) != part(WidgetKind::KpiCards, &after));
        assert!(part(WidgetKind::DowntimeTable, &before) == part(WidgetKind::DowntimeTable, &after));
        assert!(part(WidgetKind::DowntimePareto, &before) == part(WidgetKind::DowntimePareto, &after));
        // A new stop: the stops table changes.
        assert!(part(WidgetKind::DowntimeTable, &before) != part(WidgetKind::DowntimeTable, &view(10, 4)));
        // A widget's part never equals another widget's.
        assert!(part(WidgetKind::DowntimePareto, &before) != part(WidgetKind::DowntimeTable, &before));
    }
}
