//! `/production/settings`: the plant as its owner and managers set it — its time zone, lines (thresholds, OEE target), products
//! (ideal cycle; a line's own rate for a product in `cycles`), each line's areas (the codes machines send, and its output), downtime reasons (planned or not, colour), which lines each operator works on, and each role's
//! dashboard (its widgets as JSON, checked against the widget catalog on save). Plain forms: each row saves on its
//! own, with or without JavaScript; a refused save says which field and changes nothing.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::ids::UserId;
use nexus::ids::{AreaId, LineId, PlannedStopId, ProductId, ReasonId, ShiftId};
use nexus::production::rules::dashboard::Range;
use nexus::production::rules::kinds::{AreaKind, Counting, FilterKey, Template};
use nexus::production::rules::settings::{
    AreaInput, AreaSetting, FilterInput, FilterSetting, LineInput, PlantInput, ProductInput, ReasonInput, ShiftInput,
    ShiftSetting, StopInput, StopSetting, usual_time_zones,
};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON_DANGER, BUTTON_SECONDARY, CARD, CARD_FLUSH, ErrorBanner, Loading, PageHeader, SuccessBanner, error_text,
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

#[server(prefix = "/api", endpoint = "ui/production/settings/plant")]
pub async fn save_plant(input: PlantInput) -> Result<String, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_plant(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/line")]
pub async fn save_line(input: LineInput) -> Result<LineId, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_line(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/area")]
pub async fn save_area(input: AreaInput) -> Result<AreaId, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_area(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/product")]
pub async fn save_product(input: ProductInput) -> Result<ProductId, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_product(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/reason")]
pub async fn save_reason(input: ReasonInput) -> Result<ReasonId, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_reason(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/dashboard")]
pub async fn save_dashboard(template: Template, widgets: String) -> Result<(), AppError> {
    let st = crate::state::state()?;
    Ok(service::save_dashboard(&st.pool, &crate::state::user()?, &crate::state::meta(), template, &widgets).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/shift")]
pub async fn save_shift(input: ShiftInput) -> Result<ShiftId, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_shift(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/shift/delete")]
pub async fn delete_shift(id: ShiftId) -> Result<(), AppError> {
    let st = crate::state::state()?;
    Ok(service::delete_shift(&st.pool, &crate::state::user()?, &crate::state::meta(), id).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/stop")]
pub async fn save_stop(input: StopInput) -> Result<PlannedStopId, AppError> {
    let st = crate::state::state()?;
    Ok(service::save_stop(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/stop/delete")]
pub async fn delete_stop(id: PlannedStopId) -> Result<(), AppError> {
    let st = crate::state::state()?;
    Ok(service::delete_stop(&st.pool, &crate::state::user()?, &crate::state::meta(), id).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/settings/filter")]
pub async fn save_filter(input: FilterInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    Ok(service::save_filter(&st.pool, &crate::state::user()?, &crate::state::meta(), &input).await?)
}

/// `lines[<id>]=<id>` for each ticked line (none ticked: no field at all).
#[server(prefix = "/api", endpoint = "ui/production/settings/operator")]
pub async fn set_operator_lines(
    user: UserId,
    #[server(default)] lines: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let st = crate::state::state()?;
    // A value that is no line's id is the form's error, said as such (never dropped: the operator would lose a line).
    let ids = lines
        .values()
        .map(|v| v.parse::<LineId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|code| AppError::field("lines", code).with_status())?;
    Ok(service::set_operator_lines(&st.pool, &crate::state::user()?, &crate::state::meta(), user, &ids).await?)
}

pub(super) const FIELD: &str = "w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900";
pub(super) const H2: &str = "mb-3 text-base font-semibold";

#[component]
pub fn SettingsPage() -> impl IntoView {
    let line = ServerAction::<SaveLine>::new();
    let area = ServerAction::<SaveArea>::new();
    let product = ServerAction::<SaveProduct>::new();
    let cycle = ServerAction::<super::cycles::SaveLineCycle>::new();
    let reason = ServerAction::<SaveReason>::new();
    let dashboard = ServerAction::<SaveDashboard>::new();
    let operator = ServerAction::<SetOperatorLines>::new();
    let calendar = Calendar {
        plant: ServerAction::<SavePlant>::new(),
        shift: ServerAction::<SaveShift>::new(),
        drop_shift: ServerAction::<DeleteShift>::new(),
        stop: ServerAction::<SaveStop>::new(),
        drop_stop: ServerAction::<DeleteStop>::new(),
    };
    let filter = ServerAction::<SaveFilter>::new();
    // Read again after each save that took, only: a refused one leaves the page (and what was typed) as it is.
    let (line_v, product_v, reason_v) = (ok_version(line), ok_version(product), ok_version(reason));
    let (area_v, cycle_v) = (ok_version(area), ok_version(cycle));
    let (dashboard_v, operator_v, filter_v) = (ok_version(dashboard), ok_version(operator), ok_version(filter));
    let calendar_v = (
        ok_version(calendar.plant),
        ok_version(calendar.shift),
        ok_version(calendar.drop_shift),
        ok_version(calendar.stop),
        ok_version(calendar.drop_stop),
    );
    let data = Resource::new(
        move || {
            (
                (line_v.get(), area_v.get(), product_v.get(), reason_v.get(), cycle_v.get()),
                (dashboard_v.get(), operator_v.get(), filter_v.get()),
                (calendar_v.0.get(), calendar_v.1.get(), calendar_v.2.get(), calendar_v.3.get(), calendar_v.4.get()),
            )
        },
        |_| production_settings(),
    );
    view! {
        <Protected permission=Permission::PlantConfigure>
            <Page data line area product cycle reason dashboard operator calendar filter />
        </Protected>
    }
}

/// The plant's clock: its time zone, and the shifts' and planned stops' four actions.
#[derive(Clone, Copy)]
struct Calendar {
    plant: ServerAction<SavePlant>,
    shift: ServerAction<SaveShift>,
    drop_shift: ServerAction<DeleteShift>,
    stop: ServerAction<SaveStop>,
    drop_stop: ServerAction<DeleteStop>,
}

impl Calendar {
    fn saved(self) -> bool {
        saved(self.plant).get()
            || saved(self.shift).get()
            || saved(self.drop_shift).get()
            || saved(self.stop).get()
            || saved(self.drop_stop).get()
    }

    /// The latest refusal of the five (the one acted on last).
    fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            let e = |v: Option<Result<_, AppError>>| v.and_then(Result::err);
            [
                (self.plant.version().get(), e(self.plant.value().get().map(|r| r.map(|_| ())))),
                (self.shift.version().get(), e(self.shift.value().get().map(|r| r.map(|_| ())))),
                (self.drop_shift.version().get(), e(self.drop_shift.value().get())),
                (self.stop.version().get(), e(self.stop.value().get().map(|r| r.map(|_| ())))),
                (self.drop_stop.version().get(), e(self.drop_stop.value().get())),
            ]
            .into_iter()
            .filter(|(_, e)| e.is_some())
            .max_by_key(|(v, _)| *v)
            .and_then(|(_, e)| e)
        })
    }
}

/// A field's name as its form labels it.
fn field_label(l: Locale, field: &str) -> String {
    let base = field.split('.').next_back().unwrap_or(field);
    match base {
        "code" => td_string!(l, prodset.code).to_owned(),
        "name" => td_string!(l, prodset.name).to_owned(),
        "downtime_threshold_s" => td_string!(l, prodset.downtime_s).to_owned(),
        "micro_stop_s" => td_string!(l, prodset.micro_s).to_owned(),
        "target_pct" => td_string!(l, prodset.target_pct).to_owned(),
        "ideal_cycle_s" => td_string!(l, prodset.cycle_s).to_owned(),
        "colour" => td_string!(l, prodset.colour).to_owned(),
        "days" => td_string!(l, prodset.days).to_owned(),
        "start" => td_string!(l, prodset.start).to_owned(),
        "end" => td_string!(l, prodset.end).to_owned(),
        "position" => td_string!(l, prodset.position).to_owned(),
        "enabled" => td_string!(l, prodset.shown).to_owned(),
        "default" => td_string!(l, prodset.default).to_owned(),
        "shift_id" => td_string!(l, prodset.shifts).to_owned(),
        "time_zone" => td_string!(l, prodset.time_zone).to_owned(),
        _ => field.to_owned(),
    }
}

/// A refused save: what was wrong with each field, by the form's own labels (other errors as the app says them).
#[component]
pub(crate) fn Problems(
    error: Signal<Option<AppError>>,
    /// Each field's name as the form labels it.
    #[prop(default = field_label)]
    label: fn(Locale, &str) -> String,
) -> impl IntoView {
    let i18n = use_i18n();
    move || match error.get() {
        Some(AppError::Validation { fields }) if !fields.is_empty() => {
            let l = i18n.get_locale();
            Some(
                view! {
                    <div role="alert" data-testid="form-error" class="mb-3 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200">
                        <p class="font-medium">{td_string!(l, prodset.problems)}</p>
                        <ul class="ml-4 list-disc">
                            {fields.into_iter().map(|f| view! {
                                <li>{format!("{}: {}", label(l, &f.field), error_text(l, f.code))}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }
                .into_any(),
            )
        }
        Some(e) => Some(view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any()),
        None => None,
    }
}

/// The action's count of completed calls as of its last one that succeeded.
fn ok_version<T>(a: ServerAction<T>) -> Memo<usize>
where
    T: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
    T::Error: Clone + Send + Sync + 'static,
{
    Memo::new(
        move |last: Option<&usize>| {
            if matches!(a.value().get(), Some(Ok(_))) { a.version().get() } else { last.copied().unwrap_or(0) }
        },
    )
}

/// A form for a new row, made afresh after each save of its kind that took (its fields empty again; a save that
/// took re-renders the rest of the page in place, which would leave what was typed in it).
#[component]
pub(super) fn Fresh<T, V>(action: ServerAction<T>, row: impl Fn() -> V + Clone + Send + Sync + 'static) -> impl IntoView
where
    T: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
    T::Error: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let version = ok_version(action).get_untracked();
    view! { <For each=move || [version] key=|v| *v children=move |_| row() /> }
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
    area: ServerAction<SaveArea>,
    product: ServerAction<SaveProduct>,
    cycle: ServerAction<super::cycles::SaveLineCycle>,
    reason: ServerAction<SaveReason>,
    dashboard: ServerAction<SaveDashboard>,
    operator: ServerAction<SetOperatorLines>,
    calendar: Calendar,
    filter: ServerAction<SaveFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let line_err = Signal::derive(move || line.value().get().and_then(Result::err));
    let area_err = Signal::derive(move || area.value().get().and_then(Result::err));
    let product_err = Signal::derive(move || product.value().get().and_then(Result::err));
    let cycle_err = Signal::derive(move || cycle.value().get().and_then(Result::err));
    let reason_err = Signal::derive(move || reason.value().get().and_then(Result::err));
    let dashboard_err = Signal::derive(move || dashboard.value().get().and_then(Result::err));
    let operator_err = Signal::derive(move || operator.value().get().and_then(Result::err));
    let any_saved = Signal::derive(move || {
        saved(line).get()
            || saved(area).get()
            || saved(product).get()
            || saved(cycle).get()
            || saved(reason).get()
            || saved(dashboard).get()
            || saved(operator).get()
            || saved(filter).get()
            || calendar.saved()
    });
    let filter_err = Signal::derive(move || filter.value().get().and_then(Result::err));
    view! {
        <Title text=move || td_string!(i18n.get_locale(), prodset.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, prodset.title))>
            {use_context::<crate::ui::session::Me>().is_some_and(|me| me.can(Permission::AuditRead)).then(|| view! {
                <a href="/production/queries" class=BUTTON_SECONDARY data-testid="prod-queries">{t!(i18n, prodset.queries)}</a>
            })}
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
                            <Areas s=s.clone() action=area error=area_err />
                            <Products s=s.clone() action=product error=product_err />
                            <super::cycles::LineCycles s=s.clone() action=cycle error=cycle_err />
                            <Reasons s=s.clone() action=reason error=reason_err />
                            <Shifts s=s.clone() calendar />
                            <Filters s=s.clone() action=filter error=filter_err />
                            <Operators s=s.clone() action=operator error=operator_err />
                            <super::dashboards::Dashboards s action=dashboard error=dashboard_err />
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
        // The blank row a new line is entered in (its id is never sent: `id` above is none).
        let v = l.unwrap_or(nexus::production::rules::settings::LineSetting {
            id: LineId(0),
            code: String::new(),
            name: String::new(),
            downtime_threshold_s: 300.0,
            micro_stop_s: 30.0,
            target_pct: 85.0,
            active: true,
            counting: Counting::Sensors,
        });
        let form_id = format!("line-form-{key}");
        let save_id = format!("line-save-{key}");
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[6rem_1fr_7rem_7rem_6rem_9rem_5rem_auto] dark:border-slate-700">
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    <label class="text-xs">{t!(i18n, prodset.code)}<input name="input[code]" value=v.code class=FIELD maxlength="40" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=v.name class=FIELD maxlength="120" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.downtime_s)}<input name="input[downtime_threshold_s]" type="number" step="1" min="2" value=v.downtime_threshold_s.to_string() class=FIELD required /></label>
                    <label class="text-xs">{t!(i18n, prodset.micro_s)}<input name="input[micro_stop_s]" type="number" step="1" min="1" value=v.micro_stop_s.to_string() class=FIELD required /></label>
                    <label class="text-xs">{t!(i18n, prodset.target_pct)}<input name="input[target_pct]" type="number" step="0.1" min="0.1" max="100" value=v.target_pct.to_string() class=FIELD required /></label>
                    <label class="text-xs">{t!(i18n, prodset.counting)}
                        <select name="input[counting]" class=FIELD data-testid=format!("line-counting-{key}")>
                            <option value="sensors" selected=v.counting == Counting::Sensors>{t!(i18n, prodset.counting_sensors)}</option>
                            <option value="people" selected=v.counting == Counting::People>{t!(i18n, prodset.counting_people)}</option>
                        </select>
                    </label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[active]" type="checkbox" value="true" checked=v.active />{t!(i18n, prodset.active)}</label>
                    <button type="submit" class=BUTTON_SECONDARY data-testid=save_id>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                </div>
            </ActionForm>
        }
    };
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-lines-h" data-testid="set-lines">
            <h2 id="set-lines-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.lines)}</h2>
            <div class="px-3"><Problems error /></div>
            {s.lines.into_iter().map(|l| row(Some(l))).collect_view()}
            <Fresh action row=move || row(None) />
        </section>
    }
}

pub(crate) fn kind_label(l: Locale, k: AreaKind) -> &'static str {
    match k {
        AreaKind::Input => td_string!(l, prodset.area_input),
        AreaKind::Process => td_string!(l, prodset.area_process),
        AreaKind::Inspection => td_string!(l, prodset.area_inspection),
        AreaKind::Output => td_string!(l, prodset.area_output),
    }
}

/// Each line's areas: the codes machines send with every unit, and which one is the line's output (where its units
/// count). A new area is added to the line chosen.
#[component]
fn Areas(s: Settings, action: ServerAction<SaveArea>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let lines: Vec<(LineId, String)> = s.lines.iter().map(|l| (l.id, l.code.clone())).collect();
    let row = move |a: Option<AreaSetting>| {
        let id = a.as_ref().map(|a| a.id);
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let form_id = format!("area-form-{key}");
        let (code, name, kind) = a
            .as_ref()
            .map_or((String::new(), String::new(), AreaKind::Process), |a| (a.code.clone(), a.name.clone(), a.kind));
        let line_cell = match &a {
            Some(a) => view! {
                <span class="text-xs">{t!(i18n, prodset.line)}<span class="block py-2 font-medium">{a.line.clone()}</span>
                    <input type="hidden" name="input[line_id]" value=a.line_id.to_string() /></span>
            }
            .into_any(),
            None => {
                let lines = lines.clone();
                view! {
                    <label class="text-xs">{t!(i18n, prodset.line)}
                        <select name="input[line_id]" class=FIELD required>
                            {lines.into_iter().map(|(id, code)| view! { <option value=id.to_string()>{code}</option> }).collect_view()}
                        </select>
                    </label>
                }
                .into_any()
            }
        };
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[6rem_8rem_1fr_10rem_auto] dark:border-slate-700">
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    {line_cell}
                    <label class="text-xs">{t!(i18n, prodset.code)}<input name="input[code]" value=code class=FIELD maxlength="40" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=name class=FIELD maxlength="120" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.area_kind)}
                        <select name="input[kind]" class=FIELD>
                            {AreaKind::ALL.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=k == kind>{move || kind_label(i18n.get_locale(), k)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class=BUTTON_SECONDARY>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                </div>
            </ActionForm>
        }
    };
    let has_lines = !s.lines.is_empty();
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-areas-h" data-testid="set-areas">
            <h2 id="set-areas-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.areas)}</h2>
            <p class="px-3 pb-2 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.areas_note)}</p>
            <div class="px-3"><Problems error /></div>
            {s.areas.into_iter().map(|a| row(Some(a))).collect_view()}
            {has_lines.then(|| view! { <Fresh action row=move || row(None) /> })}
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
            <div class="px-3"><Problems error /></div>
            {s.products.into_iter().map(|p| row(Some(p))).collect_view()}
            <Fresh action row=move || row(None) />
        </section>
    }
}

#[component]
fn Reasons(s: Settings, action: ServerAction<SaveReason>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    // The branches in use, offered as each reason's category is typed (a new one is typed in full).
    let mut categories: Vec<String> = s.reasons.iter().filter_map(|r| r.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let row = move |r: Option<nexus::production::rules::dashboard::ReasonRef>| {
        let id = r.as_ref().map(|r| r.id);
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let (code, name, planned, setup, colour, active, category) = r
            .map_or((String::new(), String::new(), false, false, "#64748b".to_owned(), true, String::new()), |r| {
                (r.code, r.name, r.planned, r.setup, r.colour, r.active, r.category.unwrap_or_default())
            });
        let form_id = format!("reason-form-{key}");
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[7rem_9rem_1fr_6rem_7rem_4rem_5rem_auto] dark:border-slate-700">
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    <label class="text-xs">{t!(i18n, prodset.code)}<input name="input[code]" value=code class=FIELD maxlength="40" required /></label>
                    <label class="text-xs">{t!(i18n, prodset.category)}<input name="input[category]" value=category class=FIELD maxlength="60" list="reason-categories"
                        placeholder=move || td_string!(i18n.get_locale(), prodset.category_none) /></label>
                    <label class="text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=name class=FIELD maxlength="120" required /></label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[planned]" type="checkbox" value="true" checked=planned />{t!(i18n, prodset.planned)}</label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[setup]" type="checkbox" value="true" checked=setup />{t!(i18n, prodset.setup)}</label>
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
            <p class="px-3 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, prodset.category_note)}</p>
            <datalist id="reason-categories">{categories.into_iter().map(|c| view! { <option value=c></option> }).collect_view()}</datalist>
            <div class="px-3"><Problems error /></div>
            {s.reasons.into_iter().map(|r| row(Some(r))).collect_view()}
            <Fresh action row=move || row(None) />
        </section>
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_label(l: Locale, i: usize) -> &'static str {
    match i {
        0 => td_string!(l, prodset.mon),
        1 => td_string!(l, prodset.tue),
        2 => td_string!(l, prodset.wed),
        3 => td_string!(l, prodset.thu),
        4 => td_string!(l, prodset.fri),
        5 => td_string!(l, prodset.sat),
        _ => td_string!(l, prodset.sun),
    }
}

#[component]
fn Shifts(s: Settings, calendar: Calendar) -> impl IntoView {
    let i18n = use_i18n();
    let error = calendar.error();
    let shift_row = move |sh: Option<ShiftSetting>| {
        let id = sh.as_ref().map(|s| s.id);
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let v = sh.clone().unwrap_or(ShiftSetting {
            id: ShiftId(0),
            name: String::new(),
            days: 0b001_1111,
            start: "06:00".into(),
            end: "14:00".into(),
            stops: Vec::new(),
        });
        let form_id = format!("shift-form-{key}");
        let legend_id = format!("shift-days-{key}");
        let legend_ref = legend_id.clone();
        let shift_name = v.name.clone();
        view! {
            <div data-testid="shift" data-shift=shift_name>
            <div class="flex flex-wrap items-end gap-2 border-t border-slate-200 px-3 py-2 dark:border-slate-700">
                <ActionForm action=calendar.shift attr:class="contents" attr:data-testid=form_id>
                    {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                    <label class="w-40 text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=v.name class=FIELD maxlength="60" required /></label>
                    <fieldset class="text-xs" aria-labelledby=legend_ref>
                        <span id=legend_id class="block">{t!(i18n, prodset.days)}</span>
                        <span class="flex flex-wrap gap-x-2 py-1.5">
                            {DAYS.iter().enumerate().map(|(i, d)| view! {
                                <label class="flex items-center gap-0.5">
                                    <input type="checkbox" name=format!("input[{d}]") value="true" checked=v.days & (1 << i) != 0 />
                                    {move || day_label(i18n.get_locale(), i)}
                                </label>
                            }).collect_view()}
                        </span>
                    </fieldset>
                    <label class="w-28 text-xs">{t!(i18n, prodset.start)}<input name="input[start]" type="time" value=v.start class=FIELD required /></label>
                    <label class="w-28 text-xs">{t!(i18n, prodset.end)}<input name="input[end]" type="time" value=v.end class=FIELD required /></label>
                    <button type="submit" class=BUTTON_SECONDARY>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                </ActionForm>
                {id.map(|i| view! {
                    <ActionForm action=calendar.drop_shift attr:class="contents">
                        <input type="hidden" name="id" value=i.to_string() />
                        <button type="submit" class=BUTTON_DANGER>{t!(i18n, prodset.delete)}</button>
                    </ActionForm>
                })}
            </div>
            {sh.map(|sh| {
                let shift_id = sh.id;
                let stop_row = move |b: Option<StopSetting>| {
                    let id = b.as_ref().map(|b| b.id);
                    let key = id.map_or_else(|| format!("new-{shift_id}"), |i| i.to_string());
                    let (name, start, end) = b.map_or((String::new(), String::new(), String::new()), |b| (b.name, b.start, b.end));
                    let form_id = format!("stop-form-{key}");
                    view! {
                        <div class="flex flex-wrap items-end gap-2 py-1 pl-6">
                            <ActionForm action=calendar.stop attr:class="contents" attr:data-testid=form_id>
                                <input type="hidden" name="input[shift_id]" value=shift_id.to_string() />
                                {id.map(|i| view! { <input type="hidden" name="input[id]" value=i.to_string() /> })}
                                <label class="w-40 text-xs">{t!(i18n, prodset.name)}<input name="input[name]" value=name class=FIELD maxlength="60" required /></label>
                                <label class="w-28 text-xs">{t!(i18n, prodset.start)}<input name="input[start]" type="time" value=start class=FIELD required /></label>
                                <label class="w-28 text-xs">{t!(i18n, prodset.end)}<input name="input[end]" type="time" value=end class=FIELD required /></label>
                                <button type="submit" class=BUTTON_SECONDARY>{if id.is_some() { t!(i18n, prodset.save).into_any() } else { t!(i18n, prodset.add).into_any() }}</button>
                            </ActionForm>
                            {id.map(|i| view! {
                                <ActionForm action=calendar.drop_stop attr:class="contents">
                                    <input type="hidden" name="id" value=i.to_string() />
                                    <button type="submit" class=BUTTON_DANGER>{t!(i18n, prodset.delete)}</button>
                                </ActionForm>
                            })}
                        </div>
                    }
                };
                view! {
                    <div class="px-3 pb-2">
                        <p class="pl-6 text-xs font-medium text-slate-600 dark:text-slate-300">{t!(i18n, prodset.planned_stops)}</p>
                        {sh.stops.into_iter().map(|b| stop_row(Some(b))).collect_view()}
                        <Fresh action=calendar.stop row=move || stop_row(None) />
                    </div>
                }
            })}
            </div>
        }
    };
    let empty = s.shifts.is_empty();
    let zone = s.time_zone.clone();
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-shifts-h" data-testid="set-shifts">
            <h2 id="set-shifts-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.shifts)}</h2>
            <p class="mb-3 px-3 text-sm text-slate-600 dark:text-slate-300">
                {t!(i18n, prodset.shifts_note)} " "
                <strong data-testid="plant-zone">{move || td_string!(i18n.get_locale(), prodset.times_in).replace("{zone}", &zone)}</strong>
            </p>
            <div class="px-3"><Problems error /></div>
            <ActionForm action=calendar.plant attr:class="flex flex-wrap items-end gap-2 px-3 pb-3" attr:data-testid="plant-form">
                <label class="w-72 text-xs">
                    {t!(i18n, prodset.time_zone)}
                    <input name="input[time_zone]" list="plant-zones" value=s.time_zone.clone() class=FIELD maxlength="64" required autocomplete="off" />
                </label>
                <datalist id="plant-zones">
                    {usual_time_zones().map(|z| view! { <option value=z></option> }).collect_view()}
                </datalist>
                <button type="submit" class=BUTTON_SECONDARY data-testid="plant-save">{t!(i18n, prodset.save)}</button>
                <p class="w-full text-xs text-slate-500 dark:text-slate-400">{t!(i18n, prodset.time_zone_note)}</p>
            </ActionForm>
            {empty.then(|| view! { <p class="px-3 pb-2 text-sm text-amber-800 dark:text-amber-300">{t!(i18n, prodset.no_shifts)}</p> })}
            {s.shifts.into_iter().map(|sh| shift_row(Some(sh))).collect_view()}
            <h3 class="border-t border-slate-200 px-3 pt-2 text-sm font-medium dark:border-slate-700">{t!(i18n, prodset.new_shift)}</h3>
            <Fresh action=calendar.shift row=move || shift_row(None) />
        </section>
    }
}

#[component]
fn Filters(s: Settings, action: ServerAction<SaveFilter>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let codes: Vec<String> = s.lines.iter().map(|l| l.code.clone()).collect();
    let rows = s.filters.into_iter().map(|f: FilterSetting| {
        let key = f.key;
        let l = i18n.get_locale_untracked();
        let name = match key {
            FilterKey::DateRange => td_string!(l, prod.f_range),
            FilterKey::Line => td_string!(l, prod.f_line),
            FilterKey::Shift => td_string!(l, prod.f_shift),
            FilterKey::Product => td_string!(l, prod.f_product),
        };
        let options: Vec<(String, String)> = match key {
            FilterKey::DateRange => Range::ALL
                .iter()
                .filter(|r| **r != Range::Custom)
                .map(|r| (r.as_str().to_owned(), r.as_str().to_owned()))
                .collect(),
            FilterKey::Line => codes.iter().map(|c| (c.clone(), c.clone())).collect(),
            FilterKey::Shift | FilterKey::Product => Vec::new(),
        };
        let has_default = !options.is_empty();
        let default_id = format!("filter-default-{key}");
        let default_for = default_id.clone();
        let form_id = format!("filter-form-{key}");
        let current = f.default.clone();
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=form_id>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[10rem_5rem_6rem_7rem_1fr_auto] dark:border-slate-700">
                    <input type="hidden" name="input[key]" value=key.as_str() />
                    <span class="text-sm font-medium">{name}</span>
                    <label class="text-xs">{t!(i18n, prodset.position)}<input name="input[position]" type="number" min="1" max="99" step="1" value=f.position.to_string() class=FIELD required /></label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[enabled]" type="checkbox" value="true" checked=f.enabled />{t!(i18n, prodset.shown)}</label>
                    <label class="flex items-center gap-1 text-xs"><input name="input[required]" type="checkbox" value="true" checked=f.required />{t!(i18n, prodset.required)}</label>
                    <label class="text-xs" for=default_for>{t!(i18n, prodset.default)}
                        <select id=default_id name="input[default]" class=FIELD disabled=!has_default>
                            <option value="" selected=current.is_empty()>{t!(i18n, prodset.no_default)}</option>
                            {options.into_iter().map(|(value, label)| {
                                let selected = value == current;
                                view! { <option value=value selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, prodset.save)}</button>
                </div>
            </ActionForm>
        }
    }).collect_view();
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-filters-h" data-testid="set-filters">
            <h2 id="set-filters-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.filters)}</h2>
            <p class="mb-3 px-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.filters_note)}</p>
            <div class="px-3"><Problems error /></div>
            {rows}
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
