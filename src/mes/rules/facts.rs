//! Stage facts: what people record against a production order at a stage (good and scrap pieces, on a day of the
//! plant and, where the stage needs it, its shift and operator), the seed's rules field by field, and when a shift's
//! facts close.
//!
//! A stage that needs a shift (the seed's machining) refuses a fact without the plant's shift or without its operator,
//! each with its own message; any other stage takes them when given. A fact records at least one piece; scrap names
//! its reason. Facts are of work done: not of a day, or a shift, that has not begun. A shift's facts close once it has
//! ended plus the plant's grace (a day's, for facts without a shift, once the day has ended plus the grace), unless a
//! manager reopened them until a later time. A wrong fact is undone by its reversal, once, while its shift is open.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, FieldError, text_enum};
use crate::ids::{ScrapReasonId, ShiftId, StageId, UserId};
use crate::mes::rules::tasks::check_multiline;

/// The most pieces one fact records, good or scrap.
pub const QUANTITY_MAX: i32 = 1_000_000;
/// A fact's comment, at most.
pub const COMMENT_MAX: usize = 2000;
/// The plant's grace after a shift, at most a week (minutes).
pub const GRACE_MAX: i32 = 7 * 24 * 60;

/// Where a fact was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = FactSource))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The order's page.
    #[default]
    Ui,
    /// The operator terminal on the floor.
    Terminal,
    /// A client of the REST API.
    Api,
}
text_enum!(Source "fact source" { Ui => "ui", Terminal => "terminal", Api => "api" });

/// A fact as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FactInput {
    pub stage_id: StageId,
    /// The plant's day the work was done on (its time zone's).
    pub day: NaiveDate,
    /// The plant's shift that started on `day` (required where the stage needs a shift).
    #[serde(default)]
    pub shift_id: Option<ShiftId>,
    /// Who did the work (required where the stage needs a shift).
    #[serde(default)]
    pub operator_id: Option<UserId>,
    #[serde(default)]
    pub good: i32,
    #[serde(default)]
    pub scrap: i32,
    /// Required when there is scrap.
    #[serde(default)]
    pub scrap_reason_id: Option<ScrapReasonId>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// What a fact's stage asks of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageRule {
    /// A fact names the plant's shift and its operator.
    pub needs_shift: bool,
}

/// The plant's time as a fact is judged: today (its zone's) and, when the fact names a shift, whether that shift works
/// on the fact's day and whether that run has begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub today: NaiveDate,
    /// `Some((works that day, has begun))` for the shift named.
    pub shift: Option<(bool, bool)>,
}

impl FactInput {
    /// The fact, checked field by field against its stage's rule and the plant's clock: every field's problem at once.
    /// Its comment trimmed (`None` when empty).
    pub fn check(&self, stage: StageRule, when: When) -> Result<FactInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        if stage.needs_shift && self.shift_id.is_none() {
            errors.push(FieldError::new("shift_id", ErrorCode::Required));
        }
        if stage.needs_shift && self.operator_id.is_none() {
            errors.push(FieldError::new("operator_id", ErrorCode::Required));
        }
        if self.day > when.today {
            errors.push(FieldError::new("day", ErrorCode::NotYet));
        } else {
            match when.shift {
                Some((false, _)) => errors.push(FieldError::new("shift_id", ErrorCode::ShiftNotRunning)),
                Some((true, false)) => errors.push(FieldError::new("shift_id", ErrorCode::NotYet)),
                _ => {}
            }
        }
        for (field, n) in [("good", self.good), ("scrap", self.scrap)] {
            if !(0..=QUANTITY_MAX).contains(&n) {
                errors.push(FieldError::new(field, ErrorCode::InvalidInput));
            }
        }
        if self.good == 0 && self.scrap == 0 {
            errors.push(FieldError::new("good", ErrorCode::NothingRecorded));
        }
        match (self.scrap > 0, self.scrap_reason_id) {
            (true, None) => errors.push(FieldError::new("scrap_reason_id", ErrorCode::Required)),
            // A reason for scrap there is none of: the form and the fact would disagree.
            (false, Some(_)) => errors.push(FieldError::new("scrap_reason_id", ErrorCode::InvalidInput)),
            _ => {}
        }
        let comment = match check_multiline("comment", self.comment.as_deref().unwrap_or_default(), COMMENT_MAX) {
            Ok(c) => (!c.is_empty()).then_some(c),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(FactInput { comment, ..self.clone() })
    }
}

/// When the facts of a run close: its end (a shift run's, or the day's) plus the plant's grace.
pub fn closes_at(run_end: DateTime<Utc>, grace_minutes: i32) -> DateTime<Utc> {
    run_end + Duration::minutes(i64::from(grace_minutes.clamp(0, GRACE_MAX)))
}

/// Whether facts of a run can still be recorded or reversed at `now`: before it closes, or while a manager's
/// reopening lasts.
pub fn open_at(now: DateTime<Utc>, closes: DateTime<Utc>, reopened_until: Option<DateTime<Utc>>) -> bool {
    now < closes || reopened_until.is_some_and(|u| now < u)
}

/// Progress of a stage: good pieces over the quantity ordered, as a fraction (more than ordered: past 1).
pub fn progress(good: i32, ordered: i32) -> f64 {
    if ordered <= 0 { 0.0 } else { f64::from(good.max(0)) / f64::from(ordered) }
}

/// An order's state from its stages' good pieces (in route order) and whether anything was recorded: done when its
/// last stage has the quantity good, in progress once anything is recorded, else open.
pub fn order_state(ordered: i32, goods: &[i32], recorded: bool) -> OrderState {
    match goods.last() {
        Some(last) if *last >= ordered => OrderState::Done,
        _ if recorded => OrderState::InProgress,
        _ => OrderState::Open,
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    #[default]
    Open,
    InProgress,
    Done,
    Cancelled,
}
text_enum!(OrderState "order state" {
    Open => "open", InProgress => "in_progress", Done => "done", Cancelled => "cancelled"
});

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn fact() -> FactInput {
        FactInput {
            stage_id: StageId(1),
            day: day(25),
            shift_id: Some(ShiftId(1)),
            operator_id: Some(UserId(uuid::Uuid::nil())),
            good: 420,
            scrap: 5,
            scrap_reason_id: Some(ScrapReasonId(1)),
            comment: Some("  Turno normal  ".into()),
        }
    }

    const MACHINING: StageRule = StageRule { needs_shift: true };
    const FITTING: StageRule = StageRule { needs_shift: false };
    const NOW: When = When { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), shift: Some((true, true)) };
    const NO_SHIFT: When = When { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), shift: None };

    fn fields(r: Result<FactInput, Vec<FieldError>>) -> Vec<(String, ErrorCode)> {
        r.err().unwrap_or_default().into_iter().map(|e| (e.field, e.code)).collect()
    }

    /// The seed's rules and ours as one table: each case a fact, its stage, the plant's clock, and what is refused.
    #[test]
    fn the_fact_rules_field_by_field() {
        use ErrorCode::*;
        type Case = (&'static str, FactInput, StageRule, When, Vec<(&'static str, ErrorCode)>);
        let cases: Vec<Case> = vec![
            ("machining, everything given", fact(), MACHINING, NOW, vec![]),
            (
                "machining without a shift or an operator: one message each",
                FactInput { shift_id: None, operator_id: None, ..fact() },
                MACHINING,
                NO_SHIFT,
                vec![("shift_id", Required), ("operator_id", Required)],
            ),
            (
                "fitting takes no shift nor operator",
                FactInput { shift_id: None, operator_id: None, scrap: 0, scrap_reason_id: None, ..fact() },
                FITTING,
                NO_SHIFT,
                vec![],
            ),
            ("fitting takes them when given", fact(), FITTING, NOW, vec![]),
            ("a day to come", FactInput { day: day(26), ..fact() }, MACHINING, NOW, vec![("day", NotYet)]),
            (
                "a shift that does not work that day",
                fact(),
                MACHINING,
                When { shift: Some((false, false)), ..NOW },
                vec![("shift_id", ShiftNotRunning)],
            ),
            (
                "today's shift that has not begun",
                fact(),
                MACHINING,
                When { shift: Some((true, false)), ..NOW },
                vec![("shift_id", NotYet)],
            ),
            (
                "nothing recorded",
                FactInput { good: 0, scrap: 0, scrap_reason_id: None, ..fact() },
                MACHINING,
                NOW,
                vec![("good", NothingRecorded)],
            ),
            ("scrap only", FactInput { good: 0, ..fact() }, MACHINING, NOW, vec![]),
            (
                "negative and too many pieces",
                FactInput { good: -1, scrap: QUANTITY_MAX + 1, ..fact() },
                MACHINING,
                NOW,
                vec![("good", InvalidInput), ("scrap", InvalidInput)],
            ),
            (
                "scrap without its reason",
                FactInput { scrap_reason_id: None, ..fact() },
                MACHINING,
                NOW,
                vec![("scrap_reason_id", Required)],
            ),
            (
                "a reason for scrap there is none of",
                FactInput { scrap: 0, ..fact() },
                MACHINING,
                NOW,
                vec![("scrap_reason_id", InvalidInput)],
            ),
            (
                "a comment too long",
                FactInput { comment: Some("x".repeat(COMMENT_MAX + 1)), ..fact() },
                MACHINING,
                NOW,
                vec![("comment", TooLong)],
            ),
        ];
        for (what, input, stage, when, refused) in cases {
            let want: Vec<(String, ErrorCode)> = refused.into_iter().map(|(f, c)| (f.to_owned(), c)).collect();
            assert_eq!(fields(input.check(stage, when)), want, "{what}");
        }
        // What passes is trimmed; an empty comment is none.
        assert_eq!(fact().check(MACHINING, NOW).unwrap().comment.as_deref(), Some("Turno normal"));
        let blank = FactInput { comment: Some("  ".into()), ..fact() };
        assert_eq!(blank.check(MACHINING, NOW).unwrap().comment, None);
    }

    #[test]
    fn a_shift_closes_after_its_grace_unless_reopened() {
        let end = DateTime::parse_from_rfc3339("2026-11-25T20:00:00Z").unwrap().with_timezone(&Utc);
        let closes = closes_at(end, 120);
        assert_eq!(closes, end + Duration::hours(2));
        assert!(open_at(end + Duration::minutes(119), closes, None));
        assert!(!open_at(closes, closes, None));
        assert!(open_at(closes + Duration::hours(1), closes, Some(closes + Duration::hours(2))));
        assert!(!open_at(closes + Duration::hours(3), closes, Some(closes + Duration::hours(2))));
        // A grace out of bounds is held to them.
        assert_eq!(closes_at(end, -5), end);
        assert_eq!(closes_at(end, i32::MAX), end + Duration::minutes(i64::from(GRACE_MAX)));
    }

    #[test]
    fn an_order_is_done_when_its_last_stage_is() {
        assert_eq!(order_state(100, &[0, 0, 0], false), OrderState::Open);
        assert_eq!(order_state(100, &[100, 40, 0], true), OrderState::InProgress);
        assert_eq!(order_state(100, &[100, 100, 99], true), OrderState::InProgress);
        assert_eq!(order_state(100, &[100, 100, 100], true), OrderState::Done);
        // Inspection may pass more than ordered (spares); a reversal may take it back below.
        assert_eq!(order_state(100, &[120, 110, 105], true), OrderState::Done);
        assert!((progress(40, 100) - 0.4).abs() < 1e-9);
        assert_eq!(progress(5, 0), 0.0);
    }
}
