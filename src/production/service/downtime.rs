//! The downtime job: turns the gaps between each line's output units with more planned time than its threshold into
//! downtime events (the rules' [`Thresholds`] judge them against the plant's calendar: breaks and time off shift are
//! no stops), for operators and managers to give a reason. A line silent on shift for longer than its threshold right
//! now has an open stop, closed when it counts again (or ended with its shift, another opening in the next). The
//! micro-stops it finds on the way are added to the line's hours (`production_micro_stops`): a loss of their own.
//! Late units (below) correct stops; micro-stops a late unit would have split stay as first counted.
//!
//! Exactly once across instances: each round runs under a transaction-scoped advisory lock (another instance's round
//! skips), and a stop is written once (unique by line and start), so a round that runs twice changes nothing. Units
//! are read up to a settling margin before now, after the last unit the job has looked at for the line (its cursor).
//!
//! Units that arrive late, behind the cursor (a machine that buffered, batches sent out of order), can only change a
//! stop already written (elsewhere they shorten a gap below the threshold, which was no stop; units before the
//! line's first ever looked at are not judged against it): each round also looks at the line's stops of the last
//! [`LATE`] before its cursor for units inside them, and judges each such stop again with them: filled, it is gone
//! (or, if someone gave it a reason, kept, ending at the first unit inside); otherwise it ends where the units
//! begin (a stop given a reason whose units now begin inside it: its reason moves to the first stop left), and the gaps between them and after them are stops of their own. A stop is asked for one unit inside it
//! (an index probe), so looking back a day costs a round little. All of it inside the round's locked transaction:
//! exactly once, like the rest.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::codes::UnknownText;
use crate::db::{self, Scope, Tx};
use crate::error::Result;
use crate::production::rules::calendar::{Calendar, Span};
use crate::production::rules::downtime::{Gap, Thresholds};
use crate::production::store::downtime as store;

/// Advisory lock key of the downtime job.
pub(in crate::production) const DOWNTIME_LOCK: i64 = 0x6e65_7875_7311;
/// How long after now a unit may still arrive for the job to see it in order.
pub const SETTLE: Duration = Duration::seconds(10);
/// Units of a line read at once (a window): a day of a line counting a unit a second is one window.
const WINDOW: i64 = 100_000;
/// How far behind a line's cursor the stops late units may land in are looked at again.
pub const LATE: Duration = Duration::hours(24);

/// Stops written or closed this round, or `None` when another instance runs it.
pub async fn run(pool: &PgPool) -> Result<Option<u64>> {
    run_in_windows(pool, WINDOW).await
}

/// A round reading at most `window` units of a line at once.
pub(crate) async fn run_in_windows(pool: &PgPool, window: i64) -> Result<Option<u64>> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if !db::try_job_lock(&mut tx, DOWNTIME_LOCK).await? {
        return Ok(None);
    }
    let now = Utc::now();
    let until = now - SETTLE;
    let mut written = 0;
    let calendars: HashMap<Uuid, Calendar> = store::calendars(&mut tx)
        .await?
        .into_iter()
        .map(|(tenant, (zone, shifts))| {
            // A plant that has not set its zone is in the demo's; a stored name no zone database knows (the settings
            // refuse one) is an error, never another zone in its place.
            let tz = match zone {
                None => chrono_tz::America::Mexico_City,
                Some(name) => name
                    .parse()
                    .map_err(|_| crate::error::Error::internal(UnknownText { kind: "time zone", value: name }))?,
            };
            Ok((tenant, Calendar { shifts, tz }))
        })
        .collect::<Result<_>>()?;
    // A plant with no shift yet plans no time: its lines have no stops (nor figures) until it has one.
    let no_shifts = Calendar { shifts: Vec::new(), tz: chrono_tz::America::Mexico_City };
    for mut line in store::lines(&mut tx).await? {
        let th = Thresholds { downtime_ms: line.downtime_ms, micro_stop_ms: line.micro_stop_ms };
        let cal = calendars.get(&line.tenant_id).unwrap_or(&no_shifts);
        store::lock_line(&mut tx, &line).await?;
        if let Some(cursor) = line.last_at {
            written += late_units(&mut tx, &line, th, cal, cursor - LATE).await?;
        }
        // In windows of at most `window` units, each window's stops written and the cursor moved before the next is
        // read: a line whose month of history arrives at once is read a window at a time, never whole.
        loop {
            let units = store::units(&mut tx, &line, until, window).await?;
            let more = units.len() as i64 == window;
            let mut starts = Vec::new();
            let mut ends = Vec::new();
            // Micro-stops per hour they start in: (ms, how many).
            let mut micro: BTreeMap<DateTime<Utc>, (i64, i32)> = BTreeMap::new();
            for gap in th.gaps(cal, line.last_at, &units) {
                match gap {
                    Gap::Downtime(span) => {
                        starts.push(span.start);
                        ends.push(Some(span.end));
                    }
                    Gap::MicroStop(span, ms) => {
                        let hour = span.start.duration_trunc(Duration::hours(1)).unwrap_or(span.start);
                        let e = micro.entry(hour).or_default();
                        e.0 += ms;
                        e.1 += 1;
                    }
                }
            }
            store::add_micro_stops(&mut tx, &line, &micro).await?;
            let last = units.last().copied().or(line.last_at);
            // Only once every unit up to now has been looked at can the line be said to be silent now.
            if !more && let Some(l) = last {
                for (stop, end) in th.ongoing(cal, l, until) {
                    starts.push(stop.start);
                    ends.push(end);
                }
            }
            written +=
                store::record(&mut tx, &line, &starts, &ends, units.first().copied(), units.last().copied()).await?;
            line.last_at = last;
            if !more {
                break;
            }
        }
    }
    tx.commit().await?;
    Ok(Some(written))
}

/// Judges again the line's stops from `since` on that units have since been counted inside. Returns the stops
/// changed.
async fn late_units(
    tx: &mut Tx,
    line: &store::Line,
    th: Thresholds,
    cal: &Calendar,
    since: DateTime<Utc>,
) -> Result<u64> {
    let landed = store::landed(tx, line, since).await?;
    if landed.is_empty() {
        return Ok(0);
    }
    let (mut ends, mut gone, mut starts, mut new_ends) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for stop in landed {
        let inside = store::units_inside(tx, line, stop.start_at, stop.end_at).await?;
        let mut left = th.rejudge(cal, Span::new(stop.start_at, stop.end_at), &inside).into_iter().peekable();
        match left.next_if(|s| s.start == stop.start_at) {
            Some(first) => ends.push((stop.id, stop.start_at, first.end)),
            // Given a reason: the reason goes with the stop that is left (the line ran a moment, then stopped),
            // else, none left, it is kept ending where the line counted again.
            None if stop.classified => match (left.next(), inside.first()) {
                (Some(rest), _) => ends.push((stop.id, rest.start, rest.end)),
                (None, Some(&first)) => ends.push((stop.id, stop.start_at, first)),
                (None, None) => {}
            },
            None => gone.push(stop.id),
        }
        for s in left {
            starts.push(s.start);
            new_ends.push(Some(s.end));
        }
    }
    Ok(store::correct(tx, line, &ends, &gone, &starts, &new_ends).await?)
}
