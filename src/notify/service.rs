//! Sending notices (an area, inside its own transaction) and a person's inbox: its pages, unread count, marking read,
//! their choices per kind and their mail settings. Every read and change is the signed-in person's own: nobody reads
//! another's inbox.

use std::collections::HashMap;

use crate::caller::Caller;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::ids::{TenantId, UserId};
use crate::notify::rules::{Body, Channel, Kind, Language, MailSettings, Notice, Preference};
use crate::notify::store;
use crate::paging::{self, Limit, Page};

/// Tells `recipients` of `body` (leading to `link`), each as they chose for its kind: in the app, also by e-mail, or
/// not at all; and the organisation's webhooks told of its kind. In the caller's transaction: the notice exists
/// exactly when what it tells of does.
pub async fn send(tx: &mut Tx, tenant: TenantId, recipients: &[UserId], body: &Body, link: &str) -> Result<u64> {
    let kind = body.kind();
    let ids: Vec<uuid::Uuid> = recipients.iter().map(|u| u.0).collect();
    let params = serde_json::to_value(body).map_err(|e| Error::Internal(Box::new(e)))?;
    let hook = crate::notify::webhooks::payload(body, link);
    let default = Channel::default();
    Ok(store::send(tx, tenant, &ids, kind.as_str(), &params, link, &hook, default.as_str()).await?)
}

/// Notices per page: 20 unless asked, at most 100.
pub const PAGE: i64 = 20;
pub const MAX_PAGE: i64 = 100;

/// The caller's inbox, newest first (people only).
pub async fn inbox(
    pool: &PgPool,
    caller: &Caller,
    unread_only: bool,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Notice>> {
    let user = caller.user()?;
    let limit = Limit::new(limit, PAGE, MAX_PAGE)?;
    let before = paging::after::<i64>(after, ())?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let rows = store::inbox(&mut tx, user.tenant_id, user.user_id, unread_only, before, limit.fetch()).await?;
    tx.commit().await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let body: Body = serde_json::from_value(r.params).map_err(|e| Error::Internal(Box::new(e)))?;
            Ok(Notice { id: r.id, body, link: r.link, at: r.created_at, read: r.read })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::cut(items, limit, |n: &Notice| n.id))
}

/// How many of the caller's notices are unread.
pub async fn unread(pool: &PgPool, caller: &Caller) -> Result<i64> {
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let n = store::unread(&mut tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    Ok(n)
}

/// Marks the caller's notices `ids` read, or all of them: how many were unread.
pub async fn mark_read(pool: &PgPool, caller: &Caller, ids: Option<&[i64]>) -> Result<u64> {
    let user = caller.user()?;
    if ids.is_some_and(|i| i.len() > 1000) {
        return Err(Error::field("ids", crate::codes::ErrorCode::TooLong));
    }
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let n = store::mark_read(&mut tx, user.tenant_id, user.user_id, ids).await?;
    tx.commit().await?;
    Ok(n)
}

/// The caller's choice for every kind (the default where they chose nothing).
pub async fn preferences(pool: &PgPool, caller: &Caller) -> Result<Vec<Preference>> {
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let chosen: HashMap<Kind, Channel> = store::preferences(&mut tx, user.tenant_id, user.user_id)
        .await?
        .into_iter()
        .map(|(k, c)| Ok((Kind::decode(&k)?, Channel::decode(&c)?)))
        .collect::<Result<_>>()?;
    tx.commit().await?;
    Ok(Kind::ALL
        .into_iter()
        .map(|kind| Preference { kind, channel: chosen.get(&kind).copied().unwrap_or_default() })
        .collect())
}

/// Sets the caller's choice for a kind.
pub async fn set_preference(pool: &PgPool, caller: &Caller, p: Preference) -> Result<()> {
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    store::set_preference(&mut tx, user.tenant_id, user.user_id, p.kind.as_str(), p.channel.as_str()).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller's mail settings (the defaults until they save any).
pub async fn mail_settings(pool: &PgPool, caller: &Caller) -> Result<MailSettings> {
    let user = caller.user()?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let row = store::settings(&mut tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    match row {
        None => Ok(MailSettings::default()),
        Some(r) => Ok(MailSettings {
            language: Language::decode(&r.language).map_err(Error::internal)?,
            time_zone: r.time_zone,
            digest: r.digest,
        }),
    }
}

/// Sets the caller's mail settings (a zone the zone database does not know is refused on `time_zone`). `origin`: where
/// the caller uses Nexus (their request's origin), for the links of their mail.
pub async fn set_mail_settings(
    pool: &PgPool,
    caller: &Caller,
    settings: &MailSettings,
    origin: Option<&str>,
) -> Result<MailSettings> {
    let user = caller.user()?;
    let zone = settings.zone().map_err(|e| Error::Validation(vec![e]))?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    store::set_settings(
        &mut tx,
        user.tenant_id,
        user.user_id,
        settings.language.as_str(),
        zone.name(),
        Some(settings.digest),
        origin.filter(|o| plain_origin(o)),
    )
    .await?;
    tx.commit().await?;
    mail_settings(pool, caller).await
}

/// Remembers the language, zone (when the zone database knows it) and origin the caller uses the app in, keeping
/// their digest choice: the page calls it when they save a choice, so their mail reads like their app.
pub async fn remember(
    pool: &PgPool,
    caller: &Caller,
    language: Language,
    time_zone: Option<&str>,
    origin: Option<&str>,
) -> Result<()> {
    let user = caller.user()?;
    let current = mail_settings(pool, caller).await?;
    let asked = MailSettings { language, time_zone: time_zone.unwrap_or_default().to_owned(), digest: current.digest };
    let zone = asked.zone().map(|z| z.name().to_owned()).unwrap_or(current.time_zone);
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    store::set_settings(
        &mut tx,
        user.tenant_id,
        user.user_id,
        language.as_str(),
        &zone,
        None,
        origin.filter(|o| plain_origin(o)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `scheme://host[:port]` and nothing else (what the table keeps).
fn plain_origin(o: &str) -> bool {
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|h| {
        !h.is_empty()
            && o.len() <= 200
            && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    })
}
