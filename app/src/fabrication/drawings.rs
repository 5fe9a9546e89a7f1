//! A part's drawings on its page: the current one shown (a PDF embedded, a picture as it is, and a link that opens it
//! whole on a phone), every revision with its note, uploader and approval, a lead's button to approve a pending one,
//! and the picker that uploads a new revision with its note, sent as a multipart form with its progress (the REST
//! call scripts make, `POST /api/v1/fabrication/parts/{id}/drawings`); a refused file says why.

use leptos::prelude::*;
use nexus::fabrication::rules::views::Drawing;
use nexus::ids::FabPartId;

use super::part::{drawing_href, fab_approve_drawing};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, LABEL};
use crate::ui::time::LocalTime;

/// What the picker offers (the server checks the content whatever the picker lets through).
const ACCEPT: &str = "application/pdf,image/png,image/jpeg,image/webp";

#[component]
pub fn Drawings(
    id: FabPartId,
    drawings: Vec<Drawing>,
    may_add: bool,
    may_approve: Vec<i32>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<AppError>);
    let sending = RwSignal::new(None::<f64>);
    let note = RwSignal::new(String::new());
    let approve = Action::new(move |rev: &i32| fab_approve_drawing(id, *rev));
    Effect::new(move |_| match approve.value().get() {
        Some(Ok(_)) => changed.update(|c| *c += 1),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
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
            let _ = form.append_with_str("note", &note.get_untracked());
            error.set(None);
            sending.set(Some(0.0));
            crate::ui::file_drop::send_form(
                &format!("/api/v1/fabrication/parts/{}/drawings", id.0),
                &form,
                move |sent, total| sending.set(Some(if total > 0.0 { sent / total } else { 0.0 })),
                move || sending.set(Some(1.0)),
                move |status, text| {
                    sending.set(None);
                    if status == 201 {
                        note.set(String::new());
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
    let current = drawings.iter().find(|d| d.current).cloned();
    view! {
        <section class=CARD aria-labelledby="part-drawings-h" data-testid="part-drawings">
            <h2 id="part-drawings-h" class="mb-3 text-base font-semibold">{t!(i18n, fab.drawings)}</h2>
            {match current {
                Some(d) => {
                    let href = drawing_href(id, &d);
                    let title = td_string!(i18n.get_locale(), fab.drawing_rev, revision = d.revision).to_string();
                    view! {
                        <div class="mb-3" data-testid="part-drawing-current" data-revision=d.revision>
                            {if d.media_type == "application/pdf" {
                                view! { <object data=href.clone() type="application/pdf" title=title.clone() class="hidden h-[32rem] w-full rounded border border-slate-200 sm:block dark:border-slate-700"></object> }.into_any()
                            } else {
                                view! { <img src=href.clone() alt=title.clone() class="max-h-[32rem] w-full rounded border border-slate-200 object-contain dark:border-slate-700" /> }.into_any()
                            }}
                            <a href=href rel="external" target="_blank" class="mt-2 inline-block text-sm font-medium text-[#1d4ed8] underline dark:text-blue-300" data-testid="part-drawing-open">
                                {title}" · "{t!(i18n, fab.open_drawing)}
                            </a>
                        </div>
                    }.into_any()
                }
                None => view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300" data-testid="part-no-drawing">{t!(i18n, fab.no_drawing)}</p> }.into_any(),
            }}
            {(!drawings.is_empty()).then(|| view! {
                <ul class="mb-3 space-y-2" data-testid="part-revisions">
                    {drawings.into_iter().map(|d| {
                        let rev = d.revision;
                        let pending = d.approved_at.is_none();
                        let can = may_approve.contains(&rev);
                        view! {
                            <li class="text-sm" data-testid="part-revision" data-revision=rev data-current=d.current.to_string()>
                                <a class="font-medium text-[#1d4ed8] underline dark:text-blue-300" rel="external" target="_blank" href=drawing_href(id, &d)>
                                    {move || td_string!(i18n.get_locale(), fab.drawing_rev, revision = rev).to_string()}" · "{d.name.clone()}
                                </a>
                                <span class="text-xs text-slate-600 dark:text-slate-300">" · "{d.uploaded_by.name.clone()}" · "<LocalTime at=d.uploaded_at /></span>
                                {d.note.clone().map(|n| view! { <p class="text-xs">{n}</p> })}
                                {pending.then(|| view! { <span class="ml-1 rounded bg-amber-100 px-1.5 text-xs font-semibold text-amber-900 dark:bg-amber-950 dark:text-amber-100">{t!(i18n, fab.pending_approval)}</span> })}
                                {can.then(|| view! {
                                    <button type="button" class=format!("{BUTTON_SECONDARY} ml-2") data-testid="part-approve-drawing"
                                        disabled=move || approve.pending().get() on:click=move |_| { approve.dispatch(rev); }>
                                        {t!(i18n, fab.do_approve_drawing)}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <ErrorBanner error=Signal::derive(move || error.get()) />
            {may_add.then(|| view! {
                <div class="space-y-2">
                    <div>
                        <label for="part-drawing-note" class=LABEL>{t!(i18n, fab.drawing_note)}</label>
                        <input id="part-drawing-note" class=INPUT maxlength="500" data-testid="part-drawing-note"
                            prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="part-drawing-file" class=LABEL>{t!(i18n, fab.upload_drawing)}</label>
                        <input id="part-drawing-file" type="file" accept=ACCEPT class=format!("{BUTTON_SECONDARY} w-full") data-testid="part-drawing-file"
                            aria-describedby="part-drawing-hint" disabled=move || sending.get().is_some() on:change=on_pick />
                        <p id="part-drawing-hint" class="mt-1 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, fab.drawing_hint)}</p>
                    </div>
                    {move || sending.get().map(|p| view! {
                        <progress class="w-full" max="100" value=(p * 100.0).round().to_string() aria-label=move || td_string!(i18n.get_locale(), fab.uploading)></progress>
                    })}
                </div>
            })}
        </section>
    }
}
