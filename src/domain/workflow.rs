//! The workflow of an item, as data: its states, its actions, which roles may take each
//! action, the transitions each makes and what each requires. A workflow is read from TOML
//! (`workflows/default.toml` is built in) and validated when loaded; [`Workflow::decide`], a
//! pure function, judges every action, and the database only records what it decided.

use std::collections::{HashSet, VecDeque};

use chrono::NaiveDate;
use serde::Deserialize;

/// A role an actor plays toward one item (an actor may hold several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemRole {
    /// An administrator (or the system itself).
    Admin,
    /// A supervising office's account whose scope reaches the item's agency.
    Supervisor,
    /// A coordinating account whose scope reaches the item's agency.
    Coordinator,
    /// The item's lead (牵头), in person or by holding its lead post.
    Lead,
    /// The item's responsible person (责任人).
    Responsible,
}

impl ItemRole {
    /// Every role, in declaration order.
    pub const ALL: &'static [ItemRole] = &[
        ItemRole::Admin,
        ItemRole::Supervisor,
        ItemRole::Coordinator,
        ItemRole::Lead,
        ItemRole::Responsible,
    ];

    /// The role's name in workflow files: "admin", "supervisor", ….
    pub fn as_str(self) -> &'static str {
        match self {
            ItemRole::Admin => "admin",
            ItemRole::Supervisor => "supervisor",
            ItemRole::Coordinator => "coordinator",
            ItemRole::Lead => "lead",
            ItemRole::Responsible => "responsible",
        }
    }

    /// The role as people name it.
    pub fn label(self) -> &'static str {
        match self {
            ItemRole::Admin => "管理员",
            ItemRole::Supervisor => "督办部门",
            ItemRole::Coordinator => "联络员",
            ItemRole::Lead => "责任领导",
            ItemRole::Responsible => "责任人",
        }
    }

    /// Whether the role makes the actor an owner of the item (for separation of duties).
    fn is_owner(self) -> bool {
        matches!(self, ItemRole::Lead | ItemRole::Responsible)
    }
}

/// What an action needs before it may be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A non-blank comment in the request.
    Comment,
    /// At least one piece of evidence already attached to the item.
    Evidence,
    /// A due date in the request.
    DueDate,
    /// An assignee (the lead) in the request.
    Assignee,
    /// An outcome in the request.
    Outcome,
    /// Measures, in the request or already on the item.
    Measures,
}

impl Requirement {
    /// The requirement's name in workflow files: "comment", "due_date", ….
    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Comment => "comment",
            Requirement::Evidence => "evidence",
            Requirement::DueDate => "due_date",
            Requirement::Assignee => "assignee",
            Requirement::Outcome => "outcome",
            Requirement::Measures => "measures",
        }
    }

    /// The GraphQL input field it concerns: comment, evidence, dueOn, lead, outcome, measures.
    pub fn field(self) -> &'static str {
        match self {
            Requirement::DueDate => "dueOn",
            Requirement::Assignee => "lead",
            other => other.as_str(),
        }
    }

    /// What is missing, for people.
    fn describe(self) -> &'static str {
        match self {
            Requirement::Comment => "填写说明",
            Requirement::Evidence => "先添加至少一份佐证材料",
            Requirement::DueDate => "填写完成时限",
            Requirement::Assignee => "指定责任领导",
            Requirement::Outcome => "选择整改结果",
            Requirement::Measures => "填写整改措施",
        }
    }

    /// Whether the item and the request satisfy the requirement.
    fn is_met(self, facts: &ItemFacts<'_>, request: &ActionRequest<'_>) -> bool {
        match self {
            Requirement::Comment => request.comment.is_some_and(|c| !c.trim().is_empty()),
            Requirement::Evidence => facts.evidence_count >= 1,
            Requirement::DueDate => request.due_date_given,
            Requirement::Assignee => request.assignee_given,
            Requirement::Outcome => request.outcome_given,
            Requirement::Measures => request.measures_given || facts.has_measures,
        }
    }
}

/// A state an item can be in.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The name used by the program, e.g. `in_progress`.
    pub name: String,
    /// The name shown to people, e.g. 整改中.
    pub label: String,
    /// Whether the item is finished here (key `final` in the file).
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

/// One move an action makes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// A state name, or `*`: any state that is not final.
    pub from: String,
    /// The state reached.
    pub to: String,
    /// `None`: always; `Some(b)`: only when the item's `long_term` is `b`.
    #[serde(default)]
    pub when_long_term: Option<bool>,
}

/// Something an actor may do to an item.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The name used by the program, e.g. `submit`.
    pub name: String,
    /// The name shown to people, e.g. 提交验收.
    pub label: String,
    /// The roles that may take it (any one suffices).
    pub roles: Vec<ItemRole>,
    /// The moves it makes; the first that applies to the item wins.
    pub transitions: Vec<Transition>,
    /// What it needs, checked in this order.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Separation of duties: refused when the actor is the item's lead or responsible
    /// person, whatever other roles they hold.
    #[serde(default)]
    pub forbid_owner: bool,
}

/// A validated workflow (only [`Workflow::from_toml`] and [`Workflow::builtin`] make one).
#[derive(Clone, Debug)]
pub struct Workflow {
    name: String,
    initial: String,
    states: Vec<State>,
    actions: Vec<Action>,
    /// Derived once from the above: see [`Workflow::owner_states`].
    owner_states: Vec<String>,
    /// Derived once: see [`Workflow::awaiting_acceptance_states`].
    awaiting_states: Vec<String>,
}

/// The file as written, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowFile {
    name: String,
    initial: String,
    #[serde(default)]
    states: Vec<State>,
    #[serde(default)]
    actions: Vec<Action>,
}

/// What the decision needs to know of the item.
#[derive(Clone, Copy, Debug)]
pub struct ItemFacts<'a> {
    pub state: &'a str,
    pub long_term: bool,
    pub evidence_count: u32,
    pub has_measures: bool,
}

/// What the caller asks for (only presence matters here; the service validates values).
#[derive(Clone, Copy, Debug, Default)]
pub struct ActionRequest<'a> {
    pub action: &'a str,
    pub comment: Option<&'a str>,
    pub due_date_given: bool,
    pub assignee_given: bool,
    pub outcome_given: bool,
    pub measures_given: bool,
}

/// An action judged allowed: the state it leaves and the state it reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub action: String,
    pub from: String,
    pub to: String,
}

impl Decision {
    /// Whether the item's state changes.
    pub fn changes_state(&self) -> bool {
        self.from != self.to
    }
}

/// Why an action was refused; `Display` gives a message a person understands, naming the
/// labels (`action_label`, `state_label`) as well as the names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The workflow has no such action.
    #[error("本流程没有“{action}”这项操作")]
    UnknownAction { action: String },
    /// The item is in a state the workflow does not declare.
    #[error("该事项处于本流程未定义的状态“{state}”")]
    UnknownState { state: String },
    /// The action cannot be taken from the item's state.
    #[error(
        "该事项当前为“{state_label}”，不能{action_label}；{}",
        sources_sentence(action_label, allowed_labels)
    )]
    NotFromState {
        action: String,
        action_label: String,
        state_label: String,
        allowed_from: Vec<String>,
        /// The same states as people read them.
        allowed_labels: Vec<String>,
    },
    /// The actor holds none of the action's roles.
    #[error(
        "只有该事项的{}才能{action_label}，您对该事项不是其中任何一种角色",
        roles_list(allowed)
    )]
    RoleNotAllowed {
        action: String,
        action_label: String,
        allowed: Vec<ItemRole>,
    },
    /// Separation of duties: the item's own lead or responsible person may not take it.
    #[error("该事项的责任领导和责任人不能{action_label}（职责分离）")]
    OwnerMayNot {
        action: String,
        action_label: String,
    },
    /// A requirement is not met.
    #[error("{action_label}前须{}", requirement.describe())]
    Missing {
        action: String,
        action_label: String,
        requirement: Requirement,
    },
}

fn sources_sentence(action_label: &str, states: &[String]) -> String {
    if states.is_empty() {
        format!("该事项在任何状态下都不能{action_label}")
    } else {
        format!("只有在{}状态下才能{action_label}", states.join("、"))
    }
}

fn roles_list(roles: &[ItemRole]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
    names.join("、")
}

impl Refusal {
    /// The stable machine code: `UNKNOWN_ACTION`, `INVALID_TRANSITION`, `FORBIDDEN`,
    /// `EVIDENCE_REQUIRED` or `VALIDATION`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownAction { .. } => "UNKNOWN_ACTION",
            Refusal::UnknownState { .. } | Refusal::NotFromState { .. } => "INVALID_TRANSITION",
            Refusal::RoleNotAllowed { .. } | Refusal::OwnerMayNot { .. } => "FORBIDDEN",
            Refusal::Missing {
                requirement: Requirement::Evidence,
                ..
            } => "EVIDENCE_REQUIRED",
            Refusal::Missing { .. } => "VALIDATION",
        }
    }
}

/// Why a workflow file was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// Not TOML, or not shaped like a workflow (unknown key, role or requirement …).
    #[error("the workflow file cannot be read: {0}")]
    Parse(#[from] toml::de::Error),
    /// Well-formed but wrong: every problem found, each a readable sentence.
    #[error("the workflow is not valid: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

impl Workflow {
    /// Parses and validates a workflow file.
    pub fn from_toml(text: &str) -> Result<Workflow, WorkflowError> {
        let file: WorkflowFile = toml::from_str(text)?;
        let workflow = Workflow {
            name: file.name,
            initial: file.initial,
            states: file.states,
            actions: file.actions,
            owner_states: Vec::new(),
            awaiting_states: Vec::new(),
        };
        let mut problems = workflow.problems();
        if workflow.state(super::SPLIT_STATE).is_some() {
            problems.push(format!(
                "the state {:?} is reserved for split items (a container of parts)",
                super::SPLIT_STATE
            ));
        }
        if problems.is_empty() {
            let mut workflow = workflow;
            workflow.states.push(State {
                name: super::SPLIT_STATE.to_owned(),
                label: super::SPLIT_LABEL.to_owned(),
                is_final: true,
            });
            let owned = |states: Vec<&str>| -> Vec<String> {
                states.into_iter().map(str::to_owned).collect()
            };
            let awaiting = owned(workflow.departures("accept"));
            let mut owners = awaiting.clone();
            for s in owned(workflow.departures("submit")) {
                if !owners.contains(&s) {
                    owners.push(s);
                }
            }
            workflow.awaiting_states = awaiting;
            workflow.owner_states = owners;
            Ok(workflow)
        } else {
            Err(WorkflowError::Invalid(problems))
        }
    }

    /// The built-in default workflow (`workflows/default.toml`, embedded).
    pub fn builtin() -> Workflow {
        Workflow::from_toml(include_str!("../../workflows/default.toml"))
            .expect("the built-in workflow is valid (a unit test checks it)")
    }

    /// The workflow's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state new items start in.
    pub fn initial(&self) -> &str {
        &self.initial
    }

    /// Every state, in file order.
    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// Every action, in file order.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    /// The action named `name`.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// Whether `state` is final (an unknown state is not).
    pub fn is_final(&self, state: &str) -> bool {
        self.state(state).is_some_and(|s| s.is_final)
    }

    /// Every final state (the split state included): an item there can no longer be
    /// overdue, nor be reminded of anything.
    pub fn final_states(&self) -> Vec<&str> {
        self.states
            .iter()
            .filter(|s| s.is_final)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Every state that is not final: where an item can be overdue. Listing these (rather
    /// than excluding the final ones) lets a query use an index on the state.
    pub fn open_states(&self) -> Vec<&str> {
        self.states
            .iter()
            .filter(|s| !s.is_final)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// The states of an assignment waiting to be accepted (签收): where `accept` leaves from.
    pub fn awaiting_acceptance_states(&self) -> &[String] {
        &self.awaiting_states
    }

    /// The states in which an item is with its owners, who can accept it or submit it:
    /// reminders go out and escalation climbs only there — not before it is assigned, not
    /// while a verifier holds it, never once final.
    pub fn owner_states(&self) -> &[String] {
        &self.owner_states
    }

    /// What the reminder policy knows of an item in `state`: the one place where "open" is
    /// decided for escalation levels, reminders, digests, calendars and the ledger.
    pub fn item_dates(
        &self,
        state: &str,
        long_term: bool,
        due_on: Option<NaiveDate>,
        assigned_on: Option<NaiveDate>,
        accepted_on: Option<NaiveDate>,
    ) -> super::reminders::ItemDates {
        super::reminders::ItemDates {
            open: self.owner_states.iter().any(|s| s == state),
            awaiting_acceptance: self.awaiting_states.iter().any(|s| s == state),
            long_term,
            due_on,
            assigned_on,
            accepted_on,
        }
    }

    /// The states `action` leaves from (resolving "*"), never a final one.
    fn departures(&self, action: &str) -> Vec<&str> {
        let Some(action) = self.action(action) else {
            return Vec::new();
        };
        self.states
            .iter()
            .filter(|s| !s.is_final && action.transitions.iter().any(|t| departs(t, s)))
            .map(|s| s.name.as_str())
            .collect()
    }

    /// The states from which `action` can be taken (resolving "*"), for messages; empty
    /// for an unknown action.
    pub fn sources(&self, action: &str) -> Vec<&str> {
        let Some(action) = self.action(action) else {
            return Vec::new();
        };
        self.states
            .iter()
            .filter(|s| action.transitions.iter().any(|t| departs(t, s)))
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Names of the actions `roles` may take now: those whose state, role and separation
    /// of duties checks pass (requirements are checked when the action is decided).
    pub fn available_actions(&self, facts: &ItemFacts<'_>, roles: &[ItemRole]) -> Vec<&str> {
        self.actions
            .iter()
            .filter(|a| self.admit(a, facts, roles).is_ok())
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Decides one action: the action, the item's state, the roles, separation of duties,
    /// the transition, then the requirements in order. Never panics; pure.
    #[allow(clippy::result_large_err)] // a refusal carries its labels for people; decided once per request
    pub fn decide(
        &self,
        facts: &ItemFacts<'_>,
        roles: &[ItemRole],
        request: &ActionRequest<'_>,
    ) -> Result<Decision, Refusal> {
        let action = self
            .action(request.action)
            .ok_or_else(|| Refusal::UnknownAction {
                action: request.action.to_owned(),
            })?;
        let transition = self.admit(action, facts, roles)?;
        if let Some(&requirement) = action.requires.iter().find(|r| !r.is_met(facts, request)) {
            return Err(Refusal::Missing {
                action: action.name.clone(),
                action_label: action.label.clone(),
                requirement,
            });
        }
        Ok(Decision {
            action: action.name.clone(),
            from: facts.state.to_owned(),
            to: transition.to.clone(),
        })
    }

    /// Every check but the requirements; the transition to take if they pass.
    #[allow(clippy::result_large_err)] // a refusal carries its labels for people; decided once per request
    fn admit<'w>(
        &'w self,
        action: &'w Action,
        facts: &ItemFacts<'_>,
        roles: &[ItemRole],
    ) -> Result<&'w Transition, Refusal> {
        let state = self
            .state(facts.state)
            .ok_or_else(|| Refusal::UnknownState {
                state: facts.state.to_owned(),
            })?;
        if !action.roles.iter().any(|r| roles.contains(r)) {
            return Err(Refusal::RoleNotAllowed {
                action: action.name.clone(),
                action_label: action.label.clone(),
                allowed: action.roles.clone(),
            });
        }
        if action.forbid_owner && roles.iter().any(|r| r.is_owner()) {
            return Err(Refusal::OwnerMayNot {
                action: action.name.clone(),
                action_label: action.label.clone(),
            });
        }
        let applies = |t: &Transition, s: &State| {
            departs(t, s) && t.when_long_term.is_none_or(|b| b == facts.long_term)
        };
        action
            .transitions
            .iter()
            .find(|t| applies(t, state))
            .ok_or_else(|| Refusal::NotFromState {
                action: action.name.clone(),
                action_label: action.label.clone(),
                state_label: state.label.clone(),
                allowed_from: (self.states.iter())
                    .filter(|s| action.transitions.iter().any(|t| applies(t, s)))
                    .map(|s| s.name.clone())
                    .collect(),
                allowed_labels: (self.states.iter())
                    .filter(|s| action.transitions.iter().any(|t| applies(t, s)))
                    .map(|s| format!("“{}”", s.label))
                    .collect(),
            })
    }

    /// Every problem of the workflow, each a sentence naming the culprit.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.states.is_empty() {
            problems.push("the workflow declares no states".to_owned());
        } else if !self.states.iter().any(|s| s.is_final) {
            problems.push("no state is final: items could never be closed".to_owned());
        }
        let mut seen = HashSet::new();
        for State { name, .. } in &self.states {
            if name == "*" {
                problems.push(r#"no state may be named "*" (it means any state not final)"#.into());
            }
            if !seen.insert(name) {
                problems.push(format!("state {name:?} is declared more than once"));
            }
        }
        let mut seen = HashSet::new();
        for Action {
            name,
            roles,
            transitions,
            ..
        } in &self.actions
        {
            if !seen.insert(name) {
                problems.push(format!("action {name:?} is declared more than once"));
            }
            if roles.is_empty() {
                problems.push(format!(
                    "action {name:?} names no roles: nobody could take it"
                ));
            }
            if transitions.is_empty() {
                problems.push(format!("action {name:?} has no transitions"));
            }
            for Transition { from, to, .. } in transitions {
                if from != "*" && self.state(from).is_none() {
                    problems.push(format!(
                        "action {name:?} goes from {from:?}, an undeclared state"
                    ));
                }
                if self.state(to).is_none() {
                    problems.push(format!(
                        "action {name:?} goes to {to:?}, an undeclared state"
                    ));
                }
            }
        }
        let initial = &self.initial;
        match self.state(initial) {
            None => problems.push(format!("the initial state {initial:?} is not declared")),
            Some(s) if s.is_final => {
                problems.push(format!(
                    "the initial state {initial:?} is final: items would start finished"
                ));
            }
            Some(_) => {
                let reachable = self.reachable();
                for State { name, .. } in
                    self.states.iter().filter(|s| !reachable.contains(&*s.name))
                {
                    problems.push(format!("state {name:?} cannot be reached from {initial:?}"));
                }
            }
        }
        for state @ State { name, is_final, .. } in &self.states {
            let transitions = self.actions.iter().flat_map(|a| &a.transitions);
            if transitions
                .into_iter()
                .any(|t| departs(t, state) && t.to != *name)
            {
                continue;
            }
            problems.push(if *is_final {
                format!(
                    "final state {name:?} is left by no action: its items could never be reopened"
                )
            } else {
                format!("state {name:?} is a dead end: no action leads from it to another state")
            });
        }
        problems
    }

    /// The names of the states reachable from the initial one (ignoring roles,
    /// requirements and `when_long_term`).
    fn reachable(&self) -> HashSet<&str> {
        let mut seen = HashSet::from([self.initial.as_str()]);
        let mut queue = VecDeque::from([self.initial.as_str()]);
        while let Some(name) = queue.pop_front() {
            let Some(state) = self.state(name) else {
                continue;
            };
            for t in self.actions.iter().flat_map(|a| &a.transitions) {
                if departs(t, state) && seen.insert(t.to.as_str()) {
                    queue.push_back(t.to.as_str());
                }
            }
        }
        seen
    }
}

/// Whether `t` starts from `state` ("*": any state that is not final).
fn departs(t: &Transition, state: &State) -> bool {
    t.from == state.name || (t.from == "*" && !state.is_final)
}

#[cfg(test)]
mod tests {
    use super::ItemRole::{Admin, Coordinator, Lead, Responsible, Supervisor};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn open_means_with_the_owners_and_final_means_the_workflow_says_so() {
        let w = Workflow::builtin();
        assert_eq!(
            w.final_states(),
            vec!["closed", "cancelled", crate::domain::SPLIT_STATE]
        );
        assert_eq!(
            w.open_states(),
            vec![
                "identified",
                "assigned",
                "in_progress",
                "submitted",
                "ongoing"
            ]
        );
        assert_eq!(w.awaiting_acceptance_states(), ["assigned"]);
        assert_eq!(w.owner_states(), ["assigned", "in_progress", "ongoing"]);
        let due = NaiveDate::from_ymd_opt(2027, 3, 31);
        let dates = |state| w.item_dates(state, false, due, None, None);
        assert!(dates("assigned").open && dates("assigned").awaiting_acceptance);
        assert!(dates("in_progress").open && !dates("in_progress").awaiting_acceptance);
        // Not yet assigned, waiting for a verifier, or finished: no reminders, no colour.
        for state in ["identified", "submitted", "closed", "cancelled", "split"] {
            assert!(!dates(state).open, "{state}");
        }
    }

    const LEADER_CONFIRMATION: &str = include_str!("../../workflows/leader-confirmation.toml");

    fn leader_confirmation() -> Workflow {
        Workflow::from_toml(LEADER_CONFIRMATION).expect("leader-confirmation.toml is valid")
    }

    /// An item in `state`, not long-term, with measures and `evidence_count` evidence.
    fn item(state: &str, evidence_count: u32) -> ItemFacts<'_> {
        let (long_term, has_measures) = (false, true);
        ItemFacts {
            state,
            long_term,
            evidence_count,
            has_measures,
        }
    }

    /// A request for `action` with a comment and every field given.
    fn full(action: &str) -> ActionRequest<'_> {
        let comment = Some("理由");
        let (due_date_given, assignee_given, outcome_given, measures_given) =
            (true, true, true, true);
        ActionRequest {
            action,
            comment,
            due_date_given,
            assignee_given,
            outcome_given,
            measures_given,
        }
    }

    /// The state `action` leads to from `state`, or the refusal's code (for an item with
    /// evidence and a full request).
    fn outcome(w: &Workflow, state: &str, roles: &[ItemRole], action: &str) -> String {
        match w.decide(&item(state, 1), roles, &full(action)) {
            Ok(decision) => decision.to,
            Err(refusal) => refusal.code().to_owned(),
        }
    }

    /// The requirement a refusal says is missing.
    fn missing(result: Result<Decision, Refusal>) -> Option<Requirement> {
        match result {
            Err(Refusal::Missing { requirement, .. }) => Some(requirement),
            _ => None,
        }
    }

    #[test]
    fn the_builtin_workflow_is_valid() {
        let w = Workflow::builtin();
        assert_eq!((w.name(), w.initial()), ("default", "identified"));
        // The seven of the file, and 已拆分 that every workflow gets.
        assert_eq!((w.states().len(), w.actions().len()), (8, 11));
        assert!(w.is_final("closed") && w.is_final("cancelled") && !w.is_final("ongoing"));
        assert_eq!(w.state(crate::domain::SPLIT_STATE).unwrap().label, "已拆分");
        assert!(w.is_final(crate::domain::SPLIT_STATE));
        assert!(
            Workflow::from_toml(&include_str!("../../workflows/default.toml").replace(
                "{ name = \"ongoing\", label = \"长期坚持\" },",
                "{ name = \"ongoing\", label = \"长期坚持\" },\n  { name = \"split\", label = \"x\", final = true },"
            ))
            .is_err(),
            "split is reserved"
        );
        assert!(!w.is_final("nowhere") && w.action("fly").is_none());
        assert_eq!(w.state("closed").unwrap().label, "已销号");
        assert_eq!(w.sources("submit"), ["in_progress", "ongoing"]);
        let cancel = ["identified", "assigned", "in_progress", "submitted"];
        assert_eq!(w.sources("cancel"), [&cancel[..], &["ongoing"]].concat());
        assert!(w.sources("fly").is_empty());
    }

    #[test]
    fn leader_confirmation_needs_the_leads_confirm_before_verify() {
        let w = leader_confirmation();
        assert_eq!(w.name(), "leader-confirmation");
        let Err(Refusal::NotFromState { allowed_from, .. }) =
            w.decide(&item("submitted", 1), &[Supervisor], &full("verify"))
        else {
            panic!("a supervisor verified a submitted item");
        };
        assert_eq!(allowed_from, ["confirmed"]);
        let steps = [
            ("submitted", Lead, "confirm", "confirmed"),
            ("confirmed", Supervisor, "verify", "closed"),
            ("confirmed", Supervisor, "reject", "in_progress"),
            ("confirmed", Supervisor, "urge", "confirmed"),
        ];
        for (state, role, action, expected) in steps {
            assert_eq!(outcome(&w, state, &[role], action), expected, "{action}");
        }
    }

    #[test]
    fn each_refusal_has_its_code_and_a_readable_message() {
        let w = Workflow::builtin();
        let blank = ActionRequest {
            comment: Some(" \n"),
            ..full("reject")
        };
        #[rustfmt::skip]
        let cases: [(ItemFacts, &[ItemRole], ActionRequest, &str, &str); 7] = [
            (item("submitted", 1), &[Supervisor], full("fly"), "UNKNOWN_ACTION",
             "本流程没有“fly”这项操作"),
            (item("limbo", 1), &[Supervisor], full("verify"), "INVALID_TRANSITION",
             "该事项处于本流程未定义的状态“limbo”"),
            (item("closed", 1), &[Responsible], full("submit"), "INVALID_TRANSITION",
             "该事项当前为“已销号”，不能提交验收；只有在“整改中”、“长期坚持”状态下才能提交验收"),
            (item("submitted", 1), &[Coordinator, Admin], full("verify"), "FORBIDDEN",
             "只有该事项的督办部门才能验收销号，您对该事项不是其中任何一种角色"),
            (item("submitted", 1), &[Responsible, Supervisor], full("verify"), "FORBIDDEN",
             "该事项的责任领导和责任人不能验收销号（职责分离）"),
            (item("in_progress", 0), &[Lead], full("submit"), "EVIDENCE_REQUIRED",
             "提交验收前须先添加至少一份佐证材料"),
            (item("submitted", 1), &[Supervisor], blank, "VALIDATION",
             "退回前须填写说明"),
        ];
        for (facts, roles, request, code, message) in cases {
            let refusal = w.decide(&facts, roles, &request).unwrap_err();
            assert_eq!(
                (refusal.code(), refusal.to_string().as_str()),
                (code, message)
            );
        }
        let fields = [Requirement::DueDate.field(), Requirement::Assignee.field()];
        assert_eq!(fields, ["dueOn", "lead"]);
    }

    #[test]
    fn requirements_are_checked_in_listed_order() {
        let w = Workflow::builtin();
        let bare = ActionRequest {
            action: "request_extension",
            ..Default::default()
        };
        let dated = ActionRequest {
            due_date_given: true,
            ..bare
        };
        let ask = |request| missing(w.decide(&item("in_progress", 1), &[Lead], &request));
        assert_eq!(ask(bare), Some(Requirement::DueDate));
        assert_eq!(ask(dated), Some(Requirement::Comment));
    }

    #[test]
    fn accept_routes_by_long_term() {
        let w = Workflow::builtin();
        let long = ItemFacts {
            long_term: true,
            ..item("assigned", 0)
        };
        let to = w.decide(&long, &[Lead], &full("accept")).unwrap().to;
        assert_eq!(to, "ongoing");
        assert_eq!(outcome(&w, "assigned", &[Lead], "accept"), "in_progress");
    }

    #[test]
    fn a_supervisor_who_is_also_lead_cannot_verify() {
        let w = Workflow::builtin();
        let both = [Supervisor, Lead];
        let refusal = w.decide(&item("submitted", 1), &both, &full("verify"));
        assert!(matches!(refusal, Err(Refusal::OwnerMayNot { .. })));
        assert_eq!(outcome(&w, "submitted", &[Supervisor], "verify"), "closed");
        let available = w.available_actions(&item("submitted", 1), &both);
        assert_eq!(available, ["cancel", "urge"]);
    }

    #[test]
    fn measures_already_on_the_item_satisfy_the_requirement() {
        let w = Workflow::builtin();
        let request = ActionRequest {
            measures_given: false,
            ..full("accept")
        };
        let without = ItemFacts {
            has_measures: false,
            ..item("assigned", 0)
        };
        assert!(w.decide(&item("assigned", 0), &[Lead], &request).is_ok());
        let refusal = w.decide(&without, &[Lead], &request);
        assert_eq!(missing(refusal), Some(Requirement::Measures));
        assert!(w.decide(&without, &[Lead], &full("accept")).is_ok());
    }

    #[test]
    fn available_actions_leave_requirements_to_decide() {
        let w = Workflow::builtin();
        let bare = ItemFacts {
            has_measures: false,
            ..item("in_progress", 0)
        };
        let mine = w.available_actions(&bare, &[Responsible]);
        assert_eq!(mine, ["report_progress", "request_extension", "submit"]);
        assert_eq!(
            w.available_actions(&item("closed", 0), &[Supervisor]),
            ["reopen"]
        );
        assert!(
            w.available_actions(&item("limbo", 0), ItemRole::ALL)
                .is_empty()
        );
        let urged = w.decide(&item("in_progress", 0), &[Supervisor], &full("urge"));
        assert!(!urged.unwrap().changes_state());
    }

    const MINIMAL: &str = r#"
name = "minimal"
initial = "open"
states = [{ name = "open", label = "开" }, { name = "done", label = "完", final = true }]

[[actions]]
name = "finish"
label = "完成"
roles = ["supervisor"]
transitions = [{ from = "open", to = "done" }]

[[actions]]
name = "reopen"
label = "重开"
roles = ["admin"]
transitions = [{ from = "done", to = "open" }]
"#;

    /// MINIMAL with the first `from` replaced by `to`.
    fn edit(from: &str, to: &str) -> String {
        assert!(MINIMAL.contains(from), "{from}");
        MINIMAL.replacen(from, to, 1)
    }

    /// The problems `text` is refused for.
    fn problems(text: &str) -> Vec<String> {
        match Workflow::from_toml(text) {
            Err(WorkflowError::Invalid(problems)) => problems,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn validation_names_each_culprit() {
        Workflow::from_toml(MINIMAL).expect("the minimal workflow is valid");
        let island = edit(
            "states = [",
            r#"states = [{ name = "island", label = "岛" }, "#,
        ) + "[[actions]]\nname = \"back\"\nlabel = \"回\"\nroles = [\"admin\"]\n"
            + "transitions = [{ from = \"island\", to = \"open\" }]\n";
        let stuck = edit(
            "states = [",
            r#"states = [{ name = "stuck", label = "卡" }, "#,
        );
        let stuck = stuck.replace(
            r#""done" }]"#,
            r#""done" }, { from = "open", to = "stuck" }]"#,
        );
        let no_states = "name = \"empty\"\ninitial = \"open\"\n".to_owned();
        #[rustfmt::skip]
        let cases = [
            (edit(r#"to = "done""#, r#"to = "gone""#),
             r#"action "finish" goes to "gone", an undeclared state"#),
            (edit(r#"from = "open""#, r#"from = "opne""#),
             r#"action "finish" goes from "opne", an undeclared state"#),
            (island, r#"state "island" cannot be reached from "open""#),
            (stuck, r#"state "stuck" is a dead end: no action leads from it to another state"#),
            (edit(r#""reopen""#, r#""finish""#), r#"action "finish" is declared more than once"#),
            (edit("states = [", r#"states = [{ name = "done", label = "又" }, "#),
             r#"state "done" is declared more than once"#),
            (edit(r#"initial = "open""#, r#"initial = "done""#),
             r#"the initial state "done" is final: items would start finished"#),
            (edit(r#"to = "open""#, r#"to = "done""#),
             r#"final state "done" is left by no action: its items could never be reopened"#),
            (edit(r#"initial = "open""#, r#"initial = "new""#),
             r#"the initial state "new" is not declared"#),
            (edit(", final = true", ""), "no state is final: items could never be closed"),
            (edit(r#"["admin"]"#, "[]"), r#"action "reopen" names no roles: nobody could take it"#),
            (edit(r#"[{ from = "done", to = "open" }]"#, "[]"), r#"action "reopen" has no transitions"#),
            (no_states, "the workflow declares no states"),
        ];
        for (text, sentence) in cases {
            let found = problems(&text);
            assert!(
                found.iter().any(|p| p == sentence),
                "{sentence:?} not in {found:?}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text =
            edit(r#"to = "done""#, r#"to = "gone""#).replacen(r#""reopen""#, r#""finish""#, 1);
        let found = problems(&text);
        assert_eq!(found.len(), 3, "{found:?}");
        let message = Workflow::from_toml(&text).unwrap_err().to_string();
        assert!(message.contains(&found.join("; ")), "{message}");
    }

    #[test]
    fn unknown_names_and_keys_are_parse_errors() {
        let boss = edit(r#"["supervisor"]"#, r#"["boss"]"#);
        let signature = edit(
            r#"roles = ["admin"]"#,
            "roles = [\"admin\"]\nrequires = [\"signature\"]",
        );
        for text in [
            &boss,
            &signature,
            &edit(", final = true", ", finall = true"),
        ] {
            let err = Workflow::from_toml(text).unwrap_err();
            assert!(matches!(err, WorkflowError::Parse(_)), "{err:?}");
        }
        assert!(
            Workflow::from_toml(&boss)
                .unwrap_err()
                .to_string()
                .contains("boss")
        );
    }

    /// One step of a random history: add evidence, or try an action: `pick` chooses among
    /// every action and a bogus name or, when `guided`, among those `available_actions`
    /// offers (so that histories get far); then the roles, the comment, and whether a due
    /// date, an assignee, an outcome and measures are given.
    #[derive(Clone, Debug)]
    enum Step {
        AddEvidence,
        Act {
            pick: usize,
            guided: bool,
            roles: Vec<ItemRole>,
            comment: Option<&'static str>,
            given: [bool; 4],
        },
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        let roles = proptest::sample::subsequence(ItemRole::ALL.to_vec(), 1..=ItemRole::ALL.len());
        let comment = prop_oneof![3 => Just(Some("x")), 1 => Just(Some("  ")), 1 => Just(None)];
        let given = proptest::array::uniform4(prop::bool::weighted(0.8));
        let act = (
            any::<usize>(),
            prop::bool::weighted(0.9),
            roles,
            comment,
            given,
        )
            .prop_map(|(pick, guided, roles, comment, given)| Step::Act {
                pick,
                guided,
                roles,
                comment,
                given,
            });
        proptest::collection::vec(prop_oneof![1 => Just(Step::AddEvidence), 5 => act], 0..=40)
    }

    /// Plays `steps` on a new item, checking the workflow's promises at each.
    fn play(w: &Workflow, long_term: bool, steps: &[Step]) -> Result<(), TestCaseError> {
        let mut state = w.initial().to_owned();
        let (mut evidence_count, mut has_measures) = (0, false);
        let every: Vec<&str> = w
            .actions()
            .iter()
            .map(|a| a.name.as_str())
            .chain(["bogus"])
            .collect();
        for step in steps {
            let Step::Act {
                pick,
                guided,
                roles,
                comment,
                given,
            } = step
            else {
                evidence_count += 1;
                continue;
            };
            let facts = ItemFacts {
                state: &state,
                long_term,
                evidence_count,
                has_measures,
            };
            let offered = w.available_actions(&facts, roles);
            let names = if *guided && !offered.is_empty() {
                &offered
            } else {
                &every
            };
            let action = names[pick % names.len()];
            let request = ActionRequest {
                action,
                comment: *comment,
                due_date_given: given[0],
                assignee_given: given[1],
                outcome_given: given[2],
                measures_given: given[3],
            };
            let result = w.decide(&facts, roles, &request);
            prop_assert_eq!(
                &w.decide(&facts, roles, &request),
                &result,
                "not deterministic"
            );
            let permitted = w
                .action(action)
                .is_some_and(|a| a.roles.iter().any(|r| roles.contains(r)));
            prop_assert!(
                permitted || result.is_err(),
                "{action} allowed to {roles:?}"
            );
            let Ok(decision) = result else {
                continue; // a refusal changes nothing
            };
            prop_assert_eq!(&decision.from, &state);
            prop_assert!(
                w.state(&decision.to).is_some(),
                "undeclared {}",
                decision.to
            );
            if decision.to == "closed" && state != "closed" {
                let owner = roles.contains(&Lead) || roles.contains(&Responsible);
                prop_assert_eq!(action, "verify");
                prop_assert!(roles.contains(&Supervisor) && !owner && evidence_count >= 1);
            }
            if (state == "closed" || state == "cancelled") && decision.changes_state() {
                prop_assert_eq!(action, "reopen", "{} left by {}", state, action);
            }
            has_measures |= request.measures_given;
            state = decision.to;
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn the_default_workflow_keeps_its_promises(
            long_term in any::<bool>(),
            steps in steps(),
        ) {
            play(&Workflow::builtin(), long_term, &steps)?;
        }

        #[test]
        fn the_leader_confirmation_workflow_keeps_them_too(
            long_term in any::<bool>(),
            steps in steps(),
        ) {
            play(&leader_confirmation(), long_term, &steps)?;
        }
    }
}
