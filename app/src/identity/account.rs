//! My account: profile, password change, and the sessions I hold (with the means to close one).

use leptos::prelude::*;
use leptos_meta::Title;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, CARD, ErrorBanner, Loading, LocalTime, PageHeader, SuccessBanner, TextField, role_text,
};
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::session::{Protected, use_me};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDto {
    pub id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub ip: Option<String>,
    pub user_agent: String,
    pub current: bool,
}

#[server(prefix = "/api", endpoint = "ui/sessions")]
pub async fn list_my_sessions() -> Result<Vec<SessionDto>, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let rows = nexus::identity::service::auth::my_sessions(&st.pool, &user).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionDto {
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip,
            user_agent: s.user_agent,
            current: s.current,
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeSessionInput {
    pub id: Uuid,
}

#[server(prefix = "/api", endpoint = "ui/sessions/revoke")]
pub async fn revoke_session(input: RevokeSessionInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    nexus::identity::service::auth::revoke_my_session(&st.pool, &user, input.id, &crate::state::meta()).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

#[server(prefix = "/api", endpoint = "ui/password")]
pub async fn change_password(input: ChangePasswordInput) -> Result<(), AppError> {
    use nexus::codes::ErrorCode;
    if input.new_password != input.confirm_password {
        return Err(AppError::field("confirm_password", ErrorCode::PasswordMismatch).with_status());
    }
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    nexus::identity::service::auth::change_password(
        &st.pool,
        &user,
        &input.current_password,
        &input.new_password,
        &crate::state::meta(),
    )
    .await?;
    Ok(())
}

/// Resources are created outside the `Protected` suspense so server and browser create them in the same order.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let revoke = ServerAction::<RevokeSession>::new();
    let sessions = Resource::new(move || (revoke.version().get(), change.version().get()), |_| list_my_sessions());
    view! {
        <Protected>
            <Account change revoke sessions />
        </Protected>
    }
}

#[component]
fn Account(
    change: ServerAction<ChangePassword>,
    revoke: ServerAction<RevokeSession>,
    sessions: Resource<Result<Vec<SessionDto>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let changed = Signal::derive(move || matches!(change.value().get(), Some(Ok(()))));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let role = me.role;
    view! {
        <Title text=move || td_string!(i18n.get_locale(), account.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, account.title)) />
        <div class="grid gap-6 lg:grid-cols-2">
            <section class=CARD aria-labelledby="profile-h">
                <h2 id="profile-h" class="mb-4 text-lg font-semibold">{t!(i18n, account.profile)}</h2>
                <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                    <dt class="text-slate-500 dark:text-slate-400">{t!(i18n, account.email)}</dt>
                    <dd data-testid="account-email">{me.email.clone()}</dd>
                    <dt class="text-slate-500 dark:text-slate-400">{t!(i18n, account.role)}</dt>
                    <dd>{move || role_text(i18n.get_locale(), role)}</dd>
                    <dt class="text-slate-500 dark:text-slate-400">{t!(i18n, account.tenant)}</dt>
                    <dd>{me.tenant_name.clone()}</dd>
                </dl>
            </section>
            <section class=CARD aria-labelledby="password-h">
                <h2 id="password-h" class="mb-4 text-lg font-semibold">{t!(i18n, account.password_title)}</h2>
                <SuccessBanner show=changed>{move || t!(i18n, account.password_changed)}</SuccessBanner>
                <ErrorBanner error fields=&["current_password", "new_password", "confirm_password"] />
                <ActionForm action=change>
                    <TextField name="input[current_password]" field="current_password" kind="password" autocomplete="current-password"
                        label=ViewFn::from(move || t!(i18n, account.current_password)) error />
                    <TextField name="input[new_password]" field="new_password" kind="password" autocomplete="new-password"
                        label=ViewFn::from(move || t!(i18n, account.new_password))
                        hint=ViewFn::from(move || t!(i18n, register.password_hint)) error />
                    <TextField name="input[confirm_password]" field="confirm_password" kind="password" autocomplete="new-password"
                        label=ViewFn::from(move || t!(i18n, account.confirm_password)) error />
                    <button type="submit" class=BUTTON disabled=move || change.pending().get()>{t!(i18n, common.save)}</button>
                </ActionForm>
            </section>
            <section class=format!("{CARD} lg:col-span-2") aria-labelledby="sessions-h">
                <h2 id="sessions-h" class="mb-1 text-lg font-semibold">{t!(i18n, account.sessions_title)}</h2>
                <p class="mb-4 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, account.sessions_note)}</p>
                <ErrorBanner error=revoke_error />
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match sessions.await {
                            Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                            Ok(list) => view! {
                                <DataTable
                                    rows=list
                                    columns=session_columns(revoke)
                                    caption=move || td_string!(i18n.get_locale(), account.sessions_title)
                                    testid="sessions"
                                    rows_meta=Rows { testid: "session-row", key: |s: &SessionDto| s.id.to_string(), state: Some(|s: &SessionDto| if s.current { "current" } else { "other" }) }
                                    min_width="sm:min-w-[560px]"
                                    empty=ViewFn::from(move || t!(i18n, account.no_sessions))
                                />
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The sessions' columns: the device (this one marked), when it started and was last seen, from where, and closing it.
fn session_columns(revoke: ServerAction<RevokeSession>) -> Vec<Column<SessionDto>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), account.device),
            move |s: &SessionDto| {
                let agent = short_agent(&s.user_agent);
                let current = s.current.then(|| view! {
                <span class="ml-2 rounded-full bg-[#2b7cee]/15 px-2 py-0.5 text-xs text-[#1a5bb5] dark:text-[#8fbfff]">{t!(i18n, account.this_session)}</span>
            });
                view! { <span class="font-medium" title=s.user_agent.clone()>{agent}</span>{current} }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), account.started),
            |s: &SessionDto| view! { <LocalTime at=s.created_at /> }.into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), account.last_seen),
            |s: &SessionDto| view! { <LocalTime at=s.last_seen_at /> }.into_any(),
        ),
        Column::text(move || td_string!(i18n.get_locale(), account.ip), "max-w-[12rem]", |s: &SessionDto| s.ip.clone())
            .class("font-mono text-xs"),
        Column::action(
            move || td_string!(i18n.get_locale(), common.actions),
            revoke,
            move || t!(i18n, account.revoke).into_any(),
            |s: &SessionDto| if s.current { Err(().into_any()) } else { Ok(s.id.to_string()) },
        ),
    ]
}

/// A readable browser/OS label from a user agent, without a UA-parsing dependency for one line of the UI.
fn short_agent(ua: &str) -> String {
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/", "curl/"]
        .iter()
        .find(|b| ua.contains(*b))
        .map(|b| b.trim_end_matches('/').replace("Edg", "Edge"));
    let os = ["Android", "iPhone", "Windows", "Mac OS", "Linux"].iter().find(|o| ua.contains(*o)).copied();
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} · {o}"),
        (Some(b), None) => b,
        (None, Some(o)) => o.to_owned(),
        (None, None) if ua.is_empty() => "—".to_owned(),
        (None, None) => ua.chars().take(40).collect(),
    }
}
