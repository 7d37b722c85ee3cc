//! `rectify demo`'s worked example: accounts for every role that sign in with the printed
//! passwords, items in every state, and reminders due at once.

use std::time::Duration;

use serde_json::json;

use crate::{helpers::*, smtp_sink::SmtpSink};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_every_role_and_every_state_and_reminders_at_once() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(Backend::Sqlite, move |s| {
        s.smtp.host = smtp.addr.ip().to_string();
        s.smtp.port = smtp.addr.port();
        s.smtp.timeout = Duration::from_secs(2);
    })
    .await;
    let cast = rectify::demo::populate(&app.services, app.services.today())
        .await
        .expect("the demo populates");

    // Every role, each signing in with the password printed for it.
    let roles: Vec<&str> = cast.accounts.iter().map(|a| a.role.as_str()).collect();
    for role in ["supervisor", "coordinator", "leader", "person"] {
        assert!(roles.contains(&role), "{roles:?}");
    }
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    let mut tokens = std::collections::HashMap::new();
    for a in &cast.accounts {
        let signed = app
            .graphql_as(None, login, json!({ "e": a.email, "p": a.password }))
            .await;
        let token = signed["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{} signs in: {signed:#}", a.email))
            .to_owned();
        tokens.insert(a.email.clone(), token);
    }

    // Items in every state.
    let listed = app
        .ok(
            "query($a: ID!) { items(filter: { agencyId: $a }, first: 50) { nodes { id title state overdue evidence { kind } history { action } } } }",
            json!({ "a": cast.department.to_string() }),
        )
        .await;
    let nodes = listed["items"]["nodes"].as_array().unwrap();
    let state_of = |shows: &str| {
        let id = cast
            .items
            .iter()
            .find(|(s, _)| *s == shows)
            .unwrap()
            .1
            .to_string();
        nodes.iter().find(|n| n["id"] == id).unwrap().clone()
    };
    assert_eq!(state_of("identified")["state"], "identified");
    assert_eq!(state_of("assigned")["state"], "assigned");
    assert_eq!(state_of("accepted")["state"], "in_progress");
    assert_eq!(state_of("overdue")["overdue"], true);
    let submitted = state_of("submitted");
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["evidence"].as_array().unwrap().len(), 1);
    let returned = state_of("returned");
    assert_eq!(returned["state"], "in_progress");
    assert!(
        returned["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "reject")
    );
    assert_eq!(state_of("closed")["state"], "closed");

    // Each role's view has something in it: the leader's and the person's own items.
    let person_token = &tokens["person@demo.local"];
    let mine = app
        .ok_as(person_token, "{ items { totalCount } }", json!({}))
        .await;
    assert_eq!(mine["items"]["totalCount"], 7, "all but the unassigned one");

    // `remind --once`: due today, in 7 days, and overdue go out straight away.
    let (swept, sent) = app.reminders.run_once().await.unwrap();
    assert!(sent.sent >= 4, "{swept:?} {sent:?}");
    let subjects: Vec<String> = smtp
        .messages()
        .iter()
        .filter_map(|m| m.header("Subject"))
        .collect();
    for expected in ["今天到期", "距整改时限还有7天", "已逾期3天"] {
        assert!(
            subjects.iter().any(|s| s.contains(expected)),
            "{expected} in {subjects:#?}"
        );
    }
}
