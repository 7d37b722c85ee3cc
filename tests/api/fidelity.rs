//! What answers say: the standard introspection query works at default settings, an import
//! says whether it was a dry run, reassignment leaves out what it does not name, hand-made
//! items are numbered, a file is cited once per item.

use serde_json::json;

use crate::{
    helpers::*,
    store_test,
    workflow::{ASSIGN, cast, new_item, upload, version},
};

/// graphql-js's `getIntrospectionQuery()` (descriptions on), as GraphiQL, Apollo and the
/// `gql` client send it.
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
    kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

#[tokio::test]
async fn the_standard_introspection_query_is_answered_at_default_settings() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.graphql(INTROSPECTION, json!({})).await;
    assert!(response.get("errors").is_none(), "{:#}", response["errors"]);
    let types = response["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Item"));
    // Ordinary queries keep the default depth.
    let mut deep = String::from("name");
    for _ in 0..12 {
        deep = format!("parent {{ {deep} }}");
    }
    let refused = app
        .graphql(
            &format!("{{ agencies {{ nodes {{ {deep} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP");
}

store_test!(
    an_import_of_the_same_text_says_it_was_no_dry_run,
    |backend| async move {
        let app = spawn_app(backend).await;
        let import = "mutation($t: String!, $d: Boolean!) { importReport(input: { text: $t, dryRun: $d }) { status dryRun } }";
        let first = app
            .ok(import, json!({ "t": crate::access::REPORT, "d": false }))
            .await;
        assert_eq!(first["importReport"]["dryRun"], false);
        let again = app
            .ok(import, json!({ "t": crate::access::REPORT, "d": false }))
            .await;
        assert_eq!(again["importReport"]["status"], "ALREADY_IMPORTED");
        assert_eq!(again["importReport"]["dryRun"], false, "as asked");
    }
);

store_test!(
    reassigning_keeps_the_responsible_person_unless_told_to_clear_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "改派").await;
        let due = "2030-06-30";
        let v = version(&app, &id).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": v, "input": {
            "leadPersonId": c.leader, "responsiblePersonId": c.responsible, "dueOn": due,
            "category": "TIME_BOUND" } }),
        )
        .await;
        let responsible = |id: String| {
            let app = &app;
            async move {
                app.ok(
                    "query($id: ID!) { item(id: $id) { responsiblePerson { id } } }",
                    json!({ "id": id }),
                )
                .await["item"]["responsiblePerson"]["id"]
                    .clone()
            }
        };
        // Omitted: unchanged.
        let v = version(&app, &id).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": v, "input": {
            "leadPersonId": c.other_leader, "dueOn": due, "category": "TIME_BOUND" } }),
        )
        .await;
        assert_eq!(responsible(id.clone()).await, json!(c.responsible));
        // Null: cleared.
        let v = version(&app, &id).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": v, "input": {
            "leadPersonId": c.other_leader, "responsiblePersonId": null, "dueOn": due,
            "category": "TIME_BOUND" } }),
        )
        .await;
        assert_eq!(responsible(id.clone()).await, json!(null));
    }
);

store_test!(
    hand_made_items_are_numbered_and_a_file_is_cited_once,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let first = new_item(&app, &c.dept, "督察反馈一").await;
        let second = new_item(&app, &c.dept, "督察反馈二").await;
        let code = |id: String| {
            let app = &app;
            async move {
                app.ok(
                    "query($id: ID!) { item(id: $id) { code } }",
                    json!({ "id": id }),
                )
                .await["item"]["code"]
                    .as_str()
                    .expect("a 台账编号")
                    .to_owned()
            }
        };
        let (a, b) = (code(first.clone()).await, code(second).await);
        assert_ne!(a, b);
        let pdf = b"%PDF-1.4\n% the same file\n%%EOF\n".to_vec();
        let once = upload(&app, &c.coordinator, &first, "a.pdf", pdf.clone()).await;
        assert!(once.get("errors").is_none(), "{once:#}");
        let twice = upload(&app, &c.coordinator, &first, "b.pdf", pdf).await;
        assert_eq!(
            twice["errors"][0]["extensions"]["code"], "CONFLICT",
            "{twice:#}"
        );
    }
);
