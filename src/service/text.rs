//! Small input rules shared by the use cases: trimmed, bounded, non-empty text.

use super::ServiceError;

/// `value` trimmed; refused when empty or longer than `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::invalid(
            field,
            format!("{field} must not be empty"),
        ));
    }
    bounded(field, value, max)
}

/// `value` trimmed, `None` when blank; refused when longer than `max` characters.
pub fn optional(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => bounded(field, v, max).map(Some),
        None => Ok(None),
    }
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<String, ServiceError> {
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(value.to_owned())
}
