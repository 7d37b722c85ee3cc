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

const HISTORY: &str = "query($id: ID!) { item(id: $id) { state stateLabel
  verifiedBy { name } verifiedByAccountId
  history { action comment summary fromStateLabel toStateLabel actor { name role person { name } }
            dueOn measures outcome category leadPerson { name } responsiblePerson { name }
            evidenceName splitFrom splitInto } } }";

/// Whether a text reads as Chinese: Chinese characters, and no English sentence.
fn reads_chinese(text: &str) -> bool {
    rectify::service::error::is_chinese(text)
}

store_test!(
    history_names_people_and_says_what_happened_in_chinese,
    |backend| async move {
        use crate::workflow::{NOTE, act, person};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let wang = person(&app, &c.city, "王处长").await;
        let verifier = app
            .token_for(
                rectify::domain::AccountRole::Supervisor,
                Some(&c.city),
                Some(&wang),
            )
            .await;
        let id = new_item(&app, &c.dept, "执法案卷质量参差不齐").await;
        let v = version(&app, &id).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": v, "input": { "leadPersonId": c.leader,
                "responsiblePersonId": c.responsible, "dueOn": "2027-06-30", "category": "TIME_BOUND" } }),
        )
        .await;
        assert_eq!(
            act(
                &app,
                &c.leader_token,
                &id,
                "accept",
                json!({ "measures": "制定案卷评查方案" })
            )
            .await,
            "OK"
        );
        app.ok_as(&c.responsible_token, NOTE, json!({ "id": id }))
            .await;
        assert_eq!(
            act(&app, &c.responsible_token, &id, "submit", json!({})).await,
            "OK"
        );
        assert_eq!(
            act(
                &app,
                &verifier,
                &id,
                "verify",
                json!({ "outcome": "RECTIFIED", "comment": "材料齐全" })
            )
            .await,
            "OK"
        );

        let item = app.ok(HISTORY, json!({ "id": id })).await["item"].clone();
        assert_eq!(item["verifiedBy"]["name"], "王处长", "{item:#}");
        assert!(item["verifiedByAccountId"].is_string());
        assert_eq!(item["stateLabel"], "已销号");
        let events = item["history"].as_array().unwrap();
        let event = |action: &str| {
            events
                .iter()
                .find(|e| e["action"] == action)
                .unwrap_or_else(|| panic!("a {action} event in {events:#?}"))
        };
        let assign = event("assign");
        assert_eq!(assign["actor"]["name"], "联络员账号");
        assert_eq!(assign["actor"]["role"], "coordinator");
        assert_eq!(assign["dueOn"], "2027-06-30");
        assert_eq!(assign["category"], "TIME_BOUND");
        assert_eq!(assign["leadPerson"]["name"], "张局长");
        assert_eq!(assign["responsiblePerson"]["name"], "李科长");
        assert_eq!(
            assign["summary"],
            "联络员账号 交办（待交办 → 已交办）：责任领导：张局长；责任人：李科长；整改类别：限期整改；完成时限：2027年6月30日"
        );
        let accept = event("accept");
        assert_eq!(accept["actor"]["name"], "张局长");
        assert_eq!(accept["actor"]["person"]["name"], "张局长");
        assert_eq!(accept["measures"], "制定案卷评查方案");
        assert_eq!(accept["toStateLabel"], "整改中");
        assert_eq!(
            accept["summary"],
            "张局长 签收（已交办 → 整改中）：整改措施：制定案卷评查方案"
        );
        assert_eq!(event("evidence_added")["actor"]["name"], "李科长");
        let verify = event("verify");
        assert_eq!(verify["actor"]["name"], "王处长");
        assert_eq!(verify["outcome"], "RECTIFIED");
        assert_eq!(
            verify["summary"],
            "王处长 验收销号（待验收 → 已销号）：整改结果：已整改；说明：材料齐全"
        );
        for e in events {
            let summary = e["summary"].as_str().unwrap();
            assert!(reads_chinese(summary), "{summary}");
            assert!(
                !summary.contains('{') && !summary.contains(&c.leader),
                "{summary}"
            );
        }
    }
);

store_test!(
    a_split_item_is_a_container_counted_through_its_parts,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let parent = new_item(&app, &c.dept, "普法形式较为单一").await;
        let other = new_item(&app, &c.dept, "另一个问题").await;
        let v = version(&app, &parent).await;
        let split = app
            .ok(
                "mutation($id: ID!, $v: Int!) { splitItem(id: $id, titles: [\"建立普法机制\", \"编印普法读本\"], expectedVersion: $v) { id code } }",
                json!({ "id": parent, "v": v }),
            )
            .await;
        let parts: Vec<String> = split["splitItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();

        let container = app.ok(HISTORY, json!({ "id": parent })).await["item"].clone();
        assert_eq!(container["state"], "split");
        assert_eq!(container["stateLabel"], "已拆分");
        let last = container["history"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["action"], "split");
        assert_eq!(last["splitInto"].as_array().unwrap().len(), 2);
        assert!(
            last["summary"]
                .as_str()
                .unwrap()
                .contains("拆分为2项整改事项"),
            "{last:#}"
        );
        let part = app.ok(HISTORY, json!({ "id": parts[0] })).await["item"].clone();
        let created = &part["history"][0];
        assert_eq!(created["comment"], "拆分自事项“普法形式较为单一”");
        assert_eq!(created["splitFrom"], json!(parent));
        assert!(reads_chinese(created["summary"].as_str().unwrap()));

        // Nothing more happens to the container itself: its parts are rectified.
        let v = version(&app, &parent).await;
        let refused = app
            .graphql_as(
                Some(&c.coordinator),
                ASSIGN,
                json!({ "id": parent, "v": v, "input": { "leadPersonId": c.leader, "dueOn": "2027-06-30", "category": "TIME_BOUND" } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            "INVALID_TRANSITION"
        );
        assert!(
            reads_chinese(refused["errors"][0]["message"].as_str().unwrap()),
            "{refused:#}"
        );

        // The dashboard counts the two parts and the other item: three, not four.
        let d = app
            .ok(
                "query($a: ID!) { dashboard(agencyId: $a) { figures { total open } byState { state count } } }",
                json!({ "a": c.dept }),
            )
            .await;
        assert_eq!(d["dashboard"]["figures"]["total"], 3, "{d:#}");
        assert_eq!(d["dashboard"]["figures"]["open"], 3);
        // The ledger has rows for the parts, none for the container.
        let (_, sheet) = crate::ledger::exported(&app, &c.coordinator, &c.dept, "agency").await;
        let ids: Vec<String> = sheet
            .rows
            .iter()
            .map(|r| r[sheet.col("事项ID")].to_string())
            .collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert!(!ids.contains(&parent));
        assert!(ids.contains(&parts[0]) && ids.contains(&parts[1]) && ids.contains(&other));
    }
);

store_test!(
    items_led_through_a_post_count_for_its_holder,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let post = app
            .ok(
                "mutation($a: ID!) { createPost(agencyId: $a, title: \"分管副局长\") { id } }",
                json!({ "a": c.dept }),
            )
            .await["createPost"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.ok(
            "mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who) { startedOn } }",
            json!({ "p": post, "who": c.leader }),
        )
        .await;
        let in_person = new_item(&app, &c.dept, "本人牵头的事项").await;
        let by_post = new_item(&app, &c.dept, "岗位牵头的事项").await;
        for (id, lead) in [
            (&in_person, ("leadPersonId", &c.leader)),
            (&by_post, ("leadPostId", &post)),
        ] {
            let v = version(&app, id).await;
            let mut input = json!({ "dueOn": "2027-06-30", "category": "TIME_BOUND" });
            input[lead.0] = json!(lead.1);
            app.ok_as(
                &c.coordinator,
                ASSIGN,
                json!({ "id": id, "v": v, "input": input }),
            )
            .await;
        }
        let listed = app
            .ok(
                "query($p: ID!) { items(filter: { leadPersonId: $p }) { totalCount nodes { id } } }",
                json!({ "p": c.leader }),
            )
            .await;
        assert_eq!(listed["items"]["totalCount"], 2, "{listed:#}");
        let d = app
            .ok(
                "query($a: ID!) { dashboard(agencyId: $a) { byLeader { person { name } figures { total open } } } }",
                json!({ "a": c.dept }),
            )
            .await;
        let leaders = d["dashboard"]["byLeader"].as_array().unwrap();
        let zhang = leaders
            .iter()
            .find(|l| l["person"]["name"] == "张局长")
            .expect("the holder listed");
        assert_eq!(zhang["figures"]["total"], 2, "{leaders:#?}");
        assert!(
            leaders.iter().all(|l| !l["person"].is_null()),
            "no item sits under no one: {leaders:#?}"
        );
    }
);

#[tokio::test]
async fn every_error_says_in_chinese_what_went_wrong() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = cast(&app).await;
    // A leader asking for the outbox is told that, not something about audit trails.
    let refused = app
        .graphql_as(
            Some(&c.leader_token),
            "{ reminders { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("查看提醒发送记录"), "{message}");
    assert!(!message.contains("审计"), "{message}");

    // A wrong password is a wrong password.
    let who = crate::workflow::person(&app, &c.dept, "赵干事").await;
    app.ok(
        "mutation($a: ID!, $p: ID!) { createAccount(input: { email: \"zhao@example.gov.cn\",
           password: \"first password 1\", role: PERSON, agencyId: $a, personId: $p }) { id } }",
        json!({ "a": c.dept, "p": who }),
    )
    .await;
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    let wrong = app
        .graphql_as(
            None,
            login,
            json!({ "e": "zhao@example.gov.cn", "p": "wrong password 1" }),
        )
        .await;
    assert_eq!(wrong["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        "邮箱或密码不正确，请重新输入"
    );

    // Errors raised before any resolver (async-graphql's own) are Chinese too; the English
    // original stays for developers in extensions.detail.
    let unknown = app.graphql("{ itemz { totalCount } }", json!({})).await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION"
    );
    assert!(reads_chinese(
        unknown["errors"][0]["message"].as_str().unwrap()
    ));
    assert!(
        unknown["errors"][0]["extensions"]["detail"]
            .as_str()
            .unwrap()
            .contains("itemz")
    );

    // A sample of refusals across the API: every message reads as Chinese.
    let samples: Vec<(Option<&str>, &str, serde_json::Value)> = vec![
        (None, "{ items { totalCount } }", json!({})),
        (
            Some(&c.leader_token),
            "mutation { createAgency(input: { name: \"某局\" }) { id } }",
            json!({}),
        ),
        (
            None,
            "query($id: ID!) { item(id: $id) { id } }",
            json!({ "id": "not-an-id" }),
        ),
        (
            None,
            "query($id: ID!) { item(id: $id) { id } }",
            json!({ "id": uuid::Uuid::nil() }),
        ),
        (
            None,
            "{ items(first: 10, after: \"x\") { totalCount } }",
            json!({}),
        ),
        (None, "{ items(filter: { text: ", json!({})),
        (
            Some(&c.other_coordinator),
            "query($a: ID!) { agencyWebhook(agencyId: $a) { url } }",
            json!({ "a": c.dept }),
        ),
        (
            None,
            "mutation($id: ID!) { splitItem(id: $id, titles: [\"一\"], expectedVersion: 1) { id } }",
            json!({ "id": uuid::Uuid::nil() }),
        ),
        (
            None,
            "mutation { setAgencyWebhook(agencyId: \"x\", url: \"ftp://x\") { url } }",
            json!({}),
        ),
    ];
    for (token, query, vars) in samples {
        let token = token.or(Some(app.admin_token.as_str()));
        let token = if query.starts_with("{ items { totalCount") {
            None
        } else {
            token
        };
        let response = app.graphql_as(token, query, vars).await;
        let errors = response["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{query}: {response:#}"));
        for e in errors {
            let message = e["message"].as_str().unwrap();
            assert!(reads_chinese(message), "{query}: {message}");
        }
    }
}

#[tokio::test]
async fn validation_messages_name_fields_as_the_forms_do() {
    let app = spawn_app(Backend::Sqlite).await;
    let agency = app.create_agency("某区司法局", None).await;

    // A blank title: the message says 标题, the identifier stays in extensions.field.
    let blank = app
        .graphql(
            "mutation($a: ID!) { createItem(input: { agencyId: $a, title: \"   \", source: OTHER }) { id } }",
            json!({ "a": agency }),
        )
        .await;
    let error = &blank["errors"][0];
    assert_eq!(error["extensions"]["code"], "VALIDATION", "{blank:#}");
    assert_eq!(error["extensions"]["field"], "title");
    assert_eq!(error["message"], "标题不能为空");

    // Too long: the limit is said with the field's Chinese name.
    let long = "长".repeat(501);
    let too_long = app
        .graphql(
            "mutation($a: ID!, $t: String!) { createItem(input: { agencyId: $a, title: $t, source: OTHER }) { id } }",
            json!({ "a": agency, "t": long }),
        )
        .await;
    assert_eq!(
        too_long["errors"][0]["message"], "标题不能超过 500 个字符",
        "{too_long:#}"
    );

    // A person's title is their 职务, not a 标题.
    let person = app
        .graphql(
            "mutation($a: ID!, $t: String!) { createPerson(input: { agencyId: $a, name: \"王五\", title: $t }) { id } }",
            json!({ "a": agency, "t": "职".repeat(101) }),
        )
        .await;
    assert_eq!(
        person["errors"][0]["message"], "职务不能超过 100 个字符",
        "{person:#}"
    );

    // A malformed id names the argument as people know it, and still the identifier.
    let bad_id = app
        .graphql(
            "query { items(filter: { agencyId: \"nope\" }) { totalCount } }",
            json!({}),
        )
        .await;
    let message = bad_id["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("单位编号（agencyId）"), "{message}");
}
