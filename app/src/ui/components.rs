//! Small shared pieces: loading and error states, form fields with their errors, dates, badges.

use leptos::prelude::*;
use nexus::codes::ErrorCode;
use nexus::identity::rules::auth::Role;
use nexus::identity::rules::tenant::UserStatus;

use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="p-4 text-slate-500 dark:text-slate-400" role="status" aria-live="polite">
            {t!(i18n, common.loading)}
        </p>
    }
}

/// The user-facing text for an error code, in the current language.
pub fn error_text(locale: Locale, code: ErrorCode) -> &'static str {
    use ErrorCode as E;
    match code {
        E::InvalidCredentials => td_string!(locale, err.invalid_credentials),
        E::AccountPending => td_string!(locale, err.account_pending),
        E::AccountDeactivated => td_string!(locale, err.account_deactivated),
        E::NotAuthenticated => td_string!(locale, err.not_authenticated),
        E::SessionExpired => td_string!(locale, err.session_expired),
        E::SessionEnded => td_string!(locale, err.session_ended),
        E::OrganisationSuspended => td_string!(locale, err.organisation_suspended),
        E::TokenInvalid => td_string!(locale, err.token_invalid),
        E::RefreshReused => td_string!(locale, err.refresh_reused),
        E::Forbidden => td_string!(locale, err.forbidden),
        E::Required => td_string!(locale, err.required),
        E::TooLong => td_string!(locale, err.too_long),
        E::EmailInvalid => td_string!(locale, err.email_invalid),
        E::EmailTaken => td_string!(locale, err.email_taken),
        E::UsernameInvalid => td_string!(locale, err.username_invalid),
        E::UsernameTaken => td_string!(locale, err.username_taken),
        E::PasswordTooShort => td_string!(locale, err.password_too_short),
        E::PasswordTooLong => td_string!(locale, err.password_too_long),
        E::PasswordMismatch => td_string!(locale, err.password_mismatch),
        E::PasswordTooCommon => td_string!(locale, err.password_too_common),
        E::RoleNotAllowed => td_string!(locale, err.role_not_allowed),
        E::KindNotAllowed => td_string!(locale, err.kind_not_allowed),
        E::TimeZoneUnknown => td_string!(locale, err.time_zone_unknown),
        E::CountryUnknown => td_string!(locale, err.country_unknown),
        E::RangeInvalid => td_string!(locale, err.range_invalid),
        E::OutputTaken => td_string!(locale, err.output_taken),
        E::OutputNeeded => td_string!(locale, err.output_needed),
        E::ScopeUnknown => td_string!(locale, err.scope_unknown),
        E::InvalidInput => td_string!(locale, err.invalid_input),
        E::ExpectedObject => td_string!(locale, err.expected_object),
        E::NotFound => td_string!(locale, err.not_found),
        E::Conflict => td_string!(locale, err.conflict),
        E::NameTaken => td_string!(locale, err.name_taken),
        E::UploadBusy => td_string!(locale, err.upload_busy),
        E::UploadRepeated => td_string!(locale, err.upload_repeated),
        E::UploadClosed => td_string!(locale, err.upload_closed),
        E::IdempotencyKeyReused => td_string!(locale, err.idempotency_key_reused),
        E::InsufficientStock => td_string!(locale, err.insufficient_stock),
        E::AlreadyReversed => td_string!(locale, err.already_reversed),
        E::StocktakeClosed => td_string!(locale, err.stocktake_closed),
        E::StocktakeOpen => td_string!(locale, err.stocktake_open),
        E::ExportNotReady => td_string!(locale, err.export_not_ready),
        E::NothingRecorded => td_string!(locale, err.nothing_recorded),
        E::ShiftNotRunning => td_string!(locale, err.shift_not_running),
        E::NotYet => td_string!(locale, err.not_yet),
        E::FactsLocked => td_string!(locale, err.facts_locked),
        E::CodeReferenced => td_string!(locale, err.code_referenced),
        E::FileTooLarge => td_string!(locale, err.file_too_large),
        E::FileType => td_string!(locale, err.file_type),
        E::WholeUnits => td_string!(locale, err.whole_units),
        E::Archived => td_string!(locale, err.archived),
        E::SameDepartment => td_string!(locale, err.same_department),
        E::CategoryCycle => td_string!(locale, err.category_cycle),
        E::UrlInvalid => td_string!(locale, err.url_invalid),
        E::UrlNotAllowed => td_string!(locale, err.url_not_allowed),
        E::CsrfRejected => td_string!(locale, err.csrf_rejected),
        E::RateLimited => td_string!(locale, err.rate_limited),
        E::Unavailable => td_string!(locale, err.unavailable),
        E::Internal => td_string!(locale, err.internal),
    }
}

pub fn role_text(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Admin => td_string!(locale, roles.admin),
        Role::Owner => td_string!(locale, roles.owner),
        Role::Manager => td_string!(locale, roles.manager),
        Role::Operator => td_string!(locale, roles.operator),
        Role::Supply => td_string!(locale, roles.supply),
        Role::Viewer => td_string!(locale, roles.viewer),
        Role::Workshop => td_string!(locale, roles.workshop),
        Role::Warehouse => td_string!(locale, roles.warehouse),
    }
}

pub fn status_text(locale: Locale, status: UserStatus) -> &'static str {
    match status {
        UserStatus::Pending => td_string!(locale, status.pending),
        UserStatus::Active => td_string!(locale, status.active),
        UserStatus::Deactivated => td_string!(locale, status.deactivated),
    }
}

/// A banner for an error that is not tied to one field (or that the form has no field for).
#[component]
pub fn ErrorBanner(
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView {
    let i18n = use_i18n();
    // A call refused because the session ended (timed out, ended elsewhere) while the page was open: the session is
    // asked again, so the header stops showing the user and the page sends them to sign in, and back here after.
    if let Some(session) = use_context::<crate::ui::session::Session>() {
        Effect::new(move |_| {
            if matches!(error.get(), Some(AppError::Unauthorized { .. })) {
                session.me.refetch();
            }
        });
    }
    move || {
        error.get().and_then(|e| {
            // Field errors the form shows next to their field are not repeated here.
            if let AppError::Validation { fields: fs } = &e
                && fs.iter().all(|f| fields.contains(&f.field.as_str()))
            {
                return None;
            }
            // A refused file says why in the bodega's words (the one refusal a page shows in a banner).
            let text = match e.reason::<nexus::inventory::rules::file::FileProblem>() {
                Some(problem) => crate::inventory::texts::file_problem(i18n.get_locale(), &problem),
                None => error_text(i18n.get_locale(), e.code()).to_owned(),
            };
            Some(view! {
                <div
                    role="alert"
                    data-testid="form-error"
                    class="mb-4 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200"
                >
                    {text}
                </div>
            })
        })
    }
}

#[component]
pub fn SuccessBanner(#[prop(into)] show: Signal<bool>, children: ChildrenFn) -> impl IntoView {
    let children = StoredValue::new(children);
    move || {
        show.get().then(|| {
            view! {
                <div
                    role="status"
                    class="mb-4 rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-200"
                >
                    {children.with_value(|c| c())}
                </div>
            }
        })
    }
}

/// A labelled input whose error (if the last submission had one for `field`) is shown under it and announced.
#[component]
pub fn TextField(
    /// The form name, e.g. `input[email]`.
    name: &'static str,
    /// The key of this field in validation errors.
    field: &'static str,
    label: ViewFn,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: Option<ViewFn>,
    #[prop(default = true)] required: bool,
    #[prop(optional, into)] value: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{}", field.replace('_', "-"));
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let code = move || error.get().and_then(|e| e.field_code(field));
    let describedby = {
        let (err_id, hint_id) = (err_id.clone(), hint_id.clone());
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if code().is_some() {
                ids.push(err_id.clone());
            }
            if has_hint {
                ids.push(hint_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="mb-4">
            <label for=id.clone() class="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">
                {label.run()}
            </label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                aria-invalid=move || code().is_some().then_some("true")
                aria-describedby=describedby
                class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-[#2b7cee] focus:outline-none focus:ring-2 focus:ring-[#2b7cee]/40 aria-[invalid=true]:border-red-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
            />
            {hint.map(|h| view! { <p id=hint_id class="mt-1 text-xs text-slate-500 dark:text-slate-400">{h.run()}</p> })}
            {move || code().map(|c| view! {
                <p id=err_id.clone() class="mt-1 text-sm text-red-600 dark:text-red-400" data-testid=format!("error-{field}")>
                    {error_text(i18n.get_locale(), c)}
                </p>
            })}
        </div>
    }
}

/// The organisation's country, for a form that creates one (`input[country]`): the markets the platform serves, by
/// name, Mexico first and chosen; its error (if the last submission had one) under it.
#[component]
pub fn CountrySelect(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let code = move || error.get().and_then(|e| e.field_code("country"));
    view! {
        <div class="mb-4">
            <label for="f-country" class="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">{t!(i18n, register.country)}</label>
            <select id="f-country" name="input[country]" class=INPUT autocomplete="country"
                aria-invalid=move || code().is_some().then_some("true")
                aria-describedby="f-country-hint">
                {nexus::numbers::COUNTRIES.iter().map(|(c, _, _)| view! {
                    <option value=*c selected=*c == "MX">{move || country_name(i18n.get_locale(), c)}</option>
                }).collect_view()}
            </select>
            <p id="f-country-hint" class="mt-1 text-xs text-slate-500 dark:text-slate-400">{t!(i18n, register.country_hint)}</p>
            {move || code().map(|c| view! {
                <p class="mt-1 text-sm text-red-600 dark:text-red-400" data-testid="error-country">{error_text(i18n.get_locale(), c)}</p>
            })}
        </div>
    }
}

/// A country of `nexus::numbers::COUNTRIES` by name.
pub fn country_name(l: Locale, code: &str) -> &'static str {
    match code {
        "MX" => td_string!(l, country.mx),
        "AR" => td_string!(l, country.ar),
        "CO" => td_string!(l, country.co),
        "CL" => td_string!(l, country.cl),
        "PE" => td_string!(l, country.pe),
        "EC" => td_string!(l, country.ec),
        "GT" => td_string!(l, country.gt),
        "CR" => td_string!(l, country.cr),
        "UY" => td_string!(l, country.uy),
        "US" => td_string!(l, country.us),
        _ => "",
    }
}

pub const BUTTON: &str = "inline-flex items-center justify-center rounded-lg bg-[#1a5bb5] px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-[#154a93] focus:outline-none focus-visible:ring-2 focus-visible:ring-[#2b7cee] focus-visible:ring-offset-2 disabled:opacity-60 dark:focus-visible:ring-offset-slate-900";
pub const BUTTON_SECONDARY: &str = "inline-flex items-center justify-center rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-[#2b7cee] disabled:opacity-60 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700";
pub const BUTTON_DANGER: &str = "inline-flex items-center justify-center rounded-lg border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 disabled:opacity-60 dark:border-red-800 dark:bg-slate-800 dark:text-red-300 dark:hover:bg-red-950";
pub const CARD: &str =
    "rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-700 dark:bg-[#1e293b]";
/// A card whose content (a wide table) scrolls sideways on small screens.
pub const CARD_FLUSH: &str =
    "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-[#1e293b]";
pub const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-[#2b7cee] focus:outline-none focus:ring-2 focus:ring-[#2b7cee]/40 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

pub use super::time::LocalTime;

#[component]
pub fn StatusBadge(status: UserStatus) -> impl IntoView {
    let i18n = use_i18n();
    let class = match status {
        UserStatus::Pending => "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100",
        UserStatus::Active => "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100",
        UserStatus::Deactivated => "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100",
    };
    view! {
        <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {class}")>
            {move || status_text(i18n.get_locale(), status)}
        </span>
    }
}

#[component]
pub fn PageHeader(title: ViewFn, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="mb-6 flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-bold tracking-tight text-slate-900 dark:text-white">{title.run()}</h1>
            {children.map(|c| c())}
        </div>
    }
}

/// A form's label.
pub const LABEL: &str = "mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200";

/// What is wrong with one field, under it (`id`: what the field names in `aria-describedby`).
pub fn field_problem(error: Signal<Option<AppError>>, field: &'static str, id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().and_then(|e| e.field_code(field)).map(|c| {
            view! { <p id=id role="alert" class="mt-1 text-sm text-red-600 dark:text-red-400">{error_text(i18n.get_locale(), c)}</p> }
        })
    }
}

/// `value` while the error names this field (`aria-invalid`, `aria-describedby`: nothing to point at otherwise).
pub fn names(
    error: Signal<Option<AppError>>,
    field: &'static str,
    value: &'static str,
) -> impl Fn() -> Option<&'static str> {
    move || error.get().and_then(|e| e.field_code(field)).map(|_| value)
}

/// A fresh idempotency key for a write the browser may send again (a double tap, a queue replayed after a network
/// loss): the browser's random UUID, or on the server a time-based one.
pub fn new_key(prefix: &str) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(uuid) = web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()) {
        return uuid;
    }
    format!("{prefix}-{}", chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default())
}

/// The foot of a form that makes a new record of an organisation's data or changes the one chosen (a stock room's
/// departments and categories, a floor's stages and scrap reasons): while changing one, its "archive" box; save
/// (disabled while sent) and, while changing one, cancel.
#[component]
pub fn EditorFoot(
    /// A record is being changed (not a new one made).
    #[prop(into)]
    editing: Signal<bool>,
    archived: RwSignal<bool>,
    #[prop(into)] archive_label: Signal<&'static str>,
    #[prop(into)] pending: Signal<bool>,
    save_testid: &'static str,
    #[prop(optional)] archive_testid: Option<&'static str>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {move || editing.get().then(|| view! {
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || archived.get() on:change=move |ev| archived.set(event_target_checked(&ev)) data-testid=archive_testid />
                {move || archive_label.get()}
            </label>
        })}
        <div class="flex flex-wrap gap-2">
            <button type="submit" class=BUTTON disabled=move || pending.get() data-testid=save_testid>{t!(i18n, common.save)}</button>
            {move || editing.get().then(|| view! {
                <button type="button" class=BUTTON_SECONDARY on:click=move |_| on_cancel.run(())>{t!(i18n, common.cancel)}</button>
            })}
        </div>
    }
}
