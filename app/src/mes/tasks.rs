//! `/mes/tasks`: the floor's tasks: mine, my role's or all (`?view=`), unfinished by default or in one state, of a
//! category or a line, blockers or overdue only, as a list (newest first, in pages) or a board by state
//! (`?board=1`). The page follows the live channel: a task someone changes elsewhere shows changed here.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{LineId, TaskCategoryId};
use nexus::mes::rules::tasks::{TaskState, View};
use nexus::mes::rules::views::{Category, LineName, TaskSummary};
use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, LABEL, Loading, PageHeader,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::{Protected, use_me};

/// What the list asks, as the URL keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub view: View,
    /// `""` unfinished, `all`, or a state.
    pub state: String,
    pub category: Option<TaskCategoryId>,
    pub line: Option<LineId>,
    pub blocker: bool,
    pub overdue: bool,
    pub board: bool,
    pub after: Option<String>,
}

impl Ask {
    fn from_url(q: &ParamsMap) -> Self {
        let flag = |k: &str| q.get(k).as_deref() == Some("1");
        Ask {
            view: q.get("view").as_deref().and_then(View::parse).unwrap_or_default(),
            state: q.get("state").filter(|s| s == "all" || TaskState::parse(s).is_some()).unwrap_or_default(),
            category: q.get("category").and_then(|c| c.parse().ok()),
            line: q.get("line").and_then(|c| c.parse().ok()),
            blocker: flag("blocker"),
            overdue: flag("overdue"),
            board: flag("board"),
            after: q.get("after").filter(|a| !a.is_empty()),
        }
    }

    fn href(&self, after: Option<&str>) -> String {
        let (category, line) = (self.category.map(|c| c.to_string()), self.line.map(|l| l.to_string()));
        href(
            "/mes/tasks",
            &[
                ("view", if self.view == View::Mine { "" } else { self.view.as_str() }),
                ("state", &self.state),
                ("category", category.as_deref().unwrap_or_default()),
                ("line", line.as_deref().unwrap_or_default()),
                ("blocker", if self.blocker { "1" } else { "" }),
                ("overdue", if self.overdue { "1" } else { "" }),
                ("board", if self.board { "1" } else { "" }),
                ("after", after.unwrap_or_default()),
            ],
        )
    }
}

/// A page of tasks and what the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TasksView {
    pub page: Page<TaskSummary>,
    /// On a board: the states with more tasks than it shows.
    pub more: Vec<TaskState>,
    pub categories: Vec<Category>,
    pub lines: Vec<LineName>,
}

/// Tasks a board's column shows at once (a column past it links to its list, which has the rest).
#[cfg(feature = "ssr")]
const BOARD_TASKS: i64 = 25;

#[server(prefix = "/api", endpoint = "ui/mes/tasks")]
pub async fn mes_tasks(ask: Ask) -> Result<TasksView, AppError> {
    use nexus::mes::service::tasks;
    // Reads only: the replica may serve it.
    let from = crate::state::read_pool()?;
    let caller = crate::state::person()?;
    let after = nexus::paging::after::<i64>(ask.after.as_deref(), ())?;
    let q = tasks::ListQuery {
        view: ask.view,
        states: TaskState::parse(&ask.state).into_iter().collect(),
        open: ask.state.is_empty(),
        category: ask.category,
        blocker: ask.blocker.then_some(true),
        overdue: ask.overdue,
        line: ask.line,
        after,
        limit: None,
    };
    let (caller, q, board) = (&caller, &q, ask.board);
    Ok(from
        .run(|p| async move {
            let pool = &p.pool;
            let (page, more) = if board {
                let board = tasks::board(pool, caller, q, BOARD_TASKS).await?;
                (Page { items: board.tasks, next: None }, board.more)
            } else {
                (tasks::list(pool, caller, q).await?, Vec::new())
            };
            Ok::<_, nexus::Error>(TasksView {
                page,
                more,
                categories: tasks::categories(pool, caller).await?,
                lines: tasks::lines(pool, caller).await?,
            })
        })
        .await?)
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let query = use_query_map();
    // The floor changed (a task anywhere, the live channel says): the page asks again.
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.production.get()));
    let tasks = Resource::new(move || (query.with(Ask::from_url), heard.get()), |(ask, _)| mes_tasks(ask));
    view! {
        <Protected permission=Permission::MesRead>
            <Tasks tasks />
        </Protected>
    }
}

#[component]
fn Tasks(tasks: Resource<Result<TasksView, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let ask = move || query.with(Ask::from_url);
    let may_work = use_me().can(Permission::MesWork);
    let tab = move |v: View| {
        let a = Ask { view: v, after: None, ..ask() };
        let current = ask().view == v;
        view! {
            <a href=a.href(None) class=if current { BUTTON } else { BUTTON_SECONDARY }
                aria-current=current.then_some("page") data-testid=format!("tasks-view-{}", v.as_str())>
                {move || match v {
                    View::Mine => td_string!(i18n.get_locale(), mes.view_mine),
                    View::Role => td_string!(i18n.get_locale(), mes.view_role),
                    View::All => td_string!(i18n.get_locale(), mes.view_all),
                }}
            </a>
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), mes.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, mes.title))>
            <div class="flex flex-wrap gap-2">
                {may_work.then(|| view! {
                    <a href="/mes/tasks/new" class=BUTTON data-testid="task-new">{t!(i18n, mes.new_task)}</a>
                })}
                <a href=move || Ask { board: !ask().board, after: None, ..ask() }.href(None) class=BUTTON_SECONDARY data-testid="tasks-layout">
                    {move || if ask().board { td_string!(i18n.get_locale(), mes.list) } else { td_string!(i18n.get_locale(), mes.board) }}
                </a>
            </div>
        </PageHeader>
        <nav class="mb-4 flex flex-wrap gap-2" aria-label=move || td_string!(i18n.get_locale(), mes.views)>
            {tab(View::Mine)}{tab(View::Role)}{tab(View::All)}
        </nav>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let v = match tasks.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let a = ask();
                let filtered = !a.state.is_empty() || a.category.is_some() || a.line.is_some() || a.blocker || a.overdue;
                view! {
                    <Filters ask=a.clone() categories=v.categories.clone() lines=v.lines.clone() />
                    {if v.page.items.is_empty() && !filtered && a.after.is_none() {
                        view! {
                            <section class=format!("{CARD} text-center") data-testid="tasks-empty">
                                <h2 class="mb-2 text-lg font-semibold">{t!(i18n, mes.empty_title)}</h2>
                                <p class="mx-auto max-w-xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, mes.empty_body)}</p>
                            </section>
                        }.into_any()
                    } else if a.board {
                        view! { <Board tasks=v.page.items more=v.more.clone() ask=a.clone() /> }.into_any()
                    } else {
                        let later = a.after.is_some();
                        let pages = move |after: Option<&str>| a.href(after);
                        view! {
                            <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), mes.title)>
                                <DataTable
                                    rows=v.page.items
                                    columns=columns()
                                    caption=move || td_string!(i18n.get_locale(), mes.title)
                                    testid="tasks"
                                    rows_meta=Rows { testid: "task-row", key: |t: &TaskSummary| t.id.0.to_string(), state: Some(|t: &TaskSummary| t.state.as_str()) }
                                    empty=ViewFn::from(move || view! { <span data-testid="tasks-no-match">{t!(i18n, mes.no_match)}</span> })
                                />
                                <Pager next=v.page.next later href=Arc::new(pages) testid="tasks" />
                            </section>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

/// The filters, as a form the URL keeps (it works without JavaScript).
#[component]
fn Filters(ask: Ask, categories: Vec<Category>, lines: Vec<LineName>) -> impl IntoView {
    let i18n = use_i18n();
    let states = TaskState::ALL;
    view! {
        <form method="get" action="/mes/tasks" class="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_auto_auto_auto]" role="search" data-testid="tasks-filters">
            <input type="hidden" name="view" value=ask.view.as_str() />
            {ask.board.then(|| view! { <input type="hidden" name="board" value="1" /> })}
            <div>
                <label for="tasks-state" class=LABEL>{t!(i18n, mes.filter_state)}</label>
                <select id="tasks-state" name="state" class=INPUT data-testid="tasks-state">
                    <option value="" selected=ask.state.is_empty()>{t!(i18n, mes.any_state)}</option>
                    <option value="all" selected=ask.state == "all">{t!(i18n, mes.all_states)}</option>
                    {states.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=ask.state == s.as_str()>{move || texts::state(i18n.get_locale(), s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="tasks-category" class=LABEL>{t!(i18n, mes.filter_category)}</label>
                <select id="tasks-category" name="category" class=INPUT>
                    <option value="">{t!(i18n, mes.any_category)}</option>
                    {categories.into_iter().map(|c| view! {
                        <option value=c.id.to_string() selected=ask.category == Some(c.id)>{c.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="tasks-line" class=LABEL>{t!(i18n, mes.filter_line)}</label>
                <select id="tasks-line" name="line" class=INPUT data-testid="tasks-line">
                    <option value="">{t!(i18n, mes.any_line)}</option>
                    {lines.into_iter().map(|l| view! {
                        <option value=l.id.to_string() selected=ask.line == Some(l.id)>{format!("{} · {}", l.code, l.name)}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="flex items-center gap-2 self-end py-2 text-sm">
                <input type="checkbox" name="blocker" value="1" checked=ask.blocker data-testid="tasks-blocker" />
                {t!(i18n, mes.blocker_only)}
            </label>
            <label class="flex items-center gap-2 self-end py-2 text-sm">
                <input type="checkbox" name="overdue" value="1" checked=ask.overdue />
                {t!(i18n, mes.overdue_only)}
            </label>
            <button type="submit" class=format!("{BUTTON_SECONDARY} self-end sm:py-2")>{t!(i18n, common.search)}</button>
        </form>
    }
}

/// A task's marks: blocker, overdue, unread.
#[component]
pub fn Marks(blocker: bool, overdue: bool, unread: bool) -> impl IntoView {
    let i18n = use_i18n();
    let badge = "rounded px-1.5 py-0.5 text-xs font-semibold";
    view! {
        {blocker.then(|| view! { <span class=format!("{badge} bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200") data-testid="task-blocker">{t!(i18n, mes.blocker)}</span> })}
        {overdue.then(|| view! { <span class=format!("{badge} bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100")>{t!(i18n, mes.overdue)}</span> })}
        {unread.then(|| view! { <span class=format!("{badge} bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-100") data-testid="task-unread">{t!(i18n, mes.unread)}</span> })}
    }
}

/// Who a task is for: its assignee, or its role while nobody holds it.
pub fn assignee_text(l: Locale, t: &TaskSummary) -> String {
    match (&t.assignee, t.assignee_role) {
        (Some(p), _) => p.name.clone(),
        (None, Some(r)) => td_string!(l, mes.role_of, role = crate::ui::components::role_text(l, r)).to_string(),
        (None, None) => String::new(),
    }
}

fn columns() -> Vec<Column<TaskSummary>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_title),
            |t: &TaskSummary| {
                view! {
                <div class="flex flex-wrap items-center gap-2">
                    <a href=format!("/mes/tasks/{}", t.id) class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="task-link">{t.title.clone()}</a>
                    <Marks blocker=t.blocker overdue=t.overdue unread=t.unread />
                </div>
            }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_state),
            |t: &TaskSummary| {
                let s = t.state;
                view! { <span data-testid="task-state">{move || texts::state(use_i18n().get_locale(), s)}</span> }
                    .into_any()
            },
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_assignee),
            |t: &TaskSummary| {
                let t = t.clone();
                view! { <span>{move || assignee_text(use_i18n().get_locale(), &t)}</span> }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_line),
            |t: &TaskSummary| t.line.as_ref().map(|l| l.code.clone()).unwrap_or_default().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_due),
            |t: &TaskSummary| t.due_date.map(|d| d.to_string()).unwrap_or_default().into_any(),
        )
        .class("whitespace-nowrap tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), mes.col_category),
            |t: &TaskSummary| t.category.as_ref().map(|c| c.name.clone()).unwrap_or_default().into_any(),
        ),
    ]
}

/// The tasks by state, a column each (done and cancelled together).
#[component]
fn Board(tasks: Vec<TaskSummary>, more: Vec<TaskState>, ask: Ask) -> impl IntoView {
    let i18n = use_i18n();
    let columns = [
        vec![TaskState::Open],
        vec![TaskState::Accepted],
        vec![TaskState::InProgress],
        vec![TaskState::Review],
        vec![TaskState::Done, TaskState::Cancelled],
    ];
    view! {
        <div class="grid gap-4 sm:grid-cols-2 lg:grid-cols-5" data-testid="tasks-board">
            {columns.into_iter().map(|states| {
                let first = states[0];
                let mine: Vec<TaskSummary> = tasks.iter().filter(|t| states.contains(&t.state)).cloned().collect();
                // A column with more than it shows: its count says so, and its list (that state) has the rest.
                let over = states.iter().any(|s| more.contains(s));
                let count = if over { format!("{}+", mine.len()) } else { mine.len().to_string() };
                let rest = over.then(|| Ask { board: false, after: None, state: first.as_str().to_owned(), ..ask.clone() }.href(None));
                let id = format!("board-{}-h", first.as_str());
                let heading = id.clone();
                view! {
                    <section class="rounded-xl bg-slate-100 p-3 dark:bg-slate-800/60" aria-labelledby=id.clone() data-testid=format!("board-{}", first.as_str())>
                        <h2 id=heading class="mb-2 flex items-center justify-between text-sm font-semibold">
                            <span>{move || texts::state(i18n.get_locale(), first)}</span>
                            <span class="tabular-nums text-slate-600 dark:text-slate-300" data-testid="board-count">{count}</span>
                        </h2>
                        {if mine.is_empty() {
                            view! { <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, mes.board_empty)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="space-y-2">
                                    {mine.into_iter().map(|t| view! { <Card t /> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {rest.map(|href| view! {
                            <a href=href class="mt-2 block text-sm font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="board-rest">
                                {t!(i18n, mes.board_rest)}
                            </a>
                        })}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Card(t: TaskSummary) -> impl IntoView {
    let i18n = use_i18n();
    let who = t.clone();
    view! {
        <li class="rounded-lg bg-white p-3 shadow-sm dark:bg-slate-900" data-testid="task-card" data-key=t.id.to_string() data-state=t.state.as_str()>
            <a href=format!("/mes/tasks/{}", t.id) class="block font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]">{t.title.clone()}</a>
            <div class="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
                <Marks blocker=t.blocker overdue=t.overdue unread=t.unread />
                <span>{move || assignee_text(i18n.get_locale(), &who)}</span>
                {t.line.as_ref().map(|l| view! { <span>{l.code.clone()}</span> })}
                {t.due_date.map(|d| view! { <span class="tabular-nums">{d.to_string()}</span> })}
            </div>
        </li>
    }
}
