//! The plant's configuration as an owner or manager edits it: lines, products, downtime reasons and each role's
//! dashboard, each checked whole here before anything is written, every problem named by its field. (The widgets'
//! parameters are checked against the widget catalog's JSON Schemas by the service, which reads them.)

use serde::{Deserialize, Serialize};

use super::dashboard::Widget;
use crate::codes::{ErrorCode, FieldError, check_text};

/// A line as edited (times in seconds, the target in percent: as people think of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineInput {
    /// Absent: a new line.
    pub id: Option<i32>,
    pub code: String,
    pub name: String,
    pub downtime_threshold_s: f64,
    pub micro_stop_s: f64,
    pub target_pct: f64,
    /// A checkbox: absent when unticked.
    #[serde(default)]
    pub active: bool,
}

/// A line checked: thresholds in milliseconds, target as a fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChecked {
    pub id: Option<i32>,
    pub code: String,
    pub name: String,
    pub downtime_threshold_ms: i32,
    pub micro_stop_ms: i32,
    pub target: f64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInput {
    pub id: Option<i32>,
    pub code: String,
    pub name: String,
    /// Seconds per unit at the ideal rate.
    pub ideal_cycle_s: f64,
    #[serde(default)]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonInput {
    pub id: Option<i32>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub planned: bool,
    /// `#rrggbb`.
    pub colour: String,
    #[serde(default)]
    pub active: bool,
}

fn text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    check_text(field, value, true, max).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    })
}

fn seconds_ms(field: &str, s: f64, min_ms: i64, max_ms: i64, errors: &mut Vec<FieldError>) -> i32 {
    let ms = (s * 1000.0).round();
    if !ms.is_finite() || ms < min_ms as f64 || ms > max_ms as f64 {
        errors.push(FieldError::new(field, ErrorCode::InvalidInput));
        return 0;
    }
    ms as i32
}

fn done<T>(value: T, errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
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
        },
        e,
    )
}

/// A product's code, name and ideal cycle (from 1 ms to a day); the cycle in milliseconds.
pub fn check_product(p: &ProductInput) -> Result<(String, String, i32), Vec<FieldError>> {
    let mut e = Vec::new();
    let code = text("code", &p.code, 40, &mut e);
    let name = text("name", &p.name, 120, &mut e);
    let cycle = seconds_ms("ideal_cycle_s", p.ideal_cycle_s, 1, 86_400_000, &mut e);
    done((code, name, cycle), e)
}

/// A reason's code, name and colour (`#rrggbb`, stored lower case).
pub fn check_reason(r: &ReasonInput) -> Result<(String, String, String), Vec<FieldError>> {
    let mut e = Vec::new();
    let code = text("code", &r.code, 40, &mut e);
    let name = text("name", &r.name, 120, &mut e);
    let colour = r.colour.trim().to_ascii_lowercase();
    if !(colour.len() == 7 && colour.starts_with('#') && colour[1..].bytes().all(|b| b.is_ascii_hexdigit())) {
        e.push(FieldError::new("colour", ErrorCode::InvalidInput));
    }
    done((code, name, colour), e)
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
    pub user_id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub lines: Vec<i32>,
}

/// A line as the settings page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineSetting {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub downtime_threshold_s: f64,
    pub micro_stop_s: f64,
    pub target_pct: f64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProductSetting {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub ideal_cycle_s: f64,
    pub active: bool,
}

/// A widget kind of the catalog, named in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WidgetKind {
    pub kind: String,
    pub name_es: String,
    pub name_en: String,
}

/// Everything the settings page edits.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    pub lines: Vec<LineSetting>,
    pub products: Vec<ProductSetting>,
    pub reasons: Vec<super::dashboard::ReasonRef>,
    pub operators: Vec<OperatorLines>,
    /// Each role's widgets, as pretty JSON.
    pub dashboards: Vec<(String, String)>,
    pub widgets: Vec<WidgetKind>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> LineInput {
        LineInput {
            id: None,
            code: " L4 ".into(),
            name: "Línea 4 · Pintura".into(),
            downtime_threshold_s: 180.0,
            micro_stop_s: 20.0,
            target_pct: 82.5,
            active: true,
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
            colour: "#A1B2C3".into(),
            active: true,
        };
        assert_eq!(check_reason(&r).unwrap().2, "#a1b2c3");
        assert_eq!(fields(check_reason(&ReasonInput { colour: "red".into(), ..r }).unwrap_err()), ["colour"]);
    }

    #[test]
    fn layouts_stay_inside_the_grid() {
        let w = |x, w| Widget { kind: "kpi_cards".into(), x, y: 0, w, h: 2, params: serde_json::json!({}) };
        assert!(check_layout(&[w(0, 12), Widget { kind: "downtime_table".into(), ..w(4, 8) }]).is_ok());
        assert_eq!(fields(check_layout(&[w(6, 8), w(0, 0)]).unwrap_err()), ["widgets[0]", "widgets[1]"]);
        assert_eq!(fields(check_layout(&[]).unwrap_err()), ["widgets"]);
        let other = Widget { kind: "downtime_table".into(), ..w(0, 12) };
        assert_eq!(fields(check_layout(&[w(0, 12), other, w(0, 6)]).unwrap_err()), ["widgets[2]"], "a kind twice");
    }
}
