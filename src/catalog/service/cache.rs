//! Search results kept in memory: the catalog is platform data, the same for every caller, and changes only when an
//! import or a legacy migration commits, so a page once computed stays right until then. Workshops ask the same
//! things over and over ("pastillas hilux", "filtro de aceite versa"); those are answered without PostgreSQL.
//!
//! Freshness: every statement that changes the catalog notifies `catalog_changed` (a trigger; delivered on commit);
//! every server instance listens ([`listen`]) and empties its cache on the notice, and also whenever its listening
//! connection was lost (a notice may have been missed then). Entries also expire after [`TTL`] as a last resort.
//! Bounded by the pages' size ([`CAPACITY_BYTES`]), least recently and frequently used out first (`moka`).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;
use sqlx::PgPool;

use crate::catalog::rules::search::{SearchPage, SearchRequest};
use crate::db::reads::Picked;
use crate::error::Result;

/// The channel imports and migrations notify on commit.
pub const CHANNEL: &str = "catalog_changed";
/// Longest an entry lives, notices or not.
pub const TTL: Duration = Duration::from_secs(600);
/// Memory the cached pages may take (their JSON size, roughly what they take in memory).
pub const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// The search cache (cheap to clone: one cache shared by clones).
#[derive(Clone)]
pub struct SearchCache {
    pages: Cache<SearchRequest, Arc<SearchPage>>,
    /// Bumped by every [`SearchCache::clear`]: a search that began before a clear does not keep its page.
    generation: Arc<AtomicU64>,
    /// When the last clear happened (Unix ms).
    cleared_at: Arc<AtomicI64>,
}

impl std::fmt::Debug for SearchCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchCache").field("entries", &self.pages.entry_count()).finish()
    }
}

impl Default for SearchCache {
    fn default() -> Self {
        Self::new(CAPACITY_BYTES)
    }
}

impl SearchCache {
    /// A cache that keeps nothing: every search goes to PostgreSQL (benchmarks measure both).
    pub fn disabled() -> Self {
        Self::new(0)
    }

    pub fn new(capacity_bytes: u64) -> Self {
        let pages = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|_: &SearchRequest, page: &Arc<SearchPage>| {
                u32::try_from(serde_json::to_vec(page.as_ref()).map_or(0, |v| v.len())).unwrap_or(u32::MAX)
            })
            .time_to_live(TTL)
            .build();
        SearchCache { pages, generation: Arc::new(AtomicU64::new(0)), cleared_at: Arc::new(AtomicI64::new(0)) }
    }

    /// The page for `req`: from the cache, else searched (and kept when the search succeeded).
    pub async fn search(&self, pool: &PgPool, req: &SearchRequest) -> Result<Arc<SearchPage>> {
        self.search_from(&Picked::primary(pool), req).await
    }

    /// [`SearchCache::search`] on a picked pool: a page read from a replica is kept only if the replica already
    /// held the last change this instance was told of (else it may be the page from before that change, kept for
    /// [`TTL`]).
    pub async fn search_from(&self, from: &Picked, req: &SearchRequest) -> Result<Arc<SearchPage>> {
        if self.pages.policy().max_capacity() == Some(0) {
            return Ok(Arc::new(super::search::search(&from.pool, req).await?));
        }
        if let Some(page) = self.pages.get(req) {
            return Ok(page);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let page = Arc::new(super::search::search(&from.pool, req).await?);
        let current = from.as_of.is_none_or(|t| t >= self.cleared_at.load(Ordering::Acquire));
        if current && self.generation.load(Ordering::Acquire) == generation {
            self.pages.insert(req.clone(), Arc::clone(&page));
        }
        Ok(page)
    }

    /// Forgets every page (the catalog changed).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.cleared_at.fetch_max(chrono::Utc::now().timestamp_millis(), Ordering::AcqRel);
        self.pages.invalidate_all();
    }

    pub fn len(&self) -> u64 {
        self.pages.run_pending_tasks();
        self.pages.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Empties `cache` whenever the catalog changes, for as long as the process runs (spawn it). Whenever listening
/// (re)starts, notices may have been missed: that counts as a change.
pub async fn listen(pool: PgPool, cache: SearchCache) {
    crate::db::listen(pool, CHANNEL, |_| {
        cache.clear();
        std::future::ready(())
    })
    .await;
}
