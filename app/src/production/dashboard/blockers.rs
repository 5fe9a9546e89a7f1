//! The open blockers of the lines the dashboard shows (MES tasks marked as blocking a line), at the top until each is
//! done: what stops the line, where it stands and who holds it, a link to the task. Asked again with the figures
//! (the live channel hears task changes too).

use leptos::prelude::*;
use nexus::ids::LineId;
use nexus::mes::rules::views::Blocker;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::role_text;

#[server(prefix = "/api", endpoint = "ui/production/blockers")]
pub async fn production_blockers(line: Option<LineId>) -> Result<Vec<Blocker>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::mes::service::tasks::blockers(&st.pool, &caller, line.as_slice()).await?)
}

#[component]
pub(super) fn Blockers(
    blockers: Resource<Result<Vec<Blocker>, AppError>>,
    lines: Vec<(LineId, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lines = StoredValue::new(lines);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = blockers.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="mb-4 rounded-xl border border-red-300 bg-red-50 p-4 text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100"
                        aria-labelledby="prod-blockers-h" data-testid="prod-blockers">
                        <h2 id="prod-blockers-h" class="mb-2 text-base font-semibold">{t!(i18n, mes.blockers_title)}</h2>
                        <ul class="space-y-1 text-sm">
                            {list.into_iter().map(|b| {
                                let line = lines.with_value(|ls| ls.iter().find(|(id, _)| *id == b.line).map(|(_, c)| c.clone())).unwrap_or_default();
                                let title = b.title.clone();
                                let who = (b.assignee.clone(), b.assignee_role);
                                view! {
                                    <li data-testid="prod-blocker" data-state=b.state.as_str()>
                                        <a href=format!("/mes/tasks/{}", b.id) class="font-medium underline">
                                            {move || td_string!(i18n.get_locale(), mes.blocker_line, line = line.clone(), title = title.clone()).to_string()}
                                        </a>
                                        " · "{move || crate::mes::texts::state(i18n.get_locale(), b.state)}
                                        " · "{move || match &who {
                                            (Some(name), _) => name.clone(),
                                            (None, Some(r)) => role_text(i18n.get_locale(), *r).to_owned(),
                                            (None, None) => String::new(),
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}
