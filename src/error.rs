//! The core's error type: what went wrong, in terms a caller can act on.
//!
//! Variants mirror the HTTP semantics the edges need (401, 403, 404, 409, 422, 429, 500, 503) and carry stable codes,
//! never free text. Database errors are mapped once, here: named constraint violations become user-facing codes; anything else
//! is kept as the cause of `Internal`, logged by the edge, and never shown to the user.

use crate::codes::{ErrorCode, FieldError};

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
    /// Input refused as a whole by an area's rules (a file too large or damaged, a batch with a bad row): nothing of it
    /// was kept; the area's reason and status travel in the [`Rejection`](crate::codes::Rejection).
    #[error("refused: {0:?}")]
    Rejected(crate::codes::Rejection),
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached (down, restarting, pool exhausted): the user should retry, not sign in again.
    #[error("service unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn field(field: &str, code: ErrorCode) -> Self {
        Error::Validation(vec![FieldError::new(field, code)])
    }

    /// An area's refusal of a whole input (`.map_err(Error::rejected)`).
    pub fn rejected(reason: impl crate::codes::Refusal) -> Self {
        Error::Rejected(reason.rejection())
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
        "api_keys_tenant_name_key" => Error::Conflict(ErrorCode::NameTaken),
        "tenants_name_check" => Error::field("business_name", ErrorCode::TooLong),
        "api_keys_name_check" => Error::field("name", ErrorCode::TooLong),
        // A plant's codes: each line, product and reason its own.
        "production_lines_tenant_id_code_key"
        | "production_areas_tenant_id_line_id_code_key"
        | "production_products_tenant_id_code_key"
        | "production_reasons_tenant_id_code_key" => Error::field("code", ErrorCode::NameTaken),
        "production_shifts_tenant_id_name_key" => Error::field("name", ErrorCode::NameTaken),
        // The stock room: codes, SKUs and sibling categories are unique whatever their case.
        "stockroom_departments_code_key" => Error::field("code", ErrorCode::NameTaken),
        "stockroom_items_sku_key" => Error::field("sku", ErrorCode::NameTaken),
        "stockroom_categories_name_key" => Error::field("name", ErrorCode::NameTaken),
        // A barcode given to another item in the same moment (an import racing a save).
        "stockroom_barcodes_pkey" => Error::field("barcodes", ErrorCode::NameTaken),
        // An invitation's department: one of the organisation's, and open.
        "invitations_department_fkey" => Error::field("department", ErrorCode::NotFound),
        "invitations_department_open" => Error::field("department", ErrorCode::Archived),
        // An item linked to a catalog part that is not there (or was just removed).
        "stockroom_items_part_id_fkey" => Error::field("part", ErrorCode::NotFound),
        // A balance the ledger would take below zero: the service names the lines before it comes to this, so this is
        // a posting that raced past its own check (it cannot: the balances are locked first); refused all the same.
        "stockroom_balances_never_negative" => Error::Conflict(ErrorCode::InsufficientStock),
        // A movement reversed twice at once: the second finds the first's reversal.
        "stockroom_movements_reversed_once" => Error::Conflict(ErrorCode::AlreadyReversed),
        "stockroom_counts_open_key" => Error::Conflict(ErrorCode::StocktakeOpen),
        // The floor: a task category's code is its own; a request's key raced by its twin is one request.
        "mes_task_categories_code_key" => Error::field("code", ErrorCode::NameTaken),
        "workflow_events_key" | "workflow_events_tenant_id_subject_subject_id_version_key" => {
            Error::Conflict(ErrorCode::Conflict)
        }
        // Production orders: codes their own; a product, line or scrap reason that is not the plant's; a fact reversed
        // twice at once (the second finds the first's reversal); a key raced by its twin.
        "mes_orders_code_key" | "mes_stages_code_key" | "mes_scrap_reasons_code_key" => {
            Error::field("code", ErrorCode::NameTaken)
        }
        "mes_orders_tenant_id_product_id_fkey" => Error::field("product_id", ErrorCode::NotFound),
        "mes_stages_tenant_id_line_id_fkey" => Error::field("line_id", ErrorCode::NotFound),
        "mes_facts_tenant_id_scrap_reason_id_fkey" => Error::field("scrap_reason_id", ErrorCode::NotFound),
        "mes_facts_reversal" => Error::Conflict(ErrorCode::AlreadyReversed),
        "mes_facts_key" | "mes_orders_key" => Error::Conflict(ErrorCode::Conflict),
        // Fabrication: a subsystem's name its own (whatever its case); a key raced by its twin; a drawing revision
        // numbered twice at once (uploads are serialized by the part's row, so only a bug gets here).
        "fabrication_subsystems_name_key" => Error::field("name", ErrorCode::NameTaken),
        "fabrication_parts_key" | "fabrication_drawings_pkey" => Error::Conflict(ErrorCode::Conflict),
        "fabrication_parts_tenant_id_subsystem_id_fkey" => Error::field("subsystem", ErrorCode::InvalidInput),
        _ => return None,
    })
}

/// Stored text that names no value of its kind: a bug or a bad migration, never the user's to fix.
impl From<crate::codes::UnknownText> for Error {
    fn from(e: crate::codes::UnknownText) -> Self {
        Error::Internal(Box::new(e))
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Validation(vec![e])
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                Error::Unavailable(Box::new(e))
            }
            // 57P01..03: the server is shutting down or restarting; 53300: too many connections; 55P03: a lock
            // was not granted within `lock_timeout` (a catalog import holding its tables, say); 08…: the connection
            // failed (a pooler whose server is away says so with these).
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|c| c.starts_with("57P") || c.starts_with("08") || c == "53300" || c == "55P03") =>
            {
                Error::Unavailable(Box::new(e))
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn constraint(name: &str) -> Option<(String, ErrorCode)> {
        match on_constraint(name)? {
            Error::Validation(f) => Some((f[0].field.clone(), f[0].code)),
            Error::Conflict(c) => Some((String::new(), c)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn named_constraints_map_to_the_field_a_user_can_fix() {
        assert_eq!(constraint("users_email_key"), Some(("email".into(), ErrorCode::EmailTaken)));
        assert_eq!(constraint("users_username_key"), Some(("username".into(), ErrorCode::UsernameTaken)));
        assert_eq!(constraint("api_keys_tenant_name_key"), Some((String::new(), ErrorCode::NameTaken)));
        assert_eq!(constraint("tenants_name_check"), Some(("business_name".into(), ErrorCode::TooLong)));
        assert_eq!(constraint("api_keys_name_check"), Some(("name".into(), ErrorCode::TooLong)));
        // Anything unnamed stays internal: no constraint name reaches a user unmapped.
        assert_eq!(constraint("sessions_pkey"), None);
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_internal() {
        assert!(matches!(Error::from(sqlx::Error::PoolTimedOut), Error::Unavailable(_)));
        assert!(matches!(Error::from(sqlx::Error::RowNotFound), Error::NotFound));
        assert!(matches!(Error::from(sqlx::Error::Protocol("x".into())), Error::Internal(_)));
    }
}
