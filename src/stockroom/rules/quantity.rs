//! Quantities and their units. A quantity is a whole number of thousandths of its item's unit ([`Qty`]): sums are
//! exact, and the database keeps the same integers (`*_milli` columns). Pieces, pairs and boxes are counted whole; kilos,
//! litres and metres take up to three decimals. On the wire a quantity is a plain JSON number in the item's unit
//! (`2.5`), read back exactly or refused; typed by a person it may use either decimal mark (`2,5` or `2.5`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codes::{ErrorCode, text_enum};

/// What an item is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Piece,
    Pair,
    Box,
    Kg,
    G,
    Litre,
    Ml,
    Metre,
    Cm,
    M2,
}
text_enum!(Unit "unit" {
    Piece => "piece", Pair => "pair", Box => "box", Kg => "kg", G => "g", Litre => "litre", Ml => "ml",
    Metre => "metre", Cm => "cm", M2 => "m2",
});

impl Unit {
    /// Counted whole: a quantity of these has no fraction.
    pub const fn whole(self) -> bool {
        matches!(self, Unit::Piece | Unit::Pair | Unit::Box)
    }

    /// The decimals a quantity of this unit is written with.
    pub const fn decimals(self) -> usize {
        if self.whole() { 0 } else { 3 }
    }
}

/// Thousandths per unit.
pub const MILLI: i64 = 1000;
/// The largest quantity of one movement or balance: a billion units (far beyond any store room, far inside an i64).
pub const MAX_UNITS: i64 = 1_000_000_000;

/// A quantity in thousandths of its unit. Serialized as a number of units (`2.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Qty(pub i64);

impl Qty {
    pub const ZERO: Qty = Qty(0);

    /// `n` whole units.
    pub const fn units(n: i64) -> Qty {
        Qty(n * MILLI)
    }

    /// Whether it is a whole number of units.
    pub const fn is_whole(self) -> bool {
        self.0 % MILLI == 0
    }

    /// Within the bounds of a quantity (±[`MAX_UNITS`]).
    pub const fn in_bounds(self) -> bool {
        self.0.abs() <= MAX_UNITS * MILLI
    }

    /// A number of units from JSON: exactly representable in thousandths (a float's noise below a millionth is
    /// forgiven: `0.1 + 0.2`), within bounds; else `None`.
    pub fn from_units_f64(x: f64) -> Option<Qty> {
        if !x.is_finite() || x.abs() > (MAX_UNITS as f64) {
            return None;
        }
        let milli = x * MILLI as f64;
        let rounded = milli.round();
        ((milli - rounded).abs() < 1e-6 * MILLI as f64).then_some(Qty(rounded as i64))
    }

    pub fn to_units_f64(self) -> f64 {
        self.0 as f64 / MILLI as f64
    }

    /// What a person typed: digits with at most one decimal mark (`,` or `.`) and up to three decimals, an optional
    /// leading minus when `signed`. No thousands separators (`1,500` would be ambiguous: one and a half or fifteen
    /// hundred), no exponent.
    pub fn parse(text: &str, signed: bool) -> Result<Qty, ErrorCode> {
        let t = text.trim();
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) if signed => (true, rest),
            Some(_) => return Err(ErrorCode::InvalidInput),
            None => (false, t),
        };
        if digits.is_empty() {
            return Err(ErrorCode::Required);
        }
        let (whole, frac) = match digits.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && frac.is_empty()
            || !all_digits(whole)
            || !all_digits(frac)
            || frac.len() > 3
            || whole.len() > 10
        {
            return Err(ErrorCode::InvalidInput);
        }
        let w: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| ErrorCode::InvalidInput)? };
        let f: i64 =
            if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().map_err(|_| ErrorCode::InvalidInput)? };
        let q = Qty(w * MILLI + f);
        if !q.in_bounds() {
            return Err(ErrorCode::InvalidInput);
        }
        Ok(if negative { Qty(-q.0) } else { q })
    }

    /// Written for people in `unit`: whole units without decimals, others with as many as they need (up to three),
    /// `mark` between (`.` or `,`), no grouping (the numbers module groups when it formats for a page).
    pub fn text(self, unit: Unit, mark: char) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / MILLI as u64;
        let frac = abs % MILLI as u64;
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let _ = unit;
        let f = format!("{frac:03}");
        format!("{sign}{whole}{mark}{}", f.trim_end_matches('0'))
    }
}

impl std::ops::Add for Qty {
    type Output = Qty;
    fn add(self, o: Qty) -> Qty {
        Qty(self.0 + o.0)
    }
}

impl std::ops::Sub for Qty {
    type Output = Qty;
    fn sub(self, o: Qty) -> Qty {
        Qty(self.0 - o.0)
    }
}

impl std::ops::Neg for Qty {
    type Output = Qty;
    fn neg(self) -> Qty {
        Qty(-self.0)
    }
}

impl std::iter::Sum for Qty {
    fn sum<I: Iterator<Item = Qty>>(iter: I) -> Qty {
        Qty(iter.map(|q| q.0).sum())
    }
}

impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_whole() { s.serialize_i64(self.0 / MILLI) } else { s.serialize_f64(self.to_units_f64()) }
    }
}

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Qty, D::Error> {
        let x = f64::deserialize(d)?;
        Qty::from_units_f64(x).ok_or_else(|| {
            serde::de::Error::custom("a quantity is a number of units with at most three decimals, within a billion")
        })
    }
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Qty {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .description(Some(
                "A quantity in the item's unit: whole for pieces, pairs and boxes; up to three decimals otherwise.",
            ))
            .minimum(Some(-1_000_000_000.0))
            .maximum(Some(1_000_000_000.0))
            .multiple_of(Some(0.001))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Qty {}

/// Whether `q` may be moved of an item counted in `unit`: more than zero, within bounds, whole where the unit is.
pub fn check_moved(q: Qty, unit: Unit) -> Result<(), ErrorCode> {
    if q.0 <= 0 || !q.in_bounds() {
        return Err(ErrorCode::InvalidInput);
    }
    if unit.whole() && !q.is_whole() {
        return Err(ErrorCode::WholeUnits);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_type_either_decimal_mark_and_nothing_ambiguous() {
        let ok = |t: &str, milli: i64| assert_eq!(Qty::parse(t, false), Ok(Qty(milli)), "{t:?}");
        ok("2", 2000);
        ok(" 2,5 ", 2500);
        ok("2.5", 2500);
        ok("0.001", 1);
        ok(",5", 500);
        ok("10.", 10_000);
        ok("1000000000", 1_000_000_000_000);
        let bad = |t: &str| assert!(Qty::parse(t, false).is_err(), "{t:?}");
        for t in ["", "-1", "1.2345", "1,500.5", "1e3", "abc", "1 000", "+1", ".", "1000000001", "12345678901"] {
            bad(t);
        }
        assert_eq!(Qty::parse("-2,5", true), Ok(Qty(-2500)));
        assert_eq!(Qty::parse("", false), Err(ErrorCode::Required));
    }

    #[test]
    fn quantities_are_written_with_the_decimals_they_need() {
        assert_eq!(Qty(2500).text(Unit::Kg, ','), "2,5");
        assert_eq!(Qty(2000).text(Unit::Kg, '.'), "2");
        assert_eq!(Qty(1).text(Unit::Litre, '.'), "0.001");
        assert_eq!(Qty(-12_340).text(Unit::Metre, '.'), "-12.34");
        assert_eq!(Qty(3000).text(Unit::Piece, '.'), "3");
    }

    #[test]
    fn on_the_wire_a_quantity_is_a_number_of_units_read_exactly() {
        assert_eq!(serde_json::to_string(&Qty(3000)).unwrap(), "3");
        assert_eq!(serde_json::to_string(&Qty(2500)).unwrap(), "2.5");
        assert_eq!(serde_json::from_str::<Qty>("2.5").unwrap(), Qty(2500));
        assert_eq!(serde_json::from_str::<Qty>("0.30000000000000004").unwrap(), Qty(300));
        for bad in ["1.0005", "1e10", "\"2\"", "null"] {
            assert!(serde_json::from_str::<Qty>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pieces_move_whole_and_kilos_in_grams() {
        assert_eq!(check_moved(Qty(1000), Unit::Piece), Ok(()));
        assert_eq!(check_moved(Qty(1500), Unit::Piece), Err(ErrorCode::WholeUnits));
        assert_eq!(check_moved(Qty(1500), Unit::Kg), Ok(()));
        assert_eq!(check_moved(Qty(0), Unit::Kg), Err(ErrorCode::InvalidInput));
        assert_eq!(check_moved(Qty(-1000), Unit::Piece), Err(ErrorCode::InvalidInput));
        assert!(Unit::ALL.iter().all(|u| Unit::parse(u.as_str()) == Some(*u)));
    }
}
