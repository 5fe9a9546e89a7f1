//! Invitations: the owner's "invite someone" form and list of invitations (on the users page), and the page an
//! invitation's link opens, where the invitee chooses their name and password and is signed in. Every form works
//! without JavaScript.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use nexus::identity::rules::auth::{Permission, Role};
use nexus::identity::rules::invitation::{AcceptInput, InvitationInput, InvitationProblem, InvitationStatus, Language};
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::InvitationId;
use nexus::paging::Page;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::login::AuthCard;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, SuccessBanner, TextField,
    error_text, role_text,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::use_me;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationDto {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: InvitationStatus,
    pub mailed: bool,
}

/// An invitation just made: mailed, or its link to pass on (shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitedDto {
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub mailed: bool,
    pub link: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<nexus::identity::service::invitations::Invited> for InvitedDto {
    fn from(i: nexus::identity::service::invitations::Invited) -> Self {
        Self { email: i.email, role: i.role, expires_at: i.expires_at, mailed: i.mailed, link: i.link }
    }
}

/// The language a mail is written in, from the page's.
pub fn language(locale: Locale) -> Language {
    match locale {
        Locale::es => Language::Es,
        Locale::en => Language::En,
    }
}

/// The role's name in a mail's language: the UI's vocabulary.
pub fn mail_role_name(lang: Language, role: Role) -> &'static str {
    role_text(
        match lang {
            Language::Es => Locale::es,
            Language::En => Locale::en,
        },
        role,
    )
}

/// How links and mails of this request are written.
#[cfg(feature = "ssr")]
pub fn outgoing(origin: &str, lang: Language) -> nexus::identity::service::invitations::Outgoing<'_> {
    nexus::identity::service::invitations::Outgoing { origin, lang, role_name: mail_role_name }
}

#[server(prefix = "/api", endpoint = "ui/invitations/create")]
pub async fn invite(
    input: InvitationInput,
    #[server(default)] lang: Language,
    /// The form's department choice: empty for none.
    #[server(default)]
    department: String,
) -> Result<InvitedDto, AppError> {
    let mut input = input;
    if !department.trim().is_empty() {
        let d = department
            .trim()
            .parse::<i32>()
            .map_err(|_| AppError::field("department", nexus::codes::ErrorCode::NotFound))?;
        input.department = Some(d);
    }
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let origin = crate::state::site_origin()?;
    let out = outgoing(&origin, lang);
    let invited =
        nexus::identity::service::invitations::invite(&st.pool, &st.mailer, &user, &input, out, &crate::state::meta())
            .await?;
    Ok(invited.into())
}

#[server(prefix = "/api", endpoint = "ui/invitations")]
pub async fn list_invitations(#[server(default)] after: Option<String>) -> Result<Page<InvitationDto>, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let page = nexus::identity::service::invitations::list(&st.pool, &user, after.as_deref()).await?;
    Ok(page.map(|i| InvitationDto {
        id: i.id,
        email: i.email,
        role: i.role,
        invited_by: i.invited_by,
        created_at: i.created_at,
        expires_at: i.expires_at,
        status: i.status,
        mailed: i.mailed,
    }))
}

#[server(prefix = "/api", endpoint = "ui/invitations/revoke")]
pub async fn revoke_invitation(id: InvitationId) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    nexus::identity::service::invitations::revoke(&st.pool, &user, id, &crate::state::meta()).await?;
    Ok(())
}

/// What the link's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationViewDto {
    pub organisation: String,
    pub kind: TenantKind,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: DateTime<Utc>,
}

#[server(prefix = "/api", endpoint = "ui/invitation")]
pub async fn invitation(token: String) -> Result<InvitationViewDto, AppError> {
    let st = crate::state::state()?;
    let v = nexus::identity::service::invitations::view(&st.pool, &token).await?;
    Ok(InvitationViewDto {
        organisation: v.organisation,
        kind: v.kind,
        email: v.email,
        role: v.role,
        invited_by: v.invited_by,
        expires_at: v.expires_at,
    })
}

/// Accepts the invitation and signs the new account in, then goes home.
#[server(prefix = "/api", endpoint = "ui/invitation/accept")]
pub async fn accept_invitation(input: AcceptInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let meta = crate::state::meta();
    let (_, email) = nexus::identity::service::invitations::accept(&st.pool, &input, &meta).await?;
    let logged = st.auth.login(&st.pool, &email, &input.password, &meta).await?;
    for c in crate::cookies::session_cookies(&logged.tokens, st.security.secure_cookies) {
        crate::state::set_cookie(&c);
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// "Invite someone": address and role; the answer says the mail went out, or gives the link to pass on.
#[component]
pub fn InviteCard(invite: ServerAction<Invite>) -> impl IntoView {
    let i18n = use_i18n();
    let kind = use_me().tenant_kind;
    let error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let done = move || invite.value().get().and_then(Result::ok);
    // The roles the organisation's kind allows (on the platform, `admin` alone); the first one that is not the owner's
    // is preselected (a plant mostly invites managers and operators).
    let roles = kind.roles();
    let first = roles.iter().copied().find(|&r| r != Role::Owner).unwrap_or(roles[0]);
    // Where the organisation keeps a stock room: the department the person joins (its open ones).
    let keeps_room = use_me().can(Permission::StockRead);
    let departments = Resource::new(
        || (),
        move |_| async move {
            if !keeps_room {
                return Ok(Vec::new());
            }
            crate::stockroom::stock_room()
                .await
                .map(|r| r.departments.into_iter().filter(|d| !d.archived).collect::<Vec<_>>())
        },
    );
    view! {
        <section class=format!("{CARD} my-6") aria-labelledby="invite-title">
            <h2 id="invite-title" class="mb-1 text-lg font-semibold text-slate-900 dark:text-white">{t!(i18n, invitations.title)}</h2>
            <p class="mb-4 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, invitations.intro)}</p>
            <ErrorBanner error fields=&["email", "role", "department"] />
            {move || done().map(|d| view! { <Invited invited=d /> })}
            <ActionForm action=invite attr:class="flex flex-col gap-x-4 sm:flex-row sm:flex-wrap sm:items-start">
                <input type="hidden" name="lang" value=move || match language(i18n.get_locale()) { Language::Es => "es", Language::En => "en" } />
                <div class="sm:min-w-[16rem] sm:flex-1">
                    <TextField name="input[email]" field="email" kind="email" label=ViewFn::from(move || t!(i18n, invitations.email)) error autocomplete="off" />
                </div>
                <div class="mb-4 sm:w-56">
                    <label for="invite-role" class="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, invitations.role)}</label>
                    <select id="invite-role" name="input[role]" class=INPUT data-testid="invite-role">
                        {roles.iter().map(|&r| view! {
                            <option value=r.as_str() selected=r == first>{move || role_text(i18n.get_locale(), r)}</option>
                        }).collect_view()}
                    </select>
                    {move || error.get().and_then(|e| e.field_code("role")).map(|c| view! {
                        <p class="mt-1 text-sm text-red-600 dark:text-red-400">{error_text(i18n.get_locale(), c)}</p>
                    })}
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let open = departments.await.unwrap_or_default();
                        (!open.is_empty()).then(|| view! {
                            <div class="mb-4 sm:w-56">
                                <label for="invite-department" class="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, invitations.department)}</label>
                                <select id="invite-department" name="department" class=INPUT data-testid="invite-department">
                                    <option value="">{t!(i18n, invitations.no_department)}</option>
                                    {open.into_iter().map(|d| view! { <option value=d.id.0.to_string()>{d.name.clone()}</option> }).collect_view()}
                                </select>
                                {move || error.get().and_then(|e| e.field_code("department")).map(|c| view! {
                                    <p class="mt-1 text-sm text-red-600 dark:text-red-400">{error_text(i18n.get_locale(), c)}</p>
                                })}
                            </div>
                        })
                    })}
                </Transition>
                <button type="submit" class=format!("{BUTTON} sm:mt-6") data-testid="invite-submit" disabled=move || invite.pending().get()>
                    {move || if invite.pending().get() { td_string!(i18n.get_locale(), common.working) } else { td_string!(i18n.get_locale(), invitations.submit) }}
                </button>
            </ActionForm>
        </section>
    }
}

/// What became of an invitation just made.
#[component]
pub fn Invited(invited: InvitedDto) -> impl IntoView {
    let i18n = use_i18n();
    let email = invited.email.clone();
    match invited.link {
        None => view! {
            <SuccessBanner show=true>
                <span data-testid="invite-mailed">
                    {let email = email.clone(); move || td_string!(i18n.get_locale(), invitations.mailed).replace("{email}", &email)}
                </span>
            </SuccessBanner>
        }
        .into_any(),
        Some(link) => view! {
            <div role="status" class="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100">
                <p class="mb-2">{move || td_string!(i18n.get_locale(), invitations.copy_link).replace("{email}", &email)}</p>
                <label for="invite-link" class="sr-only">{t!(i18n, invitations.link)}</label>
                <input id="invite-link" readonly value=link class=format!("{INPUT} font-mono text-xs") data-testid="invite-link" />
                <p class="mt-2 text-xs">
                    {t!(i18n, invitations.expires)} " " <LocalTime at=invited.expires_at />
                </p>
            </div>
        }
        .into_any(),
    }
}

/// The organisation's invitations with where each stands; pending ones can be revoked.
#[component]
pub fn InvitationsList(
    page: Resource<Result<Page<InvitationDto>, AppError>>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let after = move || query.with(|q| q.get("inv_after")).filter(|a| !a.is_empty());
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    view! {
        <section class="mb-8" aria-labelledby="invitations-title">
            <h2 id="invitations-title" class="mb-3 text-lg font-semibold text-slate-900 dark:text-white">{t!(i18n, invitations.list_title)}</h2>
            <ErrorBanner error=revoke_error />
            <div class=CARD_FLUSH>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match page.await {
                            Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                            Ok(p) => {
                                let list_href = move |after: Option<&str>| href("/admin/users", &[("inv_after", after.unwrap_or_default())]);
                                view! {
                                    <DataTable
                                        rows=p.items
                                        columns=invitation_columns(revoke)
                                        caption=move || td_string!(i18n.get_locale(), invitations.list_title)
                                        testid="invitations-table"
                                        rows_meta=Rows { testid: "invitation-row", key: |i: &InvitationDto| i.id.to_string(), state: Some(|i: &InvitationDto| status_code(i.status)) }
                                        empty=ViewFn::from(move || view! { <span data-testid="invitations-empty">{t!(i18n, invitations.empty)}</span> })
                                    />
                                    <Pager next=p.next later=after().is_some() href=Arc::new(list_href) testid="invitations" />
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
        </section>
    }
}

fn status_code(s: InvitationStatus) -> &'static str {
    match s {
        InvitationStatus::Pending => "pending",
        InvitationStatus::Accepted => "accepted",
        InvitationStatus::Revoked => "revoked",
        InvitationStatus::Expired => "expired",
    }
}

fn status_text(locale: Locale, s: InvitationStatus) -> &'static str {
    match s {
        InvitationStatus::Pending => td_string!(locale, invitations.status_pending),
        InvitationStatus::Accepted => td_string!(locale, invitations.status_accepted),
        InvitationStatus::Revoked => td_string!(locale, invitations.status_revoked),
        InvitationStatus::Expired => td_string!(locale, invitations.status_expired),
    }
}

fn invitation_columns(revoke: ServerAction<RevokeInvitation>) -> Vec<Column<InvitationDto>> {
    let i18n = use_i18n();
    vec![
        Column::text(
            move || td_string!(i18n.get_locale(), invitations.email),
            "max-w-[18rem]",
            |i: &InvitationDto| Some(i.email.clone()),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), invitations.role),
            move |i: &InvitationDto| {
                let role = i.role;
                (move || role_text(i18n.get_locale(), role)).into_any()
            },
        ),
        Column::text(
            move || td_string!(i18n.get_locale(), invitations.invited_by),
            "max-w-[12rem]",
            |i: &InvitationDto| Some(i.invited_by.clone()),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), invitations.sent),
            |i: &InvitationDto| view! { <LocalTime at=i.created_at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::new(
            move || td_string!(i18n.get_locale(), invitations.status),
            move |i: &InvitationDto| {
                let (status, expires_at) = (i.status, i.expires_at);
                view! {
                    <span>{move || status_text(i18n.get_locale(), status)}</span>
                    {(status == InvitationStatus::Pending).then(|| view! {
                        <span class="block text-xs text-slate-500 dark:text-slate-400">{t!(i18n, invitations.expires)} " " <LocalTime at=expires_at /></span>
                    })}
                }
                .into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), common.actions),
            move |i: &InvitationDto| {
                let id = i.id.to_string();
                (i.status == InvitationStatus::Pending)
                    .then(|| view! {
                        <ActionForm action=revoke>
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class=BUTTON_DANGER data-testid="invitation-revoke">{t!(i18n, invitations.revoke)}</button>
                        </ActionForm>
                    })
                    .into_any()
            },
        ),
    ]
}

/// `/invitation/:token`: who invites whom into what, and the form that creates the account.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let view_res = Resource::new(token, invitation);
    let accept = crate::ui::session::use_session().accept_invitation;
    let error = Signal::derive(move || accept.value().get().and_then(Result::err));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), invitations.accept_title) />
        <AuthCard>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match view_res.await {
                        Err(e) => view! { <LinkProblem error=e /> }.into_any(),
                        Ok(v) => {
                            let role = v.role;
                            view! {
                                <h1 class="mb-2 text-2xl font-bold text-slate-900 dark:text-white">{t!(i18n, invitations.accept_title)}</h1>
                                <p class="mb-6 text-slate-600 dark:text-slate-300" data-testid="invitation-summary">
                                    {move || td_string!(i18n.get_locale(), invitations.accept_intro)
                                        .replace("{inviter}", &v.invited_by)
                                        .replace("{organisation}", &v.organisation)
                                        .replace("{role}", role_text(i18n.get_locale(), role))}
                                </p>
                                <ErrorBanner error fields=&["name", "password"] />
                                <ActionForm action=accept>
                                    <input type="hidden" name="input[token]" value=token />
                                    <div class="mb-4">
                                        <label for="f-invite-email" class="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, invitations.email)}</label>
                                        <input id="f-invite-email" readonly value=v.email.clone() autocomplete="username" class=format!("{INPUT} bg-slate-50 dark:bg-slate-800") />
                                    </div>
                                    <TextField name="input[name]" field="name" label=ViewFn::from(move || t!(i18n, register.name)) error autocomplete="name" />
                                    <TextField
                                        name="input[password]"
                                        field="password"
                                        kind="password"
                                        label=ViewFn::from(move || t!(i18n, register.password))
                                        hint=ViewFn::from(move || t!(i18n, register.password_hint))
                                        error
                                        autocomplete="new-password"
                                    />
                                    <button type="submit" class=format!("{BUTTON} w-full") data-testid="invitation-accept" disabled=move || accept.pending().get()>
                                        {move || if accept.pending().get() { td_string!(i18n.get_locale(), common.working) } else { td_string!(i18n.get_locale(), invitations.accept_submit) }}
                                    </button>
                                </ActionForm>
                                <p class="mt-4 text-xs text-slate-500 dark:text-slate-400">{t!(i18n, invitations.expires)} " " <LocalTime at=v.expires_at /></p>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </AuthCard>
    }
}

/// Why a link does not work, and what to do.
#[component]
fn LinkProblem(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let problem = error.reason::<InvitationProblem>();
    let text = move || match problem {
        Some(InvitationProblem::Used) => td_string!(i18n.get_locale(), invitations.problem_used),
        Some(InvitationProblem::Expired) => td_string!(i18n.get_locale(), invitations.problem_expired),
        Some(InvitationProblem::Revoked) => td_string!(i18n.get_locale(), invitations.problem_revoked),
        Some(InvitationProblem::Unknown) => td_string!(i18n.get_locale(), invitations.problem_unknown),
        None => error_text(i18n.get_locale(), error.code()),
    };
    view! {
        <div data-testid="invitation-problem">
            <h1 class="mb-2 text-2xl font-bold text-slate-900 dark:text-white">{t!(i18n, invitations.problem_title)}</h1>
            <p class="mb-6 text-slate-600 dark:text-slate-300">{text}</p>
            <A href="/login" attr:class=BUTTON>{t!(i18n, nav.login)}</A>
        </div>
    }
}
