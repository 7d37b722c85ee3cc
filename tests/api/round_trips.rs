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
        // The page, then its agencies and its leads, each batched (a loader's batch may
        // split in two when the machine is loaded: at most one more).
        let page_statements = statements_for(&app, &token, page, json!({ "a": c.dept })).await;
        assert!(
            (3..=4).contains(&page_statements),
            "{page_statements} statements"
        );
    }
);
