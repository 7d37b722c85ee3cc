//! Persons through GraphQL: create, update (keep, change, clear), validation.

use serde_json::json;

use crate::{helpers::spawn_app, store_test};

const CREATE: &str = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id name title email agency { name } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { name title email phone agency { name } } }";

store_test!(
    a_person_is_created_updated_and_listed,
    |backend| async move {
        let app = spawn_app(backend).await;
        let agency = app.create_agency("厦门市国防动员办公室", None).await;
        let data = app
        .ok(
            CREATE,
            json!({ "input": { "agencyId": agency, "name": "张三", "title": "分管副主任", "email": "Zhang.San@XM.gov.cn" } }),
        )
        .await;
        let person = &data["createPerson"];
        assert_eq!(
            person["email"], "Zhang.San@xm.gov.cn",
            "the domain is lower-cased"
        );
        assert_eq!(person["agency"]["name"], "厦门市国防动员办公室");
        let id = person["id"].as_str().unwrap().to_owned();

        let data = app
            .ok(
                UPDATE,
                json!({ "id": id, "input": { "title": "主任", "phone": "0592-1234567" } }),
            )
            .await;
        assert_eq!(data["updatePerson"]["title"], "主任");
        assert_eq!(
            data["updatePerson"]["email"], "Zhang.San@xm.gov.cn",
            "omitted fields are kept"
        );
        let data = app
            .ok(UPDATE, json!({ "id": id, "input": { "email": null } }))
            .await;
        assert!(
            data["updatePerson"]["email"].is_null(),
            "null clears a field"
        );
        assert_eq!(data["updatePerson"]["phone"], "0592-1234567");

        let data = app
            .ok(
                "query($a: ID) { persons(agencyId: $a) { totalCount nodes { name } } }",
                json!({ "a": agency }),
            )
            .await;
        assert_eq!(data["persons"]["totalCount"], 1);
    }
);

store_test!(
    bad_person_input_is_refused_and_nothing_changes,
    |backend| async move {
        let app = spawn_app(backend).await;
        let agency = app.create_agency("某局", None).await;
        let response = app
        .graphql(CREATE, json!({ "input": { "agencyId": agency, "name": "李四", "email": "not-an-address" } }))
        .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
        assert_eq!(response["errors"][0]["extensions"]["field"], "email");
        let code = app
        .error_code(
            CREATE,
            json!({ "input": { "agencyId": "0190f5c2-0000-7000-8000-000000000000", "name": "李四" } }),
        )
        .await;
        assert_eq!(code, "NOT_FOUND");
        let data = app
            .ok(
                CREATE,
                json!({ "input": { "agencyId": agency, "name": "李四" } }),
            )
            .await;
        let id = data["createPerson"]["id"].as_str().unwrap().to_owned();
        let code = app
            .error_code(UPDATE, json!({ "id": id, "input": { "name": "" } }))
            .await;
        assert_eq!(code, "VALIDATION");
        let code = app
        .error_code(UPDATE, json!({ "id": "0190f5c2-0000-7000-8000-000000000000", "input": { "name": "王五" } }))
        .await;
        assert_eq!(code, "NOT_FOUND");
        let data = app
            .ok(
                "query($id: ID!) { person(id: $id) { name } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            data["person"]["name"], "李四",
            "the failed updates changed nothing"
        );
        let total = app.ok("{ persons { totalCount } }", json!({})).await;
        assert_eq!(total["persons"]["totalCount"], 1);
    }
);
