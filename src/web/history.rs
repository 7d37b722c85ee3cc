//! An item's history as a timeline: each audit event as a line in Chinese, with people's
//! names — never ids or raw JSON. The words are the API's (`service::history`); this
//! module only lays them out with when and who.

use chrono_tz::Tz;

use crate::{
    domain::workflow::Workflow,
    service::{history, item_view::ItemDetails},
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
            what: history::what(workflow, event),
            detail: history::detail(event, &details.names),
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
