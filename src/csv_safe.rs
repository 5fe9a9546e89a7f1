//! Spreadsheet formula-injection protection for CSV exports.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is run as a formula by Excel and LibreOffice.
//! Prefixing it with an apostrophe makes the spreadsheet show it as text (OWASP "CSV injection").

use std::borrow::Cow;

pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
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
