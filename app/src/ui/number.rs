//! Numbers and money as the user's organisation writes them: its country's decimal mark and thousands separator, its
//! currency with its symbol (`nexus::numbers::NumberStyle`, made on the server from CLDR's data and carried with the
//! signed-in user), in English pages with English marks. One place: every page, list and chart label formats here.

use nexus::numbers::{Money, NumberStyle};

use crate::i18n::Locale;

/// The style in force: the signed-in user's organisation's (Mexico's before anyone is known), English marks on
/// English pages.
pub fn style(locale: Locale) -> NumberStyle {
    let org = leptos::prelude::use_context::<crate::ui::session::Me>().map(|me| me.numbers).unwrap_or_default();
    match locale {
        Locale::es => org,
        Locale::en => org.english(),
    }
}

/// A count, thousands grouped: `108,038` in Mexico, `108.038` in Argentina.
pub fn count(locale: Locale, n: i64) -> String {
    style(locale).count(n)
}

/// A number with `places` decimals: `56.9`, `56,9`.
pub fn decimal(locale: Locale, x: f64, places: usize) -> String {
    style(locale).decimal(x, places)
}

/// An amount: `$1,311.74` in Mexico, `$1.311,74` in Argentina; another currency than the organisation's by its code.
pub fn money(locale: Locale, amount: &Money) -> String {
    style(locale).money(amount)
}
