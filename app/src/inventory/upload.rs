//! `/inventory/upload`: the bodega drags in (or picks) the file its own system exports and sees it understood:
//! format, encoding, delimiter, sheet and header row (changeable), the first rows raw beside what they mean, the
//! mapping (suggested, saved or adapted; adjustable), then the dry run (counts and rejected rows with their reasons,
//! downloadable) before anything is written; then commits it, with or without "replace location". Below, the history
//! of uploads. The file goes up by XMLHttpRequest (its upload progress shown), processing progress is polled while
//! the server reads a large file; the rest are server functions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::inventory::rules::file::FileProblem;
use nexus::inventory::rules::mapping::Field;
use nexus::inventory::rules::row::Counts;
use nexus::inventory::rules::upload::{
    Mapping, MappingSource, Parsed, ProgressView, ReadChoice, UploadStatus, UploadSummary, UploadView,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::*;
use crate::inventory::texts;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader,
};
use crate::ui::number::{count, money};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/inventory/upload")]
pub async fn get_upload(id: Uuid) -> Result<UploadView, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::get(&st.pool, &caller, id).await?)
}

/// Reads an upload's file again (another sheet, header row or mapping) and dry-runs it.
#[server(prefix = "/api", endpoint = "ui/inventory/upload/read")]
pub async fn read_upload(id: Uuid, choice: ReadChoice) -> Result<UploadView, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::inventory::service::uploads::reread(&st.pool, &caller, &meta, st.upload_limits, id, choice).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/upload/commit")]
pub async fn commit_upload(id: Uuid, replace_location: bool, allow_repeat: bool) -> Result<UploadView, AppError> {
    use nexus::inventory::service::uploads::{self, CommitOptions};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    let options = CommitOptions { replace_location, allow_repeat };
    Ok(uploads::commit(&st.pool, &caller, &meta, st.upload_limits, id, options).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/upload/discard")]
pub async fn discard_upload(id: Uuid) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::discard(&st.pool, &caller, &crate::state::meta(), id).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/upload/progress")]
pub async fn upload_progress(id: Uuid) -> Result<Option<ProgressView>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::progress(&st.pool, &caller, id).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/uploads")]
pub async fn list_uploads(before: Option<Uuid>) -> Result<Vec<UploadSummary>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::history(&st.pool, &caller, before).await?)
}

/// What the page is busy with.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Busy {
    /// The file going up: its name, bytes sent and total.
    Sending { name: String, sent: f64, total: f64 },
    /// The server reading, matching or writing (progress polled by the upload's id).
    Working { id: Option<Uuid> },
}

#[component]
pub fn UploadPage() -> impl IntoView {
    let query = use_query_map();
    // An upload named in the URL (from the history) is opened.
    let opened = Resource::new(
        move || query.with(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok())),
        |id| async move {
            match id {
                Some(id) => get_upload(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let refresh = RwSignal::new(0u32);
    let history = Resource::new(move || refresh.get(), |_| list_uploads(None));
    view! {
        <Protected permission=Permission::InventoryManage>
            <Upload opened history refresh />
        </Protected>
    }
}

#[component]
fn Upload(
    opened: Resource<Result<Option<UploadView>, AppError>>,
    history: Resource<Result<Vec<UploadSummary>, AppError>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(None::<UploadView>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(None::<Busy>);
    let progress = RwSignal::new(None::<ProgressView>);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), upload.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, upload.title))>
            <a href="/inventory" class=BUTTON_SECONDARY>{t!(i18n, upload.my_inventory)}</a>
        </PageHeader>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                if let Ok(Some(v)) = opened.await {
                    current.set(Some(v));
                }
            })}
        </Transition>
        <div class="space-y-6">
            <ErrorBanner error=Signal::derive(move || error.get()) />
            <Working busy progress />
            {move || match current.get() {
                None => view! { <DropZone current error busy progress refresh /> }.into_any(),
                Some(v) => view! { <UploadView v current error busy progress refresh /> }.into_any(),
            }}
            <History history refresh />
        </div>
    }
}

/// Polls the processing progress of `id` while `busy` says the server works on it.
fn follow(busy: RwSignal<Option<Busy>>, progress: RwSignal<Option<ProgressView>>, id: Uuid) {
    busy.set(Some(Busy::Working { id: Some(id) }));
    progress.set(None);
    // The page may be gone (navigated away) while a poll runs: then the signals are too, and the poll stops.
    let working = move || busy.try_get_untracked().flatten() == Some(Busy::Working { id: Some(id) });
    // Not a reactive value: the page's parts that start a poll may be gone (re-rendered) before it ends.
    let handle = std::sync::Arc::new(std::sync::Mutex::new(None::<IntervalHandle>));
    let own = handle.clone();
    let tick = move || {
        if !working() {
            if let Some(h) = own.lock().ok().and_then(|mut h| h.take()) {
                h.clear();
            }
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(p) = upload_progress(id).await
                && working()
            {
                progress.try_set(p);
            }
        });
    };
    if let Ok(h) = set_interval_with_handle(tick, std::time::Duration::from_millis(400))
        && let Ok(mut slot) = handle.lock()
    {
        *slot = Some(h);
    }
}

/// Sends `file` (the form field `file`, read as its own bytes by the server) and returns the recorded upload.
#[cfg(feature = "hydrate")]
fn send_file(
    file: web_sys::File,
    busy: RwSignal<Option<Busy>>,
    progress: RwSignal<Option<ProgressView>>,
    current: RwSignal<Option<UploadView>>,
    error: RwSignal<Option<AppError>>,
    refresh: RwSignal<u32>,
) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let name = file.name();
    let total = file.size();
    error.set(None);
    busy.set(Some(Busy::Sending { name: name.clone(), sent: 0.0, total }));
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        error.set(Some(AppError::Communication));
        busy.set(None);
        return;
    };
    let form = match web_sys::FormData::new() {
        Ok(f) => f,
        Err(_) => {
            error.set(Some(AppError::Communication));
            busy.set(None);
            return;
        }
    };
    let _ = form.append_with_blob_and_filename("file", &file, &name);
    let _ = form.append_with_str("defer", "true");
    let _ = xhr.open("POST", "/api/v1/inventory/uploads");
    let _ = xhr.set_request_header("Accept", "application/json");
    if let Ok(up) = xhr.upload() {
        let name = name.clone();
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() {
                busy.set(Some(Busy::Sending { name: name.clone(), sent: e.loaded(), total: e.total() }));
            }
        });
        up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
        let on_sent = Closure::<dyn FnMut()>::new(move || busy.set(Some(Busy::Working { id: None })));
        up.set_onload(Some(on_sent.as_ref().unchecked_ref()));
        on_sent.forget();
    }
    let done_xhr = xhr.clone();
    let on_done = Closure::<dyn FnMut()>::new(move || {
        let status = done_xhr.status().unwrap_or(0);
        let text = done_xhr.response_text().ok().flatten().unwrap_or_default();
        if status == 201 {
            match serde_json::from_str::<UploadView>(&text) {
                Ok(v) => {
                    let id = v.id;
                    current.set(Some(v.clone()));
                    refresh.update(|n| *n += 1);
                    // The dry run, followed by its progress.
                    if v.missing_fields.is_empty() {
                        // As read: the same sheet and header; the mapping found again (saved or suggested), not
                        // "chosen".
                        let choice =
                            ReadChoice { sheet: v.sheet.clone(), header_row: Some(v.header_row), mapping: None };
                        dry_run(id, choice, busy, progress, current, error, refresh);
                    } else {
                        busy.set(None);
                    }
                }
                Err(_) => {
                    error.set(Some(AppError::Internal));
                    busy.set(None);
                }
            }
        } else {
            error.set(Some(serde_json::from_str::<AppError>(&text).unwrap_or(if status == 0 {
                AppError::Communication
            } else {
                AppError::Internal
            })));
            busy.set(None);
        }
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    on_done.forget();
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        error.set(Some(AppError::Communication));
        busy.set(None);
    }
}

/// Reads the upload again under `choice` (a dry run), following its progress.
fn dry_run(
    id: Uuid,
    choice: ReadChoice,
    busy: RwSignal<Option<Busy>>,
    progress: RwSignal<Option<ProgressView>>,
    current: RwSignal<Option<UploadView>>,
    error: RwSignal<Option<AppError>>,
    refresh: RwSignal<u32>,
) {
    error.set(None);
    follow(busy, progress, id);
    leptos::task::spawn_local(async move {
        match read_upload(id, choice).await {
            Ok(v) => current.set(Some(v)),
            Err(e) => {
                if let Some(problem) = e.reason::<FileProblem>()
                    && ends_upload(&problem)
                {
                    // The file was refused whole: the upload is over.
                    current.set(None);
                }
                error.set(Some(e));
            }
        }
        busy.set(None);
        refresh.update(|n| *n += 1);
    });
}

#[component]
fn DropZone(
    current: RwSignal<Option<UploadView>>,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<Option<Busy>>,
    progress: RwSignal<Option<ProgressView>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let over = RwSignal::new(false);
    #[cfg(not(feature = "hydrate"))]
    let _ = (current, error, progress, refresh);
    #[cfg(feature = "hydrate")]
    let take = move |file: web_sys::File| send_file(file, busy, progress, current, error, refresh);
    let on_drop = move |e: leptos::ev::DragEvent| {
        e.prevent_default();
        over.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            take(file);
        }
    };
    let on_pick = move |e: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    take(file);
                }
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    };
    let max_mb = 50;
    view! {
        <section class=CARD aria-labelledby="drop-h">
            <h2 id="drop-h" class="sr-only">{t!(i18n, upload.title)}</h2>
            <p class="mb-4 max-w-3xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.intro)}</p>
            <div
                data-testid="drop-zone"
                class=move || format!(
                    "flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed px-6 py-12 text-center transition {}",
                    if over.get() { "border-[#2b7cee] bg-[#2b7cee]/10" } else { "border-slate-300 dark:border-slate-600" }
                )
                on:dragover=move |e: leptos::ev::DragEvent| { e.prevent_default(); over.set(true); }
                on:dragenter=move |e: leptos::ev::DragEvent| { e.prevent_default(); over.set(true); }
                on:dragleave=move |_| over.set(false)
                on:drop=on_drop
            >
                <svg aria-hidden="true" class="h-10 w-10 text-slate-400" fill="none" viewBox="0 0 24 24" stroke="currentColor" stroke-width="1.5">
                    <path stroke-linecap="round" stroke-linejoin="round" d="M12 16V4m0 0l-4 4m4-4l4 4M4 16v2a2 2 0 002 2h12a2 2 0 002-2v-2" />
                </svg>
                <p class="text-base font-semibold">{t!(i18n, upload.drop_here)}</p>
                <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.or_pick)}</p>
                <label class=format!("{BUTTON} cursor-pointer focus-within:ring-2 focus-within:ring-[#2b7cee]")>
                    {t!(i18n, upload.pick)}
                    <input
                        type="file"
                        class="sr-only"
                        data-testid="file-input"
                        accept=".csv,.txt,.tsv,.xlsx,.xls,.ods,text/csv,application/vnd.ms-excel,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.spreadsheet"
                        disabled=move || busy.get().is_some()
                        on:change=on_pick
                    />
                </label>
                <p class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, upload.formats, mb = max_mb)}</p>
            </div>
        </section>
    }
}

/// The progress of what the page waits for: the file going up, then the server at work.
#[component]
fn Working(busy: RwSignal<Option<Busy>>, progress: RwSignal<Option<ProgressView>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let b = busy.get()?;
        let (label, fraction, detail) = match b {
            Busy::Sending { name, sent, total } => {
                let l = i18n.get_locale();
                let mb = |b: f64| format!("{:.1} MB", b / 1_048_576.0);
                (
                    td_string!(l, upload.uploading, name = name).to_string(),
                    Some(if total > 0.0 { sent / total } else { 0.0 }),
                    td_string!(l, upload.uploaded_of, done = mb(sent), total = mb(total)).to_string(),
                )
            }
            Busy::Working { .. } => {
                let l = i18n.get_locale();
                match progress.get() {
                    Some(p) => (
                        texts::phase(l, p.phase).to_owned(),
                        Some(f64::from(p.fraction)),
                        td_string!(l, upload.rows_read, rows = count(l, p.rows_read as i64)).to_string(),
                    ),
                    None => (td_string!(l, upload.working).to_owned(), None, String::new()),
                }
            }
        };
        let pct = fraction.map(|f| (f.clamp(0.0, 1.0) * 100.0).round() as u32);
        Some(view! {
            <section class=CARD role="status" aria-live="polite" data-testid="upload-progress">
                <p class="mb-2 text-sm font-medium">{label}</p>
                <div class="h-3 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
                    role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.map(|p| p.to_string())
                    aria-label=move || td_string!(i18n.get_locale(), upload.working)>
                    <div class=if pct.is_some() { "h-full rounded-full bg-[#2b7cee] transition-all" } else { "h-full w-1/3 animate-pulse rounded-full bg-[#2b7cee]" }
                        style=pct.map(|p| format!("width: {p}%"))></div>
                </div>
                <p class="mt-1 text-xs text-slate-600 dark:text-slate-300">{detail}</p>
            </section>
        })
    }
}

#[component]
fn UploadView(
    v: UploadView,
    current: RwSignal<Option<UploadView>>,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<Option<Busy>>,
    progress: RwSignal<Option<ProgressView>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
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
    let apply = move |_| {
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
    };
    let commit = move |allow_repeat: bool| {
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
    };
    let discard = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match discard_upload(id).await {
                Ok(()) => current.set(None),
                Err(e) => error.set(Some(e)),
            }
            refresh.update(|n| *n += 1);
        });
    };
    let idle = move || busy.get().is_none();
    let headers = v.headers.clone();
    let locale_lang = move || match i18n.get_locale() {
        Locale::es => "es",
        Locale::en => "en",
    };
    let rejects_href = move || format!("/api/v1/inventory/uploads/{id}/rejects.csv?lang={}", locale_lang());
    let counts = v.counts;
    let committed = v.status == UploadStatus::Committed;
    let repeat = v.repeat_of.clone();
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
                    disabled=move || !changed.get() || !idle() on:click=apply>
                    {t!(i18n, upload.apply)}
                </button>
            })}
        </section>

        <Preview v=v.clone() />

        {counts.map(|c| view! { <DryRun c committed /> })}

        {(!v.rejects.is_empty()).then(|| {
            let total = counts.map_or(v.rejects.len() as i64, |c| c.rejected);
            let shown = v.rejects.len();
            let rejects = v.rejects.clone();
            view! {
                <section class=CARD_FLUSH aria-labelledby="rejects-h" data-testid="rejects">
                    <div class="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
                        <h2 id="rejects-h" class="text-lg font-semibold">{t!(i18n, upload.rejects)}</h2>
                        <a class=BUTTON_SECONDARY href=rejects_href download="" data-testid="download-rejects" rel="external">{t!(i18n, upload.download_rejects)}</a>
                    </div>
                    {(total > shown as i64).then(|| view! {
                        <p class="px-4 pb-2 text-xs text-slate-600 dark:text-slate-300">
                            {move || { let l = i18n.get_locale(); td_string!(l, upload.rejects_more, shown = shown, total = count(l, total)).to_string() }}
                        </p>
                    })}
                    <table class="w-full text-left text-sm">
                        <thead class="border-y border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                            <tr><th scope="col" class="px-4 py-2">{t!(i18n, upload.line)}</th><th scope="col" class="px-4 py-2">{t!(i18n, upload.reason)}</th></tr>
                        </thead>
                        <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                            {rejects.into_iter().map(|r| view! {
                                <tr data-testid="reject">
                                    <td class="px-4 py-2 tabular-nums">{r.line}</td>
                                    <td class="px-4 py-2">{move || texts::row_problem(i18n.get_locale(), &r.problem)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })}

        {(open && counts.is_some()).then(|| {
            let no_valid = counts.is_some_and(|c| c.rows == c.rejected);
            let repeat = repeat.clone();
            let repeated = repeat.is_some();
            view! {
                <section class=CARD aria-labelledby="commit-h" data-testid="commit-panel">
                    <h2 id="commit-h" class="sr-only">{t!(i18n, upload.commit)}</h2>
                    {repeat.clone().map(|r| view! {
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
                            on:click=move |_| commit(repeated)>
                            {move || if repeated { td_string!(i18n.get_locale(), upload.commit_again) } else { td_string!(i18n.get_locale(), upload.commit) }}
                        </button>
                        <button type="button" class=BUTTON_SECONDARY data-testid="discard" disabled=move || !idle() on:click=discard>
                            {t!(i18n, upload.discard)}
                        </button>
                    </div>
                </section>
            }
        })}

        {(!open).then(|| view! {
            <div class="flex flex-wrap gap-3">
                {committed.then(|| view! {
                    <p role="status" class="w-full rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100" data-testid="committed">
                        {move || {
                            let l = i18n.get_locale();
                            let rows = count(l, counts.map_or(0, |c| c.rows));
                            let secs = format!("{:.1}", v.duration_ms.unwrap_or(0) as f64 / 1000.0);
                            td_string!(l, upload.committed, rows = rows, secs = secs).to_string()
                        }}
                    </p>
                })}
                <button type="button" class=BUTTON data-testid="start-over" on:click=move |_| { error.set(None); current.set(None); }>
                    {t!(i18n, upload.start_over)}
                </button>
                <a href="/inventory" class=BUTTON_SECONDARY>{t!(i18n, upload.my_inventory)}</a>
            </div>
        })}
    }
}

/// The first rows, raw, beside what they mean.
#[component]
fn Preview(v: UploadView) -> impl IntoView {
    let i18n = use_i18n();
    if v.preview.is_empty() {
        return ().into_any();
    }
    let width = v.preview.iter().map(|r| r.cells.len()).max().unwrap_or(0).max(v.headers.len());
    let headers = v.headers.clone();
    view! {
        <section class=CARD_FLUSH aria-labelledby="preview-h" tabindex="0" data-testid="preview">
            <div class="px-4 py-3">
                <h2 id="preview-h" class="text-lg font-semibold">{t!(i18n, upload.preview)}</h2>
                <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.preview_help)}</p>
            </div>
            <table class="w-full min-w-[640px] text-left text-sm">
                <thead class="border-y border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                    <tr>
                        <th scope="col" class="px-3 py-2">{t!(i18n, upload.line)}</th>
                        {(0..width).map(|i| view! { <th scope="col" class="px-3 py-2">{headers.get(i).cloned().unwrap_or_default()}</th> }).collect_view()}
                        <th scope="col" class="px-3 py-2">{t!(i18n, upload.understood)}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                    {v.preview.into_iter().map(|r| {
                        let parsed = r.parsed.clone();
                        view! {
                            <tr data-testid="preview-row">
                                <td class="px-3 py-2 tabular-nums text-slate-600 dark:text-slate-300">{r.line}</td>
                                {(0..width).map(|i| view! { <td class="px-3 py-2">{r.cells.get(i).cloned().unwrap_or_default()}</td> }).collect_view()}
                                <td class="px-3 py-2" data-testid="parsed">
                                    {move || {
                                        let l = i18n.get_locale();
                                        match &parsed {
                                            None => view! { <span class="text-slate-500 dark:text-slate-400">"—"</span> }.into_any(),
                                            Some(Parsed::Valid { key, price_cents, stock, location, min_order_qty }) => {
                                                let loc = if location.is_empty() { td_string!(l, upload.default_location).to_owned() } else { location.clone() };
                                                let moq = min_order_qty.map(|m| format!(" · ≥{m}")).unwrap_or_default();
                                                view! {
                                                    <span class="text-emerald-800 dark:text-emerald-300">
                                                        <span class="font-mono">{key.clone()}</span>
                                                        {format!(" · {} · {} · {loc}{moq}", money(l, *price_cents, "MXN"), count(l, *stock))}
                                                    </span>
                                                }.into_any()
                                            }
                                            Some(Parsed::Rejected { problem }) => view! {
                                                <span class="text-red-700 dark:text-red-300">{texts::row_problem(l, problem)}</span>
                                            }.into_any(),
                                        }
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn DryRun(c: Counts, committed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let cards = move || {
        let l = i18n.get_locale();
        let mut list = vec![
            ("rows", td_string!(l, upload.c_rows), c.rows),
            ("new", td_string!(l, upload.c_new), c.new_items),
            ("price", td_string!(l, upload.c_price), c.price_changes),
            ("stock", td_string!(l, upload.c_stock), c.stock_changes),
            ("unchanged", td_string!(l, upload.c_unchanged), c.unchanged),
            ("rejected", td_string!(l, upload.c_rejected), c.rejected),
        ];
        if c.zeroed > 0 {
            let label = if committed { td_string!(l, upload.c_zeroed_done) } else { td_string!(l, upload.c_zeroed) };
            list.push(("zeroed", label, c.zeroed));
        }
        list.into_iter()
            .map(|(key, label, n)| {
                view! {
                    <div class="rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid=format!("count-{key}")>
                        <dt class="text-xs text-slate-600 dark:text-slate-300">{label}</dt>
                        <dd class="text-2xl font-bold tabular-nums" data-value=n.to_string()>{count(l, n)}</dd>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <section class=CARD aria-labelledby="dry-h" data-testid="dry-run">
            <h2 id="dry-h" class="text-lg font-semibold">
                {move || if committed { td_string!(i18n.get_locale(), upload.result) } else { td_string!(i18n.get_locale(), upload.dry_run) }}
            </h2>
            {(!committed).then(|| view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.dry_run_help)}</p> })}
            <dl class="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-7">{cards}</dl>
        </section>
    }
}

#[component]
fn History(history: Resource<Result<Vec<UploadSummary>, AppError>>, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let _ = refresh;
    let more = RwSignal::new(Vec::<UploadSummary>::new());
    let loading_more = RwSignal::new(false);
    let exhausted = RwSignal::new(false);
    view! {
        <section class=CARD_FLUSH aria-labelledby="history-h" tabindex="0" data-testid="history">
            <h2 id="history-h" class="px-4 py-3 text-lg font-semibold">{t!(i18n, upload.history)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(e) => view! { <div class="px-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="px-4 pb-4 text-sm text-slate-600 dark:text-slate-300" data-testid="history-empty">{t!(i18n, upload.history_empty)}</p>
                        }.into_any(),
                        Ok(list) => {
                            more.set(Vec::new());
                            exhausted.set(list.len() < 50);
                            let first = list.clone();
                            let load_more = move |_| {
                                let last = more.with_untracked(|m| m.last().map(|u| u.id)).or_else(|| first.last().map(|u| u.id));
                                loading_more.set(true);
                                leptos::task::spawn_local(async move {
                                    if let Ok(page) = list_uploads(last).await {
                                        exhausted.set(page.len() < 50);
                                        more.update(|m| m.extend(page));
                                    }
                                    loading_more.set(false);
                                });
                            };
                            view! {
                                <table class="w-full min-w-[720px] text-left text-sm">
                                    <thead class="border-y border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                                        <tr>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_when)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_file)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_who)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_status)}</th>
                                            <th scope="col" class="px-4 py-2">{t!(i18n, upload.h_counts)}</th>
                                            <th scope="col" class="px-4 py-2 text-right">{t!(i18n, upload.h_duration)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {list.into_iter().map(|u| view! { <HistoryRow u /> }).collect_view()}
                                        {move || more.get().into_iter().map(|u| view! { <HistoryRow u /> }).collect_view()}
                                    </tbody>
                                </table>
                                {move || (!exhausted.get()).then(|| view! {
                                    <div class="px-4 py-3">
                                        <button type="button" class=BUTTON_SECONDARY disabled=move || loading_more.get() on:click=load_more.clone()>{t!(i18n, upload.more)}</button>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryRow(u: UploadSummary) -> impl IntoView {
    let i18n = use_i18n();
    let status = u.status;
    let counts = u.counts;
    let problem = u.problem.clone();
    view! {
        <tr data-testid="history-row" data-status=status.as_str()>
            <td class="px-4 py-2 whitespace-nowrap"><LocalTime at=u.created_at /></td>
            <td class="px-4 py-2 break-all">
                <a class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" href=format!("/inventory/upload?id={}", u.id)>{u.file_name.clone()}</a>
            </td>
            <td class="px-4 py-2">{u.created_by.clone().unwrap_or_default()}</td>
            <td class="px-4 py-2">
                {move || texts::status(i18n.get_locale(), status)}
                {problem.clone().map(|p| view! { <span class="block text-xs text-red-700 dark:text-red-300">{move || texts::file_problem(i18n.get_locale(), &p)}</span> })}
            </td>
            <td class="px-4 py-2 text-xs">
                {move || counts.map(|c| {
                    let l = i18n.get_locale();
                    td_string!(l, upload.counts_short, new = count(l, c.new_items), changed = count(l, c.price_changes.max(c.stock_changes)), rejected = count(l, c.rejected)).to_string()
                })}
            </td>
            <td class="px-4 py-2 text-right tabular-nums">{u.duration_ms.map(|d| format!("{:.1} s", d as f64 / 1000.0))}</td>
        </tr>
    }
}

/// Whether a file problem ends the upload (as opposed to a choice to correct).
pub fn ends_upload(p: &FileProblem) -> bool {
    !matches!(p, FileProblem::Mapping { .. } | FileProblem::NoSuchHeaderRow { .. } | FileProblem::NoSuchSheet { .. })
}
