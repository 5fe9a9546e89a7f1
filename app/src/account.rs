//! My account (profile, password, sessions) and the tenant's API keys.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::domain::auth::{ApiScope, Permission};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::components::{
    BUTTON, BUTTON_DANGER, CARD, ErrorBanner, Loading, PageHeader, SuccessBanner, TextField, fmt_dt, role_text,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::session::{Protected, use_me};

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
    let caller = crate::state::caller()?;
    let rows = nexus::services::auth::my_sessions(&st.pool, &caller).await?;
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
    let caller = crate::state::caller()?;
    nexus::services::auth::revoke_my_session(&st.pool, &caller, input.id, &crate::state::meta()).await?;
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
    use nexus::domain::codes::ErrorCode;
    if input.new_password != input.confirm_password {
        return Err(AppError::field("confirm_password", ErrorCode::PasswordMismatch).with_status());
    }
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    nexus::services::auth::change_password(
        &st.pool,
        &caller,
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
                                <ul class="divide-y divide-slate-200 dark:divide-slate-700" data-testid="sessions">
                                    {list.into_iter().map(|s| view! {
                                        <li class="flex flex-wrap items-center justify-between gap-3 py-3 text-sm">
                                            <div>
                                                <p class="font-medium">
                                                    {short_agent(&s.user_agent)}
                                                    {s.current.then(|| view! {
                                                        <span class="ml-2 rounded-full bg-[#2b7cee]/15 px-2 py-0.5 text-xs text-[#2b7cee]">{t!(i18n, account.this_session)}</span>
                                                    })}
                                                </p>
                                                <p class="text-slate-500 dark:text-slate-400">
                                                    {t!(i18n, account.started)} ": " {fmt_dt(s.created_at)} " · "
                                                    {t!(i18n, account.last_seen)} ": " {fmt_dt(s.last_seen_at)}
                                                    {s.ip.clone().map(|ip| format!(" · {ip}"))}
                                                </p>
                                            </div>
                                            {(!s.current).then(|| view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="input[id]" value=s.id.to_string() />
                                                    <button type="submit" class=BUTTON_DANGER>{t!(i18n, account.revoke)}</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
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

// ---- API keys ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyDto {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
}

#[server(prefix = "/api", endpoint = "ui/api-keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyDto>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    let rows = nexus::services::api_keys::list(&st.pool, &caller).await?;
    Ok(rows
        .into_iter()
        .map(|k| ApiKeyDto {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked: k.revoked_at.is_some(),
        })
        .collect())
}

/// Checkbox per scope: a form without JavaScript posts `on` for each ticked box.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateApiKeyInput {
    pub name: String,
    #[serde(default)]
    pub inventory_write: Option<String>,
    #[serde(default)]
    pub catalog_read: Option<String>,
    #[serde(default)]
    pub detections_write: Option<String>,
    #[serde(default)]
    pub production_read: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub key: String,
}

#[server(prefix = "/api", endpoint = "ui/api-keys/create")]
pub async fn create_api_key(input: CreateApiKeyInput) -> Result<CreatedApiKey, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    let scopes: Vec<String> = [
        (input.inventory_write.is_some(), ApiScope::InventoryWrite),
        (input.catalog_read.is_some(), ApiScope::CatalogRead),
        (input.detections_write.is_some(), ApiScope::DetectionsWrite),
        (input.production_read.is_some(), ApiScope::ProductionRead),
    ]
    .into_iter()
    .filter_map(|(on, s)| on.then(|| s.as_str().to_owned()))
    .collect();
    let created =
        nexus::services::api_keys::create(&st.pool, &caller, &input.name, &scopes, &crate::state::meta()).await?;
    Ok(CreatedApiKey { id: created.id, key: created.key })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeApiKeyInput {
    pub id: Uuid,
}

#[server(prefix = "/api", endpoint = "ui/api-keys/revoke")]
pub async fn revoke_api_key(input: RevokeApiKeyInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::caller()?;
    nexus::services::api_keys::revoke(&st.pool, &caller, input.id, &crate::state::meta()).await?;
    Ok(())
}

pub fn scope_text(l: Locale, scope: &str) -> &'static str {
    match ApiScope::parse(scope) {
        Some(ApiScope::InventoryWrite) => td_string!(l, keys.scope_inventory_write),
        Some(ApiScope::CatalogRead) => td_string!(l, keys.scope_catalog_read),
        Some(ApiScope::DetectionsWrite) => td_string!(l, keys.scope_detections_write),
        Some(ApiScope::ProductionRead) => td_string!(l, keys.scope_production_read),
        None => "?",
    }
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    view! {
        <Protected permission=Permission::ApiKeysManage>
            <ApiKeys create revoke keys />
        </Protected>
    }
}

#[component]
fn ApiKeys(
    create: ServerAction<CreateApiKey>,
    revoke: ServerAction<RevokeApiKey>,
    keys: Resource<Result<Vec<ApiKeyDto>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    let grantable: Vec<ApiScope> = ApiScope::ALL.into_iter().filter(|s| me.role.has(s.required_permission())).collect();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), keys.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, keys.title)) />
        <p class="mb-6 max-w-3xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, keys.note)}</p>
        <div class="grid gap-6 lg:grid-cols-3">
            <section class=CARD aria-labelledby="new-key-h">
                <h2 id="new-key-h" class="mb-4 text-lg font-semibold">{t!(i18n, keys.new_title)}</h2>
                {move || created().map(|k| view! {
                    <div role="status" class="mb-4 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100">
                        <p class="mb-2">{t!(i18n, keys.created_once)}</p>
                        <code class="block break-all rounded bg-white/70 p-2 font-mono text-xs dark:bg-black/30" data-testid="new-api-key">{k.key}</code>
                    </div>
                })}
                <ErrorBanner error fields=&["name"] />
                <ActionForm action=create>
                    <TextField name="input[name]" field="name" label=ViewFn::from(move || t!(i18n, keys.name)) error />
                    <fieldset class="mb-4">
                        <legend class="mb-2 text-sm font-medium">{t!(i18n, keys.scopes)}</legend>
                        {grantable.into_iter().map(|s| {
                            let field = s.as_str().replace(':', "_");
                            view! {
                                <label class="mb-1 flex items-center gap-2 text-sm">
                                    <input type="checkbox" name=format!("input[{field}]") value="on" />
                                    {move || scope_text(i18n.get_locale(), s.as_str())}
                                </label>
                            }
                        }).collect_view()}
                        {move || error.get().and_then(|e| e.field_code("scopes")).map(|c| view! {
                            <p class="mt-1 text-sm text-red-600 dark:text-red-400">{crate::components::error_text(i18n.get_locale(), c)}</p>
                        })}
                    </fieldset>
                    <button type="submit" class=BUTTON disabled=move || create.pending().get()>{t!(i18n, keys.create)}</button>
                </ActionForm>
            </section>
            <section class=format!("{CARD} lg:col-span-2 overflow-x-auto")>
                <ErrorBanner error=revoke_error />
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match keys.await {
                            Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                            Ok(list) if list.is_empty() => view! {
                                <p class="text-sm text-slate-500 dark:text-slate-400">{t!(i18n, keys.empty)}</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <table class="w-full text-left text-sm">
                                    <thead class="text-xs uppercase text-slate-500 dark:text-slate-400">
                                        <tr>
                                            <th scope="col" class="py-2 pr-3">{t!(i18n, keys.name)}</th>
                                            <th scope="col" class="py-2 pr-3">{t!(i18n, keys.prefix)}</th>
                                            <th scope="col" class="py-2 pr-3">{t!(i18n, keys.scopes)}</th>
                                            <th scope="col" class="py-2 pr-3">{t!(i18n, keys.last_used)}</th>
                                            <th scope="col" class="py-2"><span class="sr-only">{t!(i18n, common.actions)}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {list.into_iter().map(|k| {
                                            let scopes = k.scopes.clone();
                                            view! {
                                                <tr class=if k.revoked { "opacity-60" } else { "" }>
                                                    <td class="py-2 pr-3 font-medium">{k.name.clone()}</td>
                                                    <td class="py-2 pr-3 font-mono text-xs">{format!("{}…", k.prefix)}</td>
                                                    <td class="py-2 pr-3">{move || scopes.iter().map(|s| scope_text(i18n.get_locale(), s)).collect::<Vec<_>>().join(", ")}</td>
                                                    <td class="py-2 pr-3">{match k.last_used_at {
                                                        Some(t) => fmt_dt(t).into_any(),
                                                        None => t!(i18n, keys.never).into_any(),
                                                    }}</td>
                                                    <td class="py-2 text-right">
                                                        {if k.revoked {
                                                            t!(i18n, keys.revoked).into_any()
                                                        } else {
                                                            view! {
                                                                <ActionForm action=revoke>
                                                                    <input type="hidden" name="input[id]" value=k.id.to_string() />
                                                                    <button type="submit" class=BUTTON_DANGER>{t!(i18n, keys.revoke)}</button>
                                                                </ActionForm>
                                                            }.into_any()
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}
