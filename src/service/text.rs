//! Small input rules shared by the use cases: trimmed, bounded, non-empty text.

use super::ServiceError;

/// `value` trimmed; refused when empty or longer than `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::invalid(field, format!("{field} 不能为空")));
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

/// The longest search text a list filter takes.
pub const MAX_SEARCH_CHARS: usize = 100;

/// A list of short texts, at most `max_items` of at most `max_chars` characters each.
pub fn bounded_list(
    field: &'static str,
    values: Option<Vec<String>>,
    max_items: usize,
    max_chars: usize,
) -> Result<Option<Vec<String>>, ServiceError> {
    let Some(values) = values else {
        return Ok(None);
    };
    if values.len() > max_items {
        return Err(ServiceError::invalid(
            field,
            format!("{field} 最多 {max_items} 项"),
        ));
    }
    values
        .iter()
        .map(|v| bounded(field, v, max_chars))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<String, ServiceError> {
    if value.contains('\0') {
        return Err(ServiceError::invalid(
            field,
            format!("{field} 含有空字符（NUL），请删除后重试"),
        ));
    }
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{field} 不能超过 {max} 个字符"),
        ));
    }
    Ok(value.to_owned())
}
