//! Small input rules shared by the use cases: trimmed, bounded, non-empty text.

use super::ServiceError;

/// `value` trimmed; refused when empty or longer than `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, ServiceError> {
    required_as(field, label(field), value, max)
}

/// [`required`], for a field whose name means something else here than [`label`] says
/// (a person's `title` is 职务, a post's is 岗位名称).
pub fn required_as(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::invalid(field, format!("{label}不能为空")));
    }
    bounded(field, label, value, max)
}

/// `value` trimmed, `None` when blank; refused when longer than `max` characters.
pub fn optional(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    optional_as(field, label(field), value, max)
}

/// [`optional`] with the field's name for people given here.
pub fn optional_as(
    field: &'static str,
    label: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => bounded(field, label, v, max).map(Some),
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
            format!("{}最多 {max_items} 项", label(field)),
        ));
    }
    values
        .iter()
        .map(|v| bounded(field, label(field), v, max_chars))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn bounded(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<String, ServiceError> {
    if value.contains('\0') {
        return Err(ServiceError::invalid(
            field,
            format!("{label}含有空字符（NUL），请删除后重试"),
        ));
    }
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{label}不能超过 {max} 个字符"),
        ));
    }
    Ok(value.to_owned())
}

/// What a person calls the input `field` (its GraphQL or form name): messages name fields
/// the way the forms label them, while `extensions.field` keeps the identifier for
/// programs. An unknown field reads as itself.
pub fn label(field: &str) -> &str {
    match field {
        "title" => "标题",
        "name" => "名称",
        "shortName" => "简称",
        "phone" => "电话",
        "email" => "电子邮箱",
        "note" => "说明",
        "sourceDocument" => "来源文件",
        "code" => "台账编号",
        "measures" => "整改措施",
        "progress" => "进展情况",
        "comment" => "意见",
        "text" => "内容",
        "titles" => "拆分后的标题",
        "url" => "链接",
        "agencyName" => "单位名称",
        "sourceUrl" => "来源网址",
        "states" => "状态",
        "file" => "文件",
        "dueOn" => "完成时限",
        "version" => "版本",
        "reason" => "理由",
        "password" | "newPassword" => "密码",
        "currentPassword" => "当前密码",
        "id" | "ids" => "编号",
        "itemId" => "事项编号",
        "agencyId" => "单位编号",
        "accountId" => "账户编号",
        "shortcomingId" => "问题编号",
        "commitmentId" => "工作计划编号",
        "personId" => "人员编号",
        "parentId" => "上级单位编号",
        "officeId" => "督办单位编号",
        "supportingUnitIds" => "配合单位编号",
        "requestId" => "延期申请编号",
        "postId" => "岗位编号",
        "leadPersonId" => "责任领导",
        "leadPostId" => "责任岗位",
        "responsiblePersonId" => "责任人",
        _ => field,
    }
}
