//! The legacy `AFT-` rule. Older imports stored aftermarket parts as fake OEM parts numbered
//! `AFT-{partNo}-{MANUFACTURER}`, where both the number and the manufacturer may contain dashes
//! ("AFT-123-ABC-BOSCH-PRO"). The manufacturer is the longest dash-separated suffix that names a known manufacturer;
//! failing that, the last segment. The migration applies this rule in SQL, set-based; this is its statement, and the
//! store tests check that both agree.

use serde::{Deserialize, Serialize};

/// What every legacy key starts with.
pub const LEGACY_PREFIX: &str = "AFT-";

/// A legacy key taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyKey {
    /// The aftermarket part number as the manufacturer writes it.
    pub number: String,
    /// The manufacturer's name as the key spelled it.
    pub manufacturer: String,
    /// Whether `manufacturer` was found among the known ones (else it is the last segment, and will be created).
    pub known: bool,
}

/// The key manufacturers are compared on: trimmed, inner spaces made one, upper-cased ("Meat & Doria" → "MEAT & DORIA").
pub fn manufacturer_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
}

/// Takes a legacy key apart; `None` when it is not one (no prefix, or no dash left to separate a manufacturer, or an
/// empty number or manufacturer). `is_known` is asked about manufacturer keys ([`manufacturer_key`]).
pub fn parse_legacy_key(key: &str, is_known: impl Fn(&str) -> bool) -> Option<LegacyKey> {
    let rest = key.strip_prefix(LEGACY_PREFIX)?;
    let segments: Vec<&str> = rest.split('-').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.trim().is_empty()) {
        return None;
    }
    // Longest suffix first: the manufacturer starts at segment 1, then 2, …; the number keeps at least one segment.
    let split = |at: usize| (segments[..at].join("-"), segments[at..].join("-"));
    let (number, manufacturer, known) = (1..segments.len())
        .map(split)
        .find(|(_, m)| is_known(&manufacturer_key(m)))
        .map(|(n, m)| (n, m, true))
        .unwrap_or_else(|| {
            let (n, m) = split(segments.len() - 1);
            (n, m, false)
        });
    Some(LegacyKey { number: number.trim().to_owned(), manufacturer: manufacturer.trim().to_owned(), known })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(key: &str, known: &[&str]) -> Option<(String, String, bool)> {
        parse_legacy_key(key, |m| known.contains(&m)).map(|k| (k.number, k.manufacturer, k.known))
    }

    fn some(n: &str, m: &str, known: bool) -> Option<(String, String, bool)> {
        Some((n.to_owned(), m.to_owned(), known))
    }

    #[test]
    fn the_longest_known_suffix_is_the_manufacturer() {
        assert_eq!(parse("AFT-AC191-PARTQUIP", &["PARTQUIP"]), some("AC191", "PARTQUIP", true));
        assert_eq!(parse("AFT-123-ABC-BOSCH-PRO", &["BOSCH-PRO", "PRO"]), some("123-ABC", "BOSCH-PRO", true));
        assert_eq!(parse("AFT-123-ABC-BOSCH-PRO", &["ABC-BOSCH-PRO", "BOSCH-PRO"]), some("123", "ABC-BOSCH-PRO", true));
        // Numbers with dashes keep them.
        assert_eq!(parse("AFT-04465-02220-BREMBO", &["BREMBO"]), some("04465-02220", "BREMBO", true));
        // Known names match whatever their case in the key.
        assert_eq!(parse("AFT-W712/75-Mann-Filter", &["MANN-FILTER"]), some("W712/75", "Mann-Filter", true));
    }

    #[test]
    fn without_a_known_suffix_the_last_segment_is_the_manufacturer() {
        assert_eq!(parse("AFT-123-ABC-BOSCH-PRO", &["BOSCH"]), some("123-ABC-BOSCH", "PRO", false));
        assert_eq!(parse("AFT-X1-NEWBRAND", &[]), some("X1", "NEWBRAND", false));
    }

    #[test]
    fn what_is_not_a_legacy_key() {
        assert_eq!(parse("04465-02220", &[]), None);
        assert_eq!(parse("AFT-12345", &[]), None);
        assert_eq!(parse("AFT--BOSCH", &["BOSCH"]), None);
        assert_eq!(parse("AFT-123-", &[]), None);
        assert_eq!(parse("aft-123-BOSCH", &["BOSCH"]), None);
    }

    #[test]
    fn manufacturer_keys() {
        assert_eq!(manufacturer_key("  Meat   &  Doria "), "MEAT & DORIA");
        assert_eq!(manufacturer_key("bosch"), "BOSCH");
    }
}
