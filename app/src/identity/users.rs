//! Administration of users: approve, deactivate, reactivate, change role; invite people (`invitations`). Platform
//! admins see every tenant; owners their own. Filters live in the URL, so they work as plain GET forms and survive a reload.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::{Permission, Role};
use nexus::identity::rules::tenant::{TenantKind, UserAction, UserStatus};
use std::sync::Arc;

use nexus::ids::UserId;
use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use super::invitations::{InvitationsList, Invite, InviteCard, RevokeInvitation, list_invitations};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader,
    StatusBadge, SuccessBanner, role_text,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::Protected;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    /// The organisation's phone, address and hours, those it gave.
    pub tenant_contact: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPageDto {
    pub users: Page<UserDto>,
    pub pending: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersQuery {
    /// None: every status.
    pub status: Option<UserStatus>,
    pub search: Option<String>,
    pub after: Option<String>,
}

#[server(prefix = "/api", endpoint = "ui/users")]
pub async fn list_users(#[server(default)] q: UsersQuery) -> Result<UsersPageDto, AppError> {
    use nexus::identity::service::users;
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let query = users::UserQuery { status: q.status, search: q.search, after: q.after };
    let page = users::list(&st.pool, &user, &query).await?;
    Ok(UsersPageDto {
        users: page.users.map(|u| UserDto {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            status: u.status,
            tenant_name: u.tenant_name,
            tenant_kind: u.tenant_kind,
            tenant_contact: u.tenant_contact,
            created_at: u.created_at,
        }),
        pending: page.pending,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateUserInput {
    pub user_id: UserId,
    pub action: UserAction,
    /// The new role, for `change_role`.
    #[serde(default)]
    pub role: Option<Role>,
}

#[server(prefix = "/api", endpoint = "ui/users/update")]
pub async fn update_user(input: UpdateUserInput) -> Result<UserAction, AppError> {
    use nexus::identity::service::users::{UserChange, act};
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let change = UserChange::from_action(input.action, input.role)?;
    act(&st.pool, &user, input.user_id, change, &crate::state::meta()).await?;
    Ok(input.action)
}

/// The status tab in the URL (`?status=`): a status, or `all`; pending when absent.
fn status_filter(raw: Option<String>) -> Option<UserStatus> {
    match raw.as_deref() {
        None | Some("") => Some(UserStatus::Pending),
        Some(s) => UserStatus::parse(s),
    }
}

fn filter_value(f: Option<UserStatus>) -> &'static str {
    f.map_or("all", UserStatus::as_str)
}

/// Resources are created here, outside the `Protected` suspense, so the server and the browser create them in the same
/// order (their ids must match for hydration).
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || status_filter(query.with(|q| q.get("status")));
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after"));
    let update = ServerAction::<UpdateUser>::new();
    let invite = ServerAction::<Invite>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let inv_after = move || query.with(|q| q.get("inv_after"));
    let invitations = Resource::new(
        move || (inv_after(), invite.version().get(), revoke.version().get()),
        |(after, _, _)| list_invitations(after),
    );
    let page = Resource::new(
        move || (status(), search(), after(), update.version().get()),
        |(status, search, after, _)| {
            list_users(UsersQuery { status, search: Some(search).filter(|s| !s.is_empty()), after })
        },
    );
    view! {
        <Protected permission=Permission::UsersManage>
            <Users page update />
            <InviteCard invite />
            <InvitationsList page=invitations revoke />
        </Protected>
    }
}

#[component]
fn Users(page: Resource<Result<UsersPageDto, AppError>>, update: ServerAction<UpdateUser>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let status = move || status_filter(query.with(|q| q.get("status")));
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after")).filter(|a| !a.is_empty());
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let done = move || update.value().get().and_then(Result::ok);
    let tab = move |value: Option<UserStatus>| {
        let current = move || status() == value;
        view! {
            <a
                href=move || href("/admin/users", &[("status", filter_value(value)), ("q", &search())])
                aria-current=move || current().then_some("page")
                class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-[#1a5bb5] aria-[current=page]:text-white dark:text-slate-300 dark:hover:bg-slate-800"
            >
                {move || match value {
                    Some(UserStatus::Pending) => td_string!(i18n.get_locale(), users.tab_pending),
                    Some(UserStatus::Active) => td_string!(i18n.get_locale(), users.tab_active),
                    Some(UserStatus::Deactivated) => td_string!(i18n.get_locale(), users.tab_deactivated),
                    None => td_string!(i18n.get_locale(), users.tab_all),
                }}
            </a>
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), users.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, users.title)) />
        <div class="mb-4 flex flex-wrap items-center gap-3">
            <nav class="flex flex-wrap gap-1" aria-label=move || td_string!(i18n.get_locale(), common.filter)>
                {UserStatus::ALL.iter().map(|s| tab(Some(*s))).collect_view()} {tab(None)}
            </nav>
            <form method="get" action="/admin/users" class="relative ml-auto flex w-full gap-2 sm:w-auto" role="search">
                <input type="hidden" name="status" value=move || filter_value(status()) />
                <label for="user-search" class="sr-only">{t!(i18n, common.search)}</label>
                <input id="user-search" name="q" type="search" value=search class=format!("{INPUT} min-w-0 flex-1 sm:w-72 sm:flex-none")
                    placeholder=move || td_string!(i18n.get_locale(), users.search_placeholder) />
                <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, common.search)}</button>
            </form>
        </div>
        <SuccessBanner show=Signal::derive(move || done().is_some())>
            {move || match done() {
                Some(UserAction::Approve) => td_string!(i18n.get_locale(), users.done_approved),
                Some(UserAction::Deactivate) => td_string!(i18n.get_locale(), users.done_deactivated),
                Some(UserAction::Reactivate) => td_string!(i18n.get_locale(), users.done_reactivated),
                Some(UserAction::ChangeRole) | None => td_string!(i18n.get_locale(), users.done_role),
            }}
        </SuccessBanner>
        <ErrorBanner error=update_error />
        <section class=CARD_FLUSH>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(p) => {
                            let list_href = move |after: Option<&str>| {
                                href("/admin/users", &[("status", filter_value(status())), ("q", &search()), ("after", after.unwrap_or_default())])
                            };
                            view! {
                                <DataTable
                                    rows=p.users.items
                                    columns=user_columns(update)
                                    caption=move || td_string!(i18n.get_locale(), users.title)
                                    testid="users-table"
                                    rows_meta=Rows { testid: "user-row", key: |u: &UserDto| u.email.clone(), state: Some(|u: &UserDto| u.status.as_str()) }
                                    empty=ViewFn::from(move || view! {
                                        <span data-testid="users-empty">
                                            {move || if status() == Some(UserStatus::Pending) { td_string!(i18n.get_locale(), users.empty_pending) } else { td_string!(i18n.get_locale(), users.empty) }}
                                        </span>
                                    })
                                />
                                <Pager next=p.users.next later=after().is_some() href=Arc::new(list_href) testid="users" />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The users list's columns: who, their organization, role, status, since when, and what may be done to them.
fn user_columns(update: ServerAction<UpdateUser>) -> Vec<Column<UserDto>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), users.name),
            |u: &UserDto| {
                view! {
            <p class="max-w-[18rem] truncate font-medium text-slate-900 dark:text-white" title=u.display_name.clone()>{u.display_name.clone()}</p>
            <p class="max-w-[18rem] truncate text-slate-500 dark:text-slate-400" title=u.email.clone()>{u.email.clone()}</p>
        }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), users.business),
            |u: &UserDto| {
                view! {
                <div class="max-w-[16rem]" data-testid="user-business">
                    <div class="truncate" title=u.tenant_name.clone()>{u.tenant_name.clone()}</div>
                    {u.tenant_contact.iter().map(|c| view! { <div class="text-xs text-slate-600 dark:text-slate-300">{c.clone()}</div> }).collect_view()}
                </div>
            }
            .into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), users.role),
            move |u: &UserDto| {
                let role = u.role;
                (move || role_text(i18n.get_locale(), role)).into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), users.status),
            |u: &UserDto| view! { <StatusBadge status=u.status /> }.into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), users.created),
            |u: &UserDto| view! { <LocalTime at=u.created_at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), common.actions),
            move |u: &UserDto| view! { <UserActions user=u.clone() update /> }.into_any(),
        ),
    ]
}

#[component]
fn UserActions(user: UserDto, update: ServerAction<UpdateUser>) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.id.to_string();
    let role = user.role;
    let row_id = id.clone();
    // One's own account is not deactivated or demoted from this list (the server refuses it): nothing is offered
    // that would only be refused.
    if use_context::<crate::ui::session::Me>().is_some_and(|me| me.user_id == user.id) {
        return view! {
            <p class="text-sm text-slate-600 dark:text-slate-300" data-testid="user-self">{t!(i18n, users.is_you)}</p>
        }
        .into_any();
    }
    let status_actions = UserAction::offered(user.status)
        .iter()
        .map(|&action| {
            let id = row_id.clone();
            let class = match action {
                UserAction::Approve => BUTTON,
                UserAction::Deactivate => BUTTON_DANGER,
                UserAction::Reactivate | UserAction::ChangeRole => BUTTON_SECONDARY,
            };
            view! {
                <ActionForm action=update>
                    <input type="hidden" name="input[user_id]" value=id />
                    <input type="hidden" name="input[action]" value=action.as_str() />
                    <button type="submit" class=class data-testid=format!("user-{action}")>
                        {move || match action {
                            UserAction::Approve => td_string!(i18n.get_locale(), users.approve),
                            UserAction::Deactivate => td_string!(i18n.get_locale(), users.deactivate),
                            UserAction::Reactivate => td_string!(i18n.get_locale(), users.reactivate),
                            UserAction::ChangeRole => td_string!(i18n.get_locale(), users.change_role),
                        }}
                    </button>
                </ActionForm>
            }
        })
        .collect_view();
    let allowed_roles = user.tenant_kind.roles();
    let role_select = (allowed_roles.len() > 1).then(|| {
        let select_id = format!("role-{}", user.id);
        view! {
            // `relative`: the visually hidden label is positioned, and must stay inside the table's scroll box.
            <ActionForm action=update attr:class="relative flex items-center gap-1">
                <input type="hidden" name="input[user_id]" value=id.clone() />
                <input type="hidden" name="input[action]" value=UserAction::ChangeRole.as_str() />
                <label for=select_id.clone() class="sr-only">{t!(i18n, users.change_role)}</label>
                <select id=select_id name="input[role]" class="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900">
                    {allowed_roles.iter().map(|&r| view! {
                        <option value=r.as_str() selected=r == role>{move || role_text(i18n.get_locale(), r)}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, users.change_role)}</button>
            </ActionForm>
        }
    });
    view! { <div class="flex flex-wrap items-center gap-2">{status_actions} {role_select}</div> }.into_any()
}
