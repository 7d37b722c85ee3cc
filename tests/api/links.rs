//! Editing an import by hand: links added, confirmed and removed; an item split in several.

use serde_json::{Value, json};

use crate::{helpers::spawn_app, store_test};

const REPORT: &str = "某某区审计局2025年法治政府建设年度报告\n\
二、存在的问题\n一是普法宣传形式单一，针对性不强。\n二是执法人员专业培训不足。\n\
三、2026年工作计划\n（一）创新普法宣传形式，增强针对性。\n（二）加强执法人员专业培训。\n\
某某区审计局\n2026年1月10日\n";

const LINKS: &str = "query($id: ID!) { report(id: $id) { shortcomings { id links { id origin confirmed commitment { id ordinal } } } commitments { id ordinal } } }";

async fn imported(app: &crate::helpers::TestApp) -> Value {
    let r = app
        .ok(
            "mutation($t: String!) { importReport(input: { text: $t }) { report { id } shortcomings { item { id version } } } }",
            json!({ "t": REPORT }),
        )
        .await;
    r["importReport"].clone()
}

store_test!(
    links_are_added_confirmed_and_removed_by_hand,
    |backend| async move {
        let app = spawn_app(backend).await;
        let r = imported(&app).await;
        let report_id = r["report"]["id"].clone();
        let data = app.ok(LINKS, json!({ "id": report_id })).await;
        let first = &data["report"]["shortcomings"][0];
        let proposed = first["links"][0].clone();
        assert_eq!(proposed["origin"], "auto");
        assert_eq!(proposed["confirmed"], false);
        assert_eq!(proposed["commitment"]["ordinal"], 1);

        let confirmed = app
            .ok(
                "mutation($id: ID!) { confirmLink(id: $id) { confirmed } }",
                json!({ "id": proposed["id"] }),
            )
            .await;
        assert_eq!(confirmed["confirmLink"]["confirmed"], true);

        let second_commitment = data["report"]["commitments"][1]["id"].clone();
        let add = "mutation($s: ID!, $c: ID!) { addLink(shortcomingId: $s, commitmentId: $c) { id origin confirmed } }";
        let added = app
            .ok(add, json!({ "s": first["id"], "c": second_commitment }))
            .await;
        assert_eq!(added["addLink"]["origin"], "manual");
        assert_eq!(added["addLink"]["confirmed"], true);
        let code = app
            .error_code(add, json!({ "s": first["id"], "c": second_commitment }))
            .await;
        assert_eq!(code, "CONFLICT", "the same link twice");

        app.ok(
            "mutation($id: ID!) { removeLink(id: $id) }",
            json!({ "id": proposed["id"] }),
        )
        .await;
        let code = app
            .error_code(
                "mutation($id: ID!) { removeLink(id: $id) }",
                json!({ "id": proposed["id"] }),
            )
            .await;
        assert_eq!(code, "NOT_FOUND");
        let data = app.ok(LINKS, json!({ "id": report_id })).await;
        let links = data["report"]["shortcomings"][0]["links"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0]["commitment"]["ordinal"], 2);
    }
);

store_test!(a_link_across_reports_is_refused, |backend| async move {
    let app = spawn_app(backend).await;
    let a = imported(&app).await;
    let other = REPORT.replace("某某区审计局", "另一区审计局");
    app.ok(
        "mutation($t: String!) { importReport(input: { text: $t }) { status } }",
        json!({ "t": other }),
    )
    .await;
    let reports = app.ok("{ reports { nodes { id } } }", json!({})).await;
    let b_id = reports["reports"]["nodes"][1]["id"].clone();
    let a_data = app.ok(LINKS, json!({ "id": a["report"]["id"] })).await;
    let b_data = app.ok(LINKS, json!({ "id": b_id })).await;
    let code = app
        .error_code(
            "mutation($s: ID!, $c: ID!) { addLink(shortcomingId: $s, commitmentId: $c) { id } }",
            json!({ "s": a_data["report"]["shortcomings"][0]["id"], "c": b_data["report"]["commitments"][0]["id"] }),
        )
        .await;
    assert_eq!(code, "VALIDATION");
});

store_test!(
    an_item_is_split_into_several_with_version_checks,
    |backend| async move {
        let app = spawn_app(backend).await;
        let r = imported(&app).await;
        let item = r["shortcomings"][0]["item"].clone();
        let split = "mutation($id: ID!, $t: [String!]!, $v: Int!) { splitItem(id: $id, titles: $t, expectedVersion: $v) { id state code title } }";
        let data = app
        .ok(split, json!({ "id": item["id"], "t": ["开展新媒体普法", "编制普法清单"], "v": item["version"] }))
        .await;
        let children = data["splitItem"].as_array().unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0]["state"], "identified");
        assert!(children[1]["code"].as_str().unwrap().ends_with("-2"));
        // The version read before the split is now stale: nothing more is created.
        let code = app
            .error_code(
                split,
                json!({ "id": item["id"], "t": ["甲项", "乙项"], "v": item["version"] }),
            )
            .await;
        assert_eq!(code, "STALE_VERSION");
        let code = app
            .error_code(
                split,
                json!({ "id": item["id"], "t": ["只有一项"], "v": 2 }),
            )
            .await;
        assert_eq!(code, "VALIDATION");
        let total = app.ok("{ items { totalCount } }", json!({})).await;
        assert_eq!(total["items"]["totalCount"], 4, "2 imported + 2 split off");
    }
);
