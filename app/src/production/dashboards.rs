//! Each role's dashboard edited as a form (the settings page's "Tableros"): its widgets in order, each with its width
//! and its parameters as its kind takes them (the figures of the KPI cards, a bucket, a figure, a number of rows, a
//! grouping), moved up and down, removed, added from the catalog; a preview of the grid; saved whole. A refused save
//! names the widget (by its place) and the parameter.

use leptos::prelude::*;
use nexus::production::rules::dashboard::{Widget, param_names};
use nexus::production::rules::kinds::{Template, WidgetKind};
use nexus::production::rules::settings::{Settings, WidgetEntry};
use serde_json::{Value, json};

use super::dashboard::kpi_label;
use super::settings::{Problems, SaveDashboard};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD};

const FIELD: &str = "mt-1 block min-h-11 w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900";
const SMALL: &str = "min-h-11 min-w-11 rounded-md border border-slate-300 px-2 text-sm hover:bg-slate-50 disabled:opacity-40 dark:border-slate-600 dark:hover:bg-slate-700";
/// A choice's value and its label.
type Choice = (&'static str, fn(Locale) -> &'static str);

const KPIS: [&str; 7] = ["oee", "availability", "performance", "quality", "total", "good", "downtime"];

/// A refused field (`widgets[2].params.limit`) as the form says it: "Widget 3 · Rows".
fn field_label(l: Locale, field: &str) -> String {
    let Some(rest) = field.strip_prefix("widgets[") else { return td_string!(l, prodset.dashboards).to_owned() };
    let (n, tail) = rest.split_once(']').unwrap_or((rest, ""));
    let place = n.parse::<usize>().map_or_else(|_| n.to_owned(), |i| (i + 1).to_string());
    let what = match tail.trim_start_matches('.') {
        "kind" => td_string!(l, prodset.w_kind),
        "params.figures" => td_string!(l, prodset.p_figures),
        "params.bucket" => td_string!(l, prodset.p_bucket),
        "params.figure" => td_string!(l, prodset.p_figure),
        "params.limit" => td_string!(l, prodset.p_limit),
        "params.by" => td_string!(l, prodset.p_by),
        "" => td_string!(l, prodset.w_place),
        _ => td_string!(l, prodset.p_params),
    };
    format!("{} {place} · {what}", td_string!(l, prodset.w_widget))
}

/// The widget's name in the catalog, in the page's language.
fn name(catalog: &[WidgetEntry], kind: WidgetKind, l: Locale) -> String {
    catalog
        .iter()
        .find(|w| w.kind == kind)
        .map(|w| if l == Locale::en { w.name_en.clone() } else { w.name_es.clone() })
        .unwrap_or_else(|| kind.as_str().to_owned())
}

/// A new widget of `kind` with the parameters it needs.
fn fresh(kind: WidgetKind) -> Widget {
    let params = match kind {
        WidgetKind::KpiCards => json!({ "figures": ["oee", "availability", "performance", "quality"] }),
        _ => json!({}),
    };
    let h = if kind == WidgetKind::KpiCards { 2 } else { 4 };
    Widget { kind, x: 0, y: 0, w: 12, h, params }
}

/// The widgets laid out in their order: each row of the 12-column grid filled left to right, a widget that does not
/// fit starting the next row.
fn laid_out(widgets: &[Widget]) -> Vec<Widget> {
    let (mut x, mut y, mut row_h) = (0u8, 0u8, 0u8);
    widgets
        .iter()
        .map(|w| {
            let w_cols = w.w.clamp(1, 12);
            if x + w_cols > 12 {
                y = y.saturating_add(row_h);
                (x, row_h) = (0, 0);
            }
            let placed = Widget { x, y, w: w_cols, ..w.clone() };
            x += w_cols;
            row_h = row_h.max(w.h.max(1));
            placed
        })
        .collect()
}

fn span_class(w: u8) -> &'static str {
    match w {
        0..=4 => "col-span-4",
        5..=6 => "col-span-6",
        7..=8 => "col-span-8",
        _ => "col-span-12",
    }
}

#[component]
pub(crate) fn Dashboards(
    s: Settings,
    action: ServerAction<SaveDashboard>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let catalog = StoredValue::new(s.widgets.clone());
    view! {
        <section class=CARD aria-labelledby="set-dash-h" data-testid="set-dashboards">
            <h2 id="set-dash-h" class="mb-3 text-base font-semibold">{t!(i18n, prodset.dashboards)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.dashboards_note)}</p>
            <Problems error label=field_label />
            <div class="space-y-3">
                {s.dashboards.into_iter().enumerate().map(|(i, (template, stored))| view! {
                    <Editor template stored catalog action open=i == 0 />
                }).collect_view()}
            </div>
        </section>
    }
}

/// One role's dashboard: its widgets, a preview, and its save.
#[component]
fn Editor(
    template: Template,
    stored: String,
    catalog: StoredValue<Vec<WidgetEntry>>,
    action: ServerAction<SaveDashboard>,
    open: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let mut start: Vec<Widget> = serde_json::from_str(&stored).unwrap_or_default();
    start.sort_by_key(|w| (w.y, w.x));
    let widgets = RwSignal::new(start);
    let adding = RwSignal::new(WidgetKind::KpiCards);
    let json = move || serde_json::to_string(&laid_out(&widgets.get())).unwrap_or_default();
    let role = crate::ui::components::role_text(i18n.get_locale_untracked(), template.role());
    let form_id = format!("dashboard-form-{template}");
    let add_id = format!("dash-add-{template}");
    view! {
        <details class="rounded-lg border border-slate-200 p-3 dark:border-slate-700" open=open data-testid=format!("dash-{template}")>
            <summary class="cursor-pointer text-sm font-medium">{role}</summary>
            <ol class="mt-3 space-y-2" data-testid="dash-widgets">
                {move || {
                    let list = widgets.get();
                    let n = list.len();
                    if n == 0 {
                        return view! { <li class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.w_none)}</li> }.into_any();
                    }
                    list.into_iter().enumerate().map(|(i, w)| view! { <Row i n w widgets catalog /> }).collect_view().into_any()
                }}
            </ol>
            <div class="mt-3 flex flex-wrap items-end gap-2">
                <label class="text-sm" for=add_id.clone()>{t!(i18n, prodset.w_add)}</label>
                <select id=add_id class="min-h-11 rounded-md border border-slate-300 bg-white px-2 text-sm dark:border-slate-600 dark:bg-slate-900"
                    on:change=move |ev| if let Some(k) = WidgetKind::parse(&event_target_value(&ev)) { adding.set(k) } data-testid="dash-add-kind">
                    {WidgetKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || catalog.with_value(|c| name(c, k, i18n.get_locale()))}</option> }).collect_view()}
                </select>
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| widgets.update(|ws| ws.push(fresh(adding.get_untracked()))) data-testid="dash-add">
                    {t!(i18n, prodset.add)}
                </button>
            </div>
            <p class="mt-3 text-xs font-medium">{t!(i18n, prodset.w_preview)}</p>
            <div class="mt-1 grid grid-cols-12 gap-1" aria-hidden="true" data-testid="dash-preview">
                {move || laid_out(&widgets.get()).into_iter().map(|w| view! {
                    <div class=format!("{} truncate rounded bg-slate-100 px-2 py-1 text-xs dark:bg-slate-700", span_class(w.w))>
                        {catalog.with_value(|c| name(c, w.kind, i18n.get_locale_untracked()))}
                    </div>
                }).collect_view()}
            </div>
            <ActionForm action attr:data-testid=form_id attr:class="mt-3">
                <input type="hidden" name="template" value=template.as_str() />
                <input type="hidden" name="widgets" prop:value=json />
                <button type="submit" class=BUTTON disabled=move || action.pending().get()>{t!(i18n, prodset.save)}</button>
            </ActionForm>
        </details>
    }
}

/// A widget of the list: its place and name, width, parameters, and the buttons that move and remove it.
#[component]
fn Row(
    i: usize,
    n: usize,
    w: Widget,
    widgets: RwSignal<Vec<Widget>>,
    catalog: StoredValue<Vec<WidgetEntry>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = w.kind;
    let title = move || format!("{}. {}", i + 1, catalog.with_value(|c| name(c, kind, i18n.get_locale())));
    let set = move |f: Box<dyn FnOnce(&mut Widget)>| {
        widgets.update(|ws| {
            if let Some(w) = ws.get_mut(i) {
                f(w)
            }
        })
    };
    view! {
        <li class="rounded-md border border-slate-200 p-2 dark:border-slate-700" data-testid="dash-widget" data-kind=kind.as_str()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <span class="text-sm font-medium">{title}</span>
                <div class="flex items-center gap-1">
                    <button type="button" class=SMALL disabled=i == 0 aria-label=move || format!("{} {}", td_string!(i18n.get_locale(), prodset.w_up), i + 1)
                        on:click=move |_| widgets.update(|ws| ws.swap(i, i - 1))>"↑"</button>
                    <button type="button" class=SMALL disabled=i + 1 == n aria-label=move || format!("{} {}", td_string!(i18n.get_locale(), prodset.w_down), i + 1)
                        on:click=move |_| widgets.update(|ws| ws.swap(i, i + 1))>"↓"</button>
                    <button type="button" class=SMALL aria-label=move || format!("{} {}", td_string!(i18n.get_locale(), prodset.w_remove), i + 1)
                        on:click=move |_| widgets.update(|ws| { ws.remove(i); }) data-testid="dash-remove">"✕"</button>
                </div>
            </div>
            <div class="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-[8rem_1fr]">
                <label class="text-xs">{t!(i18n, prodset.w_width)}
                    <select class=FIELD on:change=move |ev| {
                        let v: u8 = event_target_value(&ev).parse().unwrap_or(12);
                        set(Box::new(move |w| w.w = v));
                    }>
                        {[4u8, 6, 8, 12].into_iter().map(|c| view! { <option value=c.to_string() selected=w.w == c>{format!("{c}/12")}</option> }).collect_view()}
                    </select>
                </label>
                <Params i w=w.clone() widgets />
            </div>
        </li>
    }
}

/// The parameters of widget `i` as its kind takes them.
#[component]
fn Params(i: usize, w: Widget, widgets: RwSignal<Vec<Widget>>) -> impl IntoView {
    let i18n = use_i18n();
    let param = move |key: &'static str, value: Option<Value>| {
        widgets.update(|ws| {
            if let Some(w) = ws.get_mut(i) {
                if !w.params.is_object() {
                    w.params = json!({});
                }
                if let Some(o) = w.params.as_object_mut() {
                    match value {
                        Some(v) => o.insert(key.to_owned(), v),
                        None => o.remove(key),
                    };
                }
            }
        })
    };
    let current = |key: &str| w.params.get(key).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let choice = move |key: &'static str, label: fn(Locale) -> &'static str, options: Vec<Choice>, now: String| {
        view! {
            <label class="text-xs">{move || label(i18n.get_locale())}
                <select class=FIELD data-testid=format!("param-{key}") on:change=move |ev| {
                    let v = event_target_value(&ev);
                    param(key, (!v.is_empty()).then_some(Value::String(v)));
                }>
                    <option value="" selected=now.is_empty()>{move || td_string!(i18n.get_locale(), prodset.p_default)}</option>
                    {options.into_iter().map(|(v, l)| view! { <option value=v selected=now == v>{move || l(i18n.get_locale())}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any()
    };
    debug_assert!(param_names(w.kind).len() <= 1);
    match w.kind {
        WidgetKind::KpiCards => {
            let chosen: Vec<String> = w
                .params
                .get("figures")
                .and_then(|f| f.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            view! {
                <fieldset class="text-xs">
                    <legend>{t!(i18n, prodset.p_figures)}</legend>
                    <div class="mt-1 flex flex-wrap gap-x-3 gap-y-1">
                        {KPIS.into_iter().map(|k| {
                            let on = chosen.iter().any(|c| c == k);
                            view! {
                                <label class="flex min-h-11 items-center gap-1 text-sm">
                                    <input type="checkbox" checked=on data-testid=format!("param-figure-{k}") on:change=move |ev| {
                                        let checked = event_target_checked(&ev);
                                        widgets.update(|ws| if let Some(w) = ws.get_mut(i) {
                                            let mut figures: Vec<String> = w.params.get("figures").and_then(|f| f.as_array())
                                                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default();
                                            figures.retain(|f| f != k);
                                            if checked { figures.push(k.to_owned()); }
                                            // In the catalog's order, whatever order they were ticked in.
                                            figures.sort_by_key(|f| KPIS.iter().position(|x| x == f));
                                            w.params = json!({ "figures": figures });
                                        });
                                    } />
                                    {move || kpi_label(i18n.get_locale(), k)}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            }
            .into_any()
        }
        WidgetKind::ProductionOverTime => choice(
            "bucket",
            |l| td_string!(l, prodset.p_bucket),
            vec![
                ("minute", |l| td_string!(l, prodset.b_minute)),
                ("hour", |l| td_string!(l, prodset.b_hour)),
                ("shift", |l| td_string!(l, prodset.b_shift)),
                ("day", |l| td_string!(l, prodset.b_day)),
            ],
            current("bucket"),
        ),
        WidgetKind::LineComparison => choice(
            "figure",
            |l| td_string!(l, prodset.p_figure),
            vec![
                ("oee", |l| td_string!(l, prod.k_oee)),
                ("availability", |l| td_string!(l, prod.k_availability)),
                ("performance", |l| td_string!(l, prod.k_performance)),
                ("quality", |l| td_string!(l, prod.k_quality)),
                ("total", |l| td_string!(l, prod.k_total)),
            ],
            current("figure"),
        ),
        WidgetKind::DowntimePareto => choice(
            "by",
            |l| td_string!(l, prodset.p_by),
            vec![
                ("reason", |l| td_string!(l, prod.col_reason)),
                ("category", |l| td_string!(l, prodset.category)),
                ("line", |l| td_string!(l, prod.col_line)),
            ],
            current("by"),
        ),
        WidgetKind::DowntimeTable => {
            let limit = w.params.get("limit").and_then(|v| v.as_u64()).map(|v| v.to_string()).unwrap_or_default();
            view! {
                <label class="text-xs">{t!(i18n, prodset.p_limit)}
                    <input type="number" min="1" max="500" class=FIELD value=limit data-testid="param-limit"
                        placeholder=move || td_string!(i18n.get_locale(), prodset.p_default)
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            // What was typed is kept as typed: a number out of range is refused on save, named.
                            param("limit", v.trim().parse::<i64>().ok().map(Value::from).or_else(|| (!v.trim().is_empty()).then_some(Value::String(v))));
                        } />
                </label>
            }
            .into_any()
        }
        WidgetKind::ProductDistribution => {
            view! { <p class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, prodset.p_none)}</p> }.into_any()
        }
    }
}
