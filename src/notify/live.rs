//! Inboxes live: every change of a person's inbox sends `notify_inbox` (their id) at commit; one listener per
//! process hands it to that person's open pages ([`Live::subscribe`]), which ask their count again.

use tokio::sync::broadcast;

use crate::db::PgPool;
use crate::ids::UserId;

/// The notice's channel.
pub const CHANNEL: &str = "notify_inbox";

/// Whose inbox changed; `None`: listening restarted and anyone's may have.
pub type Change = Option<UserId>;

/// The process's hub of inbox changes.
#[derive(Debug, Clone)]
pub struct Live {
    tx: broadcast::Sender<Change>,
}

impl Default for Live {
    fn default() -> Self {
        Live { tx: broadcast::channel(1024).0 }
    }
}

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Hands every notice to the open pages for as long as the process runs (spawn it).
    pub async fn listen(self, pool: PgPool) {
        crate::db::listen(pool, CHANNEL, move |payload| {
            let change = match payload {
                Some(p) => match p.parse::<UserId>() {
                    Ok(u) => Some(u),
                    Err(_) => return std::future::ready(()),
                },
                None => None,
            };
            let _ = self.tx.send(change);
            std::future::ready(())
        })
        .await;
    }
}
