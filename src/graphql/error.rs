//! The one place where failures become GraphQL errors with a stable `extensions.code`.
//!
//! Codes: `NOT_FOUND`, `VALIDATION`, `CONFLICT`, `STALE_VERSION`, `UNAUTHENTICATED`,
//! `FORBIDDEN`, `UNAVAILABLE`, `INTERNAL`, and the workflow's `INVALID_TRANSITION`,
//! `UNKNOWN_ACTION`, `EVIDENCE_REQUIRED`, `ITEM_CLOSED`, `UNSUPPORTED_TYPE`; report files
//! add `NOT_TEXT` and `MALFORMED`; the HTTP layer adds `BAD_REQUEST`,
//! `BATCH_NOT_SUPPORTED` and `PAYLOAD_TOO_LARGE`, and the limits add `QUERY_TOO_DEEP`
//! and `QUERY_TOO_COMPLEX`.

use async_graphql::{Error, ErrorExtensions, ID};
use uuid::Uuid;

use crate::service::ServiceError;

/// The stable code of a service error.
pub fn code_of(err: &ServiceError) -> &'static str {
    err.code()
}

impl From<ServiceError> for Error {
    fn from(err: ServiceError) -> Self {
        let code = code_of(&err);
        match &err {
            // Logged once, here at the edge, with its cause; the client gets a plain message.
            ServiceError::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            ServiceError::Fault(cause) => tracing::error!(error = %cause, "internal error"),
            _ => {}
        }
        let field = match &err {
            ServiceError::Validation { field, .. } => *field,
            _ => None,
        };
        let extra = match &err {
            ServiceError::StaleVersion { actual, .. } => Some(*actual),
            _ => None,
        };
        Error::new(err.to_string()).extend_with(|_, e| {
            e.set("code", code);
            if let Some(field) = field {
                e.set("field", field);
            }
            if let Some(actual) = extra {
                e.set("currentVersion", actual);
            }
        })
    }
}

/// A GraphQL error with `code` and `message`.
pub fn error(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, e| e.set("code", code))
}

/// Parses a GraphQL `ID` argument as a UUID, naming the argument when it is not one.
pub fn parse_id(field: &'static str, id: &ID) -> Result<Uuid, Error> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        ServiceError::invalid(
            field,
            format!("{field} {:?} is not a valid id", id.as_str()),
        )
        .into()
    })
}

/// Parses a pagination cursor (an item id) from `after`.
pub fn parse_cursor(after: Option<&str>) -> Result<Option<Uuid>, Error> {
    after
        .map(|c| {
            Uuid::parse_str(c).map_err(|_| {
                ServiceError::invalid("after", format!("{c:?} is not a cursor from this list"))
                    .into()
            })
        })
        .transpose()
}
