//! `/stock/import`: the store room brings in the item list it already keeps in a spreadsheet. The file goes up (its
//! progress shown) to `POST /api/v1/stock/items/import`, which reads it with the bodega upload's machinery and
//! answers what it would do: the file as read (format, encoding, delimiter, sheet, header row: changeable), the
//! columns found for each field (changeable), the first rows, the items it would add and change, the levels, the
//! first stock it would receive, the categories it would make, and each refused row with why. Nothing is written
//! until "Importar"; then every valid row is, in one transaction. The list is exported from here too, in the columns
//! the import reads back.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::ids::DepartmentId;
use nexus::stockroom::rules::import::{Column as Field, ImportView, ItemMapping, RawLine};

use super::texts;
use super::{Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, PageHeader};
use crate::ui::file_drop::FileDrop;
use crate::ui::list::{DataTable, Rows, file_columns};
use crate::ui::number::count;
use crate::ui::session::Protected;

/// Where the item list is exported.
pub const EXPORT_URL: &str = "/api/v1/stock/items/export";

/// What the page is busy with.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Busy {
    /// The file going up: the share of it sent.
    Sending(f64),
    /// The server reading (or importing).
    Reading,
}

/// How the file is to be read next, as the page holds it.
#[derive(Clone, Copy)]
struct Choice {
    sheet: RwSignal<Option<String>>,
    header_row: RwSignal<String>,
    mapping: RwSignal<ItemMapping>,
    /// Whether the mapping was changed since the last reading (else the server suggests it again).
    touched: RwSignal<bool>,
    department: RwSignal<Option<DepartmentId>>,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let room = Resource::new(|| (), |_| stock_room());
    view! {
        <Protected permission=Permission::StockConfigure>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match room.await {
                        Ok(room) => view! { <Import room /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn Import(room: Room) -> impl IntoView {
    let i18n = use_i18n();
    let file = crate::ui::file_drop::KeptFile::new();
    let current = RwSignal::new(None::<ImportView>);
    let busy = RwSignal::new(None::<Busy>);
    let error = RwSignal::new(None::<AppError>);
    let choice = Choice {
        sheet: RwSignal::new(None),
        header_row: RwSignal::new(String::new()),
        mapping: RwSignal::new(ItemMapping::new()),
        touched: RwSignal::new(false),
        department: RwSignal::new(room.mine),
    };
    let send = move |commit: bool| {
        let Some(f) = file.get() else { return };
        send(f, choice, commit, busy, current, error);
    };
    let on_file = Callback::new(move |f: web_sys::File| {
        file.set(Some(f));
        choice.sheet.set(None);
        choice.header_row.set(String::new());
        choice.touched.set(false);
        current.set(None);
        send(false);
    });
    let departments = room.live_departments();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), room.import_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, room.import_title))>
            <div class="flex flex-wrap gap-2">
                <a href=EXPORT_URL rel="external" download class=BUTTON_SECONDARY data-testid="items-export">{t!(i18n, room.export_items)}</a>
                <a href="/stock" class=BUTTON_SECONDARY>{t!(i18n, room.items_title)}</a>
            </div>
        </PageHeader>
        <div class="space-y-6">
            <ErrorBanner error=Signal::derive(move || error.get()) />
            <Progress busy />
            {move || match current.get() {
                None => view! {
                    <FileDrop
                        busy=Signal::derive(move || busy.get().is_some())
                        on_file
                        heading="import-h"
                        drop_here=Signal::derive(move || td_string!(i18n.get_locale(), upload.drop_here).to_owned())
                        or_pick=Signal::derive(move || td_string!(i18n.get_locale(), upload.or_pick).to_owned())
                        pick=Signal::derive(move || td_string!(i18n.get_locale(), upload.pick).to_owned())
                        note=Signal::derive(move || td_string!(i18n.get_locale(), upload.formats, mb = 50).to_string())
                    >
                        <h2 id="import-h" class="sr-only">{t!(i18n, room.import_title)}</h2>
                        <p class="mb-4 max-w-3xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.import_intro)}</p>
                    </FileDrop>
                }.into_any(),
                Some(v) => view! { <Review v choice departments=departments.clone() busy on_send=Callback::new(send) on_reset=Callback::new(move |()| {
                    file.set(None);
                    current.set(None);
                    error.set(None);
                }) /> }.into_any(),
            }}
        </div>
    }
}

/// Sends the file with the choices (a dry run, or the import) and shows what the server answers.
fn send(
    file: web_sys::File,
    choice: Choice,
    commit: bool,
    busy: RwSignal<Option<Busy>>,
    current: RwSignal<Option<ImportView>>,
    error: RwSignal<Option<AppError>>,
) {
    #[cfg(feature = "hydrate")]
    {
        let Ok(form) = web_sys::FormData::new() else {
            error.set(Some(AppError::Communication));
            return;
        };
        let _ = form.append_with_blob_and_filename("file", &file, &file.name());
        if let Some(s) = choice.sheet.get_untracked() {
            let _ = form.append_with_str("sheet", &s);
        }
        let header = choice.header_row.get_untracked();
        if !header.trim().is_empty() {
            let _ = form.append_with_str("header_row", header.trim());
        }
        if choice.touched.get_untracked() {
            let _ = form.append_with_str(
                "mapping",
                &serde_json::to_string(&choice.mapping.get_untracked()).unwrap_or_default(),
            );
        }
        if let Some(d) = choice.department.get_untracked() {
            let _ = form.append_with_str("department", &d.0.to_string());
        }
        let _ = form.append_with_str("dry_run", if commit { "false" } else { "true" });
        error.set(None);
        busy.set(Some(Busy::Sending(0.0)));
        crate::ui::file_drop::send_form(
            "/api/v1/stock/items/import",
            &form,
            move |sent, total| busy.set(Some(Busy::Sending(if total > 0.0 { sent / total } else { 0.0 }))),
            move || busy.set(Some(Busy::Reading)),
            move |status, text| {
                busy.set(None);
                match (status, serde_json::from_str::<ImportView>(&text)) {
                    (200, Ok(v)) => {
                        choice.sheet.set(v.sheet.clone());
                        choice.header_row.set(v.header_row.to_string());
                        choice.mapping.set(v.mapping.clone());
                        choice.touched.set(false);
                        current.set(Some(v));
                    }
                    _ => error.set(Some(crate::ui::file_drop::answer_error(status, &text))),
                }
            },
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (file, choice, commit, busy, current, error);
}

/// The file going up, then the server at work.
#[component]
fn Progress(busy: RwSignal<Option<Busy>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let b = busy.get()?;
        let (label, pct) = match b {
            Busy::Sending(f) => (
                td_string!(i18n.get_locale(), room.import_sending).to_owned(),
                Some((f.clamp(0.0, 1.0) * 100.0).round() as u32),
            ),
            Busy::Reading => (td_string!(i18n.get_locale(), upload.working).to_owned(), None),
        };
        Some(view! {
            <section class=CARD role="status" aria-live="polite" data-testid="import-progress">
                <p class="mb-2 text-sm font-medium">{label.clone()}</p>
                <div class="h-3 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
                    role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.map(|p| p.to_string()) aria-label=label>
                    <div class=if pct.is_some() { "h-full rounded-full bg-[#2b7cee] transition-all" } else { "h-full w-1/3 animate-pulse rounded-full bg-[#2b7cee]" }
                        style=pct.map(|p| format!("width: {p}%"))></div>
                </div>
            </section>
        })
    }
}

/// The file as read, its columns, its first rows, and what it would do (or did).
#[component]
fn Review(
    v: ImportView,
    choice: Choice,
    departments: Vec<nexus::stockroom::rules::views::Department>,
    busy: RwSignal<Option<Busy>>,
    on_send: Callback<bool>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";
    let headers = v.headers.clone();
    let needs_sku = !v.mapping.contains_key(&Field::Sku);
    let valid = v.new_items + v.changed_items;
    let committed = v.committed;
    let how =
        [Some(v.format.as_str().to_uppercase()), v.encoding.clone(), v.delimiter.clone().map(|d| format!("« {d} »"))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
    view! {
        {committed.then(|| view! {
            <p class="rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100" role="status" data-testid="import-done">
                {move || td_string!(i18n.get_locale(), room.import_done, new = count(i18n.get_locale(), v.new_items as i64), changed = count(i18n.get_locale(), v.changed_items as i64)).to_string()}
                " " <a href="/stock" class="font-medium underline">{t!(i18n, room.import_view_items)}</a>
            </p>
        })}
        <section class=CARD aria-labelledby="import-file-h">
            <h2 id="import-file-h" class="mb-3 text-base font-semibold">{t!(i18n, upload.file)}</h2>
            <p class="mb-3 text-sm"><span class="font-medium" data-testid="import-file">{v.file_name.clone()}</span> " · " <span data-testid="import-how">{how}</span></p>
            <form class="grid gap-3 sm:grid-cols-3" on:submit=move |ev| { ev.prevent_default(); on_send.run(false); }>
                {(v.sheets.len() > 1).then(|| {
                    let sheets = v.sheets.clone();
                    view! {
                        <div>
                            <label for="import-sheet" class=label>{t!(i18n, upload.sheet)}</label>
                            <select id="import-sheet" class=INPUT on:change=move |ev| { choice.sheet.set(Some(event_target_value(&ev))); choice.touched.set(false); }>
                                {sheets.into_iter().map(|s| {
                                    let chosen = choice.sheet.get_untracked().as_deref() == Some(s.as_str());
                                    view! { <option value=s.clone() selected=chosen>{s.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    }
                })}
                <div>
                    <label for="import-header" class=label>{t!(i18n, upload.header_row)}</label>
                    <input id="import-header" type="number" min="1" class=INPUT data-testid="import-header-row"
                        prop:value=move || choice.header_row.get()
                        on:input=move |ev| { choice.header_row.set(event_target_value(&ev)); choice.touched.set(false); } />
                </div>
                <div>
                    <label for="import-dept" class=label>{t!(i18n, room.import_department)}</label>
                    <select id="import-dept" class=INPUT data-testid="import-department"
                        on:change=move |ev| choice.department.set(event_target_value(&ev).parse::<i32>().ok().map(DepartmentId))>
                        <option value="" selected=move || choice.department.get().is_none()>{t!(i18n, room.import_department_none)}</option>
                        {departments.into_iter().map(|d| {
                            let id = d.id;
                            view! { <option value=d.id.0.to_string() selected=move || choice.department.get() == Some(id)>{d.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </form>
        </section>
        <section class=CARD aria-labelledby="import-map-h" data-testid="import-mapping">
            <h2 id="import-map-h" class="mb-1 text-base font-semibold">{t!(i18n, upload.mapping)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.import_mapping_help)}</p>
            {needs_sku.then(|| view! {
                <p class="mb-3 text-sm font-medium text-amber-800 dark:text-amber-200" role="alert" data-testid="import-needs-sku">{t!(i18n, room.import_needs_sku)}</p>
            })}
            <div class="grid gap-3 sm:grid-cols-3 lg:grid-cols-4">
                {Field::ALL.into_iter().map(|c| {
                    let headers = headers.clone();
                    let id = format!("import-col-{}", c.as_str());
                    view! {
                        <div>
                            <label for=id.clone() class=label>{move || texts::import_column(i18n.get_locale(), c)}</label>
                            <select id=id class=INPUT data-testid=format!("import-col-{}", c.as_str())
                                on:change=move |ev| {
                                    let pick = event_target_value(&ev).parse::<usize>().ok();
                                    choice.mapping.update(|m| match pick {
                                        Some(i) => {
                                            m.retain(|_, col| *col != i);
                                            m.insert(c, i);
                                        }
                                        None => {
                                            m.remove(&c);
                                        }
                                    });
                                    choice.touched.set(true);
                                }>
                                <option value="" selected=move || !choice.mapping.get().contains_key(&c)>{t!(i18n, upload.not_mapped)}</option>
                                {headers.into_iter().enumerate().map(|(i, h)| {
                                    let text = if h.trim().is_empty() { format!("#{}", i + 1) } else { h };
                                    view! { <option value=i.to_string() selected=move || choice.mapping.get().get(&c) == Some(&i)>{text}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    }
                }).collect_view()}
            </div>
            <div class="mt-4 flex flex-wrap gap-2">
                <button type="button" class=BUTTON_SECONDARY data-testid="import-reread" disabled=move || busy.get().is_some() on:click=move |_| on_send.run(false)>{t!(i18n, upload.apply)}</button>
            </div>
        </section>
        <Preview v=v.clone() />
        <Outcome v=v.clone() />
        <div class="flex flex-wrap gap-2">
            {(!committed).then(|| view! {
                <button type="button" class=BUTTON data-testid="import-commit" disabled=move || busy.get().is_some() || valid == 0 || needs_sku
                    on:click=move |_| on_send.run(true)>
                    {move || td_string!(i18n.get_locale(), room.import_commit, count = count(i18n.get_locale(), valid as i64)).to_string()}
                </button>
            })}
            <button type="button" class=BUTTON_SECONDARY data-testid="import-another" on:click=move |_| on_reset.run(())>{t!(i18n, room.import_another)}</button>
        </div>
    }
}

/// The first rows under the header, as the file has them.
#[component]
fn Preview(v: ImportView) -> impl IntoView {
    let i18n = use_i18n();
    let columns = file_columns(&v.headers, &v.preview, |r: &RawLine| r.line, |r: &RawLine| &r.cells);
    view! {
        <section class=CARD_FLUSH aria-labelledby="import-preview-h" tabindex="0" data-testid="import-preview">
            <h2 id="import-preview-h" class="px-4 pt-4 text-base font-semibold">{t!(i18n, upload.preview)}</h2>
            <DataTable
                rows=v.preview
                columns
                caption=move || td_string!(i18n.get_locale(), upload.preview)
                rows_meta=Rows { testid: "import-preview-row", key: |r: &RawLine| r.line.to_string(), state: None }
                min_width="sm:min-w-[640px]"
                empty=ViewFn::from(|| ())
            />
        </section>
    }
}

/// What the file would do (or did), and the rows refused with why.
#[component]
fn Outcome(v: ImportView) -> impl IntoView {
    let i18n = use_i18n();
    let title = if v.committed { "done" } else { "dry" };
    let figures = [
        ("rows", v.rows),
        ("new", v.new_items),
        ("changed", v.changed_items),
        ("levels", v.levels),
        ("receipts", v.receipts),
        ("rejected", v.rejected),
    ];
    let more = v.rejected.saturating_sub(v.rejects.len() as u64);
    view! {
        <section class=CARD aria-labelledby="import-outcome-h" data-testid="import-outcome" data-state=title>
            <h2 id="import-outcome-h" class="mb-3 text-base font-semibold">
                {move || if title == "done" { td_string!(i18n.get_locale(), room.import_done_title) } else { td_string!(i18n.get_locale(), upload.dry_run) }}
            </h2>
            <dl class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
                {figures.into_iter().map(|(key, n)| view! {
                    <div class="rounded-lg bg-slate-50 p-3 dark:bg-slate-800/60">
                        <dt class="text-xs text-slate-600 dark:text-slate-300">{move || texts::import_figure(i18n.get_locale(), key)}</dt>
                        <dd class="text-xl font-semibold tabular-nums" data-testid=format!("import-{key}")>{move || count(i18n.get_locale(), n as i64)}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {(!v.new_categories.is_empty()).then(|| view! {
                <p class="mt-3 text-sm" data-testid="import-categories">
                    <span class="font-medium">{t!(i18n, room.import_new_categories)}</span> " " {v.new_categories.join(", ")}
                </p>
            })}
            {(!v.rejects.is_empty()).then(|| view! {
                <h3 class="mb-2 mt-4 text-sm font-semibold">{t!(i18n, room.import_rejects)}</h3>
                <ul class="divide-y divide-slate-200 text-sm dark:divide-slate-700" data-testid="import-rejects">
                    {v.rejects.into_iter().map(|r| {
                        let problem = r.problem.clone();
                        view! {
                            <li class="flex flex-wrap gap-x-4 py-1.5" data-testid="import-reject">
                                <span class="w-20 shrink-0 tabular-nums text-slate-600 dark:text-slate-300">{move || td_string!(i18n.get_locale(), room.import_line, line = r.line).to_string()}</span>
                                <span class="w-32 shrink-0 font-mono">{if r.sku.is_empty() { "—".to_owned() } else { r.sku.clone() }}</span>
                                <span class="min-w-0 basis-full sm:basis-auto sm:flex-1">{move || texts::row_problem(i18n.get_locale(), &problem)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(more > 0).then(|| view! {
                    <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">{move || td_string!(i18n.get_locale(), room.import_more_rejects, count = count(i18n.get_locale(), more as i64)).to_string()}</p>
                })}
            })}
        </section>
    }
}
