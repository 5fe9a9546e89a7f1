//! What each widget kind takes as `params`: the widget catalog's JSON Schemas (`production_widgets.param_schema`) as
//! types. A dashboard is saved only when each widget's parameters read as its kind's; a store test holds these types
//! and the catalog's schemas to the same verdicts on the same inputs.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use super::super::kinds::WidgetKind;
use super::{Bucket, ParetoBy};

/// A figure the `kpi_cards` widget can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KpiFigure {
    Oee,
    Availability,
    Performance,
    Quality,
    Total,
    Good,
    Downtime,
}

/// A figure the `line_comparison` widget compares lines by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineFigure {
    Oee,
    Availability,
    Performance,
    Quality,
    Total,
}

/// The most rows a `downtime_table` widget may ask for.
pub const MAX_DOWNTIME_ROWS: u16 = 500;

/// A widget's parameters, read as its kind's (an optional one left out is `None`: the widget's default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetParams {
    KpiCards { figures: Vec<KpiFigure> },
    ProductionOverTime { bucket: Option<Bucket> },
    ProductDistribution,
    LineComparison { figure: Option<LineFigure> },
    DowntimeTable { limit: Option<u16> },
    DowntimePareto { by: Option<ParetoBy> },
}

impl WidgetParams {
    /// `params` read as `kind`'s: an object (`null` stands for `{}`) with only that kind's keys, each a value it
    /// allows. `None` when they are not.
    pub fn read(kind: WidgetKind, params: &serde_json::Value) -> Option<WidgetParams> {
        if !(params.is_object() || params.is_null()) {
            return None;
        }
        let empty = serde_json::Value::Object(serde_json::Map::new());
        let params = if params.is_null() { &empty } else { params };
        Some(match kind {
            WidgetKind::KpiCards => {
                let Kpi { figures } = parse(params)?;
                let unique = figures.iter().enumerate().all(|(i, f)| !figures[..i].contains(f));
                if figures.is_empty() || !unique {
                    return None;
                }
                WidgetParams::KpiCards { figures }
            }
            WidgetKind::ProductionOverTime => {
                WidgetParams::ProductionOverTime { bucket: parse::<OverTime>(params)?.bucket }
            }
            WidgetKind::ProductDistribution => {
                parse::<NoParams>(params)?;
                WidgetParams::ProductDistribution
            }
            WidgetKind::LineComparison => WidgetParams::LineComparison { figure: parse::<Compare>(params)?.figure },
            WidgetKind::DowntimeTable => {
                let limit = parse::<Table>(params)?.limit;
                if limit.is_some_and(|l| !(1..=MAX_DOWNTIME_ROWS).contains(&l)) {
                    return None;
                }
                WidgetParams::DowntimeTable { limit }
            }
            WidgetKind::DowntimePareto => WidgetParams::DowntimePareto { by: parse::<Pareto>(params)?.by },
        })
    }
}

/// The parameters a widget kind takes (each optional but `kpi_cards`' `figures`).
pub const fn param_names(kind: WidgetKind) -> &'static [&'static str] {
    match kind {
        WidgetKind::KpiCards => &["figures"],
        WidgetKind::ProductionOverTime => &["bucket"],
        WidgetKind::ProductDistribution => &[],
        WidgetKind::LineComparison => &["figure"],
        WidgetKind::DowntimeTable => &["limit"],
        WidgetKind::DowntimePareto => &["by"],
    }
}

/// Which parameter of `params` is wrong for `kind`, by name (`None` when they read as its): a key the kind does not
/// take, else the one it takes; `params` itself when they are no object.
pub fn wrong_param(kind: WidgetKind, params: &serde_json::Value) -> Option<String> {
    if WidgetParams::read(kind, params).is_some() {
        return None;
    }
    let names = param_names(kind);
    let Some(given) = params.as_object() else { return Some("params".to_owned()) };
    if let Some(k) = given.keys().find(|k| !names.contains(&k.as_str())) {
        return Some(k.clone());
    }
    Some(names.first().map_or("params", |n| *n).to_owned())
}

fn parse<T: DeserializeOwned>(params: &serde_json::Value) -> Option<T> {
    T::deserialize(params).ok()
}

/// An optional key that, when present, holds a value (`null` is not one: the schemas' enums do not list it).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Kpi {
    figures: Vec<KpiFigure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverTime {
    #[serde(default, deserialize_with = "present")]
    bucket: Option<Bucket>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Compare {
    #[serde(default, deserialize_with = "present")]
    figure: Option<LineFigure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default, deserialize_with = "present")]
    limit: Option<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pareto {
    #[serde(default, deserialize_with = "present")]
    by: Option<ParetoBy>,
}
