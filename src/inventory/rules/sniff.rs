//! Reading a text file the way its author's software wrote it: the encoding (a byte-order mark, else UTF-8 when the
//! bytes are valid UTF-8, else Windows-1252, the superset of Latin-1 that Spanish-language Windows software writes)
//! and the delimiter (`,` `;` tab or `|`: the one that splits the first lines into the same number of fields most
//! often). Decoding is `encoding_rs`'s; the sniffing only counts.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A text file's encoding, as detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub const fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252 / Latin-1",
        }
    }
}

/// The encoding of `bytes`: a byte-order mark says it; else valid UTF-8 is UTF-8; else Windows-1252.
pub fn detect_encoding(bytes: &[u8]) -> TextEncoding {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => TextEncoding::Utf8Bom,
        [0xFF, 0xFE, ..] => TextEncoding::Utf16Le,
        [0xFE, 0xFF, ..] => TextEncoding::Utf16Be,
        _ if std::str::from_utf8(bytes).is_ok() => TextEncoding::Utf8,
        _ => TextEncoding::Windows1252,
    }
}

/// The text of `bytes` in `encoding` (the byte-order mark dropped). Malformed sequences in a UTF-16 file become
/// U+FFFD (Windows-1252 maps every byte; UTF-8 was checked whole).
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> Cow<'_, str> {
    match encoding {
        TextEncoding::Utf8 => encoding_rs::UTF_8.decode_without_bom_handling(bytes).0,
        TextEncoding::Utf8Bom => encoding_rs::UTF_8.decode_without_bom_handling(&bytes[3..]).0,
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE.decode_without_bom_handling(&bytes[2..]).0,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE.decode_without_bom_handling(&bytes[2..]).0,
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The delimiters tried, in the order that breaks ties.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Lines looked at to choose the delimiter.
const SNIFF_LINES: usize = 50;

/// Fields on one line for `delimiter`, quotes respected (a quoted field may hold the delimiter). Lines are taken
/// as they come: a quoted field spanning lines counts oddly, which only blurs the score a little.
fn fields_on_line(line: &str, delimiter: u8) -> usize {
    let (mut fields, mut quoted) = (1, false);
    for b in line.bytes() {
        match b {
            b'"' => quoted = !quoted,
            d if d == delimiter && !quoted => fields += 1,
            _ => {}
        }
    }
    fields
}

/// The delimiter that splits the first non-empty lines into the same number of fields (more than one) most often;
/// among equals, the one giving more fields, then the first of [`DELIMITERS`]. A file of one column gets `,`.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(SNIFF_LINES).collect();
    let mut best = (b',', 0usize, 0usize); // delimiter, lines agreeing, fields
    for d in DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| fields_on_line(l, d)).collect();
        // The most common field count above one, and how many lines have it.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for c in counts.iter().copied().filter(|c| *c > 1) {
            match tally.iter_mut().find(|(n, _)| *n == c) {
                Some((_, k)) => *k += 1,
                None => tally.push((c, 1)),
            }
        }
        if let Some(&(fields, agreeing)) = tally.iter().max_by_key(|(n, k)| (*k, *n))
            && (agreeing, fields) > (best.1, best.2)
        {
            best = (d, agreeing, fields);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(detect_encoding("Bujía".as_bytes()), TextEncoding::Utf8);
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFBuj\xC3\xADa"), TextEncoding::Utf8Bom);
        assert_eq!(decode(b"\xEF\xBB\xBFBuj\xC3\xADa", TextEncoding::Utf8Bom), "Bujía");
        // "Bujía, Ubicación" as Latin-1 / Windows-1252 bytes.
        let latin1 = b"Buj\xEDa, Ubicaci\xF3n \x80";
        assert_eq!(detect_encoding(latin1), TextEncoding::Windows1252);
        assert_eq!(decode(latin1, TextEncoding::Windows1252), "Bujía, Ubicación €");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("Año".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(detect_encoding(&utf16), TextEncoding::Utf16Le);
        assert_eq!(decode(&utf16, TextEncoding::Utf16Le), "Año");
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n4,5,6\n"), b',');
        assert_eq!(sniff_delimiter("Parte;Precio;Existencia\n04465;1.234,50;3\nB2210;99,00;1\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b\n1|2\n"), b'|');
        // A title line and quoted commas do not fool it.
        let text = "Inventario Bodega Norte\nParte;Descripción;Precio\n\"04465\";\"Pastilla, delantera\";\"1,50\"\n\
                    B2210;\"Bujía, iridio\";2,00\n";
        assert_eq!(sniff_delimiter(text), b';');
        assert_eq!(sniff_delimiter("una sola columna\nsin separadores\n"), b',');
        assert_eq!(sniff_delimiter(""), b',');
    }

    proptest! {
        #[test]
        fn any_bytes_decode_and_sniff_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let encoding = detect_encoding(&bytes);
            let text = decode(&bytes, encoding);
            let _ = sniff_delimiter(&text);
        }
    }
}
