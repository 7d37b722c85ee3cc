//! Every error code's sentence in Chinese, in one place, and the error pages.

use askama::Template;
use axum::{
    http::{HeaderMap, StatusCode},
    response::Response,
};

use super::{Shell, SignedIn, render};
use crate::service::ServiceError;

/// The sentence a person reads for an error code (`extensions.code` in the API).
pub fn sentence(code: &str) -> &'static str {
    match code {
        "NOT_FOUND" => "找不到该内容：它可能已被删除，或链接有误。",
        "VALIDATION" => "填写的内容有误，请检查后重新提交。",
        "CONFLICT" => "该操作与已有记录冲突，请刷新页面查看最新情况。",
        "STALE_VERSION" => {
            "该事项已被他人更新，下面是最新状态。您填写的内容已保留，请确认后重新提交。"
        }
        "INVALID_TRANSITION" => "该事项当前的状态不允许这项操作，请查看最新状态。",
        "UNKNOWN_ACTION" => "没有这项操作。",
        "EVIDENCE_REQUIRED" => "请先添加佐证材料，再提交验收。",
        "ITEM_CLOSED" => "该事项已销号或撤销，不能再添加佐证材料。",
        "UNSUPPORTED_TYPE" => {
            "不支持该文件类型。请上传 PDF、图片（PNG、JPEG、GIF、WebP）、Word、Excel、PowerPoint、OFD 或纯文本文件。"
        }
        "AUDIT_BROKEN" => "审计记录校验未通过，请联系系统管理员。",
        "PAYLOAD_TOO_LARGE" => "文件太大，超过了允许的大小。",
        "UNAUTHENTICATED" => "请先登录。",
        "WRONG_CREDENTIALS" => "邮箱或密码不正确。",
        "TOO_MANY_ATTEMPTS" => "尝试次数过多，请稍后再试。",
        "LINK_INVALID" => {
            "该链接无效、已使用或已过期。请联系本单位联络员或系统管理员重新获取首次登录链接。"
        }
        "FORBIDDEN" => "您无权查看或办理该内容：它不在您负责的范围内。",
        "CSRF" => "页面已过期或请求来源不明，请刷新页面后重新操作。",
        "UNAVAILABLE" => "系统暂时繁忙，请稍后再试。",
        "INTERNAL" => "系统出现内部错误，已记录，请稍后再试。",
        _ => "操作未能完成，请稍后再试。",
    }
}

/// The sentence for an invalid field (the service names the field it refused).
fn field_sentence(field: &str) -> Option<&'static str> {
    Some(match field {
        "measures" => "签收时请填写整改措施。",
        "comment" => "请填写说明。",
        "progress" => "请填写进展情况。",
        "dueOn" => "请填写新的完成时限，须晚于当前的完成时限。",
        "password" | "newPassword" => "新密码至少需要 10 个字符（最多 256 个）。",
        "currentPassword" => "当前密码不正确。",
        "url" => "链接须以 http:// 或 https:// 开头。",
        "filter.text" => "搜索内容最多 100 个字。",
        "text" => "请填写内容（最多 2000 字）。",
        "filter" => "日期范围有误：开始日期晚于结束日期。",
        "name" => "请填写名称（最多 255 个字）。",
        "note" => "请填写说明内容。",
        "file" => "上传的文件是空的。",
        _ => return None,
    })
}

/// What a person reads for `e`.
pub fn message(e: &ServiceError) -> String {
    if let ServiceError::Validation {
        field: Some(field), ..
    } = e
        && let Some(s) = field_sentence(field)
    {
        return s.to_owned();
    }
    sentence(e.code()).to_owned()
}

/// The HTTP status of an error page for `code`.
pub fn status(code: &str) -> StatusCode {
    match code {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" | "CSRF" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "STALE_VERSION" | "CONFLICT" => StatusCode::CONFLICT,
        "PAYLOAD_TOO_LARGE" => StatusCode::PAYLOAD_TOO_LARGE,
        "TOO_MANY_ATTEMPTS" => StatusCode::TOO_MANY_REQUESTS,
        "LINK_INVALID" => StatusCode::GONE,
        "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        "INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

#[derive(Template)]
#[template(path = "web/error.html", blocks = ["content", "nav"])]
pub struct ErrorPage {
    pub shell: Shell,
    pub heading: &'static str,
    pub message: String,
}
crate::web_page!(ErrorPage);

/// The heading of an error page.
fn heading(code: &str) -> &'static str {
    match code {
        "FORBIDDEN" => "无权访问",
        "NOT_FOUND" => "找不到页面",
        "CSRF" => "请求被拒绝",
        "UNAUTHENTICATED" => "请先登录",
        "UNAVAILABLE" => "系统繁忙",
        _ => "操作未完成",
    }
}

/// The error page for `code`, in the visitor's layout when signed in.
pub fn page_for(signed: Option<&SignedIn>, headers: &HeaderMap, code: &str) -> Response {
    if code == "INTERNAL" {
        tracing::error!("a page request failed with an internal error");
    }
    let title = heading(code);
    let shell = match signed {
        Some(s) => s.shell(title, ""),
        None => Shell::anonymous(title),
    };
    let page = ErrorPage {
        shell,
        heading: title,
        message: sentence(code).to_owned(),
    };
    render(headers, status(code), &page)
}

/// The error page for a service error.
pub fn service_page(signed: Option<&SignedIn>, headers: &HeaderMap, e: &ServiceError) -> Response {
    if e.code() == "INTERNAL" {
        tracing::error!(error = ?e, "internal error");
    }
    let code = e.code();
    let title = heading(code);
    let shell = match signed {
        Some(s) => s.shell(title, ""),
        None => Shell::anonymous(title),
    };
    let page = ErrorPage {
        shell,
        heading: title,
        message: message(e),
    };
    render(headers, status(code), &page)
}

/// The error page for a service error, outside any signed-in layout.
pub fn page(e: &ServiceError) -> Response {
    service_page(None, &HeaderMap::new(), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_code_has_its_own_sentence() {
        for code in [
            "NOT_FOUND",
            "VALIDATION",
            "CONFLICT",
            "STALE_VERSION",
            "INVALID_TRANSITION",
            "UNKNOWN_ACTION",
            "EVIDENCE_REQUIRED",
            "ITEM_CLOSED",
            "UNSUPPORTED_TYPE",
            "AUDIT_BROKEN",
            "PAYLOAD_TOO_LARGE",
            "UNAUTHENTICATED",
            "FORBIDDEN",
            "UNAVAILABLE",
            "INTERNAL",
        ] {
            assert_ne!(sentence(code), sentence("SOMETHING_NEW"), "{code}");
        }
        let e = ServiceError::invalid("measures", "measures are required");
        assert_eq!(message(&e), "签收时请填写整改措施。");
    }
}
