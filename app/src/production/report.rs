//! `/production/report`: a shift report, one page per line and shift run (the shift starting on a day), printable:
//! its figures, the six big losses, its stops, its production by product and rejects by area, and its sign-off by a
//! supervisor (owners and managers), with a warning when the figures moved after it was signed. `?line=…&shift=…&day=…`
//! (each optional: the first line's last shift that has ended); its CSV beside it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::production::rules::dashboard::{ReasonRef, ReportAsk, ReportKey, Setup, ShiftReport, StopRow};

use super::dashboard::{PlantTime, Rejects, Waterfall, minutes_text, pct};
use super::production_setup;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, Loading, PageHeader};
use crate::ui::list::{Column, DataTable};
use crate::ui::number::count;
use crate::ui::session::Protected;

const H2: &str = "mb-3 text-base font-semibold";
const MUTED: &str = "text-sm text-slate-600 dark:text-slate-300";
const FIELD: &str = "mt-1 block min-h-11 w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900";

#[server(prefix = "/api", endpoint = "ui/production/report")]
pub async fn production_report(#[server(default)] ask: ReportAsk) -> Result<Option<ShiftReport>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::production::service::report::shift_report(&st.pool, &caller, ask).await?)
}

/// Signs the report of line `line`, shift `shift`, day `day` (`YYYY-MM-DD`) off, with a note.
#[server(prefix = "/api", endpoint = "ui/production/report/sign")]
pub async fn sign_report(line: i32, shift: i32, day: String, note: Option<String>) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let day =
        day.parse::<chrono::NaiveDate>().map_err(|_| AppError::field("day", nexus::codes::ErrorCode::InvalidInput))?;
    let key = ReportKey { line: nexus::ids::LineId(line), shift: nexus::ids::ShiftId(shift), day };
    nexus::production::service::report::sign(&st.pool, &user, &crate::state::meta(), key, note.as_deref()).await?;
    Ok(())
}

/// The report asked for in the URL; a part that does not parse is left to its default.
fn ask_of(q: &leptos_router::params::ParamsMap) -> ReportAsk {
    ReportAsk {
        line: q.get("line").and_then(|v| v.parse().ok()).map(nexus::ids::LineId),
        shift: q.get("shift").and_then(|v| v.parse().ok()).map(nexus::ids::ShiftId),
        day: q.get("day").and_then(|v| v.parse().ok()),
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let query = use_query_map();
    let ask = Memo::new(move |_| query.with(ask_of));
    let sign = ServerAction::<SignReport>::new();
    let setup = Resource::new(|| (), |_| production_setup());
    let report = Resource::new(move || (ask.get(), sign.version().get()), |(a, _)| production_report(a));
    view! {
        <Protected permission=Permission::ProductionRead>
            <Report setup report sign />
        </Protected>
    }
}

#[component]
fn Report(
    setup: Resource<Result<Setup, AppError>>,
    report: Resource<Result<Option<ShiftReport>, AppError>>,
    sign: ServerAction<SignReport>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), report.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, report.title))>
            <div class="flex flex-wrap gap-2 print:hidden">
                <a href="/production" class=BUTTON_SECONDARY>{t!(i18n, prodset.back)}</a>
            </div>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let s = match setup.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                match report.await {
                    Err(e) => view! { <Picker s key=None /> <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(None) => view! {
                        <Picker s key=None />
                        <section class=format!("{CARD} text-center") data-testid="report-none"><p class=MUTED>{t!(i18n, report.none)}</p></section>
                    }.into_any(),
                    Ok(Some(r)) => {
                        let reasons = s.reasons.clone();
                        view! { <Picker s key=Some(r.key) /> <Body r reasons sign /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Which report: line, shift and day, a plain GET form (a report is a link).
#[component]
fn Picker(s: Setup, key: Option<ReportKey>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="get" action="/production/report" class=format!("{CARD} mb-4 grid grid-cols-1 gap-3 sm:grid-cols-4 sm:items-end print:hidden") data-testid="report-picker">
            <label class="text-sm">{t!(i18n, prod.col_line)}
                <select name="line" class=FIELD>
                    {s.lines.iter().map(|l| view! { <option value=l.id.to_string() selected=key.is_some_and(|k| k.line == l.id)>{format!("{} · {}", l.code, l.name)}</option> }).collect_view()}
                </select>
            </label>
            <label class="text-sm">{t!(i18n, report.shift)}
                <select name="shift" class=FIELD>
                    {s.shifts.iter().map(|x| view! { <option value=x.id.to_string() selected=key.is_some_and(|k| k.shift == x.id)>{format!("{} ({})", x.name, x.hours)}</option> }).collect_view()}
                </select>
            </label>
            <label class="text-sm">{t!(i18n, report.day)}
                <input type="date" name="day" class=FIELD value=key.map(|k| k.day.to_string()).unwrap_or_default() required />
            </label>
            <button type="submit" class=BUTTON data-testid="report-show">{t!(i18n, report.show)}</button>
        </form>
    }
}

#[component]
fn Body(r: ShiftReport, reasons: Vec<ReasonRef>, sign: ServerAction<SignReport>) -> impl IntoView {
    let i18n = use_i18n();
    let v = r.view.clone();
    let tz = v.time_zone;
    let t = v.total.totals;
    let o = v.total.oee;
    let csv =
        format!("/api/v1/production/shift-report.csv?line={}&shift={}&day={}", r.key.line, r.key.shift, r.key.day);
    let l = i18n.get_locale_untracked();
    let figures: Vec<(&'static str, String)> = vec![
        ("OEE", pct(l, o.oee, 1)),
        (td_string!(l, prod.k_availability), pct(l, o.availability, 1)),
        (td_string!(l, prod.k_performance), pct(l, o.performance, 1)),
        (td_string!(l, prod.k_quality), pct(l, o.quality, 1)),
        (td_string!(l, prod.k_total), count(l, t.total)),
        (td_string!(l, prod.k_good), count(l, t.good)),
        (td_string!(l, prod.col_rejects), count(l, (t.total - t.good).max(0))),
        (td_string!(l, prod.planned_time), minutes_text(t.planned_ms)),
        (td_string!(l, prod.k_downtime), minutes_text(t.downtime_ms)),
    ];
    let title = format!("{} · {} — {} ({}) — {}", r.line.code, r.line.name, r.shift.name, r.shift.hours, r.key.day);
    let can_sign = use_context::<crate::ui::session::Me>().is_some_and(|me| me.can(Permission::PlantConfigure));
    let key = r.key;
    let error = Signal::derive(move || sign.value().get().and_then(Result::err));
    view! {
        <article data-testid="report" class="space-y-4">
            <section class=CARD aria-labelledby="report-h">
                <div class="flex flex-wrap items-start justify-between gap-3">
                    <div>
                        <h2 id="report-h" class="text-lg font-semibold" data-testid="report-title">{title}</h2>
                        <p class=MUTED>
                            <PlantTime at=v.from tz /> " – " <PlantTime at=v.to tz />
                            " " {move || td_string!(i18n.get_locale(), prod.zone_note, zone = tz.name()).to_string()}
                            {(!r.ended).then(|| view! { <span class="ml-2 font-medium">{t!(i18n, report.running)}</span> })}
                        </p>
                    </div>
                    <div class="flex gap-2 print:hidden">
                        <button type="button" class=BUTTON_SECONDARY on:click=move |_| print() data-testid="report-print">{t!(i18n, report.print)}</button>
                        <a href=csv class=BUTTON_SECONDARY download data-testid="report-csv">{t!(i18n, prod.export)}</a>
                    </div>
                </div>
                <dl class="mt-4 grid grid-cols-3 gap-3 sm:grid-cols-9" data-testid="report-figures">
                    {figures.into_iter().map(|(k, val)| view! {
                        <div><dt class="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300">{k}</dt><dd class="text-lg font-semibold tabular-nums">{val}</dd></div>
                    }).collect_view()}
                </dl>
            </section>
            {v.losses.map(|l| view! { <section class=CARD><Waterfall l /></section> })}
            <section class=CARD aria-labelledby="report-stops-h">
                <h2 id="report-stops-h" class=H2>{t!(i18n, prod.w_stops)}</h2>
                <DataTable rows=v.stops.clone() columns=stop_columns(tz, reasons) caption=move || td_string!(i18n.get_locale(), prod.w_stops) testid="report-stops" min_width=""
                    empty=ViewFn::from(move || view! { <span>{t!(i18n, prod.stops_none)}</span> }) />
            </section>
            <section class=CARD><Rejects rows=r.rejects.clone() href=csv_of(&r.key) /></section>
            <SignOff r=r.clone() key can_sign sign error />
        </article>
    }
}

fn csv_of(k: &ReportKey) -> String {
    format!("/api/v1/production/shift-report.csv?line={}&shift={}&day={}", k.line, k.shift, k.day)
}

/// Opens the browser's print dialog (the page's chrome and controls are hidden in print).
fn print() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// The stops of the run: when, how long (and of it in planned time), the reason's name, who classified, the note.
fn stop_columns(tz: chrono_tz::Tz, reasons: Vec<ReasonRef>) -> Vec<Column<StopRow>> {
    let i18n = use_i18n();
    let name = move |s: &StopRow| {
        s.reason.and_then(|r| reasons.iter().find(|x| x.id == r)).map_or_else(|| "—".to_owned(), |r| r.name.clone())
    };
    vec![
        Column::new(move || td_string!(i18n.get_locale(), prod.col_start), move |s: &StopRow| view! {
            <span><PlantTime at=s.start tz />{s.manual.then(|| view! { <span class="ml-2 text-xs">"("{t!(i18n, prod.manual_tag)}")"</span> })}</span>
        }.into_any())
        .class("whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_duration), move |s: &StopRow| view! {
            <span>{minutes_text(s.ms)}
                {(s.planned_ms != s.ms).then(|| view! { <span class="block text-xs">{minutes_text(s.planned_ms)} " " {t!(i18n, prod.in_planned)}</span> })}
            </span>
        }.into_any())
        .class("sm:text-right tabular-nums whitespace-nowrap"),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_reason), move |s: &StopRow| name(s).into_any()),
        Column::new(move || td_string!(i18n.get_locale(), prod.col_classified_by), |s: &StopRow| s.classified_by.clone().unwrap_or_else(|| "—".into()).into_any()),
        Column::new(move || td_string!(i18n.get_locale(), prod.note), |s: &StopRow| s.note.clone().unwrap_or_default().into_any()),
    ]
}

/// The sign-off: who signed and when (and whether the figures moved since), the form to sign (again) for owners and
/// managers once the shift is over, and a signature line on paper.
#[component]
fn SignOff(
    r: ShiftReport,
    key: ReportKey,
    can_sign: bool,
    sign: ServerAction<SignReport>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tz = r.view.time_zone;
    let signed = r.signoff.clone();
    let changed = signed.as_ref().is_some_and(|s| s.changed);
    let is_signed = signed.is_some();
    view! {
        <section class=CARD aria-labelledby="report-sign-h" data-testid="report-signoff" data-signed=is_signed.to_string()>
            <h2 id="report-sign-h" class=H2>{t!(i18n, report.signoff)}</h2>
            {match signed.clone() {
                Some(s) => view! {
                    <p class="text-sm" data-testid="report-signed">
                        {move || td_string!(i18n.get_locale(), report.signed_by, who = s.by.clone()).to_string()} " " <PlantTime at=s.at tz />
                        {s.note.clone().map(|n| view! { <span class="block text-slate-600 dark:text-slate-300">{n}</span> })}
                    </p>
                }.into_any(),
                None => view! { <p class=MUTED data-testid="report-unsigned">{t!(i18n, report.unsigned)}</p> }.into_any(),
            }}
            {changed.then(|| view! {
                <p role="status" class="mt-2 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100" data-testid="report-changed">
                    {t!(i18n, report.changed)}
                </p>
            })}
            {(!r.ended).then(|| view! { <p class=format!("{MUTED} mt-2")>{t!(i18n, report.wait)}</p> })}
            {(can_sign && r.ended).then(|| view! {
                <div class="mt-3 print:hidden">
                    <ErrorBanner error />
                    <ActionForm action=sign attr:class="flex flex-wrap items-end gap-2" attr:data-testid="report-sign-form">
                        <input type="hidden" name="line" value=key.line.to_string() />
                        <input type="hidden" name="shift" value=key.shift.to_string() />
                        <input type="hidden" name="day" value=key.day.to_string() />
                        <label class="min-w-64 flex-1 text-sm">{t!(i18n, prod.note)}<input name="note" type="text" maxlength="500" class=FIELD /></label>
                        <button type="submit" class=format!("{BUTTON} min-h-11") data-testid="report-sign" disabled=move || sign.pending().get()>
                            {if is_signed { t!(i18n, report.sign_again).into_any() } else { t!(i18n, report.sign).into_any() }}
                        </button>
                    </ActionForm>
                </div>
            })}
            <p class="mt-10 hidden border-t border-slate-400 pt-1 text-sm print:block">{t!(i18n, report.signature_line)}</p>
        </section>
    }
}
