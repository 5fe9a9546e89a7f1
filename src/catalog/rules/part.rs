//! A part's page, the vehicle cascade and the admin overview, as the server sends them to the browser and the REST API.

use serde::{Deserialize, Serialize};

use super::kinds::{CrossRefKind, Fuel, QualityTier};
use crate::ids::{AftermarketId, PartId};
use crate::numbers::Money;

/// Vehicles a part fits, consecutive model years of one make, model, engine and position shown as one line
/// ("Toyota Hilux 2GD-FTV 2015–2020").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Fit {
    pub make: String,
    pub model: String,
    pub year_from: i16,
    pub year_to: i16,
    pub engine: String,
    pub displacement_l: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub fuel: Option<Fuel>,
    pub position: String,
    pub notes: String,
}

/// An aftermarket part that replaces the OEM part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Alternative {
    pub id: AftermarketId,
    pub brand: String,
    pub number: String,
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub tier: QualityTier,
    pub reference_price: Option<Money>,
}

/// Another number for the part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OtherNumber {
    pub number: String,
    pub source: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: CrossRefKind,
}

/// Everything the part page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PartDetail {
    pub id: PartId,
    pub number: String,
    pub manufacturer: String,
    pub name: String,
    pub description: String,
    pub group: Option<String>,
    pub fitment_count: i32,
    pub fits: Vec<Fit>,
    /// Best tier first, then brand.
    pub alternatives: Vec<Alternative>,
    pub other_numbers: Vec<OtherNumber>,
}

/// Merges vehicle rows into runs of consecutive years (rows sorted by make, model, engine, position, year).
pub fn merge_years(rows: Vec<Fit>) -> Vec<Fit> {
    let mut out: Vec<Fit> = Vec::with_capacity(rows.len());
    for row in rows {
        match out.last_mut() {
            Some(last)
                if last.make == row.make
                    && last.model == row.model
                    && last.engine == row.engine
                    && last.position == row.position
                    && last.fuel == row.fuel
                    && last.displacement_l == row.displacement_l
                    && last.notes == row.notes
                    && row.year_from <= last.year_to.saturating_add(1) =>
            {
                last.year_to = last.year_to.max(row.year_to);
            }
            _ => out.push(row),
        }
    }
    out
}

/// The cascade's choices for a selection: makes always, then models of the make, years of the model, engines of the
/// year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VehicleOptions {
    pub makes: Vec<String>,
    pub models: Vec<String>,
    pub years: Vec<i16>,
    pub engines: Vec<String>,
}

/// How many rows each catalog table holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogCounts {
    pub parts: i64,
    pub aftermarket: i64,
    pub vehicles: i64,
    pub fitment: i64,
    pub cross_refs: i64,
    pub manufacturers: i64,
    pub groups: i64,
    pub synonyms: i64,
}

/// An import, migration or generation, with its report (JSON as the run stored it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRun {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub actor: String,
    pub source: String,
    /// RFC 3339.
    pub started_at: String,
    pub finished_at: Option<String>,
    pub report: String,
}

/// One of the catalog's best-fitted parts, as the search box's examples draw on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamplePart {
    pub number: String,
    pub name: String,
    /// One aftermarket number that replaces it, if any.
    pub aftermarket: Option<String>,
    /// The model of one vehicle it fits, if any.
    pub model: Option<String>,
}

/// Searches to try, taken from the catalog that is loaded (an example that finds nothing teaches the wrong thing):
/// the best-fitted part's number, an aftermarket number replacing it, its name, and a vehicle with the next part's
/// first word ("hilux pastillas"). Repeats removed; none for an empty catalog.
pub fn search_examples(top: &[ExamplePart]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if !s.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
    };
    if let Some(first) = top.first() {
        push(first.number.clone());
        if let Some(a) = &first.aftermarket {
            push(a.clone());
        }
        push(first.name.to_lowercase());
    }
    if let Some(second) = top.get(1) {
        let word = second.name.split_whitespace().next().unwrap_or_default().to_lowercase();
        match &second.model.as_ref().or(top.first().and_then(|f| f.model.as_ref())) {
            Some(model) => push(format!("{} {word}", model.to_lowercase())),
            None => push(second.name.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_come_from_the_parts_given_without_repeats() {
        let part = |number: &str, name: &str, aftermarket: Option<&str>, model: Option<&str>| ExamplePart {
            number: number.into(),
            name: name.into(),
            aftermarket: aftermarket.map(Into::into),
            model: model.map(Into::into),
        };
        let top = [
            part("17173-DXFVC", "Tensor de banda", Some("T 43 100"), Some("Versa")),
            part("04465-0K290", "Pastillas de freno", None, Some("Hilux")),
        ];
        assert_eq!(search_examples(&top), ["17173-DXFVC", "T 43 100", "tensor de banda", "hilux pastillas"]);
        let no_vehicles = [part("A1", "Filtro", None, None), part("A2", "Filtro", None, None)];
        assert_eq!(search_examples(&no_vehicles), ["A1", "filtro"]);
        assert!(search_examples(&[]).is_empty());
    }

    fn fit(model: &str, from: i16, to: i16, position: &str) -> Fit {
        Fit {
            make: "Toyota".into(),
            model: model.into(),
            year_from: from,
            year_to: to,
            engine: "2GD-FTV".into(),
            displacement_l: Some("2.4".into()),
            fuel: Some(Fuel::Diesel),
            position: position.into(),
            notes: String::new(),
        }
    }

    #[test]
    fn consecutive_years_of_one_vehicle_become_one_line() {
        let merged = merge_years(vec![
            fit("Hilux", 2015, 2015, "delantera"),
            fit("Hilux", 2016, 2016, "delantera"),
            fit("Hilux", 2017, 2018, "delantera"),
            fit("Hilux", 2020, 2020, "delantera"),
            fit("Hilux", 2021, 2021, "trasera"),
            fit("Hiace", 2021, 2021, "trasera"),
        ]);
        let years: Vec<(String, i16, i16)> = merged.iter().map(|f| (f.model.clone(), f.year_from, f.year_to)).collect();
        assert_eq!(
            years,
            [
                ("Hilux".into(), 2015, 2018),
                ("Hilux".into(), 2020, 2020),
                ("Hilux".into(), 2021, 2021),
                ("Hiace".into(), 2021, 2021)
            ]
        );
        assert!(merge_years(Vec::new()).is_empty());
    }
}
