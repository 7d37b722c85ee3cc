//! The item workflow as data: states, actions, which roles may take each, the transitions
//! they make and what they require — read from TOML (`workflows/default.toml` is built in),
//! validated when loaded, and one pure function, [`Workflow::decide`], that judges every
//! action. The database only records what was decided.

use std::collections::{BTreeSet, HashSet, VecDeque};

use serde::Deserialize;

/// A role an actor plays toward one item (an actor may hold several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemRole {
    Admin,
    Supervisor,
    Coordinator,
    Lead,
    Responsible,
}

impl ItemRole {
    /// Every role.
    pub const ALL: &'static [ItemRole] = &[
        ItemRole::Admin,
        ItemRole::Supervisor,
        ItemRole::Coordinator,
        ItemRole::Lead,
        ItemRole::Responsible,
    ];

    /// The name used in workflow files.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemRole::Admin => "admin",
            ItemRole::Supervisor => "supervisor",
            ItemRole::Coordinator => "coordinator",
            ItemRole::Lead => "lead",
            ItemRole::Responsible => "responsible",
        }
    }
}

/// What an action needs before it may be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    Comment,
    Evidence,
    DueDate,
    Assignee,
    Outcome,
    Measures,
}

impl Requirement {
    /// The name used in workflow files.
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

    /// The GraphQL input field it concerns.
    pub fn field(self) -> &'static str {
        match self {
            Requirement::Comment => "comment",
            Requirement::Evidence => "evidence",
            Requirement::DueDate => "dueOn",
            Requirement::Assignee => "lead",
            Requirement::Outcome => "outcome",
            Requirement::Measures => "measures",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Requirement::Comment => "a comment",
            Requirement::Evidence => "at least one piece of evidence (佐证材料)",
            Requirement::DueDate => "a due date",
            Requirement::Assignee => "a lead leader",
            Requirement::Outcome => "an outcome (已整改 / 持续整改 / 未整改)",
            Requirement::Measures => "the measures (整改措施)",
        }
    }
}

/// A state of the workflow.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub name: String,
    pub label: String,
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

/// One move an action makes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// A state name, or `*`: any state that is not final.
    pub from: String,
    pub to: String,
    /// `None`: always; `Some(b)`: only when the item's being long-term (长期坚持) is `b`.
    #[serde(default)]
    pub when_long_term: Option<bool>,
}

/// An action of the workflow.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub name: String,
    pub label: String,
    pub roles: Vec<ItemRole>,
    pub transitions: Vec<Transition>,
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Separation of duties: refused to the item's lead and responsible person.
    #[serde(default)]
    pub forbid_owner: bool,
}

/// A validated workflow.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    name: String,
    initial: String,
    states: Vec<State>,
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

/// What the caller asks for (only presence matters here; the service checks values).
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
    /// Whether the state changes.
    pub fn changes_state(&self) -> bool {
        self.from != self.to
    }
}

/// Why an action was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("there is no action {action:?} in this workflow")]
    UnknownAction { action: String },
    #[error("the item is in state {state:?}, which this workflow does not know")]
    UnknownState { state: String },
    #[error("{action} cannot be taken while the item is {state}; it can be taken from: {}", allowed_from.join(", "))]
    NotFromState {
        action: String,
        state: String,
        allowed_from: Vec<String>,
    },
    #[error("{action} is taken by: {}; you are none of these for this item", allowed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))]
    RoleNotAllowed {
        action: String,
        allowed: Vec<ItemRole>,
    },
    #[error(
        "{action} may not be taken by the item's own lead or responsible person (separation of duties)"
    )]
    OwnerMayNot { action: String },
    #[error("{action} needs {}", requirement.describe())]
    Missing {
        action: String,
        requirement: Requirement,
    },
}

impl Refusal {
    /// The stable machine code.
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
    #[error("not a workflow file: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
}

impl Workflow {
    /// Parses and validates a workflow file.
    pub fn from_toml(text: &str) -> Result<Workflow, WorkflowError> {
        let workflow: Workflow = toml::from_str(text)?;
        let problems = workflow.problems();
        if problems.is_empty() {
            Ok(workflow)
        } else {
            Err(WorkflowError::Invalid(problems))
        }
    }

    /// The built-in default workflow (`workflows/default.toml`).
    pub fn builtin() -> Workflow {
        Workflow::from_toml(include_str!("../../workflows/default.toml"))
            .expect("the built-in workflow is valid (a unit test checks it)")
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn initial(&self) -> &str {
        &self.initial
    }

    pub fn states(&self) -> &[State] {
        &self.states
    }

    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// Whether `state` is final (an unknown state is not).
    pub fn is_final(&self, state: &str) -> bool {
        self.state(state).is_some_and(|s| s.is_final)
    }

    fn matches(&self, t: &Transition, state: &str) -> bool {
        t.from == state || (t.from == "*" && !self.is_final(state))
    }

    /// The states `action` can be taken from ("*" resolved).
    pub fn sources(&self, action: &Action) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.states {
            if action.transitions.iter().any(|t| self.matches(t, &s.name)) {
                out.push(s.name.clone());
            }
        }
        out
    }

    /// The actions `roles` may take now, by state, role and separation of duties (the
    /// requirements are checked when an action is taken).
    pub fn available_actions(&self, facts: &ItemFacts<'_>, roles: &[ItemRole]) -> Vec<&str> {
        self.actions
            .iter()
            .filter(|a| {
                let request = ActionRequest {
                    action: &a.name,
                    ..Default::default()
                };
                match self.decide(facts, roles, &request) {
                    Ok(_) => true,
                    Err(Refusal::Missing { .. }) => true,
                    Err(_) => false,
                }
            })
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Decides one action: role, separation of duties, state, then requirements.
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
        if self.state(facts.state).is_none() {
            return Err(Refusal::UnknownState {
                state: facts.state.to_owned(),
            });
        }
        if !action.roles.iter().any(|r| roles.contains(r)) {
            return Err(Refusal::RoleNotAllowed {
                action: action.name.clone(),
                allowed: action.roles.clone(),
            });
        }
        if action.forbid_owner
            && roles
                .iter()
                .any(|r| matches!(r, ItemRole::Lead | ItemRole::Responsible))
        {
            return Err(Refusal::OwnerMayNot {
                action: action.name.clone(),
            });
        }
        let transition = action
            .transitions
            .iter()
            .find(|t| {
                self.matches(t, facts.state)
                    && t.when_long_term.is_none_or(|lt| lt == facts.long_term)
            })
            .ok_or_else(|| Refusal::NotFromState {
                action: action.name.clone(),
                state: facts.state.to_owned(),
                allowed_from: self.sources(action),
            })?;
        for requirement in &action.requires {
            let met = match requirement {
                Requirement::Comment => request.comment.is_some_and(|c| !c.trim().is_empty()),
                Requirement::Evidence => facts.evidence_count >= 1,
                Requirement::DueDate => request.due_date_given,
                Requirement::Assignee => request.assignee_given,
                Requirement::Outcome => request.outcome_given,
                Requirement::Measures => request.measures_given || facts.has_measures,
            };
            if !met {
                return Err(Refusal::Missing {
                    action: action.name.clone(),
                    requirement: *requirement,
                });
            }
        }
        Ok(Decision {
            action: action.name.clone(),
            from: facts.state.to_owned(),
            to: transition.to.clone(),
        })
    }

    /// Every problem of the workflow, each as a sentence naming the culprit.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut names = HashSet::new();
        if self.states.is_empty() {
            problems.push("the workflow declares no states".to_owned());
        }
        for s in &self.states {
            if !names.insert(s.name.as_str()) {
                problems.push(format!("state {:?} is declared twice", s.name));
            }
        }
        let mut action_names = HashSet::new();
        for a in &self.actions {
            if !action_names.insert(a.name.as_str()) {
                problems.push(format!("action {:?} is declared twice", a.name));
            }
            if a.roles.is_empty() {
                problems.push(format!("action {:?} names no roles", a.name));
            }
            if a.transitions.is_empty() {
                problems.push(format!("action {:?} has no transitions", a.name));
            }
            for t in &a.transitions {
                if t.from != "*" && !names.contains(t.from.as_str()) {
                    problems.push(format!(
                        "action {:?} starts from unknown state {:?}",
                        a.name, t.from
                    ));
                }
                if !names.contains(t.to.as_str()) {
                    problems.push(format!(
                        "action {:?} leads to unknown state {:?}",
                        a.name, t.to
                    ));
                }
            }
        }
        match self.state(&self.initial) {
            None => problems.push(format!(
                "the initial state {:?} is not declared",
                self.initial
            )),
            Some(s) if s.is_final => problems.push(format!(
                "the initial state {:?} is final: items could never move",
                self.initial
            )),
            Some(_) => {}
        }
        if !self.states.iter().any(|s| s.is_final) {
            problems.push("no state is final: items could never be closed".to_owned());
        }
        if !problems.is_empty() {
            return problems;
        }
        let reachable = self.reachable();
        for s in &self.states {
            if !reachable.contains(s.name.as_str()) {
                problems.push(format!(
                    "state {:?} cannot be reached from {:?}",
                    s.name, self.initial
                ));
            }
            let leaves = self
                .actions
                .iter()
                .flat_map(|a| &a.transitions)
                .any(|t| self.matches(t, &s.name) && t.to != s.name);
            if !leaves && !s.is_final {
                problems.push(format!(
                    "state {:?} is a dead end: no action leads out of it",
                    s.name
                ));
            }
            if !leaves && s.is_final {
                problems.push(format!(
                    "final state {:?} can never be left: give an action (reopen) from it",
                    s.name
                ));
            }
        }
        problems
    }

    fn reachable(&self) -> BTreeSet<&str> {
        let mut seen = BTreeSet::from([self.initial.as_str()]);
        let mut queue = VecDeque::from([self.initial.as_str()]);
        while let Some(state) = queue.pop_front() {
            for t in self.actions.iter().flat_map(|a| &a.transitions) {
                if self.matches(t, state) && seen.insert(t.to.as_str()) {
                    queue.push_back(t.to.as_str());
                }
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALTERNATIVE: &str = include_str!("../../workflows/leader-confirmation.toml");

    fn facts(state: &str) -> ItemFacts<'_> {
        ItemFacts {
            state,
            long_term: false,
            evidence_count: 1,
            has_measures: true,
        }
    }

    fn ask(action: &str) -> ActionRequest<'_> {
        ActionRequest {
            action,
            comment: Some("ok"),
            due_date_given: true,
            assignee_given: true,
            outcome_given: true,
            measures_given: true,
        }
    }

    #[test]
    fn both_shipped_workflows_are_valid() {
        let w = Workflow::builtin();
        assert_eq!(w.initial(), "identified");
        assert!(w.is_final("closed") && w.is_final("cancelled"));
        Workflow::from_toml(ALTERNATIVE).expect("the leader-confirmation workflow is valid");
    }

    #[test]
    fn the_alternative_needs_the_leads_confirmation_before_verify() {
        let w = Workflow::from_toml(ALTERNATIVE).unwrap();
        let sup = [ItemRole::Supervisor];
        let err = w
            .decide(&facts("submitted"), &sup, &ask("verify"))
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_TRANSITION");
        let confirmed = w
            .decide(&facts("submitted"), &[ItemRole::Lead], &ask("confirm"))
            .unwrap();
        assert_eq!(confirmed.to, "confirmed");
        let closed = w.decide(&facts("confirmed"), &sup, &ask("verify")).unwrap();
        assert_eq!(closed.to, "closed");
    }

    #[test]
    fn every_refusal_has_its_code_and_a_readable_message() {
        let w = Workflow::builtin();
        let sup = [ItemRole::Supervisor];
        let cases = [
            (
                w.decide(&facts("submitted"), &sup, &ask("fly")),
                "UNKNOWN_ACTION",
            ),
            (
                w.decide(&facts("limbo"), &sup, &ask("verify")),
                "INVALID_TRANSITION",
            ),
            (
                w.decide(&facts("closed"), &sup, &ask("verify")),
                "INVALID_TRANSITION",
            ),
            (
                w.decide(
                    &facts("submitted"),
                    &[ItemRole::Coordinator],
                    &ask("verify"),
                ),
                "FORBIDDEN",
            ),
            (
                w.decide(
                    &facts("submitted"),
                    &[ItemRole::Supervisor, ItemRole::Lead],
                    &ask("verify"),
                ),
                "FORBIDDEN",
            ),
            (
                w.decide(
                    &ItemFacts {
                        evidence_count: 0,
                        ..facts("in_progress")
                    },
                    &[ItemRole::Responsible],
                    &ask("submit"),
                ),
                "EVIDENCE_REQUIRED",
            ),
            (
                w.decide(
                    &facts("submitted"),
                    &sup,
                    &ActionRequest {
                        comment: Some("   "),
                        ..ask("reject")
                    },
                ),
                "VALIDATION",
            ),
        ];
        for (result, code) in cases {
            let err = result.unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(!err.to_string().is_empty());
        }
        let err = w
            .decide(&facts("closed"), &[ItemRole::Responsible], &ask("submit"))
            .unwrap_err();
        assert!(err.to_string().contains("in_progress, ongoing"), "{err}");
    }

    #[test]
    fn long_term_items_are_accepted_into_ongoing_and_measures_may_already_exist() {
        let w = Workflow::builtin();
        let long = ItemFacts {
            long_term: true,
            ..facts("assigned")
        };
        let request = ActionRequest {
            measures_given: false,
            ..ask("accept")
        };
        assert_eq!(
            w.decide(&long, &[ItemRole::Lead], &request).unwrap().to,
            "ongoing"
        );
        assert_eq!(
            w.decide(&facts("assigned"), &[ItemRole::Lead], &request)
                .unwrap()
                .to,
            "in_progress"
        );
        let without = ItemFacts {
            has_measures: false,
            ..facts("assigned")
        };
        assert_eq!(
            w.decide(&without, &[ItemRole::Lead], &request)
                .unwrap_err()
                .code(),
            "VALIDATION"
        );
    }

    fn invalid(text: &str) -> String {
        match Workflow::from_toml(text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted: {text}"),
        }
    }

    const MINIMAL: &str = r#"
name = "t"
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
roles = ["supervisor"]
transitions = [{ from = "done", to = "open" }]
"#;

    #[test]
    fn validation_names_each_culprit() {
        Workflow::from_toml(MINIMAL).expect("the minimal workflow is valid");
        assert!(invalid(&MINIMAL.replace("to = \"done\"", "to = \"gone\"")).contains("\"gone\""));
        let unreachable = MINIMAL.replace(
            "states = [",
            "states = [{ name = \"island\", label = \"岛\" }, ",
        );
        let msg = invalid(&unreachable);
        assert!(msg.contains("\"island\" cannot be reached"), "{msg}");
        assert!(msg.contains("\"island\" is a dead end"), "{msg}");
        assert!(
            invalid(&MINIMAL.replace("name = \"reopen\"", "name = \"finish\""))
                .contains("declared twice")
        );
        assert!(
            invalid(&MINIMAL.replace("initial = \"open\"", "initial = \"done\""))
                .contains("is final")
        );
        let no_reopen = &MINIMAL[..MINIMAL.rfind("[[actions]]").unwrap()];
        assert!(invalid(no_reopen).contains("can never be left"));
        assert!(
            invalid(&MINIMAL.replace(
                "\"supervisor\"]\ntransitions = [{ from = \"open\"",
                "\"boss\"]\ntransitions = [{ from = \"open\""
            ))
            .contains("not a workflow file")
        );
    }

    #[derive(Clone, Debug)]
    enum Step {
        AddEvidence,
        Act {
            action: usize,
            roles: Vec<ItemRole>,
            comment: Option<&'static str>,
            flags: [bool; 4],
        },
    }

    fn step(actions: usize) -> impl Strategy<Value = Step> {
        prop_oneof![
            1 => Just(Step::AddEvidence),
            6 => (
                0..=actions,
                proptest::sample::subsequence(ItemRole::ALL.to_vec(), 1..=ItemRole::ALL.len()),
                prop_oneof![Just(Some("x")), Just(Some("  ")), Just(None)],
                proptest::array::uniform4(any::<bool>()),
            )
                .prop_map(|(action, roles, comment, flags)| Step::Act { action, roles, comment, flags }),
        ]
    }

    fn run(w: &Workflow, long_term: bool, steps: &[Step]) -> Result<(), TestCaseError> {
        let mut state = w.initial().to_owned();
        let mut evidence = 0u32;
        for s in steps {
            let Step::Act {
                action,
                roles,
                comment,
                flags,
            } = s
            else {
                evidence += 1;
                continue;
            };
            let name = w
                .actions()
                .get(*action)
                .map_or("bogus", |a| a.name.as_str());
            let facts = ItemFacts {
                state: &state,
                long_term,
                evidence_count: evidence,
                has_measures: flags[3],
            };
            let request = ActionRequest {
                action: name,
                comment: *comment,
                due_date_given: flags[0],
                assignee_given: flags[1],
                outcome_given: flags[2],
                measures_given: flags[3],
            };
            let before = state.clone();
            let decided = w.decide(&facts, roles, &request);
            if let Some(a) = w.action(name)
                && !roles.iter().any(|r| a.roles.contains(r))
            {
                prop_assert!(decided.is_err());
            }
            match decided {
                Ok(d) => {
                    prop_assert!(w.state(&d.to).is_some(), "undeclared state {}", d.to);
                    let allowed = &w.action(name).unwrap().roles;
                    prop_assert!(roles.iter().any(|r| allowed.contains(r)));
                    if d.to == "closed" && before != "closed" {
                        prop_assert_eq!(name, "verify");
                        prop_assert!(roles.contains(&ItemRole::Supervisor));
                        prop_assert!(
                            !roles.contains(&ItemRole::Lead)
                                && !roles.contains(&ItemRole::Responsible)
                        );
                        prop_assert!(evidence >= 1);
                    }
                    if w.is_final(&before) && d.to != before {
                        prop_assert_eq!(name, "reopen", "a final state left by {}", name);
                    }
                    state = d.to;
                }
                Err(_) => prop_assert_eq!(&state, &before),
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn the_default_workflow_keeps_its_promises(long_term in any::<bool>(), steps in proptest::collection::vec(step(11), 0..40)) {
            run(&Workflow::builtin(), long_term, &steps)?;
        }

        #[test]
        fn the_alternative_workflow_keeps_them_too(long_term in any::<bool>(), steps in proptest::collection::vec(step(12), 0..40)) {
            run(&Workflow::from_toml(ALTERNATIVE).unwrap(), long_term, &steps)?;
        }
    }
}
