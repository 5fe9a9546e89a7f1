//! `AppError`: the one error type the browser holds. Server functions return it; REST answers with it (same JSON) and
//! the matching HTTP status. Variants carry stable codes, and the UI turns them into text in the user's language.

use nexus::codes::ErrorCode;
use nexus::codes::FieldError;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("unauthorized: {code}")]
    Unauthorized { code: ErrorCode },
    #[error("forbidden")]
    Forbidden,
    #[error("validation failed")]
    Validation { fields: Vec<FieldError> },
    #[error("conflict: {code}")]
    Conflict { code: ErrorCode },
    /// Input refused as a whole by an area's rules (an uploaded file, a batch of units), with the area's reason
    /// (`problem`, tagged by its own `problem` field): nothing of it was kept. The status (413, 415, 422) is the
    /// area's, sent as the HTTP status, not in the body.
    #[error("refused")]
    Rejected {
        #[serde(skip, default = "unprocessable")]
        status: u16,
        problem: serde_json::Value,
    },
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The server cannot reach its database right now; retrying shortly is the remedy (503).
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
    /// The call did not reach the server or its answer could not be read (network down, server restarting).
    #[error("communication error")]
    Communication,
}

fn unprocessable() -> u16 {
    422
}

impl AppError {
    pub fn field(field: &str, code: ErrorCode) -> Self {
        AppError::Validation { fields: vec![FieldError::new(field, code)] }
    }

    /// An area's refusal of a whole input (as the core's `Error::rejected`).
    pub fn rejected(reason: impl nexus::codes::Refusal) -> Self {
        let r = reason.rejection();
        AppError::Rejected { status: r.status, problem: r.problem }
    }

    /// The reason of a refusal, as the area's own type (`e.reason::<FileProblem>()`).
    pub fn reason<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match self {
            AppError::Rejected { problem, .. } => T::deserialize(problem).ok(),
            _ => None,
        }
    }

    /// The error code for a given form field, if this error names it.
    pub fn field_code(&self, field: &str) -> Option<ErrorCode> {
        match self {
            AppError::Validation { fields } => fields.iter().find(|f| f.field == field).map(|f| f.code),
            _ => None,
        }
    }

    /// The code that best summarises the error (for a banner).
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::NotFound => ErrorCode::NotFound,
            AppError::Unauthorized { code } | AppError::Conflict { code } => *code,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::Validation { fields } => fields.first().map_or(ErrorCode::InvalidInput, |f| f.code),
            AppError::Rejected { .. } => ErrorCode::InvalidInput,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Unavailable => ErrorCode::Unavailable,
            AppError::Internal | AppError::Communication => ErrorCode::Internal,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotFound => S::NOT_FOUND,
            AppError::Unauthorized { .. } => S::UNAUTHORIZED,
            AppError::Forbidden => S::FORBIDDEN,
            // Well-formed input that collides with what exists (an e-mail already registered) is a conflict.
            AppError::Validation { fields } if !fields.is_empty() && fields.iter().all(|f| f.code.is_conflict()) => {
                S::CONFLICT
            }
            // A file over the size kept is too large a payload, whatever else the request held.
            AppError::Validation { fields } if fields.iter().any(|f| f.code == ErrorCode::FileTooLarge) => {
                S::PAYLOAD_TOO_LARGE
            }
            AppError::Validation { .. } => S::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => S::CONFLICT,
            AppError::Rejected { status, .. } => {
                S::from_u16(*status).ok().filter(S::is_client_error).unwrap_or(S::UNPROCESSABLE_ENTITY)
            }
            AppError::RateLimited { .. } => S::TOO_MANY_REQUESTS,
            AppError::Unavailable => S::SERVICE_UNAVAILABLE,
            AppError::Internal | AppError::Communication => S::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // Arguments that do not decode are the caller's input, not our failure.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::field("input", ErrorCode::InvalidInput)
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Communication,
            _ => AppError::Internal,
        };
        // On the server this runs inside the call's context: arguments that do not decode answer 422, not 500.
        #[cfg(feature = "ssr")]
        let error = error.with_status();
        error
    }
}

impl AppError {
    /// In a server function, makes the HTTP status match the error (Leptos answers 500 for every error otherwise).
    /// Outside one (REST handlers set their own status) it does nothing.
    #[cfg(feature = "ssr")]
    pub fn with_status(self) -> Self {
        // Only for a server-function request made by script: a plain HTML form post (no JavaScript) must keep Leptos'
        // 302 back to the form, which carries the error; and a page render calling a server function in-process
        // must not turn the page itself into an error.
        let scripted_call = leptos::prelude::use_context::<http::request::Parts>().is_some_and(|p| {
            p.uri.path().starts_with("/api/")
                && !p
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
        });
        if scripted_call && let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(self.status());
            if let AppError::RateLimited { retry_after_secs } = self {
                res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(retry_after_secs.max(1)));
            }
        }
        self
    }
}

/// A field the caller got wrong (a cursor, a page size) found by a pure check.
impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Validation { fields: vec![e] }
    }
}

#[cfg(feature = "ssr")]
impl From<nexus::Error> for AppError {
    fn from(e: nexus::Error) -> Self {
        AppError::from_core(e).with_status()
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    fn from_core(e: nexus::Error) -> Self {
        match e {
            nexus::Error::Unauthorized(code) => AppError::Unauthorized { code },
            nexus::Error::Forbidden => AppError::Forbidden,
            nexus::Error::NotFound => AppError::NotFound,
            nexus::Error::Validation(fields) => AppError::Validation { fields },
            nexus::Error::Conflict(code) => AppError::Conflict { code },
            nexus::Error::Rejected(r) => AppError::Rejected { status: r.status, problem: r.problem },
            nexus::Error::RateLimited { retry_after_secs } => AppError::RateLimited { retry_after_secs },
            nexus::Error::Unavailable(cause) => {
                tracing::error!(error = %chain(cause.as_ref()), "database unavailable");
                AppError::Unavailable
            }
            nexus::Error::Internal(cause) => {
                // The cause chain goes to the log, never to the user.
                tracing::error!(error = %chain(cause.as_ref()), "internal error");
                AppError::Internal
            }
        }
    }
}

/// An error and its sources, for the log.
#[cfg(feature = "ssr")]
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = self.status();
        let mut res = (status, axum::Json(&self)).into_response();
        match self {
            AppError::RateLimited { retry_after_secs } => {
                res.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(retry_after_secs.max(1)));
            }
            AppError::Unavailable => {
                res.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("5"));
            }
            _ => {}
        }
        res
    }
}

#[cfg(feature = "ssr")]
impl nexus::db::reads::Unavailable for AppError {
    fn is_unavailable(&self) -> bool {
        matches!(self, AppError::Unavailable)
    }
}
