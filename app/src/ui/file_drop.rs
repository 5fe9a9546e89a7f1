//! Files a person brings to the server: the drop zone (or the file picker) that takes one, and the sending of a
//! multipart form by XMLHttpRequest with its upload progress (what `fetch` cannot report). The bodega's inventory
//! upload and the stock room's item import take their files here.

use leptos::prelude::*;

use crate::ui::components::{BUTTON, CARD};

/// What a table file input accepts: delimited text and the workbooks the reader reads.
pub const TABLE_FILES: &str = ".csv,.txt,.tsv,.xlsx,.xls,.ods,text/csv,application/vnd.ms-excel,\
                               application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,\
                               application/vnd.oasis.opendocument.spreadsheet";

/// A drop zone with a file picker: hands the one file dropped or picked to `on_file`. `children`: what it says.
#[component]
pub fn FileDrop(
    /// While true, no file is taken.
    #[prop(into)]
    busy: Signal<bool>,
    on_file: Callback<web_sys::File>,
    /// The heading's id (the section is labelled by it).
    heading: &'static str,
    /// The big line ("Arrastra aquí el archivo"), the small one under it, the picker's label, the note under it.
    #[prop(into)]
    drop_here: Signal<String>,
    #[prop(into)] or_pick: Signal<String>,
    #[prop(into)] pick: Signal<String>,
    #[prop(into)] note: Signal<String>,
    children: Children,
) -> impl IntoView {
    let over = RwSignal::new(false);
    let on_drop = move |e: leptos::ev::DragEvent| {
        e.prevent_default();
        over.set(false);
        if busy.get_untracked() {
            return;
        }
        if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            on_file.run(file);
        }
    };
    let on_pick = move |e: leptos::ev::Event| {
        use web_sys::wasm_bindgen::JsCast;
        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                on_file.run(file);
            }
            input.set_value("");
        }
    };
    view! {
        <section class=CARD aria-labelledby=heading>
            {children()}
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
                <p class="text-base font-semibold">{drop_here}</p>
                <p class="text-sm text-slate-600 dark:text-slate-300">{or_pick}</p>
                <label class=format!("{BUTTON} cursor-pointer focus-within:ring-2 focus-within:ring-[#2b7cee]")>
                    {pick}
                    <input type="file" class="sr-only" data-testid="file-input" accept=TABLE_FILES
                        disabled=move || busy.get() on:change=on_pick />
                </label>
                <p class="text-xs text-slate-600 dark:text-slate-300">{note}</p>
            </div>
        </section>
    }
}

/// Sends `form` to `url` by POST (as JSON is asked back), telling `progress` the bytes sent and their total while the
/// body goes up, `sent` once it is all up, and `done` the status and the body of the answer (status 0: the request
/// never got one).
#[cfg(feature = "hydrate")]
pub fn send_form(
    url: &str,
    form: &web_sys::FormData,
    progress: impl Fn(f64, f64) + 'static,
    sent: impl Fn() + 'static,
    done: impl Fn(u16, String) + 'static,
) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        done(0, String::new());
        return;
    };
    let _ = xhr.open("POST", url);
    let _ = xhr.set_request_header("Accept", "application/json");
    if let Ok(up) = xhr.upload() {
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() {
                progress(e.loaded(), e.total());
            }
        });
        up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
        let on_sent = Closure::<dyn FnMut()>::new(sent);
        up.set_onload(Some(on_sent.as_ref().unchecked_ref()));
        on_sent.forget();
    }
    let done = std::rc::Rc::new(done);
    let done_xhr = xhr.clone();
    let answered = done.clone();
    let on_done = Closure::<dyn FnMut()>::new(move || {
        let status = done_xhr.status().unwrap_or(0);
        let text = done_xhr.response_text().ok().flatten().unwrap_or_default();
        answered(status, text);
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    on_done.forget();
    if xhr.send_with_opt_form_data(Some(form)).is_err() {
        done(0, String::new());
    }
}

/// What a refused answer says (the server's error), else that the server could not be reached.
#[cfg(feature = "hydrate")]
pub fn answer_error(status: u16, text: &str) -> crate::error::AppError {
    use crate::error::AppError;
    serde_json::from_str::<AppError>(text).unwrap_or(if status == 0 {
        AppError::Communication
    } else {
        AppError::Internal
    })
}

/// A file the page keeps to send again (a dry run, then the import), in the browser's own storage. On the server it
/// holds nothing: a browser's file is never there, and a browser-only value made while the server renders is dropped
/// by the render's cleanup, perhaps on another thread than made it, which panics and leaves the response empty (the
/// item import's page once answered nothing, now and then, that way).
#[derive(Clone, Copy)]
pub struct KeptFile {
    #[cfg(feature = "hydrate")]
    file: StoredValue<Option<web_sys::File>, leptos::prelude::LocalStorage>,
}

impl KeptFile {
    pub fn new() -> Self {
        KeptFile {
            #[cfg(feature = "hydrate")]
            file: StoredValue::new_local(None),
        }
    }

    pub fn set(&self, f: Option<web_sys::File>) {
        #[cfg(feature = "hydrate")]
        self.file.set_value(f);
        #[cfg(not(feature = "hydrate"))]
        let _ = f;
    }

    pub fn get(&self) -> Option<web_sys::File> {
        #[cfg(feature = "hydrate")]
        return self.file.get_value();
        #[cfg(not(feature = "hydrate"))]
        None
    }
}

impl Default for KeptFile {
    fn default() -> Self {
        Self::new()
    }
}
