//! Agencies through GraphQL: create, read, list with cursors and filters, and the errors.

use serde_json::json;

use crate::{helpers::spawn_app, store_test};

store_test!(an_agency_is_created_and_read_back, |backend| async move {
    let app = spawn_app(backend).await;
    let city = app.create_agency("厦门市人民政府", None).await;
    let data = app
        .ok(
            "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { id name kind timeZone parent { id name } } }",
            json!({ "input": { "name": " 厦门市机关事务管理局 ", "parentId": city, "kind": "DEPARTMENT" } }),
        )
        .await;
    let agency = &data["createAgency"];
    assert_eq!(
        agency["name"], "厦门市机关事务管理局",
        "the name is trimmed"
    );
    assert_eq!(agency["kind"], "DEPARTMENT");
    assert_eq!(agency["timeZone"], "Asia/Shanghai");
    assert_eq!(agency["parent"]["id"], city.as_str());
    let id = agency["id"].as_str().unwrap();
    let read = app
        .ok(
            "query($id: ID!) { agency(id: $id) { name parent { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(read["agency"]["parent"]["name"], "厦门市人民政府");
    let total = app.ok("{ agencies { totalCount } }", json!({})).await;
    assert_eq!(total["agencies"]["totalCount"], 2);
});

store_test!(
    a_duplicate_name_is_a_conflict_and_changes_nothing,
    |backend| async move {
        let app = spawn_app(backend).await;
        app.create_agency("温州市机关事务管理局", None).await;
        let code = app
            .error_code(
                "mutation { createAgency(input: { name: \"温州市机关事务管理局\" }) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(code, "CONFLICT");
        let total = app.ok("{ agencies { totalCount } }", json!({})).await;
        assert_eq!(total["agencies"]["totalCount"], 1);
    }
);

store_test!(
    bad_agency_input_is_refused_with_a_reason,
    |backend| async move {
        let app = spawn_app(backend).await;
        let create = "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { id } }";
        let response = app
            .graphql(create, json!({ "input": { "name": "   " } }))
            .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
        assert_eq!(response["errors"][0]["extensions"]["field"], "name");
        let code = app
            .error_code(
                create,
                json!({ "input": { "name": "某局", "timeZone": "Mars/Base" } }),
            )
            .await;
        assert_eq!(code, "VALIDATION");
        let code = app
        .error_code(
            create,
            json!({ "input": { "name": "某局", "parentId": "0190f5c2-0000-7000-8000-000000000000" } }),
        )
        .await;
        assert_eq!(code, "NOT_FOUND");
        let code = app
            .error_code(
                create,
                json!({ "input": { "name": "某局", "parentId": "not-an-id" } }),
            )
            .await;
        assert_eq!(code, "VALIDATION");
        let total = app.ok("{ agencies { totalCount } }", json!({})).await;
        assert_eq!(total["agencies"]["totalCount"], 0, "nothing was written");
    }
);

store_test!(
    agencies_are_paged_with_cursors_and_filtered,
    |backend| async move {
        let app = spawn_app(backend).await;
        let root = app.create_agency("某市人民政府", None).await;
        for i in 0..5 {
            app.create_agency(&format!("某市第{i}局"), Some(&root))
                .await;
        }
        let page = "query($after: String, $parent: ID) { agencies(first: 2, after: $after, parentId: $parent) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }";
        let mut names = Vec::new();
        let mut after = serde_json::Value::Null;
        loop {
            let data = app
                .ok(page, json!({ "after": after, "parent": root }))
                .await;
            let list = &data["agencies"];
            assert_eq!(list["totalCount"], 5);
            names.extend(
                list["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["name"].as_str().unwrap().to_owned()),
            );
            if !list["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = list["pageInfo"]["endCursor"].clone();
        }
        let expected: Vec<String> = (0..5).map(|i| format!("某市第{i}局")).collect();
        assert_eq!(names, expected, "every child once, in creation order");
        let data = app
            .ok(
                "{ agencies(nameContains: \"第3\") { totalCount nodes { name } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["agencies"]["totalCount"], 1);
        assert_eq!(data["agencies"]["nodes"][0]["name"], "某市第3局");
        let code = app
            .error_code("{ agencies(after: \"garbage\") { totalCount } }", json!({}))
            .await;
        assert_eq!(code, "VALIDATION");
    }
);

store_test!(an_unknown_agency_is_not_found, |backend| async move {
    let app = spawn_app(backend).await;
    let code = app
        .error_code(
            "{ agency(id: \"0190f5c2-0000-7000-8000-000000000000\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
});

store_test!(concurrent_writers_all_succeed, |backend| async move {
    // SQLite has one writer at a time: writes queue on the busy timeout (IMMEDIATE
    // transactions) instead of failing with "database is locked".
    let app = spawn_app(backend).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = app.client.clone();
        let url = app.url("/graphql");
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "query": "mutation($n: String!) { createAgency(input: { name: $n }) { id } }",
                "variables": { "n": format!("并发测试局{i}") },
            });
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        let response = task.await.unwrap();
        assert!(response.get("errors").is_none(), "{response}");
    }
    let total = app.ok("{ agencies { totalCount } }", json!({})).await;
    assert_eq!(total["agencies"]["totalCount"], 40);
});

store_test!(
    a_supervisor_over_many_units_lists_the_items_of_each_and_of_none_beyond,
    |backend| async move {
        // Past a handful of agencies, PostgreSQL is handed the reach as one array.
        let app = spawn_app(backend).await;
        let city = app.create_agency("某市人民政府", None).await;
        let other = app.create_agency("另一市人民政府", None).await;
        let mut expected = Vec::new();
        for n in 0..24 {
            let unit = app
                .create_agency(&format!("某市第{n}局"), Some(&city))
                .await;
            if n % 3 == 0 {
                expected.push(crate::workflow::new_item(&app, &unit, &format!("问题{n}")).await);
            }
        }
        let stranger = crate::workflow::new_item(&app, &other, "另一市的问题").await;
        let supervisor = app
            .token_for(rectify::domain::AccountRole::Supervisor, Some(&city), None)
            .await;
        // Page by page (the cursor is a second parameter beside the array).
        let mut seen: Vec<String> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = app
                .ok_as(
                    &supervisor,
                    "query($after: String) { items(first: 3, after: $after) {
                       totalCount nodes { id } pageInfo { hasNextPage endCursor } } }",
                    json!({ "after": after }),
                )
                .await;
            let page = &data["items"];
            assert_eq!(page["totalCount"], expected.len());
            seen.extend(
                page["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["id"].as_str().unwrap().to_owned()),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        seen.sort();
        expected.sort();
        assert_eq!(seen, expected);
        assert!(!seen.contains(&stranger));
    }
);
