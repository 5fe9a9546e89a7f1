//! The dashboard's filters: as the URL says them (so a view is a link), the query they make with the plant's defaults,
//! and the filter bar (a GET form to `/production`, working without JavaScript).

use leptos::prelude::*;
use nexus::ids::{LineId, ProductId, ShiftId};
use nexus::production::rules::dashboard::{Bucket, Query, Range, Setup};
use nexus::production::rules::kinds::{FilterKey, Template, WidgetKind};

use crate::catalog::search::enc;
use crate::i18n::*;
use crate::ui::components::{BUTTON, INPUT};

const LABEL: &str = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";

/// The filters as the URL says them (`?range=&from=&to=&line=&product=&shift=&bucket=&drill=`); anything unknown
/// reads as not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Filters {
    pub(super) range: Option<Range>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) line: Option<LineId>,
    pub(super) product: Option<ProductId>,
    pub(super) shift: Option<ShiftId>,
    pub(super) bucket: Option<Bucket>,
    pub(super) drill: Option<String>,
}

impl Filters {
    pub(super) fn from_url(q: &leptos_router::params::ParamsMap) -> Self {
        // A filter the address names wrongly (`line=x`) reads as not given: the dashboard shows every line.
        fn id<T: std::str::FromStr>(q: &leptos_router::params::ParamsMap, k: &str) -> Option<T> {
            q.get(k).and_then(|v| v.parse().ok())
        }
        Filters {
            range: q.get("range").and_then(|r| Range::parse(&r)),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            line: id(q, "line"),
            product: id(q, "product"),
            shift: id(q, "shift"),
            bucket: q.get("bucket").and_then(|b| Bucket::parse(&b)),
            drill: q.get("drill").filter(|d| !d.is_empty()),
        }
    }

    /// The query, with the plant's defaults for what the URL leaves out.
    pub(super) fn query(&self, setup: &Setup) -> Query {
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
    pub(super) fn href(&self, drill: Option<&str>) -> String {
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

#[component]
pub(super) fn FilterBar(setup: StoredValue<Setup>, filters: Memo<Filters>) -> impl IntoView {
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
    // The period as chosen in the form (before it is applied): choosing "custom" shows its two fields at once.
    let chosen = RwSignal::new(effective().range);
    Effect::new(move |_| chosen.set(effective().range));
    let custom = move || chosen.get() == Range::Custom;
    // The end may not come before the start: the browser holds the form back and says so (no request sent).
    let from_value = RwSignal::new(filters.with_untracked(|f| f.from.clone()));
    let fields = s.filters.iter().map(|f| {
        match f.key {
            FilterKey::DateRange => view! {
                <div>
                    <label for="f-range" class=LABEL>{t!(i18n, prod.f_range)}</label>
                    <select id="f-range" name="range" class=INPUT data-testid="f-range"
                        on:change=move |ev| chosen.set(Range::parse(&event_target_value(&ev)).unwrap_or_default())>
                        {Range::ALL.iter().copied().map(|r| view! {
                            <option value=r.as_str() selected=move || effective().range == r>{move || range_label(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class=move || if custom() { "" } else { "hidden" } data-testid="f-custom-from">
                    <label for="f-from" class=LABEL>{t!(i18n, prod.f_from)}</label>
                    <input id="f-from" name="from" type="datetime-local" class=INPUT value=move || filters.get().from
                        required=custom on:input=move |ev| from_value.set(event_target_value(&ev)) />
                </div>
                <div class=move || if custom() { "" } else { "hidden" } data-testid="f-custom-to">
                    <label for="f-to" class=LABEL>{t!(i18n, prod.f_to)}</label>
                    <input id="f-to" name="to" type="datetime-local" class=INPUT value=move || filters.get().to
                        required=custom min=move || from_value.get() />
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
