//! Notices out by e-mail, as two jobs of the one runner (`crate::jobs`, so each round runs on one instance at a time):
//! `notify.mail` mails every notice whose reader chose e-mail for its kind (in their language, with a link to where it
//! leads), and `notify.digest` mails, once a day from [`DIGEST_HOUR`] in each reader's zone, those who asked for it the
//! notices they have not read since their last digest. Both lock the rows they take (`skip locked`) and mark them in
//! the round's transaction, so a notice is mailed once and a digest made once a day even with several instances.
//!
//! A mail server that does not answer ends the round (its notices wait for the next; a notice is tried
//! [`ATTEMPTS`] times, for two days); one that refuses an address counts an attempt on that notice alone. With no mail
//! server configured there are no such jobs: notices stay in the app.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{self, PgPool, Scope};
use crate::error::{Error, Result};
use crate::jobs::{Job, Report};
use crate::mail::{Mail, Mailer};
use crate::notify::rules::{Body, DIGEST_HOUR, DIGEST_LINES, DigestLine, Language, digest_mail, notice_mail, url};
use crate::notify::store;

/// How many times a notice's mail is tried before it is left to the app alone.
pub const ATTEMPTS: i16 = 5;
/// Notices (or digests) per round.
const BATCH: i64 = 50;

/// What the jobs need to write and send mail.
#[derive(Clone)]
pub struct Outbox {
    pub mailer: Mailer,
    /// The server's public origin, when it has one (else each reader's own, as their browser last showed it).
    pub origin: Option<String>,
    /// A notice in a language: the app's own words for it (the page writes notices the same way).
    pub render: fn(Language, &Body) -> String,
}

/// The jobs, when mail goes anywhere: a notice is mailed within 15 s; digests are looked for every minute.
pub fn jobs(outbox: Outbox) -> Vec<Job> {
    if !outbox.mailer.is_on() {
        return Vec::new();
    }
    let outbox = Arc::new(outbox);
    let (a, b) = (outbox.clone(), outbox);
    vec![
        Job::new("notify.mail", Duration::from_secs(15), move |pool| {
            let o = a.clone();
            async move { notices(&pool, &o).await }
        }),
        Job::new("notify.digest", Duration::from_secs(60), move |pool| {
            let o = b.clone();
            async move { digests(&pool, &o, Utc::now()).await }
        }),
    ]
}

/// One round of `notify.mail`: the oldest notices still to mail, each to its reader.
pub async fn notices(pool: &PgPool, outbox: &Outbox) -> Result<Report> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let rows = store::to_mail(&mut tx, ATTEMPTS, BATCH).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let (mut sent, mut failed) = (Vec::new(), Vec::new());
    for r in &rows {
        let key = (r.tenant_id, r.id);
        let written = Language::decode(&r.language)
            .map_err(Error::internal)
            .and_then(|lang| Ok((lang, serde_json::from_value::<Body>(r.params.clone()).map_err(Error::internal)?)));
        let (lang, body) = match written {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, notice = r.id, "a notice that cannot be read back is not mailed");
                failed.push(key);
                continue;
            }
        };
        let origin = outbox.origin.as_deref().or(r.origin.as_deref());
        let (subject, text) = notice_mail(lang, &(outbox.render)(lang, &body), &url(origin, &r.link));
        match outbox.mailer.send(Mail { to: &r.email, subject: &subject, text: &text }).await {
            Ok(true) => sent.push(key),
            Ok(false) => break,
            Err(e @ Error::Unavailable(_)) => {
                tracing::warn!(error = %e, "the mail server did not take a notice; the rest wait for the next round");
                failed.push(key);
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, notice = r.id, "a notice's mail was refused");
                failed.push(key);
            }
        }
    }
    store::mailed(&mut tx, &sent, &failed).await?;
    tx.commit().await?;
    Ok(Some(format!("{} notices mailed, {} not", sent.len(), failed.len())))
}

/// One round of `notify.digest` at `now`: each person whose digest is due gets the notices still unread since their
/// last one (nothing unread: no mail, and the day counts as done).
pub async fn digests(pool: &PgPool, outbox: &Outbox, now: DateTime<Utc>) -> Result<Report> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let due = store::digests_due(&mut tx, now, DIGEST_HOUR as i32, BATCH).await?;
    if due.is_empty() {
        return Ok(None);
    }
    let since: Vec<DateTime<Utc>> =
        due.iter().map(|d| d.digest_last_at.unwrap_or(now - chrono::Duration::days(1))).collect();
    let tenants: Vec<Uuid> = due.iter().map(|d| d.tenant_id).collect();
    let users: Vec<Uuid> = due.iter().map(|d| d.user_id).collect();
    let rows = store::digest_lines(&mut tx, &tenants, &users, &since, DIGEST_LINES as i64).await?;
    let mut unread: HashMap<(Uuid, Uuid), Vec<store::DigestRow>> = HashMap::new();
    for r in rows {
        unread.entry((r.tenant_id, r.user_id)).or_default().push(r);
    }
    let (mut done_t, mut done_u, mut mailed) = (Vec::new(), Vec::new(), 0);
    for d in &due {
        let Some(notices) = unread.remove(&(d.tenant_id, d.user_id)) else {
            done_t.push(d.tenant_id);
            done_u.push(d.user_id);
            continue;
        };
        let lang = Language::decode(&d.language).map_err(Error::internal)?;
        let zone = d.time_zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::America::Mexico_City);
        let origin = outbox.origin.as_deref().or(d.origin.as_deref());
        let count = notices.first().map_or(0, |n| n.unread);
        let lines = notices
            .into_iter()
            .map(|n| {
                let body: Body = serde_json::from_value(n.params).map_err(Error::internal)?;
                Ok(DigestLine { text: (outbox.render)(lang, &body), url: url(origin, &n.link), at: n.created_at })
            })
            .collect::<Result<Vec<_>>>()?;
        let (subject, text) = digest_mail(lang, &d.display_name, &lines, count, zone, &url(origin, "/inbox"));
        match outbox.mailer.send(Mail { to: &d.email, subject: &subject, text: &text }).await {
            Ok(true) => mailed += 1,
            Ok(false) => break,
            Err(e @ Error::Unavailable(_)) => {
                tracing::warn!(error = %e, "the mail server did not take a digest; the rest wait for the next round");
                break;
            }
            // An address the server refuses: today's digest is skipped, not retried every minute.
            Err(e) => tracing::warn!(error = %e, "a digest was refused"),
        }
        done_t.push(d.tenant_id);
        done_u.push(d.user_id);
    }
    store::digested(&mut tx, &done_t, &done_u, now).await?;
    tx.commit().await?;
    Ok(Some(format!("{mailed} digests mailed, {} people done for the day", done_t.len())))
}
