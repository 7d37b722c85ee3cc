//! Items in an order other than creation over GraphQL (`orderBy`), paged by position,
//! within the caller's reach — the order the web list offers.

use chrono::Duration;
use serde_json::json;

use crate::{
    helpers::*,
    store_test,
    workflow::{ASSIGN, cast, new_item, version},
};

const ORDERED: &str = "query($a: ID, $after: String) {
  items(filter: { agencyId: $a }, orderBy: DUE_ON, first: 2, after: $after) {
    totalCount nodes { title dueOn } pageInfo { hasNextPage endCursor } } }";

store_test!(
    items_come_in_due_date_order_page_by_page,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        // Created in one order, due in another; one never assigned has no due date (last).
        let today = today_here();
        let mut expected = Vec::new();
        for (title, days) in [("三十天后", 30), ("十天后", 10), ("二十天后", 20)] {
            let id = new_item(&app, &c.dept, title).await;
            let due = today + Duration::days(days);
            let (given, _) = assignable(&due.to_string());
            app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": version(&app, &id).await, "input": { "leadPersonId": c.leader,
                    "dueOn": given, "category": "TIME_BOUND" } }),
        )
        .await;
            expected.push((days, title));
        }
        new_item(&app, &c.dept, "尚未交办").await;
        // Another city's item is out of the coordinator's reach.
        new_item(&app, &c.other_city, "别处的事项").await;
        expected.sort();

        let first = app
            .ok_as(&c.coordinator, ORDERED, json!({ "a": null, "after": null }))
            .await;
        let titles = |page: &serde_json::Value| -> Vec<String> {
            page["items"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(titles(&first), [expected[0].1, expected[1].1]);
        assert_eq!(first["items"]["totalCount"], 4, "{first:#}");
        assert_eq!(first["items"]["pageInfo"]["hasNextPage"], true);
        let cursor = first["items"]["pageInfo"]["endCursor"].clone();

        let second = app
            .ok_as(
                &c.coordinator,
                ORDERED,
                json!({ "a": null, "after": cursor }),
            )
            .await;
        assert_eq!(titles(&second), [expected[2].1, "尚未交办"]);
        assert_eq!(second["items"]["pageInfo"]["hasNextPage"], false);

        // A cursor from the id-ordered list is not a position: refused, in Chinese.
        let refused = app
            .graphql_as(
                Some(&c.coordinator),
                ORDERED,
                json!({ "a": null, "after": uuid::Uuid::now_v7().to_string() }),
            )
            .await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "VALIDATION");
        // Past the deepest position: refused before any row is read.
        let deep = app
            .graphql_as(
                Some(&c.coordinator),
                ORDERED,
                json!({ "a": null, "after": "pos:10001" }),
            )
            .await;
        assert_eq!(
            deep["errors"][0]["extensions"]["field"], "after",
            "{deep:#}"
        );
    }
);
