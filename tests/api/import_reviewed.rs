//! Reviewed import: a dry run's result, corrected by a person, imported exactly as given
//! (over GraphQL and with `rectify import --reviewed`), the report recording who corrected
//! it; bad reviewed inputs refused with stable codes and Chinese messages, writing nothing.

use rectify::domain::AccountRole;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app},
    store_test,
};

const REPORT: &str = "某某县司法局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次，覆盖干部职工200余人次。\n\
二、存在的不足\n一是普法宣传形式单一，针对性和实效性不强。\n二是行政执法人员专业能力不足，执法培训覆盖面窄。\n三是重大行政决策合法性审查机制不够健全。\n\
三、2025年工作计划\n（一）创新普法宣传形式。运用新媒体开展精准普法，增强针对性。\n（二）加强执法队伍建设。开展执法人员专业培训，提升执法能力。\n（三）政务公开栏目更新不及时，信息发布滞后。\n\
某某县司法局\n2025年1月20日\n";

const IMPORT: &str = "mutation($input: ImportReportInput!) { importReport(input: $input) {
    status dryRun
    agency { id name }
    report { id year period kind title publishedOn correctedByHand reviewedAt reviewedByAccountId reviewedBy { name } }
    shortcomings { shortcoming { ordinal text spanStart spanEnd } item { id state } }
    commitments { ordinal text spanStart spanEnd }
    links { shortcomingOrdinal commitmentOrdinal score }
    previousRectification { text }
    warnings { code message }
} }";

async fn count(app: &TestApp, what: &str) -> u64 {
    let data = app
        .ok(&format!("{{ {what} {{ totalCount }} }}"), json!({}))
        .await;
    data[what]["totalCount"].as_u64().unwrap()
}

/// A reviewed item from a dry run's shortcoming or commitment, keeping its span.
fn kept(item: &Value) -> Value {
    json!({ "text": item["text"], "spanStart": item["spanStart"], "spanEnd": item["spanEnd"] })
}

fn texts(list: &Value, path: &[&str]) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let mut v = v;
            for p in path {
                v = &v[*p];
            }
            v.as_str().unwrap().to_owned()
        })
        .collect()
}

/// An admin account acting for a person, so "by whom" has a name.
async fn reviewer(app: &TestApp) -> String {
    let agency = app.create_agency("某某县人民政府办公室", None).await;
    let person = app
        .ok(
            "mutation($a: ID!) { createPerson(input: { agencyId: $a, name: \"王核对\" }) { id } }",
            json!({ "a": agency }),
        )
        .await["createPerson"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.token_for(AccountRole::Admin, None, Some(&person)).await
}

store_test!(
    an_edited_dry_run_imports_exactly_the_reviewed_items_and_says_who_corrected_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let token = reviewer(&app).await;
        let dry = app
            .ok_as(
                &token,
                IMPORT,
                json!({ "input": { "text": REPORT, "dryRun": true } }),
            )
            .await["importReport"]
            .clone();
        assert_eq!(dry["report"]["year"], 2024);
        assert_eq!(dry["report"]["correctedByHand"], false);
        let s: Vec<Value> = dry["shortcomings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["shortcoming"].clone())
            .collect();
        let c = dry["commitments"].as_array().unwrap().clone();
        assert_eq!(s.len(), 3, "{dry:#}");
        assert_eq!(c.len(), 3, "{dry:#}");
        assert!(s[2]["spanStart"].is_i64(), "the dry run gives spans");

        // The person's corrections: the first shortcoming removed, the second split in two,
        // the third kept, one added, the third "commitment" (a problem) moved to the
        // shortcomings, the year fixed, one proposed link kept and one made by hand.
        let reviewed = json!({
            "agencyName": "某某县司法局",
            "year": 2023,
            "period": dry["report"]["period"],
            "kind": dry["report"]["kind"],
            "title": "某某县司法局2023年法治政府建设年度报告",
            "shortcomings": [
                { "text": "行政执法人员专业能力不足。" },
                { "text": "执法培训覆盖面窄。" },
                kept(&s[2]),
                { "text": "执法案卷评查发现的问题整改不彻底。" },
                kept(&c[2]),
            ],
            "commitments": [kept(&c[0]), kept(&c[1])],
            "links": [
                { "shortcomingOrdinal": 1, "commitmentOrdinal": 2, "score": 0.5 },
                { "shortcomingOrdinal": 2, "commitmentOrdinal": 2 },
            ],
        });
        let r = app
            .ok_as(
                &token,
                IMPORT,
                json!({ "input": { "text": REPORT, "reviewed": reviewed } }),
            )
            .await["importReport"]
            .clone();
        assert_eq!(r["status"], "CREATED");
        assert_eq!(r["agency"]["name"], "某某县司法局");
        assert_eq!(r["report"]["year"], 2023, "the year as fixed");
        assert_eq!(
            r["report"]["title"],
            "某某县司法局2023年法治政府建设年度报告"
        );
        assert_eq!(r["report"]["correctedByHand"], true);
        assert_eq!(r["report"]["reviewedBy"]["name"], "王核对");
        assert!(r["report"]["reviewedAt"].is_string());
        assert!(r["report"]["reviewedByAccountId"].is_string());
        assert_eq!(
            texts(&r["shortcomings"], &["shortcoming", "text"]),
            [
                "行政执法人员专业能力不足。",
                "执法培训覆盖面窄。",
                s[2]["text"].as_str().unwrap(),
                "执法案卷评查发现的问题整改不彻底。",
                c[2]["text"].as_str().unwrap(),
            ]
        );
        assert_eq!(
            texts(&r["commitments"], &["text"]),
            [
                c[0]["text"].as_str().unwrap(),
                c[1]["text"].as_str().unwrap()
            ]
        );
        let links: Vec<(i64, i64)> = r["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["shortcomingOrdinal"].as_i64().unwrap(),
                    l["commitmentOrdinal"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(links, [(1, 2), (2, 2)], "exactly the reviewed links");

        // Read back from the store: the rows, their spans, their items and links.
        let report = app
            .ok(
                "query($id: ID!) { report(id: $id) { year correctedByHand reviewedBy { name }
                    shortcomings { ordinal text spanStart spanEnd links { origin confirmed commitment { ordinal } } }
                    commitments { ordinal text spanStart } } }",
                json!({ "id": r["report"]["id"] }),
            )
            .await["report"]
            .clone();
        assert_eq!(report["correctedByHand"], true);
        assert_eq!(report["reviewedBy"]["name"], "王核对");
        let stored = report["shortcomings"].as_array().unwrap();
        assert_eq!(stored.len(), 5);
        assert!(stored[0]["spanStart"].is_null(), "a split item has no span");
        assert_eq!(
            stored[2]["spanStart"], s[2]["spanStart"],
            "a kept item keeps its span"
        );
        assert_eq!(
            stored[4]["spanEnd"], c[2]["spanEnd"],
            "a moved item keeps its span"
        );
        assert_eq!(stored[0]["links"][0]["confirmed"], true);
        assert_eq!(stored[0]["links"][0]["origin"], "manual");
        assert_eq!(stored[0]["links"][0]["commitment"]["ordinal"], 2);
        assert!(stored[2]["links"].as_array().unwrap().is_empty());
        assert_eq!(
            count(&app, "items").await,
            5,
            "one item per reviewed shortcoming"
        );
        assert_eq!(count(&app, "reports").await, 1);
    }
);

store_test!(
    a_reviewed_extraction_of_an_imported_text_needs_replace_and_then_replaces_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let token = reviewer(&app).await;
        let first = app
            .ok_as(&token, IMPORT, json!({ "input": { "text": REPORT } }))
            .await["importReport"]
            .clone();
        assert_eq!(first["report"]["correctedByHand"], false);
        let reviewed = json!({
            "agencyName": first["agency"]["name"],
            "year": 2024,
            "period": first["report"]["period"],
            "kind": first["report"]["kind"],
            "shortcomings": [kept(&first["shortcomings"][1]["shortcoming"]), { "text": "新增的问题。" }],
        });
        let refused = app
            .graphql_as(
                Some(&token),
                IMPORT,
                json!({ "input": { "text": REPORT, "reviewed": reviewed } }),
            )
            .await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "CONFLICT");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("replace")
        );
        let r = app
            .ok_as(
                &token,
                IMPORT,
                json!({ "input": { "text": REPORT, "reviewed": reviewed, "replace": true } }),
            )
            .await["importReport"]
            .clone();
        assert_eq!(r["status"], "REPLACED");
        assert_eq!(r["report"]["id"], first["report"]["id"]);
        assert_eq!(r["report"]["correctedByHand"], true);
        assert_eq!(
            texts(&r["shortcomings"], &["shortcoming", "text"])[..2],
            [
                first["shortcomings"][1]["shortcoming"]["text"]
                    .as_str()
                    .unwrap(),
                "新增的问题。"
            ]
        );
    }
);

store_test!(
    bad_reviewed_extractions_are_refused_with_codes_and_write_nothing,
    |backend| async move {
        let app = spawn_app(backend).await;
        let one = || json!([{ "text": "普法宣传形式单一。" }]);
        let cases = [
            (
                json!({ "shortcomings": [{ "text": "x", "spanStart": 0, "spanEnd": 1_000_000 }] }),
                "REVIEW_BAD_SPAN",
            ),
            (
                json!({ "shortcomings": [{ "text": "x", "spanStart": 1, "spanEnd": 2 }] }),
                "REVIEW_BAD_SPAN",
            ),
            (
                json!({ "shortcomings": [{ "text": "x", "spanStart": 0 }] }),
                "REVIEW_BAD_SPAN",
            ),
            (
                json!({ "shortcomings": one(), "commitments": one(),
                        "links": [{ "shortcomingOrdinal": 1, "commitmentOrdinal": 2 }] }),
                "REVIEW_BAD_LINK",
            ),
            (
                json!({ "shortcomings": one(),
                        "links": [{ "shortcomingOrdinal": 0, "commitmentOrdinal": 1 }] }),
                "REVIEW_BAD_LINK",
            ),
            (
                json!({ "shortcomings": [{ "text": " " }] }),
                "REVIEW_EMPTY_ITEM",
            ),
            (
                json!({ "shortcomings": vec![json!({ "text": "问题。" }); 501] }),
                "REVIEW_TOO_MANY",
            ),
            (
                json!({ "shortcomings": [{ "text": "长".repeat(10_001) }] }),
                "REVIEW_TOO_LONG",
            ),
            (
                json!({ "shortcomings": one(), "title": "题".repeat(501) }),
                "REVIEW_TOO_LONG",
            ),
            (
                json!({ "shortcomings": one(), "period": "q3" }),
                "REVIEW_BAD_METADATA",
            ),
            (
                json!({ "shortcomings": one(), "year": 1900 }),
                "REVIEW_BAD_METADATA",
            ),
            (
                json!({ "previousRectification": one() }),
                "REVIEW_NOTHING_TO_TRACK",
            ),
        ];
        for (reviewed, code) in cases {
            let response = app
                .graphql(
                    IMPORT,
                    json!({ "input": { "text": REPORT, "reviewed": reviewed } }),
                )
                .await;
            let error = &response["errors"][0];
            assert_eq!(error["extensions"]["code"], code, "{response:#}");
            let message = error["message"].as_str().unwrap();
            assert!(
                message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "a message in Chinese: {message}"
            );
        }
        assert_eq!(count(&app, "reports").await, 0, "nothing was written");
        assert_eq!(count(&app, "items").await, 0);
        assert_eq!(count(&app, "agencies").await, 0);
    }
);

fn rectify(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rectify"))
        .args(args)
        .env("DATABASE_URL", &app.settings.database_url)
        .env("RECTIFY_DATA_DIR", &app.settings.data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the rectify binary runs")
}

store_test!(
    the_command_line_imports_the_extract_json_as_a_person_edited_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.txt");
        std::fs::write(&report, REPORT).unwrap();
        let out = rectify(
            &app,
            &["extract", "--format", "json", report.to_str().unwrap()],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["shortcomings"].as_array().unwrap().len(), 3);

        // Unknown sections are refused, and nothing is written.
        let mut bad = printed.clone();
        bad["problems"] = json!(["多出来的部分"]);
        let bad_file = dir.path().join("bad.json");
        std::fs::write(&bad_file, bad.to_string()).unwrap();
        let out = rectify(
            &app,
            &[
                "import",
                report.to_str().unwrap(),
                "--reviewed",
                bad_file.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("REVIEW_UNKNOWN_SECTION") && stderr.contains("未知的部分"),
            "{stderr}"
        );
        assert_eq!(count(&app, "reports").await, 0);

        // Removing an item without its span is caught.
        let mut stale = printed.clone();
        stale["shortcomings"].as_array_mut().unwrap().remove(0);
        std::fs::write(&bad_file, stale.to_string()).unwrap();
        let out = rectify(
            &app,
            &[
                "import",
                report.to_str().unwrap(),
                "--reviewed",
                bad_file.to_str().unwrap(),
            ],
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("REVIEW_SPANS_MISMATCH"));
        assert_eq!(count(&app, "reports").await, 0);

        // The first shortcoming removed (with its span), one added, the year fixed, links
        // reduced to one between the new positions.
        printed["shortcomings"].as_array_mut().unwrap().remove(0);
        printed["spans"]["shortcomings"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        printed["shortcomings"]
            .as_array_mut()
            .unwrap()
            .push(json!({ "text": "人工补充的问题。" }));
        printed["spans"]["shortcomings"]
            .as_array_mut()
            .unwrap()
            .push(Value::Null);
        printed["report_year"] = json!(2023);
        printed["links"] = json!([[0, 1]]);
        let edited = dir.path().join("edited.json");
        std::fs::write(&edited, printed.to_string()).unwrap();
        let out = rectify(
            &app,
            &[
                "import",
                report.to_str().unwrap(),
                "--reviewed",
                edited.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("reviewed by hand"));

        let data = app
            .ok(
                "{ reports { nodes { year correctedByHand reviewedAt reviewedByAccountId
                    shortcomings { text spanStart links { commitment { ordinal } } } } } }",
                json!({}),
            )
            .await;
        let r = &data["reports"]["nodes"][0];
        assert_eq!(r["year"], 2023);
        assert_eq!(r["correctedByHand"], true);
        assert!(r["reviewedAt"].is_string());
        assert!(
            r["reviewedByAccountId"].is_null(),
            "the command line has no account"
        );
        let shortcomings = r["shortcomings"].as_array().unwrap();
        assert_eq!(shortcomings.len(), 3);
        assert!(
            shortcomings[0]["text"]
                .as_str()
                .unwrap()
                .contains("执法人员")
        );
        assert!(shortcomings[0]["spanStart"].is_i64());
        assert_eq!(shortcomings[2]["text"], "人工补充的问题。");
        assert!(shortcomings[2]["spanStart"].is_null());
        assert_eq!(shortcomings[0]["links"][0]["commitment"]["ordinal"], 2);
        assert!(shortcomings[1]["links"].as_array().unwrap().is_empty());
    }
);
