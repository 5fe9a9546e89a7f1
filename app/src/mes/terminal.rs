//! `/mes/terminal`: the floor's tablet, worked with gloves: large targets, few words. My tasks (mine and my role's,
//! unfinished) with the one next step each (accept, start, send to review); my line's orders (an operator placed on
//! lines sees the orders whose route runs there; an order's code, scanned from its traveller or typed, finds it on
//! any line), each recorded in three taps: the order, the stage, the pieces (good by default; a switch makes them
//! scrap, with the reason). The current shift heads it and every fact is of it.
//!
//! Every action carries an idempotency key and goes through a queue kept in the browser (`localStorage`, per person):
//! sent at once when the connection is up, kept while it is down and sent when it comes back, in order, each once (a
//! reply lost on the way is the same action sent again under its key, which the server answers as the first time). A
//! refused action stays in the queue with the server's reason until the person dismisses it; the rest go on.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{OrderId, ScrapReasonId, StageId, TaskId};
use nexus::mes::rules::facts::FactInput;
use nexus::mes::rules::tasks::TaskAction;
use nexus::mes::rules::views::{Choices, OrderSummary, TaskSummary};
use serde::{Deserialize, Serialize};

use super::orders::ShiftBanner;
use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, PageHeader, error_text, new_key,
};
use crate::ui::session::{Protected, use_me};

/// A task as the terminal shows it: with the next step the person may take (accept, start, send to review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalTask {
    pub task: TaskSummary,
    pub next: Option<TaskAction>,
}

/// What the terminal shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerminalView {
    pub tasks: Vec<TerminalTask>,
    pub orders: Vec<OrderSummary>,
    pub choices: Choices,
}

/// Orders and tasks the terminal lists at most.
#[cfg(feature = "ssr")]
const SHOWN: i64 = 50;

#[server(prefix = "/api", endpoint = "ui/mes/terminal")]
pub async fn mes_terminal(find: String) -> Result<TerminalView, AppError> {
    use nexus::mes::rules::tasks::View;
    use nexus::mes::service::{orders, tasks};
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let user = caller.user()?.clone();
    let mut found = Vec::new();
    for view in [View::Mine, View::Role] {
        let q = tasks::ListQuery { view, open: true, limit: Some(SHOWN), ..Default::default() };
        for t in tasks::list(&st.pool, &caller, &q).await?.items {
            if !found.iter().any(|f: &TaskSummary| f.id == t.id) {
                found.push(t);
            }
        }
    }
    let forward = [TaskAction::Accept, TaskAction::Start, TaskAction::SendToReview];
    let tasks = found
        .into_iter()
        .map(|t| {
            let next = tasks::doable(&user, &t).into_iter().find(|a| forward.contains(a));
            TerminalTask { task: t, next }
        })
        .collect();
    let choices = orders::choices(&st.pool, &caller, chrono::Utc::now()).await?;
    // An order looked for (its code scanned from its traveller, or typed) is found whatever its line.
    let find = Some(find.trim().to_owned()).filter(|f| !f.is_empty());
    let mine = match find {
        Some(_) => None,
        None => orders::my_lines(&st.pool, &caller).await?,
    };
    let q = orders::OrderQuery { unfinished: true, search: find, limit: Some(SHOWN), ..Default::default() };
    let orders = orders::list(&st.pool, &caller, &q)
        .await?
        .items
        .into_iter()
        .filter(|o| {
            mine.as_ref().is_none_or(|lines| {
                o.stages.iter().any(|s| {
                    choices
                        .stages
                        .iter()
                        .any(|c| c.id == s.stage && c.line.as_ref().is_some_and(|l| lines.contains(&l.id)))
                })
            })
        })
        .collect();
    Ok(TerminalView { tasks, orders, choices })
}

#[server(prefix = "/api", endpoint = "ui/mes/terminal-fact")]
pub async fn mes_terminal_fact(order: OrderId, input: FactInput, key: String) -> Result<(), AppError> {
    use nexus::mes::rules::facts::Source;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::mes::service::orders::record(&st.pool, &caller, order, &input, Source::Terminal, Some(&key)).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "ui/mes/terminal-step")]
pub async fn mes_terminal_step(task: TaskId, action: TaskAction, key: String) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::mes::service::tasks::transition(&st.pool, &caller, task, action, None, None, Some(&key)).await?;
    Ok(())
}

/// An action the terminal sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Act {
    Fact { order: OrderId, input: FactInput },
    Step { task: TaskId, action: TaskAction },
}

/// An action in the queue: its key, what it is, what the person saw (for the queue's list), and the server's refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub key: String,
    pub act: Act,
    pub label: String,
    #[serde(default)]
    pub refused: Option<AppError>,
}

/// The queue's place in the browser: one per person, so a shared tablet never sends one person's work as another's.
fn storage_key(me: &crate::ui::session::Me) -> String {
    format!("nexus.terminal.{}", me.user_id.0)
}

#[cfg(feature = "hydrate")]
fn load(key: &str) -> Vec<Queued> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

#[cfg(feature = "hydrate")]
fn save(key: &str, queue: &[Queued]) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = match queue.is_empty() {
            true => s.remove_item(key),
            false => s.set_item(key, &serde_json::to_string(queue).unwrap_or_default()),
        };
    }
}

async fn send(act: &Act, key: &str) -> Result<(), AppError> {
    match act {
        Act::Fact { order, input } => mes_terminal_fact(*order, input.clone(), key.to_owned()).await,
        Act::Step { task, action } => mes_terminal_step(*task, *action, key.to_owned()).await,
    }
}

/// The queue and its sender.
#[derive(Clone, Copy)]
struct Outbox {
    queue: RwSignal<Vec<Queued>>,
    /// The last send failed to reach the server.
    offline: RwSignal<bool>,
    sending: RwSignal<bool>,
    /// Bumped when something landed (the page asks again).
    landed: RwSignal<u64>,
}

impl Outbox {
    fn new(store: String, landed: RwSignal<u64>) -> Self {
        let o = Outbox {
            queue: RwSignal::new(Vec::new()),
            offline: RwSignal::new(false),
            sending: RwSignal::new(false),
            landed,
        };
        #[cfg(feature = "hydrate")]
        {
            o.queue.set(load(&store));
            // Kept on every change, so a reload or a closed tab loses nothing.
            Effect::new(move |_| o.queue.with(|q| save(&store, q)));
            let online = window_event_listener(leptos::ev::online, move |_| o.flush());
            // Tried again every few seconds while anything waits (the browser's `online` event is not always told).
            let retry = set_interval_with_handle(
                move || {
                    if o.queue.with_untracked(|q| q.iter().any(|i| i.refused.is_none())) {
                        o.flush();
                    }
                },
                std::time::Duration::from_secs(5),
            );
            on_cleanup(move || {
                online.remove();
                if let Ok(r) = retry {
                    r.clear();
                }
            });
            o.flush();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = store;
        o
    }

    fn push(self, act: Act, label: String) {
        self.queue.update(|q| q.push(Queued { key: new_key("terminal"), act, label, refused: None }));
        self.flush();
    }

    /// Sends what waits, oldest first, one at a time: a refusal is marked and the next goes; a failure to reach the
    /// server stops until the next try.
    fn flush(self) {
        if self.sending.get_untracked() {
            return;
        }
        self.sending.set(true);
        leptos::task::spawn_local(async move {
            loop {
                let Some(next) = self.queue.with_untracked(|q| q.iter().find(|i| i.refused.is_none()).cloned()) else {
                    self.offline.set(false);
                    break;
                };
                match send(&next.act, &next.key).await {
                    Ok(()) => {
                        self.offline.set(false);
                        self.queue.update(|q| q.retain(|i| i.key != next.key));
                        self.landed.update(|n| *n += 1);
                    }
                    Err(AppError::Communication | AppError::Unavailable | AppError::RateLimited { .. }) => {
                        self.offline.set(true);
                        break;
                    }
                    Err(e) => {
                        self.offline.set(false);
                        self.queue.update(|q| {
                            if let Some(i) = q.iter_mut().find(|i| i.key == next.key) {
                                i.refused = Some(e.clone());
                            }
                        });
                        self.landed.update(|n| *n += 1);
                    }
                }
            }
            self.sending.set(false);
        });
    }
}

#[component]
pub fn TerminalPage() -> impl IntoView {
    // Bumped by the queue when something landed: the page asks again.
    let landed = RwSignal::new(0_u64);
    // The order looked for ("": my line's).
    let find = RwSignal::new(String::new());
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.production.get()));
    let data = Resource::new(move || (landed.get(), heard.get(), find.get()), |(_, _, f)| mes_terminal(f));
    view! {
        <Protected permission=Permission::MesWork>
            <Terminal data landed find />
        </Protected>
    }
}

#[component]
fn Terminal(
    data: Resource<Result<TerminalView, AppError>>,
    landed: RwSignal<u64>,
    find: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let outbox = Outbox::new(storage_key(&me), landed);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), term.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, term.title))>
            <a href="/mes/tasks" class=BUTTON_SECONDARY>{t!(i18n, mes.title)}</a>
        </PageHeader>
        <Queue outbox />
        <Find find />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! {
                        <ShiftBanner clock=v.choices.clock.clone() />
                        <div class="grid gap-6 lg:grid-cols-2">
                            <Tasks tasks=v.tasks.clone() outbox />
                            <Orders orders=v.orders.clone() choices=v.choices.clone() outbox />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The connection and what waits to be sent: each action with its state, a refused one with the reason.
#[component]
fn Queue(outbox: Outbox) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = move || outbox.queue.with(|q| q.iter().filter(|i| i.refused.is_none()).count());
    view! {
        <section class="mb-4 space-y-2" aria-live="polite" data-testid="terminal-queue" data-waiting=move || waiting().to_string()>
            <p class=move || format!("rounded-lg px-4 py-3 text-base font-semibold {}", if outbox.offline.get() {
                    "bg-amber-100 text-amber-950 dark:bg-amber-950 dark:text-amber-100"
                } else {
                    "bg-emerald-50 text-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100"
                })
                data-testid="terminal-connection" data-offline=move || outbox.offline.get().to_string()>
                {move || {
                    let l = i18n.get_locale();
                    match (outbox.offline.get(), waiting()) {
                        (true, n) => td_string!(l, term.offline, count = n).to_string(),
                        (false, 0) => td_string!(l, term.online).to_string(),
                        (false, n) => td_string!(l, term.sending, count = n).to_string(),
                    }
                }}
            </p>
            <ul class="space-y-2">
                <For each=move || outbox.queue.get() key=|i| (i.key.clone(), i.refused.is_some()) let:item>
                    {
                        let key = item.key.clone();
                        let refused = item.refused.clone();
                        let is_refused = refused.is_some();
                        view! {
                            <li class=if is_refused { "flex flex-wrap items-center justify-between gap-2 rounded-lg border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100" } else { "rounded-lg bg-slate-100 px-4 py-2 text-sm dark:bg-slate-800" }
                                data-testid=if is_refused { "terminal-refused" } else { "terminal-waiting" }>
                                <span>
                                    <span class="font-medium">{item.label.clone()}</span>
                                    {refused.map(|e| view! { <span class="block">{move || refusal_text(i18n.get_locale(), &e)}</span> })}
                                </span>
                                {item.refused.is_some().then(|| view! {
                                    <button type="button" class=format!("{BUTTON_SECONDARY} min-h-12") data-testid="terminal-dismiss"
                                        on:click=move |_| outbox.queue.update(|q| q.retain(|i| i.key != key))>
                                        {t!(i18n, term.dismiss)}
                                    </button>
                                })}
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

/// Finding an order by its code or name: a scanner types the traveller's code and Enter; empty, my line's orders.
#[component]
fn Find(find: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    view! {
        <form role="search" class="mb-4 flex gap-2" data-testid="terminal-find"
            on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); find.set(typed.get_untracked()); }>
            <label for="terminal-find" class="sr-only">{t!(i18n, term.find)}</label>
            <input id="terminal-find" type="search" class=format!("{INPUT} text-lg") maxlength="100" data-testid="terminal-find-input"
                placeholder=move || td_string!(i18n.get_locale(), term.find)
                prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
            <button type="submit" class=format!("{BUTTON} {BIG}")>{t!(i18n, common.search)}</button>
            <Show when=move || !find.get().is_empty()>
                <button type="button" class=format!("{BUTTON_SECONDARY} {BIG}") on:click=move |_| { typed.set(String::new()); find.set(String::new()); }>
                    {t!(i18n, term.my_line)}
                </button>
            </Show>
        </form>
    }
}

/// Why the server refused an action, in the person's words.
fn refusal_text(l: Locale, e: &AppError) -> String {
    if let Some(text) = texts::refusal(l, e) {
        return text;
    }
    match e {
        AppError::Validation { fields } => fields.iter().map(|f| error_text(l, f.code)).collect::<Vec<_>>().join(" "),
        e => error_text(l, e.code()).to_owned(),
    }
}

const BIG: &str = "min-h-14 min-w-14 text-lg";

#[component]
fn Tasks(tasks: Vec<TerminalTask>, outbox: Outbox) -> impl IntoView {
    let i18n = use_i18n();
    let empty = tasks.is_empty();
    view! {
        <section class=CARD aria-labelledby="terminal-tasks-h" data-testid="terminal-tasks">
            <h2 id="terminal-tasks-h" class="mb-3 text-xl font-semibold">{t!(i18n, term.my_tasks)}</h2>
            {empty.then(|| view! { <p class="text-base text-slate-600 dark:text-slate-300">{t!(i18n, term.no_tasks)}</p> })}
            <ul class="space-y-3">
                {tasks.into_iter().map(|t| {
                    let id = t.task.id;
                    let title = t.task.title.clone();
                    let state = t.task.state;
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-slate-50 p-3 dark:bg-slate-800" data-testid="terminal-task" data-key=id.0.to_string() data-state=state.as_str()>
                            <span>
                                <span class="block text-lg font-medium">{t.task.title.clone()}</span>
                                <span class="text-sm text-slate-600 dark:text-slate-300">{move || texts::state(i18n.get_locale(), state)}</span>
                                {t.task.blocker.then(|| view! { <span class="ml-2 rounded bg-red-100 px-1.5 text-xs font-semibold text-red-800 dark:bg-red-950 dark:text-red-200">{t!(i18n, mes.blocker)}</span> })}
                            </span>
                            {t.next.map(|a| {
                                let title = title.clone();
                                view! {
                                    <button type="button" class=format!("{BUTTON} {BIG}") data-testid=format!("terminal-do-{}", a.as_str())
                                        on:click=move |_| {
                                            let l = i18n.get_locale_untracked();
                                            outbox.push(Act::Step { task: id, action: a }, format!("{} · {}", texts::action(l, a), title));
                                        }>
                                        {move || texts::action(i18n.get_locale(), a)}
                                    </button>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Pieces offered at a tap.
const PIECES: [i32; 6] = [1, 5, 10, 20, 50, 100];

#[component]
fn Orders(orders: Vec<OrderSummary>, choices: Choices, outbox: Outbox) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let picked = RwSignal::new(None::<OrderId>);
    let stage = RwSignal::new(None::<StageId>);
    let scrap = RwSignal::new(false);
    let reason = RwSignal::new(choices.scrap_reasons.first().map(|r| r.id));
    let (day, shift) = match &choices.clock.current {
        Some(c) => (c.day, Some(c.id)),
        None => (choices.clock.today, None),
    };
    let operator = choices.people.iter().any(|p| p.id == me.user_id).then_some(me.user_id);
    let empty = orders.is_empty();
    let orders = StoredValue::new(orders);
    let reasons = choices.scrap_reasons.clone();
    let record = move |n: i32| {
        let (Some(order), Some(stage_id)) = (picked.get_untracked(), stage.get_untracked()) else { return };
        let is_scrap = scrap.get_untracked();
        let input = FactInput {
            stage_id,
            day,
            shift_id: shift,
            operator_id: operator,
            good: if is_scrap { 0 } else { n },
            scrap: if is_scrap { n } else { 0 },
            scrap_reason_id: if is_scrap { reason.get_untracked() } else { None },
            comment: None,
        };
        let l = i18n.get_locale_untracked();
        let label = orders.with_value(|os| {
            let o = os.iter().find(|o| o.id == order);
            let stage_name = o.and_then(|o| o.stages.iter().find(|s| s.stage == stage_id)).map(|s| s.name.clone());
            let what = if is_scrap {
                td_string!(l, term.scrap_n, n = n).to_string()
            } else {
                td_string!(l, term.good_n, n = n).to_string()
            };
            format!("{} · {} · {what}", o.map(|o| o.code.clone()).unwrap_or_default(), stage_name.unwrap_or_default())
        });
        outbox.push(Act::Fact { order, input }, label);
        scrap.set(false);
    };
    view! {
        <section class=CARD aria-labelledby="terminal-orders-h" data-testid="terminal-orders">
            <h2 id="terminal-orders-h" class="mb-3 text-xl font-semibold">{t!(i18n, term.my_orders)}</h2>
            {empty.then(|| view! { <p class="text-base text-slate-600 dark:text-slate-300">{t!(i18n, term.no_orders)}</p> })}
            <ul class="space-y-3">
                {orders.get_value().into_iter().map(|o| {
                    let id = o.id;
                    let first_short = o.stages.iter().find(|s| s.good < o.quantity).or(o.stages.last()).map(|s| s.stage);
                    let stages = o.stages.clone();
                    let reasons = StoredValue::new(reasons.clone());
                    view! {
                        <li class="rounded-lg bg-slate-50 p-3 dark:bg-slate-800" data-testid="terminal-order" data-key=id.0.to_string()>
                            <button type="button" class="block w-full text-left" aria-expanded=move || (picked.get() == Some(id)).to_string()
                                data-testid="terminal-pick-order"
                                on:click=move |_| {
                                    if picked.get_untracked() == Some(id) { picked.set(None) } else { picked.set(Some(id)); stage.set(first_short); }
                                }>
                                <span class="block text-lg font-medium">{format!("{} · {}", o.code, o.name)}</span>
                                <span class="text-sm text-slate-600 dark:text-slate-300">
                                    {o.stages.iter().map(|s| format!("{} {}/{}", s.name, s.good, o.quantity)).collect::<Vec<_>>().join(" · ")}
                                </span>
                            </button>
                            <Show when=move || picked.get() == Some(id)>
                                <div class="mt-3 space-y-3">
                                    <div class="flex flex-wrap gap-2" role="group" aria-label=move || td_string!(i18n.get_locale(), ord.f_stage)>
                                        {stages.iter().map(|s| {
                                            let sid = s.stage;
                                            view! {
                                                <button type="button" class=move || format!("{} {BIG}", if stage.get() == Some(sid) { BUTTON } else { BUTTON_SECONDARY })
                                                    aria-pressed=move || (stage.get() == Some(sid)).to_string() data-testid="terminal-stage"
                                                    on:click=move |_| stage.set(Some(sid))>
                                                    {s.name.clone()}
                                                </button>
                                            }
                                        }).collect_view()}
                                    </div>
                                    <label class="flex items-center gap-3 text-lg">
                                        <input type="checkbox" class="h-7 w-7" prop:checked=move || scrap.get() on:change=move |ev| scrap.set(event_target_checked(&ev)) data-testid="terminal-scrap" />
                                        {t!(i18n, term.as_scrap)}
                                    </label>
                                    <Show when=move || scrap.get()>
                                        <div class="flex flex-wrap gap-2" role="group" aria-label=move || td_string!(i18n.get_locale(), ord.f_scrap_reason)>
                                            {reasons.get_value().into_iter().map(|r| {
                                                let rid: ScrapReasonId = r.id;
                                                view! {
                                                    <button type="button" class=move || format!("{} min-h-12", if reason.get() == Some(rid) { BUTTON } else { BUTTON_SECONDARY })
                                                        aria-pressed=move || (reason.get() == Some(rid)).to_string() on:click=move |_| reason.set(Some(rid))>
                                                        {r.name.clone()}
                                                    </button>
                                                }
                                            }).collect_view()}
                                        </div>
                                    </Show>
                                    <div class="grid grid-cols-3 gap-2 sm:grid-cols-6" role="group" aria-label=move || td_string!(i18n.get_locale(), term.pieces)>
                                        {PIECES.into_iter().map(|n| view! {
                                            <button type="button" class=format!("{BUTTON} {BIG} tabular-nums") data-testid=format!("terminal-record-{n}")
                                                aria-label=move || if scrap.get() { td_string!(i18n.get_locale(), term.scrap_n, n = n).to_string() } else { td_string!(i18n.get_locale(), term.good_n, n = n).to_string() }
                                                on:click=move |_| record(n)>
                                                {format!("+{n}")}
                                            </button>
                                        }).collect_view()}
                                    </div>
                                </div>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
