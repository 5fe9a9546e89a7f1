//! `/fabrication/board`: the shop's parts as a board, a column per state (review, sent back, CNC queue, hand queue,
//! claimed, completed) with each column's count; a card moves by drag and drop only onto a column its workflow
//! allows the reader (the column lights up; any other refuses the drop), and by keyboard through its "move to" list,
//! which offers the same moves. A move that needs a reason (sending back, reverting, taking someone's claim) asks for
//! it first. Follows the live channel: a card someone else moves moves here within a second.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::fabrication::rules::parts::{self as rules, Actor, PartAction, PartState, Parties, target};
use nexus::fabrication::rules::views::{Board, PartSummary};
use nexus::identity::rules::auth::Permission;
use nexus::ids::FabPartId;

use super::part::{PartStep, fab_act};
use super::parts::{Marks, Tabs};
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, ErrorBanner, INPUT, LABEL, Loading, PageHeader, new_key};
use crate::ui::session::{Protected, use_me};

/// Cards a column shows at once (a column past it links to the table, which has the rest).
#[cfg(feature = "ssr")]
const PER_COLUMN: i64 = 25;

#[server(prefix = "/api", endpoint = "ui/fabrication/board")]
pub async fn fab_board() -> Result<Board, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::fabrication::service::parts::board(&st.pool, &caller, PER_COLUMN).await?)
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let changed = RwSignal::new(0_u64);
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.fabrication.get()));
    let board = Resource::new(move || (changed.get(), heard.get()), |_| fab_board());
    view! {
        <Protected permission=Permission::FabRead>
            <BoardBody board changed />
        </Protected>
    }
}

/// The action that moves a card of `p` to `column`, if the workflow has one the reader may take.
fn move_to(p: &PartSummary, column: PartState, actor: Option<Actor>) -> Option<PartAction> {
    let actor = actor?;
    let parties = Parties { requester: p.requester.id, holder: p.assignee.as_ref().map(|a| a.id), uploader: None };
    PartAction::BUTTONS.into_iter().find(|a| {
        *a != PartAction::Delete
            && target(p.state, *a, p.kind) == Some(column)
            && column != p.state
            && rules::may(*a, p.state, &parties, &actor).is_ok()
    })
}

/// A move waiting for its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Asking {
    id: FabPartId,
    name: String,
    action: PartAction,
    version: i32,
}

#[component]
fn BoardBody(board: Resource<Result<Board, AppError>>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let actor = me.can(Permission::FabWork).then(|| Actor { user: me.user_id, lead: me.can(Permission::FabLead) });
    let step = Action::new(|s: &PartStep| fab_act(s.clone()));
    let error = Signal::derive(move || step.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if step.value().get().is_some() {
            changed.update(|c| *c += 1);
        }
    });
    // The card being dragged: what it is and the columns it may go to.
    let dragging = RwSignal::new(None::<(PartSummary, Vec<PartState>)>);
    let asking = RwSignal::new(None::<Asking>);
    let reason = RwSignal::new(String::new());
    let go = move |p: &PartSummary, action: PartAction| {
        let needs = match action {
            PartAction::Reject | PartAction::Revert => true,
            PartAction::Unclaim => p.assignee.as_ref().map(|a| a.id) != actor.map(|a| a.user),
            _ => false,
        };
        if needs {
            reason.set(String::new());
            asking.set(Some(Asking { id: p.id, name: p.name.clone(), action, version: p.version }));
        } else {
            step.dispatch(PartStep {
                id: p.id,
                action,
                comment: String::new(),
                version: p.version,
                key: new_key("part"),
                assignee: None,
            });
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), fab.board_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, fab.board_title))>
            {me.can(Permission::FabWork).then(|| view! {
                <a href="/fabrication/parts/new" class=BUTTON data-testid="part-new">{t!(i18n, fab.new_part)}</a>
            })}
        </PageHeader>
        <Tabs current="board" />
        <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.board_hint)}</p>
        <p role="alert" class="mb-2 text-sm text-red-700 dark:text-red-300" data-testid="board-refused">
            {move || error.get().and_then(|e| texts::refusal(i18n.get_locale(), &e))}
        </p>
        {move || error.get().filter(|e| texts::refusal(i18n.get_locale(), e).is_none()).map(|e| view! { <ErrorBanner error=Signal::stored(Some(e)) /> })}
        {move || asking.get().map(|a| {
            let Asking { id, name, action, version } = a;
            view! {
                <form class="mb-4 rounded-xl border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/40" data-testid="board-reason"
                    on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        step.dispatch(PartStep { id, action, comment: reason.get_untracked(), version, key: new_key("part"), assignee: None });
                        asking.set(None);
                    }>
                    <label for="board-reason-text" class=LABEL>
                        {move || td_string!(i18n.get_locale(), fab.reason_for, action = texts::action(i18n.get_locale(), action), name = name.clone()).to_string()}
                    </label>
                    <textarea id="board-reason-text" rows="2" class=INPUT maxlength="2000" required data-testid="board-reason-text"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <div class="mt-2 flex gap-2">
                        <button type="submit" class=BUTTON data-testid="board-reason-send" disabled=move || reason.get().trim().is_empty()>{move || texts::action(i18n.get_locale(), action)}</button>
                        <button type="button" class=BUTTON_SECONDARY on:click=move |_| asking.set(None)>{t!(i18n, fab.cancel)}</button>
                    </div>
                </form>
            }
        })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let b = match board.await {
                    Ok(b) => b,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                view! {
                    <div class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-6" data-testid="parts-board">
                        {PartState::SHOWN.into_iter().map(|column| {
                            let cards: Vec<PartSummary> = b.parts.iter().filter(|p| p.state == column).cloned().collect();
                            let count = b.counts.iter().find(|c| c.state == column).map_or(0, |c| c.count);
                            let more = b.more.contains(&column);
                            let heading = format!("board-{}-h", column.as_str());
                            let labelled = heading.clone();
                            let allowed = move || dragging.with(|d| d.as_ref().is_some_and(|(_, to)| to.contains(&column)));
                            view! {
                                <section aria-labelledby=labelled data-testid=format!("board-{}", column.as_str())
                                    class=move || format!("rounded-xl p-3 transition-colors {}", if allowed() { "bg-blue-100 ring-2 ring-[#2b7cee] dark:bg-blue-950/60" } else { "bg-slate-100 dark:bg-slate-800/60" })
                                    on:dragover=move |ev: leptos::ev::DragEvent| if allowed() { ev.prevent_default(); }
                                    on:drop=move |ev: leptos::ev::DragEvent| {
                                        ev.prevent_default();
                                        if let Some((p, _)) = dragging.get_untracked() {
                                            dragging.set(None);
                                            if let Some(a) = move_to(&p, column, actor) { go(&p, a); }
                                        }
                                    }>
                                    <h2 id=heading class="mb-2 flex items-center justify-between text-sm font-semibold">
                                        <span>{move || texts::state(i18n.get_locale(), column)}</span>
                                        <span class="tabular-nums text-slate-600 dark:text-slate-300" data-testid="board-count">{count}</span>
                                    </h2>
                                    {if cards.is_empty() {
                                        view! { <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.board_empty)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="space-y-2">
                                                {cards.into_iter().map(|p| view! { <Card p actor dragging go /> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    {more.then(|| view! {
                                        <a href=format!("/fabrication/parts?state={}", column.as_str()) class="mt-2 block text-sm font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="board-rest">
                                            {t!(i18n, fab.board_rest)}
                                        </a>
                                    })}
                                </section>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn Card(
    p: PartSummary,
    actor: Option<Actor>,
    dragging: RwSignal<Option<(PartSummary, Vec<PartState>)>>,
    go: impl Fn(&PartSummary, PartAction) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let moves: Vec<(PartState, PartAction)> =
        PartState::SHOWN.into_iter().filter_map(|c| move_to(&p, c, actor).map(|a| (c, a))).collect();
    let columns: Vec<PartState> = moves.iter().map(|(c, _)| *c).collect();
    let movable = !moves.is_empty();
    let select_id = format!("card-move-{}", p.id);
    let card = p.clone();
    let dragged = p.clone();
    let picked = p.clone();
    let choices = moves.clone();
    view! {
        <li class="rounded-lg bg-white p-3 shadow-sm dark:bg-slate-900" data-testid="part-card" data-key=p.id.to_string() data-state=p.state.as_str()
            draggable=movable.then_some("true")
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &dragged.id.to_string());
                    dt.set_effect_allowed("move");
                }
                dragging.set(Some((dragged.clone(), columns.clone())));
            }
            on:dragend=move |_| dragging.set(None)>
            <a href=format!("/fabrication/parts/{}", p.id) class="block font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="card-link">{p.name.clone()}</a>
            <div class="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
                <Marks p=p.clone() />
                <span>{let k = p.kind; move || texts::kind(i18n.get_locale(), k)}</span>
                {p.assignee.as_ref().map(|a| view! { <span data-testid="card-assignee">{a.name.clone()}</span> })}
                {p.subsystem.as_ref().map(|s| view! { <span>{s.name.clone()}</span> })}
            </div>
            {p.claim_expires_at.map(|until| view! { <super::part::Countdown until /> })}
            {movable.then(|| view! {
                <div class="mt-2">
                    <label for=select_id.clone() class="sr-only">{move || td_string!(i18n.get_locale(), fab.move_card, name = card.name.clone()).to_string()}</label>
                    <select id=select_id class=format!("{INPUT} py-1 text-sm") data-testid="card-move"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some((_, a)) = choices.iter().find(|(c, _)| c.as_str() == chosen) { go(&picked, *a); }
                        }>
                        <option value="">{t!(i18n, fab.move_to)}</option>
                        {moves.iter().map(|(c, a)| {
                            let (c, a) = (*c, *a);
                            view! { <option value=c.as_str()>{move || format!("{} → {}", texts::action(i18n.get_locale(), a), texts::state(i18n.get_locale(), c))}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
        </li>
    }
}
