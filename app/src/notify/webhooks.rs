//! `/account/webhooks`: the organisation's outgoing webhooks (whoever keeps its API keys): make one (its secret shown
//! once), send it a test, replace its secret, delete it; and a webhook's delivery log (`?hook=<id>`), newest first,
//! with each delivery's attempts, the receiver's last answer, and "send again" for what failed. The log refreshes
//! itself while something is still waiting.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use nexus::notify::rules::{Delivery, DeliveryState, Kind, Webhook, WebhookMade};
use nexus::paging::Page;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_DANGER, BUTTON_SECONDARY, CARD, ErrorBanner, Loading, LocalTime, PageHeader, TextField,
};
use crate::ui::list::{Column, DataTable, Pager, Rows, href};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/webhooks")]
pub async fn list_webhooks() -> Result<Vec<Webhook>, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::notify::webhooks::list(&st.pool, &user).await?)
}

/// The form of a new webhook (a checkbox per kind of notice: none ticked, every kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    pub url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub stock_low: Option<String>,
    #[serde(default)]
    pub task_assigned: Option<String>,
    #[serde(default)]
    pub task_changed: Option<String>,
    #[serde(default)]
    pub task_mentioned: Option<String>,
    #[serde(default)]
    pub part_changed: Option<String>,
    #[serde(default)]
    pub claim_expired: Option<String>,
}

#[server(prefix = "/api", endpoint = "ui/webhooks/create")]
pub async fn create_webhook(input: WebhookForm) -> Result<WebhookMade, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let kinds = [
        (Kind::StockLow, &input.stock_low),
        (Kind::TaskAssigned, &input.task_assigned),
        (Kind::TaskChanged, &input.task_changed),
        (Kind::TaskMentioned, &input.task_mentioned),
        (Kind::PartChanged, &input.part_changed),
        (Kind::ClaimExpired, &input.claim_expired),
    ]
    .into_iter()
    .filter_map(|(k, on)| on.is_some().then_some(k))
    .collect();
    let asked = nexus::notify::rules::WebhookInput { url: input.url, kinds, description: input.description };
    Ok(nexus::notify::webhooks::create(&st.pool, &st.courier, &user, &asked, &crate::state::meta()).await?)
}

#[server(prefix = "/api", endpoint = "ui/webhooks/delete")]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::notify::webhooks::delete(&st.pool, &user, id, &crate::state::meta()).await?)
}

#[server(prefix = "/api", endpoint = "ui/webhooks/secret")]
pub async fn replace_webhook_secret(id: i64) -> Result<WebhookMade, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::notify::webhooks::replace_secret(&st.pool, &user, id, &crate::state::meta()).await?)
}

#[server(prefix = "/api", endpoint = "ui/webhooks/ping")]
pub async fn ping_webhook(id: i64) -> Result<Delivery, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::notify::webhooks::ping(&st.pool, &user, id).await?)
}

#[server(prefix = "/api", endpoint = "ui/webhooks/deliveries")]
pub async fn webhook_deliveries(id: i64, after: Option<String>) -> Result<Page<Delivery>, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::notify::webhooks::deliveries(&st.pool, &user, id, after.as_deref(), None).await?)
}

#[server(prefix = "/api", endpoint = "ui/webhooks/retry")]
pub async fn retry_delivery(id: i64) -> Result<Delivery, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    Ok(nexus::notify::webhooks::retry(&st.pool, &user, id).await?)
}

type Deliveries = Resource<Result<Option<Page<Delivery>>, AppError>>;

/// What the page does: make a webhook, delete one, replace its secret, test it, send a delivery again.
#[derive(Clone, Copy)]
struct Acts {
    create: ServerAction<CreateWebhook>,
    delete: Action<i64, Result<(), AppError>>,
    secret: Action<i64, Result<WebhookMade, AppError>>,
    ping: Action<i64, Result<Delivery, AppError>>,
    retry: Action<i64, Result<Delivery, AppError>>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let query = use_query_map();
    let acts = Acts {
        create: ServerAction::<CreateWebhook>::new(),
        delete: Action::new(|id: &i64| delete_webhook(*id)),
        secret: Action::new(|id: &i64| replace_webhook_secret(*id)),
        ping: Action::new(|id: &i64| ping_webhook(*id)),
        retry: Action::new(|id: &i64| retry_delivery(*id)),
    };
    // Every change, and a tick while deliveries wait, reloads the lists.
    let tick = RwSignal::new(0_u64);
    let hooks = Resource::new(
        move || {
            let a = acts;
            (
                a.create.version().get(),
                a.delete.version().get(),
                a.secret.version().get(),
                a.ping.version().get(),
                tick.get(),
            )
        },
        |_| list_webhooks(),
    );
    let deliveries: Deliveries = Resource::new(
        move || {
            let hook = query.with(|q| q.get("hook").and_then(|h| h.parse::<i64>().ok()));
            (hook, query.with(|q| q.get("after")), acts.ping.version().get(), acts.retry.version().get(), tick.get())
        },
        |(hook, after, _, _, _)| async move {
            match hook {
                Some(id) => webhook_deliveries(id, after).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Protected permission=Permission::ApiKeysManage>
            <Webhooks acts hooks deliveries tick />
        </Protected>
    }
}

#[component]
fn Webhooks(
    acts: Acts,
    hooks: Resource<Result<Vec<Webhook>, AppError>>,
    deliveries: Deliveries,
    tick: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Acts { create, delete, secret, ping, retry } = acts;
    // While a delivery waits (a test just sent, a retry), look again every 3 s.
    let waiting = Signal::derive(move || {
        deliveries
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|p| p.items.iter().any(|d| d.state == DeliveryState::Pending))
    });
    Effect::new(move |_| {
        if waiting.get() {
            set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(3));
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let act_error = Signal::derive(move || {
        delete
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| secret.value().get().and_then(Result::err))
            .or_else(|| ping.value().get().and_then(Result::err))
            .or_else(|| retry.value().get().and_then(Result::err))
    });
    // After a delete, the list alone (the open log may have been the deleted webhook's).
    let navigate = leptos_router::hooks::use_navigate();
    let query = use_query_map();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) && query.with_untracked(|q| q.get("hook").is_some()) {
            navigate("/account/webhooks", Default::default());
        }
    });
    let shown_secret = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        if let Some(Ok(m)) = create.value().get() {
            shown_secret.set(Some((m.webhook.url, m.secret)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(m)) = secret.value().get() {
            shown_secret.set(Some((m.webhook.url, m.secret)));
        }
    });
    view! {
        <Title text=move || td_string!(i18n.get_locale(), hooks.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, hooks.title))>
            <a href="/account/api-keys" class=BUTTON_SECONDARY>{t!(i18n, hooks.to_keys)}</a>
        </PageHeader>
        <p class="mb-6 max-w-3xl text-sm text-slate-600 dark:text-slate-300">{t!(i18n, hooks.note)}</p>
        {move || shown_secret.get().map(|(url, s)| view! {
            <div role="status" class="mb-6 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100">
                <p class="mb-2">{move || td_string!(i18n.get_locale(), hooks.secret_once, url = url.clone()).to_string()}</p>
                <code class="block break-all rounded bg-white/70 p-2 font-mono text-xs dark:bg-black/30" data-testid="webhook-secret">{s}</code>
            </div>
        })}
        <ErrorBanner error=act_error />
        <div class="grid gap-6 lg:grid-cols-3">
            <NewHook create error />
            <section class="lg:col-span-2" aria-label=move || td_string!(i18n.get_locale(), hooks.title)>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        let list = match hooks.await {
                            Ok(l) => l,
                            Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                        };
                        if list.is_empty() {
                            return view! {
                                <div class=format!("{CARD} text-center") data-testid="webhooks-empty">
                                    <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, hooks.empty)}</p>
                                </div>
                            }.into_any();
                        }
                        view! {
                            <ul class="space-y-4" data-testid="webhooks">
                                {list.into_iter().map(|w| view! { <HookCard w delete secret ping /> }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </Transition>
            </section>
        </div>
        <DeliveryLog deliveries retry />
    }
}

/// The form of a new webhook.
#[component]
fn NewHook(create: ServerAction<CreateWebhook>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=CARD aria-labelledby="new-hook-h">
            <h2 id="new-hook-h" class="mb-4 text-lg font-semibold">{t!(i18n, hooks.new_title)}</h2>
            <ErrorBanner error fields=&["url", "description"] />
            <ActionForm action=create>
                <TextField name="input[url]" field="url" kind="url" label=ViewFn::from(move || t!(i18n, hooks.url)) error
                    hint=ViewFn::from(move || t!(i18n, hooks.url_hint)) />
                <TextField name="input[description]" field="description" label=ViewFn::from(move || t!(i18n, hooks.description)) error required=false />
                <fieldset class="mb-4">
                    <legend class="mb-2 text-sm font-medium">{t!(i18n, hooks.kinds)}</legend>
                    {Kind::ALL.into_iter().map(|k| view! {
                        <label class="mb-1 flex items-center gap-2 text-sm">
                            <input type="checkbox" name=format!("input[{}]", k.as_str()) value="on" />
                            {move || kind_text(i18n.get_locale(), k)}
                        </label>
                    }).collect_view()}
                    <p class="text-xs text-slate-600 dark:text-slate-300">{t!(i18n, hooks.kinds_none)}</p>
                </fieldset>
                <button type="submit" class=BUTTON disabled=move || create.pending().get() data-testid="webhook-create">{t!(i18n, hooks.create)}</button>
            </ActionForm>
        </section>
    }
}

/// The open webhook's deliveries, newest first, by pages.
#[component]
fn DeliveryLog(deliveries: Deliveries, retry: Action<i64, Result<Delivery, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match deliveries.await {
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(Some(page)) => {
                        let hook = query.with_untracked(|q| q.get("hook")).unwrap_or_default();
                        let later = query.with_untracked(|q| q.get("after").is_some());
                        let pages = move |after: Option<&str>| {
                            href("/account/webhooks", &[("hook", &hook), ("after", after.unwrap_or_default())])
                        };
                        view! {
                            <section class=format!("{CARD} mt-6 overflow-x-auto") tabindex="0" aria-labelledby="deliveries-h">
                                <h2 id="deliveries-h" class="mb-3 text-lg font-semibold">{t!(i18n, hooks.deliveries)}</h2>
                                <DataTable
                                    rows=page.items
                                    columns=delivery_columns(retry)
                                    caption=move || td_string!(i18n.get_locale(), hooks.deliveries)
                                    testid="deliveries"
                                    rows_meta=Rows { testid: "delivery", key: |d: &Delivery| d.id.to_string(), state: Some(|d: &Delivery| d.state.as_str()) }
                                    min_width="sm:min-w-[640px]"
                                    empty=ViewFn::from(move || t!(i18n, hooks.no_deliveries))
                                />
                                <Pager next=page.next later href=Arc::new(pages) testid="deliveries" />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn HookCard(
    w: Webhook,
    delete: Action<i64, Result<(), AppError>>,
    secret: Action<i64, Result<WebhookMade, AppError>>,
    ping: Action<i64, Result<Delivery, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = w.id;
    let kinds = if w.kinds.is_empty() { None } else { Some(w.kinds.clone()) };
    let confirm = RwSignal::new(false);
    view! {
        <li class=CARD data-testid="webhook">
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <p class="break-all font-mono text-sm font-medium" data-testid="webhook-url">{w.url.clone()}</p>
                    {(!w.description.is_empty()).then(|| view! { <p class="text-sm">{w.description.clone()}</p> })}
                    <p class="text-xs text-slate-600 dark:text-slate-300">
                        {move || match &kinds {
                            None => td_string!(i18n.get_locale(), hooks.every_kind).to_string(),
                            Some(k) => k.iter().map(|k| kind_text(i18n.get_locale(), *k)).collect::<Vec<_>>().join(", "),
                        }}
                        " · " {t!(i18n, hooks.created)} " " <LocalTime at=w.created_at />
                    </p>
                </div>
                {w.last.map(|s| view! { <StateBadge s /> })}
            </div>
            <div class="mt-3 flex flex-wrap gap-2">
                <a href=format!("/account/webhooks?hook={id}") class=BUTTON_SECONDARY data-testid="webhook-log">{t!(i18n, hooks.log)}</a>
                <button type="button" class=BUTTON_SECONDARY data-testid="webhook-ping" disabled=move || ping.pending().get()
                    on:click=move |_| { ping.dispatch(id); }>{t!(i18n, hooks.ping)}</button>
                <button type="button" class=BUTTON_SECONDARY data-testid="webhook-secret-new" disabled=move || secret.pending().get()
                    on:click=move |_| { secret.dispatch(id); }>{t!(i18n, hooks.new_secret)}</button>
                <Show when=move || confirm.get() fallback=move || view! {
                    <button type="button" class=BUTTON_DANGER data-testid="webhook-delete" on:click=move |_| confirm.set(true)>{t!(i18n, hooks.delete)}</button>
                }>
                    <button type="button" class=BUTTON_DANGER data-testid="webhook-delete-confirm"
                        on:click=move |_| { delete.dispatch(id); }>{t!(i18n, hooks.delete_confirm)}</button>
                    <button type="button" class=BUTTON_SECONDARY on:click=move |_| confirm.set(false)>{t!(i18n, common.cancel)}</button>
                </Show>
            </div>
        </li>
    }
}

#[component]
fn StateBadge(s: DeliveryState) -> impl IntoView {
    let i18n = use_i18n();
    let class = match s {
        DeliveryState::Delivered => "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
        DeliveryState::Pending => "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100",
        DeliveryState::Failed => "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100",
    };
    view! {
        <span class=format!("inline-block rounded-full px-2 py-0.5 text-xs font-semibold {class}") data-testid="delivery-state">
            {move || state_text(i18n.get_locale(), s)}
        </span>
    }
}

fn state_text(l: Locale, s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Pending => td_string!(l, hooks.pending),
        DeliveryState::Delivered => td_string!(l, hooks.delivered),
        DeliveryState::Failed => td_string!(l, hooks.failed),
    }
}

use crate::notify::inbox::kind_text;

/// A delivery's kind in words: a notice's, or the test.
fn event_text(l: Locale, kind: &str) -> String {
    match Kind::parse(kind) {
        Some(k) => kind_text(l, k).to_owned(),
        None => td_string!(l, hooks.test).to_owned(),
    }
}

fn delivery_columns(retry: Action<i64, Result<Delivery, AppError>>) -> Vec<Column<Delivery>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), hooks.at),
            |d: &Delivery| view! { <LocalTime at=d.created_at /> }.into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), hooks.event),
            move |d: &Delivery| {
                let kind = d.kind.clone();
                (move || event_text(i18n.get_locale(), &kind)).into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), hooks.state),
            |d: &Delivery| view! { <StateBadge s=d.state /> }.into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), hooks.attempts),
            |d: &Delivery| d.attempts.to_string().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), hooks.answer),
            move |d: &Delivery| {
                let status = d.last_status.map(|s| s.to_string());
                let error = d.last_error.clone();
                let next = d.next_at;
                view! {
                <span class="text-sm">
                    {status.or(error).unwrap_or_else(|| "—".into())}
                    {next.map(|at| view! { <span class="block text-xs text-slate-600 dark:text-slate-300">{t!(i18n, hooks.next)} " " <LocalTime at /></span> })}
                </span>
            }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), common.actions),
            move |d: &Delivery| {
                let id = d.id;
                if d.state == DeliveryState::Delivered {
                    return ().into_any();
                }
                view! {
                <button type="button" class=BUTTON_SECONDARY data-testid="delivery-retry" disabled=move || retry.pending().get()
                    on:click=move |_| { retry.dispatch(id); }>{t!(i18n, hooks.retry)}</button>
            }.into_any()
            },
        ),
    ]
}
