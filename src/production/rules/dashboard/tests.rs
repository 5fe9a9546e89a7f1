//! The dashboard's calculation against hand-computed plants, and its invariants (proptest).

use chrono::NaiveDate;
use chrono_tz::America::Mexico_City;
use proptest::prelude::*;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, NaiveTime, TimeZone, Utc};

use super::super::calendar::{Shift, Span, Stop};
use super::super::oee::Totals;
use super::figures::*;
use super::losses::*;
use super::pareto::*;
use super::time::*;
use crate::ids::{LineId, ProductId, ReasonId};

const MIN: i64 = 60_000;

/// Lines 1 to 3 connected long before any span the tests look at: their planned time has data.
static CONNECTED: std::sync::LazyLock<BTreeMap<LineId, DateTime<Utc>>> = std::sync::LazyLock::new(|| {
    let long_ago = DateTime::<Utc>::from_timestamp(0, 0).unwrap();
    (1..=3).map(|l| (LineId(l), long_ago)).collect()
});

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Mexico_City
        .from_local_datetime(&NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_time(t(h, m)))
        .unwrap()
        .with_timezone(&Utc)
}

fn shifts() -> Vec<Shift> {
    vec![
        Shift {
            days: 0b111_1111,
            start: t(6, 0),
            end: t(14, 0),
            stops: vec![Stop { start: t(10, 0), end: t(10, 30) }],
        },
        Shift { days: 0b111_1111, start: t(22, 0), end: t(6, 0), stops: vec![] },
    ]
}

fn cell(line: i32, product: i32, at: DateTime<Utc>, total: i64, minutes: i64) -> OutputCell {
    OutputCell {
        line: LineId(line),
        product: ProductId(product),
        at,
        total,
        good: total - 1,
        ideal_ms: total * 1000,
        minutes,
        people_total: 0,
        people_good: 0,
    }
}

#[test]
fn slots_cover_the_span_in_order() {
    let (from, to) = (local(10, 5, 30), local(11, 7, 0));
    for kind in [Bucket::Minute, Bucket::Hour, Bucket::Shift, Bucket::Day] {
        let (_, s) = slots(kind, from, to, Mexico_City, &shifts());
        assert_eq!(s.first().unwrap().span.start, from, "{kind:?}");
        assert_eq!(s.last().unwrap().span.end, to, "{kind:?}");
        assert!(s.windows(2).all(|w| w[0].span.end == w[1].span.start), "{kind:?} contiguous");
    }
    let (_, days) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
    assert_eq!(days.len(), 2);
    assert_eq!(days[1].span.start, local(11, 0, 0), "a day starts at the plant's midnight");
    let (_, runs) = slots(Bucket::Shift, from, to, Mexico_City, &shifts());
    let named: Vec<Option<usize>> = runs.iter().map(|s| s.shift).collect();
    // 05:30–06:00 the night's end, morning, gap, night, morning of the 11th up to 07:00.
    assert_eq!(named, vec![Some(1), Some(0), None, Some(1), Some(0)]);
    // Thirty days by the hour (the widget's bucket, 720 bars) are read by the day; a shift by the minute is not
    // widened.
    let (kind, month) = slots(Bucket::Hour, from, from + Duration::days(30), Mexico_City, &shifts());
    assert_eq!((kind, month.len()), (Bucket::Day, 31));
    assert_eq!(slots(Bucket::Minute, from, from + Duration::hours(8), Mexico_City, &shifts()).1.len(), 480);
    // A custom span's own bucket goes by its length.
    let natural = |h: i64| super::range::Range::Custom.natural_bucket(Duration::hours(h));
    assert_eq!(
        [natural(2), natural(24), natural(7 * 24), natural(30 * 24)],
        [Bucket::Minute, Bucket::Hour, Bucket::Shift, Bucket::Day]
    );
    // A year of minutes is widened to days.
    let (kind, wide) = slots(Bucket::Minute, from, from + Duration::days(365), Mexico_City, &shifts());
    assert_eq!(kind, Bucket::Day);
    assert!(wide.len() <= MAX_BUCKETS);
}

#[test]
fn a_morning_with_a_stop_a_break_and_two_products() {
    // The morning shift of the 10th, looked at after it ended: 480 min less a 30 min break = 450 planned.
    let (from, to) = (local(10, 6, 0), local(10, 14, 0));
    let windows = [Span::new(from, to)];
    let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
    // A stop of 40 min from 09:50 to 10:30: only 10 min of it are planned time (the break follows).
    let stops = [StopCell {
        id: 1,
        line: LineId(1),
        start: local(10, 9, 50),
        end: Some(local(10, 10, 30)),
        planned: false,
        reason: None,
    }];
    let output = [
        cell(1, 7, local(10, 6, 0), 3000, 60),
        cell(1, 8, local(10, 7, 0), 1000, 20),
        cell(1, 7, local(10, 7, 0), 2000, 40),
    ];
    let input = Inputs {
        first_units: &CONNECTED,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: local(12, 0, 0),
        lines: &[LineId(1), LineId(2)],
        slots: &slots,
        stops: &stops,
        output: &output,
        product: None,
    };
    let f = figures(&input);
    assert_eq!(f.lines[&LineId(1)].planned_ms, 450 * MIN);
    assert_eq!(f.lines[&LineId(1)].downtime_ms, 10 * MIN);
    assert_eq!(f.lines[&LineId(1)].total, 6000);
    // A line connected before that made nothing still had its planned time (and OEE 0).
    assert_eq!(f.lines[&LineId(2)].planned_ms, 450 * MIN);
    assert_eq!(f.lines[&LineId(2)].oee().oee, Some(0.0));
    // Parts add to the whole: lines, and slots.
    assert_eq!(f.lines.values().copied().sum::<Totals>(), f.total);
    assert_eq!(f.slots.iter().copied().sum::<Totals>(), f.total);
    // The 07:00 hour's time goes 1/3 to product 8 (20 of its 60 active minutes), and so does the time of the
    // hours after it in which the line made nothing (330 planned minutes, 10 of them down).
    assert_eq!(f.products[&ProductId(8)].planned_ms, (20 + 110) * MIN);
    assert_eq!(f.products[&ProductId(8)].downtime_ms, 10 * MIN / 3);
    assert_eq!(f.products[&ProductId(8)].total, 1000);
    // Products add up to the line that made them.
    let products: Totals = f.products.values().copied().sum();
    assert_eq!((products.planned_ms, products.downtime_ms), (450 * MIN, 10 * MIN));
    // Only product 8: its share, its units.
    let only = figures(&Inputs { product: Some(ProductId(8)), ..input.clone() });
    assert_eq!(only.total, f.products[&ProductId(8)]);
    assert_eq!(only.products.len(), 1);
}

/// A line connected on Wednesday at 08:00 (its first unit), looked at over the whole week of 9–15 November: the
/// planned time before it is no data, not running (the bug: a silent week read A 100 %, P 0 %), and a line never
/// connected has no figure at all, only no-data time.
#[test]
fn planned_time_before_a_lines_first_unit_is_no_data_neither_running_nor_stopped() {
    let (from, to) = (local(9, 0, 0), local(16, 0, 0));
    let windows = [Span::new(from, to)];
    let (_, slots) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
    // Line 1 counts from Wednesday 08:00 (an hour of 3,000 units, 1 rejected, ideal 1 s each).
    let output = [cell(1, 7, local(11, 8, 0), 3000, 60)];
    let first = BTreeMap::from([(LineId(1), local(11, 8, 0))]);
    let input = Inputs {
        first_units: &first,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: local(20, 0, 0),
        lines: &[LineId(1), LineId(2)],
        slots: &slots,
        stops: &[],
        output: &output,
        product: None,
    };
    let f = figures(&input);
    // Each calendar day plans 930 minutes: 00:00–06:00 (the night before), 06:00–14:00 less its break (450) and
    // 22:00–24:00: 6,510 planned minutes in the week.
    let week = 7 * 930;
    // Before Wednesday 08:00: Monday and Tuesday whole, Wednesday's 00:00–06:00 (360) and 06:00–08:00 (120).
    let no_data = 2 * 930 + 360 + 120;
    let l1 = f.lines[&LineId(1)];
    assert_eq!((l1.no_data_ms, l1.planned_ms), (no_data * MIN, (week - no_data) * MIN));
    assert_eq!(l1.oee().availability, Some(1.0));
    let p = l1.oee().performance.unwrap();
    assert!((p - 3000.0 * 1000.0 / ((week - no_data) * MIN) as f64).abs() < 1e-12, "{p}");
    // Line 2 never counted: all of its planned time is no data, and it has no figure (not 0 %).
    let l2 = f.lines[&LineId(2)];
    assert_eq!((l2.no_data_ms, l2.planned_ms), (week * MIN, 0));
    assert_eq!(l2.oee().oee, None);
    // The plant: what has data.
    assert_eq!(f.total.planned_ms, (week - no_data) * MIN);
    assert_eq!(f.total.no_data_ms, (week + no_data) * MIN);
    // Days before the first unit have no figure; parts still add up to the whole.
    assert_eq!(f.slots[0].oee().oee, None, "Monday: no data");
    assert_eq!(f.slots.iter().copied().sum::<Totals>(), f.total);
}

/// Minute cells added up per hour, as the store reads them for buckets on the hour.
fn hourly(cells: &[OutputCell]) -> Vec<OutputCell> {
    let mut by: BTreeMap<(LineId, ProductId, DateTime<Utc>), OutputCell> = BTreeMap::new();
    for c in cells {
        let at = c.at.duration_trunc(Duration::hours(1)).unwrap();
        let e = by.entry((c.line, c.product, at)).or_insert(OutputCell {
            at,
            total: 0,
            good: 0,
            ideal_ms: 0,
            minutes: 0,
            ..*c
        });
        e.total += c.total;
        e.good += c.good;
        e.ideal_ms += c.ideal_ms;
        e.minutes += c.minutes;
    }
    by.into_values().collect()
}

#[test]
fn products_get_the_same_time_whatever_the_bucket() {
    // Shifts changing at half past: 06:00–14:30 with a break 10:00–10:30, 14:30–22:00 with one 18:15–18:45.
    let shifts = vec![
        Shift {
            days: 0b111_1111,
            start: t(6, 0),
            end: t(14, 30),
            stops: vec![Stop { start: t(10, 0), end: t(10, 30) }],
        },
        Shift {
            days: 0b111_1111,
            start: t(14, 30),
            end: t(22, 0),
            stops: vec![Stop { start: t(18, 15), end: t(18, 45) }],
        },
    ];
    // A day from 05:30 (every bucket's first one cut inside an hour), looked at once it is over.
    let (from, to) = (local(10, 5, 30), local(11, 5, 30));
    let minutes = |line, product, a: DateTime<Utc>, b: DateTime<Utc>| -> Vec<OutputCell> {
        (0..(b - a).num_minutes()).map(|m| cell(line, product, a + Duration::minutes(m), 10, 1)).collect()
    };
    // Line 1: product 7, then 8 from 09:20, idle 11:45–13:00 (a stop), 7 again, 9 beside 7 from 16:10 to 17:00,
    // then nothing (a stop still open). Line 2: product 9 for an hour, then a changeover given a planned reason
    // and nothing more. Line 3: nothing at all.
    let output: Vec<OutputCell> = [
        minutes(1, 7, from, local(10, 9, 20)),
        minutes(1, 8, local(10, 9, 20), local(10, 11, 45)),
        minutes(1, 7, local(10, 13, 0), local(10, 17, 0)),
        minutes(1, 9, local(10, 16, 10), local(10, 17, 0)),
        minutes(2, 9, local(10, 6, 0), local(10, 7, 0)),
    ]
    .concat();
    let stop = |id, line, start, end, planned| StopCell { id, line: LineId(line), start, end, planned, reason: None };
    let stops = [
        stop(1, 1, local(10, 11, 45), Some(local(10, 13, 0)), false),
        stop(2, 1, local(10, 17, 0), None, false),
        stop(3, 2, local(10, 7, 0), Some(local(10, 7, 50)), true),
        stop(4, 2, local(10, 7, 50), None, false),
    ];
    let windows = [Span::new(from, to)];
    let run = |kind: Bucket, output: &[OutputCell], product: Option<ProductId>| {
        // Every bucket, however many (a day by the minute is more than a series shows).
        let slots = cut(kind, from, to, Mexico_City, &shifts);
        figures(&Inputs {
            first_units: &CONNECTED,
            micro: &[],
            shifts: &shifts,
            tz: Mexico_City,
            windows: &windows,
            now: to,
            lines: &[LineId(1), LineId(2), LineId(3)],
            slots: &slots,
            stops: &stops,
            output,
            product,
        })
    };
    let by_hour = hourly(&output);
    let want = run(Bucket::Hour, &by_hour, None);
    // Products add up to the lines that made something; line 3 gives its time to none.
    let products: Totals = want.products.values().copied().sum();
    let made = want.lines[&LineId(1)] + want.lines[&LineId(2)];
    assert_eq!(
        (products.planned_ms, products.downtime_ms, products.total),
        (made.planned_ms, made.downtime_ms, made.total)
    );
    assert!(want.lines[&LineId(3)].planned_ms > 0);
    for (kind, cells) in [
        (Bucket::Minute, &output),
        (Bucket::Hour, &output),
        (Bucket::Shift, &output),
        (Bucket::Shift, &by_hour),
        (Bucket::Day, &output),
        (Bucket::Day, &by_hour),
    ] {
        let f = run(kind, cells, None);
        assert_eq!(f.products, want.products, "{kind:?}, {} cells", cells.len());
        assert_eq!(f.lines, want.lines, "{kind:?}");
        for p in [7, 8, 9].map(ProductId) {
            // One product's view: its buckets add up to its row.
            let only = run(kind, cells, Some(p));
            assert_eq!(only.total, want.products[&p], "{kind:?} product {p}");
            assert_eq!(only.slots.iter().copied().sum::<Totals>(), only.total, "{kind:?} product {p}");
        }
    }
}

#[test]
fn planned_reasons_leave_planned_time_and_time_to_come_is_not_planned() {
    let (from, to) = (local(10, 6, 0), local(10, 14, 0));
    let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
    let stops = [StopCell {
        id: 1,
        line: LineId(1),
        start: local(10, 6, 0),
        end: Some(local(10, 7, 0)),
        planned: true,
        reason: Some(ReasonId(3)),
    }];
    let input = Inputs {
        first_units: &CONNECTED,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &[Span::new(from, to)],
        now: local(10, 8, 0),
        lines: &[LineId(1)],
        slots: &slots,
        stops: &stops,
        output: &[],
        product: None,
    };
    let f = figures(&input);
    // Two hours have come; the first was a planned changeover.
    assert_eq!(f.total.planned_ms, 60 * MIN);
    assert_eq!(f.total.downtime_ms, 0);
}

#[test]
fn a_shift_filter_looks_at_its_runs_only() {
    let (from, to) = (local(10, 0, 0), local(12, 0, 0));
    let night = &shifts()[1];
    let windows = shift_windows(night, Mexico_City, from, to);
    // The night from the 9th (to 06:00 on the 10th), the 10th's, and the 11th's up to midnight.
    assert_eq!(windows.len(), 3);
    assert_eq!(windows[0], Span::new(from, local(10, 6, 0)));
    assert_eq!(windows[2], Span::new(local(11, 22, 0), to));
    let (_, slots) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
    assert!(hourly_cells_fit(&slots, &windows));
    let input = Inputs {
        first_units: &CONNECTED,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: to,
        lines: &[LineId(1)],
        slots: &slots,
        stops: &[],
        output: &[],
        product: None,
    };
    assert_eq!(figures(&input).total.planned_ms, (6 + 8 + 2) * 60 * MIN);
}

#[test]
fn the_pareto_measures_the_downtime_figures_minutes() {
    let (from, to) = (local(10, 6, 0), local(10, 14, 0));
    let windows = [Span::new(from, to)];
    let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
    let stop = |id, line, start: DateTime<Utc>, min: i64, reason: Option<i32>, planned| StopCell {
        id,
        line: LineId(line),
        start,
        end: Some(start + Duration::minutes(min)),
        planned,
        reason: reason.map(ReasonId),
    };
    let stops = [
        stop(1, 1, local(10, 7, 0), 10, Some(1), false),
        stop(2, 1, local(10, 8, 0), 30, None, false),
        stop(3, 2, local(10, 13, 50), 30, Some(1), false), // 10 min inside the window
        stop(4, 1, local(10, 15, 0), 30, Some(2), false),  // outside it
        stop(5, 2, local(10, 9, 50), 40, None, false),     // 10 min, then the break
        stop(6, 1, local(10, 11, 0), 45, Some(3), true),   // a changeover: planned
        stop(7, 2, local(10, 10, 5), 20, Some(2), false),  // inside the break: no planned time lost
        stop(8, 3, local(10, 7, 0), 30, Some(2), false),   // a line not asked for
    ];
    let input = Inputs {
        first_units: &CONNECTED,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: local(11, 0, 0),
        lines: &[LineId(1), LineId(2)],
        slots: &slots,
        stops: &stops,
        output: &[],
        product: None,
    };
    let row = |reason: Option<i32>, line: Option<i32>, planned, min: i64, stops| ParetoRow {
        reason: reason.map(ReasonId),
        line: line.map(LineId),
        category: None,
        planned,
        ms: min * MIN,
        stops,
    };
    let by_reason = pareto(&input, ParetoBy::Reason);
    assert_eq!(
        by_reason,
        [row(None, None, false, 40, 2), row(Some(1), None, false, 20, 2), row(Some(3), None, true, 45, 1)],
        "downtime longest first, then the planned stops"
    );
    let by_line = pareto(&input, ParetoBy::Line);
    assert_eq!(
        by_line,
        [row(None, Some(1), false, 40, 2), row(None, Some(2), false, 20, 2), row(None, Some(1), true, 45, 1)]
    );
    // The downtime rows are the downtime figure, per line too; the planned rows what left planned time.
    let f = figures(&input);
    for rows in [&by_reason, &by_line] {
        assert_eq!(rows.iter().filter(|r| !r.planned).map(|r| r.ms).sum::<i64>(), f.total.downtime_ms);
    }
    for r in by_line.iter().filter(|r| !r.planned) {
        assert_eq!(r.ms, f.lines[&r.line.unwrap()].downtime_ms);
    }
    assert_eq!(f.lines[&LineId(1)].planned_ms, (450 - 45) * MIN);
    // A stop still going on counts up to now only, as the figure does.
    let open = [StopCell { end: None, ..stop(9, 1, local(10, 12, 0), 0, None, false) }];
    let now = local(10, 12, 20);
    let rows = pareto(&Inputs { stops: &open, now, ..input.clone() }, ParetoBy::Reason);
    assert_eq!(rows, [row(None, None, false, 20, 1)]);
    assert_eq!(figures(&Inputs { stops: &open, now, ..input.clone() }).total.downtime_ms, 20 * MIN);

    // One level up the reason tree: mechanical (1) and electrical (2) failures are breakdowns ("Averías"); reason 4
    // has no category and stands on its own, as do the unclassified stops and the planned ones of reason 3.
    let reason = |id: i32, category: Option<&str>| super::ReasonRef {
        id: ReasonId(id),
        code: format!("R{id}"),
        name: format!("Reason {id}"),
        planned: id == 3,
        setup: false,
        colour: "#000000".into(),
        active: true,
        category: category.map(str::to_owned),
    };
    let reasons = [reason(1, Some("Averías")), reason(2, Some("Averías")), reason(3, Some("Plan")), reason(4, None)];
    let rows = [
        row(None, None, false, 40, 2),
        row(Some(2), None, false, 30, 1),
        row(Some(1), None, false, 20, 2),
        row(Some(4), None, false, 5, 1),
        row(Some(3), None, true, 45, 1),
    ];
    let tree = by_category(&rows, &reasons);
    let got: Vec<_> =
        tree.iter().map(|r| (r.category.as_deref(), r.reason.map(|r| r.0), r.planned, r.ms / MIN, r.stops)).collect();
    assert_eq!(
        got,
        [
            (Some("Averías"), None, false, 50, 3),
            (None, None, false, 40, 2),
            (None, Some(4), false, 5, 1),
            (Some("Plan"), None, true, 45, 1),
        ]
    );
    assert_eq!(tree.iter().map(|r| r.ms).sum::<i64>(), rows.iter().map(|r| r.ms).sum::<i64>(), "nothing lost");
}

proptest! {
    /// However units and stops fall, lines and slots add up to the whole, the products of a line that made
    /// something add up to it, and each product's figures are the same in every bucket.
    #[test]
    fn parts_add_up_to_the_whole(
        cells in proptest::collection::vec((1i32..4, 1i32..4, 0i64..(24 * 60), 1i64..500), 0..60),
        stops in proptest::collection::vec((1i32..4, 0i64..(24 * 60), 1i64..300, any::<bool>()), 0..8),
    ) {
        let from = local(10, 0, 0);
        let to = local(11, 0, 0);
        let output: Vec<OutputCell> = cells
            .iter()
            .map(|&(line, product, m, total)| cell(line, product, from + Duration::minutes(m), total, 1))
            .collect();
        let by_hour = hourly(&output);
        let stops: Vec<StopCell> = stops
            .iter()
            .enumerate()
            .map(|(i, &(line, m, len, planned))| StopCell {
                id: i as i64,
                line: LineId(line),
                start: from + Duration::minutes(m),
                end: Some(from + Duration::minutes(m + len)),
                planned,
                reason: None,
            })
            .collect();
        let run = |kind: Bucket, output: &[OutputCell]| {
            let (_, slots) = slots(kind, from, to, Mexico_City, &shifts());
            figures(&Inputs {
                first_units: &CONNECTED,
            micro: &[],
                shifts: &shifts(),
                tz: Mexico_City,
                windows: &[Span::new(from, to)],
                now: to,
                lines: &[LineId(1), LineId(2), LineId(3)],
                slots: &slots,
                stops: &stops,
                output,
                product: None,
            })
        };
        let f = run(Bucket::Hour, &by_hour);
        prop_assert_eq!(f.lines.values().copied().sum::<Totals>(), f.total);
        prop_assert_eq!(f.slots.iter().copied().sum::<Totals>(), f.total);
        let products: Totals = f.products.values().copied().sum();
        let made: Totals = f.lines.iter().filter(|(l, _)| output.iter().any(|c| c.line == **l)).map(|(_, t)| *t).sum();
        prop_assert_eq!(products, made);
        for (kind, cells) in [(Bucket::Minute, &output), (Bucket::Shift, &by_hour), (Bucket::Day, &output)] {
            let other = run(kind, cells);
            prop_assert_eq!(&other.products, &f.products, "{:?}", kind);
            prop_assert_eq!(other.slots.iter().copied().sum::<Totals>(), f.total, "{:?}", kind);
        }
        let o = f.total.oee();
        prop_assert!(o.availability.is_none_or(|a| (0.0..=1.0).contains(&a)));
        prop_assert!(o.quality.is_none_or(|q| (0.0..=1.0).contains(&q)));
    }
}

/// The six big losses of a morning computed by hand: 450 planned minutes by the calendar, a 30-minute planned stop,
/// a 40-minute breakdown, a 20-minute changeover, 30 minutes of micro-stops, 15,000 units at 1 s of which 600
/// rejected, 2 minutes of them at start-up. The waterfall ends at OEE × planned time.
#[test]
fn the_six_big_losses_go_from_the_calendar_to_fully_productive_time() {
    use std::collections::HashMap;
    let (from, to) = (local(10, 6, 0), local(10, 14, 0));
    let windows = [Span::new(from, to)];
    let (_, slots) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
    let stop = |id, start, end, planned, reason: Option<i32>| StopCell {
        id,
        line: LineId(1),
        start,
        end: Some(end),
        planned,
        reason: reason.map(ReasonId),
    };
    let stops = [
        stop(1, local(10, 7, 0), local(10, 7, 40), false, None),
        stop(2, local(10, 8, 0), local(10, 8, 20), false, Some(5)),
        stop(3, local(10, 12, 0), local(10, 12, 30), true, Some(6)),
    ];
    let output = [OutputCell {
        line: LineId(1),
        product: ProductId(7),
        at: local(10, 6, 0),
        total: 15_000,
        good: 14_400,
        ideal_ms: 15_000_000,
        minutes: 300,
        people_total: 0,
        people_good: 0,
    }];
    let micro = [MicroCell { line: LineId(1), hour: local(10, 9, 0), ms: 30 * MIN, stops: 45 }];
    let input = Inputs {
        first_units: &CONNECTED,
        micro: &micro,
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: local(11, 0, 0),
        lines: &[LineId(1)],
        slots: &slots,
        stops: &stops,
        output: &output,
        product: None,
    };
    let f = figures(&input);
    let startup = HashMap::from([(LineId(1), 2 * MIN)]);
    let (all, lines) = losses(&input, &f, &[ReasonId(5)], &startup);
    let m = |ms: i64| ms / MIN;
    assert_eq!(
        [all.scheduled_ms, all.planned_stops_ms, all.planned_ms, all.breakdowns_ms, all.setup_ms, all.run_ms].map(m),
        [450, 30, 420, 40, 20, 360]
    );
    assert_eq!(
        [all.minor_stops_ms, all.reduced_speed_ms, all.net_run_ms, all.startup_rejects_ms, all.production_rejects_ms]
            .map(m),
        [30, 80, 250, 2, 8]
    );
    assert_eq!(m(all.fully_productive_ms), 240);
    // It ends where OEE says: fully productive time is OEE × planned time.
    let oee = f.total.oee().oee.unwrap();
    assert!((all.fully_productive_ms as f64 - oee * all.planned_ms as f64).abs() < 1.0, "{oee}");
    // One breakdown: MTBF is the run time, MTTR its length.
    assert_eq!((all.breakdowns, all.mtbf_ms.map(m), all.mttr_ms.map(m)), (1, Some(360), Some(40)));
    assert_eq!(lines[&LineId(1)], all, "one line: the plant is that line");
}

/// A line starts at each stretch on shift and restarts where a stop without a planned reason ends; start-up windows
/// that overlap are one.
#[test]
fn start_up_windows_follow_shift_starts_and_stop_ends() {
    use super::super::calendar::Calendar;
    let (from, to) = (local(10, 5, 0), local(10, 14, 0));
    let windows = [Span::new(from, to)];
    let (_, slots) = slots(Bucket::Day, from, to, Mexico_City, &shifts());
    let stops = [
        StopCell {
            id: 1,
            line: LineId(1),
            start: local(10, 6, 0),
            end: Some(local(10, 6, 5)),
            planned: false,
            reason: None,
        },
        StopCell {
            id: 2,
            line: LineId(1),
            start: local(10, 9, 0),
            end: Some(local(10, 9, 30)),
            planned: false,
            reason: None,
        },
        StopCell {
            id: 3,
            line: LineId(1),
            start: local(10, 11, 0),
            end: Some(local(10, 11, 30)),
            planned: true,
            reason: None,
        },
    ];
    let input = Inputs {
        first_units: &CONNECTED,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: local(11, 0, 0),
        lines: &[LineId(1)],
        slots: &slots,
        stops: &stops,
        output: &[],
        product: None,
    };
    let cal = Calendar { shifts: shifts(), tz: Mexico_City };
    let got = merged_restarts(restarts(&input, &cal), &windows, local(11, 0, 0));
    // 05:00 is inside the night shift (22:00–06:00) that hands over to the morning at 06:00: no start there; the
    // night's stretch was cut by the span. The 06:05 stop end and the 09:30 one are restarts; the planned stop is not.
    assert_eq!(
        got,
        [
            (LineId(1), Span::new(local(10, 6, 5), local(10, 6, 15))),
            (LineId(1), Span::new(local(10, 9, 30), local(10, 9, 40))),
        ]
    );
}

/// A line's timeline on the 10th, 04:00 to 15:00: no data until its first unit at 06:15, a stop, the break, a stop
/// given a planned reason, off shift after 14:00; its running minutes are the figures' run time, its stopped minutes
/// their downtime. A line never connected is no data wherever time is planned.
#[test]
fn a_lines_timeline_is_its_availability_drawn_out() {
    use super::super::calendar::Calendar;
    use super::timeline::{LineState as S, timeline};
    let (from, to) = (local(10, 4, 0), local(10, 16, 0));
    let windows = [Span::new(from, to)];
    let (_, slots) = slots(Bucket::Hour, from, to, Mexico_City, &shifts());
    let first = BTreeMap::from([(LineId(1), local(10, 6, 15))]);
    let stop = |id, start, end, planned, reason| StopCell {
        id,
        line: LineId(1),
        start,
        end: Some(end),
        planned,
        reason: Some(ReasonId(reason)),
    };
    let stops =
        [stop(1, local(10, 8, 0), local(10, 8, 20), false, 3), stop(2, local(10, 12, 0), local(10, 12, 10), true, 4)];
    let input = Inputs {
        first_units: &first,
        micro: &[],
        shifts: &shifts(),
        tz: Mexico_City,
        windows: &windows,
        now: local(10, 15, 0),
        lines: &[LineId(1), LineId(2)],
        slots: &slots,
        stops: &stops,
        output: &[],
        product: None,
    };
    let cal = Calendar { shifts: shifts(), tz: Mexico_City };
    let all = timeline(&input, &cal);
    let seg = |s: &super::Segment| (s.start, s.end, s.state, s.reason.map(|r| r.0));
    let got: Vec<_> = all[&LineId(1)].iter().map(seg).collect();
    assert_eq!(
        got,
        vec![
            (local(10, 4, 0), local(10, 6, 15), S::NoData, None),
            (local(10, 6, 15), local(10, 8, 0), S::Running, None),
            (local(10, 8, 0), local(10, 8, 20), S::Stopped, Some(3)),
            (local(10, 8, 20), local(10, 10, 0), S::Running, None),
            (local(10, 10, 0), local(10, 10, 30), S::PlannedStop, None),
            (local(10, 10, 30), local(10, 12, 0), S::Running, None),
            (local(10, 12, 0), local(10, 12, 10), S::PlannedStop, Some(4)),
            (local(10, 12, 10), local(10, 14, 0), S::Running, None),
            (local(10, 14, 0), local(10, 15, 0), S::OffShift, None),
        ]
    );
    let f = figures(&input);
    let ms = |line: i32, state: S| all[&LineId(line)].iter().filter(|s| s.state == state).map(|s| s.ms()).sum::<i64>();
    assert_eq!(ms(1, S::Running), 405 * MIN);
    assert_eq!(ms(1, S::Running), f.lines[&LineId(1)].run_ms());
    assert_eq!(ms(1, S::Stopped), f.lines[&LineId(1)].downtime_ms);
    assert_eq!(ms(1, S::NoData), f.lines[&LineId(1)].no_data_ms);
    let never: Vec<_> = all[&LineId(2)].iter().map(seg).collect();
    assert_eq!(
        never,
        vec![
            (local(10, 4, 0), local(10, 10, 0), S::NoData, None),
            (local(10, 10, 0), local(10, 10, 30), S::PlannedStop, None),
            (local(10, 10, 30), local(10, 14, 0), S::NoData, None),
            (local(10, 14, 0), local(10, 15, 0), S::OffShift, None),
        ]
    );
}
