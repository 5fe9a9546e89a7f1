//! Reading an uploaded workbook (XLSX, XLS, ODS) with `calamine`: its sheets, and one sheet's rows as text.
//!
//! XLSX and ODS are zip archives, so a small file may unpack to gigabytes (a zip bomb). The sizes an archive declares
//! are the attacker's to write, so before `calamine` sees it every entry is unpacked once, counting the bytes that
//! actually come out and keeping none, and the archive is refused as soon as the count passes the limit
//! ([`check_unpacked`]): memory stays flat whatever the archive claims. A reader library may also panic on a
//! damaged file; that is caught and reported as a damaged file, never a server error.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Ods, Reader, Sheets, Xls, Xlsx, open_workbook_from_rs};

use crate::inventory::rules::file::{FileProblem, Format, MAX_CELL_CHARS};

/// Most entries a workbook archive may hold (a workbook has tens).
const MAX_ENTRIES: usize = 10_000;

/// Unpacks every entry of a zip-based workbook, counting and discarding: refused as soon as `limit` bytes are
/// passed, or when the archive cannot be read.
pub fn check_unpacked(bytes: &[u8], limit: u64) -> Result<(), FileProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileProblem::Corrupt)?;
    if archive.len() > MAX_ENTRIES {
        return Err(FileProblem::Corrupt);
    }
    let mut total = 0u64;
    let mut sink = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| FileProblem::Corrupt)?;
        loop {
            let n = entry.read(&mut sink).map_err(|_| FileProblem::Corrupt)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limit {
                return Err(FileProblem::UnpacksTooLarge { limit_bytes: limit });
            }
        }
    }
    Ok(())
}

/// A cell as text, as the sheet shows it: integers without a fraction, other numbers to six decimals at most
/// (binary fractions such as 12.350000000000001 read as 12.35), dates as ISO dates, errors as their code ("#N/A",
/// which then reads as text in a number column).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) if f.is_finite() => {
            let s = format!("{f:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        Data::Float(_) => "NaN".to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Runs a reader call, turning its errors and panics into "damaged file".
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Result<T, FileProblem> {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten().ok_or(FileProblem::Corrupt)
}

/// Opens the workbook (after the unpacking check for zip formats) and runs `f` on it, errors and panics guarded.
fn with_workbook<T>(
    bytes: &[u8],
    format: Format,
    f: impl FnOnce(&mut Sheets<Cursor<&[u8]>>) -> Option<T>,
) -> Result<T, FileProblem> {
    if matches!(format, Format::Xlsx | Format::Ods) {
        check_unpacked(bytes, crate::inventory::rules::file::MAX_UNPACKED_BYTES)?;
    }
    guarded(|| {
        let rs = Cursor::new(bytes);
        let mut workbook = match format {
            Format::Xlsx => Sheets::Xlsx(open_workbook_from_rs::<Xlsx<_>, _>(rs).ok()?),
            Format::Xls => Sheets::Xls(open_workbook_from_rs::<Xls<_>, _>(rs).ok()?),
            Format::Ods => Sheets::Ods(open_workbook_from_rs::<Ods<_>, _>(rs).ok()?),
            Format::Csv => return None,
        };
        f(&mut workbook)
    })
}

/// A row's number and its cells as text.
pub type Line = (u64, Vec<String>);

/// The workbook's sheets, in order.
pub fn sheets(bytes: &[u8], format: Format) -> Result<Vec<String>, FileProblem> {
    with_workbook(bytes, format, |w| Some(w.sheet_names()))
}

/// One sheet's non-blank rows as text (without the empty cells that pad a row to the sheet's width) with their row
/// numbers (1-based, as the sheet shows them); the first sheet when none is named.
pub fn read_sheet(bytes: &[u8], format: Format, sheet: Option<&str>) -> Result<(String, Vec<Line>), FileProblem> {
    let found = with_workbook(bytes, format, |w| {
        let names = w.sheet_names();
        let name = match sheet {
            Some(s) => names.iter().find(|n| n.as_str() == s).cloned(),
            None => names.first().cloned(),
        };
        Some(name.map(|n| {
            let range = w.worksheet_range(&n).ok();
            (n, range)
        }))
    })?;
    let Some((name, range)) = found else {
        return Err(FileProblem::NoSuchSheet { sheet: sheet.unwrap_or_default().to_owned() });
    };
    let range = range.ok_or(FileProblem::Corrupt)?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
    let mut rows = Vec::with_capacity(range.height());
    for (i, cells) in range.rows().enumerate() {
        let line = first_row + i as u64 + 1;
        let mut texts: Vec<String> = cells.iter().map(cell_text).map(|t| t.trim().to_owned()).collect();
        // A range is as wide as its widest row: the padding is not the row's.
        while texts.last().is_some_and(String::is_empty) {
            texts.pop();
        }
        if let Some(i) = texts.iter().position(|t| t.chars().count() > MAX_CELL_CHARS) {
            return Err(FileProblem::CellTooLong { line, column: i as u64 + 1 });
        }
        if texts.iter().all(String::is_empty) {
            continue;
        }
        rows.push((line, texts));
    }
    Ok((name, rows))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    /// A zip of the given entries (stored, or deflated).
    pub(crate) fn zip_of(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// The smallest XLSX a spreadsheet program opens: one sheet named `Inventario`, cells as inline strings or
    /// numbers (`n:` prefix).
    pub(crate) fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, cells) in rows.iter().enumerate() {
            sheet += &format!(r#"<row r="{}">"#, r + 1);
            for (c, v) in cells.iter().enumerate() {
                let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
                match v.strip_prefix("n:") {
                    Some(n) => sheet += &format!(r#"<c r="{at}"><v>{n}</v></c>"#),
                    None if v.is_empty() => {}
                    None => sheet += &format!(r#"<c r="{at}" t="inlineStr"><is><t>{v}</t></is></c>"#),
                }
            }
            sheet += "</row>";
        }
        sheet += "</sheetData></worksheet>";
        zip_of(
            &[
                ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
                ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
                ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Inventario" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
                ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
                ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ],
            true,
        )
    }

    #[test]
    fn a_sheet_reads_as_text_rows_with_their_numbers() {
        let bytes = xlsx(&[
            &["Refaccionaria El Tornillo"],
            &[],
            &["Clave", "Precio", "Existencia"],
            &["04465-02220", "n:1234.5", "n:3"],
            &["B2210", "n:12.350000000000001", "n:1200"],
        ]);
        assert_eq!(crate::inventory::rules::file::detect_format(&bytes), Ok(Format::Xlsx));
        assert_eq!(sheets(&bytes, Format::Xlsx).unwrap(), ["Inventario"]);
        let (name, rows) = read_sheet(&bytes, Format::Xlsx, None).unwrap();
        assert_eq!(name, "Inventario");
        assert_eq!(rows[0], (1, vec!["Refaccionaria El Tornillo".to_owned()]));
        assert_eq!(rows[1].0, 3, "blank rows skipped, rows numbered as the sheet shows them");
        assert_eq!(rows[2].1, ["04465-02220", "1234.5", "3"]);
        assert_eq!(rows[3].1, ["B2210", "12.35", "1200"]);
        assert_eq!(
            read_sheet(&bytes, Format::Xlsx, Some("Hoja2")).unwrap_err(),
            FileProblem::NoSuchSheet { sheet: "Hoja2".into() }
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_by_what_it_unpacks_to() {
        let zeros = vec![0u8; 3 * 1024 * 1024];
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &zeros)], true);
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        assert_eq!(check_unpacked(&bomb, 1024 * 1024), Err(FileProblem::UnpacksTooLarge { limit_bytes: 1024 * 1024 }));
        assert_eq!(check_unpacked(&bomb, 8 * 1024 * 1024), Ok(()));
    }

    #[test]
    fn damaged_or_foreign_archives_are_damaged_files() {
        // A zip with no workbook inside (a document, say), a truncated workbook, and bytes that are no zip at all.
        let doc = zip_of(&[("word/document.xml", b"<w:document/>")], false);
        assert_eq!(sheets(&doc, Format::Xlsx), Err(FileProblem::Corrupt));
        let good = xlsx(&[&["a", "b"]]);
        assert_eq!(sheets(&good[..good.len() / 2], Format::Xlsx), Err(FileProblem::Corrupt));
        assert_eq!(sheets(b"PK\x03\x04garbage", Format::Xlsx), Err(FileProblem::Corrupt));
        assert_eq!(sheets(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage", Format::Xls), Err(FileProblem::Corrupt));
    }
}
