//! Units in: a machine's batch of detections, checked whole against the plant and stored with its per-minute
//! rollups in one transaction, or refused whole naming the first bad row. Idempotent on the client's batch id: a
//! batch sent again (a retry after a lost answer) is acknowledged and not counted twice; the same id with other units
//! is refused (409), nothing stored.

use chrono::Utc;
use sqlx::PgPool;

use crate::caller::Caller;
use crate::db;
use crate::error::{Error, Result};
use crate::identity::rules::auth::ApiScope;
use crate::production::rules::ingest::{self as rules, BatchProblem, DetectionIn, MAX_BATCH, RowReason};
use crate::production::store::ingest as store;

/// What became of a batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ingested {
    pub batch_id: String,
    /// Units stored now (0 when the batch was stored before).
    pub stored: usize,
    /// The batch id was stored before: nothing was stored again.
    pub repeated: bool,
}

/// Stores a batch for the caller's tenant (`production:ingest`).
pub async fn ingest(pool: &PgPool, caller: &Caller, batch_id: &str, units: &[DetectionIn]) -> Result<Ingested> {
    caller.require(ApiScope::ProductionIngest)?;
    let batch_id = rules::check_batch_id(batch_id).map_err(Error::rejected)?.to_owned();
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, caller.scope()).await?;
    let count = i32::try_from(units.len()).unwrap_or(i32::MAX);
    // Claimed first: a second sender of the same batch waits here for the first one's outcome (up to the lock
    // timeout; then it is told to try again, 503). The same id with other units is another batch under a used id:
    // refused, never acknowledged while its units are dropped.
    let digest = rules::digest(units);
    if let Some(before) = store::claim_batch(&mut tx, tenant, &batch_id, count, &digest).await? {
        tx.rollback().await?;
        if before.digest.is_some_and(|d| d != digest) {
            return Err(Error::rejected(BatchProblem::BatchIdReused { batch_id, stored_at: before.received_at }));
        }
        return Ok(Ingested { batch_id, stored: 0, repeated: true });
    }
    let plant = store::plant(&mut tx).await?;
    let oldest = store::oldest_kept(&mut tx).await?.ok_or_else(|| Error::internal("no detection partition exists"))?;
    let checked = match rules::check(units, &plant, Utc::now(), oldest) {
        Ok(checked) => checked,
        Err(problem) => {
            // Rolled back now, not when the connection is next used: the claim on the batch id goes with it, so the
            // corrected batch can be sent again under the same id at once.
            tx.rollback().await?;
            return Err(Error::rejected(problem));
        }
    };
    store::insert(&mut tx, tenant, &checked).await?;
    tx.commit().await?;
    metrics::counter!("nexus_ingest_units_total").increment(checked.len() as u64);
    Ok(Ingested { batch_id, stored: checked.len(), repeated: false })
}

/// The units of a JSON batch, each read on its own so a bad one is named (its position from 1 and the field at
/// fault), not the whole body.
pub fn units_from_json(values: Vec<serde_json::Value>) -> std::result::Result<Vec<DetectionIn>, BatchProblem> {
    if values.len() > MAX_BATCH {
        return Err(BatchProblem::TooMany { max: MAX_BATCH });
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_path_to_error::deserialize::<_, DetectionIn>(v).map_err(|e| {
                let field = e.path().iter().next().map_or_else(|| "row".to_owned(), |s| s.to_string());
                BatchProblem::Row { row: i + 1, field, reason: RowReason::Invalid }
            })
        })
        .collect()
}

/// The units of a CSV batch: a header naming `line`, `area`, `product`, `at` and `good` (in any order; other columns
/// ignored), then a unit per record (`good`: true/false or 1/0). Rows are numbered from 1 after the header.
pub fn units_from_csv(bytes: &[u8]) -> std::result::Result<Vec<DetectionIn>, BatchProblem> {
    const FIELDS: [&str; 5] = ["line", "area", "product", "at", "good"];
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
    let headers = reader.headers().map_err(|_| BatchProblem::Row {
        row: 0,
        field: "header".into(),
        reason: RowReason::Invalid,
    })?;
    let mut at = [0usize; 5];
    for (slot, name) in at.iter_mut().zip(FIELDS) {
        *slot = headers.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| BatchProblem::Row {
            row: 0,
            field: name.to_owned(),
            reason: RowReason::Invalid,
        })?;
    }
    let mut units = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if units.len() == MAX_BATCH {
            return Err(BatchProblem::TooMany { max: MAX_BATCH });
        }
        let bad = |field: &str| BatchProblem::Row { row: i + 1, field: field.to_owned(), reason: RowReason::Invalid };
        let record = record.map_err(|_| bad("row"))?;
        let cell = |k: usize| record.get(at[k]).unwrap_or_default();
        let time = chrono::DateTime::parse_from_rfc3339(cell(3)).map_err(|_| bad("at"))?.with_timezone(&Utc);
        let good = match cell(4).to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(bad("good")),
        };
        for (k, name) in FIELDS.iter().enumerate().take(3) {
            if cell(k).is_empty() {
                return Err(bad(name));
            }
        }
        units.push(DetectionIn {
            line: cell(0).to_owned(),
            area: cell(1).to_owned(),
            product: cell(2).to_owned(),
            at: time,
            good,
        });
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_batch_is_read_by_its_header_and_a_bad_record_is_named() {
        let csv = b"at,line,area,product,good,note\n2026-11-23T10:00:00Z,L1,OUT,P-100,true,x\n2026-11-23T10:00:01-06:00,L1,OUT,P-100,0,\n";
        let units = units_from_csv(csv).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!((units[0].line.as_str(), units[0].good, units[1].good), ("L1", true, false));
        assert_eq!(units[1].at.to_rfc3339(), "2026-11-23T16:00:01+00:00");
        let bad = b"line,area,product,at,good\nL1,OUT,P-100,2026-11-23T10:00:00Z,true\nL1,OUT,P-100,ayer,true\n";
        assert_eq!(
            units_from_csv(bad),
            Err(BatchProblem::Row { row: 2, field: "at".into(), reason: RowReason::Invalid })
        );
        let no_good = b"line,area,product,at\n";
        assert_eq!(
            units_from_csv(no_good),
            Err(BatchProblem::Row { row: 0, field: "good".into(), reason: RowReason::Invalid })
        );
    }

    #[test]
    fn a_json_unit_of_the_wrong_shape_is_named_by_position_and_field() {
        let ok = serde_json::json!({"line": "L1", "area": "OUT", "product": "P-100", "at": "2026-11-23T10:00:00Z", "good": true});
        let mut bad = ok.clone();
        bad["good"] = serde_json::json!("sí");
        assert_eq!(
            units_from_json(vec![ok.clone(), bad]),
            Err(BatchProblem::Row { row: 2, field: "good".into(), reason: RowReason::Invalid })
        );
        assert_eq!(units_from_json(vec![ok]).map(|u| u.len()), Ok(1));
    }
}
