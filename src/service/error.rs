//! The service layer's one error type. Each variant becomes a stable GraphQL
//! `extensions.code` in `graphql::error`; messages are written for people.

use crate::store::StoreError;

/// Why a use case did not happen. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// `NOT_FOUND`: the thing asked for does not exist (or is not visible to the caller).
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },
    /// `VALIDATION`: the input is malformed; `field` names the offending input field.
    #[error("{message}")]
    Validation {
        field: Option<&'static str>,
        message: String,
    },
    /// `CONFLICT`: the change contradicts what is stored (a duplicate, a replaced report…).
    #[error("{0}")]
    Conflict(String),
    /// `STALE_VERSION`: the caller read an older version than the one stored.
    #[error(
        "the item changed since you read it (you sent version {expected}, it is now at {actual}); reload and try again"
    )]
    StaleVersion { expected: i32, actual: i32 },
    /// A rule of the workflow or of the item's state refused the change; `code` is one of
    /// `INVALID_TRANSITION`, `UNKNOWN_ACTION`, `EVIDENCE_REQUIRED`, `ITEM_CLOSED`,
    /// `UNSUPPORTED_TYPE`, `AUDIT_BROKEN`; a report file that cannot be read gives
    /// `UNSUPPORTED_TYPE`, `NOT_TEXT` or `MALFORMED`.
    #[error("{message}")]
    Rule { code: &'static str, message: String },
    /// `PAYLOAD_TOO_LARGE`: the input is larger than accepted.
    #[error("{0}")]
    TooLarge(String),
    /// `UNAUTHENTICATED`: no valid credentials were sent.
    #[error("sign in first: send a valid API token as `Authorization: Bearer …`")]
    Unauthenticated,
    /// `FORBIDDEN`: the caller's role or scope does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// `TOO_MANY_ATTEMPTS`: too many wrong passwords; sign-in is locked for `wait`.
    #[error(
        "登录失败次数过多，已临时锁定，请在 {} 秒后再试（too many failed sign-ins)",
        wait.as_secs().max(1)
    )]
    Throttled { wait: std::time::Duration },
    /// `UNAVAILABLE`: the database is busy or down; the caller may retry.
    #[error("the service is temporarily unavailable, try again shortly")]
    Unavailable,
    /// `INTERNAL`: a fault on our side, logged with its cause.
    #[error("an internal error occurred; it has been logged")]
    Internal(#[source] StoreError),
    /// `INTERNAL`: a fault on our side outside the store (a task, a file, a codec), logged
    /// with its cause, which is never shown to the caller.
    #[error("an internal error occurred; it has been logged")]
    Fault(String),
}

impl ServiceError {
    /// The stable machine code of the error (GraphQL's `extensions.code`, a ledger import's
    /// rejection code).
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::NotFound { .. } => "NOT_FOUND",
            ServiceError::Validation { .. } => "VALIDATION",
            ServiceError::Conflict(_) => "CONFLICT",
            ServiceError::StaleVersion { .. } => "STALE_VERSION",
            ServiceError::Rule { code, .. } => code,
            ServiceError::TooLarge(_) => "PAYLOAD_TOO_LARGE",
            ServiceError::Unauthenticated => "UNAUTHENTICATED",
            ServiceError::Forbidden(_) => "FORBIDDEN",
            ServiceError::Throttled { .. } => "TOO_MANY_ATTEMPTS",
            ServiceError::Unavailable => "UNAVAILABLE",
            ServiceError::Internal(_) | ServiceError::Fault(_) => "INTERNAL",
        }
    }

    /// A validation error on `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Validation {
            field: Some(field),
            message: message.into(),
        }
    }

    /// A missing `what` with id `id`.
    pub fn not_found(what: &'static str, id: impl std::fmt::Display) -> Self {
        ServiceError::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

impl From<crate::domain::workflow::Refusal> for ServiceError {
    fn from(refusal: crate::domain::workflow::Refusal) -> Self {
        use crate::domain::workflow::Refusal;
        let message = refusal.to_string();
        match (&refusal, refusal.code()) {
            (_, "FORBIDDEN") => ServiceError::Forbidden(message),
            (Refusal::Missing { requirement, .. }, "VALIDATION") => ServiceError::Validation {
                field: Some(requirement.field()),
                message,
            },
            (_, code) => ServiceError::Rule { code, message },
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => ServiceError::Unavailable,
            StoreError::Unique(what) => {
                ServiceError::Conflict(format!("this would duplicate an existing record ({what})"))
            }
            StoreError::ForeignKey(_) => ServiceError::Validation {
                field: None,
                message: "the input refers to a record that does not exist".into(),
            },
            other => ServiceError::Internal(other),
        }
    }
}
