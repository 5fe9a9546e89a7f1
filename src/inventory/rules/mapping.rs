//! Which column holds what: the target fields, the names bodegas give them (Spanish and English, as their systems
//! export them: "Nº Parte", "Código", "Precio ($)", "Existencia", "Ubicación"…), the suggestion for a file's headers,
//! where the header row is, and the fingerprint a saved mapping is found by when the same headers come back.
//!
//! The suggestion and the header's detection work for any set of fields with names ([`Vocabulary`]): a bodega's
//! inventory ([`Field`]) and a store room's item list (`stockroom::rules::import::Column`) are read by this one
//! machinery.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::codes::TextEnum;
use crate::numbers;

/// What an inventory row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    PartNumber,
    Price,
    Stock,
    Location,
    MinOrderQty,
}

crate::codes::text_enum!(Field "inventory field" {
    PartNumber => "part_number", Price => "price", Stock => "stock", Location => "location",
    MinOrderQty => "min_order_qty",
});

/// A set of fields a table's columns are mapped to, each with the names a column of it goes by.
pub trait Vocabulary: TextEnum + Ord + std::hash::Hash + 'static {
    /// The names, folded ([`fold`]): the first is the best.
    fn names(self) -> &'static [&'static str];
}

impl Vocabulary for Field {
    fn names(self) -> &'static [&'static str] {
        Field::names(self)
    }
}

impl Field {
    pub const fn required(self) -> bool {
        matches!(self, Field::PartNumber | Field::Price | Field::Stock)
    }

    /// The names a column of this field goes by, folded ([`fold`]): the first is the best.
    pub const fn names(self) -> &'static [&'static str] {
        match self {
            Field::PartNumber => &[
                "numero de parte",
                "no parte",
                "num parte",
                "n parte",
                "no de parte",
                "parte",
                "codigo",
                "codigo de parte",
                "clave",
                "clave articulo",
                "sku",
                "referencia",
                "ref",
                "numero",
                "articulo",
                "part number",
                "part no",
                "part",
                "item",
                "item number",
                "oem",
            ],
            Field::Price => &[
                "precio",
                "precio unitario",
                "precio de venta",
                "precio venta",
                "precio publico",
                "precio lista",
                "p u",
                "importe",
                "price",
                "unit price",
                "list price",
                "sale price",
            ],
            Field::Stock => &[
                "existencia",
                "existencias",
                "stock",
                "cantidad",
                "cant",
                "inventario",
                "disponible",
                "disponibles",
                "piezas",
                "pzas",
                "unidades",
                "qty",
                "quantity",
                "on hand",
                "available",
            ],
            Field::Location => &[
                "ubicacion",
                "almacen",
                "bodega",
                "sucursal",
                "localizacion",
                "pasillo",
                "anaquel",
                "location",
                "warehouse",
                "bin",
                "store",
            ],
            Field::MinOrderQty => &[
                "pedido minimo",
                "minimo",
                "cantidad minima",
                "minimo de venta",
                "venta minima",
                "multiplo",
                "moq",
                "min order",
                "minimum order",
                "min qty",
            ],
        }
    }
}

/// A header as compared: accents and case gone, "Nº"/"N°"/"#" read as "no", any other mark a space, spaces single,
/// and unit or currency words in a longer header dropped ("Precio (MXN)", "Existencia (pzas)").
pub fn fold(header: &str) -> String {
    let plain: String = header.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect();
    let plain = plain.to_lowercase().replace(['º', '°', 'ª'], "o").replace('#', " no ");
    let spaced: String = plain.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let unit = |w: &&str| matches!(*w, "mxn" | "usd" | "pzas" | "pz" | "pza" | "unidades" | "iva");
    let kept: Vec<&str> =
        if words.iter().any(|w| !unit(w)) { words.iter().filter(|w| !unit(w)).copied().collect() } else { words };
    kept.join(" ")
}

/// How well a folded header names `field`, from 0 to 1: an exact name 1; a name as whole words inside the header
/// ("precio de venta con iva") 0.9; else the closest name by Jaro-Winkler (typos, "existecia").
pub fn score<F: Vocabulary>(folded: &str, field: F) -> f64 {
    if folded.is_empty() {
        return 0.0;
    }
    let padded = format!(" {folded} ");
    field
        .names()
        .iter()
        .map(|name| {
            if folded == *name {
                1.0
            } else if padded.contains(&format!(" {name} ")) && name.len() >= 3 {
                0.9
            } else {
                strsim::jaro_winkler(folded, name) * 0.95
            }
        })
        .fold(0.0, f64::max)
}

/// Below this a header is not suggested for a field.
pub const SUGGEST_AT: f64 = 0.85;

/// The suggested column (index into `headers`) for each field, each column used once, the surest pairs first.
pub fn suggest<F: Vocabulary>(headers: &[String]) -> Vec<(F, usize)> {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let mut pairs: Vec<(f64, F, usize)> = Vec::new();
    for &field in F::ALL {
        for (i, h) in folded.iter().enumerate() {
            let s = score(h, field);
            if s >= SUGGEST_AT {
                pairs.push((s, field, i));
            }
        }
    }
    // Surest first; among equals, the field in order, then the leftmost column.
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<(F, usize)> = Vec::new();
    for (_, field, column) in pairs {
        if chosen.iter().all(|(f, c)| *f != field && *c != column) {
            chosen.push((field, column));
        }
    }
    chosen.sort();
    chosen
}

/// The fingerprint a saved mapping is found by: the folded headers, in order.
pub fn fingerprint(headers: &[String]) -> String {
    headers.iter().map(|h| fold(h)).collect::<Vec<_>>().join("|")
}

/// Headers in `now` that `saved` lacks, and the other way round (folded comparison, as written in each).
pub fn header_difference(saved: &[String], now: &[String]) -> (Vec<String>, Vec<String>) {
    let folded = |list: &[String]| list.iter().map(|h| fold(h)).collect::<Vec<_>>();
    let (fs, fnow) = (folded(saved), folded(now));
    let added = now.iter().zip(&fnow).filter(|(_, f)| !fs.contains(f)).map(|(h, _)| h.clone()).collect();
    let removed = saved.iter().zip(&fs).filter(|(_, f)| !fnow.contains(f)).map(|(h, _)| h.clone()).collect();
    (added, removed)
}

/// Rows looked at for the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// The header row among the first rows of a sheet: the one whose cells best name the fields, among rows of mostly
/// text (at least two cells); title lines above it ("Inventario al 31/10", a lone company name) are skipped. With
/// no row naming any field, the first row of mostly text that is as wide as the data under it; else the first row.
pub fn detect_header<F: Vocabulary>(rows: &[Vec<String>]) -> usize {
    let look = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
    let filled = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
    let texty = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty() && numbers::parse(c, None).is_err()).count();
    let mut best: Option<(usize, f64)> = None;
    for (i, row) in look.iter().enumerate() {
        let n = filled(row);
        if n < 2 || texty(row) * 10 < n * 6 {
            continue;
        }
        let named: f64 = {
            let folded: Vec<String> = row.iter().map(|c| fold(c)).collect();
            F::ALL
                .iter()
                .map(|f| folded.iter().map(|h| score(h, *f)).fold(0.0, f64::max))
                .filter(|s| *s >= SUGGEST_AT)
                .sum()
        };
        // As wide as the rows below it: a header spans the data.
        let below = rows.iter().skip(i + 1).take(5).map(filled).max().unwrap_or(0);
        let spans = if below == 0 || n * 2 >= below { 0.5 } else { 0.0 };
        let s = named + spans;
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_fold_to_their_words() {
        assert_eq!(fold("Nº Parte"), "no parte");
        assert_eq!(fold("N° de Parte"), "no de parte");
        assert_eq!(fold("Precio ($)"), "precio");
        assert_eq!(fold("  UBICACIÓN "), "ubicacion");
        assert_eq!(fold("Existencia (pzas)"), "existencia");
        assert_eq!(fold("Part #"), "part no");
        assert_eq!(fold("Código_Artículo"), "codigo articulo");
    }

    #[test]
    fn spanish_and_english_headers_are_suggested() {
        let h = headers(&["Nº Parte", "Descripción", "Precio ($)", "Existencia", "Ubicación"]);
        assert_eq!(suggest(&h), [(Field::PartNumber, 0), (Field::Price, 2), (Field::Stock, 3), (Field::Location, 4)]);
        let h = headers(&["SKU", "Qty", "Unit Price", "Warehouse", "MOQ"]);
        assert_eq!(
            suggest(&h),
            [
                (Field::PartNumber, 0),
                (Field::Price, 2),
                (Field::Stock, 1),
                (Field::Location, 3),
                (Field::MinOrderQty, 4)
            ]
        );
        // Typos and longer headers still find their field; unrelated columns stay unmapped.
        let h = headers(&["Codigo", "Existecia", "Precio de venta con IVA", "Marca"]);
        assert_eq!(suggest(&h), [(Field::PartNumber, 0), (Field::Price, 2), (Field::Stock, 1)]);
        assert_eq!(suggest::<Field>(&headers(&["Marca", "Modelo", "Color"])), []);
    }

    #[test]
    fn a_column_serves_one_field_and_a_field_one_column() {
        // "Cantidad mínima" is the minimum order, not the stock, though "cantidad" names stock too.
        let h = headers(&["Parte", "Cantidad", "Cantidad mínima", "Precio", "Precio lista"]);
        assert_eq!(
            suggest(&h),
            [(Field::PartNumber, 0), (Field::Price, 3), (Field::Stock, 1), (Field::MinOrderQty, 2)]
        );
    }

    #[test]
    fn fingerprints_and_differences() {
        let a = headers(&["Nº Parte", "Precio", "Existencia"]);
        let b = headers(&["N° parte", "PRECIO", "Existencia"]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = headers(&["Nº Parte", "Precio", "Existencia", "Ubicación"]);
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(header_difference(&a, &c), (vec!["Ubicación".to_owned()], vec![]));
        assert_eq!(header_difference(&c, &a), (vec![], vec!["Ubicación".to_owned()]));
    }

    #[test]
    fn the_header_row_is_found_under_title_lines() {
        let rows: Vec<Vec<String>> = [
            vec!["Refaccionaria El Tornillo", "", ""],
            vec!["Inventario al 31/10/2026", "", ""],
            vec!["", "", ""],
            vec!["Clave", "Precio", "Existencia"],
            vec!["04465-02220", "1.234,50", "3"],
            vec!["B2210", "99", "10"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(str::to_owned).collect())
        .collect();
        assert_eq!(detect_header::<Field>(&rows), 3);
        // Headers naming nothing known: the first wide row of text.
        let rows: Vec<Vec<String>> = [vec!["Reporte", ""], vec!["Foo", "Bar"], vec!["1", "2"]]
            .into_iter()
            .map(|r| r.into_iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(detect_header::<Field>(&rows), 1);
        assert_eq!(detect_header::<Field>(&[]), 0);
    }

    proptest! {
        #[test]
        fn any_headers_fold_and_suggest_without_panicking(list in prop::collection::vec("\\PC{0,30}", 0..12)) {
            let suggested = suggest::<Field>(&list);
            let columns: std::collections::HashSet<usize> = suggested.iter().map(|(_, c)| *c).collect();
            prop_assert_eq!(columns.len(), suggested.len());
            let _ = fingerprint(&list);
            let _ = detect_header::<Field>(&[list]);
        }
    }
}
