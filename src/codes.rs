//! Stable, machine-readable codes for everything that can go wrong for a user.
//!
//! Codes travel over the wire (server functions and REST) and the UI turns each into a message in the user's language,
//! so the server never sends free text that an attacker could steer or that leaks internals. A problem with one field
//! of a form is a [`FieldError`] (the field's name and its code), shared by every area's validation.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // authentication
    InvalidCredentials,
    AccountPending,
    AccountDeactivated,
    NotAuthenticated,
    SessionExpired,
    TokenInvalid,
    RefreshReused,
    // authorization
    Forbidden,
    // validation
    Required,
    TooLong,
    EmailInvalid,
    EmailTaken,
    UsernameInvalid,
    UsernameTaken,
    PasswordTooShort,
    PasswordTooLong,
    PasswordMismatch,
    PasswordTooCommon,
    RoleNotAllowed,
    ScopeUnknown,
    InvalidInput,
    // state
    NotFound,
    Conflict,
    NameTaken,
    /// Another upload of the same bodega is being committed.
    UploadBusy,
    /// The same file with the same mapping was committed before (say so to commit it again).
    UploadRepeated,
    /// The upload was committed, discarded or failed: it can no longer change.
    UploadClosed,
    CsrfRejected,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// Codes for input that is well formed but collides with what already exists (HTTP 409, not 422).
    pub const fn is_conflict(self) -> bool {
        matches!(self, Self::EmailTaken | Self::UsernameTaken | Self::NameTaken)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountPending => "account_pending",
            Self::AccountDeactivated => "account_deactivated",
            Self::NotAuthenticated => "not_authenticated",
            Self::SessionExpired => "session_expired",
            Self::TokenInvalid => "token_invalid",
            Self::RefreshReused => "refresh_reused",
            Self::Forbidden => "forbidden",
            Self::Required => "required",
            Self::TooLong => "too_long",
            Self::EmailInvalid => "email_invalid",
            Self::EmailTaken => "email_taken",
            Self::UsernameInvalid => "username_invalid",
            Self::UsernameTaken => "username_taken",
            Self::PasswordTooShort => "password_too_short",
            Self::PasswordTooLong => "password_too_long",
            Self::PasswordMismatch => "password_mismatch",
            Self::PasswordTooCommon => "password_too_common",
            Self::RoleNotAllowed => "role_not_allowed",
            Self::ScopeUnknown => "scope_unknown",
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::NameTaken => "name_taken",
            Self::UploadBusy => "upload_busy",
            Self::UploadRepeated => "upload_repeated",
            Self::UploadClosed => "upload_closed",
            Self::CsrfRejected => "csrf_rejected",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: &str, code: ErrorCode) -> Self {
        Self { field: field.to_owned(), code }
    }
}

/// Trims a one-line free-text field and checks it is present (when required), not longer than `max` characters, and
/// free of control characters (a NUL cannot be stored in PostgreSQL text; a line break or escape does not belong in
/// a name).
pub fn check_text(field: &str, raw: &str, required: bool, max: usize) -> Result<String, FieldError> {
    // Length and characters are judged on what was sent, as a browser's `maxlength` and the OpenAPI document do.
    if raw.chars().count() > max {
        return Err(FieldError::new(field, ErrorCode::TooLong));
    }
    if raw.chars().any(char::is_control) {
        return Err(FieldError::new(field, ErrorCode::InvalidInput));
    }
    let s = raw.trim();
    if required && s.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    Ok(s.to_owned())
}

/// A search or filter term: trimmed, `None` when blank, else checked like [`check_text`].
pub fn check_filter(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    let s = check_text(field, raw.unwrap_or_default(), false, max)?;
    Ok(Some(s).filter(|s| !s.is_empty()))
}

/// Generates `as_str`, `parse` and `ALL` for a fieldless enum whose stored form is its snake_case name.
macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$ty> {
                match s { $($text => Some($ty::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(check_text("n", "  Ana  ", true, 10).unwrap(), "Ana");
        assert_eq!(check_text("n", "   ", true, 10).unwrap_err().code, ErrorCode::Required);
        assert_eq!(check_text("n", "", false, 10).unwrap(), "");
        assert_eq!(check_text("n", "ñññññ", true, 5).unwrap(), "ñññññ");
        assert_eq!(check_text("n", "ññññññ", true, 5).unwrap_err().code, ErrorCode::TooLong);
        for bad in ["a\0b", "a\nb", "a\u{1b}[31m", "a\u{7f}"] {
            assert_eq!(check_text("n", bad, true, 10).unwrap_err().code, ErrorCode::InvalidInput, "{bad:?}");
        }
        assert_eq!(check_filter("q", Some("  "), 10).unwrap(), None);
        assert_eq!(check_filter("q", None, 10).unwrap(), None);
        assert_eq!(check_filter("q", Some(" ab "), 10).unwrap().as_deref(), Some("ab"));
        assert_eq!(check_filter("q", Some("a\0"), 10).unwrap_err().field, "q");
    }
}
