//! Stable, machine-readable codes for everything that can go wrong for a user.
//!
//! Codes travel over the wire (server functions and REST) and the UI turns each into a message in the user's language,
//! so the server never sends free text that an attacker could steer or that leaks internals.

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
    RoleNotAllowed,
    ScopeUnknown,
    InvalidInput,
    // state
    NotFound,
    Conflict,
    CsrfRejected,
    RateLimited,
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
            Self::RoleNotAllowed => "role_not_allowed",
            Self::ScopeUnknown => "scope_unknown",
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::CsrfRejected => "csrf_rejected",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
