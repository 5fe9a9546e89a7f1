//! The shop's live channel: every change of a part sends `fabrication_changed` (its tenant id) at commit (the trigger
//! of migration `20261209000001`); one listener per process hands it to the open boards, tables and part pages
//! through the same hub the plant's dashboards use (`production::service::live::Live`, listening to this channel).

use tokio::sync::broadcast;

use crate::db::PgPool;
use crate::ids::TenantId;
use crate::production::service::live::{Change, Live as Hub};

/// The notice's channel.
pub const CHANNEL: &str = "fabrication_changed";

/// The process's hub of the shop's changes.
#[derive(Debug, Clone, Default)]
pub struct Live(Hub);

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.0.subscribe()
    }

    /// Hands every notice to the open pages for as long as the process runs (spawn it).
    pub async fn listen(self, pool: PgPool) {
        self.0.listen_to(pool, CHANNEL).await;
    }

    /// Listens to this channel and the plant's (`production_changed`, for `plant`) on one connection (a listener
    /// holds one of the pool's for good), handing each notice to its hub.
    pub async fn listen_with(self, plant: Hub, pool: PgPool) {
        let channels = [CHANNEL, crate::production::service::live::CHANNEL];
        crate::db::listen_many(pool, &channels, move |notice| {
            match notice {
                None => {
                    self.0.notify(None);
                    plant.notify(None);
                }
                Some((channel, payload)) => {
                    if let Ok(t) = payload.parse::<TenantId>() {
                        let hub = if channel == CHANNEL { &self.0 } else { &plant };
                        hub.notify(Some(t));
                    }
                }
            }
            std::future::ready(())
        })
        .await;
    }
}
