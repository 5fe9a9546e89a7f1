//! `/fabrication/parts`: the shop's parts as a table: searched by name, notes, material (words), subsystem, holder
//! (`?q=`), filtered by state, type, subsystem, holder, overdue and "my claims", sorted by name, state, holder, date
//! asked or due date, a page at a time by keyset; the URL keeps all of it (a link shares the view). Follows the live
//! channel: a part someone moves elsewhere shows moved here.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use nexus::fabrication::rules::list::PartSort;
use nexus::fabrication::rules::parts::{PartKind, PartState};
use nexus::fabrication::rules::views::{PartSummary, Subsystem};
use nexus::identity::rules::auth::Permission;
use nexus::ids::{SubsystemId, UserId};
use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use super::texts;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, INPUT, LABEL, Loading, PageHeader,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, Sorting, href};
use crate::ui::session::{Protected, use_me};

/// What the table asks, as the URL keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub q: String,
    pub state: Option<PartState>,
    pub kind: Option<PartKind>,
    pub subsystem: Option<SubsystemId>,
    pub assignee: Option<UserId>,
    pub mine: bool,
    pub overdue: bool,
    pub sort: PartSort,
    pub desc: Option<bool>,
    pub after: Option<String>,
}

impl Ask {
    pub fn from_url(q: &ParamsMap) -> Self {
        let flag = |k: &str| q.get(k).as_deref() == Some("1");
        Ask {
            q: q.get("q").unwrap_or_default(),
            state: q.get("state").as_deref().and_then(PartState::parse).filter(|s| *s != PartState::Deleted),
            kind: q.get("type").as_deref().and_then(PartKind::parse),
            subsystem: q.get("subsystem").and_then(|s| s.parse().ok()),
            assignee: q.get("assignee").and_then(|s| s.parse::<uuid::Uuid>().ok()).map(UserId),
            mine: flag("mine"),
            overdue: flag("overdue"),
            sort: q.get("sort").as_deref().and_then(PartSort::parse).unwrap_or_default(),
            desc: q.get("order").map(|o| o == "desc"),
            after: q.get("after").filter(|a| !a.is_empty()),
        }
    }

    pub fn href(&self, after: Option<&str>) -> String {
        let subsystem = self.subsystem.map(|s| s.to_string());
        let assignee = self.assignee.map(|a| a.0.to_string());
        href(
            "/fabrication/parts",
            &[
                ("q", &self.q),
                ("state", self.state.map(PartState::as_str).unwrap_or_default()),
                ("type", self.kind.map(PartKind::as_str).unwrap_or_default()),
                ("subsystem", subsystem.as_deref().unwrap_or_default()),
                ("assignee", assignee.as_deref().unwrap_or_default()),
                ("mine", if self.mine { "1" } else { "" }),
                ("overdue", if self.overdue { "1" } else { "" }),
                ("sort", if self.sort == PartSort::default() { "" } else { self.sort.as_str() }),
                ("order", self.desc.map(|d| if d { "desc" } else { "asc" }).unwrap_or_default()),
                ("after", after.unwrap_or_default()),
            ],
        )
    }

    fn desc(&self) -> bool {
        self.desc.unwrap_or(self.sort.descending_by_default())
    }
}

/// A person the table filters by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChoice {
    pub id: UserId,
    pub name: String,
}

/// A page of parts and what the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartsView {
    pub page: Page<PartSummary>,
    pub subsystems: Vec<Subsystem>,
    pub makers: Vec<PersonChoice>,
}

#[server(prefix = "/api", endpoint = "ui/fabrication/parts")]
pub async fn fab_parts(ask: Ask) -> Result<PartsView, AppError> {
    use nexus::fabrication::rules::list::PartQuery;
    use nexus::fabrication::service::{parts, setup};
    // Reads only: the replica may serve it.
    let from = crate::state::read_pool()?;
    let caller = crate::state::person()?;
    let q = PartQuery {
        search: Some(ask.q.clone()).filter(|s| !s.trim().is_empty()),
        states: ask.state.into_iter().collect(),
        kind: ask.kind,
        subsystem: ask.subsystem,
        assignee: ask.assignee,
        mine: ask.mine,
        overdue: ask.overdue,
        sort: ask.sort,
        desc: ask.desc,
        after: ask.after.clone(),
        limit: None,
    };
    let (caller, q) = (&caller, &q);
    let (page, subsystems, makers) = from
        .run(|p| async move {
            let pool = &p.pool;
            Ok::<_, nexus::Error>((
                parts::list(pool, caller, q).await?,
                setup::subsystems(pool, caller).await?,
                setup::makers(pool, caller).await?,
            ))
        })
        .await?;
    Ok(PartsView {
        page,
        subsystems,
        makers: makers.into_iter().map(|m| PersonChoice { id: m.person.id, name: m.person.name }).collect(),
    })
}

#[component]
pub fn PartsPage() -> impl IntoView {
    let query = use_query_map();
    let live = crate::ui::live::use_live();
    let heard = Memo::new(move |_| live.as_ref().map(|l| l.fabrication.get()));
    let parts = Resource::new(move || (query.with(Ask::from_url), heard.get()), |(ask, _)| fab_parts(ask));
    view! {
        <Protected permission=Permission::FabRead>
            <Parts parts />
        </Protected>
    }
}

/// The area's tabs: the table, the board, the statistics.
#[component]
pub fn Tabs(current: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let tab = move |href: &'static str, key: &'static str| {
        let on = current == key;
        view! {
            <a href=href class=if on { BUTTON } else { BUTTON_SECONDARY } aria-current=on.then_some("page") data-testid=format!("fab-tab-{key}")>
                {move || match key {
                    "parts" => td_string!(i18n.get_locale(), fab.tab_table),
                    "board" => td_string!(i18n.get_locale(), fab.tab_board),
                    _ => td_string!(i18n.get_locale(), fab.tab_stats),
                }}
            </a>
        }
    };
    view! {
        <nav class="mb-4 flex flex-wrap gap-2" aria-label=move || td_string!(i18n.get_locale(), fab.views)>
            {tab("/fabrication/parts", "parts")}{tab("/fabrication/board", "board")}{tab("/fabrication/stats", "stats")}
        </nav>
    }
}

#[component]
fn Parts(parts: Resource<Result<PartsView, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let ask = move || query.with(Ask::from_url);
    let me = use_me();
    let may_work = me.can(Permission::FabWork);
    let may_lead = me.can(Permission::FabLead);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), fab.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, fab.title))>
            <div class="flex flex-wrap gap-2">
                {may_work.then(|| view! {
                    <a href="/fabrication/parts/new" class=BUTTON data-testid="part-new">{t!(i18n, fab.new_part)}</a>
                })}
                {may_lead.then(|| view! {
                    <a href="/fabrication/setup" class=BUTTON_SECONDARY data-testid="fab-setup">{t!(i18n, fab.setup)}</a>
                })}
            </div>
        </PageHeader>
        <Tabs current="parts" />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let v = match parts.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let a = ask();
                let filtered = !a.q.is_empty() || a.state.is_some() || a.kind.is_some() || a.subsystem.is_some()
                    || a.assignee.is_some() || a.mine || a.overdue;
                view! {
                    <Filters ask=a.clone() subsystems=v.subsystems.clone() makers=v.makers.clone() />
                    {if v.page.items.is_empty() && !filtered && a.after.is_none() {
                        view! {
                            <section class=format!("{CARD} text-center") data-testid="parts-empty">
                                <h2 class="mb-2 text-lg font-semibold">{t!(i18n, fab.empty_title)}</h2>
                                <p class="mx-auto max-w-xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, fab.empty_body)}</p>
                            </section>
                        }.into_any()
                    } else {
                        let later = a.after.is_some();
                        let sorting = {
                            let a = a.clone();
                            Sorting {
                                key: a.sort.as_str(),
                                desc: a.desc(),
                                href: Arc::new(move |key: &'static str| {
                                    let sort = PartSort::parse(key).unwrap_or_default();
                                    let desc = if sort == a.sort { Some(!a.desc()) } else { None };
                                    Ask { sort, desc, after: None, ..a.clone() }.href(None)
                                }),
                            }
                        };
                        let pages = move |after: Option<&str>| a.href(after);
                        view! {
                            <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), fab.title)>
                                <DataTable
                                    rows=v.page.items
                                    columns=columns()
                                    caption=move || td_string!(i18n.get_locale(), fab.title)
                                    testid="parts"
                                    sorting
                                    rows_meta=Rows { testid: "part-row", key: |p: &PartSummary| p.id.0.to_string(), state: Some(|p: &PartSummary| p.state.as_str()) }
                                    empty=ViewFn::from(move || view! { <span data-testid="parts-no-match">{t!(i18n, fab.no_match)}</span> })
                                />
                                <Pager next=v.page.next later href=Arc::new(pages) testid="parts" />
                            </section>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

/// The search and filters, as a form the URL keeps (it works without JavaScript).
#[component]
fn Filters(ask: Ask, subsystems: Vec<Subsystem>, makers: Vec<PersonChoice>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="get" action="/fabrication/parts" class="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_1fr_auto]" role="search" data-testid="parts-filters">
            {(ask.sort != PartSort::default()).then(|| view! { <input type="hidden" name="sort" value=ask.sort.as_str() /> })}
            {ask.desc.map(|d| view! { <input type="hidden" name="order" value=if d { "desc" } else { "asc" } /> })}
            <div>
                <label for="parts-q" class=LABEL>{t!(i18n, fab.search)}</label>
                <input id="parts-q" type="search" name="q" class=INPUT maxlength="100" value=ask.q.clone() data-testid="parts-q"
                    aria-describedby="parts-q-hint" />
                <p id="parts-q-hint" class="mt-1 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, fab.search_hint)}</p>
            </div>
            <div>
                <label for="parts-state" class=LABEL>{t!(i18n, fab.f_state)}</label>
                <select id="parts-state" name="state" class=INPUT data-testid="parts-state">
                    <option value="">{t!(i18n, fab.any)}</option>
                    {PartState::SHOWN.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=ask.state == Some(s)>{move || texts::state(i18n.get_locale(), s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="parts-type" class=LABEL>{t!(i18n, fab.f_type)}</label>
                <select id="parts-type" name="type" class=INPUT>
                    <option value="">{t!(i18n, fab.any)}</option>
                    {[PartKind::Cnc, PartKind::Hand].into_iter().map(|k| view! {
                        <option value=k.as_str() selected=ask.kind == Some(k)>{move || texts::kind(i18n.get_locale(), k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="parts-subsystem" class=LABEL>{t!(i18n, fab.f_subsystem)}</label>
                <select id="parts-subsystem" name="subsystem" class=INPUT>
                    <option value="">{t!(i18n, fab.any)}</option>
                    {subsystems.into_iter().map(|s| view! {
                        <option value=s.id.to_string() selected=ask.subsystem == Some(s.id)>{s.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="parts-assignee" class=LABEL>{t!(i18n, fab.f_assignee)}</label>
                <select id="parts-assignee" name="assignee" class=INPUT>
                    <option value="">{t!(i18n, fab.any)}</option>
                    {makers.into_iter().map(|m| view! {
                        <option value=m.id.0.to_string() selected=ask.assignee == Some(m.id)>{m.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col justify-end gap-1 text-sm">
                <label class="flex items-center gap-2">
                    <input type="checkbox" name="mine" value="1" checked=ask.mine data-testid="parts-mine" />
                    {t!(i18n, fab.mine)}
                </label>
                <label class="flex items-center gap-2">
                    <input type="checkbox" name="overdue" value="1" checked=ask.overdue />
                    {t!(i18n, fab.overdue_only)}
                </label>
            </div>
            <button type="submit" class=format!("{BUTTON_SECONDARY} sm:col-span-2 lg:col-span-6 lg:justify-self-start") data-testid="parts-search">{t!(i18n, common.search)}</button>
        </form>
    }
}

/// A part's marks: its priority (when not normal), overdue, a drawing its holder has not seen.
#[component]
pub fn Marks(p: PartSummary) -> impl IntoView {
    let i18n = use_i18n();
    let badge = "rounded px-1.5 py-0.5 text-xs font-semibold";
    let priority = p.priority;
    view! {
        {(priority != nexus::fabrication::rules::parts::Priority::Normal).then(|| view! {
            <span class=format!("{badge} bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-100") data-testid="part-priority">
                {move || texts::priority(i18n.get_locale(), priority)}
            </span>
        })}
        {p.overdue.then(|| view! { <span class=format!("{badge} bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100")>{t!(i18n, fab.overdue)}</span> })}
        {p.drawing_changed.then(|| view! { <span class=format!("{badge} bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200") data-testid="part-drawing-changed">{t!(i18n, fab.drawing_changed)}</span> })}
    }
}

fn columns() -> Vec<Column<PartSummary>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_name),
            |p: &PartSummary| {
                view! {
                    <div class="flex flex-wrap items-center gap-2">
                        <a href=format!("/fabrication/parts/{}", p.id) class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="part-link">{p.name.clone()}</a>
                        <Marks p=p.clone() />
                    </div>
                }
                .into_any()
            },
        )
        .sort("name"),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_state),
            |p: &PartSummary| {
                let s = p.state;
                view! { <span data-testid="part-state">{move || texts::state(use_i18n().get_locale(), s)}</span> }.into_any()
            },
        )
        .class("whitespace-nowrap")
        .sort("state"),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_type),
            |p: &PartSummary| {
                let k = p.kind;
                view! { <span>{move || texts::kind(use_i18n().get_locale(), k)}</span> }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_subsystem),
            |p: &PartSummary| p.subsystem.as_ref().map(|s| s.name.clone()).unwrap_or_default().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_assignee),
            |p: &PartSummary| p.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_default().into_any(),
        )
        .sort("assignee"),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_quantity),
            |p: &PartSummary| p.quantity.to_string().into_any(),
        )
        .class("tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_due),
            |p: &PartSummary| p.due_date.map(|d| d.to_string()).unwrap_or_default().into_any(),
        )
        .class("whitespace-nowrap tabular-nums")
        .sort("due"),
        Column::new(
            move || td_string!(i18n.get_locale(), fab.col_created),
            |p: &PartSummary| view! { <crate::ui::time::LocalTime at=p.created_at /> }.into_any(),
        )
        .class("whitespace-nowrap")
        .sort("created"),
    ]
}
