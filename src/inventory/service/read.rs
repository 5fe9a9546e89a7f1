//! Reading an uploaded text table: decoded once in the encoding it was written in (`rules::sniff`), split by the
//! delimiter it uses, row by row as they are needed (the `csv` crate: quotes, embedded delimiters and line breaks
//! handled as RFC 4180 says; rows of any width). A cell longer than any inventory value stops the reading with the
//! line it is on: a line that never ends, or a binary file that got past the format check.

use std::borrow::Cow;
use std::sync::Arc;

use crate::inventory::rules::file::{FileProblem, MAX_CELL_CHARS};
use crate::inventory::rules::sniff::{self, TextEncoding};

/// A text table, decoded, with how it was written.
#[derive(Debug, Clone)]
pub struct TextTable {
    pub encoding: TextEncoding,
    pub delimiter: u8,
    text: Text,
}

/// The decoded text: the upload's own bytes when they are UTF-8 already (a large file is not held twice), else the
/// text decoded from them.
#[derive(Debug, Clone)]
enum Text {
    /// Valid UTF-8 from this offset on (past a byte order mark).
    Shared(Arc<Vec<u8>>, usize),
    Decoded(String),
}

impl TextTable {
    /// Decodes `bytes` and sniffs the delimiter (`delimiter` chooses it instead).
    pub fn open(bytes: &[u8], delimiter: Option<u8>) -> TextTable {
        TextTable::shared(Arc::new(bytes.to_vec()), delimiter)
    }

    /// As [`TextTable::open`], keeping `bytes` themselves when they are UTF-8.
    pub fn shared(bytes: Arc<Vec<u8>>, delimiter: Option<u8>) -> TextTable {
        let encoding = sniff::detect_encoding(&bytes);
        let text = match sniff::decode(&bytes, encoding) {
            Cow::Borrowed(_) => {
                let from = if encoding == TextEncoding::Utf8Bom { 3 } else { 0 };
                Text::Shared(bytes.clone(), from)
            }
            Cow::Owned(decoded) => Text::Decoded(decoded),
        };
        let mut table = TextTable { encoding, delimiter: b',', text };
        table.delimiter = delimiter.unwrap_or_else(|| sniff::sniff_delimiter(table.text()));
        table
    }

    fn bytes(&self) -> &[u8] {
        match &self.text {
            Text::Shared(bytes, from) => &bytes[*from..],
            Text::Decoded(text) => text.as_bytes(),
        }
    }

    fn text(&self) -> &str {
        // `Shared` holds only bytes `decode` borrowed, which it does only for valid UTF-8.
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }

    /// How many lines the text has (LF, CRLF or a lone CR end one).
    pub fn line_count(&self) -> u64 {
        let b = self.bytes();
        let breaks = b.iter().enumerate().filter(|(i, c)| **c == b'\n' || **c == b'\r' && b.get(i + 1) != Some(&b'\n'));
        breaks.count() as u64 + 1
    }

    /// The rows in order, each with its line in the file (1-based, where the row starts), cells trimmed of the
    /// spaces around them; blank rows skipped.
    pub fn rows(&self) -> impl Iterator<Item = Result<(u64, Vec<String>), FileProblem>> + '_ {
        let bytes = self.bytes();
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(self.delimiter).from_reader(bytes);
        let mut record = csv::StringRecord::new();
        let mut done = false;
        // The csv reader's positions count from before the blank lines it skips: a record's line is found from its
        // first byte instead, counting line breaks incrementally from the last record's.
        let (mut counted_to, mut line_at) = (0usize, 1u64);
        let mut line_of = move |offset: usize| {
            let start =
                offset + bytes[offset.min(bytes.len())..].iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
            let start = start.min(bytes.len()).max(counted_to);
            // A line ends at LF, CRLF or a lone CR (the csv reader's terminators).
            let span = &bytes[counted_to..start];
            line_at += span
                .iter()
                .enumerate()
                .filter(|(i, b)| **b == b'\n' || **b == b'\r' && span.get(i + 1) != Some(&b'\n'))
                .count() as u64;
            counted_to = start;
            line_at
        };
        std::iter::from_fn(move || {
            while !done {
                let before = reader.position().byte() as usize;
                match reader.read_record(&mut record) {
                    Ok(false) => done = true,
                    Ok(true) => {
                        let line = line_of(record.position().map_or(before, |p| p.byte() as usize));
                        if let Some(i) = record
                            .iter()
                            .position(|c| c.len() > MAX_CELL_CHARS * 4 || c.chars().count() > MAX_CELL_CHARS)
                        {
                            done = true;
                            return Some(Err(FileProblem::CellTooLong { line, column: i as u64 + 1 }));
                        }
                        if record.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        return Some(Ok((line, record.iter().map(|c| c.trim().to_owned()).collect())));
                    }
                    Err(e) => {
                        done = true;
                        let line = line_of(e.position().map_or(before, |p| p.byte() as usize));
                        return Some(Err(FileProblem::Malformed { line }));
                    }
                }
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_bytes_read_without_panicking_and_lines_only_grow(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let t = TextTable::open(&bytes, None);
            let mut last = 0;
            for row in t.rows() {
                let line = match row { Ok((line, _)) => line, Err(FileProblem::CellTooLong { line, .. } | FileProblem::Malformed { line }) => line, Err(e) => panic!("{e:?}") };
                prop_assert!(line > last || last == 0 && line >= 1, "{line} after {last}");
                last = line;
            }
        }
    }

    fn all(t: &TextTable) -> Result<Vec<(u64, Vec<String>)>, FileProblem> {
        t.rows().collect()
    }

    #[test]
    fn a_latin1_semicolon_table_with_a_title_reads_right() {
        let bytes = b"Inventario Bodega Norte\r\n\r\nClave;Descripci\xf3n;Precio;Existencia\r\n04465-02220;\"Pastilla; delantera\";1.234,50;3\r\nB2210;Buj\xeda;99,00;1\r\n";
        let t = TextTable::open(bytes, None);
        assert_eq!((t.encoding, t.delimiter), (TextEncoding::Windows1252, b';'));
        let rows = all(&t).unwrap();
        assert_eq!(rows[0], (1, vec!["Inventario Bodega Norte".to_owned()]));
        assert_eq!(rows[1].0, 3, "blank lines are skipped, lines counted");
        assert_eq!(rows[1].1, ["Clave", "Descripción", "Precio", "Existencia"]);
        assert_eq!(rows[2].1, ["04465-02220", "Pastilla; delantera", "1.234,50", "3"]);
        assert_eq!(rows[3], (5, vec!["B2210".into(), "Bujía".into(), "99,00".into(), "1".into()]));
    }

    #[test]
    fn quoted_line_breaks_keep_the_starting_line() {
        let t = TextTable::open(b"a,b\n\"x\ny\",2\nz,3\n", None);
        let rows = all(&t).unwrap();
        assert_eq!(rows[1], (2, vec!["x\ny".into(), "2".into()]));
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn endless_cells_stop_with_their_line_and_column() {
        let mut bytes = b"a,b\n1,2\n3,\"".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', MAX_CELL_CHARS + 1));
        let t = TextTable::open(&bytes, None);
        assert_eq!(all(&t), Err(FileProblem::CellTooLong { line: 3, column: 2 }));
        let long_line: Vec<u8> = std::iter::repeat_n(b'y', MAX_CELL_CHARS * 4 + 1).collect();
        assert_eq!(all(&TextTable::open(&long_line, None)), Err(FileProblem::CellTooLong { line: 1, column: 1 }));
    }

    /// Found by outside testing: an ERP's export with 2,400 to 12,400-character descriptions was refused whole. A
    /// long text is read (the mapping decides whether it matters).
    #[test]
    fn long_descriptions_are_read_not_refused() {
        let description = "Descripción larga del artículo. ".repeat(400);
        let text = format!("numero,descripcion,precio\nA-1,\"{description}\",10\nA-2,corta,20\n");
        let rows = all(&TextTable::open(text.as_bytes(), None)).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows[1].1[1].chars().count() > 12_000);
    }
}
