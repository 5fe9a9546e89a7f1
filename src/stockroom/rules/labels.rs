//! Printable item labels: sheets of A4 with 3 × 8 labels of 70 × 37 mm (the common office label sheet), each with the
//! item's name and SKU, its code as a Code 128 barcode (what a USB scanner at the counter reads) with the code in
//! words beneath, and the same code as a QR (what a phone's camera reads). The code is the item's first barcode, else
//! its SKU. Encoding is the kept crates' (`barcoders`, `qrcode`); this module only lays their modules out as SVG, in
//! millimetres, so a sheet prints at its true size.

use barcoders::sym::code128::Code128;
use qrcode::{Color, EcLevel, QrCode};

/// One label's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub sku: String,
    /// What the bars and the QR say.
    pub code: String,
}

/// Labels on one sheet.
pub const PER_SHEET: usize = 24;
const COLUMNS: usize = 3;
const WIDTH: f64 = 70.0;
const HEIGHT: f64 = 37.0;
/// The sheet's top margin (297 mm less 8 rows of 37 mm, halved).
const TOP: f64 = 0.5;
/// Narrowest bar printed (mm): below it a scanner misreads, and the code is left to the QR.
const NARROWEST: f64 = 0.17;

/// The sheets of `labels`, in order, each a whole SVG document of 210 × 297 mm.
pub fn sheets(labels: &[Label]) -> Vec<String> {
    labels.chunks(PER_SHEET).map(sheet).collect()
}

fn sheet(labels: &[Label]) -> String {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" font-family="DejaVu Sans, Arial, sans-serif">"#,
    );
    svg.push_str(r#"<rect width="210" height="297" fill="white"/>"#);
    for (i, label) in labels.iter().enumerate() {
        let x = (i % COLUMNS) as f64 * WIDTH;
        let y = TOP + (i / COLUMNS) as f64 * HEIGHT;
        svg.push_str(&format!(r#"<g transform="translate({x} {y})">"#));
        draw(&mut svg, label);
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

fn draw(svg: &mut String, label: &Label) {
    svg.push_str(&format!(
        r#"<text x="3" y="6" font-size="3.4" font-weight="bold">{}</text><text x="3" y="10.5" font-size="2.8">{}</text>"#,
        escape(&cut(&label.name, 30)),
        escape(&cut(&label.sku, 34)),
    ));
    // The bars: 3..46 mm across, 13..28 mm down; the code in words under them.
    match bars(&label.code) {
        Some(modules) if 43.0 / modules.len() as f64 >= NARROWEST => {
            let w = 43.0 / modules.len() as f64;
            svg.push_str(r#"<g fill="black">"#);
            for (start, len) in runs(&modules) {
                svg.push_str(&format!(
                    r#"<rect x="{:.3}" y="13" width="{:.3}" height="15"/>"#,
                    3.0 + start as f64 * w,
                    len as f64 * w
                ));
            }
            svg.push_str("</g>");
        }
        _ => {}
    }
    svg.push_str(&format!(
        r#"<text x="24.5" y="32" font-size="2.6" text-anchor="middle">{}</text>"#,
        escape(&cut(&label.code, 32))
    ));
    // The QR: 21 mm square at the right, quiet zone included.
    if let Ok(qr) = QrCode::with_error_correction_level(label.code.as_bytes(), EcLevel::M) {
        let n = qr.width();
        let quiet = 2;
        let cell = 21.0 / (n + 2 * quiet) as f64;
        let colors = qr.to_colors();
        svg.push_str(r#"<g fill="black" transform="translate(47 9)">"#);
        for row in 0..n {
            let line: Vec<u8> = colors[row * n..(row + 1) * n].iter().map(|c| u8::from(*c == Color::Dark)).collect();
            for (start, len) in runs(&line) {
                svg.push_str(&format!(
                    r#"<rect x="{:.3}" y="{:.3}" width="{:.3}" height="{:.3}"/>"#,
                    (start + quiet) as f64 * cell,
                    (row + quiet) as f64 * cell,
                    len as f64 * cell,
                    cell + 0.01
                ));
            }
        }
        svg.push_str("</g>");
    }
}

/// Code 128's modules for `code` (1: a bar), in character set B (printable ASCII); `None` for a code it cannot carry.
fn bars(code: &str) -> Option<Vec<u8>> {
    Code128::new(format!("Ɓ{code}")).ok().map(|c| c.encode())
}

/// The runs of 1s: (first module, how many).
fn runs(modules: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if modules[i] == 1 {
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            out.push((start, i - start));
        } else {
            i += 1;
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(n: usize) -> Label {
        Label {
            name: format!("Guantes <nitrilo> & más {n}"), sku: format!("GU-{n}"), code: format!("750100000{n:04}")
        }
    }

    #[test]
    fn labels_fill_sheets_of_twenty_four_in_order() {
        let labels: Vec<Label> = (0..30).map(label).collect();
        let sheets = sheets(&labels);
        assert_eq!(sheets.len(), 2);
        assert!(sheets[0].starts_with("<svg") && sheets[0].contains(r#"viewBox="0 0 210 297""#));
        assert_eq!(sheets[0].matches(r#"<g transform="translate("#).count(), 24);
        assert_eq!(sheets[1].matches(r#"<g transform="translate("#).count(), 6);
        // The last label of a full sheet sits in the third column of the eighth row.
        assert!(sheets[0].contains(r#"<g transform="translate(140 259.5)">"#), "{}", &sheets[0][..400]);
        // Text is escaped, never markup.
        assert!(sheets[0].contains("Guantes &lt;nitrilo&gt; &amp; más 0") && !sheets[0].contains("<nitrilo>"));
    }

    #[test]
    fn the_bars_are_code_128_of_the_code_and_a_code_they_cannot_carry_is_left_to_the_qr() {
        let modules = bars("7501000001").unwrap();
        // Start B, ten characters, the check character, and the stop: 11 modules each, the stop 13.
        assert_eq!(modules.len(), 11 * 12 + 13);
        assert_eq!(&modules[..11], &[1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0], "Start B");
        assert!(bars("Llave 10 mm ñ").is_none());
        let sheet = &sheets(&[Label { name: "Llave".into(), sku: "LL-ñ".into(), code: "LL-ñ".into() }])[0];
        assert!(!sheet.contains(r#"height="15""#), "no bars for a code Code 128 cannot carry");
        assert!(sheet.contains(r#"transform="translate(47 9)""#), "the QR carries it");
    }

    #[test]
    fn runs_join_neighbouring_bars() {
        assert_eq!(runs(&[1, 1, 0, 1, 0, 0, 1, 1, 1]), [(0, 2), (3, 1), (6, 3)]);
        assert_eq!(cut("abcdef", 4), "abc…");
    }
}
