//! A shift report: one line's run of one shift (the shift that starts on a day, the plant's local date), its
//! figures, losses, stops, production by product and rejects by area, from the one calculation; and its sign-off by a
//! supervisor, with the figures as they were signed, so a report whose figures moved since (late units, a stop
//! classified) says so.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::super::oee::Totals;
use super::{LineRef, RejectRow, ShiftRef, View};

/// Which report: a line, a shift, the local date the shift starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportKey {
    pub line: crate::ids::LineId,
    pub shift: crate::ids::ShiftId,
    pub day: NaiveDate,
}

/// Which report is asked for: each part optional (the first line; the last run of a shift that has ended, of the
/// shift given or of any).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportAsk {
    pub line: Option<crate::ids::LineId>,
    pub shift: Option<crate::ids::ShiftId>,
    pub day: Option<NaiveDate>,
}

/// Who signed a report off, and the figures they signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignOff {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
    pub figures: Totals,
    /// The report's figures are no longer those signed.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftReport {
    pub key: ReportKey,
    pub line: LineRef,
    pub shift: ShiftRef,
    /// The line's figures over the shift's run (its span `from`–`to`, stops, products, losses).
    pub view: View,
    pub rejects: Vec<RejectRow>,
    pub signoff: Option<SignOff>,
    /// The shift's run has ended (a report is signed once its shift is over).
    pub ended: bool,
}

/// Whether figures signed are still the report's: the same totals, to the millisecond and the unit.
pub fn changed(signed: &Totals, now: &Totals) -> bool {
    signed != now
}
