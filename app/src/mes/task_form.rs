//! `/mes/tasks/new`: a task as whoever asks for something writes it: what (title, description), for whom (a person,
//! or a role whose holder who accepts it takes it), a category, a due date, the line it concerns and whether it
//! blocks that line. Sent under a key of its own (a double tap makes one task); each refused field says why under it.
//! `?line=` starts it for that line (the dashboard's "report a blocker").

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use nexus::identity::rules::auth::{Permission, Role};
use nexus::ids::{LineId, TaskCategoryId, TaskId, UserId};
use nexus::mes::rules::tasks::{ASSIGNABLE_ROLES, AssigneeType, TaskInput};
use nexus::mes::rules::views::{Category, LineName};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, CARD, ErrorBanner, INPUT, LABEL, Loading, PageHeader, field_problem, names, new_key, role_text,
};
use crate::ui::session::Protected;

/// A person a task may be given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerChoice {
    pub id: UserId,
    pub name: String,
    pub role: Role,
}

/// What the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFormData {
    pub categories: Vec<Category>,
    pub lines: Vec<LineName>,
    pub workers: Vec<WorkerChoice>,
}

#[server(prefix = "/api", endpoint = "ui/mes/task-form")]
pub async fn mes_task_form() -> Result<TaskFormData, AppError> {
    use nexus::mes::service::tasks;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(TaskFormData {
        categories: tasks::categories(&st.pool, &caller).await?.into_iter().filter(|c| !c.archived).collect(),
        lines: tasks::lines(&st.pool, &caller).await?,
        workers: tasks::workers(&st.pool, &caller, None)
            .await?
            .into_iter()
            .map(|w| WorkerChoice { id: w.id, name: w.name, role: w.role })
            .collect(),
    })
}

#[server(prefix = "/api", endpoint = "ui/mes/task-create")]
pub async fn mes_create_task(input: TaskInput, key: String) -> Result<TaskId, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::tasks::create(&st.pool, &caller, &input, Some(&key)).await?.task.id)
}

#[component]
pub fn NewTaskPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| mes_task_form());
    view! {
        <Protected permission=Permission::MesWork>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <TaskForm data=d /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

#[component]
fn TaskForm(data: TaskFormData) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = use_navigate();
    let start_line = query.with_untracked(|q| q.get("line").and_then(|l| l.parse::<LineId>().ok()));
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let category = RwSignal::new(None::<TaskCategoryId>);
    let due = RwSignal::new(String::new());
    let blocker = RwSignal::new(start_line.is_some());
    let line = RwSignal::new(start_line);
    let kind = RwSignal::new(AssigneeType::Role);
    let person = RwSignal::new(None::<UserId>);
    let role = RwSignal::new(Some(Role::Supply));
    // One key per form shown: sent twice (a double tap, a retry), it is one task.
    let key = StoredValue::new(new_key("task"));
    let create = Action::new(move |input: &TaskInput| mes_create_task(input.clone(), key.get_value()));
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/mes/tasks/{id}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(TaskInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            category: category.get_untracked(),
            due_date: chrono::NaiveDate::parse_from_str(&due.get_untracked(), "%Y-%m-%d").ok(),
            blocker: blocker.get_untracked(),
            line: line.get_untracked(),
            assignee_type: kind.get_untracked(),
            assignee_id: person.get_untracked(),
            assignee_role: role.get_untracked(),
        });
    };
    let TaskFormData { categories, lines, workers } = data;
    view! {
        <Title text=move || td_string!(i18n.get_locale(), mes.new_task) />
        <PageHeader title=ViewFn::from(move || t!(i18n, mes.new_task)) />
        <form class=format!("{CARD} max-w-2xl space-y-4") on:submit=submit data-testid="task-form" novalidate>
            <ErrorBanner error fields=&["title", "description", "line", "assignee_id", "assignee_role", "category"] />
            <div>
                <label for="task-title" class=LABEL>{t!(i18n, mes.f_title)}</label>
                <input id="task-title" class=INPUT maxlength="200" required data-testid="task-title"
                    aria-invalid=names(error, "title", "true") aria-describedby=names(error, "title", "task-title-error")
                    prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                {field_problem(error, "title", "task-title-error")}
            </div>
            <div>
                <label for="task-description" class=LABEL>{t!(i18n, mes.f_description)}</label>
                <textarea id="task-description" rows="3" class=INPUT maxlength="4000" data-testid="task-description"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </div>
            <fieldset>
                <legend class=LABEL>{t!(i18n, mes.f_assignee_type)}</legend>
                <div class="flex flex-wrap gap-4 text-sm">
                    <label class="flex items-center gap-2">
                        <input type="radio" name="assignee_type" checked=move || kind.get() == AssigneeType::Role
                            on:change=move |_| kind.set(AssigneeType::Role) data-testid="task-to-role" />
                        {t!(i18n, mes.to_role)}
                    </label>
                    <label class="flex items-center gap-2">
                        <input type="radio" name="assignee_type" checked=move || kind.get() == AssigneeType::User
                            on:change=move |_| kind.set(AssigneeType::User) data-testid="task-to-person" />
                        {t!(i18n, mes.to_person)}
                    </label>
                </div>
            </fieldset>
            <Show when=move || kind.get() == AssigneeType::Role>
                <div>
                    <label for="task-role" class=LABEL>{t!(i18n, mes.f_role)}</label>
                    <select id="task-role" class=INPUT data-testid="task-role"
                        on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)))>
                        {ASSIGNABLE_ROLES.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=move || role.get() == Some(r)>{move || role_text(i18n.get_locale(), r)}</option>
                        }).collect_view()}
                    </select>
                    {field_problem(error, "assignee_role", "task-role-error")}
                </div>
            </Show>
            <Show when=move || kind.get() == AssigneeType::User>
                <div>
                    <label for="task-person" class=LABEL>{t!(i18n, mes.f_assignee)}</label>
                    <select id="task-person" class=INPUT data-testid="task-person"
                        aria-invalid=names(error, "assignee_id", "true") aria-describedby=names(error, "assignee_id", "task-person-error")
                        on:change=move |ev| person.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(UserId))>
                        <option value="">{t!(i18n, mes.choose)}</option>
                        {workers.clone().into_iter().map(|w| {
                            let label = format!("{} · ", w.name);
                            view! { <option value=w.id.0.to_string() selected=move || person.get() == Some(w.id)>{label}{move || role_text(i18n.get_locale(), w.role)}</option> }
                        }).collect_view()}
                    </select>
                    {field_problem(error, "assignee_id", "task-person-error")}
                </div>
            </Show>
            <div class="grid gap-4 sm:grid-cols-2">
                <div>
                    <label for="task-category" class=LABEL>{t!(i18n, mes.f_category)}</label>
                    <select id="task-category" class=INPUT on:change=move |ev| category.set(event_target_value(&ev).parse().ok())>
                        <option value="">{t!(i18n, mes.f_none)}</option>
                        {categories.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                    {field_problem(error, "category", "task-category-error")}
                </div>
                <div>
                    <label for="task-due" class=LABEL>{t!(i18n, mes.f_due)}</label>
                    <input id="task-due" type="date" class=INPUT data-testid="task-due"
                        prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                </div>
            </div>
            <div>
                <label for="task-line" class=LABEL>{t!(i18n, mes.f_line)}</label>
                <select id="task-line" class=INPUT data-testid="task-line"
                    aria-invalid=names(error, "line", "true") aria-describedby=names(error, "line", "task-line-error")
                    on:change=move |ev| line.set(event_target_value(&ev).parse().ok())>
                    <option value="">{t!(i18n, mes.f_none)}</option>
                    {lines.into_iter().map(|l| view! {
                        <option value=l.id.to_string() selected=move || line.get() == Some(l.id)>{format!("{} · {}", l.code, l.name)}</option>
                    }).collect_view()}
                </select>
                {field_problem(error, "line", "task-line-error")}
            </div>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || blocker.get() on:change=move |ev| blocker.set(event_target_checked(&ev)) data-testid="task-blocker-input" />
                {t!(i18n, mes.f_blocker)}
            </label>
            <button type="submit" class=format!("{BUTTON} min-h-12") disabled=move || create.pending().get() data-testid="task-create">{t!(i18n, mes.create)}</button>
        </form>
    }
}
