//! A batch of detections as a machine sends it, checked whole against the plant before anything is stored: each
//! unit names its line, area and product by code, when it was counted, and whether it was good. The first bad row is
//! named (its position from 1, the field, the reason) and the batch is refused as a whole: a partial batch would leave
//! the client unsure what to send again.

use std::collections::HashMap;

use crate::ids::{AreaId, LineId, ProductId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Units per batch at most.
pub const MAX_BATCH: usize = 10_000;
/// The longest batch id kept.
pub const BATCH_ID_MAX_CHARS: usize = 100;
/// How far ahead of the server's clock a unit's time may be (machines' clocks drift).
pub const FUTURE_SLACK: Duration = Duration::minutes(5);

/// One unit as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DetectionIn {
    /// The line's code.
    pub line: String,
    /// The area's code within the line, as the plant's settings list each line's areas. The line's production is
    /// what its output area counts (a new line has `ENT` input, `PRO` process, `INS` inspection and `SAL` output).
    pub area: String,
    /// The product's code.
    pub product: String,
    /// When the unit was counted (RFC 3339).
    pub at: DateTime<Utc>,
    /// Good (true) or rejected (false).
    pub good: bool,
}

/// A checked unit, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub line_id: LineId,
    pub area_id: AreaId,
    pub product_id: ProductId,
    pub at: DateTime<Utc>,
    pub good: bool,
}

/// What the plant has, by code: what a batch is checked against.
#[derive(Debug, Clone, Default)]
pub struct Plant {
    /// Line code → its id and its areas (code → id).
    pub lines: HashMap<String, (LineId, HashMap<String, AreaId>)>,
    /// Product code → id.
    pub products: HashMap<String, ProductId>,
    /// The codes of the lines counted by people (their stage facts are their units): units sent for them are
    /// refused, or they would be counted twice.
    pub by_people: std::collections::HashSet<String>,
}

/// Why a batch is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum BatchProblem {
    /// No batch id, or one longer than [`BATCH_ID_MAX_CHARS`] or with control characters.
    BadBatchId,
    Empty,
    /// More than [`MAX_BATCH`] units.
    TooMany {
        max: usize,
    },
    /// A row (from 1) that cannot be stored, and why.
    Row {
        row: usize,
        field: String,
        reason: RowReason,
    },
    /// A row (from 1) naming an area its line does not have: the line's area codes (set per line on the plant's
    /// settings page; a new line has `ENT`, `PRO`, `INS` and `SAL`, its output).
    UnknownArea {
        row: usize,
        line: String,
        area: String,
        known: Vec<String>,
    },
    /// A row (from 1) whose `at` is before `oldest`, the first moment raw units are kept: the first day (UTC) of the
    /// month `NEXUS_PRODUCTION_KEEP_MONTHS` (24) months before the current one. Older months are dropped whole.
    TooOld {
        row: usize,
        oldest: DateTime<Utc>,
    },
    /// The batch id was stored before with other units: a new batch needs a new id (a retry sends the same units).
    /// Nothing was stored.
    BatchIdReused {
        batch_id: String,
        /// When the batch first sent under this id was stored.
        stored_at: DateTime<Utc>,
    },
}

impl crate::codes::Refusal for BatchProblem {
    /// A batch that is no batch of this plant's units: 422; an id already used for other units: 409.
    fn status(&self) -> u16 {
        match self {
            BatchProblem::BatchIdReused { .. } => 409,
            _ => 422,
        }
    }
}

/// What a batch holds, whatever the order its units were sent in: the SHA-256 of its units (codes trimmed, times to
/// the nanosecond) sorted. A retry of a batch has the same digest; the same id with other units has another.
#[cfg(feature = "ssr")]
pub fn digest(units: &[DetectionIn]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut keys: Vec<(&str, &str, &str, i64, bool)> = units
        .iter()
        .map(|u| {
            let at = u.at.timestamp_nanos_opt().unwrap_or(u.at.timestamp_micros().saturating_mul(1000));
            (u.line.trim(), u.area.trim(), u.product.trim(), at, u.good)
        })
        .collect();
    keys.sort_unstable();
    let mut h = Sha256::new();
    for (line, area, product, at, good) in keys {
        // Each code with its length first, so no two batches run into the same bytes.
        for code in [line, area, product] {
            h.update((code.len() as u64).to_le_bytes());
            h.update(code.as_bytes());
        }
        h.update(at.to_le_bytes());
        h.update([u8::from(good)]);
    }
    h.finalize().to_vec()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowReason {
    /// Missing, or not of its kind (a time not in RFC 3339, "yes" for a boolean, a number for a code).
    Invalid,
    /// No line (or area, or product) with that code in this plant.
    Unknown,
    /// Later than the server's clock allows.
    InFuture,
    /// The line is counted by people (its MES stage facts are its units, set on the plant's settings page): a
    /// machine's units for it would count them twice.
    CountedByPeople,
}

/// Checks a batch id.
pub fn check_batch_id(id: &str) -> Result<&str, BatchProblem> {
    let id = id.trim();
    if id.is_empty() || id.chars().count() > BATCH_ID_MAX_CHARS || id.chars().any(char::is_control) {
        return Err(BatchProblem::BadBatchId);
    }
    Ok(id)
}

/// Checks every unit of a batch against `plant`, with `now` the server's clock and `oldest` the first time kept:
/// all of them by id, or the first row that cannot be stored.
pub fn check(
    units: &[DetectionIn],
    plant: &Plant,
    now: DateTime<Utc>,
    oldest: DateTime<Utc>,
) -> Result<Vec<Detection>, BatchProblem> {
    if units.is_empty() {
        return Err(BatchProblem::Empty);
    }
    if units.len() > MAX_BATCH {
        return Err(BatchProblem::TooMany { max: MAX_BATCH });
    }
    let bad = |row: usize, field: &str, reason| BatchProblem::Row { row: row + 1, field: field.to_owned(), reason };
    units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (line_id, areas) = plant.lines.get(u.line.trim()).ok_or_else(|| bad(i, "line", RowReason::Unknown))?;
            if plant.by_people.contains(u.line.trim()) {
                return Err(bad(i, "line", RowReason::CountedByPeople));
            }
            let area_id = *areas.get(u.area.trim()).ok_or_else(|| {
                let mut known: Vec<String> = areas.keys().cloned().collect();
                known.sort();
                BatchProblem::UnknownArea { row: i + 1, line: u.line.trim().to_owned(), area: u.area.clone(), known }
            })?;
            let product_id =
                *plant.products.get(u.product.trim()).ok_or_else(|| bad(i, "product", RowReason::Unknown))?;
            if u.at > now + FUTURE_SLACK {
                return Err(bad(i, "at", RowReason::InFuture));
            }
            if u.at < oldest {
                return Err(BatchProblem::TooOld { row: i + 1, oldest });
            }
            Ok(Detection { line_id: *line_id, area_id, product_id, at: u.at, good: u.good })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plant() -> Plant {
        Plant {
            lines: [(
                "L1".to_owned(),
                (LineId(1), [("OUT".to_owned(), AreaId(10)), ("INS".to_owned(), AreaId(11))].into()),
            )]
            .into(),
            products: [("P-100".to_owned(), ProductId(7))].into(),
            by_people: Default::default(),
        }
    }

    fn unit(line: &str, area: &str, product: &str, at: DateTime<Utc>) -> DetectionIn {
        DetectionIn { line: line.into(), area: area.into(), product: product.into(), at, good: true }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap()
    }

    #[test]
    fn a_good_batch_is_every_unit_by_id() {
        let units = [unit("L1", "OUT", "P-100", now()), unit(" L1 ", "INS", "P-100", now() - Duration::hours(1))];
        let checked = check(&units, &plant(), now(), now() - Duration::days(400)).unwrap();
        assert_eq!(
            checked.iter().map(|d| (d.line_id, d.area_id, d.product_id)).collect::<Vec<_>>(),
            [(LineId(1), AreaId(10), ProductId(7)), (LineId(1), AreaId(11), ProductId(7))]
        );
    }

    #[test]
    fn the_first_bad_row_is_named_with_its_field_and_reason() {
        let oldest = now() - Duration::days(400);
        let ok = unit("L1", "OUT", "P-100", now());
        for (bad, field, reason) in [
            (unit("L9", "OUT", "P-100", now()), "line", RowReason::Unknown),
            (unit("L1", "OUT", "P-999", now()), "product", RowReason::Unknown),
            (unit("L1", "OUT", "P-100", now() + Duration::minutes(6)), "at", RowReason::InFuture),
        ] {
            let units = [ok.clone(), bad, unit("L9", "OUT", "P-100", now())];
            assert_eq!(
                check(&units, &plant(), now(), oldest),
                Err(BatchProblem::Row { row: 2, field: field.into(), reason })
            );
        }
        // An area the line does not have: its areas are named, for the sender to use.
        assert_eq!(
            check(&[ok.clone(), unit("L1", "salida", "P-100", now())], &plant(), now(), oldest),
            Err(BatchProblem::UnknownArea {
                row: 2,
                line: "L1".into(),
                area: "salida".into(),
                known: vec!["INS".into(), "OUT".into()]
            })
        );
        let units = [ok.clone(), unit("L1", "OUT", "P-100", oldest - Duration::seconds(1))];
        assert_eq!(check(&units, &plant(), now(), oldest), Err(BatchProblem::TooOld { row: 2, oldest }));
        // A line counted by people takes no machine's units (they would be counted twice).
        let manual = Plant { by_people: ["L1".to_owned()].into(), ..plant() };
        assert_eq!(
            check(&[unit(" L1", "OUT", "P-100", now())], &manual, now(), oldest),
            Err(BatchProblem::Row { row: 1, field: "line".into(), reason: RowReason::CountedByPeople })
        );
        // A clock a few minutes ahead is a machine's drift, not an error.
        assert!(check(&[unit("L1", "OUT", "P-100", now() + Duration::minutes(5))], &plant(), now(), oldest).is_ok());
    }

    #[test]
    fn empty_oversized_and_unnamed_batches_are_refused() {
        let oldest = now() - Duration::days(400);
        assert_eq!(check(&[], &plant(), now(), oldest), Err(BatchProblem::Empty));
        let many = vec![unit("L1", "OUT", "P-100", now()); MAX_BATCH + 1];
        assert_eq!(check(&many, &plant(), now(), oldest), Err(BatchProblem::TooMany { max: MAX_BATCH }));
        assert_eq!(check_batch_id("  "), Err(BatchProblem::BadBatchId));
        assert_eq!(check_batch_id("a\nb"), Err(BatchProblem::BadBatchId));
        assert_eq!(check_batch_id(&"x".repeat(101)), Err(BatchProblem::BadBatchId));
        assert_eq!(check_batch_id(" plc-7:2026-11-23T10:00 "), Ok("plc-7:2026-11-23T10:00"));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_batch_digest_ignores_order_and_padding_and_sees_any_other_unit() {
        let a = unit("L1", "OUT", "P-100", now());
        let b = unit("L1", "OUT", "P-100", now() + Duration::seconds(1));
        let same = digest(&[a.clone(), b.clone()]);
        assert_eq!(digest(&[b.clone(), a.clone()]), same, "order");
        assert_eq!(digest(&[unit(" L1", "OUT ", "P-100", now()), b.clone()]), same, "padding");
        let mut bad = b.clone();
        bad.good = false;
        for (other, why) in [
            (vec![a.clone(), bad], "a unit rejected instead of good"),
            (vec![a.clone()], "a unit fewer"),
            (vec![a.clone(), b.clone(), b.clone()], "a unit more"),
            (vec![a.clone(), unit("L1", "OUT", "P-100", now() + Duration::milliseconds(1001))], "a millisecond"),
            (vec![unit("L1O", "UT", "P-100", now()), b.clone()], "codes run together"),
        ] {
            assert_ne!(digest(&other), same, "{why}");
        }
    }
}
