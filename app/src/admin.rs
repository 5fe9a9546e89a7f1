//! Administration: users (approve, deactivate, change role) and the audit log. Admins see every tenant; owners their
//! own. Filters live in the URL, so they work as plain GET forms and survive a reload.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::domain::auth::{Permission, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, INPUT, Loading, PageHeader, StatusBadge,
    SuccessBanner, fmt_dt, role_text,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::session::Protected;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: String,
    pub tenant_name: String,
    pub tenant_kind: String,
    pub created_at: DateTime<Utc>,
    /// Roles this account may be given (depends on its tenant's kind).
    pub allowed_roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPageDto {
    pub users: Vec<UserDto>,
    pub pending: i64,
    /// Cursor of the next page, when there is one.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersQuery {
    pub status: Option<String>,
    pub search: Option<String>,
    pub after: Option<String>,
}

#[cfg(feature = "ssr")]
const USERS_PAGE: i64 = 50;

#[cfg(feature = "ssr")]
fn parse_cursor<T: std::str::FromStr>(c: &Option<String>) -> Result<Option<(DateTime<Utc>, T)>, AppError> {
    use nexus::domain::codes::ErrorCode;
    let Some(c) = c.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::field("after", ErrorCode::InvalidInput).with_status();
    let (at, id) = c.split_once('_').ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad())?.with_timezone(&Utc);
    Ok(Some((at, id.parse().map_err(|_| bad())?)))
}

#[cfg(feature = "ssr")]
fn cursor(at: DateTime<Utc>, id: impl std::fmt::Display) -> String {
    format!("{}_{id}", at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

#[server(prefix = "/api", endpoint = "ui/users")]
pub async fn list_users(#[server(default)] q: UsersQuery) -> Result<UsersPageDto, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    let page = nexus::services::users::list(
        &st.pool,
        &caller,
        &nexus::services::users::UserQuery {
            status: q.status.clone(),
            search: q.search.clone(),
            after: parse_cursor(&q.after)?,
            limit: USERS_PAGE + 1,
        },
    )
    .await?;
    let mut users: Vec<UserDto> = page
        .users
        .into_iter()
        .map(|u| UserDto {
            allowed_roles: nexus::services::users::roles_for_kind(&u.tenant_kind).to_vec(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: Role::parse(&u.role).unwrap_or(Role::Viewer),
            status: u.status,
            tenant_name: u.tenant_name,
            tenant_kind: u.tenant_kind,
            created_at: u.created_at,
        })
        .collect();
    let next = (users.len() as i64 > USERS_PAGE).then(|| {
        users.truncate(USERS_PAGE as usize);
        let last = users.last().expect("non-empty");
        cursor(last.created_at, last.id)
    });
    Ok(UsersPageDto { users, pending: page.pending, next })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateUserInput {
    pub user_id: Uuid,
    /// approve | deactivate | reactivate | role
    pub action: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[server(prefix = "/api", endpoint = "ui/users/update")]
pub async fn update_user(input: UpdateUserInput) -> Result<String, AppError> {
    use nexus::domain::codes::ErrorCode;
    use nexus::services::users::UserAction;
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    let action = match input.action.as_str() {
        "approve" => UserAction::Approve,
        "deactivate" => UserAction::Deactivate,
        "reactivate" => UserAction::Reactivate,
        "role" => UserAction::ChangeRole(
            input
                .role
                .as_deref()
                .and_then(Role::parse)
                .ok_or_else(|| AppError::field("role", ErrorCode::RoleNotAllowed).with_status())?,
        ),
        _ => return Err(AppError::field("action", ErrorCode::InvalidInput).with_status()),
    };
    nexus::services::users::act(&st.pool, &caller, input.user_id, action, &crate::state::meta()).await?;
    Ok(input.action)
}

/// Resources are created here, outside the `Protected` suspense, so the server and the browser create them in the same
/// order (their ids must match for hydration).
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.with(|q| q.get("status")).unwrap_or_else(|| "pending".to_owned());
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after"));
    let update = ServerAction::<UpdateUser>::new();
    let page = Resource::new(
        move || (status(), search(), after(), update.version().get()),
        |(status, search, after, _)| {
            list_users(UsersQuery {
                status: (status != "all").then_some(status),
                search: Some(search).filter(|s| !s.is_empty()),
                after,
            })
        },
    );
    view! {
        <Protected permission=Permission::UsersManage>
            <Users page update />
        </Protected>
    }
}

#[component]
fn Users(page: Resource<Result<UsersPageDto, AppError>>, update: ServerAction<UpdateUser>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let status = move || query.with(|q| q.get("status")).unwrap_or_else(|| "pending".to_owned());
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let done = move || update.value().get().and_then(Result::ok);
    let tab = move |value: &'static str| {
        let current = move || status() == value;
        view! {
            <a
                href=move || format!("/admin/users?status={value}&q={}", search())
                aria-current=move || current().then_some("page")
                class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-[#2b7cee] aria-[current=page]:text-white dark:text-slate-300 dark:hover:bg-slate-800"
            >
                {move || match value {
                    "pending" => td_string!(i18n.get_locale(), users.tab_pending),
                    "active" => td_string!(i18n.get_locale(), users.tab_active),
                    "deactivated" => td_string!(i18n.get_locale(), users.tab_deactivated),
                    _ => td_string!(i18n.get_locale(), users.tab_all),
                }}
            </a>
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), users.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, users.title)) />
        <div class="mb-4 flex flex-wrap items-center gap-3">
            <nav class="flex flex-wrap gap-1" aria-label=move || td_string!(i18n.get_locale(), common.filter)>
                {tab("pending")} {tab("active")} {tab("deactivated")} {tab("all")}
            </nav>
            <form method="get" action="/admin/users" class="ml-auto flex gap-2" role="search">
                <input type="hidden" name="status" value=status />
                <label for="user-search" class="sr-only">{t!(i18n, common.search)}</label>
                <input id="user-search" name="q" type="search" value=search class=INPUT
                    placeholder=move || td_string!(i18n.get_locale(), users.search_placeholder) />
                <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, common.search)}</button>
            </form>
        </div>
        <SuccessBanner show=Signal::derive(move || done().is_some())>
            {move || match done().as_deref() {
                Some("approve") => td_string!(i18n.get_locale(), users.done_approved),
                Some("deactivate") => td_string!(i18n.get_locale(), users.done_deactivated),
                Some("reactivate") => td_string!(i18n.get_locale(), users.done_reactivated),
                _ => td_string!(i18n.get_locale(), users.done_role),
            }}
        </SuccessBanner>
        <ErrorBanner error=update_error />
        <section class=CARD_FLUSH>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(p) if p.users.is_empty() => view! {
                            <p class="p-6 text-sm text-slate-500 dark:text-slate-400" data-testid="users-empty">
                                {move || if status() == "pending" { td_string!(i18n.get_locale(), users.empty_pending) } else { td_string!(i18n.get_locale(), users.empty) }}
                            </p>
                        }.into_any(),
                        Ok(p) => {
                            let next = p.next.clone();
                            view! {
                                <table class="w-full min-w-[720px] text-left text-sm" data-testid="users-table">
                                    <thead class="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-700 dark:text-slate-400">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, users.name)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, users.business)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, users.role)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, users.status)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, users.created)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, common.actions)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {p.users.into_iter().map(|u| view! { <UserRow user=u update /> }).collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|n| view! {
                                    <div class="p-4">
                                        <a class=BUTTON_SECONDARY href=move || format!("/admin/users?status={}&q={}&after={n}", status(), search())>
                                            {t!(i18n, common.load_more)}
                                        </a>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UserRow(user: UserDto, update: ServerAction<UpdateUser>) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.id.to_string();
    let role = user.role;
    let action_button = |action: &'static str, class: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=update>
                <input type="hidden" name="input[user_id]" value=id />
                <input type="hidden" name="input[action]" value=action />
                <button type="submit" class=class data-testid=format!("user-{action}")>
                    {move || match action {
                        "approve" => td_string!(i18n.get_locale(), users.approve),
                        "deactivate" => td_string!(i18n.get_locale(), users.deactivate),
                        _ => td_string!(i18n.get_locale(), users.reactivate),
                    }}
                </button>
            </ActionForm>
        }
    };
    let status_actions = match user.status.as_str() {
        "pending" => {
            view! { {action_button("approve", BUTTON)} {action_button("deactivate", BUTTON_DANGER)} }.into_any()
        }
        "active" => action_button("deactivate", BUTTON_DANGER).into_any(),
        _ => action_button("reactivate", BUTTON_SECONDARY).into_any(),
    };
    let role_select = (user.allowed_roles.len() > 1).then(|| {
        let roles = user.allowed_roles.clone();
        let select_id = format!("role-{}", user.id);
        view! {
            <ActionForm action=update attr:class="flex items-center gap-1">
                <input type="hidden" name="input[user_id]" value=id.clone() />
                <input type="hidden" name="input[action]" value="role" />
                <label for=select_id.clone() class="sr-only">{t!(i18n, users.change_role)}</label>
                <select id=select_id name="input[role]" class="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900">
                    {roles.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=r == role>{move || role_text(i18n.get_locale(), r)}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, users.change_role)}</button>
            </ActionForm>
        }
    });
    view! {
        <tr data-testid="user-row" data-email=user.email.clone()>
            <td class="px-4 py-3">
                <p class="font-medium text-slate-900 dark:text-white">{user.display_name.clone()}</p>
                <p class="text-slate-500 dark:text-slate-400">{user.email.clone()}</p>
            </td>
            <td class="px-4 py-3">{user.tenant_name.clone()}</td>
            <td class="px-4 py-3">{move || role_text(i18n.get_locale(), role)}</td>
            <td class="px-4 py-3"><StatusBadge status=user.status.clone() /></td>
            <td class="px-4 py-3 whitespace-nowrap">{fmt_dt(user.created_at)}</td>
            <td class="px-4 py-3">
                <div class="flex flex-wrap items-center gap-2">{status_actions} {role_select}</div>
            </td>
        </tr>
    }
}

// ---- Audit log ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub tenant: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageDto {
    pub entries: Vec<AuditEntryDto>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQueryDto {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub after: Option<String>,
}

#[cfg(feature = "ssr")]
const AUDIT_PAGE: i64 = 100;

#[server(prefix = "/api", endpoint = "ui/audit")]
pub async fn list_audit(#[server(default)] q: AuditQueryDto) -> Result<AuditPageDto, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    let rows = nexus::services::audit::list(
        &st.pool,
        &caller,
        &nexus::services::audit::AuditQuery {
            action_prefix: q.action.clone(),
            actor_email: q.actor.clone().map(|a| a.trim().to_lowercase()),
            after: parse_cursor(&q.after)?,
            limit: AUDIT_PAGE + 1,
        },
    )
    .await?;
    let mut entries: Vec<AuditEntryDto> = rows
        .into_iter()
        .map(|r| AuditEntryDto {
            id: r.id,
            at: r.at,
            tenant: r.tenant_name.unwrap_or_else(|| r.tenant_id.to_string()),
            actor: r.actor_email,
            action: r.action,
            target: r.target_type.map(|t| format!("{t} {}", r.target_id.unwrap_or_default())),
            ip: r.ip.map(|i| i.ip().to_string()),
            details: match (r.before, r.after) {
                (None, None) => None,
                (b, a) => Some(format!(
                    "{}{}",
                    b.map(|b| format!("{b} → ")).unwrap_or_default(),
                    a.map(|a| a.to_string()).unwrap_or_default()
                )),
            },
        })
        .collect();
    let next = (entries.len() as i64 > AUDIT_PAGE).then(|| {
        entries.truncate(AUDIT_PAGE as usize);
        let last = entries.last().expect("non-empty");
        cursor(last.at, last.id)
    });
    Ok(AuditPageDto { entries, next })
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after"));
    let page = Resource::new(
        move || (action(), actor(), after()),
        |(action, actor, after)| {
            list_audit(AuditQueryDto {
                action: Some(action).filter(|s| !s.is_empty()),
                actor: Some(actor).filter(|s| !s.is_empty()),
                after,
            })
        },
    );
    view! {
        <Protected permission=Permission::AuditRead>
            <Audit page />
        </Protected>
    }
}

#[component]
fn Audit(page: Resource<Result<AuditPageDto, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let export_href =
        move || format!("/export/audit.csv?action={}&actor={}", url_encode(&action()), url_encode(&actor()));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), audit.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, audit.title))>
            <a href=export_href class=BUTTON download="audit.csv" rel="external" data-testid="audit-export">{t!(i18n, audit.export)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, audit.note)}</p>
        <form method="get" action="/admin/audit" class="mb-4 grid gap-2 sm:grid-cols-[1fr_1fr_auto]" role="search">
            <div>
                <label for="audit-action" class="sr-only">{t!(i18n, audit.action_filter)}</label>
                <input id="audit-action" name="action" value=action class=INPUT placeholder=move || td_string!(i18n.get_locale(), audit.action_filter) />
            </div>
            <div>
                <label for="audit-actor" class="sr-only">{t!(i18n, audit.actor_filter)}</label>
                <input id="audit-actor" name="actor" type="search" value=actor class=INPUT placeholder=move || td_string!(i18n.get_locale(), audit.actor_filter) />
            </div>
            <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, common.filter)}</button>
        </form>
        <section class=CARD_FLUSH>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(p) if p.entries.is_empty() => view! {
                            <p class="p-6 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, audit.empty)}</p>
                        }.into_any(),
                        Ok(p) => {
                            let next = p.next.clone();
                            view! {
                                <table class="w-full min-w-[860px] text-left text-sm" data-testid="audit-table">
                                    <thead class="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-700 dark:text-slate-400">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.at)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.tenant)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.actor)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.action)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.target)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.ip)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.details)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {p.entries.into_iter().map(|e| view! {
                                            <tr>
                                                <td class="whitespace-nowrap px-4 py-2">{fmt_dt(e.at)}</td>
                                                <td class="px-4 py-2">{e.tenant}</td>
                                                <td class="px-4 py-2">{match e.actor {
                                                    Some(a) => a.into_any(),
                                                    None => t!(i18n, audit.system).into_any(),
                                                }}</td>
                                                <td class="px-4 py-2 font-mono text-xs">{e.action}</td>
                                                <td class="px-4 py-2 font-mono text-xs">{e.target.unwrap_or_default()}</td>
                                                <td class="px-4 py-2">{e.ip.unwrap_or_default()}</td>
                                                <td class="max-w-xs truncate px-4 py-2 font-mono text-xs" title=e.details.clone()>{e.details.clone().unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|n| view! {
                                    <div class="p-4">
                                        <a class=BUTTON_SECONDARY href=move || format!("/admin/audit?action={}&actor={}&after={n}", url_encode(&action()), url_encode(&actor()))>
                                            {t!(i18n, common.load_more)}
                                        </a>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
