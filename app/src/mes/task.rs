//! `/mes/tasks/:id`: a task: what, for whom, about which line, its state; the actions the reader may take now (big
//! targets: a tablet on the floor), each sent with the version the page shows and a key of its own (a double tap is
//! one action; a task changed meanwhile is refused, naming who changed it); its timeline (every transition: who,
//! when, from, to, why); its comments (an @handle tells that person). Read on opening; follows the live channel.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use nexus::identity::rules::auth::Permission;
use nexus::ids::TaskId;
use nexus::mes::rules::tasks::{TaskAction, TaskState};
use nexus::mes::rules::views::{Comment, TaskDetail};
use nexus::workflow::machine::Event;

use super::tasks::{Marks, assignee_text};
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, LABEL, Loading, LocalTime, PageHeader, new_key,
};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/mes/task")]
pub async fn mes_task(id: TaskId) -> Result<TaskDetail, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::tasks::get(&st.pool, &caller, id).await?)
}

/// A transition as the page sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    pub id: TaskId,
    pub action: TaskAction,
    pub comment: String,
    pub version: i32,
    pub key: String,
}

#[server(prefix = "/api", endpoint = "ui/mes/task-step")]
pub async fn mes_step(step: Step) -> Result<TaskDetail, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let comment = Some(step.comment.as_str()).filter(|c| !c.trim().is_empty());
    Ok(nexus::mes::service::tasks::transition(
        &st.pool,
        &caller,
        step.id,
        step.action,
        comment,
        Some(step.version),
        Some(&step.key),
    )
    .await?)
}

#[server(prefix = "/api", endpoint = "ui/mes/task-comment")]
pub async fn mes_comment(id: TaskId, body: String, key: String) -> Result<Comment, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::tasks::comment(&st.pool, &caller, id, &body, Some(&key)).await?)
}

#[server(prefix = "/api", endpoint = "ui/mes/task-read")]
pub async fn mes_read(id: TaskId) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::tasks::mark_read(&st.pool, &caller, id).await?)
}

#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<TaskId>().ok()));
    let changed = RwSignal::new(0_u64);
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.production.get()));
    let task = Resource::new(
        move || (id(), changed.get(), heard.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => mes_task(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Protected permission=Permission::MesRead>
            <TaskBody task changed />
        </Protected>
    }
}

#[component]
fn TaskBody(task: Resource<Result<TaskDetail, AppError>>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    // The version this page last showed (or its own action made): a newer one heard live is someone else's.
    let own = RwSignal::new(None::<i32>);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match task.await {
                    Ok(d) => view! { <Detail d changed own /> }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::layout::NotFound /> }.into_any(),
                    Err(e) => view! {
                        <Title text=move || td_string!(i18n.get_locale(), mes.title) />
                        <ErrorBanner error=Signal::stored(Some(e)) />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(d: TaskDetail, changed: RwSignal<u64>, own: RwSignal<Option<i32>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = d.task.clone();
    let id = t.id;
    // Read on opening (and whenever it changes while open).
    #[cfg(feature = "hydrate")]
    if t.unread {
        leptos::task::spawn_local(async move {
            let _ = mes_read(id).await;
        });
    }
    // A version other than the last this page showed, and not of its own action: someone else changed it.
    let by_others = own.get_untracked().is_some_and(|v| v != t.version);
    own.update_untracked(|v| *v = Some(t.version));
    let title = t.title.clone();
    let who = t.clone();
    view! {
        <Title text=title.clone() />
        <PageHeader title=ViewFn::from(move || title.clone())>
            <a href="/mes/tasks" class=BUTTON_SECONDARY>{t!(i18n, mes.title)}</a>
        </PageHeader>
        {by_others.then(|| view! {
            <p role="status" class="mb-4 rounded-lg border border-blue-300 bg-blue-50 px-4 py-3 text-sm text-blue-900 dark:border-blue-800 dark:bg-blue-950/60 dark:text-blue-100" data-testid="task-changed-live">
                {t!(i18n, mes.changed_live)}
            </p>
        })}
        <div class="grid gap-4 lg:grid-cols-[2fr_1fr]">
            <div class="space-y-4">
                <section class=CARD data-testid="task" data-state=t.state.as_str() data-version=t.version>
                    <div class="mb-3 flex flex-wrap items-center gap-2">
                        <span class="rounded-full bg-slate-200 px-3 py-1 text-sm font-semibold dark:bg-slate-700" data-testid="task-state">
                            {move || texts::state(i18n.get_locale(), t.state)}
                        </span>
                        <Marks blocker=t.blocker overdue=t.overdue unread=false />
                    </div>
                    <dl class="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, mes.col_assignee)}</dt>
                            <dd class="font-medium" data-testid="task-assignee">{move || assignee_text(i18n.get_locale(), &who)}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, mes.col_line)}</dt>
                            <dd>{t.line.as_ref().map(|l| format!("{} · {}", l.code, l.name)).unwrap_or_else(|| "—".into())}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, mes.col_due)}</dt>
                            <dd class="tabular-nums">{t.due_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, mes.col_category)}</dt>
                            <dd>{t.category.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "—".into())}</dd></div>
                    </dl>
                    <p class="mt-2 text-xs text-slate-600 dark:text-slate-300">
                        {let name = t.creator.name.clone(); move || td_string!(i18n.get_locale(), mes.created_by, name = name.clone()).to_string()}
                        " · " <LocalTime at=t.created_at />
                    </p>
                    {(!d.description.is_empty()).then(|| view! {
                        <p class="mt-3 whitespace-pre-line text-sm">{d.description.clone()}</p>
                    })}
                </section>
                <Actions id version=t.version actions=d.actions.clone() changed own />
                <super::attachments::Attachments id attachments=d.attachments.clone() changed />
                <Comments id comments=d.comments.clone() changed />
            </div>
            <Timeline events=d.timeline.clone() />
        </div>
    }
}

/// What the reader may do now: a button each, the comment (a rejection's reason) above them.
#[component]
fn Actions(
    id: TaskId,
    version: i32,
    actions: Vec<TaskAction>,
    changed: RwSignal<u64>,
    own: RwSignal<Option<i32>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let comment = RwSignal::new(String::new());
    let step = Action::new(|s: &Step| mes_step(s.clone()));
    let error = Signal::derive(move || step.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(d)) = step.value().get() {
            own.set(Some(d.task.version));
            changed.update(|c| *c += 1);
        }
    });
    if actions.is_empty() {
        return view! {
            <section class=CARD aria-labelledby="task-actions-h">
                <h2 id="task-actions-h" class="mb-1 text-base font-semibold">{t!(i18n, mes.actions)}</h2>
                <p class="text-sm text-slate-600 dark:text-slate-300" data-testid="task-no-actions">{t!(i18n, mes.no_actions)}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class=CARD aria-labelledby="task-actions-h" data-testid="task-actions">
            <h2 id="task-actions-h" class="mb-3 text-base font-semibold">{t!(i18n, mes.actions)}</h2>
            <label for="task-comment" class=LABEL>{t!(i18n, mes.reason_label)}</label>
            <textarea id="task-comment" rows="2" class=INPUT maxlength="2000" data-testid="task-step-comment"
                prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            <p role="alert" class="mt-2 text-sm text-red-700 dark:text-red-300" data-testid="task-refused">
                {move || error.get().and_then(|e| texts::refusal(i18n.get_locale(), &e))}
            </p>
            {move || error.get().filter(|e| texts::refusal(i18n.get_locale(), e).is_none()).map(|e| view! { <ErrorBanner error=Signal::stored(Some(e)) /> })}
            <div class="mt-3 flex flex-wrap gap-3">
                {actions.into_iter().map(|a| {
                    let class = match a {
                        TaskAction::Reject | TaskAction::Cancel => BUTTON_DANGER,
                        _ => BUTTON,
                    };
                    view! {
                        <button type="button" class=format!("{class} min-h-12 min-w-32 text-base") data-testid=format!("task-do-{}", a.as_str())
                            disabled=move || step.pending().get()
                            on:click=move |_| {
                                step.dispatch(Step { id, action: a, comment: comment.get_untracked(), version, key: new_key("task") });
                            }>
                            {move || texts::action(i18n.get_locale(), a)}
                        </button>
                    }
                }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Comments(id: TaskId, comments: Vec<Comment>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let body = RwSignal::new(String::new());
    let send = Action::new(|(id, body, key): &(TaskId, String, String)| mes_comment(*id, body.clone(), key.clone()));
    let error = Signal::derive(move || send.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            body.set(String::new());
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <section class=CARD aria-labelledby="task-comments-h">
            <h2 id="task-comments-h" class="mb-3 text-base font-semibold">{t!(i18n, mes.comments)}</h2>
            {if comments.is_empty() {
                view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, mes.no_comments)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mb-3 space-y-3" data-testid="task-comments">
                        {comments.into_iter().map(|c| view! {
                            <li class="text-sm" data-testid="task-comment">
                                <p class="text-xs text-slate-600 dark:text-slate-300"><span class="font-medium">{c.by.name.clone()}</span>" · "<LocalTime at=c.at /></p>
                                <p class="whitespace-pre-line">{c.body.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                send.dispatch((id, body.get_untracked(), new_key("comment")));
            }>
                <label for="task-new-comment" class=LABEL>{t!(i18n, mes.comment_label)}</label>
                <textarea id="task-new-comment" rows="2" class=INPUT maxlength="2000" aria-describedby="task-new-comment-hint" data-testid="task-comment-input"
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <p id="task-new-comment-hint" class="mt-1 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, mes.comment_hint)}</p>
                <ErrorBanner error fields=&["body"] />
                <button type="submit" class=format!("{BUTTON} mt-2") disabled=move || send.pending().get() data-testid="task-comment-send">{t!(i18n, mes.send_comment)}</button>
            </form>
        </section>
    }
}

/// Every transition, oldest first.
#[component]
fn Timeline(events: Vec<Event>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=CARD aria-labelledby="task-timeline-h">
            <h2 id="task-timeline-h" class="mb-3 text-base font-semibold">{t!(i18n, mes.timeline)}</h2>
            <ol class="space-y-3 border-l-2 border-slate-200 pl-4 dark:border-slate-700" data-testid="task-timeline">
                {events.into_iter().map(|e| {
                    let action = e.action.clone();
                    let to = e.to.clone();
                    let did = move || {
                        let l = i18n.get_locale();
                        match TaskAction::parse(&action) {
                            Some(a) => texts::action_done(l, a).to_owned(),
                            None => td_string!(l, mes.did_created).to_owned(),
                        }
                    };
                    let state = move || TaskState::parse(&to).map(|s| texts::state(i18n.get_locale(), s)).unwrap_or_default();
                    view! {
                        <li class="text-sm" data-testid="task-event" data-action=e.action.clone()>
                            <p><span class="font-medium">{e.by.as_ref().map(|b| b.name.clone()).unwrap_or_default()}</span>" "{did}" → "<span class="font-medium">{state}</span></p>
                            <p class="text-xs text-slate-600 dark:text-slate-300"><LocalTime at=e.at /></p>
                            {e.comment.clone().map(|c| view! { <p class="mt-1 whitespace-pre-line rounded bg-slate-50 p-2 dark:bg-slate-800">{c}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
