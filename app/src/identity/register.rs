//! Self-registration of a workshop, a bodega or a plant, and the notice that the account waits for approval. The form works
//! without JavaScript and reports every field's problem at once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use nexus::identity::rules::account::RegistrationInput;
use nexus::identity::rules::tenant::TenantKind;

use super::login::AuthCard;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD, CountrySelect, ErrorBanner, TextField};

#[server(prefix = "/api", endpoint = "ui/register")]
pub async fn register(input: RegistrationInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    nexus::identity::service::auth::register(&st.pool, &input, &crate::state::meta()).await?;
    leptos_axum::redirect("/pending");
    Ok(())
}

/// A text of the page in the given language.
type Text = fn(Locale) -> &'static str;

/// The kinds a visitor may register, in the form's order, with their texts.
const KINDS: [(TenantKind, Text); 3] = [
    (TenantKind::Workshop, |l| td_string!(l, register.role_workshop)),
    (TenantKind::Warehouse, |l| td_string!(l, register.role_warehouse)),
    (TenantKind::Manufacturer, |l| td_string!(l, register.role_manufacturer)),
];

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let role_error = move || error.get().and_then(|e| e.field_code("kind").or_else(|| e.field_code("role")));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), register.title) />
        <div class=format!("{CARD} mx-auto w-full max-w-xl")>
            <h1 class="mb-1 text-2xl font-bold text-slate-900 dark:text-white">{t!(i18n, register.title)}</h1>
            <p class="mb-6 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, register.subtitle)}</p>
            <ErrorBanner error fields=&["name", "email", "password", "business_name", "phone", "address", "kind", "role"] />
            <ActionForm action>
                <fieldset class="mb-4">
                    <legend class="mb-2 text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, register.role)}</legend>
                    <div class="grid gap-2 sm:grid-cols-3">
                        {KINDS.into_iter().map(|(kind, text)| view! {
                            <label class="flex cursor-pointer items-center gap-2 rounded-lg border border-slate-300 p-3 has-[:checked]:border-[#2b7cee] has-[:checked]:bg-[#2b7cee]/10 dark:border-slate-600">
                                <input type="radio" name="input[kind]" value=kind.as_str() checked=kind == TenantKind::Workshop data-testid=format!("kind-{}", kind.as_str()) />
                                <span class="text-sm">{move || text(i18n.get_locale())}</span>
                            </label>
                        }).collect_view()}
                    </div>
                    {move || role_error().map(|c| view! {
                        <p class="mt-1 text-sm text-red-600 dark:text-red-400">{crate::ui::components::error_text(i18n.get_locale(), c)}</p>
                    })}
                </fieldset>
                <div class="grid gap-x-4 sm:grid-cols-2">
                    <TextField name="input[name]" field="name" label=ViewFn::from(move || t!(i18n, register.name)) error autocomplete="name" />
                    <TextField name="input[business_name]" field="business_name" label=ViewFn::from(move || t!(i18n, register.business_name)) error autocomplete="organization" />
                    <TextField name="input[email]" field="email" kind="email" label=ViewFn::from(move || t!(i18n, register.email)) error autocomplete="email" />
                    <TextField name="input[phone]" field="phone" kind="tel" label=ViewFn::from(move || t!(i18n, register.phone)) error autocomplete="tel" />
                </div>
                <TextField name="input[address]" field="address" label=ViewFn::from(move || t!(i18n, register.address)) error autocomplete="street-address" />
                <TextField name="input[hours]" field="hours" label=ViewFn::from(move || t!(i18n, register.hours)) error required=false autocomplete="off"
                    hint=ViewFn::from(move || t!(i18n, register.hours_hint)) />
                <CountrySelect error />
                <TextField
                    name="input[password]"
                    field="password"
                    kind="password"
                    label=ViewFn::from(move || t!(i18n, register.password))
                    hint=ViewFn::from(move || t!(i18n, register.password_hint))
                    error
                    autocomplete="new-password"
                />
                <button type="submit" class=format!("{BUTTON} w-full") disabled=move || action.pending().get()>
                    {move || if action.pending().get() { td_string!(i18n.get_locale(), common.working) } else { td_string!(i18n.get_locale(), register.submit) }}
                </button>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-slate-600 dark:text-slate-300">
                {t!(i18n, register.have_account)} " "
                <A href="/login" attr:class="font-medium text-[#1a5bb5] dark:text-[#8fbfff] hover:underline">{t!(i18n, register.login_link)}</A>
            </p>
        </div>
    }
}

#[component]
pub fn PendingPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), pending.title) />
        <AuthCard>
            <div data-testid="pending-notice">
                <h1 class="mb-2 text-2xl font-bold text-slate-900 dark:text-white">{t!(i18n, pending.title)}</h1>
                <p class="mb-4 text-slate-600 dark:text-slate-300">{t!(i18n, pending.body)}</p>
                <p class="mb-6 text-sm text-slate-500 dark:text-slate-400">{t!(i18n, pending.next)}</p>
                <A href="/login" attr:class=BUTTON>{t!(i18n, nav.login)}</A>
            </div>
        </AuthCard>
    }
}
