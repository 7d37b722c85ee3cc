//! Round trips per operation, counted at the store: a regression in the statements an
//! operation runs fails here rather than in a benchmark.

use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{assign, cast, new_item},
};

/// The statements the server ran for one request made as `token`.
async fn statements_for(app: &TestApp, token: &str, query: &str, variables: Value) -> u64 {
    let before = app.store.statements_run();
    let response = app.graphql_as(Some(token), query, variables).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    app.store.statements_run() - before
}

store_test!(
    a_burst_from_one_caller_authenticates_once_and_lists_ask_only_for_what_is_selected,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        for i in 0..3 {
            let id = new_item(&app, &c.dept, &format!("问题{i}")).await;
            assign(&app, &c, &id, "2027-12-31").await;
        }
        // A fresh token: the first request looks its caller up, the next ones do not.
        let token = app
            .token_for(
                rectify::domain::AccountRole::Supervisor,
                Some(&c.city),
                None,
            )
            .await;
        let first = statements_for(&app, &token, "{ me { id } }", json!({})).await;
        assert!(first >= 1, "the first request looks the token up");
        assert_eq!(
            statements_for(&app, &token, "{ me { id email role } }", json!({})).await,
            0,
            "a cached caller costs no statement"
        );
        assert_eq!(
            statements_for(
                &app,
                &token,
                "query($a: ID!) { items(first: 1, filter: { agencyId: $a }) { totalCount } }",
                json!({ "a": c.dept }),
            )
            .await,
            1,
            "a count alone is one statement"
        );
        let page = "query($a: ID!) { items(first: 50, filter: { agencyId: $a }) {
            nodes { id title agency { name } leadPerson { name } } } }";
        // The page with its agencies and leads, in one statement (joined).
        let listed = app
            .graphql_as(Some(&token), page, json!({ "a": c.dept }))
            .await;
        let nodes = listed["data"]["items"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 3, "{listed:#}");
        assert!(
            nodes
                .iter()
                .all(|n| n["agency"]["name"].is_string() && n["leadPerson"]["name"].is_string()),
            "{listed:#}"
        );
        assert_eq!(
            statements_for(&app, &token, page, json!({ "a": c.dept })).await,
            1,
            "a page with its agencies and leads is one statement"
        );
        let through_edges = "query($a: ID!) { items(first: 50, filter: { agencyId: $a }) {
            totalCount edges { node { id overdue escalationLevel agency { name } leadPerson { name } } } } }";
        assert_eq!(
            statements_for(&app, &token, through_edges, json!({ "a": c.dept })).await,
            2,
            "a page through edges, with its status, and its count: two statements"
        );
        let id = nodes[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            statements_for(
                &app,
                &token,
                "query($id: ID!) { item(id: $id) { title shortcoming { text } agency { name } leadPerson { name } overdue } }",
                json!({ "id": id }),
            )
            .await,
            1,
            "one item with its shortcoming, agency and lead is one statement"
        );
        let overdue = "query($a: ID!) { items(first: 1, filter: { agencyId: $a, overdue: true }) { totalCount } }";
        // The time zones in use are read once, then remembered.
        statements_for(&app, &token, overdue, json!({ "a": c.dept })).await;
        assert_eq!(
            statements_for(&app, &token, overdue, json!({ "a": c.dept })).await,
            1,
            "an overdue count is one statement once the time zones are known"
        );
    }
);

store_test!(
    a_new_agency_s_time_zone_counts_at_once,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "东端问题").await;
        assign(&app, &c, &id, "2027-12-31").await;
        let token = app
            .token_for(rectify::domain::AccountRole::Admin, None, None)
            .await;
        let overdue = "{ items(filter: { overdue: true }) { totalCount } }";
        // The zones in use are now remembered …
        statements_for(&app, &token, overdue, json!({})).await;
        // … and a new agency in another zone clears them.
        app.ok(
            "mutation { createAgency(input: { name: \"东端局\", timeZone: \"Pacific/Kiritimati\" }) { id } }",
            json!({}),
        )
        .await;
        let zones = app.services.zones.get(std::time::Instant::now());
        assert!(zones.is_err(), "a new agency forgets the zones in use");
        // Read again with the new zone (on PostgreSQL, this instance's own notifications
        // arrive a moment later and clear them once more: ask until they stay).
        let mut known = None;
        for _ in 0..50 {
            statements_for(&app, &token, overdue, json!({})).await;
            if let Ok(zones) = app.services.zones.get(std::time::Instant::now()) {
                known = Some(zones);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let zones = known.expect("the zones in use are remembered again");
        assert!(
            zones.iter().any(|z| z.name() == "Pacific/Kiritimati"),
            "{zones:?}"
        );
    }
);

store_test!(
    a_dashboard_counts_only_what_is_selected,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "问题").await;
        assign(&app, &c, &id, "2027-12-31").await;
        let token = app
            .token_for(
                rectify::domain::AccountRole::Supervisor,
                Some(&c.city),
                None,
            )
            .await;
        let figures = "query($a: ID!) { dashboard(agencyId: $a) { figures { total overdue } } }";
        let everything = "query($a: ID!) { dashboard(agencyId: $a) { figures { total overdue }
            reworkCount extensionCount recurringShortcomings } }";
        // Warm: the kept tallies' window moves on the first dashboard of the day.
        statements_for(&app, &token, figures, json!({ "a": c.city })).await;
        let alone = statements_for(&app, &token, figures, json!({ "a": c.city })).await;
        let all = statements_for(&app, &token, everything, json!({ "a": c.city })).await;
        assert_eq!(
            all,
            alone + 3,
            "rework, extensions and recurrences are each one statement, only when selected"
        );
    }
);
