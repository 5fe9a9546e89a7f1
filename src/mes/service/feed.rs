//! Stage facts into the production figures: where a fact lands (`mes::rules::feed` says which line and what;
//! here its minute is placed, by the plant's calendar and, for an inspection's rejects, the making shift's busiest
//! minute), added through `production::service::people` in the fact's own transaction, and taken back by its
//! reversal from exactly where it was added.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::Tx;
use crate::error::Result;
use crate::ids::{LineId, ProductId, ShiftId, StageId};
use crate::mes::rules::feed::{self, Feed, StageFeed};
use crate::mes::store::orders as store;
use crate::production::rules::calendar::{self, Shift};
use crate::production::rules::kinds::Counting;

/// The span of `day`'s `shift` (of the day, without one), by the plant's calendar.
fn span_of(
    tz: Tz,
    shifts: &[(ShiftId, String, Shift)],
    day: NaiveDate,
    shift: Option<ShiftId>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    match shift.and_then(|id| shifts.iter().find(|(s, _, _)| *s == id)) {
        Some((_, _, s)) => {
            let span = s.on(tz, day).span;
            (span.start, span.end)
        }
        None => (calendar::day_end(tz, day - Duration::days(1)), calendar::day_end(tz, day)),
    }
}

/// What a fact about to be recorded is.
pub(super) struct ToFeed<'a> {
    pub order: i64,
    pub o: &'a store::OrderForFact,
    pub stage: &'a store::StageRow,
    pub day: NaiveDate,
    pub shift: Option<ShiftId>,
    pub good: i32,
    pub scrap: i32,
}

/// Adds a fact to the production figures where it feeds them (`rules::feed`): a people line's units at the minute
/// it is recorded in (held to its shift), an inspection's rejects at the minute the making line made most of the
/// product in the making shift (the making stage's latest fact's; the inspection's own shift without one). What it
/// added, and where, for the fact to keep.
pub(super) async fn feed_figures(
    tx: &mut Tx,
    tenant: crate::ids::TenantId,
    (tz, shifts): (Tz, &[(ShiftId, String, Shift)]),
    stages: &[store::StageRow],
    f: ToFeed<'_>,
    now: DateTime<Utc>,
) -> Result<Option<store::Landing>> {
    let Some(product) = f.o.product_id else { return Ok(None) };
    let as_feed =
        |s: &store::StageRow| StageFeed { id: StageId(s.id), line: s.line_id.map(LineId), inspection: s.inspection };
    let all: Vec<StageFeed> = stages.iter().map(as_feed).collect();
    let route: Vec<StageId> = f.o.route.iter().map(|s| StageId(*s)).collect();
    let this = as_feed(f.stage);
    let making = feed::making_stage(&route, &all, this.id);
    let counting = crate::production::service::people::counting(tx).await?;
    let by_people = |l: LineId| counting.get(&l) == Some(&Counting::People);
    let Some(fed) = feed::feed(this, making, by_people, true, f.good, f.scrap) else { return Ok(None) };
    let (a, b) = span_of(tz, shifts, f.day, f.shift);
    let minute = match fed {
        Feed::Units { .. } => feed::minute_in(a, b, now),
        Feed::Rejects { line, .. } => {
            let made = match making {
                Some(m) => store::making_fact(tx, tenant, f.order, m.id.0).await?,
                None => None,
            };
            match made {
                // The units a people line made: where its fact added them.
                Some((_, _, Some(minute))) if by_people(line) => minute,
                made => {
                    let (a, b) = match made {
                        Some((day, shift, _)) => span_of(tz, shifts, day, shift.map(ShiftId)),
                        None => (a, b),
                    };
                    let upto = b.min(now + Duration::minutes(1));
                    let product = ProductId(product);
                    let busiest =
                        crate::production::service::people::busiest_minute(tx, tenant, line, product, a, upto).await?;
                    busiest.unwrap_or_else(|| feed::minute_in(a, b, now))
                }
            }
        }
    };
    let (total, good) = fed.counts();
    let landing = store::Landing { line: fed.line().0, minute, product, total, good };
    Ok(add_to_figures(tx, tenant, landing, a).await?.then_some(landing))
}

/// Adds what a fact lands (or, negated, takes it back) to the line's output rollups, its work begun at `since`;
/// false when the line has no output (nothing added).
pub(super) async fn add_to_figures(
    tx: &mut Tx,
    tenant: crate::ids::TenantId,
    l: store::Landing,
    since: DateTime<Utc>,
) -> Result<bool> {
    let at = (LineId(l.line), ProductId(l.product));
    crate::production::service::people::add(tx, tenant, at, l.minute, since, (l.total, l.good)).await
}
