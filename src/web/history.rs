//! An item's history in words: each audit event as a line of a timeline in Chinese, with
//! people's names — never ids or raw JSON.

use chrono_tz::Tz;
use serde_json::Value;

use crate::{
    domain::{ItemOutcome, workflow::Workflow},
    service::item_view::ItemDetails,
    store::workflow::EventRow,
};

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub when: String,
    pub who: String,
    pub what: String,
    pub detail: Option<String>,
}

/// The timeline of an item, oldest first.
pub fn timeline(details: &ItemDetails, workflow: &Workflow, tz: Tz) -> Vec<Entry> {
    details
        .history
        .iter()
        .map(|event| Entry {
            when: event
                .occurred_at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            who: who(details, event),
            what: what(workflow, event),
            detail: detail(event),
        })
        .collect()
}

fn who(details: &ItemDetails, event: &EventRow) -> String {
    if let Some(name) = event.actor_person_id.and_then(|p| details.people.get(&p)) {
        return name.clone();
    }
    match event.actor_account_id {
        Some(account) => details
            .account_roles
            .get(&account)
            .map_or("已删除的账号".to_owned(), |role| {
                format!("{}账号", role.label())
            }),
        None => "系统".to_owned(),
    }
}

fn state_label<'a>(workflow: &'a Workflow, state: &'a str) -> &'a str {
    workflow.state(state).map_or(state, |s| s.label.as_str())
}

fn what(workflow: &Workflow, event: &EventRow) -> String {
    let label = match event.action.as_str() {
        "create" => "登记事项".to_owned(),
        "evidence_added" => "添加佐证材料".to_owned(),
        crate::service::comments::COMMENT => {
            let payload: Value = serde_json::from_str(&event.payload_json).unwrap_or(Value::Null);
            let kind = payload
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default();
            return crate::service::comments::CommentKind::parse(kind)
                .label()
                .to_owned();
        }
        action => workflow
            .action(action)
            .map_or_else(|| "其他操作".to_owned(), |a| a.label.clone()),
    };
    match (&event.from_state, &event.to_state) {
        (Some(from), Some(to)) if from != to => format!(
            "{label}（{} → {}）",
            state_label(workflow, from),
            state_label(workflow, to)
        ),
        (None, Some(to)) => format!("{label}（{}）", state_label(workflow, to)),
        _ => label,
    }
}

/// What the event carried, in words: the comment, the measures, a date, a file's name.
fn detail(event: &EventRow) -> Option<String> {
    let payload: Value = serde_json::from_str(&event.payload_json).unwrap_or(Value::Null);
    let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
    let extra = match event.action.as_str() {
        "accept" => text("measures").map(|m| format!("整改措施：{m}")),
        "assign" => text("due_on").map(|d| format!("完成时限：{d}")),
        "request_extension" => text("requested_due_on").map(|d| format!("申请延期至 {d}")),
        "decide_extension" => match text("decision").as_deref() {
            Some("approved") => Some(format!(
                "同意延期，完成时限改为 {}",
                text("due_on").unwrap_or_default()
            )),
            Some(_) => Some("不同意延期".to_owned()),
            None => None,
        },
        "verify" => text("outcome")
            .and_then(|o| ItemOutcome::parse(&o).ok())
            .map(|o| format!("整改结果：{}", o.label())),
        "evidence_added" => text("name").map(|n| format!("材料：{n}")),
        _ => None,
    };
    let comment = event
        .comment
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| match event.action.as_str() {
            crate::service::comments::COMMENT => c.to_owned(),
            "reject" => format!("退回理由：{c}"),
            "report_progress" => format!("进展：{c}"),
            "request_extension" => format!("理由：{c}"),
            _ => format!("说明：{c}"),
        });
    match (extra, comment) {
        (Some(a), Some(b)) => Some(format!("{a}；{b}")),
        (a, b) => a.or(b),
    }
}
