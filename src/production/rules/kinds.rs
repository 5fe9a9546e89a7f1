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
