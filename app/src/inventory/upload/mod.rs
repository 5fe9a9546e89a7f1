//! `/inventory/upload`: the bodega drags in (or picks) the file its own system exports and sees it understood:
//! format, encoding, delimiter, sheet and header row (changeable), the first rows raw beside what they mean, the
//! mapping (suggested, saved or adapted; adjustable), then the dry run (counts and rejected rows with their reasons,
//! downloadable) before anything is written; then commits it, with or without "replace location". Below, the history
//! of uploads. The file goes up by XMLHttpRequest (its upload progress shown), processing progress is polled while
//! the server reads a large file; the rest are server functions.
//!
//! Here the server functions, the page and what its steps share (sending the file, following the server's progress,
//! the dry run); beside it `drop_zone.rs` (the drop zone and the progress shown), `review.rs` (the upload as read: the
//! file, the mapping editor, the commit and discard actions), `results.rs` (the first rows, the dry run's counts, the
//! rejected rows) and `history.rs` (the uploads before).

mod drop_zone;
mod history;
mod results;
mod review;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::ids::UploadId;
use nexus::inventory::rules::file::FileProblem;
use nexus::inventory::rules::upload::{ProgressView, ReadChoice, UploadSummary, UploadView};
use nexus::paging::Page;

use self::drop_zone::{DropZone, Working};
use self::history::History;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, ErrorBanner, Loading, PageHeader};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/inventory/upload")]
pub async fn get_upload(id: UploadId) -> Result<UploadView, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::get(&st.pool, &caller, id).await?)
}

/// Reads an upload's file again (another sheet, header row or mapping) and dry-runs it.
#[server(prefix = "/api", endpoint = "ui/inventory/upload/read")]
pub async fn read_upload(id: UploadId, choice: ReadChoice) -> Result<UploadView, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::inventory::service::uploads::reread(&st.pool, &caller, &meta, st.upload_limits, id, choice).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/upload/commit")]
pub async fn commit_upload(id: UploadId, replace_location: bool, allow_repeat: bool) -> Result<UploadView, AppError> {
    use nexus::inventory::service::uploads::{self, CommitOptions};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    let options = CommitOptions { replace_location, allow_repeat };
    Ok(uploads::commit(&st.pool, &caller, &meta, st.upload_limits, id, options).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/upload/discard")]
pub async fn discard_upload(id: UploadId) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::discard(&st.pool, &caller, &crate::state::meta(), id).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/upload/progress")]
pub async fn upload_progress(id: UploadId) -> Result<Option<ProgressView>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::progress(&st.pool, &caller, id).await?)
}

#[server(prefix = "/api", endpoint = "ui/inventory/uploads")]
pub async fn list_uploads(after: Option<String>) -> Result<Page<UploadSummary>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::inventory::service::uploads::history(&st.pool, &caller, after.as_deref()).await?)
}

/// What the page is busy with.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Busy {
    /// The file going up: its name, bytes sent and total.
    Sending { name: String, sent: f64, total: f64 },
    /// The server reading, matching or writing (progress polled by the upload's id).
    Working { id: Option<UploadId> },
}

#[component]
pub fn UploadPage() -> impl IntoView {
    let query = use_query_map();
    // An upload named in the URL (from the history) is opened.
    let opened = Resource::new(
        move || query.with(|q| q.get("id").and_then(|id| id.parse::<UploadId>().ok())),
        |id| async move {
            match id {
                Some(id) => get_upload(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let refresh = RwSignal::new(0u32);
    // The history's page is in the URL (`?after=`), so it pages with or without JavaScript.
    let history = Resource::new(
        move || (refresh.get(), query.with(|q| q.get("after")).filter(|a| !a.is_empty())),
        |(_, after)| list_uploads(after),
    );
    view! {
        <Protected permission=Permission::InventoryManage>
            <Upload opened history refresh />
        </Protected>
    }
}

#[component]
fn Upload(
    opened: Resource<Result<Option<UploadView>, AppError>>,
    history: Resource<Result<Page<UploadSummary>, AppError>>,
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
                Some(v) => view! { <review::UploadView v current error busy progress refresh /> }.into_any(),
            }}
            <History history refresh />
        </div>
    }
}

/// Polls the processing progress of `id` while `busy` says the server works on it.
fn follow(busy: RwSignal<Option<Busy>>, progress: RwSignal<Option<ProgressView>>, id: UploadId) {
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
    let name = file.name();
    let total = file.size();
    error.set(None);
    busy.set(Some(Busy::Sending { name: name.clone(), sent: 0.0, total }));
    let Ok(form) = web_sys::FormData::new() else {
        error.set(Some(AppError::Communication));
        busy.set(None);
        return;
    };
    let _ = form.append_with_blob_and_filename("file", &file, &name);
    let _ = form.append_with_str("defer", "true");
    let sending = name.clone();
    crate::ui::file_drop::send_form(
        "/api/v1/inventory/uploads",
        &form,
        move |sent, total| busy.set(Some(Busy::Sending { name: sending.clone(), sent, total })),
        move || busy.set(Some(Busy::Working { id: None })),
        move |status, text| {
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
                error.set(Some(crate::ui::file_drop::answer_error(status, &text)));
                busy.set(None);
            }
        },
    );
}

/// Reads the upload again under `choice` (a dry run), following its progress.
fn dry_run(
    id: UploadId,
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

/// Whether a file problem ends the upload (as opposed to a choice to correct).
pub fn ends_upload(p: &FileProblem) -> bool {
    !matches!(p, FileProblem::Mapping { .. } | FileProblem::NoSuchHeaderRow { .. } | FileProblem::NoSuchSheet { .. })
}
