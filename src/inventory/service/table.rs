//! An uploaded file as one table, whatever its format: its rows (a text table's read as they are needed, a sheet's
//! as the workbook reader gives them), where its header is, what the header says, the first rows under it, and each
//! data row checked under a mapping (`rules::row`), handed on one at a time so a million-row file never sits in
//! memory as rows.

use std::sync::Arc;

use crate::inventory::rules::file::{FileProblem, Format};
use crate::inventory::rules::mapping::{self, Field, Vocabulary};
use crate::inventory::rules::row::{self, NumberStyle, Problem, Row};
use crate::inventory::rules::sniff::TextEncoding;

use super::read::TextTable;
use super::workbook::{self, Line};

/// Rows shown under the header before anything is written.
pub const PREVIEW_ROWS: usize = 10;
/// Price cells read first to settle the column's decimal separator.
const STYLE_SAMPLE: usize = 1_000;

/// The rows of an uploaded file.
pub enum Source {
    Text(TextTable),
    Sheet { sheets: Vec<String>, sheet: String, lines: Vec<Line> },
}

impl Source {
    /// Opens `bytes` as `format`: a text table (its delimiter sniffed unless given), or a workbook's sheet (the
    /// first unless named).
    pub fn open(bytes: &[u8], format: Format, sheet: Option<&str>, delimiter: Option<u8>) -> Result<Self, FileProblem> {
        match format {
            Format::Csv => Ok(Source::Text(TextTable::open(bytes, delimiter))),
            _ => Source::workbook(bytes, format, sheet),
        }
    }

    /// As [`Source::open`], a text table keeping `bytes` themselves as its text when they are UTF-8.
    pub fn open_shared(
        bytes: Arc<Vec<u8>>,
        format: Format,
        sheet: Option<&str>,
        delimiter: Option<u8>,
    ) -> Result<Self, FileProblem> {
        match format {
            Format::Csv => Ok(Source::Text(TextTable::shared(bytes, delimiter))),
            _ => Source::workbook(&bytes, format, sheet),
        }
    }

    fn workbook(bytes: &[u8], format: Format, sheet: Option<&str>) -> Result<Self, FileProblem> {
        let sheets = workbook::sheets(bytes, format)?;
        let (sheet, lines) = workbook::read_sheet(bytes, format, sheet)?;
        Ok(Source::Sheet { sheets, sheet, lines })
    }

    pub fn encoding(&self) -> Option<TextEncoding> {
        match self {
            Source::Text(t) => Some(t.encoding),
            Source::Sheet { .. } => None,
        }
    }

    pub fn delimiter(&self) -> Option<u8> {
        match self {
            Source::Text(t) => Some(t.delimiter),
            Source::Sheet { .. } => None,
        }
    }

    /// The last line (text) or row number (sheet): where the rows end, for progress.
    pub fn last_line(&self) -> u64 {
        match self {
            Source::Text(t) => t.line_count(),
            Source::Sheet { lines, .. } => lines.last().map_or(0, |(l, _)| *l),
        }
    }

    /// The rows, in order, each with its line (text) or row number (sheet).
    pub fn lines(&self) -> Box<dyn Iterator<Item = Result<Line, FileProblem>> + '_> {
        match self {
            Source::Text(t) => Box::new(t.rows()),
            Source::Sheet { lines, .. } => Box::new(lines.iter().cloned().map(Ok)),
        }
    }
}

/// Where the header is and what is under it (the suggestion: columns for the fields of `F`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout<F = Field> {
    /// The header's line (or row number).
    pub header_line: u64,
    pub headers: Vec<String>,
    /// The first rows under the header, as read.
    pub preview: Vec<Line>,
    /// The columns suggested for each field (index into `headers`).
    pub suggested: Vec<(F, usize)>,
}

/// Finds the header (the row at `header_line` when chosen, else detected among the first rows) and reads what
/// follows it for the preview.
pub fn layout<F: Vocabulary>(source: &Source, header_line: Option<u64>) -> Result<Layout<F>, FileProblem> {
    let head: Vec<Line> =
        source.lines().take(mapping::HEADER_SEARCH_ROWS + PREVIEW_ROWS + 1).collect::<Result<_, _>>()?;
    if head.is_empty() {
        return Err(FileProblem::Empty);
    }
    let at = match header_line {
        Some(line) => head.iter().position(|(l, _)| *l == line).ok_or(FileProblem::NoSuchHeaderRow { row: line })?,
        None => {
            let cells: Vec<Vec<String>> = head.iter().map(|(_, c)| c.clone()).collect();
            mapping::detect_header::<F>(&cells)
        }
    };
    let headers = head[at].1.clone();
    let preview: Vec<Line> = head[at + 1..].iter().take(PREVIEW_ROWS).cloned().collect();
    Ok(Layout { header_line: head[at].0, suggested: mapping::suggest(&headers), headers, preview })
}

/// The rows under the header (at `header_line`), each with its line.
pub fn data_lines(source: &Source, header_line: u64) -> impl Iterator<Item = Result<Line, FileProblem>> + '_ {
    source.lines().skip_while(move |r| r.as_ref().is_ok_and(|(l, _)| *l <= header_line))
}

/// The price column's decimal separator, settled by its first values (the first [`STYLE_SAMPLE`] data rows).
pub fn price_style(source: &Source, header_line: u64, price: Option<usize>) -> NumberStyle {
    let sample: Vec<String> = data_lines(source, header_line)
        .take(STYLE_SAMPLE)
        .filter_map(|r| r.ok())
        .filter_map(|(_, cells)| price.and_then(|p| cells.get(p).cloned()))
        .collect();
    NumberStyle::infer(sample.iter().map(String::as_str))
}

/// Checks one row's cells under `columns` (a column index per field).
pub fn check_cells(cells: &[String], columns: &[(Field, usize)], style: NumberStyle) -> Result<Row, Problem> {
    let get =
        |f: Field| columns.iter().find(|(g, _)| *g == f).and_then(|(_, c)| cells.get(*c)).map_or("", String::as_str);
    row::check(get, style)
}

/// What checking a file's data rows found: how many rows there were, and how many passed the rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checked {
    pub rows: u64,
    pub valid: u64,
}

/// Checks every data row (those after `header_line`) under `columns` (a column index per mapped field; the three
/// required fields must be there), handing each on with its line: the row, or why it is rejected. Refuses the
/// file past `max_rows` data rows.
pub fn check_rows(
    source: &Source,
    header_line: u64,
    columns: &[(Field, usize)],
    max_rows: u64,
    mut sink: impl FnMut(u64, Result<Row, Problem>, &[String]),
) -> Result<Checked, FileProblem> {
    for field in Field::ALL.into_iter().filter(|f| f.required()) {
        if !columns.iter().any(|(f, _)| *f == field) {
            return Err(FileProblem::Mapping { field: field.as_str().to_owned() });
        }
    }
    let column = |field: Field| columns.iter().find(|(f, _)| *f == field).map(|(_, c)| *c);
    let style = price_style(source, header_line, column(Field::Price));
    let mut checked = Checked::default();
    for line in data_lines(source, header_line) {
        let (line, cells) = line?;
        checked.rows += 1;
        if checked.rows > max_rows {
            return Err(FileProblem::TooManyRows { limit: max_rows });
        }
        let result = check_cells(&cells, columns, style);
        checked.valid += u64::from(result.is_ok());
        sink(line, result, &cells);
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "Inventario Bodega Norte\n\nClave;Descripción;Precio;Existencia;Ubicación\n\
                        04465-02220;Pastillas;1.234,50;3;Pasillo 1\nB2210;Bujía;99,00;1;\nX1;Filtro;N/A;2;\n";

    fn source() -> Source {
        Source::open(FILE.as_bytes(), Format::Csv, None, None).unwrap()
    }

    #[test]
    fn the_layout_finds_the_header_under_the_title_and_suggests_the_mapping() {
        let l: Layout = layout(&source(), None).unwrap();
        assert_eq!(l.header_line, 3);
        assert_eq!(l.headers, ["Clave", "Descripción", "Precio", "Existencia", "Ubicación"]);
        assert_eq!(l.preview.len(), 3);
        assert_eq!(l.preview[0].0, 4);
        assert_eq!(l.suggested, [(Field::PartNumber, 0), (Field::Price, 2), (Field::Stock, 3), (Field::Location, 4)]);
        // A chosen header row wins; one that is not there is said.
        assert_eq!(layout::<Field>(&source(), Some(1)).unwrap().header_line, 1);
        assert_eq!(layout::<Field>(&source(), Some(2)), Err(FileProblem::NoSuchHeaderRow { row: 2 }));
        assert_eq!(
            layout::<Field>(&Source::open(b"", Format::Csv, None, None).unwrap(), None),
            Err(FileProblem::Empty)
        );
    }

    #[test]
    fn data_rows_are_checked_under_the_mapping() {
        let s = source();
        let l: Layout = layout(&s, None).unwrap();
        let mut seen = Vec::new();
        let checked = check_rows(&s, l.header_line, &l.suggested, 10, |line, r, cells| {
            seen.push((line, r.map(|r| (r.price_cents, r.stock, r.location)), cells.len()));
        })
        .unwrap();
        assert_eq!(checked, Checked { rows: 3, valid: 2 });
        assert_eq!(
            seen,
            [
                (4, Ok((123_450, 3, "Pasillo 1".to_owned())), 5),
                (5, Ok((9_900, 1, String::new())), 5),
                (6, Err(Problem::NotANumber { field: Field::Price, value: "N/A".into() }), 5),
            ]
        );
        // Without a required field mapped, or past the row limit, the file is refused.
        let no_price = [(Field::PartNumber, 0), (Field::Stock, 3)];
        assert_eq!(
            check_rows(&s, l.header_line, &no_price, 10, |_, _, _| {}),
            Err(FileProblem::Mapping { field: "price".into() })
        );
        assert_eq!(
            check_rows(&s, l.header_line, &l.suggested, 2, |_, _, _| {}),
            Err(FileProblem::TooManyRows { limit: 2 })
        );
    }
}
