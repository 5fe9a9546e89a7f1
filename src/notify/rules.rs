//! What a notice is: its kind, its values (written by the page in the reader's language), and how a person wants each
//! kind: in the app, also by e-mail, or not at all; the mail settings (language, time zone, a daily digest) and the
//! e-mails themselves: one per notice, and the digest of what is still unread.

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
}
text_enum!(Kind "notice kind" { StockLow => "stock_low" });

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
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::StockLow { .. } => Kind::StockLow,
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
        let (subject, text) = digest_mail(Language::Es, "Ana", std::slice::from_ref(&line), 3, zone, "https://n.mx/inbox");
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
