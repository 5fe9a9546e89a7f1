//! Sign-in and sign-out. The form works without JavaScript (plain POST and redirect) and without a reload when the
//! app is hydrated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD, ErrorBanner, TextField, error_text};
use crate::ui::session::use_session;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInput {
    pub login: String,
    pub password: String,
    /// The page to return to once signed in (a path of ours; anything else goes home).
    #[serde(default)]
    pub next: Option<String>,
}

/// `next` when it is a path on this site (never another origin: `//host`, `/\host`, a scheme), else `/`.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.len() <= 2000
                && !p.chars().any(char::is_control)
                && !p.starts_with("/login") =>
        {
            p
        }
        _ => "/",
    }
}

/// The sign-in page that returns to `path` afterwards.
pub fn login_to_return_to(path: &str) -> String {
    if local_path(Some(path)) == "/" {
        return "/login".to_owned();
    }
    format!("/login?next={}", percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC))
}

#[server(prefix = "/api", endpoint = "ui/login")]
pub async fn login(input: LoginInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let logged = st.auth.login(&st.pool, &input.login, &input.password, &crate::state::meta()).await?;
    for c in crate::cookies::session_cookies(&logged.tokens, st.security.secure_cookies) {
        crate::state::set_cookie(&c);
    }
    if let Some(device) = logged.device {
        crate::state::set_cookie(&crate::cookies::device_cookie(device, st.security.secure_cookies));
    }
    crate::state::set_cookie(&crate::cookies::cleared_ended_cookie(st.security.secure_cookies));
    leptos_axum::redirect(local_path(input.next.as_deref()));
    Ok(())
}

/// Why the browser's last session ended, when a request found it ended in the last minutes (the sign-in page says
/// so instead of a bare form).
#[server(prefix = "/api", endpoint = "ui/login/ended")]
pub async fn session_end_reason() -> Result<Option<nexus::codes::ErrorCode>, AppError> {
    Ok(crate::cookies::session_ended())
}

#[server(prefix = "/api", endpoint = "ui/logout")]
pub async fn logout() -> Result<(), AppError> {
    let st = crate::state::state()?;
    if let Some(caller) = crate::state::signed_in() {
        nexus::identity::service::auth::logout(&st.pool, &caller, &crate::state::meta()).await?;
    }
    for c in crate::cookies::cleared_session_cookies(st.security.secure_cookies) {
        crate::state::set_cookie(&c);
    }
    leptos_axum::redirect("/login");
    Ok(())
}

#[component]
pub(crate) fn AuthCard(children: Children) -> impl IntoView {
    view! { <div class=format!("{CARD} mx-auto w-full max-w-md")>{children()}</div> }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let action = session.login;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = leptos_router::hooks::use_query_map().get_untracked().get("next");
    let home = local_path(next.as_deref()).to_owned();
    let returns = home != "/";
    let ended = Resource::new(|| (), |_| session_end_reason());
    view! {
        <Title text=move || td_string!(i18n.get_locale(), login.title) />
        <Transition fallback=|| ()>
            {move || {
                let home = home.clone();
                Suspend::new(async move {
                    session.me.await.ok().flatten().map(|_| view! { <Redirect path=home /> })
                })
            }}
        </Transition>
        <AuthCard>
            <h1 class="mb-1 text-2xl font-bold text-slate-900 dark:text-white">{t!(i18n, login.title)}</h1>
            <p class="mb-6 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, login.subtitle)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    ended.await.ok().flatten().map(|code| view! {
                        <div role="status" data-testid="session-ended" data-code=code.as_str() class="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100">
                            <p class="font-semibold">{t!(i18n, login.ended_title)}</p>
                            <p>{move || error_text(i18n.get_locale(), code)}</p>
                        </div>
                    })
                })}
            </Transition>
            {returns.then(|| view! {
                <p class="mb-4 text-sm text-slate-600 dark:text-slate-300" data-testid="login-returns">{t!(i18n, login.return_note)}</p>
            })}
            <ErrorBanner error fields=&["login", "password"] />
            <ActionForm action>
                {next.map(|next| view! { <input type="hidden" name="input[next]" value=next /> })}
                <TextField
                    name="input[login]"
                    field="login"
                    label=ViewFn::from(move || t!(i18n, login.login))
                    error
                    autocomplete="username"
                />
                <TextField
                    name="input[password]"
                    field="password"
                    kind="password"
                    label=ViewFn::from(move || t!(i18n, login.password))
                    error
                    autocomplete="current-password"
                />
                <button type="submit" class=format!("{BUTTON} w-full") disabled=move || action.pending().get()>
                    {move || if action.pending().get() { td_string!(i18n.get_locale(), common.working) } else { td_string!(i18n.get_locale(), login.submit) }}
                </button>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-slate-600 dark:text-slate-300">
                {t!(i18n, login.no_account)} " "
                <A href="/register" attr:class="font-medium text-[#1a5bb5] dark:text-[#8fbfff] hover:underline">{t!(i18n, login.register_link)}</A>
            </p>
        </AuthCard>
    }
}
