//! The upload as read, and its actions: the file and how it was read (sheet and header row, changeable), the mapping
//! editor, then (from `results.rs`) the first rows, the counts and the rejected rows, and the actions: commit, with or
//! without "replace location", or discard; once the upload is over, what it wrote and the way on.

use leptos::prelude::*;
use nexus::inventory::rules::file::FileProblem;
use nexus::inventory::rules::mapping::Field;
use nexus::inventory::rules::row::Counts;
use nexus::inventory::rules::upload::{
    Mapping, MappingSource, ProgressView, ReadChoice, Repeat, UploadStatus, UploadView,
};

use super::results::{DryRun, Preview, Rejects};
use super::{Busy, commit_upload, discard_upload, dry_run, ends_upload, follow};
use crate::error::AppError;
use crate::i18n::*;
use crate::inventory::texts;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, INPUT, LocalTime};
use crate::ui::number::count;

/// The upload as read, and what can be done with it: the file, the mapping, the first rows, the dry run's counts,
/// the rejected rows, then commit or discard (while open) or start again (once over). The flow is here (what
/// "Apply", commit and discard do); the parts only show it.
#[component]
pub(super) fn UploadView(
    v: UploadView,
    current: RwSignal<Option<UploadView>>,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<Option<Busy>>,
    progress: RwSignal<Option<ProgressView>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let id = v.id;
    let open = v.status.is_open();
    // The mapping being edited (applied with "Apply").
    let mapping = RwSignal::new(v.mapping.clone());
    let header_row = RwSignal::new(v.header_row.to_string());
    let sheet = RwSignal::new(v.sheet.clone());
    let replace = RwSignal::new(v.replace_location);
    let saved = v.mapping.clone();
    let saved_header = v.header_row;
    let saved_sheet = v.sheet.clone();
    let changed = Memo::new(move |_| {
        mapping.get() != saved
            || header_row.get().trim().parse::<u64>().ok() != Some(saved_header)
            || sheet.get() != saved_sheet
    });
    let apply = Callback::new(move |()| {
        let header = header_row.get_untracked().trim().parse::<u64>().ok();
        let sheet_now = sheet.get_untracked();
        // A new sheet or header row is read afresh (its header found, its mapping found); else the chosen mapping.
        let choice = if sheet_now != current.get_untracked().and_then(|c| c.sheet) {
            ReadChoice { sheet: sheet_now, header_row: None, mapping: None }
        } else if header != Some(saved_header) {
            ReadChoice { sheet: sheet_now, header_row: header, mapping: None }
        } else {
            ReadChoice { sheet: sheet_now, header_row: header, mapping: Some(mapping.get_untracked()) }
        };
        dry_run(id, choice, busy, progress, current, error, refresh);
    });
    let commit = Callback::new(move |allow_repeat: bool| {
        error.set(None);
        follow(busy, progress, id);
        let replace_location = replace.get_untracked();
        leptos::task::spawn_local(async move {
            match commit_upload(id, replace_location, allow_repeat).await {
                Ok(v) => current.set(Some(v)),
                Err(e) => {
                    if let Some(problem) = e.reason::<FileProblem>()
                        && ends_upload(&problem)
                    {
                        current.set(None);
                    }
                    error.set(Some(e));
                }
            }
            busy.set(None);
            refresh.update(|n| *n += 1);
        });
    });
    let discard = Callback::new(move |()| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match discard_upload(id).await {
                Ok(()) => current.set(None),
                Err(e) => error.set(Some(e)),
            }
            refresh.update(|n| *n += 1);
        });
    });
    let counts = v.counts;
    let committed = v.status == UploadStatus::Committed;
    view! {
        <FileCard v=v.clone() sheet header_row />

        <MappingEditor v=v.clone() mapping changed busy apply />

        <Preview v=v.clone() />

        {counts.map(|c| view! { <DryRun c committed /> })}

        {(!v.rejects.is_empty()).then(|| view! { <Rejects id rejects=v.rejects.clone() counts /> })}

        {(open && counts.is_some()).then(|| view! { <CommitPanel counts repeat=v.repeat_of.clone() replace changed busy commit discard /> })}

        {(!open).then(|| view! { <Finished committed counts duration_ms=v.duration_ms current error /> })}
    }
}

/// The file and how it was read: format, size, encoding and delimiter, its status and problem, and (while open) the
/// sheet and the header row to read it by.
#[component]
fn FileCard(v: UploadView, sheet: RwSignal<Option<String>>, header_row: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let open = v.status.is_open();
    let status = v.status;
    view! {
        <section class=CARD aria-labelledby="file-h" data-testid="upload-file">
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div>
                    <h2 id="file-h" class="text-lg font-semibold break-all">{v.file_name.clone()}</h2>
                    <p class="text-sm text-slate-600 dark:text-slate-300">
                        {format!("{} · {:.1} KB", v.format.as_str().to_uppercase(), v.file_size as f64 / 1024.0)}
                        {v.encoding.clone().map(|e| view! { " · " {t!(i18n, upload.encoding)} ": " <span data-testid="encoding">{e}</span> })}
                        {v.delimiter.clone().map(|d| view! { " · " {t!(i18n, upload.delimiter)} ": " <code data-testid="delimiter">{d}</code> })}
                    </p>
                </div>
                <span class="rounded-full bg-slate-100 px-3 py-1 text-xs font-semibold dark:bg-slate-700" data-testid="upload-status" data-status=status.as_str()>
                    {move || texts::status(i18n.get_locale(), status)}
                </span>
            </div>
            {v.problem.clone().map(|p| view! {
                <p role="alert" class="mt-3 text-sm text-red-700 dark:text-red-300">{move || texts::file_problem(i18n.get_locale(), &p)}</p>
            })}
            {open.then(|| view! {
                <div class="mt-4 grid gap-4 sm:grid-cols-2">
                    {(!v.sheets.is_empty()).then(|| {
                        let sheets = v.sheets.clone();
                        view! {
                            <label class="block text-sm">
                                <span class="mb-1 block font-medium">{t!(i18n, upload.sheet)}</span>
                                <select class=INPUT data-testid="sheet"
                                    on:change=move |e| sheet.set(Some(event_target_value(&e)))>
                                    {sheets.into_iter().map(|s| {
                                        let selected = sheet.get_untracked().as_deref() == Some(s.as_str());
                                        view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        }
                    })}
                    <label class="block text-sm">
                        <span class="mb-1 block font-medium">{t!(i18n, upload.header_row)}</span>
                        <input type="number" min="1" class=INPUT data-testid="header-row"
                            prop:value=move || header_row.get()
                            on:input=move |e| header_row.set(event_target_value(&e)) />
                        <span class="mt-1 block text-xs text-slate-600 dark:text-slate-300">{t!(i18n, upload.header_row_help)}</span>
                    </label>
                </div>
            })}
        </section>
    }
}

/// The mapping editor: the column each field is read from (suggested, saved, adapted or chosen), how the headers
/// changed, the required fields missing, and "Apply", which reads the file again under the choice.
#[component]
fn MappingEditor(
    v: UploadView,
    mapping: RwSignal<Mapping>,
    changed: Memo<bool>,
    busy: RwSignal<Option<Busy>>,
    apply: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = v.status.is_open();
    let idle = move || busy.get().is_none();
    let headers = v.headers.clone();
    view! {
        <section class=CARD aria-labelledby="mapping-h" data-testid="mapping">
            <h2 id="mapping-h" class="mb-1 text-lg font-semibold">{t!(i18n, upload.mapping)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300" data-testid="mapping-source" data-source=v.mapping_source.as_str()>
                {move || match v.mapping_source {
                    MappingSource::Suggested => td_string!(i18n.get_locale(), upload.source_suggested),
                    MappingSource::Saved => td_string!(i18n.get_locale(), upload.source_saved),
                    MappingSource::Adapted => td_string!(i18n.get_locale(), upload.source_adapted),
                    MappingSource::Chosen => td_string!(i18n.get_locale(), upload.source_chosen),
                }}
            </p>
            {v.header_change.clone().map(|c| view! {
                <ul class="mb-3 list-disc pl-5 text-sm text-amber-800 dark:text-amber-200" data-testid="header-change">
                    {(!c.added.is_empty()).then(|| { let l = c.added.join(", "); view! { <li>{move || td_string!(i18n.get_locale(), upload.added_headers, list = l.clone()).to_string()}</li> } })}
                    {(!c.removed.is_empty()).then(|| { let l = c.removed.join(", "); view! { <li>{move || td_string!(i18n.get_locale(), upload.removed_headers, list = l.clone()).to_string()}</li> } })}
                </ul>
            })}
            <div class="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
                {Field::ALL.into_iter().map(|f| {
                    let headers = headers.clone();
                    view! {
                        <label class="block text-sm">
                            <span class="mb-1 block font-medium">
                                {move || texts::field(i18n.get_locale(), f)}
                                <span class="ml-1 text-xs font-normal text-slate-600 dark:text-slate-300">
                                    "(" {move || if f.required() { td_string!(i18n.get_locale(), upload.required) } else { td_string!(i18n.get_locale(), upload.optional) }} ")"
                                </span>
                            </span>
                            <select class=INPUT data-testid=format!("map-{}", f.as_str()) disabled=!open
                                on:change=move |e| {
                                    let value = event_target_value(&e);
                                    mapping.update(|m: &mut Mapping| match value.parse::<usize>() {
                                        Ok(c) => {
                                            // A column serves one field.
                                            m.retain(|_, col| *col != c);
                                            m.insert(f, c);
                                        }
                                        Err(_) => { m.remove(&f); }
                                    });
                                }>
                                <option value="" selected=move || !mapping.with(|m| m.contains_key(&f))>{move || td_string!(i18n.get_locale(), upload.not_mapped)}</option>
                                {headers.iter().enumerate().map(|(i, h)| {
                                    let label = if h.is_empty() { format!("#{}", i + 1) } else { h.clone() };
                                    view! { <option value=i.to_string() selected=move || mapping.with(|m| m.get(&f) == Some(&i))>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                }).collect_view()}
            </div>
            {(!v.missing_fields.is_empty()).then(|| {
                let missing = v.missing_fields.clone();
                view! {
                    <p class="mt-3 text-sm text-amber-800 dark:text-amber-200" role="status" data-testid="missing-fields">
                        {move || {
                            let l = i18n.get_locale();
                            let list = missing.iter().map(|f| texts::field(l, *f)).collect::<Vec<_>>().join(", ");
                            td_string!(l, upload.missing, list = list).to_string()
                        }}
                    </p>
                }
            })}
            {open.then(|| view! {
                <button type="button" class=format!("{BUTTON} mt-4") data-testid="apply-mapping"
                    disabled=move || !changed.get() || !idle() on:click=move |_| apply.run(())>
                    {t!(i18n, upload.apply)}
                </button>
            })}
        </section>
    }
}

/// The actions on a dry-run upload: commit (again, when the same file was committed before), with or without
/// "replace location", or discard.
#[component]
fn CommitPanel(
    counts: Option<Counts>,
    repeat: Option<Repeat>,
    replace: RwSignal<bool>,
    changed: Memo<bool>,
    busy: RwSignal<Option<Busy>>,
    commit: Callback<bool>,
    discard: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let idle = move || busy.get().is_none();
    let no_valid = counts.is_some_and(|c| c.rows == c.rejected);
    let repeated = repeat.is_some();
    view! {
        <section class=CARD aria-labelledby="commit-h" data-testid="commit-panel">
            <h2 id="commit-h" class="sr-only">{t!(i18n, upload.commit)}</h2>
            {repeat.map(|r| view! {
                <p role="status" class="mb-3 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100" data-testid="repeated">
                    {t!(i18n, upload.repeated)} " (" <LocalTime at=r.committed_at /> ")"
                </p>
            })}
            {no_valid.then(|| view! { <p role="status" class="mb-3 text-sm text-amber-800 dark:text-amber-200">{t!(i18n, upload.no_valid_rows)}</p> })}
            <label class="mb-4 flex items-start gap-2 text-sm">
                <input type="checkbox" class="mt-1" data-testid="replace-location"
                    prop:checked=move || replace.get() on:change=move |e| replace.set(event_target_checked(&e)) />
                <span>
                    <span class="font-medium">{t!(i18n, upload.replace_location)}</span>
                    <span class="block text-xs text-slate-600 dark:text-slate-300">{t!(i18n, upload.replace_location_help)}</span>
                </span>
            </label>
            <div class="flex flex-wrap gap-3">
                <button type="button" class=BUTTON data-testid="commit"
                    disabled=move || !idle() || changed.get() || no_valid
                    on:click=move |_| commit.run(repeated)>
                    {move || if repeated { td_string!(i18n.get_locale(), upload.commit_again) } else { td_string!(i18n.get_locale(), upload.commit) }}
                </button>
                <button type="button" class=BUTTON_SECONDARY data-testid="discard" disabled=move || !idle() on:click=move |_| discard.run(())>
                    {t!(i18n, upload.discard)}
                </button>
            </div>
        </section>
    }
}

/// Once the upload is over: what the commit wrote (when it did), and the way on.
#[component]
fn Finished(
    committed: bool,
    counts: Option<Counts>,
    duration_ms: Option<i64>,
    current: RwSignal<Option<UploadView>>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="flex flex-wrap gap-3">
            {committed.then(|| view! {
                <p role="status" class="w-full rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100" data-testid="committed">
                    {move || {
                        // What was written, not what was read (outside testing saw "2000 filas" for 1,990 saved).
                        let l = i18n.get_locale();
                        let c = counts.unwrap_or_default();
                        let secs = crate::ui::number::decimal(l, duration_ms.unwrap_or(0) as f64 / 1000.0, 1);
                        if c.rejected == 0 {
                            td_string!(l, upload.committed, rows = count(l, c.saved()), secs = secs).to_string()
                        } else {
                            td_string!(l, upload.committed_some, saved = count(l, c.saved()), rows = count(l, c.rows), rejected = count(l, c.rejected), secs = secs).to_string()
                        }
                    }}
                </p>
            })}
            <button type="button" class=BUTTON data-testid="start-over" on:click=move |_| { error.set(None); current.set(None); }>
                {t!(i18n, upload.start_over)}
            </button>
            <a href="/inventory" class=BUTTON_SECONDARY>{t!(i18n, upload.my_inventory)}</a>
        </div>
    }
}
