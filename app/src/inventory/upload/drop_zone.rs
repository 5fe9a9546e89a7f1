//! The upload's first step and its waits: the drop zone (or the file picker) that sends the file, and the progress of
//! what the page waits for (the file going up, then the server at work).

use leptos::prelude::*;
use nexus::inventory::rules::upload::{ProgressView, UploadView};

use super::Busy;
#[cfg(feature = "hydrate")]
use super::send_file;
use crate::error::AppError;
use crate::i18n::*;
use crate::inventory::texts;
use crate::ui::components::{BUTTON, CARD};
use crate::ui::number::count;

#[component]
pub(super) fn DropZone(
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
pub(super) fn Working(busy: RwSignal<Option<Busy>>, progress: RwSignal<Option<ProgressView>>) -> impl IntoView {
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
