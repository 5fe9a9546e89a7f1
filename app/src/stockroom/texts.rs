//! The stock room's words in the reader's language: units, kinds of movement, where a movement came from, and
//! quantities written with the organisation's marks.

use nexus::stockroom::rules::import::{Column, RowProblem};
use nexus::stockroom::rules::ledger::{MovementKind, Source};
use nexus::stockroom::rules::quantity::{Qty, Unit};

use crate::i18n::*;
use crate::ui::number::style;

/// A unit's short name: `pza`, `kg`, `L`.
pub fn unit(l: Locale, u: Unit) -> &'static str {
    match u {
        Unit::Piece => td_string!(l, room.unit_piece),
        Unit::Pair => td_string!(l, room.unit_pair),
        Unit::Box => td_string!(l, room.unit_box),
        Unit::Kg => "kg",
        Unit::G => "g",
        Unit::Litre => "L",
        Unit::Ml => "mL",
        Unit::Metre => "m",
        Unit::Cm => "cm",
        Unit::M2 => "m²",
    }
}

/// A unit's full name, its short one beside it: `Pieza (pza)`.
pub fn unit_name(l: Locale, u: Unit) -> String {
    let name = match u {
        Unit::Piece => td_string!(l, room.unit_name_piece),
        Unit::Pair => td_string!(l, room.unit_name_pair),
        Unit::Box => td_string!(l, room.unit_name_box),
        Unit::Kg => td_string!(l, room.unit_name_kg),
        Unit::G => td_string!(l, room.unit_name_g),
        Unit::Litre => td_string!(l, room.unit_name_litre),
        Unit::Ml => td_string!(l, room.unit_name_ml),
        Unit::Metre => td_string!(l, room.unit_name_metre),
        Unit::Cm => td_string!(l, room.unit_name_cm),
        Unit::M2 => td_string!(l, room.unit_name_m2),
    };
    format!("{name} ({})", unit(l, u))
}

/// A quantity without its unit, thousands grouped, as many decimals as it has (up to three): `1,250.5`.
pub fn number(l: Locale, q: Qty) -> String {
    let s = style(l);
    let sign = if q.0 < 0 { "-" } else { "" };
    let whole = s.count((q.0 / 1000).abs());
    let frac = (q.0 % 1000).unsigned_abs();
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{whole}{}{}", s.decimal, f.trim_end_matches('0'))
    }
}

/// A quantity as a form's field holds it: no thousands separators (what `parse` reads back), the organisation's
/// decimal mark: `1250.5`.
pub fn input(l: Locale, q: Qty) -> String {
    let sign = if q.0 < 0 { "-" } else { "" };
    let whole = (q.0 / 1000).unsigned_abs();
    let frac = (q.0 % 1000).unsigned_abs();
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{whole}{}{}", style(l).decimal, f.trim_end_matches('0'))
    }
}

/// A quantity with its unit: `12 pza`, `2,5 kg`.
pub fn qty(l: Locale, q: Qty, u: Unit) -> String {
    format!("{} {}", number(l, q), unit(l, u))
}

/// A change of balance, signed: `+12`, `−3`.
pub fn delta(l: Locale, q: Qty) -> String {
    if q.0 > 0 { format!("+{}", number(l, q)) } else { format!("−{}", number(l, -q)) }
}

/// What a movement is.
pub fn kind(l: Locale, k: MovementKind) -> &'static str {
    match k {
        MovementKind::Receive => td_string!(l, room.kind_receive),
        MovementKind::Issue => td_string!(l, room.kind_issue),
        MovementKind::Return => td_string!(l, room.kind_return),
        MovementKind::TransferOut => td_string!(l, room.kind_transfer_out),
        MovementKind::TransferIn => td_string!(l, room.kind_transfer_in),
        MovementKind::Count => td_string!(l, room.kind_count),
        MovementKind::Reversal => td_string!(l, room.kind_reversal),
    }
}

/// Where a movement was recorded.
pub fn source(l: Locale, s: Source) -> &'static str {
    match s {
        Source::Ui => td_string!(l, room.source_ui),
        Source::Scan => td_string!(l, room.source_scan),
        Source::Cli => td_string!(l, room.source_cli),
        Source::Api => td_string!(l, room.source_api),
    }
}

/// A column of an item list, as the import names it.
pub fn import_column(l: Locale, c: Column) -> &'static str {
    match c {
        Column::Sku => td_string!(l, room.col_sku),
        Column::Name => td_string!(l, room.item_name),
        Column::Description => td_string!(l, room.description),
        Column::Unit => td_string!(l, room.unit),
        Column::Category => td_string!(l, room.category),
        Column::Barcode => td_string!(l, room.barcodes),
        Column::UnitCost => td_string!(l, room.unit_cost),
        Column::Department => td_string!(l, room.department),
        Column::Threshold => td_string!(l, room.threshold),
        Column::Reorder => td_string!(l, room.reorder),
        Column::Quantity => td_string!(l, room.import_quantity),
    }
}

/// The figures of an import's outcome.
pub fn import_figure(l: Locale, key: &str) -> &'static str {
    match key {
        "rows" => td_string!(l, room.import_rows),
        "new" => td_string!(l, room.import_new),
        "changed" => td_string!(l, room.import_changed),
        "levels" => td_string!(l, room.import_levels),
        "receipts" => td_string!(l, room.import_receipts),
        _ => td_string!(l, room.import_rejected),
    }
}

/// Why a row of an item list is refused.
pub fn row_problem(l: Locale, p: &RowProblem) -> String {
    let col = |c: &Column| import_column(l, *c);
    match p {
        RowProblem::Missing { column } => td_string!(l, room.problem_missing, column = col(column)).to_string(),
        RowProblem::TooLong { column } => td_string!(l, room.problem_too_long, column = col(column)).to_string(),
        RowProblem::NotANumber { column, value } => {
            td_string!(l, room.problem_not_a_number, column = col(column), value = value).to_string()
        }
        RowProblem::Negative { column, value } => {
            td_string!(l, room.problem_negative, column = col(column), value = value).to_string()
        }
        RowProblem::Fraction { column, value } => {
            td_string!(l, room.problem_fraction, column = col(column), value = value).to_string()
        }
        RowProblem::UnknownUnit { value } => td_string!(l, room.problem_unit, value = value).to_string(),
        RowProblem::UnknownDepartment { value } => td_string!(l, room.problem_department, value = value).to_string(),
        RowProblem::RepeatedSku { line } => td_string!(l, room.problem_repeated, line = line).to_string(),
        RowProblem::BarcodeTaken { code, sku } => {
            td_string!(l, room.problem_barcode, code = code, sku = sku).to_string()
        }
        RowProblem::TooManyBarcodes => td_string!(l, room.barcodes_too_many).to_owned(),
        RowProblem::UnitChanged { unit: u } => td_string!(l, room.problem_unit_changed, unit = unit(l, *u)).to_string(),
        RowProblem::StockDiffers { balance } => {
            td_string!(l, room.problem_stock_differs, balance = number(l, *balance)).to_string()
        }
        RowProblem::Archived => td_string!(l, room.problem_archived).to_owned(),
    }
}

/// A quantity typed by a person, read with either decimal mark; `None` for anything that is not one.
pub fn parse(text: &str) -> Option<Qty> {
    Qty::parse(text, false).ok()
}

/// A `datetime-local` value (or a `date`, its midnight) read in the browser's time zone.
pub fn local_to_utc(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    #[cfg(feature = "hydrate")]
    {
        let value = if value.len() == 10 { format!("{value}T00:00") } else { value.to_owned() };
        let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&value)).get_time();
        if ms.is_nan() {
            return None;
        }
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let value = if value.len() == 10 { format!("{value}T00:00") } else { value.to_owned() };
        chrono::NaiveDateTime::parse_from_str(&value, "%Y-%m-%dT%H:%M").ok().map(|n| n.and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantity_in_a_field_reads_back_as_itself() {
        // Without an organisation's marks in context: the default style (a decimal point, as in Mexico).
        for (q, text) in [(Qty(1_250_500), "1250.5"), (Qty(7_000), "7"), (Qty(-30), "-0.03")] {
            assert_eq!(input(Locale::es, q), text);
            assert_eq!(input(Locale::en, q), text);
            if q.0 > 0 {
                assert_eq!(parse(&input(Locale::es, q)), Some(q));
            }
        }
    }
}
