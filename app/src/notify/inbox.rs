//! `/inbox`: the signed-in person's notices, newest first (`?unread=1`: the unread ones), each written in the reader's
//! language from its values and leading where it tells of (opening one marks it read); "mark all read"; and how they
//! want each kind: in the app, also by e-mail, or not at all. New notices arrive live (the layout's channel).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::notify::rules::{Body, Channel, Kind, Notice, Preference};
use nexus::paging::Page;
use std::sync::Arc;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{
    BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading, LocalTime, PageHeader, SuccessBanner,
};
use crate::ui::list::{Pager, href};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/inbox")]
pub async fn inbox(unread: bool, after: Option<String>) -> Result<Page<Notice>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::notify::service::inbox(&st.pool, &caller, unread, after.as_deref(), None).await?)
}

/// Marks `ids` read, or every notice when `None`.
#[server(prefix = "/api", endpoint = "ui/inbox/read")]
pub async fn inbox_read(ids: Option<Vec<i64>>) -> Result<u64, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::notify::service::mark_read(&st.pool, &caller, ids.as_deref()).await?)
}

#[server(prefix = "/api", endpoint = "ui/inbox/preferences")]
pub async fn inbox_preferences() -> Result<Vec<Preference>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::notify::service::preferences(&st.pool, &caller).await?)
}

#[server(prefix = "/api", endpoint = "ui/inbox/preference")]
pub async fn inbox_set_preference(kind: Kind, channel: Channel) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::notify::service::set_preference(&st.pool, &caller, Preference { kind, channel }).await?)
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let changed = RwSignal::new(0_u64);
    let live = crate::ui::live::use_live();
    // The unread count moving (a notice arrived, or was read elsewhere) refreshes the list.
    let heard = Memo::new(move |_| live.as_ref().and_then(|l| l.unread.get()));
    let notices = Resource::new(
        move || (query.with(|q| (q.get("unread").as_deref() == Some("1"), q.get("after"))), changed.get(), heard.get()),
        |((unread, after), _, _)| inbox(unread, after),
    );
    let preferences = Resource::new(|| (), |_| inbox_preferences());
    view! {
        <Protected>
            <Inbox notices preferences changed />
        </Protected>
    }
}

#[component]
fn Inbox(
    notices: Resource<Result<Page<Notice>, AppError>>,
    preferences: Resource<Result<Vec<Preference>, AppError>>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let unread_only = move || query.with(|q| q.get("unread").as_deref() == Some("1"));
    let read_all = Action::new(|_: &()| inbox_read(None));
    let read_error = Signal::derive(move || read_all.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(read_all.value().get(), Some(Ok(_))) {
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <Title text=move || td_string!(i18n.get_locale(), inbox.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, inbox.title))>
            <div class="flex flex-wrap gap-2">
                <a href=move || if unread_only() { "/inbox" } else { "/inbox?unread=1" } class=BUTTON_SECONDARY data-testid="inbox-filter">
                    {move || if unread_only() { td_string!(i18n.get_locale(), inbox.show_all) } else { td_string!(i18n.get_locale(), inbox.show_unread) }}
                </a>
                <button type="button" class=BUTTON_SECONDARY data-testid="inbox-read-all" disabled=move || read_all.pending().get()
                    on:click=move |_| { read_all.dispatch(()); }>{t!(i18n, inbox.read_all)}</button>
            </div>
        </PageHeader>
        <ErrorBanner error=read_error />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let page = match notices.await {
                    Ok(p) => p,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                if page.items.is_empty() {
                    return view! {
                        <section class=format!("{CARD} mb-6 text-center") data-testid="inbox-empty">
                            <h2 class="mb-2 text-lg font-semibold">{t!(i18n, inbox.empty_title)}</h2>
                            <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, inbox.empty_body)}</p>
                        </section>
                    }.into_any();
                }
                let later = query.with_untracked(|q| q.get("after").is_some());
                let unread = unread_only();
                let pages = move |after: Option<&str>| href("/inbox", &[("unread", if unread { "1" } else { "" }), ("after", after.unwrap_or_default())]);
                view! {
                    <section class="mb-6 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-[#1e293b]" aria-label=move || td_string!(i18n.get_locale(), inbox.title)>
                        <ul class="divide-y divide-slate-200 dark:divide-slate-700" data-testid="inbox">
                            {page.items.into_iter().map(|n| view! { <NoticeRow n changed /> }).collect_view()}
                        </ul>
                        <Pager next=page.next later href=Arc::new(pages) testid="inbox" />
                    </section>
                }.into_any()
            })}
        </Transition>
        <Preferences preferences />
    }
}

#[component]
fn NoticeRow(n: Notice, changed: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let id = n.id;
    let read = Action::new(move |_: &()| inbox_read(Some(vec![id])));
    Effect::new(move |_| {
        if matches!(read.value().get(), Some(Ok(_))) {
            changed.update(|c| *c += 1);
        }
    });
    let body = n.body.clone();
    let unread = !n.read;
    view! {
        <li class=if unread { "flex flex-wrap items-start gap-3 bg-[#2b7cee]/5 px-4 py-3" } else { "flex flex-wrap items-start gap-3 px-4 py-3" }
            data-testid="notice" data-state=if unread { "unread" } else { "read" }>
            <span class=if unread { "mt-1.5 inline-block h-2 w-2 shrink-0 rounded-full bg-[#1a5bb5]" } else { "mt-1.5 inline-block h-2 w-2 shrink-0" } aria-hidden="true"></span>
            <div class="min-w-0 flex-1">
                <p class="text-sm">
                    {unread.then(|| view! { <span class="sr-only">{t!(i18n, inbox.unread)}": "</span> })}
                    // Opening it marks it read (the link works before and without the page's script too).
                    <a href=n.link.clone() class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="notice-link"
                        on:click=move |_| { if unread { read.dispatch(()); } }>
                        {move || text(i18n.get_locale(), &body)}
                    </a>
                </p>
                <p class="text-xs text-slate-600 dark:text-slate-300"><LocalTime at=n.at /></p>
            </div>
            {unread.then(|| view! {
                <button type="button" class="text-xs font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="notice-read"
                    on:click=move |_| { read.dispatch(()); }>{t!(i18n, inbox.mark_read)}</button>
            })}
        </li>
    }
}

/// A notice in the reader's language.
pub fn text(l: Locale, body: &Body) -> String {
    match body {
        Body::StockLow { sku, item, department, balance, threshold, unit, by } => {
            let unit = nexus::stockroom::rules::quantity::Unit::decode(unit)
                .map(|u| crate::stockroom::texts::unit(l, u).to_owned())
                .unwrap_or_else(|_| unit.clone());
            let number = |x: f64| {
                nexus::stockroom::rules::quantity::Qty::from_units_f64(x)
                    .map_or_else(|| x.to_string(), |q| crate::stockroom::texts::number(l, q))
            };
            let head = td_string!(
                l,
                inbox.stock_low,
                sku = sku.clone(),
                item = item.clone(),
                department = department.clone(),
                balance = number(*balance),
                threshold = number(*threshold),
                unit = unit
            )
            .to_string();
            match by {
                Some(by) => format!("{head} {}", td_string!(l, inbox.stock_low_by, name = by.clone())),
                None => head,
            }
        }
    }
}

fn kind_text(l: Locale, k: Kind) -> &'static str {
    match k {
        Kind::StockLow => td_string!(l, inbox.kind_stock_low),
    }
}

#[component]
fn Preferences(preferences: Resource<Result<Vec<Preference>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let save = Action::new(|(k, c): &(Kind, Channel)| inbox_set_preference(*k, *c));
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class=CARD aria-labelledby="inbox-prefs-h" data-testid="inbox-preferences">
            <h2 id="inbox-prefs-h" class="mb-1 text-base font-semibold">{t!(i18n, inbox.preferences)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, inbox.preferences_note)}</p>
            <SuccessBanner show=saved>{move || td_string!(i18n.get_locale(), inbox.saved)}</SuccessBanner>
            <ErrorBanner error />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match preferences.await {
                        Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                        Ok(ps) => view! {
                            <div class="space-y-3">
                                {ps.into_iter().map(|p| {
                                    let id = format!("pref-{}", p.kind.as_str());
                                    let kind = p.kind;
                                    view! {
                                        <div class="flex flex-wrap items-center gap-3">
                                            <label for=id.clone() class="min-w-[12rem] text-sm font-medium">{move || kind_text(i18n.get_locale(), kind)}</label>
                                            <select id=id class=format!("{INPUT} max-w-xs") data-testid=format!("pref-{}", kind.as_str())
                                                on:change=move |ev| {
                                                    if let Ok(c) = Channel::decode(&event_target_value(&ev)) {
                                                        save.dispatch((kind, c));
                                                    }
                                                }>
                                                {[Channel::App, Channel::Email, Channel::Off].into_iter().map(|c| view! {
                                                    <option value=c.as_str() selected=p.channel == c>{move || channel_text(i18n.get_locale(), c)}</option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn channel_text(l: Locale, c: Channel) -> &'static str {
    match c {
        Channel::App => td_string!(l, inbox.channel_app),
        Channel::Email => td_string!(l, inbox.channel_email),
        Channel::Off => td_string!(l, inbox.channel_off),
    }
}
