//! The core's error type: what went wrong, in terms a caller can act on.
//!
//! Variants mirror the HTTP semantics the edges need (401, 403, 404, 409, 422, 429, 500) and carry stable codes, never
//! free text. Database errors are mapped once, here: named constraint violations become user-facing codes; anything else
//! is kept as the cause of `Internal`, logged by the edge, and never shown to the user.

use crate::domain::account::FieldError;
use crate::domain::codes::ErrorCode;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unauthorized: {0}")]
    Unauthorized(ErrorCode),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(ErrorCode),
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn field(field: &str, code: ErrorCode) -> Self {
        Error::Validation(vec![FieldError::new(field, code)])
    }

    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(e.into())
    }
}

/// Constraint name → the error a user should see. Constraints are named in the migrations precisely so this table can
/// stay small and exact.
fn on_constraint(name: &str) -> Option<Error> {
    Some(match name {
        "users_email_key" => Error::field("email", ErrorCode::EmailTaken),
        "users_username_key" => Error::field("username", ErrorCode::UsernameTaken),
        "api_keys_tenant_name_key" => Error::field("name", ErrorCode::Conflict),
        "tenants_name_check" => Error::field("business_name", ErrorCode::TooLong),
        "api_keys_name_check" => Error::field("name", ErrorCode::TooLong),
        _ => return None,
    })
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Database(db) => match db.constraint().and_then(on_constraint) {
                Some(mapped) => mapped,
                None => Error::Internal(Box::new(e)),
            },
            _ => Error::Internal(Box::new(e)),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Internal(Box::new(e))
    }
}
