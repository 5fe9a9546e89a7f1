//! The catalog's kinds, as enums end to end: the database stores their text form behind check constraints, the import
//! files use the same text (case aside), and the UI names each in the user's language.

use serde::{Deserialize, Serialize};

use crate::codes::text_enum;

/// How an aftermarket part compares with the original, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityTier {
    /// Made by the vehicle's original-equipment supplier, sold under its own brand.
    OriginalEquipment,
    /// Meets or exceeds the original (Brembo, Bosch, Monroe…).
    Premium,
    /// A sound everyday replacement.
    Standard,
    /// The cheapest that fits.
    Economy,
}
text_enum!(QualityTier "quality tier" { OriginalEquipment => "oe", Premium => "premium", Standard => "standard", Economy => "economy" });

/// What a vehicle's engine burns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fuel {
    Gasoline,
    Diesel,
    Hybrid,
    Electric,
    Lpg,
    Cng,
}
text_enum!(Fuel "fuel" {
    Gasoline => "gasoline",
    Diesel => "diesel",
    Hybrid => "hybrid",
    Electric => "electric",
    Lpg => "lpg",
    Cng => "cng",
});

/// What another number is to a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossRefKind {
    /// Another name for the same part (a distributor's or another catalog's number).
    Equivalent,
    /// An old number the part replaced: searching it finds the current part.
    Supersedes,
}
text_enum!(CrossRefKind "cross-reference kind" { Equivalent => "equivalent", Supersedes => "supersedes" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_unknown_text_is_none() {
        for t in QualityTier::ALL {
            assert_eq!(QualityTier::parse(t.as_str()), Some(t));
        }
        for f in Fuel::ALL {
            assert_eq!(Fuel::parse(f.as_str()), Some(f));
        }
        assert_eq!(CrossRefKind::parse("supersedes"), Some(CrossRefKind::Supersedes));
        assert_eq!(QualityTier::parse("gold"), None);
        assert!(QualityTier::OriginalEquipment < QualityTier::Economy);
    }
}
