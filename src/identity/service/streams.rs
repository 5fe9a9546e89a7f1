//! Open streams (server-sent events) and the credentials behind them. A stream outlives the request that opened it,
//! so two things the request pipeline does for every other call are done here for as long as it is open:
//! - it is bounded: at most [`PER_HOLDER`] open streams per person or API key, and [`PER_INSTANCE`] per process (a
//!   file descriptor each; the process's limit must never be reached by one client), a 429 beyond either;
//! - it ends within [`CHECK_EVERY`] of its credential ending (a logout, a revoked session or key, an expired or idle
//!   session, a deactivated account or suspended organisation), checked for every open stream of the process in one
//!   statement per kind of credential.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use crate::caller::Caller;
use crate::db::{self, Scope};
use crate::error::{Error, Result};
use crate::identity::rules::auth::IDLE_TIMEOUT_SECS;
use crate::identity::store::{api_keys, sessions};
use crate::ids::TenantId;

/// Streams one person (whatever their sessions) or one API key may hold open at once: a few tabs.
pub const PER_HOLDER: usize = 8;
/// Streams one process holds open at once, far under its limit of open files.
pub const PER_INSTANCE: usize = 2_000;
/// How often the credentials of open streams are checked.
pub const CHECK_EVERY: Duration = Duration::from_secs(3);

/// What keeps a stream open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Credential {
    Session { tenant: TenantId, session: Uuid },
    Key { tenant: TenantId, key: Uuid },
}

struct Open {
    /// Whose streams count together against [`PER_HOLDER`]: a user's or a key's id.
    holder: Uuid,
    credential: Credential,
    ended: watch::Sender<bool>,
}

#[derive(Default)]
struct Inner {
    open: Mutex<HashMap<u64, Open>>,
    next: AtomicU64,
}

/// The process's open streams.
#[derive(Clone, Default)]
pub struct Streams {
    inner: Arc<Inner>,
}

/// An open stream's place: dropping it (the stream ends or its client leaves) frees it.
pub struct StreamPass {
    id: u64,
    inner: Arc<Inner>,
    ended: watch::Receiver<bool>,
}

impl StreamPass {
    /// Resolves once the stream's credential has ended.
    pub async fn ended(&mut self) {
        // The sender lives as long as the pass's entry; either way the stream is over.
        let _ = self.ended.wait_for(|e| *e).await;
    }
}

impl Drop for StreamPass {
    fn drop(&mut self) {
        if let Ok(mut open) = self.inner.open.lock() {
            open.remove(&self.id);
            metrics::gauge!("nexus_sse_streams_open").set(open.len() as f64);
        }
    }
}

impl Streams {
    /// Opens a stream for `caller`, or refuses it (429) when they or the process hold too many.
    pub fn open(&self, caller: &Caller) -> Result<StreamPass> {
        let (holder, credential) = match caller {
            Caller::User(u) => (u.user_id.0, Credential::Session { tenant: u.tenant_id, session: u.session_id }),
            Caller::Machine(m) => (m.key_id, Credential::Key { tenant: m.tenant_id, key: m.key_id }),
        };
        let mut open = self.inner.open.lock().map_err(|_| Error::internal("the stream registry is poisoned"))?;
        if open.len() >= PER_INSTANCE || open.values().filter(|o| o.holder == holder).count() >= PER_HOLDER {
            return Err(Error::RateLimited { retry_after_secs: 30 });
        }
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = watch::channel(false);
        open.insert(id, Open { holder, credential, ended: tx });
        metrics::gauge!("nexus_sse_streams_open").set(open.len() as f64);
        Ok(StreamPass { id, inner: self.inner.clone(), ended: rx })
    }

    /// How many streams are open in this process.
    pub fn len(&self) -> usize {
        self.inner.open.lock().map(|o| o.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends the open streams whose credential has ended; returns how many. One round of [`Streams::watch`].
    pub async fn check(&self, pool: &PgPool) -> Result<usize> {
        let credentials: Vec<Credential> = {
            let open = self.inner.open.lock().map_err(|_| Error::internal("the stream registry is poisoned"))?;
            open.values().map(|o| o.credential).collect()
        };
        if credentials.is_empty() {
            return Ok(0);
        }
        let (mut session_tenants, mut session_ids, mut key_tenants, mut key_ids) = (vec![], vec![], vec![], vec![]);
        for c in &credentials {
            match *c {
                Credential::Session { tenant, session } => {
                    session_tenants.push(tenant.0);
                    session_ids.push(session);
                }
                Credential::Key { tenant, key } => {
                    key_tenants.push(tenant.0);
                    key_ids.push(key);
                }
            }
        }
        let mut tx = db::begin(pool, Scope::Platform).await?;
        let live_sessions: HashSet<Uuid> =
            sessions::live_among(&mut tx, &session_tenants, &session_ids, IDLE_TIMEOUT_SECS as f64)
                .await?
                .into_iter()
                .collect();
        let live_keys: HashSet<Uuid> =
            api_keys::live_among(&mut tx, &key_tenants, &key_ids).await?.into_iter().collect();
        tx.commit().await?;
        let checked: HashSet<Credential> = credentials.into_iter().collect();
        let open = self.inner.open.lock().map_err(|_| Error::internal("the stream registry is poisoned"))?;
        let mut ended = 0;
        for o in open.values() {
            let live = match o.credential {
                Credential::Session { session, .. } => live_sessions.contains(&session),
                Credential::Key { key, .. } => live_keys.contains(&key),
            };
            // A stream opened after the snapshot waits for the next round.
            if !live && checked.contains(&o.credential) {
                o.ended.send_replace(true);
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// Checks the open streams' credentials every [`CHECK_EVERY`] for as long as the process runs (spawn it). Every
    /// instance watches its own streams.
    pub async fn watch(self, pool: PgPool) {
        let mut every = tokio::time::interval(CHECK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = self.check(&pool).await {
                tracing::warn!(error = %e, "checking the credentials of open streams failed");
            }
        }
    }
}
