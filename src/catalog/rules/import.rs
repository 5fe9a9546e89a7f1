//! The catalog import files: one CSV file per entity (UTF-8, header row, columns in any order), and the rules a row
//! must meet. Reading the bytes is the service's job; here a row arrives as its fields by column and leaves as a typed
//! row or the reason it is rejected. The formats are documented in the README ("Catalog import files").

use serde::{Deserialize, Serialize};

use super::kinds::{CrossRefKind, Fuel, QualityTier};
use super::legacy::manufacturer_key;
use super::number::PartNumber;

/// The entities, in the order an import loads them (each may refer to those before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Parts,
    Vehicles,
    Fitment,
    Aftermarket,
    CrossRefs,
}

impl Entity {
    pub const ALL: [Entity; 5] =
        [Entity::Parts, Entity::Vehicles, Entity::Fitment, Entity::Aftermarket, Entity::CrossRefs];

    pub const fn as_str(self) -> &'static str {
        match self {
            Entity::Parts => "parts",
            Entity::Vehicles => "vehicles",
            Entity::Fitment => "fitment",
            Entity::Aftermarket => "aftermarket",
            Entity::CrossRefs => "cross_refs",
        }
    }

    /// The file an import folder holds for this entity.
    pub fn file_name(self) -> String {
        format!("{}.csv", self.as_str())
    }

    /// Its columns: (name, required). Optional columns may be absent from the header.
    pub const fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            Entity::Parts => {
                &[("manufacturer", true), ("number", true), ("name", true), ("group", false), ("description", false)]
            }
            Entity::Vehicles => &[
                ("code", true),
                ("make", true),
                ("model", true),
                ("year_from", true),
                ("year_to", true),
                ("engine", false),
                ("displacement_l", false),
                ("fuel", false),
            ],
            Entity::Fitment => &[
                ("manufacturer", true),
                ("number", true),
                ("vehicle_code", true),
                ("position", false),
                ("notes", false),
            ],
            Entity::Aftermarket => &[
                ("manufacturer", true),
                ("number", true),
                ("name", true),
                ("tier", true),
                ("reference_price", false),
                ("currency", false),
                ("oem_manufacturer", true),
                ("oem_number", true),
            ],
            Entity::CrossRefs => {
                &[("oem_manufacturer", true), ("oem_number", true), ("number", true), ("source", false), ("kind", true)]
            }
        }
    }
}

/// Why a row is rejected (the rest of the file still loads; the report lists each with its line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RowProblem {
    /// A required value is empty.
    Missing { column: String },
    /// Longer than the column allows.
    TooLong { column: String, max: usize },
    /// Not a part number (only separators, or control characters).
    InvalidNumber { column: String },
    /// Not a whole number, or not a non-negative amount.
    NotANumber { column: String },
    /// Not one of the values the column accepts.
    UnknownValue { column: String, value: String },
    /// Years outside 1900–2100 or ending before they start.
    InvalidYears,
    /// A later line of the same file has the same key; the last one wins.
    Duplicate { key: String },
    /// A part, vehicle or manufacturer the row refers to is in neither the catalog nor this import.
    UnknownReference { what: String, key: String },
}

/// A rejected row: the file's line (1 is the header) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    pub line: u64,
    #[serde(flatten)]
    pub problem: RowProblem,
}

/// A row's fields by column name; absent optional columns read as empty.
pub trait Fields {
    fn get(&self, column: &str) -> &str;
}

fn text(f: &impl Fields, column: &str, required: bool, max: usize) -> Result<String, RowProblem> {
    let value = f.get(column).split_whitespace().collect::<Vec<_>>().join(" ");
    if required && value.is_empty() {
        return Err(RowProblem::Missing { column: column.into() });
    }
    if value.chars().count() > max {
        return Err(RowProblem::TooLong { column: column.into(), max });
    }
    Ok(value)
}

fn number(f: &impl Fields, column: &str) -> Result<PartNumber, RowProblem> {
    PartNumber::parse(f.get(column)).map_err(|code| match code {
        crate::codes::ErrorCode::Required => RowProblem::Missing { column: column.into() },
        crate::codes::ErrorCode::TooLong => {
            RowProblem::TooLong { column: column.into(), max: super::number::NUMBER_MAX_CHARS }
        }
        _ => RowProblem::InvalidNumber { column: column.into() },
    })
}

/// A manufacturer as rows name it: display name and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManufacturerRef {
    pub name: String,
    pub key: String,
}

fn manufacturer(f: &impl Fields, column: &str) -> Result<ManufacturerRef, RowProblem> {
    let name = text(f, column, true, 80)?;
    Ok(ManufacturerRef { key: manufacturer_key(&name), name })
}

/// A group path as the files write it ("Frenos > Pastillas" or "Frenos › Pastillas"), as its segments.
pub fn group_path(raw: &str) -> Vec<String> {
    raw.split(['>', '›', '/'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The separator group paths are stored with.
pub const GROUP_SEPARATOR: &str = " › ";

#[derive(Debug, Clone, PartialEq)]
pub struct PartRow {
    pub manufacturer: ManufacturerRef,
    pub number: PartNumber,
    pub name: String,
    /// Segments, root first; empty when the part has no group.
    pub group: Vec<String>,
    pub description: String,
}

pub fn part_row(f: &impl Fields) -> Result<PartRow, RowProblem> {
    let group = group_path(&text(f, "group", false, 400)?);
    if group.iter().any(|g| g.chars().count() > 80) {
        return Err(RowProblem::TooLong { column: "group".into(), max: 80 });
    }
    Ok(PartRow {
        manufacturer: manufacturer(f, "manufacturer")?,
        number: number(f, "number")?,
        name: text(f, "name", true, 200)?,
        group,
        description: text(f, "description", false, 2000)?,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehicleRow {
    pub code: String,
    pub make: String,
    pub model: String,
    pub year_from: i16,
    pub year_to: i16,
    pub engine: String,
    /// Litres with one decimal, as tenths (2.5 L → 25), so the row stays exact.
    pub displacement_dl: Option<i16>,
    pub fuel: Option<Fuel>,
}

fn year(f: &impl Fields, column: &str) -> Result<i16, RowProblem> {
    let raw = text(f, column, true, 4)?;
    raw.parse::<i16>().map_err(|_| RowProblem::NotANumber { column: column.into() })
}

pub fn vehicle_row(f: &impl Fields) -> Result<VehicleRow, RowProblem> {
    let code = text(f, "code", true, 40)?;
    let make = text(f, "make", true, 60)?;
    let model = text(f, "model", true, 80)?;
    let (year_from, year_to) = (year(f, "year_from")?, year(f, "year_to")?);
    if !(1900..=2100).contains(&year_from) || !(year_from..=2100).contains(&year_to) {
        return Err(RowProblem::InvalidYears);
    }
    let engine = text(f, "engine", false, 60)?;
    let raw = text(f, "displacement_l", false, 5)?;
    let displacement_dl = if raw.is_empty() {
        None
    } else {
        let litres: f64 = raw
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|l: &f64| l.is_finite() && *l > 0.0 && *l < 100.0)
            .ok_or_else(|| RowProblem::NotANumber { column: "displacement_l".into() })?;
        Some((litres * 10.0).round() as i16)
    };
    let raw = text(f, "fuel", false, 20)?;
    let fuel = if raw.is_empty() {
        None
    } else {
        Some(Fuel::parse(&raw.to_lowercase()).ok_or(RowProblem::UnknownValue { column: "fuel".into(), value: raw })?)
    };
    Ok(VehicleRow { code, make, model, year_from, year_to, engine, displacement_dl, fuel })
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitmentRow {
    pub manufacturer: ManufacturerRef,
    pub number: PartNumber,
    pub vehicle_code: String,
    pub position: String,
    pub notes: String,
}

pub fn fitment_row(f: &impl Fields) -> Result<FitmentRow, RowProblem> {
    Ok(FitmentRow {
        manufacturer: manufacturer(f, "manufacturer")?,
        number: number(f, "number")?,
        vehicle_code: text(f, "vehicle_code", true, 40)?,
        position: text(f, "position", false, 60)?,
        notes: text(f, "notes", false, 500)?,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct AftermarketRow {
    pub manufacturer: ManufacturerRef,
    pub number: PartNumber,
    pub name: String,
    pub tier: QualityTier,
    /// In cents, so the row stays exact.
    pub reference_price_cents: Option<i64>,
    pub currency: String,
    pub oem_manufacturer: ManufacturerRef,
    pub oem_number: PartNumber,
}

/// A reference price as catalogs write it: "1234.50", "1234,50", "1,234.50", "1.234,50", "$ 45" (`crate::numbers`).
/// Never negative.
pub fn price_cents(raw: &str) -> Option<i64> {
    crate::numbers::parse(raw, None)
        .ok()
        .filter(|d| !d.is_negative())
        .and_then(crate::numbers::Decimal::to_cents)
        .filter(|c| *c < 10_000_000_000)
}

pub fn aftermarket_row(f: &impl Fields) -> Result<AftermarketRow, RowProblem> {
    let raw_tier = text(f, "tier", true, 20)?;
    let tier = QualityTier::parse(&raw_tier.to_lowercase())
        .ok_or(RowProblem::UnknownValue { column: "tier".into(), value: raw_tier })?;
    let raw_price = text(f, "reference_price", false, 20)?;
    let reference_price_cents = if raw_price.is_empty() {
        None
    } else {
        Some(price_cents(&raw_price).ok_or(RowProblem::NotANumber { column: "reference_price".into() })?)
    };
    let currency = text(f, "currency", false, 3)?.to_uppercase();
    let currency = if currency.is_empty() { "MXN".to_owned() } else { currency };
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(RowProblem::UnknownValue { column: "currency".into(), value: currency });
    }
    Ok(AftermarketRow {
        manufacturer: manufacturer(f, "manufacturer")?,
        number: number(f, "number")?,
        name: text(f, "name", true, 200)?,
        tier,
        reference_price_cents,
        currency,
        oem_manufacturer: manufacturer(f, "oem_manufacturer")?,
        oem_number: number(f, "oem_number")?,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct CrossRefRow {
    pub oem_manufacturer: ManufacturerRef,
    pub oem_number: PartNumber,
    pub number: PartNumber,
    pub source: String,
    pub kind: CrossRefKind,
}

pub fn cross_ref_row(f: &impl Fields) -> Result<CrossRefRow, RowProblem> {
    let raw_kind = text(f, "kind", true, 20)?;
    let kind = CrossRefKind::parse(&raw_kind.to_lowercase())
        .ok_or(RowProblem::UnknownValue { column: "kind".into(), value: raw_kind })?;
    Ok(CrossRefRow {
        oem_manufacturer: manufacturer(f, "oem_manufacturer")?,
        oem_number: number(f, "oem_number")?,
        number: number(f, "number")?,
        source: text(f, "source", false, 80)?,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Row(HashMap<&'static str, &'static str>);

    impl Fields for Row {
        fn get(&self, column: &str) -> &str {
            self.0.get(column).copied().unwrap_or("")
        }
    }

    fn row(pairs: &[(&'static str, &'static str)]) -> Row {
        Row(pairs.iter().copied().collect())
    }

    #[test]
    fn a_part_row_is_tidied_and_keyed() {
        let got = part_row(&row(&[
            ("manufacturer", " toyota "),
            ("number", "04465-02220"),
            ("name", "Pastillas  de freno delanteras"),
            ("group", "Frenos > Pastillas"),
        ]))
        .unwrap();
        assert_eq!(got.manufacturer, ManufacturerRef { name: "toyota".into(), key: "TOYOTA".into() });
        assert_eq!(got.number.key(), "0446502220");
        assert_eq!(got.name, "Pastillas de freno delanteras");
        assert_eq!(got.group, ["Frenos", "Pastillas"]);
        assert_eq!(got.description, "");
    }

    #[test]
    fn rows_say_what_is_wrong() {
        let missing = part_row(&row(&[("manufacturer", "Toyota"), ("number", "123")]));
        assert_eq!(missing, Err(RowProblem::Missing { column: "name".into() }));
        let bad_number = part_row(&row(&[("manufacturer", "Toyota"), ("number", "--"), ("name", "x")]));
        assert_eq!(bad_number, Err(RowProblem::InvalidNumber { column: "number".into() }));
        let years = vehicle_row(&row(&[
            ("code", "V1"),
            ("make", "Toyota"),
            ("model", "Hilux"),
            ("year_from", "2016"),
            ("year_to", "2010"),
        ]));
        assert_eq!(years, Err(RowProblem::InvalidYears));
        let fuel = vehicle_row(&row(&[
            ("code", "V1"),
            ("make", "Toyota"),
            ("model", "Hilux"),
            ("year_from", "2016"),
            ("year_to", "2020"),
            ("fuel", "steam"),
        ]));
        assert_eq!(fuel, Err(RowProblem::UnknownValue { column: "fuel".into(), value: "steam".into() }));
        let tier = aftermarket_row(&row(&[
            ("manufacturer", "Bosch"),
            ("number", "0 986 494 123"),
            ("name", "Pastillas"),
            ("tier", "gold"),
            ("oem_manufacturer", "Toyota"),
            ("oem_number", "04465-02220"),
        ]));
        assert_eq!(tier, Err(RowProblem::UnknownValue { column: "tier".into(), value: "gold".into() }));
    }

    #[test]
    fn vehicles_keep_their_displacement_exact() {
        let got = vehicle_row(&row(&[
            ("code", "TOY-HILUX-16"),
            ("make", "Toyota"),
            ("model", "Hilux"),
            ("year_from", "2016"),
            ("year_to", "2023"),
            ("engine", "2GD-FTV"),
            ("displacement_l", "2,4"),
            ("fuel", "Diesel"),
        ]))
        .unwrap();
        assert_eq!((got.displacement_dl, got.fuel), (Some(24), Some(Fuel::Diesel)));
        let tier = aftermarket_row(&row(&[
            ("manufacturer", "Bosch"),
            ("number", "0 986 494 123"),
            ("name", "Pastillas"),
            ("tier", " Premium "),
            ("oem_manufacturer", "Toyota"),
            ("oem_number", "04465-02220"),
        ]));
        assert_eq!(tier.unwrap().tier, QualityTier::Premium);
    }

    #[test]
    fn prices_in_either_locale() {
        for (raw, cents) in [
            ("1234.50", Some(123_450)),
            ("1234,50", Some(123_450)),
            ("1,234.50", Some(123_450)),
            ("1.234,50", Some(123_450)),
            ("$ 45", Some(4_500)),
            ("45.5", Some(4_550)),
            ("1.234", Some(123_400)),
            ("0", Some(0)),
            ("-3", None),
            ("abc", None),
            ("", None),
            ("12.34.56,7", None),
        ] {
            assert_eq!(price_cents(raw), cents, "{raw}");
        }
    }

    #[test]
    fn group_paths_accept_either_separator() {
        assert_eq!(group_path("Frenos › Pastillas"), ["Frenos", "Pastillas"]);
        assert_eq!(group_path(" Motor >  Filtros > Aceite "), ["Motor", "Filtros", "Aceite"]);
        assert!(group_path("  ").is_empty());
    }
}
