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
    PasswordNeedsLower,
    PasswordNeedsUpper,
    PasswordNeedsDigit,
    PasswordMismatch,
    PasswordTooCommon,
    RoleNotAllowed,
    ScopeUnknown,
    InvalidInput,
    // state
    NotFound,
    Conflict,
    NameTaken,
    CsrfRejected,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
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
            Self::PasswordNeedsLower => "password_needs_lower",
            Self::PasswordNeedsUpper => "password_needs_upper",
            Self::PasswordNeedsDigit => "password_needs_digit",
            Self::PasswordMismatch => "password_mismatch",
            Self::PasswordTooCommon => "password_too_common",
            Self::RoleNotAllowed => "role_not_allowed",
            Self::ScopeUnknown => "scope_unknown",
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::NameTaken => "name_taken",
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

/// Trims a free-text field and checks it is present (when required) and not longer than `max` characters.
pub fn check_text(field: &str, raw: &str, required: bool, max: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    if required && s.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, ErrorCode::TooLong));
    }
    Ok(s.to_owned())
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
