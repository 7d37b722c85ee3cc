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
        let (message, detail) = in_chinese(code, err.to_string());
        Error::new(message).extend_with(|_, e| {
            e.set("code", code);
            if let Some(detail) = &detail {
                e.set("detail", detail.as_str());
            }
            if let Some(field) = field {
                e.set("field", field);
            }
            if let Some(actual) = extra {
                e.set("currentVersion", actual);
            }
        })
    }
}

/// What a person reads for an error with `code` whose own message is not in Chinese.
pub fn sentence(code: &str) -> &'static str {
    match code {
        "NOT_FOUND" => "找不到该内容：它可能已被删除，或编号有误",
        "VALIDATION" => "输入的内容有误，请检查后重新提交",
        "GRAPHQL_VALIDATION" => "查询语句不符合接口定义，请对照接口文档修改",
        "BAD_REQUEST" => "请求格式有误",
        "CONFLICT" => "该操作与已有记录冲突，请刷新后查看最新情况",
        "STALE_VERSION" => "该事项已被他人修改，请刷新后重试",
        "INVALID_TRANSITION" => "该事项当前的状态不允许这项操作",
        "UNKNOWN_ACTION" => "没有这项操作",
        "EVIDENCE_REQUIRED" => "请先添加佐证材料",
        "ITEM_CLOSED" => "该事项已销号、撤销或拆分，不能再办理",
        "UNSUPPORTED_TYPE" => "不支持该文件类型",
        "NOT_TEXT" => "文件中读不出文字",
        "MALFORMED" => "文件已损坏或格式不正确",
        "AUDIT_BROKEN" => "审计记录校验未通过，请联系系统管理员",
        "PAYLOAD_TOO_LARGE" => "内容太大，超过了允许的大小",
        "UNAUTHENTICATED" => "请先登录",
        "TOO_MANY_ATTEMPTS" => "尝试次数过多，请稍后再试",
        "FORBIDDEN" => "您无权查看或办理该内容",
        "UNAVAILABLE" => "系统繁忙，请稍后重试",
        "QUERY_TOO_DEEP" => "查询嵌套层数过多，请简化查询",
        "QUERY_TOO_COMPLEX" => "查询过于复杂，请缩小查询范围或分页",
        "INTERNAL" => "系统内部错误，已记录，请稍后重试或联系管理员",
        _ => "操作未能完成，请稍后重试",
    }
}

/// A message for people: `message` when it is in Chinese; otherwise the code's sentence,
/// with the original (English, for developers) returned as the detail.
/// A bilingual message, "中文（English）", keeps its Chinese part and gives the English aside
/// as the detail.
pub fn in_chinese(code: &str, message: String) -> (String, Option<String>) {
    let (message, aside) = split_english_aside(message);
    if crate::service::error::is_chinese(&message) {
        (message, aside)
    } else {
        let detail = match aside {
            Some(aside) => format!("{message} ({aside})"),
            None => message,
        };
        (sentence(code).to_owned(), Some(detail))
    }
}

/// Splits a trailing parenthesised aside without Chinese characters off a Chinese message.
fn split_english_aside(message: String) -> (String, Option<String>) {
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let trimmed = message.trim_end();
    let Some(close) = trimmed.chars().last().filter(|c| matches!(c, ')' | '）')) else {
        return (message, None);
    };
    // Writers mix the two widths ("（the PDF …)"): the aside opens at the last bracket of either.
    let Some((start, open)) = trimmed
        .char_indices()
        .rfind(|(_, c)| matches!(c, '(' | '（'))
    else {
        return (message, None);
    };
    let head = trimmed[..start].trim_end();
    let aside = &trimmed[start + open.len_utf8()..trimmed.len() - close.len_utf8()];
    if head.chars().any(is_han)
        && !aside.chars().any(is_han)
        && aside.chars().any(|c| c.is_ascii_alphabetic())
    {
        (head.to_owned(), Some(aside.trim().to_owned()))
    } else {
        (message, None)
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
            format!(
                "{}（{field}）的值 {:?} 不是有效的编号",
                crate::service::text::label(field),
                id.as_str()
            ),
        )
        .into()
    })
}

/// Parses a pagination cursor (an item id) from `after`.
pub fn parse_cursor(after: Option<&str>) -> Result<Option<Uuid>, Error> {
    after
        .map(|c| {
            Uuid::parse_str(c).map_err(|_| {
                ServiceError::invalid("after", format!("{c:?} 不是本列表的翻页游标（after）"))
                    .into()
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::in_chinese;

    #[test]
    fn a_bilingual_message_keeps_its_chinese_and_gives_the_english_as_detail() {
        let (message, detail) = in_chinese(
            "UNSUPPORTED_TYPE",
            "扫描件没有文字层，需要先做文字识别(OCR)后再导入（the PDF has no text layer: run OCR first)".into(),
        );
        assert_eq!(message, "扫描件没有文字层，需要先做文字识别(OCR)后再导入");
        assert_eq!(
            detail.as_deref(),
            Some("the PDF has no text layer: run OCR first")
        );
        let (message, detail) = in_chinese("NOT_FOUND", "item x was not found".into());
        assert_eq!(message, super::sentence("NOT_FOUND"));
        assert_eq!(detail.as_deref(), Some("item x was not found"));
        let (message, detail) = in_chinese("VALIDATION", "年份（year）有误".into());
        assert_eq!(message, "年份（year）有误");
        assert_eq!(detail, None);
    }
}
