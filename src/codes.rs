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
    /// Ended by something else than time: a newer sign-in past the limit of sessions, an administrator, a password
    /// change.
    SessionEnded,
    /// The user's organisation is suspended (the account itself is fine).
    OrganisationSuspended,
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
    /// A kind of organisation that does not exist or is not open to the operation (the platform registers nobody).
    KindNotAllowed,
    /// A time zone that is not an IANA name the zone database knows (`America/Mexico_City`).
    TimeZoneUnknown,
    /// A country the platform does not serve (or no country code at all).
    CountryUnknown,
    /// A period that ends before it starts, or longer than a dashboard looks at (400 days).
    RangeInvalid,
    /// A second output on a line (a line counts its units at one output).
    OutputTaken,
    /// A line's output made another kind: the line would have none.
    OutputNeeded,
    ScopeUnknown,
    InvalidInput,
    /// A fraction of an item counted whole (pieces, pairs, boxes).
    WholeUnits,
    /// An archived item, department or category named where a live one is needed.
    Archived,
    /// A transfer to the department it comes from.
    SameDepartment,
    /// A category placed under itself or one of its own descendants.
    CategoryCycle,
    /// Not a whole `http://` or `https://` address (a webhook's).
    UrlInvalid,
    /// An address this server may not call: loopback, private or link-local (a webhook's; the server's setting allows it).
    UrlNotAllowed,
    /// A JSON body that is not an object where the operation takes one (an array, a string…).
    ExpectedObject,
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
    /// An idempotency key sent again with another request: a new write needs a new key (a retry sends the same).
    IdempotencyKeyReused,
    /// A balance would go below zero.
    InsufficientStock,
    /// The movement was reversed before (each is reversed at most once), or is itself a reversal.
    AlreadyReversed,
    /// The stocktake was posted or cancelled: it can no longer change.
    StocktakeClosed,
    /// A department already has an open stocktake.
    StocktakeOpen,
    /// An export's file asked for before it is written.
    ExportNotReady,
    /// A stage fact of no units at all (neither good nor scrap).
    NothingRecorded,
    /// A shift named on a day it does not work.
    ShiftNotRunning,
    /// A day or a shift that has not begun yet (facts are of work done).
    NotYet,
    /// The facts of that shift (or day) are closed: it ended more than the plant's grace ago (a manager can reopen it).
    FactsLocked,
    /// A file larger than the largest kept.
    FileTooLarge,
    /// A file of a type not kept, or whose name's extension is not its content's type (a renamed program).
    FileType,
    /// A code the stock room's ledger names (an order's, as the reference of stock issued to it): it stays.
    CodeReferenced,
    CsrfRejected,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// Codes for input that is well formed but collides with what already exists (HTTP 409, not 422).
    pub const fn is_conflict(self) -> bool {
        matches!(
            self,
            Self::EmailTaken | Self::UsernameTaken | Self::NameTaken | Self::OutputTaken | Self::CodeReferenced
        )
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountPending => "account_pending",
            Self::AccountDeactivated => "account_deactivated",
            Self::NotAuthenticated => "not_authenticated",
            Self::SessionExpired => "session_expired",
            Self::SessionEnded => "session_ended",
            Self::OrganisationSuspended => "organisation_suspended",
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
            Self::KindNotAllowed => "kind_not_allowed",
            Self::TimeZoneUnknown => "time_zone_unknown",
            Self::CountryUnknown => "country_unknown",
            Self::RangeInvalid => "range_invalid",
            Self::OutputTaken => "output_taken",
            Self::OutputNeeded => "output_needed",
            Self::ScopeUnknown => "scope_unknown",
            Self::InvalidInput => "invalid_input",
            Self::WholeUnits => "whole_units",
            Self::Archived => "archived",
            Self::SameDepartment => "same_department",
            Self::CategoryCycle => "category_cycle",
            Self::UrlInvalid => "url_invalid",
            Self::UrlNotAllowed => "url_not_allowed",
            Self::ExpectedObject => "expected_object",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::NameTaken => "name_taken",
            Self::UploadBusy => "upload_busy",
            Self::UploadRepeated => "upload_repeated",
            Self::UploadClosed => "upload_closed",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::InsufficientStock => "insufficient_stock",
            Self::AlreadyReversed => "already_reversed",
            Self::StocktakeClosed => "stocktake_closed",
            Self::StocktakeOpen => "stocktake_open",
            Self::ExportNotReady => "export_not_ready",
            Self::NothingRecorded => "nothing_recorded",
            Self::ShiftNotRunning => "shift_not_running",
            Self::NotYet => "not_yet",
            Self::FactsLocked => "facts_locked",
            Self::CodeReferenced => "code_referenced",
            Self::FileTooLarge => "file_too_large",
            Self::FileType => "file_type",
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

/// Input refused as a whole by an area's own rules (an uploaded file, a batch of units): the area's reason as JSON
/// (an object tagged by `problem`) and the HTTP status it answers with. The core's error and the browser's carry it
/// without knowing any area; the area's page reads its own reason back with [`Rejection::reason`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// 413, 415 or 422: the area says which.
    pub status: u16,
    pub problem: serde_json::Value,
}

impl Rejection {
    /// The reason as the area's own type, if it is one of its.
    pub fn reason<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(&self.problem).ok()
    }
}

/// An area's reason for refusing a whole input.
pub trait Refusal: Serialize {
    /// The HTTP status a refusal of this kind answers with.
    fn status(&self) -> u16;

    fn rejection(&self) -> Rejection {
        // An enum of plain fields always serializes; `Null` would only hide a bug in a reason's own type.
        Rejection { status: self.status(), problem: serde_json::to_value(self).unwrap_or(serde_json::Value::Null) }
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

/// A closed set of values that is stored and sent as fixed text (a status, a kind, a role, a widget's kind…).
///
/// Text from outside (a form, a query string, a file) is read with [`TextEnum::parse`], and its absence is the
/// caller's to report as a field error. Text this system wrote itself (a database column, a saved setting) is read
/// with [`TextEnum::decode`], which fails loudly: an unknown value there is a bug or a bad migration, never a reason to
/// show a default in its place. A tidy test refuses `parse(..).unwrap_or` in services and stores.
pub trait TextEnum: Sized + Copy + 'static {
    /// Every value, in the order they are offered.
    const ALL: &'static [Self];
    /// What the values are, for the message of an unknown one ("role", "upload status"…).
    const KIND: &'static str;

    fn as_str(self) -> &'static str;

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// Reads text this system stored: an unknown value is an error naming the kind and the value.
    fn decode(s: &str) -> Result<Self, UnknownText> {
        Self::parse(s).ok_or_else(|| UnknownText { kind: Self::KIND, value: s.chars().take(64).collect() })
    }
}

/// Stored text that names no value of its kind (see [`TextEnum::decode`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?} in stored data")]
pub struct UnknownText {
    pub kind: &'static str,
    pub value: String,
}

/// Implements [`TextEnum`] for a fieldless enum, with inherent `ALL`, `as_str` (const), `parse` and `decode`, and
/// `Display` as its text:
/// `text_enum!(UploadStatus "upload status" { Pending => "pending", … })`.
macro_rules! text_enum {
    ($ty:ident $kind:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $crate::codes::TextEnum for $ty {
            const ALL: &'static [$ty] = &[$($ty::$variant),+];
            const KIND: &'static str = $kind;

            fn as_str(self) -> &'static str {
                $ty::as_str(self)
            }
        }

        impl $ty {
            pub const ALL: [$ty; [$(stringify!($variant)),+].len()] = [$($ty::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }

            /// Text from outside: `None` when it names no value (the caller says which field was wrong).
            pub fn parse(s: &str) -> Option<$ty> {
                match s { $($text => Some($ty::$variant),)+ _ => None }
            }

            /// Text this system stored: an unknown value is an error, never a default.
            pub fn decode(s: &str) -> Result<$ty, $crate::codes::UnknownText> {
                <$ty as $crate::codes::TextEnum>::decode(s)
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
