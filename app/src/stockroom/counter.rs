//! `/stock/counter`: the scan-first screen at the store room's counter, for a phone, a tablet or a PC with a USB
//! scanner. One screen issues, returns, receives and transfers: focus stays in the scan field; a scanner types the
//! code and Enter; the camera scans where the browser offers `BarcodeDetector`; typing a SKU or a name finds the item
//! too (a choice when several match). Each scan adds a line (item, balance here, quantity 1, never "all"; the same
//! item scanned again adds one), and the lines are posted as one posting, all or nothing, under an idempotency key
//! the page keeps until it succeeds (a resend after a lost answer records nothing twice). A refusal says per line
//! what is left; nothing is recorded.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::identity::rules::auth::Permission;
use nexus::ids::{DepartmentId, ItemId, UserId};
use nexus::stockroom::rules::ledger::{Action as Move, PostLine, PostProblem, PostRequest, Source};
use nexus::stockroom::rules::quantity::{Qty, Unit};
use nexus::stockroom::rules::views::{Department, Item, ItemDetail, Person, PostResult};
use serde::{Deserialize, Serialize};

use super::texts;
use super::{Room, stock_room};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, PageHeader, error_text};
use crate::ui::session::{Protected, use_me};

/// What a scan or a typed text found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Found {
    /// One item (a barcode or SKU, or the one item whose name matched).
    Item(ItemDetail),
    /// Several items matched a name: the person picks one.
    Choices(Vec<Item>),
    Nothing,
}

#[server(prefix = "/api", endpoint = "ui/stock/find")]
pub async fn counter_find(code: String) -> Result<Found, AppError> {
    use nexus::stockroom::service::setup::{self, ItemsQuery};
    /// Most items offered for a typed name.
    const CHOICES: i64 = 8;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    match setup::lookup(&st.pool, &caller, &code).await {
        Ok(detail) => return Ok(Found::Item(detail)),
        Err(nexus::Error::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let q = ItemsQuery { q: Some(code), limit: Some(CHOICES), ..ItemsQuery::default() };
    let page = setup::items(&st.pool, &caller, &q).await?;
    Ok(match page.items.as_slice() {
        [] => Found::Nothing,
        [one] => Found::Item(setup::get(&st.pool, &caller, one.id).await?),
        _ => Found::Choices(page.items),
    })
}

#[server(prefix = "/api", endpoint = "ui/stock/item-detail")]
pub async fn counter_item(id: ItemId) -> Result<ItemDetail, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::stockroom::service::setup::get(&st.pool, &caller, id).await?)
}

#[server(prefix = "/api", endpoint = "ui/stock/post")]
pub async fn counter_post(req: PostRequest) -> Result<PostResult, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let req = PostRequest { source: Source::Scan, ..req };
    Ok(nexus::stockroom::service::ledger::post(&st.pool, &caller, &req).await?)
}

#[component]
pub fn CounterPage() -> impl IntoView {
    let room = Resource::new(|| (), |_| stock_room());
    view! {
        <Protected permission=Permission::StockRead>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match room.await {
                        Ok(room) => view! { <Counter room /> }.into_any(),
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    }
                })}
            </Transition>
        </Protected>
    }
}

/// A line of the posting being prepared.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    detail: ItemDetail,
    quantity: RwSignal<String>,
}

impl Line {
    fn balance_in(&self, d: Option<DepartmentId>) -> Qty {
        d.and_then(|d| self.detail.places.iter().find(|p| p.department == d)).map_or(Qty::ZERO, |p| p.balance)
    }
}

/// What the last posting did, line by line.
#[derive(Debug, Clone, PartialEq)]
struct Done {
    result: PostResult,
    names: Vec<(String, Unit)>,
}

fn new_key() -> String {
    crate::ui::components::new_key("counter")
}

/// The counter's state: what is being prepared and the calls it makes (all `Copy`, shared by the screen's parts).
#[derive(Clone, Copy)]
struct Desk {
    mode: RwSignal<Move>,
    department: RwSignal<Option<DepartmentId>>,
    to_department: RwSignal<Option<DepartmentId>>,
    person: RwSignal<Option<UserId>>,
    reference: RwSignal<String>,
    reason: RwSignal<String>,
    lines: RwSignal<Vec<Line>>,
    choices: RwSignal<Vec<Item>>,
    scan_note: RwSignal<Option<String>>,
    line_errors: RwSignal<Vec<(usize, String)>>,
    done: RwSignal<Option<Done>>,
    post_error: RwSignal<Option<AppError>>,
    /// The posting's idempotency key, kept until it succeeds (a resend records nothing twice).
    key: StoredValue<Option<String>>,
    scan_ref: NodeRef<leptos::html::Input>,
    /// A line's quantity lives as long as the page, not as long as the effect that added the line.
    owner: StoredValue<Owner>,
    find: Action<String, (String, Result<Found, AppError>)>,
    pick: Action<ItemId, Result<ItemDetail, AppError>>,
    post: Action<PostRequest, Result<PostResult, AppError>>,
}

impl Desk {
    fn new(first: Option<DepartmentId>, me: Option<UserId>) -> Desk {
        Desk {
            mode: RwSignal::new(Move::Issue),
            department: RwSignal::new(first),
            to_department: RwSignal::new(None),
            person: RwSignal::new(me),
            reference: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            lines: RwSignal::new(Vec::new()),
            choices: RwSignal::new(Vec::new()),
            scan_note: RwSignal::new(None),
            line_errors: RwSignal::new(Vec::new()),
            done: RwSignal::new(None),
            post_error: RwSignal::new(None),
            key: StoredValue::new(None),
            scan_ref: NodeRef::new(),
            owner: StoredValue::new(Owner::current().expect("the counter renders under an owner")),
            find: Action::new(|code: &String| {
                let code = code.clone();
                async move { (code.clone(), counter_find(code).await) }
            }),
            pick: Action::new(|id: &ItemId| counter_item(*id)),
            post: Action::new(|req: &PostRequest| counter_post(req.clone())),
        }
    }

    fn focus_scan(self) {
        if let Some(input) = self.scan_ref.get_untracked() {
            let _ = input.focus();
        }
    }

    /// A scanned item: a new line of 1, or one more on its line.
    fn add(self, detail: ItemDetail) {
        self.choices.set(Vec::new());
        self.done.set(None);
        let id = detail.item.id;
        let owner = self.owner;
        self.lines.update(|ls| {
            if let Some(l) = ls.iter().find(|l| l.detail.item.id == id) {
                l.quantity.update(|q| {
                    let now = texts::parse(q).unwrap_or(Qty::ZERO);
                    *q = texts::number(Locale::en, now + Qty::units(1));
                });
            } else {
                ls.push(Line { detail, quantity: owner.with_value(|o| o.with(|| RwSignal::new("1".to_owned()))) });
            }
        });
        self.line_errors.set(Vec::new());
    }

    fn found(self, l: Locale, code: String, found: Result<Found, AppError>) {
        match found {
            Ok(Found::Item(d)) => {
                self.scan_note.set(None);
                self.add(d);
            }
            Ok(Found::Choices(items)) => {
                self.scan_note.set(None);
                self.choices.set(items);
            }
            Ok(Found::Nothing) => self.scan_note.set(Some(td_string!(l, room.not_found, code = code).to_string())),
            Err(e) => self.scan_note.set(Some(error_text(l, e.code()).to_owned())),
        }
        self.focus_scan();
    }

    /// The lines as a posting, each quantity read; the lines that cannot be posted say why.
    fn submit(self, l: Locale) {
        self.post_error.set(None);
        let Some(dept) = self.department.get_untracked() else { return };
        let mode = self.mode.get_untracked();
        let (mut errors, mut out) = (Vec::new(), Vec::new());
        for (i, line) in self.lines.get_untracked().iter().enumerate() {
            let Some(quantity) = texts::parse(&line.quantity.get_untracked()).filter(|q| q.0 > 0) else {
                errors.push((i + 1, td_string!(l, room.quantity_invalid).to_owned()));
                continue;
            };
            out.push(PostLine {
                action: mode,
                item: line.detail.item.id,
                department: dept,
                quantity,
                to_department: (mode == Move::Transfer).then(|| self.to_department.get_untracked()).flatten(),
                person: matches!(mode, Move::Issue | Move::Return).then(|| self.person.get_untracked()).flatten(),
                reference: self.reference.get_untracked(),
                reason: self.reason.get_untracked(),
            });
        }
        let refused = !errors.is_empty();
        self.line_errors.set(errors);
        if refused || out.is_empty() {
            return;
        }
        let k = self.key.get_value().unwrap_or_else(new_key);
        self.key.set_value(Some(k.clone()));
        self.post.dispatch(PostRequest { idempotency_key: k, source: Source::Scan, note: String::new(), lines: out });
    }

    fn posted(self, l: Locale, res: Result<PostResult, AppError>) {
        match res {
            Ok(result) => {
                let names = self.lines.with_untracked(|ls| {
                    ls.iter()
                        .map(|l| (format!("{} · {}", l.detail.item.sku, l.detail.item.name), l.detail.item.unit))
                        .collect()
                });
                self.key.set_value(None);
                self.lines.set(Vec::new());
                self.line_errors.set(Vec::new());
                self.done.set(Some(Done { result, names }));
            }
            Err(e) => {
                let mut per_line = Vec::new();
                if let Some(PostProblem::Insufficient { lines: short }) = e.reason::<PostProblem>() {
                    let units =
                        self.lines.with_untracked(|ls| ls.iter().map(|l| l.detail.item.unit).collect::<Vec<_>>());
                    for s in short {
                        let unit = units.get(s.line - 1).copied().unwrap_or(Unit::Piece);
                        per_line.push((
                            s.line,
                            td_string!(l, room.short, left = texts::qty(l, s.available, unit)).to_string(),
                        ));
                    }
                } else if let AppError::Validation { fields } = &e {
                    for f in fields {
                        let n = f
                            .field
                            .strip_prefix("lines.")
                            .and_then(|r| r.split('.').next())
                            .and_then(|n| n.parse().ok());
                        if let Some(n) = n {
                            per_line.push((n, error_text(l, f.code).to_owned()));
                        }
                    }
                }
                self.line_errors.set(per_line);
                self.post_error.set(Some(e));
            }
        }
        self.focus_scan();
    }
}

const LABEL: &str = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300";

#[component]
fn Counter(room: Room) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let may_move = me.can(Permission::StockMove);
    let self_only = !may_move && me.can(Permission::StockIssueSelf);
    let departments: Vec<Department> =
        room.live_departments().into_iter().filter(|d| !self_only || d.self_issue).collect();
    let desk = Desk::new(departments.first().map(|d| d.id), self_only.then_some(room.me));
    Effect::new(move |_| {
        if let Some((code, found)) = desk.find.value().get() {
            desk.found(i18n.get_locale_untracked(), code, found);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(d)) = desk.pick.value().get() {
            desk.add(d);
            desk.focus_scan();
        }
    });
    Effect::new(move |_| {
        if let Some(res) = desk.post.value().get() {
            desk.posted(i18n.get_locale_untracked(), res);
        }
    });
    let mode_button = move |a: Move, label: fn(Locale) -> &'static str, id: &'static str| {
        view! {
            <button type="button" data-testid=id aria-pressed=move || (desk.mode.get() == a).to_string()
                class="rounded-lg border px-3 py-2 text-sm font-semibold aria-[pressed=true]:border-[#1a5bb5] aria-[pressed=true]:bg-[#1a5bb5] aria-[pressed=true]:text-white border-slate-300 dark:border-slate-600"
                on:click=move |_| { desk.mode.set(a); desk.line_errors.set(Vec::new()); desk.focus_scan(); }>
                {move || label(i18n.get_locale())}
            </button>
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), room.counter_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, room.counter_title))>
            <a href="/stock" class=BUTTON_SECONDARY>{t!(i18n, room.items_title)}</a>
        </PageHeader>
        {(!self_only).then(|| view! {
            <div class="mb-4 flex flex-wrap gap-2" role="group" aria-label=move || td_string!(i18n.get_locale(), room.mode)>
                {mode_button(Move::Issue, |l| td_string!(l, room.mode_issue), "mode-issue")}
                {mode_button(Move::Return, |l| td_string!(l, room.mode_return), "mode-return")}
                {may_move.then(|| view! {
                    {mode_button(Move::Receive, |l| td_string!(l, room.mode_receive), "mode-receive")}
                    {mode_button(Move::Transfer, |l| td_string!(l, room.mode_transfer), "mode-transfer")}
                })}
            </div>
        })}
        <div class="grid gap-4 lg:grid-cols-[2fr_1fr]">
            <ScanCard desk />
            <PostCard desk departments people=room.people self_only />
        </div>
    }
}

/// The scan field, the choices a typed name found, and the lines.
#[component]
fn ScanCard(desk: Desk) -> impl IntoView {
    let i18n = use_i18n();
    let on_scan = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = desk.scan_ref.get_untracked() else { return };
        let code = input.value().trim().to_owned();
        input.set_value("");
        if !code.is_empty() {
            desk.find.dispatch(code);
        }
    };
    view! {
        <section class=CARD aria-labelledby="counter-lines-h">
            <form on:submit=on_scan class="mb-3" role="search">
                <label for="counter-scan" class=LABEL>{t!(i18n, room.scan_label)}</label>
                <div class="flex gap-2">
                    <input id="counter-scan" node_ref=desk.scan_ref type="text" class=INPUT autofocus autocomplete="off"
                        enterkeyhint="enter" maxlength="80" data-testid="counter-scan"
                        placeholder=move || td_string!(i18n.get_locale(), room.scan_placeholder) />
                    <button type="submit" class=BUTTON_SECONDARY data-testid="counter-find">{t!(i18n, room.find)}</button>
                </div>
                <super::camera::Camera on_code=Callback::new(move |code: String| { desk.find.dispatch(code); }) />
            </form>
            <p class="mb-2 text-sm text-amber-800 dark:text-amber-200" role="status" data-testid="counter-note">{move || desk.scan_note.get()}</p>
            {move || (!desk.choices.get().is_empty()).then(|| view! {
                <div class="mb-3 rounded-lg border border-slate-200 p-2 dark:border-slate-700" data-testid="counter-choices">
                    <p class="mb-1 text-sm font-medium">{t!(i18n, room.choose)}</p>
                    <ul class="space-y-1">
                        {desk.choices.get().into_iter().map(|it| {
                            let id = it.id;
                            view! {
                                <li><button type="button" class="w-full rounded px-2 py-1 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800" data-testid="counter-choice"
                                    on:click=move |_| { desk.pick.dispatch(id); }>
                                    <span class="font-mono">{it.sku.clone()}</span>" · "{it.name.clone()}
                                </button></li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <h2 id="counter-lines-h" class="sr-only">{t!(i18n, room.lines)}</h2>
            {move || {
                let ls = desk.lines.get();
                if ls.is_empty() {
                    return view! { <p class="py-6 text-center text-sm text-slate-600 dark:text-slate-300" data-testid="counter-empty">{t!(i18n, room.no_lines)}</p> }.into_any();
                }
                view! {
                    <ul class="divide-y divide-slate-200 dark:divide-slate-700" data-testid="counter-lines">
                        {ls.into_iter().enumerate().map(|(i, line)| view! { <LineRow desk line n=i + 1 /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn LineRow(desk: Desk, line: Line, n: usize) -> impl IntoView {
    let i18n = use_i18n();
    let id = line.detail.item.id;
    let unit = line.detail.item.unit;
    let quantity = line.quantity;
    let (sku, name) = (line.detail.item.sku.clone(), line.detail.item.name.clone());
    let here = move || texts::qty(i18n.get_locale(), line.balance_in(desk.department.get()), unit);
    let qid = format!("counter-qty-{n}");
    let error = move || desk.line_errors.get().into_iter().find(|(k, _)| *k == n).map(|(_, e)| e);
    view! {
        <li class="flex flex-wrap items-center gap-3 py-2" data-testid="counter-line" data-item=id.0.to_string()>
            <div class="min-w-0 flex-1">
                <div class="truncate font-medium"><span class="font-mono">{sku}</span>" · "{name}</div>
                <div class="text-xs text-slate-600 dark:text-slate-300">
                    {t!(i18n, room.balance_here)}": " <span data-testid="counter-balance">{here}</span>
                </div>
                <p class="text-xs font-medium text-red-700 dark:text-red-300" data-testid="counter-line-error">{error}</p>
            </div>
            <label for=qid.clone() class="sr-only">{t!(i18n, room.quantity)}</label>
            <input id=qid type="text" inputmode="decimal" class=format!("{} text-right", INPUT.replace("w-full", "w-24")) data-testid="counter-qty"
                prop:value=move || quantity.get() on:input=move |ev| quantity.set(event_target_value(&ev)) />
            <span class="w-10 text-sm">{move || texts::unit(i18n.get_locale(), unit)}</span>
            <button type="button" class="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950" data-testid="counter-remove"
                on:click=move |_| {
                    desk.lines.update(|ls| ls.retain(|l| l.detail.item.id != id));
                    desk.line_errors.set(Vec::new());
                    desk.focus_scan();
                }>
                {t!(i18n, room.remove)}
            </button>
        </li>
    }
}

/// Where the stock comes from and goes, for whom and why; the post button and what the last posting did.
#[component]
fn PostCard(desk: Desk, departments: Vec<Department>, people: Vec<Person>, self_only: bool) -> impl IntoView {
    let i18n = use_i18n();
    let departments = StoredValue::new(departments);
    let people = StoredValue::new(people);
    let Desk { mode, department, to_department, person, reference, reason, lines, post, .. } = desk;
    view! {
        <section class=CARD aria-labelledby="counter-post-h">
            <h2 id="counter-post-h" class="mb-3 text-base font-semibold">{t!(i18n, room.posting)}</h2>
            <div class="space-y-3">
                <div>
                    <label for="counter-dept" class=LABEL>{move || if mode.get() == Move::Transfer { td_string!(i18n.get_locale(), room.from_department) } else { td_string!(i18n.get_locale(), room.department) }}</label>
                    <select id="counter-dept" class=INPUT data-testid="counter-dept"
                        on:change=move |ev| department.set(event_target_value(&ev).parse::<i32>().ok().map(DepartmentId))>
                        {departments.get_value().into_iter().map(|d| {
                            let id = d.id;
                            view! { <option value=id.0.to_string() selected=move || department.get() == Some(id)>{d.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                {move || (mode.get() == Move::Transfer).then(|| view! {
                    <div>
                        <label for="counter-to" class=LABEL>{t!(i18n, room.to_department)}</label>
                        <select id="counter-to" class=INPUT data-testid="counter-to"
                            on:change=move |ev| to_department.set(event_target_value(&ev).parse::<i32>().ok().map(DepartmentId))>
                            <option value="" selected=move || to_department.get().is_none()>{t!(i18n, room.choose_department)}</option>
                            {departments.get_value().into_iter().map(|d| {
                                let id = d.id;
                                view! { <option value=id.0.to_string() selected=move || to_department.get() == Some(id)>{d.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
                {move || (!self_only && matches!(mode.get(), Move::Issue | Move::Return)).then(|| view! {
                    <div>
                        <label for="counter-person" class=LABEL>{move || if mode.get() == Move::Return { td_string!(i18n.get_locale(), room.returned_by) } else { td_string!(i18n.get_locale(), room.issued_to) }}</label>
                        <select id="counter-person" class=INPUT data-testid="counter-person"
                            on:change=move |ev| person.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(UserId))>
                            <option value="" selected=move || person.get().is_none()>{t!(i18n, room.nobody)}</option>
                            {people.get_value().into_iter().map(|p| {
                                let id = p.id;
                                view! { <option value=id.0.to_string() selected=move || person.get() == Some(id)>{p.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
                <div>
                    <label for="counter-ref" class=LABEL>{t!(i18n, room.reference)}</label>
                    <input id="counter-ref" type="text" class=INPUT maxlength="120" data-testid="counter-ref"
                        placeholder=move || td_string!(i18n.get_locale(), room.reference_placeholder)
                        prop:value=move || reference.get() on:input=move |ev| reference.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="counter-reason" class=LABEL>{t!(i18n, room.reason)}</label>
                    <input id="counter-reason" type="text" class=INPUT maxlength="300" data-testid="counter-reason"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                </div>
                <ErrorBanner error=desk.post_error />
                <button type="button" class=format!("{BUTTON} w-full") data-testid="counter-post"
                    disabled=move || lines.with(Vec::is_empty) || post.pending().get() || department.get().is_none()
                    on:click=move |_| desk.submit(i18n.get_locale_untracked())>
                    {move || td_string!(i18n.get_locale(), room.post_lines, count = lines.with(Vec::len)).to_string()}
                </button>
            </div>
            {move || desk.done.get().map(|d| view! { <Posted done=d /> })}
        </section>
    }
}

/// What the last posting recorded: each line's item and its balance after.
#[component]
fn Posted(done: Done) -> impl IntoView {
    let i18n = use_i18n();
    let Done { result, names } = done;
    let count = result.movements.iter().map(|m| m.line).max().unwrap_or(0);
    view! {
        <div role="status" class="mt-4 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100" data-testid="counter-done">
            <p class="mb-2 font-semibold">{move || td_string!(i18n.get_locale(), room.posted, count = count).to_string()}</p>
            <ul class="space-y-1">
                {result.movements.into_iter().map(|m| {
                    let (name, unit) = names.get(m.line - 1).cloned().unwrap_or((String::new(), Unit::Piece));
                    view! {
                        <li data-testid="counter-done-line">
                            {name}": " {move || texts::kind(i18n.get_locale(), m.kind)}" "{move || texts::delta(i18n.get_locale(), m.quantity)}
                            " → " <span data-testid="counter-done-balance">{move || texts::qty(i18n.get_locale(), m.balance_after, unit)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!result.alerts.is_empty()).then(|| view! {
                <p class="mt-2"><a href="/stock/alerts" class="font-medium underline">{t!(i18n, room.alerts_opened)}</a></p>
            })}
        </div>
    }
}
