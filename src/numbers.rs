//! Numbers as spreadsheets and people write them, in either locale: "1.234,56" and "1,234.56", "$ 45,00",
//! "MXN 1 200", "(45.00)" for a negative, "1'234" from Swiss software. Pure (no IO; builds for the browser).
//!
//! A separator is read by what follows it: the last separator with one, two or four-plus digits after it is the
//! decimal one; a separator repeated, or before exactly three digits, groups thousands. That last case is ambiguous
//! ("1.234" is 1234 in Mexico and 1.234 in Germany), so a column's values are read together first
//! ([`infer_decimal`]): any value that settles the question ("45,50", "1.234,56") settles it for the column, and
//! "1.234" then reads accordingly. Grouping must be regular (groups of three): "12.34.56" is not a number.

use serde::{Deserialize, Serialize};

/// Most digits a number may have (a bigger one is not an inventory figure).
pub const MAX_DIGITS: usize = 15;

/// Why a text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberError {
    /// Nothing there (or only a currency sign).
    Empty,
    /// Letters, stray signs, irregular grouping: text in a number column.
    NotANumber,
    /// More than [`MAX_DIGITS`] digits.
    TooLarge,
}

/// An amount of money: whole cents (hundredths) of a currency named by its ISO 4217 code ("MXN"). Prices travel as
/// this, never as decimal text, so every page and API reads and writes them one way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    /// Hundredths of the currency's unit.
    pub cents: i64,
    /// ISO 4217 code.
    #[cfg_attr(feature = "ssr", schema(example = "MXN"))]
    pub currency: String,
}

impl Money {
    pub fn new(cents: i64, currency: impl Into<String>) -> Self {
        Self { cents, currency: currency.into() }
    }

    /// An amount when both halves are there (a price that may be missing).
    pub fn of(cents: Option<i64>, currency: Option<String>) -> Option<Self> {
        Some(Self { cents: cents?, currency: currency? })
    }
}

/// How an organisation's people write numbers and money: the decimal mark and the thousands separator of its
/// country (CLDR's, through `num-format`, on the server: Mexico writes `1,311.74`, Argentina and Colombia
/// `1.311,74`), and its home currency, written with its symbol (other currencies by their code). The browser gets it
/// made (no locale tables in the bundle); every page, CSV for people and e-mail formats through it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NumberStyle {
    pub decimal: String,
    pub group: String,
    /// ISO 4217 code of the organisation's currency.
    pub currency: String,
    /// How that currency is written before an amount ("$", "S/", "Q").
    pub symbol: String,
}

/// The countries an organisation may be in, each with its currency and that currency's symbol. The platform serves
/// these markets; the separators come from CLDR, not from this table.
pub const COUNTRIES: [(&str, &str, &str); 10] = [
    ("MX", "MXN", "$"),
    ("AR", "ARS", "$"),
    ("CO", "COP", "$"),
    ("CL", "CLP", "$"),
    ("PE", "PEN", "S/"),
    ("EC", "USD", "$"),
    ("GT", "GTQ", "Q"),
    ("CR", "CRC", "₡"),
    ("UY", "UYU", "$"),
    ("US", "USD", "$"),
];

/// Whether `country` is one of [`COUNTRIES`].
pub fn known_country(country: &str) -> bool {
    COUNTRIES.iter().any(|(c, _, _)| *c == country)
}

/// A zone's offset from UTC at some instant, as people read it: `UTC`, `UTC−6`, `UTC+5:30` (what every time shown
/// says beside it, in pages and in logged queries alike).
pub fn utc_offset(east_secs: i32) -> String {
    if east_secs == 0 {
        return "UTC".to_owned();
    }
    let sign = if east_secs < 0 { '\u{2212}' } else { '+' };
    let (h, m) = (east_secs.abs() / 3600, east_secs.abs() % 3600 / 60);
    if m == 0 { format!("UTC{sign}{h}") } else { format!("UTC{sign}{h}:{m:02}") }
}

/// A phone number as a WhatsApp link takes it (`https://wa.me/<digits>`): its digits with the country's calling code
/// in front, unless it was written in international form (`+54 …`, `0052 …`). `None` when it has too few digits to be
/// a phone number.
pub fn international_phone(phone: &str, country: &str) -> Option<String> {
    let trimmed = phone.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 || digits.len() > 15 {
        return None;
    }
    if trimmed.starts_with('+') {
        return Some(digits);
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return Some(rest.to_owned());
    }
    // The calling codes of the markets served (ITU-T E.164).
    let code = match country {
        "AR" => "54",
        "CO" => "57",
        "CL" => "56",
        "PE" => "51",
        "EC" => "593",
        "GT" => "502",
        "CR" => "506",
        "UY" => "598",
        "US" => "1",
        _ => "52",
    };
    // A national trunk prefix ("0" in Argentina, Peru, Ecuador…) is not dialled from abroad.
    let national = digits.strip_prefix('0').unwrap_or(&digits);
    Some(format!("{code}{national}"))
}

impl Default for NumberStyle {
    /// Mexico's, the platform's home (and what a page shows before it knows whose it is).
    fn default() -> Self {
        Self { decimal: ".".into(), group: ",".into(), currency: "MXN".into(), symbol: "$".into() }
    }
}

impl NumberStyle {
    /// The style of an organisation in `country` (one of [`COUNTRIES`]; another is Mexico's) for pages in Spanish.
    #[cfg(feature = "ssr")]
    pub fn of_country(country: &str) -> Self {
        let Some((code, currency, symbol)) = COUNTRIES.iter().find(|(c, _, _)| *c == country) else {
            return Self::default();
        };
        let locale = num_format::Locale::from_name(format!("es-{code}")).ok().unwrap_or(num_format::Locale::es);
        Self {
            decimal: locale.decimal().to_owned(),
            group: locale.separator().to_owned(),
            currency: (*currency).to_owned(),
            symbol: (*symbol).to_owned(),
        }
    }

    /// The same organisation's style for pages in English: English marks, its currency kept.
    pub fn english(&self) -> Self {
        Self { decimal: ".".into(), group: ",".into(), ..self.clone() }
    }

    /// A whole number, thousands grouped: `108,038`, `108.038`.
    pub fn count(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(&self.group);
            }
            out.push(c);
        }
        out
    }

    /// A number with `places` decimals (rounded), thousands grouped: `56.9`, `56,9`.
    pub fn decimal(&self, x: f64, places: usize) -> String {
        let text = format!("{:.*}", places, x.abs());
        let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
        let sign = if x < 0.0 && text.chars().any(|c| matches!(c, '1'..='9')) { "-" } else { "" };
        let whole = self.count(whole.parse::<i64>().unwrap_or_default());
        if frac.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}{}{frac}", self.decimal) }
    }

    /// An amount: the home currency with its symbol (`$1,311.74`, `$1.311,74`, `S/ 45.00`), any other by its code
    /// (`USD 1,311.74`), always two decimals.
    pub fn money(&self, amount: &Money) -> String {
        let cents = amount.cents;
        let units = self.count((cents / 100).abs());
        let sign = if cents < 0 { "-" } else { "" };
        let number = format!("{units}{}{:02}", self.decimal, (cents % 100).abs());
        if amount.currency == self.currency {
            let gap = if self.symbol.chars().count() > 1 { " " } else { "" };
            format!("{sign}{}{gap}{number}", self.symbol)
        } else {
            format!("{sign}{} {number}", amount.currency)
        }
    }
}

/// An exact decimal: `mantissa` × 10^-`scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decimal {
    pub mantissa: i64,
    pub scale: u32,
}

impl Decimal {
    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// In hundredths, rounded half away from zero ("12.345" → 1235).
    pub fn to_cents(self) -> Option<i64> {
        self.rescale(2)
    }

    /// As a whole number, when it is one ("12", "12.0"); `None` for "12.5".
    pub fn to_whole(self) -> Option<i64> {
        let pow = 10_i64.checked_pow(self.scale)?;
        (self.mantissa % pow == 0).then_some(self.mantissa / pow)
    }

    /// In units of 10^-`scale`, rounded half away from zero.
    pub fn rescale(self, scale: u32) -> Option<i64> {
        if scale >= self.scale {
            self.mantissa.checked_mul(10_i64.checked_pow(scale - self.scale)?)
        } else {
            let pow = 10_i64.checked_pow(self.scale - scale)?;
            let (q, r) = (self.mantissa / pow, self.mantissa % pow);
            Some(if r.abs() * 2 >= pow { q + self.mantissa.signum() } else { q })
        }
    }
}

/// Currency marks written before or after an amount.
const CURRENCY: &[&str] = &[
    "US$", "MX$", "R$", "S/.", "S/", "Bs.", "Bs", "$", "€", "£", "¢", "₡", "MXN", "USD", "EUR", "COP", "CLP", "ARS",
    "PEN", "UYU", "BOB", "PYG", "GTQ", "HNL", "NIO", "CRC", "PAB", "DOP", "CUP", "VES",
];

/// Spaces and marks some software puts between groups of thousands.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{2009}' | '\u{202F}' | '\'' | '’')
}

/// The text without a currency mark at either end (and the spaces beside it).
fn strip_currency(s: &str) -> &str {
    let mut s = s.trim();
    // Most cells: digits at both ends, where no mark can be (each mark is letters or symbols).
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) && b.last().is_some_and(u8::is_ascii_digit) {
        return s;
    }
    for _ in 0..2 {
        for mark in CURRENCY {
            if let Some(rest) = s.strip_prefix(mark) {
                s = rest.trim_start();
            }
            if let Some(rest) = s.strip_suffix(mark) {
                s = rest.trim_end();
            }
        }
    }
    s
}

/// The sign and the digits-and-separators part: "-1.234,5", "(45)", "45-", "−3".
fn split_sign(s: &str) -> (bool, &str) {
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        return (true, inner.trim());
    }
    for minus in ['-', '−'] {
        if let Some(rest) = s.strip_prefix(minus) {
            return (true, rest.trim_start());
        }
        if let Some(rest) = s.strip_suffix(minus) {
            return (true, rest.trim_end());
        }
    }
    (false, s.strip_prefix('+').map_or(s, str::trim_start))
}

/// What one value says about the column's decimal separator, when it says anything.
fn decimal_evidence(raw: &str) -> Option<char> {
    let (_, body) = split_sign(strip_currency(raw));
    let seps: Vec<(usize, char)> = body.char_indices().filter(|(_, c)| *c == '.' || *c == ',').collect();
    let (&(i, last), rest) = seps.split_last()?;
    if rest.iter().any(|(_, c)| *c != last) {
        return Some(last); // both kinds: the last one is the decimal separator
    }
    if !rest.is_empty() {
        return Some(if last == '.' { ',' } else { '.' }); // one kind repeated: it groups thousands
    }
    let after = body[i + 1..].chars().filter(char::is_ascii_digit).count();
    (after != 3).then_some(last)
}

/// The decimal separator a column's values agree on, if any value settles it (the most frequent evidence wins).
pub fn infer_decimal<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<char> {
    let (mut dot, mut comma) = (0usize, 0usize);
    for v in values {
        match decimal_evidence(v) {
            Some('.') => dot += 1,
            Some(',') => comma += 1,
            _ => {}
        }
    }
    match (dot, comma) {
        (0, 0) => None,
        (d, c) if d >= c => Some('.'),
        _ => Some(','),
    }
}

/// Reads a number. `decimal` is the column's decimal separator when known ([`infer_decimal`]); without it, a lone
/// separator before exactly three digits groups thousands.
pub fn parse(raw: &str, decimal: Option<char>) -> Result<Decimal, NumberError> {
    let s = strip_currency(raw);
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    let (negative, body) = split_sign(s);
    // Spaces between digits group thousands; anywhere else they are stray.
    let chars: Vec<char> = body.chars().collect();
    let mut cleaned = String::with_capacity(body.len());
    for (i, c) in chars.iter().enumerate() {
        if is_group_space(*c) {
            let between = i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if !between {
                return Err(NumberError::NotANumber);
            }
            cleaned.push('_');
        } else if c.is_ascii_digit() || *c == '.' || *c == ',' {
            cleaned.push(*c);
        } else {
            return Err(NumberError::NotANumber);
        }
    }
    if !cleaned.chars().any(|c| c.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    let seps: Vec<(usize, char)> = cleaned.char_indices().filter(|(_, c)| *c == '.' || *c == ',').collect();
    let decimal_at: Option<usize> = match seps.split_last() {
        None => None,
        Some((&(i, last), rest)) => {
            let mixed = rest.iter().any(|(_, c)| *c != last);
            let after = cleaned[i + 1..].len();
            let is_decimal = if mixed {
                true
            } else if !rest.is_empty() {
                false
            } else {
                match decimal {
                    Some(d) => last == d,
                    None => after != 3,
                }
            };
            is_decimal.then_some(i)
        }
    };
    let (int, frac) = match decimal_at {
        Some(i) => (&cleaned[..i], &cleaned[i + 1..]),
        None => (cleaned.as_str(), ""),
    };
    // The integer part: digits in regular groups of three when grouped.
    let groups: Vec<&str> = int.split(['.', ',', '_']).collect();
    if groups.len() > 1 {
        let regular = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !regular {
            return Err(NumberError::NotANumber);
        }
    }
    // Group marks must all be one kind (a space, or the separator that is not the decimal one).
    let marks: Vec<char> = int.chars().filter(|c| !c.is_ascii_digit()).collect();
    if marks.windows(2).any(|w| w[0] != w[1])
        || decimal_at.is_some_and(|i| marks.contains(&cleaned[i..].chars().next().unwrap_or('.')))
    {
        return Err(NumberError::NotANumber);
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) || (frac.is_empty() && decimal_at.is_some() && int.is_empty()) {
        return Err(NumberError::NotANumber);
    }
    let digits: String = int.chars().filter(char::is_ascii_digit).chain(frac.chars()).collect();
    let significant = digits.trim_start_matches('0');
    if significant.len() > MAX_DIGITS || frac.len() > MAX_DIGITS {
        return Err(NumberError::TooLarge);
    }
    let magnitude: i64 =
        if significant.is_empty() { 0 } else { significant.parse().map_err(|_| NumberError::TooLarge)? };
    Ok(Decimal { mantissa: if negative { -magnitude } else { magnitude }, scale: frac.len() as u32 })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn phones_become_international_for_a_whatsapp_link() {
        assert_eq!(international_phone("55 1234 5678", "MX").as_deref(), Some("525512345678"));
        assert_eq!(international_phone("+54 9 11 1234-5678", "MX").as_deref(), Some("5491112345678"));
        assert_eq!(international_phone("011 4321-0000", "AR").as_deref(), Some("541143210000"));
        assert_eq!(international_phone("0052 55 1234 5678", "CO").as_deref(), Some("525512345678"));
        assert_eq!(international_phone("123", "MX"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn each_country_writes_money_its_own_way_with_the_currency_once() {
        let mx = NumberStyle::of_country("MX");
        assert_eq!(mx.money(&Money::new(131_174, "MXN")), "$1,311.74");
        assert_eq!(mx.count(108_038), "108,038");
        assert_eq!(mx.decimal(0.569 * 100.0, 1), "56.9");
        let ar = NumberStyle::of_country("AR");
        assert_eq!(ar.money(&Money::new(131_174, "ARS")), "$1.311,74");
        assert_eq!(ar.decimal(56.94, 1), "56,9");
        assert_eq!(NumberStyle::of_country("CO").money(&Money::new(131_174, "COP")), "$1.311,74");
        // Another currency than the organisation's is named by its code, once.
        assert_eq!(mx.money(&Money::new(89_900, "USD")), "USD 899.00");
        assert_eq!(NumberStyle::of_country("PE").money(&Money::new(4_500, "PEN")), "S/ 45.00");
        // English pages keep the organisation's currency with English marks.
        assert_eq!(ar.english().money(&Money::new(131_174, "ARS")), "$1,311.74");
        // A country not served is written as Mexico writes.
        assert_eq!(NumberStyle::of_country("ZZ"), NumberStyle::default());
        assert_eq!(mx.money(&Money::new(-150, "MXN")), "-$1.50");
        assert_eq!(mx.decimal(-0.04, 1), "0.0");
        assert_eq!(mx.count(-1_234_567), "-1,234,567");
    }

    fn cents(raw: &str, decimal: Option<char>) -> Result<i64, NumberError> {
        parse(raw, decimal).map(|d| d.to_cents().unwrap())
    }

    #[test]
    fn either_locale_reads_right() {
        for (raw, want) in [
            ("1.234,56", Ok(123_456)),
            ("1,234.56", Ok(123_456)),
            ("1234,56", Ok(123_456)),
            ("1234.56", Ok(123_456)),
            ("$ 45,00", Ok(4_500)),
            ("$45", Ok(4_500)),
            ("45.5", Ok(4_550)),
            ("MXN 1 200", Ok(120_000)),
            ("1 200,50 €", Ok(120_050)),
            ("1\u{A0}200", Ok(120_000)),
            ("1'234.5", Ok(123_450)),
            ("1.234.567", Ok(123_456_700)),
            ("1,234,567.891", Ok(123_456_789)),
            ("12.345", Ok(1_234_500)),
            ("0,5", Ok(50)),
            (",5", Ok(50)),
            ("-3", Ok(-300)),
            ("(45.00)", Ok(-4_500)),
            ("45-", Ok(-4_500)),
            ("0", Ok(0)),
            ("007", Ok(700)),
            ("", Err(NumberError::Empty)),
            ("  $ ", Err(NumberError::Empty)),
            ("N/A", Err(NumberError::NotANumber)),
            ("agotado", Err(NumberError::NotANumber)),
            ("12 pzas", Err(NumberError::NotANumber)),
            ("12.34.56", Err(NumberError::NotANumber)),
            ("1,23,456", Err(NumberError::NotANumber)),
            ("1.234.56,7", Err(NumberError::NotANumber)),
            ("1 2", Err(NumberError::NotANumber)),
            ("1,2.3", Err(NumberError::NotANumber)),
            (".", Err(NumberError::NotANumber)),
            ("1e5", Err(NumberError::NotANumber)),
            ("12345678901234567", Err(NumberError::TooLarge)),
        ] {
            assert_eq!(cents(raw, None), want, "{raw:?}");
        }
    }

    #[test]
    fn a_columns_values_settle_the_ambiguous_ones() {
        // A German-style list: "45,50" says the comma is decimal, so "1.234" is a thousand and more.
        let column = ["45,50", "1.234", "12"];
        assert_eq!(infer_decimal(column), Some(','));
        assert_eq!(cents("1.234", Some(',')), Ok(123_400));
        // The same with a decimal point: "1,234" reads as 1234 either way, "1.234" as 1.234 here.
        assert_eq!(infer_decimal(["45.50", "1,234"]), Some('.'));
        assert_eq!(parse("1.234", Some('.')), Ok(Decimal { mantissa: 1234, scale: 3 }));
        // Only ambiguous values: no opinion (and "1.234" groups thousands).
        assert_eq!(infer_decimal(["1.234", "12", "$ 5"]), None);
        assert_eq!(cents("1.234", None), Ok(123_400));
        // Repeated separators group thousands, so the other one is the decimal.
        assert_eq!(infer_decimal(["1.234.567"]), Some(','));
    }

    #[test]
    fn whole_numbers_and_rounding() {
        assert_eq!(parse("12", None).unwrap().to_whole(), Some(12));
        assert_eq!(parse("12,0", None).unwrap().to_whole(), Some(12));
        assert_eq!(parse("12,5", None).unwrap().to_whole(), None);
        assert_eq!(parse("12.345", Some('.')).unwrap().to_cents(), Some(1235));
        assert_eq!(parse("-12.345", Some('.')).unwrap().to_cents(), Some(-1235));
        assert_eq!(parse("12.344", Some('.')).unwrap().to_cents(), Some(1234));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}", hint in prop::option::of(prop::sample::select(vec!['.', ','])) ) {
            let _ = parse(&s, hint);
            let _ = infer_decimal([s.as_str()]);
        }

        #[test]
        fn written_numbers_read_back(n in -99_999_999_999_i64..99_999_999_999, comma in any::<bool>()) {
            let (int, frac) = (n.abs() / 100, n.abs() % 100);
            let grouped: String = {
                let digits = int.to_string();
                let mut out = String::new();
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i).is_multiple_of(3) {
                        out.push(if comma { '.' } else { ',' });
                    }
                    out.push(c);
                }
                out
            };
            let text = format!("{}{grouped}{}{frac:02}", if n < 0 { "-" } else { "" }, if comma { ',' } else { '.' });
            prop_assert_eq!(cents(&text, None), Ok(n));
        }
    }
}
