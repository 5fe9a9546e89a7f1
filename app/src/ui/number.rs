//! Numbers as each language writes them.

use nexus::numbers::Money;

use crate::i18n::Locale;

/// A count as the locale writes it: Spanish groups thousands with a no-break thin space from five digits on (the
/// RAE's rule, neutral across Spanish-speaking countries that differ on points and commas: "1234", "12 345");
/// English with commas from four ("1,234").
pub fn count(locale: Locale, n: i64) -> String {
    let (sep, from) = match locale {
        Locale::es => ('\u{202F}', 10_000),
        Locale::en => (',', 1_000),
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    if n.unsigned_abs() < from {
        out.push_str(&digits);
        return out;
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// An amount in cents as the locale writes money: "$1,234.50" in English, "$1234,50" in Spanish (decimal comma,
/// thousands grouped as [`count`] groups them: "$12 345,50"). Pesos (`MXN`, the platform's currency) carry the
/// dollar sign alone; any other currency is named after the amount ("1,234.50 USD").
pub fn money(locale: Locale, amount: &Money) -> String {
    let (cents, currency) = (amount.cents, amount.currency.as_str());
    let decimal = match locale {
        Locale::es => ',',
        Locale::en => '.',
    };
    let units = count(locale, (cents / 100).abs());
    let sign = if cents < 0 { "-" } else { "" };
    let amount = format!("{units}{decimal}{:02}", (cents % 100).abs());
    if currency == "MXN" { format!("{sign}${amount}") } else { format!("{sign}{amount} {currency}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_groups_from_five_digits_english_from_four() {
        assert_eq!(count(Locale::es, 1234), "1234");
        assert_eq!(count(Locale::es, 12345), "12\u{202F}345");
        assert_eq!(count(Locale::es, 200_000), "200\u{202F}000");
        assert_eq!(count(Locale::es, 1_357_000), "1\u{202F}357\u{202F}000");
        assert_eq!(count(Locale::en, 999), "999");
        assert_eq!(count(Locale::en, 1234), "1,234");
        assert_eq!(count(Locale::en, -200_000), "-200,000");
    }

    #[test]
    fn money_has_two_decimals_in_the_locales_way() {
        assert_eq!(money(Locale::en, &Money::new(123_450, "MXN")), "$1,234.50");
        assert_eq!(money(Locale::es, &Money::new(123_450, "MXN")), "$1234,50");
        assert_eq!(money(Locale::es, &Money::new(1_234_505, "MXN")), "$12\u{202F}345,05");
        assert_eq!(money(Locale::en, &Money::new(5, "MXN")), "$0.05");
        assert_eq!(money(Locale::es, &Money::new(0, "MXN")), "$0,00");
        assert_eq!(money(Locale::en, &Money::new(89_900, "USD")), "899.00 USD");
        assert_eq!(money(Locale::en, &Money::new(-150, "MXN")), "-$1.50");
    }
}
