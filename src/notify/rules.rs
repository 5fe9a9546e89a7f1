//! What a notice is: its kind, its values (written by the page in the reader's language), and how a person wants each
//! kind: in the app, also by e-mail, or not at all; the mail settings (language, time zone, a daily digest) and the
//! e-mails themselves: one per notice, and the digest of what is still unread; an organisation's outgoing webhooks
//! (what address is acceptable, when a failed delivery is tried again).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, FieldError, text_enum};
pub use crate::identity::rules::invitation::Language;

/// A kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An item fell below its threshold in a department.
    StockLow,
    /// A task was given to me or to my role.
    TaskAssigned,
    /// A task I made or hold moved (accepted, sent to review, approved, rejected, cancelled).
    TaskChanged,
    /// Someone mentioned me in a task's comment.
    TaskMentioned,
    /// A part of the shop's changed in a way that concerns the reader: approved or rejected (their request),
    /// assigned to them, taken back, completed, reverted, its drawing changed while they hold it.
    PartChanged,
    /// The reader's claim on a part ran out of lease: the part went back to its queue.
    ClaimExpired,
}
text_enum!(Kind "notice kind" {
    StockLow => "stock_low", TaskAssigned => "task_assigned", TaskChanged => "task_changed",
    TaskMentioned => "task_mentioned", PartChanged => "part_changed", ClaimExpired => "claim_expired",
});

/// How a person wants a kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In the app's inbox.
    #[default]
    App,
    /// In the inbox and by e-mail.
    Email,
    /// Not at all.
    Off,
}
text_enum!(Channel "notice channel" { App => "app", Email => "email", Off => "off" });

/// A notice's values, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    StockLow {
        sku: String,
        item: String,
        department: String,
        /// The balance and the threshold, in the item's unit (`unit`: its code, `piece`, `kg`…).
        balance: f64,
        threshold: f64,
        unit: String,
        /// Who recorded the movement that crossed it (none: the threshold itself changed).
        by: Option<String>,
    },
    TaskAssigned {
        task: i64,
        title: String,
        /// Who gave it.
        by: String,
        /// The role it was given to (none: to the reader).
        role: Option<String>,
        blocker: bool,
    },
    TaskChanged {
        task: i64,
        title: String,
        /// Who moved it.
        by: String,
        /// The action (`accept`, `send_to_review`, `approve`, `reject`, `cancel`…) and the state it left it in.
        action: String,
        state: String,
        comment: Option<String>,
    },
    TaskMentioned {
        task: i64,
        title: String,
        by: String,
        /// The comment's first characters.
        excerpt: String,
    },
    PartChanged {
        part: i64,
        name: String,
        /// Who did it.
        by: String,
        /// The action (`approve`, `reject`, `assign`, `unclaim`, `complete`, `revert`, `add_drawing`,
        /// `approve_drawing`…) and the state it left the part in.
        action: String,
        state: String,
        comment: Option<String>,
    },
    ClaimExpired {
        part: i64,
        name: String,
        /// The queue it went back to.
        state: String,
    },
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::StockLow { .. } => Kind::StockLow,
            Body::TaskAssigned { .. } => Kind::TaskAssigned,
            Body::TaskChanged { .. } => Kind::TaskChanged,
            Body::TaskMentioned { .. } => Kind::TaskMentioned,
            Body::PartChanged { .. } => Kind::PartChanged,
            Body::ClaimExpired { .. } => Kind::ClaimExpired,
        }
    }
}

/// A notice in a person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: i64,
    pub body: Body,
    /// Where it leads (a path of the application).
    pub link: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// A person's choice for a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Preference {
    pub kind: Kind,
    pub channel: Channel,
}

// ---------------------------------------------------------------------------------------------------------------
// Outgoing webhooks

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not taken yet: tried again at `next_at`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: every attempt failed, or the address may not be called.
    Failed,
}
text_enum!(DeliveryState "delivery state" { Pending => "pending", Delivered => "delivered", Failed => "failed" });

/// The kind of a delivery that tests a webhook (not a notice).
pub const PING: &str = "ping";

/// A delivery is tried this many times.
pub const DELIVERY_ATTEMPTS: i16 = 8;

/// How long after its `attempts`-th failed attempt a delivery is tried again: 30 s, then four times longer each time
/// (2 min, 8 min, 32 min, ~2 h, ~8.5 h, 12 h at most); `None`: it was the last.
pub fn retry_in(attempts: i16) -> Option<chrono::Duration> {
    if !(1..DELIVERY_ATTEMPTS).contains(&attempts) {
        return None;
    }
    let secs = 30_i64.saturating_mul(4_i64.pow(u32::from(attempts.unsigned_abs()) - 1));
    Some(chrono::Duration::seconds(secs.min(12 * 3600)))
}

/// The form of a webhook's address, in the OpenAPI document and on the server alike: a host name (labels of
/// letters, digits and `-`, the last beginning with a letter) or an IPv4 address, a port up to 59999, a path and a
/// query of plain characters.
pub const URL_PATTERN: &str = concat!(
    "^https?://",
    "(([A-Za-z0-9-]{1,40}\\.){0,4}[A-Za-z][A-Za-z0-9-]{0,39}",
    "|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})",
    "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}))?",
    "(/[A-Za-z0-9._~-]*)*",
    "(\\?[A-Za-z0-9._~=&-]*)?$"
);

/// A webhook as asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookInput {
    /// Where the POSTs go: `https://` or `http://`, a host name or an IPv4 address, a port, a path and a query of
    /// plain characters ([`URL_PATTERN`]).
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 500,
            // URL_PATTERN, written out (the attribute takes a literal; a test holds the two together).
            pattern = "^https?://(([A-Za-z0-9-]{1,40}\\.){0,4}[A-Za-z][A-Za-z0-9-]{0,39}|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})(:([1-9][0-9]{0,3}|[1-5][0-9]{4}))?(/[A-Za-z0-9._~-]*)*(\\?[A-Za-z0-9._~=&-]*)?$",
            example = "https://hooks.example.com/nexus"
        )
    )]
    pub url: String,
    /// The kinds of notice it is told of; none: every kind.
    #[serde(default)]
    pub kinds: Vec<Kind>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"))]
    pub description: String,
}

/// A webhook's input, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: url::Url,
    pub kinds: Vec<Kind>,
    pub description: String,
}

impl WebhookInput {
    pub fn validate(&self) -> Result<NewWebhook, Vec<FieldError>> {
        let mut errors = Vec::new();
        let url = check_url(&self.url).map_err(|e| errors.push(e)).ok();
        let description =
            crate::codes::check_text("description", &self.description, false, 200).map_err(|e| errors.push(e)).ok();
        let mut kinds = self.kinds.clone();
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        match (url, description) {
            (Some(url), Some(description)) if errors.is_empty() => Ok(NewWebhook { url, kinds, description }),
            _ => Err(errors),
        }
    }
}

/// A whole `http(s)://host…` address of [`URL_PATTERN`]'s form, at most 500 characters as sent (its normal form,
/// kept, may add a `/`).
fn check_url(raw: &str) -> Result<url::Url, FieldError> {
    check_web_address("url", raw)
}

/// A whole `http://` or `https://` address of at most 500 characters with a host and no credentials, trimmed
/// (a webhook's, a part's CAD link); refusals name `field`.
pub fn check_web_address(field: &str, raw: &str) -> Result<url::Url, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    if raw.chars().count() > 500 {
        return Err(FieldError::new(field, ErrorCode::TooLong));
    }
    static FORM: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(URL_PATTERN).expect("the URL pattern compiles"));
    if !FORM.is_match(raw) {
        return Err(FieldError::new(field, ErrorCode::UrlInvalid));
    }
    let url = url::Url::parse(raw).map_err(|_| FieldError::new(field, ErrorCode::UrlInvalid))?;
    let fine = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none();
    if !fine {
        return Err(FieldError::new(field, ErrorCode::UrlInvalid));
    }
    Ok(url)
}

/// Whether a URL names an internal address by number (a name is judged when it is looked up, at delivery).
pub fn names_internal(url: &url::Url) -> bool {
    literal_ip(url).is_some_and(internal)
}

/// The address a URL names by number (no lookup needed).
pub fn literal_ip(url: &url::Url) -> Option<std::net::IpAddr> {
    match url.host()? {
        url::Host::Ipv4(a) => Some(a.into()),
        url::Host::Ipv6(a) => Some(a.into()),
        url::Host::Domain(_) => None,
    }
}

/// An address inside a network rather than on the internet: loopback, private, link-local, unspecified, shared
/// (CGNAT), unique-local or multicast. A webhook may not call one unless the server allows it (its receiver would be
/// the server's own neighbours).
pub fn internal(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return internal(IpAddr::V4(v4));
            }
            let first = a.segments()[0];
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// A webhook of the organisation (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// The kinds it is told of; empty: every kind.
    pub kinds: Vec<Kind>,
    pub description: String,
    pub created_at: DateTime<Utc>,
    /// How its newest delivery stands (none yet: `null`).
    pub last: Option<DeliveryState>,
}

/// A webhook just made (or its secret just replaced): the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookMade {
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of the `X-Nexus-Signature` header: `t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>`.
    pub secret: String,
}

/// One POST to a webhook and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    /// The event's id (the body's `id` and the `X-Nexus-Delivery` header): the same on every attempt.
    pub event: uuid::Uuid,
    /// A kind of notice, or `ping` (a test).
    pub kind: String,
    pub state: DeliveryState,
    pub attempts: i16,
    pub created_at: DateTime<Utc>,
    /// When it is tried next (pending only).
    pub next_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status on the last attempt (none: no answer).
    pub last_status: Option<i16>,
    /// Why the last attempt failed, in a few words.
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The hour (in the person's time zone) from which the day's digest goes out.
pub const DIGEST_HOUR: u32 = 7;

/// How a person's e-mail is written and whether they want the daily digest. Their language and time zone are those
/// of the app they last saved their choices in (the page sends them); the REST API may set them too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MailSettings {
    pub language: Language,
    /// An IANA zone (`America/Mexico_City`): when the digest's day begins, and the times in mail.
    #[cfg_attr(feature = "ssr", schema(max_length = 64, example = "America/Mexico_City"))]
    pub time_zone: String,
    /// A daily e-mail, from 07:00 of the person's day, of the notices they have not read since the last one.
    pub digest: bool,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self { language: Language::Es, time_zone: "America/Mexico_City".into(), digest: false }
    }
}

impl MailSettings {
    /// The zone, checked: an IANA name the zone database knows (as it spells it), else `time_zone_unknown`.
    pub fn zone(&self) -> Result<chrono_tz::Tz, FieldError> {
        let name = self.time_zone.trim();
        if name.is_empty() {
            return Err(FieldError::new("time_zone", ErrorCode::Required));
        }
        name.parse::<chrono_tz::Tz>().map_err(|_| FieldError::new("time_zone", ErrorCode::TimeZoneUnknown))
    }
}

/// The address of a page of the app in mail: `origin` + `path` when the origin is known, else the path alone.
pub fn url(origin: Option<&str>, path: &str) -> String {
    match origin {
        Some(o) => format!("{}{path}", o.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

/// The e-mail of one notice: its text (the page's words, in `lang`) and where it leads.
pub fn notice_mail(lang: Language, text: &str, url: &str) -> (String, String) {
    match lang {
        Language::Es => (
            format!("Nexus: {text}"),
            format!(
                "{text}\n\nÁbrelo en Nexus:\n{url}\n\nRecibes este correo porque elegiste este aviso por correo. \
                 Puedes cambiarlo en Avisos, en «Cómo quieres recibirlos».\n\n— Nexus\n"
            ),
        ),
        Language::En => (
            format!("Nexus: {text}"),
            format!(
                "{text}\n\nOpen it in Nexus:\n{url}\n\nYou get this e-mail because you chose this notice by e-mail. \
                 You can change that in Notifications, under \"How you get them\".\n\n— Nexus\n"
            ),
        ),
    }
}

/// One line of a digest: a notice's text, where it leads, and when it came.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestLine {
    pub text: String,
    pub url: String,
    pub at: DateTime<Utc>,
}

/// At most this many notices are listed in a digest (the rest are counted).
pub const DIGEST_LINES: usize = 20;

/// The daily digest: the notices `lines` (newest first, at most [`DIGEST_LINES`]) of `unread` still unread, with
/// their times in `zone`, and the inbox's address.
pub fn digest_mail(
    lang: Language,
    name: &str,
    lines: &[DigestLine],
    unread: i64,
    zone: chrono_tz::Tz,
    inbox: &str,
) -> (String, String) {
    let list: String = lines
        .iter()
        .map(|l| format!("- {} · {}\n  {}\n", l.at.with_timezone(&zone).format("%Y-%m-%d %H:%M"), l.text, l.url))
        .collect();
    let more = unread - lines.len() as i64;
    match lang {
        Language::Es => {
            let subject = match unread {
                1 => "Nexus: 1 aviso sin leer".to_owned(),
                n => format!("Nexus: {n} avisos sin leer"),
            };
            let more = if more > 0 { format!("\n…y {more} más.\n") } else { String::new() };
            (
                subject,
                format!(
                    "Hola, {name}:\n\nEstos avisos llegaron desde tu último resumen y siguen sin leer:\n\n{list}{more}\n\
                     Tu bandeja: {inbox}\n\nRecibes este resumen diario porque lo activaste en Avisos.\n\n— Nexus\n"
                ),
            )
        }
        Language::En => {
            let subject = match unread {
                1 => "Nexus: 1 unread notice".to_owned(),
                n => format!("Nexus: {n} unread notices"),
            };
            let more = if more > 0 { format!("\n…and {more} more.\n") } else { String::new() };
            (
                subject,
                format!(
                    "Hello {name},\n\nThese notices arrived since your last digest and are still unread:\n\n{list}{more}\n\
                     Your inbox: {inbox}\n\nYou get this daily digest because you turned it on in Notifications.\n\n— Nexus\n"
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_webhook_needs_a_whole_web_address_off_the_internal_networks() {
        let with = |u: &str| WebhookInput { url: u.into(), kinds: vec![], description: String::new() }.validate();
        assert_eq!(with(" https://hooks.example.com/nexus ").unwrap().url.as_str(), "https://hooks.example.com/nexus");
        let code = |u: &str| with(u).unwrap_err()[0].code;
        assert_eq!(code(""), ErrorCode::Required);
        assert_eq!(code("hooks.example.com"), ErrorCode::UrlInvalid);
        assert_eq!(code("ftp://hooks.example.com"), ErrorCode::UrlInvalid);
        assert_eq!(code("https://ana:secreto@hooks.example.com"), ErrorCode::UrlInvalid);
        assert_eq!(code("http://hooks*.example.com/"), ErrorCode::UrlInvalid);
        assert_eq!(code("http://1.2.3.4.5/"), ErrorCode::UrlInvalid);
        // 500 characters as sent are taken, though their normal form adds a `/`.
        let long = format!("http://a?{}", "0".repeat(491));
        assert_eq!((long.len(), with(&long).unwrap().url.as_str().len()), (500, 501));
        assert_eq!(code(&format!("https://e.com/{}", "a".repeat(500))), ErrorCode::TooLong);
        for inside in [
            "http://127.0.0.1:8080/",
            "http://10.0.0.7/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
        ] {
            assert!(names_internal(&with(inside).unwrap().url), "{inside}");
        }
        for inside in ["::1", "fd00::1", "::ffff:10.1.2.3", "fe80::1"] {
            assert!(internal(inside.parse().unwrap()), "{inside}");
        }
        assert!(!internal("2001:4860::8888".parse().unwrap()));
        assert!(!names_internal(&with("http://8.8.8.8/hook").unwrap().url));
        assert!(!names_internal(&with("https://hooks.example.com/").unwrap().url));
        let twice = WebhookInput {
            url: "https://e.com".into(),
            kinds: vec![Kind::StockLow, Kind::StockLow],
            description: "x".into(),
        };
        assert_eq!(twice.validate().unwrap().kinds, [Kind::StockLow]);
    }

    proptest::proptest! {
        /// Whatever the OpenAPI document's pattern for a webhook's address admits, the server takes.
        #[test]
        fn every_address_of_the_documented_form_is_taken(
            url in "https?://(([A-Za-z0-9-]{1,40}\\.){0,4}[A-Za-z][A-Za-z0-9-]{0,39}|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})(:([1-9][0-9]{0,3}|[1-5][0-9]{4}))?(/[A-Za-z0-9._~-]{0,40}){0,4}(\\?[A-Za-z0-9._~=&-]{0,20})?"
        ) {
            let input = WebhookInput { url: url.clone(), kinds: vec![], description: String::new() };
            proptest::prop_assert!(input.validate().is_ok(), "{url}");
        }
    }

    #[test]
    fn a_delivery_is_tried_again_later_each_time_then_given_up() {
        let secs = |n| retry_in(n).map(|d| d.num_seconds());
        assert_eq!([secs(1), secs(2), secs(3), secs(4)], [Some(30), Some(120), Some(480), Some(1920)]);
        assert_eq!(secs(7), Some(12 * 3600));
        assert_eq!(secs(DELIVERY_ATTEMPTS), None);
        assert_eq!(secs(0), None);
    }

    #[test]
    fn a_time_zone_must_be_one_the_zone_database_knows() {
        let with = |z: &str| MailSettings { time_zone: z.into(), ..MailSettings::default() }.zone().map(|z| z.name());
        assert_eq!(with("America/Bogota"), Ok("America/Bogota"));
        assert_eq!(with("Mars/Olympus").unwrap_err().code, ErrorCode::TimeZoneUnknown);
        assert_eq!(with(" ").unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn a_digest_lists_the_newest_in_the_readers_zone_and_counts_the_rest() {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 13, 5, 0).unwrap();
        let line = DigestLine { text: "Guantes bajo mínimo".into(), url: "https://n.mx/stock/alerts".into(), at };
        let zone: chrono_tz::Tz = "America/Mexico_City".parse().unwrap();
        let (subject, text) =
            digest_mail(Language::Es, "Ana", std::slice::from_ref(&line), 3, zone, "https://n.mx/inbox");
        assert_eq!(subject, "Nexus: 3 avisos sin leer");
        assert!(text.contains("- 2026-11-27 07:05 · Guantes bajo mínimo\n  https://n.mx/stock/alerts"), "{text}");
        assert!(text.contains("…y 2 más.") && text.contains("Tu bandeja: https://n.mx/inbox"), "{text}");
        let (subject, text) = digest_mail(Language::En, "Ana", &[line], 1, zone, "/inbox");
        assert_eq!(subject, "Nexus: 1 unread notice");
        assert!(!text.contains("more."), "{text}");
        assert_eq!(url(Some("https://n.mx/"), "/inbox"), "https://n.mx/inbox");
        assert_eq!(url(None, "/inbox"), "/inbox");
    }
}
