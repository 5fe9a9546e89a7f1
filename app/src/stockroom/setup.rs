//! `/stock/setup`: the room itself, for whoever configures it (an owner, a manager, a workshop's own account): its
//! departments (code, name, whether operators issue to themselves there; renamed and archived, never deleted), its
//! categories (a tree: each inside another or at the top; renamed, moved, archived) and each person's department
//! (where their alerts come from, and what the counter proposes them).

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{CategoryId, DepartmentId, UserId};
use nexus::stockroom::rules::views::{Category, Department};
use nexus::stockroom::rules::{CategoryInput, DepartmentInput};

use super::{Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, EditorFoot, ErrorBanner, INPUT, Loading, PageHeader};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/stock/categories")]
pub async fn stock_categories() -> Result<Vec<Category>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::setup::categories(&st.pool, &caller).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/department-save")]
pub async fn stock_save_department(id: Option<DepartmentId>, input: DepartmentInput) -> Result<DepartmentId, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::stockroom::service::setup::save_department(&st.pool, &caller, &meta, id, &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/category-save")]
pub async fn stock_save_category(id: Option<CategoryId>, input: CategoryInput) -> Result<CategoryId, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::stockroom::service::setup::save_category(&st.pool, &caller, &meta, id, &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/person-place")]
pub async fn stock_place_person(user: UserId, department: Option<DepartmentId>) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let meta = crate::state::meta();
    Ok(nexus::stockroom::service::setup::set_member(&st.pool, &caller, &meta, user, department).await?)
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let changed = RwSignal::new(0_u64);
    let room = Resource::new(move || changed.get(), |_| stock_room());
    let categories = Resource::new(move || changed.get(), |_| stock_categories());
    view! {
        <Protected permission=Permission::StockConfigure>
            <Setup room categories changed />
        </Protected>
    }
}

#[component]
fn Setup(
    room: Resource<Result<Room, AppError>>,
    categories: Resource<Result<Vec<Category>, AppError>>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), room.setup_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, room.setup_title))>
            <a href="/stock" class=BUTTON_SECONDARY>{t!(i18n, room.items_title)}</a>
        </PageHeader>
        <p class="mb-6 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.setup_intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let (room, categories) = match (room.await, categories.await) {
                    (Ok(r), Ok(c)) => (r, c),
                    (Err(e), _) | (_, Err(e)) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                let departments = room.departments.clone();
                view! {
                    <div class="grid gap-6 lg:grid-cols-2">
                        <Departments list=departments.clone() changed />
                        <Categories list=categories changed />
                    </div>
                    <People room departments changed />
                }.into_any()
            })}
        </Transition>
    }
}

pub(super) use crate::ui::components::{LABEL, field_problem, names};

/// The departments, and one form that makes a new one or changes the one chosen.
#[component]
fn Departments(list: Vec<Department>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(None::<DepartmentId>);
    let (code, name, self_issue, archived) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(false), RwSignal::new(false));
    let save = Action::new(move |(id, input): &(Option<DepartmentId>, DepartmentInput)| {
        stock_save_department(*id, input.clone())
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let clear = move || {
        editing.set(None);
        code.set(String::new());
        name.set(String::new());
        self_issue.set(false);
        archived.set(false);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            clear();
            changed.update(|n| *n += 1);
        }
    });
    let empty = list.is_empty();
    view! {
            <section class=CARD aria-labelledby="dept-h" data-testid="setup-departments">
                <h2 id="dept-h" class="mb-3 text-lg font-semibold">{t!(i18n, room.setup_departments)}</h2>
                {empty.then(|| view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.setup_no_departments)}</p> })}
                <ul class="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-700">
                    {list.into_iter().map(|d| {
                        let pick = d.clone();
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="setup-department">
                                <span>
                                    <span class="font-mono">{d.code.clone()}</span> " · " <span class="font-medium">{d.name.clone()}</span>
                                    {d.self_issue.then(|| view! { <span class="ml-2 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, room.setup_self_issue_short)}</span> })}
                                    {d.archived.then(|| view! { <span class="ml-2 rounded bg-slate-200 px-1.5 text-xs dark:bg-slate-700">{t!(i18n, room.setup_archived)}</span> })}
                                </span>
                                <button type="button" class=BUTTON_SECONDARY on:click=move |_| {
                                    editing.set(Some(pick.id));
                                    code.set(pick.code.clone());
                                    name.set(pick.name.clone());
                                    self_issue.set(pick.self_issue);
                                    archived.set(pick.archived);
                                }>
                                    {t!(i18n, room.setup_edit)} <span class="sr-only">" " {d.name.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form class="grid gap-3" on:submit=move |ev| {
                    ev.prevent_default();
                    let input = DepartmentInput { code: code.get_untracked(), name: name.get_untracked(), self_issue: self_issue.get_untracked(), archived: archived.get_untracked() };
                    save.dispatch((editing.get_untracked(), input));
                }>
                    <h3 class="text-sm font-semibold">
                        {move || if editing.get().is_some() { td_string!(i18n.get_locale(), room.setup_edit_department) } else { td_string!(i18n.get_locale(), room.setup_new_department) }}
                    </h3>
                    <ErrorBanner error fields=&["code", "name"] />
                    <div class="grid gap-3 sm:grid-cols-[8rem_1fr]">
                        <div>
                            <label for="dept-code" class=LABEL>{t!(i18n, room.setup_code)}</label>
                            <input id="dept-code" class=INPUT maxlength="20" required aria-invalid=names(error, "code", "true") aria-describedby=names(error, "code", "dept-code-error") prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) data-testid="dept-code" />
                            {field_problem(error, "code", "dept-code-error")}
                        </div>
                        <div>
                            <label for="dept-name" class=LABEL>{t!(i18n, room.setup_name)}</label>
                            <input id="dept-name" class=INPUT maxlength="80" required aria-invalid=names(error, "name", "true") aria-describedby=names(error, "name", "dept-name-error") prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) data-testid="dept-name" />
                            {field_problem(error, "name", "dept-name-error")}
                        </div>
                    </div>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" prop:checked=move || self_issue.get() on:change=move |ev| self_issue.set(event_target_checked(&ev)) />
                        {t!(i18n, room.setup_self_issue)}
                    </label>
    <EditorFoot editing=Signal::derive(move || editing.get().is_some()) archived=archived archive_label=Signal::derive(move || td_string!(i18n.get_locale(), room.setup_archive))
                        pending=save.pending() save_testid="dept-save" archive_testid="dept-archived" on_cancel=Callback::new(move |_| clear()) />
                </form>
            </section>
        }
}

/// The categories as a tree (their paths), and one form that makes a new one or changes the one chosen.
#[component]
fn Categories(list: Vec<Category>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(None::<CategoryId>);
    let (name, parent, archived) =
        (RwSignal::new(String::new()), RwSignal::new(None::<CategoryId>), RwSignal::new(false));
    let save =
        Action::new(move |(id, input): &(Option<CategoryId>, CategoryInput)| stock_save_category(*id, input.clone()));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let clear = move || {
        editing.set(None);
        name.set(String::new());
        parent.set(None);
        archived.set(false);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            clear();
            changed.update(|n| *n += 1);
        }
    });
    let mut sorted = list.clone();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let parents: Vec<Category> = sorted.iter().filter(|c| !c.archived).cloned().collect();
    let empty = sorted.is_empty();
    view! {
            <section class=CARD aria-labelledby="cat-h" data-testid="setup-categories">
                <h2 id="cat-h" class="mb-3 text-lg font-semibold">{t!(i18n, room.setup_categories)}</h2>
                {empty.then(|| view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.setup_no_categories)}</p> })}
                <ul class="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-700">
                    {sorted.into_iter().map(|c| {
                        let pick = c.clone();
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="setup-category">
                                <span>
                                    {c.path.clone()}
                                    {c.archived.then(|| view! { <span class="ml-2 rounded bg-slate-200 px-1.5 text-xs dark:bg-slate-700">{t!(i18n, room.setup_archived)}</span> })}
                                </span>
                                <button type="button" class=BUTTON_SECONDARY on:click=move |_| {
                                    editing.set(Some(pick.id));
                                    name.set(pick.name.clone());
                                    parent.set(pick.parent);
                                    archived.set(pick.archived);
                                }>
                                    {t!(i18n, room.setup_edit)} <span class="sr-only">" " {c.name.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form class="grid gap-3" on:submit=move |ev| {
                    ev.prevent_default();
                    let input = CategoryInput { parent: parent.get_untracked(), name: name.get_untracked(), archived: archived.get_untracked() };
                    save.dispatch((editing.get_untracked(), input));
                }>
                    <h3 class="text-sm font-semibold">
                        {move || if editing.get().is_some() { td_string!(i18n.get_locale(), room.setup_edit_category) } else { td_string!(i18n.get_locale(), room.setup_new_category) }}
                    </h3>
                    <ErrorBanner error fields=&["name", "parent"] />
                    <div class="grid gap-3 sm:grid-cols-2">
                        <div>
                            <label for="cat-name" class=LABEL>{t!(i18n, room.setup_name)}</label>
                            <input id="cat-name" class=INPUT maxlength="80" required aria-invalid=names(error, "name", "true") aria-describedby=names(error, "name", "cat-name-error") prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) data-testid="cat-name" />
                            {field_problem(error, "name", "cat-name-error")}
                        </div>
                        <div>
                            <label for="cat-parent" class=LABEL>{t!(i18n, room.setup_parent)}</label>
                            <select id="cat-parent" class=INPUT data-testid="cat-parent"
                                prop:value=move || parent.get().map(|p| p.0.to_string()).unwrap_or_default()
                                on:change=move |ev| parent.set(event_target_value(&ev).parse::<i32>().ok().map(CategoryId))>
                                <option value="">{t!(i18n, room.setup_top)}</option>
                                {parents.into_iter().map(|c| view! { <option value=c.id.0.to_string()>{c.path.clone()}</option> }).collect_view()}
                            </select>
                            {field_problem(error, "parent", "cat-parent-error")}
                        </div>
                    </div>
    <EditorFoot editing=Signal::derive(move || editing.get().is_some()) archived=archived archive_label=Signal::derive(move || td_string!(i18n.get_locale(), room.setup_archive))
                        pending=save.pending() save_testid="cat-save" on_cancel=Callback::new(move |_| clear()) />
                </form>
            </section>
        }
}

/// Each person's department: chosen here, saved on the change.
#[component]
fn People(room: Room, departments: Vec<Department>, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let place = Action::new(move |(user, d): &(UserId, Option<DepartmentId>)| stock_place_person(*user, *d));
    let error = Signal::derive(move || place.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = place.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let open: Vec<Department> = departments.into_iter().filter(|d| !d.archived).collect();
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="people-h" data-testid="setup-people">
            <h2 id="people-h" class="mb-1 text-lg font-semibold">{t!(i18n, room.setup_people)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, room.setup_people_note)}</p>
            <ErrorBanner error />
            <ul class="divide-y divide-slate-200 text-sm dark:divide-slate-700">
                {room.people.into_iter().map(|p| {
                    let id = format!("person-{}", p.id.0);
                    let user = p.id;
                    let current = p.department.map(|d| d.0.to_string()).unwrap_or_default();
                    let open = open.clone();
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="setup-person">
                            <label for=id.clone() class="font-medium">{p.name.clone()}</label>
                            <select id=id class=format!("{INPUT} sm:max-w-xs") prop:value=current
                                on:change=move |ev| {
                                    let d = event_target_value(&ev).parse::<i32>().ok().map(DepartmentId);
                                    place.dispatch((user, d));
                                }>
                                <option value="">{t!(i18n, room.setup_no_department)}</option>
                                {open.into_iter().map(|d| view! { <option value=d.id.0.to_string()>{d.name.clone()}</option> }).collect_view()}
                            </select>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
