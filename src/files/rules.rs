//! What a file must be to be kept: not empty, at most [`MAX_BYTES`], of a type [`ALLOWED`] lists as read from its
//! content (never from its name or what the browser claims), and under a name whose extension, if it has one, is
//! that type's (a program renamed `plano.pdf` is refused). Plain text is UTF-8 without NUL bytes.

#[cfg(feature = "ssr")]
use crate::codes::{ErrorCode, FieldError};

/// The largest file kept: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// A file's name, at most (characters).
pub const NAME_MAX: usize = 200;

/// The types kept, with the extensions their names may have.
pub const ALLOWED: [(&str, &[&str]); 8] = [
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/webp", &["webp"]),
    ("image/gif", &["gif"]),
    ("application/pdf", &["pdf"]),
    ("text/plain", &["txt", "csv", "log", "md"]),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"]),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"]),
];

/// A file that may be kept: its name (trimmed, without any folder), its type and its SHA-256.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    pub media_type: &'static str,
    pub sha256: Vec<u8>,
}

/// What a file's content is, among [`ALLOWED`]; `None` for anything else.
#[cfg(feature = "ssr")]
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes) {
        Some(t) => ALLOWED.iter().map(|(m, _)| *m).find(|m| *m == t.mime_type()),
        None => {
            let text = std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0'));
            text.then_some("text/plain")
        }
    }
}

/// Checks a file named `name` of `bytes`; the refusal names the field `file` (or `name`).
#[cfg(feature = "ssr")]
pub fn check(name: &str, bytes: &[u8]) -> Result<Checked, FieldError> {
    // A browser may send a path; the name is its last part.
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(FieldError::new("name", ErrorCode::Required));
    }
    if name.chars().count() > NAME_MAX {
        return Err(FieldError::new("name", ErrorCode::TooLong));
    }
    if bytes.is_empty() {
        return Err(FieldError::new("file", ErrorCode::Required));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::new("file", ErrorCode::FileTooLarge));
    }
    let Some(media_type) = media_type(bytes) else {
        return Err(FieldError::new("file", ErrorCode::FileType));
    };
    if let Some((_, ext)) = name.rsplit_once('.') {
        let ext = ext.to_lowercase();
        let of_type = ALLOWED.iter().find(|(m, _)| *m == media_type).map_or(&[][..], |(_, e)| *e);
        // A name's extension another type claims: the content is not what the name says.
        let claimed = ALLOWED.iter().any(|(_, e)| e.contains(&ext.as_str()));
        if claimed && !of_type.contains(&ext.as_str()) {
            return Err(FieldError::new("file", ErrorCode::FileType));
        }
        // An extension of no allowed type (`.exe`, `.sh`) is refused whatever the content.
        if !claimed {
            return Err(FieldError::new("file", ErrorCode::FileType));
        }
    }
    use sha2::Digest;
    let sha256 = sha2::Sha256::digest(bytes).to_vec();
    Ok(Checked { name: name.to_owned(), media_type, sha256 })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R'];
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
    const EXE: &[u8] = &[b'M', b'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0];

    fn code(name: &str, bytes: &[u8]) -> (String, ErrorCode) {
        let e = check(name, bytes).unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn a_file_is_kept_by_its_content_under_its_name() {
        let c = check("C:\\fotos\\ rebaba.png ", PNG).unwrap();
        assert_eq!((c.name.as_str(), c.media_type, c.sha256.len()), ("rebaba.png", "image/png", 32));
        assert_eq!(check("plano.PDF", PDF).unwrap().media_type, "application/pdf");
        assert_eq!(check("notas", b"Cambiar la broca de 8 mm").unwrap().media_type, "text/plain");
        assert_eq!(check("medidas.csv", "pieza;mm\nA;12,5\n".as_bytes()).unwrap().media_type, "text/plain");
        // The same content, the same hash, whatever its name.
        assert_eq!(check("a.png", PNG).unwrap().sha256, check("b.png", PNG).unwrap().sha256);
    }

    #[test]
    fn renamed_binaries_oversize_and_empty_files_are_refused() {
        assert_eq!(code("plano.pdf", EXE), ("file".into(), ErrorCode::FileType));
        assert_eq!(code("plano.pdf", PNG), ("file".into(), ErrorCode::FileType));
        assert_eq!(code("foto.png", b"no soy una imagen"), ("file".into(), ErrorCode::FileType));
        assert_eq!(code("script.sh", b"rm -rf /"), ("file".into(), ErrorCode::FileType));
        assert_eq!(code("programa", EXE), ("file".into(), ErrorCode::FileType));
        assert_eq!(code("binario.txt", &[0, 1, 2, 3]), ("file".into(), ErrorCode::FileType));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(code("grande.txt", &big), ("file".into(), ErrorCode::FileTooLarge));
        assert!(check("justo.txt", &big[..MAX_BYTES]).is_ok());
        assert_eq!(code("vacio.txt", b""), ("file".into(), ErrorCode::Required));
        assert_eq!(code("  ", PNG), ("name".into(), ErrorCode::Required));
        assert_eq!(code(&format!("{}.png", "a".repeat(200)), PNG), ("name".into(), ErrorCode::TooLong));
    }
}
