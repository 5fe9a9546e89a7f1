//! The catalog's kinds, as enums end to end: the database stores their text form behind check constraints, the import
//! files use the same text, and the UI names each in the user's language.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The text form, as stored and as the import files write it (case and surrounding spaces ignored).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }
        }
    };
}

text_enum! {
    /// How an aftermarket part compares with the original, best first.
    QualityTier {
        /// Made by the vehicle's original-equipment supplier, sold under its own brand.
        OriginalEquipment => "oe",
        /// Meets or exceeds the original (Brembo, Bosch, Monroe…).
        Premium => "premium",
        /// A sound everyday replacement.
        Standard => "standard",
        /// The cheapest that fits.
        Economy => "economy",
    }
}

text_enum! {
    /// What a vehicle's engine burns.
    Fuel {
        Gasoline => "gasoline",
        Diesel => "diesel",
        Hybrid => "hybrid",
        Electric => "electric",
        Lpg => "lpg",
        Cng => "cng",
    }
}

text_enum! {
    /// What another number is to a part.
    CrossRefKind {
        /// Another name for the same part (a distributor's or another catalog's number).
        Equivalent => "equivalent",
        /// An old number the part replaced: searching it finds the current part.
        Supersedes => "supersedes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_unknown_text_is_none() {
        for t in QualityTier::ALL {
            assert_eq!(QualityTier::parse(t.as_str()), Some(*t));
        }
        for f in Fuel::ALL {
            assert_eq!(Fuel::parse(&f.as_str().to_uppercase()), Some(*f));
        }
        assert_eq!(CrossRefKind::parse(" supersedes "), Some(CrossRefKind::Supersedes));
        assert_eq!(QualityTier::parse("gold"), None);
        assert!(QualityTier::OriginalEquipment < QualityTier::Economy);
    }
}
