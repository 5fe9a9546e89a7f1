//! A store room's item list read from the spreadsheet it already keeps: the columns an item row can carry and the
//! names store rooms give them ("Clave", "Descripción", "U.M.", "Familia", "Existencia", "Mínimo"…), found by the
//! bodega upload's own machinery (`inventory::rules::mapping`: the header row, the suggestion), and what each row
//! must hold. Pure: which rows create or change which items is the service's, against the organisation's data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::quantity::{Qty, Unit};
use crate::codes::check_text;
use crate::inventory::rules::file::{FileProblem, Format};
use crate::inventory::rules::mapping::{self, Vocabulary, fold};
use crate::numbers;

/// What a column of an item list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Sku,
    Name,
    Description,
    Unit,
    Category,
    Barcode,
    UnitCost,
    Department,
    Threshold,
    Reorder,
    Quantity,
}

crate::codes::text_enum!(Column "item column" {
    Sku => "sku", Name => "name", Description => "description", Unit => "unit", Category => "category",
    Barcode => "barcode", UnitCost => "unit_cost", Department => "department", Threshold => "threshold",
    Reorder => "reorder", Quantity => "quantity",
});

impl Vocabulary for Column {
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Sku => &[
                "sku",
                "clave",
                "codigo",
                "codigo interno",
                "clave articulo",
                "codigo articulo",
                "no articulo",
                "numero de articulo",
                "numero de parte",
                "no parte",
                "no de parte",
                "referencia",
                "ref",
                "item",
                "item number",
                "item code",
                "part number",
                "part no",
            ],
            Column::Name => &["nombre", "articulo", "producto", "nombre del articulo", "concepto", "name", "item name"],
            Column::Description => &["descripcion", "detalle", "notas", "observaciones", "description", "details"],
            Column::Unit => &["unidad", "unidad de medida", "um", "u m", "uom", "medida", "unit", "unit of measure"],
            Column::Category => &["categoria", "familia", "grupo", "linea", "tipo", "category", "family", "group"],
            Column::Barcode => &[
                "codigo de barras",
                "cod barras",
                "codigo barras",
                "barras",
                "ean",
                "upc",
                "gtin",
                "barcode",
                "bar code",
            ],
            Column::UnitCost => &[
                "costo",
                "costo unitario",
                "costo promedio",
                "precio de costo",
                "precio compra",
                "precio de compra",
                "cost",
                "unit cost",
                "average cost",
            ],
            Column::Department => &[
                "departamento",
                "depto",
                "almacen",
                "bodega",
                "area",
                "ubicacion",
                "department",
                "warehouse",
                "location",
                "store room",
            ],
            Column::Threshold => &[
                "minimo",
                "stock minimo",
                "existencia minima",
                "inventario minimo",
                "punto de reorden",
                "min",
                "minimum",
                "min qty",
                "reorder point",
                "threshold",
            ],
            Column::Reorder => &[
                "reorder",
                "cantidad de reorden",
                "reorden",
                "cantidad a pedir",
                "lote de compra",
                "reorder qty",
                "reorder quantity",
                "order qty",
            ],
            Column::Quantity => &[
                "existencia",
                "existencias",
                "cantidad",
                "stock",
                "inventario",
                "disponible",
                "en almacen",
                "qty",
                "quantity",
                "on hand",
                "stock on hand",
            ],
        }
    }
}

/// Which column (0-based, in the header row) holds each field: `{"sku":0,"name":1,"quantity":4}`.
pub type ItemMapping = BTreeMap<Column, usize>;

/// The suggested mapping for a header row: the upload machinery's suggestion; a list without a column of names but
/// with a description ("Clave | Descripción | Existencia", as most store rooms write it) takes the description as
/// the name.
pub fn suggest(headers: &[String]) -> ItemMapping {
    let mut m: ItemMapping = mapping::suggest::<Column>(headers).into_iter().collect();
    if !m.contains_key(&Column::Name)
        && let Some(c) = m.remove(&Column::Description)
    {
        m.insert(Column::Name, c);
    }
    m
}

/// Where the mapping is wrong: the column needed (`sku`), a column past the header's, or one column for two fields.
pub fn check_mapping(m: &ItemMapping, width: usize) -> Result<(), FileProblem> {
    if !m.contains_key(&Column::Sku) {
        return Err(FileProblem::Mapping { field: Column::Sku.as_str().to_owned() });
    }
    let mut used = std::collections::HashSet::new();
    for (field, c) in m {
        if *c >= width.max(1) || !used.insert(*c) {
            return Err(FileProblem::Mapping { field: field.as_str().to_owned() });
        }
    }
    Ok(())
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RowProblem {
    /// The column is empty where the row needs it (a SKU; a new item's name; a department for a level or a
    /// quantity, none chosen for the whole file).
    Missing {
        column: Column,
    },
    TooLong {
        column: Column,
    },
    NotANumber {
        column: Column,
        value: String,
    },
    Negative {
        column: Column,
        value: String,
    },
    /// A fraction of a unit counted whole.
    Fraction {
        column: Column,
        value: String,
    },
    UnknownUnit {
        value: String,
    },
    UnknownDepartment {
        value: String,
    },
    /// The SKU is on an earlier line of the file already.
    RepeatedSku {
        line: u64,
    },
    /// The barcode names another item (its SKU), here or in the file.
    BarcodeTaken {
        code: String,
        sku: String,
    },
    TooManyBarcodes,
    /// An existing item's unit is another: change it on the item, where its history is seen.
    UnitChanged {
        unit: Unit,
    },
    /// An existing item's stock here is another than the row's: a stocktake counts it (the import only brings
    /// the first stock in).
    StockDiffers {
        #[cfg_attr(feature = "ssr", schema(value_type = f64))]
        balance: Qty,
    },
    /// An archived item receives nothing.
    Archived,
}

/// A row as read: a field the row leaves empty (or the mapping does not have) is `None` and leaves the item as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemRow {
    pub sku: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub unit: Option<Unit>,
    /// From the root down ("Herramienta / Manual" → two names).
    pub category: Option<Vec<String>>,
    pub barcodes: Option<Vec<String>>,
    pub unit_cost_cents: Option<i64>,
    pub department: Option<String>,
    pub threshold: Option<Qty>,
    pub reorder: Option<Qty>,
    pub quantity: Option<Qty>,
}

impl ItemRow {
    /// Whether the row says anything of a department (a level or a quantity).
    pub fn needs_department(&self) -> bool {
        self.threshold.is_some() || self.reorder.is_some() || self.quantity.is_some()
    }

    /// Whether another line of the same SKU says nothing else of the item itself (a field both fill is the same).
    pub fn agrees_with(&self, first: &ItemRow) -> bool {
        fn same<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            a.is_none() || b.is_none() || a == b
        }
        same(&self.name, &first.name)
            && same(&self.description, &first.description)
            && same(&self.unit, &first.unit)
            && same(&self.category, &first.category)
            && same(&self.barcodes, &first.barcodes)
            && same(&self.unit_cost_cents, &first.unit_cost_cents)
    }

    /// What the row says of its department alone (its level, its stock).
    pub fn place_part(&self) -> ItemRow {
        ItemRow {
            sku: self.sku.clone(),
            department: self.department.clone(),
            threshold: self.threshold,
            reorder: self.reorder,
            quantity: self.quantity,
            ..ItemRow::default()
        }
    }
}

/// The decimal mark of each numeric column, as its values agree (the bodega's reading of prices).
pub type Marks = BTreeMap<Column, Option<char>>;

/// The numeric columns.
pub const NUMERIC: [Column; 4] = [Column::UnitCost, Column::Threshold, Column::Reorder, Column::Quantity];

/// Each numeric column's decimal mark, from the values of the first rows.
pub fn marks<'a>(rows: impl IntoIterator<Item = &'a [String]> + Clone, m: &ItemMapping) -> Marks {
    NUMERIC
        .iter()
        .filter_map(|c| m.get(c).map(|i| (*c, *i)))
        .map(|(c, i)| {
            let values = rows.clone().into_iter().take(1_000).filter_map(|r| r.get(i).map(String::as_str));
            (c, numbers::infer_decimal(values))
        })
        .collect()
}

/// A unit as store rooms write it: "pza", "PZA.", "pieza", "kg", "lts", "mts", "m²"…
pub fn read_unit(text: &str) -> Option<Unit> {
    let t = text.trim().to_lowercase().replace('²', "2");
    let t = fold(&t);
    let u = match t.as_str() {
        "pza" | "pzas" | "pz" | "pieza" | "piezas" | "unidad" | "unidades" | "und" | "u" | "pc" | "pcs" | "piece"
        | "pieces" | "ea" | "each" | "unit" | "units" | "h87" => Unit::Piece,
        "par" | "pares" | "pr" | "pair" | "pairs" => Unit::Pair,
        "caja" | "cajas" | "cja" | "cj" | "box" | "boxes" | "bx" => Unit::Box,
        "kg" | "kgs" | "kilo" | "kilos" | "kilogramo" | "kilogramos" | "kilogram" | "kilograms" | "kgm" => Unit::Kg,
        "g" | "gr" | "grs" | "gramo" | "gramos" | "gram" | "grams" | "grm" => Unit::G,
        "l" | "lt" | "lts" | "litro" | "litros" | "litre" | "litres" | "liter" | "liters" | "ltr" => Unit::Litre,
        "ml" | "mililitro" | "mililitros" | "millilitre" | "milliliter" | "mlt" => Unit::Ml,
        "m" | "mt" | "mts" | "metro" | "metros" | "metre" | "metres" | "meter" | "meters" | "mtr" => Unit::Metre,
        "cm" | "cms" | "centimetro" | "centimetros" | "centimetre" | "centimeter" | "cmt" => Unit::Cm,
        "m2" | "mt2" | "mts2" | "metro cuadrado" | "metros cuadrados" | "square metre" | "square meter" | "mtk" => {
            Unit::M2
        }
        _ => Unit::parse(&t)?,
    };
    Some(u)
}

/// Checks one row's cells under the mapping. `unit_of`: the unit quantities are counted in when the row names none
/// (the existing item's, else a piece).
pub fn check_row(
    cells: &[String],
    m: &ItemMapping,
    marks: &Marks,
    unit_of: impl Fn(&str) -> Option<Unit>,
) -> Result<ItemRow, RowProblem> {
    let cell = |c: Column| m.get(&c).and_then(|i| cells.get(*i)).map(|s| s.trim()).filter(|s| !s.is_empty());
    let text = |c: Column, max: usize| -> Result<Option<String>, RowProblem> {
        match cell(c) {
            None => Ok(None),
            Some(t) => {
                let t = t.replace(['\n', '\r', '\t'], " ");
                check_text(c.as_str(), &t, false, max).map(Some).map_err(|_| RowProblem::TooLong { column: c })
            }
        }
    };
    let sku = text(Column::Sku, 60)?.ok_or(RowProblem::Missing { column: Column::Sku })?;
    let name = text(Column::Name, 160)?;
    let description = text(Column::Description, 2000)?;
    let unit = match cell(Column::Unit) {
        None => None,
        Some(u) => Some(read_unit(u).ok_or_else(|| RowProblem::UnknownUnit { value: u.to_owned() })?),
    };
    let category = match text(Column::Category, 400)? {
        None => None,
        Some(c) => {
            let parts: Vec<String> =
                c.split(['/', '>', '›', '\\']).map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
            if parts.iter().any(|p| p.chars().count() > 80) || parts.len() > 8 {
                return Err(RowProblem::TooLong { column: Column::Category });
            }
            (!parts.is_empty()).then_some(parts)
        }
    };
    let barcodes = match cell(Column::Barcode) {
        None => None,
        Some(b) => {
            let mut codes: Vec<String> = Vec::new();
            for code in b.split([',', ';', '|', ' ', '\n']).map(str::trim).filter(|c| !c.is_empty()) {
                if code.chars().count() > 80 || code.chars().any(char::is_control) {
                    return Err(RowProblem::TooLong { column: Column::Barcode });
                }
                if !codes.iter().any(|c| c == code) {
                    codes.push(code.to_owned());
                }
            }
            if codes.len() > super::MAX_BARCODES {
                return Err(RowProblem::TooManyBarcodes);
            }
            Some(codes)
        }
    };
    let number = |c: Column| -> Result<Option<numbers::Decimal>, RowProblem> {
        match cell(c) {
            None => Ok(None),
            Some(v) => {
                let d = numbers::parse(v, marks.get(&c).copied().flatten())
                    .map_err(|_| RowProblem::NotANumber { column: c, value: v.to_owned() })?;
                if d.is_negative() {
                    return Err(RowProblem::Negative { column: c, value: v.to_owned() });
                }
                Ok(Some(d))
            }
        }
    };
    let unit_cost_cents = match number(Column::UnitCost)? {
        None => None,
        Some(d) => Some(d.to_cents().filter(|c| *c <= 1_000_000_000_000).ok_or_else(|| RowProblem::NotANumber {
            column: Column::UnitCost,
            value: cell(Column::UnitCost).unwrap_or_default().to_owned(),
        })?),
    };
    let counted = unit.or_else(|| unit_of(&sku)).unwrap_or(Unit::Piece);
    let qty = |c: Column| -> Result<Option<Qty>, RowProblem> {
        let Some(d) = number(c)? else { return Ok(None) };
        let value = || cell(c).unwrap_or_default().to_owned();
        let q = d
            .rescale(3)
            .map(Qty)
            .filter(|q| q.in_bounds())
            .ok_or_else(|| RowProblem::NotANumber { column: c, value: value() })?;
        if counted.whole() && !q.is_whole() {
            return Err(RowProblem::Fraction { column: c, value: value() });
        }
        Ok(Some(q))
    };
    let threshold = qty(Column::Threshold)?;
    let reorder = qty(Column::Reorder)?.filter(|r| r.0 > 0);
    let quantity = qty(Column::Quantity)?;
    let department = text(Column::Department, 80)?;
    Ok(ItemRow {
        sku,
        name,
        description,
        unit,
        category,
        barcodes,
        unit_cost_cents,
        department,
        threshold,
        reorder,
        quantity,
    })
}

/// A row refused, with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemReject {
    pub line: u64,
    /// The row's SKU as written (empty when it has none).
    pub sku: String,
    #[serde(flatten)]
    pub problem: RowProblem,
}

/// The item list's export: its header, a row per item and department (an item held nowhere: one row without a
/// department), in the columns the import reads back as they are.
pub const EXPORT_COLUMNS: [&str; 11] = [
    "sku",
    "name",
    "description",
    "unit",
    "category",
    "barcodes",
    "unit_cost",
    "department",
    "quantity",
    "threshold",
    "reorder",
];

/// Rejected rows a reading shows (all are counted).
pub const REJECTS_SHOWN: usize = 200;

/// A row of the file as read, under the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RawLine {
    pub line: u64,
    pub cells: Vec<String>,
}

/// An item list as read (and, when asked, imported): how the file was read, the mapping, what its rows would do
/// (or did), and the rows refused with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportView {
    pub file_name: String,
    pub format: Format,
    /// A text file's encoding ("UTF-8", "Windows-1252"…).
    pub encoding: Option<String>,
    /// A text file's delimiter.
    pub delimiter: Option<String>,
    /// A workbook's sheets, and the one read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// The header's line (or row number).
    pub header_row: u64,
    pub headers: Vec<String>,
    /// The first rows under the header.
    pub preview: Vec<RawLine>,
    /// The columns used: chosen, or suggested.
    #[cfg_attr(feature = "ssr", schema(value_type = BTreeMap<String, u32>))]
    pub mapping: ItemMapping,
    /// Data rows read.
    pub rows: u64,
    /// Items the file adds, and existing ones it changes.
    pub new_items: u64,
    pub changed_items: u64,
    /// Levels (threshold, reorder) it sets, and first stock it brings in (receipts).
    pub levels: u64,
    pub receipts: u64,
    /// Categories it creates (their paths).
    pub new_categories: Vec<String>,
    pub rejected: u64,
    /// The first [`REJECTS_SHOWN`] rows refused.
    pub rejects: Vec<ItemReject>,
    /// Whether it was imported (a dry run otherwise: nothing written).
    pub committed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn a_store_rooms_headers_are_understood() {
        let m = suggest(&s(&["Clave", "Descripción", "U.M.", "Familia", "Existencia", "Mínimo", "Costo"]));
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            [
                (Column::Sku, 0),
                (Column::Name, 1),
                (Column::Unit, 2),
                (Column::Category, 3),
                (Column::UnitCost, 6),
                (Column::Threshold, 5),
                (Column::Quantity, 4)
            ]
        );
        // With a name column, the description stays a description.
        let m = suggest(&s(&["SKU", "Name", "Description", "Barcode", "Department", "Reorder qty"]));
        assert_eq!(m.get(&Column::Name), Some(&1));
        assert_eq!(m.get(&Column::Description), Some(&2));
        assert_eq!(m.get(&Column::Barcode), Some(&3));
        assert_eq!(m.get(&Column::Department), Some(&4));
        assert_eq!(m.get(&Column::Reorder), Some(&5));
        // The export's own header reads back column for column.
        let m = suggest(&s(&EXPORT_COLUMNS));
        let by_index: Vec<&str> =
            m.into_iter().map(|(c, i)| (i, c)).collect::<BTreeMap<_, _>>().into_values().map(Column::as_str).collect();
        assert_eq!(
            by_index,
            [
                "sku",
                "name",
                "description",
                "unit",
                "category",
                "barcode",
                "unit_cost",
                "department",
                "quantity",
                "threshold",
                "reorder"
            ]
        );
        // The header row is found under a title, by the same detection the bodega upload uses.
        let rows = vec![s(&["Almacén general — inventario", ""]), s(&["Clave", "Descripción", "Existencia"])];
        assert_eq!(mapping::detect_header::<Column>(&rows), 1);
    }

    #[test]
    fn a_mapping_needs_the_sku_and_one_column_per_field() {
        let mut m: ItemMapping = [(Column::Name, 1)].into_iter().collect();
        assert_eq!(check_mapping(&m, 3), Err(FileProblem::Mapping { field: "sku".into() }));
        m.insert(Column::Sku, 1);
        assert!(check_mapping(&m, 3).is_err(), "one column, two fields");
        m.insert(Column::Sku, 0);
        assert_eq!(check_mapping(&m, 3), Ok(()));
        m.insert(Column::Quantity, 7);
        assert_eq!(check_mapping(&m, 3), Err(FileProblem::Mapping { field: "quantity".into() }));
    }

    #[test]
    fn units_as_store_rooms_write_them() {
        for (t, u) in [
            ("PZA", Unit::Piece),
            ("Pzas.", Unit::Piece),
            ("pieza", Unit::Piece),
            ("KG", Unit::Kg),
            ("Lts", Unit::Litre),
            ("mts", Unit::Metre),
            ("m²", Unit::M2),
            ("caja", Unit::Box),
            ("par", Unit::Pair),
            ("litre", Unit::Litre),
        ] {
            assert_eq!(read_unit(t), Some(u), "{t}");
        }
        assert_eq!(read_unit("galón"), None);
    }

    #[test]
    fn rows_are_read_and_refused_with_their_reason() {
        let m: ItemMapping = [
            (Column::Sku, 0),
            (Column::Name, 1),
            (Column::Unit, 2),
            (Column::Category, 3),
            (Column::Barcode, 4),
            (Column::UnitCost, 5),
            (Column::Quantity, 6),
            (Column::Threshold, 7),
        ]
        .into_iter()
        .collect();
        let rows = [s(&["BRK-1", "Pastilla", "pza", "Frenos / Pastillas", "750100; 750101", "$1,250.50", "12", "4"])];
        let marks = marks(rows.iter().map(Vec::as_slice), &m);
        let r = check_row(&rows[0], &m, &marks, |_| None).unwrap();
        assert_eq!(r.sku, "BRK-1");
        assert_eq!(r.unit, Some(Unit::Piece));
        assert_eq!(r.category, Some(s(&["Frenos", "Pastillas"])));
        assert_eq!(r.barcodes, Some(s(&["750100", "750101"])));
        assert_eq!(r.unit_cost_cents, Some(125_050));
        assert_eq!((r.quantity, r.threshold), (Some(Qty::units(12)), Some(Qty::units(4))));
        assert!(r.needs_department());
        // Empty cells leave the item as it is.
        let r = check_row(&s(&["X", "", "", "", "", "", "", ""]), &m, &marks, |_| None).unwrap();
        assert_eq!(r, ItemRow { sku: "X".into(), ..ItemRow::default() });
        let bad = |cells: &[&str]| check_row(&s(cells), &m, &marks, |_| None).unwrap_err();
        assert_eq!(bad(&["", "Sin clave"]), RowProblem::Missing { column: Column::Sku });
        assert_eq!(bad(&["A", "", "galón"]), RowProblem::UnknownUnit { value: "galón".into() });
        assert_eq!(
            bad(&["A", "", "", "", "", "N/D"]),
            RowProblem::NotANumber { column: Column::UnitCost, value: "N/D".into() }
        );
        assert_eq!(
            bad(&["A", "", "", "", "", "", "-3"]),
            RowProblem::Negative { column: Column::Quantity, value: "-3".into() }
        );
        // A fraction of a piece is refused; of a kilogram (the row's unit, or the item's) it is read.
        assert_eq!(
            bad(&["A", "", "pza", "", "", "", "2.5"]),
            RowProblem::Fraction { column: Column::Quantity, value: "2.5".into() }
        );
        let kg = check_row(&s(&["A", "", "", "", "", "", "2.5"]), &m, &marks, |_| Some(Unit::Kg)).unwrap();
        assert_eq!(kg.quantity, Some(Qty(2_500)));
        assert_eq!(bad(&["A".repeat(61).as_str()]), RowProblem::TooLong { column: Column::Sku });
    }
}
