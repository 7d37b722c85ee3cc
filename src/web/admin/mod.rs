//! 管理: the administration pages, one module per area — [`agencies`] (the tree, creating,
//! renaming and moving), [`people`] (an agency's persons, posts and who held them, its
//! webhook), [`accounts`] (creating with a first-sign-in link, role and scope, disabling,
//! passwords, sessions and tokens), [`supervisions`] (who supervises whom) and
//! [`workflow`] (the workflow in force, drawn). Reading the pages is for admins; what each
//! form does is the service's to allow or refuse, as over GraphQL.

pub mod accounts;
pub mod agencies;
pub mod people;
pub mod supervisions;
pub mod workflow;

use std::collections::HashMap;

use axum::{
    Router,
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{SignedIn, errors};
use crate::{http::AppState, service::ServiceError, store::agencies::AgencyRow};

/// Implements [`super::csrf::CsrfForm`] for a form struct with a `csrf` field.
#[macro_export]
macro_rules! admin_form {
    ($ty:ty) => {
        impl $crate::web::csrf::CsrfForm for $ty {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
    };
}

/// The administration routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(agencies::page))
        .route("/admin/agencies", post(agencies::create))
        .route("/admin/agencies/{id}", get(people::page))
        .route("/admin/agencies/{id}/rename", post(agencies::rename))
        .route("/admin/agencies/{id}/move", post(agencies::move_to))
        .route("/admin/agencies/{id}/persons", post(people::create_person))
        .route("/admin/agencies/{id}/posts", post(people::create_post))
        .route("/admin/agencies/{id}/webhook", post(people::set_webhook))
        .route("/admin/posts/{id}/appoint", post(people::appoint))
        .route(
            "/admin/accounts",
            get(accounts::list).post(accounts::create),
        )
        .route(
            "/admin/accounts/{id}",
            get(accounts::page).post(accounts::issue_link),
        )
        .route("/admin/accounts/{id}/role", post(accounts::change_role))
        .route("/admin/accounts/{id}/disable", post(accounts::disable))
        .route("/admin/accounts/{id}/enable", post(accounts::enable))
        .route(
            "/admin/accounts/{id}/password",
            post(accounts::reset_password),
        )
        .route(
            "/admin/sessions/{id}/revoke",
            post(accounts::revoke_session),
        )
        .route("/admin/tokens/{id}/revoke", post(accounts::revoke_token))
        .route(
            "/admin/supervisions",
            get(supervisions::page).post(supervisions::grant),
        )
        .route("/admin/supervisions/{id}/end", post(supervisions::end))
        .route("/admin/workflow", get(workflow::page))
}

/// A line above a page's content: what was just done, or why it was not.
#[derive(Clone, Debug)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

/// `?ok=…` after a change: which sentence to show (never text from the URL itself).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    pub ok: String,
}

impl Done {
    /// The notice for a finished change, if the key names one.
    pub fn notice(&self) -> Option<Notice> {
        let text = match self.ok.as_str() {
            "created" => "单位已创建。",
            "renamed" => "单位名称已修改。",
            "moved" => "单位已移到新的上级单位之下。",
            "person" => "人员已添加。",
            "post" => "岗位已添加。",
            "appointed" => "任职已登记，原任职人的任期同日结束。",
            "webhook" => "提醒机器人设置已保存。",
            "role" => "账户的角色和范围已修改。",
            "disabled" => "账户已停用，它的登录和令牌即刻失效。",
            "enabled" => "账户已恢复使用。",
            "password" => "密码已重置，该账户的令牌已全部失效。",
            "session" => "该登录已退出。",
            "token" => "令牌已撤销。",
            "granted" => "督办授权已授予。",
            "ended" => "督办授权已终止。",
            _ => return None,
        };
        Some(Notice {
            ok: true,
            text: text.to_owned(),
        })
    }
}

/// The redirect after a change: back to `path`, saying what was done.
pub fn done(path: &str, key: &str) -> Response {
    Redirect::to(&format!("{path}?ok={key}")).into_response()
}

/// Whether a refusal is about the request as a whole (who asks, which record) rather than
/// what was typed: those get the error page, the others the form again with the reason.
pub fn refuses_the_request(e: &ServiceError) -> bool {
    !matches!(e.code(), "VALIDATION" | "CONFLICT")
}

/// The error page for a refusal of the request as a whole.
pub fn error_page(signed: &SignedIn, headers: &HeaderMap, e: &ServiceError) -> Response {
    errors::service_page(Some(signed), headers, e)
}

/// The notice for a refusal of what was typed: the sentence for the field the service
/// named, or the service's own (Chinese) sentence for a conflict.
pub fn refusal(e: &ServiceError) -> Notice {
    let text = match e {
        ServiceError::Validation {
            field: Some(field), ..
        } => field_sentence(field).map_or_else(|| errors::message(e), str::to_owned),
        ServiceError::Conflict(message) => message.clone(),
        _ => errors::message(e),
    };
    Notice { ok: false, text }
}

/// What a person reads when the administration forms' fields are refused.
fn field_sentence(field: &str) -> Option<&'static str> {
    Some(match field {
        "parentId" => "不能把单位移到它自己或它的下级单位之下，请另选上级单位。",
        "email" => "请填写有效的邮箱地址（如 name@example.gov.cn）。",
        "role" => "请选择角色；不能修改自己账户的角色。",
        "agencyId" => "除系统管理员外，账户须属于一个单位：请选择所属单位。",
        "personId" => "责任领导和责任人的账户须对应一名人员：请选择人员。",
        "officeId" => "请选择督办单位。",
        "title" => "请填写名称（最多 100 个字）。",
        "name" => "请填写名称（单位最多 200 个字，人员最多 100 个字）。",
        "shortName" => "简称最多 50 个字。",
        "from" => "任职日期有误：格式如 2026-03-01，且不能早于现任职人的任职日期。",
        "validFrom" | "validTo" => "日期有误：格式如 2026-03-01，终止日期须晚于起始日期。",
        "on" => "终止日期有误：格式如 2026-03-01，且不能早于授权的起始日期。",
        "secret" => "加签密钥须为 1 至 200 个可见的英文字母、数字或符号（以 SEC 开头）。",
        "url" => "webhook 地址须以 http:// 或 https:// 开头，包含主机名，且不能指向内部网络。",
        "id" => "不能停用自己的账户。",
        _ => return None,
    })
}

/// An id from a form field (empty: none).
pub fn form_id(field: &'static str, value: &str) -> Result<Option<Uuid>, ServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| ServiceError::invalid(field, "请从列表中选择"))
}

/// An agency in the tree, in the order the tree reads.
#[derive(Clone, Debug)]
pub struct TreeLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    /// 0 for a top-level agency; the CSS indents up to 8 levels.
    pub depth: usize,
    /// The name with an indent of full-width spaces, for a `<select>`.
    pub indented: String,
}

/// The agencies as a tree read top-down, children by name under their parent; an agency
/// whose parent is not among them stands at the top.
pub fn tree(agencies: &[AgencyRow]) -> Vec<TreeLine> {
    let ids: std::collections::HashSet<Uuid> = agencies.iter().map(|a| a.id).collect();
    let mut children: HashMap<Option<Uuid>, Vec<&AgencyRow>> = HashMap::new();
    for a in agencies {
        let parent = a.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(a);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::with_capacity(agencies.len());
    let mut stack: Vec<(&AgencyRow, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|a| (*a, 0)).collect())
        .unwrap_or_default();
    while let Some((a, depth)) = stack.pop() {
        out.push(TreeLine {
            id: a.id.to_string(),
            name: a.name.clone(),
            kind: crate::domain::AgencyKind::parse(&a.kind).map_or("", |k| k.label()),
            depth: depth.min(8),
            indented: format!("{}{}", "　".repeat(depth.min(8)), a.name),
        });
        if let Some(kids) = children.get(&Some(a.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// The ids of `root` and every agency under it, among `agencies`.
pub fn subtree(agencies: &[AgencyRow], root: Uuid) -> std::collections::HashSet<Uuid> {
    let mut inside = std::collections::HashSet::from([root]);
    loop {
        let before = inside.len();
        for a in agencies {
            if a.parent_id.is_some_and(|p| inside.contains(&p)) {
                inside.insert(a.id);
            }
        }
        if inside.len() == before {
            return inside;
        }
    }
}

/// A date and time in the service's zone, as pages write it.
pub fn when(state: &AppState, t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&state.services.zone(None))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(name: &str, id: u128, parent: Option<u128>) -> AgencyRow {
        AgencyRow {
            id: Uuid::from_u128(id),
            name: name.into(),
            short_name: None,
            parent_id: parent.map(Uuid::from_u128),
            kind: "department".into(),
            time_zone: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_tree_reads_parents_before_children_by_name() {
        let rows = [
            agency("乙局", 3, Some(1)),
            agency("市政府", 1, None),
            agency("甲局", 2, Some(1)),
            agency("甲局下属", 4, Some(2)),
            agency("孤儿", 5, Some(99)),
        ];
        let lines = tree(&rows);
        let names: Vec<_> = lines.iter().map(|l| (l.name.as_str(), l.depth)).collect();
        assert_eq!(
            names,
            [
                ("孤儿", 0),
                ("市政府", 0),
                ("乙局", 1),
                ("甲局", 1),
                ("甲局下属", 2)
            ]
        );
        assert_eq!(subtree(&rows, Uuid::from_u128(2)).len(), 2);
        assert_eq!(subtree(&rows, Uuid::from_u128(1)).len(), 4);
    }
}
