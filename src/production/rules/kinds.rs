//! The production area's vocabulary: the closed sets its data and screens name by text (widget kinds, dashboard
//! filters, role templates), each a [`TextEnum`](crate::codes::TextEnum) so stored text is decoded in one way and an
//! unknown value fails loudly instead of becoming a default or an empty dashboard.

use serde::{Deserialize, Serialize};

use crate::identity::rules::auth::Role;

/// A widget of the platform's catalog (`production_widgets.kind`; a test holds the two to the same list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetKind {
    KpiCards,
    ProductionOverTime,
    ProductDistribution,
    LineComparison,
    DowntimeTable,
    DowntimePareto,
}

crate::codes::text_enum!(WidgetKind "widget kind" {
    KpiCards => "kpi_cards", ProductionOverTime => "production_over_time", ProductDistribution => "product_distribution",
    LineComparison => "line_comparison", DowntimeTable => "downtime_table", DowntimePareto => "downtime_pareto",
});

/// What an area of a line is (`production_areas.kind`): where units enter, are worked, are inspected, or leave. A
/// line has exactly one output: the units counted there are its production (OEE, stops); the other areas' units
/// are kept for the drill-downs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Input,
    Process,
    Inspection,
    Output,
}

crate::codes::text_enum!(AreaKind "area kind" {
    Input => "input", Process => "process", Inspection => "inspection", Output => "output",
});

/// How a line's units are counted (`production_lines.counting`): by its machines' sensors (the batches they send),
/// or by people, whose MES stage facts on it are its units. The downtime job judges only sensor lines; the
/// dashboard says which figures came from which.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    #[default]
    Sensors,
    People,
}

crate::codes::text_enum!(Counting "line counting" {
    Sensors => "sensors", People => "people",
});

/// A filter a plant's dashboard can offer (`production_filters.key`). The table also allows `area`, which no
/// dashboard offers yet: a stored `area` row is skipped by name, not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterKey {
    DateRange,
    Line,
    Shift,
    Product,
}

crate::codes::text_enum!(FilterKey "dashboard filter" {
    DateRange => "date_range", Line => "line", Shift => "shift", Product => "product",
});

impl FilterKey {
    /// The filters a plant that has set none offers: the date range (required, the last 24 hours to start with),
    /// then line, shift and product. `(key, required, default value, options)`, as `production_filters` stores them.
    pub fn defaults() -> [(FilterKey, bool, serde_json::Value, serde_json::Value); 4] {
        use serde_json::json;
        [
            (FilterKey::DateRange, true, json!({"days_back": 1}), json!({"show_time": true})),
            (FilterKey::Line, false, json!({}), json!({})),
            (FilterKey::Shift, false, json!({}), json!({})),
            (FilterKey::Product, false, json!({}), json!({})),
        ]
    }
}

/// Whose dashboard template a person sees (`production_dashboards.role`): owners, managers and operators their
/// own, anyone else who may read production the viewer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Owner,
    Manager,
    Operator,
    Viewer,
}

crate::codes::text_enum!(Template "dashboard template" {
    Owner => "owner", Manager => "manager", Operator => "operator", Viewer => "viewer",
});

impl Template {
    /// The widgets a plant that has not set this template sees (and starts editing from): JSON as stored in
    /// `production_dashboards.widgets`. The demo plant stores these very ones.
    pub const fn default_widgets(self) -> &'static str {
        match self {
            Template::Manager => {
                r#"[
  {"kind": "kpi_cards", "x": 0, "y": 0, "w": 12, "h": 2,
   "params": {"figures": ["oee", "availability", "performance", "quality", "total", "good", "downtime"]}},
  {"kind": "production_over_time", "x": 0, "y": 2, "w": 8, "h": 4, "params": {"bucket": "hour"}},
  {"kind": "product_distribution", "x": 8, "y": 2, "w": 4, "h": 4, "params": {}},
  {"kind": "line_comparison", "x": 0, "y": 6, "w": 6, "h": 4, "params": {"figure": "oee"}},
  {"kind": "downtime_pareto", "x": 6, "y": 6, "w": 6, "h": 4, "params": {"by": "reason"}},
  {"kind": "downtime_table", "x": 0, "y": 10, "w": 12, "h": 4, "params": {"limit": 50}}
]"#
            }
            Template::Owner => {
                r#"[
  {"kind": "kpi_cards", "x": 0, "y": 0, "w": 12, "h": 2,
   "params": {"figures": ["oee", "availability", "performance", "quality", "total", "good", "downtime"]}},
  {"kind": "line_comparison", "x": 0, "y": 2, "w": 6, "h": 4, "params": {"figure": "oee"}},
  {"kind": "downtime_pareto", "x": 6, "y": 2, "w": 6, "h": 4, "params": {"by": "category"}},
  {"kind": "production_over_time", "x": 0, "y": 6, "w": 12, "h": 4, "params": {"bucket": "day"}}
]"#
            }
            Template::Operator => {
                r#"[
  {"kind": "kpi_cards", "x": 0, "y": 0, "w": 12, "h": 2, "params": {"figures": ["oee", "total", "good", "downtime"]}},
  {"kind": "downtime_table", "x": 0, "y": 2, "w": 12, "h": 6, "params": {"limit": 20}}
]"#
            }
            Template::Viewer => {
                r#"[
  {"kind": "kpi_cards", "x": 0, "y": 0, "w": 12, "h": 2,
   "params": {"figures": ["oee", "availability", "performance", "quality"]}},
  {"kind": "production_over_time", "x": 0, "y": 2, "w": 12, "h": 4, "params": {"bucket": "hour"}}
]"#
            }
        }
    }

    /// The template a role sees.
    pub const fn of(role: Role) -> Template {
        match role {
            Role::Owner => Template::Owner,
            Role::Manager => Template::Manager,
            Role::Operator => Template::Operator,
            _ => Template::Viewer,
        }
    }

    /// The role a template is named after (the settings page labels it so).
    pub const fn role(self) -> Role {
        match self {
            Template::Owner => Role::Owner,
            Template::Manager => Role::Manager,
            Template::Operator => Role::Operator,
            Template::Viewer => Role::Viewer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::TextEnum;

    fn round_trips<T: TextEnum + PartialEq + std::fmt::Debug + Serialize>() {
        for v in T::ALL {
            assert_eq!(T::decode(v.as_str()), Ok(*v));
            // The wire and the database spell a value the same way.
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(v.as_str()));
        }
        let err = T::decode("no_such_value").unwrap_err();
        assert_eq!((err.kind, err.value.as_str()), (T::KIND, "no_such_value"));
    }

    #[test]
    fn each_value_reads_back_and_an_unknown_one_is_an_error() {
        round_trips::<WidgetKind>();
        round_trips::<FilterKey>();
        round_trips::<Template>();
    }

    #[test]
    fn every_role_sees_a_template_and_a_template_names_its_role() {
        for t in Template::ALL {
            assert_eq!(Template::of(t.role()), t);
        }
        assert_eq!(Template::of(Role::Supply), Template::Viewer);
        assert_eq!(Template::of(Role::Admin), Template::Viewer);
    }
}
