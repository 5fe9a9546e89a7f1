//! The catalog's OEM number keys in memory, for matching an upload's rows as they are read: probing PostgreSQL's
//! index once per row was the largest part of an upload (about 2 µs a row, half of matching a million rows, measured),
//! and a lookup here costs a fraction of that on the thread that reads the file, while the database takes the rows.
//!
//! The keys are held in a finite-state transducer (`fst`: shared prefixes and suffixes stored once), each mapped to
//! its lowest part id, or marked as shared by several parts: about 5 MB for a million keys (measured).
//!
//! Freshness: the copy is of one version of the catalog's keys (`catalog_parts_version`, set by every statement that
//! changes them to its transaction's id). Each upload reads the version inside its own transaction, after taking the
//! catalog lock when it commits, and reads the keys again when they differ, so a match never uses keys older than
//! what the transaction sees; a part deleted later waits for the commit (the lock), and one added later is as if
//! added after the upload. Versions are transaction ids, unique across the databases of a cluster, so one copy per
//! process is safe for every database it serves (tests serve many).

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use fst::{Map, MapBuilder};
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::db::{self, Scope, Tx};
use crate::error::{Error, Result};
use crate::inventory::rules::row::OemMatch;
use crate::inventory::store::oem_keys as store;

/// Keys read per round trip while loading.
const PAGE: i64 = 100_000;
/// The mark of a key several parts share (part ids are positive `bigint`s: the top bit is free).
const SEVERAL: u64 = 1 << 63;

/// One version of the catalog's OEM number keys.
pub struct OemKeys {
    version: i64,
    map: Map<Vec<u8>>,
}

impl std::fmt::Debug for OemKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OemKeys").field("version", &self.version).field("keys", &self.len()).finish()
    }
}

impl OemKeys {
    /// The parts under `key` (a normalized number key).
    pub fn get(&self, key: &str) -> OemMatch {
        match self.map.get(key) {
            None => OemMatch::None,
            Some(v) if v & SEVERAL != 0 => OemMatch::Several,
            Some(v) => OemMatch::One(v as i64),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Memory the keys take.
    pub fn bytes(&self) -> usize {
        self.map.as_fst().as_bytes().len()
    }
}

/// The copy this process keeps (the latest version read).
static CURRENT: LazyLock<Mutex<Option<Arc<OemKeys>>>> = LazyLock::new(|| Mutex::new(None));

/// The keys as of the catalog `tx` sees: the kept copy when its version is current, else read anew in `tx` (one
/// reader at a time; others wait for its copy).
pub async fn current(tx: &mut Tx) -> Result<Arc<OemKeys>> {
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

/// Reads the keys at server start, so the first upload does not wait for them. A failure is only logged: the first
/// upload reads them then.
pub async fn warm(pool: PgPool) {
    let t0 = Instant::now();
    let read = async {
        let mut tx = db::begin(&pool, Scope::Platform).await?;
        let keys = current(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, Error>(keys)
    };
    match read.await {
        Ok(keys) => tracing::info!(
            keys = keys.len(),
            bytes = keys.bytes(),
            ms = t0.elapsed().as_millis() as u64,
            "catalog number keys read for uploads"
        ),
        Err(e) => tracing::warn!(error = %e, "catalog number keys not read at start"),
    }
}

async fn load(tx: &mut Tx, version: i64) -> Result<OemKeys> {
    let t0 = Instant::now();
    let mut builder = MapBuilder::memory();
    let mut after = String::new();
    loop {
        let page = store::page(tx, &after, PAGE).await?;
        let full = page.len() as i64 == PAGE;
        for (key, id, parts) in &page {
            let value = if *parts > 1 { SEVERAL } else { u64::try_from(*id).map_err(Error::internal)? };
            builder.insert(key.as_bytes(), value).map_err(Error::internal)?;
        }
        match page.into_iter().next_back() {
            Some((key, _, _)) if full => after = key,
            _ => break,
        }
    }
    let bytes = builder.into_inner().map_err(Error::internal)?;
    let map = Map::new(bytes).map_err(Error::internal)?;
    tracing::debug!(version, keys = map.len(), ms = t0.elapsed().as_millis() as u64, "catalog number keys read");
    Ok(OemKeys { version, map })
}
