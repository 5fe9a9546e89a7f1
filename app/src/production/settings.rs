//! `/production/settings`: the plant as its owner and managers set it — lines (thresholds, OEE target), products
//! (ideal cycle), downtime reasons (planned or not, colour), which lines each operator works on, and each role's
//! dashboard (its widgets as JSON, checked against the widget catalog on save). Plain forms: each row saves on its
//! own, with or without JavaScript; a refused save says which field and changes nothing.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::production::rules::settings::{LineInput, ProductInput, ReasonInput};
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, Loading, PageHeader, SuccessBanner,
};
use crate::ui::session::Protected;

pub use nexus::production::rules::settings::Settings;
#[cfg(feature = "ssr")]
use nexus::production::service::settings as service;

#[server(prefix = "/api", endpoint = "ui/production/settings")]
pub async fn production_settings() -> Result<Settings, AppError> {
    let st = crate::state::state()?;
    Ok(service::settings(&st.pool, &crate::state::user()?).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/line")]
pub async fn save_line(input: LineInput) -> Result<i32, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_line(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/product")]
pub async fn save_product(input: ProductInput) -> Result<i32, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_product(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/reason")]
pub async fn save_reason(input: ReasonInput) -> Result<i32, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_reason(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/dashboard")]
pub async fn save_dashboard(role: String, widgets: String) -> Result<(), AppError> {
    let st = crate::state::state()?;
    Ok(service::save_dashboard(&st.pool, &crate::state::user()?, &crate::state::meta(), &role, &widgets).await?)
}

/// `lines[<id>]=<id>` for each ticked line (none ticked: no field at all).
#[server(prefix = "/api", endpoint = "ui/production/settings/operator")]
pub async fn set_operator_lines(
    user: Uuid,
    #[server(default)] lines: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let ids: Vec<i32> = lines.values().filter_map(|v| v.parse().ok()).collect();
    Ok(service::set_operator_lines(&st.pool, &crate::state::user()?, &crate::state::meta(), user, &ids).await?)
}

const FIELD: &str = "w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900";
const H2: &str = "mb-3 text-base font-semibold";

#[component]
pub fn SettingsPage() -> impl IntoView {
    let line = ServerAction::<SaveLine>::new();
    let product = ServerAction::<SaveProduct>::new();
    let reason = ServerAction::<SaveReason>::new();
    let dashboard = ServerAction::<SaveDashboard>::new();
    let operator = ServerAction::<SetOperatorLines>::new();
    let data = Resource::new(
        move || {
            (
                line.version().get(),
                product.version().get(),
                reason.version().get(),
                dashboard.version().get(),
                operator.version().get(),
            )
        },
        |_| production_settings(),
    );
    view! {
        <Protected permission=Permission::PlantConfigure>
            <Page data line product reason dashboard operator />
        </Protected>
    }
}

fn saved<T>(a: ServerAction<T>) -> Signal<bool>
where
    T: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
    T::Error: Clone + Send + Sync + 'static,
{
    Signal::derive(move || matches!(a.value().get(), Some(Ok(_))))
}

#[component]
fn Page(
    data: Resource<Result<Settings, AppError>>,
    line: ServerAction<SaveLine>,
    product: ServerAction<SaveProduct>,
    reason: ServerAction<SaveReason>,
    dashboard: ServerAction<SaveDashboard>,
    operator: ServerAction<SetOperatorLines>,
) -> impl IntoView {
    let i18n = use_i18n();
    let err = |e: Signal<Option<Result<_, AppError>>>| Signal::derive(move || e.get().and_then(Result::err));
    let line_err = err(line.value().into());
    let product_err = err(product.value().into());
    let reason_err = err(reason.value().into());
    let dashboard_err = Signal::derive(move || dashboard.value().get().and_then(Result::err));
    let operator_err = Signal::derive(move || operator.value().get().and_then(Result::err));
    let any_saved = Signal::derive(move || {
        saved(line).get()
            || saved(product).get()
            || saved(reason).get()
            || saved(dashboard).get()
            || saved(operator).get()
    });
    view! {
        <Title text=move || td_string!(i18n.get_locale(), prodset.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, prodset.title))>
            <a href="/production" class=BUTTON_SECONDARY>{t!(i18n, prodset.back)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.note)}</p>
        <SuccessBanner show=any_saved>{move || td_string!(i18n.get_locale(), prodset.saved).to_string()}</SuccessBanner>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(s) => view! {
                        <div class="space-y-6">
                            <Lines s=s.clone() action=line error=line_err />
                            <Products s=s.clone() action=product error=product_err />
                            <Reasons s=s.clone() action=reason error=reason_err />
                            <Operators s=s.clone() action=operator error=operator_err />
                            <Dashboards s action=dashboard error=dashboard_err />
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Lines(s: Settings, action: ServerAction<SaveLine>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let row = move |l: Option<nexus::production::rules::settings::LineSetting>| {
        let id = l.as_ref().map(|l| l.id);
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let v = l.unwrap_or(nexus::production::rules::settings::LineSetting {
            id: 0,
            code: String::new(),
            name: String::new(),
            downtime_threshold_s: 300.0,
            micro_stop_s: 30.0,
            target_pct: 85.0,
            active: true,
        });
        let form_id = format!("line-form-{key}");
        let save_id = format!("line-save-{key}");
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[6rem_1fr_7rem_7rem_6rem_5rem_auto] dark:border-slate-700">
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    <label class="text-xs">{t!(i18n, prodset.code)}<input name="input[code]" value=v.code class=FIELD maxlength="40" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=v.name class=FIELD maxlength="120" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.downtime_s)}<input name="input[downtime_threshold_s]" type="number" step="1" min="2" value=v.downtime_threshold_s.to_string() class=FIELD required /></label>
                    <label class="text-xs">{t!(i18n, prodset.micro_s)}<input name="input[micro_stop_s]" type="number" step="1" min="1" value=v.micro_stop_s.to_string() class=FIELD required /></label>
                    <label class="text-xs">{t!(i18n, prodset.target_pct)}<input name="input[target_pct]" type="number" step="0.1" min="0.1" max="100" value=v.target_pct.to_string() class=FIELD required /></label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[active]" type="checkbox" value="true" checked=v.active />{t!(i18n, prodset.active)}</label>
                    <button type="submit" class=BUTTON_SECONDARY data-testid=save_id>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                </div>
            </ActionForm>
        }
    };
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-lines-h" data-testid="set-lines">
            <h2 id="set-lines-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.lines)}</h2>
            <div class="px-3"><ErrorBanner error /></div>
            {s.lines.into_iter().map(|l| row(Some(l))).collect_view()}
            {row(None)}
        </section>
    }
}

#[component]
fn Products(s: Settings, action: ServerAction<SaveProduct>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let row = move |p: Option<nexus::production::rules::settings::ProductSetting>| {
        let id = p.as_ref().map(|p| p.id);
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let (code, name, cycle, active) =
            p.map_or((String::new(), String::new(), 1.0, true), |p| (p.code, p.name, p.ideal_cycle_s, p.active));
        let form_id = format!("product-form-{key}");
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[8rem_1fr_8rem_5rem_auto] dark:border-slate-700">
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    <label class="text-xs">{t!(i18n, prodset.code)}<input name="input[code]" value=code class=FIELD maxlength="40" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=name class=FIELD maxlength="120" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.cycle_s)}<input name="input[ideal_cycle_s]" type="number" step="0.001" min="0.001" value=cycle.to_string() class=FIELD required /></label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[active]" type="checkbox" value="true" checked=active />{t!(i18n, prodset.active)}</label>
                    <button type="submit" class=BUTTON_SECONDARY>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                </div>
            </ActionForm>
        }
    };
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-products-h" data-testid="set-products">
            <h2 id="set-products-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.products)}</h2>
            <div class="px-3"><ErrorBanner error /></div>
            {s.products.into_iter().map(|p| row(Some(p))).collect_view()}
            {row(None)}
        </section>
    }
}

#[component]
fn Reasons(s: Settings, action: ServerAction<SaveReason>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let row = move |r: Option<nexus::production::rules::dashboard::ReasonRef>| {
        let id = r.as_ref().map(|r| r.id);
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let (code, name, planned, colour, active) = r
            .map_or((String::new(), String::new(), false, "#64748b".to_owned(), true), |r| {
                (r.code, r.name, r.planned, r.colour, r.active)
            });
        let form_id = format!("reason-form-{key}");
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[8rem_1fr_6rem_4rem_5rem_auto] dark:border-slate-700">
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    <label class="text-xs">{t!(i18n, prodset.code)}<input name="input[code]" value=code class=FIELD maxlength="40" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=name class=FIELD maxlength="120" required /></label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[planned]" type="checkbox" value="true" checked=planned />{t!(i18n, prodset.planned)}</label>
                    <label class="text-xs">{t!(i18n, prodset.colour)}<input name="input[colour]" type="color" value=colour class="h-9 w-full rounded border border-slate-300 dark:border-slate-600" /></label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[active]" type="checkbox" value="true" checked=active />{t!(i18n, prodset.active)}</label>
                    <button type="submit" class=BUTTON_SECONDARY>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                </div>
            </ActionForm>
        }
    };
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-reasons-h" data-testid="set-reasons">
            <h2 id="set-reasons-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.reasons)}</h2>
            <div class="px-3"><ErrorBanner error /></div>
            {s.reasons.into_iter().map(|r| row(Some(r))).collect_view()}
            {row(None)}
        </section>
    }
}

#[component]
fn Operators(s: Settings, action: ServerAction<SetOperatorLines>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let lines = s.lines.clone();
    view! {
        <section class=CARD aria-labelledby="set-ops-h" data-testid="set-operators">
            <h2 id="set-ops-h" class=H2>{t!(i18n, prodset.operators)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.operators_note)}</p>
            <ErrorBanner error />
            {if s.operators.is_empty() {
                view! { <p class="text-sm">{t!(i18n, prodset.no_operators)}</p> }.into_any()
            } else {
                s.operators.into_iter().map(|o| {
                    let lines = lines.clone();
                    view! {
                        <ActionForm action attr:class="mb-2 flex flex-wrap items-center gap-3 border-t border-slate-200 pt-2 dark:border-slate-700">
                            <input type="hidden" name="user" value=o.user_id.to_string() />
                            <span class="min-w-48 text-sm font-medium">{o.name} <span class="block text-xs font-normal text-slate-600 dark:text-slate-300">{o.email}</span></span>
                            {lines.into_iter().map(|l| view! {
                                <label class="flex items-center gap-1 text-sm">
                                    <input type="checkbox" name=format!("lines[l{}]", l.id) value=l.id.to_string() checked=o.lines.contains(&l.id) />{l.code}
                                </label>
                            }).collect_view()}
                            <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, prodset.save)}</button>
                        </ActionForm>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn Dashboards(s: Settings, action: ServerAction<SaveDashboard>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let kinds =
        s.widgets.iter().map(|w| format!("{} ({} / {})", w.kind, w.name_es, w.name_en)).collect::<Vec<_>>().join(", ");
    view! {
        <section class=CARD aria-labelledby="set-dash-h" data-testid="set-dashboards">
            <h2 id="set-dash-h" class=H2>{t!(i18n, prodset.dashboards)}</h2>
            <p class="mb-1 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.dashboards_note)}</p>
            <p class="mb-3 text-xs text-slate-600 dark:text-slate-300">{kinds}</p>
            <ErrorBanner error />
            <div class="grid gap-4 lg:grid-cols-2">
                {s.dashboards.into_iter().map(|(role, json)| {
                    let id = format!("dash-{role}");
                    let label = crate::ui::components::role_text(i18n.get_locale_untracked(), nexus::identity::rules::auth::Role::parse(&role).unwrap_or(nexus::identity::rules::auth::Role::Viewer));
                    let form_id = format!("dashboard-form-{role}");
                    view! {
                        <ActionForm action attr:data-testid=form_id>
                            <input type="hidden" name="role" value=role />
                            <label for=id.clone() class="mb-1 block text-sm font-medium">{label}</label>
                            <textarea id=id name="widgets" rows="10" spellcheck="false" class=format!("{FIELD} font-mono text-xs")>{json}</textarea>
                            <button type="submit" class=format!("{BUTTON} mt-2")>{t!(i18n, prodset.save)}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

crate::ui::lazy_page!(
    /// `/production/settings`, a lazy route (see `ui::lazy_page`).
    SettingsRoute => SettingsPage
);
