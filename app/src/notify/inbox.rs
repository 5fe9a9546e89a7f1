//! `/inbox`: the signed-in person's notices, newest first (`?unread=1`: the unread ones), each written in the reader's
//! language from its values and leading where it tells of (opening one marks it read); "mark all read"; and how they
//! want each kind: in the app, also by e-mail, or not at all. New notices arrive live (the layout's channel).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::notify::rules::{Body, Channel, Kind, Language, MailSettings, Notice, Preference};
use nexus::paging::Page;
use serde::{Deserialize, Serialize};
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

/// Sets a choice, and remembers the language, zone and address the person uses the app in, for their mail.
#[server(prefix = "/api", endpoint = "ui/inbox/preference")]
pub async fn inbox_set_preference(kind: Kind, channel: Channel, lang: Language) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    nexus::notify::service::set_preference(&st.pool, &caller, Preference { kind, channel }).await?;
    let zone = crate::ui::time::request_zone();
    let origin = crate::state::site_origin()?;
    Ok(nexus::notify::service::remember(&st.pool, &caller, lang, zone.as_deref(), Some(&origin)).await?)
}

/// A person's mail settings, and whether this server sends mail at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailView {
    pub settings: MailSettings,
    pub mail_on: bool,
}

#[server(prefix = "/api", endpoint = "ui/inbox/mail")]
pub async fn inbox_mail() -> Result<MailView, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let settings = nexus::notify::service::mail_settings(&st.pool, &caller).await?;
    Ok(MailView { settings, mail_on: st.mailer.is_on() })
}

/// Turns the daily digest on or off, in the page's language and the browser's zone.
#[server(prefix = "/api", endpoint = "ui/inbox/digest")]
pub async fn inbox_set_digest(digest: bool, lang: Language) -> Result<MailView, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let current = nexus::notify::service::mail_settings(&st.pool, &caller).await?;
    let time_zone = crate::ui::time::request_zone().unwrap_or(current.time_zone);
    let origin = crate::state::site_origin()?;
    let asked = MailSettings { language: lang, time_zone, digest };
    let settings = nexus::notify::service::set_mail_settings(&st.pool, &caller, &asked, Some(&origin)).await?;
    Ok(MailView { settings, mail_on: st.mailer.is_on() })
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
    let mail = Resource::new(|| (), |_| inbox_mail());
    view! {
        <Protected>
            <Inbox notices preferences mail changed />
        </Protected>
    }
}

#[component]
fn Inbox(
    notices: Resource<Result<Page<Notice>, AppError>>,
    preferences: Resource<Result<Vec<Preference>, AppError>>,
    mail: Resource<Result<MailView, AppError>>,
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
        <Preferences preferences mail />
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

/// A notice in the words of a language, for its e-mail (the page's own words: `nexus::notify::mail`'s renderer).
pub fn mail_text(lang: nexus::notify::rules::Language, body: &Body) -> String {
    use nexus::notify::rules::Language;
    text(
        match lang {
            Language::Es => Locale::es,
            Language::En => Locale::en,
        },
        body,
    )
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
        Body::TaskAssigned { title, by, role, blocker, .. } => {
            let head = match role.as_deref().and_then(nexus::identity::rules::auth::Role::parse) {
                Some(r) => td_string!(
                    l,
                    inbox.task_assigned_role,
                    by = by.clone(),
                    title = title.clone(),
                    role = crate::ui::components::role_text(l, r)
                )
                .to_string(),
                None => td_string!(l, inbox.task_assigned, by = by.clone(), title = title.clone()).to_string(),
            };
            if *blocker { format!("{} {head}", td_string!(l, inbox.task_blocker)) } else { head }
        }
        Body::TaskChanged { title, by, action, comment, .. } => {
            let action = nexus::mes::rules::tasks::TaskAction::parse(action)
                .map_or_else(|| action.clone(), |a| crate::mes::texts::action_done(l, a).to_owned());
            let head =
                td_string!(l, inbox.task_changed, by = by.clone(), title = title.clone(), action = action).to_string();
            match comment {
                Some(c) => format!("{head} «{c}»"),
                None => head,
            }
        }
        Body::TaskMentioned { title, by, excerpt, .. } => {
            td_string!(l, inbox.task_mentioned, by = by.clone(), title = title.clone(), excerpt = excerpt.clone())
                .to_string()
        }
        Body::PartChanged { name, by, action, comment, .. } => {
            let action = crate::fabrication::texts::action_done(l, action);
            let head =
                td_string!(l, inbox.part_changed, by = by.clone(), action = action, name = name.clone()).to_string();
            match comment {
                Some(c) => format!("{head} «{c}»"),
                None => head,
            }
        }
        Body::ClaimExpired { name, .. } => td_string!(l, inbox.claim_expired, name = name.clone()).to_string(),
    }
}

/// A kind of notice in words (the inbox's preferences, the webhooks' kinds).
pub fn kind_text(l: Locale, k: Kind) -> &'static str {
    match k {
        Kind::StockLow => td_string!(l, inbox.kind_stock_low),
        Kind::TaskAssigned => td_string!(l, inbox.kind_task_assigned),
        Kind::TaskChanged => td_string!(l, inbox.kind_task_changed),
        Kind::TaskMentioned => td_string!(l, inbox.kind_task_mentioned),
        Kind::PartChanged => td_string!(l, inbox.kind_part_changed),
        Kind::ClaimExpired => td_string!(l, inbox.kind_claim_expired),
    }
}

#[component]
fn Preferences(
    preferences: Resource<Result<Vec<Preference>, AppError>>,
    mail: Resource<Result<MailView, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = Action::new(|(k, c, l): &(Kind, Channel, Language)| inbox_set_preference(*k, *c, *l));
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
                                                        save.dispatch((kind, c, crate::identity::invitations::language(i18n.get_locale())));
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
            <Digest mail />
        </section>
    }
}

/// The daily digest's switch, with when it comes; or, where this server sends no mail, that it does not.
#[component]
fn Digest(mail: Resource<Result<MailView, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let save = Action::new(|(on, l): &(bool, Language)| inbox_set_digest(*on, *l));
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(_))));
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let view = match mail.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                };
                if !view.mail_on {
                    return view! {
                        <p class="mt-4 text-sm text-slate-600 dark:text-slate-300" data-testid="inbox-mail-off">{t!(i18n, inbox.mail_off)}</p>
                    }.into_any();
                }
                let zone = RwSignal::new(view.settings.time_zone.clone());
                Effect::new(move |_| {
                    if let Some(Ok(v)) = save.value().get() {
                        zone.set(v.settings.time_zone);
                    }
                });
                view! {
                    <div class="mt-4 border-t border-slate-200 pt-4 dark:border-slate-700">
                        <SuccessBanner show=saved>{move || td_string!(i18n.get_locale(), inbox.digest_saved)}</SuccessBanner>
                        <ErrorBanner error />
                        <div class="flex items-start gap-3">
                            <input id="inbox-digest" type="checkbox" class="mt-1 h-4 w-4" data-testid="inbox-digest"
                                checked=view.settings.digest aria-describedby="inbox-digest-note"
                                on:change=move |ev| {
                                    save.dispatch((event_target_checked(&ev), crate::identity::invitations::language(i18n.get_locale())));
                                } />
                            <div>
                                <label for="inbox-digest" class="text-sm font-medium">{t!(i18n, inbox.digest)}</label>
                                <p id="inbox-digest-note" class="text-sm text-slate-600 dark:text-slate-300">
                                    {move || td_string!(i18n.get_locale(), inbox.digest_note, zone = zone.get()).to_string()}" "
                                    {t!(i18n, inbox.mail_language)}
                                </p>
                            </div>
                        </div>
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}

fn channel_text(l: Locale, c: Channel) -> &'static str {
    match c {
        Channel::App => td_string!(l, inbox.channel_app),
        Channel::Email => td_string!(l, inbox.channel_email),
        Channel::Off => td_string!(l, inbox.channel_off),
    }
}
