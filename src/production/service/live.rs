//! Live dashboards: a plant's dashboards refresh when its units or its stops change. Each change sends the
//! `production_changed` notice at commit (migration 13's triggers: a batch stored, a stop found, ended or
//! classified), with the plant's tenant id; one listener per process hands each notice to the open dashboards
//! ([`Live::subscribe`]), which refresh their own plant's only. Notices of one plant within a second are one refresh
//! (a line's machine sends many batches a second at full rate).

use crate::db::PgPool;
use crate::ids::TenantId;
use tokio::sync::broadcast;

/// The notice's channel.
pub const CHANNEL: &str = "production_changed";

/// What a dashboard hears: a plant changed, or (`None`) listening restarted and any plant may have.
pub type Change = Option<TenantId>;

/// The process's hub of changes.
#[derive(Debug, Clone)]
pub struct Live {
    tx: broadcast::Sender<Change>,
    /// True once the server is shutting down: open streams end (a graceful shutdown waits for every response).
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Live {
    fn default() -> Self {
        // A dashboard that falls this far behind refreshes once (it is told it lagged).
        Live { tx: broadcast::channel(1024).0, closing: tokio::sync::watch::channel(false).0 }
    }
}

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Ends every open stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Becomes true when the server shuts down.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Hands every notice to the dashboards for as long as the process runs (spawn it).
    pub async fn listen(self, pool: PgPool) {
        self.listen_to(pool, CHANNEL).await;
    }

    /// The same hub for another channel whose notices carry a tenant id (the shop's parts: `fabrication_changed`).
    pub async fn listen_to(self, pool: PgPool, channel: &'static str) {
        crate::db::listen(pool, channel, move |payload| {
            let change = match payload {
                Some(p) => match p.parse::<TenantId>() {
                    Ok(t) => Some(t),
                    Err(_) => return std::future::ready(()),
                },
                None => None,
            };
            // No dashboard open: nobody to tell.
            let _ = self.tx.send(change);
            std::future::ready(())
        })
        .await;
    }

    /// Tells this process's dashboards directly (tests, and a change made without a notice).
    pub fn notify(&self, change: Change) {
        let _ = self.tx.send(change);
    }
}
