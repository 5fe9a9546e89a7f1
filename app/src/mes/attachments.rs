//! A task's attachments on its page: each file with its size, who added it and when (an image or a PDF opens in
//! the browser, anything else downloads), and the picker that adds one, sent as a multipart form with its progress
//! (the REST call scripts make, `POST /api/v1/mes/tasks/{id}/attachments`); a refused file says why.

use leptos::prelude::*;
use nexus::identity::rules::auth::Permission;
use nexus::ids::TaskId;
use nexus::mes::rules::views::Attachment;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, ErrorBanner, LABEL};
use crate::ui::session::use_me;
use crate::ui::time::LocalTime;

/// What the picker offers (the server checks the content whatever the picker lets through).
const ACCEPT: &str = "image/png,image/jpeg,image/webp,image/gif,application/pdf,text/plain,.txt,.csv,.docx,.xlsx";

fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[component]
pub fn Attachments(id: TaskId, attachments: Vec<Attachment>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let may_add = use_me().can(Permission::MesWork);
    let error = RwSignal::new(None::<AppError>);
    let sending = RwSignal::new(None::<f64>);
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let Ok(form) = web_sys::FormData::new() else {
                error.set(Some(AppError::Communication));
                return;
            };
            let _ = form.append_with_blob_and_filename("file", &file, &file.name());
            error.set(None);
            sending.set(Some(0.0));
            crate::ui::file_drop::send_form(
                &format!("/api/v1/mes/tasks/{}/attachments", id.0),
                &form,
                move |sent, total| sending.set(Some(if total > 0.0 { sent / total } else { 0.0 })),
                move || sending.set(Some(1.0)),
                move |status, text| {
                    sending.set(None);
                    if status == 201 {
                        changed.update(|c| *c += 1);
                    } else {
                        error.set(Some(crate::ui::file_drop::answer_error(status, &text)));
                    }
                },
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, id, changed);
    };
    view! {
        <section class=CARD aria-labelledby="task-attachments-h" data-testid="task-attachments">
            <h2 id="task-attachments-h" class="mb-3 text-base font-semibold">{t!(i18n, mes.attachments)}</h2>
            {if attachments.is_empty() {
                view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300" data-testid="attachments-empty">{t!(i18n, mes.no_attachments)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mb-3 space-y-2">
                        {attachments.into_iter().map(|a| view! {
                            <li class="text-sm" data-testid="task-attachment">
                                <a class="font-medium text-[#1d4ed8] underline dark:text-blue-300" rel="external" target="_blank"
                                    href=format!("/api/v1/mes/tasks/{}/attachments/{}", id.0, a.id)>{a.name.clone()}</a>
                                <span class="text-xs text-slate-600 dark:text-slate-300">" · "{size_text(a.size)}" · "{a.by.name.clone()}" · "<LocalTime at=a.at /></span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ErrorBanner error=Signal::derive(move || error.get()) />
            {may_add.then(|| view! {
                <div>
                    <label for="task-attach" class=LABEL>{t!(i18n, mes.attach)}</label>
                    <input id="task-attach" type="file" accept=ACCEPT class=format!("{BUTTON_SECONDARY} w-full") data-testid="task-attach"
                        aria-describedby="task-attach-hint" disabled=move || sending.get().is_some() on:change=on_pick />
                    <p id="task-attach-hint" class="mt-1 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, mes.attach_hint)}</p>
                    {move || sending.get().map(|p| view! {
                        <progress class="mt-2 w-full" max="100" value=(p * 100.0).round().to_string() aria-label=move || td_string!(i18n.get_locale(), mes.attaching)></progress>
                    })}
                </div>
            })}
        </section>
    }
}
