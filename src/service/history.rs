//! An audit event in words, for the API's `ItemEvent.summary`: what was done (the
//! workflow's label, with the move between states) and what it carried (a date, the
//! measures, the verdict, a file's name, the people assigned, the comment), in Chinese,
//! with people's names — never ids or raw JSON.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{ItemCategory, ItemOutcome, workflow::Workflow},
    service::comments::{COMMENT, CommentKind},
    store::workflow::EventRow,
};

/// The payload's fields that an event may carry, typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFacts {
    pub due_on: Option<NaiveDate>,
    pub previous_due_on: Option<NaiveDate>,
    pub requested_due_on: Option<NaiveDate>,
    pub measures: Option<String>,
    pub outcome: Option<ItemOutcome>,
    pub category: Option<ItemCategory>,
    /// `approved` or `rejected`, for an extension decided.
    pub decision: Option<String>,
    pub lead_person_id: Option<Uuid>,
    pub lead_post_id: Option<Uuid>,
    pub responsible_person_id: Option<Uuid>,
    pub evidence_id: Option<Uuid>,
    pub evidence_name: Option<String>,
    pub evidence_kind: Option<String>,
    pub split_from: Option<Uuid>,
    pub split_into: Vec<Uuid>,
    pub comment_kind: Option<CommentKind>,
}

impl EventFacts {
    /// Reads an event's payload (unknown or malformed fields are left out).
    pub fn of(event: &EventRow) -> Self {
        let payload: Value = serde_json::from_str(&event.payload_json).unwrap_or(Value::Null);
        let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
        let date = |key: &str| text(key).and_then(|d| d.parse().ok());
        let uuid = |key: &str| text(key).and_then(|d| Uuid::parse_str(&d).ok());
        EventFacts {
            due_on: date("due_on"),
            previous_due_on: date("previous_due_on"),
            requested_due_on: date("requested_due_on"),
            measures: text("measures"),
            outcome: text("outcome").and_then(|o| ItemOutcome::parse(&o).ok()),
            category: text("category").and_then(|c| ItemCategory::parse(&c).ok()),
            decision: text("decision"),
            lead_person_id: uuid("lead_person_id"),
            lead_post_id: uuid("lead_post_id"),
            responsible_person_id: uuid("responsible_person_id"),
            evidence_id: uuid("evidence_id"),
            evidence_name: (event.action == "evidence_added")
                .then(|| text("name"))
                .flatten(),
            evidence_kind: (event.action == "evidence_added")
                .then(|| text("kind"))
                .flatten(),
            split_from: uuid("split_from"),
            split_into: payload
                .get("into")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter_map(|s| Uuid::parse_str(s).ok())
                        .collect()
                })
                .unwrap_or_default(),
            comment_kind: (event.action == COMMENT)
                .then(|| text("kind").map(|k| CommentKind::parse(&k)))
                .flatten(),
        }
    }
}

fn state_label<'a>(workflow: &'a Workflow, state: &'a str) -> &'a str {
    workflow.state(state).map_or(state, |s| s.label.as_str())
}

fn cn_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// What was done: the action's label and the move between states, e.g.
/// 签收（已交办 → 整改中）.
pub fn what(workflow: &Workflow, event: &EventRow) -> String {
    let label = match event.action.as_str() {
        "create" => "登记事项".to_owned(),
        "evidence_added" => "添加佐证材料".to_owned(),
        "split" => "拆分事项".to_owned(),
        "urge" => "督办".to_owned(),
        COMMENT => {
            return EventFacts::of(event)
                .comment_kind
                .unwrap_or(CommentKind::Reply)
                .label()
                .to_owned();
        }
        action => workflow
            .action(action)
            .map_or_else(|| format!("其他操作（{action}）"), |a| a.label.clone()),
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

/// What the event carried, in words; `names` gives people's names (by person id) and
/// posts' titles (by post id).
pub fn detail(event: &EventRow, names: &HashMap<Uuid, String>) -> Option<String> {
    let facts = EventFacts::of(event);
    let name = |id: Option<Uuid>| id.and_then(|i| names.get(&i).cloned());
    let mut parts: Vec<String> = Vec::new();
    match event.action.as_str() {
        "assign" => {
            if let Some(lead) = name(facts.lead_person_id).or_else(|| name(facts.lead_post_id)) {
                parts.push(format!("责任领导：{lead}"));
            }
            if let Some(r) = name(facts.responsible_person_id) {
                parts.push(format!("责任人：{r}"));
            }
            if let Some(c) = facts.category {
                parts.push(format!("整改类别：{}", c.label()));
            }
            if let Some(d) = facts.due_on {
                parts.push(format!("完成时限：{}", cn_date(d)));
            }
        }
        "accept" => parts.extend(facts.measures.map(|m| format!("整改措施：{m}"))),
        "request_extension" => parts.extend(
            facts
                .requested_due_on
                .map(|d| format!("申请延期至{}", cn_date(d))),
        ),
        "decide_extension" => match facts.decision.as_deref() {
            Some("approved") => parts.push(format!(
                "同意延期，完成时限改为{}",
                facts.due_on.map(cn_date).unwrap_or_default()
            )),
            Some(_) => parts.push("不同意延期".to_owned()),
            None => {}
        },
        "verify" => parts.extend(facts.outcome.map(|o| format!("整改结果：{}", o.label()))),
        "evidence_added" => parts.extend(facts.evidence_name.map(|n| format!("材料：{n}"))),
        "split" if !facts.split_into.is_empty() => {
            parts.push(format!("拆分为{}项整改事项", facts.split_into.len()))
        }
        _ => {}
    }
    if let Some(c) = event.comment.as_deref().filter(|c| !c.trim().is_empty())
        && !parts.iter().any(|p| p.contains(c))
    {
        parts.push(match event.action.as_str() {
            COMMENT | "create" | "split" => c.to_owned(),
            "reject" => format!("退回理由：{c}"),
            "report_progress" => format!("进展：{c}"),
            "request_extension" => format!("理由：{c}"),
            "urge" => format!("督办意见：{c}"),
            _ => format!("说明：{c}"),
        });
    }
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// The whole sentence: who, what, and what it carried.
pub fn summary(
    workflow: &Workflow,
    event: &EventRow,
    who: &str,
    names: &HashMap<Uuid, String>,
) -> String {
    let what = what(workflow, event);
    match detail(event, names) {
        Some(detail) => format!("{who} {what}：{detail}"),
        None => format!("{who} {what}"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn event(
        action: &str,
        from: &str,
        to: &str,
        payload: Value,
        comment: Option<&str>,
    ) -> EventRow {
        EventRow {
            id: Uuid::nil(),
            item_id: Uuid::nil(),
            seq: 1,
            action: action.into(),
            from_state: Some(from.into()),
            to_state: Some(to.into()),
            actor_account_id: None,
            actor_person_id: None,
            comment: comment.map(str::to_owned),
            payload_json: payload.to_string(),
            occurred_at: Utc::now(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn events_read_as_sentences_with_names() {
        let w = Workflow::builtin();
        let lead = Uuid::from_u128(1);
        let names = HashMap::from([(lead, "张局长".to_owned())]);
        let assign = event(
            "assign",
            "identified",
            "assigned",
            serde_json::json!({ "lead_person_id": lead, "due_on": "2026-12-31", "category": "time_bound" }),
            None,
        );
        assert_eq!(
            summary(&w, &assign, "某市司法局联络员账号", &names),
            "某市司法局联络员账号 交办（待交办 → 已交办）：责任领导：张局长；整改类别：限期整改；完成时限：2026年12月31日"
        );
        let facts = EventFacts::of(&assign);
        assert_eq!(facts.due_on, "2026-12-31".parse().ok());
        assert_eq!(facts.category, Some(ItemCategory::TimeBound));
        let verify = event(
            "verify",
            "submitted",
            "closed",
            serde_json::json!({ "outcome": "rectified" }),
            Some("材料齐全"),
        );
        assert_eq!(
            summary(&w, &verify, "王处长", &names),
            "王处长 验收销号（待验收 → 已销号）：整改结果：已整改；说明：材料齐全"
        );
        let split = event(
            "split",
            "identified",
            "split",
            serde_json::json!({ "into": [Uuid::from_u128(2), Uuid::from_u128(3)] }),
            Some("拆分为2项整改事项"),
        );
        assert_eq!(
            summary(&w, &split, "系统", &names),
            "系统 拆分事项（待交办 → 已拆分）：拆分为2项整改事项"
        );
    }
}
