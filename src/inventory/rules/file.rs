//! What an uploaded file is, told by its first bytes (never by its name: a renamed file is what its bytes say), the
//! limits an upload must keep, and why a file as a whole is refused. Each refusal is a 4xx with a message in the
//! user's language; nothing of a refused file is written.

use serde::{Deserialize, Serialize};

/// Default largest upload, in bytes.
pub const MAX_BYTES: u64 = 50 * 1024 * 1024;
/// Default most data rows in one upload.
pub const MAX_ROWS: u64 = 1_000_000;
/// Most bytes a workbook may unpack to (a zip bomb unpacks to far more than any inventory sheet).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// Most characters in one cell before the file is refused whole: no spreadsheet cell of an inventory holds this much
/// (a line that never ends, a binary file renamed). Long texts in other columns (an ERP's descriptions of 2,400 to
/// 12,400 characters, found by outside testing) are read and, unmapped, ignored; a mapped field has its own limit and
/// a longer value rejects its row with the reason (`rules::row`).
pub const MAX_CELL_CHARS: usize = 100_000;

/// An upload's limits (configurable; the defaults above otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_bytes: u64,
    pub max_rows: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits { max_bytes: MAX_BYTES, max_rows: MAX_ROWS }
    }
}

/// The kinds of file an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
    Xls,
    Ods,
}

crate::codes::text_enum!(Format "file format" { Csv => "csv", Xlsx => "xlsx", Xls => "xls", Ods => "ods" });

impl Format {
    /// Whether the file holds sheets to choose from.
    pub const fn is_workbook(self) -> bool {
        !matches!(self, Format::Csv)
    }
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum FileProblem {
    /// No bytes, or no rows.
    Empty,
    /// Not a spreadsheet or a text table (a PDF, an image, a program, a document): what it looks like.
    UnsupportedType { looks_like: String },
    /// A workbook that cannot be read (damaged, or not a workbook inside).
    Corrupt,
    /// Larger than the upload limit.
    TooLarge { limit_bytes: u64 },
    /// Unpacks to more than [`MAX_UNPACKED_BYTES`]: a zip bomb, or no inventory sheet.
    UnpacksTooLarge { limit_bytes: u64 },
    /// More data rows than the limit.
    TooManyRows { limit: u64 },
    /// A cell longer than [`MAX_CELL_CHARS`] (a line that never ends, or a binary file renamed), at a line and a
    /// column (1-based).
    CellTooLong { line: u64, column: u64 },
    /// A text table that is not one (unbalanced quotes running to the end, say).
    Malformed { line: u64 },
    /// The chosen sheet does not exist.
    NoSuchSheet { sheet: String },
    /// The header row is not among the rows.
    NoSuchHeaderRow { row: u64 },
    /// The mapping names a column the header row does not have, or leaves a required field unmapped.
    Mapping { field: String },
    /// The server stopped while the upload was being written: nothing of it was written.
    Interrupted,
}

impl crate::codes::Refusal for FileProblem {
    /// Too large (or unpacking too large): 413; not a table at all: 415; anything else about the file: 422.
    fn status(&self) -> u16 {
        match self {
            FileProblem::TooLarge { .. } | FileProblem::UnpacksTooLarge { .. } => 413,
            FileProblem::UnsupportedType { .. } => 415,
            _ => 422,
        }
    }
}

/// Signatures of files that are not tables, by their first bytes.
const NOT_TABLES: &[(&[u8], &str)] = &[
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xFF\xD8\xFF", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x7FELF", "ELF"),
    (b"MZ", "EXE"),
    (b"\x1F\x8B", "gzip"),
    (b"7z\xBC\xAF\x27\x1C", "7z"),
    (b"Rar!", "RAR"),
    (b"{\\rtf", "RTF"),
];

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// The format of a file by its first bytes (a few hundred are enough): a zip is a workbook (XLSX, or ODS when its
/// `mimetype` entry says so; whether it truly holds a workbook is the reader's to find), an OLE compound file is an
/// XLS, known non-table signatures are refused, and text without NUL bytes (or with a UTF-16 byte-order mark) is a
/// text table.
pub fn detect_format(head: &[u8]) -> Result<Format, FileProblem> {
    if head.is_empty() {
        return Err(FileProblem::Empty);
    }
    if head.starts_with(ZIP) {
        let window = &head[..head.len().min(256)];
        let ods = window.windows(ODS_MIMETYPE.len()).any(|w| w == ODS_MIMETYPE);
        return Ok(if ods { Format::Ods } else { Format::Xlsx });
    }
    if head.starts_with(OLE) {
        return Ok(Format::Xls);
    }
    if let Some((_, name)) = NOT_TABLES.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Err(FileProblem::UnsupportedType { looks_like: (*name).to_owned() });
    }
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    if !utf16 && head[..head.len().min(8192)].contains(&0) {
        return Err(FileProblem::UnsupportedType { looks_like: "binary".to_owned() });
    }
    Ok(Format::Csv)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn formats_are_told_by_their_bytes() {
        assert_eq!(detect_format(b"Parte,Precio\n1,2\n"), Ok(Format::Csv));
        assert_eq!(detect_format(b"\xEF\xBB\xBFParte;Precio\n"), Ok(Format::Csv));
        assert_eq!(detect_format(b"\xFF\xFEP\x00a\x00"), Ok(Format::Csv));
        assert_eq!(detect_format(b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml"), Ok(Format::Xlsx));
        let ods = [&b"PK\x03\x04\x14\x00\x00\x08\x00\x00"[..], b"mimetype", ODS_MIMETYPE].concat();
        assert_eq!(detect_format(&ods), Ok(Format::Ods));
        assert_eq!(detect_format(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), Ok(Format::Xls));
        assert_eq!(detect_format(b""), Err(FileProblem::Empty));
        assert_eq!(detect_format(b"%PDF-1.7"), Err(FileProblem::UnsupportedType { looks_like: "PDF".into() }));
        assert_eq!(detect_format(b"\x89PNG\r\n"), Err(FileProblem::UnsupportedType { looks_like: "PNG".into() }));
        assert_eq!(detect_format(b"abc\x00def"), Err(FileProblem::UnsupportedType { looks_like: "binary".into() }));
    }

    /// Bytes that begin like the files uploads meet: each signature `detect_format` knows (a zip with and without
    /// the ODS `mimetype`, an OLE file, the non-tables, UTF-16 marks), text, or nothing in particular; then anything,
    /// NULs included.
    fn heads() -> impl Strategy<Value = Vec<u8>> {
        let mut starts: Vec<Vec<u8>> = vec![
            Vec::new(),
            ZIP.to_vec(),
            [ZIP, b"\x14\x00\x00\x08\x00\x00mimetype", ODS_MIMETYPE].concat(),
            OLE.to_vec(),
            b"\xFF\xFE".to_vec(),
            b"\xFE\xFF".to_vec(),
            b"Parte;Precio;Existencia\n".to_vec(),
        ];
        starts.extend(NOT_TABLES.iter().map(|(magic, _)| magic.to_vec()));
        let tail = prop_oneof![
            prop::collection::vec(any::<u8>(), 0..600),
            prop::collection::vec(prop::sample::select(b"ab1,;\n\x00".to_vec()), 0..600),
        ];
        (prop::sample::select(starts), tail).prop_map(|(start, tail)| [start, tail].concat())
    }

    proptest! {
        /// Whatever the bytes, the answer is a format whose signature they carry, or the reason that fits them:
        /// empty only when there are no bytes, a known non-table only under its own magic bytes, "binary" only when
        /// a NUL comes early in text that declares no UTF-16; and bytes that carry a workbook's signature are that
        /// workbook, whatever follows.
        #[test]
        fn any_bytes_are_a_format_or_a_reason(bytes in heads()) {
            let nul_early = bytes[..bytes.len().min(8192)].contains(&0);
            let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
            let ods_named = bytes[..bytes.len().min(256)].windows(ODS_MIMETYPE.len()).any(|w| w == ODS_MIMETYPE);
            let not_table = NOT_TABLES.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, name)| *name);
            let got = detect_format(&bytes);
            match &got {
                Ok(Format::Xlsx) => prop_assert!(bytes.starts_with(ZIP) && !ods_named),
                Ok(Format::Ods) => prop_assert!(bytes.starts_with(ZIP) && ods_named),
                Ok(Format::Xls) => prop_assert!(bytes.starts_with(OLE)),
                Ok(Format::Csv) => {
                    prop_assert!(!bytes.is_empty() && !bytes.starts_with(ZIP) && !bytes.starts_with(OLE));
                    prop_assert_eq!(not_table, None);
                    prop_assert!(utf16 || !nul_early, "a NUL early in text is binary");
                }
                Err(FileProblem::Empty) => prop_assert!(bytes.is_empty()),
                Err(FileProblem::UnsupportedType { looks_like }) if looks_like == "binary" => {
                    prop_assert_eq!(not_table, None);
                    prop_assert!(nul_early && !utf16 && !bytes.starts_with(ZIP) && !bytes.starts_with(OLE));
                }
                Err(FileProblem::UnsupportedType { looks_like }) => {
                    prop_assert_eq!(Some(looks_like.as_str()), not_table)
                }
                Err(other) => {
                    return Err(TestCaseError::fail(format!("not a reason the first bytes give: {other:?}")));
                }
            }
            // The converse: a signature always wins, and only the bytes decide.
            if bytes.starts_with(ZIP) {
                prop_assert_eq!(&got, &Ok(if ods_named { Format::Ods } else { Format::Xlsx }));
            } else if bytes.starts_with(OLE) {
                prop_assert_eq!(&got, &Ok(Format::Xls));
            }
            // The first 8 KiB decide: what follows them (a NUL, say) never changes the answer.
            if !bytes.is_empty() {
                let mut longer = bytes.clone();
                longer.resize(8192, b'a');
                longer.extend_from_slice(b"\x00\x00PK\x03\x04");
                prop_assert_eq!(&detect_format(&longer), &got);
            }
        }
    }
}
