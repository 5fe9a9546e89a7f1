//! E-mail out of Nexus, for every area: one [`Mailer`] the server builds from its settings and hands to the flows that
//! send (an invitation today; alerts and reports later). Through an SMTP server (`NEXUS_SMTP_URL`, lettre's URL form:
//! `smtps://user:pass@host:465`, `smtp://user:pass@host:587?tls=required`), into a folder as `.eml` files
//! (`NEXUS_MAIL_DIR`: a developer's machine, the tests), or nowhere: then [`Mailer::is_on`] is false and a flow that
//! would mail says so to its user instead (an invitation shows its link to copy).
//!
//! Sending is part of the request that asks for it, bounded by a timeout: a mail server that is down or slow costs the
//! user at most [`SEND_TIMEOUT`] and an honest "not sent", never a lost change (what the mail is about is committed
//! first).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::error::{Error, Result};

/// The longest a request waits on the mail server before it answers "not sent".
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
enum Transport {
    Off,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>),
}

/// Where mail goes, and from whom.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// One message: plain text, one recipient.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The SMTP URL holds a password: never printed.
        let how = match self.transport {
            Transport::Off => "off",
            Transport::Smtp(_) => "smtp",
            Transport::Folder(_) => "folder",
        };
        f.debug_struct("Mailer").field("transport", &how).field("from", &self.from.to_string()).finish()
    }
}

/// A setting of the mailer that cannot be used, said at start-up (never at the first mail).
#[derive(Debug, thiserror::Error)]
pub enum MailSettingError {
    #[error("NEXUS_MAIL_FROM is not an address (\"Nexus <no-reply@example.com>\" or no-reply@example.com)")]
    From,
    #[error("NEXUS_SMTP_URL is not an SMTP URL (smtps://user:pass@host:465 or smtp://user:pass@host:587?tls=required)")]
    Url,
}

impl Mailer {
    /// No mail server: flows that would mail tell their user what to pass on themselves.
    pub fn off() -> Self {
        Self { transport: Transport::Off, from: default_from() }
    }

    /// From the server's settings: an SMTP URL, else a folder, else off.
    pub fn from_settings(
        smtp_url: Option<&str>,
        folder: Option<PathBuf>,
        from: Option<&str>,
    ) -> std::result::Result<Self, MailSettingError> {
        let from = match from {
            Some(f) => f.parse::<Mailbox>().map_err(|_| MailSettingError::From)?,
            None => default_from(),
        };
        let transport = match (smtp_url, folder) {
            (Some(url), _) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| MailSettingError::Url)?
                    .timeout(Some(SEND_TIMEOUT))
                    .build(),
            ),
            (None, Some(dir)) => Transport::Folder(AsyncFileTransport::new(dir)),
            (None, None) => Transport::Off,
        };
        Ok(Self { transport, from })
    }

    /// Whether mail goes anywhere.
    pub fn is_on(&self) -> bool {
        !matches!(self.transport, Transport::Off)
    }

    /// Sends one message. `Ok(false)` when the mailer is off; an address the message cannot carry, or that the mail
    /// server refuses as a mailbox, is a field error on `email`; a mail server that fails otherwise or does not answer
    /// within [`SEND_TIMEOUT`] is `Unavailable`.
    pub async fn send(&self, mail: Mail<'_>) -> Result<bool> {
        if !self.is_on() {
            return Ok(false);
        }
        let to =
            mail.to.parse::<Mailbox>().map_err(|_| Error::field("email", crate::codes::ErrorCode::EmailInvalid))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.to_owned())
            .map_err(Error::internal)?;
        let sent = match &self.transport {
            Transport::Off => return Ok(false),
            Transport::Smtp(t) => match tokio::time::timeout(SEND_TIMEOUT, t.send(message)).await {
                Err(late) => Err(Error::Unavailable(Box::new(late))),
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) if refuses_address(&e) => Err(Error::field("email", crate::codes::ErrorCode::EmailInvalid)),
                Ok(Err(e)) => Err(Error::Unavailable(Box::new(e))),
            },
            Transport::Folder(t) => t.send(message).await.map(drop).map_err(Error::internal),
        };
        sent.map(|()| true)
    }
}

/// Whether the server refused the recipient itself (550 mailbox unavailable, 551 not local, 553 name not allowed),
/// rather than being unable to take mail now or at all (its other answers, which say nothing of the address).
fn refuses_address(e: &lettre::transport::smtp::Error) -> bool {
    e.is_permanent() && e.status().is_some_and(|c| matches!(c.to_string().as_str(), "550" | "551" | "553"))
}

fn default_from() -> Mailbox {
    Mailbox::new(Some("Nexus".to_owned()), lettre::Address::new("no-reply", "nexus.invalid").expect("a valid address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_cannot_work_are_refused_at_start_and_the_password_is_never_printed() {
        assert!(matches!(Mailer::from_settings(None, None, Some("not an address")), Err(MailSettingError::From)));
        assert!(matches!(Mailer::from_settings(Some("http://mail"), None, None), Err(MailSettingError::Url)));
        assert!(!Mailer::from_settings(None, None, None).unwrap().is_on());
        let smtp = Mailer::from_settings(Some("smtps://ana:s3cr3t@mail.example.com:465"), None, None).unwrap();
        assert!(smtp.is_on());
        assert!(!format!("{smtp:?}").contains("s3cr3t"), "{smtp:?}");
    }

    #[tokio::test]
    async fn a_folder_mailer_writes_the_message_as_an_eml_file() {
        let dir = std::env::temp_dir().join(format!("nexus-mail-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mailer = Mailer::from_settings(None, Some(dir.clone()), Some("Planta <planta@example.com>")).unwrap();
        let sent = mailer.send(Mail { to: "luis@example.com", subject: "Invitación", text: "Hola, Luis" }).await;
        assert!(sent.unwrap());
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(eml.contains("To: luis@example.com") && eml.contains("Hola, Luis"), "{eml}");
        std::fs::remove_dir_all(dir).unwrap();
        assert!(!Mailer::off().send(Mail { to: "x@example.com", subject: "s", text: "t" }).await.unwrap());
    }
}
