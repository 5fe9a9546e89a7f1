//! Inventory flows: the upload flow (`uploads`: receive, read again, commit, discard, history, rejected rows), a
//! file read as one table (`read`, `workbook`, `table`), and its checked rows run against the bodega's inventory
//! (`upload`: dry run, commit) with the catalog's number keys kept in memory
//! (`catalog_keys`).

pub mod catalog_keys;
pub mod demo;
pub mod read;
pub mod stock;
pub mod table;
pub mod upload;
pub mod uploads;
pub mod workbook;

/// The area's background jobs (run by `crate::jobs`): commits a stopped instance (or a restarted database) left behind
/// marked failed every 30 seconds, so the bodega soon sees it and may send it again (the server also does it once at
/// start, before serving). A round is one statement on a partial index of the few open uploads.
pub fn jobs() -> Vec<crate::jobs::Job> {
    let every = std::time::Duration::from_secs(30);
    vec![
        crate::jobs::Job::new("fail_interrupted_uploads", every, |pool| async move {
            let n = uploads::fail_interrupted(&pool).await?;
            Ok((n > 0).then(|| format!("{n} interrupted uploads marked failed")))
        })
        .after_start(),
    ]
}
