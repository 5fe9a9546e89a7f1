//! `/production`: the dashboard of the person's role, its widgets where the plant's template puts them, filtered
//! by the filters the plant offers. The filters (and the figure drilled into) live in the URL, so a view is a link
//! and survives a reload; the figures refresh on their own within seconds of new units or stops (server-sent
//! events from `/api/v1/production/live`), without a reload and without losing the place.

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Color, ItemStyle, Label, LineStyle, Symbol, Tooltip, Trigger};
use charming::series::{Bar, Line, Pie};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::production::rules::dashboard::{
    Bucket, Figure, MinuteRow, ParetoBy, ParetoRow, Query, Range, Setup, View, Widget,
};
use nexus::production::rules::kinds::{FilterKey, Template, WidgetKind};

use super::charts::ChartBox;
use super::{ClassifyStop, production_minutes, production_setup, production_view};
use crate::catalog::search::enc;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader,
};
use crate::ui::number::count;
use crate::ui::session::Protected;

const LABEL: &str = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";
const H2: &str = "mb-3 text-base font-semibold";
const MUTED: &str = "text-sm text-slate-600 dark:text-slate-300";

/// The filters as the URL says them (`?range=&from=&to=&line=&product=&shift=&bucket=&drill=`); anything unknown
/// reads as not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    range: Option<Range>,
    from: String,
    to: String,
    line: Option<i32>,
    product: Option<i32>,
    shift: Option<i32>,
    bucket: Option<Bucket>,
    drill: Option<String>,
}

impl Filters {
    fn from_url(q: &leptos_router::params::ParamsMap) -> Self {
        let id = |k: &str| q.get(k).and_then(|v| v.parse::<i32>().ok());
        Filters {
            range: q.get("range").and_then(|r| Range::parse(&r)),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            line: id("line"),
            product: id("product"),
            shift: id("shift"),
            bucket: q.get("bucket").and_then(|b| Bucket::parse(&b)),
            drill: q.get("drill").filter(|d| !d.is_empty()),
        }
    }

    /// The query, with the plant's defaults for what the URL leaves out.
    fn query(&self, setup: &Setup) -> Query {
        let default_of = |key: FilterKey| setup.filters.iter().find(|f| f.key == key).map(|f| &f.default_value);
        let range =
            self.range.unwrap_or_else(|| default_of(FilterKey::DateRange).map(Range::from_default).unwrap_or_default());
        // A required filter always has a value: the first choice when neither the URL nor a default gives one.
        let required = |key: FilterKey| setup.filters.iter().any(|f| f.key == key && f.required);
        // A filter's default names a line (`{"code": "L1"}`); an operator's dashboard opens on their own line.
        let line = self.line.or_else(|| {
            default_of(FilterKey::Line)
                .and_then(|d| d.get("code").and_then(|c| c.as_str()))
                .and_then(|code| setup.lines.iter().find(|l| l.code == code).map(|l| l.id))
                .or_else(|| {
                    (setup.template == Template::Operator).then(|| setup.classify_lines.first().copied()).flatten()
                })
                .or_else(|| required(FilterKey::Line).then(|| setup.lines.first().map(|l| l.id)).flatten())
        });
        let product = self
            .product
            .or_else(|| required(FilterKey::Product).then(|| setup.products.first().map(|p| p.id)).flatten());
        let shift =
            self.shift.or_else(|| required(FilterKey::Shift).then(|| setup.shifts.first().map(|s| s.id)).flatten());
        let tz = setup.time_zone;
        let (from, to) = if range == Range::Custom {
            (parse_local(&self.from, tz), parse_local(&self.to, tz))
        } else {
            (None, None)
        };
        // The series' bucket: the URL's, else the template's production-over-time widget's.
        let bucket = self.bucket.or_else(|| {
            setup
                .widgets
                .iter()
                .find(|w| w.kind == WidgetKind::ProductionOverTime)
                .and_then(|w| w.params.get("bucket").and_then(|b| b.as_str()).and_then(Bucket::parse))
        });
        Query { range, from, to, line, product, shift, bucket }
    }

    /// The link to this view with `drill` open (or closed).
    fn href(&self, drill: Option<&str>) -> String {
        let mut s = String::from("/production?");
        let mut add = |k: &str, v: String| {
            if !v.is_empty() {
                s.push_str(k);
                s.push('=');
                s.push_str(&enc(&v));
                s.push('&');
            }
        };
        add("range", self.range.map(|r| r.as_str().to_owned()).unwrap_or_default());
        if self.range == Some(Range::Custom) {
            add("from", self.from.clone());
            add("to", self.to.clone());
        }
        add("line", self.line.map(|v| v.to_string()).unwrap_or_default());
        add("product", self.product.map(|v| v.to_string()).unwrap_or_default());
        add("shift", self.shift.map(|v| v.to_string()).unwrap_or_default());
        add("bucket", self.bucket.map(|b| b.as_str().to_owned()).unwrap_or_default());
        add("drill", drill.unwrap_or_default().to_owned());
        s.pop();
        s
    }
}

/// A `datetime-local` value (`2026-11-23T06:00`) in the plant's time zone, the clock its shifts run on.
fn parse_local(s: &str, tz: chrono_tz::Tz) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok()?;
    tz.from_local_datetime(&naive).earliest().map(|d| d.with_timezone(&chrono::Utc))
}

fn pct(locale: Locale, x: Option<f64>, decimals: usize) -> String {
    match x {
        None => "—".to_owned(),
        Some(x) => {
            let _ = locale;
            format!("{:.*} %", decimals, x * 100.0)
        }
    }
}

fn minutes_text(ms: i64) -> String {
    let m = ms / 60_000;
    if m >= 60 { format!("{} h {:02} min", m / 60, m % 60) } else { format!("{m} min") }
}

#[component]
pub fn ProductionPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(Filters::from_url));
    // Bumped by the live stream: the figures are fetched again.
    let tick = RwSignal::new(0u64);
    let setup = Resource::new(|| (), |_| production_setup());
    let view = Resource::new(
        move || (filters.get(), tick.get()),
        move |(f, _)| async move {
            let s = setup.await?;
            production_view(f.query(&s)).await
        },
    );
    // The drill-down's minutes, created here with the others (the server and the browser must create resources in the
    // same order); nothing is fetched while no figure is drilled into.
    let minutes = Resource::new(
        move || filters.get(),
        move |f| async move {
            if f.drill.is_none() {
                return Ok(Vec::new());
            }
            let s = setup.await?;
            production_minutes(f.query(&s)).await
        },
    );
    let classify = ServerAction::<ClassifyStop>::new();
    Effect::new(move |_| {
        if classify.version().get() > 0 && matches!(classify.value().get_untracked(), Some(Ok(()))) {
            tick.update(|t| *t += 1);
        }
    });
    view! {
        <Protected permission=Permission::ProductionRead>
            <Dashboard setup view minutes filters tick classify />
        </Protected>
    }
}

#[component]
fn Dashboard(
    setup: Resource<Result<Setup, AppError>>,
    view: Resource<Result<View, AppError>>,
    minutes: Resource<Result<Vec<MinuteRow>, AppError>>,
    filters: Memo<Filters>,
    tick: RwSignal<u64>,
    classify: ServerAction<ClassifyStop>,
) -> impl IntoView {
    let i18n = use_i18n();
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    live_updates(tick, live);
    #[cfg(not(feature = "hydrate"))]
    let _ = tick;
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
                        <section class=format!("{CARD} text-center") data-testid="prod-unconfigured">
                            <h2 class=H2>{t!(i18n, prod.unconfigured_title)}</h2>
                            <p class=MUTED>{t!(i18n, prod.unconfigured_body)}</p>
                        </section>
                    }.into_any(),
                    Ok(s) => view! { <Board setup=s view minutes filters classify /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn export_href(q: &Query) -> String {
    let mut s = format!("/api/v1/production/dashboard.csv?range={}", q.range.as_str());
    if let (Some(f), Some(t)) = (q.from, q.to) {
        s.push_str(&format!("&from={}&to={}", enc(&f.to_rfc3339()), enc(&t.to_rfc3339())));
    }
    for (k, v) in [("line", q.line), ("product", q.product), ("shift", q.shift)] {
        if let Some(v) = v {
            s.push_str(&format!("&{k}={v}"));
        }
    }
    if let Some(b) = q.bucket {
        s.push_str(&format!("&bucket={}", b.as_str()));
    }
    s
}

/// Listens to the plant's changes: each `changed` (and the `ready` on connecting) fetches the figures again. The
/// browser reconnects by itself after a network loss.
#[cfg(feature = "hydrate")]
fn live_updates(tick: RwSignal<u64>, live: RwSignal<bool>) {
    use wasm_bindgen::prelude::*;
    let Ok(source) = web_sys::EventSource::new("/api/v1/production/live") else { return };
    let refresh = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        live.set(true);
        tick.update(|t| *t += 1);
    });
    let lost = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| live.set(false));
    let _ = source.add_event_listener_with_callback("changed", refresh.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("ready", refresh.as_ref().unchecked_ref());
    source.set_onerror(Some(lost.as_ref().unchecked_ref()));
    let kept = StoredValue::new_local(Some((source, refresh, lost)));
    on_cleanup(move || {
        kept.update_value(|k| {
            if let Some((source, _, _)) = k.take() {
                source.close();
            }
        });
    });
}

#[component]
fn Board(
    setup: Setup,
    view: Resource<Result<View, AppError>>,
    minutes: Resource<Result<Vec<MinuteRow>, AppError>>,
    filters: Memo<Filters>,
    classify: ServerAction<ClassifyStop>,
) -> impl IntoView {
    let i18n = use_i18n();
    let setup = StoredValue::new(setup);
    // The figures are drawn once the page runs in the browser: the server's render and the browser's hydration
    // then agree whether or not the figures had arrived when the server rendered (they come with the page either
    // way, so they show at once), and each refresh later updates them in place.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let current = Signal::derive(move || if mounted.get() { view.get().and_then(Result::ok) } else { None });
    let error = Signal::derive(move || if mounted.get() { view.get().and_then(Result::err) } else { None });
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
            {queries.then(|| view! {
                <a href="/production/queries" class=BUTTON_SECONDARY data-testid="prod-queries">{t!(i18n, prodset.queries)}</a>
            })}
        </div>
        <FilterBar setup filters />
        <ErrorBanner error />
        {move || current.get().map(|v| view! {
            <p class=format!("{MUTED} mb-4") data-testid="prod-span">
                <LocalTime at=v.from /> " – " <LocalTime at=v.to />
                {move || (v.total.totals.total == 0).then(|| view! { <span class="ml-2">{t!(i18n, prod.no_units)}</span> })}
            </p>
        })}
        {move || filters.get().drill.map(|d| view! { <Drill figure=d minutes filters current /> })}
        <div class="grid grid-cols-1 gap-4 lg:grid-cols-12">
            {widgets.into_iter().map(|w| {
                let span = match w.w { 0..=4 => "lg:col-span-4", 5..=6 => "lg:col-span-6", 7..=8 => "lg:col-span-8", _ => "lg:col-span-12" };
                view! { <div class=span>{widget(w, setup, current, filters, classify)}</div> }
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

#[component]
fn FilterBar(setup: StoredValue<Setup>, filters: Memo<Filters>) -> impl IntoView {
    let i18n = use_i18n();
    let s = setup.get_value();
    let effective = move || filters.with(|f| setup.with_value(|s| f.query(s)));
    let range_label = move |r: Range| match r {
        Range::Today => td_string!(i18n.get_locale(), prod.range_today),
        Range::Shift => td_string!(i18n.get_locale(), prod.range_shift),
        Range::Hours24 => td_string!(i18n.get_locale(), prod.range_24h),
        Range::Days7 => td_string!(i18n.get_locale(), prod.range_7d),
        Range::Days30 => td_string!(i18n.get_locale(), prod.range_30d),
        Range::Custom => td_string!(i18n.get_locale(), prod.range_custom),
    };
    let fields = s.filters.iter().map(|f| {
        match f.key {
            FilterKey::DateRange => view! {
                <div>
                    <label for="f-range" class=LABEL>{t!(i18n, prod.f_range)}</label>
                    <select id="f-range" name="range" class=INPUT data-testid="f-range">
                        {Range::ALL.iter().copied().map(|r| view! {
                            <option value=r.as_str() selected=move || effective().range == r>{move || range_label(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class=move || if effective().range == Range::Custom { "" } else { "hidden" }>
                    <label for="f-from" class=LABEL>{t!(i18n, prod.f_from)}</label>
                    <input id="f-from" name="from" type="datetime-local" class=INPUT value=move || filters.get().from />
                </div>
                <div class=move || if effective().range == Range::Custom { "" } else { "hidden" }>
                    <label for="f-to" class=LABEL>{t!(i18n, prod.f_to)}</label>
                    <input id="f-to" name="to" type="datetime-local" class=INPUT value=move || filters.get().to />
                </div>
            }.into_any(),
            FilterKey::Line => {
                let lines = s.lines.clone();
                view! {
                    <div>
                        <label for="f-line" class=LABEL>{t!(i18n, prod.f_line)}</label>
                        <select id="f-line" name="line" class=INPUT data-testid="f-line">
                            {(!f.required).then(|| view! { <option value="" selected=move || effective().line.is_none()>{t!(i18n, prod.all_lines)}</option> })}
                            {lines.into_iter().map(|l| view! {
                                <option value=l.id.to_string() selected=move || effective().line == Some(l.id)>{format!("{} · {}", l.code, l.name)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            }
            FilterKey::Product => {
                let products = s.products.clone();
                view! {
                    <div>
                        <label for="f-product" class=LABEL>{t!(i18n, prod.f_product)}</label>
                        <select id="f-product" name="product" class=INPUT data-testid="f-product">
                            {(!f.required).then(|| view! { <option value="" selected=move || effective().product.is_none()>{t!(i18n, prod.all_products)}</option> })}
                            {products.into_iter().map(|p| view! {
                                <option value=p.id.to_string() selected=move || effective().product == Some(p.id)>{format!("{} · {}", p.code, p.name)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            }
            FilterKey::Shift => {
                let shifts = s.shifts.clone();
                view! {
                    <div>
                        <label for="f-shift" class=LABEL>{t!(i18n, prod.f_shift)}</label>
                        <select id="f-shift" name="shift" class=INPUT data-testid="f-shift">
                            {(!f.required).then(|| view! { <option value="" selected=move || effective().shift.is_none()>{t!(i18n, prod.all_shifts)}</option> })}
                            {shifts.into_iter().map(|sh| view! {
                                <option value=sh.id.to_string() selected=move || effective().shift == Some(sh.id)>{format!("{} ({})", sh.name, sh.hours)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            }
        }
    }).collect_view();
    view! {
        <leptos_router::components::Form method="GET" action="/production" attr:class="mb-4 grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(auto-fit,minmax(11rem,1fr))]"
            attr:data-testid="prod-filters" attr:aria-label=move || td_string!(i18n.get_locale(), prod.filters)>
            {fields}
            <button type="submit" class=format!("{BUTTON} min-h-11") data-testid="prod-apply">{t!(i18n, prod.apply)}</button>
        </leptos_router::components::Form>
    }
}

#[component]
fn KpiCards(
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
        </section>
    }
}

fn kpi_label(locale: Locale, key: &str) -> &'static str {
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
fn Drill(
    figure: String,
    minutes: Resource<Result<Vec<MinuteRow>, AppError>>,
    filters: Memo<Filters>,
    current: Signal<Option<View>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = figure.clone();
    let formula = move || {
        let v = current.get()?;
        let t = v.total.totals;
        let o = v.total.oee;
        let l = i18n.get_locale();
        let run = t.run_ms();
        Some(match key.as_str() {
            "availability" => format!(
                "{} = {} / {} = {} / {} = {}",
                td_string!(l, prod.k_availability),
                td_string!(l, prod.run_time),
                td_string!(l, prod.planned_time),
                minutes_text(run),
                minutes_text(t.planned_ms),
                pct(l, o.availability, 2)
            ),
            "performance" => format!(
                "{} = {} / {} = {} / {} = {}",
                td_string!(l, prod.k_performance),
                td_string!(l, prod.ideal_time),
                td_string!(l, prod.run_time),
                minutes_text(t.ideal_ms),
                minutes_text(run),
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
                minutes_text(run)
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
            <p class=format!("{MUTED} mb-3")>{t!(i18n, prod.drill_note)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match minutes.await {
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class=MUTED>{t!(i18n, prod.no_units)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="max-h-96 overflow-y-auto" tabindex="0" aria-label=move || td_string!(i18n.get_locale(), prod.minutes)>
                                <table class="w-full text-left text-sm" data-testid="drill-minutes">
                                    <thead class="sticky top-0 bg-white text-xs uppercase text-slate-600 dark:bg-[#1e293b] dark:text-slate-300">
                                        <tr>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, prod.col_minute)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, prod.col_line)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, prod.col_product)}</th>
                                            <th scope="col" class="px-3 py-2 text-right">{t!(i18n, prod.k_total)}</th>
                                            <th scope="col" class="px-3 py-2 text-right">{t!(i18n, prod.k_good)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {rows.into_iter().map(|m| view! {
                                            <tr>
                                                <td class="whitespace-nowrap px-3 py-1.5"><LocalTime at=m.minute /></td>
                                                <td class="px-3 py-1.5">{m.line}</td>
                                                <td class="px-3 py-1.5">{m.product}</td>
                                                <td class="px-3 py-1.5 text-right tabular-nums">{m.total}</td>
                                                <td class="px-3 py-1.5 text-right tabular-nums">{m.good}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

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
fn OverTime(setup: StoredValue<Setup>, current: Signal<Option<View>>) -> impl IntoView {
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
            let oee: Vec<f64> =
                v.series.iter().map(|p| p.figure.oee.oee.map(|o| (o * 1000.0).round() / 10.0).unwrap_or(0.0)).collect();
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
                    <table class="w-full text-left text-sm">
                        <thead><tr>
                            <th scope="col" class="px-2 py-1">{t!(i18n, prod.col_when)}</th>
                            <th scope="col" class="px-2 py-1 text-right">{t!(i18n, prod.k_good)}</th>
                            <th scope="col" class="px-2 py-1 text-right">{t!(i18n, prod.rejects)}</th>
                            <th scope="col" class="px-2 py-1 text-right">"OEE"</th>
                        </tr></thead>
                        <tbody>
                            {move || current.get().map(|v| {
                                let names = labels(&v);
                                v.series.iter().zip(names).map(|(p, name)| {
                                    let t = p.figure.totals;
                                    view! { <tr>
                                        <td class="px-2 py-1">{name}</td>
                                        <td class="px-2 py-1 text-right tabular-nums">{t.good}</td>
                                        <td class="px-2 py-1 text-right tabular-nums">{t.total - t.good}</td>
                                        <td class="px-2 py-1 text-right tabular-nums">{pct(i18n.get_locale_untracked(), p.figure.oee.oee, 1)}</td>
                                    </tr> }
                                }).collect_view()
                            })}
                        </tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

#[component]
fn Products(current: Signal<Option<View>>) -> impl IntoView {
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
fn Lines(figure: String, current: Signal<Option<View>>) -> impl IntoView {
    let i18n = use_i18n();
    let key = figure.clone();
    let value = move |f: &Figure| -> f64 {
        match key.as_str() {
            "total" => f.totals.total as f64,
            "availability" => f.oee.availability.unwrap_or(0.0) * 100.0,
            "performance" => f.oee.performance.unwrap_or(0.0) * 100.0,
            "quality" => f.oee.quality.unwrap_or(0.0) * 100.0,
            _ => f.oee.oee.unwrap_or(0.0) * 100.0,
        }
    };
    let option = {
        let figure = figure.clone();
        Signal::derive(move || {
            let v = current.get()?;
            let names: Vec<String> = v.lines.iter().map(|l| l.code.clone()).collect();
            let data: Vec<f64> = v.lines.iter().map(|l| (value(&l.figure) * 10.0).round() / 10.0).collect();
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
            <table class="mt-2 w-full text-left text-sm" data-testid="lines-table">
                <thead class="text-xs uppercase text-slate-600 dark:text-slate-300"><tr>
                    <th scope="col" class="px-2 py-1">{t!(i18n, prod.col_line)}</th>
                    <th scope="col" class="px-2 py-1 text-right">"OEE"</th>
                    <th scope="col" class="px-2 py-1 text-right">{t!(i18n, prod.k_total)}</th>
                    <th scope="col" class="px-2 py-1 text-right">{t!(i18n, prod.k_downtime)}</th>
                </tr></thead>
                <tbody>
                    {move || current.get().map(|v| v.lines.into_iter().map(|l| view! {
                        <tr data-testid="line-row">
                            <td class="px-2 py-1">{format!("{} · {}", l.code, l.name)}</td>
                            <td class="px-2 py-1 text-right tabular-nums">{pct(i18n.get_locale_untracked(), l.figure.oee.oee, 1)}</td>
                            <td class="px-2 py-1 text-right tabular-nums">{count(i18n.get_locale_untracked(), l.figure.totals.total)}</td>
                            <td class="px-2 py-1 text-right tabular-nums">{minutes_text(l.figure.totals.downtime_ms)}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}

fn reason_name(setup: &Setup, reason: Option<i32>, locale: Locale) -> (String, String) {
    match reason.and_then(|r| setup.reasons.iter().find(|x| x.id == r)) {
        Some(r) => (r.name.clone(), r.colour.clone()),
        None => (td_string!(locale, prod.unclassified).to_owned(), "#94a3b8".to_owned()),
    }
}

/// A Pareto row's name and colour: its reason's (by reason) or its line's code (by line), tagged when its stops had a
/// planned reason.
fn pareto_name(setup: &Setup, row: &ParetoRow, locale: Locale) -> (String, String) {
    let (name, colour) = match row.line {
        Some(id) => (
            setup.lines.iter().find(|l| l.id == id).map(|l| l.code.clone()).unwrap_or_else(|| id.to_string()),
            "#2b7cee".to_owned(),
        ),
        None => reason_name(setup, row.reason, locale),
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
fn Pareto(by: ParetoBy, setup: StoredValue<Setup>, current: Signal<Option<View>>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move |v: View| if by == ParetoBy::Line { v.pareto_lines } else { v.pareto };
    let title = move || match by {
        ParetoBy::Reason => td_string!(i18n.get_locale(), prod.w_pareto),
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
        <section class=CARD aria-labelledby="w-pareto-h" data-testid="w-pareto" data-by=if by == ParetoBy::Line { "line" } else { "reason" }>
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
fn Stops(
    limit: usize,
    setup: StoredValue<Setup>,
    current: Signal<Option<View>>,
    classify: ServerAction<ClassifyStop>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || classify.value().get().and_then(Result::err));
    view! {
        <section class=CARD_FLUSH aria-labelledby="w-stops-h" data-testid="w-stops" tabindex="0">
            <div class="flex flex-wrap items-baseline justify-between gap-2 px-4 pt-4">
                <h2 id="w-stops-h" class=H2>{t!(i18n, prod.w_stops)}</h2>
                <p class=MUTED data-testid="stops-count">{move || current.get().map(|v| {
                    let shown = v.stops.len().min(limit);
                    td_string!(i18n.get_locale(), prod.stops_shown, shown = shown, total = v.stop_count).to_string()
                })}</p>
            </div>
            <div class="px-4"><ErrorBanner error /></div>
            {move || current.get().map(|v| if v.stops.is_empty() {
                view! { <p class=format!("{MUTED} px-4 pb-4") data-testid="stops-none">{t!(i18n, prod.stops_none)}</p> }.into_any()
            } else {
                view! {
                    <table class="w-full min-w-[720px] text-left text-sm" data-testid="stops-table">
                        <thead class="border-b border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                            <tr>
                                <th scope="col" class="px-4 py-2">{t!(i18n, prod.col_line)}</th>
                                <th scope="col" class="px-4 py-2">{t!(i18n, prod.col_start)}</th>
                                <th scope="col" class="px-4 py-2 text-right">{t!(i18n, prod.col_duration)}</th>
                                <th scope="col" class="px-4 py-2">{t!(i18n, prod.col_reason)}</th>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                            {v.stops.into_iter().take(limit).map(|s| view! { <StopRowView s setup classify /> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn StopRowView(
    s: nexus::production::rules::dashboard::StopRow,
    setup: StoredValue<Setup>,
    classify: ServerAction<ClassifyStop>,
) -> impl IntoView {
    let i18n = use_i18n();
    let can = setup.with_value(|st| st.classify_lines.contains(&s.line_id));
    let (name, colour) = setup.with_value(|st| reason_name(st, s.reason, i18n.get_locale_untracked()));
    let reasons: Vec<_> =
        setup.with_value(|st| st.reasons.iter().filter(|r| r.active || Some(r.id) == s.reason).cloned().collect());
    let select_id = format!("reason-{}", s.id);
    let note_id = format!("note-{}", s.id);
    let ongoing = s.end.is_none();
    view! {
        <tr data-testid="stop-row">
            <td class="px-4 py-2 font-medium">{s.line.clone()}</td>
            <td class="whitespace-nowrap px-4 py-2"><LocalTime at=s.start />
                {ongoing.then(|| view! { <span class="ml-2 rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900 dark:bg-red-900/50 dark:text-red-100">{t!(i18n, prod.ongoing)}</span> })}
            </td>
            <td class="px-4 py-2 text-right tabular-nums">{minutes_text(s.ms)}
                // Time outside planned time (a break, between shifts) is no downtime: what counts is said beside it.
                {(s.planned_ms != s.ms).then(|| view! {
                    <span class=format!("{MUTED} block text-xs") data-testid="stop-planned">{minutes_text(s.planned_ms)} " " {t!(i18n, prod.in_planned)}</span>
                })}
            </td>
            <td class="px-4 py-2">
                {if can {
                    view! {
                        <ActionForm action=classify attr:class="flex flex-wrap items-center gap-2" attr:data-testid="classify-form">
                            <input type="hidden" name="id" value=s.id.to_string() />
                            <label for=select_id.clone() class="sr-only">{t!(i18n, prod.col_reason)}</label>
                            <select id=select_id name="reason" class="min-h-11 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900" data-testid="classify-reason">
                                <option value="" selected=s.reason.is_none()>{t!(i18n, prod.unclassified)}</option>
                                {reasons.into_iter().map(|r| {
                                    let planned = if r.planned { td_string!(i18n.get_locale_untracked(), prod.planned_tag) } else { "" };
                                    view! { <option value=r.id.to_string() selected=Some(r.id) == s.reason>{format!("{}{}", r.name, planned)}</option> }
                                }).collect_view()}
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
                }}
            </td>
        </tr>
    }
}
