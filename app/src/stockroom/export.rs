//! The movement history's export, on the stock room's page: filters (department, kinds of movement, a span of days)
//! asked as a background export (`stockroom::service::export`), its progress shown while the job writes it (the list
//! is asked again every second while one is unfinished), and its file a link once done.

use leptos::prelude::*;
use nexus::ids::DepartmentId;
use nexus::stockroom::rules::export::{Export, ExportFilter, ExportStatus};
use nexus::stockroom::rules::ledger::MovementKind;

use super::Room;
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD, ErrorBanner, INPUT, LocalTime};

#[server(prefix = "/api", endpoint = "ui/stock/exports")]
pub async fn stock_exports() -> Result<Vec<Export>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::export::list(&st.pool, &caller).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/export")]
pub async fn stock_export(filter: ExportFilter) -> Result<Export, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::export::request(&st.pool, &caller, &filter).await?)
}

type Label = fn(Locale) -> &'static str;

/// The kinds a person filters by (a transfer's two legs together).
const KINDS: [(MovementKind, &str, Label); 5] = [
    (MovementKind::Receive, "receive", |l| td_string!(l, room.kind_receive)),
    (MovementKind::Issue, "issue", |l| td_string!(l, room.kind_issue)),
    (MovementKind::Return, "return", |l| td_string!(l, room.kind_return)),
    (MovementKind::TransferOut, "transfer", |l| td_string!(l, room.kind_transfer)),
    (MovementKind::Count, "count", |l| td_string!(l, room.kind_count)),
];

#[component]
pub fn ExportPanel(room: Room, exports: Resource<Result<Vec<Export>, AppError>>, tick: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let department = RwSignal::new(None::<DepartmentId>);
    let kinds = RwSignal::new(Vec::<MovementKind>::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let ask = Action::new(|f: &ExportFilter| stock_export(f.clone()));
    let error = Signal::derive(move || ask.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(ask.value().get(), Some(Ok(_))) {
            tick.update(|t| *t += 1);
        }
    });
    // While an export is unfinished, its progress is asked again every second.
    let unfinished = move || {
        exports
            .get()
            .and_then(Result::ok)
            .is_some_and(|es| es.iter().any(|e| matches!(e.status, ExportStatus::Queued | ExportStatus::Running)))
    };
    Effect::new(move |_| {
        if unfinished() {
            set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(1));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut ks = kinds.get_untracked();
        if ks.contains(&MovementKind::TransferOut) {
            ks.push(MovementKind::TransferIn);
        }
        let day = |s: RwSignal<String>| {
            Some(s.get_untracked()).filter(|v| !v.is_empty()).and_then(|v| texts::local_to_utc(&v))
        };
        // "To" is a whole day: up to the next midnight.
        let to = day(to).map(|t| t + chrono::Duration::days(1));
        ask.dispatch(ExportFilter {
            items: Vec::new(),
            departments: department.get_untracked().into_iter().collect(),
            kinds: ks,
            from: day(from),
            to,
        });
    };
    let label = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";
    let departments = room.live_departments();
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="export-h" data-testid="stock-export">
            <h2 id="export-h" class="mb-1 text-base font-semibold">{t!(i18n, room.export_title)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.export_note)}</p>
            <form class="grid gap-3 sm:grid-cols-4" on:submit=submit>
                <div>
                    <label for="export-dept" class=label>{t!(i18n, room.department)}</label>
                    <select id="export-dept" class=INPUT data-testid="export-dept"
                        on:change=move |ev| department.set(event_target_value(&ev).parse::<i32>().ok().map(DepartmentId))>
                        <option value="">{t!(i18n, room.all_departments)}</option>
                        {departments.into_iter().map(|d| view! { <option value=d.id.0.to_string()>{d.name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="export-from" class=label>{t!(i18n, room.export_from)}</label>
                    <input id="export-from" type="date" class=INPUT data-testid="export-from"
                        prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="export-to" class=label>{t!(i18n, room.export_to)}</label>
                    <input id="export-to" type="date" class=INPUT data-testid="export-to"
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                </div>
                <fieldset class="sm:col-span-4">
                    <legend class=label>{t!(i18n, room.export_kinds)}</legend>
                    <div class="flex flex-wrap gap-3 text-sm">
                        {KINDS.into_iter().map(|(k, id, name)| view! {
                            <label class="flex items-center gap-1.5">
                                <input type="checkbox" data-testid=format!("export-kind-{id}")
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        kinds.update(|ks| { ks.retain(|x| *x != k); if on { ks.push(k); } });
                                    } />
                                {move || name(i18n.get_locale())}
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <div class="sm:col-span-4">
                    <button type="submit" class=BUTTON data-testid="export-go" disabled=move || ask.pending().get()>{t!(i18n, room.export_go)}</button>
                </div>
            </form>
            <ErrorBanner error />
            // A boundary of its own: the server waits for the list before it sends the page (so the browser hydrates
            // the same list), and every second's refresh redraws this list alone, the last one shown meanwhile.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = exports.await.unwrap_or_default();
                    (!list.is_empty()).then(|| view! {
                        <ul class="mt-4 divide-y divide-slate-200 dark:divide-slate-700" data-testid="exports">
                            {list.into_iter().map(|e| view! { <ExportRow e /> }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ExportRow(e: Export) -> impl IntoView {
    let i18n = use_i18n();
    let percent = e.percent();
    let (rows, total, status, id) = (e.rows, e.total, e.status, e.id);
    view! {
        <li class="flex flex-wrap items-center gap-3 py-2 text-sm" data-testid="export" data-id=id.to_string() data-state=status.as_str()>
            <span class="w-48 text-slate-600 dark:text-slate-300"><LocalTime at=e.created_at /></span>
            {match status {
                ExportStatus::Done => view! {
                    <span>{move || td_string!(i18n.get_locale(), room.export_done, count = crate::ui::number::count(i18n.get_locale(), rows)).to_string()}</span>
                    <a href=format!("/api/v1/stock/exports/{id}/file") class="font-medium text-[#1a5bb5] underline dark:text-[#8fbfff]" data-testid="export-file" download>
                        {t!(i18n, room.export_download)}
                    </a>
                }.into_any(),
                ExportStatus::Failed => view! { <span class="text-red-700 dark:text-red-300">{t!(i18n, room.export_failed)}</span> }.into_any(),
                _ => view! {
                    <progress class="h-2 w-40" max="100" value=percent.to_string() aria-labelledby=format!("export-p-{id}")></progress>
                    <span id=format!("export-p-{id}") aria-live="polite" data-testid="export-progress">
                        {move || match total {
                            Some(t) => td_string!(i18n.get_locale(), room.export_progress, rows = crate::ui::number::count(i18n.get_locale(), rows), total = crate::ui::number::count(i18n.get_locale(), t), percent = percent).to_string(),
                            None => td_string!(i18n.get_locale(), room.export_queued).to_owned(),
                        }}
                    </span>
                }.into_any(),
            }}
        </li>
    }
}
