//! The service layer's one error type. Each variant becomes a stable GraphQL
//! `extensions.code` in `graphql::error`; messages are written for people.

use crate::store::StoreError;

/// Why a use case did not happen. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// `NOT_FOUND`: the thing asked for does not exist (or is not visible to the caller).
    #[error("未找到{}（{id}），可能已被删除或编号有误", noun(what))]
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
        "该事项在您读取后已被他人修改（您提交的版本为 {expected}，当前版本为 {actual}），请刷新后重试"
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
    #[error("请先登录：未提供有效的登录凭据（API 令牌须以 `Authorization: Bearer …` 发送）")]
    Unauthenticated,
    /// `UNAUTHENTICATED`: a sign-in with a wrong email or password (which of the two is
    /// never said).
    #[error("邮箱或密码不正确，请重新输入")]
    WrongCredentials,
    /// `FORBIDDEN`: the caller's role or scope does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// `TOO_MANY_ATTEMPTS`: too many wrong passwords; sign-in is locked for `wait`.
    #[error(
        "登录失败次数过多，已临时锁定，请在 {} 秒后再试",
        wait.as_secs().max(1)
    )]
    Throttled { wait: std::time::Duration },
    /// `UNAVAILABLE`: the database is busy or down; the caller may retry.
    #[error("系统繁忙，暂时无法处理，请稍后重试")]
    Unavailable,
    /// `INTERNAL`: a fault on our side, logged with its cause.
    #[error("系统内部错误，已记录，请稍后重试或联系管理员")]
    Internal(#[source] StoreError),
    /// `INTERNAL`: a fault on our side outside the store (a task, a file, a codec), logged
    /// with its cause, which is never shown to the caller.
    #[error("系统内部错误，已记录，请稍后重试或联系管理员")]
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
            ServiceError::Unauthenticated | ServiceError::WrongCredentials => "UNAUTHENTICATED",
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
            StoreError::Unique(what) => ServiceError::Conflict(format!("与已有记录重复（{what}）")),
            StoreError::ForeignKey(_) => ServiceError::Validation {
                field: None,
                message: "输入引用的记录不存在".into(),
            },
            other => ServiceError::Internal(other),
        }
    }
}

/// The Chinese name of a kind of record, for messages.
pub fn noun(what: &str) -> &str {
    match what {
        "account" => "账号",
        "agency" => "单位",
        "parent agency" => "上级单位",
        "calendar feed" => "日历订阅",
        "commitment" => "工作计划",
        "evidence" => "佐证材料",
        "evidence file" => "佐证材料文件",
        "extension request" => "延期申请",
        "item" => "整改事项",
        "link" => "问题与计划的关联",
        "person" => "人员",
        "post" => "岗位",
        "report" => "年度报告",
        "shortcoming" => "问题",
        "token" => "令牌",
        other => other,
    }
}

/// Whether `text` reads as Chinese: it holds Chinese characters and no English sentence
/// (three English words in a row); names, codes and field names may stay as they are.
pub fn is_chinese(text: &str) -> bool {
    let han = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut run = 0;
    let mut english = false;
    for word in text.split(|c: char| !c.is_ascii_alphabetic() && c != ' ') {
        for w in word.split(' ') {
            if w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                run += 1;
                english |= run >= 3;
            } else if !w.is_empty() {
                run = 0;
            }
        }
        run = 0;
    }
    han && !english
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_error_reads_in_chinese() {
        let errors = [
            ServiceError::not_found("item", "x"),
            ServiceError::StaleVersion {
                expected: 1,
                actual: 2,
            },
            ServiceError::Unauthenticated,
            ServiceError::WrongCredentials,
            ServiceError::Throttled {
                wait: std::time::Duration::from_secs(3),
            },
            ServiceError::Unavailable,
            ServiceError::Fault("x".into()),
            StoreError::Unique("persons.email".into()).into(),
        ];
        for e in errors {
            assert!(is_chinese(&e.to_string()), "{e}");
        }
        assert!(!is_chinese("the first rows do not name the columns 事项ID"));
        assert!(!is_chinese("sign in first"));
        assert!(is_chinese("请以 ?agency=<单位编号> 指定（mutation login）"));
        assert_eq!(
            ServiceError::not_found("agency", "a").to_string(),
            "未找到单位（a），可能已被删除或编号有误"
        );
    }
}
