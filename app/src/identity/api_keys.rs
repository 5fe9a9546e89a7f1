//! The tenant's API keys: create (the key is shown once), list, revoke. A key's scopes are those its creator holds.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::{ApiScope, Permission};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD, ErrorBanner, Loading, LocalTime, PageHeader, TextField};
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::session::{Protected, use_me};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyDto {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
}

#[server(prefix = "/api", endpoint = "ui/api-keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyDto>, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let rows = nexus::identity::service::api_keys::list(&st.pool, &user).await?;
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

/// One checkbox per scope (named after the scope with `_` for `:`): a form without JavaScript posts `on` for each
/// ticked box.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateApiKeyInput {
    pub name: String,
    #[serde(default)]
    pub catalog_read: Option<String>,
    #[serde(default)]
    pub inventory_read: Option<String>,
    #[serde(default)]
    pub inventory_write: Option<String>,
    #[serde(default)]
    pub production_ingest: Option<String>,
    #[serde(default)]
    pub production_read: Option<String>,
    #[serde(default)]
    pub production_record: Option<String>,
    #[serde(default)]
    pub audit_read: Option<String>,
    #[serde(default)]
    pub stock_read: Option<String>,
    #[serde(default)]
    pub stock_write: Option<String>,
    #[serde(default)]
    pub mes_read: Option<String>,
    #[serde(default)]
    pub mes_write: Option<String>,
    #[serde(default)]
    pub fabrication_read: Option<String>,
    #[serde(default)]
    pub fabrication_write: Option<String>,
}

impl CreateApiKeyInput {
    #[cfg(feature = "ssr")]
    fn scopes(&self) -> Vec<ApiScope> {
        ApiScope::ALL
            .into_iter()
            .filter(|s| match s {
                ApiScope::CatalogRead => self.catalog_read.is_some(),
                ApiScope::InventoryRead => self.inventory_read.is_some(),
                ApiScope::InventoryWrite => self.inventory_write.is_some(),
                ApiScope::ProductionIngest => self.production_ingest.is_some(),
                ApiScope::ProductionRead => self.production_read.is_some(),
                ApiScope::ProductionRecord => self.production_record.is_some(),
                ApiScope::AuditRead => self.audit_read.is_some(),
                ApiScope::StockRead => self.stock_read.is_some(),
                ApiScope::StockWrite => self.stock_write.is_some(),
                ApiScope::MesRead => self.mes_read.is_some(),
                ApiScope::MesWrite => self.mes_write.is_some(),
                ApiScope::FabricationRead => self.fabrication_read.is_some(),
                ApiScope::FabricationWrite => self.fabrication_write.is_some(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub key: String,
}

#[server(prefix = "/api", endpoint = "ui/api-keys/create")]
pub async fn create_api_key(input: CreateApiKeyInput) -> Result<CreatedApiKey, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let scopes = input.scopes();
    let created =
        nexus::identity::service::api_keys::create(&st.pool, &user, &input.name, &scopes, &crate::state::meta())
            .await?;
    Ok(CreatedApiKey { id: created.id, key: created.key })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeApiKeyInput {
    pub id: Uuid,
}

#[server(prefix = "/api", endpoint = "ui/api-keys/revoke")]
pub async fn revoke_api_key(input: RevokeApiKeyInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::user()?;
    nexus::identity::service::api_keys::revoke(&st.pool, &caller, input.id, &crate::state::meta()).await?;
    Ok(())
}

pub fn scope_text(l: Locale, scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::CatalogRead => td_string!(l, keys.scope_catalog_read),
        ApiScope::InventoryRead => td_string!(l, keys.scope_inventory_read),
        ApiScope::InventoryWrite => td_string!(l, keys.scope_inventory_write),
        ApiScope::ProductionIngest => td_string!(l, keys.scope_production_ingest),
        ApiScope::ProductionRead => td_string!(l, keys.scope_production_read),
        ApiScope::ProductionRecord => td_string!(l, keys.scope_production_record),
        ApiScope::AuditRead => td_string!(l, keys.scope_audit_read),
        ApiScope::StockRead => td_string!(l, keys.scope_stock_read),
        ApiScope::StockWrite => td_string!(l, keys.scope_stock_write),
        ApiScope::MesRead => td_string!(l, keys.scope_mes_read),
        ApiScope::MesWrite => td_string!(l, keys.scope_mes_write),
        ApiScope::FabricationRead => td_string!(l, keys.scope_fabrication_read),
        ApiScope::FabricationWrite => td_string!(l, keys.scope_fabrication_write),
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
    let grantable: Vec<ApiScope> = ApiScope::grantable_by(me.tenant_kind, me.role).collect();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), keys.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, keys.title))>
            <a href="/developers/api" class=crate::ui::components::BUTTON_SECONDARY data-testid="to-api-reference">{t!(i18n, keys.to_reference)}</a>
            <a href="/account/webhooks" class=crate::ui::components::BUTTON_SECONDARY data-testid="to-webhooks">{t!(i18n, keys.to_hooks)}</a>
        </PageHeader>
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
                                    {move || scope_text(i18n.get_locale(), s)}
                                </label>
                            }
                        }).collect_view()}
                        {move || error.get().and_then(|e| e.field_code("scopes")).map(|c| view! {
                            <p class="mt-1 text-sm text-red-600 dark:text-red-400">{crate::ui::components::error_text(i18n.get_locale(), c)}</p>
                        })}
                    </fieldset>
                    <button type="submit" class=BUTTON disabled=move || create.pending().get()>{t!(i18n, keys.create)}</button>
                </ActionForm>
            </section>
            <section class=format!("{CARD} lg:col-span-2 overflow-x-auto") tabindex="0" aria-label=move || td_string!(i18n.get_locale(), keys.title)>
                <ErrorBanner error=revoke_error />
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match keys.await {
                            Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                            Ok(list) => view! {
                                <DataTable
                                    rows=list
                                    columns=key_columns(revoke)
                                    caption=move || td_string!(i18n.get_locale(), keys.title)
                                    testid="keys-table"
                                    rows_meta=Rows { testid: "key-row", key: |k: &ApiKeyDto| k.name.clone(), state: Some(|k: &ApiKeyDto| if k.revoked { "revoked" } else { "active" }) }
                                    min_width="sm:min-w-[560px]"
                                    empty=ViewFn::from(move || t!(i18n, keys.empty))
                                />
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The keys' columns: name, prefix, scopes, last use, and revoking.
fn key_columns(revoke: ServerAction<RevokeApiKey>) -> Vec<Column<ApiKeyDto>> {
    let i18n = use_i18n();
    vec![
        Column::text(
            move || td_string!(i18n.get_locale(), keys.name),
            "max-w-[14rem]",
            |k: &ApiKeyDto| Some(k.name.clone()),
        )
        .class("font-medium"),
        Column::new(
            move || td_string!(i18n.get_locale(), keys.prefix),
            |k: &ApiKeyDto| format!("{}…", k.prefix).into_any(),
        )
        .class("font-mono text-xs"),
        Column::new(
            move || td_string!(i18n.get_locale(), keys.scopes),
            move |k: &ApiKeyDto| {
                let scopes = k.scopes.clone();
                (move || scopes.iter().map(|s| scope_text(i18n.get_locale(), *s)).collect::<Vec<_>>().join(", "))
                    .into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), keys.last_used),
            move |k: &ApiKeyDto| match k.last_used_at {
                Some(t) => view! { <LocalTime at=t /> }.into_any(),
                None => t!(i18n, keys.never).into_any(),
            },
        ),
        Column::action(
            move || td_string!(i18n.get_locale(), common.actions),
            revoke,
            move || t!(i18n, keys.revoke).into_any(),
            move |k: &ApiKeyDto| if k.revoked { Err(t!(i18n, keys.revoked).into_any()) } else { Ok(k.id.to_string()) },
        ),
    ]
}
