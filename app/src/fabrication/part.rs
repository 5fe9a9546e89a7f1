//! `/fabrication/parts/:id`: a part as the shop floor needs it on a phone: what to make (type, quantity, material,
//! notes, the CAD link), where it stands and who holds it, the claim's countdown; the actions the reader may take now
//! as big buttons (claim and complete in one tap), each sent with the version the page shows and a key of its own
//! (a claim lost to someone says who holds it); a lead assigns it to someone; the current drawing shown, its
//! revisions (a new one uploaded with its progress, a pending one approved by a lead), and the timeline of every
//! action. Follows the live channel.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use nexus::fabrication::rules::parts::{PartAction, PartState};
use nexus::fabrication::rules::views::{Drawing, PartDetail};
use nexus::identity::rules::auth::Permission;
use nexus::ids::{FabPartId, UserId};
use nexus::workflow::machine::Event;
use serde::{Deserialize, Serialize};

use super::parts::{Marks, PersonChoice};
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, LABEL, Loading, PageHeader, field_problem,
    names, new_key,
};
use crate::ui::session::{Protected, use_me};
use crate::ui::time::LocalTime;

/// A part's page: the part, and whom a lead may assign it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartPage {
    pub d: PartDetail,
    pub makers: Vec<PersonChoice>,
}

#[server(prefix = "/api", endpoint = "ui/fabrication/part")]
pub async fn fab_part(id: FabPartId) -> Result<PartPage, AppError> {
    use nexus::fabrication::service::{parts, setup};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let d = parts::get(&st.pool, &caller, id).await?;
    let leads = matches!(&caller, nexus::caller::Caller::User(u) if u.may(Permission::FabLead));
    let assignable = leads && matches!(d.part.state, PartState::Cnc | PartState::Hand);
    let makers = if assignable {
        setup::makers(&st.pool, &caller)
            .await?
            .into_iter()
            .map(|m| PersonChoice { id: m.person.id, name: m.person.name })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PartPage { d, makers })
}

/// An action as a page sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartStep {
    pub id: FabPartId,
    pub action: PartAction,
    pub comment: String,
    pub version: i32,
    pub key: String,
    pub assignee: Option<UserId>,
}

#[server(prefix = "/api", endpoint = "ui/fabrication/act")]
pub async fn fab_act(step: PartStep) -> Result<PartDetail, AppError> {
    use nexus::fabrication::service::actions::{ActInput, act};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let input = ActInput {
        comment: Some(step.comment.as_str()).filter(|c| !c.trim().is_empty()),
        version: Some(step.version),
        key: Some(&step.key),
        assignee: step.assignee,
    };
    Ok(act(&st.pool, &caller, step.id, step.action, &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/fabrication/approve-drawing")]
pub async fn fab_approve_drawing(id: FabPartId, revision: i32) -> Result<PartDetail, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::fabrication::service::drawings::approve(&st.pool, &caller, id, revision).await?)
}

#[component]
pub fn PartRoutePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<FabPartId>().ok()));
    let changed = RwSignal::new(0_u64);
    // The page's action and its last refusal, kept across the refreshes that follow them: the part is redrawn when
    // anyone changes it (the winner of a race is heard live, perhaps before the loser's answer arrives).
    let refused = RwSignal::new(None::<AppError>);
    let step = Action::new(|s: &PartStep| fab_act(s.clone()));
    Effect::new(move |_| match step.value().get() {
        Some(Ok(_)) => {
            refused.set(None);
            changed.update(|c| *c += 1);
        }
        Some(Err(e)) => {
            refused.set(Some(e));
            changed.update(|c| *c += 1);
        }
        None => {}
    });
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.fabrication.get()));
    let part = Resource::new(
        move || (id(), changed.get(), heard.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => fab_part(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Protected permission=Permission::FabRead>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match part.await {
                        Ok(p) => view! { <Detail p changed refused step /> }.into_any(),
                        Err(AppError::NotFound) => view! { <crate::ui::layout::NotFound /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn Detail(
    p: PartPage,
    changed: RwSignal<u64>,
    refused: RwSignal<Option<AppError>>,
    step: Action<PartStep, Result<PartDetail, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PartPage { d, makers } = p;
    let part = d.part.clone();
    let id = part.id;
    let name = part.name.clone();
    let state = part.state;
    let dash = || "—".to_owned();
    view! {
        <Title text=name.clone() />
        <PageHeader title=ViewFn::from(move || name.clone())>
            <div class="flex flex-wrap gap-2">
                {d.may_edit.then(|| view! {
                    <a href=format!("/fabrication/parts/{id}/edit") class=BUTTON_SECONDARY data-testid="part-edit">{t!(i18n, fab.do_edit)}</a>
                })}
                <a href="/fabrication/board" class=BUTTON_SECONDARY>{t!(i18n, fab.tab_board)}</a>
            </div>
        </PageHeader>
        <div class="grid gap-4 lg:grid-cols-[2fr_1fr]">
            <div class="space-y-4">
                <section class=CARD data-testid="part" data-state=state.as_str() data-version=part.version>
                    <div class="mb-3 flex flex-wrap items-center gap-2">
                        <span class="rounded-full bg-slate-200 px-3 py-1 text-sm font-semibold dark:bg-slate-700" data-testid="part-state">
                            {move || texts::state(i18n.get_locale(), state)}
                        </span>
                        <Marks p=part.clone() />
                    </div>
                    {part.claim_expires_at.map(|until| view! { <Countdown until /> })}
                    <dl class="mt-2 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, fab.col_assignee)}</dt>
                            <dd class="font-medium" data-testid="part-assignee">{part.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(dash)}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, fab.col_type)}</dt>
                            <dd>{let k = part.kind; move || texts::kind(i18n.get_locale(), k)}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, fab.col_quantity)}</dt>
                            <dd class="tabular-nums">{part.quantity}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, fab.f_material)}</dt>
                            <dd>{Some(part.material.clone()).filter(|m| !m.is_empty()).unwrap_or_else(dash)}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, fab.col_subsystem)}</dt>
                            <dd>{part.subsystem.as_ref().map(|s| s.name.clone()).unwrap_or_else(dash)}</dd></div>
                        <div><dt class="text-slate-600 dark:text-slate-300">{t!(i18n, fab.col_due)}</dt>
                            <dd class="tabular-nums">{part.due_date.map(|d| d.to_string()).unwrap_or_else(dash)}</dd></div>
                    </dl>
                    <p class="mt-2 text-xs text-slate-600 dark:text-slate-300">
                        {let who = part.requester.name.clone(); move || td_string!(i18n.get_locale(), fab.requested_by, name = who.clone()).to_string()}
                        " · " <LocalTime at=part.created_at />
                    </p>
                    {(!d.notes.is_empty()).then(|| view! { <p class="mt-3 whitespace-pre-line text-sm">{d.notes.clone()}</p> })}
                    {d.cad_url.clone().map(|url| view! {
                        <p class="mt-3 text-sm"><a href=url rel="noopener noreferrer external" target="_blank" class="font-medium text-[#1d4ed8] underline dark:text-blue-300" data-testid="part-cad">{t!(i18n, fab.cad_link)}</a></p>
                    })}
                    {d.made_from_revision.map(|r| view! {
                        <p class="mt-2 text-sm" data-testid="part-made-from">{move || td_string!(i18n.get_locale(), fab.made_from, revision = r).to_string()}</p>
                    })}
                </section>
                <p role="alert" class="text-sm font-medium text-red-700 empty:hidden dark:text-red-300" data-testid="part-refused">
                    {move || refused.get().and_then(|e| texts::refusal(i18n.get_locale(), &e))}
                </p>
                <Actions id version=part.version actions=d.actions.clone() makers refused step />
                <super::drawings::Drawings id drawings=d.drawings.clone() may_add=d.may_add_drawing may_approve=d.may_approve_drawings.clone() changed />
            </div>
            <Timeline events=d.timeline.clone() />
        </div>
    }
}

/// How long the claim has left, ticking in the browser ("vence en 3 h 12 min"; past its end: "vencido").
#[component]
pub fn Countdown(until: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(chrono::Utc::now());
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(move || now.set(chrono::Utc::now()), std::time::Duration::from_secs(1));
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }
    let text = move || {
        let left = until - now.get();
        let l = i18n.get_locale();
        if left.num_seconds() <= 0 {
            return td_string!(l, fab.lease_over).to_owned();
        }
        let (h, m, s) = (left.num_hours(), left.num_minutes() % 60, left.num_seconds() % 60);
        let span = if h > 0 { format!("{h} h {m:02} min") } else { format!("{m} min {s:02} s") };
        td_string!(l, fab.lease_left, span = span).to_string()
    };
    let urgent = move || (until - now.get()).num_minutes() < 15;
    view! {
        <p class=move || format!("text-sm font-semibold tabular-nums {}", if urgent() { "text-red-700 dark:text-red-300" } else { "text-slate-700 dark:text-slate-200" })
            data-testid="part-countdown" role="timer" aria-live="off">
            {text}
        </p>
    }
}

/// What the reader may do now: a big button each, the reason above them, the person a lead assigns it to.
#[component]
fn Actions(
    id: FabPartId,
    version: i32,
    actions: Vec<PartAction>,
    makers: Vec<PersonChoice>,
    refused: RwSignal<Option<AppError>>,
    step: Action<PartStep, Result<PartDetail, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // A new box for each drawing of the part (a reason written is sent with the action; the redraw after it clears it).
    let comment = RwSignal::new(String::new());
    let assignee = RwSignal::new(None::<UserId>);
    let error = Signal::derive(move || refused.get());
    let may_assign = !makers.is_empty() && use_me().can(Permission::FabLead);
    let send = move |action: PartAction| {
        step.dispatch(PartStep {
            id,
            action,
            comment: comment.get_untracked(),
            version,
            key: new_key("part"),
            assignee: assignee.get_untracked(),
        });
    };
    if actions.is_empty() && !may_assign {
        return view! {
            <section class=CARD aria-labelledby="part-actions-h">
                <h2 id="part-actions-h" class="mb-1 text-base font-semibold">{t!(i18n, fab.actions)}</h2>
                <p class="text-sm text-slate-600 dark:text-slate-300" data-testid="part-no-actions">{t!(i18n, fab.no_actions)}</p>
            </section>
        }
        .into_any();
    }
    let wants_reason =
        actions.iter().any(|a| matches!(a, PartAction::Reject | PartAction::Revert | PartAction::Unclaim));
    view! {
        <section class=CARD aria-labelledby="part-actions-h" data-testid="part-actions">
            <h2 id="part-actions-h" class="mb-3 text-base font-semibold">{t!(i18n, fab.actions)}</h2>
            {wants_reason.then(|| view! {
                <label for="part-comment" class=LABEL>{t!(i18n, fab.reason_label)}</label>
                <textarea id="part-comment" rows="2" class=INPUT maxlength="2000" data-testid="part-step-comment"
                    aria-invalid=names(error, "comment", "true") aria-describedby=names(error, "comment", "part-comment-error")
                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                {field_problem(error, "comment", "part-comment-error")}
            })}
            {move || error.get().filter(|e| texts::refusal(i18n.get_locale(), e).is_none()).map(|e| view! { <ErrorBanner error=Signal::stored(Some(e)) fields=&["comment", "assignee"] /> })}
            <div class="mt-3 flex flex-wrap gap-3">
                {actions.into_iter().map(|a| {
                    let class = match a {
                        PartAction::Reject | PartAction::Revert | PartAction::Delete | PartAction::Unclaim => BUTTON_DANGER,
                        _ => BUTTON,
                    };
                    view! {
                        <button type="button" class=format!("{class} min-h-12 min-w-32 text-base") data-testid=format!("part-do-{}", a.as_str())
                            disabled=move || step.pending().get() on:click=move |_| send(a)>
                            {move || texts::action(i18n.get_locale(), a)}
                        </button>
                    }
                }).collect_view()}
            </div>
            {may_assign.then(|| view! {
                <div class="mt-4 flex flex-wrap items-end gap-3">
                    <div class="min-w-48 flex-1">
                        <label for="part-assignee" class=LABEL>{t!(i18n, fab.assign_to)}</label>
                        <select id="part-assignee" class=INPUT data-testid="part-assignee-choice"
                            on:change=move |ev| assignee.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(UserId))>
                            <option value="">{t!(i18n, fab.choose)}</option>
                            {makers.into_iter().map(|m| view! { <option value=m.id.0.to_string()>{m.name}</option> }).collect_view()}
                        </select>
                        {field_problem(error, "assignee", "part-assignee-error")}
                    </div>
                    <button type="button" class=format!("{BUTTON_SECONDARY} min-h-12") data-testid="part-do-assign"
                        disabled=move || step.pending().get() || assignee.get().is_none() on:click=move |_| send(PartAction::Assign)>
                        {move || texts::action(i18n.get_locale(), PartAction::Assign)}
                    </button>
                </div>
            })}
        </section>
    }
    .into_any()
}

/// Every action, oldest first.
#[component]
fn Timeline(events: Vec<Event>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=CARD aria-labelledby="part-timeline-h">
            <h2 id="part-timeline-h" class="mb-3 text-base font-semibold">{t!(i18n, fab.timeline)}</h2>
            <ol class="space-y-3 border-l-2 border-slate-200 pl-4 dark:border-slate-700" data-testid="part-timeline">
                {events.into_iter().map(|e| {
                    let action = e.action.clone();
                    let to = e.to.clone();
                    let did = move || texts::action_done(i18n.get_locale(), &action);
                    let state = move || PartState::parse(&to).map(|s| texts::state(i18n.get_locale(), s)).unwrap_or_default();
                    let who = e.by.as_ref().map(|b| b.name.clone()).unwrap_or_else(|| td_string!(i18n.get_locale(), fab.system).to_owned());
                    view! {
                        <li class="text-sm" data-testid="part-event" data-action=e.action.clone()>
                            <p><span class="font-medium">{who}</span>" "{did}" → "<span class="font-medium">{state}</span></p>
                            {e.party.as_ref().map(|p| view! { <p class="text-xs">{p.name.clone()}</p> })}
                            <p class="text-xs text-slate-600 dark:text-slate-300"><LocalTime at=e.at /></p>
                            {e.comment.clone().map(|c| view! { <p class="mt-1 whitespace-pre-line rounded bg-slate-50 p-2 dark:bg-slate-800">{c}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A drawing revision's address (the REST call, with the page's session).
pub fn drawing_href(id: FabPartId, d: &Drawing) -> String {
    format!("/api/v1/fabrication/parts/{}/drawings/{}", id.0, d.revision)
}
