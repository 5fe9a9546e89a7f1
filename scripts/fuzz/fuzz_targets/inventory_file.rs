//! Any bytes as an uploaded inventory file: told by its bytes, opened (text table or workbook), its header found and
//! every data row checked under the suggested mapping. It must end in a table or a reason, never a panic, and never
//! hand on more rows than the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nexus::inventory::rules::file::detect_format;
use nexus::inventory::service::table::{Source, check_rows, layout};

fuzz_target!(|bytes: &[u8]| {
    let Ok(format) = detect_format(&bytes[..bytes.len().min(8192)]) else { return };
    let Ok(source) = Source::open(bytes, format, None, None) else { return };
    let Ok(l) = layout(&source, None) else { return };
    let mut rows = 0u64;
    let _ = check_rows(&source, l.header_line, &l.suggested, 1_000, |_, _, _| rows += 1);
    assert!(rows <= 1_000);
});
