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
use crate::ui::components::CARD;
use crate::ui::file_drop::FileDrop;
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
    #[cfg(not(feature = "hydrate"))]
    let _ = (current, error, progress, refresh);
    let on_file = Callback::new(move |file: web_sys::File| {
        #[cfg(feature = "hydrate")]
        send_file(file, busy, progress, current, error, refresh);
        #[cfg(not(feature = "hydrate"))]
        let _ = file;
    });
    let max_mb = 50;
    view! {
        <FileDrop
            busy=Signal::derive(move || busy.get().is_some())
            on_file
            heading="drop-h"
            drop_here=Signal::derive(move || td_string!(i18n.get_locale(), upload.drop_here).to_owned())
            or_pick=Signal::derive(move || td_string!(i18n.get_locale(), upload.or_pick).to_owned())
            pick=Signal::derive(move || td_string!(i18n.get_locale(), upload.pick).to_owned())
            note=Signal::derive(move || td_string!(i18n.get_locale(), upload.formats, mb = max_mb).to_string())
        >
            <h2 id="drop-h" class="sr-only">{t!(i18n, upload.title)}</h2>
            <p class="mb-4 max-w-3xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.intro)}</p>
        </FileDrop>
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
