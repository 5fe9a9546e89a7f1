//! The plant's configuration as an owner or manager edits it: lines, products, downtime reasons and each role's
//! dashboard, each checked whole here before anything is written, every problem named by its field. (The widgets'
//! parameters are checked against the widget catalog's JSON Schemas by the service, which reads them.)

use crate::ids::{AreaId, LineId, PlannedStopId, ProductId, ReasonId, ShiftId, UserId};
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

pub use super::cycles::{LineCycleInput, LineCycleSetting, check_line_cycle};
use super::dashboard::Widget;
use super::kinds::{AreaKind, Counting, FilterKey, Template, WidgetKind};
use crate::codes::{ErrorCode, FieldError, check_text};

/// A line as edited (times in seconds, the target in percent: as people think of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineInput {
    /// Absent: a new line.
    pub id: Option<LineId>,
    pub code: String,
    pub name: String,
    pub downtime_threshold_s: f64,
    pub micro_stop_s: f64,
    pub target_pct: f64,
    /// A checkbox: absent when unticked.
    #[serde(default)]
    pub active: bool,
    /// Sensors unless chosen (a form from before the choice existed).
    #[serde(default)]
    pub counting: Counting,
}

/// A line checked: thresholds in milliseconds, target as a fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChecked {
    pub id: Option<LineId>,
    pub code: String,
    pub name: String,
    pub downtime_threshold_ms: i32,
    pub micro_stop_ms: i32,
    pub target: f64,
    pub active: bool,
    pub counting: Counting,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInput {
    pub id: Option<ProductId>,
    pub code: String,
    pub name: String,
    /// Seconds per unit at the ideal rate.
    pub ideal_cycle_s: f64,
    #[serde(default)]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonInput {
    pub id: Option<ReasonId>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub planned: bool,
    /// A set-up or changeover reason (a checkbox).
    #[serde(default)]
    pub setup: bool,
    /// `#rrggbb`.
    pub colour: String,
    #[serde(default)]
    pub active: bool,
    /// Its branch of the reason tree ("Averías"); blank: a reason on its own.
    #[serde(default)]
    pub category: String,
}

fn text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    check_text(field, value, true, max).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    })
}

pub(super) fn seconds_ms(field: &str, s: f64, min_ms: i64, max_ms: i64, errors: &mut Vec<FieldError>) -> i32 {
    let ms = (s * 1000.0).round();
    if !ms.is_finite() || ms < min_ms as f64 || ms > max_ms as f64 {
        errors.push(FieldError::new(field, ErrorCode::InvalidInput));
        return 0;
    }
    ms as i32
}

pub(super) fn done<T>(value: T, errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() { Ok(value) } else { Err(errors) }
}

/// A line's code and name, its thresholds (micro-stop from 1 s, under the downtime threshold, which is at most a day)
/// and its OEE target (above 0, at most 100 %).
pub fn check_line(l: &LineInput) -> Result<LineChecked, Vec<FieldError>> {
    let mut e = Vec::new();
    let code = text("code", &l.code, 40, &mut e);
    let name = text("name", &l.name, 120, &mut e);
    let downtime = seconds_ms("downtime_threshold_s", l.downtime_threshold_s, 2_000, 86_400_000, &mut e);
    let micro = seconds_ms("micro_stop_s", l.micro_stop_s, 1_000, 86_400_000, &mut e);
    if downtime > 0 && micro > 0 && micro >= downtime {
        e.push(FieldError::new("micro_stop_s", ErrorCode::InvalidInput));
    }
    // Kept to four decimals (numeric(5, 4)): checked as stored.
    let target = (l.target_pct / 100.0 * 10_000.0).round() / 10_000.0;
    if !(0.0001..=1.0).contains(&target) {
        e.push(FieldError::new("target_pct", ErrorCode::InvalidInput));
    }
    done(
        LineChecked {
            id: l.id,
            code,
            name,
            downtime_threshold_ms: downtime,
            micro_stop_ms: micro,
            target,
            active: l.active,
            counting: l.counting,
        },
        e,
    )
}

/// An area of a line as edited: where its units are counted (machines name it by its code in each unit they send).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaInput {
    /// Absent: a new area.
    pub id: Option<AreaId>,
    pub line_id: LineId,
    pub code: String,
    pub name: String,
    pub kind: AreaKind,
}

/// An area's code and name.
pub fn check_area(a: &AreaInput) -> Result<(String, String), Vec<FieldError>> {
    let mut e = Vec::new();
    let code = text("code", &a.code, 40, &mut e);
    let name = text("name", &a.name, 120, &mut e);
    done((code, name), e)
}

/// The areas a new line gets, each with its kind (codes `ENT`, `PRO`, `INS`, `SAL`; the plant renames them at will).
pub const NEW_LINE_AREAS: [(AreaKind, &str, &str); 4] = [
    (AreaKind::Input, "ENT", "Entrada"),
    (AreaKind::Process, "PRO", "Proceso"),
    (AreaKind::Inspection, "INS", "Inspección"),
    (AreaKind::Output, "SAL", "Salida"),
];

/// A product's code, name and ideal cycle (from 1 ms to a day); the cycle in milliseconds.
pub fn check_product(p: &ProductInput) -> Result<(String, String, i32), Vec<FieldError>> {
    let mut e = Vec::new();
    let code = text("code", &p.code, 40, &mut e);
    let name = text("name", &p.name, 120, &mut e);
    let cycle = seconds_ms("ideal_cycle_s", p.ideal_cycle_s, 1, 86_400_000, &mut e);
    done((code, name, cycle), e)
}

/// A reason as stored: code, name, colour (`#rrggbb`, lower case) and category (none when blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReason {
    pub code: String,
    pub name: String,
    pub colour: String,
    pub category: Option<String>,
}

/// A reason's code, name, colour and category.
pub fn check_reason(r: &ReasonInput) -> Result<CheckedReason, Vec<FieldError>> {
    let mut e = Vec::new();
    let code = text("code", &r.code, 40, &mut e);
    let name = text("name", &r.name, 120, &mut e);
    let category = match crate::codes::check_filter("category", Some(&r.category), 60) {
        Ok(c) => c,
        Err(f) => {
            e.push(f);
            None
        }
    };
    let colour = r.colour.trim().to_ascii_lowercase();
    if !(colour.len() == 7 && colour.starts_with('#') && colour[1..].bytes().all(|b| b.is_ascii_hexdigit())) {
        e.push(FieldError::new("colour", ErrorCode::InvalidInput));
    }
    done(CheckedReason { code, name, colour, category }, e)
}

/// A shift as edited: the days it starts on (ticked boxes), its local start and end (`HH:MM`; an end at or before the
/// start crosses midnight).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShiftInput {
    pub id: Option<ShiftId>,
    pub name: String,
    #[serde(default)]
    pub mon: bool,
    #[serde(default)]
    pub tue: bool,
    #[serde(default)]
    pub wed: bool,
    #[serde(default)]
    pub thu: bool,
    #[serde(default)]
    pub fri: bool,
    #[serde(default)]
    pub sat: bool,
    #[serde(default)]
    pub sun: bool,
    pub start: String,
    pub end: String,
}

impl ShiftInput {
    /// Bit 0 Monday … bit 6 Sunday, as stored.
    pub fn days(&self) -> u8 {
        [self.mon, self.tue, self.wed, self.thu, self.fri, self.sat, self.sun]
            .iter()
            .enumerate()
            .fold(0, |acc, (i, on)| if *on { acc | (1 << i) } else { acc })
    }
}

/// A shift checked: name, days, start and end.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftChecked {
    pub id: Option<ShiftId>,
    pub name: String,
    pub days: u8,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// A planned stop (a break, a meeting) as edited, inside shift `shift_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopInput {
    pub id: Option<PlannedStopId>,
    pub shift_id: ShiftId,
    pub name: String,
    pub start: String,
    pub end: String,
}

/// `HH:MM` (or `HH:MM:SS`, as some browsers send a time field).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M").or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S")).ok()
}

/// Minutes from `start` to `t`, going forward round the clock.
fn after(start: NaiveTime, t: NaiveTime) -> i64 {
    (t - start).num_minutes().rem_euclid(24 * 60)
}

/// A stop `[s, e)` inside the shift `[start, end)` (either may cross midnight) as minutes from the shift's start.
fn offsets(shift: (NaiveTime, NaiveTime), stop: (NaiveTime, NaiveTime)) -> (i64, i64, i64) {
    let length = match after(shift.0, shift.1) {
        0 => 24 * 60,
        n => n,
    };
    let from = after(shift.0, stop.0);
    let to = match after(shift.0, stop.1) {
        0 => 24 * 60,
        n => n,
    };
    (from, to, length)
}

/// Whether the stop lies wholly inside the shift.
pub fn stop_inside(shift: (NaiveTime, NaiveTime), stop: (NaiveTime, NaiveTime)) -> bool {
    let (from, to, length) = offsets(shift, stop);
    from < to && to <= length
}

/// A start and an end (`HH:MM`), each named when it is no time; whether both were read.
fn times(start: &str, end: &str, e: &mut Vec<FieldError>) -> (NaiveTime, NaiveTime, bool) {
    let (start, end) = (parse_time(start), parse_time(end));
    if start.is_none() {
        e.push(FieldError::new("start", ErrorCode::InvalidInput));
    }
    if end.is_none() {
        e.push(FieldError::new("end", ErrorCode::InvalidInput));
    }
    (start.unwrap_or_default(), end.unwrap_or_default(), start.is_some() && end.is_some())
}

/// A shift's name (up to 60), at least one day, start and end times that differ; and the planned stops it already
/// has (`stops`) still inside it, else `start` and `end` are named (move or remove the stops first).
pub fn check_shift(s: &ShiftInput, stops: &[(NaiveTime, NaiveTime)]) -> Result<ShiftChecked, Vec<FieldError>> {
    let mut e = Vec::new();
    let name = text("name", &s.name, 60, &mut e);
    let days = s.days();
    if days == 0 {
        e.push(FieldError::new("days", ErrorCode::InvalidInput));
    }
    let (start, end, read) = times(&s.start, &s.end, &mut e);
    if read {
        if start == end {
            e.push(FieldError::new("end", ErrorCode::InvalidInput));
        } else if stops.iter().any(|stop| !stop_inside((start, end), *stop)) {
            e.push(FieldError::new("start", ErrorCode::InvalidInput));
            e.push(FieldError::new("end", ErrorCode::InvalidInput));
        }
    }
    done(ShiftChecked { id: s.id, name, days, start, end }, e)
}

/// A planned stop's name (up to 60) and its span, wholly inside its shift (`shift`: start and end) and clear of the
/// shift's other stops (`others`).
pub fn check_stop(
    s: &StopInput,
    shift: (NaiveTime, NaiveTime),
    others: &[(NaiveTime, NaiveTime)],
) -> Result<(String, NaiveTime, NaiveTime), Vec<FieldError>> {
    let mut e = Vec::new();
    let name = text("name", &s.name, 60, &mut e);
    let (start, end, read) = times(&s.start, &s.end, &mut e);
    if read {
        if start == end || !stop_inside(shift, (start, end)) {
            e.push(FieldError::new("end", ErrorCode::InvalidInput));
        } else {
            let (from, to, _) = offsets(shift, (start, end));
            let clash = others.iter().any(|o| {
                let (f, t, _) = offsets(shift, *o);
                from < t && f < to
            });
            if clash {
                e.push(FieldError::new("start", ErrorCode::InvalidInput));
            }
        }
    }
    done((name, start, end), e)
}

/// A dashboard filter as edited: shown or not, where, required (the dashboard always has a value), and its default
/// (the date range's: `today`, `shift`, `24h`, `7d`, `30d`; the line's: a line's code; none for the others).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterInput {
    pub key: String,
    pub position: i16,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: String,
}

/// A filter checked: its key, position and flags, its default as stored (`{"range": …}`, `{"code": …}` or `{}`).
/// `lines` are the plant's line codes (a line's default names one of them).
pub fn check_filter(f: &FilterInput, lines: &[String]) -> Result<(FilterKey, i16, serde_json::Value), Vec<FieldError>> {
    let mut e = Vec::new();
    let key = FilterKey::parse(&f.key);
    if key.is_none() {
        e.push(FieldError::new("key", ErrorCode::InvalidInput));
    }
    if !(1..=99).contains(&f.position) {
        e.push(FieldError::new("position", ErrorCode::InvalidInput));
    }
    let default = f.default.trim();
    let value = match (key, default) {
        (_, "") => serde_json::json!({}),
        (Some(FilterKey::DateRange), r) => match super::dashboard::Range::parse(r) {
            Some(range) if range != super::dashboard::Range::Custom => serde_json::json!({ "range": r }),
            _ => {
                e.push(FieldError::new("default", ErrorCode::InvalidInput));
                serde_json::Value::Null
            }
        },
        (Some(FilterKey::Line), code) if lines.iter().any(|l| l == code) => serde_json::json!({ "code": code }),
        _ => {
            e.push(FieldError::new("default", ErrorCode::InvalidInput));
            serde_json::Value::Null
        }
    };
    // The date range is always there: a dashboard's figures are of a span.
    if key == Some(FilterKey::DateRange) && !f.enabled {
        e.push(FieldError::new("enabled", ErrorCode::InvalidInput));
    }
    match key {
        Some(key) => done((key, f.position, value), e),
        None => Err(e),
    }
}

/// The most widgets a dashboard holds.
pub const MAX_WIDGETS: usize = 24;

/// A dashboard's layout: at most [`MAX_WIDGETS`], each kind once, each inside the 12-column grid (`x + w ≤ 12`, height 1 to 12, rows
/// up to 100). Which kinds exist and what parameters they take is the catalog's to say.
pub fn check_layout(widgets: &[Widget]) -> Result<(), Vec<FieldError>> {
    let mut e = Vec::new();
    if widgets.is_empty() || widgets.len() > MAX_WIDGETS {
        e.push(FieldError::new("widgets", ErrorCode::InvalidInput));
    }
    for (i, w) in widgets.iter().enumerate() {
        // Each kind once: a dashboard shows one of each (their charts are named by kind on the page).
        let repeated = widgets[..i].iter().any(|o| o.kind == w.kind);
        if repeated || w.w == 0 || w.w > 12 || u16::from(w.x) + u16::from(w.w) > 12 || w.h == 0 || w.h > 12 || w.y > 100
        {
            e.push(FieldError::new(&format!("widgets[{i}]"), ErrorCode::InvalidInput));
        }
    }
    done((), e)
}

/// An operator and the lines they work on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OperatorLines {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub lines: Vec<LineId>,
}

/// A line as the settings page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineSetting {
    pub id: LineId,
    pub code: String,
    pub name: String,
    pub downtime_threshold_s: f64,
    pub micro_stop_s: f64,
    pub target_pct: f64,
    pub active: bool,
    #[serde(default)]
    pub counting: Counting,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProductSetting {
    pub id: ProductId,
    pub code: String,
    pub name: String,
    pub ideal_cycle_s: f64,
    pub active: bool,
}

/// A widget kind of the catalog, named in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WidgetEntry {
    pub kind: WidgetKind,
    pub name_es: String,
    pub name_en: String,
}

/// The plant as a whole: the time zone its shifts, planned stops, days and figures are in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantInput {
    /// An IANA name, e.g. `America/Mexico_City`, `America/Bogota`, `Europe/Madrid`.
    pub time_zone: String,
}

/// The plant's zone, checked: an IANA name the zone database knows (as it spells it), else `time_zone_unknown`.
pub fn check_plant(input: &PlantInput) -> Result<chrono_tz::Tz, Vec<FieldError>> {
    let name = input.time_zone.trim();
    if name.is_empty() {
        return Err(vec![FieldError::new("time_zone", ErrorCode::Required)]);
    }
    name.parse::<chrono_tz::Tz>().map_err(|_| vec![FieldError::new("time_zone", ErrorCode::TimeZoneUnknown)])
}

/// The zones a plant picks from first (the Americas, Spain, UTC): any other IANA name is accepted as well.
pub fn usual_time_zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.starts_with("America/") || matches!(*n, "Europe/Madrid" | "Atlantic/Canary" | "UTC"))
}

/// A shift as the settings page shows it, with its planned stops (times `HH:MM`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShiftSetting {
    pub id: ShiftId,
    pub name: String,
    /// Bit 0 Monday … bit 6 Sunday.
    pub days: u8,
    pub start: String,
    pub end: String,
    pub stops: Vec<StopSetting>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StopSetting {
    pub id: PlannedStopId,
    pub name: String,
    pub start: String,
    pub end: String,
}

/// A dashboard filter as the settings page shows it (every key, the ones the plant has no row for switched off).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FilterSetting {
    pub key: FilterKey,
    pub position: i16,
    pub enabled: bool,
    pub required: bool,
    /// The default as edited: a range, a line's code, or empty.
    pub default: String,
}

/// A dashboard query of the plant's log, as its owner reads it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueryLogEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who asked (name and e-mail); none for an API key.
    pub who: Option<String>,
    pub query: String,
    /// The filters it was asked with (those set), their values as people read them: names for ids, times in the
    /// plant's zone.
    pub filters: Vec<LoggedFilter>,
    pub duration_ms: i32,
}

/// One filter of a logged query: its key (`range`, `from`, `line`…) and its value in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoggedFilter {
    pub key: String,
    pub value: String,
}

/// A logged query's filters (its JSON) as [`LoggedFilter`]s: nulls left out; `from` and `to` in the plant's zone
/// with the offset said (`2026-11-23 06:00 (UTC−6)`); a line, product or shift by its name (`name_of(key, id)`), or
/// its id when it no longer has one.
pub fn logged_filters(
    filters: &serde_json::Value,
    tz: chrono_tz::Tz,
    name_of: impl Fn(&str, i64) -> Option<String>,
) -> Vec<LoggedFilter> {
    use chrono::Offset;
    let Some(map) = filters.as_object() else {
        return vec![LoggedFilter { key: "filters".into(), value: filters.to_string() }];
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let value = match (k.as_str(), v) {
                ("from" | "to", serde_json::Value::String(s)) => match chrono::DateTime::parse_from_rfc3339(s) {
                    Ok(at) => {
                        let local = at.with_timezone(&tz);
                        let offset = crate::numbers::utc_offset(local.offset().fix().local_minus_utc());
                        format!("{} ({offset})", local.format("%Y-%m-%d %H:%M"))
                    }
                    Err(_) => s.clone(),
                },
                (key @ ("line" | "product" | "shift"), serde_json::Value::Number(n)) => {
                    let id = n.as_i64().unwrap_or_default();
                    name_of(key, id).unwrap_or_else(|| format!("#{id}"))
                }
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            LoggedFilter { key: k.clone(), value }
        })
        .collect()
}

/// A page of the query log, newest first, with the last day's count and timings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueryLog {
    pub entries: crate::paging::Page<QueryLogEntry>,
    pub day_count: i64,
    pub day_p50_ms: Option<f64>,
    pub day_p95_ms: Option<f64>,
}

/// An area as the settings page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaSetting {
    pub id: AreaId,
    pub line_id: LineId,
    /// Its line's code.
    pub line: String,
    pub code: String,
    pub name: String,
    pub kind: AreaKind,
}

/// Everything the settings page edits.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// The plant's time zone (IANA): shift times and days are read in it.
    pub time_zone: String,
    pub lines: Vec<LineSetting>,
    /// Every line's areas, by line and code.
    pub areas: Vec<AreaSetting>,
    pub products: Vec<ProductSetting>,
    /// The lines' own rates for products, by line and product.
    pub line_cycles: Vec<LineCycleSetting>,
    pub reasons: Vec<super::dashboard::ReasonRef>,
    pub shifts: Vec<ShiftSetting>,
    pub filters: Vec<FilterSetting>,
    pub operators: Vec<OperatorLines>,
    /// Each template's widgets, as pretty JSON.
    pub dashboards: Vec<(Template, String)>,
    pub widgets: Vec<WidgetEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_filters_read_as_names_and_plant_times() {
        let json = serde_json::json!({
            "bucket": "hour", "from": "2026-11-23T12:00:00Z", "line": 4, "product": null, "shift": 9, "range": "today"
        });
        let got = logged_filters(&json, chrono_tz::America::Mexico_City, |key, id| {
            (key == "line" && id == 4).then(|| "L04 · Empaque".to_owned())
        });
        let flat: Vec<(&str, &str)> = got.iter().map(|f| (f.key.as_str(), f.value.as_str())).collect();
        assert_eq!(
            flat,
            [
                ("bucket", "hour"),
                ("from", "2026-11-23 06:00 (UTC−6)"),
                ("line", "L04 · Empaque"),
                ("range", "today"),
                ("shift", "#9"),
            ]
        );
    }

    #[test]
    fn a_plant_zone_is_an_iana_name_the_database_knows() {
        let zone = |z: &str| check_plant(&PlantInput { time_zone: z.into() }).map(|tz| tz.name());
        assert_eq!(zone(" America/Bogota "), Ok("America/Bogota"));
        assert_eq!(zone("Europe/Madrid"), Ok("Europe/Madrid"));
        let code = |z: &str| check_plant(&PlantInput { time_zone: z.into() }).unwrap_err()[0].code;
        assert_eq!(code(""), ErrorCode::Required);
        assert_eq!(code("Mexico City"), ErrorCode::TimeZoneUnknown);
        assert_eq!(code("America/Gotham"), ErrorCode::TimeZoneUnknown);
        let usual: Vec<_> = usual_time_zones().collect();
        assert!(usual.contains(&"America/Mexico_City") && usual.contains(&"America/Argentina/Buenos_Aires"));
        assert!(!usual.contains(&"Asia/Tokyo"));
        assert!(usual.contains(&"America/Bogota") && usual.contains(&"UTC") && usual.len() > 100, "{}", usual.len());
    }

    fn line() -> LineInput {
        LineInput {
            id: None,
            code: " L4 ".into(),
            name: "Línea 4 · Pintura".into(),
            downtime_threshold_s: 180.0,
            micro_stop_s: 20.0,
            target_pct: 82.5,
            active: true,
            counting: Counting::Sensors,
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_line_is_checked_whole_and_kept_in_milliseconds() {
        let l = check_line(&line()).unwrap();
        assert_eq!(
            (l.code.as_str(), l.downtime_threshold_ms, l.micro_stop_ms, l.target),
            ("L4", 180_000, 20_000, 0.825)
        );
        let bad = LineInput { code: " ".into(), micro_stop_s: 200.0, target_pct: 0.0, ..line() };
        assert_eq!(fields(check_line(&bad).unwrap_err()), ["code", "micro_stop_s", "target_pct"]);
        let bad = LineInput { downtime_threshold_s: f64::NAN, target_pct: 101.0, ..line() };
        assert_eq!(fields(check_line(&bad).unwrap_err()), ["downtime_threshold_s", "target_pct"]);
        // A target that would be stored as 0 is refused, not a database error.
        assert_eq!(fields(check_line(&LineInput { target_pct: 0.004, ..line() }).unwrap_err()), ["target_pct"]);
    }

    #[test]
    fn products_and_reasons() {
        let p =
            ProductInput { id: None, code: "P-1".into(), name: "Soporte".into(), ideal_cycle_s: 1.25, active: true };
        assert_eq!(check_product(&p).unwrap().2, 1250);
        assert_eq!(fields(check_product(&ProductInput { ideal_cycle_s: 0.0, ..p }).unwrap_err()), ["ideal_cycle_s"]);
        let r = ReasonInput {
            id: None,
            code: "LIMPIEZA".into(),
            name: "Limpieza".into(),
            planned: true,
            setup: false,
            colour: "#A1B2C3".into(),
            active: true,
            category: "  ".into(),
        };
        assert_eq!(check_reason(&r).unwrap().colour, "#a1b2c3");
        assert_eq!(check_reason(&r).unwrap().category, None, "blank: a reason on its own");
        let branch = ReasonInput { category: " Averías ".into(), ..r.clone() };
        assert_eq!(check_reason(&branch).unwrap().category.as_deref(), Some("Averías"));
        let long = ReasonInput { category: "x".repeat(61), ..r.clone() };
        assert_eq!(fields(check_reason(&long).unwrap_err()), ["category"]);
        assert_eq!(fields(check_reason(&ReasonInput { colour: "red".into(), ..r }).unwrap_err()), ["colour"]);
    }

    #[test]
    fn layouts_stay_inside_the_grid() {
        let w = |x, w| Widget { kind: WidgetKind::KpiCards, x, y: 0, w, h: 2, params: serde_json::json!({}) };
        assert!(check_layout(&[w(0, 12), Widget { kind: WidgetKind::DowntimeTable, ..w(4, 8) }]).is_ok());
        assert_eq!(fields(check_layout(&[w(6, 8), w(0, 0)]).unwrap_err()), ["widgets[0]", "widgets[1]"]);
        assert_eq!(fields(check_layout(&[]).unwrap_err()), ["widgets"]);
        let other = Widget { kind: WidgetKind::DowntimeTable, ..w(0, 12) };
        assert_eq!(fields(check_layout(&[w(0, 12), other, w(0, 6)]).unwrap_err()), ["widgets[2]"], "a kind twice");
    }

    fn t(s: &str) -> NaiveTime {
        parse_time(s).unwrap()
    }

    fn night() -> ShiftInput {
        ShiftInput {
            id: None,
            name: "Nocturno".into(),
            mon: true,
            fri: true,
            sun: true,
            start: "22:00".into(),
            end: "06:00:00".into(),
            ..ShiftInput::default()
        }
    }

    #[test]
    fn shifts_take_days_and_may_cross_midnight() {
        let s = check_shift(&night(), &[(t("02:00"), t("02:30"))]).unwrap();
        assert_eq!((s.days, s.start, s.end), (0b101_0001, t("22:00"), t("06:00")));
        // Ending at midnight is a shift too.
        assert!(check_shift(&ShiftInput { start: "16:00".into(), end: "00:00".into(), ..night() }, &[]).is_ok());
        let bad = ShiftInput { name: "".into(), mon: false, fri: false, sun: false, start: "25:00".into(), ..night() };
        assert_eq!(fields(check_shift(&bad, &[]).unwrap_err()), ["name", "days", "start"]);
        assert_eq!(fields(check_shift(&ShiftInput { end: "22:00".into(), ..night() }, &[]).unwrap_err()), ["end"]);
        // Moved so that its break falls outside it: refused until the break moves.
        let day = ShiftInput { start: "06:00".into(), end: "14:00".into(), ..night() };
        assert_eq!(fields(check_shift(&day, &[(t("02:00"), t("02:30"))]).unwrap_err()), ["start", "end"]);
    }

    #[test]
    fn planned_stops_lie_inside_their_shift_and_clear_of_each_other() {
        let stop = |start: &str, end: &str| StopInput {
            id: None,
            shift_id: ShiftId(1),
            name: "Cena".into(),
            start: start.into(),
            end: end.into(),
        };
        let night = (t("22:00"), t("06:00"));
        assert!(check_stop(&stop("02:00", "02:30"), night, &[]).is_ok());
        assert!(check_stop(&stop("23:45", "00:15"), night, &[]).is_ok(), "across midnight inside the shift");
        assert!(check_stop(&stop("05:30", "06:00"), night, &[]).is_ok(), "up to the shift's end");
        assert_eq!(fields(check_stop(&stop("06:00", "06:30"), night, &[]).unwrap_err()), ["end"], "after it");
        assert_eq!(fields(check_stop(&stop("21:30", "22:30"), night, &[]).unwrap_err()), ["end"], "astride its start");
        assert_eq!(fields(check_stop(&stop("03:00", "02:00"), night, &[]).unwrap_err()), ["end"], "backwards");
        let others = [(t("02:00"), t("02:30"))];
        assert_eq!(fields(check_stop(&stop("02:15", "02:45"), night, &others).unwrap_err()), ["start"]);
        assert!(check_stop(&stop("02:30", "02:45"), night, &others).is_ok(), "touching is not overlapping");
        assert_eq!(
            fields(check_stop(&StopInput { name: " ".into(), ..stop("x", "") }, night, &[]).unwrap_err()),
            ["name", "start", "end"]
        );
    }

    #[test]
    fn filters_keep_a_known_default() {
        let lines = ["L1".to_owned(), "L2".to_owned()];
        let f = |key: &str, default: &str| FilterInput {
            key: key.into(),
            position: 2,
            enabled: true,
            required: false,
            default: default.into(),
        };
        assert_eq!(check_filter(&f("date_range", "7d"), &lines).unwrap().2, serde_json::json!({ "range": "7d" }));
        assert_eq!(check_filter(&f("line", "L2"), &lines).unwrap().2, serde_json::json!({ "code": "L2" }));
        assert_eq!(check_filter(&f("shift", ""), &lines).unwrap().2, serde_json::json!({}));
        assert_eq!(fields(check_filter(&f("line", "L9"), &lines).unwrap_err()), ["default"]);
        assert_eq!(fields(check_filter(&f("date_range", "custom"), &lines).unwrap_err()), ["default"]);
        assert_eq!(fields(check_filter(&f("product", "P1"), &lines).unwrap_err()), ["default"]);
        assert_eq!(fields(check_filter(&f("area", ""), &lines).unwrap_err()), ["key"]);
        let off = FilterInput { enabled: false, position: 0, ..f("date_range", "") };
        assert_eq!(fields(check_filter(&off, &lines).unwrap_err()), ["position", "enabled"]);
    }
}
