//! The catalog's number keys in memory, for matching an upload's rows as they are read: probing PostgreSQL's indexes
//! once per row, then writing every row again with its match, was the largest part of an upload after the write
//! itself (measured), and a lookup here costs a fraction of that on the thread that reads the file, while the
//! database takes the rows.
//!
//! Three lists, asked in order ([`Match::find`]): OEM numbers (each to its lowest part id), aftermarket numbers (to
//! the lowest brand whose product has it) and superseded or equivalent numbers (to the lowest part they name), each
//! key marked when it names several. Each list is a finite-state transducer (`fst`: shared prefixes and suffixes
//! stored once): about 5 MB per million keys (measured).
//!
//! Freshness: the copy is of one version of the keys (`catalog_keys_version`, set by every statement that changes
//! them to its transaction's id). Each upload reads the version inside its own transaction, after taking the catalog
//! lock when it commits, and reads the keys again when they differ, so a match never uses keys older than what the
//! transaction sees; a part deleted later waits for the commit (the lock), and one added later is as if added after
//! the upload. Versions are transaction ids, unique across the databases of a cluster, so one copy per process is
//! safe for every database it serves (tests serve many). A server reads the keys at start and again as soon as the
//! catalog changes ([`keep_fresh`]), so uploads seldom wait for them.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use fst::{Map, MapBuilder};
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::db::{self, Scope, Tx};
use crate::error::{Error, Result};
use crate::inventory::rules::row::{Hit, Match};
use crate::inventory::store::catalog_keys::{self as store, List};

/// Keys read per round trip while loading.
const PAGE: i64 = 100_000;
/// The mark of a key that names several parts or brands (ids are positive: the top bit is free).
const SEVERAL: u64 = 1 << 63;

/// One version of the catalog's number keys.
pub struct CatalogKeys {
    version: i64,
    parts: Map<Vec<u8>>,
    aftermarket: Map<Vec<u8>>,
    cross_refs: Map<Vec<u8>>,
}

impl std::fmt::Debug for CatalogKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogKeys").field("version", &self.version).field("keys", &self.len()).finish()
    }
}

fn hit(map: &Map<Vec<u8>>, key: &str) -> Hit {
    match map.get(key) {
        None => Hit::None,
        Some(v) if v & SEVERAL != 0 => Hit::Several,
        Some(v) => Hit::One(v as i64),
    }
}

impl CatalogKeys {
    /// What `key` (a normalized number key) names.
    pub fn find(&self, key: &str) -> Match {
        Match::find(|| hit(&self.parts, key), || hit(&self.aftermarket, key), || hit(&self.cross_refs, key))
    }

    /// Keys in the three lists.
    pub fn len(&self) -> usize {
        self.parts.len() + self.aftermarket.len() + self.cross_refs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Memory the keys take.
    pub fn bytes(&self) -> usize {
        [&self.parts, &self.aftermarket, &self.cross_refs].iter().map(|m| m.as_fst().as_bytes().len()).sum()
    }
}

/// The copy this process keeps (the latest version read).
static CURRENT: LazyLock<Mutex<Option<Arc<CatalogKeys>>>> = LazyLock::new(|| Mutex::new(None));

/// The keys as of the catalog `tx` sees: the kept copy when its version is current, else read anew in `tx` (one
/// reader at a time; others wait for its copy).
pub async fn current(tx: &mut Tx) -> Result<Arc<CatalogKeys>> {
    let version = store::version(tx).await?;
    let mut slot = CURRENT.lock().await;
    if let Some(keys) = slot.as_ref().filter(|k| k.version == version) {
        return Ok(Arc::clone(keys));
    }
    // The old copy goes before the new one is built (not both in memory at once, unless an upload still holds it).
    *slot = None;
    let keys = Arc::new(load(tx, version).await?);
    *slot = Some(Arc::clone(&keys));
    Ok(keys)
}

/// Brings the kept copy up to the catalog's current version (reading the keys if it is not). A failure is only
/// logged: the next upload reads them then.
pub async fn refresh(pool: &PgPool) {
    let t0 = Instant::now();
    let read = async {
        let mut tx = db::begin(pool, Scope::Platform).await?;
        let keys = current(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, Error>(keys)
    };
    match read.await {
        Ok(keys) => tracing::debug!(
            keys = keys.len(),
            bytes = keys.bytes(),
            ms = t0.elapsed().as_millis() as u64,
            "catalog number keys current for uploads"
        ),
        Err(e) => tracing::warn!(error = %e, "catalog number keys not read"),
    }
}

/// Keeps the copy current for the life of the server: read at start, then again after each catalog change (the
/// `catalog_changed` notice every change sends on commit), and whenever the listening
/// connection was lost (a notice may have been missed).
pub async fn keep_fresh(pool: PgPool) {
    refresh(&pool).await;
    let listening = pool.clone();
    db::listen(listening, crate::catalog::service::cache::CHANNEL, move |notice| {
        let pool = pool.clone();
        async move {
            if notice.is_some() {
                // Let the rest of a burst (an import's statements) commit first. A notice left over costs one
                // query: the version is current.
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            refresh(&pool).await;
        }
    })
    .await;
}

async fn load(tx: &mut Tx, version: i64) -> Result<CatalogKeys> {
    let t0 = Instant::now();
    let keys = CatalogKeys {
        version,
        parts: load_list(tx, List::Parts).await?,
        aftermarket: load_list(tx, List::Aftermarket).await?,
        cross_refs: load_list(tx, List::CrossRefs).await?,
    };
    tracing::debug!(version, keys = keys.len(), ms = t0.elapsed().as_millis() as u64, "catalog number keys read");
    Ok(keys)
}

async fn load_list(tx: &mut Tx, list: List) -> Result<Map<Vec<u8>>> {
    let mut builder = MapBuilder::memory();
    let mut after = String::new();
    loop {
        let page = store::page(tx, list, &after, PAGE).await?;
        let full = page.len() as i64 == PAGE;
        for (key, id, several) in &page {
            let value = if *several { SEVERAL } else { u64::try_from(*id).map_err(Error::internal)? };
            builder.insert(key.as_bytes(), value).map_err(Error::internal)?;
        }
        match page.into_iter().next_back() {
            Some((key, _, _)) if full => after = key,
            _ => break,
        }
    }
    Map::new(builder.into_inner().map_err(Error::internal)?).map_err(Error::internal)
}
