//! Spreadsheet formula-injection protection for CSV exports.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is run as a formula by Excel and LibreOffice.
//! Prefixing it with an apostrophe makes the spreadsheet show it as text (OWASP "CSV injection"). A plain negative
//! number ("-3", "-1,234.50", "-0,5") is no formula and is left as it is: a stock of −3 stays a number a bodega can
//! fix and upload again (found by outside testing: it was written `'-3`).

use std::borrow::Cow;

pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('-') if plain_negative_number(cell) => Cow::Borrowed(cell),
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// `-` then digits, with at most the separators of a written number (`.`, `,`, and no two in a row), ending in a
/// digit: nothing a spreadsheet could run.
fn plain_negative_number(cell: &str) -> bool {
    let rest = &cell[1..];
    let mut last_sep = true;
    for c in rest.chars() {
        match c {
            '0'..='9' => last_sep = false,
            '.' | ',' if !last_sep => last_sep = true,
            _ => return false,
        }
    }
    !rest.is_empty() && !last_sep
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas_become_text() {
        for (input, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("-3", "-3"),
            ("-1,234.50", "-1,234.50"),
            ("-0,5", "-0,5"),
            ("-", "'-"),
            ("-3.", "'-3."),
            ("-1..2", "'-1..2"),
            ("-A1", "'-A1"),
            ("-3 ", "'-3 "),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("normal", "normal"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralize(input), expected);
        }
    }
}
